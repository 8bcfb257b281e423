package podtopologyspread

import (
	"math"
	"reflect"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

func fourNodes() []*model.Node {
	return []*model.Node{
		mkNode("node-a", "zone", "zone1", "node", "node-a"),
		mkNode("node-b", "zone", "zone1", "node", "node-b"),
		mkNode("node-x", "zone", "zone2", "node", "node-x"),
		mkNode("node-y", "zone", "zone2", "node", "node-y"),
	}
}

// Cases from upstream filtering_test.go TestPreFilterState (List
// defaulting, gates on as in 1.35).
func TestPreFilterState(t *testing.T) {
	tests := []struct {
		name               string
		pod                *model.Pod
		nodes              []*model.Node
		existing           []*model.Pod
		defaultConstraints []model.TopologySpreadConstraint
		objs               []model.Object
		wantSkip           bool
		wantCounts         []map[string]int
		wantPaths          [][2]path
	}{
		{
			name:       "clean cluster with one spreadConstraint",
			pod:        withSpread(mkPod("p", "", "foo", ""), hard(5, "zone", &model.LabelSelector{MatchLabels: kv("foo", "bar")})),
			nodes:      fourNodes(),
			wantCounts: []map[string]int{{"zone1": 0, "zone2": 0}},
			wantPaths:  [][2]path{{{"zone1", 0}, {"zone2", 0}}},
		},
		{
			name:  "normal case with one spreadConstraint",
			pod:   withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector)),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-y1", "node-y", "foo", ""), mkPod("p-y2", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 3, "zone2": 2}},
			wantPaths:  [][2]path{{{"zone2", 2}, {"zone1", 3}}},
		},
		{
			name:  "normal case with null label selector",
			pod:   withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", nil)),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-y1", "node-y", "foo", ""), mkPod("p-y2", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 0, "zone2": 0}},
			wantPaths:  [][2]path{{{"zone1", 0}, {"zone2", 0}}},
		},
		{
			name: "normal case with one spreadConstraint, on a 3-zone cluster",
			pod:  withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector)),
			nodes: append(fourNodes(),
				mkNode("node-o", "zone", "zone3", "node", "node-o"), mkNode("node-p", "zone", "zone3", "node", "node-p")),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-y1", "node-y", "foo", ""), mkPod("p-y2", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 3, "zone2": 2, "zone3": 0}},
			wantPaths:  [][2]path{{{"zone3", 0}, {"zone2", 2}}},
		},
		{
			name:  "namespace mismatch doesn't count",
			pod:   withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector)),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), inNS(mkPod("p-a2", "node-a", "foo", ""), "ns1"), mkPod("p-b1", "node-b", "foo", ""),
				inNS(mkPod("p-y1", "node-y", "foo", ""), "ns2"), mkPod("p-y2", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 2, "zone2": 1}},
			wantPaths:  [][2]path{{{"zone2", 1}, {"zone1", 2}}},
		},
		{
			name:  "normal case with two spreadConstraints",
			pod:   withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector), hard(1, "node", fooSelector)),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-y1", "node-y", "foo", ""), mkPod("p-y2", "node-y", "foo", ""), mkPod("p-y3", "node-y", "foo", ""), mkPod("p-y4", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 3, "zone2": 4}, {"node-a": 2, "node-b": 1, "node-x": 0, "node-y": 4}},
			wantPaths:  [][2]path{{{"zone1", 3}, {"zone2", 4}}, {{"node-x", 0}, {"node-b", 1}}},
		},
		{
			name: "soft spreadConstraints should be bypassed",
			pod: withSpread(mkPod("p", "", "foo", ""),
				soft(1, "zone", fooSelector), hard(1, "zone", fooSelector), soft(1, "node", fooSelector), hard(1, "node", fooSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", "node", "node-a"), mkNode("node-b", "zone", "zone1", "node", "node-b"), mkNode("node-y", "zone", "zone2", "node", "node-y"),
			},
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-y1", "node-y", "foo", ""), mkPod("p-y2", "node-y", "foo", ""), mkPod("p-y3", "node-y", "foo", ""), mkPod("p-y4", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 3, "zone2": 4}, {"node-a": 2, "node-b": 1, "node-y": 4}},
			wantPaths:  [][2]path{{{"zone1", 3}, {"zone2", 4}}, {{"node-b", 1}, {"node-a", 2}}},
		},
		{
			name: "default constraints and a service",
			pod:  mkPod("p", "", "foo", "bar", "baz", "kar"),
			defaultConstraints: []model.TopologySpreadConstraint{
				{MaxSkew: 3, TopologyKey: "node", WhenUnsatisfiable: model.DoNotSchedule},
				{MaxSkew: 2, TopologyKey: "node", WhenUnsatisfiable: model.ScheduleAnyway},
				{MaxSkew: 5, TopologyKey: "rack", WhenUnsatisfiable: model.DoNotSchedule},
			},
			objs:       []model.Object{&model.Service{ObjectMeta: model.ObjectMeta{Name: "svc", Namespace: "default"}, Spec: model.ServiceSpec{Selector: kv("foo", "bar")}}},
			wantCounts: []map[string]int{{}, {}},
			wantPaths:  [][2]path{{{"", math.MaxInt32}, {"", math.MaxInt32}}, {{"", math.MaxInt32}, {"", math.MaxInt32}}},
		},
		{
			name:               "default constraints and a service that doesn't match",
			pod:                mkPod("p", "", "foo", "bar"),
			defaultConstraints: []model.TopologySpreadConstraint{{MaxSkew: 3, TopologyKey: "node", WhenUnsatisfiable: model.DoNotSchedule}},
			objs:               []model.Object{&model.Service{ObjectMeta: model.ObjectMeta{Name: "svc", Namespace: "default"}, Spec: model.ServiceSpec{Selector: kv("baz", "kep")}}},
			wantSkip:           true,
		},
		{
			name: "default constraints and a service, but pod has constraints",
			pod: withSpread(mkPod("p", "", "foo", "bar", "baz", "tar"),
				hard(1, "zone", &model.LabelSelector{MatchLabels: kv("baz", "tar")}),
				soft(2, "planet", &model.LabelSelector{MatchLabels: kv("fot", "rok")})),
			defaultConstraints: []model.TopologySpreadConstraint{{MaxSkew: 2, TopologyKey: "node", WhenUnsatisfiable: model.DoNotSchedule}},
			objs:               []model.Object{&model.Service{ObjectMeta: model.ObjectMeta{Name: "svc", Namespace: "default"}, Spec: model.ServiceSpec{Selector: kv("foo", "bar")}}},
			wantCounts:         []map[string]int{{}},
			wantPaths:          [][2]path{{{"", math.MaxInt32}, {"", math.MaxInt32}}},
		},
		{
			name:               "default soft constraints and a service",
			pod:                mkPod("p", "", "foo", "bar"),
			defaultConstraints: []model.TopologySpreadConstraint{{MaxSkew: 2, TopologyKey: "node", WhenUnsatisfiable: model.ScheduleAnyway}},
			objs:               []model.Object{&model.Service{ObjectMeta: model.ObjectMeta{Name: "svc", Namespace: "default"}, Spec: model.ServiceSpec{Selector: kv("foo", "bar")}}},
			wantSkip:           true,
		},
		{
			name: "NodeAffinityPolicy honored with labelSelectors",
			pod:  withSpread(withNodeSelector(mkPod("p", "", "foo", ""), kv("foo", "")), hard(1, "node", barSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "node", "node-a", "foo", ""), mkNode("node-b", "node", "node-b", "foo", ""), mkNode("node-c", "node", "node-c", "bar", ""),
			},
			existing: []*model.Pod{
				mkPod("p-a", "node-a", "bar", ""), mkPod("p-b", "node-b", "bar", ""), mkPod("p-c", "node-b", "bar", ""), mkPod("p-d", "node-c"),
			},
			wantCounts: []map[string]int{{"node-a": 1, "node-b": 2}},
			wantPaths:  [][2]path{{{"node-a", 1}, {"node-b", 2}}},
		},
		{
			name: "NodeAffinityPolicy ignored with labelSelectors",
			pod: withSpread(withNodeSelector(mkPod("p", "", "foo", ""), kv("foo", "")),
				tsc{maxSkew: 1, key: "node", action: model.DoNotSchedule, sel: barSelector, affinityPolicy: &ignorePolicy}),
			nodes: []*model.Node{
				mkNode("node-a", "node", "node-a", "foo", ""), mkNode("node-b", "node", "node-b", "foo", ""), mkNode("node-c", "node", "node-c", "bar", ""),
			},
			existing: []*model.Pod{
				mkPod("p-a", "node-a", "bar", ""), mkPod("p-b", "node-b", "bar", ""), mkPod("p-c", "node-b", "bar", ""), mkPod("p-d", "node-c"),
			},
			wantCounts: []map[string]int{{"node-a": 1, "node-b": 2, "node-c": 0}},
			wantPaths:  [][2]path{{{"node-c", 0}, {"node-a", 1}}},
		},
		{
			name: "NodeAffinityPolicy honored with nodeAffinity",
			pod:  withSpread(withNodeAffinityIn(mkPod("p", "", "foo", ""), "foo", ""), hard(1, "node", barSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "node", "node-a", "foo", ""), mkNode("node-b", "node", "node-b", "foo", ""), mkNode("node-c", "node", "node-c", "bar", ""),
			},
			existing: []*model.Pod{
				mkPod("p-a", "node-a", "bar", ""), mkPod("p-c", "node-b", "bar", ""), mkPod("p-d", "node-b", "bar", ""), mkPod("p-e", "node-c"),
			},
			wantCounts: []map[string]int{{"node-a": 1, "node-b": 2}},
			wantPaths:  [][2]path{{{"node-a", 1}, {"node-b", 2}}},
		},
		{
			name: "NodeTaintsPolicy ignored",
			pod:  withSpread(mkPod("p", "", "foo", ""), hard(1, "node", barSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "node", "node-a"), mkNode("node-b", "node", "node-b"),
				func() *model.Node {
					n := mkNode("node-c", "node", "node-c", "bar", "")
					n.Spec.Taints = taints
					return n
				}(),
			},
			existing: []*model.Pod{
				mkPod("p-a", "node-a", "bar", ""), mkPod("p-b", "node-b", "bar", ""), mkPod("p-c", "node-b", "bar", ""), mkPod("p-d", "node-c"),
			},
			wantCounts: []map[string]int{{"node-a": 1, "node-b": 2, "node-c": 0}},
			wantPaths:  [][2]path{{{"node-c", 0}, {"node-a", 1}}},
		},
		{
			name: "NodeTaintsPolicy honored",
			pod:  withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 1, key: "node", action: model.DoNotSchedule, sel: barSelector, taintsPolicy: &honorPolicy}),
			nodes: []*model.Node{
				mkNode("node-a", "node", "node-a"), mkNode("node-b", "node", "node-b"),
				func() *model.Node {
					n := mkNode("node-c", "node", "node-c", "bar", "")
					n.Spec.Taints = taints
					return n
				}(),
			},
			existing: []*model.Pod{
				mkPod("p-a", "node-a", "bar", ""), mkPod("p-b", "node-b", "bar", ""), mkPod("p-c", "node-b", "bar", ""), mkPod("p-d", "node-c"),
			},
			wantCounts: []map[string]int{{"node-a": 1, "node-b": 2}},
			wantPaths:  [][2]path{{{"node-a", 1}, {"node-b", 2}}},
		},
		{
			name: "NodeTaintsPolicy honored with tolerated taints",
			pod: func() *model.Pod {
				p := withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 1, key: "node", action: model.DoNotSchedule, sel: barSelector, taintsPolicy: &honorPolicy})
				p.Spec.Tolerations = []model.Toleration{{Key: model.TaintNodeUnschedulable, Operator: model.TolerationOpExists}}
				return p
			}(),
			nodes: []*model.Node{
				mkNode("node-a", "node", "node-a"), mkNode("node-b", "node", "node-b"),
				func() *model.Node {
					n := mkNode("node-c", "node", "node-c", "bar", "")
					n.Spec.Taints = taints
					return n
				}(),
			},
			existing: []*model.Pod{
				mkPod("p-a", "node-a", "bar", ""), mkPod("p-b", "node-b", "bar", ""), mkPod("p-c", "node-b", "bar", ""), mkPod("p-d", "node-c"),
			},
			wantCounts: []map[string]int{{"node-a": 1, "node-b": 2, "node-c": 0}},
			wantPaths:  [][2]path{{{"node-c", 0}, {"node-a", 1}}},
		},
		{
			name: "two node inclusion Constraints, zone: ignore/ignore, node: honor/honor",
			pod: withSpread(withNodeSelector(mkPod("p", "", "foo", ""), kv("foo", "")),
				tsc{maxSkew: 1, key: "zone", action: model.DoNotSchedule, sel: fooSelector, affinityPolicy: &ignorePolicy},
				tsc{maxSkew: 1, key: "node", action: model.DoNotSchedule, sel: fooSelector, taintsPolicy: &honorPolicy}),
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", "node", "node-a"),
				func() *model.Node {
					n := mkNode("node-b", "zone", "zone1", "node", "node-b", "foo", "")
					n.Spec.Taints = taints
					return n
				}(),
				mkNode("node-x", "zone", "zone2", "node", "node-x", "foo", ""),
				mkNode("node-y", "zone", "zone2", "node", "node-y", "foo", ""),
			},
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-x1", "node-x", "foo", ""),
				mkPod("p-x2", "node-x", "foo", ""), mkPod("p-y1", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 2, "zone2": 3}, {"node-x": 2, "node-y": 1}},
			wantPaths:  [][2]path{{{"zone1", 2}, {"zone2", 3}}, {{"node-y", 1}, {"node-x", 2}}},
		},
		{
			name:  "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
			pod:   withSpread(mkPod("p", "", "foo", "", "bar", "a"), tsc{maxSkew: 1, key: "zone", action: model.DoNotSchedule, sel: fooSelector, matchLabelKeys: []string{"bar"}}),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", "", "bar", "a"), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-y1", "node-y", "foo", "", "bar", "a"), mkPod("p-y2", "node-y", "bar", ""),
			},
			wantCounts: []map[string]int{{"zone1": 1, "zone2": 1}},
			wantPaths:  [][2]path{{{"zone1", 1}, {"zone2", 1}}},
		},
		{
			name:  "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
			pod:   withSpread(mkPod("p", "", "foo", "a"), tsc{maxSkew: 1, key: "zone", action: model.DoNotSchedule, sel: &model.LabelSelector{}, matchLabelKeys: []string{"foo"}}),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", "a"), mkPod("p-a2", "node-a", "foo", "a"), mkPod("p-b1", "node-b", "foo", "a"),
				mkPod("p-y1", "node-y", "foo", "a"), mkPod("p-y2", "node-y", "foo", "a"),
			},
			wantCounts: []map[string]int{{"zone1": 3, "zone2": 2}},
			wantPaths:  [][2]path{{{"zone2", 2}, {"zone1", 3}}},
		},
		{
			name:  "key in matchLabelKeys is ignored when LabelSelector is nil when feature gate enabled",
			pod:   withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 1, key: "zone", action: model.DoNotSchedule, matchLabelKeys: []string{"bar"}}),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", "a"), mkPod("p-a2", "node-a", "foo", "a"), mkPod("p-b1", "node-b", "foo", "a"),
				mkPod("p-y1", "node-y", "foo", "a"), mkPod("p-y2", "node-y", "foo", "a"),
			},
			wantCounts: []map[string]int{{"zone1": 0, "zone2": 0}},
			wantPaths:  [][2]path{{{"zone1", 0}, {"zone2", 0}}},
		},
		{
			name:  "key in matchLabelKeys is ignored when it isn't exist in pod.labels",
			pod:   withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 1, key: "zone", action: model.DoNotSchedule, sel: fooSelector, matchLabelKeys: []string{"bar"}}),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", "a"), mkPod("p-a2", "node-a", "foo", "a"), mkPod("p-b1", "node-b", "foo", "a"),
				mkPod("p-y1", "node-y", "foo", "a"), mkPod("p-y2", "node-y", "foo", "a"),
			},
			wantCounts: []map[string]int{{"zone1": 3, "zone2": 2}},
			wantPaths:  [][2]path{{{"zone2", 2}, {"zone1", 3}}},
		},
		{
			name:  "two spreadConstraints with the same topologyKey",
			pod:   withSpread(mkPod("p", "", "foo", "", "bar", ""), hard(1, "zone", fooSelector), hard(1, "zone", barSelector)),
			nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", "", "bar", ""), mkPod("p-b1", "node-b", "foo", ""), mkPod("p-x1", "node-x", "bar", ""),
				mkPod("p-y1", "node-y", "foo", "", "bar", ""), mkPod("p-y2", "node-y", "bar", ""),
			},
			wantCounts: []map[string]int{{"zone1": 2, "zone2": 1}, {"zone1": 1, "zone2": 3}},
			wantPaths:  [][2]path{{{"zone2", 1}, {"zone1", 2}}, {{"zone1", 1}, {"zone2", 3}}},
		},
		{
			name:     "skip if not specified",
			pod:      mkPod("p", "", "foo", ""),
			nodes:    []*model.Node{mkNode("node-a", "zone", "zone1", "node", "node-a")},
			wantSkip: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, tt.existing, tt.objs...)
			pl := newPlugin(t, listArgs(tt.defaultConstraints...), h)
			state := framework.NewCycleState()
			res, st := pl.PreFilter(state, tt.pod, h.Snap.List())
			if res != nil {
				t.Fatalf("PreFilterResult = %+v, want nil", res)
			}
			if tt.wantSkip {
				if !st.IsSkip() {
					t.Fatalf("PreFilter = %v, want Skip", st)
				}
				return
			}
			if !st.IsSuccess() {
				t.Fatalf("PreFilter = %v", st)
			}
			s, err := getPreFilterState(state)
			if err != nil {
				t.Fatal(err)
			}
			checkState(t, s, tt.wantCounts, tt.wantPaths)
		})
	}
}

