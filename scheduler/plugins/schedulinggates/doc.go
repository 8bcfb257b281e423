// Package schedulinggates re-implements kube-scheduler's SchedulingGates
// PreEnqueue plugin (pkg/scheduler/framework/plugins/schedulinggates/scheduling_gates.go,
// k8s 1.35): a pod with spec.schedulingGates stays out of the active queue
// until the gates are removed.
//
// Deviations: none. As upstream, the gated status is
// UnschedulableAndUnresolvable with "waiting for scheduling gates: [a b]";
// the event (the pod's gates eliminated) is registered as with
// SchedulerQueueingHints enabled, on the Pod resource.
package schedulinggates
