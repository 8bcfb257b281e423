package sim

import (
	"fmt"
	"sort"
)

// Kernel runs one simulation: it owns virtual time, the event queue, the
// random streams and the journal. It is not safe for concurrent use; run many
// kernels in parallel instead.
type Kernel struct {
	now     Time
	queue   *Queue
	clock   Clock
	seed    uint64
	streams map[string]*Rand
	journal *Journal

	fired      uint64
	stopReason string
	stops      []stopCondition
}

type stopCondition struct {
	name  string
	check func() bool
}

// NewKernel returns a kernel at time zero with a virtual clock.
func NewKernel(seed uint64) *Kernel {
	return &Kernel{
		queue:   NewQueue(),
		clock:   VirtualClock{},
		seed:    seed,
		streams: make(map[string]*Rand),
		journal: NewJournal(),
	}
}

// SetClock replaces the clock. Call it before the run starts.
func (k *Kernel) SetClock(c Clock) { k.clock = c }

// Now returns the current virtual time.
func (k *Kernel) Now() Time { return k.now }

// Seed returns the run seed every stream derives from.
func (k *Kernel) Seed() uint64 { return k.seed }

// Journal returns the run's journal.
func (k *Kernel) Journal() *Journal { return k.journal }

// Fired returns how many events have fired so far.
func (k *Kernel) Fired() uint64 { return k.fired }

// Pending returns the number of events waiting to fire.
func (k *Kernel) Pending() int { return k.queue.Len() }

// At schedules h to fire at instant t. Scheduling in the past is a
// programming error: the kernel panics rather than reorder history.
func (k *Kernel) At(t Time, h Handler) Timer {
	if t < k.now {
		panic(fmt.Sprintf("sim: event scheduled at %v, before now %v", t, k.now))
	}
	return k.queue.Push(t, h)
}

// After schedules h to fire d after now. A negative d is treated as zero.
func (k *Kernel) After(d Duration, h Handler) Timer {
	if d < 0 {
		d = 0
	}
	return k.queue.Push(k.now.Add(d), h)
}

// AfterFunc is After with a function.
func (k *Kernel) AfterFunc(d Duration, f func(now Time)) Timer {
	return k.After(d, HandlerFunc(f))
}

// Cancel removes a pending event and reports whether it was still pending.
func (k *Kernel) Cancel(t Timer) bool { return k.queue.Remove(t) }

// Reset cancels t (if pending) and schedules h d after now: re-arming a timer.
func (k *Kernel) Reset(t Timer, d Duration, h Handler) Timer {
	k.queue.Remove(t)
	return k.After(d, h)
}

// Active reports whether t is still pending.
func (k *Kernel) Active(t Timer) bool { return k.queue.Pending(t) }

// StopWhen registers a condition checked after every event; the first to hold
// stops the run, and its name becomes the stop reason.
func (k *Kernel) StopWhen(name string, check func() bool) {
	k.stops = append(k.stops, stopCondition{name: name, check: check})
}

// Stop ends the run after the current event, recording why.
func (k *Kernel) Stop(reason string) {
	if k.stopReason == "" {
		k.stopReason = reason
	}
}

// StopReason says why the last Run returned: a stop condition's name, the
// reason given to Stop, "until" when the horizon was reached, or "drained"
// when no event was left.
func (k *Kernel) StopReason() string { return k.stopReason }

// Step fires the earliest pending event, advancing time to its instant, and
// reports whether there was one.
func (k *Kernel) Step() bool {
	next, ok := k.queue.Peek()
	if !ok {
		return false
	}
	k.runInbox(k.clock.Advance(next))
	if t, _ := k.queue.Peek(); t != next {
		return true // the inbox scheduled something earlier; it fires next
	}
	at, h, _ := k.queue.Pop()
	k.now = at
	k.fired++
	h.Fire(at)
	return true
}

// runInbox fires what a wall clock's inbox delivered, at the instant it woke.
func (k *Kernel) runInbox(at Time) {
	inbox := k.clock.TakeInbox()
	if len(inbox) == 0 {
		return
	}
	if at > k.now {
		k.now = at
	}
	for _, h := range inbox {
		k.fired++
		h.Fire(k.now)
	}
}

// Run fires events in order until the next one is later than until, a stop
// condition holds, Stop is called, or the queue drains. On reaching the
// horizon or draining the queue before it, time is advanced to until
// exactly (unless until is Never).
func (k *Kernel) Run(until Time) { k.RunUntil(until, nil) }

// RunUntil is Run with one more stop condition, checked after every event:
// it returns (with stop reason "done") as soon as done reports true.
func (k *Kernel) RunUntil(until Time, done func() bool) {
	k.stopReason = ""
	for k.stopReason == "" {
		next, ok := k.queue.Peek()
		if !ok {
			k.stopReason = "drained"
			if until != Never && until > k.now {
				k.now = until
			}
			break
		}
		if next > until {
			k.stopReason = "until"
			if until != Never && until > k.now {
				k.now = until
			}
			break
		}
		k.Step()
		if done != nil && done() {
			k.Stop("done")
			break
		}
		for _, s := range k.stops {
			if s.check() {
				k.Stop(s.name)
				break
			}
		}
	}
}

// Streams returns the names of the random streams created so far, sorted,
// for run records.
func (k *Kernel) Streams() []string {
	names := make([]string, 0, len(k.streams))
	for n := range k.streams {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
