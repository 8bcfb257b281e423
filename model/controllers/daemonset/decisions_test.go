package daemonset

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

var now = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func newDS(name string) *model.DaemonSet {
	ds := &model.DaemonSet{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", UID: "ds-uid"}, Spec: model.DaemonSetSpec{
		Selector: &model.LabelSelector{MatchLabels: map[string]string{"app": name}},
		Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: map[string]string{"app": name}},
			Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "agent:1"}}}}}}
	model.SetDefaults(ds)
	return ds
}

func newNode(name string, labels map[string]string, taints ...model.Taint) *model.Node {
	return &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: labels}, Spec: model.NodeSpec{Taints: taints}}
}

// After upstream daemon_controller_test.go TestNodeShouldRunDaemonPod and
// the taint tests (TestTaintedNodeDaemonDoesNotLaunchIntolerantPod,
// TestNodeDaemonLaunchesToleratePod, TestDaemonSetRespectsTermination...).
func TestNodeShouldRunDaemonPod(t *testing.T) {
	cases := []struct {
		name                      string
		mutate                    func(ds *model.DaemonSet)
		node                      *model.Node
		shouldRun, shouldContinue bool
	}{
		{"plain node", nil, newNode("n", nil), true, true},
		{"nodeName mismatch", func(ds *model.DaemonSet) { ds.Spec.Template.Spec.NodeName = "other" }, newNode("n", nil), false, false},
		{"nodeSelector mismatch", func(ds *model.DaemonSet) { ds.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "ssd"} },
			newNode("n", map[string]string{"disk": "hdd"}), false, false},
		{"nodeSelector match", func(ds *model.DaemonSet) { ds.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "ssd"} },
			newNode("n", map[string]string{"disk": "ssd"}), true, true},
		{"node affinity mismatch", func(ds *model.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &model.Affinity{NodeAffinity: &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{
				NodeSelectorTerms: []model.NodeSelectorTerm{{MatchExpressions: []model.NodeSelectorRequirement{{Key: "zone", Operator: model.NodeSelectorOpIn, Values: []string{"a"}}}}}}}}
		}, newNode("n", map[string]string{"zone": "b"}), false, false},
		{"untolerated NoSchedule taint: no new pod, keep running", nil,
			newNode("n", nil, model.Taint{Key: "dedicated", Value: "x", Effect: model.TaintEffectNoSchedule}), false, true},
		{"untolerated NoExecute taint: evict", nil,
			newNode("n", nil, model.Taint{Key: "dedicated", Value: "x", Effect: model.TaintEffectNoExecute}), false, false},
		{"tolerated taint", func(ds *model.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []model.Toleration{{Key: "dedicated", Operator: model.TolerationOpExists}}
		}, newNode("n", nil, model.Taint{Key: "dedicated", Value: "x", Effect: model.TaintEffectNoExecute}), true, true},
		{"not-ready NoExecute is tolerated by default", nil,
			newNode("n", nil, model.Taint{Key: model.TaintNodeNotReady, Effect: model.TaintEffectNoExecute}), true, true},
		{"unreachable NoExecute is tolerated by default", nil,
			newNode("n", nil, model.Taint{Key: model.TaintNodeUnreachable, Effect: model.TaintEffectNoExecute}), true, true},
		{"unschedulable and pressure taints are tolerated by default", nil,
			newNode("n", nil, model.Taint{Key: model.TaintNodeUnschedulable, Effect: model.TaintEffectNoSchedule},
				model.Taint{Key: model.TaintNodeMemoryPressure, Effect: model.TaintEffectNoSchedule},
				model.Taint{Key: model.TaintNodeDiskPressure, Effect: model.TaintEffectNoSchedule},
				model.Taint{Key: model.TaintNodePIDPressure, Effect: model.TaintEffectNoSchedule}), true, true},
		{"network-unavailable only for host network", nil,
			newNode("n", nil, model.Taint{Key: model.TaintNodeNetworkUnavailable, Effect: model.TaintEffectNoSchedule}), false, true},
		{"network-unavailable tolerated with hostNetwork", func(ds *model.DaemonSet) { ds.Spec.Template.Spec.HostNetwork = true },
			newNode("n", nil, model.Taint{Key: model.TaintNodeNetworkUnavailable, Effect: model.TaintEffectNoSchedule}), true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := newDS("agent")
			if tc.mutate != nil {
				tc.mutate(ds)
			}
			run, cont := NodeShouldRunDaemonPod(tc.node, ds)
			require.Equal(t, tc.shouldRun, run, "shouldRun")
			require.Equal(t, tc.shouldContinue, cont, "shouldContinueRunning")
		})
	}
}

