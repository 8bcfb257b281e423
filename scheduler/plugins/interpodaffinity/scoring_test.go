package interpodaffinity

import (
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

func weighted(w int32, ls *model.LabelSelector, topo string) model.WeightedPodAffinityTerm {
	return model.WeightedPodAffinityTerm{Weight: w, PodAffinityTerm: model.PodAffinityTerm{LabelSelector: ls, TopologyKey: topo}}
}

func exprs(reqs ...model.LabelSelectorRequirement) *model.LabelSelector {
	return &model.LabelSelector{MatchExpressions: reqs}
}

func req(key string, op model.LabelSelectorOperator, vals ...string) model.LabelSelectorRequirement {
	return model.LabelSelectorRequirement{Key: key, Operator: op, Values: vals}
}

// runScore runs PreScore, Score over nodes in order and NormalizeScore.
func runScore(t *testing.T, p *Plugin, h *fwtest.Handle, pod *model.Pod, nodes []*model.Node) (framework.NodeScoreList, *framework.Status) {
	t.Helper()
	state := framework.NewCycleState()
	if st := p.PreScore(state, pod, h.Snap.List()); !st.IsSuccess() {
		return nil, st
	}
	var list framework.NodeScoreList
	for _, n := range nodes {
		s, st := p.Score(state, pod, mustNodeInfo(t, h, n.Name))
		if !st.IsSuccess() {
			t.Fatalf("Score(%s): %v", n.Name, st)
		}
		list = append(list, framework.NodeScore{Name: n.Name, Score: s})
	}
	if st := p.NormalizeScore(state, pod, list); !st.IsSuccess() {
		t.Fatalf("NormalizeScore: %v", st)
	}
	return list, nil
}

// Cases from upstream scoring_test.go TestPreferredAffinity.
func TestPreferredAffinity(t *testing.T) {
	rgChina := map[string]string{"region": "China"}
	rgIndia := map[string]string{"region": "India"}
	azAz1 := map[string]string{"az": "az1"}
	azAz2 := map[string]string{"az": "az2"}
	rgChinaAzAz1 := map[string]string{"region": "China", "az": "az1"}
	s1 := map[string]string{"security": "S1"}
	s2 := map[string]string{"security": "S2"}
	stayWithS1InRegion := &model.Affinity{PodAffinity: &model.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
		weighted(5, expr("security", model.LabelSelectorOpIn, "S1"), "region")}}}
	stayWithS2InRegion := &model.Affinity{PodAffinity: &model.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
		weighted(6, expr("security", model.LabelSelectorOpIn, "S2"), "region")}}}
	affinity3 := &model.Affinity{PodAffinity: &model.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
		weighted(8, exprs(req("security", model.LabelSelectorOpNotIn, "S1"), req("security", model.LabelSelectorOpIn, "S2")), "region"),
		weighted(2, exprs(req("security", model.LabelSelectorOpExists), req("wrongkey", model.LabelSelectorOpDoesNotExist)), "region"),
	}}}
	hardAffinity := &model.Affinity{PodAffinity: &model.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{
		{LabelSelector: expr("security", model.LabelSelectorOpIn, "S1", "value2"), TopologyKey: "region"},
		{LabelSelector: exprs(req("security", model.LabelSelectorOpExists), req("wrongkey", model.LabelSelectorOpDoesNotExist)), TopologyKey: "region"},
	}}}
	awayFromS1InAz := &model.Affinity{PodAntiAffinity: &model.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
		weighted(5, expr("security", model.LabelSelectorOpIn, "S1"), "az")}}}
	awayFromS2InAz := &model.Affinity{PodAntiAffinity: &model.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
		weighted(5, expr("security", model.LabelSelectorOpIn, "S2"), "az")}}}
	stayWithS1InRegionAwayFromS2InAz := &model.Affinity{
		PodAffinity: &model.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
			weighted(8, expr("security", model.LabelSelectorOpIn, "S1"), "region")}},
		PodAntiAffinity: &model.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
			weighted(5, expr("security", model.LabelSelectorOpIn, "S2"), "az")}},
	}
	nsTerm := func() model.WeightedPodAffinityTerm {
		w := weighted(5, expr("security", model.LabelSelectorOpIn, "S1"), "region")
		w.PodAffinityTerm.Namespaces = []string{"subteam2.team2"}
		w.PodAffinityTerm.NamespaceSelector = expr("team", model.LabelSelectorOpIn, "team1")
		return w
	}
	affinityNamespaceSelector := &model.Affinity{PodAffinity: &model.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{nsTerm()}}}
	antiAffinityNamespaceSelector := &model.Affinity{PodAntiAffinity: &model.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{nsTerm()}}}
	invalidAffinityLabels := &model.Affinity{PodAffinity: &model.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
		weighted(8, expr("security", model.LabelSelectorOpIn, "{{.bad-value.}}"), "region")}}}
	invalidAntiAffinityLabels := &model.Affinity{PodAntiAffinity: &model.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
		weighted(5, expr("security", model.LabelSelectorOpIn, "{{.bad-value.}}"), "az")}}}

	on := func(n string, labels map[string]string, a *model.Affinity) *model.Pod {
		return mkPod().node(n).labels(labels).withAffinity(a).obj()
	}
	onNS := func(n, ns string, labels map[string]string) *model.Pod {
		return mkPod().node(n).ns(ns).labels(labels).obj()
	}
	tests := []struct {
		name       string
		pod        *model.Pod
		pods       []*model.Pod
		nodes      []*model.Node
		ignore     bool
		want       []int64
		wantStatus *framework.Status
	}{
		{
			name:       "all nodes are same priority as Affinity is nil",
			pod:        mkPod().labels(s1).obj(),
			nodes:      []*model.Node{node("node1", rgChina), node("node2", rgIndia), node("node3", azAz1)},
			wantStatus: framework.NewStatus(framework.Skip),
		},
		{
			name:  "Affinity: pod that matches topology key & pods in nodes will get high score comparing to otherswhich doesn't match either pods in nodes or in topology key",
			pod:   mkPod().labels(s1).withAffinity(stayWithS1InRegion).obj(),
			pods:  []*model.Pod{on("node1", s1, nil), on("node2", s2, nil), on("node3", s1, nil)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia), node("node3", azAz1)},
			want:  []int64{100, 0, 0},
		},
		{
			name:  "All the nodes that have the same topology key & label value with one of them has an existing pod that match the affinity rules, have the same score",
			pod:   mkPod().withAffinity(stayWithS1InRegion).obj(),
			pods:  []*model.Pod{on("node1", s1, nil)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgChinaAzAz1), node("node3", rgIndia)},
			want:  []int64{100, 100, 0},
		},
		{
			name:  "Affinity: nodes in one region has more matching pods comparing to other region, so the region which has more matches will get high score",
			pod:   mkPod().labels(s1).withAffinity(stayWithS2InRegion).obj(),
			pods:  []*model.Pod{on("node1", s2, nil), on("node1", s2, nil), on("node2", s2, nil), on("node3", s2, nil), on("node4", s2, nil), on("node5", s2, nil)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia), node("node3", rgChina), node("node4", rgChina), node("node5", rgIndia)},
			want:  []int64{100, 0, 100, 100, 0},
		},
		{
			name:  "Affinity: different Label operators and values for pod affinity scheduling preference, including some match failures ",
			pod:   mkPod().labels(s1).withAffinity(affinity3).obj(),
			pods:  []*model.Pod{on("node1", s1, nil), on("node2", s2, nil), on("node3", s1, nil)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia), node("node3", azAz1)},
			want:  []int64{20, 100, 0},
		},
		{
			name:  "Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry",
			pod:   mkPod().labels(s2).obj(),
			pods:  []*model.Pod{on("node1", s1, stayWithS1InRegion), on("node2", s2, stayWithS2InRegion)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia), node("node3", azAz1)},
			want:  []int64{0, 100, 0},
		},
		{
			name:  "Affinity symmetry with namespace selector",
			pod:   mkPod().ns("subteam1.team1").labels(s1).obj(),
			pods:  []*model.Pod{on("node1", s1, affinityNamespaceSelector), on("node2", s2, stayWithS2InRegion)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia), node("node3", azAz1)},
			want:  []int64{100, 0, 0},
		},
		{
			name:  "AntiAffinity symmetry with namespace selector",
			pod:   mkPod().ns("subteam1.team1").labels(s1).obj(),
			pods:  []*model.Pod{on("node1", s1, antiAffinityNamespaceSelector), on("node2", s2, stayWithS2InRegion)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia), node("node3", azAz1)},
			want:  []int64{0, 100, 100},
		},
		{
			name:  "Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry",
			pod:   mkPod().labels(s1).obj(),
			pods:  []*model.Pod{on("node1", s1, hardAffinity), on("node2", s2, hardAffinity)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia), node("node3", azAz1)},
			want:  []int64{100, 100, 0},
		},
		{
			name:  "Anti Affinity: pod that does not match existing pods in node will get high score ",
			pod:   mkPod().labels(s1).withAffinity(awayFromS1InAz).obj(),
			pods:  []*model.Pod{on("node1", s1, nil), on("node2", s2, nil)},
			nodes: []*model.Node{node("node1", azAz1), node("node2", rgChina)},
			want:  []int64{0, 100},
		},
		{
			name:  "Anti Affinity: pod that does not match topology key & match the pods in nodes will get higher score comparing to others ",
			pod:   mkPod().labels(s1).withAffinity(awayFromS1InAz).obj(),
			pods:  []*model.Pod{on("node1", s1, nil), on("node2", s1, nil)},
			nodes: []*model.Node{node("node1", azAz1), node("node2", rgChina)},
			want:  []int64{0, 100},
		},
		{
			name:  "Anti Affinity: one node has more matching pods comparing to other node, so the node which has more unmatches will get high score",
			pod:   mkPod().labels(s1).withAffinity(awayFromS1InAz).obj(),
			pods:  []*model.Pod{on("node1", s1, nil), on("node1", s1, nil), on("node2", s2, nil)},
			nodes: []*model.Node{node("node1", azAz1), node("node2", rgIndia)},
			want:  []int64{0, 100},
		},
		{
			name:  "Anti Affinity symmetry: the existing pods in node which has anti affinity match will get high score",
			pod:   mkPod().labels(s2).obj(),
			pods:  []*model.Pod{on("node1", s1, awayFromS2InAz), on("node2", s2, awayFromS1InAz)},
			nodes: []*model.Node{node("node1", azAz1), node("node2", azAz2)},
			want:  []int64{0, 100},
		},
		{
			name:  "Affinity and Anti Affinity: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity",
			pod:   mkPod().labels(s1).withAffinity(stayWithS1InRegionAwayFromS2InAz).obj(),
			pods:  []*model.Pod{on("node1", s1, nil), on("node2", s1, nil)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", azAz1)},
			want:  []int64{100, 0},
		},
		{
			name: "Affinity and Anti Affinity: considering both affinity and anti-affinity, the pod to schedule and existing pods have the same labels",
			pod:  mkPod().labels(s1).withAffinity(stayWithS1InRegionAwayFromS2InAz).obj(),
			pods: []*model.Pod{on("node1", s1, nil), on("node1", s1, nil), on("node2", s1, nil), on("node3", s1, nil),
				on("node3", s1, nil), on("node4", s1, nil), on("node5", s1, nil)},
			nodes: []*model.Node{node("node1", rgChinaAzAz1), node("node2", rgIndia), node("node3", rgChina), node("node4", rgChina), node("node5", rgIndia)},
			want:  []int64{100, 0, 100, 100, 0},
		},
		{
			name: "Affinity and Anti Affinity and symmetry: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity & symmetry",
			pod:  mkPod().labels(s1).withAffinity(stayWithS1InRegionAwayFromS2InAz).obj(),
			pods: []*model.Pod{on("node1", s1, nil), on("node2", s2, nil),
				on("node3", nil, stayWithS1InRegionAwayFromS2InAz), on("node4", nil, awayFromS1InAz)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", azAz1), node("node3", rgIndia), node("node4", azAz2)},
			want:  []int64{100, 0, 100, 0},
		},
		{
			name:  "Avoid panic when partial nodes in a topology don't have pods with affinity",
			pod:   mkPod().labels(s1).obj(),
			pods:  []*model.Pod{on("node1", s1, nil), on("node2", nil, stayWithS1InRegionAwayFromS2InAz)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgChina)},
			want:  []int64{0, 0},
		},
		{
			name:       "invalid Affinity fails PreScore",
			pod:        mkPod().withAffinity(invalidAffinityLabels).obj(),
			nodes:      []*model.Node{node("node1", rgChina), node("node2", rgChina)},
			wantStatus: framework.NewStatus(framework.Error, `Invalid value: "{{.bad-value.}}"`),
		},
		{
			name:       "invalid AntiAffinity fails PreScore",
			pod:        mkPod().withAffinity(invalidAntiAffinityLabels).obj(),
			nodes:      []*model.Node{node("node1", rgChina), node("node2", rgChina)},
			wantStatus: framework.NewStatus(framework.Error, `Invalid value: "{{.bad-value.}}"`),
		},
		{
			name: "Affinity with pods matching NamespaceSelector",
			pod:  mkPod().ns("subteam1.team1").labels(s1).withAffinity(affinityNamespaceSelector).obj(),
			pods: []*model.Pod{onNS("node1", "subteam1.team1", s1), onNS("node1", "subteam1.team1", s1),
				onNS("node1", "subteam1.team2", s1), onNS("node2", "subteam2.team1", s1)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia)},
			want:  []int64{100, 0},
		},
		{
			name: "Affinity with pods matching both NamespaceSelector and Namespaces fields",
			pod:  mkPod().ns("subteam1.team1").labels(s1).withAffinity(affinityNamespaceSelector).obj(),
			pods: []*model.Pod{onNS("node1", "subteam1.team1", s1), onNS("node1", "subteam1.team1", s1),
				onNS("node1", "subteam2.team2", s1), onNS("node2", "subteam2.team1", s1)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia)},
			want:  []int64{100, 0},
		},
		{
			name: "Anti-affinity with pods matching NamespaceSelector",
			pod:  mkPod().ns("subteam1.team1").labels(s1).withAffinity(antiAffinityNamespaceSelector).obj(),
			pods: []*model.Pod{onNS("node1", "subteam1.team1", s1), onNS("node1", "subteam1.team1", s1),
				onNS("node1", "subteam1.team2", s1), onNS("node2", "subteam2.team1", s1)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia)},
			want:  []int64{0, 100},
		},
		{
			name: "Anti-affinity with pods matching both NamespaceSelector and Namespaces fields",
			pod:  mkPod().ns("subteam1.team1").labels(s1).withAffinity(antiAffinityNamespaceSelector).obj(),
			pods: []*model.Pod{onNS("node1", "subteam1.team1", s1), onNS("node1", "subteam1.team1", s1),
				onNS("node1", "subteam2.team2", s1), onNS("node2", "subteam2.team1", s1)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia)},
			want:  []int64{0, 100},
		},
		{
			name:       "Ignore preferred terms of existing pods",
			pod:        mkPod().labels(s2).obj(),
			pods:       []*model.Pod{on("node1", s1, stayWithS1InRegionAwayFromS2InAz), on("node2", s2, stayWithS2InRegion)},
			nodes:      []*model.Node{node("node1", rgChina), node("node2", rgIndia)},
			ignore:     true,
			wantStatus: framework.NewStatus(framework.Skip),
		},
		{
			name:  "Do not ignore preferred terms of existing pods",
			pod:   mkPod().labels(s2).obj(),
			pods:  []*model.Pod{on("node1", s1, stayWithS1InRegionAwayFromS2InAz), on("node2", s2, stayWithS2InRegion)},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgIndia)},
			want:  []int64{0, 100},
		},
		{
			name:       "No nodes to score",
			pod:        mkPod().labels(s2).obj(),
			wantStatus: framework.NewStatus(framework.Skip),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, p := range tt.pods {
				p.Name = "pod" + string(rune('a'+i))
			}
			h := fwtest.NewHandle(tt.nodes, tt.pods, namespaces...)
			w := int32(1)
			p := newPlugin(t, &Args{HardPodAffinityWeight: &w, IgnorePreferredTermsOfExistingPods: tt.ignore}, h)
			got, st := runScore(t, p, h, tt.pod, tt.nodes)
			if st != nil || tt.wantStatus != nil {
				if st.Code() != tt.wantStatus.Code() || !strings.Contains(st.Message(), tt.wantStatus.Message()) {
					t.Fatalf("PreScore = %v, want %v", st, tt.wantStatus)
				}
				return
			}
			scores := make([]int64, len(got))
			for i := range got {
				scores[i] = got[i].Score
			}
			if !slices.Equal(scores, tt.want) {
				t.Errorf("scores = %v, want %v", scores, tt.want)
			}
		})
	}
}

