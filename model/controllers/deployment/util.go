package deployment

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
)

// Annotations and labels the controller reads and writes
// (pkg/controller/deployment/util/deployment_util.go, k8s.io/api/apps/v1).
const (
	// RevisionAnnotation is the revision of a Deployment and its ReplicaSets.
	RevisionAnnotation = "deployment.kubernetes.io/revision"
	// RevisionHistoryAnnotation lists the revisions a ReplicaSet held before.
	RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history"
	// DesiredReplicasAnnotation is the Deployment's replicas when the
	// ReplicaSet was last scaled.
	DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
	// MaxReplicasAnnotation is replicas + maxSurge at that time.
	MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas"
	// RollbackToAnnotation carries a rollback request (apps.DeprecatedRollbackTo).
	RollbackToAnnotation = "deprecated.deployment.rollback.to"
	// LastAppliedConfigAnnotation is kubectl's, never copied to ReplicaSets.
	LastAppliedConfigAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
	// PodTemplateHashLabel is apps.DefaultDeploymentUniqueLabelKey.
	PodTemplateHashLabel = "pod-template-hash"
)

// Condition types and reasons.
const (
	ConditionAvailable      = "Available"
	ConditionProgressing    = "Progressing"
	ConditionReplicaFailure = "ReplicaFailure"

	ReplicaSetUpdatedReason    = "ReplicaSetUpdated"
	FailedRSCreateReason       = "ReplicaSetCreateError"
	NewReplicaSetReason        = "NewReplicaSetCreated"
	FoundNewRSReason           = "FoundNewReplicaSet"
	NewRSAvailableReason       = "NewReplicaSetAvailable"
	TimedOutReason             = "ProgressDeadlineExceeded"
	PausedDeployReason         = "DeploymentPaused"
	ResumedDeployReason        = "DeploymentResumed"
	MinimumReplicasAvailable   = "MinimumReplicasAvailable"
	MinimumReplicasUnavailable = "MinimumReplicasUnavailable"

	RollbackRevisionNotFound  = "DeploymentRollbackRevisionNotFound"
	RollbackTemplateUnchanged = "DeploymentRollbackTemplateUnchanged"
	RollbackDone              = "DeploymentRollback"
)

// maxRevHistoryLengthInChars bounds the revision-history annotation.
const maxRevHistoryLengthInChars = 2000

// --- fenceposts ----------------------------------------------------------

// ResolveFenceposts turns maxSurge and maxUnavailable into absolute
// numbers for desired replicas: surge rounds up, unavailable rounds down,
// a nil value counts as 0, and when both come out 0 maxUnavailable is 1
// (surge might be blocked by quota).
func ResolveFenceposts(maxSurge, maxUnavailable *model.IntOrString, desired int32) (int32, int32, error) {
	zero := model.FromInt32(0)
	if maxSurge == nil {
		maxSurge = &zero
	}
	if maxUnavailable == nil {
		maxUnavailable = &zero
	}
	surge, err := model.GetScaledValueFromIntOrPercent(maxSurge, int(desired), true)
	if err != nil {
		return 0, 0, err
	}
	unavailable, err := model.GetScaledValueFromIntOrPercent(maxUnavailable, int(desired), false)
	if err != nil {
		return 0, 0, err
	}
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return int32(surge), int32(unavailable), nil
}

// IsRollingUpdate reports the RollingUpdate strategy.
func IsRollingUpdate(d *model.Deployment) bool {
	return d.Spec.Strategy.Type == model.RollingUpdateDeploymentStrategyType
}

func replicas(d *model.Deployment) int32 { return model.Deref(d.Spec.Replicas, 1) }

func rsReplicas(rs *model.ReplicaSet) int32 { return model.Deref(rs.Spec.Replicas, 0) }

func rollingParams(d *model.Deployment) (surge, unavailable *model.IntOrString) {
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		return ru.MaxSurge, ru.MaxUnavailable
	}
	return nil, nil
}

// MaxSurge returns the resolved maxSurge of a rolling Deployment, else 0.
func MaxSurge(d *model.Deployment) int32 {
	if !IsRollingUpdate(d) {
		return 0
	}
	s, u := rollingParams(d)
	surge, _, _ := ResolveFenceposts(s, u, replicas(d))
	return surge
}

