package podtopologyspread

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

const preFilterStateKey framework.StateKey = "PreFilter" + Name

// criticalPath is a domain and its matching-pod count.
type criticalPath struct {
	topologyValue string
	matchNum      int
}

// criticalPaths keeps two domains per constraint: [0] always has the
// minimum count; [1] is >= [0] but not necessarily the second minimum.
// This is upstream's structure, which is exact as long as preemption only
// removes pods from one node per state copy.
type criticalPaths [2]criticalPath

func newCriticalPaths() criticalPaths {
	return criticalPaths{{matchNum: math.MaxInt32}, {matchNum: math.MaxInt32}}
}

// update records that domain tpVal now has num matching pods (upstream
// criticalPaths.update).
func (p *criticalPaths) update(tpVal string, num int) {
	i := -1
	if tpVal == p[0].topologyValue {
		i = 0
	} else if tpVal == p[1].topologyValue {
		i = 1
	}
	if i >= 0 {
		p[i].matchNum = num
		if p[0].matchNum > p[1].matchNum {
			p[0], p[1] = p[1], p[0]
		}
		return
	}
	if num < p[0].matchNum {
		p[1] = p[0]
		p[0] = criticalPath{topologyValue: tpVal, matchNum: num}
	} else if num < p[1].matchNum {
		p[1] = criticalPath{topologyValue: tpVal, matchNum: num}
	}
}

// preFilterState is what Filter reads: the hard constraints, and per
// constraint the matching-pod count of every eligible domain and the
// critical paths. Constraints and the compiled required affinity never
// change and are shared by Clone; counts and paths are copied.
type preFilterState struct {
	constraints       []constraint
	required          model.RequiredNodeAffinity
	criticalPaths     []criticalPaths
	tpValueToMatchNum []map[string]int
}

// Clone deep-copies the mutable parts (preemption mutates clones).
func (s *preFilterState) Clone() framework.StateData {
	if s == nil {
		return (*preFilterState)(nil)
	}
	c := &preFilterState{
		constraints:       s.constraints,
		required:          s.required,
		criticalPaths:     append([]criticalPaths(nil), s.criticalPaths...),
		tpValueToMatchNum: make([]map[string]int, len(s.tpValueToMatchNum)),
	}
	for i, m := range s.tpValueToMatchNum {
		cm := make(map[string]int, len(m))
		for k, v := range m {
			cm[k] = v
		}
		c.tpValueToMatchNum[i] = cm
	}
	return c
}

// minMatchNum is the global minimum for constraint i: the smallest domain
// count, or 0 while there are fewer eligible domains than minDomains.
func (s *preFilterState) minMatchNum(i int, minDomains int32) int {
	if len(s.tpValueToMatchNum[i]) < int(minDomains) {
		return 0
	}
	return s.criticalPaths[i][0].matchNum
}

// PreFilter computes the spreading of matching pods over the eligible
// domains of every DoNotSchedule constraint. Skip when the pod has none.
func (pl *Plugin) PreFilter(state *framework.CycleState, pod *model.Pod, nodes []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	s, err := pl.calPreFilterState(pod, nodes)
	if err != nil {
		return nil, framework.AsStatus(err)
	}
	if len(s.constraints) == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, s)
	return nil, nil
}

func (pl *Plugin) calPreFilterState(pod *model.Pod, nodes []*framework.NodeInfo) (*preFilterState, error) {
	cs, err := pl.getConstraints(pod, model.DoNotSchedule)
	if err != nil {
		return nil, fmt.Errorf("obtaining pod's hard topology spread constraints: %w", err)
	}
	if len(cs) == 0 {
		return &preFilterState{}, nil
	}
	s := &preFilterState{
		constraints:       cs,
		required:          requiredOf(pod),
		criticalPaths:     make([]criticalPaths, len(cs)),
		tpValueToMatchNum: make([]map[string]int, len(cs)),
	}
	// domains records each constraint's domains in first-seen order, so the
	// critical paths are built deterministically (upstream ranges a map).
	domains := make([][]string, len(cs))
	for i := range cs {
		size := 0
		if cs[i].isHostname() {
			size = len(nodes)
		}
		s.tpValueToMatchNum[i] = make(map[string]int, size)
	}
	for _, ni := range nodes {
		node := ni.Node()
		if node == nil || !nodeLabelsMatchSpreadConstraints(node.Labels, cs) {
			continue
		}
		for i := range cs {
			c := &cs[i]
			if !c.matchNodeInclusionPolicies(pod, node, &s.required) {
				continue
			}
			v := node.Labels[c.topologyKey]
			n := pl.countPods(ni, &c.selector, pod.Namespace)
			old, seen := s.tpValueToMatchNum[i][v]
			if !seen {
				domains[i] = append(domains[i], v)
			}
			s.tpValueToMatchNum[i][v] = old + n
		}
	}
	for i := range cs {
		s.criticalPaths[i] = newCriticalPaths()
		for _, v := range domains[i] {
			s.criticalPaths[i].update(v, s.tpValueToMatchNum[i][v])
		}
	}
	return s, nil
}

