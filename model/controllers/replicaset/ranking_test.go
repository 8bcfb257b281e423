package replicaset

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

// rankPod mirrors the pod() helper of upstream's TestSortingActivePodsWithRanks
// (pkg/controller/controller_utils_test.go).
func rankPod(name, node string, phase model.PodPhase, ready bool, restarts int32, readySince, created time.Time, annotations map[string]string) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Annotations: annotations}, Spec: model.PodSpec{NodeName: node}}
	p.Status.Phase = phase
	if !created.IsZero() {
		p.CreationTimestamp = &created
	}
	if ready {
		c := model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue}
		if !readySince.IsZero() {
			c.LastTransitionTime = &readySince
		}
		p.Status.Conditions = []model.PodCondition{c}
		p.Status.ContainerStatuses = []model.ContainerStatus{{RestartCount: restarts}}
	}
	return p
}

// TestSortingActivePodsWithRanks takes its pods and expectations from
// upstream's TestSortingActivePodsWithRanks (controller_utils_test.go), with
// PodDeletionCost and LogarithmicScaleDown on (their 1.35 defaults).
func TestSortingActivePodsWithRanks(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	then1Month := now.AddDate(0, -1, 0)
	then2Hours := now.Add(-2 * time.Hour)
	then5Hours := now.Add(-5 * time.Hour)
	then8Hours := now.Add(-8 * time.Hour)
	var zero time.Time
	cost := func(v string) map[string]string { return map[string]string{PodDeletionCostAnnotation: v} }
	var (
		unscheduledPod                      = rankPod("unscheduled", "", model.PodPending, false, 0, zero, zero, nil)
		scheduledPendingPod                 = rankPod("pending", "node", model.PodPending, false, 0, zero, zero, nil)
		unknownPhasePod                     = rankPod("unknown-phase", "node", model.PodUnknown, false, 0, zero, zero, nil)
		runningNotReadyPod                  = rankPod("not-ready", "node", model.PodRunning, false, 0, zero, zero, nil)
		runningReadyNoLastTransitionTimePod = rankPod("ready-no-last-transition-time", "node", model.PodRunning, true, 0, zero, zero, nil)
		runningReadyNow                     = rankPod("ready-now", "node", model.PodRunning, true, 0, now, now, nil)
		runningReadyThen                    = rankPod("ready-then", "node", model.PodRunning, true, 0, then1Month, then1Month, nil)
		runningReadyNowHighRestarts         = rankPod("ready-high-restarts", "node", model.PodRunning, true, 9001, now, now, nil)
		runningReadyNowCreatedThen          = rankPod("ready-now-created-then", "node", model.PodRunning, true, 0, now, then1Month, nil)
		lowPodDeletionCost                  = rankPod("low-deletion-cost", "node", model.PodRunning, true, 0, now, then1Month, cost("10"))
		highPodDeletionCost                 = rankPod("high-deletion-cost", "node", model.PodRunning, true, 0, now, then1Month, cost("100"))
		unscheduled5Hours                   = rankPod("unscheduled-5-hours", "", model.PodPending, false, 0, then5Hours, then5Hours, nil)
		unscheduled8Hours                   = rankPod("unscheduled-10-hours", "", model.PodPending, false, 0, then8Hours, then8Hours, nil)
		ready2Hours                         = rankPod("ready-2-hours", "", model.PodRunning, true, 0, then2Hours, then1Month, nil)
		ready5Hours                         = rankPod("ready-5-hours", "", model.PodRunning, true, 0, then5Hours, then1Month, nil)
		ready10Hours                        = rankPod("ready-10-hours", "", model.PodRunning, true, 0, then8Hours, then1Month, nil)
	)
	equal := []struct{ p1, p2 *model.Pod }{
		{p1: unscheduledPod},
		{p1: scheduledPendingPod},
		{p1: unknownPhasePod},
		{p1: runningNotReadyPod},
		{p1: runningReadyNowCreatedThen},
		{p1: runningReadyNow},
		{p1: runningReadyThen},
		{p1: runningReadyNowHighRestarts},
		{p1: unscheduled5Hours, p2: unscheduled8Hours}, // same log2 bucket
		{p1: ready5Hours, p2: ready10Hours},            // same log2 bucket
	}
	for i, tc := range equal {
		t.Run(fmt.Sprintf("equal %d", i), func(t *testing.T) {
			p2 := tc.p2
			if p2 == nil {
				p2 = tc.p1
			}
			s := ActivePodsWithRanks{Pods: []*model.Pod{tc.p1, p2}, Rank: []int{1, 1}, Now: now}
			require.False(t, s.Less(0, 1), "%s < %s", tc.p1.Name, p2.Name)
			require.False(t, s.Less(1, 0), "%s < %s", p2.Name, tc.p1.Name)
		})
	}
	type ranked struct {
		pod  *model.Pod
		rank int
	}
	unequal := []struct{ lesser, greater ranked }{
		{ranked{unscheduledPod, 1}, ranked{scheduledPendingPod, 2}},
		{ranked{unscheduledPod, 2}, ranked{scheduledPendingPod, 1}},
		{ranked{scheduledPendingPod, 1}, ranked{unknownPhasePod, 2}},
		{ranked{unknownPhasePod, 1}, ranked{runningNotReadyPod, 2}},
		{ranked{runningNotReadyPod, 1}, ranked{runningReadyNoLastTransitionTimePod, 1}},
		{ranked{runningReadyNoLastTransitionTimePod, 1}, ranked{runningReadyNow, 1}},
		{ranked{runningReadyNow, 2}, ranked{runningReadyNoLastTransitionTimePod, 1}},
		{ranked{runningReadyNow, 1}, ranked{runningReadyThen, 1}},
		{ranked{runningReadyNow, 2}, ranked{runningReadyThen, 1}},
		{ranked{runningReadyNowHighRestarts, 1}, ranked{runningReadyNow, 1}},
		{ranked{runningReadyNow, 2}, ranked{runningReadyNowHighRestarts, 1}},
		{ranked{runningReadyNow, 1}, ranked{runningReadyNowCreatedThen, 1}},
		{ranked{runningReadyNowCreatedThen, 2}, ranked{runningReadyNow, 1}},
		{ranked{lowPodDeletionCost, 2}, ranked{highPodDeletionCost, 1}},
		{ranked{ready2Hours, 1}, ranked{ready5Hours, 1}},
	}
	for i, tc := range unequal {
		t.Run(fmt.Sprintf("unequal %d", i), func(t *testing.T) {
			s := ActivePodsWithRanks{Pods: []*model.Pod{tc.lesser.pod, tc.greater.pod}, Rank: []int{tc.lesser.rank, tc.greater.rank}, Now: now}
			require.True(t, s.Less(0, 1), "%s(rank %d) should sort before %s(rank %d)", tc.lesser.pod.Name, tc.lesser.rank, tc.greater.pod.Name, tc.greater.rank)
			require.False(t, s.Less(1, 0))
		})
	}
}

