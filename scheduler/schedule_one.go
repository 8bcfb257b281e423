package scheduler

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
)

// Constants of the node search (pkg/scheduler/schedule_one.go).
const (
	minFeasibleNodesToFind           = 100
	minFeasibleNodesPercentageToFind = 5
)

// ErrNoNodesAvailable is returned when the cluster has no nodes.
var ErrNoNodesAvailable = errors.New("no nodes available to schedule pods")

// Diagnosis records why nodes were rejected in one cycle.
type Diagnosis struct {
	NodeToStatus         *framework.NodeToStatus
	UnschedulablePlugins map[string]bool
	PendingPlugins       map[string]bool
	PreFilterMsg         string
	PostFilterMsg        string
}

// FitError is a pod that fits no node.
type FitError struct {
	Pod         *model.Pod
	NumAllNodes int
	Diagnosis   Diagnosis
}

// Error formats the message kube-scheduler puts in FailedScheduling events:
// "0/N nodes are available: <sorted reason histogram>. <postfilter msg>."
// (upstream FitError.Error).
func (f *FitError) Error() string {
	msg := fmt.Sprintf("0/%v nodes are available:", f.NumAllNodes)
	if f.Diagnosis.PreFilterMsg != "" {
		msg += fmt.Sprintf(" %v.", f.Diagnosis.PreFilterMsg)
	} else {
		counts := f.ReasonCounts()
		parts := make([]string, 0, len(counts))
		for r, n := range counts {
			parts = append(parts, fmt.Sprintf("%v %v", n, r))
		}
		sort.Strings(parts)
		if len(parts) > 0 {
			msg += fmt.Sprintf(" %v.", strings.Join(parts, ", "))
		}
	}
	if m := strings.TrimSuffix(f.Diagnosis.PostFilterMsg, "."); m != "" {
		// Preemption's message is itself a sentence; one period ends both.
		msg += fmt.Sprintf(" %v.", m)
	}
	return msg
}

// ReasonCounts counts nodes per rejection reason, including nodes a
// PreFilter result excluded.
func (f *FitError) ReasonCounts() map[string]int {
	counts := map[string]int{}
	m := f.Diagnosis.NodeToStatus
	for _, s := range m.Statuses {
		for _, r := range s.Reasons() {
			counts[r]++
		}
	}
	if absent := f.NumAllNodes - len(m.Statuses); absent > 0 && m.AbsentStatus != nil {
		for _, r := range m.AbsentStatus.Reasons() {
			counts[r] += absent
		}
	}
	return counts
}

// ScheduleResult is a successful cycle's outcome.
type ScheduleResult struct {
	SuggestedHost  string
	EvaluatedNodes int
	FeasibleNodes  int
	Score          int64
}

// cycle holds what persists between scheduling cycles: the rotating start
// index of the node search and the tie-break stream.
type cycle struct {
	snapshot           *framework.Snapshot
	percentageToScore  int32
	nextStartNodeIndex int
	tiebreak           *sim.Rand
	totals             []int64
	extenders          []*Extender
	// extenderCalls counts HTTP calls in the current cycle, for its cost.
	extenderCalls int
	// record, when set, receives every evaluated node's status and every
	// plugin's scores (kubesim explain); it also makes the search evaluate
	// and score every node.
	record *Explanation
}

// numFeasibleNodesToFind is how many feasible nodes the search stops at:
// all below 100 nodes, else a percentage (adaptive when 0: 50 - n/125,
// at least 5%) of them, at least 100.
func numFeasibleNodesToFind(percentage int32, numAllNodes int32) int32 {
	if numAllNodes < minFeasibleNodesToFind {
		return numAllNodes
	}
	if percentage == 0 {
		percentage = int32(50) - numAllNodes/125
		if percentage < minFeasibleNodesPercentageToFind {
			percentage = minFeasibleNodesPercentageToFind
		}
	}
	n := numAllNodes * percentage / 100
	if n < minFeasibleNodesToFind {
		return minFeasibleNodesToFind
	}
	return n
}

