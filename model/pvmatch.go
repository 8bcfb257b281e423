package model

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// PersistentVolume matching shared by the PV controller and the scheduler's
// VolumeBinding plugin. It re-implements
// staging/src/k8s.io/component-helpers/storage/volume/{pv_helpers.go,helpers.go}
// (FindMatchingVolume, CheckVolumeModeMismatches, CheckAccessModes,
// CheckNodeAffinity, IsVolumeBoundToClaim, GetBindVolumeToClaim) and the
// access-mode index of pkg/controller/volume/persistentvolume/index.go
// (findBestMatchForClaim).
//
// Deliberate deviations:
//   - VolumeAttributesClass is not modeled: claims and volumes never carry
//     one, which is upstream's behaviour when neither sets it.
//   - Upstream walks its PV index in map order, so among volumes of equal
//     capacity (and among access-mode groups of equal size) the winner is
//     unspecified. Here the caller's slice order decides equal capacities
//     (callers pass volumes sorted by name) and equal-size groups are
//     searched in the order of their index string ("RWO,ROX" < "RWO,RWX").

// Annotations and well-known values of the volume API
// (component-helpers/storage/volume/pv_helpers.go, k8s.io/api/core/v1).
const (
	// AnnBindCompleted on a claim means the binding finished (value unused).
	AnnBindCompleted = "pv.kubernetes.io/bind-completed"
	// AnnBoundByController on a PV or claim means the controller (or the
	// scheduler) made the binding rather than the user.
	AnnBoundByController = "pv.kubernetes.io/bound-by-controller"
	// AnnSelectedNode on a claim asks for provisioning on the named node;
	// the scheduler sets it for WaitForFirstConsumer claims.
	AnnSelectedNode = "volume.kubernetes.io/selected-node"
	// AnnStorageProvisioner on a claim names the provisioner expected to
	// provision it.
	AnnStorageProvisioner = "volume.kubernetes.io/storage-provisioner"
	// AnnBetaStorageProvisioner is the deprecated form of
	// AnnStorageProvisioner.
	AnnBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner"
	// AnnDynamicallyProvisioned on a PV names the plugin that created it.
	AnnDynamicallyProvisioned = "pv.kubernetes.io/provisioned-by"
	// BetaStorageClassAnnotation is the deprecated class annotation; when
	// present it wins over spec.storageClassName.
	BetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class"
	// NotSupportedProvisioner marks a class that cannot provision.
	NotSupportedProvisioner = "kubernetes.io/no-provisioner"
)

// GetPersistentVolumeClaimClass returns the class a claim asks for: the
// beta annotation first, then spec.storageClassName, else "".
func GetPersistentVolumeClaimClass(claim *PersistentVolumeClaim) string {
	if c, ok := claim.Annotations[BetaStorageClassAnnotation]; ok {
		return c
	}
	if claim.Spec.StorageClassName != nil {
		return *claim.Spec.StorageClassName
	}
	return ""
}

// PersistentVolumeClaimHasClass reports whether a claim sets a class at
// all (annotation or field, even "").
func PersistentVolumeClaimHasClass(claim *PersistentVolumeClaim) bool {
	if _, ok := claim.Annotations[BetaStorageClassAnnotation]; ok {
		return true
	}
	return claim.Spec.StorageClassName != nil
}

// GetPersistentVolumeClass returns a PV's class: the beta annotation
// first, then spec.storageClassName.
func GetPersistentVolumeClass(pv *PersistentVolume) string {
	if c, ok := pv.Annotations[BetaStorageClassAnnotation]; ok {
		return c
	}
	return pv.Spec.StorageClassName
}

// IsVolumeBoundToClaim reports whether the PV's claimRef names the claim:
// same name and namespace, and the same UID when the claimRef has one.
func IsVolumeBoundToClaim(pv *PersistentVolume, claim *PersistentVolumeClaim) bool {
	ref := pv.Spec.ClaimRef
	if ref == nil || ref.Name != claim.Name || ref.Namespace != claim.Namespace {
		return false
	}
	return ref.UID == "" || ref.UID == claim.UID
}

