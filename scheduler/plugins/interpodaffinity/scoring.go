package interpodaffinity

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// preScoreStateKey is where PreScore leaves the domain scores.
const preScoreStateKey framework.StateKey = "PreScore" + Name

// scoreMap holds a score per topology key and value.
type scoreMap map[string]map[string]int64

// preScoreState holds PreScore's domain scores for Score.
type preScoreState struct {
	topologyScore scoreMap
	// podInfo is the incoming pod with namespaceSelectors of its preferred
	// terms unrolled.
	podInfo *framework.PodInfo
	// namespaceLabels are the labels of the incoming pod's namespace.
	namespaceLabels map[string]string
}

// Clone returns s: the state is not modified after PreScore.
func (s *preScoreState) Clone() framework.StateData { return s }

// processTerm adds weight*multiplier to the domain of node for the term's
// topology key when pod matches the term.
func (m scoreMap) processTerm(t *framework.AffinityTerm, weight int32, pod *model.Pod, nsLabels map[string]string, node *model.Node, multiplier int32) {
	if !t.Matches(pod, nsLabels) {
		return
	}
	v, ok := node.Labels[t.TopologyKey]
	if !ok {
		return
	}
	if m[t.TopologyKey] == nil {
		m[t.TopologyKey] = make(map[string]int64)
	}
	m[t.TopologyKey][v] += int64(weight * multiplier)
}

func (m scoreMap) processTerms(terms []framework.WeightedAffinityTerm, pod *model.Pod, nsLabels map[string]string, node *model.Node, multiplier int32) {
	for i := range terms {
		m.processTerm(&terms[i].AffinityTerm, terms[i].Weight, pod, nsLabels, node, multiplier)
	}
}

// processExistingPod scores the domains of existingPod's node in both
// directions: the incoming pod's preferred terms matched by existingPod
// (+/- weight), existingPod's required affinity terms matched by the
// incoming pod (+hardPodAffinityWeight) and existingPod's preferred terms
// matched by the incoming pod (+/- weight).
func (pl *Plugin) processExistingPod(s *preScoreState, existing *framework.PodInfo, node *model.Node, incoming *model.Pod, m scoreMap) {
	if len(node.Labels) == 0 {
		return
	}
	// The incoming pod's namespaceSelectors are unrolled: no labels needed.
	m.processTerms(s.podInfo.PreferredAffinityTerms, existing.Pod, nil, node, 1)
	m.processTerms(s.podInfo.PreferredAntiAffinityTerms, existing.Pod, nil, node, -1)
	if pl.hardPodAffinityWeight > 0 {
		for i := range existing.RequiredAffinityTerms {
			m.processTerm(&existing.RequiredAffinityTerms[i], pl.hardPodAffinityWeight, incoming, s.namespaceLabels, node, 1)
		}
	}
	m.processTerms(existing.PreferredAffinityTerms, incoming, s.namespaceLabels, node, 1)
	m.processTerms(existing.PreferredAntiAffinityTerms, incoming, s.namespaceLabels, node, -1)
}

// PreScore computes the domain scores. It returns Skip when there is
// nothing to score: ignorePreferredTermsOfExistingPods and the pod has no
// preferred terms, or no pair of pods contributes anything.
func (pl *Plugin) PreScore(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) *framework.Status {
	a := pod.Spec.Affinity
	hasPreferredAffinity := a != nil && a.PodAffinity != nil && len(a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution) > 0
	hasPreferredAntiAffinity := a != nil && a.PodAntiAffinity != nil && len(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) > 0
	hasConstraints := hasPreferredAffinity || hasPreferredAntiAffinity
	if pl.ignorePreferredTermsOfExistingPods && !hasConstraints {
		return framework.NewStatus(framework.Skip)
	}
	lister := pl.h.SnapshotSharedLister().NodeInfos()
	// Without preferred terms of its own, only pods with affinity matter.
	nodes := lister.HavePodsWithAffinityList()
	if hasConstraints {
		nodes = lister.List()
	}
	pi, err := compilePod(pod)
	if err != nil {
		return framework.AsStatus(fmt.Errorf("failed to parse pod: %w", err))
	}
	for i := range pi.PreferredAffinityTerms {
		pl.mergeNamespaces(&pi.PreferredAffinityTerms[i].AffinityTerm)
	}
	for i := range pi.PreferredAntiAffinityTerms {
		pl.mergeNamespaces(&pi.PreferredAntiAffinityTerms[i].AffinityTerm)
	}
	s := &preScoreState{topologyScore: make(scoreMap), podInfo: pi, namespaceLabels: pl.namespaceLabels(pod.Namespace)}
	contributed := false
	node := make(scoreMap)
	for _, ni := range nodes {
		n := ni.Node()
		if n == nil {
			continue
		}
		pods := ni.PodsWithAffinity
		if hasConstraints {
			pods = ni.Pods
		}
		for _, existing := range pods {
			pl.processExistingPod(s, existing, n, pod, node)
		}
		if len(node) == 0 {
			continue
		}
		contributed = true
		s.topologyScore.add(node)
		clear(node)
	}
	if !contributed {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(preScoreStateKey, s)
	return nil
}

// add sums o into m.
func (m scoreMap) add(o scoreMap) {
	for k, vals := range o {
		dst := m[k]
		if dst == nil {
			dst = make(map[string]int64, len(vals))
			m[k] = dst
		}
		for v, score := range vals {
			dst[v] += score
		}
	}
}

func getPreScoreState(state *framework.CycleState) (*preScoreState, error) {
	d, ok := state.Read(preScoreStateKey)
	if !ok {
		return nil, fmt.Errorf("failed to read %q from cycleState: not found", preScoreStateKey)
	}
	s, ok := d.(*preScoreState)
	if !ok {
		return nil, fmt.Errorf("%+v  convert to interpodaffinity.preScoreState error", d)
	}
	return s, nil
}

// Score sums the scores of the node's domains; positive for affinity,
// negative for anti-affinity.
func (pl *Plugin) Score(state *framework.CycleState, _ *model.Pod, nodeInfo *framework.NodeInfo) (int64, *framework.Status) {
	s, err := getPreScoreState(state)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	node := nodeInfo.Node()
	if node == nil {
		return 0, framework.NewStatus(framework.Error, "node not found")
	}
	var score int64
	for k, vals := range s.topologyScore {
		if v, ok := node.Labels[k]; ok {
			score += vals[v]
		}
	}
	return score, nil
}

// ScoreExtensions returns the plugin itself.
func (pl *Plugin) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore maps scores linearly onto 0..MaxNodeScore between the
// lowest and highest raw score (all 0 when they are equal), truncating.
func (pl *Plugin) NormalizeScore(state *framework.CycleState, _ *model.Pod, scores framework.NodeScoreList) *framework.Status {
	s, err := getPreScoreState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if len(s.topologyScore) == 0 {
		return nil
	}
	minCount, maxCount := int64(math.MaxInt64), int64(math.MinInt64)
	for i := range scores {
		minCount = min(minCount, scores[i].Score)
		maxCount = max(maxCount, scores[i].Score)
	}
	diff := maxCount - minCount
	for i := range scores {
		f := float64(0)
		if diff > 0 {
			f = float64(framework.MaxNodeScore) * (float64(scores[i].Score-minCount) / float64(diff))
		}
		scores[i].Score = int64(f)
	}
	return nil
}
