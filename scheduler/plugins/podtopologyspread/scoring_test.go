package podtopologyspread

import (
	"math"
	"reflect"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

type score struct {
	name  string
	score int64
}

// Cases from upstream scoring_test.go TestPodTopologySpreadScore (plugin
// built with SystemDefaulting, 1.35 gates on). Legend as upstream: X/Y =
// matching pods on candidate nodes, ~Y~ = not a candidate, ?Y? = candidate
// missing a key.
func TestPodTopologySpreadScore(t *testing.T) {
	foo := func(name, node string) *model.Pod { return mkPod(name, node, "foo", "") }
	hostnameNodes := func(names ...string) []*model.Node {
		out := make([]*model.Node, len(names))
		for i, n := range names {
			out[i] = mkNode(n, model.LabelHostname, n)
		}
		return out
	}
	tests := []struct {
		name        string
		pod         *model.Pod
		existing    []*model.Pod
		nodes       []*model.Node
		failedNodes []*model.Node
		objs        []model.Object
		want        []score
	}{
		{
			name:  "one constraint on node, no existing pods",
			pod:   withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, fooSelector)),
			nodes: hostnameNodes("node-a", "node-b"),
			want:  []score{{"node-a", 100}, {"node-b", 100}},
		},
		{
			name:        "one constraint on node, only one node is candidate",
			pod:         withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, fooSelector)),
			existing:    []*model.Pod{foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b")},
			nodes:       hostnameNodes("node-a"),
			failedNodes: hostnameNodes("node-b"),
			want:        []score{{"node-a", 100}},
		},
		{
			name:     "one constraint on node, all nodes have the same number of matching pods",
			pod:      withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{foo("p-a1", "node-a"), foo("p-b1", "node-b")},
			nodes:    hostnameNodes("node-a", "node-b"),
			want:     []score{{"node-a", 100}, {"node-b", 100}},
		},
		{
			name: "one constraint on node, all 4 nodes are candidates",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-d1", "node-d"), foo("p-d2", "node-d"), foo("p-d3", "node-d"),
			},
			nodes: hostnameNodes("node-a", "node-b", "node-c", "node-d"),
			want:  []score{{"node-a", 20}, {"node-b", 60}, {"node-c", 100}, {"node-d", 0}},
		},
		{
			name: "one constraint on node, null selector",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, nil)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-d1", "node-d"), foo("p-d2", "node-d"), foo("p-d3", "node-d"),
			},
			nodes: hostnameNodes("node-a", "node-b", "node-c", "node-d"),
			want:  []score{{"node-a", 100}, {"node-b", 100}, {"node-c", 100}, {"node-d", 100}},
		},
		{
			name: "one constraint on node, all 4 nodes are candidates, maxSkew=2",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(2, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-d1", "node-d"), foo("p-d2", "node-d"), foo("p-d3", "node-d"),
			},
			nodes: hostnameNodes("node-a", "node-b", "node-c", "node-d"),
			want:  []score{{"node-a", 33}, {"node-b", 66}, {"node-c", 100}, {"node-d", 16}},
		},
		{
			name: "one constraint on node, all 4 nodes are candidates, maxSkew=3",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(3, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-a3", "node-a"), foo("p-a4", "node-a"),
				foo("p-b1", "node-b"), foo("p-b2", "node-b"), foo("p-b3", "node-b"),
				foo("p-c1", "node-c"), foo("p-c2", "node-c"), foo("p-d1", "node-d"),
			},
			nodes: hostnameNodes("node-a", "node-b", "node-c", "node-d"),
			want:  []score{{"node-a", 44}, {"node-b", 66}, {"node-c", 77}, {"node-d", 100}},
		},
		{
			name: "system defaulting, nodes don't have zone, pods match service",
			pod:  mkPod("p", "", "foo", ""),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-a3", "node-a"), foo("p-a4", "node-a"),
				foo("p-b1", "node-b"), foo("p-b2", "node-b"), foo("p-b3", "node-b"),
				foo("p-c1", "node-c"), foo("p-c2", "node-c"), foo("p-d1", "node-d"),
			},
			nodes: hostnameNodes("node-a", "node-b", "node-c", "node-d"),
			objs:  []model.Object{&model.Service{ObjectMeta: model.ObjectMeta{Name: "svc", Namespace: "default"}, Spec: model.ServiceSpec{Selector: kv("foo", "")}}},
			want:  []score{{"node-a", 44}, {"node-b", 66}, {"node-c", 77}, {"node-d", 100}},
		},
		{
			name: "one constraint on node, 3 out of 4 nodes are candidates",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-a3", "node-a"), foo("p-a4", "node-a"),
				foo("p-b1", "node-b"), foo("p-b2", "node-b"), foo("p-x1", "node-x"),
				foo("p-y1", "node-y"), foo("p-y2", "node-y"), foo("p-y3", "node-y"),
			},
			nodes:       hostnameNodes("node-a", "node-b", "node-x"),
			failedNodes: hostnameNodes("node-y"),
			want:        []score{{"node-a", 33}, {"node-b", 83}, {"node-x", 100}},
		},
		{
			name: "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-a3", "node-a"), foo("p-a4", "node-a"),
				foo("p-b1", "node-b"), foo("p-b2", "node-b"), foo("p-x1", "node-x"),
				foo("p-y1", "node-y"), foo("p-y2", "node-y"), foo("p-y3", "node-y"),
			},
			nodes:       []*model.Node{mkNode("node-a", model.LabelHostname, "node-a"), mkNode("node-b", "n", "node-b"), mkNode("node-x", model.LabelHostname, "node-x")},
			failedNodes: hostnameNodes("node-y"),
			want:        []score{{"node-a", 16}, {"node-b", 0}, {"node-x", 100}},
		},
		{
			name: "one constraint on zone, 3 out of 4 nodes are candidates",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, "zone", fooSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-a3", "node-a"), foo("p-a4", "node-a"),
				foo("p-b1", "node-b"), foo("p-b2", "node-b"), foo("p-x1", "node-x"),
				foo("p-y1", "node-y"), foo("p-y2", "node-y"), foo("p-y3", "node-y"),
			},
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"),
				mkNode("node-x", "zone", "zone2", model.LabelHostname, "node-x"),
			},
			failedNodes: []*model.Node{mkNode("node-y", "zone", "zone2", model.LabelHostname, "node-y")},
			want:        []score{{"node-a", 75}, {"node-b", 75}, {"node-x", 100}},
		},
		{
			name: "two Constraints on zone and node, 2 out of 4 nodes are candidates",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, "zone", fooSelector), soft(1, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-x1", "node-x"), foo("p-x2", "node-x"),
				foo("p-y1", "node-y"), foo("p-y2", "node-y"), foo("p-y3", "node-y"), foo("p-y4", "node-y"),
			},
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-x", "zone", "zone2", model.LabelHostname, "node-x"),
			},
			failedNodes: []*model.Node{
				mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"), mkNode("node-y", "zone", "zone2", model.LabelHostname, "node-y"),
			},
			want: []score{{"node-a", 100}, {"node-x", 63}},
		},
		{
			name: "two Constraints on zone, 2 out of 4 nodes are candidates",
			pod:  withSpread(mkPod("p", "", "foo", "", "bar", ""), soft(1, "zone", fooSelector), soft(1, "zone", barSelector)),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", "", "bar", ""), foo("p-a2", "node-a"), mkPod("p-b1", "node-b", "foo", "", "bar", ""),
				foo("p-y1", "node-y"), mkPod("p-y2", "node-y", "foo", "", "bar", ""), foo("p-y3", "node-y"),
			},
			nodes:       []*model.Node{mkNode("node-a", "zone", "zone1"), mkNode("node-x", "zone", "zone2")},
			failedNodes: []*model.Node{mkNode("node-b", "zone", "zone1"), mkNode("node-y", "zone", "zone2")},
			want:        []score{{"node-a", 85}, {"node-x", 100}},
		},
		{
			// zone: 2/2/1/1 (foo); node: 0/1/0/1 (bar).
			name: "two Constraints on zone and node, with different labelSelectors",
			pod:  withSpread(mkPod("p", "", "foo", "", "bar", ""), soft(1, "zone", fooSelector), soft(1, model.LabelHostname, barSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), mkPod("p-b1", "node-b", "foo", "", "bar", ""), foo("p-y1", "node-y"), mkPod("p-y2", "node-y", "bar", ""),
			},
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"),
				mkNode("node-x", "zone", "zone2", model.LabelHostname, "node-x"), mkNode("node-y", "zone", "zone2", model.LabelHostname, "node-y"),
			},
			want: []score{{"node-a", 60}, {"node-b", 20}, {"node-x", 100}, {"node-y", 60}},
		},
		{
			// zone: 0/0/2/2 (foo); node: 0/1/0/1 (bar).
			name: "two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods",
			pod:  withSpread(mkPod("p", "", "foo", "", "bar", ""), soft(1, "zone", fooSelector), soft(1, model.LabelHostname, barSelector)),
			existing: []*model.Pod{
				mkPod("p-b1", "node-b", "bar", ""), foo("p-x1", "node-x"), mkPod("p-y1", "node-y", "foo", "", "bar", ""),
			},
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"),
				mkNode("node-x", "zone", "zone2", model.LabelHostname, "node-x"), mkNode("node-y", "zone", "zone2", model.LabelHostname, "node-y"),
			},
			want: []score{{"node-a", 100}, {"node-b", 60}, {"node-x", 40}, {"node-y", 0}},
		},
		{
			// zone: 2/2/1/~1~ (foo); node: 0/1/0/~1~ (bar).
			name: "two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes are candidates",
			pod:  withSpread(mkPod("p", "", "foo", "", "bar", ""), soft(1, "zone", fooSelector), soft(1, model.LabelHostname, barSelector)),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), mkPod("p-b1", "node-b", "foo", "", "bar", ""), foo("p-y1", "node-y"), mkPod("p-y2", "node-y", "bar", ""),
			},
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"),
				mkNode("node-x", "zone", "zone2", model.LabelHostname, "node-x"),
			},
			failedNodes: []*model.Node{mkNode("node-y", "zone", "zone2", model.LabelHostname, "node-y")},
			want:        []score{{"node-a", 50}, {"node-b", 25}, {"node-x", 100}},
		},
		{
			name:     "existing pods in a different namespace do not count",
			pod:      withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{inNS(foo("p-a1", "node-a"), "ns1"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-b2", "node-b")},
			nodes:    hostnameNodes("node-a", "node-b"),
			want:     []score{{"node-a", 100}, {"node-b", 33}},
		},
		{
			name:     "terminating Pods should be excluded",
			pod:      withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, fooSelector)),
			existing: []*model.Pod{terminating(foo("p-a", "node-a")), foo("p-b", "node-b")},
			nodes:    hostnameNodes("node-a", "node-b"),
			want:     []score{{"node-a", 100}, {"node-b", 0}},
		},
		{
			name:     "minDomains has no effect when ScheduleAnyway",
			pod:      withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 2, key: "node", action: model.ScheduleAnyway, sel: fooSelector, minDomains: model.Ptr[int32](10)}),
			existing: []*model.Pod{foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-b2", "node-b"), foo("p-c1", "node-c")},
			nodes:    []*model.Node{mkNode("node-a", "node", "node-a"), mkNode("node-b", "node", "node-b"), mkNode("node-c", "node", "node-c")},
			want:     []score{{"node-a", 75}, {"node-b", 75}, {"node-c", 100}},
		},
		{
			name:     "NodeAffinityPolicy honoed with labelSelectors",
			pod:      withSpread(withNodeSelector(mkPod("p", "", "foo", ""), kv("foo", "")), soft(1, "node", fooSelector)),
			existing: []*model.Pod{foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-c1", "node-c")},
			nodes:    []*model.Node{mkNode("node-a", "node", "node-a", "foo", ""), mkNode("node-b", "node", "node-b", "foo", ""), mkNode("node-c", "node", "node-c")},
			want:     []score{{"node-a", 0}, {"node-b", 33}, {"node-c", 100}},
		},
		{
			name: "NodeAffinityPolicy ignored with labelSelectors",
			pod: withSpread(withNodeSelector(mkPod("p", "", "foo", ""), kv("foo", "")),
				tsc{maxSkew: 1, key: "node", action: model.ScheduleAnyway, sel: fooSelector, affinityPolicy: &ignorePolicy}),
			existing: []*model.Pod{foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-c1", "node-c")},
			nodes:    []*model.Node{mkNode("node-a", "node", "node-a", "foo", ""), mkNode("node-b", "node", "node-b", "foo", ""), mkNode("node-c", "node", "node-c")},
			want:     []score{{"node-a", 66}, {"node-b", 100}, {"node-c", 100}},
		},
		{
			name:     "NodeAffinityPolicy honoed with nodeAffinity",
			pod:      withSpread(withNodeAffinityIn(mkPod("p", "", "foo", ""), "foo", ""), soft(1, "node", fooSelector)),
			existing: []*model.Pod{foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-c1", "node-c")},
			nodes:    []*model.Node{mkNode("node-a", "node", "node-a", "foo", ""), mkNode("node-b", "node", "node-b", "foo", ""), mkNode("node-c", "node", "node-c")},
			want:     []score{{"node-a", 0}, {"node-b", 33}, {"node-c", 100}},
		},
		{
			name:     "NodeTaintsPolicy honored",
			pod:      withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 1, key: "node", action: model.ScheduleAnyway, sel: fooSelector, taintsPolicy: &honorPolicy}),
			existing: []*model.Pod{foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-c1", "node-c")},
			nodes: []*model.Node{mkNode("node-a", "node", "node-a"), mkNode("node-b", "node", "node-b"),
				func() *model.Node { n := mkNode("node-c", "node", "node-c"); n.Spec.Taints = taints; return n }()},
			want: []score{{"node-a", 0}, {"node-b", 33}, {"node-c", 100}},
		},
		{
			name:     "NodeTaintsPolicy ignored",
			pod:      withSpread(mkPod("p", "", "foo", ""), soft(1, "node", fooSelector)),
			existing: []*model.Pod{foo("p-a1", "node-a"), foo("p-a2", "node-a"), foo("p-b1", "node-b"), foo("p-c1", "node-c")},
			nodes: []*model.Node{mkNode("node-a", "node", "node-a"), mkNode("node-b", "node", "node-b"),
				func() *model.Node { n := mkNode("node-c", "node", "node-c"); n.Spec.Taints = taints; return n }()},
			want: []score{{"node-a", 66}, {"node-b", 100}, {"node-c", 100}},
		},
		{
			name: "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
			pod: withSpread(mkPod("p", "", "foo", "", "bar", ""),
				tsc{maxSkew: 1, key: "zone", action: model.ScheduleAnyway, sel: &model.LabelSelector{}, matchLabelKeys: []string{"foo"}},
				tsc{maxSkew: 1, key: model.LabelHostname, action: model.ScheduleAnyway, sel: &model.LabelSelector{}, matchLabelKeys: []string{"bar"}}),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), mkPod("p-b1", "node-b", "foo", "", "bar", ""), foo("p-y1", "node-c"), mkPod("p-y2", "node-c", "bar", ""),
			},
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"),
				mkNode("node-c", "zone", "zone2", model.LabelHostname, "node-c"), mkNode("node-d", "zone", "zone2", model.LabelHostname, "node-d"),
			},
			want: []score{{"node-a", 60}, {"node-b", 20}, {"node-c", 60}, {"node-d", 100}},
		},
		{
			name: "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
			pod: withSpread(mkPod("p", "", "foo", "", "bar", "", "baz", ""),
				soft(1, "zone", fooSelector),
				tsc{maxSkew: 1, key: model.LabelHostname, action: model.ScheduleAnyway, sel: barSelector, matchLabelKeys: []string{"baz"}}),
			existing: []*model.Pod{
				foo("p-a1", "node-a"), mkPod("p-b1", "node-b", "foo", "", "bar", "", "baz", ""), foo("p-c1", "node-c"),
				mkPod("p-c2", "node-c", "bar", ""), mkPod("p-d3", "node-c", "bar", "", "baz", ""),
			},
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"),
				mkNode("node-c", "zone", "zone2", model.LabelHostname, "node-c"), mkNode("node-d", "zone", "zone2", model.LabelHostname, "node-d"),
			},
			want: []score{{"node-a", 60}, {"node-b", 20}, {"node-c", 60}, {"node-d", 100}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := append(append([]*model.Node{}, tt.nodes...), tt.failedNodes...)
			h := fwtest.NewHandle(all, tt.existing, tt.objs...)
			pl := newPlugin(t, &Args{DefaultingType: SystemDefaulting}, h)
			state := framework.NewCycleState()
			nis := nodeInfos(t, h, tt.nodes)
			if st := pl.PreScore(state, tt.pod, nis); !st.IsSuccess() {
				t.Fatalf("PreScore: %v", st)
			}
			got := make(framework.NodeScoreList, len(nis))
			for i, ni := range nis {
				s, st := pl.Score(state, tt.pod, ni)
				if !st.IsSuccess() {
					t.Fatalf("Score: %v", st)
				}
				got[i] = framework.NodeScore{Name: ni.Name(), Score: s}
			}
			if st := pl.ScoreExtensions().NormalizeScore(state, tt.pod, got); !st.IsSuccess() {
				t.Fatalf("NormalizeScore: %v", st)
			}
			for i, w := range tt.want {
				if got[i].Name != w.name || got[i].Score != w.score {
					t.Fatalf("scores = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// Cases from upstream scoring_test.go TestPreScoreStateEmptyNodes: the
// registered domains, ignored nodes and weights.
func TestPreScoreStateEmptyNodes(t *testing.T) {
	tests := []struct {
		name        string
		pod         *model.Pod
		nodes       []*model.Node
		objs        []model.Object
		args        *Args
		wantIgnored []string
		wantCounts  []map[string]int64
		wantWeights []float64
		wantMaxSkew []int32
	}{
		{
			name: "normal case",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, "zone", fooSelector), soft(1, model.LabelHostname, fooSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"),
				mkNode("node-x", "zone", "zone2", model.LabelHostname, "node-x"),
			},
			args:        listArgs(),
			wantCounts:  []map[string]int64{{"zone1": 0, "zone2": 0}, {}},
			wantWeights: []float64{topologyNormalizingWeight(2), topologyNormalizingWeight(3)},
		},
		{
			name: "node-x doesn't have label zone",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, "zone", fooSelector), soft(1, model.LabelHostname, barSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "zone1", model.LabelHostname, "node-b"),
				mkNode("node-x", model.LabelHostname, "node-x"),
			},
			args:        listArgs(),
			wantIgnored: []string{"node-x"},
			wantCounts:  []map[string]int64{{"zone1": 0}, {}},
			wantWeights: []float64{topologyNormalizingWeight(1), topologyNormalizingWeight(2)},
		},
		{
			name: "system default constraints and a replicaset",
			pod:  ownedBy(mkPod("p", "", "foo", "tar", "baz", "sup"), "ReplicaSet", "rs1"),
			nodes: []*model.Node{
				mkNode("node-a", model.LabelHostname, "node-a", model.LabelTopologyZone, "mars"),
				mkNode("node-b", model.LabelHostname, "node-b", model.LabelTopologyZone, "mars"),
				// Nodes with no zone are not excluded: they form the "" zone.
				mkNode("node-c", model.LabelHostname, "node-c"),
				mkNode("node-d", model.LabelHostname, "node-d"),
			},
			objs:        []model.Object{&model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "rs1", Namespace: "default"}, Spec: model.ReplicaSetSpec{Selector: fooSelector}}},
			args:        &Args{DefaultingType: SystemDefaulting},
			wantCounts:  []map[string]int64{{}, {"mars": 0, "": 0}},
			wantWeights: []float64{topologyNormalizingWeight(4), topologyNormalizingWeight(2)},
			wantMaxSkew: []int32{3, 5},
		},
		{
			name: "default constraints and a replicaset",
			pod:  ownedBy(mkPod("p", "", "foo", "tar", "baz", "sup"), "ReplicaSet", "rs1"),
			nodes: []*model.Node{
				mkNode("node-a", "rack", "rack1", model.LabelHostname, "node-a", "planet", "mars"),
			},
			objs: []model.Object{&model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "rs1", Namespace: "default"}, Spec: model.ReplicaSetSpec{Selector: fooSelector}}},
			args: listArgs(
				model.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: model.LabelHostname, WhenUnsatisfiable: model.ScheduleAnyway},
				model.TopologySpreadConstraint{MaxSkew: 2, TopologyKey: "rack", WhenUnsatisfiable: model.DoNotSchedule},
				model.TopologySpreadConstraint{MaxSkew: 2, TopologyKey: "planet", WhenUnsatisfiable: model.ScheduleAnyway},
			),
			wantCounts:  []map[string]int64{{}, {"mars": 0}},
			wantWeights: []float64{topologyNormalizingWeight(1), topologyNormalizingWeight(1)},
			wantMaxSkew: []int32{1, 2},
		},
		{
			name: "default constraints and a replicaset, but pod has constraints",
			pod: withSpread(ownedBy(mkPod("p", "", "foo", "bar", "baz", "sup"), "ReplicaSet", "rs1"),
				hard(1, "zone", barSelector), soft(2, "planet", &model.LabelSelector{MatchLabels: kv("baz", "sup")})),
			nodes: []*model.Node{mkNode("node-a", "planet", "mars", "galaxy", "andromeda")},
			objs:  []model.Object{&model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "rs1", Namespace: "default"}, Spec: model.ReplicaSetSpec{Selector: fooSelector}}},
			args: listArgs(
				model.TopologySpreadConstraint{MaxSkew: 2, TopologyKey: "galaxy", WhenUnsatisfiable: model.ScheduleAnyway},
			),
			wantCounts:  []map[string]int64{{"mars": 0}},
			wantWeights: []float64{topologyNormalizingWeight(1)},
			wantMaxSkew: []int32{2},
		},
		{
			name: "NodeAffinityPolicy honored with labelSelectors",
			pod:  withSpread(withNodeSelector(mkPod("p", "", "foo", ""), kv("foo", "")), soft(1, "zone", barSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", "foo", "", model.LabelHostname, "node-a"),
				mkNode("node-b", "zone", "zone1", "foo", "", model.LabelHostname, "node-b"),
				mkNode("node-x", "zone", "zone2", model.LabelHostname, "node-x"),
			},
			args:        listArgs(),
			wantCounts:  []map[string]int64{{"zone1": 0, "zone2": 0}},
			wantWeights: []float64{topologyNormalizingWeight(2)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, nil, tt.objs...)
			pl := newPlugin(t, tt.args, h)
			state := framework.NewCycleState()
			if st := pl.PreScore(state, tt.pod, h.Snap.List()); !st.IsSuccess() {
				t.Fatalf("PreScore: %v", st)
			}
			s, err := getPreScoreState(state)
			if err != nil {
				t.Fatal(err)
			}
			ignored := map[string]bool{}
			for _, n := range tt.wantIgnored {
				ignored[n] = true
			}
			if !reflect.DeepEqual(s.ignoredNodes, ignored) {
				t.Errorf("ignored = %v, want %v", s.ignoredNodes, ignored)
			}
			if !reflect.DeepEqual(s.topologyValueToPodCounts, tt.wantCounts) {
				t.Errorf("counts = %v, want %v", s.topologyValueToPodCounts, tt.wantCounts)
			}
			if !reflect.DeepEqual(s.topologyNormalizingWeight, tt.wantWeights) {
				t.Errorf("weights = %v, want %v", s.topologyNormalizingWeight, tt.wantWeights)
			}
			for i, ms := range tt.wantMaxSkew {
				if s.constraints[i].maxSkew != ms {
					t.Errorf("constraint %d maxSkew = %d, want %d", i, s.constraints[i].maxSkew, ms)
				}
			}
		})
	}
}

