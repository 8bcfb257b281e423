package defaultpreemption

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// Upstream default_preemption_test.go fixtures.
var (
	negPriority, lowPriority, midPriority, highPriority, veryHighPriority = int32(-100), int32(0), int32(100), int32(1000), int32(10000)

	smallRes     = [2]int64{100, 100}
	mediumRes    = [2]int64{200, 200}
	largeRes     = [2]int64{300, 300}
	veryLargeRes = [2]int64{500, 500}
)

func epoch(ns int64) *time.Time { t := time.Unix(0, ns); return &t }

// pod builds a pod in namespace "default" with one container requesting res
// (or none), a priority and an optional node.
func pod(name, node string, prio int32, res *[2]int64) *model.Pod {
	var p *model.Pod
	if res != nil {
		p = fwtest.Pod(name, node, nil, *res)
	} else {
		p = fwtest.Pod(name, node, nil)
	}
	p.Spec.Priority = model.Ptr(prio)
	return p
}

func withLabel(p *model.Pod, k, v string) *model.Pod {
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[k] = v
	return p
}

func withStart(p *model.Pod, t *time.Time) *model.Pod { p.Status.StartTime = t; return p }

// nodeFromName builds a node with veryLargeRes and 32 pods, labelled from
// "hostname/zone/region" as upstream TestDryRunPreemption does.
func nodeFromName(spec string, milliCPU, mem, pods int64) *model.Node {
	parts := strings.Split(spec, "/")
	labels := map[string]string{}
	for i, k := range []string{"hostname", "zone", "region"} {
		if i < len(parts) {
			labels[k] = parts[i]
		}
	}
	return fwtest.Node(parts[0], milliCPU, mem, pods, labels)
}

// fitFilter stands in for NodeResourcesFit: pods, cpu and memory, with
// upstream's reasons.
func fitFilter(_ *framework.CycleState, p *model.Pod, ni *framework.NodeInfo) *framework.Status {
	req := model.PodRequests(p, false)
	var reasons []string
	if int64(len(ni.Pods))+1 > ni.Allocatable.AllowedPodNumber {
		reasons = append(reasons, "Too many pods")
	}
	if req.MilliCPU > 0 && req.MilliCPU > ni.Allocatable.MilliCPU-ni.Requested.MilliCPU {
		reasons = append(reasons, "Insufficient cpu")
	}
	if req.Memory > 0 && req.Memory > ni.Allocatable.Memory-ni.Requested.Memory {
		reasons = append(reasons, "Insufficient memory")
	}
	if len(reasons) > 0 {
		return framework.NewStatus(framework.Unschedulable, reasons...)
	}
	return nil
}

type filterFunc = func(*framework.CycleState, *model.Pod, *framework.NodeInfo) *framework.Status

// countingFilter wraps filters like upstream's FakeFilterPlugin registered
// first: it counts calls and may fail every node with a fixed code.
type countingFilter struct {
	calls int
	code  framework.Code
	next  filterFunc
}

func (c *countingFilter) filter(s *framework.CycleState, p *model.Pod, ni *framework.NodeInfo) *framework.Status {
	c.calls++
	if c.code != framework.Success {
		return framework.NewStatus(c.code)
	}
	if c.next == nil {
		return nil
	}
	return c.next(s, p, ni)
}

var (
	falseFilter = func(*framework.CycleState, *model.Pod, *framework.NodeInfo) *framework.Status {
		return framework.NewStatus(framework.Unschedulable, "injecting failure for pod")
	}
	trueFilter  = func(*framework.CycleState, *model.Pod, *framework.NodeInfo) *framework.Status { return nil }
	matchFilter = func(_ *framework.CycleState, p *model.Pod, ni *framework.NodeInfo) *framework.Status {
		if p.Name == ni.Name() {
			return nil
		}
		return framework.NewStatus(framework.Unschedulable, "injecting failure for pod")
	}
)

func newPlugin(t *testing.T, h framework.Handle, args *Args) *Plugin {
	t.Helper()
	var a any
	if args != nil {
		a = args
	}
	p, err := New(a, h)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Plugin)
}

func sortedNodeInfos(h *fwtest.Handle) []*framework.NodeInfo {
	nis := slices.Clone(h.Snap.List())
	sort.Slice(nis, func(i, j int) bool { return nis[i].Name() < nis[j].Name() })
	return nis
}

type cand struct {
	node  string
	pods  []string
	numPD int
}

// normalize sorts victims by name and candidates by node, as upstream's
// TestDryRunPreemption does before comparing.
func normalize(cs []Victims) []cand {
	out := make([]cand, 0, len(cs))
	for _, c := range cs {
		var names []string
		for _, p := range c.Pods {
			names = append(names, p.Name)
		}
		sort.Strings(names)
		out = append(out, cand{node: c.Node, pods: names, numPD: c.NumPDBViolations})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].node < out[j].node })
	return out
}

func candsEqual(a, b []cand) bool {
	return slices.EqualFunc(a, b, func(x, y cand) bool {
		return x.node == y.node && x.numPD == y.numPD && slices.Equal(x.pods, y.pods)
	})
}

func pdb(labels map[string]string, allowed int32, disrupted ...string) *model.PodDisruptionBudget {
	p := &model.PodDisruptionBudget{ObjectMeta: model.ObjectMeta{Name: "pdb", Namespace: "default"}}
	p.Spec.Selector = &model.LabelSelector{MatchLabels: labels}
	p.Status.DisruptionsAllowed = allowed
	for _, d := range disrupted {
		if p.Status.DisruptedPods == nil {
			p.Status.DisruptedPods = map[string]time.Time{}
		}
		p.Status.DisruptedPods[d] = time.Unix(0, 0)
	}
	return p
}

