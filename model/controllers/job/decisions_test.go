package job

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

var t0 = time.Date(2009, time.November, 10, 23, 0, 0, 0, time.UTC)

// Cases from upstream backoff_utils_test.go TestGetRemainingBackoffTime
// (default 5 s, max 700 s).
func TestRemainingBackoff(t *testing.T) {
	cases := []struct {
		name     string
		failures int32
		last     *time.Time
		now      time.Time
		want     time.Duration
	}{
		{"no failures", 0, nil, t0, 0},
		{"one failure; current time and failure time are same", 1, &t0, t0, 5 * time.Second},
		{"one failure; current time == 1 second + failure time", 1, &t0, t0.Add(time.Second), 4 * time.Second},
		{"one failure; current time == expected backoff time", 1, &t0, t0.Add(5 * time.Second), 0},
		{"one failure; current time == expected backoff time + 1 Second", 1, &t0, t0.Add(6 * time.Second), 0},
		{"three failures; current time and failure time are same", 3, &t0, t0, 20 * time.Second},
		{"eight failures; backoff not exceeding maxBackoff", 8, &t0, t0, 640 * time.Second},
		{"nine failures; backoff exceeding maxBackoff", 9, &t0, t0, 700 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, remainingBackoff(tc.failures, tc.last, tc.now, 5*time.Second, 700*time.Second))
		})
	}
	// The controller's defaults: 10 s, 20 s, ... capped at 10 min.
	require.Equal(t, 10*time.Second, remainingBackoff(1, &t0, t0, 10*time.Second, 10*time.Minute))
	require.Equal(t, 320*time.Second, remainingBackoff(6, &t0, t0, 10*time.Second, 10*time.Minute))
	require.Equal(t, 10*time.Minute, remainingBackoff(7, &t0, t0, 10*time.Second, 10*time.Minute))
}

func finishedPod(phase model.PodPhase, at time.Time) *model.Pod {
	at2 := at
	return &model.Pod{Status: model.PodStatus{Phase: phase, ContainerStatuses: []model.ContainerStatus{
		{State: model.ContainerState{Terminated: &model.ContainerStateTerminated{FinishedAt: &at2}}}}}}
}

// Cases from upstream backoff_utils_test.go TestNewBackoffRecord.
func TestNextBackoffRecord(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name      string
		old       backoffRecord
		succeeded []time.Time
		failed    []time.Time
		want      backoffRecord
	}{
		{"Empty backoff store and one new failure", backoffRecord{}, nil, []time.Time{t0},
			backoffRecord{1, &t0}},
		{"Empty backoff store and two new failures", backoffRecord{}, nil, []time.Time{t0, t0.Add(-ms)},
			backoffRecord{2, &t0}},
		{"Empty backoff store, two failures followed by success", backoffRecord{}, []time.Time{t0},
			[]time.Time{t0.Add(-2 * ms), t0.Add(-ms)}, backoffRecord{}},
		{"Empty backoff store, two failures, one success and two more failures", backoffRecord{},
			[]time.Time{t0.Add(-2 * ms)}, []time.Time{t0, t0.Add(-4 * ms), t0.Add(-3 * ms), t0.Add(-ms)},
			backoffRecord{2, &t0}},
		{"Backoff store having failure count 2 and one new failure", backoffRecord{2, nil}, nil,
			[]time.Time{t0}, backoffRecord{3, &t0}},
		{"Empty backoff store with success and failure at same timestamp", backoffRecord{},
			[]time.Time{t0}, []time.Time{t0}, backoffRecord{}},
		{"Empty backoff store with no success/failure", backoffRecord{}, nil, nil, backoffRecord{}},
		{"Empty backoff store with one success", backoffRecord{}, []time.Time{t0}, nil, backoffRecord{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s, f []*model.Pod
			for _, x := range tc.succeeded {
				s = append(s, finishedPod(model.PodSucceeded, x))
			}
			for _, x := range tc.failed {
				f = append(f, finishedPod(model.PodFailed, x))
			}
			got := nextBackoffRecord(tc.old, s, f)
			require.Equal(t, tc.want.failuresAfterLastSuccess, got.failuresAfterLastSuccess)
			if tc.want.lastFailureTime == nil {
				require.Nil(t, got.lastFailureTime)
			} else {
				require.True(t, tc.want.lastFailureTime.Equal(*got.lastFailureTime))
			}
		})
	}
}

