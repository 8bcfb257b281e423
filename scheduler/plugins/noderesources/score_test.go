package noderesources

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

type scoreCase struct {
	name       string
	pod        *model.Pod
	nodes      []*model.Node
	existing   []*model.Pod
	resources  []ResourceSpec
	shape      []UtilizationShapePoint
	want       []int64
	wantCode   framework.Code
	wantErr    string // New fails with this message
	noPreScore bool
}

// runScoreCases runs the cases; an optional default case supplies the
// resources and shape of cases that set none.
func runScoreCases(t *testing.T, strategy ScoringStrategyType, tests []scoreCase, defaults ...scoreCase) {
	for _, tc := range tests {
		if len(defaults) > 0 && tc.resources == nil && tc.shape == nil {
			tc.resources, tc.shape = defaults[0].resources, defaults[0].shape
		}
		t.Run(tc.name, func(t *testing.T) {
			// As upstream's tests: the strategy is given, not defaulted.
			s := &ScoringStrategy{Type: strategy, Resources: tc.resources}
			if strategy == RequestedToCapacityRatio {
				s.RequestedToCapacityRatio = &RequestedToCapacityRatioParam{Shape: tc.shape}
			}
			p, err := New(&Args{ScoringStrategy: s}, nil)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			got, statuses := scoreNodes(p.(framework.ScorePlugin), tc.pod, tc.nodes, tc.existing, !tc.noPreScore)
			assert.Equal(t, tc.want, got)
			for _, st := range statuses {
				assert.Equal(t, tc.wantCode, st.Code())
			}
		})
	}
}

func cm(cpu, mem string) map[string]string { return map[string]string{"cpu": cpu, "memory": mem} }

