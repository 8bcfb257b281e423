package interpodaffinity

import (
	"maps"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

func unresolvable(reason string) *framework.Status {
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, reason)
}
func unschedulable(reason string) *framework.Status {
	return framework.NewStatus(framework.Unschedulable, reason)
}

// Cases from upstream filtering_test.go TestRequiredAffinitySingleNode.
func TestRequiredAffinitySingleNode(t *testing.T) {
	podLabel := map[string]string{"service": "securityscan"}
	podLabel2 := map[string]string{"security": "S1"}
	existing := func() *model.Pod { return mkPod().labels(podLabel).node("node1").obj() }
	node1 := node("node1", map[string]string{"region": "r1", "zone": "z11"})
	nsTerm := func(topo string, nsSel *model.LabelSelector) model.PodAffinityTerm {
		return model.PodAffinityTerm{LabelSelector: expr("service", model.LabelSelectorOpIn, "securityscan", "value2"), NamespaceSelector: nsSel, TopologyKey: topo}
	}
	team1 := expr("team", model.LabelSelectorOpIn, "team1")
	tests := []struct {
		name          string
		pod           *model.Pod
		pods          []*model.Pod
		wantPreFilter *framework.Status
		wantFilter    *framework.Status
	}{
		{
			name:          "A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods",
			pod:           mkPod().obj(),
			wantPreFilter: framework.NewStatus(framework.Skip),
		},
		{
			name: "satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod",
			pod:  mkPod().labels(podLabel2).affinityIn("service", "region", "securityscan", "value2").obj(),
			pods: []*model.Pod{existing()},
		},
		{
			name: "satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using not in operator in labelSelector that matches the existing pod",
			pod:  mkPod().labels(podLabel2).affinityNotIn("service", "region", "securityscan3", "value3").obj(),
			pods: []*model.Pod{existing()},
		},
		{
			name: "Does not satisfy the PodAffinity with labelSelector because of diff Namespace",
			pod: mkPod().labels(podLabel2).withAffinity(&model.Affinity{PodAffinity: &model.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{
				{LabelSelector: expr("service", model.LabelSelectorOpIn, "securityscan", "value2"), Namespaces: []string{"DiffNameSpace"}}}}}).obj(),
			pods:       []*model.Pod{mkPod().ns("ns").label("service", "securityscan").node("node1").obj()},
			wantFilter: unresolvable(ErrReasonAffinityRulesNotMatch),
		},
		{
			name:       "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
			pod:        mkPod().labels(podLabel).affinityIn("service", "", "antivirusscan", "value2").obj(),
			pods:       []*model.Pod{existing()},
			wantFilter: unresolvable(ErrReasonAffinityRulesNotMatch),
		},
		{
			name: "satisfies the PodAffinity with different label Operators in multiple RequiredDuringSchedulingIgnoredDuringExecution ",
			pod: mkPod().labels(podLabel2).
				affinityTerm(&model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "service", Operator: model.LabelSelectorOpExists}, {Key: "wrongkey", Operator: model.LabelSelectorOpDoesNotExist}}}, "region").
				affinityTerm(&model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "service", Operator: model.LabelSelectorOpIn, Values: []string{"securityscan"}}, {Key: "service", Operator: model.LabelSelectorOpNotIn, Values: []string{"WrongValue"}}}}, "region").obj(),
			pods: []*model.Pod{existing()},
		},
		{
			name: "The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot schedule onto the node because one of the matchExpression item don't match.",
			pod: mkPod().labels(podLabel2).
				affinityTerm(&model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "service", Operator: model.LabelSelectorOpExists}, {Key: "wrongkey", Operator: model.LabelSelectorOpDoesNotExist}}}, "region").
				affinityTerm(&model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "service", Operator: model.LabelSelectorOpIn, Values: []string{"securityscan2"}}, {Key: "service", Operator: model.LabelSelectorOpNotIn, Values: []string{"WrongValue"}}}}, "region").obj(),
			pods:       []*model.Pod{existing()},
			wantFilter: unresolvable(ErrReasonAffinityRulesNotMatch),
		},
		{
			name: "satisfies the PodAffinity and PodAntiAffinity with the existing pod",
			pod: mkPod().labels(podLabel2).affinityIn("service", "region", "securityscan", "value2").
				antiIn("service", "node", "antivirusscan", "value2").obj(),
			pods: []*model.Pod{existing()},
		},
		{
			name: "satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod",
			pod: mkPod().labels(podLabel2).affinityIn("service", "region", "securityscan", "value2").
				antiIn("service", "node", "antivirusscan", "value2").obj(),
			pods: []*model.Pod{mkPod().node("node1").labels(podLabel).antiIn("service", "node", "antivirusscan", "value2").obj()},
		},
		{
			name: "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
			pod: mkPod().labels(podLabel2).affinityIn("service", "region", "securityscan", "value2").
				antiIn("service", "zone", "securityscan", "value2").obj(),
			pods:       []*model.Pod{existing()},
			wantFilter: unschedulable(ErrReasonAntiAffinityRulesNotMatch),
		},
		{
			name: "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod",
			pod: mkPod().labels(podLabel).affinityIn("service", "region", "securityscan", "value2").
				antiIn("service", "node", "antivirusscan", "value2").obj(),
			pods:       []*model.Pod{mkPod().labels(podLabel).node("node1").antiIn("service", "zone", "securityscan", "value2").obj()},
			wantFilter: unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch),
		},
		{
			name:       "pod matches its own Label in PodAffinity and that matches the existing pod Labels",
			pod:        mkPod().labels(podLabel).affinityNotIn("service", "region", "securityscan", "value2").obj(),
			pods:       []*model.Pod{mkPod().label("service", "securityscan").node("node2").obj()},
			wantFilter: unresolvable(ErrReasonAffinityRulesNotMatch),
		},
		{
			name:       "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod",
			pod:        mkPod().labels(podLabel).obj(),
			pods:       []*model.Pod{mkPod().node("node1").labels(podLabel).antiIn("service", "zone", "securityscan", "value2").obj()},
			wantFilter: unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch),
		},
		{
			name:          "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod",
			pod:           mkPod().labels(podLabel).obj(),
			pods:          []*model.Pod{mkPod().node("node1").labels(podLabel).antiNotIn("service", "zone", "securityscan", "value2").obj()},
			wantPreFilter: framework.NewStatus(framework.Skip),
		},
		{
			name:       "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity symmetry with incoming pod",
			pod:        mkPod().labels(podLabel).antiExists("service", "region").antiExists("security", "region").obj(),
			pods:       []*model.Pod{mkPod().node("node1").labels(podLabel2).antiExists("security", "zone").obj()},
			wantFilter: unschedulable(ErrReasonAntiAffinityRulesNotMatch),
		},
		{
			name:       "PodAntiAffinity symmetry check a1: incoming pod and existing pod partially match each other on AffinityTerms",
			pod:        mkPod().labels(podLabel).antiExists("service", "zone").antiExists("security", "zone").obj(),
			pods:       []*model.Pod{mkPod().node("node1").labels(podLabel2).antiExists("security", "zone").obj()},
			wantFilter: unschedulable(ErrReasonAntiAffinityRulesNotMatch),
		},
		{
			name:       "PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other on AffinityTerms",
			pod:        mkPod().labels(podLabel2).antiExists("security", "zone").obj(),
			pods:       []*model.Pod{mkPod().node("node1").labels(podLabel).antiExists("service", "zone").antiExists("security", "zone").obj()},
			wantFilter: unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch),
		},
		{
			name:       "PodAntiAffinity symmetry check b1: incoming pod and existing pod partially match each other on AffinityTerms",
			pod:        mkPod().labels(map[string]string{"abc": "", "xyz": ""}).antiExists("abc", "zone").antiExists("def", "zone").obj(),
			pods:       []*model.Pod{mkPod().node("node1").labels(map[string]string{"def": "", "xyz": ""}).antiExists("abc", "zone").antiExists("def", "zone").obj()},
			wantFilter: unschedulable(ErrReasonAntiAffinityRulesNotMatch),
		},
		{
			name:       "PodAntiAffinity symmetry check b2: incoming pod and existing pod partially match each other on AffinityTerms",
			pod:        mkPod().labels(map[string]string{"def": "", "xyz": ""}).antiExists("abc", "zone").antiExists("def", "zone").obj(),
			pods:       []*model.Pod{mkPod().node("node1").labels(map[string]string{"abc": "", "xyz": ""}).antiExists("abc", "zone").antiExists("def", "zone").obj()},
			wantFilter: unschedulable(ErrReasonAntiAffinityRulesNotMatch),
		},
		{
			name: "affinity with NamespaceSelector",
			pod: mkPod().labels(podLabel2).withAffinity(&model.Affinity{PodAffinity: &model.PodAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{nsTerm("region", team1)}}}).obj(),
			pods: []*model.Pod{mkPod().node("node1").ns("subteam1.team1").labels(podLabel).obj()},
		},
		{
			name: "affinity with non-matching NamespaceSelector",
			pod: mkPod().labels(podLabel2).withAffinity(&model.Affinity{PodAffinity: &model.PodAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{nsTerm("region", team1)}}}).obj(),
			pods:       []*model.Pod{mkPod().node("node1").ns("subteam1.team2").labels(podLabel).obj()},
			wantFilter: unresolvable(ErrReasonAffinityRulesNotMatch),
		},
		{
			name: "anti-affinity with matching NamespaceSelector",
			pod: mkPod().ns("subteam1.team1").labels(podLabel2).withAffinity(&model.Affinity{PodAntiAffinity: &model.PodAntiAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{nsTerm("zone", team1)}}}).obj(),
			pods:       []*model.Pod{mkPod().node("node1").ns("subteam2.team1").labels(podLabel).obj()},
			wantFilter: unschedulable(ErrReasonAntiAffinityRulesNotMatch),
		},
		{
			name: "anti-affinity with matching all NamespaceSelector",
			pod: mkPod().ns("subteam1.team1").labels(podLabel2).withAffinity(&model.Affinity{PodAntiAffinity: &model.PodAntiAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{nsTerm("zone", &model.LabelSelector{})}}}).obj(),
			pods:       []*model.Pod{mkPod().node("node1").ns("subteam2.team1").labels(podLabel).obj()},
			wantFilter: unschedulable(ErrReasonAntiAffinityRulesNotMatch),
		},
		{
			name: "anti-affinity with non-matching NamespaceSelector",
			pod: mkPod().ns("subteam1.team1").labels(podLabel2).withAffinity(&model.Affinity{PodAntiAffinity: &model.PodAntiAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{nsTerm("zone", team1)}}}).obj(),
			pods: []*model.Pod{mkPod().node("node1").ns("subteam1.team2").labels(podLabel).obj()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle([]*model.Node{node1}, tt.pods, namespaces...)
			p := newPlugin(t, nil, h)
			state := framework.NewCycleState()
			_, st := p.PreFilter(state, tt.pod, h.Snap.List())
			if !statusEqual(st, tt.wantPreFilter) {
				t.Fatalf("PreFilter = %v, want %v", st, tt.wantPreFilter)
			}
			if !st.IsSuccess() {
				return
			}
			if got := p.Filter(state, tt.pod, mustNodeInfo(t, h, "node1")); !statusEqual(got, tt.wantFilter) {
				t.Errorf("Filter = %v, want %v", got, tt.wantFilter)
			}
		})
	}
}