// Cases from upstream backoff_utils_test.go TestGetFinishedTime.
func TestFinishedTime(t *testing.T) {
	term := func(d time.Duration) model.ContainerStatus {
		x := t0.Add(d)
		return model.ContainerStatus{State: model.ContainerState{Terminated: &model.ContainerStateTerminated{FinishedAt: &x}}}
	}
	running := model.ContainerStatus{State: model.ContainerState{Running: &model.ContainerStateRunning{}}}
	noTime := model.ContainerStatus{State: model.ContainerState{Terminated: &model.ContainerStateTerminated{}}}
	del := t0
	minus30 := t0.Add(-30 * time.Second)
	cases := []struct {
		name string
		pod  model.Pod
		want time.Time
	}{
		{"all containers terminated", model.Pod{Status: model.PodStatus{ContainerStatuses: []model.ContainerStatus{
			term(-time.Second), term(0), term(-2 * time.Second)}}}, t0},
		{"one running; fallback to deletionTimestamp", model.Pod{ObjectMeta: model.ObjectMeta{DeletionTimestamp: &del},
			Status: model.PodStatus{ContainerStatuses: []model.ContainerStatus{term(-time.Second), running, term(-2 * time.Second)}}}, t0},
		{"fallback to deletionTimestamp, decremented by grace period", model.Pod{ObjectMeta: model.ObjectMeta{
			DeletionTimestamp: &del, DeletionGracePeriodSeconds: model.Ptr[int64](30)},
			Status: model.PodStatus{ContainerStatuses: []model.ContainerStatus{running}}}, minus30},
		{"fallback to PodReady.LastTransitionTime when False", model.Pod{Status: model.PodStatus{
			ContainerStatuses: []model.ContainerStatus{noTime},
			Conditions:        []model.PodCondition{{Type: model.PodReady, Status: model.ConditionFalse, LastTransitionTime: &del}}}}, t0},
		{"skip PodReady.LastTransitionTime when True", model.Pod{ObjectMeta: model.ObjectMeta{DeletionTimestamp: &del},
			Status: model.PodStatus{ContainerStatuses: []model.ContainerStatus{noTime},
				Conditions: []model.PodCondition{{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &minus30}}}}, t0},
		{"fallback to creationTimestamp", model.Pod{ObjectMeta: model.ObjectMeta{CreationTimestamp: &del},
			Status: model.PodStatus{ContainerStatuses: []model.ContainerStatus{noTime}}}, t0},
		{"init container finishing last", model.Pod{Status: model.PodStatus{
			ContainerStatuses: []model.ContainerStatus{term(-time.Second)}, InitContainerStatuses: []model.ContainerStatus{term(0)}}}, t0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, tc.want.Equal(finishedTime(&tc.pod)), "got %v", finishedTime(&tc.pod))
		})
	}
}

type ixPhase struct {
	ix    string
	phase model.PodPhase
}

const noIndex = "-"

func hollowPods(descs []ixPhase) []*model.Pod {
	var out []*model.Pod
	for i, d := range descs {
		p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "p" + strconv.Itoa(i), UID: "u" + strconv.Itoa(i)},
			Status: model.PodStatus{Phase: d.phase}}
		if d.ix != noIndex {
			p.Annotations = map[string]string{AnnotationCompletionIndex: d.ix}
		}
		out = append(out, p)
	}
	return out
}

func toIxPhases(pods []*model.Pod) []ixPhase {
	out := []ixPhase{}
	for _, p := range pods {
		ix := noIndex
		if p.Annotations != nil {
			ix = p.Annotations[AnnotationCompletionIndex]
		}
		out = append(out, ixPhase{ix, p.Status.Phase})
	}
	return out
}

func all(*model.Pod) bool { return true }

