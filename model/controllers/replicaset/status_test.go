package replicaset

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

// testRS is upstream's newReplicaSet test helper: the selector is
// selectorMap, the template always carries name=foo,type=production.
func testRS(replicas int32, selectorMap map[string]string) *model.ReplicaSet {
	return &model.ReplicaSet{
		ObjectMeta: model.ObjectMeta{Name: "foobar", Namespace: "default", UID: "rs-uid"},
		Spec: model.ReplicaSetSpec{Replicas: model.Ptr(replicas), Selector: &model.LabelSelector{MatchLabels: selectorMap},
			Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: map[string]string{"name": "foo", "type": "production"}},
				Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img:1"}}}}},
	}
}

// testPod is upstream's newPod(name, rs, status, lastTransitionTime,
// properlyOwned) test helper: a Running pod is Ready.
func testPod(name string, rs *model.ReplicaSet, phase model.PodPhase, ltt *time.Time) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: rs.Namespace, UID: name,
		Labels: rs.Spec.Selector.MatchLabels, OwnerReferences: []model.OwnerReference{NewControllerRef(rs, rsAPIVersion, rsKind)}}}
	p.Status.Phase = phase
	if phase == model.PodRunning {
		p.Status.Conditions = []model.PodCondition{{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: ltt}}
	}
	return p
}

// TestCalculateStatus is upstream's TestCalculateStatus
// (pkg/controller/replicaset/replica_set_utils_test.go).
func TestCalculateStatus(t *testing.T) {
	labelMap := map[string]string{"name": "foo"}
	fullLabelMap := map[string]string{"name": "foo", "type": "production"}
	notFully := testRS(1, labelMap)
	fully := testRS(2, fullLabelMap)
	longMinReady := testRS(1, fullLabelMap)
	longMinReady.Spec.MinReadySeconds = 3600
	now := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	st := func(r, f, rd, a int32) model.ReplicaSetStatus {
		return model.ReplicaSetStatus{Replicas: r, FullyLabeledReplicas: f, ReadyReplicas: rd, AvailableReplicas: a}
	}
	tests := []struct {
		name string
		rs   *model.ReplicaSet
		pods []*model.Pod
		want model.ReplicaSetStatus
	}{
		{"1 fully labelled pod", fully, []*model.Pod{testPod("pod1", fully, model.PodRunning, nil)}, st(1, 1, 1, 1)},
		{"1 not fully labelled pod", notFully, []*model.Pod{testPod("pod1", notFully, model.PodRunning, nil)}, st(1, 0, 1, 1)},
		{"2 fully labelled pods", fully, []*model.Pod{testPod("pod1", fully, model.PodRunning, nil), testPod("pod2", fully, model.PodRunning, nil)}, st(2, 2, 2, 2)},
		{"2 not fully labelled pods", notFully, []*model.Pod{testPod("pod1", notFully, model.PodRunning, nil), testPod("pod2", notFully, model.PodRunning, nil)}, st(2, 0, 2, 2)},
		{"1 fully labelled pod, 1 not fully labelled pod", notFully, []*model.Pod{testPod("pod1", notFully, model.PodRunning, nil), testPod("pod2", fully, model.PodRunning, nil)}, st(2, 1, 2, 2)},
		{"1 non-ready pod", fully, []*model.Pod{testPod("pod1", fully, model.PodPending, nil)}, st(1, 1, 0, 0)},
		{"1 ready but non-available pod", longMinReady, []*model.Pod{testPod("pod1", longMinReady, model.PodRunning, nil)}, st(1, 1, 1, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, CalculateStatus(tc.rs, tc.pods, now))
		})
	}
}

func TestIsPodAvailable(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)
	readyAt := func(d time.Duration) *model.Pod {
		at := now.Add(-d)
		return &model.Pod{Status: model.PodStatus{Conditions: []model.PodCondition{{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &at}}}}
	}
	require.True(t, IsPodAvailable(readyAt(0), 0, now))
	require.False(t, IsPodAvailable(readyAt(10*time.Second), 10, now), "exactly minReadySeconds is not yet available (strictly before)")
	require.True(t, IsPodAvailable(readyAt(11*time.Second), 10, now))
	require.False(t, IsPodAvailable(&model.Pod{}, 0, now))
}
