// Package balancedallocation is the NodeResourcesBalancedAllocation score
// plugin, re-implemented from kube-scheduler 1.35's
// pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go and
// its arguments (SetDefaults_NodeResourcesBalancedAllocationArgs,
// ValidateNodeResourcesBalancedAllocationArgs).
//
// It favours nodes whose resource utilizations, with the pod, are close to
// each other: with f_r = min(1, requested_r/allocatable_r) over the
// configured resources the node has (scalar resources only when the pod
// requests them), score = int64((1 - std(f)) * 100), where std is
// |f1-f2|/2 for two resources, the population standard deviation for
// more, and 0 for fewer. Requests are the real ones (no 100m/200Mi
// defaults). PreScore returns Skip for a pod requesting none of the
// resources (best-effort pods, upstream issue #129138).
//
// Deliberate deviations: none in behaviour. Kubernetes 1.36 changed the
// score to the change in balance the pod causes; this package keeps the
// 1.35 formula. DRA-backed extended resources are not modelled.
package balancedallocation
