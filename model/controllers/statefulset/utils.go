package statefulset

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
)

// Labels the controller puts on its pods (k8s.io/api/apps/v1 types.go).
const (
	// PodNameLabel is StatefulSetPodNameLabel: the pod's own name, so that
	// a Service can select one member.
	PodNameLabel = "statefulset.kubernetes.io/pod-name"
	// PodIndexLabel is the pod's ordinal (PodIndexLabel, GA in 1.32).
	PodIndexLabel = "apps.kubernetes.io/pod-index"
	// RevisionLabel is StatefulSetRevisionLabel (ControllerRevisionHashLabelKey):
	// the revision a pod was created from.
	RevisionLabel = "controller-revision-hash"
)

// Retention policy values (PersistentVolumeClaimRetentionPolicyType).
const (
	RetainPolicy = "Retain"
	DeletePolicy = "Delete"
)

// Update strategies.
const (
	RollingUpdateStrategy = "RollingUpdate"
	OnDeleteStrategy      = "OnDelete"
)

const (
	setAPIVersion = "apps/v1"
	setKind       = "StatefulSet"
	podAPIVersion = "v1"
	podKind       = "Pod"
)

// statefulPodRegex extracts the parent name and the ordinal from a pod name.
var statefulPodRegex = regexp.MustCompile("(.*)-([0-9]+)$")

// ParentNameAndOrdinal returns the StatefulSet name and the ordinal a pod
// name encodes (getParentNameAndOrdinal): "", -1 when it encodes none.
func ParentNameAndOrdinal(podName string) (string, int) {
	m := statefulPodRegex.FindStringSubmatch(podName)
	if len(m) < 3 {
		return "", -1
	}
	ord := -1
	if i, err := strconv.ParseInt(m[2], 10, 32); err == nil {
		ord = int(i)
	}
	return m[1], ord
}

func getOrdinal(p *model.Pod) int { _, o := ParentNameAndOrdinal(p.Name); return o }

// StartOrdinal is spec.ordinals.start, 0 when unset (getStartOrdinal).
func StartOrdinal(set *model.StatefulSet) int {
	if set.Spec.Ordinals != nil {
		return int(set.Spec.Ordinals.Start)
	}
	return 0
}

func replicasOf(set *model.StatefulSet) int { return int(model.Deref(set.Spec.Replicas, 1)) }

// EndOrdinal is the last ordinal in range, inclusive (getEndOrdinal).
func EndOrdinal(set *model.StatefulSet) int { return StartOrdinal(set) + replicasOf(set) - 1 }

func podInOrdinalRange(p *model.Pod, set *model.StatefulSet) bool {
	o := getOrdinal(p)
	return o >= StartOrdinal(set) && o <= EndOrdinal(set)
}

// PodName is "<set>-<ordinal>" (getPodName).
func PodName(set *model.StatefulSet, ordinal int) string {
	return fmt.Sprintf("%s-%d", set.Name, ordinal)
}

// ClaimName is "<template>-<set>-<ordinal>" (getPersistentVolumeClaimName).
func ClaimName(set *model.StatefulSet, template string, ordinal int) string {
	return fmt.Sprintf("%s-%s-%d", template, set.Name, ordinal)
}

func isMemberOf(set *model.StatefulSet, p *model.Pod) bool {
	parent, _ := ParentNameAndOrdinal(p.Name)
	return parent == set.Name
}

// identityMatches: a valid ordinal of this set, the right name and
// namespace, and the pod-name label (hostname and subdomain are not modeled).
func identityMatches(set *model.StatefulSet, p *model.Pod) bool {
	parent, ord := ParentNameAndOrdinal(p.Name)
	return ord >= 0 && parent == set.Name && p.Name == PodName(set, ord) &&
		p.Namespace == set.Namespace && p.Labels[PodNameLabel] == p.Name
}

// storageMatches: every claim template is mounted from its claim.
func storageMatches(set *model.StatefulSet, p *model.Pod) bool {
	ord := getOrdinal(p)
	if ord < 0 {
		return false
	}
	vols := make(map[string]*model.Volume, len(p.Spec.Volumes))
	for i := range p.Spec.Volumes {
		vols[p.Spec.Volumes[i].Name] = &p.Spec.Volumes[i]
	}
	for _, t := range set.Spec.VolumeClaimTemplates {
		v, ok := vols[t.Name]
		if !ok || v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != ClaimName(set, t.Name, ord) {
			return false
		}
	}
	return true
}

