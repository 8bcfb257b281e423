package ctrlutil

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// ExpectationsTimeout is controller.ExpectationsTimeout: after it a
// controller stops waiting for creations or deletions it never saw.
const ExpectationsTimeout = 5 * time.Minute

// Expectations is upstream's ControllerExpectations
// (pkg/controller/controller_utils.go): per controller key, how many
// creations and deletions the controller still expects to observe in its
// informer, so that it does not act twice on a stale cache.
type Expectations struct {
	now     func() sim.Time
	timeout time.Duration
	m       map[string]*expectation
}

type expectation struct {
	add, del int64
	at       sim.Time
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

// Pending returns the outstanding creations and deletions of key
// (GetExpectations).
func (e *Expectations) Pending(key string) (add, del int64) {
	if x, ok := e.m[key]; ok {
		return x.add, x.del
	}
	return 0, 0
}

// SetExpectations replaces key's expectations with add creations and del
// deletions, timestamped now.
func (e *Expectations) SetExpectations(key string, add, del int) {
	e.m[key] = &expectation{add: int64(add), del: int64(del), at: e.now()}
}

// ExpectCreations replaces key's expectations with n creations.
func (e *Expectations) ExpectCreations(key string, n int) { e.SetExpectations(key, n, 0) }

// ExpectDeletions replaces key's expectations with n deletions.
func (e *Expectations) ExpectDeletions(key string, n int) { e.SetExpectations(key, 0, n) }

// LowerExpectations lowers key's pending creations by add and deletions by
// del, if key has a record.
func (e *Expectations) LowerExpectations(key string, add, del int) {
	if x, ok := e.m[key]; ok {
		x.add -= int64(add)
		x.del -= int64(del)
	}
}

// CreationObserved lowers key's pending creations by one.
func (e *Expectations) CreationObserved(key string) { e.LowerExpectations(key, 1, 0) }

// DeletionObserved lowers key's pending deletions by one.
func (e *Expectations) DeletionObserved(key string) { e.LowerExpectations(key, 0, 1) }

// Delete forgets key (the controller object is gone).
func (e *Expectations) Delete(key string) { delete(e.m, key) }

// UIDTrackingExpectations is upstream's UIDTrackingControllerExpectations:
// Expectations that also remember which objects (namespace/name keys) the
// controller asked to delete, so that a deletion is counted once and only
// for those objects, however often the informer reports it.
type UIDTrackingExpectations struct {
	*Expectations
	uids map[string]map[string]bool
}

// NewUIDTrackingExpectations returns an empty store; records older than
// timeout no longer block syncs.
func NewUIDTrackingExpectations(now func() sim.Time, timeout time.Duration) *UIDTrackingExpectations {
	return &UIDTrackingExpectations{Expectations: NewExpectations(now, timeout), uids: map[string]map[string]bool{}}
}

// ExpectDeletions replaces key's expectations with the deletion of the
// given objects.
func (e *UIDTrackingExpectations) ExpectDeletions(key string, objKeys []string) {
	set := make(map[string]bool, len(objKeys))
	for _, k := range objKeys {
		set[k] = true
	}
	e.uids[key] = set
	e.Expectations.ExpectDeletions(key, len(set))
}

// DeletionObserved records that objKey is gone (or terminating); only
// objects the controller asked to delete count, each once.
func (e *UIDTrackingExpectations) DeletionObserved(key, objKey string) {
	if !e.uids[key][objKey] {
		return
	}
	delete(e.uids[key], objKey)
	e.Expectations.DeletionObserved(key)
}

// Delete forgets key and the objects it expected to delete.
func (e *UIDTrackingExpectations) Delete(key string) {
	delete(e.uids, key)
	e.Expectations.Delete(key)
}
