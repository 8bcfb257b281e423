package nodeports

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Name is the plugin's name in profiles.
const Name = "NodePorts"

// ErrReason is the Filter reason when a requested host port is taken.
const ErrReason = "node(s) didn't have free ports for the requested pod ports"

const preFilterStateKey framework.StateKey = "PreFilter" + Name

// NodePorts checks that a node has the pod's host ports free.
type NodePorts struct{}

var (
	_ framework.PreFilterPlugin   = (*NodePorts)(nil)
	_ framework.FilterPlugin      = (*NodePorts)(nil)
	_ framework.EnqueueExtensions = (*NodePorts)(nil)
)

// New builds the plugin; it takes no arguments.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &NodePorts{}, nil }

// Name returns the plugin name.
func (pl *NodePorts) Name() string { return Name }

// preFilterState is the pod's host ports; it does not depend on other pods,
// so Clone shares it.
type preFilterState []model.ContainerPort

// Clone shares the immutable state.
func (s preFilterState) Clone() framework.StateData { return s }

// HostPorts returns the ports with hostPort > 0 of the pod's sidecar init
// containers (restartPolicy Always; they run for the pod's lifetime) and
// regular containers, in that order (upstream schedutil.GetHostPorts).
func HostPorts(pod *model.Pod) []model.ContainerPort {
	var ports []model.ContainerPort
	if pod == nil {
		return ports
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if !c.IsSidecar() {
			continue
		}
		for _, p := range c.Ports {
			if p.HostPort > 0 {
				ports = append(ports, p)
			}
		}
	}
	for i := range pod.Spec.Containers {
		for _, p := range pod.Spec.Containers[i].Ports {
			if p.HostPort > 0 {
				ports = append(ports, p)
			}
		}
	}
	return ports
}

// PreFilter stores the pod's host ports, or returns Skip without any.
func (pl *NodePorts) PreFilter(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	ports := HostPorts(pod)
	if len(ports) == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, preFilterState(ports))
	return nil, nil
}

// PreFilterExtensions returns nil: the state does not depend on other pods.
func (pl *NodePorts) PreFilterExtensions() framework.PreFilterExtensions { return nil }

func getPreFilterState(state *framework.CycleState) (preFilterState, error) {
	d, ok := state.Read(preFilterStateKey)
	if !ok {
		return nil, fmt.Errorf("reading %q from cycleState: not found", preFilterStateKey)
	}
	s, ok := d.(preFilterState)
	if !ok {
		return nil, fmt.Errorf("%+v convert to nodeports.preFilterState error", d)
	}
	return s, nil
}

// Filter rejects the node when a requested host port is in use there.
func (pl *NodePorts) Filter(state *framework.CycleState, _ *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	want, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if !fitsPorts(want, nodeInfo.UsedPorts) {
		return framework.NewStatus(framework.Unschedulable, ErrReason)
	}
	return nil
}

// Fits reports whether the pod's host ports are free on the node.
func Fits(pod *model.Pod, nodeInfo *framework.NodeInfo) bool {
	return fitsPorts(HostPorts(pod), nodeInfo.UsedPorts)
}

func fitsPorts(want []model.ContainerPort, inUse framework.HostPortInfo) bool {
	for i := range want {
		if inUse.CheckConflict(want[i].HostIP, string(want[i].Protocol), want[i].HostPort) {
			return false
		}
	}
	return true
}

// EventsToRegister lists the events that may free a port: a pod deleted
// (ports are immutable, so pod updates never do) and a node added (1.35
// with SchedulerQueueingHints on).
func (pl *NodePorts) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Delete}, QueueingHintFn: pl.isSchedulableAfterPodDeleted},
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add}},
	}
}

// isSchedulableAfterPodDeleted queues the pod only when the deleted pod was
// bound or nominated and held one of the pod's host ports.
func (pl *NodePorts) isSchedulableAfterPodDeleted(pod *model.Pod, oldObj, _ model.Object) (framework.QueueingHint, error) {
	deleted, ok := oldObj.(*model.Pod)
	if !ok || deleted == nil {
		return framework.Queue, fmt.Errorf("expected *model.Pod, but got %T", oldObj)
	}
	if deleted.Spec.NodeName == "" && deleted.Status.NominatedNodeName == "" {
		return framework.QueueSkip, nil
	}
	ports := HostPorts(deleted)
	if len(ports) == 0 {
		return framework.QueueSkip, nil
	}
	inUse := make(framework.HostPortInfo, len(ports))
	for _, p := range ports {
		inUse.Add(p.HostIP, string(p.Protocol), p.HostPort)
	}
	if fitsPorts(HostPorts(pod), inUse) {
		return framework.QueueSkip, nil
	}
	return framework.Queue, nil
}