// retentionPolicy returns the claim retention policy, Retain/Retain when
// unset (getPersistentVolumeClaimRetentionPolicy).
func retentionPolicy(set *model.StatefulSet) model.StatefulSetPersistentVolumeClaimRetentionPolicy {
	p := model.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: RetainPolicy, WhenScaled: RetainPolicy}
	if set.Spec.PersistentVolumeClaimRetentionPolicy != nil {
		p = *set.Spec.PersistentVolumeClaimRetentionPolicy
	}
	return p
}

// matchesRef: the reference names obj by apiVersion, kind and name (the
// UID is not compared).
func matchesRef(ref *model.OwnerReference, name, apiVersion, kind string) bool {
	return ref.APIVersion == apiVersion && ref.Kind == kind && ref.Name == name
}

func matchesSet(ref *model.OwnerReference, set *model.StatefulSet) bool {
	return matchesRef(ref, set.Name, setAPIVersion, setKind)
}

func matchesPod(ref *model.OwnerReference, p *model.Pod) bool {
	return matchesRef(ref, p.Name, podAPIVersion, podKind)
}

// hasUnexpectedController: under a non-Retain policy, the claim has a
// controller that is neither this set nor this pod, or a reference to
// them with another UID.
func hasUnexpectedController(claim *model.PersistentVolumeClaim, set *model.StatefulSet, p *model.Pod) bool {
	pol := retentionPolicy(set)
	if pol.WhenScaled == RetainPolicy && pol.WhenDeleted == RetainPolicy {
		return false
	}
	for i := range claim.OwnerReferences {
		ref := &claim.OwnerReferences[i]
		if matchesSet(ref, set) {
			if ref.UID != set.UID {
				return true
			}
			continue
		}
		if matchesPod(ref, p) {
			if ref.UID != p.UID {
				return true
			}
			continue
		}
		if ref.Controller != nil && *ref.Controller {
			return true
		}
	}
	return false
}

// hasNonControllerOwner: the set or pod owns the claim without being its
// controller.
func hasNonControllerOwner(claim *model.PersistentVolumeClaim, set *model.StatefulSet, p *model.Pod) bool {
	for _, ref := range claim.OwnerReferences {
		if ref.UID == set.UID || ref.UID == p.UID {
			if ref.Controller == nil || !*ref.Controller {
				return true
			}
		}
	}
	return false
}

func hasOwnerRef(m *model.ObjectMeta, uid string) bool {
	for _, ref := range m.OwnerReferences {
		if ref.UID == uid {
			return true
		}
	}
	return false
}

// hasStaleOwnerRef: the first reference naming the object has another UID.
func hasStaleOwnerRef(m *model.ObjectMeta, name, apiVersion, kind, uid string) bool {
	for i := range m.OwnerReferences {
		ref := &m.OwnerReferences[i]
		if matchesRef(ref, name, apiVersion, kind) {
			return ref.UID != uid
		}
	}
	return false
}

// IsClaimOwnerUpToDate reports whether the claim's owner references
// follow the retention policy (isClaimOwnerUpToDate): Retain/Retain no
// reference to set or pod; whenDeleted Delete a reference to the set;
// whenScaled Delete a reference to the pod once it is scaled down (and
// then none to the set). Claims with stale references are left alone.
func IsClaimOwnerUpToDate(claim *model.PersistentVolumeClaim, set *model.StatefulSet, p *model.Pod) bool {
	if hasStaleOwnerRef(&claim.ObjectMeta, set.Name, setAPIVersion, setKind, set.UID) ||
		hasStaleOwnerRef(&claim.ObjectMeta, p.Name, podAPIVersion, podKind, p.UID) {
		return true
	}
	setRef, podRef := hasOwnerRef(&claim.ObjectMeta, set.UID), hasOwnerRef(&claim.ObjectMeta, p.UID)
	if hasUnexpectedController(claim, set, p) {
		return !(setRef || podRef)
	}
	if hasNonControllerOwner(claim, set, p) {
		return false
	}
	pol := retentionPolicy(set)
	scaledDown := !podInOrdinalRange(p, set)
	switch {
	case pol.WhenScaled == RetainPolicy && pol.WhenDeleted == DeletePolicy:
		return setRef && !podRef
	case pol.WhenScaled == DeletePolicy && pol.WhenDeleted == RetainPolicy:
		return !setRef && scaledDown == podRef
	case pol.WhenScaled == DeletePolicy && pol.WhenDeleted == DeletePolicy:
		return scaledDown != setRef && scaledDown == podRef
	default: // Retain/Retain, and unknown values treated as Retain
		return !setRef && !podRef
	}
}