// MaxUnavailable returns the resolved maxUnavailable of a rolling
// Deployment, at most its replicas; 0 otherwise.
func MaxUnavailable(d *model.Deployment) int32 {
	if !IsRollingUpdate(d) || replicas(d) == 0 {
		return 0
	}
	s, u := rollingParams(d)
	_, unavailable, _ := ResolveFenceposts(s, u, replicas(d))
	return min(unavailable, replicas(d))
}

// NewRSNewReplicas is how many replicas the new ReplicaSet may have now:
// for RollingUpdate as many as fit under replicas+maxSurge in total,
// never above replicas; for Recreate the full count.
func NewRSNewReplicas(d *model.Deployment, allRSs []*model.ReplicaSet, newRS *model.ReplicaSet) (int32, error) {
	switch d.Spec.Strategy.Type {
	case model.RollingUpdateDeploymentStrategyType:
		s, _ := rollingParams(d)
		if s == nil {
			z := model.FromInt32(0)
			s = &z
		}
		maxSurge, err := model.GetScaledValueFromIntOrPercent(s, int(replicas(d)), true)
		if err != nil {
			return 0, err
		}
		current := ReplicaCount(allRSs)
		maxTotal := replicas(d) + int32(maxSurge)
		if current >= maxTotal {
			return rsReplicas(newRS), nil
		}
		up := min(maxTotal-current, replicas(d)-rsReplicas(newRS))
		return rsReplicas(newRS) + up, nil
	case model.RecreateDeploymentStrategyType:
		return replicas(d), nil
	}
	return 0, fmt.Errorf("deployment type %v isn't supported", d.Spec.Strategy.Type)
}

// --- replica counts --------------------------------------------------------

// ReplicaCount sums spec.replicas (GetReplicaCountForReplicaSets).
func ReplicaCount(rss []*model.ReplicaSet) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += rsReplicas(rs)
		}
	}
	return n
}

// ActualReplicaCount sums status.replicas.
func ActualReplicaCount(rss []*model.ReplicaSet) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += rs.Status.Replicas
		}
	}
	return n
}

// ReadyReplicaCount sums status.readyReplicas.
func ReadyReplicaCount(rss []*model.ReplicaSet) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += rs.Status.ReadyReplicas
		}
	}
	return n
}

// AvailableReplicaCount sums status.availableReplicas.
func AvailableReplicaCount(rss []*model.ReplicaSet) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += rs.Status.AvailableReplicas
		}
	}
	return n
}

// FilterActive keeps the ReplicaSets with spec.replicas > 0
// (controller.FilterActiveReplicaSets).
func FilterActive(rss []*model.ReplicaSet) []*model.ReplicaSet {
	var out []*model.ReplicaSet
	for _, rs := range rss {
		if rs != nil && rsReplicas(rs) > 0 {
			out = append(out, rs)
		}
	}
	return out
}

// --- ordering --------------------------------------------------------------

func created(o *model.ObjectMeta) time.Time {
	if o.CreationTimestamp == nil {
		return time.Time{}
	}
	return *o.CreationTimestamp
}

// byCreation is controller.ReplicaSetsByCreationTimestamp: oldest first,
// then by name.
func byCreationLess(a, b *model.ReplicaSet) bool {
	ta, tb := created(&a.ObjectMeta), created(&b.ObjectMeta)
	if ta.Equal(tb) {
		return a.Name < b.Name
	}
	return ta.Before(tb)
}

// SortByCreation sorts oldest first.
func SortByCreation(rss []*model.ReplicaSet) {
	sort.SliceStable(rss, func(i, j int) bool { return byCreationLess(rss[i], rss[j]) })
}

// sortBySizeNewer is ReplicaSetsBySizeNewer: larger first, newer first
// among equals (scaling up).
func sortBySizeNewer(rss []*model.ReplicaSet) {
	sort.SliceStable(rss, func(i, j int) bool {
		if rsReplicas(rss[i]) == rsReplicas(rss[j]) {
			return byCreationLess(rss[j], rss[i])
		}
		return rsReplicas(rss[i]) > rsReplicas(rss[j])
	})
}