// schedulePod runs PreFilter, Filter, PreScore, Score and selectHost for
// one pod (upstream schedulePod).
func (c *cycle) schedulePod(fwk *Framework, state *framework.CycleState, pod *model.Pod, profilePct *int32) (ScheduleResult, error) {
	allNodes := c.snapshot.List()
	if len(allNodes) == 0 {
		return ScheduleResult{}, ErrNoNodesAvailable
	}
	feasible, diag, err := c.findNodesThatFitPod(fwk, state, pod, allNodes, profilePct)
	if err != nil {
		return ScheduleResult{}, err
	}
	if len(feasible) == 0 {
		return ScheduleResult{}, &FitError{Pod: pod, NumAllNodes: len(allNodes), Diagnosis: diag}
	}
	evaluated := len(feasible) + len(diag.NodeToStatus.Statuses)
	if len(feasible) == 1 && c.record == nil {
		return ScheduleResult{SuggestedHost: feasible[0].Name(), EvaluatedNodes: evaluated, FeasibleNodes: 1}, nil
	}
	totals, err := c.prioritizeNodes(fwk, state, pod, feasible)
	if err != nil {
		return ScheduleResult{}, err
	}
	if len(feasible) == 1 {
		return ScheduleResult{SuggestedHost: feasible[0].Name(), EvaluatedNodes: evaluated, FeasibleNodes: 1, Score: totals[0]}, nil
	}
	i := c.selectHost(totals)
	return ScheduleResult{SuggestedHost: feasible[i].Name(), EvaluatedNodes: evaluated, FeasibleNodes: len(feasible), Score: totals[i]}, nil
}

func (c *cycle) findNodesThatFitPod(fwk *Framework, state *framework.CycleState, pod *model.Pod, allNodes []*framework.NodeInfo, profilePct *int32) ([]*framework.NodeInfo, Diagnosis, error) {
	diag := Diagnosis{NodeToStatus: &framework.NodeToStatus{Statuses: map[string]*framework.Status{}}}
	preRes, s, narrowing := fwk.RunPreFilterPlugins(state, pod, allNodes)
	if !s.IsSuccess() {
		if !s.IsRejected() {
			return nil, diag, s.AsError()
		}
		diag.NodeToStatus.AbsentStatus = s
		if s.Plugin() != "" {
			diag.UnschedulablePlugins = map[string]bool{s.Plugin(): true}
		}
		diag.PreFilterMsg = s.Message()
		if c.record != nil {
			c.record.PreFilter = &StatusRecord{Status: s.Code().String(), Plugin: s.Plugin(), Reasons: s.Reasons()}
		}
		return nil, diag, nil
	}

	// The nominated node, if any, is tried first and alone.
	if nn := pod.Status.NominatedNodeName; nn != "" && c.record == nil {
		if ni, ok := c.snapshot.Get(nn); ok {
			if st := fwk.RunFilterPluginsWithNominatedPods(state, pod, ni); st.IsSuccess() {
				return []*framework.NodeInfo{ni}, diag, nil
			} else if st.Code() == framework.Error {
				return nil, diag, st.AsError()
			}
		}
	}

	nodes := allNodes
	if !preRes.AllNodes() {
		// Upstream iterates the result's name set (map order); kubesim keeps
		// the snapshot order, restricted to the set.
		nodes = make([]*framework.NodeInfo, 0, len(preRes.NodeNames))
		for _, ni := range allNodes {
			if preRes.NodeNames[ni.Name()] {
				nodes = append(nodes, ni)
			}
		}
		diag.NodeToStatus.AbsentStatus = framework.NewStatus(framework.UnschedulableAndUnresolvable,
			fmt.Sprintf("node(s) didn't satisfy plugin(s) %v", narrowing))
	}
	feasible, err := c.findNodesThatPassFilters(fwk, state, pod, &diag, nodes, profilePct)
	if err != nil {
		return nil, diag, err
	}
	return c.findNodesThatPassExtenders(pod, feasible, &diag)
}

// findNodesThatPassExtenders lets each extender with a filter verb narrow
// the feasible nodes; an ignorable extender's failure is skipped.
func (c *cycle) findNodesThatPassExtenders(pod *model.Pod, feasible []*framework.NodeInfo, diag *Diagnosis) ([]*framework.NodeInfo, Diagnosis, error) {
	for _, e := range c.extenders {
		if len(feasible) == 0 {
			break
		}
		if e.cfg.FilterVerb == "" {
			continue
		}
		c.extenderCalls++
		kept, failed, err := e.Filter(pod, feasible)
		if err != nil {
			if e.Ignorable() {
				continue
			}
			return nil, *diag, err
		}
		for _, n := range sortedKeys(failed) {
			diag.NodeToStatus.Statuses[n] = failed[n]
			if c.record != nil {
				c.record.addFilter(n, failed[n])
			}
		}
		feasible = kept
	}
	return feasible, *diag, nil
}

