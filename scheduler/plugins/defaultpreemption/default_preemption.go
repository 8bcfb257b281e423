package defaultpreemption

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Name is the plugin's name in profiles and registries.
const Name = "DefaultPreemption"

// StateKey is where PostFilter records its *Decision in the cycle state.
const StateKey framework.StateKey = "PostFilter" + Name

// ReasonPreemptionByScheduler is the reason of the DisruptionTarget
// condition set on victims (upstream v1.PodReasonPreemptionByScheduler).
const ReasonPreemptionByScheduler = "PreemptionByScheduler"

// Status messages (upstream preemption.go / default_preemption.go).
const (
	msgNotEligibleNever       = "not eligible due to preemptionPolicy=Never."
	msgNotEligibleTerminating = "not eligible due to a terminating pod on the nominated node."
	msgNoVictims              = "No preemption victims found for incoming pod"
	msgNotHelpful             = "Preemption is not helpful for scheduling"
	msgPrefix                 = "preemption: "
)

// IsEligiblePodFunc may narrow which lower-priority pods can be victims.
type IsEligiblePodFunc func(nodeInfo *framework.NodeInfo, victim *framework.PodInfo, preemptor *model.Pod) bool

// MoreImportantPodFunc orders victims by importance (most important
// first); the most important are reprieved first.
type MoreImportantPodFunc func(pod1, pod2 *model.Pod) bool

// Plugin is the DefaultPreemption plugin.
type Plugin struct {
	h                           framework.Handle
	minCandidateNodesPercentage int32
	minCandidateNodesAbsolute   int32

	// IsEligiblePod is an extra victim filter on top of "lower priority
	// than the preemptor"; the default accepts every pod.
	IsEligiblePod IsEligiblePodFunc
	// MoreImportantPod orders victims; the default is MoreImportantPod.
	MoreImportantPod MoreImportantPodFunc
}

var (
	_ framework.PostFilterPlugin  = (*Plugin)(nil)
	_ framework.EnqueueExtensions = (*Plugin)(nil)
)

// New builds the plugin from nil (defaults) or *Args.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if h == nil {
		return nil, errors.New("nil handle")
	}
	var a Args
	switch x := args.(type) {
	case nil:
	case *Args:
		if x != nil {
			a = *x
		}
	case Args:
		a = x
	default:
		return nil, fmt.Errorf("got args of type %T, want *DefaultPreemptionArgs", args)
	}
	a.SetDefaults()
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &Plugin{
		h:                           h,
		minCandidateNodesPercentage: *a.MinCandidateNodesPercentage,
		minCandidateNodesAbsolute:   *a.MinCandidateNodesAbsolute,
		IsEligiblePod:               func(*framework.NodeInfo, *framework.PodInfo, *model.Pod) bool { return true },
		MoreImportantPod:            MoreImportantPod,
	}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// EventsToRegister is empty: without async preemption the plugin never
// rejects a pod itself (upstream returns nil as well).
func (*Plugin) EventsToRegister() []framework.ClusterEventWithHint { return nil }

// Victims are the pods to evict on one node so the preemptor fits there,
// most important first, and how many of them a PodDisruptionBudget
// protects (upstream extenderv1.Victims plus the node name).
type Victims struct {
	Node             string
	Pods             []*model.Pod
	NumPDBViolations int
}

// NodeStatus is why the dry run rejected a node.
type NodeStatus struct {
	Node   string
	Status *framework.Status
}

// Decision is what one PostFilter call decided, for the scheduler (which
// evicts Victims.Pods, clears NominatedPodsToClear and sets the
// preemptor's nominatedNodeName to Victims.Node) and for explain output.
type Decision struct {
	// Pod is the preemptor's namespace/name.
	Pod string
	// Eligible is false when the pod may not preempt now; Status says why.
	Eligible bool
	// PotentialNodes are the nodes whose filter status was Unschedulable,
	// in snapshot order.
	PotentialNodes []string
	// Offset and NumCandidates parameterize the dry run.
	Offset, NumCandidates int
	// Candidates are the dry run's candidates: non-violating first, each
	// group in evaluation order.
	Candidates []Victims
	// Rejected are the nodes the dry run evaluated and rejected, in
	// evaluation order.
	Rejected []NodeStatus
	// Victims is the selected candidate; empty (no node, no pods) when
	// preemption does not happen.
	Victims Victims
	// NominatedPodsToClear are lower-priority pods nominated to the chosen
	// node; their nomination must be cleared.
	NominatedPodsToClear []*model.Pod
	// Status is the PostFilter status.
	Status *framework.Status
}