// Cases from upstream default_preemption_test.go TestDryRunPreemption. The
// offsets are those upstream draws with rand.Seed(4) (the cases' comments:
// 4, then 1, then 3 for five nodes); cases run with parallelism 16
// upstream evaluate every node, so their offset does not matter.
func TestDryRunPreemption(t *testing.T) {
	foo := map[string]string{"app": "foo"}
	lbl := func(p *model.Pod) *model.Pod { return withLabel(p, "app", "foo") }
	tests := []struct {
		name        string
		args        *Args
		nodeNames   []string
		testPods    []*model.Pod
		initPods    []*model.Pod
		filter      filterFunc
		pdbs        []*model.PodDisruptionBudget
		fakeCode    framework.Code
		offsets     []int
		expected    [][]cand
		filterCalls []int
	}{
		{
			name:        "a pod that does not fit on any node",
			filter:      falseFilter,
			nodeNames:   []string{"node1", "node2"},
			testPods:    []*model.Pod{pod("p", "", highPriority, nil)},
			initPods:    []*model.Pod{pod("p1", "node1", midPriority, nil), pod("p2", "node2", midPriority, nil)},
			expected:    [][]cand{{}},
			filterCalls: []int{2},
		},
		{
			name:        "a pod that fits with no preemption",
			filter:      trueFilter,
			nodeNames:   []string{"node1", "node2"},
			testPods:    []*model.Pod{pod("p", "", highPriority, nil)},
			initPods:    []*model.Pod{pod("p1", "node1", midPriority, nil), pod("p2", "node2", midPriority, nil)},
			fakeCode:    framework.Unschedulable,
			expected:    [][]cand{{}},
			filterCalls: []int{2},
		},
		{
			name:        "a pod that fits on one node with no preemption",
			filter:      matchFilter,
			nodeNames:   []string{"node1", "node2"},
			testPods:    []*model.Pod{pod("node1", "", highPriority, nil)},
			initPods:    []*model.Pod{pod("p1", "node1", midPriority, nil), pod("p2", "node2", midPriority, nil)},
			fakeCode:    framework.Unschedulable,
			expected:    [][]cand{{}},
			filterCalls: []int{2},
		},
		{
			name:        "a pod that fits on both nodes when lower priority pods are preempted",
			filter:      fitFilter,
			nodeNames:   []string{"node1", "node2"},
			testPods:    []*model.Pod{pod("p", "", highPriority, &largeRes)},
			initPods:    []*model.Pod{pod("p1", "node1", midPriority, &largeRes), pod("p2", "node2", midPriority, &largeRes)},
			expected:    [][]cand{{{node: "node1", pods: []string{"p1"}}, {node: "node2", pods: []string{"p2"}}}},
			filterCalls: []int{4},
		},
		{
			name:        "a pod that would fit on the nodes, but other pods running are higher priority, no preemption would happen",
			filter:      fitFilter,
			nodeNames:   []string{"node1", "node2"},
			testPods:    []*model.Pod{pod("p", "", lowPriority, &largeRes)},
			initPods:    []*model.Pod{pod("p1", "node1", midPriority, &largeRes), pod("p2", "node2", midPriority, &largeRes)},
			expected:    [][]cand{{}},
			filterCalls: []int{0},
		},
		{
			name:      "medium priority pod is preempted, but lower priority one stays as it is small",
			filter:    fitFilter,
			nodeNames: []string{"node1", "node2"},
			testPods:  []*model.Pod{pod("p", "", highPriority, &largeRes)},
			initPods: []*model.Pod{pod("p1.1", "node1", lowPriority, &smallRes), pod("p1.2", "node1", midPriority, &largeRes),
				pod("p2", "node2", midPriority, &largeRes)},
			expected:    [][]cand{{{node: "node1", pods: []string{"p1.2"}}, {node: "node2", pods: []string{"p2"}}}},
			filterCalls: []int{5},
		},
		{
			name:      "mixed priority pods are preempted",
			filter:    fitFilter,
			nodeNames: []string{"node1", "node2"},
			testPods:  []*model.Pod{pod("p", "", highPriority, &largeRes)},
			initPods: []*model.Pod{pod("p1.1", "node1", midPriority, &smallRes), pod("p1.2", "node1", lowPriority, &smallRes),
				pod("p1.3", "node1", midPriority, &mediumRes), pod("p1.4", "node1", highPriority, &smallRes),
				pod("p2", "node2", highPriority, &largeRes)},
			expected:    [][]cand{{{node: "node1", pods: []string{"p1.2", "p1.3"}}}},
			filterCalls: []int{4},
		},
		{
			name:      "mixed priority pods are preempted, pick later StartTime one when priorities are equal",
			filter:    fitFilter,
			nodeNames: []string{"node1", "node2"},
			testPods:  []*model.Pod{pod("p", "", highPriority, &largeRes)},
			initPods: []*model.Pod{withStart(pod("p1.1", "node1", lowPriority, &smallRes), epoch(5)),
				withStart(pod("p1.2", "node1", lowPriority, &smallRes), epoch(4)),
				withStart(pod("p1.3", "node1", midPriority, &mediumRes), epoch(3)),
				withStart(pod("p1.4", "node1", highPriority, &smallRes), epoch(2)),
				withStart(pod("p2", "node2", highPriority, &largeRes), epoch(1))},
			expected:    [][]cand{{{node: "node1", pods: []string{"p1.1", "p1.3"}}}},
			filterCalls: []int{4},
		},
		{
			name:        "get Unschedulable in the preemption phase when the filter plugins filtering the nodes",
			filter:      fitFilter,
			nodeNames:   []string{"node1", "node2"},
			testPods:    []*model.Pod{pod("p", "", highPriority, &largeRes)},
			initPods:    []*model.Pod{pod("p1", "node1", midPriority, &largeRes), pod("p2", "node2", midPriority, &largeRes)},
			fakeCode:    framework.Unschedulable,
			expected:    [][]cand{{}},
			filterCalls: []int{2},
		},
		{
			name:        "preemption with violation of same pdb",
			filter:      fitFilter,
			nodeNames:   []string{"node1"},
			testPods:    []*model.Pod{pod("p", "", highPriority, &veryLargeRes)},
			initPods:    []*model.Pod{lbl(pod("p1.1", "node1", midPriority, &mediumRes)), lbl(pod("p1.2", "node1", midPriority, &mediumRes))},
			pdbs:        []*model.PodDisruptionBudget{pdb(foo, 1)},
			expected:    [][]cand{{{node: "node1", pods: []string{"p1.1", "p1.2"}, numPD: 1}}},
			filterCalls: []int{3},
		},
		{
			name:        "preemption with violation of the pdb with pod whose eviction was processed, the victim doesn't belong to DisruptedPods",
			filter:      fitFilter,
			nodeNames:   []string{"node1"},
			testPods:    []*model.Pod{pod("p", "", highPriority, &veryLargeRes)},
			initPods:    []*model.Pod{lbl(pod("p1.1", "node1", midPriority, &mediumRes)), lbl(pod("p1.2", "node1", midPriority, &mediumRes))},
			pdbs:        []*model.PodDisruptionBudget{pdb(foo, 1, "p2")},
			expected:    [][]cand{{{node: "node1", pods: []string{"p1.1", "p1.2"}, numPD: 1}}},
			filterCalls: []int{3},
		},
		{
			name:        "preemption with violation of the pdb with pod whose eviction was processed, the victim belongs to DisruptedPods",
			filter:      fitFilter,
			nodeNames:   []string{"node1"},
			testPods:    []*model.Pod{pod("p", "", highPriority, &veryLargeRes)},
			initPods:    []*model.Pod{lbl(pod("p1.1", "node1", midPriority, &mediumRes)), lbl(pod("p1.2", "node1", midPriority, &mediumRes))},
			pdbs:        []*model.PodDisruptionBudget{pdb(foo, 1, "p1.2")},
			expected:    [][]cand{{{node: "node1", pods: []string{"p1.1", "p1.2"}}}},
			filterCalls: []int{3},
		},
		{
			name:      "preemption with violation of the pdb with pod whose eviction was processed, the victim which belongs to DisruptedPods is treated as 'nonViolating'",
			filter:    fitFilter,
			nodeNames: []string{"node1"},
			testPods:  []*model.Pod{pod("p", "", highPriority, &veryLargeRes)},
			initPods: []*model.Pod{lbl(pod("p1.1", "node1", midPriority, &mediumRes)), lbl(pod("p1.2", "node1", midPriority, &mediumRes)),
				lbl(pod("p1.3", "node1", midPriority, &mediumRes))},
			pdbs:        []*model.PodDisruptionBudget{pdb(foo, 1, "p1.3")},
			expected:    [][]cand{{{node: "node1", pods: []string{"p1.1", "p1.2", "p1.3"}, numPD: 1}}},
			filterCalls: []int{4},
		},
		{
			name:      "all nodes are possible candidates, but DefaultPreemptionArgs limits to 2",
			args:      &Args{MinCandidateNodesPercentage: model.Ptr(int32(40)), MinCandidateNodesAbsolute: model.Ptr(int32(1))},
			filter:    fitFilter,
			nodeNames: []string{"node1", "node2", "node3", "node4", "node5"},
			testPods:  []*model.Pod{pod("p", "", highPriority, &largeRes)},
			initPods: []*model.Pod{pod("p1", "node1", midPriority, &largeRes), pod("p2", "node2", midPriority, &largeRes),
				pod("p3", "node3", midPriority, &largeRes), pod("p4", "node4", midPriority, &largeRes), pod("p5", "node5", midPriority, &largeRes)},
			offsets: []int{4},
			// offset=4 => node5 (yes), node1 (yes)
			expected:    [][]cand{{{node: "node1", pods: []string{"p1"}}, {node: "node5", pods: []string{"p5"}}}},
			filterCalls: []int{4},
		},
		{
			name:      "some nodes are not possible candidates, DefaultPreemptionArgs limits to 2",
			args:      &Args{MinCandidateNodesPercentage: model.Ptr(int32(40)), MinCandidateNodesAbsolute: model.Ptr(int32(1))},
			filter:    fitFilter,
			nodeNames: []string{"node1", "node2", "node3", "node4", "node5"},
			testPods:  []*model.Pod{pod("p", "", highPriority, &largeRes)},
			initPods: []*model.Pod{pod("p1", "node1", midPriority, &largeRes), pod("p2", "node2", veryHighPriority, &largeRes),
				pod("p3", "node3", midPriority, &largeRes), pod("p4", "node4", midPriority, &largeRes), pod("p5", "node5", veryHighPriority, &largeRes)},
			offsets: []int{4},
			// offset=4 => node5 (no), node1 (yes), node2 (no), node3 (yes)
			expected:    [][]cand{{{node: "node1", pods: []string{"p1"}}, {node: "node3", pods: []string{"p3"}}}},
			filterCalls: []int{4},
		},
		{
			name:      "preemption offset across multiple scheduling cycles and wrap around",
			args:      &Args{MinCandidateNodesPercentage: model.Ptr(int32(40)), MinCandidateNodesAbsolute: model.Ptr(int32(1))},
			filter:    fitFilter,
			nodeNames: []string{"node1", "node2", "node3", "node4", "node5"},
			testPods: []*model.Pod{pod("tp1", "", highPriority, &largeRes), pod("tp2", "", highPriority, &largeRes),
				pod("tp3", "", highPriority, &largeRes)},
			initPods: []*model.Pod{pod("p1", "node1", midPriority, &largeRes), pod("p2", "node2", midPriority, &largeRes),
				pod("p3", "node3", midPriority, &largeRes), pod("p4", "node4", midPriority, &largeRes), pod("p5", "node5", midPriority, &largeRes)},
			offsets: []int{4, 1, 3},
			expected: [][]cand{
				{{node: "node1", pods: []string{"p1"}}, {node: "node5", pods: []string{"p5"}}}, // offset=4 => node5, node1
				{{node: "node2", pods: []string{"p2"}}, {node: "node3", pods: []string{"p3"}}}, // offset=1 => node2, node3
				{{node: "node4", pods: []string{"p4"}}, {node: "node5", pods: []string{"p5"}}}, // offset=3 => node4, node5
			},
			filterCalls: []int{4, 4, 4},
		},
		{
			name:      "preemption looks past numCandidates until a non-PDB violating node is found",
			args:      &Args{MinCandidateNodesPercentage: model.Ptr(int32(40)), MinCandidateNodesAbsolute: model.Ptr(int32(2))},
			filter:    fitFilter,
			nodeNames: []string{"node1", "node2", "node3", "node4", "node5"},
			testPods:  []*model.Pod{pod("p", "", highPriority, &largeRes)},
			initPods: []*model.Pod{lbl(pod("p1", "node1", midPriority, &largeRes)), lbl(pod("p2", "node2", midPriority, &largeRes)),
				pod("p3", "node3", midPriority, &largeRes), pod("p4", "node4", midPriority, &largeRes), lbl(pod("p5", "node5", midPriority, &largeRes))},
			pdbs:    []*model.PodDisruptionBudget{pdb(foo, 0)},
			offsets: []int{4},
			// offset=4 => node5 (yes, pdb), node1 (yes, pdb), node2 (no, pdb), node3 (yes)
			expected: [][]cand{{{node: "node1", pods: []string{"p1"}, numPD: 1}, {node: "node3", pods: []string{"p3"}},
				{node: "node5", pods: []string{"p5"}, numPD: 1}}},
			filterCalls: []int{8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nodes []*model.Node
			for _, n := range tt.nodeNames {
				nodes = append(nodes, nodeFromName(n, veryLargeRes[0], veryLargeRes[1], 32))
			}
			h := fwtest.NewHandle(nodes, tt.initPods)
			cf := &countingFilter{code: tt.fakeCode, next: tt.filter}
			h.Filter = cf.filter
			pl := newPlugin(t, h, tt.args)
			nodeInfos := sortedNodeInfos(h)
			for cycle, p := range tt.testPods {
				offset := 0
				if cycle < len(tt.offsets) {
					offset = tt.offsets[cycle]
				}
				before := cf.calls
				got, _, _ := pl.DryRunPreemption(framework.NewCycleState(), p, nodeInfos, tt.pdbs, offset, pl.CalculateNumCandidates(len(nodeInfos)))
				if n := cf.calls - before; n != tt.filterCalls[cycle] {
					t.Errorf("cycle %d: filter called %d times, want %d", cycle, n, tt.filterCalls[cycle])
				}
				if g := normalize(got); !candsEqual(g, tt.expected[cycle]) {
					t.Errorf("cycle %d: candidates %+v, want %+v", cycle, g, tt.expected[cycle])
				}
			}
		})
	}
}