func requiredOf(pod *model.Pod) model.RequiredNodeAffinity {
	var na *model.NodeAffinity
	if pod.Spec.Affinity != nil {
		na = pod.Spec.Affinity.NodeAffinity
	}
	return model.NewRequiredNodeAffinity(pod.Spec.NodeSelector, na)
}

// PreFilterExtensions returns the plugin: preemption's AddPod/RemovePod
// update the counts.
func (pl *Plugin) PreFilterExtensions() framework.PreFilterExtensions { return pl }

// AddPod counts podInfoToAdd on nodeInfo (a nominated pod).
func (pl *Plugin) AddPod(state *framework.CycleState, podToSchedule *model.Pod, podInfoToAdd *framework.PodInfo, nodeInfo *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.updateWithPod(podInfoToAdd.Pod, podToSchedule, nodeInfo.Node(), 1)
	return nil
}

// RemovePod uncounts podInfoToRemove on nodeInfo (a preemption victim).
func (pl *Plugin) RemovePod(state *framework.CycleState, podToSchedule *model.Pod, podInfoToRemove *framework.PodInfo, nodeInfo *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.updateWithPod(podInfoToRemove.Pod, podToSchedule, nodeInfo.Node(), -1)
	return nil
}

// updateWithPod is upstream's: only same-namespace pods on nodes with every
// key and passing the constraint's inclusion policies count. As upstream,
// it does not look at the updated pod's deletion timestamp.
func (s *preFilterState) updateWithPod(updated, preemptor *model.Pod, node *model.Node, delta int) {
	if s == nil || updated.Namespace != preemptor.Namespace || node == nil {
		return
	}
	if !nodeLabelsMatchSpreadConstraints(node.Labels, s.constraints) {
		return
	}
	for i := range s.constraints {
		c := &s.constraints[i]
		if !c.selector.matches(updated.Labels) {
			continue
		}
		if !c.matchNodeInclusionPolicies(preemptor, node, &s.required) {
			continue
		}
		v := node.Labels[c.topologyKey]
		s.tpValueToMatchNum[i][v] += delta
		s.criticalPaths[i].update(v, s.tpValueToMatchNum[i][v])
	}
}

func getPreFilterState(state *framework.CycleState) (*preFilterState, error) {
	d, ok := state.Read(preFilterStateKey)
	if !ok {
		return nil, fmt.Errorf("reading %q from cycleState: not found", preFilterStateKey)
	}
	s, ok := d.(*preFilterState)
	if !ok {
		return nil, fmt.Errorf("%+v convert to podtopologyspread.preFilterState error", d)
	}
	return s, nil
}

var (
	reasonsNotMatch     = []string{ErrReasonConstraintsNotMatch}
	reasonsMissingLabel = []string{ErrReasonNodeLabelNotMatch}
)

// Filter checks every hard constraint on the node: the node must have the
// key (else UnschedulableAndUnresolvable), and count(domain) + selfMatch -
// globalMin must not exceed maxSkew (else Unschedulable).
func (pl *Plugin) Filter(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	node := nodeInfo.Node()
	if node == nil {
		return framework.NewStatus(framework.Error, "node not found")
	}
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	for i := range s.constraints {
		c := &s.constraints[i]
		tpVal, ok := node.Labels[c.topologyKey]
		if !ok {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, reasonsMissingLabel...)
		}
		minMatch := s.minMatchNum(i, c.minDomains)
		self := 0
		if c.selector.matches(pod.Labels) {
			self = 1
		}
		if skew := s.tpValueToMatchNum[i][tpVal] + self - minMatch; skew > int(c.maxSkew) {
			return framework.NewStatus(framework.Unschedulable, reasonsNotMatch...)
		}
	}
	return nil
}