// Upstream TestRequiredAffinitySingleNode "PodAffinity fails PreFilter with
// an invalid affinity label syntax": UnschedulableAndUnresolvable with a
// "parsing pod: requiredAffinityTerms: " reason (kubesim's selector errors
// name the field differently, see doc.go).
func TestPreFilterInvalidAffinity(t *testing.T) {
	pod := mkPod().label("service", "securityscan").affinityIn("service", "region", "{{.bad-value.}}").
		affinityIn("service", "node", "antivirusscan", "value2").obj()
	h := fwtest.NewHandle([]*model.Node{node("node1", map[string]string{"region": "r1"})}, nil)
	p := newPlugin(t, nil, h)
	_, st := p.PreFilter(framework.NewCycleState(), pod, h.Snap.List())
	if st.Code() != framework.UnschedulableAndUnresolvable ||
		!strings.HasPrefix(st.Message(), "parsing pod: requiredAffinityTerms: ") ||
		!strings.Contains(st.Message(), `Invalid value: "{{.bad-value.}}"`) {
		t.Fatalf("PreFilter = %v", st)
	}
}

// Cases from upstream filtering_test.go TestRequiredAffinityMultipleNodes.
func TestRequiredAffinityMultipleNodes(t *testing.T) {
	podLabelA := map[string]string{"foo": "bar"}
	rgChina := map[string]string{"region": "China"}
	rgChinaAzAz1 := map[string]string{"region": "China", "az": "az1"}
	rgIndia := map[string]string{"region": "India"}
	abc := func(region, zone, host string) map[string]string {
		return map[string]string{"region": region, "zone": zone, "hostname": host}
	}
	tests := []struct {
		name          string
		pod           *model.Pod
		pods          []*model.Pod
		nodes         []*model.Node
		wantPreFilter *framework.Status
		want          []*framework.Status
	}{
		{
			name:  "A pod can be scheduled onto all the nodes that have the same topology key & label value with one of them has an existing pod that matches the affinity rules",
			pod:   mkPod().affinityIn("foo", "region", "bar").obj(),
			pods:  []*model.Pod{mkPod().name("p1").node("node1").labels(podLabelA).obj()},
			nodes: []*model.Node{node("node1", rgChina), node("node2", rgChinaAzAz1), node("node3", rgIndia)},
			want:  []*framework.Status{nil, nil, unresolvable(ErrReasonAffinityRulesNotMatch)},
		},
		{
			name: "The affinity rule is to schedule all of the pods of this collection to the same zone. The first pod of the collection should not be blocked from being scheduled onto any node, even there's no existing pod that matches the rule anywhere.",
			pod: mkPod().labels(map[string]string{"foo": "bar", "service": "securityscan"}).
				affinityIn("foo", "zone", "bar").affinityIn("service", "zone", "securityscan").obj(),
			pods:  []*model.Pod{mkPod().name("p1").node("nodeA").labels(map[string]string{"foo": "bar"}).obj()},
			nodes: []*model.Node{node("nodeA", map[string]string{"zone": "az1", "hostname": "h1"}), node("nodeB", map[string]string{"zone": "az2", "hostname": "h2"})},
			want:  []*framework.Status{nil, nil},
		},
		{
			name: "The first pod of the collection can only be scheduled on nodes labelled with the requested topology keys",
			pod: mkPod().labels(map[string]string{"foo": "bar", "service": "securityscan"}).
				affinityIn("foo", "zone", "bar").affinityIn("service", "zone", "securityscan").obj(),
			pods:  []*model.Pod{mkPod().name("p1").node("nodeA").labels(map[string]string{"foo": "bar"}).obj()},
			nodes: []*model.Node{node("nodeA", map[string]string{"zoneLabel": "az1", "hostname": "h1"}), node("nodeB", map[string]string{"zoneLabel": "az2", "hostname": "h2"})},
			want:  []*framework.Status{unresolvable(ErrReasonAffinityRulesNotMatch), unresolvable(ErrReasonAffinityRulesNotMatch)},
		},
		{
			name:  "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB.",
			pod:   mkPod().antiIn("foo", "region", "abc").obj(),
			pods:  []*model.Pod{mkPod().node("nodeA").labels(map[string]string{"foo": "abc"}).obj()},
			nodes: []*model.Node{node("nodeA", map[string]string{"region": "r1", "hostname": "nodeA"}), node("nodeB", map[string]string{"region": "r1", "hostname": "nodeB"})},
			want:  []*framework.Status{unschedulable(ErrReasonAntiAffinityRulesNotMatch), unschedulable(ErrReasonAntiAffinityRulesNotMatch)},
		},
		{
			name:  "This test ensures that anti-affinity matches a pod when any term of the anti-affinity rule matches a pod.",
			pod:   mkPod().antiIn("foo", "region", "abc").antiIn("service", "zone", "securityscan").obj(),
			pods:  []*model.Pod{mkPod().node("nodeA").labels(map[string]string{"foo": "abc", "service": "securityscan"}).obj()},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB"))},
			want:  []*framework.Status{unschedulable(ErrReasonAntiAffinityRulesNotMatch), unschedulable(ErrReasonAntiAffinityRulesNotMatch)},
		},
		{
			name:  "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB but can be scheduled onto nodeC",
			pod:   mkPod().antiIn("foo", "region", "abc").obj(),
			pods:  []*model.Pod{mkPod().node("nodeA").labels(map[string]string{"foo": "abc"}).obj()},
			nodes: []*model.Node{node("nodeA", rgChina), node("nodeB", rgChinaAzAz1), node("nodeC", rgIndia)},
			want:  []*framework.Status{unschedulable(ErrReasonAntiAffinityRulesNotMatch), unschedulable(ErrReasonAntiAffinityRulesNotMatch), nil},
		},
		{
			name: "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA, nodeB, but can be scheduled onto nodeC (NodeC has an existing pod that match the inter pod affinity rule but in different namespace)",
			pod:  mkPod().ns("NS1").labels(map[string]string{"foo": "123"}).antiIn("foo", "region", "bar").obj(),
			pods: []*model.Pod{
				mkPod().node("nodeA").ns("NS1").labels(map[string]string{"foo": "bar"}).obj(),
				mkPod().node("nodeC").ns("NS2").antiIn("foo", "region", "123").obj(),
			},
			nodes: []*model.Node{node("nodeA", rgChina), node("nodeB", rgChinaAzAz1), node("nodeC", rgIndia)},
			want:  []*framework.Status{unschedulable(ErrReasonAntiAffinityRulesNotMatch), unschedulable(ErrReasonAntiAffinityRulesNotMatch), nil},
		},
		{
			name:          "Test existing pod's anti-affinity: if an existing pod has a term with invalid topologyKey, labelSelector of the term is firstly checked, and then topologyKey of the term is also checked",
			pod:           mkPod().label("foo", "").obj(),
			pods:          []*model.Pod{mkPod().node("nodeA").antiExists("foo", "invalid-node-label").obj()},
			nodes:         []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z1", "nodeB"))},
			wantPreFilter: framework.NewStatus(framework.Skip),
		},
		{
			name:  "Test incoming pod's anti-affinity: even if labelSelector matches, we still check if topologyKey matches",
			pod:   mkPod().node("nodeA").antiExists("foo", "invalid-node-label").obj(),
			pods:  []*model.Pod{mkPod().node("nodeA").labels(map[string]string{"foo": ""}).obj()},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z1", "nodeB"))},
			want:  []*framework.Status{nil, nil},
		},
		{
			name: "Test existing pod's anti-affinity: incoming pod wouldn't considered as a fit as it violates each existingPod's terms on all nodes",
			pod:  mkPod().label("foo", "").label("bar", "").obj(),
			pods: []*model.Pod{
				mkPod().node("nodeA").antiExists("foo", "zone").obj(),
				mkPod().node("nodeA").antiExists("bar", "region").obj(),
			},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB"))},
			want:  []*framework.Status{unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch), unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch)},
		},
		{
			name: "Test incoming pod's anti-affinity: incoming pod wouldn't considered as a fit as it at least violates one anti-affinity rule of existingPod",
			pod:  mkPod().antiExists("foo", "zone").antiExists("bar", "region").obj(),
			pods: []*model.Pod{
				mkPod().node("nodeA").labels(map[string]string{"foo": ""}).obj(),
				mkPod().node("nodeB").labels(map[string]string{"bar": ""}).obj(),
			},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB"))},
			want:  []*framework.Status{unschedulable(ErrReasonAntiAffinityRulesNotMatch), unschedulable(ErrReasonAntiAffinityRulesNotMatch)},
		},
		{
			name:  "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
			pod:   mkPod().label("foo", "").label("bar", "").obj(),
			pods:  []*model.Pod{mkPod().node("nodeA").antiExists("foo", "invalid-node-label").antiExists("bar", "zone").obj()},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB"))},
			want:  []*framework.Status{unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch), nil},
		},
		{
			name:  "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
			pod:   mkPod().antiExists("foo", "invalid-node-label").antiExists("bar", "zone").obj(),
			pods:  []*model.Pod{mkPod().name("podA").node("nodeA").labels(map[string]string{"foo": "", "bar": ""}).obj()},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB"))},
			want:  []*framework.Status{unschedulable(ErrReasonAntiAffinityRulesNotMatch), nil},
		},
		{
			name:  "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
			pod:   mkPod().label("foo", "").label("bar", "").obj(),
			pods:  []*model.Pod{mkPod().node("nodeA").antiExists("foo", "region").antiExists("bar", "zone").obj()},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB"))},
			want:  []*framework.Status{unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch), unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch)},
		},
		{
			name:  "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
			pod:   mkPod().antiExists("foo", "region").antiExists("bar", "zone").obj(),
			pods:  []*model.Pod{mkPod().node("nodeA").labels(map[string]string{"foo": "", "bar": ""}).obj()},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB"))},
			want:  []*framework.Status{unschedulable(ErrReasonAntiAffinityRulesNotMatch), unschedulable(ErrReasonAntiAffinityRulesNotMatch)},
		},
		{
			name: "Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC",
			pod:  mkPod().label("foo", "").label("bar", "").obj(),
			pods: []*model.Pod{
				mkPod().node("nodeA").antiExists("foo", "zone").antiExists("labelA", "zone").obj(),
				mkPod().node("nodeB").antiExists("bar", "zone").antiExists("labelB", "zone").obj(),
			},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB")), node("nodeC", abc("r1", "z3", "nodeC"))},
			want:  []*framework.Status{unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch), unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch), nil},
		},
		{
			name:  "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match",
			pod:   mkPod().affinityExists("foo", "region").affinityExists("bar", "zone").obj(),
			pods:  []*model.Pod{mkPod().name("pod1").labels(map[string]string{"foo": "", "bar": ""}).node("nodeA").obj()},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z1", "nodeB"))},
			want:  []*framework.Status{nil, nil},
		},
		{
			name: "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match, and the match logic should be satisfied on the same pod",
			pod:  mkPod().affinityExists("foo", "region").affinityExists("bar", "zone").obj(),
			pods: []*model.Pod{
				mkPod().node("nodeA").name("pod1").labels(map[string]string{"foo": ""}).obj(),
				mkPod().node("nodeB").name("pod2").labels(map[string]string{"bar": ""}).obj(),
			},
			nodes: []*model.Node{node("nodeA", abc("r1", "z1", "nodeA")), node("nodeB", abc("r1", "z2", "nodeB"))},
			want:  []*framework.Status{unresolvable(ErrReasonAffinityRulesNotMatch), unresolvable(ErrReasonAffinityRulesNotMatch)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, tt.pods, namespace("NS1", nil))
			p := newPlugin(t, nil, h)
			state := framework.NewCycleState()
			_, st := p.PreFilter(state, tt.pod, h.Snap.List())
			if !statusEqual(st, tt.wantPreFilter) {
				t.Fatalf("PreFilter = %v, want %v", st, tt.wantPreFilter)
			}
			if st.IsSkip() {
				return
			}
			for i, n := range tt.nodes {
				if got := p.Filter(state, tt.pod, mustNodeInfo(t, h, n.Name)); !statusEqual(got, tt.want[i]) {
					t.Errorf("Filter(%s) = %v, want %v", n.Name, got, tt.want[i])
				}
			}
		})
	}
}

