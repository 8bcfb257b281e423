package interpodaffinity

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Filter reasons (upstream ErrReason* constants).
const (
	// ErrReasonExistingAntiAffinityRulesNotMatch: an existing pod's required
	// anti-affinity term matches the pod in the node's domain.
	ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"
	// ErrReasonAffinityRulesNotMatch: the pod's required affinity is not
	// satisfied in the node's domains.
	ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules"
	// ErrReasonAntiAffinityRulesNotMatch: a pod matching the pod's required
	// anti-affinity runs in the node's domain.
	ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules"
)

// preFilterStateKey is where PreFilter leaves its counters.
const preFilterStateKey framework.StateKey = "PreFilter" + Name

// topologyPair is a topology key and one of its values (a domain).
type topologyPair struct {
	key   string
	value string
}

// topologyToMatchedTermCount counts matched terms per domain. Entries that
// drop to zero are deleted, so len() tells whether anything matched.
type topologyToMatchedTermCount map[topologyPair]int64

func (m topologyToMatchedTermCount) clone() topologyToMatchedTermCount {
	c := make(topologyToMatchedTermCount, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// update adds value to the domain of node for topology key tk, if the node
// has that key.
func (m topologyToMatchedTermCount) update(node *model.Node, tk string, value int64) {
	tv, ok := node.Labels[tk]
	if !ok {
		return
	}
	pair := topologyPair{key: tk, value: tv}
	m[pair] += value
	if m[pair] == 0 {
		delete(m, pair)
	}
}

// updateWithAffinityTerms counts every term's domain when pod matches all
// the terms (a single pod must satisfy all required affinity terms).
func (m topologyToMatchedTermCount) updateWithAffinityTerms(terms []framework.AffinityTerm, pod *model.Pod, node *model.Node, value int64) {
	if podMatchesAllAffinityTerms(terms, pod) {
		for i := range terms {
			m.update(node, terms[i].TopologyKey, value)
		}
	}
}

// updateWithAntiAffinityTerms counts the domain of every term pod matches.
func (m topologyToMatchedTermCount) updateWithAntiAffinityTerms(terms []framework.AffinityTerm, pod *model.Pod, nsLabels map[string]string, node *model.Node, value int64) {
	for i := range terms {
		if terms[i].Matches(pod, nsLabels) {
			m.update(node, terms[i].TopologyKey, value)
		}
	}
}

// podMatchesAllAffinityTerms reports whether pod matches every term (false
// for no terms). The incoming pod's namespaceSelectors are already unrolled,
// so no namespace labels are needed.
func podMatchesAllAffinityTerms(terms []framework.AffinityTerm, pod *model.Pod) bool {
	if len(terms) == 0 {
		return false
	}
	for i := range terms {
		if !terms[i].Matches(pod, nil) {
			return false
		}
	}
	return true
}

// preFilterState holds PreFilter's counters for Filter.
type preFilterState struct {
	// existingAntiAffinityCounts: existing pods' required anti-affinity
	// terms matching the incoming pod, by the existing pod's domain.
	existingAntiAffinityCounts topologyToMatchedTermCount
	// affinityCounts: existing pods matching all of the incoming pod's
	// required affinity terms, one count per term's domain.
	affinityCounts topologyToMatchedTermCount
	// antiAffinityCounts: existing pods matching each of the incoming pod's
	// required anti-affinity terms.
	antiAffinityCounts topologyToMatchedTermCount
	// podInfo is the incoming pod with namespaceSelectors unrolled; it is
	// never modified after PreFilter.
	podInfo *framework.PodInfo
	// namespaceLabels are the labels of the incoming pod's namespace.
	namespaceLabels map[string]string
}

// Clone copies the counters; podInfo and namespaceLabels are read-only.
func (s *preFilterState) Clone() framework.StateData {
	if s == nil {
		return nil
	}
	return &preFilterState{
		existingAntiAffinityCounts: s.existingAntiAffinityCounts.clone(),
		affinityCounts:             s.affinityCounts.clone(),
		antiAffinityCounts:         s.antiAffinityCounts.clone(),
		podInfo:                    s.podInfo,
		namespaceLabels:            s.namespaceLabels,
	}
}

// updateWithPod adds (multiplier 1) or removes (-1) an existing pod.
func (s *preFilterState) updateWithPod(pi *framework.PodInfo, node *model.Node, multiplier int64) {
	if s == nil || node == nil {
		return
	}
	s.existingAntiAffinityCounts.updateWithAntiAffinityTerms(pi.RequiredAntiAffinityTerms, s.podInfo.Pod, s.namespaceLabels, node, multiplier)
	s.affinityCounts.updateWithAffinityTerms(s.podInfo.RequiredAffinityTerms, pi.Pod, node, multiplier)
	s.antiAffinityCounts.updateWithAntiAffinityTerms(s.podInfo.RequiredAntiAffinityTerms, pi.Pod, nil, node, multiplier)
}

// existingAntiAffinityCounts counts, over the nodes running pods with
// required anti-affinity, the terms of those pods that match pod.
func existingAntiAffinityCounts(pod *model.Pod, nsLabels map[string]string, nodes []*framework.NodeInfo) topologyToMatchedTermCount {
	m := make(topologyToMatchedTermCount)
	for _, ni := range nodes {
		node := ni.Node()
		if node == nil {
			continue
		}
		for _, existing := range ni.PodsWithRequiredAntiAffinity {
			m.updateWithAntiAffinityTerms(existing.RequiredAntiAffinityTerms, pod, nsLabels, node, 1)
		}
	}
	return m
}

// incomingAffinityAntiAffinityCounts counts the existing pods matching the
// incoming pod's required affinity and anti-affinity terms.
func incomingAffinityAntiAffinityCounts(pi *framework.PodInfo, nodes []*framework.NodeInfo) (topologyToMatchedTermCount, topologyToMatchedTermCount) {
	affinity := make(topologyToMatchedTermCount)
	anti := make(topologyToMatchedTermCount)
	if len(pi.RequiredAffinityTerms) == 0 && len(pi.RequiredAntiAffinityTerms) == 0 {
		return affinity, anti
	}
	for _, ni := range nodes {
		node := ni.Node()
		if node == nil {
			continue
		}
		for _, existing := range ni.Pods {
			affinity.updateWithAffinityTerms(pi.RequiredAffinityTerms, existing.Pod, node, 1)
			anti.updateWithAntiAffinityTerms(pi.RequiredAntiAffinityTerms, existing.Pod, nil, node, 1)
		}
	}
	return affinity, anti
}

// PreFilter computes the counters. It returns Skip when neither the pod nor
// any existing pod has a relevant required term, and
// UnschedulableAndUnresolvable when the pod's terms do not parse.
func (pl *Plugin) PreFilter(state *framework.CycleState, pod *model.Pod, nodes []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	pi, err := compilePod(pod)
	if err != nil {
		return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("parsing pod: %+v", err))
	}
	for i := range pi.RequiredAffinityTerms {
		pl.mergeNamespaces(&pi.RequiredAffinityTerms[i])
	}
	for i := range pi.RequiredAntiAffinityTerms {
		pl.mergeNamespaces(&pi.RequiredAntiAffinityTerms[i])
	}
	s := &preFilterState{podInfo: pi, namespaceLabels: pl.namespaceLabels(pod.Namespace)}
	s.existingAntiAffinityCounts = existingAntiAffinityCounts(pod, s.namespaceLabels,
		pl.h.SnapshotSharedLister().NodeInfos().HavePodsWithRequiredAntiAffinityList())
	s.affinityCounts, s.antiAffinityCounts = incomingAffinityAntiAffinityCounts(pi, nodes)
	if len(s.existingAntiAffinityCounts) == 0 && len(pi.RequiredAffinityTerms) == 0 && len(pi.RequiredAntiAffinityTerms) == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, s)
	return nil, nil
}