// Cases from upstream indexed_job_utils_test.go TestCalculateSucceededIndexes.
func TestCalculateSucceededIndexes(t *testing.T) {
	cases := []struct {
		name        string
		prev        string
		pods        []ixPhase
		completions int32
		wantPrev    orderedIntervals
		want        orderedIntervals
	}{
		{"one index", "", []ixPhase{{"1", model.PodSucceeded}}, 2, nil, orderedIntervals{{1, 1}}},
		{"two separate", "", []ixPhase{{"2", model.PodFailed}, {"5", model.PodSucceeded}, {"5", model.PodSucceeded},
			{"10", model.PodFailed}, {"10", model.PodSucceeded}}, 11, nil, orderedIntervals{{5, 5}, {10, 10}}},
		{"two intervals", "", []ixPhase{{"0", model.PodRunning}, {"1", model.PodPending}, {"2", model.PodSucceeded},
			{"3", model.PodSucceeded}, {"5", model.PodSucceeded}, {"6", model.PodSucceeded}, {"7", model.PodSucceeded}}, 8,
			nil, orderedIntervals{{2, 3}, {5, 7}}},
		{"one index and one interval", "", []ixPhase{{"0", model.PodSucceeded}, {"1", model.PodFailed}, {"2", model.PodSucceeded},
			{"3", model.PodSucceeded}, {"4", model.PodSucceeded}, {"5", model.PodSucceeded}, {noIndex, model.PodSucceeded},
			{"-2", model.PodSucceeded}}, 6, nil, orderedIntervals{{0, 0}, {2, 5}}},
		{"out of range", "", []ixPhase{{"0", model.PodSucceeded}, {"1", model.PodSucceeded}, {"2", model.PodSucceeded},
			{"3", model.PodFailed}, {"4", model.PodSucceeded}, {"5", model.PodSucceeded}, {noIndex, model.PodSucceeded},
			{"-2", model.PodSucceeded}}, 5, nil, orderedIntervals{{0, 2}, {4, 4}}},
		{"prev interval out of range", "0-5,8-10", nil, 8, orderedIntervals{{0, 5}}, orderedIntervals{{0, 5}}},
		{"prev interval partially out of range", "0-5,8-10", nil, 10, orderedIntervals{{0, 5}, {8, 9}}, orderedIntervals{{0, 5}, {8, 9}}},
		{"prev and new separate", "0,4,5,10-12", []ixPhase{{"2", model.PodSucceeded}, {"7", model.PodSucceeded}, {"8", model.PodSucceeded}}, 13,
			orderedIntervals{{0, 0}, {4, 5}, {10, 12}}, orderedIntervals{{0, 0}, {2, 2}, {4, 5}, {7, 8}, {10, 12}}},
		{"prev between new", "3,4,6", []ixPhase{{"2", model.PodSucceeded}, {"7", model.PodSucceeded}, {"8", model.PodSucceeded}}, 9,
			orderedIntervals{{3, 4}, {6, 6}}, orderedIntervals{{2, 4}, {6, 8}}},
		{"new between prev", "2,7,8", []ixPhase{{"3", model.PodSucceeded}, {"4", model.PodSucceeded}, {"6", model.PodSucceeded}}, 9,
			orderedIntervals{{2, 2}, {7, 8}}, orderedIntervals{{2, 4}, {6, 8}}},
		{"new within prev", "2-7", []ixPhase{{"0", model.PodSucceeded}, {"3", model.PodSucceeded}, {"5", model.PodSucceeded}, {"9", model.PodSucceeded}}, 10,
			orderedIntervals{{2, 7}}, orderedIntervals{{0, 0}, {2, 7}, {9, 9}}},
		{"corrupted interval", "0,1-foo,bar", []ixPhase{{"3", model.PodSucceeded}}, 4,
			orderedIntervals{{0, 0}}, orderedIntervals{{0, 0}, {3, 3}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			job := &model.Job{Spec: model.JobSpec{Completions: model.Ptr(tc.completions)},
				Status: model.JobStatus{CompletedIndexes: tc.prev}}
			prev, got := calculateSucceededIndexes(job, hollowPods(tc.pods), all)
			require.Equal(t, tc.wantPrev, prev)
			require.Equal(t, tc.want, got)
		})
	}
}