// Upstream filtering_test.go TestPreFilterDisabled.
func TestPreFilterDisabled(t *testing.T) {
	h := fwtest.NewHandle(nil, nil)
	p := newPlugin(t, nil, h)
	ni := framework.NewNodeInfo()
	ni.SetNode(&model.Node{})
	got := p.Filter(framework.NewCycleState(), &model.Pod{}, ni)
	if got.Code() != framework.Error || got.Message() != `error reading "PreFilterInterPodAffinity" from cycleState: not found` {
		t.Fatalf("Filter = %v", got)
	}
}

// Cases from upstream filtering_test.go TestPreFilterStateAddRemovePod.
func TestPreFilterStateAddRemovePod(t *testing.T) {
	label1 := map[string]string{"region": "r1", "zone": "z11"}
	label2 := map[string]string{"region": "r1", "zone": "z12"}
	label3 := map[string]string{"region": "r2", "zone": "z21"}
	selector1 := map[string]string{"foo": "bar"}
	antiFooBar := func() *model.PodAntiAffinity {
		return &model.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{
			{LabelSelector: expr("foo", model.LabelSelectorOpIn, "bar"), TopologyKey: "region"}}}
	}
	complexTerms := func() []model.PodAffinityTerm {
		return []model.PodAffinityTerm{
			{LabelSelector: expr("foo", model.LabelSelectorOpIn, "bar", "buzz"), TopologyKey: "region"},
			{LabelSelector: expr("service", model.LabelSelectorOpNotIn, "bar", "security", "test"), TopologyKey: "zone"},
		}
	}
	antiComplex := func() *model.PodAntiAffinity {
		return &model.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: complexTerms()}
	}
	affinityComplex := func() *model.PodAffinity {
		return &model.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: complexTerms()}
	}
	nodes := []*model.Node{node("nodeA", label1), node("nodeB", label2), node("nodeC", label3)}
	tp := func(k, v string) topologyPair { return topologyPair{key: k, value: v} }
	tests := []struct {
		name         string
		pending      *model.Pod
		added        *model.Pod
		existing     []*model.Pod
		wantAnti     topologyToMatchedTermCount
		wantAffinity topologyToMatchedTermCount
	}{
		{
			name:    "preFilterState anti-affinity terms are updated correctly after adding and removing a pod",
			pending: mkPod().name("pending").labels(selector1).withAffinity(&model.Affinity{PodAntiAffinity: antiFooBar()}).obj(),
			existing: []*model.Pod{
				mkPod().name("p1").labels(selector1).node("nodeA").obj(),
				mkPod().name("p2").node("nodeC").withAffinity(&model.Affinity{PodAntiAffinity: antiFooBar()}).obj(),
			},
			added:        mkPod().name("addedPod").labels(selector1).node("nodeB").withAffinity(&model.Affinity{PodAntiAffinity: antiFooBar()}).obj(),
			wantAnti:     topologyToMatchedTermCount{tp("region", "r1"): 2},
			wantAffinity: topologyToMatchedTermCount{},
		},
		{
			name:    "preFilterState anti-affinity terms are updated correctly after adding and removing a pod (complex)",
			pending: mkPod().name("pending").labels(selector1).withAffinity(&model.Affinity{PodAntiAffinity: antiComplex()}).obj(),
			existing: []*model.Pod{
				mkPod().name("p1").labels(selector1).node("nodeA").obj(),
				mkPod().name("p2").node("nodeC").withAffinity(&model.Affinity{PodAntiAffinity: antiFooBar()}).obj(),
			},
			added:        mkPod().name("addedPod").labels(selector1).node("nodeA").withAffinity(&model.Affinity{PodAntiAffinity: antiComplex()}).obj(),
			wantAnti:     topologyToMatchedTermCount{tp("region", "r1"): 2, tp("zone", "z11"): 2, tp("zone", "z21"): 1},
			wantAffinity: topologyToMatchedTermCount{},
		},
		{
			name:    "preFilterState matching pod affinity and anti-affinity are updated correctly after adding and removing a pod",
			pending: mkPod().name("pending").labels(selector1).withAffinity(&model.Affinity{PodAffinity: affinityComplex()}).obj(),
			existing: []*model.Pod{
				mkPod().name("p1").labels(selector1).node("nodeA").obj(),
				mkPod().name("p2").node("nodeC").withAffinity(&model.Affinity{PodAntiAffinity: antiFooBar(), PodAffinity: affinityComplex()}).obj(),
			},
			added:        mkPod().name("addedPod").labels(selector1).node("nodeA").withAffinity(&model.Affinity{PodAntiAffinity: antiComplex()}).obj(),
			wantAnti:     topologyToMatchedTermCount{},
			wantAffinity: topologyToMatchedTermCount{tp("region", "r1"): 2, tp("zone", "z11"): 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getState := func(pods []*model.Pod) (*Plugin, *framework.CycleState, *preFilterState, *fwtest.Handle) {
				h := fwtest.NewHandle(nodes, pods)
				p := newPlugin(t, nil, h)
				state := framework.NewCycleState()
				if _, st := p.PreFilter(state, tt.pending, h.Snap.List()); !st.IsSuccess() {
					t.Fatalf("PreFilter: %v", st)
				}
				s, err := getPreFilterState(state)
				if err != nil {
					t.Fatal(err)
				}
				return p, state, s, h
			}
			_, _, all, _ := getState(append(append([]*model.Pod{}, tt.existing...), tt.added))
			p, state, s, h := getState(tt.existing)
			original := s.Clone().(*preFilterState)
			ni := mustNodeInfo(t, h, tt.added.Spec.NodeName)
			if st := p.AddPod(state, tt.pending, framework.NewPodInfo(tt.added), ni); !st.IsSuccess() {
				t.Fatal(st)
			}
			if !maps.Equal(s.antiAffinityCounts, tt.wantAnti) {
				t.Errorf("antiAffinityCounts = %v, want %v", s.antiAffinityCounts, tt.wantAnti)
			}
			if !maps.Equal(s.affinityCounts, tt.wantAffinity) {
				t.Errorf("affinityCounts = %v, want %v", s.affinityCounts, tt.wantAffinity)
			}
			if !sameCounts(s, all) {
				t.Errorf("after AddPod state %+v, want %+v", s, all)
			}
			if st := p.RemovePod(state, tt.pending, framework.NewPodInfo(tt.added), ni); !st.IsSuccess() {
				t.Fatal(st)
			}
			if !sameCounts(s, original) {
				t.Errorf("after RemovePod state %+v, want %+v", s, original)
			}
		})
	}
}

