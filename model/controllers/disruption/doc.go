// Package disruption is the disruption controller, re-implemented from
// kube-controller-manager (Kubernetes 1.35) pkg/controller/disruption/
// disruption.go. For every PodDisruptionBudget it computes:
//
//   - expectedPods: the summed spec.replicas of the pods' controllers (a
//     ReplicaSet owned by a Deployment counts as the Deployment, else the
//     ReplicaSet; StatefulSets) when maxUnavailable or a percentage
//     minAvailable is set, else the number of matching pods;
//   - desiredHealthy: minAvailable, or expectedPods - maxUnavailable,
//     percentages rounded up (floored at 0);
//   - currentHealthy: Ready pods that are not being deleted and not in
//     disruptedPods (entries younger than DeletionTimeout, 2 min; older
//     entries of pods still there are dropped, with a NotDeleted event);
//   - disruptionsAllowed: currentHealthy - desiredHealthy, 0 when negative
//     or when no pod is expected;
//   - observedGeneration.
//
// A budget whose pods' controllers cannot be resolved (a Job, a
// DaemonSet: no scale subresource) is written with disruptionsAllowed 0
// (failSafe). Stale DisruptionTarget conditions (on pods not deleted
// within 2 minutes) are reset to False. One worker, as upstream; the
// recheck at the earliest disruptedPods expiry requeues rate-limited.
//
// Journal events (source "disruption-controller"): NoPods,
// CalculateExpectedPodCountFailed, UnmanagedPods, NotDeleted,
// MultiplePodDisruptionBudgets.
//
// Deviations: ReplicationControllers and custom scale subresources are not
// modeled; the status conditions (DisruptionAllowed) are not modeled in
// model.PodDisruptionBudgetStatus; the status is written with a full
// update.
package disruption
