package podtopologyspread

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// podSelector is a label selector made of up to two compiled selectors that
// are ANDed: base (the constraint's labelSelector, or the Services'
// selectors for default constraints) and extra (the matchLabelKeys pairs,
// or the controller's selector). It stands in for upstream's
// labels.Selector.Add, which model.Selector does not offer.
type podSelector struct {
	base     model.Selector
	extra    model.Selector
	hasExtra bool
	// key is the selector's canonical text with the namespace, computed on
	// first use as the count cache's key.
	key string
}

func (s *podSelector) cacheKey(ns string) string {
	if s.key == "" {
		s.key = ns + "\x00" + s.base.String()
		if s.hasExtra {
			s.key += "\x00" + s.extra.String()
		}
	}
	return s.key
}

// countKey and countVal memoize countPodsMatchSelector per NodeInfo (by
// identity, so preemption's clones never share entries with the snapshot)
// and selector, valid while the NodeInfo's generation is unchanged. The
// counts are exactly upstream's; only repeated work is skipped: pods of one
// ReplicaSet share a selector, and between two cycles only the nodes that
// gained or lost a pod change generation.
type countKey struct {
	ni  *framework.NodeInfo
	sel string
}

type countVal struct {
	gen int64
	n   int
}

// maxCountCache bounds the memo; it is cleared when full.
const maxCountCache = 1 << 18

func (pl *Plugin) countPods(ni *framework.NodeInfo, sel *podSelector, ns string) int {
	if sel.empty() {
		return 0
	}
	k := countKey{ni: ni, sel: sel.cacheKey(ns)}
	if v, ok := pl.counts[k]; ok && v.gen == ni.Generation {
		return v.n
	}
	n := countPodsMatchSelector(ni.Pods, sel, ns)
	if pl.counts == nil || len(pl.counts) >= maxCountCache {
		pl.counts = make(map[countKey]countVal, 1024)
	}
	pl.counts[k] = countVal{gen: ni.Generation, n: n}
	return n
}

// matches reports whether labels satisfy both parts; it never allocates.
func (s *podSelector) matches(labels map[string]string) bool {
	if !s.base.Matches(labels) {
		return false
	}
	return !s.hasExtra || s.extra.Matches(labels)
}

// empty reports upstream Selector.Empty(): no requirement at all (a
// match-everything selector; the match-nothing selector is not empty).
func (s *podSelector) empty() bool {
	return s.base.Empty() && (!s.hasExtra || s.extra.Empty())
}

// constraint is a pod's topology spread constraint with its selector
// compiled and the API defaults applied (upstream topologySpreadConstraint).
type constraint struct {
	maxSkew            int32
	topologyKey        string
	selector           podSelector
	minDomains         int32
	nodeAffinityPolicy model.NodeInclusionPolicy
	nodeTaintsPolicy   model.NodeInclusionPolicy
}

func (c *constraint) isHostname() bool { return c.topologyKey == model.LabelHostname }

// matchNodeInclusionPolicies reports whether node counts for c: with
// nodeAffinityPolicy Honor it must match the pod's nodeSelector and
// required node affinity (parse errors ignored), with nodeTaintsPolicy
// Honor the pod must tolerate its NoSchedule/NoExecute taints.
func (c *constraint) matchNodeInclusionPolicies(pod *model.Pod, node *model.Node, required *model.RequiredNodeAffinity) bool {
	if c.nodeAffinityPolicy == model.NodeInclusionPolicyHonor {
		if match, _ := required.Match(node.Name, node.Labels); !match {
			return false
		}
	}
	if c.nodeTaintsPolicy == model.NodeInclusionPolicyHonor {
		if _, untolerated := model.FindMatchingUntoleratedTaint(node.Spec.Taints, pod.Spec.Tolerations, model.DoNotScheduleTaintFilter); untolerated {
			return false
		}
	}
	return true
}

// systemDefaultConstraints are upstream's built-in defaults.
var systemDefaultConstraints = []model.TopologySpreadConstraint{
	{TopologyKey: model.LabelHostname, WhenUnsatisfiable: model.ScheduleAnyway, MaxSkew: 3},
	{TopologyKey: model.LabelTopologyZone, WhenUnsatisfiable: model.ScheduleAnyway, MaxSkew: 5},
}

