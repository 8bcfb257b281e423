// Package volumebinding re-implements kube-scheduler's VolumeBinding plugin
// (pkg/scheduler/framework/plugins/volumebinding/{volume_binding.go,binder.go},
// k8s 1.35) with the PV matching of model.VolumeMatcher
// (component-helpers/storage/volume FindMatchingVolume).
//
//	PreFilter  pod without claims → Skip; a missing, lost or deleting claim,
//	           or an unbound claim of an Immediate class →
//	           UnschedulableAndUnresolvable ("pod has unbound immediate
//	           PersistentVolumeClaims").
//	Filter     bound claims: the PV must exist and its node affinity admit
//	           the node. WaitForFirstConsumer claims: a claim already given
//	           a selected node only fits that node; the others, smallest
//	           request first, each take the smallest matching available PV
//	           usable from the node; claims left over must be provisionable
//	           there (a provisioner other than kubernetes.io/no-provisioner
//	           and allowedTopologies matching the node).
//	Reserve    assumes the chosen PVs bound to their claims and the claims
//	           to provision annotated with the node, in the plugin's assume
//	           cache, so later pods do not pick the same PVs.
//	Unreserve  reverts those assumptions.
//	PreBind    writes the PVs' claimRefs and the claims'
//	           volume.kubernetes.io/selected-node annotation through the
//	           client.
//
// Deviations:
//   - PreBind returns once the writes succeed; upstream then polls (up to
//     bindTimeoutSeconds) until the PV controller and provisioner finish
//     binding. Completing the binding is the PV controller's job.
//   - CSIStorageCapacity, CSIDriver and CSINode are not modeled: storage
//     capacity is never short ("node(s) did not have enough free storage"
//     is never produced), in-tree PVs are not translated to CSI, and their
//     events are not registered. StorageCapacityScoring (alpha, off in
//     1.35) is not implemented, so the plugin has no Score.
//   - Upstream lists PVs in informer (map) order; here a class's PVs are
//     searched by name, which decides ties between equal capacities.
//   - Filter keeps no per-node result; Reserve recomputes the chosen node's
//     bindings from the same cycle state and caches.
//   - The assume cache drops an assumed PV or claim once the informer
//     object's resourceVersion differs from the one it was assumed on
//     (upstream replaces it when a newer version arrives).
//
// Events are registered as with SchedulerQueueingHints enabled (the 1.35
// default).
package volumebinding
