package nodeaffinity

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "NodeAffinity"

	// ErrReasonPod is the Filter reason when the pod's nodeSelector or
	// required node affinity does not match.
	ErrReasonPod = "node(s) didn't match Pod's node affinity/selector"
	// ErrReasonEnforced is the Filter reason when addedAffinity does not
	// match.
	ErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity"
	// ErrReasonConflict is the PreFilter reason when the required terms pin
	// disjoint node names.
	ErrReasonConflict = "pod affinity terms conflict"

	preFilterStateKey framework.StateKey = "PreFilter" + Name
	preScoreStateKey  framework.StateKey = "PreScore" + Name
)

// Plugin is the NodeAffinity plugin.
type Plugin struct {
	addedNodeSelector   *model.NodeSelectorMatcher
	addedPrefSchedTerms *model.PreferredSchedulingTerms
}

var (
	_ framework.PreFilterPlugin   = (*Plugin)(nil)
	_ framework.FilterPlugin      = (*Plugin)(nil)
	_ framework.PreScorePlugin    = (*Plugin)(nil)
	_ framework.ScorePlugin       = (*Plugin)(nil)
	_ framework.ScoreExtensions   = (*Plugin)(nil)
	_ framework.EnqueueExtensions = (*Plugin)(nil)
)

// New builds the plugin from nil or *Args (validated here, as upstream).
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	a, err := getArgs(args)
	if err != nil {
		return nil, err
	}
	pl := &Plugin{}
	if a.AddedAffinity != nil {
		pl.addedNodeSelector, pl.addedPrefSchedTerms, err = compileAdded(a.AddedAffinity)
		if err != nil {
			return nil, err
		}
	}
	return pl, nil
}

func getArgs(args any) (*Args, error) {
	switch a := args.(type) {
	case nil:
		return &Args{}, nil
	case *Args:
		if a == nil {
			return &Args{}, nil
		}
		return a, nil
	default:
		return nil, fmt.Errorf("args are not of type NodeAffinityArgs, got %T", args)
	}
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// preFilterState is the pod's compiled requirement; it never changes, so
// Clone shares it.
type preFilterState struct {
	required model.RequiredNodeAffinity
}

func (s *preFilterState) Clone() framework.StateData { return s }

// PreFilter compiles the pod's requirement once. It returns Skip when
// neither the pod nor addedAffinity constrains nodes, and a PreFilterResult
// when every required term pins metadata.name with In (the union over
// terms of the per-term intersection); disjoint pins reject the pod.
func (pl *Plugin) PreFilter(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	aff := pod.Spec.Affinity
	noNodeAffinity := aff == nil || aff.NodeAffinity == nil || aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil
	if noNodeAffinity && pl.addedNodeSelector == nil && pod.Spec.NodeSelector == nil {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, &preFilterState{required: requiredOf(pod)})
	if noNodeAffinity {
		return nil, nil
	}
	terms := aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if len(terms) == 0 {
		return nil, nil
	}
	var nodeNames map[string]bool
	for ti := range terms {
		var termNames map[string]bool
		for _, r := range terms[ti].MatchFields {
			if r.Key != model.NodeFieldSelectorKeyNodeName || r.Operator != model.NodeSelectorOpIn {
				continue
			}
			if termNames == nil {
				termNames = make(map[string]bool, len(r.Values))
				for _, v := range r.Values {
					termNames[v] = true
				}
				continue
			}
			inter := make(map[string]bool, len(termNames))
			for _, v := range r.Values {
				if termNames[v] {
					inter[v] = true
				}
			}
			termNames = inter
		}
		if termNames == nil {
			// A term without a name pin admits every node: terms are ORed.
			return nil, nil
		}
		if nodeNames == nil {
			nodeNames = make(map[string]bool, len(termNames))
		}
		for n := range termNames {
			nodeNames[n] = true
		}
	}
	if nodeNames != nil && len(nodeNames) == 0 {
		return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonConflict)
	}
	if len(nodeNames) > 0 {
		return &framework.PreFilterResult{NodeNames: nodeNames}, nil
	}
	return nil, nil
}

func requiredOf(pod *model.Pod) model.RequiredNodeAffinity {
	var na *model.NodeAffinity
	if pod.Spec.Affinity != nil {
		na = pod.Spec.Affinity.NodeAffinity
	}
	return model.NewRequiredNodeAffinity(pod.Spec.NodeSelector, na)
}

// PreFilterExtensions returns nil: the state does not depend on other pods.
func (*Plugin) PreFilterExtensions() framework.PreFilterExtensions { return nil }

