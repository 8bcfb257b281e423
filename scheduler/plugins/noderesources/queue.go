package noderesources

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

// EventsToRegister lists the events that may make a pod this plugin
// rejected fit: a scheduled pod deleted or scaled down, a node added or its
// allocatable changed (1.35 with SchedulerQueueingHints and
// InPlacePodVerticalScaling on).
func (f *Fit) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Delete | framework.UpdatePodScaleDown}, QueueingHintFn: f.isSchedulableAfterPodEvent},
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeAllocatable}, QueueingHintFn: f.isSchedulableAfterNodeChange},
	}
}

// asPods converts hint arguments; nil objects stay nil.
func asPods(oldObj, newObj model.Object) (*model.Pod, *model.Pod, error) {
	return helper.As[*model.Pod](oldObj, newObj)
}

func asNodes(oldObj, newObj model.Object) (*model.Node, *model.Node, error) {
	return helper.As[*model.Node](oldObj, newObj)
}

// isSchedulableAfterPodEvent: deleting a pod that was bound or nominated
// may free room; a scale-down helps when it is the pod itself or a
// scheduled pod shrinking a resource the pod requests.
func (f *Fit) isSchedulableAfterPodEvent(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	original, modified, err := asPods(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	if modified == nil {
		if original == nil {
			return framework.Queue, fmt.Errorf("pod event without an object")
		}
		if original.Spec.NodeName == "" && original.Status.NominatedNodeName == "" {
			return framework.QueueSkip, nil
		}
		return framework.Queue, nil
	}
	if original == nil || !isSchedulableAfterPodScaleDown(pod, original, modified) {
		return framework.QueueSkip, nil
	}
	return framework.Queue, nil
}

func isSchedulableAfterPodScaleDown(target, original, modified *model.Pod) bool {
	if modified.UID == target.UID {
		return true
	}
	if modified.Spec.NodeName == "" {
		return false
	}
	before, after := model.PodRequests(original, false), model.PodRequests(modified, false)
	want := model.PodRequests(target, false)
	if (want.MilliCPU != 0 && before.MilliCPU > after.MilliCPU) ||
		(want.Memory != 0 && before.Memory > after.Memory) ||
		(want.EphemeralStorage != 0 && before.EphemeralStorage > after.EphemeralStorage) {
		return true
	}
	for _, s := range want.Scalars {
		if s.Value != 0 && IsScalarResourceName(s.Name) && before.Scalar(s.Name) > after.Scalar(s.Name) {
			return true
		}
	}
	return false
}

// isSchedulableAfterNodeChange: a new node that fits the pod, or an
// updated one that fits and gained some resource the pod requests (or pod
// capacity).
func (f *Fit) isSchedulableAfterNodeChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	original, modified, err := asNodes(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	if !isFit(pod, modified) {
		return framework.QueueSkip, nil
	}
	if original == nil {
		return framework.Queue, nil
	}
	if !haveAnyRequestedResourcesIncreased(pod, original, modified) {
		return framework.QueueSkip, nil
	}
	return framework.Queue, nil
}

// isFit checks the pod against an empty node.
func isFit(pod *model.Pod, node *model.Node) bool {
	if node == nil {
		return false
	}
	ni := framework.NewNodeInfo()
	ni.SetNode(node)
	return len(Fits(pod, ni)) == 0
}

func haveAnyRequestedResourcesIncreased(pod *model.Pod, originalNode, modifiedNode *model.Node) bool {
	req := (*Fit)(nil).computePodRequest(pod)
	before := framework.NewResource(originalNode.Status.Allocatable)
	after := framework.NewResource(modifiedNode.Status.Allocatable)
	if after.AllowedPodNumber > before.AllowedPodNumber {
		return true
	}
	if req.none {
		return false
	}
	if (req.MilliCPU > 0 && after.MilliCPU > before.MilliCPU) ||
		(req.Memory > 0 && after.Memory > before.Memory) ||
		(req.EphemeralStorage > 0 && after.EphemeralStorage > before.EphemeralStorage) {
		return true
	}
	for _, s := range req.scalars {
		if after.Scalar(s.name) > before.Scalar(s.name) {
			return true
		}
	}
	return false
}
