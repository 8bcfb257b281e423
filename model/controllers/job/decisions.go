package job

import (
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
)

// Job condition types and reasons (k8s.io/api/batch/v1 types.go).
const (
	ConditionComplete           = "Complete"
	ConditionFailed             = "Failed"
	ConditionSuspended          = "Suspended"
	ConditionFailureTarget      = "FailureTarget"
	ConditionSuccessCriteriaMet = "SuccessCriteriaMet"

	ReasonBackoffLimitExceeded = "BackoffLimitExceeded"
	ReasonDeadlineExceeded     = "DeadlineExceeded"
	ReasonFailedIndexes        = "FailedIndexes"
	ReasonCompletionsReached   = "CompletionsReached"
)

func isIndexed(job *model.Job) bool {
	return job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == model.IndexedCompletion
}

func hasBackoffLimitPerIndex(job *model.Job) bool { return job.Spec.BackoffLimitPerIndex != nil }

func suspended(job *model.Job) bool { return job.Spec.Suspend != nil && *job.Spec.Suspend }

func findCondition(list []model.JobCondition, t string) *model.JobCondition {
	for i := range list {
		if list[i].Type == t {
			return &list[i]
		}
	}
	return nil
}

// IsFinished reports whether a Job has a true Complete or Failed condition.
func IsFinished(job *model.Job) bool {
	_, ok := FinishedCondition(job)
	return ok
}

// FinishedCondition returns the type of a Job's true Complete or Failed
// condition.
func FinishedCondition(job *model.Job) (string, bool) {
	for _, c := range job.Status.Conditions {
		if (c.Type == ConditionComplete || c.Type == ConditionFailed) && c.Status == model.ConditionTrue {
			return c.Type, true
		}
	}
	return "", false
}

func newCondition(t string, status model.ConditionStatus, reason, message string, now time.Time) *model.JobCondition {
	return &model.JobCondition{Type: t, Status: status, Reason: reason, Message: message,
		LastProbeTime: &now, LastTransitionTime: &now}
}

// ensureConditionStatus sets a condition's status, reason and message,
// appending it unless it would be a new False condition (upstream
// ensureJobConditionStatus). It reports whether the list changed.
func ensureConditionStatus(list []model.JobCondition, t string, status model.ConditionStatus, reason, message string, now time.Time) ([]model.JobCondition, bool) {
	if c := findCondition(list, t); c != nil {
		if c.Status != status || c.Reason != reason || c.Message != message {
			*c = *newCondition(t, status, reason, message, now)
			return list, true
		}
		return list, false
	}
	if status != model.ConditionFalse {
		return append(list, *newCondition(t, status, reason, message, now)), true
	}
	return list, false
}

// isPodFailed: Failed, or deleted before succeeding (the tracking
// finalizer keeps such pods visible upstream; kubesim keeps them in the
// tracker instead).
func isPodFailed(p *model.Pod) bool {
	if p.Status.Phase == model.PodFailed {
		return true
	}
	return p.DeletionTimestamp != nil && p.Status.Phase != model.PodSucceeded
}

func isPodActive(p *model.Pod) bool {
	return p.Status.Phase != model.PodSucceeded && p.Status.Phase != model.PodFailed && p.DeletionTimestamp == nil
}

// wantActive is how many pods a running Job wants (manageJob): with
// completions, min(parallelism, completions - succeeded) floored at 0;
// without (a work queue), parallelism until the first success, then
// whatever is still running.
func wantActive(job *model.Job, succeeded, active int32) int32 {
	parallelism := model.Deref(job.Spec.Parallelism, 1)
	if job.Spec.Completions == nil {
		if succeeded > 0 {
			return active
		}
		return parallelism
	}
	want := *job.Spec.Completions - succeeded
	if want > parallelism {
		want = parallelism
	}
	if want < 0 {
		want = 0
	}
	return want
}

// pastBackoffLimitOnFailure sums the container restarts of running and
// pending pods when restartPolicy is OnFailure: the Job fails once the sum
// reaches backoffLimit (any restart when the limit is 0).
func pastBackoffLimitOnFailure(job *model.Job, pods []*model.Pod) bool {
	if job.Spec.Template.Spec.RestartPolicy != model.RestartPolicyOnFailure {
		return false
	}
	var restarts int32
	for _, p := range pods {
		if p.Status.Phase == model.PodRunning || p.Status.Phase == model.PodPending {
			for _, s := range p.Status.InitContainerStatuses {
				restarts += s.RestartCount
			}
			for _, s := range p.Status.ContainerStatuses {
				restarts += s.RestartCount
			}
		}
	}
	limit := model.Deref(job.Spec.BackoffLimit, 6)
	if limit == 0 {
		return restarts > 0
	}
	return restarts >= limit
}

// pastActiveDeadline: activeDeadlineSeconds have passed since startTime
// (never while suspended).
func pastActiveDeadline(job *model.Job, now time.Time) bool {
	if job.Spec.ActiveDeadlineSeconds == nil || job.Status.StartTime == nil || suspended(job) {
		return false
	}
	return now.Sub(*job.Status.StartTime) >= time.Duration(*job.Spec.ActiveDeadlineSeconds)*time.Second
}

