package statefulset

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func testSet(replicas int32) *model.StatefulSet {
	labels := map[string]string{"app": "web"}
	return &model.StatefulSet{
		ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default", UID: "set-uid"},
		Spec: model.StatefulSetSpec{
			Replicas: model.Ptr(replicas),
			Selector: &model.LabelSelector{MatchLabels: labels},
			Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: labels},
				Spec: model.PodSpec{Containers: []model.Container{{Name: "nginx", Image: "nginx:1"}},
					Volumes: []model.Volume{{Name: "home", HostPath: &model.HostPathVolumeSource{Path: "/tmp/home"}}}}},
			VolumeClaimTemplates: []model.PersistentVolumeClaim{{ObjectMeta: model.ObjectMeta{Name: "datadir"},
				Spec: model.PersistentVolumeClaimSpec{AccessModes: []model.PersistentVolumeAccessMode{"ReadWriteOnce"},
					Resources: model.VolumeResourceRequirements{Requests: model.ResourceList{model.ResourceStorage: model.MustParseQuantity("1Gi")}}}}},
			ServiceName:    "governingsvc",
			UpdateStrategy: model.StatefulSetUpdateStrategy{Type: RollingUpdateStrategy},
		},
	}
}

// TestGetStatefulSetMaxUnavailable: upstream stateful_set_utils_test.go
// TestGetStatefulSetMaxUnavailable.
func TestGetStatefulSetMaxUnavailable(t *testing.T) {
	cases := []struct {
		max      *model.IntOrString
		replicas int
		want     int
	}{
		{nil, 10, 1},
		{model.Ptr(model.FromInt32(3)), 10, 3},
		{model.Ptr(model.FromInt32(3)), 0, 3},
		{model.Ptr(model.FromInt32(0)), 0, 1},
		{model.Ptr(model.FromString("10%")), 25, 2},
		{model.Ptr(model.FromString("100%")), 5, 5},
		{model.Ptr(model.FromString("50%")), 5, 2},
		{model.Ptr(model.FromString("10%")), 5, 1},
	}
	for _, tc := range cases {
		got, err := MaxUnavailable(tc.max, tc.replicas)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, "%v of %d", tc.max, tc.replicas)
	}
}

// TestGetParentNameAndOrdinal, TestIdentityMatches, TestStorageMatches,
// TestUpdateIdentity and TestUpdateStorage of stateful_set_utils_test.go.
func TestIdentityAndStorage(t *testing.T) {
	set := testSet(3)
	p := newStatefulSetPod(set, 1)
	parent, ord := ParentNameAndOrdinal(p.Name)
	require.Equal(t, "web", parent)
	require.Equal(t, 1, ord)
	parent, ord = ParentNameAndOrdinal("1-bar")
	require.Equal(t, "", parent)
	require.Equal(t, -1, ord)

	require.True(t, identityMatches(set, p))
	require.Equal(t, "web-1", p.Labels[PodNameLabel])
	require.Equal(t, "1", p.Labels[PodIndexLabel])
	wrong := model.DeepCopy(p)
	wrong.Name = "foo"
	require.False(t, identityMatches(set, wrong))
	wrong = model.DeepCopy(p)
	wrong.Namespace = ""
	require.False(t, identityMatches(set, wrong))
	updateIdentity(set, wrong)
	require.True(t, identityMatches(set, wrong))
	wrong = model.DeepCopy(p)
	delete(wrong.Labels, PodNameLabel)
	require.False(t, identityMatches(set, wrong))
	updateIdentity(set, wrong)
	require.True(t, identityMatches(set, wrong))

	require.True(t, storageMatches(set, p))
	require.Equal(t, []model.Volume{
		{Name: "datadir", PersistentVolumeClaim: &model.PersistentVolumeClaimVolumeSource{ClaimName: "datadir-web-1"}},
		{Name: "home", HostPath: &model.HostPathVolumeSource{Path: "/tmp/home"}},
	}, p.Spec.Volumes)
	bad := model.DeepCopy(p)
	bad.Spec.Volumes = nil
	require.False(t, storageMatches(set, bad))
	updateStorage(set, bad)
	require.True(t, storageMatches(set, bad))
	bad = model.DeepCopy(p)
	bad.Spec.Volumes[0].PersistentVolumeClaim.ClaimName = "foo"
	require.False(t, storageMatches(set, bad))
	updateStorage(set, bad)
	require.True(t, storageMatches(set, bad))
	bad = model.DeepCopy(p)
	bad.Name = "bar"
	require.False(t, storageMatches(set, bad))

	claims := claimsFor(set, p)
	require.Len(t, claims, 1)
	require.Equal(t, "datadir-web-1", claims[0].Name)
	require.Equal(t, map[string]string{"app": "web"}, claims[0].Labels)
}