// Cases from upstream scoring_test.go
// TestPreferredAffinityWithHardPodAffinitySymmetricWeight.
func TestPreferredAffinityWithHardPodAffinitySymmetricWeight(t *testing.T) {
	serviceS1 := map[string]string{"service": "S1"}
	hard := &model.Affinity{PodAffinity: &model.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{{
		LabelSelector:     expr("service", model.LabelSelectorOpIn, "S1"),
		Namespaces:        []string{"", "subteam2.team2"},
		NamespaceSelector: expr("team", model.LabelSelectorOpIn, "team1"),
		TopologyKey:       "region",
	}}}}
	nodes := []*model.Node{node("node1", map[string]string{"region": "China"}), node("node2", map[string]string{"region": "India"}), node("node3", map[string]string{"az": "az1"})}
	pods := func() []*model.Pod {
		return []*model.Pod{mkPod().name("a").node("node1").withAffinity(hard).obj(), mkPod().name("b").node("node2").withAffinity(hard).obj()}
	}
	tests := []struct {
		name       string
		ns         string
		weight     int32
		want       []int64
		wantStatus *framework.Status
	}{
		{name: "with default weight", weight: 1, want: []int64{100, 100, 0}},
		{name: "with zero weight", weight: 0, wantStatus: framework.NewStatus(framework.Skip)},
		{name: "with no matching namespace", ns: "subteam1.team2", weight: 1, wantStatus: framework.NewStatus(framework.Skip)},
		{name: "with matching NamespaceSelector", ns: "subteam1.team1", weight: 1, want: []int64{100, 100, 0}},
		{name: "with matching Namespaces", ns: "subteam2.team2", weight: 1, want: []int64{100, 100, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(nodes, pods(), namespaces...)
			w := tt.weight
			p := newPlugin(t, &Args{HardPodAffinityWeight: &w}, h)
			got, st := runScore(t, p, h, mkPod().ns(tt.ns).labels(serviceS1).obj(), nodes)
			if !statusEqual(st, tt.wantStatus) {
				t.Fatalf("PreScore = %v, want %v", st, tt.wantStatus)
			}
			for i := range tt.want {
				if got[i].Score != tt.want[i] {
					t.Errorf("scores = %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}

// Score must not allocate (hot path).
func TestScoreDoesNotAllocate(t *testing.T) {
	nodes := []*model.Node{node("node1", map[string]string{"region": "China", "az": "a"})}
	pods := []*model.Pod{mkPod().name("a").node("node1").label("security", "S1").obj()}
	h := fwtest.NewHandle(nodes, pods)
	p := newPlugin(t, nil, h)
	pod := mkPod().withAffinity(&model.Affinity{PodAffinity: &model.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{
		weighted(5, expr("security", model.LabelSelectorOpIn, "S1"), "region")}}}).obj()
	state := framework.NewCycleState()
	if st := p.PreScore(state, pod, h.Snap.List()); !st.IsSuccess() {
		t.Fatal(st)
	}
	ni := mustNodeInfo(t, h, "node1")
	if n := testing.AllocsPerRun(100, func() { _, _ = p.Score(state, pod, ni) }); n != 0 {
		t.Fatalf("Score allocates %v times", n)
	}
}
