package volume

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// worker is one of upstream's "go wait.Until(ctrl.xWorker, ...)" loops:
// it takes keys from its queue one at a time and runs sync, whose API
// calls complete later; the next key is taken when sync calls done. A
// failing key is requeued with the queue's rate limiter.
type worker struct {
	queue *model.WorkQueue
	sync  func(key string, done func(error))
	busy  bool
}

func newWorker(k *sim.Kernel, limiter model.RateLimiter, ready func() bool, sync func(string, func(error))) *worker {
	w := &worker{sync: sync}
	w.queue = model.NewWorkQueue(k, limiter, func() {
		if ready() {
			w.pump()
		}
	})
	return w
}

func (w *worker) pump() {
	for !w.busy {
		key, ok := w.queue.Get()
		if !ok {
			return
		}
		w.busy = true
		finished, async := false, false
		w.sync(key, func(err error) {
			if finished {
				return
			}
			finished = true
			if err != nil {
				w.queue.AddRateLimited(key)
			} else {
				w.queue.Forget(key)
			}
			w.queue.Done(key)
			w.busy = false
			if async {
				w.pump()
			}
		})
		async = !finished
		if async {
			return
		}
	}
}
