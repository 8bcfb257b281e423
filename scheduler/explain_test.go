package scheduler

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func admitted(objs ...model.Object) []model.Object {
	for _, o := range objs {
		model.SetDefaults(o)
		if p, ok := o.(*model.Pod); ok && p.Spec.Priority == nil {
			p.Spec.Priority = model.Ptr[int32](0)
		}
	}
	return objs
}

func TestExplainScoresEveryNodeAndNamesRejections(t *testing.T) {
	tainted := node("batch-0", "a", 8000, "32Gi")
	tainted.Spec.Taints = []model.Taint{{Key: "dedicated", Value: "batch", Effect: model.TaintEffectNoSchedule}}
	busy := node("web-1", "b", 4000, "16Gi")
	running := pod("running", "3", "1Gi", nil)
	running.Spec.NodeName = "web-1"
	objs := admitted(node("web-0", "a", 4000, "16Gi"), busy, tainted, running, pod("web", "500m", "1Gi", nil))

	ex, err := Explain(objs, "default", "web", Options{}, 1)
	require.NoError(t, err)
	require.Equal(t, "Scheduled", ex.Result)
	require.Equal(t, "default-scheduler", ex.Profile)
	// web-0 is empty, web-1 already runs 3 of its 4 cpus: LeastAllocated
	// and BalancedAllocation prefer web-0.
	require.Equal(t, "web-0", ex.SelectedNode)
	require.Len(t, ex.Nodes, 3)
	byName := map[string]NodeExplanation{}
	for _, n := range ex.Nodes {
		byName[n.Name] = n
	}
	b := byName["batch-0"]
	require.Equal(t, "UnschedulableAndUnresolvable", b.Filter.Status)
	require.Equal(t, "TaintToleration", b.Filter.Plugin)
	require.Equal(t, []string{"node(s) had untolerated taint(s)"}, b.Filter.Reasons)
	require.Empty(t, b.Scores)

	w0, w1 := byName["web-0"], byName["web-1"]
	require.Equal(t, "Success", w0.Filter.Status)
	// TaintToleration: no PreferNoSchedule taints anywhere → every node
	// normalizes to 100 (reversed), weighted ×3.
	require.Equal(t, ScoreRecord{Raw: 0, Normalized: 100, Weighted: 300}, w0.Scores["TaintToleration"])
	// LeastAllocated on web-0: cpu (4000-500)/4000 → 87, memory
	// (16Gi-1Gi)/16Gi → 93; mean 90.
	require.Equal(t, int64(90), w0.Scores["NodeResourcesFit"].Raw)
	// web-1: cpu (4000-3500)/4000 → 12, memory (16-2)/16 → 87; mean 49.
	require.Equal(t, int64(49), w1.Scores["NodeResourcesFit"].Raw)
	sum := int64(0)
	for _, s := range w0.Scores {
		sum += s.Weighted
	}
	require.Equal(t, w0.TotalScore, sum)
	require.Greater(t, w0.TotalScore, w1.TotalScore)
}

func TestExplainUnschedulableWithPreemption(t *testing.T) {
	n := node("only", "a", 2000, "8Gi")
	low := pod("low", "1500m", "1Gi", nil)
	low.Spec.NodeName = "only"
	high := pod("high", "1", "1Gi", nil)
	objs := admitted(n, low, high)
	high.Spec.Priority = model.Ptr[int32](1000)
	ex, err := Explain(objs, "default", "high", Options{}, 1)
	require.NoError(t, err)
	require.Equal(t, "Unschedulable", ex.Result)
	require.Equal(t, "0/1 nodes are available: 1 Insufficient cpu.", ex.Message[:len("0/1 nodes are available: 1 Insufficient cpu.")])
	require.NotNil(t, ex.Preemption)
	require.True(t, ex.Preemption.Attempted)
	require.Equal(t, "only", ex.Preemption.NominatedNode)
	require.Equal(t, []string{"default/low"}, ex.Preemption.Victims)
}

func TestExplainErrors(t *testing.T) {
	objs := admitted(node("n", "a", 1000, "1Gi"))
	_, err := Explain(objs, "default", "missing", Options{}, 1)
	require.ErrorContains(t, err, "not found")
	p := pod("other", "1m", "1Mi", nil)
	p.Spec.SchedulerName = "my-scheduler"
	_, err = Explain(admitted(node("n", "a", 1000, "1Gi"), p), "default", "other", Options{}, 1)
	require.ErrorContains(t, err, `asks for scheduler "my-scheduler"`)
}
