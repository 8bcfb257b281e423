package podtopologyspread

import (
	"sort"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// Test fixtures mirroring upstream's st.MakeNode/st.MakePod wrappers.

var (
	fooSelector  = &model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "foo", Operator: model.LabelSelectorOpExists}}}
	barSelector  = &model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "bar", Operator: model.LabelSelectorOpExists}}}
	honorPolicy  = model.NodeInclusionPolicyHonor
	ignorePolicy = model.NodeInclusionPolicyIgnore
	taints       = []model.Taint{{Key: model.TaintNodeUnschedulable, Effect: model.TaintEffectNoSchedule}}
)

func kv(pairs ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

// mkNode returns a node with exactly these labels (no implicit hostname).
func mkNode(name string, labels ...string) *model.Node {
	n := &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: kv(labels...)}}
	model.SetTypeMeta(n)
	return n
}

// mkPod returns a pod in namespace "default" on node (may be "").
func mkPod(name, node string, labels ...string) *model.Pod {
	return fwtest.Pod(name, node, kv(labels...))
}

func inNS(p *model.Pod, ns string) *model.Pod { p.Namespace = ns; return p }

func terminating(p *model.Pod) *model.Pod {
	t := time.Unix(0, 0)
	p.DeletionTimestamp = &t
	return p
}

type tsc struct {
	maxSkew        int32
	key            string
	action         model.UnsatisfiableConstraintAction
	sel            *model.LabelSelector
	minDomains     *int32
	affinityPolicy *model.NodeInclusionPolicy
	taintsPolicy   *model.NodeInclusionPolicy
	matchLabelKeys []string
}

func withSpread(p *model.Pod, cs ...tsc) *model.Pod {
	for _, c := range cs {
		p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, model.TopologySpreadConstraint{
			MaxSkew: c.maxSkew, TopologyKey: c.key, WhenUnsatisfiable: c.action, LabelSelector: c.sel,
			MinDomains: c.minDomains, NodeAffinityPolicy: c.affinityPolicy, NodeTaintsPolicy: c.taintsPolicy,
			MatchLabelKeys: c.matchLabelKeys,
		})
	}
	return p
}

func hard(maxSkew int32, key string, sel *model.LabelSelector) tsc {
	return tsc{maxSkew: maxSkew, key: key, action: model.DoNotSchedule, sel: sel}
}

func soft(maxSkew int32, key string, sel *model.LabelSelector) tsc {
	return tsc{maxSkew: maxSkew, key: key, action: model.ScheduleAnyway, sel: sel}
}

func withNodeSelector(p *model.Pod, sel map[string]string) *model.Pod {
	p.Spec.NodeSelector = sel
	return p
}

func withNodeAffinityIn(p *model.Pod, key string, vals ...string) *model.Pod {
	return withRequired(p, model.NodeSelectorRequirement{Key: key, Operator: model.NodeSelectorOpIn, Values: vals})
}

func withNodeAffinityNotIn(p *model.Pod, key string, vals ...string) *model.Pod {
	return withRequired(p, model.NodeSelectorRequirement{Key: key, Operator: model.NodeSelectorOpNotIn, Values: vals})
}

func withRequired(p *model.Pod, r model.NodeSelectorRequirement) *model.Pod {
	p.Spec.Affinity = &model.Affinity{NodeAffinity: &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{
		NodeSelectorTerms: []model.NodeSelectorTerm{{MatchExpressions: []model.NodeSelectorRequirement{r}}},
	}}}
	return p
}

func ownedBy(p *model.Pod, kind, name string) *model.Pod {
	p.OwnerReferences = append(p.OwnerReferences, model.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, Controller: model.Ptr(true)})
	return p
}

func listArgs(cs ...model.TopologySpreadConstraint) *Args {
	return &Args{DefaultingType: ListDefaulting, DefaultConstraints: cs}
}

func newPlugin(t testing.TB, args *Args, h *fwtest.Handle) *Plugin {
	t.Helper()
	var a any
	if args != nil {
		a = args
	}
	p, err := New(a, h)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p.(*Plugin)
}

func nodeInfos(t testing.TB, h *fwtest.Handle, nodes []*model.Node) []*framework.NodeInfo {
	t.Helper()
	out := make([]*framework.NodeInfo, len(nodes))
	for i, n := range nodes {
		ni, ok := h.Snap.Get(n.Name)
		if !ok {
			t.Fatalf("node %s not in snapshot", n.Name)
		}
		out[i] = ni
	}
	return out
}

// path is a critical path as the upstream tests write it.
type path struct {
	v string
	n int
}

// normalizePaths sorts the topology values of equal counts, as upstream's
// stateCmpOpts comparer does.
func normalizePaths(p criticalPaths) [2]path {
	out := [2]path{{p[0].topologyValue, p[0].matchNum}, {p[1].topologyValue, p[1].matchNum}}
	if out[0].n == out[1].n && out[0].v > out[1].v {
		out[0].v, out[1].v = out[1].v, out[0].v
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
