// Package scheduler is kube-scheduler re-implemented for simulated time:
// the scheduling framework and its extension points, the scheduling queue,
// the cache and snapshot, preemption and profiles. Plugins live one per
// package under scheduler/plugins/.
//
// It may import model and sim only; it talks to the cluster through
// model.Client and watch events, never through the component that serves
// them. Where upstream is parallel or unseeded (filtering with early stop,
// selectHost's tie-break, preemption's random offset) it runs sequentially
// with a named seeded stream, as documented on each function.
package scheduler