func TestOrdinalsStartAndVersionedPods(t *testing.T) {
	set := testSet(3)
	set.Spec.Ordinals = &model.StatefulSetOrdinals{Start: 5}
	require.Equal(t, 5, StartOrdinal(set))
	require.Equal(t, 7, EndOrdinal(set))
	require.False(t, podInOrdinalRange(&model.Pod{ObjectMeta: model.ObjectMeta{Name: "web-4"}}, set))
	require.True(t, podInOrdinalRange(&model.Pod{ObjectMeta: model.ObjectMeta{Name: "web-7"}}, set))
	require.False(t, podInOrdinalRange(&model.Pod{ObjectMeta: model.ObjectMeta{Name: "web-8"}}, set))

	// Partition 6: ordinals 5 stays at the current revision.
	set.Spec.UpdateStrategy.RollingUpdate = &model.RollingUpdateStatefulSetStrategy{Partition: model.Ptr[int32](1)}
	cur, upd := model.DeepCopy(set), model.DeepCopy(set)
	upd.Spec.Template.Spec.Containers[0].Image = "nginx:2"
	p5 := NewVersionedPod(cur, upd, "web-a", "web-b", 5)
	p6 := NewVersionedPod(cur, upd, "web-a", "web-b", 6)
	require.Equal(t, "web-a", p5.Labels[RevisionLabel])
	require.Equal(t, "nginx:1", p5.Spec.Containers[0].Image)
	require.Equal(t, "web-b", p6.Labels[RevisionLabel])
	require.Equal(t, "nginx:2", p6.Spec.Containers[0].Image)

	// OnDelete: always the update revision.
	cur.Spec.UpdateStrategy = model.StatefulSetUpdateStrategy{Type: OnDeleteStrategy}
	require.Equal(t, "web-b", NewVersionedPod(cur, upd, "web-a", "web-b", 5).Labels[RevisionLabel])
}

// TestIsClaimOwnerUpToDate: upstream stateful_set_utils_test.go
// TestIsClaimOwnerUpToDate, every combination of pod, set and foreign
// references.
func TestIsClaimOwnerUpToDate(t *testing.T) {
	cases := []struct {
		name                     string
		scaled, deleted          string
		needsPodRef, needsSetRef bool
		replicas                 int32
		ordinal                  int
	}{
		{"retain", RetainPolicy, RetainPolicy, false, false, 0, 0},
		{"on SS delete", RetainPolicy, DeletePolicy, false, true, 0, 0},
		{"on scaledown only, condemned", DeletePolicy, RetainPolicy, true, false, 2, 2},
		{"on scaledown only, remains", DeletePolicy, RetainPolicy, false, false, 2, 1},
		{"on both, condemned", DeletePolicy, DeletePolicy, true, false, 2, 2},
		{"on both, remains", DeletePolicy, DeletePolicy, false, true, 2, 1},
	}
	for _, tc := range cases {
		for _, others := range []bool{false, true} {
			for _, podRef := range []bool{false, true} {
				for _, setRef := range []bool{false, true} {
					pod := &model.Pod{ObjectMeta: model.ObjectMeta{Name: fmt.Sprintf("pod-%d", tc.ordinal), UID: "pod-123"}}
					set := &model.StatefulSet{ObjectMeta: model.ObjectMeta{Name: "stateful-set", UID: "ss-456"}}
					set.Spec.PersistentVolumeClaimRetentionPolicy = &model.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenScaled: tc.scaled, WhenDeleted: tc.deleted}
					set.Spec.Replicas = model.Ptr(tc.replicas)
					claim := &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: "target-claim"}}
					var refs []model.OwnerReference
					if podRef {
						refs = addControllerRef(refs, newControllerRef(pod.Name, pod.UID, podAPIVersion, podKind))
					}
					if setRef {
						refs = addControllerRef(refs, newControllerRef(set.Name, set.UID, setAPIVersion, setKind))
					}
					if others {
						refs = append(refs,
							model.OwnerReference{Name: "rand1", APIVersion: "v1", Kind: "Pod", UID: "rand1-uid"},
							model.OwnerReference{Name: "rand2", APIVersion: "v1", Kind: "Pod", UID: "rand2-uid"})
					}
					claim.OwnerReferences = refs
					want := podRef == tc.needsPodRef && setRef == tc.needsSetRef
					require.Equal(t, want, IsClaimOwnerUpToDate(claim, set, pod), "%s pod=%v set=%v others=%v", tc.name, podRef, setRef, others)
				}
			}
		}
	}
}