// Cases from upstream default_preemption_test.go TestSelectBestCandidate.
func TestSelectBestCandidate(t *testing.T) {
	st := func(p *model.Pod, ns int64) *model.Pod { return withStart(p, epoch(ns)) }
	tests := []struct {
		name      string
		nodeNames []string
		pod       *model.Pod
		pods      []*model.Pod
		expected  []string // any of them is valid
	}{
		{
			name:      "a pod that fits on both nodes when lower priority pods are preempted",
			nodeNames: []string{"node1", "node2"},
			pod:       pod("p", "", highPriority, &largeRes),
			pods:      []*model.Pod{st(pod("p1", "node1", midPriority, &largeRes), 0), st(pod("p2", "node2", midPriority, &largeRes), 0)},
			expected:  []string{"node1", "node2"},
		},
		{
			name:      "node with min highest priority pod is picked",
			nodeNames: []string{"node1", "node2", "node3"},
			pod:       pod("p", "", highPriority, &veryLargeRes),
			pods: []*model.Pod{
				st(pod("p1.1", "node1", midPriority, &mediumRes), 0), st(pod("p1.2", "node1", midPriority, &largeRes), 0),
				st(pod("p2.1", "node2", midPriority, &mediumRes), 0), st(pod("p2.2", "node2", lowPriority, &mediumRes), 0),
				st(pod("p3.1", "node3", lowPriority, &mediumRes), 0), st(pod("p3.2", "node3", lowPriority, &mediumRes), 0),
			},
			expected: []string{"node3"},
		},
		{
			name:      "when highest priorities are the same, minimum sum of priorities is picked",
			nodeNames: []string{"node1", "node2", "node3"},
			pod:       pod("p", "", highPriority, &veryLargeRes),
			pods: []*model.Pod{
				st(pod("p1.1", "node1", midPriority, &mediumRes), 0), st(pod("p1.2", "node1", midPriority, &largeRes), 0),
				st(pod("p2.1", "node2", midPriority, &largeRes), 0), st(pod("p2.2", "node2", lowPriority, &mediumRes), 0),
				st(pod("p3.1", "node3", midPriority, &mediumRes), 0), st(pod("p3.2", "node3", midPriority, &mediumRes), 0),
			},
			expected: []string{"node2"},
		},
		{
			name:      "when highest priority and sum are the same, minimum number of pods is picked",
			nodeNames: []string{"node1", "node2", "node3"},
			pod:       pod("p", "", highPriority, &veryLargeRes),
			pods: []*model.Pod{
				st(pod("p1.1", "node1", midPriority, &smallRes), 0), st(pod("p1.2", "node1", negPriority, &smallRes), 0),
				st(pod("p1.3", "node1", midPriority, &smallRes), 0), st(pod("p1.4", "node1", negPriority, &smallRes), 0),
				st(pod("p2.1", "node2", midPriority, &largeRes), 0), st(pod("p2.2", "node2", negPriority, &mediumRes), 0),
				st(pod("p3.1", "node3", midPriority, &mediumRes), 0), st(pod("p3.2", "node3", negPriority, &smallRes), 0),
				st(pod("p3.3", "node3", lowPriority, &smallRes), 0),
			},
			expected: []string{"node2"},
		},
		{
			name:      "sum of adjusted priorities is considered",
			nodeNames: []string{"node1", "node2", "node3"},
			pod:       pod("p", "", highPriority, &veryLargeRes),
			pods: []*model.Pod{
				st(pod("p1.1", "node1", midPriority, &smallRes), 0), st(pod("p1.2", "node1", negPriority, &smallRes), 0),
				st(pod("p1.3", "node1", negPriority, &smallRes), 0),
				st(pod("p2.1", "node2", midPriority, &largeRes), 0), st(pod("p2.2", "node2", negPriority, &mediumRes), 0),
				st(pod("p3.1", "node3", midPriority, &mediumRes), 0), st(pod("p3.2", "node3", negPriority, &smallRes), 0),
				st(pod("p3.3", "node3", lowPriority, &smallRes), 0),
			},
			expected: []string{"node2"},
		},
		{
			name:      "non-overlapping lowest high priority, sum priorities, and number of pods",
			nodeNames: []string{"node1", "node2", "node3", "node4"},
			pod:       pod("p", "", veryHighPriority, &veryLargeRes),
			pods: []*model.Pod{
				st(pod("p1.1", "node1", midPriority, &smallRes), 0), st(pod("p1.2", "node1", lowPriority, &smallRes), 0),
				st(pod("p1.3", "node1", lowPriority, &smallRes), 0),
				st(pod("p2.1", "node2", highPriority, &largeRes), 0),
				st(pod("p3.1", "node3", midPriority, &mediumRes), 0), st(pod("p3.2", "node3", lowPriority, &smallRes), 0),
				st(pod("p3.3", "node3", lowPriority, &smallRes), 0), st(pod("p3.4", "node3", lowPriority, &mediumRes), 0),
				st(pod("p4.1", "node4", midPriority, &mediumRes), 0), st(pod("p4.2", "node4", midPriority, &smallRes), 0),
				st(pod("p4.3", "node4", midPriority, &smallRes), 0), st(pod("p4.4", "node4", negPriority, &smallRes), 0),
			},
			expected: []string{"node1"},
		},
		{
			name:      "same priority, same number of victims, different start time for each node's pod",
			nodeNames: []string{"node1", "node2", "node3"},
			pod:       pod("p", "", highPriority, &veryLargeRes),
			pods: []*model.Pod{
				st(pod("p1.1", "node1", midPriority, &mediumRes), 2), st(pod("p1.2", "node1", midPriority, &mediumRes), 2),
				st(pod("p2.1", "node2", midPriority, &mediumRes), 3), st(pod("p2.2", "node2", midPriority, &mediumRes), 3),
				st(pod("p3.1", "node3", midPriority, &mediumRes), 1), st(pod("p3.2", "node3", midPriority, &mediumRes), 1),
			},
			expected: []string{"node2"},
		},
		{
			name:      "same priority, same number of victims, different start time for all pods",
			nodeNames: []string{"node1", "node2", "node3"},
			pod:       pod("p", "", highPriority, &veryLargeRes),
			pods: []*model.Pod{
				st(pod("p1.1", "node1", midPriority, &mediumRes), 4), st(pod("p1.2", "node1", midPriority, &mediumRes), 2),
				st(pod("p2.1", "node2", midPriority, &mediumRes), 5), st(pod("p2.2", "node2", midPriority, &mediumRes), 1),
				st(pod("p3.1", "node3", midPriority, &mediumRes), 3), st(pod("p3.2", "node3", midPriority, &mediumRes), 6),
			},
			expected: []string{"node3"},
		},
		{
			name:      "different priority, same number of victims, different start time for all pods",
			nodeNames: []string{"node1", "node2", "node3"},
			pod:       pod("p", "", highPriority, &veryLargeRes),
			pods: []*model.Pod{
				st(pod("p1.1", "node1", lowPriority, &mediumRes), 4), st(pod("p1.2", "node1", midPriority, &mediumRes), 2),
				st(pod("p2.1", "node2", midPriority, &mediumRes), 6), st(pod("p2.2", "node2", lowPriority, &mediumRes), 1),
				st(pod("p3.1", "node3", lowPriority, &mediumRes), 3), st(pod("p3.2", "node3", midPriority, &mediumRes), 5),
			},
			expected: []string{"node2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nodes []*model.Node
			for _, n := range tt.nodeNames {
				nodes = append(nodes, nodeFromName(n, veryLargeRes[0], veryLargeRes[1], 32))
			}
			h := fwtest.NewHandle(nodes, tt.pods)
			h.Filter = fitFilter
			pl := newPlugin(t, h, nil)
			nodeInfos := h.Snap.List()
			offset, num := pl.GetOffsetAndNumCandidates(len(nodeInfos))
			candidates, _, err := pl.DryRunPreemption(framework.NewCycleState(), tt.pod, nodeInfos, nil, offset, num)
			if err != nil {
				t.Fatal(err)
			}
			s := pl.SelectCandidate(candidates)
			if s == nil || !slices.Contains(tt.expected, s.Node) {
				t.Errorf("selected %+v, want any of %v", s, tt.expected)
			}
		})
	}
}

