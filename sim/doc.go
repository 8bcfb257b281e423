// Package sim is kubesim's discrete-event kernel: virtual time, the event
// queue, cancellable timers, seeded random streams, distributions and the
// journal. It knows nothing of Kubernetes and imports nothing of kubesim.
//
// # Contract
//
// A run is single-threaded. Components never read the wall clock, never use
// global randomness and never start goroutines; time is an input handed to
// every handler, and randomness comes from a named stream:
//
//	k := sim.NewKernel(seed)
//	r := k.Rand("scheduler/tiebreak")        // own stream, stable under additions
//	t := k.After(5*time.Second, sim.HandlerFunc(func(now sim.Time) { ... }))
//	k.Cancel(t)                              // a timer can be cancelled and re-armed
//	k.Run(sim.Time(2 * time.Hour))           // fire every event up to that instant
//
// Events at the same instant fire in the order they were scheduled: the queue
// is ordered by (time, sequence number), a total order, so the outcome of a run
// depends only on its seed and inputs.
//
// # Clocks
//
// The kernel asks a [Clock] to advance to the next event. [VirtualClock] jumps
// there at once. A wall clock (used by the real-host adapter) waits for the
// instant and may be woken early by completions posted to its inbox; the
// kernel then runs those completions at the wall instant it was woken.
//
// # Journal
//
// Every state change of interest is recorded in the [Journal] as an [Event]
// (time, source, kind, object, ordered fields). Metrics, timelines, event logs
// and invariant checks subscribe to it; components never print.
package sim