func sameCounts(a, b *preFilterState) bool {
	return maps.Equal(a.existingAntiAffinityCounts, b.existingAntiAffinityCounts) &&
		maps.Equal(a.affinityCounts, b.affinityCounts) && maps.Equal(a.antiAffinityCounts, b.antiAffinityCounts)
}

// Upstream filtering_test.go TestPreFilterStateClone.
func TestPreFilterStateClone(t *testing.T) {
	src := &preFilterState{
		existingAntiAffinityCounts: topologyToMatchedTermCount{{key: "name", value: "node1"}: 1, {key: "name", value: "node2"}: 1},
		affinityCounts:             topologyToMatchedTermCount{{key: "name", value: "nodeA"}: 1, {key: "name", value: "nodeC"}: 2},
		antiAffinityCounts:         topologyToMatchedTermCount{{key: "name", value: "nodeN"}: 3, {key: "name", value: "nodeM"}: 1},
	}
	c := src.Clone().(*preFilterState)
	if c == src || !sameCounts(c, src) {
		t.Fatal("clone differs or is the same object")
	}
	c.affinityCounts[topologyPair{key: "name", value: "nodeA"}]++
	if src.affinityCounts[topologyPair{key: "name", value: "nodeA"}] != 1 {
		t.Fatal("clone shares its maps with the source")
	}
}