func checkState(t *testing.T, s *preFilterState, wantCounts []map[string]int, wantPaths [][2]path) {
	t.Helper()
	if len(s.tpValueToMatchNum) != len(wantCounts) {
		t.Fatalf("got %d constraints, want %d", len(s.tpValueToMatchNum), len(wantCounts))
	}
	for i := range wantCounts {
		if !reflect.DeepEqual(s.tpValueToMatchNum[i], wantCounts[i]) {
			t.Errorf("constraint %d counts = %v, want %v", i, s.tpValueToMatchNum[i], wantCounts[i])
		}
		if got := normalizePaths(s.criticalPaths[i]); got != wantPaths[i] {
			t.Errorf("constraint %d paths = %v, want %v", i, got, wantPaths[i])
		}
	}
}

// Cases from upstream filtering_test.go TestPreFilterStateAddPod.
func TestPreFilterStateAddPod(t *testing.T) {
	tests := []struct {
		name       string
		preemptor  *model.Pod
		addedPod   *model.Pod
		existing   []*model.Pod
		nodeIdx    int
		nodes      []*model.Node
		wantCounts []map[string]int
		wantPaths  [][2]path
	}{
		{
			name:       "node a and b both impact current min match",
			preemptor:  withSpread(mkPod("p", "", "foo", ""), hard(1, "node", fooSelector)),
			addedPod:   mkPod("p-a1", "node-a", "foo", ""),
			nodes:      fourNodes()[:2],
			wantCounts: []map[string]int{{"node-a": 1, "node-b": 0}},
			wantPaths:  [][2]path{{{"node-b", 0}, {"node-a", 1}}},
		},
		{
			name:       "only node a impacts current min match",
			preemptor:  withSpread(mkPod("p", "", "foo", ""), hard(1, "node", fooSelector)),
			addedPod:   mkPod("p-a1", "node-a", "foo", ""),
			existing:   []*model.Pod{mkPod("p-b1", "node-b", "foo", "")},
			nodes:      fourNodes()[:2],
			wantCounts: []map[string]int{{"node-a": 1, "node-b": 1}},
			wantPaths:  [][2]path{{{"node-a", 1}, {"node-b", 1}}},
		},
		{
			name:       "add a pod in a different namespace doesn't change topologyKeyToMinPodsMap",
			preemptor:  withSpread(mkPod("p", "", "foo", ""), hard(1, "node", fooSelector)),
			addedPod:   inNS(mkPod("p-a1", "node-a", "foo", ""), "ns1"),
			existing:   []*model.Pod{mkPod("p-b1", "node-b", "foo", "")},
			nodes:      fourNodes()[:2],
			wantCounts: []map[string]int{{"node-a": 0, "node-b": 1}},
			wantPaths:  [][2]path{{{"node-a", 0}, {"node-b", 1}}},
		},
		{
			name:       "add pod on non-critical node won't trigger re-calculation",
			preemptor:  withSpread(mkPod("p", "", "foo", ""), hard(1, "node", fooSelector)),
			addedPod:   mkPod("p-b2", "node-b", "foo", ""),
			existing:   []*model.Pod{mkPod("p-b1", "node-b", "foo", "")},
			nodeIdx:    1,
			nodes:      fourNodes()[:2],
			wantCounts: []map[string]int{{"node-a": 0, "node-b": 2}},
			wantPaths:  [][2]path{{{"node-a", 0}, {"node-b", 2}}},
		},
		{
			name:      "node a impacts topologyKeyToMinPodsMap on node, node x impacts topologyKeyToMinPodsMap on zone",
			preemptor: withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector), hard(1, "node", fooSelector)),
			addedPod:  mkPod("p-a1", "node-a", "foo", ""),
			existing:  []*model.Pod{mkPod("p-b1", "node-b", "foo", ""), mkPod("p-b2", "node-b", "foo", ""), mkPod("p-x1", "node-x", "foo", "")},
			nodes:     fourNodes()[:3],
			wantCounts: []map[string]int{
				{"zone1": 3, "zone2": 1},
				{"node-a": 1, "node-b": 2, "node-x": 1},
			},
			wantPaths: [][2]path{{{"zone2", 1}, {"zone1", 3}}, {{"node-a", 1}, {"node-x", 1}}},
		},
		{
			name: "add a pod when scheduling node affinity unmatched pod with NodeInclusionPolicy enabled",
			preemptor: withSpread(withNodeAffinityNotIn(mkPod("p", "", "foo", ""), "foo", "bar"),
				hard(1, "zone", fooSelector)),
			addedPod: mkPod("p-a1", "node-a", "foo", "", "zone", "zone1"),
			existing: []*model.Pod{mkPod("p-a2", "node-a", "foo", "", "zone", "zone1"), mkPod("p-b1", "node-b", "foo", "", "zone", "zone2")},
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", "node", "node-a", "foo", "bar"),
				mkNode("node-b", "zone", "zone2", "node", "node-b", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone2": 1}},
			wantPaths:  [][2]path{{{"zone2", 1}, {"", math.MaxInt32}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, tt.existing)
			pl := newPlugin(t, listArgs(), h)
			state := framework.NewCycleState()
			if _, st := pl.PreFilter(state, tt.preemptor, h.Snap.List()); !st.IsSuccess() {
				t.Fatalf("PreFilter: %v", st)
			}
			ni, _ := h.Snap.Get(tt.nodes[tt.nodeIdx].Name)
			if st := pl.AddPod(state, tt.preemptor, framework.NewPodInfo(tt.addedPod), ni); !st.IsSuccess() {
				t.Fatalf("AddPod: %v", st)
			}
			s, _ := getPreFilterState(state)
			checkState(t, s, tt.wantCounts, tt.wantPaths)
		})
	}
}