// Clone returns d: a decision is not modified once written.
func (d *Decision) Clone() framework.StateData { return d }

// GetDecision returns the decision PostFilter recorded in state, if any.
func GetDecision(state *framework.CycleState) (*Decision, bool) {
	if state == nil {
		return nil, false
	}
	d, ok := state.Read(StateKey)
	if !ok {
		return nil, false
	}
	dec, ok := d.(*Decision)
	return dec, ok
}

// PostFilter tries to make room for pod by preempting lower-priority pods.
// It returns the nominated node with Success, a result with an empty node
// and Unschedulable when preemption cannot help (the pod's nomination is
// to be cleared), or no result when the pod may not preempt now or an
// error occurred. Non-empty messages are prefixed with "preemption: ".
func (pl *Plugin) PostFilter(state *framework.CycleState, pod *model.Pod, filtered *framework.NodeToStatus) (*framework.PostFilterResult, *framework.Status) {
	d := &Decision{}
	res, st := pl.preempt(state, pod, filtered, d)
	if msg := st.Message(); msg != "" {
		st = framework.NewStatus(st.Code(), msgPrefix+msg)
	}
	d.Status = st
	if state != nil {
		state.Write(StateKey, d)
	}
	return res, st
}

func (pl *Plugin) preempt(state *framework.CycleState, pod *model.Pod, m *framework.NodeToStatus, d *Decision) (*framework.PostFilterResult, *framework.Status) {
	// Use the latest version of the pod, as upstream reads it from the
	// informer cache.
	if o, ok := pl.h.Objects().Get("Pod", pod.Namespace, pod.Name); ok {
		if p, ok := o.(*model.Pod); ok && p != nil {
			pod = p
		}
	}
	d.Pod = pod.Key()
	if m == nil {
		m = &framework.NodeToStatus{AbsentStatus: framework.NewStatus(framework.UnschedulableAndUnresolvable)}
	}
	if ok, msg := pl.PodEligibleToPreemptOthers(pod, m.Get(pod.Status.NominatedNodeName)); !ok {
		return nil, framework.NewStatus(framework.Unschedulable, msg)
	}
	d.Eligible = true

	allNodes := pl.h.SnapshotSharedLister().NodeInfos().List()
	if len(allNodes) == 0 {
		return nil, framework.AsStatus(errors.New("no nodes available"))
	}
	var potential []*framework.NodeInfo
	for _, ni := range allNodes {
		if m.Get(ni.Name()).Code() == framework.Unschedulable {
			potential = append(potential, ni)
			d.PotentialNodes = append(d.PotentialNodes, ni.Name())
		}
	}
	var candidates []Victims
	var err error
	if len(potential) > 0 {
		d.Offset, d.NumCandidates = pl.GetOffsetAndNumCandidates(len(potential))
		candidates, d.Rejected, err = pl.DryRunPreemption(state, pod, potential, pl.pdbs(), d.Offset, d.NumCandidates)
	}
	d.Candidates = candidates
	if len(candidates) == 0 {
		if err != nil {
			return nil, framework.AsStatus(err)
		}
		return &framework.PostFilterResult{NominatedNodeName: ""},
			framework.NewStatus(framework.Unschedulable, fitErrorMessage(len(allNodes), d.Rejected))
	}
	best := pl.SelectCandidate(candidates)
	d.Victims = *best
	d.NominatedPodsToClear = pl.lowerPriorityNominatedPods(pod, best.Node)
	return &framework.PostFilterResult{NominatedNodeName: best.Node}, framework.NewStatus(framework.Success)
}