// TestClaimOwnerUpToDateEdgeCases: upstream's table of the same name.
func TestClaimOwnerUpToDateEdgeCases(t *testing.T) {
	ctl := model.Ptr(true)
	both := model.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenScaled: DeletePolicy, WhenDeleted: DeletePolicy}
	onDelete := model.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenScaled: RetainPolicy, WhenDeleted: DeletePolicy}
	cases := []struct {
		name   string
		refs   []model.OwnerReference
		policy model.StatefulSetPersistentVolumeClaimRetentionPolicy
		match  bool
	}{
		{"normal controller, pod", []model.OwnerReference{{Name: "pod-1", APIVersion: "v1", Kind: "Pod", UID: "pod-123", Controller: ctl}}, both, true},
		{"non-controller causes policy mismatch, pod", []model.OwnerReference{{Name: "pod-1", APIVersion: "v1", Kind: "Pod", UID: "pod-123"}}, both, false},
		{"stale controller does not affect policy, pod", []model.OwnerReference{{Name: "pod-1", APIVersion: "v1", Kind: "Pod", UID: "pod-stale", Controller: ctl}}, both, true},
		{"unexpected controller causes policy mismatch, pod", []model.OwnerReference{
			{Name: "pod-1", APIVersion: "v1", Kind: "Pod", UID: "pod-123", Controller: ctl},
			{Name: "Random", APIVersion: "v1", Kind: "Pod", UID: "random", Controller: ctl}}, both, false},
		{"normal controller, set", []model.OwnerReference{{Name: "stateful-set", APIVersion: "apps/v1", Kind: "StatefulSet", UID: "ss-456", Controller: ctl}}, onDelete, true},
		{"non-controller causes policy mismatch, set", []model.OwnerReference{{Name: "stateful-set", APIVersion: "appsv1", Kind: "StatefulSet", UID: "ss-456"}}, onDelete, false},
		{"stale controller ignored, set", []model.OwnerReference{{Name: "stateful-set", APIVersion: "apps/v1", Kind: "StatefulSet", UID: "set-stale", Controller: ctl}}, onDelete, true},
		{"unexpected controller causes policy mismatch, set", []model.OwnerReference{
			{Name: "stateful-set", APIVersion: "apps/v1", Kind: "StatefulSet", UID: "ss-456", Controller: ctl},
			{Name: "Random", APIVersion: "apps/v1", Kind: "StatefulSet", UID: "random", Controller: ctl}}, onDelete, false},
	}
	for _, tc := range cases {
		pod := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "pod-1", UID: "pod-123"}}
		set := &model.StatefulSet{ObjectMeta: model.ObjectMeta{Name: "stateful-set", UID: "ss-456"}}
		set.Spec.PersistentVolumeClaimRetentionPolicy = model.Ptr(tc.policy)
		set.Spec.Replicas = model.Ptr[int32](1)
		claim := &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: "target-claim", OwnerReferences: tc.refs}}
		require.Equal(t, tc.match, IsClaimOwnerUpToDate(claim, set, pod), tc.name)
	}
}