// Cases from upstream default_preemption_test.go TestPodEligibleToPreemptOthers.
func TestPodEligibleToPreemptOthers(t *testing.T) {
	nominated := func(p *model.Pod, node string) *model.Pod { p.Status.NominatedNodeName = node; return p }
	terminating := func(p *model.Pod) *model.Pod { now := time.Unix(100, 0); p.DeletionTimestamp = &now; return p }
	preempted := func(p *model.Pod) *model.Pod {
		p.Status.SetCondition(model.PodCondition{Type: model.DisruptionTarget, Status: model.ConditionTrue, Reason: ReasonPreemptionByScheduler})
		return p
	}
	never := pod("p_with_preempt_never_policy", "", highPriority, nil)
	never.Spec.PreemptionPolicy = model.Ptr(model.PreemptNever)
	tests := []struct {
		name                string
		pod                 *model.Pod
		pods                []*model.Pod
		nodes               []string
		nominatedNodeStatus *framework.Status
		expected            bool
	}{
		{
			name:                "Pod with nominated node",
			pod:                 nominated(pod("p_with_nominated_node", "", highPriority, nil), "node1"),
			pods:                []*model.Pod{terminating(pod("p1", "node1", lowPriority, nil))},
			nodes:               []string{"node1"},
			nominatedNodeStatus: framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) had untolerated taint(s)"),
			expected:            true,
		},
		{
			name:     "Pod without nominated node",
			pod:      pod("p_without_nominated_node", "", highPriority, nil),
			expected: true,
		},
		{
			name:     "Pod with 'PreemptNever' preemption policy",
			pod:      never,
			expected: false,
		},
		{
			name:     "preemption victim pod terminating, as indicated by the dedicated DisruptionTarget condition",
			pod:      nominated(pod("p_with_nominated_node", "", highPriority, nil), "node1"),
			pods:     []*model.Pod{preempted(terminating(pod("p1", "node1", lowPriority, nil)))},
			nodes:    []string{"node1"},
			expected: false,
		},
		{
			name:     "non-victim Pods terminating",
			pod:      nominated(pod("p_with_nominated_node", "", highPriority, nil), "node1"),
			pods:     []*model.Pod{terminating(pod("p1", "node1", lowPriority, nil))},
			nodes:    []string{"node1"},
			expected: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nodes []*model.Node
			for _, n := range tt.nodes {
				nodes = append(nodes, fwtest.Node(n, 1000, 1000, 32, nil))
			}
			pl := newPlugin(t, fwtest.NewHandle(nodes, tt.pods), nil)
			if got, _ := pl.PodEligibleToPreemptOthers(tt.pod, tt.nominatedNodeStatus); got != tt.expected {
				t.Errorf("eligible = %v, want %v", got, tt.expected)
			}
		})
	}
}