// Cases from upstream filtering_test.go
// TestGetTPMapMatchingIncomingAffinityAntiAffinity.
func TestIncomingAffinityAntiAffinityCounts(t *testing.T) {
	newPod := func(labels ...string) *model.Pod {
		w := mkPod().name("normal").node("nodeA")
		for _, l := range labels {
			w.label(l, "")
		}
		return w.obj()
	}
	nodeA := node("nodeA", map[string]string{"hostname": "nodeA"})
	host := topologyPair{key: "hostname", value: "nodeA"}
	tests := []struct {
		name         string
		existing     []*model.Pod
		pod          *model.Pod
		wantAffinity topologyToMatchedTermCount
		wantAnti     topologyToMatchedTermCount
	}{
		{name: "nil test", pod: mkPod().name("aaa-normal").obj(), wantAffinity: topologyToMatchedTermCount{}, wantAnti: topologyToMatchedTermCount{}},
		{name: "incoming pod without affinity/anti-affinity causes a no-op", existing: []*model.Pod{newPod("aaa")},
			pod: mkPod().name("aaa-normal").obj(), wantAffinity: topologyToMatchedTermCount{}, wantAnti: topologyToMatchedTermCount{}},
		{name: "no pod has label that violates incoming pod's affinity and anti-affinity", existing: []*model.Pod{newPod("bbb")},
			pod:          mkPod().name("aaa-anti").affinityExists("aaa", "hostname").antiExists("aaa", "hostname").obj(),
			wantAffinity: topologyToMatchedTermCount{}, wantAnti: topologyToMatchedTermCount{}},
		{name: "existing pod matches incoming pod's affinity and anti-affinity - single term case", existing: []*model.Pod{newPod("aaa")},
			pod:          mkPod().name("affi-antiaffi").affinityExists("aaa", "hostname").antiExists("aaa", "hostname").obj(),
			wantAffinity: topologyToMatchedTermCount{host: 1}, wantAnti: topologyToMatchedTermCount{host: 1}},
		{name: "existing pod matches incoming pod's affinity and anti-affinity - multiple terms case", existing: []*model.Pod{newPod("aaa", "bbb")},
			pod:          mkPod().name("affi-antiaffi").affinityExists("aaa", "hostname").affinityExists("bbb", "hostname").antiExists("aaa", "hostname").obj(),
			wantAffinity: topologyToMatchedTermCount{host: 2}, wantAnti: topologyToMatchedTermCount{host: 1}},
		{name: "existing pod not match incoming pod's affinity but matches anti-affinity", existing: []*model.Pod{newPod("aaa")},
			pod: mkPod().name("affi-antiaffi").affinityExists("aaa", "hostname").affinityExists("bbb", "hostname").
				antiExists("aaa", "hostname").antiExists("bbb", "hostname").obj(),
			wantAffinity: topologyToMatchedTermCount{}, wantAnti: topologyToMatchedTermCount{host: 1}},
		{name: "incoming pod's anti-affinity has more than one term - existing pod violates partial term - case 1", existing: []*model.Pod{newPod("aaa", "bbb")},
			pod: mkPod().name("anaffi-antiaffiti").affinityExists("aaa", "hostname").affinityExists("ccc", "hostname").
				antiExists("aaa", "hostname").antiExists("ccc", "hostname").obj(),
			wantAffinity: topologyToMatchedTermCount{}, wantAnti: topologyToMatchedTermCount{host: 1}},
		{name: "incoming pod's anti-affinity has more than one term - existing pod violates partial term - case 2", existing: []*model.Pod{newPod("bbb")},
			pod: mkPod().name("affi-antiaffi").affinityExists("aaa", "hostname").affinityExists("bbb", "hostname").
				antiExists("aaa", "hostname").antiExists("bbb", "hostname").obj(),
			wantAffinity: topologyToMatchedTermCount{}, wantAnti: topologyToMatchedTermCount{host: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle([]*model.Node{nodeA}, tt.existing)
			aff, anti := incomingAffinityAntiAffinityCounts(framework.NewPodInfo(tt.pod), h.Snap.List())
			if !maps.Equal(aff, tt.wantAffinity) || !maps.Equal(anti, tt.wantAnti) {
				t.Errorf("got %v / %v, want %v / %v", aff, anti, tt.wantAffinity, tt.wantAnti)
			}
		})
	}
}

