// Package replicaset is the ReplicaSet controller of kube-controller-manager
// re-implemented for kubesim (Kubernetes 1.35):
//
//   - pkg/controller/replicaset/replica_set.go: the event handlers, the
//     UID-tracking expectations, syncReplicaSet, manageReplicas with its
//     slow-start batches (1, 2, 4, ... capped at burstReplicas 500),
//     getPodsToDelete and the related-pods colocation ranks;
//   - pkg/controller/replicaset/replica_set_utils.go: calculateStatus and
//     updateReplicaSetStatus (one retry after a GET);
//   - pkg/controller/controller_utils.go: ControllerExpectations,
//     FilterActivePods, ActivePodsWithRanks (the scale-down order, with pod
//     deletion cost and logarithmic timestamp buckets, both on by default in
//     1.35), GetPodFromTemplate and the controller reference;
//   - pkg/controller/controller_ref_manager.go: ClaimPods (adoption of
//     matching orphans after a live re-check of the ReplicaSet, release of
//     owned pods that no longer match).
//
// # Usage
//
//	c := replicaset.New(k, server.NewClient, replicaset.DefaultConfig())
//	c.Start()
//
// The controller watches ReplicaSets and pods through its own client
// (20 qps, burst 30, as kube-controller-manager) and runs five workers
// (--concurrent-replicaset-syncs). A sync issues its API requests and
// finishes when their callbacks have all returned.
//
// Journal events (source "replicaset-controller", object the ReplicaSet):
// SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete.
//
// # Deviations
//
//   - Adoption and release are written as read-modify-write updates with
//     the cached resourceVersion (kubesim's API has no PATCH); on a
//     Conflict the pod is read again and the change re-applied, up to
//     three attempts. Upstream's strategic-merge patch never conflicts.
//   - The pods a sync claims come from an index of the controller's own
//     informer: the pods the ReplicaSet owns and the namespace's orphans
//     (upstream lists the whole namespace, but pods of other controllers
//     are never claimed, so the result is the same), sorted by name so that
//     every order reaching an output is deterministic; upstream's lister
//     order is unspecified. The deletion ranking is a stable sort over that
//     order. The index, the claim, Patch, the expectations and slow start
//     live in ../internal/ctrlutil, shared by all controllers as upstream's
//     pkg/controller is; this package still exports them under their
//     former names (shared.go), and exports ActivePodsWithRanks.
//   - Parallel creations and deletions are issued together and the first
//     error by completion time is reported, where upstream picks whichever
//     goroutine's error it reads first.
//   - status.conditions (ReplicaFailure) and status.terminatingReplicas are
//     not modeled by model.ReplicaSetStatus, so they are not written.
//   - Informer resync is a fixed ResyncPeriod (12 h) instead of a random
//     12-24 h.
package replicaset
