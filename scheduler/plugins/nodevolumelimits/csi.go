package nodevolumelimits

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "NodeVolumeLimits"

	preFilterStateKey framework.StateKey = "PreFilter" + Name

	// ErrReasonMaxVolumeCountExceeded is the Filter reason when the node
	// would exceed a driver's volume limit.
	ErrReasonMaxVolumeCountExceeded = "node(s) exceed max volume count"

	// CSIAttachLimitPrefix prefixes the allocatable resource holding a CSI
	// driver's volume limit (upstream volumeutil.CSIAttachLimitPrefix).
	CSIAttachLimitPrefix = "attachable-volumes-csi-"
	// resourceNameLengthLimit is the longest limit key before the driver
	// name is shortened and hashed.
	resourceNameLengthLimit = 63

	// unboundHandlePrefix starts the placeholder handle of a claim that is
	// not bound to a CSI volume yet.
	unboundHandlePrefix = "kubesim-unbound"
)

// inTreeProvisioners are the in-tree plugins csi-translation-lib can
// migrate; their volumes only count when a CSINode says migration is on,
// which never happens in kubesim.
var inTreeProvisioners = []string{
	"kubernetes.io/aws-ebs",
	"kubernetes.io/gce-pd",
	"kubernetes.io/azure-disk",
	"kubernetes.io/azure-file",
	"kubernetes.io/cinder",
	"kubernetes.io/vsphere-volume",
	"kubernetes.io/portworx-volume",
}

// GetCSIAttachLimitKey returns the allocatable resource name of a driver's
// volume limit: the prefix plus the driver name, or, when that reaches 63
// characters, the prefix, the name's first 23 characters and 16 hex
// characters of its SHA-1 (upstream volumeutil.GetCSIAttachLimitKey).
func GetCSIAttachLimitKey(driverName string) string {
	if len(CSIAttachLimitPrefix)+len(driverName) >= resourceNameLengthLimit {
		sum := sha1.Sum([]byte(driverName))
		return CSIAttachLimitPrefix + driverName[:23] + hex.EncodeToString(sum[:])[:16]
	}
	return CSIAttachLimitPrefix + driverName
}

// Plugin counts CSI volumes per driver against the node's limits.
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

// volumeRef is one attachable volume: "<driver>/<handle>" and the limit
// key of its driver. An empty unique name means "not counted".
type volumeRef struct {
	unique   string
	limitKey string
}

// preFilterState holds the incoming pod's volumes, memoizes the volumes of
// existing pods' claims and keeps scratch space for Filter.
type preFilterState struct {
	err     *framework.Status
	newVols []volumeRef
	keys    []string
	// claims memoizes the claims of existing pods; the PVC, PV and
	// StorageClass do not change within a cycle.
	claims   map[claimKey]volumeRef
	attached []volumeRef
}

// claimKey names a claim without building a string.
type claimKey struct{ namespace, name string }

// Clone shares the memo (it only caches facts) and gives the copy its own
// scratch space.
func (s *preFilterState) Clone() framework.StateData {
	c := *s
	c.attached = nil
	return &c
}

// isInlineMigratable reports an inline volume csi-translation-lib can
// migrate (and that therefore keeps Filter from being skipped).
func isInlineMigratable(v *model.Volume) bool {
	return v.GCEPersistentDisk != nil || v.AWSElasticBlockStore != nil
}

// PreFilter returns Skip when the pod has no claim and no migratable inline
// volume; otherwise it resolves the pod's CSI volumes.
func (pl *Plugin) PreFilter(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	relevant := false
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if v.PersistentVolumeClaim != nil || isInlineMigratable(v) {
			relevant = true
			break
		}
	}
	if !relevant {
		return nil, framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, pl.newState(pod))
	return nil, nil
}

func (pl *Plugin) newState(pod *model.Pod) *preFilterState {
	s := &preFilterState{claims: map[claimKey]volumeRef{}}
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		ref, err := pl.resolve(pod.Namespace, v.PersistentVolumeClaim.ClaimName, true)
		if err != nil {
			s.err = err
			return s
		}
		if ref.unique == "" || slices.ContainsFunc(s.newVols, func(r volumeRef) bool { return r.unique == ref.unique }) {
			continue
		}
		s.newVols = append(s.newVols, ref)
		if !slices.Contains(s.keys, ref.limitKey) {
			s.keys = append(s.keys, ref.limitKey)
		}
	}
	return s
}

// PreFilterExtensions returns nil.
func (*Plugin) PreFilterExtensions() framework.PreFilterExtensions { return nil }

// resolve finds the CSI volume behind a claim (upstream
// filterAttachableVolumes and getCSIDriverInfo). For the incoming pod a
// missing claim is UnschedulableAndUnresolvable; for existing pods it is
// not counted.
func (pl *Plugin) resolve(namespace, claimName string, newPod bool) (volumeRef, *framework.Status) {
	if claimName == "" {
		return volumeRef{}, framework.AsStatus(errors.New("PersistentVolumeClaim had no name"))
	}
	o, ok := pl.h.Objects().Get("PersistentVolumeClaim", namespace, claimName)
	pvc, isPVC := o.(*model.PersistentVolumeClaim)
	if !ok || !isPVC {
		if newPod {
			return volumeRef{}, framework.NewStatus(framework.UnschedulableAndUnresolvable,
				fmt.Sprintf("looking up PVC %s/%s: persistentvolumeclaim %q not found", namespace, claimName, claimName))
		}
		return volumeRef{}, nil
	}
	driver, handle := pl.csiDriverInfo(pvc)
	if driver == "" || handle == "" {
		return volumeRef{}, nil
	}
	return volumeRef{unique: driver + "/" + handle, limitKey: GetCSIAttachLimitKey(driver)}, nil
}

