package balancedallocation

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
	"github.com/kubesim/kubesim/scheduler/plugins/noderesources"
)

// makeNode is upstream noderesources/test_util.go makeNode.
func makeNode(name string, milliCPU, memory int64, extended map[string]int64) *model.Node {
	l := model.ResourceList{model.ResourceCPU: model.NewMilliQuantity(milliCPU), model.ResourceMemory: model.NewQuantity(memory)}
	for k, v := range extended {
		l[model.ResourceName(k)] = model.NewQuantity(v)
	}
	n := &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{model.LabelHostname: name}},
		Status: model.NodeStatus{Capacity: l, Allocatable: model.DeepCopy(l)}}
	model.SetTypeMeta(n)
	return n
}

var seq int

// pod builds a pod on node with one container per request list.
func pod(node string, containers ...model.ResourceList) *model.Pod {
	seq++
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: fmt.Sprintf("p%d", seq), Namespace: "default", UID: fmt.Sprintf("uid%d", seq)}}
	p.Spec.NodeName = node
	for i, r := range containers {
		p.Spec.Containers = append(p.Spec.Containers, model.Container{Name: fmt.Sprintf("c%d", i), Resources: model.ResourceRequirements{Requests: r}})
	}
	model.SetTypeMeta(p)
	return p
}

func req(kv ...string) model.ResourceList {
	l := model.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[model.ResourceName(kv[i])] = model.MustParseQuantity(kv[i+1])
	}
	return l
}

// The pod specs of upstream balanced_allocation_test.go.
func cpuAndMemory(node string) *model.Pod {
	return pod(node, req("cpu", "1000m", "memory", "2000"), req("cpu", "2000m", "memory", "3000"))
}
func cpuOnly(node string) *model.Pod {
	return pod(node, req("cpu", "1000m", "memory", "0"), req("cpu", "2000m", "memory", "0"))
}
func cpuAndMemoryAndGPU(node string) *model.Pod {
	return pod(node, req("cpu", "1000m", "memory", "2000"), req("cpu", "2000m", "memory", "3000", "nvidia.com/gpu", "3"))
}