// sortBySizeOlder is ReplicaSetsBySizeOlder: larger first, older first
// among equals (scaling down).
func sortBySizeOlder(rss []*model.ReplicaSet) {
	sort.SliceStable(rss, func(i, j int) bool {
		if rsReplicas(rss[i]) == rsReplicas(rss[j]) {
			return byCreationLess(rss[i], rss[j])
		}
		return rsReplicas(rss[i]) > rsReplicas(rss[j])
	})
}

// sortByRevision is ReplicaSetsByRevision: lowest revision first, creation
// order when revisions are equal or unreadable.
func sortByRevision(rss []*model.ReplicaSet) {
	sort.SliceStable(rss, func(i, j int) bool {
		ri, erri := Revision(rss[i])
		rj, errj := Revision(rss[j])
		if erri != nil || errj != nil || ri == rj {
			return byCreationLess(rss[i], rss[j])
		}
		return ri < rj
	})
}

// --- revisions and annotations -------------------------------------------

// Revision parses an object's revision annotation (0 when absent).
func Revision(o model.Object) (int64, error) {
	v, ok := o.GetObjectMeta().Annotations[RevisionAnnotation]
	if !ok {
		return 0, nil
	}
	return strconv.ParseInt(v, 10, 64)
}

// MaxRevision is the highest revision among the ReplicaSets.
func MaxRevision(rss []*model.ReplicaSet) int64 {
	var m int64
	for _, rs := range rss {
		if v, err := Revision(rs); err == nil && v > m {
			m = v
		}
	}
	return m
}

// LastRevision is the second-highest revision (the one to roll back to).
func LastRevision(rss []*model.ReplicaSet) int64 {
	var m, sec int64
	for _, rs := range rss {
		if rs == nil {
			continue
		}
		v, err := Revision(rs)
		if err != nil {
			continue
		}
		if v >= m {
			sec, m = m, v
		} else if v > sec {
			sec = v
		}
	}
	return sec
}

var annotationsToSkip = map[string]bool{
	LastAppliedConfigAnnotation: true,
	RevisionAnnotation:          true,
	RevisionHistoryAnnotation:   true,
	DesiredReplicasAnnotation:   true,
	MaxReplicasAnnotation:       true,
	RollbackToAnnotation:        true,
}

// copyDeploymentAnnotationsToReplicaSet copies the Deployment's own
// annotations (not the controller's bookkeeping) to the ReplicaSet.
func copyDeploymentAnnotationsToReplicaSet(d *model.Deployment, rs *model.ReplicaSet) bool {
	changed := false
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	for _, k := range model.SortedKeys(d.Annotations) {
		v := d.Annotations[k]
		if cur, ok := rs.Annotations[k]; annotationsToSkip[k] || (ok && cur == v) {
			continue
		}
		rs.Annotations[k] = v
		changed = true
	}
	return changed
}

// SetNewReplicaSetAnnotations brings the new ReplicaSet's annotations up
// to date: the Deployment's annotations, the revision (only ever raised,
// the old one pushed onto revision-history), and for a ReplicaSet about to
// be created the replicas annotations.
func SetNewReplicaSetAnnotations(d *model.Deployment, rs *model.ReplicaSet, newRevision string, exists bool) bool {
	changed := copyDeploymentAnnotationsToReplicaSet(d, rs)
	oldRevision, had := rs.Annotations[RevisionAnnotation]
	oldN, err := strconv.ParseInt(oldRevision, 10, 64)
	if err != nil {
		if oldRevision != "" {
			return false
		}
		oldN = 0
	}
	newN, err := strconv.ParseInt(newRevision, 10, 64)
	if err != nil {
		return false
	}
	if oldN < newN {
		rs.Annotations[RevisionAnnotation] = newRevision
		changed = true
	}
	if had && oldN < newN {
		history := rs.Annotations[RevisionHistoryAnnotation]
		olds := strings.Split(history, ",")
		if olds[0] == "" {
			rs.Annotations[RevisionHistoryAnnotation] = oldRevision
		} else {
			total := len(history) + len(oldRevision) + 1
			start := 0
			for total > maxRevHistoryLengthInChars && start < len(olds) {
				total -= len(olds[start]) + 1
				start++
			}
			if total <= maxRevHistoryLengthInChars {
				rs.Annotations[RevisionHistoryAnnotation] = strings.Join(append(olds[start:], oldRevision), ",")
			}
		}
	}
	if !exists && SetReplicasAnnotations(rs, replicas(d), replicas(d)+MaxSurge(d)) {
		changed = true
	}
	return changed
}