// pdbs returns the PodDisruptionBudgets from the informer cache.
func (pl *Plugin) pdbs() []*model.PodDisruptionBudget {
	var out []*model.PodDisruptionBudget
	for _, o := range pl.h.Objects().List("PodDisruptionBudget") {
		if p, ok := o.(*model.PodDisruptionBudget); ok && p != nil {
			out = append(out, p)
		}
	}
	return out
}

// fitErrorMessage is upstream FitError.Error for the nodes the dry run
// rejected; every other node reads "Preemption is not helpful for
// scheduling". Reasons are counted and the "count reason" strings sorted.
func fitErrorMessage(numAllNodes int, rejected []NodeStatus) string {
	counts := map[string]int{}
	for _, r := range rejected {
		for _, reason := range r.Status.Reasons() {
			counts[reason]++
		}
	}
	if len(rejected) < numAllNodes {
		counts[msgNotHelpful] += numAllNodes - len(rejected)
	}
	parts := make([]string, 0, len(counts))
	for reason, n := range counts {
		parts = append(parts, fmt.Sprintf("%v %v", n, reason))
	}
	sort.Strings(parts)
	msg := fmt.Sprintf("0/%v nodes are available:", numAllNodes)
	if len(parts) > 0 {
		msg += fmt.Sprintf(" %v.", strings.Join(parts, ", "))
	}
	return msg
}

// lowerPriorityNominatedPods are the pods nominated to node with a lower
// priority than pod (upstream getLowerPriorityNominatedPods).
func (pl *Plugin) lowerPriorityNominatedPods(pod *model.Pod, node string) []*model.Pod {
	var out []*model.Pod
	prio := pod.PriorityValue()
	for _, pi := range pl.h.NominatedPodsForNode(node) {
		if pi.Pod.PriorityValue() < prio {
			out = append(out, pi.Pod)
		}
	}
	return out
}

// PodEligibleToPreemptOthers reports whether pod may preempt now and, if
// not, why: preemptionPolicy Never, or lower-priority pods on its nominated
// node are still terminating because of an earlier preemption (unless the
// nominated node is now UnschedulableAndUnresolvable for it).
func (pl *Plugin) PodEligibleToPreemptOthers(pod *model.Pod, nominatedNodeStatus *framework.Status) (bool, string) {
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == model.PreemptNever {
		return false, msgNotEligibleNever
	}
	nom := pod.Status.NominatedNodeName
	if nom == "" {
		return true, ""
	}
	if nominatedNodeStatus.Code() == framework.UnschedulableAndUnresolvable {
		return true, ""
	}
	if ni, ok := pl.h.SnapshotSharedLister().NodeInfos().Get(nom); ok {
		for _, p := range ni.Pods {
			if pl.isPreemptionAllowed(ni, p, pod) && podTerminatingByPreemption(p.Pod) {
				return false, msgNotEligibleTerminating
			}
		}
	}
	return true, ""
}

// isPreemptionAllowed: the victim has a lower priority and IsEligiblePod
// accepts it.
func (pl *Plugin) isPreemptionAllowed(ni *framework.NodeInfo, victim *framework.PodInfo, preemptor *model.Pod) bool {
	return victim.Pod.PriorityValue() < preemptor.PriorityValue() && pl.IsEligiblePod(ni, victim, preemptor)
}

// podTerminatingByPreemption: the pod is being deleted and carries a true
// DisruptionTarget condition with reason PreemptionByScheduler.
func podTerminatingByPreemption(p *model.Pod) bool {
	if p.DeletionTimestamp == nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == model.DisruptionTarget {
			return c.Status == model.ConditionTrue && c.Reason == ReasonPreemptionByScheduler
		}
	}
	return false
}