// PreFilterExtensions returns the plugin itself.
func (pl *Plugin) PreFilterExtensions() framework.PreFilterExtensions { return pl }

// AddPod accounts a pod that preemption puts (back) on nodeInfo.
func (pl *Plugin) AddPod(state *framework.CycleState, _ *model.Pod, podInfoToAdd *framework.PodInfo, nodeInfo *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.updateWithPod(podInfoToAdd, nodeInfo.Node(), 1)
	return nil
}

// RemovePod forgets a pod that preemption removes from nodeInfo.
func (pl *Plugin) RemovePod(state *framework.CycleState, _ *model.Pod, podInfoToRemove *framework.PodInfo, nodeInfo *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.updateWithPod(podInfoToRemove, nodeInfo.Node(), -1)
	return nil
}

func getPreFilterState(state *framework.CycleState) (*preFilterState, error) {
	d, ok := state.Read(preFilterStateKey)
	if !ok {
		return nil, fmt.Errorf("error reading %q from cycleState: not found", preFilterStateKey)
	}
	s, ok := d.(*preFilterState)
	if !ok {
		return nil, fmt.Errorf("%+v  convert to interpodaffinity.state error", d)
	}
	return s, nil
}

// satisfyExistingPodsAntiAffinity: no existing pod's anti-affinity term
// matched the pod in any of the node's domains.
func satisfyExistingPodsAntiAffinity(s *preFilterState, node *model.Node) bool {
	if len(s.existingAntiAffinityCounts) == 0 {
		return true
	}
	for k, v := range node.Labels {
		if s.existingAntiAffinityCounts[topologyPair{key: k, value: v}] > 0 {
			return false
		}
	}
	return true
}

