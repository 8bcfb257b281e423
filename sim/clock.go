package sim

// Clock decides how the kernel gets from one event to the next.
//
// The virtual clock jumps straight to the next event. A wall clock (the
// real-host adapter's) waits until that instant has come in real time, and
// may return earlier when a real process reports a completion through its
// inbox; the kernel then fires the inbox's handlers at the instant returned.
type Clock interface {
	// Advance is called with the instant of the earliest pending event (or
	// Never when none is pending but the run has not ended) and returns the
	// instant the kernel treats as now. It never returns a time later than next
	// nor earlier than the previous call's result.
	Advance(next Time) Time
	// TakeInbox returns the handlers posted from outside the run since the last
	// call, in arrival order. The virtual clock never has any.
	TakeInbox() []Handler
}

// VirtualClock jumps to each event's instant at once: simulated time is
// decoupled from wall time, and a run is as fast as its handlers.
type VirtualClock struct{}

// Advance returns next.
func (VirtualClock) Advance(next Time) Time { return next }

// TakeInbox returns nil: nothing outside a virtual run can post into it.
func (VirtualClock) TakeInbox() []Handler { return nil }