// Cases from upstream filtering_test.go TestPreFilterStateRemovePod.
func TestPreFilterStateRemovePod(t *testing.T) {
	tests := []struct {
		name          string
		preemptor     *model.Pod
		nodes         []*model.Node
		existing      []*model.Pod
		deletedPodIdx int
		deletedPod    *model.Pod
		nodeIdx       int
		wantCounts    []map[string]int
		wantPaths     [][2]path
	}{
		{
			name:       "one spreadConstraint on zone, topologyKeyToMinPodsMap unchanged",
			preemptor:  withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector)),
			nodes:      fourNodes()[:3],
			existing:   []*model.Pod{mkPod("p-a1", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""), mkPod("p-x1", "node-x", "foo", "")},
			wantCounts: []map[string]int{{"zone1": 1, "zone2": 1}},
			wantPaths:  [][2]path{{{"zone1", 1}, {"zone2", 1}}},
		},
		{
			name:      "one spreadConstraint on node, topologyKeyToMinPodsMap changed",
			preemptor: withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector)),
			nodes:     fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""), mkPod("p-x1", "node-x", "foo", ""), mkPod("p-y1", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 1, "zone2": 2}},
			wantPaths:  [][2]path{{{"zone1", 1}, {"zone2", 2}}},
		},
		{
			name:      "delete an irrelevant pod won't help",
			preemptor: withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector)),
			nodes:     fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a0", "node-a", "bar", ""), mkPod("p-a1", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-x1", "node-x", "foo", ""), mkPod("p-y1", "node-y", "foo", ""),
			},
			wantCounts: []map[string]int{{"zone1": 2, "zone2": 2}},
			wantPaths:  [][2]path{{{"zone1", 2}, {"zone2", 2}}},
		},
		{
			name:      "delete a non-existing pod won't help",
			preemptor: withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector)),
			nodes:     fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""), mkPod("p-x1", "node-x", "foo", ""), mkPod("p-y1", "node-y", "foo", ""),
			},
			deletedPodIdx: -1,
			deletedPod:    mkPod("p-a0", "node-a", "bar", ""),
			wantCounts:    []map[string]int{{"zone1": 2, "zone2": 2}},
			wantPaths:     [][2]path{{{"zone1", 2}, {"zone2", 2}}},
		},
		{
			name:      "two spreadConstraints",
			preemptor: withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector), hard(1, "node", fooSelector)),
			nodes:     fourNodes()[:3],
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-x1", "node-x", "foo", ""), mkPod("p-x2", "node-x", "foo", ""),
			},
			deletedPodIdx: 3,
			nodeIdx:       2,
			wantCounts:    []map[string]int{{"zone1": 3, "zone2": 1}, {"node-a": 2, "node-b": 1, "node-x": 1}},
			wantPaths:     [][2]path{{{"zone2", 1}, {"zone1", 3}}, {{"node-b", 1}, {"node-x", 1}}},
		},
		{
			name:      "remove a pod when scheduling node affinity unmatched pod with NodeInclusionPolicy enabled",
			preemptor: withSpread(withNodeAffinityNotIn(mkPod("p", "", "foo", ""), "foo", "bar"), hard(1, "zone", fooSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", "node", "node-a", "foo", "bar"),
				mkNode("node-b", "zone", "zone2", "node", "node-b", "foo", ""),
			},
			existing:      []*model.Pod{mkPod("p-a2", "node-a", "foo", "", "zone", "zone1"), mkPod("p-b1", "node-b", "foo", "", "zone", "zone2")},
			deletedPodIdx: -1,
			deletedPod:    mkPod("p-a1", "node-a", "foo", "", "zone", "zone1"),
			wantCounts:    []map[string]int{{"zone2": 1}},
			wantPaths:     [][2]path{{{"zone2", 1}, {"", math.MaxInt32}}},
		},
		{
			name:      "remove a pod when scheduling node affinity matched pod with NodeInclusionPolicy enabled",
			preemptor: withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", "node", "node-a", "foo", "bar"),
				mkNode("node-b", "zone", "zone2", "node", "node-b", "foo", ""),
			},
			existing:      []*model.Pod{mkPod("p-a1", "node-a", "foo", "", "zone", "zone1"), mkPod("p-b2", "node-b", "foo", "", "zone", "zone2")},
			deletedPodIdx: -1,
			deletedPod:    mkPod("p-b1", "node-b", "foo", "", "zone", "zone2"),
			nodeIdx:       1,
			wantCounts:    []map[string]int{{"zone1": 1, "zone2": 0}},
			wantPaths:     [][2]path{{{"zone2", 0}, {"zone1", 1}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, tt.existing)
			pl := newPlugin(t, listArgs(), h)
			state := framework.NewCycleState()
			if _, st := pl.PreFilter(state, tt.preemptor, h.Snap.List()); !st.IsSuccess() {
				t.Fatalf("PreFilter: %v", st)
			}
			deleted := tt.deletedPod
			if tt.deletedPodIdx >= 0 && tt.deletedPodIdx < len(tt.existing) {
				deleted = tt.existing[tt.deletedPodIdx]
			}
			ni, _ := h.Snap.Get(tt.nodes[tt.nodeIdx].Name)
			if st := pl.RemovePod(state, tt.preemptor, framework.NewPodInfo(deleted), ni); !st.IsSuccess() {
				t.Fatalf("RemovePod: %v", st)
			}
			s, _ := getPreFilterState(state)
			checkState(t, s, tt.wantCounts, tt.wantPaths)
		})
	}
}

