package replicaset

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Expectations is upstream's UIDTrackingControllerExpectations
// (pkg/controller/controller_utils.go): per controller key, how many pod
// creations and deletions the controller still expects its informer to
// show, and which pods it asked to delete, so that a sync never acts twice
// on a stale cache.
type Expectations struct {
	now     func() sim.Time
	timeout time.Duration
	m       map[string]*expectation
}

type expectation struct {
	add, del int64
	at       sim.Time
	uids     map[string]bool // pod keys expected to be deleted
}

// NewExpectations returns an empty store; records older than timeout no
// longer block syncs.
func NewExpectations(now func() sim.Time, timeout time.Duration) *Expectations {
	return &Expectations{now: now, timeout: timeout, m: map[string]*expectation{}}
}

// Satisfied reports whether key may sync: its expectations are met, have
// expired, or were never set (SatisfiedExpectations).
func (e *Expectations) Satisfied(key string) bool {
	x, ok := e.m[key]
	if !ok {
		return true
	}
	if x.add <= 0 && x.del <= 0 {
		return true
	}
	return e.now().Sub(x.at) > e.timeout
}

// Pending returns the outstanding creations and deletions of key.
func (e *Expectations) Pending(key string) (add, del int64) {
	if x, ok := e.m[key]; ok {
		return x.add, x.del
	}
	return 0, 0
}

// ExpectCreations replaces key's expectations with n creations.
func (e *Expectations) ExpectCreations(key string, n int) {
	e.m[key] = &expectation{add: int64(n), at: e.now()}
}

// ExpectDeletions replaces key's expectations with the deletion of the
// given pods (namespace/name keys).
func (e *Expectations) ExpectDeletions(key string, podKeys []string) {
	x := &expectation{at: e.now(), uids: map[string]bool{}}
	for _, k := range podKeys {
		x.uids[k] = true
	}
	x.del = int64(len(x.uids))
	e.m[key] = x
}

// CreationObserved lowers key's pending creations by one.
func (e *Expectations) CreationObserved(key string) {
	if x, ok := e.m[key]; ok {
		x.add--
	}
}

// DeletionObserved records that podKey is gone (or terminating); only pods
// the controller asked to delete count.
func (e *Expectations) DeletionObserved(key, podKey string) {
	x, ok := e.m[key]
	if !ok || !x.uids[podKey] {
		return
	}
	delete(x.uids, podKey)
	x.del--
}

// Delete forgets key (the ReplicaSet was deleted).
func (e *Expectations) Delete(key string) { delete(e.m, key) }