// Strings of intervals as status.completedIndexes shows them.
func TestIntervalsString(t *testing.T) {
	require.Equal(t, "0,2-4,6,7,9", orderedIntervals{{0, 0}, {2, 4}, {6, 7}, {9, 9}}.String())
	require.Equal(t, "", orderedIntervals(nil).String())
	require.Equal(t, orderedIntervals{{0, 0}, {2, 4}, {6, 7}, {9, 9}}, parseIndexes("0,2-4,6,7,9", 10))
}

// Cases from upstream TestIntervalsHaveIndex.
func TestIntervalsHaveIndex(t *testing.T) {
	cases := []struct {
		name string
		oi   orderedIntervals
		ix   int
		want bool
	}{
		{"empty", nil, 4, false},
		{"before all", orderedIntervals{{2, 4}, {5, 7}}, 1, false},
		{"after all", orderedIntervals{{2, 4}, {6, 8}}, 9, false},
		{"in between", orderedIntervals{{2, 4}, {6, 8}}, 5, false},
		{"in first", orderedIntervals{{2, 4}, {6, 8}}, 2, true},
		{"in second", orderedIntervals{{2, 4}, {6, 8}}, 8, true},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, tc.oi.has(tc.ix), tc.name)
	}
}

// Cases from upstream TestFirstPendingIndexes.
func TestFirstPendingIndexes(t *testing.T) {
	cases := []struct {
		name       string
		cnt, compl int
		active     []ixPhase
		succeeded  orderedIntervals
		failed     orderedIntervals
		want       []int
	}{
		{"cnt greater than completions", 5, 3, nil, nil, nil, []int{0, 1, 2}},
		{"cnt less than completions", 2, 5, nil, nil, nil, []int{0, 1}},
		{"first pods active", 3, 10, []ixPhase{{"0", model.PodRunning}, {"1", model.PodPending}}, nil, nil, []int{2, 3, 4}},
		{"last pods active or succeeded", 6, 6, []ixPhase{{"6", model.PodPending}}, orderedIntervals{{4, 5}}, nil, []int{0, 1, 2, 3}},
		{"mixed", 5, 20, []ixPhase{{"3", model.PodPending}, {"5", model.PodRunning}, {"8", model.PodPending},
			{noIndex, model.PodRunning}, {"-3", model.PodRunning}}, orderedIntervals{{2, 4}, {9, 9}}, nil, []int{0, 1, 6, 7, 10}},
		{"with failed indexes", 5, 20, []ixPhase{{"3", model.PodPending}, {"9", model.PodPending}},
			orderedIntervals{{1, 1}, {5, 5}, {9, 9}}, orderedIntervals{{2, 2}, {6, 7}}, []int{0, 4, 8, 10, 11}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, firstPendingIndexes(hollowPods(tc.active), tc.succeeded, tc.failed, tc.cnt, tc.compl))
		})
	}
}

// Cases from upstream TestAppendDuplicatedIndexPodsForRemoval.
func TestAppendDuplicatedIndexPodsForRemoval(t *testing.T) {
	cases := []struct {
		name        string
		pods        []ixPhase
		wantRm      []ixPhase
		wantLeft    []ixPhase
		completions int
	}{
		{"all unique", []ixPhase{{noIndex, model.PodPending}, {"2", model.PodPending}, {"5", model.PodRunning}, {"6", model.PodRunning}},
			[]ixPhase{{noIndex, model.PodPending}, {"6", model.PodRunning}},
			[]ixPhase{{"2", model.PodPending}, {"5", model.PodRunning}}, 6},
		{"all with index", []ixPhase{{"5", model.PodPending}, {"0", model.PodRunning}, {"3", model.PodPending}, {"0", model.PodRunning},
			{"3", model.PodRunning}, {"0", model.PodPending}, {"6", model.PodRunning}, {"6", model.PodPending}},
			[]ixPhase{{"0", model.PodPending}, {"0", model.PodRunning}, {"3", model.PodPending}, {"6", model.PodRunning}, {"6", model.PodPending}},
			[]ixPhase{{"0", model.PodRunning}, {"3", model.PodRunning}, {"5", model.PodPending}}, 6},
		{"mixed", []ixPhase{{noIndex, model.PodPending}, {"invalid", model.PodRunning}, {"-2", model.PodRunning}, {"0", model.PodPending},
			{"1", model.PodPending}, {"1", model.PodPending}, {"1", model.PodRunning}},
			[]ixPhase{{noIndex, model.PodPending}, {"invalid", model.PodRunning}, {"-2", model.PodRunning}, {"1", model.PodPending}, {"1", model.PodPending}},
			[]ixPhase{{"0", model.PodPending}, {"1", model.PodRunning}}, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rm, left := appendDuplicatedIndexPodsForRemoval(nil, nil, hollowPods(tc.pods), tc.completions)
			require.Equal(t, tc.wantRm, toIxPhases(rm))
			require.Equal(t, tc.wantLeft, toIxPhases(left))
		})
	}
}