func newControllerRef(name, uid, apiVersion, kind string) model.OwnerReference {
	return model.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid,
		Controller: model.Ptr(true), BlockOwnerDeletion: model.Ptr(true)}
}

func addControllerRef(refs []model.OwnerReference, ref model.OwnerReference) []model.OwnerReference {
	for _, r := range refs {
		if r.UID == ref.UID {
			return refs
		}
	}
	return append(refs, ref)
}

// UpdateClaimOwnerRefs rewrites the claim's references to the set and pod
// as the retention policy wants (updateClaimOwnerRefForSetAndPod): it
// drops every reference naming them and adds controller references back
// as IsClaimOwnerUpToDate expects; with an unexpected controller it only
// drops them.
func UpdateClaimOwnerRefs(claim *model.PersistentVolumeClaim, set *model.StatefulSet, p *model.Pod) {
	unexpected := hasUnexpectedController(claim, set, p)
	refs := []model.OwnerReference{}
	for i := range claim.OwnerReferences {
		ref := &claim.OwnerReferences[i]
		if !matchesSet(ref, set) && !matchesPod(ref, p) {
			refs = append(refs, *ref)
		}
	}
	if !unexpected {
		pol := retentionPolicy(set)
		scaledDown := !podInOrdinalRange(p, set)
		setRef := newControllerRef(set.Name, set.UID, setAPIVersion, setKind)
		podRef := newControllerRef(p.Name, p.UID, podAPIVersion, podKind)
		switch {
		case pol.WhenScaled == RetainPolicy && pol.WhenDeleted == DeletePolicy:
			refs = addControllerRef(refs, setRef)
		case pol.WhenScaled == DeletePolicy && pol.WhenDeleted == RetainPolicy:
			if scaledDown {
				refs = addControllerRef(refs, podRef)
			}
		case pol.WhenScaled == DeletePolicy && pol.WhenDeleted == DeletePolicy:
			if scaledDown {
				refs = addControllerRef(refs, podRef)
			} else {
				refs = addControllerRef(refs, setRef)
			}
		}
	}
	claim.OwnerReferences = refs
}

// claimsFor returns the pod's claims built from the set's templates, in
// template order (getPersistentVolumeClaims): named by ClaimName, in the
// set's namespace, labelled with the template's labels plus the
// selector's matchLabels.
func claimsFor(set *model.StatefulSet, p *model.Pod) []*model.PersistentVolumeClaim {
	ord := getOrdinal(p)
	out := make([]*model.PersistentVolumeClaim, 0, len(set.Spec.VolumeClaimTemplates))
	for i := range set.Spec.VolumeClaimTemplates {
		c := model.DeepCopy(set.Spec.VolumeClaimTemplates[i])
		c.TypeMeta = model.TypeMeta{}
		c.Name = ClaimName(set, set.Spec.VolumeClaimTemplates[i].Name, ord)
		c.Namespace = set.Namespace
		c.UID, c.ResourceVersion, c.CreationTimestamp = "", "", nil
		if set.Spec.Selector != nil {
			if c.Labels == nil {
				c.Labels = map[string]string{}
			}
			for k, v := range set.Spec.Selector.MatchLabels {
				c.Labels[k] = v
			}
		}
		model.SetTypeMeta(&c)
		out = append(out, &c)
	}
	return out
}