// csiDriverInfo returns the driver and handle of the claim's CSI PV, or,
// when the claim is unbound or its PV is missing, its class's provisioner
// and a placeholder handle.
func (pl *Plugin) csiDriverInfo(pvc *model.PersistentVolumeClaim) (driver, handle string) {
	if pvc.Spec.VolumeName != "" {
		if o, ok := pl.h.Objects().Get("PersistentVolume", "", pvc.Spec.VolumeName); ok {
			pv, ok := o.(*model.PersistentVolume)
			if !ok || pv.Spec.CSI == nil {
				// In-tree PVs only count once migrated on the node's CSINode.
				return "", ""
			}
			return pv.Spec.CSI.Driver, pv.Spec.CSI.VolumeHandle
		}
	}
	className := model.GetPersistentVolumeClaimClass(pvc)
	if className == "" {
		// Without a class the claim binds immediately; it is not counted.
		return "", ""
	}
	o, ok := pl.h.Objects().Get("StorageClass", "", className)
	sc, isSC := o.(*model.StorageClass)
	if !ok || !isSC {
		return "", ""
	}
	if slices.Contains(inTreeProvisioners, sc.Provisioner) {
		return "", ""
	}
	return sc.Provisioner, unboundHandlePrefix + "-" + pvc.Namespace + "/" + pvc.Name
}

// existingRef resolves an existing pod's claim through the memo.
func (pl *Plugin) existingRef(s *preFilterState, namespace, claimName string) volumeRef {
	key := claimKey{namespace, claimName}
	if ref, ok := s.claims[key]; ok {
		return ref
	}
	ref, _ := pl.resolve(namespace, claimName, false)
	s.claims[key] = ref
	return ref
}

// allocatableLimit returns the node's limit for a key, if it has one.
func allocatableLimit(nodeInfo *framework.NodeInfo, key string) (int64, bool) {
	for _, r := range nodeInfo.Allocatable.Scalars {
		if string(r.Name) == key {
			return r.Value, true
		}
	}
	return 0, false
}

// Filter rejects the node when, for some driver with a limit, the distinct
// volumes already attached plus the pod's new ones exceed it
// (Unschedulable: preemption may detach volumes).
func (pl *Plugin) Filter(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	if len(pod.Spec.Volumes) == 0 {
		return nil
	}
	var s *preFilterState
	if d, ok := state.Read(preFilterStateKey); ok {
		s, _ = d.(*preFilterState)
	}
	if s == nil {
		s = pl.newState(pod)
	}
	if s.err != nil {
		return s.err
	}
	if len(s.newVols) == 0 {
		return nil
	}
	limited := false
	for _, k := range s.keys {
		if _, ok := allocatableLimit(nodeInfo, k); ok {
			limited = true
			break
		}
	}
	if !limited {
		return nil
	}

	// The distinct volumes of the pods on the node, for the drivers the
	// pod uses.
	s.attached = s.attached[:0]
	for _, pi := range nodeInfo.Pods {
		for _, v := range pi.Pod.Spec.Volumes {
			if v.PersistentVolumeClaim == nil {
				continue
			}
			ref := pl.existingRef(s, pi.Pod.Namespace, v.PersistentVolumeClaim.ClaimName)
			if ref.unique == "" || !slices.Contains(s.keys, ref.limitKey) {
				continue
			}
			if !containsUnique(s.attached, ref.unique) {
				s.attached = append(s.attached, ref)
			}
		}
	}
	for _, k := range s.keys {
		limit, ok := allocatableLimit(nodeInfo, k)
		if !ok {
			continue
		}
		attached, added := 0, 0
		for _, r := range s.attached {
			if r.limitKey == k {
				attached++
			}
		}
		for _, r := range s.newVols {
			// A volume already attached for another pod is not counted twice.
			if r.limitKey == k && !containsUnique(s.attached, r.unique) {
				added++
			}
		}
		if int64(attached+added) > limit {
			return framework.NewStatus(framework.Unschedulable, ErrReasonMaxVolumeCountExceeded)
		}
	}
	return nil
}

func containsUnique(refs []volumeRef, unique string) bool {
	for i := range refs {
		if refs[i].unique == unique {
			return true
		}
	}
	return false
}

// EventsToRegister: deleted pods detach volumes, a created claim can be
// looked up, and a node (or its allocatable limits) may change the limit.
func (*Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeAllocatable}},
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Delete}, QueueingHintFn: isSchedulableAfterPodDeleted},
		{Event: framework.ClusterEvent{Resource: framework.EventPersistentVolumeClaim, ActionType: framework.Add}, QueueingHintFn: helper.IsSchedulableAfterClaimChange},
	}
}

// isSchedulableAfterPodDeleted queues the pod when the deleted pod was
// bound to a node and had a claim or a migratable inline volume.
func isSchedulableAfterPodDeleted(_ *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	obj := oldObj
	if obj == nil {
		obj = newObj
	}
	deleted, ok := obj.(*model.Pod)
	if !ok {
		return framework.Queue, fmt.Errorf("unexpected object %T in isSchedulableAfterPodDeleted", obj)
	}
	if len(deleted.Spec.Volumes) == 0 || deleted.Spec.NodeName == "" {
		return framework.QueueSkip, nil
	}
	for i := range deleted.Spec.Volumes {
		v := &deleted.Spec.Volumes[i]
		if v.PersistentVolumeClaim != nil || isInlineMigratable(v) {
			return framework.Queue, nil
		}
	}
	return framework.QueueSkip, nil
}