func TestPreFilterStateClone(t *testing.T) {
	nodes := fourNodes()
	existing := []*model.Pod{mkPod("p-a1", "node-a", "foo", ""), mkPod("p-x1", "node-x", "foo", "")}
	h := fwtest.NewHandle(nodes, existing)
	pl := newPlugin(t, listArgs(), h)
	pod := withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector))
	state := framework.NewCycleState()
	pl.PreFilter(state, pod, h.Snap.List())
	clone := state.Clone()
	ni, _ := h.Snap.Get("node-a")
	pl.RemovePod(clone, pod, framework.NewPodInfo(existing[0]), ni)
	orig, _ := getPreFilterState(state)
	cl, _ := getPreFilterState(clone)
	if orig.tpValueToMatchNum[0]["zone1"] != 1 || cl.tpValueToMatchNum[0]["zone1"] != 0 {
		t.Fatalf("clone not independent: orig %v clone %v", orig.tpValueToMatchNum, cl.tpValueToMatchNum)
	}
	if orig.criticalPaths[0][0].matchNum != 1 || cl.criticalPaths[0][0].matchNum != 0 {
		t.Fatalf("paths not independent: orig %v clone %v", orig.criticalPaths, cl.criticalPaths)
	}
}

type filterCase struct {
	name     string
	pod      *model.Pod
	nodes    []*model.Node
	existing []*model.Pod
	want     map[string]framework.Code
}