// TestSortingActivePodsOrder is upstream's TestSortingActivePods order
// (controller_utils_test.go), run through the ranked sort with equal ranks.
func TestSortingActivePodsOrder(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	then := now.AddDate(0, -1, 0)
	mk := func(name, node string, phase model.PodPhase, ready bool, ltt, created time.Time, restarts ...int32) *model.Pod {
		p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name}, Spec: model.PodSpec{NodeName: node}}
		p.Status.Phase = phase
		if !created.IsZero() {
			p.CreationTimestamp = &created
		}
		if ready {
			c := model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue}
			if !ltt.IsZero() {
				c.LastTransitionTime = &ltt
			}
			p.Status.Conditions = []model.PodCondition{c}
		}
		for _, r := range restarts {
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, model.ContainerStatus{RestartCount: r})
		}
		return p
	}
	var zero time.Time
	want := []*model.Pod{
		mk("unscheduled", "", model.PodPending, false, zero, zero),
		mk("scheduledButPending", "bar", model.PodPending, false, zero, zero),
		mk("unknownPhase", "foo", model.PodUnknown, false, zero, zero),
		mk("runningButNotReady", "foo", model.PodRunning, false, zero, zero),
		mk("runningNoLastTransitionTime", "foo", model.PodRunning, true, zero, zero, 3, 0),
		mk("runningWithLastTransitionTime", "foo", model.PodRunning, true, now, zero, 3, 0),
		mk("runningLongerTime", "foo", model.PodRunning, true, then, zero, 3, 0),
		mk("lowerContainerRestartCount", "foo", model.PodRunning, true, then, now, 2, 1),
		mk("oldest", "foo", model.PodRunning, true, then, then, 2, 1),
	}
	for _, perm := range [][]int{{8, 7, 6, 5, 4, 3, 2, 1, 0}, {3, 0, 8, 1, 6, 2, 7, 4, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8}} {
		pods := make([]*model.Pod, len(want))
		for i, j := range perm {
			pods[i] = want[j]
		}
		got := PodsToDelete(pods, nil, len(pods)-1, now)
		names := func(ps []*model.Pod) []string {
			out := make([]string, len(ps))
			for i, p := range ps {
				out[i] = p.Name
			}
			return out
		}
		require.Equal(t, names(want[:len(want)-1]), names(got))
	}
}