// Filter checks addedAffinity, then the pod's nodeSelector and required
// node affinity (parse errors ignored: an invalid term never matches).
func (pl *Plugin) Filter(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	node := nodeInfo.Node()
	if node == nil {
		return framework.NewStatus(framework.Error, "node not found")
	}
	if pl.addedNodeSelector != nil && !pl.addedNodeSelector.Match(node.Name, node.Labels) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonEnforced)
	}
	var required model.RequiredNodeAffinity
	if s, ok := readPreFilterState(state); ok {
		required = s.required
	} else {
		// PreFilter did not run (or was disabled): compile here.
		required = requiredOf(pod)
	}
	if match, _ := required.Match(node.Name, node.Labels); !match {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonPod)
	}
	return nil
}

func readPreFilterState(state *framework.CycleState) (*preFilterState, bool) {
	if state == nil {
		return nil, false
	}
	d, ok := state.Read(preFilterStateKey)
	if !ok {
		return nil, false
	}
	s, ok := d.(*preFilterState)
	return s, ok
}

// preScoreState holds the pod's compiled preferred terms (nil when it has
// none); shared by Clone.
type preScoreState struct {
	preferred *model.PreferredSchedulingTerms
}

func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore compiles the pod's preferred terms; Skip when neither the pod
// nor addedAffinity has any.
func (pl *Plugin) PreScore(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) *framework.Status {
	pref, err := preferredOf(pod)
	if err != nil {
		return framework.AsStatus(err)
	}
	if pref == nil && pl.addedPrefSchedTerms == nil {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(preScoreStateKey, &preScoreState{preferred: pref})
	return nil
}

func preferredOf(pod *model.Pod) (*model.PreferredSchedulingTerms, error) {
	a := pod.Spec.Affinity
	if a != nil && a.NodeAffinity != nil && a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution != nil {
		return model.NewPreferredSchedulingTerms(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	return nil, nil
}

// Score sums the weights of the preferred terms (addedAffinity's and the
// pod's) that the node matches.
func (pl *Plugin) Score(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) (int64, *framework.Status) {
	node := nodeInfo.Node()
	if node == nil {
		return 0, framework.NewStatus(framework.Error, "node not found")
	}
	var count int64
	if pl.addedPrefSchedTerms != nil {
		count += pl.addedPrefSchedTerms.Score(node.Name, node.Labels)
	}
	var pref *model.PreferredSchedulingTerms
	if d, ok := state.Read(preScoreStateKey); ok {
		s, ok := d.(*preScoreState)
		if !ok {
			return 0, framework.AsStatus(fmt.Errorf("invalid PreScore state, got type %T", d))
		}
		pref = s.preferred
	} else {
		// PreScore did not run: compile here.
		var err error
		if pref, err = preferredOf(pod); err != nil {
			return 0, framework.AsStatus(err)
		}
	}
	if pref != nil {
		count += pref.Score(node.Name, node.Labels)
	}
	return count, nil
}

// ScoreExtensions returns the plugin (it normalizes).
func (pl *Plugin) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore scales the sums onto 0..100 relative to the best node.
func (*Plugin) NormalizeScore(_ *framework.CycleState, _ *model.Pod, scores framework.NodeScoreList) *framework.Status {
	return helper.DefaultNormalizeScore(framework.MaxNodeScore, false, scores)
}

// EventsToRegister: a node added or relabelled.
func (pl *Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeLabel}, QueueingHintFn: pl.isSchedulableAfterNodeChange},
	}
}

// isSchedulableAfterNodeChange queues the pod when an added node matches
// addedAffinity and the pod's requirement, or an updated node starts
// matching the pod's requirement.
func (pl *Plugin) isSchedulableAfterNodeChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	oldNode, newNode, err := asNodes(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	if newNode == nil {
		return framework.QueueSkip, nil
	}
	if pl.addedNodeSelector != nil && !pl.addedNodeSelector.Match(newNode.Name, newNode.Labels) {
		return framework.QueueSkip, nil
	}
	required := requiredOf(pod)
	isMatched, err := required.Match(newNode.Name, newNode.Labels)
	if err != nil {
		return framework.Queue, err
	}
	if !isMatched {
		return framework.QueueSkip, nil
	}
	if oldNode == nil {
		return framework.Queue, nil
	}
	wasMatched, err := required.Match(oldNode.Name, oldNode.Labels)
	if err != nil {
		return framework.Queue, err
	}
	if wasMatched {
		return framework.QueueSkip, nil
	}
	return framework.Queue, nil
}

func asNodes(oldObj, newObj model.Object) (*model.Node, *model.Node, error) {
	return helper.As[*model.Node](oldObj, newObj)
}