// Cases from upstream least_allocated_test.go TestLeastAllocatedScoringStrategy.
func TestLeastAllocatedScoringStrategy(t *testing.T) {
	n := func(name, cpu, mem string) *model.Node { return stNode(name, cm(cpu, mem)) }
	twoContainers := func() *model.Pod { return stPod("", cm("1000", "2000"), cm("2000", "3000")) }
	runScoreCases(t, LeastAllocated, []scoreCase{
		{name: "nothing scheduled, nothing requested", pod: stPod(""),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "4000", "10000")}, want: []int64{100, 100}, resources: defaultResources},
		{name: "nothing scheduled, resources requested, differently sized nodes", pod: twoContainers(),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "6000", "10000")}, want: []int64{37, 50}, resources: defaultResources},
		{name: "Resources not set, pods scheduled with error", pod: twoContainers(),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "6000", "10000")}, want: []int64{0, 0}, wantCode: framework.Error},
		{name: "no resources requested, pods scheduled", pod: stPod(""),
			nodes:    []*model.Node{n("node1", "4000", "10000"), n("node2", "4000", "10000")},
			existing: []*model.Pod{stPod("node1"), stPod("node1"), stPod("node2"), stPod("node2")}, want: []int64{100, 100}, resources: defaultResources},
		{name: "no resources requested, pods scheduled with resources", pod: stPod(""),
			nodes: []*model.Node{n("node1", "10000", "20000"), n("node2", "10000", "20000")},
			existing: []*model.Pod{stPod("node1", cm("3000", "0")), stPod("node1", cm("3000", "0")),
				stPod("node2", cm("3000", "0")), stPod("node2", cm("3000", "5000"))}, want: []int64{70, 57}, resources: defaultResources},
		{name: "resources requested, pods scheduled with resources", pod: twoContainers(),
			nodes:    []*model.Node{n("node1", "10000", "20000"), n("node2", "10000", "20000")},
			existing: []*model.Pod{stPod("node1", cm("3000", "0")), stPod("node2", cm("3000", "5000"))}, want: []int64{57, 45}, resources: defaultResources},
		{name: "resources requested, pods scheduled with resources, differently sized nodes", pod: twoContainers(),
			nodes:    []*model.Node{n("node1", "10000", "20000"), n("node2", "10000", "50000")},
			existing: []*model.Pod{stPod("node1", cm("3000", "0")), stPod("node2", cm("3000", "5000"))}, want: []int64{57, 60}, resources: defaultResources},
		{name: "requested resources exceed node capacity", pod: stPod("", cm("3000", "0")),
			nodes:    []*model.Node{n("node1", "4000", "10000"), n("node2", "4000", "10000")},
			existing: []*model.Pod{stPod("node1", cm("3000", "0")), stPod("node2", cm("3000", "5000"))}, want: []int64{50, 25}, resources: defaultResources},
		{name: "zero node resources, pods scheduled with resources", pod: stPod(""),
			nodes:    []*model.Node{stNode("node1", nil), stNode("node2", nil)},
			existing: []*model.Pod{stPod("node1", cm("3000", "0")), stPod("node2", cm("3000", "5000"))}, want: []int64{0, 0}, resources: defaultResources},
		{name: "nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes", pod: twoContainers(),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "6000", "10000")}, want: []int64{41, 50},
			resources: []ResourceSpec{{Name: "memory", Weight: 2}, {Name: "cpu", Weight: 1}}},
		{name: "resource with negative weight", pod: twoContainers(), nodes: []*model.Node{n("node1", "4000", "10000")},
			resources: []ResourceSpec{{Name: "memory", Weight: -1}, {Name: "cpu", Weight: 1}},
			wantErr:   "scoringStrategy.resources[0].weight: Invalid value: -1: resource weight of memory not in valid range (0, 100]"},
		{name: "resource with zero weight", pod: twoContainers(), nodes: []*model.Node{n("node1", "4000", "10000")},
			resources: []ResourceSpec{{Name: "memory", Weight: 1}, {Name: "cpu", Weight: 0}},
			wantErr:   "scoringStrategy.resources[1].weight: Invalid value: 0: resource weight of cpu not in valid range (0, 100]"},
		{name: "resource weight larger than MaxNodeScore", pod: twoContainers(), nodes: []*model.Node{n("node1", "4000", "10000")},
			resources: []ResourceSpec{{Name: "memory", Weight: 1}, {Name: "cpu", Weight: 101}},
			wantErr:   "scoringStrategy.resources[1].weight: Invalid value: 101: resource weight of cpu not in valid range (0, 100]"},
		{name: "bypass extended resource if the pod does not request", pod: twoContainers(),
			nodes:     []*model.Node{n("node1", "6000", "10000"), stNode("node2", map[string]string{"cpu": "6000", "memory": "10000", extendedRes: "4"})},
			resources: extendedResourceSet, want: []int64{50, 50}},
		{name: "honor extended resource if the pod requests", pod: stPod("", map[string]string{"cpu": "3000", "memory": "5000", extendedRes: "2"}),
			nodes: []*model.Node{stNode("node1", map[string]string{"cpu": "6000", "memory": "10000", extendedRes: "4"}),
				stNode("node2", map[string]string{"cpu": "6000", "memory": "10000", extendedRes: "10"})},
			resources: extendedResourceSet, want: []int64{50, 60}},
		{name: "if the node doesn't have a resource", pod: stPod("", cm("3000", "4000")),
			nodes:     []*model.Node{n("node1", "6000", "10000"), stNode("node2", map[string]string{"cpu": "6000", "memory": "10000", extendedRes: "4"})},
			resources: []ResourceSpec{{Name: extendedRes, Weight: 2}, {Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}}, want: []int64{55, 55}},
	})
}

