package deployment

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func is(v int32) *model.IntOrString  { x := model.FromInt32(v); return &x }
func ps(v string) *model.IntOrString { x := model.FromString(v); return &x }

// newDeployment is upstream's test helper (deployment_controller_test.go):
// RollingUpdate with maxSurge and maxUnavailable 0 unless given.
func newDeployment(name string, replicas int32, historyLimit *int32, maxSurge, maxUnavailable *model.IntOrString, selector map[string]string) *model.Deployment {
	d := &model.Deployment{
		ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name, Annotations: map[string]string{}},
		Spec: model.DeploymentSpec{
			Replicas: model.Ptr(replicas),
			Strategy: model.DeploymentStrategy{Type: model.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &model.RollingUpdateDeployment{MaxSurge: is(0), MaxUnavailable: is(0)}},
			Selector: &model.LabelSelector{MatchLabels: selector},
			Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: selector},
				Spec: model.PodSpec{Containers: []model.Container{{Image: "foo/bar"}}}},
			RevisionHistoryLimit: historyLimit,
		},
	}
	if maxSurge != nil {
		d.Spec.Strategy.RollingUpdate.MaxSurge = maxSurge
	}
	if maxUnavailable != nil {
		d.Spec.Strategy.RollingUpdate.MaxUnavailable = maxUnavailable
	}
	return d
}

// rs is upstream's rs(name, replicas, selector, timestamp) test helper.
func rs(name string, replicas int32, selector map[string]string, ts time.Time) *model.ReplicaSet {
	r := &model.ReplicaSet{
		ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name},
		Spec:       model.ReplicaSetSpec{Replicas: model.Ptr(replicas), Selector: &model.LabelSelector{MatchLabels: selector}},
	}
	if !ts.IsZero() {
		r.CreationTimestamp = &ts
	}
	return r
}

// TestResolveFenceposts is upstream's TestResolveFenceposts
// (pkg/controller/deployment/util/deployment_util_test.go), with the nil
// cases of recent releases.
func TestResolveFenceposts(t *testing.T) {
	tests := []struct {
		surge, unavailable *model.IntOrString
		desired            int32
		wantS, wantU       int32
		wantErr            bool
	}{
		{ps("0%"), ps("0%"), 0, 0, 1, false},
		{ps("39%"), ps("39%"), 10, 4, 3, false},
		{ps("oops"), ps("39%"), 10, 0, 0, true},
		{ps("55%"), ps("urg"), 10, 0, 0, true},
		{nil, ps("39%"), 10, 0, 3, false},
		{ps("39%"), nil, 10, 4, 0, false},
		{nil, nil, 10, 0, 1, false},
		{ps("25%"), ps("25%"), 10, 3, 2, false}, // the defaults: surge rounds up, unavailable down
		{is(0), is(0), 10, 0, 1, false},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s, u, err := ResolveFenceposts(tc.surge, tc.unavailable, tc.desired)
			require.Equal(t, tc.wantErr, err != nil, "%v", err)
			require.Equal(t, []int32{tc.wantS, tc.wantU}, []int32{s, u})
		})
	}
}

// TestMaxUnavailable is upstream's TestMaxUnavailable.
func TestMaxUnavailable(t *testing.T) {
	dep := func(replicas int32, mu model.IntOrString) *model.Deployment {
		return &model.Deployment{Spec: model.DeploymentSpec{Replicas: model.Ptr(replicas),
			Strategy: model.DeploymentStrategy{Type: model.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &model.RollingUpdateDeployment{MaxSurge: is(1), MaxUnavailable: &mu}}}}
	}
	tests := []struct {
		name string
		d    *model.Deployment
		want int32
	}{
		{"maxUnavailable less than replicas", dep(10, model.FromInt32(5)), 5},
		{"maxUnavailable equal replicas", dep(10, model.FromInt32(10)), 10},
		{"maxUnavailable greater than replicas", dep(5, model.FromInt32(10)), 5},
		{"maxUnavailable with replicas is 0", dep(0, model.FromInt32(10)), 0},
		{"maxUnavailable with Recreate deployment strategy", &model.Deployment{Spec: model.DeploymentSpec{
			Strategy: model.DeploymentStrategy{Type: model.RecreateDeploymentStrategyType}}}, 0},
		{"maxUnavailable less than replicas with percents", dep(10, model.FromString("50%")), 5},
		{"maxUnavailable equal replicas with percents", dep(10, model.FromString("100%")), 10},
		{"maxUnavailable greater than replicas with percents", dep(5, model.FromString("100%")), 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, MaxUnavailable(tc.d)) })
	}
}