// Cases from upstream TestPodGenerateNameWithIndex.
func TestPodGenerateNameWithIndex(t *testing.T) {
	require.Equal(t, "indexed-job-1-", podGenerateNameWithIndex("indexed-job", 1))
	require.Equal(t, "hhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhh-1-",
		podGenerateNameWithIndex("hhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooo", 1))
	require.Equal(t, "hhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhh-1-",
		podGenerateNameWithIndex("hhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhoo", 1))
}

// Cases from upstream TestGetIndexFailureCount and TestGetNewIndexFailureCountValue.
func TestIndexFailureCount(t *testing.T) {
	pod := func(v string) *model.Pod {
		return &model.Pod{ObjectMeta: model.ObjectMeta{Annotations: map[string]string{AnnotationIndexFailureCount: v}}}
	}
	require.Equal(t, int32(0), indexFailureCount(&model.Pod{}))
	require.Equal(t, int32(2), indexFailureCount(pod("2")))
	require.Equal(t, int32(math.MaxInt32), indexFailureCount(pod(strconv.FormatInt(math.MaxInt32, 10))))
	require.Equal(t, int32(0), indexFailureCount(pod(strconv.FormatInt(math.MaxInt32+1, 10))))
	require.Equal(t, int32(0), indexFailureCount(pod("-1")))
	require.Equal(t, int32(0), indexFailureCount(pod("xyz")))
	c, _ := newIndexFailureCounts(nil)
	require.Equal(t, int32(0), c, "first pod created")
	c, _ = newIndexFailureCounts(pod("0"))
	require.Equal(t, int32(1), c)
	c, _ = newIndexFailureCounts(pod("3"))
	require.Equal(t, int32(4), c)
}

func perIndexPod(uid, ix, failures string, phase model.PodPhase) *model.Pod {
	return &model.Pod{ObjectMeta: model.ObjectMeta{Name: uid, UID: uid, Annotations: map[string]string{
		AnnotationCompletionIndex: ix, AnnotationIndexFailureCount: failures}}, Status: model.PodStatus{Phase: phase}}
}

// Cases from upstream TestCalculateFailedIndexes.
func TestCalculateFailedIndexes(t *testing.T) {
	job := func(limit int32) *model.Job {
		return &model.Job{Spec: model.JobSpec{Completions: model.Ptr[int32](2), BackoffLimitPerIndex: model.Ptr(limit)}}
	}
	got := calculateFailedIndexes(job(1), nil, []*model.Pod{perIndexPod("a", "0", "0", model.PodFailed), perIndexPod("b", "1", "1", model.PodFailed)}, all)
	require.Equal(t, orderedIntervals{{1, 1}}, got, "one new index failed")
	none := func(*model.Pod) bool { return false }
	require.Nil(t, calculateFailedIndexes(job(0), nil, []*model.Pod{perIndexPod("a", "0", "0", model.PodFailed)}, none), "pod without finalizer is ignored")
	require.Nil(t, calculateFailedIndexes(job(0), nil, []*model.Pod{perIndexPod("a", "3", "0", model.PodFailed)}, all), "pod outside completions is ignored")
	require.Equal(t, orderedIntervals{{0, 1}}, calculateFailedIndexes(job(0), parseIndexes("0", 2),
		[]*model.Pod{perIndexPod("a", "1", "0", model.PodFailed)}, all), "extend the failed indexes")
	require.Equal(t, orderedIntervals{{1, 1}}, calculateFailedIndexes(job(0), parseIndexes("9", 2),
		[]*model.Pod{perIndexPod("a", "1", "0", model.PodFailed)}, all), "prev failed indexes outside the completions")
}