// statuses builds a NodeToStatus whose absent nodes are
// UnschedulableAndUnresolvable, as upstream's tests do.
func statuses(m map[string]framework.Code) *framework.NodeToStatus {
	s := &framework.NodeToStatus{Statuses: map[string]*framework.Status{}, AbsentStatus: framework.NewStatus(framework.UnschedulableAndUnresolvable)}
	for n, c := range m {
		s.Statuses[n] = framework.NewStatus(c)
	}
	return s
}

// Cases from upstream default_preemption_test.go TestPostFilter (the
// extender case is not modelled).
func TestPostFilter(t *testing.T) {
	onePod := func(name string) *model.Node { return fwtest.Node(name, 0, 0, 1, nil) }
	nodeRes := func(name string) *model.Node { return fwtest.Node(name, 200, 400, 32, nil) }
	large := func(name string) *model.Node { return fwtest.Node(name, largeRes[0], largeRes[1], 32, nil) }
	errorNode := func(name string) *model.Node { n := large(name); n.Labels["error"] = "true"; return n }
	U, UU := framework.Unschedulable, framework.UnschedulableAndUnresolvable
	tests := []struct {
		name       string
		pod        *model.Pod
		pods       []*model.Pod
		nodes      []*model.Node
		filtered   map[string]framework.Code
		wantResult *framework.PostFilterResult
		wantCode   framework.Code
		wantMsg    string
	}{
		{
			name:       "pod with higher priority can be made schedulable",
			pod:        pod("p", "", highPriority, nil),
			pods:       []*model.Pod{pod("p1", "node1", 0, nil)},
			nodes:      []*model.Node{onePod("node1")},
			filtered:   map[string]framework.Code{"node1": U},
			wantResult: &framework.PostFilterResult{NominatedNodeName: "node1"},
		},
		{
			name:       "pod with tied priority is still unschedulable",
			pod:        pod("p", "", 0, nil),
			pods:       []*model.Pod{pod("p1", "node1", 0, nil)},
			nodes:      []*model.Node{onePod("node1")},
			filtered:   map[string]framework.Code{"node1": U},
			wantResult: &framework.PostFilterResult{},
			wantCode:   U,
			wantMsg:    "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
		},
		{
			name:       "preemption should respect filteredNodesStatuses",
			pod:        pod("p", "", highPriority, nil),
			pods:       []*model.Pod{pod("p1", "node1", 0, nil)},
			nodes:      []*model.Node{onePod("node1")},
			filtered:   map[string]framework.Code{"node1": UU},
			wantResult: &framework.PostFilterResult{},
			wantCode:   U,
			wantMsg:    "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
		},
		{
			name:       "pod can be made schedulable on one node",
			pod:        pod("p", "", midPriority, nil),
			pods:       []*model.Pod{pod("p1", "node1", highPriority, nil), pod("p2", "node2", lowPriority, nil)},
			nodes:      []*model.Node{onePod("node1"), onePod("node2")},
			filtered:   map[string]framework.Code{"node1": U, "node2": U},
			wantResult: &framework.PostFilterResult{NominatedNodeName: "node2"},
		},
		{
			name:       "no candidate nodes found, no enough resource after removing low priority pods",
			pod:        pod("p", "", highPriority, &largeRes),
			pods:       []*model.Pod{pod("p1", "node1", 0, nil), pod("p2", "node2", 0, nil)},
			nodes:      []*model.Node{nodeRes("node1"), nodeRes("node2")},
			filtered:   map[string]framework.Code{"node1": U, "node2": U},
			wantResult: &framework.PostFilterResult{},
			wantCode:   U,
			wantMsg:    "preemption: 0/2 nodes are available: 2 Insufficient cpu.",
		},
		{
			name:       "no candidate nodes found with mixed reasons, no lower priority pod and no enough CPU resource",
			pod:        pod("p", "", highPriority, &largeRes),
			pods:       []*model.Pod{pod("p1", "node1", highPriority, nil), pod("p2", "node2", 0, nil), pod("p3", "node3", highPriority, nil)},
			nodes:      []*model.Node{onePod("node1"), nodeRes("node2"), onePod("node3")},
			filtered:   map[string]framework.Code{"node1": U, "node2": U, "node3": U},
			wantResult: &framework.PostFilterResult{},
			wantCode:   U,
			wantMsg:    "preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found for incoming pod.",
		},
		{
			name:       "no candidate nodes found with mixed reason, 2 UnschedulableAndUnresolvable nodes and 2 nodes don't have enough CPU resource",
			pod:        pod("p", "", highPriority, &largeRes),
			pods:       []*model.Pod{pod("p1", "node1", 0, nil), pod("p2", "node2", 0, nil)},
			nodes:      []*model.Node{nodeRes("node1"), nodeRes("node2"), nodeRes("node3"), nodeRes("node4")},
			filtered:   map[string]framework.Code{"node1": U, "node2": U, "node4": UU},
			wantResult: &framework.PostFilterResult{},
			wantCode:   U,
			wantMsg:    "preemption: 0/4 nodes are available: 2 Insufficient cpu, 2 Preemption is not helpful for scheduling.",
		},
		{
			name:     "only one node but failed with TestPlugin",
			pod:      pod("p", "", highPriority, &largeRes),
			pods:     []*model.Pod{pod("p1", "node1", 0, nil)},
			nodes:    []*model.Node{errorNode("node1")},
			filtered: map[string]framework.Code{"node1": U},
			wantCode: framework.Error,
			wantMsg:  `preemption: running RemovePod on PreFilter plugin "test-plugin": failed to remove pod: p`,
		},
		{
			name:       "one failed with TestPlugin and the other pass",
			pod:        pod("p", "", highPriority, &largeRes),
			pods:       []*model.Pod{pod("p1", "node1", 0, nil), pod("p2", "node2", 0, &mediumRes)},
			nodes:      []*model.Node{errorNode("node1"), large("node2")},
			filtered:   map[string]framework.Code{"node1": U, "node2": U},
			wantResult: &framework.PostFilterResult{NominatedNodeName: "node2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, tt.pods)
			h.Filter = fitFilter
			// The upstream test-plugin: AddPod/RemovePod fail on nodes
			// labelled error=true (message as upstream's runtime wraps it).
			ext := func(verb string) func(*framework.CycleState, *model.Pod, *framework.PodInfo, *framework.NodeInfo) *framework.Status {
				return func(_ *framework.CycleState, p *model.Pod, _ *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
					if ni.Node().Labels["error"] == "true" {
						return framework.AsStatus(fmt.Errorf("running %sPod on PreFilter plugin %q: failed to %s pod: %s", verb, "test-plugin", strings.ToLower(verb), p.Name))
					}
					return nil
				}
			}
			h.AddPod, h.RemovePod = ext("Add"), ext("Remove")
			pl := newPlugin(t, h, nil)
			state := framework.NewCycleState()
			res, st := pl.PostFilter(state, tt.pod, statuses(tt.filtered))
			if st.Code() != tt.wantCode || st.Message() != tt.wantMsg {
				t.Errorf("status = %v, want %v %q", st, tt.wantCode, tt.wantMsg)
			}
			if (res == nil) != (tt.wantResult == nil) || (res != nil && *res != *tt.wantResult) {
				t.Errorf("result = %+v, want %+v", res, tt.wantResult)
			}
			d, ok := GetDecision(state)
			if !ok || d.Status != st {
				t.Fatalf("decision not recorded: %+v", d)
			}
			if res != nil && d.Victims.Node != res.NominatedNodeName {
				t.Errorf("decision chose %+v, result %q", d.Victims, res.NominatedNodeName)
			}
		})
	}
}