// CheckVolumeModeMismatches reports whether claim and volume ask for
// different volume modes; an unset mode is Filesystem.
func CheckVolumeModeMismatches(pvcSpec *PersistentVolumeClaimSpec, pvSpec *PersistentVolumeSpec) bool {
	return Deref(pvcSpec.VolumeMode, PersistentVolumeFilesystem) != Deref(pvSpec.VolumeMode, PersistentVolumeFilesystem)
}

// CheckAccessModes reports whether the PV offers every access mode the
// claim requests.
func CheckAccessModes(claim *PersistentVolumeClaim, pv *PersistentVolume) bool {
	for _, m := range claim.Spec.AccessModes {
		if !slices.Contains(pv.Spec.AccessModes, m) {
			return false
		}
	}
	return true
}

// ErrNoMatchingNodeSelectorTerms is CheckNodeAffinity's error when the
// node matches none of the PV's terms.
var ErrNoMatchingNodeSelectorTerms = errors.New("no matching NodeSelectorTerms")

// CheckNodeAffinity returns nil when a node with these labels satisfies
// the PV's required node affinity (or the PV has none). As upstream, the
// node is matched by labels only: it has no name, so matchFields
// requirements are skipped. Invalid terms never match; their parse errors
// are returned when no valid term matched.
func CheckNodeAffinity(pv *PersistentVolume, nodeLabels map[string]string) error {
	m := CompileVolumeNodeAffinity(pv)
	if m == nil {
		return nil
	}
	return m.check(nodeLabels)
}

// VolumeAffinityMatcher is a PV's compiled required node affinity; nil means
// the PV fits every node.
type VolumeAffinityMatcher struct {
	m *NodeSelectorMatcher
}

// CompileVolumeNodeAffinity compiles pv.spec.nodeAffinity.required once, for
// callers that check one PV against many nodes; nil when the PV has no
// required affinity.
func CompileVolumeNodeAffinity(pv *PersistentVolume) *VolumeAffinityMatcher {
	if pv.Spec.NodeAffinity == nil || pv.Spec.NodeAffinity.Required == nil {
		return nil
	}
	m, _ := NewNodeSelectorMatcher(pv.Spec.NodeAffinity.Required) // errors surface lazily
	return &VolumeAffinityMatcher{m: m}
}

// Fits reports whether a node with these labels satisfies the affinity. A
// nil affinity fits every node. It never allocates.
func (a *VolumeAffinityMatcher) Fits(nodeLabels map[string]string) bool {
	return a == nil || a.m.Match("", nodeLabels)
}

func (a *VolumeAffinityMatcher) check(nodeLabels map[string]string) error {
	ok, err := a.m.MatchWithError("", nodeLabels)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoMatchingNodeSelectorTerms
	}
	return nil
}

// IsDelayBindingMode reports whether the claim's class binds on first
// consumer. A claim without a class, or whose class does not exist, binds
// immediately; a class without volumeBindingMode is an error, as upstream.
// class looks a StorageClass up by name.
func IsDelayBindingMode(claim *PersistentVolumeClaim, class func(name string) (*StorageClass, bool)) (bool, error) {
	name := GetPersistentVolumeClaimClass(claim)
	if name == "" {
		return false, nil
	}
	sc, ok := class(name)
	if !ok {
		return false, nil
	}
	if sc.VolumeBindingMode == nil {
		return false, fmt.Errorf("VolumeBindingMode not set for StorageClass %q", name)
	}
	return *sc.VolumeBindingMode == VolumeBindingWaitForFirstConsumer, nil
}

// ClaimReference returns the reference a PV's claimRef holds for a claim
// (client-go reference.GetReference).
func ClaimReference(claim *PersistentVolumeClaim) *ObjectReference {
	return &ObjectReference{
		Kind:            "PersistentVolumeClaim",
		APIVersion:      "v1",
		Namespace:       claim.Namespace,
		Name:            claim.Name,
		UID:             claim.UID,
		ResourceVersion: claim.ResourceVersion,
	}
}

