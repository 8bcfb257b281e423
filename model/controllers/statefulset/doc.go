// Package statefulset is the StatefulSet controller of kube-controller-
// manager re-implemented for kubesim (Kubernetes 1.35):
//
//   - pkg/controller/statefulset/stateful_set.go: the event handlers
//     (pods resolved by controller reference, orphans matched by
//     selector), pod adoption and release (ClaimPods, orphans adopted only
//     if their name makes them members), the sync and the requeue when
//     ready pods become available after minReadySeconds;
//   - stateful_set_control.go: UpdateStatefulSet (revisions, replicas in
//     ordinal range and condemned ones above it, processReplica,
//     processCondemned, the claim fix-up of condemned pods, OnDelete and
//     RollingUpdate with partition and maxUnavailable, the
//     MaxUnavailableStatefulSet path that is beta and on in 1.35, status
//     with completeRollingUpdate, truncateHistory); OrderedReady processes
//     ordinals one at a time and waits for each pod to be Running, Ready
//     and available, scale-down deletes from the highest ordinal one at a
//     time; Parallel runs slow-start batches (1, 2, 4, ... up to 500);
//   - stateful_pod_control.go: pods and their claims
//     ("<template>-<set>-<ordinal>", created before the pod, kept when the
//     pod is replaced), identity and storage repair, the
//     PersistentVolumeClaimRetentionPolicy (StatefulSetAutoDeletePVC, GA in
//     1.32) through owner references on the claims (whenDeleted Delete: the
//     set owns them; whenScaled Delete: the pod owns them once scaled
//     down; the garbage collector then deletes them), stale claims
//     blocking re-creation, and the events;
//   - stateful_set_utils.go: names, ordinals (spec.ordinals.start), the
//     labels statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-
//     index and controller-revision-hash, newVersionedStatefulSetPod,
//     isClaimOwnerUpToDate, updateClaimOwnerRefForSetAndPod,
//     getStatefulSetMaxUnavailable.
//
// # Usage
//
//	c := statefulset.New(k, server.NewClient, statefulset.DefaultConfig())
//	c.Start()
//
// The controller watches StatefulSets, pods and claims through its own
// client (20 qps, burst 30) and runs five workers
// (--concurrent-statefulset-syncs). A sync issues its API requests and
// finishes when their callbacks have all returned.
//
// Journal events (source "statefulset-controller", object the set, fields
// pod, claim, message with upstream's text): SuccessfulCreate ("create Pod
// web-0 in StatefulSet web successful", "create Claim data-web-0 Pod
// web-0 in StatefulSet web success"), FailedCreate, SuccessfulDelete,
// FailedDelete, SuccessfulUpdate, FailedUpdate, ConflictingController.
//
// # Deviations
//
//   - ControllerRevisions are not modeled. The controller keeps each set's
//     revisions in memory (numbered and truncated to revisionHistoryLimit
//     as upstream does), names them "<set>-<hash>" with the hash FNV-32a
//     over the pod template's JSON encoding (upstream hashes the revision's
//     patch bytes, so names differ from a real cluster's), and does not
//     write collisionCount. A revision named by status.currentRevision that
//     the controller never saw (it started after the set changed) is
//     treated as upstream treats a missing ControllerRevision: the update
//     revision becomes current.
//   - Pod hostname and subdomain are not modeled, so identity is the name,
//     namespace and pod-name label; the pod-index label is always set.
//   - Claims are created in template order and claim volumes come first
//     in that order (upstream iterates a map).
//   - Adoption and release are read-modify-write updates
//     (ctrlutil.ClaimObjects); owned pods whose name no longer makes them
//     members are kept, not released.
//   - Conflict retries of status and pod writes wait 10, 50, 250 ms
//     (retry.DefaultBackoff without jitter); the pod is re-read from the
//     cache, the set too.
//   - After creating a pod in Parallel mode the pass does not look at the
//     new pod again (upstream checks it against its unsaved copy).
//   - status.conditions and status.collisionCount are not modeled.
//   - Informer resync is a fixed 12 h instead of a random 12-24 h.
package statefulset
