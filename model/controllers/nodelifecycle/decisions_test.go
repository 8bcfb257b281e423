package nodelifecycle

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func cond(s model.ConditionStatus) *model.NodeCondition {
	return &model.NodeCondition{Type: model.NodeReady, Status: s}
}

// After upstream TestComputeZoneState-style expectations in
// node_lifecycle_controller_test.go (TestMonitorNodeHealthEvictPodsWithDisruption).
func TestComputeZoneState(t *testing.T) {
	T, F, U := model.ConditionTrue, model.ConditionFalse, model.ConditionUnknown
	cases := []struct {
		name  string
		conds []*model.NodeCondition
		bad   int
		state ZoneState
	}{
		{"all ready", []*model.NodeCondition{cond(T), cond(T)}, 0, StateNormal},
		{"none ready", []*model.NodeCondition{cond(U), cond(F)}, 2, StateFullDisruption},
		{"nil conditions count as not ready", []*model.NodeCondition{nil, nil}, 2, StateFullDisruption},
		{"two of three: not more than two", []*model.NodeCondition{cond(U), cond(U), cond(T)}, 2, StateNormal},
		{"three of five: 60% >= 55%", []*model.NodeCondition{cond(U), cond(U), cond(U), cond(T), cond(T)}, 3, StatePartialDisruption},
		{"three of six: 50% < 55%", []*model.NodeCondition{cond(U), cond(U), cond(U), cond(T), cond(T), cond(T)}, 3, StateNormal},
	}
	for _, tc := range cases {
		bad, st := ComputeZoneState(tc.conds, 0.55)
		require.Equal(t, tc.bad, bad, tc.name)
		require.Equal(t, tc.state, st, tc.name)
	}
}

func TestZoneQPS(t *testing.T) {
	c := &Controller{cfg: DefaultConfig()}
	require.Equal(t, float32(0.1), c.zoneQPS(StateNormal, 10))
	require.Equal(t, float32(0.1), c.zoneQPS(StateFullDisruption, 10))
	require.Equal(t, float32(0), c.zoneQPS(StatePartialDisruption, 50), "small zones stop tainting")
	require.Equal(t, float32(0.01), c.zoneQPS(StatePartialDisruption, 51))
}

func TestZoneKey(t *testing.T) {
	require.Equal(t, "", zoneKey(&model.Node{}))
	require.Equal(t, "r:\x00:z", zoneKey(&model.Node{ObjectMeta: model.ObjectMeta{Labels: map[string]string{
		model.LabelTopologyRegion: "r", model.LabelTopologyZone: "z"}}}))
}

func readyNode(heartbeat time.Time) *model.Node {
	hb := heartbeat
	created := t0
	return &model.Node{ObjectMeta: model.ObjectMeta{Name: "n", CreationTimestamp: &created}, Status: model.NodeStatus{
		Conditions: []model.NodeCondition{{Type: model.NodeReady, Status: model.ConditionTrue, LastHeartbeatTime: &hb, LastTransitionTime: &created}}}}
}

// After upstream TestMonitorNodeHealthUpdateStatus and
// TestMonitorNodeHealthUpdateNodeAndPodStatusWithLease.
func TestTryUpdateNodeHealth(t *testing.T) {
	grace, startup := 50*time.Second, 60*time.Second

	// A node that never posted status is Unknown after the startup grace.
	created := t0
	n := &model.Node{ObjectMeta: model.ObjectMeta{Name: "n", CreationTimestamp: &created}}
	r := tryUpdateNodeHealth(n, nil, nil, t0.Add(30*time.Second), grace, startup)
	require.False(t, r.write)
	r = tryUpdateNodeHealth(n, nil, r.health, t0.Add(61*time.Second), grace, startup)
	require.True(t, r.write)
	require.Len(t, n.Status.Conditions, 4)
	for _, c := range n.Status.Conditions {
		require.Equal(t, model.ConditionUnknown, c.Status)
		require.Equal(t, "NodeStatusNeverUpdated", c.Reason)
	}

	// A ready node whose heartbeat stopped turns Unknown after the grace
	// period counted from when the controller last saw it move.
	n = readyNode(t0)
	r = tryUpdateNodeHealth(n, nil, nil, t0, grace, startup)
	require.False(t, r.write)
	h := r.health
	n = readyNode(t0)
	r = tryUpdateNodeHealth(n, nil, h, t0.Add(50*time.Second), grace, startup)
	require.False(t, r.write, "not after the grace period yet")
	r = tryUpdateNodeHealth(n, nil, r.health, t0.Add(51*time.Second), grace, startup)
	require.True(t, r.write)
	require.Equal(t, model.ConditionTrue, r.observed.Status)
	require.Equal(t, model.ConditionUnknown, r.current.Status)
	require.Equal(t, "NodeStatusUnknown", r.current.Reason)
	require.Equal(t, "Kubelet stopped posting node status.", r.current.Message)

	// A renewed Lease keeps the node healthy without status updates.
	n = readyNode(t0)
	r = tryUpdateNodeHealth(n, nil, nil, t0, grace, startup)
	renew := t0.Add(40 * time.Second)
	lease := &model.Lease{Spec: model.LeaseSpec{RenewTime: &renew}}
	r = tryUpdateNodeHealth(readyNode(t0), lease, r.health, t0.Add(40*time.Second), grace, startup)
	require.False(t, r.write)
	r = tryUpdateNodeHealth(readyNode(t0), lease, r.health, t0.Add(85*time.Second), grace, startup)
	require.False(t, r.write, "lease seen 45 s ago")
	r = tryUpdateNodeHealth(readyNode(t0), lease, r.health, t0.Add(91*time.Second), grace, startup)
	require.True(t, r.write, "lease not renewed for more than 50 s")
}

