package scheduler

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
	"github.com/kubesim/kubesim/sim"
)

func prioritySort(a, b *framework.QueuedPodInfo) bool {
	pa, pb := a.Pod.PriorityValue(), b.Pod.PriorityValue()
	return pa > pb || (pa == pb && a.Timestamp < b.Timestamp)
}

func qpod(name string, prio int32) *framework.QueuedPodInfo {
	p := fwtest.Pod(name, "", nil)
	p.Spec.Priority = &prio
	return &framework.QueuedPodInfo{PodInfo: framework.NewPodInfo(p)}
}

func TestQueueBackoffDoublesToTheCap(t *testing.T) {
	// upstream: 1s initial, 10s max; attempts count pops.
	q := NewQueue(prioritySort, time.Second, 10*time.Second, func() sim.Time { return 0 })
	want := []time.Duration{0, 1, 2, 4, 8, 10, 10}
	for a, w := range want {
		require.Equal(t, w*time.Second, q.backoffDuration(a), "attempts %d", a)
	}
}

func TestQueueOrdersByPriorityThenTime(t *testing.T) {
	now := sim.Time(0)
	q := NewQueue(prioritySort, time.Second, 10*time.Second, func() sim.Time { return now })
	q.Add(qpod("low", 1))
	now = 1
	q.Add(qpod("high", 100))
	now = 2
	q.Add(qpod("low-later", 1))
	require.Equal(t, "default/high", q.Pop().Pod.Key())
	require.Equal(t, "default/low", q.Pop().Pod.Key())
	require.Equal(t, "default/low-later", q.Pop().Pod.Key())
	require.Nil(t, q.Pop())
}

func TestQueueUnschedulableMovesOnMatchingEventOnly(t *testing.T) {
	now := sim.Time(0)
	q := NewQueue(prioritySort, time.Second, 10*time.Second, func() sim.Time { return now })
	q.RegisterEvents("NodeResourcesFit", []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeAllocatable}},
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Delete}},
	})
	p := qpod("p", 0)
	q.Add(p)
	got := q.Pop()
	cyc := q.SchedulingCycle()
	got.UnschedulablePlugins = map[string]bool{"NodeResourcesFit": true}
	q.AddUnschedulable(got, cyc, false)
	_, _, u := q.Lens()
	require.Equal(t, 1, u)

	// A label change on a node does not help a pod that lacked resources.
	require.Zero(t, q.MoveOnEvent(framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.UpdateNodeLabel}, nil, nil))
	// A deleted assigned pod frees resources: the pod moves, to backoff
	// since it failed a moment ago (1 attempt → 1 s).
	require.Equal(t, 1, q.MoveOnEvent(framework.ClusterEvent{Resource: framework.EventAssignedPod, ActionType: framework.Delete}, nil, nil))
	a, b, u := q.Lens()
	require.Equal(t, [3]int{0, 1, 0}, [3]int{a, b, u})
	now = sim.Time(999 * time.Millisecond)
	require.Zero(t, q.FlushBackoffCompleted())
	now = sim.Time(time.Second)
	require.Equal(t, 1, q.FlushBackoffCompleted())
	require.Equal(t, "default/p", q.Pop().Pod.Key())
}

func TestQueueEventDuringCycleSkipsUnschedulablePool(t *testing.T) {
	now := sim.Time(0)
	q := NewQueue(prioritySort, time.Second, 10*time.Second, func() sim.Time { return now })
	q.Add(qpod("p", 0))
	got := q.Pop()
	cyc := q.SchedulingCycle()
	// A node is added while the pod is being scheduled (moveRequestCycle).
	q.MoveOnEvent(framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add}, nil, nil)
	q.AddUnschedulable(got, cyc, false)
	_, b, u := q.Lens()
	require.Equal(t, 1, b, "straight to backoff, not the unschedulable pool")
	require.Zero(t, u)
}

func TestQueueLeftoverFlushAfterFiveMinutes(t *testing.T) {
	now := sim.Time(0)
	q := NewQueue(prioritySort, time.Second, 10*time.Second, func() sim.Time { return now })
	q.Add(qpod("p", 0))
	got := q.Pop()
	got.UnschedulablePlugins = map[string]bool{"X": true}
	q.RegisterEvents("X", nil)
	q.AddUnschedulable(got, q.SchedulingCycle(), false)
	now = sim.Time(5 * time.Minute)
	require.Zero(t, q.FlushUnschedulableLeftover(), "exactly 5 min is not longer than 5 min")
	now = sim.Time(5*time.Minute + time.Second)
	require.Equal(t, 1, q.FlushUnschedulableLeftover())
}

func TestQueueGatedPodsWaitForUpdate(t *testing.T) {
	q := NewQueue(prioritySort, time.Second, 10*time.Second, func() sim.Time { return 0 })
	p := qpod("gated", 0)
	p.Gated = true
	q.Add(p)
	require.Nil(t, q.Pop())
	require.Zero(t, q.MoveOnEvent(framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add}, nil, nil))
	pod := model.DeepCopy(p.Pod)
	pod.Spec.SchedulingGates = nil
	q.Update(pod, false)
	require.Equal(t, "default/gated", q.Pop().Pod.Key())
}
