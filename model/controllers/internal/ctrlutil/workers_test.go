package ctrlutil

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// newWorkers wires workers to a queue as the controllers do.
func newWorkers(k *sim.Kernel, w *Workers) *Workers {
	w.Queue = model.NewWorkQueue(k, model.NewItemExponentialFailureRateLimiter(time.Second, time.Minute), w.Pump)
	return w
}

func TestWorkersConcurrencyAndOrder(t *testing.T) {
	k := sim.NewKernel(1)
	var started []string
	inFlight, most := 0, 0
	w := newWorkers(k, &Workers{Max: 2, Sync: func(key string, done func(error)) {
		started = append(started, key)
		inFlight++
		most = max(most, inFlight)
		k.AfterFunc(time.Second, func(sim.Time) {
			inFlight--
			done(nil)
			done(errors.New("ignored: a second call"))
		})
	}})
	for _, key := range []string{"a", "b", "c", "d", "e"} {
		w.Queue.Add(key)
	}
	k.Run(sim.Never)
	require.Equal(t, []string{"a", "b", "c", "d", "e"}, started)
	require.Equal(t, 2, most)
	require.Equal(t, 0, w.Queue.NumRequeues("a"), "the second done is ignored")
}

func TestWorkersRetries(t *testing.T) {
	fail := errors.New("fail")
	for _, tc := range []struct {
		name       string
		maxRetries int
		wantSyncs  int
	}{
		{"forever (capped by the test)", 0, 20},
		{"handleErr's maxRetries", 3, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := sim.NewKernel(1)
			syncs := 0
			w := newWorkers(k, &Workers{Max: 1, MaxRetries: tc.maxRetries, Sync: func(_ string, done func(error)) {
				syncs++
				if syncs == 20 {
					done(nil)
					return
				}
				done(fail)
			}})
			w.Queue.Add("a")
			k.Run(sim.Never)
			require.Equal(t, tc.wantSyncs, syncs)
			require.Equal(t, 0, w.Queue.NumRequeues("a"), "forgotten on success or when dropped")
		})
	}
}

// TestWorkersDefer: with Defer the next key waits for the events already
// scheduled at the same instant; without, it is taken inside done.
func TestWorkersDefer(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		k := sim.NewKernel(1)
		var log []string
		w := &Workers{Max: 1}
		if deferred {
			w.Defer = k
		}
		w.Sync = func(key string, done func(error)) {
			log = append(log, "sync "+key)
			if key == "a" {
				k.AfterFunc(time.Second, func(sim.Time) {
					k.AfterFunc(0, func(sim.Time) { log = append(log, "watch event") })
					done(nil)
				})
				return
			}
			done(nil)
		}
		newWorkers(k, w)
		w.Queue.Add("a")
		w.Queue.Add("b")
		k.Run(sim.Never)
		if deferred {
			require.Equal(t, []string{"sync a", "watch event", "sync b"}, log)
		} else {
			require.Equal(t, []string{"sync a", "sync b", "watch event"}, log)
		}
	}
}

func TestWhenSynced(t *testing.T) {
	k := sim.NewKernel(1)
	synced := false
	var runs []sim.Time
	ready := WhenSynced(k, func() bool { return synced }, func() { runs = append(runs, k.Now()) })
	ready()
	ready() // one poll pending at a time
	k.AfterFunc(250*time.Millisecond, func(sim.Time) { synced = true })
	k.Run(sim.Never)
	require.Equal(t, []sim.Time{sim.Time(300 * time.Millisecond)}, runs)
	ready()
	require.Len(t, runs, 2, "runs at once once synced")
}

func TestBarrier(t *testing.T) {
	calls := 0
	NewBarrier(0, func() { calls++ })
	require.Equal(t, 1, calls, "zero callbacks: at once")
	b := NewBarrier(2, func() { calls++ })
	b.Done()
	require.Equal(t, 1, calls)
	b.Done()
	require.Equal(t, 2, calls)
}