// Cases from upstream most_allocated_test.go TestMostAllocatedScoringStrategy.
func TestMostAllocatedScoringStrategy(t *testing.T) {
	n := func(name, cpu, mem string) *model.Node { return stNode(name, cm(cpu, mem)) }
	twoContainers := func() *model.Pod { return stPod("", cm("1000", "2000"), cm("2000", "3000")) }
	runScoreCases(t, MostAllocated, []scoreCase{
		{name: "nothing scheduled, nothing requested", pod: stPod(""),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "4000", "10000")}, want: []int64{0, 0}, resources: defaultResources},
		{name: "nothing scheduled, resources requested, differently sized nodes", pod: twoContainers(),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "6000", "10000")}, want: []int64{62, 50}, resources: defaultResources},
		{name: "Resources not set, pods scheduled with error", pod: twoContainers(),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "6000", "10000")}, want: []int64{0, 0}, wantCode: framework.Error},
		{name: "no resources requested, pods scheduled with resources", pod: stPod(""),
			nodes: []*model.Node{n("node1", "10000", "20000"), n("node2", "10000", "20000")},
			existing: []*model.Pod{stPod("node1", cm("3000", "0")), stPod("node1", cm("3000", "0")),
				stPod("node2", cm("3000", "0")), stPod("node2", cm("3000", "5000"))}, want: []int64{30, 42}, resources: defaultResources},
		{name: "resources requested, pods scheduled with resources", pod: twoContainers(),
			nodes:    []*model.Node{n("node1", "10000", "20000"), n("node2", "10000", "20000")},
			existing: []*model.Pod{stPod("node1", cm("3000", "0")), stPod("node2", cm("3000", "5000"))}, want: []int64{42, 55}, resources: defaultResources},
		{name: "resources requested equal node capacity", pod: stPod("", cm("2000", "4000"), cm("3000", "5000")),
			nodes: []*model.Node{n("node1", "5000", "10000"), n("node2", "10000", "9000")}, want: []int64{95, 75}, resources: defaultResources},
		{name: "nothing scheduled, resources requested, differently sized nodes (weighted)", pod: twoContainers(),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "6000", "10000")}, want: []int64{58, 50},
			resources: []ResourceSpec{{Name: "memory", Weight: 2}, {Name: "cpu", Weight: 1}}},
		{name: "no resources requested, pods scheduled, nonzero request for resource", pod: stPod("", nil),
			nodes:    []*model.Node{n("node1", "250m", "1000Mi"), n("node2", "250m", "1000Mi")},
			existing: []*model.Pod{stPod("node1", nil), stPod("node1", nil)}, want: []int64{80, 30}, resources: defaultResources},
		{name: "resource with negative weight", pod: twoContainers(), nodes: []*model.Node{n("node2", "4000", "10000")},
			resources: []ResourceSpec{{Name: "memory", Weight: -1}, {Name: "cpu", Weight: 1}},
			wantErr:   "scoringStrategy.resources[0].weight: Invalid value: -1: resource weight of memory not in valid range (0, 100]"},
		{name: "resource with zero weight", pod: twoContainers(), nodes: []*model.Node{n("node2", "4000", "10000")},
			resources: []ResourceSpec{{Name: "memory", Weight: 1}, {Name: "cpu", Weight: 0}},
			wantErr:   "scoringStrategy.resources[1].weight: Invalid value: 0: resource weight of cpu not in valid range (0, 100]"},
		{name: "resource weight larger than MaxNodeScore", pod: twoContainers(), nodes: []*model.Node{n("node2", "4000", "10000")},
			resources: []ResourceSpec{{Name: "memory", Weight: 101}},
			wantErr:   "scoringStrategy.resources[0].weight: Invalid value: 101: resource weight of memory not in valid range (0, 100]"},
		{name: "bypass extended resource if the pod does not request", pod: twoContainers(),
			nodes:     []*model.Node{n("node1", "6000", "10000"), stNode("node2", map[string]string{"cpu": "6000", "memory": "10000", extendedRes: "4"})},
			resources: extendedResourceSet, want: []int64{50, 50}},
		{name: "honor extended resource if the pod request", pod: stPod("node1", map[string]string{"cpu": "3000", "memory": "5000", extendedRes: "2"}),
			nodes: []*model.Node{stNode("node1", map[string]string{"cpu": "6000", "memory": "10000", extendedRes: "4"}),
				stNode("node2", map[string]string{"cpu": "6000", "memory": "10000", extendedRes: "10"})},
			resources: extendedResourceSet, want: []int64{50, 40}},
		{name: "if the node doesn't have a resource", pod: stPod("", cm("3000", "4000")),
			nodes:     []*model.Node{n("node1", "6000", "10000"), stNode("node2", map[string]string{"cpu": "6000", "memory": "10000", extendedRes: "4"})},
			resources: []ResourceSpec{{Name: extendedRes, Weight: 2}, {Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}}, want: []int64{45, 45}},
	})
}

// Cases from upstream requested_to_capacity_ratio_test.go
// TestRequestedToCapacityRatioScoringStrategy.
func TestRequestedToCapacityRatioScoringStrategy(t *testing.T) {
	n := func(name, cpu, mem string) *model.Node { return stNode(name, cm(cpu, mem)) }
	shape := []UtilizationShapePoint{{Utilization: 0, Score: 10}, {Utilization: 100, Score: 0}}
	runScoreCases(t, RequestedToCapacityRatio, []scoreCase{
		{name: "nothing scheduled, nothing requested (default - least requested nodes have priority)", pod: stPod(""),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "4000", "10000")}, existing: []*model.Pod{stPod("node1"), stPod("node1")},
			want: []int64{100, 100}, resources: defaultResources, shape: shape},
		{name: "nothing scheduled, resources requested, differently sized nodes (default - least requested nodes have priority)",
			pod:   stPod("", cm("1000", "2000"), cm("2000", "3000")),
			nodes: []*model.Node{n("node1", "4000", "10000"), n("node2", "6000", "10000")}, existing: []*model.Pod{stPod("node1"), stPod("node1")},
			want: []int64{38, 50}, resources: defaultResources, shape: shape},
		{name: "no resources requested, pods scheduled with resources (default - least requested nodes have priority)", pod: stPod(""),
			nodes:    []*model.Node{n("node1", "4000", "10000"), n("node2", "6000", "10000")},
			existing: []*model.Pod{stPod("node1", cm("3000", "5000")), stPod("node2", cm("3000", "5000"))},
			want:     []int64{38, 50}, resources: defaultResources, shape: shape},
	})
}