// SetReplicasAnnotations records desired and max replicas on a ReplicaSet.
func SetReplicasAnnotations(rs *model.ReplicaSet, desired, maxReplicas int32) bool {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	changed := false
	if s := strconv.Itoa(int(desired)); rs.Annotations[DesiredReplicasAnnotation] != s {
		rs.Annotations[DesiredReplicasAnnotation] = s
		changed = true
	}
	if s := strconv.Itoa(int(maxReplicas)); rs.Annotations[MaxReplicasAnnotation] != s {
		rs.Annotations[MaxReplicasAnnotation] = s
		changed = true
	}
	return changed
}

// ReplicasAnnotationsNeedUpdate reports whether SetReplicasAnnotations
// would change anything.
func ReplicasAnnotationsNeedUpdate(rs *model.ReplicaSet, desired, maxReplicas int32) bool {
	if rs.Annotations == nil {
		return true
	}
	return rs.Annotations[DesiredReplicasAnnotation] != strconv.Itoa(int(desired)) ||
		rs.Annotations[MaxReplicasAnnotation] != strconv.Itoa(int(maxReplicas))
}

func intAnnotation(rs *model.ReplicaSet, key string) (int32, bool) {
	v, ok := rs.Annotations[key]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, false
	}
	return int32(n), true
}

// SetDeploymentRevision sets the Deployment's revision annotation.
func SetDeploymentRevision(d *model.Deployment, revision string) bool {
	if d.Annotations == nil {
		d.Annotations = map[string]string{}
	}
	if d.Annotations[RevisionAnnotation] == revision {
		return false
	}
	d.Annotations[RevisionAnnotation] = revision
	return true
}

// IsSaturated reports whether the new ReplicaSet runs the Deployment's
// full, available count (and was sized for it).
func IsSaturated(d *model.Deployment, rs *model.ReplicaSet) bool {
	if rs == nil {
		return false
	}
	desired, ok := intAnnotation(rs, DesiredReplicasAnnotation)
	if !ok {
		return false
	}
	return rsReplicas(rs) == replicas(d) && desired == replicas(d) && rs.Status.AvailableReplicas == replicas(d)
}

// --- finding the new ReplicaSet ----------------------------------------------

// FindNewReplicaSet returns the oldest ReplicaSet whose template equals the
// Deployment's, ignoring the pod-template-hash label. rss is sorted by
// creation in place.
func FindNewReplicaSet(d *model.Deployment, rss []*model.ReplicaSet) *model.ReplicaSet {
	SortByCreation(rss)
	for _, rs := range rss {
		if EqualIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
			return rs
		}
	}
	return nil
}

// FindOldReplicaSets returns the old ReplicaSets that still have replicas
// and all of them.
func FindOldReplicaSets(d *model.Deployment, rss []*model.ReplicaSet) (required, all []*model.ReplicaSet) {
	newRS := FindNewReplicaSet(d, rss)
	for _, rs := range rss {
		if newRS != nil && rs.UID == newRS.UID {
			continue
		}
		all = append(all, rs)
		if rsReplicas(rs) != 0 {
			required = append(required, rs)
		}
	}
	return required, all
}

// FindActiveOrLatest returns the only active ReplicaSet, or the newest
// one when none is active, or nil when several are. oldRSs is sorted
// newest first in place.
func FindActiveOrLatest(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet) *model.ReplicaSet {
	if newRS == nil && len(oldRSs) == 0 {
		return nil
	}
	sort.SliceStable(oldRSs, func(i, j int) bool { return byCreationLess(oldRSs[j], oldRSs[i]) })
	active := FilterActive(append(append([]*model.ReplicaSet(nil), oldRSs...), newRS))
	switch len(active) {
	case 0:
		if newRS != nil {
			return newRS
		}
		return oldRSs[0]
	case 1:
		return active[0]
	}
	return nil
}