// BindVolumeToClaim returns a copy of pv bound to claim (upstream
// GetBindVolumeToClaim): claimRef set to the claim unless it already names
// it with the same UID, and AnnBoundByController "yes" added when the PV
// was not already bound to the claim. dirty reports a change; pv itself is
// never modified.
func BindVolumeToClaim(pv *PersistentVolume, claim *PersistentVolumeClaim) (bound *PersistentVolume, dirty bool) {
	setByController := !IsVolumeBoundToClaim(pv, claim)
	c := DeepCopy(*pv)
	ref := pv.Spec.ClaimRef
	if ref == nil || ref.Name != claim.Name || ref.Namespace != claim.Namespace || ref.UID != claim.UID {
		c.Spec.ClaimRef = ClaimReference(claim)
		dirty = true
	}
	if setByController {
		if _, ok := c.Annotations[AnnBoundByController]; !ok {
			if c.Annotations == nil {
				c.Annotations = map[string]string{}
			}
			c.Annotations[AnnBoundByController] = "yes"
			dirty = true
		}
	}
	return &c, dirty
}

// VolumeNodeFit answers, in the scheduler path, whether volumes[i] (with
// its node affinity) can be used from the node being filtered.
type VolumeNodeFit interface {
	VolumeFitsNode(i int, pv *PersistentVolume) bool
}

// VolumeMatcher is a claim compiled for matching against many volume lists
// (the scheduler matches one claim against every node).
type VolumeMatcher struct {
	claim       *PersistentVolumeClaim
	requested   Quantity
	class       string
	selector    Selector
	hasSelector bool
}

// NewVolumeMatcher compiles a claim's request, class and selector. An
// invalid selector is an error, as in upstream FindMatchingVolume.
func NewVolumeMatcher(claim *PersistentVolumeClaim) (*VolumeMatcher, error) {
	m := &VolumeMatcher{
		claim:     claim,
		requested: claim.Spec.Resources.Requests[ResourceStorage],
		class:     GetPersistentVolumeClaimClass(claim),
	}
	if claim.Spec.Selector != nil {
		sel, err := LabelSelectorAsSelector(claim.Spec.Selector)
		if err != nil {
			return nil, fmt.Errorf("error creating internal label selector for claim: %s/%s: %v", claim.Namespace, claim.Name, err)
		}
		m.selector, m.hasSelector = sel, true
	}
	return m, nil
}

// Find returns the best volume for the claim among volumes, or nil
// (upstream FindMatchingVolume):
//
//   - volumes named in excluded (already chosen for the pod's other
//     claims) and volumes whose claimRef names another claim are skipped;
//   - so are volumes smaller than the request, with another volume mode,
//     or being deleted;
//   - a volume pre-bound to this claim is returned at once, whatever its
//     phase, unless its node affinity rejects the node (then nil);
//   - with delayBinding and no node (the PV controller path for a
//     WaitForFirstConsumer claim), unbound volumes are left to the
//     scheduler;
//   - otherwise the volume must be Available, match the selector and the
//     class, fit the node, and (scheduler path) offer the claim's access
//     modes; the smallest such volume wins, the first one on ties.
//
// node is nil in the PV controller path; in the scheduler path it checks
// volumes[i]'s node affinity. Find never allocates.
func (m *VolumeMatcher) Find(volumes []*PersistentVolume, node VolumeNodeFit, excluded []string, delayBinding bool) *PersistentVolume {
	var best *PersistentVolume
	var bestQty Quantity
	for i, v := range volumes {
		if slices.Contains(excluded, v.Name) {
			continue
		}
		boundToClaim := IsVolumeBoundToClaim(v, m.claim)
		if v.Spec.ClaimRef != nil && !boundToClaim {
			continue
		}
		qty := v.Spec.Capacity[ResourceStorage]
		if qty.Cmp(m.requested) < 0 {
			continue
		}
		if CheckVolumeModeMismatches(&m.claim.Spec, &v.Spec) {
			continue
		}
		if v.DeletionTimestamp != nil {
			continue
		}
		nodeOK := node == nil || node.VolumeFitsNode(i, v)
		if boundToClaim {
			if !nodeOK {
				return nil
			}
			return v
		}
		if node == nil && delayBinding {
			continue
		}
		if v.Status.Phase != VolumeAvailable {
			continue
		}
		if m.hasSelector && !m.selector.Matches(v.Labels) {
			continue
		}
		if GetPersistentVolumeClass(v) != m.class {
			continue
		}
		if !nodeOK {
			continue
		}
		if node != nil && !CheckAccessModes(m.claim, v) {
			continue
		}
		if best == nil || bestQty.Cmp(qty) > 0 {
			best, bestQty = v, qty
		}
	}
	return best
}

