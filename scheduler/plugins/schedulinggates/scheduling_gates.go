package schedulinggates

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Name is the plugin's name in profiles and registries.
const Name = "SchedulingGates"

// Plugin gates pods that carry scheduling gates.
type Plugin struct{}

var (
	_ framework.PreEnqueuePlugin  = (*Plugin)(nil)
	_ framework.EnqueueExtensions = (*Plugin)(nil)
)

// New returns the plugin; it takes no arguments.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &Plugin{}, nil }

// Name returns Name.
func (*Plugin) Name() string { return Name }

// PreEnqueue keeps a pod with scheduling gates out of the active queue.
func (*Plugin) PreEnqueue(pod *model.Pod) *framework.Status {
	if len(pod.Spec.SchedulingGates) == 0 {
		return nil
	}
	gates := make([]string, 0, len(pod.Spec.SchedulingGates))
	for _, g := range pod.Spec.SchedulingGates {
		gates = append(gates, g.Name)
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("waiting for scheduling gates: %v", gates))
}

// EventsToRegister: the pod's own gates being removed.
func (*Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.UpdatePodSchedulingGatesEliminated}, QueueingHintFn: isSchedulableAfterGatesEliminated},
	}
}

func isSchedulableAfterGatesEliminated(_ *model.Pod, _, _ model.Object) (framework.QueueingHint, error) {
	return framework.Queue, nil
}