// TestBrokenLinearFunction: upstream requested_to_capacity_ratio_test.go
// TestBrokenLinearFunction, through the scaled shape of the plugin (scores
// 0..10 become 0..100, so expectations are upstream's ×10).
func TestBrokenLinearFunction(t *testing.T) {
	tests := []struct {
		shape []UtilizationShapePoint
		p     []int64
		want  []int64
	}{
		{[]UtilizationShapePoint{{10, 1}, {90, 9}}, []int64{-10, 0, 9, 10, 15, 19, 20, 89, 90, 99, 100, 110}, []int64{10, 10, 10, 10, 15, 19, 20, 89, 90, 90, 90, 90}},
		{[]UtilizationShapePoint{{0, 2}, {40, 10}, {100, 0}}, []int64{-10, 0, 20, 30, 40, 70, 100, 110}, []int64{20, 20, 60, 80, 100, 50, 0, 0}},
		{[]UtilizationShapePoint{{0, 2}, {40, 2}, {100, 2}}, []int64{-10, 0, 20, 30, 40, 70, 100, 110}, []int64{20, 20, 20, 20, 20, 20, 20, 20}},
	}
	for _, tc := range tests {
		p, err := New(&Args{ScoringStrategy: &ScoringStrategy{Type: RequestedToCapacityRatio, Resources: defaultResources,
			RequestedToCapacityRatio: &RequestedToCapacityRatioParam{Shape: tc.shape}}}, nil)
		require.NoError(t, err)
		for i, u := range tc.p {
			assert.Equal(t, tc.want[i], p.(*Fit).shape(u), "shape %v at %d", tc.shape, u)
		}
	}
}

// TestResourceBinPackingSingleExtended: upstream
// requested_to_capacity_ratio_test.go TestResourceBinPackingSingleExtended.
func TestResourceBinPackingSingleExtended(t *testing.T) {
	const gpu = "intel.com/foo"
	nodes := func() []*model.Node {
		return []*model.Node{makeNode("node1", 4000, 10000*1024*1024, map[string]int64{gpu: 8}), makeNode("node2", 4000, 10000*1024*1024, map[string]int64{gpu: 4})}
	}
	req := func(node, v string) *model.Pod { return stPod(node, map[string]string{gpu: v}) }
	runScoreCases(t, RequestedToCapacityRatio, []scoreCase{
		{name: "nothing scheduled, nothing requested", pod: stPod(""), nodes: nodes(), want: []int64{0, 0}},
		{name: "resources requested, pods scheduled with less resources", pod: req("", "2"), nodes: nodes(), existing: []*model.Pod{stPod("")}, want: []int64{2, 5}},
		{name: "resources requested, pods scheduled with resources, on node with existing pod running", pod: req("", "2"), nodes: nodes(),
			existing: []*model.Pod{req("node2", "2")}, want: []int64{2, 10}},
		{name: "resources requested, pods scheduled with more resources", pod: req("", "4"), nodes: nodes(), existing: []*model.Pod{stPod("")}, want: []int64{5, 10}},
	}, withResources([]ResourceSpec{{Name: gpu, Weight: 1}}, []UtilizationShapePoint{{0, 0}, {100, 1}})...)
}