// TestNewRSNewReplicas is upstream's TestNewRSNewReplicas: the other
// ReplicaSet of the Deployment has 5 replicas.
func TestNewRSNewReplicas(t *testing.T) {
	tests := []struct {
		name                      string
		strategy                  model.DeploymentStrategyType
		depReplicas, newRSReplica int32
		maxSurge                  int32
		want                      int32
	}{
		{"can not scale up - to newRSReplicas", model.RollingUpdateDeploymentStrategyType, 1, 5, 1, 5},
		{"scale up - to depReplicas", model.RollingUpdateDeploymentStrategyType, 6, 2, 10, 6},
		{"recreate - to depReplicas", model.RecreateDeploymentStrategyType, 3, 1, 1, 3},
	}
	rs5 := rs("rs5", 5, nil, time.Time{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDeployment("nginx", tc.depReplicas, nil, is(tc.maxSurge), is(1), nil)
			d.Spec.Strategy.Type = tc.strategy
			newRS := rs("new", tc.newRSReplica, nil, time.Time{})
			got, err := NewRSNewReplicas(d, []*model.ReplicaSet{rs5}, newRS)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestScale is upstream's TestScale (pkg/controller/deployment/sync_test.go):
// proportional scaling on a scaling event.
func TestScale(t *testing.T) {
	newTS := time.Date(2016, 5, 20, 2, 0, 0, 0, time.UTC)
	oldTS := time.Date(2016, 5, 20, 1, 0, 0, 0, time.UTC)
	olderTS := time.Date(2016, 5, 20, 0, 0, 0, 0, time.UTC)
	updatedTemplate := func(replicas int32) *model.Deployment {
		d := newDeployment("foo", replicas, nil, nil, nil, map[string]string{"foo": "bar"})
		d.Spec.Template.Labels["another"] = "label"
		return d
	}
	type sizes map[string]int32
	tests := []struct {
		name          string
		deployment    *model.Deployment
		oldDeployment *model.Deployment
		newRS         *model.ReplicaSet
		oldRSs        []*model.ReplicaSet
		want          sizes
		desired       map[string]int32 // desired-replicas annotations differing from oldDeployment's
	}{
		{name: "normal scaling event: 10 -> 12", deployment: newDeployment("foo", 12, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 10, nil, nil, nil, nil),
			newRS: rs("foo-v1", 10, nil, newTS), want: sizes{"foo-v1": 12}},
		{name: "normal scaling event: 10 -> 5", deployment: newDeployment("foo", 5, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 10, nil, nil, nil, nil),
			newRS: rs("foo-v1", 10, nil, newTS), want: sizes{"foo-v1": 5}},
		{name: "proportional scaling: 5 -> 10", deployment: newDeployment("foo", 10, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 5, nil, nil, nil, nil),
			newRS: rs("foo-v2", 2, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v1", 3, nil, oldTS)}, want: sizes{"foo-v2": 4, "foo-v1": 6}},
		{name: "proportional scaling: 5 -> 3", deployment: newDeployment("foo", 3, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 5, nil, nil, nil, nil),
			newRS: rs("foo-v2", 2, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v1", 3, nil, oldTS)}, want: sizes{"foo-v2": 1, "foo-v1": 2}},
		{name: "proportional scaling: 9 -> 4", deployment: newDeployment("foo", 4, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 9, nil, nil, nil, nil),
			newRS: rs("foo-v2", 8, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v1", 1, nil, oldTS)}, want: sizes{"foo-v2": 4, "foo-v1": 0}},
		{name: "proportional scaling: 7 -> 10", deployment: newDeployment("foo", 10, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 7, nil, nil, nil, nil),
			newRS: rs("foo-v3", 2, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v2", 3, nil, oldTS), rs("foo-v1", 2, nil, olderTS)}, want: sizes{"foo-v3": 3, "foo-v2": 4, "foo-v1": 3}},
		{name: "proportional scaling: 13 -> 8", deployment: newDeployment("foo", 8, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 13, nil, nil, nil, nil),
			newRS: rs("foo-v3", 2, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v2", 8, nil, oldTS), rs("foo-v1", 3, nil, olderTS)}, want: sizes{"foo-v3": 1, "foo-v2": 5, "foo-v1": 2}},
		{name: "leftover distribution: 3 -> 4", deployment: newDeployment("foo", 4, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 3, nil, nil, nil, nil),
			newRS: rs("foo-v3", 1, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v2", 1, nil, oldTS), rs("foo-v1", 1, nil, olderTS)}, want: sizes{"foo-v3": 2, "foo-v2": 1, "foo-v1": 1}},
		{name: "leftover distribution: 3 -> 2", deployment: newDeployment("foo", 2, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 3, nil, nil, nil, nil),
			newRS: rs("foo-v3", 1, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v2", 1, nil, oldTS), rs("foo-v1", 1, nil, olderTS)}, want: sizes{"foo-v3": 1, "foo-v2": 1, "foo-v1": 0}},
		{name: "proportional scaling (no new rs): 4 -> 5", deployment: newDeployment("foo", 5, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 4, nil, nil, nil, nil),
			oldRSs: []*model.ReplicaSet{rs("foo-v2", 2, nil, oldTS), rs("foo-v1", 2, nil, olderTS)}, want: sizes{"foo-v2": 3, "foo-v1": 2}},
		{name: "proportional scaling: 6 -> 0", deployment: newDeployment("foo", 0, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 6, nil, nil, nil, nil),
			newRS: rs("foo-v3", 3, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v2", 2, nil, oldTS), rs("foo-v1", 1, nil, olderTS)}, want: sizes{"foo-v3": 0, "foo-v2": 0, "foo-v1": 0}},
		{name: "proportional scaling: 0 -> 6", deployment: newDeployment("foo", 6, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 6, nil, nil, nil, nil),
			newRS: rs("foo-v3", 0, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v2", 0, nil, oldTS), rs("foo-v1", 0, nil, olderTS)}, want: sizes{"foo-v3": 6, "foo-v2": 0, "foo-v1": 0}},
		{name: "failed rs update", deployment: newDeployment("foo", 5, nil, nil, nil, nil), oldDeployment: newDeployment("foo", 5, nil, nil, nil, nil),
			newRS: rs("foo-v3", 2, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v2", 1, nil, oldTS), rs("foo-v1", 1, nil, olderTS)},
			want: sizes{"foo-v3": 2, "foo-v2": 2, "foo-v1": 1}, desired: map[string]int32{"foo-v2": 3}},
		{name: "deployment with surge pods", deployment: newDeployment("foo", 20, nil, is(2), nil, nil), oldDeployment: newDeployment("foo", 10, nil, is(2), nil, nil),
			newRS: rs("foo-v2", 6, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v1", 6, nil, oldTS)}, want: sizes{"foo-v2": 11, "foo-v1": 11}},
		{name: "change both surge and size", deployment: newDeployment("foo", 50, nil, is(6), nil, nil), oldDeployment: newDeployment("foo", 10, nil, is(3), nil, nil),
			newRS: rs("foo-v2", 5, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v1", 8, nil, oldTS)}, want: sizes{"foo-v2": 22, "foo-v1": 34}},
		{name: "change both size and template", deployment: updatedTemplate(14), oldDeployment: newDeployment("foo", 10, nil, nil, nil, map[string]string{"foo": "bar"}),
			oldRSs: []*model.ReplicaSet{rs("foo-v2", 7, nil, newTS), rs("foo-v1", 3, nil, oldTS)}, want: sizes{"foo-v2": 10, "foo-v1": 4}},
		{name: "saturated but broken new replica set does not affect old pods", deployment: newDeployment("foo", 2, nil, is(1), is(1), nil), oldDeployment: newDeployment("foo", 2, nil, is(1), is(1), nil),
			newRS: rs("foo-v2", 2, nil, newTS), oldRSs: []*model.ReplicaSet{rs("foo-v1", 1, nil, oldTS)}, want: sizes{"foo-v2": 2, "foo-v1": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			annotate := func(r *model.ReplicaSet) {
				desired := *tc.oldDeployment.Spec.Replicas
				if v, ok := tc.desired[r.Name]; ok {
					desired = v
				}
				SetReplicasAnnotations(r, desired, desired+MaxSurge(tc.oldDeployment))
			}
			got := sizes{}
			if tc.newRS != nil {
				annotate(tc.newRS)
				got[tc.newRS.Name] = *tc.newRS.Spec.Replicas
			}
			for _, r := range tc.oldRSs {
				annotate(r)
				got[r.Name] = *r.Spec.Replicas
			}
			for _, s := range PlanScale(tc.deployment, tc.newRS, append([]*model.ReplicaSet(nil), tc.oldRSs...)) {
				got[s.RS.Name] = s.Replicas
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// TestReconcileNewReplicaSet is upstream's
// TestDeploymentController_reconcileNewReplicaSet (rolling_test.go).
func TestReconcileNewReplicaSet(t *testing.T) {
	tests := []struct {
		deploymentReplicas int32
		maxSurge           int32
		oldReplicas        int32
		newReplicas        int32
		scaleExpected      bool
		want               int32
	}{
		{10, 0, 10, 0, false, 0}, // should not scale up
		{10, 2, 10, 0, true, 2},
		{10, 2, 5, 0, true, 7},
		{10, 2, 10, 2, false, 0},
		{10, 2, 2, 11, true, 10}, // should scale down
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			newRS := rs("foo-v2", tc.newReplicas, nil, time.Time{})
			oldRS := rs("foo-v2", tc.oldReplicas, nil, time.Time{})
			d := newDeployment("foo", tc.deploymentReplicas, nil, is(tc.maxSurge), is(0), nil)
			n, scale, err := PlanNewReplicaSet([]*model.ReplicaSet{newRS, oldRS}, newRS, d)
			require.NoError(t, err)
			require.Equal(t, tc.scaleExpected, scale)
			if scale {
				require.Equal(t, tc.want, n)
			}
		})
	}
}

// TestReconcileOldReplicaSets is upstream's
// TestDeploymentController_reconcileOldReplicaSets (rolling_test.go).
func TestReconcileOldReplicaSets(t *testing.T) {
	tests := []struct {
		deploymentReplicas int32
		maxUnavailable     int32
		oldReplicas        int32
		newReplicas        int32
		readyOld, readyNew int32
		scaleExpected      bool
		wantOld            int32
	}{
		{10, 0, 10, 0, 10, 0, true, 9},
		{10, 2, 10, 0, 10, 0, true, 8},
		{10, 2, 10, 0, 8, 0, true, 8}, // unhealthy replicas cleaned up
		{10, 2, 10, 0, 9, 0, true, 8}, // 1 unhealthy cleaned up, 1 ready scaled down
		{10, 2, 8, 2, 8, 0, false, 8}, // the new RS's unavailable pods block further scale-down
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			newSel, oldSel := map[string]string{"foo": "new"}, map[string]string{"foo": "old"}
			newRS := rs("foo-new", tc.newReplicas, newSel, time.Time{})
			newRS.Status.AvailableReplicas = tc.readyNew
			oldRS := rs("foo-old", tc.oldReplicas, oldSel, time.Time{})
			oldRS.Status.AvailableReplicas = tc.readyOld
			d := newDeployment("foo", tc.deploymentReplicas, nil, nil, is(tc.maxUnavailable), newSel)
			steps, err := PlanOldReplicaSets([]*model.ReplicaSet{oldRS, newRS}, []*model.ReplicaSet{oldRS}, newRS, d)
			require.NoError(t, err)
			require.Equal(t, tc.scaleExpected, len(steps) > 0)
			if tc.scaleExpected {
				require.Equal(t, tc.wantOld, steps[len(steps)-1].Replicas)
			}
		})
	}
}

// TestCleanupUnhealthyReplicas is upstream's
// TestDeploymentController_cleanupUnhealthyReplicas (rolling_test.go).
func TestCleanupUnhealthyReplicas(t *testing.T) {
	tests := []struct{ oldReplicas, ready, maxCleanup, want int32 }{
		{10, 8, 1, 1},
		{10, 8, 3, 2},
		{10, 8, 0, 0},
		{10, 10, 3, 0},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			old := rs("foo-v2", tc.oldReplicas, nil, time.Time{})
			old.Status.AvailableReplicas = tc.ready
			_, n, err := CleanupUnhealthyReplicas([]*model.ReplicaSet{old}, tc.maxCleanup)
			require.NoError(t, err)
			require.Equal(t, tc.want, n)
		})
	}
}

// TestScaleDownOldReplicaSetsForRollingUpdate is upstream's
// TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate.
func TestScaleDownOldReplicaSetsForRollingUpdate(t *testing.T) {
	tests := []struct {
		deploymentReplicas, maxUnavailable, ready, oldReplicas int32
		scaleExpected                                          bool
		want                                                   int32
	}{
		{10, 0, 10, 10, true, 9},
		{10, 2, 10, 10, true, 8},
		{10, 2, 8, 10, false, 0},
		{10, 2, 10, 0, false, 0},
		{10, 2, 1, 10, false, 0},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			old := rs("foo-v2", tc.oldReplicas, nil, time.Time{})
			old.Status.AvailableReplicas = tc.ready
			d := newDeployment("foo", tc.deploymentReplicas, nil, is(0), is(tc.maxUnavailable), map[string]string{"foo": "bar"})
			steps := ScaleDownOldReplicaSetsForRollingUpdate([]*model.ReplicaSet{old}, []*model.ReplicaSet{old}, d)
			require.Equal(t, tc.scaleExpected, len(steps) > 0)
			if tc.scaleExpected {
				require.Len(t, steps, 1)
				require.Equal(t, tc.want, steps[0].Replicas)
			}
		})
	}
}

// TestCleanupDeployment is upstream's TestDeploymentController_cleanupDeployment
// (sync_test.go).
func TestCleanupDeployment(t *testing.T) {
	sel := map[string]string{"foo": "bar"}
	withStatus := func(name string, spec, status int32) *model.ReplicaSet {
		r := rs(name, spec, sel, time.Time{})
		r.Status.Replicas = status
		return r
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alreadyDeleted := withStatus("foo-1", 0, 0)
	alreadyDeleted.DeletionTimestamp = &now
	tests := []struct {
		old   []*model.ReplicaSet
		limit int32
		want  int
	}{
		{[]*model.ReplicaSet{withStatus("foo-1", 0, 0), withStatus("foo-2", 0, 0), withStatus("foo-3", 0, 0)}, 1, 2},
		{[]*model.ReplicaSet{withStatus("foo-1", 0, 0), withStatus("foo-2", 0, 1), withStatus("foo-3", 1, 0), withStatus("foo-4", 1, 1)}, 0, 1},
		{[]*model.ReplicaSet{withStatus("foo-1", 0, 0), withStatus("foo-2", 0, 0)}, 0, 2},
		{[]*model.ReplicaSet{withStatus("foo-1", 1, 1), withStatus("foo-2", 1, 1)}, 0, 0},
		{[]*model.ReplicaSet{alreadyDeleted}, 0, 0},
		{[]*model.ReplicaSet{withStatus("foo-1", 0, 0), withStatus("foo-2", 0, 0), withStatus("foo-3", 0, 0)}, math.MaxInt32, 0},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			d := newDeployment("foo", 1, &tc.limit, nil, nil, sel)
			require.Len(t, PlanCleanup(tc.old, d), tc.want)
		})
	}
}

// TestDeploymentComplete is upstream's TestDeploymentComplete.
func TestDeploymentComplete(t *testing.T) {
	dep := func(desired, current, updated, available, maxUnavailable, maxSurge int32) *model.Deployment {
		return &model.Deployment{
			Spec: model.DeploymentSpec{Replicas: &desired, Strategy: model.DeploymentStrategy{Type: model.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &model.RollingUpdateDeployment{MaxUnavailable: is(maxUnavailable), MaxSurge: is(maxSurge)}}},
			Status: model.DeploymentStatus{Replicas: current, UpdatedReplicas: updated, AvailableReplicas: available},
		}
	}
	tests := []struct {
		name string
		d    *model.Deployment
		want bool
	}{
		{"not complete: min but not all pods become available", dep(5, 5, 5, 4, 1, 0), false},
		{"not complete: min availability is not honored", dep(5, 5, 5, 3, 1, 0), false},
		{"complete", dep(5, 5, 5, 5, 0, 0), true},
		{"not complete: all pods are available but not updated", dep(5, 5, 4, 5, 0, 0), false},
		{"not complete: still running old pods", dep(1, 2, 1, 1, 0, 1), false},
		{"not complete: one replica deployment never comes up", dep(1, 1, 1, 0, 1, 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, DeploymentComplete(tc.d, &tc.d.Status)) })
	}
}

// TestDeploymentProgressing is upstream's TestDeploymentProgressing.
func TestDeploymentProgressing(t *testing.T) {
	st := func(current, updated, ready, available int32) model.DeploymentStatus {
		return model.DeploymentStatus{Replicas: current, UpdatedReplicas: updated, ReadyReplicas: ready, AvailableReplicas: available}
	}
	tests := []struct {
		name     string
		old, new model.DeploymentStatus
		want     bool
	}{
		{"progressing: updated pods", st(10, 4, 4, 4), st(10, 6, 4, 4), true},
		{"not progressing", st(10, 4, 4, 4), st(10, 4, 4, 4), false},
		{"progressing: old pods removed", st(10, 4, 6, 6), st(8, 4, 6, 6), true},
		{"not progressing: less new pods", st(10, 7, 3, 3), st(10, 6, 3, 3), false},
		{"progressing: less overall but more new pods", st(10, 4, 7, 7), st(8, 8, 5, 5), true},
		{"progressing: more ready pods", st(10, 10, 9, 8), st(10, 10, 10, 8), true},
		{"progressing: more available pods", st(10, 10, 10, 9), st(10, 10, 10, 10), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &model.Deployment{Status: tc.old}
			require.Equal(t, tc.want, DeploymentProgressing(d, &tc.new))
		})
	}
}

// TestDeploymentTimedOut is upstream's TestDeploymentTimedOut.
func TestDeploymentTimedOut(t *testing.T) {
	at := func(min, sec int) time.Time { return time.Date(2016, 1, 1, 0, min, sec, 0, time.UTC) }
	ten := int32(10)
	dep := func(status model.ConditionStatus, reason string, pds *int32, from time.Time) *model.Deployment {
		return &model.Deployment{Spec: model.DeploymentSpec{ProgressDeadlineSeconds: pds},
			Status: model.DeploymentStatus{Conditions: []model.DeploymentCondition{{Type: ConditionProgressing, Status: status, Reason: reason, LastUpdateTime: &from}}}}
	}
	tests := []struct {
		name string
		d    *model.Deployment
		now  time.Time
		want bool
	}{
		{"no progressDeadlineSeconds specified - no timeout", dep(model.ConditionTrue, "", nil, at(1, 9)), at(1, 20), false},
		{"progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:09 => 11s", dep(model.ConditionTrue, "", &ten, at(1, 9)), at(1, 20), true},
		{"progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:11 => 9s", dep(model.ConditionTrue, "", &ten, at(1, 11)), at(1, 20), false},
		{"previous status was a complete deployment", dep(model.ConditionTrue, NewRSAvailableReason, nil, time.Time{}), at(0, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, DeploymentTimedOut(tc.d, &tc.d.Status, tc.now)) })
	}
}

// TestAnnotationUtils is upstream's TestAnnotationUtils.
func TestAnnotationUtils(t *testing.T) {
	d := newDeployment("nginx", 1, nil, nil, nil, map[string]string{"name": "nginx"})
	d.Annotations[RevisionAnnotation] = "1"
	r := rs("replicaset", 0, nil, time.Time{})
	for i := 0; i < 20; i++ {
		next := fmt.Sprint(i + 1)
		SetNewReplicaSetAnnotations(d, r, next, true)
		require.Equal(t, next, r.Annotations[RevisionAnnotation])
	}
	require.Equal(t, strings.Join([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19"}, ","),
		r.Annotations[RevisionHistoryAnnotation], "earlier revisions are kept in the history")
	require.True(t, SetReplicasAnnotations(r, 10, 11))
	require.Equal(t, "10", r.Annotations[DesiredReplicasAnnotation])
	require.Equal(t, "11", r.Annotations[MaxReplicasAnnotation])
	r.Annotations[DesiredReplicasAnnotation] = "1"
	r.Status.AvailableReplicas = 1
	r.Spec.Replicas = model.Ptr[int32](1)
	require.True(t, IsSaturated(d, r))
}

// TestEqualIgnoreHash is upstream's TestEqualIgnoreHash.
func TestEqualIgnoreHash(t *testing.T) {
	tmpl := func(name, node string, ann, labels map[string]string) model.PodTemplateSpec {
		return model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Name: name, Annotations: ann, Labels: labels}, Spec: model.PodSpec{NodeName: node}}
	}
	h := PodTemplateHashLabel
	tests := []struct {
		name   string
		a, b   model.PodTemplateSpec
		expect bool
	}{
		{"Same spec, same labels", tmpl("foo", "foo-node", map[string]string{}, map[string]string{h: "value-1", "something": "else"}),
			tmpl("foo", "foo-node", map[string]string{}, map[string]string{h: "value-1", "something": "else"}), true},
		{"Same spec, only pod-template-hash label value is different", tmpl("foo", "foo-node", map[string]string{}, map[string]string{h: "value-1", "something": "else"}),
			tmpl("foo", "foo-node", map[string]string{}, map[string]string{h: "value-2", "something": "else"}), true},
		{"Same spec, the former doesn't have pod-template-hash label", tmpl("foo", "foo-node", map[string]string{}, map[string]string{"something": "else"}),
			tmpl("foo", "foo-node", map[string]string{}, map[string]string{h: "value-2", "something": "else"}), true},
		{"Same spec, the label is different, and the pod-template-hash label value is the same", tmpl("foo", "foo-node", map[string]string{}, map[string]string{h: "value-1"}),
			tmpl("foo", "foo-node", map[string]string{}, map[string]string{h: "value-1", "something": "else"}), false},
		{"Different spec, same labels", tmpl("foo", "foo-node", map[string]string{"former": "value"}, map[string]string{h: "value-1", "something": "else"}),
			tmpl("foo", "foo-node", map[string]string{"latter": "value"}, map[string]string{h: "value-1", "something": "else"}), false},
		{"Different spec, different pod-template-hash label value", tmpl("foo-1", "foo-node", map[string]string{}, map[string]string{h: "value-1", "something": "else"}),
			tmpl("foo-2", "foo-node", map[string]string{}, map[string]string{h: "value-2", "something": "else"}), false},
		{"Different spec, the former doesn't have pod-template-hash label", tmpl("foo-1", "foo-node-1", map[string]string{}, map[string]string{"something": "else"}),
			tmpl("foo-2", "foo-node-2", map[string]string{}, map[string]string{h: "value-2", "something": "else"}), false},
		{"Different spec, different labels", tmpl("foo", "foo-node-1", map[string]string{}, map[string]string{"something": "else"}),
			tmpl("foo", "foo-node-2", map[string]string{}, map[string]string{"nothing": "else"}), false},
		{"nil and empty collections are equal", tmpl("foo", "n", nil, map[string]string{"a": "b"}), tmpl("foo", "n", map[string]string{}, map[string]string{"a": "b"}), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.expect, EqualIgnoreHash(&tc.a, &tc.b))
			require.Equal(t, tc.expect, EqualIgnoreHash(&tc.b, &tc.a), "reversed")
			require.NotNil(t, tc.a.Labels, "inputs are not modified")
		})
	}
	q1 := model.PodTemplateSpec{Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Resources: model.ResourceRequirements{
		Requests: model.ResourceList{model.ResourceCPU: model.MustParseQuantity("1")}}}}}}
	q2 := model.DeepCopy(q1)
	q2.Spec.Containers[0].Resources.Requests[model.ResourceCPU] = model.MustParseQuantity("1000m")
	require.True(t, EqualIgnoreHash(&q1, &q2), "quantities compare by value")
}

// TestFindNewAndOldReplicaSets follows upstream's TestFindNewReplicaSet and
// TestFindOldReplicaSets.
func TestFindNewAndOldReplicaSets(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := newDeployment("nginx", 1, nil, nil, nil, map[string]string{"name": "nginx"})
	fromTemplate := func(name string, tmpl model.PodTemplateSpec, hash string, at time.Time, replicas int32) *model.ReplicaSet {
		r := rs(name, replicas, nil, at)
		r.Spec.Template = model.DeepCopy(tmpl)
		r.Spec.Template.Labels[PodTemplateHashLabel] = hash
		return r
	}
	newRS := fromTemplate("new", d.Spec.Template, "hash", now.Add(time.Minute), 1)
	newRSDup := fromTemplate("new-dup", d.Spec.Template, "different-hash", now, 1)
	oldTmpl := model.DeepCopy(d.Spec.Template)
	oldTmpl.Spec.Containers[0].Name = "nginx-old-1"
	oldRS := fromTemplate("old", oldTmpl, "x", now.Add(-time.Minute), 1)

	require.Equal(t, newRS, FindNewReplicaSet(d, []*model.ReplicaSet{newRS, oldRS}))
	require.Equal(t, newRSDup, FindNewReplicaSet(d, []*model.ReplicaSet{newRS, oldRS, newRSDup}), "the oldest of two new ReplicaSets")
	require.Nil(t, FindNewReplicaSet(d, []*model.ReplicaSet{oldRS}))

	req, all := FindOldReplicaSets(d, []*model.ReplicaSet{oldRS, newRS, newRSDup})
	require.Equal(t, []*model.ReplicaSet{oldRS, newRS}, all)
	require.Equal(t, []*model.ReplicaSet{oldRS, newRS}, req)
	req, all = FindOldReplicaSets(d, []*model.ReplicaSet{newRS})
	require.Nil(t, all)
	require.Nil(t, req)
}

func TestComputeHash(t *testing.T) {
	tmpl := &model.PodTemplateSpec{}
	one, two, maxc := int32(1), int32(2), int32(math.MaxInt32)
	require.NotEqual(t, ComputeHash(tmpl, &one), ComputeHash(tmpl, &two), "upstream TestComputeHash: simple")
	require.NotEqual(t, ComputeHash(tmpl, nil), ComputeHash(tmpl, &maxc), "upstream TestComputeHash: using math.MaxInt64")
	h := ComputeHash(tmpl, nil)
	require.Equal(t, h, ComputeHash(&model.PodTemplateSpec{}, nil), "deterministic")
	require.Regexp(t, `^[456789bcdf]+$`, h, "decimal digits through the safe alphabet")
	require.Equal(t, "45b", SafeEncodeString("016"))
}

func TestGetProportion(t *testing.T) {
	d := newDeployment("foo", 10, nil, is(0), is(1), nil)
	r := rs("a", 5, nil, time.Time{})
	SetReplicasAnnotations(r, 5, 5)
	require.Equal(t, int32(5), GetProportion(r, d, 5, 0), "5 of 5 scaled to 10")
	require.Equal(t, int32(2), GetProportion(r, d, 2, 0), "bounded by what is left to add")
	require.Equal(t, int32(0), GetProportion(r, d, 2, 2))
	d.Spec.Replicas = model.Ptr[int32](0)
	require.Equal(t, int32(-5), GetProportion(r, d, -5, 0), "to zero: all of it")
	require.Equal(t, int64(1), LastRevision([]*model.ReplicaSet{
		{ObjectMeta: model.ObjectMeta{Annotations: map[string]string{RevisionAnnotation: "1"}}},
		{ObjectMeta: model.ObjectMeta{Annotations: map[string]string{RevisionAnnotation: "3"}}}}))
}