// Cases from upstream TestGetPodsWithDelayedDeletionPerIndex.
func TestPodsWithDelayedDeletionPerIndex(t *testing.T) {
	now := t0
	withDel := func(p *model.Pod, at time.Time) *model.Pod { p.DeletionTimestamp = &at; return p }
	cases := []struct {
		name       string
		completion int32
		limit      int32
		pods       []*model.Pod
		counted    map[string]bool
		want       []string
	}{
		{"failed pods corresponding to non-failed indexes are kept", 3, 1, []*model.Pod{
			perIndexPod("a", "0", "0", model.PodFailed), perIndexPod("b", "1", "1", model.PodFailed), perIndexPod("c", "2", "0", model.PodFailed)},
			nil, []string{"a", "c"}},
		{"failed pod without finalizer", 2, 0, []*model.Pod{perIndexPod("a", "0", "0", model.PodFailed)}, map[string]bool{"a": true}, []string{}},
		{"failed pod with index outside of completions", 2, 0, []*model.Pod{perIndexPod("a", "4", "0", model.PodFailed)}, nil, []string{}},
		{"failed pod for active index", 2, 1, []*model.Pod{perIndexPod("a1", "0", "0", model.PodFailed), perIndexPod("a2", "0", "1", model.PodRunning)}, nil, []string{}},
		{"failed pod for succeeded index", 2, 1, []*model.Pod{perIndexPod("a1", "0", "0", model.PodFailed), perIndexPod("a2", "0", "1", model.PodSucceeded)}, nil, []string{}},
		{"highest failure count is kept", 2, 4, []*model.Pod{perIndexPod("a1", "0", "0", model.PodFailed), perIndexPod("a3", "0", "2", model.PodFailed),
			perIndexPod("a2", "0", "1", model.PodFailed)}, nil, []string{"a3"}},
		{"last failed pod is kept", 2, 4, []*model.Pod{withDel(perIndexPod("a1", "0", "1", model.PodFailed), now.Add(-time.Second)),
			withDel(perIndexPod("a3", "0", "1", model.PodFailed), now), withDel(perIndexPod("a2", "0", "1", model.PodFailed), now.Add(-2*time.Second))}, nil, []string{"a3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			job := &model.Job{Spec: model.JobSpec{Completions: model.Ptr(tc.completion), BackoffLimitPerIndex: model.Ptr(tc.limit),
				CompletionMode: model.Ptr(model.IndexedCompletion)}}
			uncounted := func(p *model.Pod) bool { return !tc.counted[p.UID] }
			var active []*model.Pod
			for _, p := range tc.pods {
				if isPodActive(p) {
					active = append(active, p)
				}
			}
			failed := calculateFailedIndexes(job, nil, tc.pods, uncounted)
			_, succeeded := calculateSucceededIndexes(job, tc.pods, uncounted)
			got := getPodsWithDelayedDeletionPerIndex(job, tc.pods, active, succeeded, failed, uncounted)
			var uids []string
			for _, ix := range model.SortedKeys(got) {
				uids = append(uids, got[ix].UID)
			}
			if uids == nil {
				uids = []string{}
			}
			require.ElementsMatch(t, tc.want, uids)
		})
	}
}