// Cases from upstream scoring_test.go TestPreScoreSkip.
func TestPreScoreSkip(t *testing.T) {
	tests := []struct {
		name  string
		pod   *model.Pod
		nodes []*model.Node
		objs  []model.Object
		args  *Args
	}{
		{
			name:  "the pod doesn't have soft topology spread Constraints",
			pod:   mkPod("p", ""),
			args:  listArgs(),
			nodes: []*model.Node{mkNode("node-a", model.LabelHostname, "node-a"), mkNode("node-b", model.LabelHostname, "node-b")},
		},
		{
			name: "default constraints and a replicaset that doesn't match",
			pod:  ownedBy(mkPod("p", "", "foo", "bar", "baz", "sup"), "ReplicaSet", "rs2"),
			args: listArgs(model.TopologySpreadConstraint{MaxSkew: 2, TopologyKey: "planet", WhenUnsatisfiable: model.ScheduleAnyway}),
			nodes: []*model.Node{
				mkNode("node-a", "planet", "mars"),
			},
			objs: []model.Object{&model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "rs1", Namespace: "default"},
				Spec: model.ReplicaSetSpec{Selector: &model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "tar", Operator: model.LabelSelectorOpExists}}}}}},
		},
		{
			// Not upstream: an empty snapshot is skipped too.
			name: "no nodes",
			pod:  withSpread(mkPod("p", "", "foo", ""), soft(1, "zone", fooSelector)),
			args: listArgs(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, nil, tt.objs...)
			pl := newPlugin(t, tt.args, h)
			if st := pl.PreScore(framework.NewCycleState(), tt.pod, h.Snap.List()); !st.IsSkip() {
				t.Fatalf("PreScore = %v, want Skip", st)
			}
		})
	}
}