// updateStorage mounts every claim template as a volume named after the
// template, replacing volumes of the same name and keeping the others.
func updateStorage(set *model.StatefulSet, p *model.Pod) {
	claims := claimsFor(set, p)
	templ := make(map[string]bool, len(claims))
	vols := make([]model.Volume, 0, len(claims)+len(p.Spec.Volumes))
	for i, c := range claims {
		name := set.Spec.VolumeClaimTemplates[i].Name
		templ[name] = true
		vols = append(vols, model.Volume{Name: name,
			PersistentVolumeClaim: &model.PersistentVolumeClaimVolumeSource{ClaimName: c.Name}})
	}
	for _, v := range p.Spec.Volumes {
		if !templ[v.Name] {
			vols = append(vols, v)
		}
	}
	p.Spec.Volumes = vols
}

// updateIdentity sets the pod's name and namespace from its ordinal and
// the pod-name and pod-index labels.
func updateIdentity(set *model.StatefulSet, p *model.Pod) {
	ord := getOrdinal(p)
	p.Name = PodName(set, ord)
	p.Namespace = set.Namespace
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[PodNameLabel] = p.Name
	p.Labels[PodIndexLabel] = strconv.Itoa(ord)
}

// newStatefulSetPod builds the pod of an ordinal from the set's template
// (GetPodFromTemplate, initIdentity, updateStorage).
func newStatefulSetPod(set *model.StatefulSet, ordinal int) *model.Pod {
	t := &set.Spec.Template
	p := &model.Pod{
		ObjectMeta: model.ObjectMeta{
			Name:            PodName(set, ordinal),
			GenerateName:    set.Name + "-",
			Namespace:       set.Namespace,
			Labels:          model.DeepCopy(t.Labels),
			Annotations:     model.DeepCopy(t.Annotations),
			Finalizers:      model.DeepCopy(t.Finalizers),
			OwnerReferences: []model.OwnerReference{newControllerRef(set.Name, set.UID, setAPIVersion, setKind)},
		},
		Spec: model.DeepCopy(t.Spec),
	}
	model.SetTypeMeta(p)
	updateIdentity(set, p)
	updateStorage(set, p)
	return p
}

// NewVersionedPod builds the pod of an ordinal at the right revision
// (newVersionedStatefulSetPod): under RollingUpdate, ordinals below the
// partition (or, without a rollingUpdate block, below start +
// status.currentReplicas) get the current revision, the others the update
// revision. The condition keeps upstream's operator precedence.
func NewVersionedPod(currentSet, updateSet *model.StatefulSet, currentRevision, updateRevision string, ordinal int) *model.Pod {
	s := currentSet.Spec.UpdateStrategy
	if s.Type == RollingUpdateStrategy && (s.RollingUpdate == nil && ordinal < StartOrdinal(currentSet)+int(currentSet.Status.CurrentReplicas)) ||
		(s.RollingUpdate != nil && ordinal < StartOrdinal(currentSet)+int(model.Deref(s.RollingUpdate.Partition, 0))) {
		p := newStatefulSetPod(currentSet, ordinal)
		p.Labels[RevisionLabel] = currentRevision
		return p
	}
	p := newStatefulSetPod(updateSet, ordinal)
	p.Labels[RevisionLabel] = updateRevision
	return p
}

func getPodRevision(p *model.Pod) string { return p.Labels[RevisionLabel] }

func isRunningAndReady(p *model.Pod) bool { return p.Status.Phase == model.PodRunning && p.IsReady() }

