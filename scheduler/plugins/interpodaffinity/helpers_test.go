package interpodaffinity

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// podWrapper builds pods the way upstream's st.MakePod does: namespace ""
// unless set, no containers.
type podWrapper struct{ p *model.Pod }

func mkPod() *podWrapper { return &podWrapper{p: &model.Pod{}} }

func (w *podWrapper) name(n string) *podWrapper { w.p.Name = n; return w }
func (w *podWrapper) uid(u string) *podWrapper  { w.p.UID = u; return w }
func (w *podWrapper) ns(n string) *podWrapper   { w.p.Namespace = n; return w }
func (w *podWrapper) node(n string) *podWrapper { w.p.Spec.NodeName = n; return w }
func (w *podWrapper) obj() *model.Pod           { return w.p }
func (w *podWrapper) affinity() *model.Affinity {
	if w.p.Spec.Affinity == nil {
		w.p.Spec.Affinity = &model.Affinity{}
	}
	return w.p.Spec.Affinity
}

func (w *podWrapper) labels(m map[string]string) *podWrapper {
	for k, v := range m {
		w.label(k, v)
	}
	return w
}

func (w *podWrapper) label(k, v string) *podWrapper {
	if w.p.Labels == nil {
		w.p.Labels = map[string]string{}
	}
	w.p.Labels[k] = v
	return w
}

func expr(key string, op model.LabelSelectorOperator, vals ...string) *model.LabelSelector {
	return &model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: key, Operator: op, Values: vals}}}
}

// Required terms, as st's PodAffinityIn/NotIn/Exists(..., WithRequiredReq).
func (w *podWrapper) affinityTerm(ls *model.LabelSelector, topo string) *podWrapper {
	a := w.affinity()
	if a.PodAffinity == nil {
		a.PodAffinity = &model.PodAffinity{}
	}
	a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution,
		model.PodAffinityTerm{LabelSelector: ls, TopologyKey: topo})
	return w
}

func (w *podWrapper) antiTerm(ls *model.LabelSelector, topo string) *podWrapper {
	a := w.affinity()
	if a.PodAntiAffinity == nil {
		a.PodAntiAffinity = &model.PodAntiAffinity{}
	}
	a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution,
		model.PodAffinityTerm{LabelSelector: ls, TopologyKey: topo})
	return w
}

func (w *podWrapper) affinityIn(key, topo string, vals ...string) *podWrapper {
	return w.affinityTerm(expr(key, model.LabelSelectorOpIn, vals...), topo)
}
func (w *podWrapper) affinityNotIn(key, topo string, vals ...string) *podWrapper {
	return w.affinityTerm(expr(key, model.LabelSelectorOpNotIn, vals...), topo)
}
func (w *podWrapper) affinityExists(key, topo string) *podWrapper {
	return w.affinityTerm(expr(key, model.LabelSelectorOpExists), topo)
}
func (w *podWrapper) antiIn(key, topo string, vals ...string) *podWrapper {
	return w.antiTerm(expr(key, model.LabelSelectorOpIn, vals...), topo)
}
func (w *podWrapper) antiNotIn(key, topo string, vals ...string) *podWrapper {
	return w.antiTerm(expr(key, model.LabelSelectorOpNotIn, vals...), topo)
}
func (w *podWrapper) antiExists(key, topo string) *podWrapper {
	return w.antiTerm(expr(key, model.LabelSelectorOpExists), topo)
}

// withAffinity sets the whole affinity.
func (w *podWrapper) withAffinity(a *model.Affinity) *podWrapper { w.p.Spec.Affinity = a; return w }

func node(name string, labels map[string]string) *model.Node {
	return &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: labels}}
}

func namespace(name string, labels map[string]string) *model.Namespace {
	return &model.Namespace{ObjectMeta: model.ObjectMeta{Name: name, Labels: labels}}
}

// upstream scoring_test.go's namespaces.
var (
	nsLabelT1  = map[string]string{"team": "team1"}
	nsLabelT2  = map[string]string{"team": "team2"}
	namespaces = []model.Object{
		namespace("subteam1.team1", nsLabelT1),
		namespace("subteam2.team1", nsLabelT1),
		namespace("subteam1.team2", nsLabelT2),
		namespace("subteam2.team2", nsLabelT2),
	}
)

func newPlugin(t *testing.T, args *Args, h *fwtest.Handle) *Plugin {
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

func mustNodeInfo(t *testing.T, h *fwtest.Handle, name string) *framework.NodeInfo {
	t.Helper()
	ni, ok := h.Snap.Get(name)
	if !ok {
		t.Fatalf("node %q not in snapshot", name)
	}
	return ni
}

func statusEqual(a, b *framework.Status) bool {
	return a.Code() == b.Code() && a.Message() == b.Message()
}
