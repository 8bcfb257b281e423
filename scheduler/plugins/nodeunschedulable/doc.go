// Package nodeunschedulable re-implements kube-scheduler's NodeUnschedulable
// filter (pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go,
// k8s 1.35): a cordoned node (spec.unschedulable) only takes pods that
// tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.
//
// Deviations: none. Events and queueing hints are those upstream registers
// with SchedulerQueueingHints enabled (the 1.35 default).
package nodeunschedulable