// Filter must not allocate (hot path) on a node that passes all three
// checks with non-empty counters.
func TestFilterDoesNotAllocate(t *testing.T) {
	pods := []*model.Pod{
		mkPod().name("p1").node("nodeA").label("foo", "").antiExists("bar", "zone").obj(),
		mkPod().name("p2").node("nodeB").antiExists("baz", "zone").obj(),
	}
	nodes := []*model.Node{node("nodeA", map[string]string{"zone": "z1"}), node("nodeB", map[string]string{"zone": "z2"})}
	h := fwtest.NewHandle(nodes, pods)
	p := newPlugin(t, nil, h)
	pod := mkPod().label("baz", "").affinityExists("foo", "zone").antiExists("qux", "zone").obj()
	state := framework.NewCycleState()
	if _, st := p.PreFilter(state, pod, h.Snap.List()); !st.IsSuccess() {
		t.Fatal(st)
	}
	ni := mustNodeInfo(t, h, "nodeA")
	if st := p.Filter(state, pod, ni); !st.IsSuccess() {
		t.Fatal(st)
	}
	if st := p.Filter(state, pod, mustNodeInfo(t, h, "nodeB")); st.Code() != framework.UnschedulableAndUnresolvable {
		t.Fatalf("nodeB: %v", st)
	}
	if n := testing.AllocsPerRun(100, func() { p.Filter(state, pod, ni) }); n != 0 {
		t.Fatalf("Filter allocates %v times", n)
	}
}