// Not upstream: the default selector ANDs the matching Services' selectors
// with the StatefulSet's, ignores Services in other namespaces or without a
// selector, and a non-selecting owner is ignored.
func TestDefaultSelector(t *testing.T) {
	svc := func(ns string, sel map[string]string) *model.Service {
		return &model.Service{ObjectMeta: model.ObjectMeta{Name: "s-" + ns, Namespace: ns}, Spec: model.ServiceSpec{Selector: sel}}
	}
	ss := &model.StatefulSet{ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: model.StatefulSetSpec{Selector: &model.LabelSelector{MatchLabels: kv("tier", "db")}}}
	h := fwtest.NewHandle(nil, nil, svc("default", kv("app", "x")), svc("other", kv("tier", "db")), svc("default", nil), ss)
	pl := newPlugin(t, nil, h)

	pod := ownedBy(mkPod("p", "", "app", "x", "tier", "db"), "StatefulSet", "web")
	sel := pl.defaultSelector(pod)
	if sel.empty() || !sel.hasExtra {
		t.Fatalf("selector %+v: want services AND statefulset", sel)
	}
	cases := []struct {
		labels map[string]string
		want   bool
	}{
		{kv("app", "x", "tier", "db"), true},
		{kv("app", "x"), false},
		{kv("tier", "db"), false},
	}
	for _, c := range cases {
		if got := sel.matches(c.labels); got != c.want {
			t.Errorf("matches(%v) = %v, want %v", c.labels, got, c.want)
		}
	}
	if s := pl.defaultSelector(mkPod("q", "", "other", "y")); !s.empty() {
		t.Errorf("pod selected by nothing: selector %+v, want empty", s)
	}
}

