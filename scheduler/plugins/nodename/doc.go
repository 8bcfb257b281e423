// Package nodename re-implements kube-scheduler's NodeName filter
// (pkg/scheduler/framework/plugins/nodename/node_name.go, k8s 1.35): a pod
// that names a node in spec.nodeName only fits that node.
//
// Deviations: none. Events are registered as with SchedulerQueueingHints
// enabled (the 1.35 default): only Node/Add, without a hint.
package nodename
