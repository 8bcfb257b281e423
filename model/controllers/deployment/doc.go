// Package deployment is the Deployment controller of kube-controller-manager
// re-implemented for kubesim (Kubernetes 1.35):
//
//   - pkg/controller/deployment/deployment_controller.go: the event
//     handlers (ReplicaSet adoption by selector and controllerRef, Recreate
//     Deployments woken when their last pod is gone), syncDeployment's
//     order (deleting, paused, rollback, scaling event, rollout), the
//     work queue with 15 retries;
//   - sync.go: getNewReplicaSet ("<name>-<pod-template-hash>", revision
//     annotations, collision count), proportional scaling (scale),
//     cleanupDeployment (revisionHistoryLimit), syncDeploymentStatus,
//     isScalingEvent, checkPausedConditions;
//   - rolling.go: reconcileNewReplicaSet, reconcileOldReplicaSets with
//     cleanupUnhealthyReplicas and scaleDownOldReplicaSetsForRollingUpdate;
//   - recreate.go: scale old to zero, wait for old pods, then scale up;
//   - progress.go: the Progressing condition (ReplicaSetUpdated,
//     NewReplicaSetAvailable, ProgressDeadlineExceeded) and the requeue at
//     the deadline;
//   - rollback.go: the deprecated.deployment.rollback.to annotation;
//   - util/deployment_util.go: ResolveFenceposts (surge rounds up,
//     unavailable rounds down, both zero gives maxUnavailable 1),
//     MaxSurge, MaxUnavailable, NewRSNewReplicas, GetProportion,
//     IsSaturated, FindNewReplicaSet, revision and replicas annotations,
//     DeploymentComplete, DeploymentProgressing, DeploymentTimedOut.
//
// The decisions are pure functions (PlanScale, PlanNewReplicaSet,
// PlanOldReplicaSets, PlanCleanup, NewRSNewReplicas, ResolveFenceposts),
// table-tested with upstream's test values; the Controller carries them
// out through its API client in continuation style.
//
// # Usage
//
//	c := deployment.New(k, server.NewClient, deployment.DefaultConfig())
//	c.Start()
//
// The controller watches Deployments, ReplicaSets and pods through its own
// client (20 qps, burst 30) and runs five workers
// (--concurrent-deployment-syncs). It creates and scales ReplicaSets; the
// replicaset package's controller creates the pods.
//
// Journal events (source "deployment-controller", object the Deployment):
// ScalingReplicaSet ("Scaled up replica set web-7d9f to 3 from 0", fields
// replicaSet, from, to), ReplicaSetCreateError, SelectingAll,
// DeploymentRollback, DeploymentRollbackRevisionNotFound,
// DeploymentRollbackTemplateUnchanged; and, a kubesim addition, one event
// per status condition change written, named after its reason
// (NewReplicaSetCreated, ReplicaSetUpdated, NewReplicaSetAvailable,
// ProgressDeadlineExceeded, MinimumReplicasAvailable, ..., fields
// condition, status, message).
//
// # Deviations
//
//   - The pod-template-hash is FNV-32a over the template's JSON encoding
//     (upstream: over a spew dump of the Go struct), safe-encoded as
//     upstream; names therefore differ from a real cluster's but are
//     deterministic.
//   - ReplicaSet adoption and release are read-modify-write updates
//     (kubesim has no PATCH), retried on conflict (ctrlutil.Patch).
//   - Status writes are full updates with the resourceVersion read at the
//     start of the sync, like UpdateStatus: a second write in one sync
//     conflicts and the sync is retried, exactly as upstream.
//   - A Recreate Deployment's deleted pod is checked against the informer
//     cache; upstream lists the ReplicaSets from the API in the handler.
//   - ReplicaSets carry no ReplicaFailure condition (not modeled), so the
//     Deployment never gets one; status.terminatingReplicas is not modeled.
//   - Informer resync is a fixed ResyncPeriod (12 h) instead of 12-24 h.
package deployment
