package disruption

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

var now = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func pods(n, ready int, owner *model.OwnerReference) []*model.Pod {
	var out []*model.Pod
	for i := 0; i < n; i++ {
		p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "p" + strconv.Itoa(i), Namespace: "default"}}
		if owner != nil {
			p.OwnerReferences = []model.OwnerReference{*owner}
		}
		if i < ready {
			p.Status.Conditions = []model.PodCondition{{Type: model.PodReady, Status: model.ConditionTrue}}
		}
		out = append(out, p)
	}
	return out
}

func ref(kind, uid string) *model.OwnerReference {
	return &model.OwnerReference{Kind: kind, Name: uid, UID: uid, Controller: model.Ptr(true)}
}

func finder(scales map[string]int32) scaleFinder {
	return func(r *model.OwnerReference, _ string) (controllerScale, bool, error) {
		s, ok := scales[r.UID]
		return controllerScale{r.UID, s}, ok, nil
	}
}

type want struct {
	expected, desired, current, allowed int32
}

// Cases after upstream disruption_test.go: TestNakedPod, TestReplicaSet,
// TestMultipleControllers, TestIntegerMaxUnavailable,
// TestIntegerMaxUnavailableWithScaling, TestReplicationController,
// TestStatefulSetController.
func TestBudgetStatus(t *testing.T) {
	intOr := func(v model.IntOrString) *model.IntOrString { return &v }
	cases := []struct {
		name   string
		spec   model.PodDisruptionBudgetSpec
		pods   []*model.Pod
		scales map[string]int32
		want   want
	}{
		{"naked pod, percentage: nothing expected", model.PodDisruptionBudgetSpec{MinAvailable: intOr(model.FromString("28%"))},
			pods(1, 1, nil), nil, want{0, 0, 1, 0}},
		{"integer minAvailable counts the pods found", model.PodDisruptionBudgetSpec{MinAvailable: intOr(model.FromInt32(3))},
			pods(2, 2, nil), nil, want{2, 3, 2, 0}},
		{"integer minAvailable met", model.PodDisruptionBudgetSpec{MinAvailable: intOr(model.FromInt32(3))},
			pods(4, 4, nil), nil, want{4, 3, 4, 1}},
		{"replica set, 20% of 10 rounds up to 2", model.PodDisruptionBudgetSpec{MinAvailable: intOr(model.FromString("20%"))},
			pods(1, 1, ref("ReplicaSet", "rs")), map[string]int32{"rs": 10}, want{10, 2, 1, 0}},
		{"replica set, 20% of 10 with 3 ready", model.PodDisruptionBudgetSpec{MinAvailable: intOr(model.FromString("20%"))},
			pods(3, 3, ref("ReplicaSet", "rs")), map[string]int32{"rs": 10}, want{10, 2, 3, 1}},
		{"two controllers add up, 1% rounds up", model.PodDisruptionBudgetSpec{MinAvailable: intOr(model.FromString("1%"))},
			append(pods(1, 1, ref("ReplicaSet", "a")), pods(1, 1, ref("ReplicaSet", "b"))...), map[string]int32{"a": 1, "b": 1}, want{2, 1, 2, 1}},
		{"integer maxUnavailable", model.PodDisruptionBudgetSpec{MaxUnavailable: intOr(model.FromInt32(1))},
			pods(3, 3, ref("Deployment", "d")), map[string]int32{"d": 3}, want{3, 2, 3, 1}},
		{"integer maxUnavailable, scaled up controller", model.PodDisruptionBudgetSpec{MaxUnavailable: intOr(model.FromInt32(1))},
			pods(3, 3, ref("Deployment", "d")), map[string]int32{"d": 5}, want{5, 4, 3, 0}},
		{"maxUnavailable 30% of 10 rounds up to 3", model.PodDisruptionBudgetSpec{MaxUnavailable: intOr(model.FromString("30%"))},
			pods(10, 9, ref("StatefulSet", "s")), map[string]int32{"s": 10}, want{10, 7, 9, 2}},
		{"maxUnavailable larger than the scale", model.PodDisruptionBudgetSpec{MaxUnavailable: intOr(model.FromInt32(5))},
			pods(3, 3, ref("ReplicaSet", "rs")), map[string]int32{"rs": 3}, want{3, 0, 3, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pdb := &model.PodDisruptionBudget{Spec: tc.spec}
			expected, desired, _, err := expectedPodCount(pdb, tc.pods, finder(tc.scales))
			require.NoError(t, err)
			current := countHealthyPods(tc.pods, nil, now)
			require.Equal(t, tc.want, want{expected, desired, current, disruptionsAllowed(current, desired, expected)})
		})
	}
}

func TestBudgetControllerNotFound(t *testing.T) {
	pdb := &model.PodDisruptionBudget{Spec: model.PodDisruptionBudgetSpec{MaxUnavailable: model.Ptr(model.FromInt32(1))}}
	_, _, _, err := expectedPodCount(pdb, pods(1, 1, ref("ReplicaSet", "gone")), finder(nil))
	require.Error(t, err)
}

// After upstream TestUpdateDisruptedPods: entries of deleted pods and
// entries older than DeletionTimeout are dropped; fresh ones make the pod
// unhealthy and schedule a recheck when they expire.
func TestDisruptedPods(t *testing.T) {
	ps := pods(4, 4, nil)
	deleting := now
	ps[3].DeletionTimestamp = &deleting
	pdb := &model.PodDisruptionBudget{Status: model.PodDisruptionBudgetStatus{DisruptedPods: map[string]time.Time{
		"p0": now.Add(-time.Minute), "p1": now.Add(-3 * time.Minute), "p3": now, "gone": now}}}
	got, recheck, notDeleted := buildDisruptedPodMap(ps, pdb, now)
	require.Equal(t, map[string]time.Time{"p0": now.Add(-time.Minute)}, got)
	require.Equal(t, now.Add(time.Minute), *recheck)
	require.Equal(t, []string{"p1"}, notDeleted)
	require.Equal(t, int32(2), countHealthyPods(ps, got, now), "p0 was just disrupted, p3 is being deleted")
}
