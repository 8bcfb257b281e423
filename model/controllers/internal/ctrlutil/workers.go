package ctrlutil

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Workers runs at most Max syncs at once, taking keys from Queue: the
// simulated form of upstream's "for i := 0; i < workers; i++ { go
// wait.Until(worker) }". A sync issues its API calls and calls done when
// their callbacks have all returned; the key is then Done on the queue
// (processNextWorkItem). Pump is the queue's ready notification, directly
// or behind WhenSynced.
type Workers struct {
	// Queue is where the keys come from.
	Queue *model.WorkQueue
	// Max is the number of workers (--concurrent-*-syncs).
	Max int
	// MaxRetries, when positive, is handleErr's maxRetries: a key whose
	// sync keeps failing is requeued with backoff that many times, then
	// forgotten until it is added again (the Deployment and EndpointSlice
	// controllers). Zero requeues a failing key forever (the ReplicaSet,
	// Job, DaemonSet, CronJob, disruption and node controllers).
	MaxRetries int
	// Sync processes one key and calls done once with its outcome.
	Sync func(key string, done func(err error))
	// Defer, when set, makes a finished sync take the next key in a later
	// kernel event of the same instant, so that watch events committed at
	// that instant (the sync's own writes) reach the informers first.
	// Without it the next key is taken at once, inside done. The CronJob,
	// DaemonSet, disruption, Job and node controllers set it; the
	// ReplicaSet, Deployment, EndpointSlice and garbage collector do not.
	// Neither order is upstream's (its workers and informers run
	// concurrently), and changing a controller's order changes the
	// simulated event order, so each keeps the one it had.
	Defer *sim.Kernel

	busy    int
	pumping bool
}

// Pump starts syncs while workers are free and keys are waiting.
func (w *Workers) Pump() {
	if w.pumping {
		return // a sync finished synchronously inside the loop below
	}
	w.pumping = true
	for w.busy < w.Max {
		key, ok := w.Queue.Get()
		if !ok {
			break
		}
		w.busy++
		w.Sync(key, w.finish(key))
	}
	w.pumping = false
}

// finish is processNextWorkItem's tail with handleErr: forget the key on
// success, requeue it rate-limited on error (up to MaxRetries times when
// set, then forget it), mark it Done and free the worker. Calls after the
// first are ignored.
func (w *Workers) finish(key string) func(error) {
	called := false
	return func(err error) {
		if called {
			return
		}
		called = true
		switch {
		case err == nil:
			w.Queue.Forget(key)
		case w.MaxRetries <= 0 || w.Queue.NumRequeues(key) < w.MaxRetries:
			w.Queue.AddRateLimited(key)
		default:
			w.Queue.Forget(key)
		}
		w.Queue.Done(key)
		w.busy--
		if w.Defer != nil {
			w.Defer.AfterFunc(0, func(sim.Time) { w.Pump() })
			return
		}
		w.Pump()
	}
}

// CacheSyncPoll is how often WhenSynced checks the informers
// (cache.WaitForCacheSync polls every 100 ms).
const CacheSyncPoll = 100 * time.Millisecond

// WhenSynced returns a work queue's ready notification for workers that
// wait for their informers (cache.WaitForCacheSync): it calls run when
// synced reports true, and otherwise checks again every CacheSyncPoll
// until it does, with one check pending at a time.
func WhenSynced(k *sim.Kernel, synced func() bool, run func()) func() {
	waiting := false
	var ready func()
	ready = func() {
		if synced() {
			run()
			return
		}
		if waiting {
			return
		}
		waiting = true
		k.AfterFunc(CacheSyncPoll, func(sim.Time) {
			waiting = false
			ready()
		})
	}
	return ready
}

// HaveSynced reports whether every informer has listed (the informers'
// HasSynced functions that WaitForCacheSync is given).
func HaveSynced(infs ...*model.Informer) bool {
	for _, inf := range infs {
		if !inf.HasSynced() {
			return false
		}
	}
	return true
}

// Barrier calls then once n callbacks have arrived: the sync.WaitGroup
// upstream waits on for a batch of API calls.
type Barrier struct {
	left int
	then func()
}

// NewBarrier returns a barrier for n callbacks; then runs at once if n is 0.
func NewBarrier(n int, then func()) *Barrier {
	b := &Barrier{left: n, then: then}
	if n == 0 {
		then()
	}
	return b
}

// Done counts one callback.
func (b *Barrier) Done() {
	b.left--
	if b.left == 0 {
		b.then()
	}
}
