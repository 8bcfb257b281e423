package garbagecollector

import "github.com/kubesim/kubesim/model"

// outcome is what a worker does with an item afterwards.
type outcome int

const (
	forgetItem outcome = iota
	requeueItem
)

// workers runs at most max items at once from a work queue (upstream's
// worker goroutines); process calls done with the outcome when all its API
// requests have returned.
type workers struct {
	q       *model.WorkQueue
	max     int
	busy    int
	pumping bool
	process func(key string, done func(outcome))
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
		w.process(key, w.finish(key))
	}
	w.pumping = false
}

func (w *workers) finish(key string) func(outcome) {
	called := false
	return func(o outcome) {
		if called {
			return
		}
		called = true
		if o == requeueItem {
			w.q.AddRateLimited(key)
		} else {
			w.q.Forget(key)
		}
		w.q.Done(key)
		w.busy--
		w.pump()
	}
}