// The API server's DefaultTolerationSeconds gives 300 s; a daemon pod's
// not-ready/unreachable tolerations must be forever.
func TestDaemonTolerationsOverrideTolerationSeconds(t *testing.T) {
	spec := &model.PodSpec{Tolerations: []model.Toleration{{Key: model.TaintNodeNotReady, Operator: model.TolerationOpExists,
		Effect: model.TaintEffectNoExecute, TolerationSeconds: model.Ptr[int64](300)}}}
	AddOrUpdateDaemonPodTolerations(spec)
	require.Len(t, spec.Tolerations, 6)
	require.Nil(t, spec.Tolerations[0].TolerationSeconds)
	AddOrUpdateDaemonPodTolerations(spec)
	require.Len(t, spec.Tolerations, 6, "idempotent")
}

// Cases from upstream daemonset_util_test.go
// TestReplaceDaemonSetPodNodeNameNodeAffinity.
func TestReplaceNodeNameNodeAffinity(t *testing.T) {
	want := &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{{MatchFields: []model.NodeSelectorRequirement{
		{Key: "metadata.name", Operator: model.NodeSelectorOpIn, Values: []string{"host_1"}}}}}}
	require.Equal(t, want, ReplaceNodeNameNodeAffinity(nil, "host_1").NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
	withPreferred := &model.Affinity{NodeAffinity: &model.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.PreferredSchedulingTerm{{Weight: 1}}}}
	got := ReplaceNodeNameNodeAffinity(withPreferred, "host_1")
	require.Equal(t, want, got.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
	require.Len(t, got.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution, 1, "preferred terms are kept")
	withTerms := &model.Affinity{NodeAffinity: &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{
		NodeSelectorTerms: []model.NodeSelectorTerm{{MatchExpressions: []model.NodeSelectorRequirement{{Key: "zone", Operator: model.NodeSelectorOpExists}}}}}}}
	require.Equal(t, want, ReplaceNodeNameNodeAffinity(withTerms, "host_1").NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution, "required terms are replaced")

	p := &model.Pod{Spec: model.PodSpec{Affinity: ReplaceNodeNameNodeAffinity(nil, "host_1")}}
	n, err := targetNodeName(p)
	require.NoError(t, err)
	require.Equal(t, "host_1", n)
	p.Spec.NodeName = "bound"
	n, _ = targetNodeName(p)
	require.Equal(t, "bound", n)
	_, err = targetNodeName(&model.Pod{})
	require.Error(t, err)
}

// maxSurge and maxUnavailable percentages round up (SurgeCount,
// UnavailableCount); both zero falls back to one unavailable.
func TestRollingCounts(t *testing.T) {
	ds := newDS("agent")
	ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = model.Ptr(model.FromString("10%"))
	n, err := unavailableCount(ds, 25)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = model.Ptr(model.FromString("1%"))
	n, _ = surgeCount(ds, 25)
	require.Equal(t, 1, n)
	require.True(t, allowsSurge(ds))
	require.False(t, allowsSurge(newDS("x")), "default maxSurge 0")
}

func daemonPod(name, node, hash string, ready bool, created time.Time) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{LabelRevisionHash: hash}, CreationTimestamp: &created},
		Spec: model.PodSpec{NodeName: node}, Status: model.PodStatus{Phase: model.PodRunning}}
	if ready {
		at := created
		p.Status.Conditions = []model.PodCondition{{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &at}}
	}
	return p
}

// After upstream update_test.go TestDaemonSetUpdatesPods and
// TestDaemonSetUpdatesSomeOldPodsNotReady: without surge, old pods are
// deleted up to maxUnavailable; unavailable old pods go first and count.
func TestRollingUpdatePlanMaxUnavailable(t *testing.T) {
	ds := newDS("agent")
	ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = model.Ptr(model.FromInt32(2))
	nodes := []*model.Node{newNode("n1", nil), newNode("n2", nil), newNode("n3", nil), newNode("n4", nil)}
	pods := map[string][]*model.Pod{
		"n1": {daemonPod("a", "n1", "old", true, now)},
		"n2": {daemonPod("b", "n2", "old", true, now)},
		"n3": {daemonPod("c", "n3", "old", true, now)},
		"n4": {daemonPod("d", "n4", "old", true, now)},
	}
	del, create, err := rollingUpdatePlan(ds, nodes, pods, "new", now)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, del)
	require.Empty(t, create)

	pods["n3"] = []*model.Pod{daemonPod("c", "n3", "old", false, now)}
	del, _, _ = rollingUpdatePlan(ds, nodes, pods, "new", now)
	require.Equal(t, []string{"c", "a"}, del, "the not-ready old pod is replaced and counts against maxUnavailable")

	pods["n1"] = []*model.Pod{daemonPod("a2", "n1", "new", false, now)}
	pods["n2"] = nil
	del, _, _ = rollingUpdatePlan(ds, nodes, pods, "new", now)
	require.Equal(t, []string{"c"}, del, "an unavailable new pod and an empty node use up the budget")
}