// wantActive follows manageJob: min(parallelism, completions-succeeded),
// and for work queues parallelism until the first success.
func TestWantActive(t *testing.T) {
	job := func(par int32, comp *int32) *model.Job {
		return &model.Job{Spec: model.JobSpec{Parallelism: model.Ptr(par), Completions: comp}}
	}
	require.Equal(t, int32(2), wantActive(job(2, model.Ptr[int32](5)), 0, 0))
	require.Equal(t, int32(1), wantActive(job(2, model.Ptr[int32](5)), 4, 2))
	require.Equal(t, int32(0), wantActive(job(2, model.Ptr[int32](5)), 6, 0))
	require.Equal(t, int32(3), wantActive(job(3, nil), 0, 1))
	require.Equal(t, int32(1), wantActive(job(3, nil), 1, 1), "after a success, what runs keeps running")
}

// Cases after upstream job_controller_test.go TestJobBackoffForOnFailure:
// with restartPolicy OnFailure the restarts of running and pending pods
// count against backoffLimit.
func TestPastBackoffLimitOnFailure(t *testing.T) {
	job := func(limit int32) *model.Job {
		return &model.Job{Spec: model.JobSpec{BackoffLimit: model.Ptr(limit),
			Template: model.PodTemplateSpec{Spec: model.PodSpec{RestartPolicy: model.RestartPolicyOnFailure}}}}
	}
	pod := func(phase model.PodPhase, restarts ...int32) *model.Pod {
		p := &model.Pod{Status: model.PodStatus{Phase: phase}}
		for _, r := range restarts {
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, model.ContainerStatus{RestartCount: r})
		}
		return p
	}
	require.False(t, pastBackoffLimitOnFailure(job(6), []*model.Pod{pod(model.PodRunning, 5)}))
	require.True(t, pastBackoffLimitOnFailure(job(6), []*model.Pod{pod(model.PodRunning, 6)}))
	require.True(t, pastBackoffLimitOnFailure(job(6), []*model.Pod{pod(model.PodRunning, 1, 1), pod(model.PodPending, 2, 2)}), "multiple pods and containers add up")
	require.False(t, pastBackoffLimitOnFailure(job(6), []*model.Pod{pod(model.PodSucceeded, 6)}), "finished pods do not count")
	require.True(t, pastBackoffLimitOnFailure(job(0), []*model.Pod{pod(model.PodRunning, 1)}), "limit 0: any restart")
	never := job(0)
	never.Spec.Template.Spec.RestartPolicy = model.RestartPolicyNever
	require.False(t, pastBackoffLimitOnFailure(never, []*model.Pod{pod(model.PodRunning, 3)}))
}

// ActivePods order (controller_utils_test.go TestSortingActivePods): the
// first pod is the best to delete.
func TestSortActivePods(t *testing.T) {
	t1, t2 := t0, t0.Add(time.Minute)
	ready := func(at time.Time) []model.PodCondition {
		return []model.PodCondition{{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &at}}
	}
	pods := []*model.Pod{
		{ObjectMeta: model.ObjectMeta{Name: "running-ready-old"}, Spec: model.PodSpec{NodeName: "n"}, Status: model.PodStatus{Phase: model.PodRunning, Conditions: ready(t1)}},
		{ObjectMeta: model.ObjectMeta{Name: "running-ready-new"}, Spec: model.PodSpec{NodeName: "n"}, Status: model.PodStatus{Phase: model.PodRunning, Conditions: ready(t2)}},
		{ObjectMeta: model.ObjectMeta{Name: "running"}, Spec: model.PodSpec{NodeName: "n"}, Status: model.PodStatus{Phase: model.PodRunning}},
		{ObjectMeta: model.ObjectMeta{Name: "unknown"}, Spec: model.PodSpec{NodeName: "n"}, Status: model.PodStatus{Phase: model.PodUnknown}},
		{ObjectMeta: model.ObjectMeta{Name: "pending"}, Spec: model.PodSpec{NodeName: "n"}, Status: model.PodStatus{Phase: model.PodPending}},
		{ObjectMeta: model.ObjectMeta{Name: "unscheduled"}, Status: model.PodStatus{Phase: model.PodPending}},
	}
	sortActivePods(pods)
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
	}
	require.Equal(t, []string{"unscheduled", "pending", "unknown", "running", "running-ready-new", "running-ready-old"}, names)
}