// Cases from upstream balanced_allocation_test.go
// TestNodeResourcesBalancedAllocation (1.33-1.35: std formula, Skip for
// best-effort pods).
func TestNodeResourcesBalancedAllocation(t *testing.T) {
	gpu8 := map[string]int64{"nvidia.com/gpu": 8}
	withGPU := &Args{Resources: []noderesources.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}, {Name: "nvidia.com/gpu", Weight: 1}}}
	tests := []struct {
		name         string
		pod          *model.Pod
		pods         []*model.Pod
		nodes        []*model.Node
		args         *Args
		noPreScore   bool
		wantPreScore framework.Code
		want         []int64
	}{
		{name: "nothing scheduled, nothing requested, skip in PreScore", pod: pod(""),
			nodes: []*model.Node{makeNode("node1", 4000, 10000, nil), makeNode("node2", 4000, 10000, nil)}, wantPreScore: framework.Skip},
		// node1: std (0.75-0.5)/2 = 0.125 → 87; node2: 0 → 100.
		{name: "nothing scheduled, resources requested, differently sized nodes", pod: cpuAndMemory(""),
			nodes: []*model.Node{makeNode("node1", 4000, 10000, nil), makeNode("node2", 6000, 10000, nil)}, want: []int64{87, 100}},
		// node1: (0.6-0.25)/2 → 82; node2: (0.6-0.5)/2 → 95.
		{name: "resources requested, pods scheduled with resources", pod: cpuAndMemory(""), pods: []*model.Pod{cpuOnly("node1"), cpuAndMemory("node2")},
			nodes: []*model.Node{makeNode("node1", 10000, 20000, nil), makeNode("node2", 10000, 20000, nil)}, want: []int64{82, 95}},
		{name: "resources requested, pods scheduled with resources, differently sized nodes", pod: cpuAndMemory(""), pods: []*model.Pod{cpuOnly("node1"), cpuAndMemory("node2")},
			nodes: []*model.Node{makeNode("node1", 10000, 20000, nil), makeNode("node2", 10000, 50000, nil)}, want: []int64{82, 80}},
		{name: "requested resources at node capacity", pod: cpuOnly(""), pods: []*model.Pod{cpuOnly("node1"), cpuAndMemory("node2")},
			nodes: []*model.Node{makeNode("node1", 6000, 10000, nil), makeNode("node2", 6000, 10000, nil)}, want: []int64{50, 75}},
		{name: "include scalar resource on a node for balanced resource allocation", pod: pod("", req("memory", "0", "nvidia.com/gpu", "1")),
			pods:  []*model.Pod{cpuAndMemory("node2"), cpuAndMemoryAndGPU("node1")},
			nodes: []*model.Node{makeNode("node1", 3500, 40000, gpu8), makeNode("node2", 3500, 40000, gpu8)}, args: withGPU, want: []int64{70, 65}},
		{name: "node without the scalar resource should skip the scalar resource", pod: cpuAndMemory(""),
			nodes: []*model.Node{makeNode("node1", 3500, 40000, gpu8), makeNode("node2", 3500, 40000, nil)}, args: withGPU, want: []int64{63, 63}},
		{name: "resources requested, pods scheduled with resources if PreScore not called", pod: cpuAndMemory(""), pods: []*model.Pod{cpuOnly("node1"), cpuAndMemory("node2")},
			nodes: []*model.Node{makeNode("node1", 10000, 20000, nil), makeNode("node2", 10000, 20000, nil)}, noPreScore: true, want: []int64{82, 95}},
		// Score without PreScore returns 0 for a best-effort pod (upstream
		// Score's fallback).
		{name: "best-effort pod if PreScore not called", pod: pod(""),
			nodes: []*model.Node{makeNode("node1", 4000, 10000, nil), makeNode("node2", 4000, 10000, nil)}, noPreScore: true, want: []int64{0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				args = &Args{Resources: noderesources.DefaultResources()}
			}
			p, err := New(args, nil)
			require.NoError(t, err)
			ba := p.(*BalancedAllocation)
			h := fwtest.NewHandle(tc.nodes, tc.pods)
			state := framework.NewCycleState()
			if !tc.noPreScore {
				s := ba.PreScore(state, tc.pod, nil)
				assert.Equal(t, tc.wantPreScore, s.Code())
				if s.IsSkip() {
					return
				}
			}
			var got []int64
			for _, n := range tc.nodes {
				ni, _ := h.Snap.Get(n.Name)
				sc, s := ba.Score(state, tc.pod, ni)
				require.True(t, s.IsSuccess(), "Score: %v", s)
				got = append(got, sc)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestArgs: upstream defaults_test.go (NodeResourcesBalancedAllocationArgs)
// and validation_pluginargs_test.go
// TestValidateNodeResourcesBalancedAllocationArgs.
func TestArgs(t *testing.T) {
	a := NewArgs().(*Args)
	a.SetDefaults()
	assert.Equal(t, noderesources.DefaultResources(), a.Resources)
	a = &Args{Resources: []noderesources.ResourceSpec{{Name: "cpu"}, {Name: "nvidia.com/gpu", Weight: 1}}}
	a.SetDefaults()
	assert.Equal(t, []noderesources.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "nvidia.com/gpu", Weight: 1}}, a.Resources)

	tests := []struct {
		name    string
		args    Args
		wantErr string
	}{
		{name: "valid config", args: Args{Resources: []noderesources.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}}}},
		{name: "invalid config", args: Args{Resources: []noderesources.ResourceSpec{{Name: "cpu", Weight: 2}, {Name: "memory", Weight: 1}}},
			wantErr: "resources[0].weight: Invalid value: 2: must be 1"},
		{name: "repeated resources", args: Args{Resources: []noderesources.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "cpu", Weight: 1}}},
			wantErr: `resources[1].name: Duplicate value: "cpu"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.args.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tc.wantErr)
			}
		})
	}
	_, err := New(&Args{Resources: []noderesources.ResourceSpec{{Name: "cpu", Weight: 2}}}, nil)
	assert.Error(t, err)
}

// TestScoreDoesNotAllocate: Score on a node with PreScore state must not
// allocate.
func TestScoreDoesNotAllocate(t *testing.T) {
	p, err := New(nil, nil)
	require.NoError(t, err)
	ba := p.(*BalancedAllocation)
	h := fwtest.NewHandle([]*model.Node{makeNode("node1", 10000, 20000, nil)}, []*model.Pod{cpuOnly("node1")})
	ni, _ := h.Snap.Get("node1")
	incoming := cpuAndMemory("")
	state := framework.NewCycleState()
	require.Nil(t, ba.PreScore(state, incoming, nil))
	allocs := testing.AllocsPerRun(100, func() { _, _ = ba.Score(state, incoming, ni) })
	assert.Zero(t, allocs)
}