// EqualIgnoreHash compares two pod templates semantically (nil and empty
// collections equal, quantities by value) after dropping the
// pod-template-hash label.
func EqualIgnoreHash(a, b *model.PodTemplateSpec) bool {
	ac, bc := model.DeepCopy(*a), model.DeepCopy(*b)
	delete(ac.Labels, PodTemplateHashLabel)
	delete(bc.Labels, PodTemplateHashLabel)
	return semanticEqual(reflect.ValueOf(ac), reflect.ValueOf(bc))
}

var (
	quantityType = reflect.TypeOf(model.Quantity{})
	timeType     = reflect.TypeOf(time.Time{})
)

// semanticEqual is apimachinery's equality.Semantic.DeepEqual for kubesim's
// types: empty and nil slices and maps are equal, quantities compare by
// value, times by instant, unexported fields are ignored.
func semanticEqual(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Type() {
	case quantityType:
		return a.Interface().(model.Quantity).Cmp(b.Interface().(model.Quantity)) == 0
	case timeType:
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return semanticEqual(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !semanticEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() || !semanticEqual(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if !semanticEqual(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Interface() == b.Interface()
}

// safeAlphabet is apimachinery's rand alphabet (no vowels, no look-alikes).
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// SafeEncodeString maps each byte through the safe alphabet
// (rand.SafeEncodeString), so hashes never spell words.
func SafeEncodeString(s string) string {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, safeAlphabet[int(r)%len(safeAlphabet)])
	}
	return string(out)
}

// ComputeHash is the pod-template-hash of a template (controller.ComputeHash):
// FNV-32a over a canonical encoding of the template, then the collision
// count as four little-endian bytes, printed in decimal and safe-encoded.
// Upstream hashes a spew dump of the Go struct; kubesim hashes its JSON
// encoding (sorted map keys), so the values differ from upstream's but are
// as stable and as collision-prone.
func ComputeHash(t *model.PodTemplateSpec, collisionCount *int32) string {
	h := fnv.New32a()
	enc, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("deployment: encoding pod template: %v", err)) // kubesim's types always encode
	}
	_, _ = h.Write(enc)
	if collisionCount != nil {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(*collisionCount))
		_, _ = h.Write(b[:])
	}
	return SafeEncodeString(strconv.FormatUint(uint64(h.Sum32()), 10))
}

// --- proportions ---------------------------------------------------------------

// GetProportion is how many of deploymentReplicasToAdd (of which
// deploymentReplicasAdded are already handed out) this ReplicaSet gets:
// its share by size, bounded by what is left.
func GetProportion(rs *model.ReplicaSet, d *model.Deployment, toAdd, added int32) int32 {
	if rs == nil || rsReplicas(rs) == 0 || toAdd == 0 || toAdd == added {
		return 0
	}
	fraction := replicaSetFraction(rs, d)
	allowed := toAdd - added
	if toAdd > 0 {
		return min(fraction, allowed)
	}
	return max(fraction, allowed)
}

// replicaSetFraction is getReplicaSetFraction: the ReplicaSet's size
// scaled by new max replicas over the max-replicas it was sized for.
func replicaSetFraction(rs *model.ReplicaSet, d *model.Deployment) int32 {
	if replicas(d) == 0 {
		return -rsReplicas(rs)
	}
	newMax := replicas(d) + MaxSurge(d)
	before, ok := intAnnotation(rs, MaxReplicasAnnotation)
	if !ok || before == 0 {
		// Fall back to the Deployment's current size.
		before = d.Status.Replicas
		if before == 0 {
			return 0
		}
	}
	size := float64(rsReplicas(rs)*newMax) / float64(before)
	return int32(math.Round(size)) - rsReplicas(rs)
}

// --- conditions and progress -----------------------------------------------------

// GetCondition returns the condition of type t, or nil.
func GetCondition(st *model.DeploymentStatus, t string) *model.DeploymentCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

// NewCondition returns a condition stamped now.
func NewCondition(t string, status model.ConditionStatus, reason, message string, now time.Time) model.DeploymentCondition {
	return model.DeploymentCondition{Type: t, Status: status, LastUpdateTime: &now, LastTransitionTime: &now, Reason: reason, Message: message}
}

