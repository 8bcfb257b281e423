package podtopologyspread

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

const preScoreStateKey framework.StateKey = "PreScore" + Name

// preScoreState is what Score reads: the soft constraints, the nodes that
// miss a required key (scored 0), per non-hostname constraint the matching
// pods per registered domain, and per constraint its weight. Nothing
// mutates it after PreScore, so Clone shares it.
type preScoreState struct {
	constraints               []constraint
	ignoredNodes              map[string]bool
	topologyValueToPodCounts  []map[string]int64
	topologyNormalizingWeight []float64
}

func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore registers the domains of the feasible nodes, then counts the
// matching pods of every domain over the whole snapshot. Skip when the
// snapshot is empty or the pod has no soft (or default) constraints.
func (pl *Plugin) PreScore(state *framework.CycleState, pod *model.Pod, filteredNodes []*framework.NodeInfo) *framework.Status {
	allNodes := pl.handle.SnapshotSharedLister().NodeInfos().List()
	if len(allNodes) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	// Only non-default rules require every topology key on a node, so that
	// nodes without a zone label still get hostname spreading.
	requireAllTopologies := len(pod.Spec.TopologySpreadConstraints) > 0 || !pl.systemDefaulted
	s := &preScoreState{}
	if err := pl.initPreScoreState(s, pod, filteredNodes, requireAllTopologies); err != nil {
		return framework.AsStatus(fmt.Errorf("calculating preScoreState: %w", err))
	}
	if len(s.constraints) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	required := requiredOf(pod)
	for _, ni := range allNodes {
		node := ni.Node()
		if node == nil {
			continue
		}
		if requireAllTopologies && !nodeLabelsMatchSpreadConstraints(node.Labels, s.constraints) {
			continue
		}
		for i := range s.constraints {
			c := &s.constraints[i]
			if !c.matchNodeInclusionPolicies(pod, node, &required) {
				continue
			}
			v := node.Labels[c.topologyKey]
			// Only domains of feasible nodes are counted; hostname counts
			// are taken per node in Score.
			cnt, ok := s.topologyValueToPodCounts[i][v]
			if !ok {
				continue
			}
			s.topologyValueToPodCounts[i][v] = cnt + int64(pl.countPods(ni, &c.selector, pod.Namespace))
		}
	}
	state.Write(preScoreStateKey, s)
	return nil
}

// initPreScoreState builds the soft constraints (the pod's, or the
// defaults), marks the feasible nodes missing a key as ignored (when keys
// are required), registers every domain of the other feasible nodes
// (missing keys register the "" domain), and sets the weights ln(size+2),
// where size is the number of domains, or of scored nodes for hostname.
func (pl *Plugin) initPreScoreState(s *preScoreState, pod *model.Pod, filteredNodes []*framework.NodeInfo, requireAllTopologies bool) error {
	var err error
	if len(pod.Spec.TopologySpreadConstraints) > 0 {
		s.constraints, err = filterConstraints(pod.Spec.TopologySpreadConstraints, pod.Labels, model.ScheduleAnyway)
		if err != nil {
			return fmt.Errorf("obtaining pod's soft topology spread constraints: %w", err)
		}
	} else {
		s.constraints, err = pl.buildDefaultConstraints(pod, model.ScheduleAnyway)
		if err != nil {
			return fmt.Errorf("setting default soft topology spread constraints: %w", err)
		}
	}
	if len(s.constraints) == 0 {
		return nil
	}
	s.ignoredNodes = map[string]bool{}
	s.topologyValueToPodCounts = make([]map[string]int64, len(s.constraints))
	for i := range s.constraints {
		s.topologyValueToPodCounts[i] = map[string]int64{}
	}
	topoSize := make([]int, len(s.constraints))
	for _, ni := range filteredNodes {
		node := ni.Node()
		if node == nil {
			continue
		}
		if requireAllTopologies && !nodeLabelsMatchSpreadConstraints(node.Labels, s.constraints) {
			s.ignoredNodes[node.Name] = true
			continue
		}
		for i := range s.constraints {
			c := &s.constraints[i]
			if c.isHostname() {
				continue
			}
			v := node.Labels[c.topologyKey]
			if _, ok := s.topologyValueToPodCounts[i][v]; !ok {
				s.topologyValueToPodCounts[i][v] = 0
				topoSize[i]++
			}
		}
	}
	s.topologyNormalizingWeight = make([]float64, len(s.constraints))
	for i := range s.constraints {
		sz := topoSize[i]
		if s.constraints[i].isHostname() {
			sz = len(filteredNodes) - len(s.ignoredNodes)
		}
		s.topologyNormalizingWeight[i] = topologyNormalizingWeight(sz)
	}
	return nil
}

