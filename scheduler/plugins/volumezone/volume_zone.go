package volumezone

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "VolumeZone"

	preFilterStateKey framework.StateKey = "PreFilter" + Name

	// ErrReasonConflict is the Filter reason when a PV's zone or region
	// does not match the node.
	ErrReasonConflict = "node(s) had no available volume zone"

	// LabelFailureDomainBetaZone and LabelFailureDomainBetaRegion are the
	// deprecated topology labels (k8s.io/api/core/v1).
	LabelFailureDomainBetaZone   = "failure-domain.beta.kubernetes.io/zone"
	LabelFailureDomainBetaRegion = "failure-domain.beta.kubernetes.io/region"

	// labelMultiZoneDelimiter separates zones in one label value
	// (cloud-provider volume helpers).
	labelMultiZoneDelimiter = "__"
)

// topologyLabels are checked in upstream's order.
var topologyLabels = []string{
	LabelFailureDomainBetaZone,
	LabelFailureDomainBetaRegion,
	model.LabelTopologyZone,
	model.LabelTopologyRegion,
}

func translateToGALabel(label string) string {
	switch label {
	case LabelFailureDomainBetaRegion:
		return model.LabelTopologyRegion
	case LabelFailureDomainBetaZone:
		return model.LabelTopologyZone
	}
	return label
}

// Plugin checks the pod's bound PVs' zone labels against the node.
type Plugin struct {
	h framework.Handle
}

var (
	_ framework.PreFilterPlugin   = (*Plugin)(nil)
	_ framework.FilterPlugin      = (*Plugin)(nil)
	_ framework.EnqueueExtensions = (*Plugin)(nil)
)

// New returns the plugin; it takes no arguments.
func New(_ any, h framework.Handle) (framework.Plugin, error) { return &Plugin{h: h}, nil }

// Name returns Name.
func (*Plugin) Name() string { return Name }

// pvTopology is one topology label of a PV with its allowed values.
type pvTopology struct {
	pvName string
	key    string
	values []string
}

// stateData holds the pod's PV topologies; it never changes after
// PreFilter, so clones share it.
type stateData struct {
	podPVTopologies []pvTopology
}

// Clone returns the same data (it is read-only).
func (d *stateData) Clone() framework.StateData { return d }

// PreFilter collects the topology labels of the PVs bound to the pod's
// claims; it returns Skip when there are none. Unbound claims of a
// WaitForFirstConsumer class are left to VolumeBinding.
func (pl *Plugin) PreFilter(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	topologies, st := pl.getPVbyPod(pod)
	if !st.IsSuccess() {
		return nil, st
	}
	if len(topologies) == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, &stateData{podPVTopologies: topologies})
	return nil, nil
}

func notFound(resource, name string) *framework.Status {
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("%s %q not found", resource, name))
}

func (pl *Plugin) getPVbyPod(pod *model.Pod) ([]pvTopology, *framework.Status) {
	var out []pvTopology
	objs := pl.h.Objects()
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		pvcName := v.PersistentVolumeClaim.ClaimName
		if pvcName == "" {
			return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, "PersistentVolumeClaim had no name")
		}
		o, ok := objs.Get("PersistentVolumeClaim", pod.Namespace, pvcName)
		pvc, isPVC := o.(*model.PersistentVolumeClaim)
		if !ok || !isPVC {
			return nil, notFound("persistentvolumeclaim", pvcName)
		}
		pvName := pvc.Spec.VolumeName
		if pvName == "" {
			scName := model.GetPersistentVolumeClaimClass(pvc)
			if scName == "" {
				return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, "PersistentVolumeClaim had no pv name and storageClass name")
			}
			o, ok := objs.Get("StorageClass", "", scName)
			class, isSC := o.(*model.StorageClass)
			if !ok || !isSC {
				return nil, notFound("storageclass.storage.k8s.io", scName)
			}
			if class.VolumeBindingMode == nil {
				return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("VolumeBindingMode not set for StorageClass %q", scName))
			}
			if *class.VolumeBindingMode == model.VolumeBindingWaitForFirstConsumer {
				continue
			}
			return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, "PersistentVolume had no name")
		}
		o, ok = objs.Get("PersistentVolume", "", pvName)
		pv, isPV := o.(*model.PersistentVolume)
		if !ok || !isPV {
			return nil, notFound("persistentvolume", pvName)
		}
		out = append(out, getPVTopologies(pv)...)
	}
	return out, nil
}