// findNodesThatPassFilters walks nodes from the rotating start index until
// enough feasible nodes are found. Upstream checks 16 nodes at a time in
// parallel and cancels when enough are found, so which extra nodes it
// examined is not deterministic; kubesim checks them one by one in the
// same rotating order, which is the deterministic limit of that search.
func (c *cycle) findNodesThatPassFilters(fwk *Framework, state *framework.CycleState, pod *model.Pod, diag *Diagnosis, nodes []*framework.NodeInfo, profilePct *int32) ([]*framework.NodeInfo, error) {
	pct := c.percentageToScore
	if profilePct != nil {
		pct = *profilePct
	}
	numToFind := int(numFeasibleNodesToFind(pct, int32(len(nodes))))
	if !fwk.HasScorePlugins() {
		numToFind = 1
	}
	if c.record != nil {
		numToFind = len(nodes)
	}
	feasible := make([]*framework.NodeInfo, 0, min(numToFind, len(nodes)))
	processed := 0
	for i := 0; i < len(nodes) && len(feasible) < numToFind; i++ {
		ni := nodes[(c.nextStartNodeIndex+i)%len(nodes)]
		processed++
		s := fwk.RunFilterPluginsWithNominatedPods(state, pod, ni)
		if c.record != nil {
			c.record.addFilter(ni.Name(), s)
		}
		if s.IsSuccess() {
			feasible = append(feasible, ni)
			continue
		}
		if s.Code() == framework.Error {
			return nil, s.AsError()
		}
		diag.NodeToStatus.Statuses[ni.Name()] = s
		if s.Plugin() != "" {
			if s.Code() == framework.Pending {
				if diag.PendingPlugins == nil {
					diag.PendingPlugins = map[string]bool{}
				}
				diag.PendingPlugins[s.Plugin()] = true
			} else {
				if diag.UnschedulablePlugins == nil {
					diag.UnschedulablePlugins = map[string]bool{}
				}
				diag.UnschedulablePlugins[s.Plugin()] = true
			}
		}
	}
	if c.record == nil {
		c.nextStartNodeIndex = (c.nextStartNodeIndex + processed) % len(nodes)
	}
	return feasible, nil
}

// prioritizeNodes returns each feasible node's total score. Without score
// plugins every node scores 1.
func (c *cycle) prioritizeNodes(fwk *Framework, state *framework.CycleState, pod *model.Pod, nodes []*framework.NodeInfo) ([]int64, error) {
	if cap(c.totals) < len(nodes) {
		c.totals = make([]int64, len(nodes))
	}
	totals := c.totals[:len(nodes)]
	if !fwk.HasScorePlugins() && len(c.extenders) == 0 {
		for i := range totals {
			totals[i] = 1
		}
		return totals, nil
	}
	var recs []PluginScores
	if fwk.HasScorePlugins() {
		if s := fwk.RunPreScorePlugins(state, pod, nodes); !s.IsSuccess() {
			return nil, s.AsError()
		}
		var s *framework.Status
		recs, s = fwk.RunScorePlugins(state, pod, nodes, totals, c.record != nil)
		if !s.IsSuccess() {
			return nil, s.AsError()
		}
	} else {
		for i := range totals {
			totals[i] = 0
		}
	}
	for _, e := range c.extenders {
		if e.cfg.PrioritizeVerb == "" {
			continue
		}
		c.extenderCalls++
		scores, err := e.Prioritize(pod, nodes)
		if err != nil {
			continue // upstream ignores prioritization errors
		}
		rec := PluginScores{Plugin: "extender:" + e.Name(), Weight: 1, Raw: make([]int64, len(nodes)), Normalized: make([]int64, len(nodes))}
		for i, ni := range nodes {
			totals[i] += scores[ni.Name()]
			rec.Raw[i], rec.Normalized[i] = scores[ni.Name()], scores[ni.Name()]
		}
		recs = append(recs, rec)
	}
	if c.record != nil {
		c.record.addScores(nodes, recs, totals)
	}
	return totals, nil
}

// selectHost picks the highest total, choosing uniformly among ties by
// reservoir sampling with the scheduler's seeded tie-break stream (upstream
// draws from the unseeded global rand and visits ties in heap order;
// kubesim visits them in evaluation order).
func (c *cycle) selectHost(totals []int64) int {
	selected := 0
	maxScore := totals[0]
	cnt := 1
	for i := 1; i < len(totals); i++ {
		switch {
		case totals[i] > maxScore:
			maxScore, selected, cnt = totals[i], i, 1
		case totals[i] == maxScore:
			cnt++
			if c.tiebreak.IntN(cnt) == 0 {
				selected = i
			}
		}
	}
	return selected
}