// CalculateNumCandidates is how many candidates the dry run must find:
// numNodes*minCandidateNodesPercentage/100, at least
// minCandidateNodesAbsolute, at most numNodes.
func (pl *Plugin) CalculateNumCandidates(numNodes int) int {
	n := int32(numNodes) * pl.minCandidateNodesPercentage / 100
	if n < pl.minCandidateNodesAbsolute {
		n = pl.minCandidateNodesAbsolute
	}
	if n > int32(numNodes) {
		n = int32(numNodes)
	}
	return int(n)
}

// GetOffsetAndNumCandidates draws the dry run's starting offset in
// [0, numNodes) from the handle's "preemption" stream and computes the
// number of candidates.
func (pl *Plugin) GetOffsetAndNumCandidates(numNodes int) (offset, numCandidates int) {
	if numNodes <= 0 {
		return 0, 0
	}
	return int(pl.h.Rand("preemption").Int32N(int32(numNodes))), pl.CalculateNumCandidates(numNodes)
}

// pdbInfo is a PodDisruptionBudget with its selector compiled.
type pdbInfo struct {
	namespace string
	selector  model.Selector
	// usable is false for an invalid, nil or empty selector, which
	// matches nothing.
	usable    bool
	allowed   int32
	disrupted map[string]time.Time
}

func compilePDBs(pdbs []*model.PodDisruptionBudget) []pdbInfo {
	out := make([]pdbInfo, len(pdbs))
	for i, p := range pdbs {
		sel, err := model.LabelSelectorAsSelector(p.Spec.Selector)
		out[i] = pdbInfo{
			namespace: p.Namespace,
			selector:  sel,
			usable:    err == nil && !sel.Empty() && !sel.MatchesNothing(),
			allowed:   p.Status.DisruptionsAllowed,
			disrupted: p.Status.DisruptedPods,
		}
	}
	return out
}

// filterPodsWithPDBViolation splits pods, keeping their order, into those
// whose eviction would exceed a matching PDB's disruptionsAllowed (counted
// down over the list) and the others. Pods already listed in a PDB's
// disruptedPods do not count against it.
func filterPodsWithPDBViolation(pods []*framework.PodInfo, pdbs []pdbInfo) (violating, nonViolating []*framework.PodInfo) {
	allowed := make([]int32, len(pdbs))
	for i := range pdbs {
		allowed[i] = pdbs[i].allowed
	}
	for _, pi := range pods {
		p := pi.Pod
		violated := false
		if len(p.Labels) != 0 {
			for i := range pdbs {
				pdb := &pdbs[i]
				if pdb.namespace != p.Namespace || !pdb.usable || !pdb.selector.Matches(p.Labels) {
					continue
				}
				if _, ok := pdb.disrupted[p.Name]; ok {
					continue
				}
				allowed[i]--
				if allowed[i] < 0 {
					violated = true
				}
			}
		}
		if violated {
			violating = append(violating, pi)
		} else {
			nonViolating = append(nonViolating, pi)
		}
	}
	return violating, nonViolating
}

// SelectVictimsOnNode finds the fewest, least important pods to evict from
// nodeInfo for pod to fit, and how many of them a PDB protects. state and
// nodeInfo must be copies: they are modified.
func (pl *Plugin) SelectVictimsOnNode(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo, pdbs []*model.PodDisruptionBudget) ([]*model.Pod, int, *framework.Status) {
	return pl.selectVictimsOnNode(state, pod, nodeInfo, compilePDBs(pdbs))
}

