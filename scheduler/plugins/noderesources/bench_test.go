package noderesources

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// BenchmarkFitFilterScore measures one Filter plus one Score of a fitting
// node after PreFilter/PreScore, for each strategy; both must not allocate
// (cf. upstream fit_test.go BenchmarkTestFitScore).
func BenchmarkFitFilterScore(b *testing.B) {
	strategies := map[string]*ScoringStrategy{
		"LeastAllocated": {Type: LeastAllocated, Resources: extendedResourceSet},
		"MostAllocated":  {Type: MostAllocated, Resources: extendedResourceSet},
		"RequestedToCapacityRatio": {Type: RequestedToCapacityRatio, Resources: extendedResourceSet,
			RequestedToCapacityRatio: &RequestedToCapacityRatioParam{Shape: []UtilizationShapePoint{{0, 10}, {100, 0}}}},
	}
	for _, name := range []string{"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"} {
		b.Run(name, func(b *testing.B) {
			node := stNode("node1", map[string]string{"cpu": "4000", "memory": "10000", extendedRes: "8", "ephemeral-storage": "100"})
			h := fwtest.NewHandle([]*model.Node{node}, []*model.Pod{stPod("node1", cm("2000", "4000"))})
			ni, _ := h.Snap.Get("node1")
			p, err := New(&Args{ScoringStrategy: strategies[name]}, h)
			if err != nil {
				b.Fatal(err)
			}
			f := p.(*Fit)
			pod := stPod("", map[string]string{"cpu": "1000", "memory": "2000", extendedRes: "1", "ephemeral-storage": "1"})
			state := framework.NewCycleState()
			f.PreFilter(state, pod, nil)
			f.PreScore(state, pod, []*framework.NodeInfo{ni})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if s := f.Filter(state, pod, ni); s != nil {
					b.Fatal(s)
				}
				if _, s := f.Score(state, pod, ni); s != nil {
					b.Fatal(s)
				}
			}
		})
	}
}

// TestFilterScoreDoNotAllocate pins the benchmark's property in the
// ordinary test run.
func TestFilterScoreDoNotAllocate(t *testing.T) {
	node := stNode("node1", map[string]string{"cpu": "4000", "memory": "10000", extendedRes: "8"})
	h := fwtest.NewHandle([]*model.Node{node}, []*model.Pod{stPod("node1", cm("2000", "4000"))})
	ni, _ := h.Snap.Get("node1")
	pod := stPod("", map[string]string{"cpu": "1000", "memory": "2000", extendedRes: "1"})
	for _, s := range []ScoringStrategyType{LeastAllocated, MostAllocated, RequestedToCapacityRatio} {
		p, err := New(&Args{ScoringStrategy: &ScoringStrategy{Type: s, Resources: extendedResourceSet,
			RequestedToCapacityRatio: &RequestedToCapacityRatioParam{Shape: []UtilizationShapePoint{{0, 10}, {100, 0}}}}}, h)
		if err != nil {
			t.Fatal(err)
		}
		f := p.(*Fit)
		state := framework.NewCycleState()
		f.PreFilter(state, pod, nil)
		f.PreScore(state, pod, nil)
		allocs := testing.AllocsPerRun(100, func() {
			_ = f.Filter(state, pod, ni)
			_, _ = f.Score(state, pod, ni)
		})
		if allocs != 0 {
			t.Errorf("%s: Filter+Score allocate %v times per node", s, allocs)
		}
	}
}
