package tainttoleration

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "TaintToleration"
	// ErrReasonUntolerated is the 1.35 Filter reason for an untolerated
	// NoSchedule/NoExecute taint.
	ErrReasonUntolerated = "node(s) had untolerated taint(s)"

	preScoreStateKey framework.StateKey = "PreScore" + Name
)

// Plugin checks that a pod tolerates a node's taints and prefers nodes with
// fewer untolerated PreferNoSchedule taints.
type Plugin struct{}

var (
	_ framework.FilterPlugin      = (*Plugin)(nil)
	_ framework.PreScorePlugin    = (*Plugin)(nil)
	_ framework.ScorePlugin       = (*Plugin)(nil)
	_ framework.ScoreExtensions   = (*Plugin)(nil)
	_ framework.EnqueueExtensions = (*Plugin)(nil)
)

// New returns the plugin; it takes no arguments.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &Plugin{}, nil }

// Name returns Name.
func (*Plugin) Name() string { return Name }

// Filter rejects the node when some NoSchedule or NoExecute taint is not
// tolerated.
func (*Plugin) Filter(_ *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	node := nodeInfo.Node()
	if node == nil {
		return framework.AsStatus(errors.New("invalid nodeInfo"))
	}
	if _, untolerated := model.FindMatchingUntoleratedTaint(node.Spec.Taints, pod.Spec.Tolerations, model.DoNotScheduleTaintFilter); !untolerated {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUntolerated)
}

// preScoreState holds the tolerations that can tolerate a PreferNoSchedule
// taint (effect empty or PreferNoSchedule). It never changes, so Clone
// shares it.
type preScoreState struct {
	tolerationsPreferNoSchedule []model.Toleration
}

func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore collects the tolerations that matter for scoring. It never
// skips (upstream scores every pod).
func (*Plugin) PreScore(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, &preScoreState{tolerationsPreferNoSchedule: preferNoScheduleTolerations(pod.Spec.Tolerations)})
	return nil
}

func preferNoScheduleTolerations(tols []model.Toleration) []model.Toleration {
	var out []model.Toleration
	for i := range tols {
		if tols[i].Effect == "" || tols[i].Effect == model.TaintEffectPreferNoSchedule {
			out = append(out, tols[i])
		}
	}
	return out
}

// Score is the number of untolerated PreferNoSchedule taints on the node.
func (*Plugin) Score(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) (int64, *framework.Status) {
	node := nodeInfo.Node()
	if node == nil {
		return 0, framework.AsStatus(errors.New("invalid nodeInfo"))
	}
	d, ok := state.Read(preScoreStateKey)
	if !ok {
		return 0, framework.AsStatus(fmt.Errorf("failed to read %q from cycleState", preScoreStateKey))
	}
	s, ok := d.(*preScoreState)
	if !ok {
		return 0, framework.AsStatus(fmt.Errorf("%+v convert to tainttoleration.preScoreState error", d))
	}
	tols := s.tolerationsPreferNoSchedule
	var n int64
	for i := range node.Spec.Taints {
		t := &node.Spec.Taints[i]
		if t.Effect != model.TaintEffectPreferNoSchedule {
			continue
		}
		if !model.TolerationsTolerateTaint(tols, t) {
			n++
		}
	}
	return n, nil
}

// ScoreExtensions returns the plugin (it normalizes).
func (pl *Plugin) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore reverses the counts onto 0..100: fewer untolerated taints
// score higher; when every count is 0 every node gets 100.
func (*Plugin) NormalizeScore(_ *framework.CycleState, _ *model.Pod, scores framework.NodeScoreList) *framework.Status {
	return helper.DefaultNormalizeScore(framework.MaxNodeScore, true, scores)
}

// EventsToRegister: a node added or re-tainted, or the pod's tolerations
// changing.
func (pl *Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeTaint}, QueueingHintFn: pl.isSchedulableAfterNodeChange},
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.UpdatePodToleration}, QueueingHintFn: pl.isSchedulableAfterPodTolerationChange},
	}
}

// isSchedulableAfterNodeChange queues the pod when the node goes from
// having an untolerated taint (or not existing) to having none.
func (*Plugin) isSchedulableAfterNodeChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	oldNode, newNode, err := asNodes(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	if newNode == nil {
		return framework.QueueSkip, nil
	}
	wasUntolerated := true
	if oldNode != nil {
		_, wasUntolerated = model.FindMatchingUntoleratedTaint(oldNode.Spec.Taints, pod.Spec.Tolerations, model.DoNotScheduleTaintFilter)
	}
	_, isUntolerated := model.FindMatchingUntoleratedTaint(newNode.Spec.Taints, pod.Spec.Tolerations, model.DoNotScheduleTaintFilter)
	if wasUntolerated && !isUntolerated {
		return framework.Queue, nil
	}
	return framework.QueueSkip, nil
}

// isSchedulableAfterPodTolerationChange queues the pod when its own
// tolerations changed.
func (*Plugin) isSchedulableAfterPodTolerationChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	_, newPod, err := asPods(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	if newPod != nil && pod.UID == newPod.UID {
		return framework.Queue, nil
	}
	return framework.QueueSkip, nil
}

func asNodes(oldObj, newObj model.Object) (*model.Node, *model.Node, error) {
	return helper.As[*model.Node](oldObj, newObj)
}

func asPods(oldObj, newObj model.Object) (*model.Pod, *model.Pod, error) {
	return helper.As[*model.Pod](oldObj, newObj)
}
