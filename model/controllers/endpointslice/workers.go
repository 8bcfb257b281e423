package endpointslice

import "github.com/kubesim/kubesim/model"

// workers runs at most max syncs at once, taking keys from a work queue
// (upstream's worker goroutines).
type workers struct {
	q          *model.WorkQueue
	max        int
	busy       int
	pumping    bool
	maxRetries int
	sync       func(key string, done func(err error))
}

func (w *workers) pump() {
	if w.pumping {
		return
	}
	w.pumping = true
	for w.busy < w.max {
		key, ok := w.q.Get()
		if !ok {
			break
		}
		w.busy++
		w.sync(key, w.finish(key))
	}
	w.pumping = false
}

// finish is handleErr: forget on success, retry with backoff up to
// maxRetries, then drop.
func (w *workers) finish(key string) func(error) {
	called := false
	return func(err error) {
		if called {
			return
		}
		called = true
		switch {
		case err == nil:
			w.q.Forget(key)
		case w.q.NumRequeues(key) < w.maxRetries:
			w.q.AddRateLimited(key)
		default:
			w.q.Forget(key)
		}
		w.q.Done(key)
		w.busy--
		w.pump()
	}
}