// After upstream update_test.go TestDaemonSetUpdatesPodsWithMaxSurge:
// surge creates new pods next to available old ones, up to maxSurge, and
// deletes old pods once the new ones are available.
func TestRollingUpdatePlanMaxSurge(t *testing.T) {
	ds := newDS("agent")
	ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = model.Ptr(model.FromInt32(0))
	ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = model.Ptr(model.FromInt32(1))
	nodes := []*model.Node{newNode("n1", nil), newNode("n2", nil), newNode("n3", nil)}
	pods := map[string][]*model.Pod{
		"n1": {daemonPod("a", "n1", "old", true, now)},
		"n2": {daemonPod("b", "n2", "old", true, now)},
		"n3": {daemonPod("c", "n3", "old", true, now)},
	}
	del, create, err := rollingUpdatePlan(ds, nodes, pods, "new", now)
	require.NoError(t, err)
	require.Empty(t, del)
	require.Equal(t, []string{"n1"}, create)

	pods["n1"] = append(pods["n1"], daemonPod("a2", "n1", "new", false, now))
	del, create, _ = rollingUpdatePlan(ds, nodes, pods, "new", now)
	require.Empty(t, del)
	require.Empty(t, create, "the surge budget is in use until the new pod is available")

	pods["n1"][1] = daemonPod("a2", "n1", "new", true, now)
	del, create, _ = rollingUpdatePlan(ds, nodes, pods, "new", now)
	require.Equal(t, []string{"a"}, del)
	require.Equal(t, []string{"n2"}, create)
}

func TestPodsShouldBeOnNode(t *testing.T) {
	ds := newDS("agent")
	node := newNode("n1", nil)
	plan := podsShouldBeOnNode(node, nil, ds, "h", now)
	require.True(t, plan.create)
	// Two running pods without surge: keep the oldest.
	plan = podsShouldBeOnNode(node, []*model.Pod{daemonPod("new", "n1", "h", true, now.Add(time.Minute)), daemonPod("old", "n1", "h", true, now)}, ds, "h", now)
	require.Equal(t, []string{"new"}, plan.delete)
	failed := daemonPod("f", "n1", "h", false, now)
	failed.Status.Phase = model.PodFailed
	plan = podsShouldBeOnNode(node, []*model.Pod{failed}, ds, "h", now)
	require.Equal(t, []string{"f"}, plan.failed)
	require.False(t, plan.create, "the replacement comes on the next sync")
	evict := newNode("n1", nil, model.Taint{Key: "k", Effect: model.TaintEffectNoExecute})
	plan = podsShouldBeOnNode(evict, []*model.Pod{daemonPod("p", "n1", "h", true, now)}, ds, "h", now)
	require.Equal(t, []string{"p"}, plan.delete)
}

func TestComputeStatus(t *testing.T) {
	ds := newDS("agent")
	ds.Spec.MinReadySeconds = 10
	nodes := []*model.Node{newNode("n1", nil), newNode("n2", nil), newNode("n3", nil),
		newNode("tainted", nil, model.Taint{Key: "k", Effect: model.TaintEffectNoSchedule})}
	pods := map[string][]*model.Pod{
		"n1":      {daemonPod("a", "n1", "h", true, now.Add(-time.Minute))},
		"n2":      {daemonPod("b", "n2", "old", true, now.Add(-5*time.Second))},
		"tainted": {daemonPod("c", "tainted", "h", true, now)},
	}
	s := computeStatus(ds, nodes, pods, "h", now)
	require.Equal(t, dsStatus{desired: 3, current: 2, misscheduled: 1, ready: 2, updated: 1, available: 1, unavailable: 2}, s)
}

func TestComputeHashStable(t *testing.T) {
	ds := newDS("agent")
	h := ComputeHash(&ds.Spec.Template)
	require.Regexp(t, `^[bcdfghjklmnpqrstvwxz2456789]+$`, h)
	require.Equal(t, h, ComputeHash(&model.DeepCopy(ds).Spec.Template))
	ds.Spec.Template.Spec.Containers[0].Image = "agent:2"
	require.NotEqual(t, h, ComputeHash(&ds.Spec.Template))
}
