// Package job is the Job controller and the ttl-after-finished controller,
// re-implemented from kube-controller-manager (Kubernetes 1.35):
//
//   - pkg/controller/job/job_controller.go: syncJob, manageJob,
//     trackJobStatusAndRemoveFinalizers, the conditions (SuccessCriteriaMet
//     and FailureTarget first, Complete and Failed once no pod is
//     terminating), slow-start pod creation, deletion order;
//   - pkg/controller/job/backoff_utils.go: the pod-failure backoff (10 s
//     doubling, capped at 10 min) counted from failures after the last
//     success, and the pods' finish times;
//   - pkg/controller/job/indexed_job_utils.go: Indexed completion mode
//     (completion index annotation and label, "<job>-<index>-" names,
//     completedIndexes intervals, backoffLimitPerIndex with the
//     index-failure-count annotation);
//   - pkg/controller/controller_utils.go: expectations and ActivePods order;
//   - pkg/controller/ttlafterfinished: deleting finished Jobs after
//     ttlSecondsAfterFinished.
//
// # Usage
//
//	c := job.New(k, server.NewClient, cfg) // cfg from DefaultConfig, Start set
//	c.Start()
//
// The controller watches Jobs and pods through its own throttled client
// (20 qps, burst 30), runs 5 workers, and batches pod-triggered syncs by
// one second. Journal events (source "job-controller"): SuccessfulCreate,
// FailedCreate, SuccessfulDelete, FailedDelete, Completed,
// BackoffLimitExceeded, DeadlineExceeded, FailedIndexes, Suspended,
// Resumed, TooManySucceededPods; the TTL controller records
// SuccessfulDelete (source "ttl-after-finished-controller").
//
// # Deviations
//
//   - Finished-pod tracking. Upstream puts the batch.kubernetes.io/job-
//     tracking finalizer on every pod, records finished pods in
//     status.uncountedTerminatedPods, removes the finalizers and then
//     increments the counters. kubesim's API server deletes objects at once
//     and ignores finalizers, so the controller keeps the same facts in
//     memory: which pods are counted (no finalizer), and pods that vanished
//     before being counted (upstream they stay visible as terminating and
//     count as failed). The status is written once per sync instead of
//     write, patch pods, write. status.failedIndexes (not modeled in
//     model.JobStatus) is kept in memory too.
//   - No adoption: only pods whose controller reference names the Job are
//     managed; orphans matching the selector are not claimed.
//   - The Job strategy's generated selector and template labels
//     (batch.kubernetes.io/controller-uid, job-name) are not added by the
//     API server, so the controller adds the labels to the pods it creates.
//   - podFailurePolicy, successPolicy, podReplacementPolicy, managedBy and
//     maxFailedIndexes are not modeled; pods failing or deleted count as
//     failures (podReplacementPolicy TerminatingOrFailed).
//   - With an active pod-failure backoff, manageJob reports the real active
//     count, as fixed upstream by kubernetes#139457 (earlier 1.35 patch
//     releases reported 0).
//   - Deleted Jobs' pods are left to the garbage collector, as upstream.
package job
