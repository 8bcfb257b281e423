package nodename

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "NodeName"
	// ErrReason is the Filter reason when spec.nodeName names another node.
	ErrReason = "node(s) didn't match the requested node name"
)

// Plugin checks that the pod's spec.nodeName, if set, is the node.
type Plugin struct{}

var (
	_ framework.FilterPlugin      = (*Plugin)(nil)
	_ framework.EnqueueExtensions = (*Plugin)(nil)
)

// New returns the plugin; it takes no arguments.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &Plugin{}, nil }

// Name returns Name.
func (*Plugin) Name() string { return Name }

// Filter rejects every node but the one the pod names, as
// UnschedulableAndUnresolvable (preemption cannot help).
func (*Plugin) Filter(_ *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	if !Fits(pod, nodeInfo) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReason)
	}
	return nil
}

// Fits reports whether the pod names no node or names this one.
func Fits(pod *model.Pod, nodeInfo *framework.NodeInfo) bool {
	return pod.Spec.NodeName == "" || pod.Spec.NodeName == nodeInfo.Name()
}

// EventsToRegister: only a new node can make a pod rejected here fit; no
// hint is needed (nil means Queue).
func (*Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add}},
	}
}