// After upstream TestTaintsNodeByCondition.
func TestNoScheduleTaintDiff(t *testing.T) {
	node := func(unsched bool, taints []model.Taint, conds ...model.NodeCondition) *model.Node {
		return &model.Node{Spec: model.NodeSpec{Unschedulable: unsched, Taints: taints}, Status: model.NodeStatus{Conditions: conds}}
	}
	c := func(t model.NodeConditionType, s model.ConditionStatus) model.NodeCondition {
		return model.NodeCondition{Type: t, Status: s}
	}
	ns := func(key string) model.Taint { return model.Taint{Key: key, Effect: model.TaintEffectNoSchedule} }
	add, rm := noScheduleTaintDiff(node(false, nil, c(model.NodeReady, model.ConditionTrue), c(model.NodeMemoryPressure, model.ConditionTrue)))
	require.Equal(t, []model.Taint{ns(model.TaintNodeMemoryPressure)}, add)
	require.Empty(t, rm)
	add, _ = noScheduleTaintDiff(node(false, nil, c(model.NodeReady, model.ConditionTrue), c(model.NodeNetworkUnavailable, model.ConditionTrue)))
	require.Equal(t, []model.Taint{ns(model.TaintNodeNetworkUnavailable)}, add)
	add, _ = noScheduleTaintDiff(node(false, nil, c(model.NodeReady, model.ConditionFalse)))
	require.Equal(t, []model.Taint{ns(model.TaintNodeNotReady)}, add)
	add, _ = noScheduleTaintDiff(node(false, nil, c(model.NodeReady, model.ConditionUnknown)))
	require.Equal(t, []model.Taint{ns(model.TaintNodeUnreachable)}, add)
	add, _ = noScheduleTaintDiff(node(true, nil, c(model.NodeReady, model.ConditionTrue)))
	require.Equal(t, []model.Taint{ns(model.TaintNodeUnschedulable)}, add)
	add, rm = noScheduleTaintDiff(node(false, []model.Taint{ns(model.TaintNodeUnreachable), {Key: "user", Effect: model.TaintEffectNoSchedule}},
		c(model.NodeReady, model.ConditionTrue)))
	require.Empty(t, add)
	require.Equal(t, []model.Taint{ns(model.TaintNodeUnreachable)}, rm, "only the controller's own taints are removed")
}

// Cases from upstream taint_eviction_test.go TestGetMinTolerationTime.
func TestMinTolerationTime(t *testing.T) {
	secs := func(s int64) *int64 { return &s }
	require.Equal(t, time.Duration(0), minTolerationTime(nil))
	require.Equal(t, time.Duration(-1), minTolerationTime([]model.Toleration{{}}))
	require.Equal(t, 10*time.Second, minTolerationTime([]model.Toleration{{TolerationSeconds: secs(10)}, {TolerationSeconds: secs(20)}}))
	require.Equal(t, 10*time.Second, minTolerationTime([]model.Toleration{{TolerationSeconds: secs(10)}, {}}))
	require.Equal(t, time.Duration(0), minTolerationTime([]model.Toleration{{TolerationSeconds: secs(-1)}, {TolerationSeconds: secs(10)}}))
}

func TestMatchingTolerations(t *testing.T) {
	taints := []model.Taint{unreachableTaint, {Key: "x", Effect: model.TaintEffectNoExecute}}
	all, used := matchingTolerations(taints, []model.Toleration{{Key: model.TaintNodeUnreachable, Operator: model.TolerationOpExists, TolerationSeconds: model.Ptr[int64](300)}})
	require.False(t, all)
	require.Nil(t, used)
	all, used = matchingTolerations(taints, []model.Toleration{{Operator: model.TolerationOpExists}})
	require.True(t, all)
	require.Len(t, used, 2)
}

// Burst 1 and 0.1 qps: one node, then one every 10 s; a zero rate never
// accepts; swapping while empty keeps the new bucket empty.
func TestTainterQueueRate(t *testing.T) {
	q := newTainterQueue(0.1, 0)
	require.True(t, q.add("a", "", 0))
	require.False(t, q.add("a", "", 0), "unique")
	require.True(t, q.limiter.tryAccept(0))
	require.False(t, q.limiter.tryAccept(sim.Time(9*time.Second)))
	at := q.limiter.availableAt(sim.Time(9 * time.Second))
	require.InDelta(t, float64(10*time.Second), float64(at), float64(time.Microsecond), "float32(0.1) refills a hair early, as upstream")
	q.swapLimiter(0.01, sim.Time(9*time.Second))
	require.False(t, q.limiter.tryAccept(sim.Time(9*time.Second)), "drained: the old bucket was empty")
	q.swapLimiter(0, 0)
	require.Equal(t, sim.Never, q.limiter.availableAt(0))
	q.removeFromQueue("a")
	require.Empty(t, q.items)
	require.False(t, q.add("a", "", 0), "still in the set until removed")
	require.True(t, q.remove("a"))
	require.True(t, q.add("a", "", 0))
}
