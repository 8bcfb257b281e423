package nodeunschedulable

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "NodeUnschedulable"
	// ErrReasonUnschedulable is the Filter reason for a cordoned node.
	ErrReasonUnschedulable = "node(s) were unschedulable"
	// ErrReasonUnknownCondition is upstream's reason when the NodeInfo has
	// no node.
	ErrReasonUnknownCondition = "node(s) had unknown conditions"
)

// unschedulableTaint is the taint a pod must tolerate to land on a cordoned
// node. It is only read.
var unschedulableTaint = model.Taint{Key: model.TaintNodeUnschedulable, Effect: model.TaintEffectNoSchedule}

// Plugin filters out cordoned nodes.
type Plugin struct{}

var (
	_ framework.FilterPlugin      = (*Plugin)(nil)
	_ framework.EnqueueExtensions = (*Plugin)(nil)
)

// New returns the plugin; it takes no arguments.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &Plugin{}, nil }

// Name returns Name.
func (*Plugin) Name() string { return Name }

// Filter rejects a node with spec.unschedulable unless the pod tolerates
// the unschedulable taint.
func (*Plugin) Filter(_ *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	node := nodeInfo.Node()
	if node == nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnknownCondition)
	}
	if !node.Spec.Unschedulable {
		return nil
	}
	if model.TolerationsTolerateTaint(pod.Spec.Tolerations, &unschedulableTaint) {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnschedulable)
}

// EventsToRegister: a node added or uncordoned, or the pod gaining a
// toleration.
func (pl *Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeTaint}, QueueingHintFn: pl.isSchedulableAfterNodeChange},
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.UpdatePodToleration}, QueueingHintFn: pl.isSchedulableAfterPodTolerationChange},
	}
}

// isSchedulableAfterNodeChange queues the pod when a schedulable node is
// added or a node goes from unschedulable to schedulable.
func (*Plugin) isSchedulableAfterNodeChange(_ *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	oldNode, newNode, err := asNodes(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	if newNode == nil {
		return framework.QueueSkip, nil
	}
	if (oldNode != nil && oldNode.Spec.Unschedulable && !newNode.Spec.Unschedulable) ||
		(oldNode == nil && !newNode.Spec.Unschedulable) {
		return framework.Queue, nil
	}
	return framework.QueueSkip, nil
}

// isSchedulableAfterPodTolerationChange queues the pod when it itself now
// tolerates the unschedulable taint.
func (*Plugin) isSchedulableAfterPodTolerationChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	_, newPod, err := asPods(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	if newPod != nil && pod.UID == newPod.UID && model.TolerationsTolerateTaint(newPod.Spec.Tolerations, &unschedulableTaint) {
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