// TestUpdateClaimOwnerRefForSetAndPod: upstream's table; after the update
// exactly the owners the policy wants are controllers.
func TestUpdateClaimOwnerRefForSetAndPod(t *testing.T) {
	cases := []struct {
		name                     string
		scaled, deleted          string
		condemned                bool
		needsPodRef, needsSetRef bool
		unexpectedController     bool
	}{
		{"retain", RetainPolicy, RetainPolicy, false, false, false, false},
		{"delete with set", RetainPolicy, DeletePolicy, false, false, true, false},
		{"delete with scaledown, not condemned", DeletePolicy, RetainPolicy, false, false, false, false},
		{"delete on scaledown, condemned", DeletePolicy, RetainPolicy, true, true, false, false},
		{"delete on both, not condemned", DeletePolicy, DeletePolicy, false, false, true, false},
		{"delete on both, condemned", DeletePolicy, DeletePolicy, true, true, false, false},
		{"unexpected controller", DeletePolicy, DeletePolicy, true, false, false, true},
	}
	for _, tc := range cases {
		for v := 0; v < 8; v++ {
			hasPodRef, hasSetRef, extra := v&1 != 0, v&2 != 0, v&3 != 0
			set := &model.StatefulSet{ObjectMeta: model.ObjectMeta{Name: "ss", UID: "ss-123"}}
			set.Spec.Replicas = model.Ptr[int32](5)
			set.Spec.PersistentVolumeClaimRetentionPolicy = &model.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenScaled: tc.scaled, WhenDeleted: tc.deleted}
			pod := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "pod-1", UID: "pod-456"}}
			if tc.condemned {
				pod.Name = "pod-8"
			}
			claim := &model.PersistentVolumeClaim{}
			if hasPodRef {
				claim.OwnerReferences = addControllerRef(claim.OwnerReferences, newControllerRef(pod.Name, pod.UID, podAPIVersion, podKind))
			}
			if hasSetRef {
				claim.OwnerReferences = addControllerRef(claim.OwnerReferences, newControllerRef(set.Name, set.UID, setAPIVersion, setKind))
			}
			if extra {
				claim.OwnerReferences = append(claim.OwnerReferences, model.OwnerReference{APIVersion: "custom/v1", Kind: "random", Name: "random", UID: "abc"})
			}
			if tc.unexpectedController {
				claim.OwnerReferences = append(claim.OwnerReferences, model.OwnerReference{APIVersion: "custom/v1", Kind: "Unknown", Name: "unknown", UID: "xyz", Controller: model.Ptr(true)})
			}
			UpdateClaimOwnerRefs(claim, set, pod)
			isController := func(uid string) bool {
				for _, r := range claim.OwnerReferences {
					if r.UID == uid {
						return r.Controller != nil && *r.Controller
					}
				}
				return false
			}
			require.Equal(t, tc.needsPodRef, isController(pod.UID), "%s pod ref (variation %d)", tc.name, v)
			require.Equal(t, tc.needsSetRef, isController(set.UID), "%s set ref (variation %d)", tc.name, v)
		}
	}
}

func TestHistoryRollbackAndTruncate(t *testing.T) {
	h := newHistory()
	set := testSet(1)
	set.Spec.RevisionHistoryLimit = model.Ptr[int32](1)
	cur, upd := h.resolve(set)
	require.Same(t, cur, upd)
	require.Equal(t, int64(1), upd.number)
	first := upd.name

	set.Status.CurrentRevision = first
	set.Spec.Template.Spec.Containers[0].Image = "nginx:2"
	cur, upd = h.resolve(set)
	require.Equal(t, first, cur.name)
	require.NotEqual(t, first, upd.name)
	require.Equal(t, int64(2), upd.number)
	second := upd.name

	// Back to the first template: the old revision is renumbered.
	set.Status.CurrentRevision = second
	set.Spec.Template.Spec.Containers[0].Image = "nginx:1"
	cur, upd = h.resolve(set)
	require.Equal(t, first, upd.name)
	require.Equal(t, int64(3), upd.number)
	require.Equal(t, second, cur.name)

	set.Spec.Template.Spec.Containers[0].Image = "nginx:3"
	set.Status.CurrentRevision = ""
	cur, upd = h.resolve(set)
	h.truncate(set, nil, cur, upd)
	// Live: nginx:3; history limit 1 keeps the newest of the others.
	var names []string
	for _, r := range h.revisions(set.UID) {
		names = append(names, r.name)
	}
	require.Equal(t, []string{first, upd.name}, names)
}