// filterConstraints compiles the constraints with the given action
// (upstream filterTopologySpreadConstraints): selector from labelSelector
// (nil selects nothing), ANDed with matchLabelKeys' key=value pairs taken
// from the pod's labels unless the selector selects nothing; minDomains
// defaults to 1, nodeAffinityPolicy to Honor, nodeTaintsPolicy to Ignore.
func filterConstraints(cs []model.TopologySpreadConstraint, podLabels map[string]string, action model.UnsatisfiableConstraintAction) ([]constraint, error) {
	var out []constraint
	for i := range cs {
		c := &cs[i]
		if c.WhenUnsatisfiable != action {
			continue
		}
		base, err := model.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil {
			return nil, err
		}
		sel := podSelector{base: base}
		if len(c.MatchLabelKeys) > 0 && !base.MatchesNothing() {
			var set map[string]string
			for _, k := range c.MatchLabelKeys {
				if v, ok := podLabels[k]; ok {
					if set == nil {
						set = make(map[string]string, len(c.MatchLabelKeys))
					}
					set[k] = v
				}
			}
			if len(set) > 0 {
				sel.extra, sel.hasExtra = model.SelectorFromSet(set), true
			}
		}
		tsc := constraint{
			maxSkew:            c.MaxSkew,
			topologyKey:        c.TopologyKey,
			selector:           sel,
			minDomains:         model.Deref(c.MinDomains, 1),
			nodeAffinityPolicy: model.Deref(c.NodeAffinityPolicy, model.NodeInclusionPolicyHonor),
			nodeTaintsPolicy:   model.Deref(c.NodeTaintsPolicy, model.NodeInclusionPolicyIgnore),
		}
		out = append(out, tsc)
	}
	return out, nil
}

// nodeLabelsMatchSpreadConstraints reports whether the node has every
// constraint's topology key.
func nodeLabelsMatchSpreadConstraints(labels map[string]string, cs []constraint) bool {
	for i := range cs {
		if _, ok := labels[cs[i].topologyKey]; !ok {
			return false
		}
	}
	return true
}

// podLabelsMatchSpreadConstraints reports whether labels match any
// constraint's selector.
func podLabelsMatchSpreadConstraints(cs []constraint, labels map[string]string) bool {
	for i := range cs {
		if cs[i].selector.matches(labels) {
			return true
		}
	}
	return false
}

// countPodsMatchSelector counts the pods in namespace ns, not terminating,
// that sel matches. As upstream 1.35 it counts nothing for an empty
// (match-everything) selector.
func countPodsMatchSelector(pods []*framework.PodInfo, sel *podSelector, ns string) int {
	if sel.empty() {
		return 0
	}
	n := 0
	for _, pi := range pods {
		p := pi.Pod
		if p.DeletionTimestamp != nil || p.Namespace != ns {
			continue
		}
		if sel.matches(p.Labels) {
			n++
		}
	}
	return n
}

// getConstraints returns the pod's constraints with the given action, or
// the default ones when the pod has none.
func (pl *Plugin) getConstraints(pod *model.Pod, action model.UnsatisfiableConstraintAction) ([]constraint, error) {
	if len(pod.Spec.TopologySpreadConstraints) > 0 {
		return filterConstraints(pod.Spec.TopologySpreadConstraints, pod.Labels, action)
	}
	return pl.buildDefaultConstraints(pod, action)
}

// buildDefaultConstraints applies the default constraints with the given
// action, all sharing the pod's default selector; none when that selector
// is empty.
func (pl *Plugin) buildDefaultConstraints(pod *model.Pod, action model.UnsatisfiableConstraintAction) ([]constraint, error) {
	cs, err := filterConstraints(pl.defaultConstraints, pod.Labels, action)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	sel := pl.defaultSelector(pod)
	if sel.empty() {
		return nil, nil
	}
	for i := range cs {
		cs[i].selector = sel
	}
	return cs, nil
}

// defaultSelector is upstream helper.DefaultSelector: the union of the
// selectors of the pod's namespace's Services that select it (a Service
// without selector selects nothing), ANDed with the selector of the
// ReplicaSet or StatefulSet named by the pod's controller reference.
func (pl *Plugin) defaultSelector(pod *model.Pod) podSelector {
	var set map[string]string
	objs := pl.handle.Objects()
	if objs == nil {
		return podSelector{}
	}
	for _, o := range objs.List("Service") {
		svc, ok := o.(*model.Service)
		if !ok || svc.Namespace != pod.Namespace || svc.Spec.Selector == nil {
			continue
		}
		if !model.SelectorFromSet(svc.Spec.Selector).Matches(pod.Labels) {
			continue
		}
		if set == nil {
			set = make(map[string]string, len(svc.Spec.Selector))
		}
		for k, v := range svc.Spec.Selector {
			set[k] = v
		}
	}
	sel := podSelector{base: model.SelectorFromSet(set)}
	ref := pod.ControllerRef()
	if ref == nil {
		return sel
	}
	if ref.APIVersion != "apps/v1" || (ref.Kind != "ReplicaSet" && ref.Kind != "StatefulSet") {
		// ReplicationControllers are not modeled; other owners add nothing.
		return sel
	}
	o, ok := objs.Get(ref.Kind, pod.Namespace, ref.Name)
	if !ok {
		return sel
	}
	var ls *model.LabelSelector
	switch x := o.(type) {
	case *model.ReplicaSet:
		ls = x.Spec.Selector
	case *model.StatefulSet:
		ls = x.Spec.Selector
	default:
		return sel
	}
	other, err := model.LabelSelectorAsSelector(ls)
	if err != nil || other.MatchesNothing() {
		return sel
	}
	sel.extra, sel.hasExtra = other, true
	return sel
}