// labelsFit checks volumes against a node's labels, compiling each
// volume's affinity (the one-shot FindMatchingVolume path).
type labelsFit map[string]string

func (l labelsFit) VolumeFitsNode(_ int, pv *PersistentVolume) bool {
	return CheckNodeAffinity(pv, l) == nil
}

// FindMatchingVolume is the one-shot form of NewVolumeMatcher(claim).Find:
// node is nil in the PV controller path; excluded holds names of volumes
// already chosen.
func FindMatchingVolume(claim *PersistentVolumeClaim, volumes []*PersistentVolume, node *Node, excluded map[string]bool, delayBinding bool) (*PersistentVolume, error) {
	m, err := NewVolumeMatcher(claim)
	if err != nil {
		return nil, err
	}
	var fit VolumeNodeFit
	if node != nil {
		fit = labelsFit(node.Labels)
	}
	var ex []string
	for name, ok := range excluded {
		if ok {
			ex = append(ex, name)
		}
	}
	return m.Find(volumes, fit, ex, delayBinding), nil
}

// accessModeBits is a set of the four access modes in upstream's index
// order; unknown modes are dropped, as GetAccessModesAsString does.
type accessModeBits uint8

var accessModeOrder = [...]struct {
	mode  PersistentVolumeAccessMode
	short string
}{
	{ReadWriteOnce, "RWO"},
	{ReadOnlyMany, "ROX"},
	{ReadWriteMany, "RWX"},
	{ReadWriteOncePod, "RWOP"},
}

func accessModesToBits(modes []PersistentVolumeAccessMode) (bits accessModeBits, unknown bool) {
	for _, m := range modes {
		found := false
		for i, o := range accessModeOrder {
			if o.mode == m {
				bits |= 1 << i
				found = true
			}
		}
		if !found {
			unknown = true
		}
	}
	return bits, unknown
}

func (b accessModeBits) String() string {
	var parts []string
	for i, o := range accessModeOrder {
		if b&(1<<i) != 0 {
			parts = append(parts, o.short)
		}
	}
	return strings.Join(parts, ",")
}

func (b accessModeBits) count() int {
	n := 0
	for i := range accessModeOrder {
		if b&(1<<i) != 0 {
			n++
		}
	}
	return n
}

// AccessModesString renders access modes as upstream's PV index key, e.g.
// "RWO,ROX" (fixed order RWO, ROX, RWX, RWOP; duplicates and unknown modes
// dropped).
func AccessModesString(modes []PersistentVolumeAccessMode) string {
	b, _ := accessModesToBits(modes)
	return b.String()
}

// FindBestMatchForClaim is the PV controller's volume search (upstream
// persistentVolumeOrderedIndex.findBestMatchForClaim). Volumes are grouped
// by their set of access modes; the groups that offer every mode the claim
// requests are searched from the fewest modes up, and the first group with
// a match (by FindMatchingVolume, no node) wins. So an RWO claim prefers a
// large RWO volume to a small RWO+ROX+RWX one. volumes should be in a
// stable order (by name); within a group it decides ties.
func FindBestMatchForClaim(claim *PersistentVolumeClaim, volumes []*PersistentVolume, delayBinding bool) (*PersistentVolume, error) {
	m, err := NewVolumeMatcher(claim)
	if err != nil {
		return nil, err
	}
	want, unknown := accessModesToBits(claim.Spec.AccessModes)
	if unknown {
		// A mode outside the index's vocabulary is in no group.
		return nil, nil
	}
	bits := make([]accessModeBits, len(volumes))
	var groups []accessModeBits
	for i, v := range volumes {
		bits[i], _ = accessModesToBits(v.Spec.AccessModes)
		if bits[i]&want == want && !slices.Contains(groups, bits[i]) {
			groups = append(groups, bits[i])
		}
	}
	slices.SortFunc(groups, func(a, b accessModeBits) int {
		if c := cmp.Compare(a.count(), b.count()); c != 0 {
			return c
		}
		return strings.Compare(a.String(), b.String())
	})
	group := make([]*PersistentVolume, 0, len(volumes))
	for _, g := range groups {
		group = group[:0]
		for i, v := range volumes {
			if bits[i] == g {
				group = append(group, v)
			}
		}
		if pv := m.Find(group, nil, nil, delayBinding); pv != nil {
			return pv, nil
		}
	}
	return nil, nil
}