func (pl *Plugin) selectVictimsOnNode(state *framework.CycleState, pod *model.Pod, ni *framework.NodeInfo, pdbs []pdbInfo) ([]*model.Pod, int, *framework.Status) {
	removePod := func(pi *framework.PodInfo) error {
		if !ni.RemovePod(pi.Pod) {
			return fmt.Errorf("pod %s not found on node %s", pi.Pod.Key(), ni.Name())
		}
		if st := pl.h.RunPreFilterExtensionRemovePod(state, pod, pi, ni); !st.IsSuccess() {
			return st.AsError()
		}
		return nil
	}
	addPod := func(pi *framework.PodInfo) error {
		ni.AddPodInfo(pi)
		if st := pl.h.RunPreFilterExtensionAddPod(state, pod, pi, ni); !st.IsSuccess() {
			return st.AsError()
		}
		return nil
	}
	// Remove every pod that may be preempted, in the node's pod order, and
	// check the pod fits without them.
	var potential []*framework.PodInfo
	for _, pi := range slices.Clone(ni.Pods) {
		if !pl.isPreemptionAllowed(ni, pi, pod) {
			continue
		}
		potential = append(potential, pi)
		if err := removePod(pi); err != nil {
			return nil, 0, framework.AsStatus(err)
		}
	}
	if len(potential) == 0 {
		return nil, 0, framework.NewStatus(framework.UnschedulableAndUnresolvable, msgNoVictims)
	}
	// Affinity of the pod to lower-priority victims is not considered, as
	// upstream.
	if st := pl.h.RunFilterPluginsWithNominatedPods(state, pod, ni); !st.IsSuccess() {
		return nil, 0, st
	}
	// Most important first, so they are reprieved first. sort.Slice (not
	// stable) is what upstream uses; it is deterministic for a given input.
	sort.Slice(potential, func(i, j int) bool { return pl.MoreImportantPod(potential[i].Pod, potential[j].Pod) })
	violating, nonViolating := filterPodsWithPDBViolation(potential, pdbs)
	var victims []*framework.PodInfo
	reprieve := func(pi *framework.PodInfo) (bool, error) {
		if err := addPod(pi); err != nil {
			return false, err
		}
		fits := pl.h.RunFilterPluginsWithNominatedPods(state, pod, ni).IsSuccess()
		if !fits {
			if err := removePod(pi); err != nil {
				return false, err
			}
			victims = append(victims, pi)
		}
		return fits, nil
	}
	numViolating := 0
	for _, pi := range violating {
		fits, err := reprieve(pi)
		if err != nil {
			return nil, 0, framework.AsStatus(err)
		}
		if !fits {
			numViolating++
		}
	}
	for _, pi := range nonViolating {
		if _, err := reprieve(pi); err != nil {
			return nil, 0, framework.AsStatus(err)
		}
	}
	if len(violating) != 0 && len(nonViolating) != 0 {
		sort.Slice(victims, func(i, j int) bool { return pl.MoreImportantPod(victims[i].Pod, victims[j].Pod) })
	}
	pods := make([]*model.Pod, len(victims))
	for i, v := range victims {
		pods[i] = v.Pod
	}
	return pods, numViolating, framework.NewStatus(framework.Success)
}

// DryRunPreemption evaluates potentialNodes[(offset+i)%n] for i = 0, 1, ...
// on copies of the node and of state, until it holds at least one
// PDB-respecting candidate and numCandidates in all. Each kind of
// candidate is capped at numCandidates (further ones are dropped, as
// upstream's fixed-size lists do). It returns the non-violating candidates
// followed by the violating ones, the rejected nodes with their status,
// and the errors met (nil when none).
func (pl *Plugin) DryRunPreemption(state *framework.CycleState, pod *model.Pod, potentialNodes []*framework.NodeInfo,
	pdbs []*model.PodDisruptionBudget, offset, numCandidates int) ([]Victims, []NodeStatus, error) {
	compiled := compilePDBs(pdbs)
	var nonViolating, violating []Victims
	var rejected []NodeStatus
	var errs []error
	n := len(potentialNodes)
	for i := 0; i < n; i++ {
		ni := potentialNodes[(offset+i)%n].Clone()
		name := ni.Name()
		pods, numViolations, st := pl.selectVictimsOnNode(state.Clone(), pod, ni, compiled)
		if st.IsSuccess() && len(pods) != 0 {
			c := Victims{Node: name, Pods: pods, NumPDBViolations: numViolations}
			if numViolations == 0 {
				if len(nonViolating) < numCandidates {
					nonViolating = append(nonViolating, c)
				}
			} else if len(violating) < numCandidates {
				violating = append(violating, c)
			}
			if len(nonViolating) > 0 && len(nonViolating)+len(violating) >= numCandidates {
				break
			}
			continue
		}
		if st.IsSuccess() {
			st = framework.AsStatus(fmt.Errorf("expected at least one victim pod on node %q", name))
		}
		if st.Code() == framework.Error {
			errs = append(errs, st.AsError())
		}
		rejected = append(rejected, NodeStatus{Node: name, Status: st})
	}
	return append(nonViolating, violating...), rejected, aggregate(errs)
}