// TestResourceBinPackingMultipleExtended: upstream
// requested_to_capacity_ratio_test.go TestResourceBinPackingMultipleExtended.
func TestResourceBinPackingMultipleExtended(t *testing.T) {
	const foo, bar = "intel.com/foo", "intel.com/bar"
	nodes := func() []*model.Node {
		return []*model.Node{makeNode("node1", 4000, 10000*1024*1024, map[string]int64{foo: 8, bar: 4}), makeNode("node2", 4000, 10000*1024*1024, map[string]int64{foo: 4, bar: 8})}
	}
	req := func(node, f, b string) *model.Pod { return stPod(node, map[string]string{foo: f, bar: b}) }
	runScoreCases(t, RequestedToCapacityRatio, []scoreCase{
		{name: "nothing scheduled, nothing requested", pod: stPod(""), nodes: nodes(), want: []int64{0, 0}},
		{name: "resources requested, pods scheduled with less resources", pod: req("", "2", "2"), nodes: nodes(), existing: []*model.Pod{stPod("")}, want: []int64{4, 3}},
		{name: "resources requested, pods scheduled with resources, on node with existing pod running", pod: req("", "2", "2"), nodes: nodes(),
			existing: []*model.Pod{req("node2", "4", "2")}, want: []int64{4, 7}},
		{name: "resources requested, pods scheduled with more resources", pod: req("", "4", "2"), nodes: nodes(), existing: []*model.Pod{stPod("")}, want: []int64{5, 5}},
	}, withResources([]ResourceSpec{{Name: foo, Weight: 3}, {Name: bar, Weight: 5}}, []UtilizationShapePoint{{0, 0}, {100, 1}})...)
}

func withResources(r []ResourceSpec, shape []UtilizationShapePoint) []scoreCase {
	return []scoreCase{{resources: r, shape: shape}}
}

// TestFitScore: upstream fit_test.go TestFitScore (all cases but the DRA
// ones), with and without PreScore.
func TestFitScore(t *testing.T) {
	nodes := func(cpu2 string) []*model.Node {
		return []*model.Node{stNode("node1", cm("4000", "10000")), stNode("node2", cm(cpu2, "10000"))}
	}
	existing := func() []*model.Pod {
		return []*model.Pod{stPod("node1", cm("2000", "4000")), stPod("node2", cm("1000", "2000"))}
	}
	sidecar := func() []*model.Pod {
		return []*model.Pod{withSidecar(stPod("node1", cm("1000", "2000")), cm("1000", "2000")), stPod("node2", cm("1000", "2000"))}
	}
	ratio := func(s []UtilizationShapePoint) *ScoringStrategy {
		return &ScoringStrategy{Type: RequestedToCapacityRatio, Resources: defaultResources, RequestedToCapacityRatio: &RequestedToCapacityRatioParam{Shape: s}}
	}
	tests := []struct {
		name     string
		pod      *model.Pod
		nodes    []*model.Node
		existing []*model.Pod
		strategy *ScoringStrategy
		want     []int64
	}{
		{"test case for ScoringStrategy RequestedToCapacityRatio case1", stPod("", cm("3000", "5000")), nodes("6000"), existing(),
			ratio([]UtilizationShapePoint{{0, 10}, {100, 0}}), []int64{10, 32}},
		{"test case for ScoringStrategy RequestedToCapacityRatio case2", stPod("", cm("3000", "5000")), nodes("6000"), existing(),
			ratio([]UtilizationShapePoint{{0, 0}, {100, 10}}), []int64{95, 68}},
		{"test case for ScoringStrategy MostAllocated", stPod("", cm("1000", "2000")), nodes("6000"), existing(),
			&ScoringStrategy{Type: MostAllocated, Resources: defaultResources}, []int64{67, 36}},
		{"test case for ScoringStrategy LeastAllocated", stPod("", cm("1000", "2000")), nodes("6000"), existing(),
			&ScoringStrategy{Type: LeastAllocated, Resources: defaultResources}, []int64{32, 63}},
		{"test case for ScoringStrategy MostAllocated with sidecar container", stPod("", cm("1000", "2000")), nodes("4000"), sidecar(),
			&ScoringStrategy{Type: MostAllocated, Resources: defaultResources}, []int64{67, 45}},
		{"test case for ScoringStrategy LeastAllocated with sidecar container", stPod("", cm("1000", "2000")), nodes("4000"), sidecar(),
			&ScoringStrategy{Type: LeastAllocated, Resources: defaultResources}, []int64{32, 55}},
	}
	for _, tc := range tests {
		for _, pre := range []bool{true, false} {
			name := tc.name
			if !pre {
				name += " if PreScore is not called"
			}
			t.Run(name, func(t *testing.T) {
				p, err := New(&Args{ScoringStrategy: tc.strategy}, nil)
				require.NoError(t, err)
				got, _ := scoreNodes(p.(framework.ScorePlugin), tc.pod, tc.nodes, tc.existing, pre)
				assert.Equal(t, tc.want, got)
			})
		}
	}
}
