package job

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// workers runs at most max syncs at once, taking keys from a work queue:
// the simulated form of upstream's "for i := 0; i < workers; i++ { go
// wait.Until(worker) }". A sync issues its API calls and calls done when
// their callbacks have all returned; the key is then Done on the queue and
// the next key is taken in a later kernel event, so that watch events
// committed at the same instant (the sync's own writes) reach the
// informers first.
type workers struct {
	k       *sim.Kernel
	q       *model.WorkQueue
	max     int
	busy    int
	pumping bool
	sync    func(key string, done func(err error))
}

func (w *workers) pump() {
	if w.pumping {
		return // a sync finished synchronously inside the loop below
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

func (w *workers) finish(key string) func(error) {
	called := false
	return func(err error) {
		if called {
			return
		}
		called = true
		if err != nil {
			w.q.AddRateLimited(key)
		} else {
			w.q.Forget(key)
		}
		w.q.Done(key)
		w.busy--
		w.k.AfterFunc(0, func(sim.Time) { w.pump() })
	}
}

// barrier calls then once n callbacks have arrived (at once if n is 0).
type barrier struct {
	left int
	then func()
}

func newBarrier(n int, then func()) *barrier {
	b := &barrier{left: n, then: then}
	if n == 0 {
		then()
	}
	return b
}

func (b *barrier) done() {
	b.left--
	if b.left == 0 {
		b.then()
	}
}