// Cases from upstream default_preemption_test.go TestPreempt (the
// extender cases are not modelled): the chosen node and victims, and the
// lower-priority nominated pods to clear.
func TestPreempt(t *testing.T) {
	nodes := func() []*model.Node {
		var ns []*model.Node
		for _, n := range []string{"node1", "node2", "node3"} {
			ns = append(ns, fwtest.Node(n, veryLargeRes[0], veryLargeRes[1], 32, nil))
		}
		return ns
	}
	basicPods := func() []*model.Pod {
		return []*model.Pod{pod("p1.1", "node1", lowPriority, &smallRes), pod("p1.2", "node1", lowPriority, &smallRes),
			pod("p2.1", "node2", highPriority, &largeRes), pod("p3.1", "node3", midPriority, &mediumRes)}
	}
	never := pod("p", "", highPriority, &veryLargeRes)
	never.Spec.PreemptionPolicy = model.Ptr(model.PreemptNever)
	lower := model.Ptr(model.PreemptLowerPriority)
	basic := pod("p", "", highPriority, &veryLargeRes)
	basic.Spec.PreemptionPolicy = lower
	tests := []struct {
		name        string
		pod         *model.Pod
		want        string // nominated node; "" for no result
		wantVictims []string
		wantMsg     string
	}{
		{name: "basic preemption logic", pod: basic, want: "node1", wantVictims: []string{"p1.1", "p1.2"}},
		{name: "no preempting in pod", pod: never, wantMsg: "preemption: not eligible due to preemptionPolicy=Never."},
		{name: "PreemptionPolicy is nil", pod: pod("p", "", highPriority, &veryLargeRes), want: "node1", wantVictims: []string{"p1.1", "p1.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(nodes(), basicPods())
			h.Filter = fitFilter
			lowNominated := pod("low", "", lowPriority, nil)
			highNominated := pod("high", "", veryHighPriority, nil)
			h.Nominated = map[string][]*framework.PodInfo{"node1": {framework.NewPodInfo(lowNominated), framework.NewPodInfo(highNominated)}}
			pl := newPlugin(t, h, nil)
			state := framework.NewCycleState()
			res, st := pl.PostFilter(state, tt.pod, statuses(map[string]framework.Code{"node1": framework.Unschedulable,
				"node2": framework.Unschedulable, "node3": framework.Unschedulable}))
			d, _ := GetDecision(state)
			if tt.want == "" {
				if res != nil || st.Message() != tt.wantMsg || d.Eligible {
					t.Fatalf("got %+v %v, want no result and %q", res, st, tt.wantMsg)
				}
				return
			}
			if !st.IsSuccess() || res == nil || res.NominatedNodeName != tt.want {
				t.Fatalf("got %+v %v, want %s", res, st, tt.want)
			}
			var names []string
			for _, p := range d.Victims.Pods {
				names = append(names, p.Name)
			}
			sort.Strings(names)
			if !slices.Equal(names, tt.wantVictims) {
				t.Errorf("victims %v, want %v", names, tt.wantVictims)
			}
			if len(d.NominatedPodsToClear) != 1 || d.NominatedPodsToClear[0] != lowNominated {
				t.Errorf("nominated pods to clear %v, want [low]", d.NominatedPodsToClear)
			}
			if len(d.Candidates) != 2 || len(d.PotentialNodes) != 3 || len(d.Rejected) != 1 || d.Rejected[0].Node != "node2" {
				t.Errorf("decision details %+v", d)
			}
		})
	}
}