// TestGetPodsToDelete is upstream's TestGetPodsToDelete
// (pkg/controller/replicaset/replica_set_test.go).
func TestGetPodsToDelete(t *testing.T) {
	mk := func(name, node string, phase model.PodPhase, ready *bool) *model.Pod {
		p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", UID: name}, Spec: model.PodSpec{NodeName: node}}
		p.Status.Phase = phase
		if ready != nil {
			st := model.ConditionFalse
			if *ready {
				st = model.ConditionTrue
			}
			p.Status.Conditions = []model.PodCondition{{Type: model.PodReady, Status: st}}
		}
		return p
	}
	unscheduledPending := mk("unscheduled-pending-pod", "", model.PodPending, nil)
	scheduledPending := mk("scheduled-pending-pod", "fake-node", model.PodPending, nil)
	notReady := mk("scheduled-running-not-ready-pod", "fake-node", model.PodRunning, model.Ptr(false))
	readyNode1 := mk("scheduled-running-ready-pod-on-node-1", "fake-node-1", model.PodRunning, model.Ptr(true))
	readyNode2 := mk("scheduled-running-ready-pod-on-node-2", "fake-node-2", model.PodRunning, model.Ptr(true))
	pods := func(ps ...*model.Pod) []*model.Pod { return ps }
	tests := []struct {
		name    string
		pods    []*model.Pod
		related []*model.Pod // defaults to pods
		diff    int
		want    []*model.Pod
	}{
		{"len(pods) = 0 (i.e., diff = 0 too)", pods(), nil, 0, pods()},
		{"diff = len(pods)", pods(notReady, readyNode1), nil, 2, pods(notReady, readyNode1)},
		{"diff < len(pods)", pods(readyNode1, notReady), nil, 1, pods(notReady)},
		{"various pod phases and conditions, diff = len(pods)",
			pods(readyNode1, readyNode1, readyNode2, notReady, scheduledPending, unscheduledPending), nil, 6,
			pods(readyNode1, readyNode1, readyNode2, notReady, scheduledPending, unscheduledPending)},
		{"various pod phases and conditions, diff = len(pods), relatedPods empty",
			pods(readyNode1, readyNode1, readyNode2, notReady, scheduledPending, unscheduledPending), pods(), 6,
			pods(readyNode1, readyNode1, readyNode2, notReady, scheduledPending, unscheduledPending)},
		{"scheduled vs unscheduled, diff < len(pods)", pods(scheduledPending, unscheduledPending), nil, 1, pods(unscheduledPending)},
		{"ready vs not-ready, diff < len(pods)", pods(readyNode1, notReady, notReady), nil, 2, pods(notReady, notReady)},
		{"ready and colocated with another ready pod vs not colocated, diff < len(pods)",
			pods(readyNode1, readyNode2), pods(readyNode1, readyNode2, readyNode2), 1, pods(readyNode2)},
		{"pending vs running, diff < len(pods)", pods(scheduledPending, notReady), nil, 1, pods(scheduledPending)},
		{"various pod phases and conditions, diff < len(pods)",
			pods(readyNode1, readyNode2, notReady, scheduledPending, unscheduledPending), nil, 3,
			pods(unscheduledPending, scheduledPending, notReady)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			related := tc.related
			if related == nil {
				related = tc.pods
			}
			got := PodsToDelete(tc.pods, related, tc.diff, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			require.Equal(t, tc.want, got)
		})
	}
}

func TestDeletionCost(t *testing.T) {
	for v, want := range map[string]int32{"10": 10, "-5": -5, "0": 0, "+10": 0, "008": 0, "abc": 0, "": 0, "2147483648": 0} {
		p := &model.Pod{ObjectMeta: model.ObjectMeta{Annotations: map[string]string{PodDeletionCostAnnotation: v}}}
		require.Equal(t, want, DeletionCost(p), "value %q", v)
	}
}

// TestSidecarRestartsBreakTies checks the 1.35 restart comparison: regular
// containers first, then restartable init containers.
func TestSidecarRestartsBreakTies(t *testing.T) {
	mk := func(name string, sidecarRestarts int32) *model.Pod {
		p := rankPod(name, "node", model.PodRunning, true, 1, time.Time{}, time.Time{}, nil)
		p.Spec.InitContainers = []model.Container{{Name: "side", RestartPolicy: model.Ptr(model.ContainerRestartPolicyAlways)}}
		p.Status.InitContainerStatuses = []model.ContainerStatus{{Name: "side", RestartCount: sidecarRestarts}}
		return p
	}
	s := ActivePodsWithRanks{Pods: []*model.Pod{mk("a", 5), mk("b", 1)}, Rank: []int{0, 0}}
	require.True(t, s.Less(0, 1))
	require.False(t, s.Less(1, 0))
}
