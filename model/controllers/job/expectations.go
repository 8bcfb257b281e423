package job

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// expectationsTimeout is upstream controller.ExpectationsTimeout: after it
// a controller stops waiting for creations or deletions it never saw.
const expectationsTimeout = 5 * time.Minute

// expectations is upstream's ControllerExpectations
// (pkg/controller/controller_utils.go): per controller key, how many pod
// creations and deletions the controller still expects to observe in its
// informer, so that it does not act twice on a stale cache.
type expectations struct {
	now func() sim.Time
	m   map[string]*expectation
}

type expectation struct {
	add, del int64
	at       sim.Time
}

func newExpectations(now func() sim.Time) *expectations {
	return &expectations{now: now, m: map[string]*expectation{}}
}

// satisfied reports whether the controller may sync key: nothing is
// pending, or the record is older than the timeout, or there is no record.
func (e *expectations) satisfied(key string) bool {
	x, ok := e.m[key]
	if !ok {
		return true
	}
	if x.add <= 0 && x.del <= 0 {
		return true
	}
	return e.now().Sub(x.at) > expectationsTimeout
}

func (e *expectations) set(key string, add, del int) {
	e.m[key] = &expectation{add: int64(add), del: int64(del), at: e.now()}
}

func (e *expectations) expectCreations(key string, n int) { e.set(key, n, 0) }
func (e *expectations) expectDeletions(key string, n int) { e.set(key, 0, n) }

func (e *expectations) lower(key string, add, del int) {
	if x, ok := e.m[key]; ok {
		x.add -= int64(add)
		x.del -= int64(del)
	}
}

func (e *expectations) creationObserved(key string) { e.lower(key, 1, 0) }
func (e *expectations) deletionObserved(key string) { e.lower(key, 0, 1) }
func (e *expectations) delete(key string)           { delete(e.m, key) }
