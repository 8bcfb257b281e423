package sim

import "github.com/google/btree"

// Handler is what fires when an event's instant comes. Long-lived components
// implement it on a pointer so scheduling an event allocates nothing.
type Handler interface {
	Fire(now Time)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(now Time)

// Fire calls f(now).
func (f HandlerFunc) Fire(now Time) { f(now) }

// Timer identifies a scheduled event so it can be cancelled. The zero Timer
// refers to no event.
type Timer struct {
	at  Time
	seq uint64
}

// At returns the instant the timer fires.
func (t Timer) At() Time { return t.at }

// Valid reports whether t refers to a scheduled (possibly already fired) event.
func (t Timer) Valid() bool { return t.seq != 0 }

type item struct {
	at  Time
	seq uint64
	h   Handler
}

// itemLess orders events by time, then by the sequence in which they were
// scheduled. No two items compare equal, so the B-tree never replaces one.
func itemLess(a, b item) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// btreeDegree was measured: 32 and 64 are within noise of each other at 100k
// pending events; 32 keeps nodes within a few cache lines.
const btreeDegree = 32

// Queue is the pending-event set: a B-tree ordered by (time, sequence).
type Queue struct {
	tree *btree.BTreeG[item]
	seq  uint64
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	return &Queue{tree: btree.NewG[item](btreeDegree, itemLess)}
}

// Push schedules h at instant at and returns its timer.
func (q *Queue) Push(at Time, h Handler) Timer {
	q.seq++
	q.tree.ReplaceOrInsert(item{at: at, seq: q.seq, h: h})
	return Timer{at: at, seq: q.seq}
}

// Pop removes and returns the earliest event.
func (q *Queue) Pop() (at Time, h Handler, ok bool) {
	it, ok := q.tree.DeleteMin()
	return it.at, it.h, ok
}

// Peek returns the instant of the earliest event.
func (q *Queue) Peek() (Time, bool) {
	it, ok := q.tree.Min()
	return it.at, ok
}

// Remove cancels the event t refers to and reports whether it was pending.
func (q *Queue) Remove(t Timer) bool {
	if t.seq == 0 {
		return false
	}
	_, ok := q.tree.Delete(item{at: t.at, seq: t.seq})
	return ok
}

// Pending reports whether the event t refers to is still queued.
func (q *Queue) Pending(t Timer) bool {
	return t.seq != 0 && q.tree.Has(item{at: t.at, seq: t.seq})
}

// Len returns the number of pending events.
func (q *Queue) Len() int { return q.tree.Len() }
