package volumerestrictions

import (
	"errors"
	"fmt"
	"slices"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "VolumeRestrictions"

	preFilterStateKey framework.StateKey = "PreFilter" + Name

	// ErrReasonDiskConflict is the Filter reason when the node already has a
	// pod using the same disk.
	ErrReasonDiskConflict = "node(s) had no available disk"
	// ErrReasonReadWriteOncePodConflict is the Filter reason when a
	// ReadWriteOncePod claim of the pod is in use by another pod.
	ErrReasonReadWriteOncePodConflict = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode"
)

// Plugin checks volume conflicts on the node and ReadWriteOncePod claims.
type Plugin struct {
	h framework.Handle
}

var (
	_ framework.PreFilterPlugin     = (*Plugin)(nil)
	_ framework.FilterPlugin        = (*Plugin)(nil)
	_ framework.PreFilterExtensions = (*Plugin)(nil)
	_ framework.EnqueueExtensions   = (*Plugin)(nil)
)

// New returns the plugin; it takes no arguments.
func New(_ any, h framework.Handle) (framework.Plugin, error) { return &Plugin{h: h}, nil }

// Name returns Name.
func (*Plugin) Name() string { return Name }

// preFilterState holds the pod's ReadWriteOncePod claim names and how many
// references scheduled pods hold to them.
type preFilterState struct {
	rwopClaims             []string
	conflictingPVCRefCount int
}

// Clone copies the count; the claim names never change.
func (s *preFilterState) Clone() framework.StateData {
	c := *s
	return &c
}

func (s *preFilterState) updateWithPod(pi *framework.PodInfo, multiplier int) {
	for _, v := range pi.Pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && slices.Contains(s.rwopClaims, v.PersistentVolumeClaim.ClaimName) {
			s.conflictingPVCRefCount += multiplier
		}
	}
}

// needsRestrictionsCheck reports a volume the disk-conflict rules apply to.
func needsRestrictionsCheck(v *model.Volume) bool {
	return v.GCEPersistentDisk != nil || v.AWSElasticBlockStore != nil || v.RBD != nil
}

// isVolumeConflict reports whether volume conflicts with a volume of pod:
// the same GCE PD unless both are read-only, the same EBS volume, or the
// same RBD image (overlapping monitors, same pool and image) unless both
// are read-only.
func isVolumeConflict(volume *model.Volume, pod *model.Pod) bool {
	for i := range pod.Spec.Volumes {
		ev := &pod.Spec.Volumes[i]
		if d, ed := volume.GCEPersistentDisk, ev.GCEPersistentDisk; d != nil && ed != nil {
			if d.PDName == ed.PDName && !(d.ReadOnly && ed.ReadOnly) {
				return true
			}
		}
		if d, ed := volume.AWSElasticBlockStore, ev.AWSElasticBlockStore; d != nil && ed != nil {
			if d.VolumeID == ed.VolumeID {
				return true
			}
		}
		if d, ed := volume.RBD, ev.RBD; d != nil && ed != nil {
			if haveOverlap(d.CephMonitors, ed.CephMonitors) && d.RBDPool == ed.RBDPool && d.RBDImage == ed.RBDImage && !(d.ReadOnly && ed.ReadOnly) {
				return true
			}
		}
	}
	return false
}

func haveOverlap(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// satisfyVolumeConflicts reports whether no restricted volume of pod
// conflicts with a pod on the node.
func satisfyVolumeConflicts(pod *model.Pod, nodeInfo *framework.NodeInfo) bool {
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if !needsRestrictionsCheck(v) {
			continue
		}
		for _, ev := range nodeInfo.Pods {
			if isVolumeConflict(v, ev.Pod) {
				return false
			}
		}
	}
	return true
}

// notFound renders an informer lister's NotFound error.
func notFound(resource, name string) string {
	return fmt.Sprintf("%s %q not found", resource, name)
}