// getPVTopologies returns the PV's topology labels with their zone sets;
// a label whose value lists an empty zone is ignored, as upstream does.
func getPVTopologies(pv *model.PersistentVolume) []pvTopology {
	var out []pvTopology
	for _, key := range topologyLabels {
		value, ok := pv.Labels[key]
		if !ok {
			continue
		}
		zones, ok := labelZonesToSet(value)
		if !ok {
			continue
		}
		out = append(out, pvTopology{pvName: pv.Name, key: key, values: zones})
	}
	return out
}

// labelZonesToSet splits a "__"-separated zone list into sorted distinct
// trimmed zones; an empty zone makes the whole value invalid.
func labelZonesToSet(value string) ([]string, bool) {
	var zones []string
	for _, z := range strings.Split(value, labelMultiZoneDelimiter) {
		z = strings.TrimSpace(z)
		if z == "" {
			return nil, false
		}
		if !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
	}
	slices.Sort(zones)
	return zones, true
}

// PreFilterExtensions returns nil.
func (*Plugin) PreFilterExtensions() framework.PreFilterExtensions { return nil }

// Filter rejects, as UnschedulableAndUnresolvable, a node with some
// topology label whose value (the PV's key, or its GA equivalent) is not
// among the values of a PV topology of the pod.
func (pl *Plugin) Filter(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	if len(pod.Spec.Volumes) == 0 {
		return nil
	}
	var topologies []pvTopology
	if d, ok := state.Read(preFilterStateKey); ok {
		if s, ok := d.(*stateData); ok {
			topologies = s.podPVTopologies
		}
	} else {
		var st *framework.Status
		if topologies, st = pl.getPVbyPod(pod); !st.IsSuccess() {
			return st
		}
	}
	labels := nodeInfo.Node().Labels
	hasAnyNodeConstraint := false
	for _, l := range topologyLabels {
		if _, ok := labels[l]; ok {
			hasAnyNodeConstraint = true
			break
		}
	}
	if !hasAnyNodeConstraint {
		// A node without topology labels (single-zone cluster) fits.
		return nil
	}
	for i := range topologies {
		t := &topologies[i]
		v, ok := labels[t.key]
		if !ok {
			v, ok = labels[translateToGALabel(t.key)]
		}
		if !ok || !slices.Contains(t.values, v) {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonConflict)
		}
	}
	return nil
}

// EventsToRegister: a new WaitForFirstConsumer class, node label changes,
// claims being created or bound, and PV topology changes.
func (*Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventStorageClass, ActionType: framework.Add}, QueueingHintFn: isSchedulableAfterStorageClassAdded},
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeLabel}},
		{Event: framework.ClusterEvent{Resource: framework.EventPersistentVolumeClaim, ActionType: framework.Add | framework.Update}, QueueingHintFn: helper.IsSchedulableAfterClaimChange},
		{Event: framework.ClusterEvent{Resource: framework.EventPersistentVolume, ActionType: framework.Add | framework.Update}, QueueingHintFn: isSchedulableAfterPersistentVolumeChange},
	}
}

// isSchedulableAfterStorageClassAdded queues the pod only for a
// WaitForFirstConsumer class.
func isSchedulableAfterStorageClassAdded(_ *model.Pod, _, newObj model.Object) (framework.QueueingHint, error) {
	sc, ok := newObj.(*model.StorageClass)
	if !ok {
		return framework.Queue, fmt.Errorf("unexpected object %T in isSchedulableAfterStorageClassAdded", newObj)
	}
	if sc.VolumeBindingMode == nil || *sc.VolumeBindingMode != model.VolumeBindingWaitForFirstConsumer {
		return framework.QueueSkip, nil
	}
	return framework.Queue, nil
}

// isSchedulableAfterPersistentVolumeChange queues the pod for a new PV or
// a change of a PV's topology labels.
func isSchedulableAfterPersistentVolumeChange(_ *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	newPV, ok := newObj.(*model.PersistentVolume)
	if !ok {
		return framework.Queue, fmt.Errorf("unexpected object %T in isSchedulableAfterPersistentVolumeChange", newObj)
	}
	if oldObj == nil {
		return framework.Queue, nil
	}
	oldPV, ok := oldObj.(*model.PersistentVolume)
	if !ok {
		return framework.Queue, fmt.Errorf("unexpected object %T in isSchedulableAfterPersistentVolumeChange", oldObj)
	}
	if oldPV == nil {
		return framework.Queue, nil
	}
	if !topologiesEqual(getPVTopologies(oldPV), getPVTopologies(newPV)) {
		return framework.Queue, nil
	}
	return framework.QueueSkip, nil
}

func topologiesEqual(a, b []pvTopology) bool {
	return slices.EqualFunc(a, b, func(x, y pvTopology) bool {
		return x.pvName == y.pvName && x.key == y.key && slices.Equal(x.values, y.values)
	})
}