// finishedTime estimates when a pod finished (backoff_utils.go
// getFinishedTime): the latest container finishedAt if every container
// (init containers included) has one, else the Ready=False transition,
// else deletionTimestamp minus the grace period, else creation time.
func finishedTime(p *model.Pod) time.Time {
	if t, ok := finishTimeFromContainers(p); ok {
		return t
	}
	if c := p.Status.Condition(model.PodReady); c != nil && c.Status == model.ConditionFalse && c.LastTransitionTime != nil && !c.LastTransitionTime.IsZero() {
		return *c.LastTransitionTime
	}
	if p.DeletionTimestamp != nil {
		return p.DeletionTimestamp.Add(-time.Duration(model.Deref(p.DeletionGracePeriodSeconds, 0)) * time.Second)
	}
	if p.CreationTimestamp != nil {
		return *p.CreationTimestamp
	}
	return time.Time{}
}

func finishTimeFromContainers(p *model.Pod) (time.Time, bool) {
	var latest time.Time
	found := false
	for _, list := range [][]model.ContainerStatus{p.Status.ContainerStatuses, p.Status.InitContainerStatuses} {
		for _, s := range list {
			t := s.State.Terminated
			if t == nil || t.FinishedAt == nil || t.FinishedAt.IsZero() {
				return time.Time{}, false
			}
			if !found || latest.Before(*t.FinishedAt) {
				latest = *t.FinishedAt
				found = true
			}
		}
	}
	return latest, found
}

func sortByFinishedTime(pods []*model.Pod) {
	sort.SliceStable(pods, func(i, j int) bool { return finishedTime(pods[i]).Before(finishedTime(pods[j])) })
}

// backoffRecord counts the pod failures since the last success and when
// the last one happened (backoff_utils.go).
type backoffRecord struct {
	failuresAfterLastSuccess int32
	lastFailureTime          *time.Time
}

// nextBackoffRecord folds newly finished pods into the previous record.
func nextBackoffRecord(old backoffRecord, newSucceeded, newFailed []*model.Pod) backoffRecord {
	b := old
	newSucceeded = append([]*model.Pod(nil), newSucceeded...)
	newFailed = append([]*model.Pod(nil), newFailed...)
	sortByFinishedTime(newSucceeded)
	sortByFinishedTime(newFailed)
	if len(newSucceeded) == 0 {
		if len(newFailed) == 0 {
			return b
		}
		b.failuresAfterLastSuccess += int32(len(newFailed))
		t := finishedTime(newFailed[len(newFailed)-1])
		b.lastFailureTime = &t
		return b
	}
	b.failuresAfterLastSuccess = 0
	b.lastFailureTime = nil
	lastSuccess := finishedTime(newSucceeded[len(newSucceeded)-1])
	for i := len(newFailed) - 1; i >= 0; i-- {
		t := finishedTime(newFailed[i])
		if !t.After(lastSuccess) {
			break
		}
		if b.lastFailureTime == nil {
			b.lastFailureTime = &t
		}
		b.failuresAfterLastSuccess++
	}
	return b
}

// remainingBackoff is how long pod creation must still wait:
// base·2^(failures-1) capped at max, minus the time since the last failure.
func remainingBackoff(failures int32, lastFailure *time.Time, now time.Time, base, max time.Duration) time.Duration {
	if failures == 0 || lastFailure == nil {
		return 0
	}
	d := base
	for i := 1; i < int(failures); i++ {
		d *= 2
		if d >= max {
			d = max
			break
		}
	}
	elapsed := now.Sub(*lastFailure)
	if d < elapsed {
		return 0
	}
	return d - elapsed
}

// sortActivePods orders pods as upstream controller.ActivePods: the first
// is the best to delete. Unassigned before assigned; Pending before
// Unknown before Running; not ready before ready; ready for less time
// first; more container restarts first; newer first; then by name for a
// total order (upstream leaves ties to sort.Sort).
func sortActivePods(pods []*model.Pod) {
	sort.SliceStable(pods, func(i, j int) bool { return activePodLess(pods[i], pods[j]) })
}

func activePodLess(a, b *model.Pod) bool {
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	rank := map[model.PodPhase]int{model.PodPending: 0, model.PodUnknown: 1, model.PodRunning: 2}
	if rank[a.Status.Phase] != rank[b.Status.Phase] {
		return rank[a.Status.Phase] < rank[b.Status.Phase]
	}
	if a.IsReady() != b.IsReady() {
		return !a.IsReady()
	}
	if a.IsReady() && b.IsReady() {
		ra, rb := readyTime(a), readyTime(b)
		if !ra.Equal(rb) {
			return afterOrZero(ra, rb)
		}
	}
	if ma, mb := maxRestarts(a), maxRestarts(b); ma != mb {
		return ma > mb
	}
	ca, cb := timeOf(a.CreationTimestamp), timeOf(b.CreationTimestamp)
	if !ca.Equal(cb) {
		return afterOrZero(ca, cb)
	}
	return a.Name < b.Name
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func readyTime(p *model.Pod) time.Time {
	if c := p.Status.Condition(model.PodReady); c != nil && c.Status == model.ConditionTrue {
		return timeOf(c.LastTransitionTime)
	}
	return time.Time{}
}

func afterOrZero(t1, t2 time.Time) bool {
	if t1.IsZero() || t2.IsZero() {
		return t1.IsZero()
	}
	return t1.After(t2)
}

func maxRestarts(p *model.Pod) int32 {
	var m int32
	for _, s := range p.Status.ContainerStatuses {
		m = max(m, s.RestartCount)
	}
	return m
}