// satisfyPodAntiAffinity: no pod matching one of the pod's anti-affinity
// terms runs in the node's domain for that term.
func satisfyPodAntiAffinity(s *preFilterState, node *model.Node) bool {
	if len(s.antiAffinityCounts) == 0 {
		return true
	}
	for i := range s.podInfo.RequiredAntiAffinityTerms {
		t := &s.podInfo.RequiredAntiAffinityTerms[i]
		if v, ok := node.Labels[t.TopologyKey]; ok && s.antiAffinityCounts[topologyPair{key: t.TopologyKey, value: v}] > 0 {
			return false
		}
	}
	return true
}

// satisfyPodAffinity: the node has every term's topology key and each
// domain holds a matching pod, or no pod matches anywhere and the pod
// matches its own terms (the first pod of a self-affine group).
func satisfyPodAffinity(s *preFilterState, node *model.Node) bool {
	podsExist := true
	for i := range s.podInfo.RequiredAffinityTerms {
		t := &s.podInfo.RequiredAffinityTerms[i]
		v, ok := node.Labels[t.TopologyKey]
		if !ok {
			return false
		}
		if s.affinityCounts[topologyPair{key: t.TopologyKey, value: v}] <= 0 {
			podsExist = false
		}
	}
	if podsExist {
		return true
	}
	return len(s.affinityCounts) == 0 && podMatchesAllAffinityTerms(s.podInfo.RequiredAffinityTerms, s.podInfo.Pod)
}

// Filter checks the pod's affinity, its anti-affinity and the existing
// pods' anti-affinity, in that order.
func (pl *Plugin) Filter(state *framework.CycleState, _ *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	node := nodeInfo.Node()
	if node == nil {
		return framework.NewStatus(framework.Error, "node not found")
	}
	if !satisfyPodAffinity(s, node) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch)
	}
	if !satisfyPodAntiAffinity(s, node) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonAntiAffinityRulesNotMatch)
	}
	if !satisfyExistingPodsAntiAffinity(s, node) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
	}
	return nil
}