// Score sums, over the constraints whose key the node has, count × weight
// + (maxSkew − 1), and rounds; ignored nodes score 0.
func (pl *Plugin) Score(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) (int64, *framework.Status) {
	node := nodeInfo.Node()
	if node == nil {
		return 0, framework.NewStatus(framework.Error, "node not found")
	}
	s, err := getPreScoreState(state)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	if s.ignoredNodes[node.Name] {
		return 0, nil
	}
	var score float64
	for i := range s.constraints {
		c := &s.constraints[i]
		tpVal, ok := node.Labels[c.topologyKey]
		if !ok {
			continue
		}
		var cnt int64
		if c.isHostname() {
			cnt = int64(pl.countPods(nodeInfo, &c.selector, pod.Namespace))
		} else {
			cnt = s.topologyValueToPodCounts[i][tpVal]
		}
		score += scoreForCount(cnt, c.maxSkew, s.topologyNormalizingWeight[i])
	}
	return int64(math.Round(score)), nil
}

// ScoreExtensions returns the plugin (it normalizes).
func (pl *Plugin) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore maps s to 100·(max+min−s)/max over the non-ignored nodes
// (all 100 when max is 0); ignored nodes get 0.
func (pl *Plugin) NormalizeScore(state *framework.CycleState, _ *model.Pod, scores framework.NodeScoreList) *framework.Status {
	s, err := getPreScoreState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if s == nil {
		return nil
	}
	var minScore int64 = math.MaxInt64
	var maxScore int64
	for i := range scores {
		if s.ignoredNodes[scores[i].Name] {
			continue
		}
		if scores[i].Score < minScore {
			minScore = scores[i].Score
		}
		if scores[i].Score > maxScore {
			maxScore = scores[i].Score
		}
	}
	for i := range scores {
		if s.ignoredNodes[scores[i].Name] {
			scores[i].Score = 0
			continue
		}
		if maxScore == 0 {
			scores[i].Score = framework.MaxNodeScore
			continue
		}
		scores[i].Score = framework.MaxNodeScore * (maxScore + minScore - scores[i].Score) / maxScore
	}
	return nil
}

func getPreScoreState(state *framework.CycleState) (*preScoreState, error) {
	d, ok := state.Read(preScoreStateKey)
	if !ok {
		return nil, fmt.Errorf("error reading %q from cycleState: not found", preScoreStateKey)
	}
	s, ok := d.(*preScoreState)
	if !ok {
		return nil, fmt.Errorf("%+v  convert to podtopologyspread.preScoreState error", d)
	}
	return s, nil
}

// topologyNormalizingWeight is ln(size+2), so that counts in topologies
// with few domains are not watered down by ones with many.
func topologyNormalizingWeight(size int) float64 {
	return math.Log(float64(size + 2))
}

// scoreForCount is count × weight plus maxSkew−1, which flattens
// differences the constraint tolerates.
func scoreForCount(cnt int64, maxSkew int32, weight float64) float64 {
	return float64(cnt)*weight + float64(maxSkew-1)
}