// numCandidates = clamp(n*pct/100, abs, n) (upstream calculateNumCandidates;
// the 40%/1 case is TestDryRunPreemption's).
func TestCalculateNumCandidates(t *testing.T) {
	tests := []struct {
		numNodes, pct, abs, want int
	}{
		{numNodes: 5, pct: 10, abs: 100, want: 5},
		{numNodes: 5, pct: 40, abs: 1, want: 2},
		{numNodes: 5, pct: 40, abs: 2, want: 2},
		{numNodes: 1000, pct: 10, abs: 100, want: 100},
		{numNodes: 10000, pct: 10, abs: 100, want: 1000},
		{numNodes: 100, pct: 0, abs: 50, want: 50},
		{numNodes: 100, pct: 50, abs: 10, want: 50},
		{numNodes: 5, pct: 10, abs: 0, want: 0},
	}
	for _, tt := range tests {
		pl := newPlugin(t, fwtest.NewHandle(nil, nil), &Args{MinCandidateNodesPercentage: model.Ptr(int32(tt.pct)), MinCandidateNodesAbsolute: model.Ptr(int32(tt.abs))})
		if got := pl.CalculateNumCandidates(tt.numNodes); got != tt.want {
			t.Errorf("CalculateNumCandidates(%d) with %d%%/%d = %d, want %d", tt.numNodes, tt.pct, tt.abs, got, tt.want)
		}
	}
}