// Not upstream (kept 1.35 quirk): an empty labelSelector counts no existing
// pods, so every node scores the same.
func TestEmptySelectorCountsNothing(t *testing.T) {
	nodes := []*model.Node{mkNode("node-a", model.LabelHostname, "node-a"), mkNode("node-b", model.LabelHostname, "node-b")}
	existing := []*model.Pod{mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", "")}
	h := fwtest.NewHandle(nodes, existing)
	pl := newPlugin(t, nil, h)
	pod := withSpread(mkPod("p", "", "foo", ""), soft(1, model.LabelHostname, &model.LabelSelector{}))
	state := framework.NewCycleState()
	if st := pl.PreScore(state, pod, h.Snap.List()); !st.IsSuccess() {
		t.Fatalf("PreScore: %v", st)
	}
	for _, ni := range h.Snap.List() {
		if s, _ := pl.Score(state, pod, ni); s != 0 {
			t.Errorf("%s: score %d, want 0", ni.Name(), s)
		}
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	nodes := []*model.Node{
		mkNode("node-a", "zone", "z1", model.LabelHostname, "node-a"), mkNode("node-b", "zone", "z2", model.LabelHostname, "node-b"),
	}
	h := fwtest.NewHandle(nodes, []*model.Pod{mkPod("p-a1", "node-a", "foo", "")})
	pl := newPlugin(t, nil, h)
	pod := withSpread(mkPod("p", "", "foo", ""), soft(1, "zone", fooSelector), soft(1, model.LabelHostname, fooSelector))
	state := framework.NewCycleState()
	pl.PreScore(state, pod, h.Snap.List())
	ni, _ := h.Snap.Get("node-a")
	if n := testing.AllocsPerRun(100, func() { pl.Score(state, pod, ni) }); n != 0 {
		t.Fatalf("Score allocates %v times", n)
	}
}

func TestNormalizeIgnoredAndAllZero(t *testing.T) {
	state := framework.NewCycleState()
	state.Write(preScoreStateKey, &preScoreState{ignoredNodes: map[string]bool{"b": true}})
	scores := framework.NodeScoreList{{Name: "a", Score: 0}, {Name: "b", Score: 7}, {Name: "c", Score: 0}}
	(&Plugin{}).NormalizeScore(state, nil, scores)
	if scores[0].Score != 100 || scores[1].Score != 0 || scores[2].Score != 100 {
		t.Fatalf("scores %v", scores)
	}
	if math.Round(2.5) != 3 {
		t.Fatal("math.Round must round half away from zero")
	}
}
