// Package queuesort re-implements kube-scheduler's PrioritySort QueueSort
// plugin (pkg/scheduler/framework/plugins/queuesort/priority_sort.go,
// k8s 1.35): higher spec.priority first, then the pod that entered the
// queue earlier.
//
// Deviations: none. Ties on both keys are left to the queue's heap, as
// upstream (Less is a strict weak order).
package queuesort