// The offset comes from the seeded "preemption" stream: in range, and the
// same sequence for the same seed.
func TestGetOffsetAndNumCandidates(t *testing.T) {
	draw := func(seed uint64) []int {
		h := fwtest.NewHandle(nil, nil)
		h.Seed = seed
		pl := newPlugin(t, h, nil)
		var out []int
		for i := 0; i < 20; i++ {
			off, num := pl.GetOffsetAndNumCandidates(7)
			if off < 0 || off >= 7 || num != 7 {
				t.Fatalf("offset %d, num %d", off, num)
			}
			out = append(out, off)
		}
		return out
	}
	if a, b := draw(3), draw(3); !slices.Equal(a, b) {
		t.Fatalf("offsets differ for the same seed: %v %v", a, b)
	}
	pl := newPlugin(t, fwtest.NewHandle(nil, nil), nil)
	if off, num := pl.GetOffsetAndNumCandidates(0); off != 0 || num != 0 {
		t.Fatalf("zero nodes: %d %d", off, num)
	}
}

// Defaults from upstream defaults_test.go and validation cases from
// upstream validation_pluginargs_test.go TestValidateDefaultPreemptionArgs.
func TestArgs(t *testing.T) {
	a := NewArgs().(*Args)
	a.SetDefaults()
	if *a.MinCandidateNodesPercentage != 10 || *a.MinCandidateNodesAbsolute != 100 {
		t.Fatalf("defaults = %d %d", *a.MinCandidateNodesPercentage, *a.MinCandidateNodesAbsolute)
	}
	tests := []struct {
		name     string
		pct, abs int32
		wantErr  string
	}{
		{name: "valid args (default)", pct: 10, abs: 100},
		{name: "negative minCandidateNodesPercentage", pct: -1, abs: 100,
			wantErr: "minCandidateNodesPercentage: Invalid value: -1: not in valid range [0, 100]"},
		{name: "too large minCandidateNodesPercentage", pct: 900, abs: 100,
			wantErr: "minCandidateNodesPercentage: Invalid value: 900: not in valid range [0, 100]"},
		{name: "negative minCandidateNodesAbsolute", pct: 20, abs: -1,
			wantErr: "minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)"},
		{name: "all arguments are zero", pct: 0, abs: 0,
			wantErr: "[minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute, " +
				"minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage]"},
		{name: "both negative", pct: -1, abs: -1,
			wantErr: "[minCandidateNodesPercentage: Invalid value: -1: not in valid range [0, 100], minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)]"},
	}
	for _, tt := range tests {
		err := (&Args{MinCandidateNodesPercentage: &tt.pct, MinCandidateNodesAbsolute: &tt.abs}).Validate()
		if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("%s: Validate = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
	if _, err := New(&Args{MinCandidateNodesPercentage: model.Ptr(int32(101))}, fwtest.NewHandle(nil, nil)); err == nil {
		t.Error("New accepted invalid args")
	}
}

// MoreImportantPod orders by priority, then earlier start; a pod that has
// not started ranks after started ones (upstream util.MoreImportantPod).
func TestMoreImportantPod(t *testing.T) {
	a := withStart(pod("a", "", 10, nil), epoch(1))
	b := withStart(pod("b", "", 10, nil), epoch(2))
	c := pod("c", "", 10, nil)
	d := pod("d", "", 20, nil)
	if !MoreImportantPod(d, a) || MoreImportantPod(a, d) {
		t.Error("priority first")
	}
	if !MoreImportantPod(a, b) || MoreImportantPod(b, a) {
		t.Error("earlier start is more important")
	}
	if !MoreImportantPod(b, c) || MoreImportantPod(c, b) {
		t.Error("a pod without start time is the least important")
	}
	if MoreImportantPod(c, c) {
		t.Error("not strict")
	}
}