// aggregate joins errors as upstream's utilerrors.NewAggregate prints them:
// the only message, or distinct messages in brackets.
func aggregate(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	var msgs []string
	for _, e := range errs {
		if m := e.Error(); !slices.Contains(msgs, m) {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 1 {
		return errors.New(msgs[0])
	}
	return errors.New("[" + strings.Join(msgs, ", ") + "]")
}

// SelectCandidate picks the node to preempt on (upstream SelectCandidate
// and pickOneNodeForPreemption), keeping at each step only the best
// candidates: fewest PDB violations; lowest priority of the most important
// victim; lowest sum of victim priorities, each shifted by MaxInt32+1;
// fewest victims; latest start time of the earliest-started victim among
// those of highest priority; then the first remaining candidate. It
// returns nil for no candidates.
func (pl *Plugin) SelectCandidate(candidates []Victims) *Victims {
	switch len(candidates) {
	case 0:
		return nil
	case 1:
		return &candidates[0]
	}
	scoreFuncs := []func(c *Victims) int64{
		func(c *Victims) int64 { return -int64(c.NumPDBViolations) },
		func(c *Victims) int64 { return -int64(c.Pods[0].PriorityValue()) },
		func(c *Victims) int64 {
			var sum int64
			for _, p := range c.Pods {
				sum += int64(p.PriorityValue()) + int64(math.MaxInt32+1)
			}
			return -sum
		},
		func(c *Victims) int64 { return -int64(len(c.Pods)) },
		func(c *Victims) int64 {
			t := earliestPodStartTime(c.Pods)
			if t == nil {
				return math.MaxInt64 // not started: "now", later than any start
			}
			return t.UnixNano()
		},
	}
	selected := make([]int, len(candidates))
	for i := range selected {
		selected[i] = i
	}
	next := make([]int, 0, len(candidates))
	for _, f := range scoreFuncs {
		next = next[:0]
		best := int64(math.MinInt64)
		for _, i := range selected {
			s := f(&candidates[i])
			if s > best {
				best = s
				next = next[:0]
			}
			if s == best {
				next = append(next, i)
			}
		}
		if len(next) == 1 {
			return &candidates[next[0]]
		}
		selected, next = next, selected
	}
	return &candidates[selected[0]]
}

// startTime is a pod's status.startTime; nil stands for "not started yet",
// i.e. now, later than any start time.
func startTime(p *model.Pod) *time.Time { return p.Status.StartTime }

// startsBefore orders start times with nil last.
func startsBefore(a, b *time.Time) bool {
	return a != nil && (b == nil || a.Before(*b))
}

// earliestPodStartTime is the earliest start among the highest-priority
// pods (upstream util.GetEarliestPodStartTime); nil when none started.
func earliestPodStartTime(pods []*model.Pod) *time.Time {
	if len(pods) == 0 {
		return nil
	}
	earliest := startTime(pods[0])
	maxPriority := pods[0].PriorityValue()
	for _, p := range pods {
		switch prio := p.PriorityValue(); {
		case prio == maxPriority:
			if t := startTime(p); startsBefore(t, earliest) {
				earliest = t
			}
		case prio > maxPriority:
			maxPriority = prio
			earliest = startTime(p)
		}
	}
	return earliest
}

// MoreImportantPod orders by priority, then by earlier start time (upstream
// util.MoreImportantPod); pods that have not started come last.
func MoreImportantPod(pod1, pod2 *model.Pod) bool {
	p1, p2 := pod1.PriorityValue(), pod2.PriorityValue()
	if p1 != p2 {
		return p1 > p2
	}
	return startsBefore(startTime(pod1), startTime(pod2))
}