// PreFilter collects the pod's ReadWriteOncePod claims and counts those
// already used by a scheduled pod; it returns Skip when there is neither a
// restricted volume nor such a conflict. A missing claim is
// UnschedulableAndUnresolvable.
func (pl *Plugin) PreFilter(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	needsCheck := false
	for i := range pod.Spec.Volumes {
		if needsRestrictionsCheck(&pod.Spec.Volumes[i]) {
			needsCheck = true
			break
		}
	}
	s := &preFilterState{}
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		name := v.PersistentVolumeClaim.ClaimName
		o, ok := pl.h.Objects().Get("PersistentVolumeClaim", pod.Namespace, name)
		if !ok {
			return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, notFound("persistentvolumeclaim", name))
		}
		pvc, ok := o.(*model.PersistentVolumeClaim)
		if !ok {
			return nil, framework.AsStatus(fmt.Errorf("object %s/%s is %T, not a PersistentVolumeClaim", pod.Namespace, name, o))
		}
		if slices.Contains(pvc.Spec.AccessModes, model.ReadWriteOncePod) && !slices.Contains(s.rwopClaims, name) {
			s.rwopClaims = append(s.rwopClaims, name)
		}
	}
	for _, name := range s.rwopClaims {
		if pl.isPVCUsedByPods(pod.Namespace + "/" + name) {
			// At most one pod can use a ReadWriteOncePod claim.
			s.conflictingPVCRefCount++
		}
	}
	if !needsCheck && s.conflictingPVCRefCount == 0 {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, s)
	return nil, nil
}

// isPVCUsedByPods reports whether a pod on any node of the snapshot uses
// the claim "namespace/name" (upstream StorageInfos().IsPVCUsedByPods).
func (pl *Plugin) isPVCUsedByPods(key string) bool {
	for _, ni := range pl.h.SnapshotSharedLister().NodeInfos().List() {
		if ni.PVCRefCounts[key] > 0 {
			return true
		}
	}
	return false
}

// PreFilterExtensions returns the plugin: preemption adds and removes pods.
func (pl *Plugin) PreFilterExtensions() framework.PreFilterExtensions { return pl }

// AddPod counts the added pod's references to the ReadWriteOncePod claims.
func (*Plugin) AddPod(state *framework.CycleState, _ *model.Pod, podInfoToAdd *framework.PodInfo, _ *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.updateWithPod(podInfoToAdd, 1)
	return nil
}

// RemovePod uncounts the removed pod's references.
func (*Plugin) RemovePod(state *framework.CycleState, _ *model.Pod, podInfoToRemove *framework.PodInfo, _ *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.updateWithPod(podInfoToRemove, -1)
	return nil
}

func getPreFilterState(state *framework.CycleState) (*preFilterState, error) {
	d, ok := state.Read(preFilterStateKey)
	if !ok {
		return nil, fmt.Errorf("cannot read %q from cycleState", preFilterStateKey)
	}
	s, ok := d.(*preFilterState)
	if !ok {
		return nil, errors.New("invalid PreFilter state for " + Name)
	}
	return s, nil
}

// Filter rejects a node with a pod using one of the pod's disks
// (Unschedulable), then a pod whose ReadWriteOncePod claim is in use
// anywhere (Unschedulable: preemption may free it).
func (*Plugin) Filter(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	if !satisfyVolumeConflicts(pod, nodeInfo) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonDiskConflict)
	}
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if s.conflictingPVCRefCount > 0 {
		return framework.NewStatus(framework.Unschedulable, ErrReasonReadWriteOncePodConflict)
	}
	return nil
}

// EventsToRegister: deleted pods free disks and claims, new nodes have
// none in use, and a created claim lets PreFilter look it up.
func (pl *Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Delete}, QueueingHintFn: isSchedulableAfterPodDeleted},
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add}},
		{Event: framework.ClusterEvent{Resource: framework.EventPersistentVolumeClaim, ActionType: framework.Add}, QueueingHintFn: helper.IsSchedulableAfterClaimChange},
	}
}

// isSchedulableAfterPodDeleted queues the pod when the deleted pod (same
// namespace) had a conflicting disk or one of the pod's claims.
func isSchedulableAfterPodDeleted(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	obj := oldObj
	if obj == nil {
		obj = newObj
	}
	deleted, ok := obj.(*model.Pod)
	if !ok {
		return framework.Queue, fmt.Errorf("unexpected object %T in isSchedulableAfterPodDeleted", obj)
	}
	if deleted.Namespace != pod.Namespace {
		return framework.QueueSkip, nil
	}
	if !satisfyVolumeConflicts(pod, framework.NewNodeInfo(deleted)) {
		return framework.Queue, nil
	}
	for _, v := range deleted.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		for _, pv := range pod.Spec.Volumes {
			if pv.PersistentVolumeClaim != nil && pv.PersistentVolumeClaim.ClaimName == v.PersistentVolumeClaim.ClaimName {
				return framework.Queue, nil
			}
		}
	}
	return framework.QueueSkip, nil
}