// isAvailable is podutil.IsPodAvailable: ready, and ready for longer than
// minReadySeconds.
func isAvailable(p *model.Pod, minReadySeconds int32, now time.Time) bool {
	c := p.Status.Condition(model.PodReady)
	if c == nil || c.Status != model.ConditionTrue {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	return c.LastTransitionTime != nil && !c.LastTransitionTime.IsZero() &&
		c.LastTransitionTime.Add(time.Duration(minReadySeconds)*time.Second).Before(now)
}

func isCreated(p *model.Pod) bool     { return p.Status.Phase != "" }
func isPending(p *model.Pod) bool     { return p.Status.Phase == model.PodPending }
func isTerminating(p *model.Pod) bool { return p.DeletionTimestamp != nil }

// isUnavailable: not available, or being deleted.
func isUnavailable(p *model.Pod, minReadySeconds int32, now time.Time) bool {
	return !isAvailable(p, minReadySeconds, now) || isTerminating(p)
}

// MaxUnavailable resolves rollingUpdate.maxUnavailable against the
// replicas, rounding down, at least 1, 1 when unset
// (getStatefulSetMaxUnavailable).
func MaxUnavailable(maxUnavailable *model.IntOrString, replicas int) (int, error) {
	v := model.FromInt32(1)
	if maxUnavailable != nil {
		v = *maxUnavailable
	}
	n, err := model.GetScaledValueFromIntOrPercent(&v, replicas, false)
	if err != nil {
		return 0, err
	}
	return max(n, 1), nil
}

// ReplicaStatus counts pods as computeReplicaStatus does: created ones,
// running and ready, available, and those (created, not terminating) at
// the current and at the update revision.
func ReplicaStatus(pods []*model.Pod, minReadySeconds int32, currentRevision, updateRevision string, now time.Time) (replicas, ready, available, current, updated int32) {
	for _, p := range pods {
		if isCreated(p) {
			replicas++
		}
		if isRunningAndReady(p) {
			ready++
			if isAvailable(p, minReadySeconds, now) {
				available++
			}
		}
		if isCreated(p) && !isTerminating(p) {
			rev := getPodRevision(p)
			if rev == currentRevision {
				current++
			}
			if rev == updateRevision {
				updated++
			}
		}
	}
	return
}

func updateStatus(st *model.StatefulSetStatus, minReadySeconds int32, now time.Time, lists ...[]*model.Pod) {
	st.Replicas, st.ReadyReplicas, st.AvailableReplicas, st.CurrentReplicas, st.UpdatedReplicas = 0, 0, 0, 0, 0
	for _, l := range lists {
		r, rd, a, c, u := ReplicaStatus(l, minReadySeconds, st.CurrentRevision, st.UpdateRevision, now)
		st.Replicas += r
		st.ReadyReplicas += rd
		st.AvailableReplicas += a
		st.CurrentReplicas += c
		st.UpdatedReplicas += u
	}
}

// completeRollingUpdate: once every replica is updated and ready, the
// update revision becomes the current one.
func completeRollingUpdate(set *model.StatefulSet, st *model.StatefulSetStatus) {
	n := int32(replicasOf(set))
	if set.Spec.UpdateStrategy.Type == RollingUpdateStrategy &&
		st.UpdatedReplicas == n && st.ReadyReplicas == n && st.Replicas == n {
		st.CurrentReplicas = st.UpdatedReplicas
		st.CurrentRevision = st.UpdateRevision
	}
}

// inconsistentStatus: the computed status differs from the stored one.
func inconsistentStatus(set *model.StatefulSet, st *model.StatefulSetStatus) bool {
	s := &set.Status
	return st.ObservedGeneration > s.ObservedGeneration || st.Replicas != s.Replicas ||
		st.CurrentReplicas != s.CurrentReplicas || st.ReadyReplicas != s.ReadyReplicas ||
		st.UpdatedReplicas != s.UpdatedReplicas || st.CurrentRevision != s.CurrentRevision ||
		st.AvailableReplicas != s.AvailableReplicas || st.UpdateRevision != s.UpdateRevision
}

// RevisionName names the revision of a template: "<set>-<hash>", where the
// hash is FNV-32a over the template's JSON encoding written with
// upstream's SafeEncodeString alphabet. Upstream hashes the
// ControllerRevision's patch bytes, so the names differ from a real
// cluster's; equal templates get equal names.
func RevisionName(set *model.StatefulSet, t *model.PodTemplateSpec) string {
	b, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("statefulset: encoding pod template: %v", err)) // kubesim's types always encode
	}
	h := fnv.New32a()
	_, _ = h.Write(b)
	return set.Name + "-" + safeEncode(strconv.FormatUint(uint64(h.Sum32()), 10))
}

// safeEncode is rand.SafeEncodeString: every byte mapped into an alphabet
// without vowels and look-alike digits.
func safeEncode(s string) string {
	const alphanums = "bcdfghjklmnpqrstvwxz2456789"
	out := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = alphanums[int(s[i])%len(alphanums)]
	}
	return string(out)
}
