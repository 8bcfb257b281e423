// Package daemonset is the DaemonSet controller, re-implemented from
// kube-controller-manager (Kubernetes 1.35):
//
//   - pkg/controller/daemon/daemon_controller.go: syncDaemonSet, manage,
//     podsShouldBeOnNode, syncNodes (BurstReplicas 250, slow-start
//     creation batches, expectations), NodeShouldRunDaemonPod (node name,
//     nodeSelector and required node affinity, NoSchedule/NoExecute taints
//     against the pod's tolerations), the failed-pod backoff per node (1 s
//     doubling to 15 min), updateDaemonSetStatus;
//   - pkg/controller/daemon/update.go: rollingUpdate with maxUnavailable
//     and maxSurge (percentages rounded up; both zero means one
//     unavailable), findUpdatedPodsOnNode;
//   - pkg/controller/daemon/util/daemonset_util.go: the automatic
//     tolerations (not-ready and unreachable NoExecute forever; disk-,
//     memory-, pid-pressure and unschedulable NoSchedule; network-
//     unavailable for host-network pods), pods pinned to their node with a
//     required matchFields metadata.name term and left to the default
//     scheduler (since 1.12).
//
// Journal events (source "daemonset-controller"): SuccessfulCreate,
// FailedCreate, SuccessfulDelete, FailedDelete, FailedDaemonPod,
// SucceededDaemonPod, SelectingAll.
//
// # Deviations
//
//   - ControllerRevisions are not modeled: the controller-revision-hash
//     label is a hash of the pod template computed directly (FNV-32a of its
//     JSON form, so values differ from a real cluster's), no history is
//     kept, and the deprecated pod-template-generation label is not used.
//   - Upstream's rolling update ranges over a map of nodes; kubesim visits
//     nodes in name order.
//   - Orphan pods matching the selector are not adopted.
//   - The status is written with a full update (upstream: the status
//     subresource).
package daemonset
