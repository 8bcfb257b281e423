package disruption

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func TestDisruptionControllerWithDeployment(t *testing.T) {
	k := sim.NewKernel(1)
	s := apiserver.New(k, start)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	labels := map[string]string{"app": "web"}
	tmpl := model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: labels},
		Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "web:1"}}}}
	o, err := s.Create(&model.Deployment{ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default"}, Spec: model.DeploymentSpec{
		Replicas: model.Ptr[int32](4), Selector: &model.LabelSelector{MatchLabels: labels}, Template: tmpl}})
	require.NoError(t, err)
	d := o.(*model.Deployment)
	o, err = s.Create(&model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "web-1", Namespace: "default",
		OwnerReferences: []model.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: d.UID, Controller: model.Ptr(true)}}},
		Spec: model.ReplicaSetSpec{Replicas: model.Ptr[int32](4), Selector: &model.LabelSelector{MatchLabels: labels}, Template: tmpl}})
	require.NoError(t, err)
	rs := o.(*model.ReplicaSet)
	for _, name := range []string{"web-1-a", "web-1-b", "web-1-c", "web-1-d"} {
		o, err := s.Create(&model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", Labels: labels,
			OwnerReferences: []model.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-1", UID: rs.UID, Controller: model.Ptr(true)}}},
			Spec: tmpl.Spec})
		require.NoError(t, err)
		p := model.DeepCopy(o.(*model.Pod))
		now := start
		p.Status.Phase = model.PodRunning
		p.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
		_, err = s.Update(p)
		require.NoError(t, err)
	}
	_, err = s.Create(&model.PodDisruptionBudget{ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: model.PodDisruptionBudgetSpec{MaxUnavailable: model.Ptr(model.FromString("25%")), Selector: &model.LabelSelector{MatchLabels: labels}}})
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.Start = start
	New(k, s.NewClient, cfg).Start()
	k.Run(sim.Time(time.Second))

	get := func() *model.PodDisruptionBudget {
		o, err := s.Get("PodDisruptionBudget", "default", "web")
		require.NoError(t, err)
		return o.(*model.PodDisruptionBudget)
	}
	st := get().Status
	require.Equal(t, model.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 1, CurrentHealthy: 4, DesiredHealthy: 3, ExpectedPods: 4}, st)

	// One eviction uses the budget; a second is refused.
	require.NoError(t, s.Evict("default", "web-1-a"))
	require.True(t, model.IsTooManyRequests(s.Evict("default", "web-1-b")))
	k.Run(sim.Time(2 * time.Second))
	st = get().Status
	require.Equal(t, int32(3), st.CurrentHealthy)
	require.Equal(t, int32(0), st.DisruptionsAllowed)
	require.Empty(t, st.DisruptedPods, "the evicted pod is gone, so its entry is dropped")

	// A pod marked disrupted but never deleted leaves the map after 2 min.
	upd := get()
	upd = model.DeepCopy(upd)
	upd.Status.DisruptedPods = map[string]time.Time{"web-1-b": k.Now().Wall(start)}
	_, err = s.Update(upd)
	require.NoError(t, err)
	k.Run(sim.Time(10 * time.Second))
	require.Equal(t, int32(2), get().Status.CurrentHealthy)
	k.Run(sim.Time(3 * time.Minute))
	st = get().Status
	require.Empty(t, st.DisruptedPods)
	require.Equal(t, int32(3), st.CurrentHealthy)
	require.Len(t, rec.Kinds("NotDeleted"), 1)
}

func TestDisruptionControllerFailSafe(t *testing.T) {
	k := sim.NewKernel(1)
	s := apiserver.New(k, start)
	labels := map[string]string{"app": "batch"}
	_, err := s.Create(&model.Pod{ObjectMeta: model.ObjectMeta{Name: "p", Namespace: "default", Labels: labels,
		OwnerReferences: []model.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: "j", UID: "j-uid", Controller: model.Ptr(true)}}},
		Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "x:1"}}}})
	require.NoError(t, err)
	_, err = s.Create(&model.PodDisruptionBudget{ObjectMeta: model.ObjectMeta{Name: "b", Namespace: "default"},
		Spec: model.PodDisruptionBudgetSpec{MaxUnavailable: model.Ptr(model.FromInt32(1)), Selector: &model.LabelSelector{MatchLabels: labels}}})
	require.NoError(t, err)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	cfg := DefaultConfig()
	cfg.Start = start
	New(k, s.NewClient, cfg).Start()
	k.Run(sim.Time(time.Second))
	o, _ := s.Get("PodDisruptionBudget", "default", "b")
	require.Equal(t, int32(0), o.(*model.PodDisruptionBudget).Status.DisruptionsAllowed)
	require.NotEmpty(t, rec.Kinds("CalculateExpectedPodCountFailed"), "a Job does not implement the scale subresource")
}