// SetCondition adds or replaces a condition; the same status and reason
// change nothing, the same status keeps the transition time.
func SetCondition(st *model.DeploymentStatus, c model.DeploymentCondition) {
	cur := GetCondition(st, c.Type)
	if cur != nil && cur.Status == c.Status && cur.Reason == c.Reason {
		return
	}
	if cur != nil && cur.Status == c.Status {
		c.LastTransitionTime = cur.LastTransitionTime
	}
	RemoveCondition(st, c.Type)
	st.Conditions = append(st.Conditions, c)
}

// RemoveCondition drops the condition of type t.
func RemoveCondition(st *model.DeploymentStatus, t string) {
	var out []model.DeploymentCondition
	for _, c := range st.Conditions {
		if c.Type != t {
			out = append(out, c)
		}
	}
	st.Conditions = out
}

// HasProgressDeadline reports a finite progressDeadlineSeconds.
func HasProgressDeadline(d *model.Deployment) bool {
	return d.Spec.ProgressDeadlineSeconds != nil && *d.Spec.ProgressDeadlineSeconds != math.MaxInt32
}

// HasRevisionHistoryLimit reports a finite revisionHistoryLimit.
func HasRevisionHistoryLimit(d *model.Deployment) bool {
	return d.Spec.RevisionHistoryLimit != nil && *d.Spec.RevisionHistoryLimit != math.MaxInt32
}

// DeploymentComplete reports a finished rollout: every replica updated and
// available, no old one left, the latest generation observed.
func DeploymentComplete(d *model.Deployment, st *model.DeploymentStatus) bool {
	r := replicas(d)
	return st.UpdatedReplicas == r && st.Replicas == r && st.AvailableReplicas == r && st.ObservedGeneration >= d.Generation
}

// DeploymentProgressing reports progress between the Deployment's status
// and newStatus: more updated, fewer old, more ready or more available.
func DeploymentProgressing(d *model.Deployment, st *model.DeploymentStatus) bool {
	old := d.Status
	return st.UpdatedReplicas > old.UpdatedReplicas ||
		st.Replicas-st.UpdatedReplicas < old.Replicas-old.UpdatedReplicas ||
		st.ReadyReplicas > old.ReadyReplicas ||
		st.AvailableReplicas > old.AvailableReplicas
}

// DeploymentTimedOut reports that progressDeadlineSeconds passed since the
// Progressing condition last changed.
func DeploymentTimedOut(d *model.Deployment, st *model.DeploymentStatus, now time.Time) bool {
	if !HasProgressDeadline(d) {
		return false
	}
	c := GetCondition(st, ConditionProgressing)
	if c == nil || c.Reason == NewRSAvailableReason {
		return false
	}
	if c.Reason == TimedOutReason {
		return true
	}
	var from time.Time
	if c.LastUpdateTime != nil {
		from = *c.LastUpdateTime
	}
	return from.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second).Before(now)
}

// CalculateStatus is the Deployment status the ReplicaSets imply (without
// the Progressing condition, which syncRolloutStatus decides).
func CalculateStatus(allRSs []*model.ReplicaSet, newRS *model.ReplicaSet, d *model.Deployment, now time.Time) model.DeploymentStatus {
	available := AvailableReplicaCount(allRSs)
	unavailable := max(ReplicaCount(allRSs)-available, 0)
	st := model.DeploymentStatus{
		ObservedGeneration:  d.Generation,
		Replicas:            ActualReplicaCount(allRSs),
		UpdatedReplicas:     ActualReplicaCount([]*model.ReplicaSet{newRS}),
		ReadyReplicas:       ReadyReplicaCount(allRSs),
		AvailableReplicas:   available,
		UnavailableReplicas: unavailable,
		CollisionCount:      d.Status.CollisionCount,
	}
	st.Conditions = append(st.Conditions, d.Status.Conditions...)
	if available >= replicas(d)-MaxUnavailable(d) {
		SetCondition(&st, NewCondition(ConditionAvailable, model.ConditionTrue, MinimumReplicasAvailable, "Deployment has minimum availability.", now))
	} else {
		SetCondition(&st, NewCondition(ConditionAvailable, model.ConditionFalse, MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now))
	}
	return st
}

// errNotSupported marks an unknown strategy.
var errNotSupported = errors.New("unsupported deployment strategy")