func runFilterCases(t *testing.T, tests []filterCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, tt.existing)
			pl := newPlugin(t, listArgs(), h)
			state := framework.NewCycleState()
			if _, st := pl.PreFilter(state, tt.pod, h.Snap.List()); !st.IsSuccess() {
				t.Fatalf("PreFilter: %v", st)
			}
			for _, n := range tt.nodes {
				ni, _ := h.Snap.Get(n.Name)
				st := pl.Filter(state, tt.pod, ni)
				if st.Code() != tt.want[n.Name] {
					t.Errorf("%s: Filter = %v, want %v", n.Name, st, tt.want[n.Name])
				}
				switch st.Code() {
				case framework.Unschedulable:
					if st.Message() != ErrReasonConstraintsNotMatch {
						t.Errorf("%s: reason %q", n.Name, st.Message())
					}
				case framework.UnschedulableAndUnresolvable:
					if st.Message() != ErrReasonNodeLabelNotMatch {
						t.Errorf("%s: reason %q", n.Name, st.Message())
					}
				}
			}
		})
	}
}

const (
	ok    = framework.Success
	unsch = framework.Unschedulable
	uu    = framework.UnschedulableAndUnresolvable
)

// Cases from upstream filtering_test.go TestSingleConstraint.
func TestSingleConstraint(t *testing.T) {
	fooPod := func(c tsc) *model.Pod { return withSpread(mkPod("p", "", "foo", ""), c) }
	threeNodes := []*model.Node{mkNode("node-a", "node", "node-a"), mkNode("node-b", "node", "node-b"), mkNode("node-c", "node", "node-c")}
	p22 := []*model.Pod{
		mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
		mkPod("p-b2", "node-b", "foo", ""), mkPod("p-c1", "node-c", "foo", ""),
	}
	spread2103 := []*model.Pod{
		mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
		mkPod("p-y1", "node-y", "foo", ""), mkPod("p-y2", "node-y", "foo", ""), mkPod("p-y3", "node-y", "foo", ""),
	}
	inclusionNodes := func(tainted bool) []*model.Node {
		y := mkNode("node-y", "node", "node-y")
		if tainted {
			y.Spec.Taints = taints
		}
		return []*model.Node{
			mkNode("node-a", "node", "node-a", "foo", ""), mkNode("node-b", "node", "node-b", "foo", ""), mkNode("node-x", "node", "node-x", "foo", ""), y,
		}
	}
	inclusionPods := []*model.Pod{mkPod("p-b1", "node-a", "foo", ""), mkPod("p-b2", "node-b", "foo", ""), mkPod("p-y1", "node-y", "foo", "")}
	runFilterCases(t, []filterCase{
		{name: "no existing pods", pod: fooPod(hard(1, "zone", fooSelector)), nodes: fourNodes(),
			want: map[string]framework.Code{"node-a": ok, "node-b": ok, "node-x": ok, "node-y": ok}},
		{name: "no existing pods, incoming pod doesn't match itself", pod: fooPod(hard(1, "zone", barSelector)), nodes: fourNodes(),
			want: map[string]framework.Code{"node-a": ok, "node-b": ok, "node-x": ok, "node-y": ok}},
		{name: "existing pods in a different namespace do not count", pod: fooPod(hard(1, "zone", fooSelector)), nodes: fourNodes(),
			existing: []*model.Pod{
				inNS(mkPod("p-a1", "node-a", "foo", ""), "ns1"), inNS(mkPod("p-b1", "node-a", "foo", ""), "ns2"),
				mkPod("p-x1", "node-x", "foo", ""), mkPod("p-y1", "node-y", "foo", ""),
			},
			want: map[string]framework.Code{"node-a": ok, "node-b": ok, "node-x": unsch, "node-y": unsch}},
		{name: "existing pods do not match null selector", pod: fooPod(hard(1, "zone", nil)), nodes: fourNodes(),
			existing: []*model.Pod{mkPod("p-x1", "node-x", "foo", ""), mkPod("p-y1", "node-y", "foo", "")},
			want:     map[string]framework.Code{"node-a": ok, "node-b": ok, "node-x": ok, "node-y": ok}},
		{name: "pods spread across zones as 3/3, all nodes fit", pod: fooPod(hard(1, "zone", fooSelector)), nodes: fourNodes(), existing: spread2103,
			want: map[string]framework.Code{"node-a": ok, "node-b": ok, "node-x": ok, "node-y": ok}},
		{name: "pods spread across zones as 1/2 due to absence of label 'zone' on node-b", pod: fooPod(hard(1, "zone", fooSelector)),
			nodes: []*model.Node{
				mkNode("node-a", "zone", "zone1", "node", "node-a"), mkNode("node-b", "zon", "zone1", "node", "node-b"),
				mkNode("node-x", "zone", "zone2", "node", "node-x"), mkNode("node-y", "zone", "zone2", "node", "node-y"),
			},
			existing: []*model.Pod{mkPod("p-a1", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""), mkPod("p-x1", "node-x", "foo", ""), mkPod("p-y1", "node-y", "foo", "")},
			want:     map[string]framework.Code{"node-a": ok, "node-b": uu, "node-x": unsch, "node-y": unsch}},
		{name: "pod cannot be scheduled as all nodes don't have label 'rack'", pod: fooPod(hard(1, "rack", fooSelector)),
			nodes: []*model.Node{mkNode("node-a", "zone", "zone1", "node", "node-a"), mkNode("node-x", "zone", "zone2", "node", "node-x")},
			want:  map[string]framework.Code{"node-a": uu, "node-x": uu}},
		{name: "pods spread across nodes as 2/1/0/3, only node-x fits", pod: fooPod(hard(1, "node", fooSelector)), nodes: fourNodes(), existing: spread2103,
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": unsch}},
		{name: "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit", pod: fooPod(hard(2, "node", fooSelector)), nodes: fourNodes(), existing: spread2103,
			want: map[string]framework.Code{"node-a": unsch, "node-b": ok, "node-x": ok, "node-y": unsch}},
		{name: "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
			pod: withSpread(mkPod("p", "", "bar", ""), hard(1, "node", fooSelector)), nodes: fourNodes(), existing: spread2103,
			want: map[string]framework.Code{"node-a": unsch, "node-b": ok, "node-x": ok, "node-y": unsch}},
		{name: "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
			pod:   withSpread(withNodeAffinityIn(mkPod("p", "", "foo", ""), "node", "node-a", "node-y"), hard(1, "node", fooSelector)),
			nodes: fourNodes(), existing: spread2103,
			want: map[string]framework.Code{"node-a": ok, "node-b": ok, "node-x": ok, "node-y": unsch}},
		{name: "terminating Pods should be excluded", pod: fooPod(hard(1, "node", fooSelector)),
			nodes:    []*model.Node{mkNode("node-a", "node", "node-a"), mkNode("node-b", "node", "node-b")},
			existing: []*model.Pod{terminating(mkPod("p-a", "node-a", "foo", "")), mkPod("p-b", "node-b", "foo", "")},
			want:     map[string]framework.Code{"node-a": ok, "node-b": unsch}},
		{name: "incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits",
			pod:      withSpread(withNodeAffinityNotIn(mkPod("p", "", "foo", ""), "node", "node-b"), hard(1, "zone", fooSelector)),
			nodes:    fourNodes(),
			existing: []*model.Pod{mkPod("p-b1", "node-b", "foo", ""), mkPod("p-b2", "node-b", "foo", ""), mkPod("p-y1", "node-y", "foo", "")},
			want:     map[string]framework.Code{"node-a": ok, "node-b": ok, "node-x": unsch, "node-y": unsch}},
		{name: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits",
			pod:   fooPod(tsc{maxSkew: 2, key: "node", action: model.DoNotSchedule, sel: fooSelector, minDomains: model.Ptr[int32](4)}),
			nodes: threeNodes, existing: p22,
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-c": ok}},
		{name: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit",
			pod:   fooPod(tsc{maxSkew: 2, key: "node", action: model.DoNotSchedule, sel: fooSelector, minDomains: model.Ptr[int32](2)}),
			nodes: threeNodes, existing: p22,
			want: map[string]framework.Code{"node-a": ok, "node-b": ok, "node-c": ok}},
		{name: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit",
			pod:      fooPod(tsc{maxSkew: 2, key: "zone", action: model.DoNotSchedule, sel: fooSelector, minDomains: model.Ptr[int32](3)}),
			nodes:    fourNodes(),
			existing: []*model.Pod{mkPod("p-b1", "node-a", "foo", ""), mkPod("p-b2", "node-b", "foo", ""), mkPod("p-y1", "node-y", "foo", "")},
			want:     map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": ok}},
		{name: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit",
			pod:      fooPod(tsc{maxSkew: 2, key: "zone", action: model.DoNotSchedule, sel: fooSelector, minDomains: model.Ptr[int32](1)}),
			nodes:    fourNodes(),
			existing: []*model.Pod{mkPod("p-b1", "node-a", "foo", ""), mkPod("p-b2", "node-b", "foo", ""), mkPod("p-y1", "node-y", "foo", "")},
			want:     map[string]framework.Code{"node-a": ok, "node-b": ok, "node-x": ok, "node-y": ok}},
		{name: "NodeAffinityPolicy honored with labelSelectors",
			pod:   withSpread(withNodeSelector(mkPod("p", "", "foo", ""), kv("foo", "")), hard(1, "node", fooSelector)),
			nodes: inclusionNodes(false), existing: inclusionPods,
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": ok}},
		{name: "NodeAffinityPolicy ignored with labelSelectors",
			pod: withSpread(withNodeSelector(mkPod("p", "", "foo", ""), kv("foo", "")),
				tsc{maxSkew: 1, key: "node", action: model.DoNotSchedule, sel: fooSelector, affinityPolicy: &ignorePolicy}),
			nodes: inclusionNodes(false), existing: inclusionPods,
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": unsch}},
		{name: "NodeAffinityPolicy honored with nodeAffinity",
			pod:   withSpread(withNodeAffinityIn(mkPod("p", "", "foo", ""), "foo", ""), hard(1, "node", fooSelector)),
			nodes: inclusionNodes(false), existing: inclusionPods,
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": ok}},
		{name: "NodeTaintsPolicy honored",
			pod:   withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 1, key: "node", action: model.DoNotSchedule, sel: fooSelector, taintsPolicy: &honorPolicy}),
			nodes: inclusionNodes(true), existing: inclusionPods,
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": ok}},
		{name: "NodeTaintsPolicy ignored",
			pod:   withSpread(mkPod("p", "", "foo", ""), hard(1, "node", fooSelector)),
			nodes: inclusionNodes(true), existing: inclusionPods,
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": unsch}},
	})
}

// Cases from upstream filtering_test.go TestMultipleConstraints.
func TestMultipleConstraints(t *testing.T) {
	zoneNode := func(p *model.Pod) *model.Pod {
		return withSpread(p, hard(1, "zone", fooSelector), hard(1, "node", fooSelector))
	}
	runFilterCases(t, []filterCase{
		{name: "two Constraints on zone and node, spreads = [3/3, 2/1/0/3]", pod: zoneNode(mkPod("p", "", "foo", "")), nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-y1", "node-y", "foo", ""), mkPod("p-y2", "node-y", "foo", ""), mkPod("p-y3", "node-y", "foo", ""),
			},
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": unsch}},
		{name: "two Constraints on zone and node, spreads = [3/4, 2/1/0/4]", pod: zoneNode(mkPod("p", "", "foo", "")), nodes: fourNodes(),
			existing: []*model.Pod{
				mkPod("p-a1", "node-a", "foo", ""), mkPod("p-a2", "node-a", "foo", ""), mkPod("p-b1", "node-b", "foo", ""),
				mkPod("p-y1", "node-y", "foo", ""), mkPod("p-y2", "node-y", "foo", ""), mkPod("p-y3", "node-y", "foo", ""), mkPod("p-y4", "node-y", "foo", ""),
			},
			want: map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": unsch, "node-y": unsch}},
		{name: "Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]",
			pod:      withSpread(mkPod("p", "", "foo", "", "bar", ""), hard(1, "zone", fooSelector), hard(1, "node", barSelector)),
			nodes:    fourNodes(),
			existing: []*model.Pod{mkPod("p-a1", "node-a", "foo", ""), mkPod("p-y1", "node-y", "bar", "")},
			want:     map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": ok, "node-y": unsch}},
		{name: "Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]",
			pod:      withSpread(mkPod("p", "", "foo", "", "bar", ""), hard(1, "zone", fooSelector), hard(1, "node", barSelector)),
			nodes:    fourNodes(),
			existing: []*model.Pod{mkPod("p-a1", "node-a", "foo", ""), mkPod("p-x1", "node-x", "bar", ""), mkPod("p-y1", "node-y", "bar", "")},
			want:     map[string]framework.Code{"node-a": unsch, "node-b": unsch, "node-x": unsch, "node-y": unsch}},
	})
}

// Default (List) DoNotSchedule constraints take the controller's selector:
// modelled on upstream TestPreFilterState's "default constraints and a
// replicaset" with a filter pass on top.
func TestDefaultHardConstraintsWithReplicaSet(t *testing.T) {
	nodes := fourNodes()
	existing := []*model.Pod{
		mkPod("p-a1", "node-a", "foo", "tar"), mkPod("p-a2", "node-a", "foo", "tar"),
		mkPod("p-x1", "node-x", "foo", "tar"), mkPod("p-y1", "node-y", "foo", "bar"),
	}
	rs := &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "rs1", Namespace: "default"},
		Spec: model.ReplicaSetSpec{Selector: &model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "foo", Operator: model.LabelSelectorOpIn, Values: []string{"tar"}}}}}}
	h := fwtest.NewHandle(nodes, existing, rs)
	pl := newPlugin(t, listArgs(model.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "node", WhenUnsatisfiable: model.DoNotSchedule}), h)
	pod := ownedBy(mkPod("p", "", "foo", "tar", "baz", "sup"), "ReplicaSet", "rs1")
	state := framework.NewCycleState()
	if _, st := pl.PreFilter(state, pod, h.Snap.List()); !st.IsSuccess() {
		t.Fatalf("PreFilter: %v", st)
	}
	s, _ := getPreFilterState(state)
	checkState(t, s, []map[string]int{{"node-a": 2, "node-b": 0, "node-x": 1, "node-y": 0}}, [][2]path{{{"node-b", 0}, {"node-y", 0}}})
	want := map[string]framework.Code{"node-a": unsch, "node-b": ok, "node-x": unsch, "node-y": ok}
	for _, n := range nodes {
		ni, _ := h.Snap.Get(n.Name)
		if got := pl.Filter(state, pod, ni).Code(); got != want[n.Name] {
			t.Errorf("%s: %v, want %v", n.Name, got, want[n.Name])
		}
	}
	// An unowned pod matching no Service gets no default constraints.
	if _, st := pl.PreFilter(framework.NewCycleState(), mkPod("q", "", "foo", "tar"), h.Snap.List()); !st.IsSkip() {
		t.Fatalf("unowned pod: PreFilter = %v, want Skip", st)
	}
}

func TestFilterDoesNotAllocateOnSuccess(t *testing.T) {
	nodes := fourNodes()
	h := fwtest.NewHandle(nodes, []*model.Pod{mkPod("p-a1", "node-a", "foo", "")})
	pl := newPlugin(t, listArgs(), h)
	pod := withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector), hard(2, "node", fooSelector))
	state := framework.NewCycleState()
	pl.PreFilter(state, pod, h.Snap.List())
	ni, _ := h.Snap.Get("node-x")
	if n := testing.AllocsPerRun(100, func() { pl.Filter(state, pod, ni) }); n != 0 {
		t.Fatalf("Filter allocates %v times", n)
	}
}
