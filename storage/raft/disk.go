package raft

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// disk models one member's WAL device as a FIFO queue of fsyncs. A write
// completes after the write queued before it, after any stall, and after its
// own latency sample; it is durable (written to the member's MemoryStorage)
// only then. With synchronous Ready handling a member has at most one Ready
// on its disk at a time, so the queue is what orders a write behind a stall
// or behind a write the member abandoned by crashing: the process's data is
// lost, but the device still finishes the write it was doing.
type disk struct {
	latency    sim.Sampler
	busyUntil  sim.Time // when the last queued write completes
	stallUntil sim.Time // no write makes progress before this instant
}

// sync queues an fsync at now and returns the instant it completes.
func (d *disk) sync(now sim.Time) sim.Time {
	start := max(now, d.busyUntil, d.stallUntil)
	done := start.Add(duration(d.latency.Sample()))
	d.busyUntil = done
	return done
}

// stall freezes the disk for dur from now (a firmware hiccup, a saturated
// volume, a VM pause). Writes started during the stall start after it; a
// write in progress resumes after it, with the work it had left. stall
// reports whether the last queued write now completes later, so the member
// can move its completion event.
func (d *disk) stall(now sim.Time, dur time.Duration) (moved bool) {
	until := now.Add(dur)
	if until <= d.stallUntil {
		return false
	}
	// pivot is when the queued write would otherwise start or resume.
	pivot := max(now, d.stallUntil)
	d.stallUntil = until
	if d.busyUntil > pivot {
		d.busyUntil = until.Add(d.busyUntil.Sub(pivot))
		return true
	}
	return false
}
