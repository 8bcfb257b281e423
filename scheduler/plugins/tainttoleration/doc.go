// Package tainttoleration re-implements kube-scheduler's TaintToleration
// plugin (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go,
// k8s 1.35).
//
// Filter: the first NoSchedule/NoExecute taint (in node order) that none of
// the pod's tolerations tolerates rejects the node as
// UnschedulableAndUnresolvable. Score: the number of PreferNoSchedule taints
// not tolerated by the pod's tolerations whose effect is empty or
// PreferNoSchedule; NormalizeScore reverses it (fewer is better, all-zero
// gives everyone 100).
//
// Deviations:
//   - The Filter reason is 1.35's generic "node(s) had untolerated taint(s)"
//     (kubernetes/kubernetes#134740, also in 1.34 patch releases); releases
//     before it said "node(s) had untolerated taint {key: value}". The
//     offending taint is not part of the status, as upstream.
//   - Toleration matching is model.Toleration.ToleratesTaint, i.e. with the
//     alpha TaintTolerationComparisonOperators (Gt/Lt) semantics switched on;
//     with the gate off upstream the API server rejects such tolerations, so
//     default-config placements are unaffected.
package tainttoleration
