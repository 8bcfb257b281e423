package namespace

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

func pod(name string) *model.Pod {
	return &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "shop"},
		Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img:1"}}}}
}

func TestNamespaceDeletionEmptiesThenFinalizes(t *testing.T) {
	k := sim.NewKernel(5)
	s := apiserver.New(k, DefaultStart)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	New(k, s.NewClient, DefaultConfig()).Start()

	mustCreate := func(o model.Object) {
		_, err := s.Create(o)
		require.NoError(t, err)
	}
	mustCreate(&model.Namespace{ObjectMeta: model.ObjectMeta{Name: "shop"}})
	mustCreate(&model.Namespace{ObjectMeta: model.ObjectMeta{Name: "other"}})
	mustCreate(pod("bound"))
	require.NoError(t, s.Bind("shop", "bound", "node-1"))
	mustCreate(pod("pending"))
	mustCreate(&model.ConfigMap{ObjectMeta: model.ObjectMeta{Name: "cfg", Namespace: "shop"}})
	mustCreate(&model.ConfigMap{ObjectMeta: model.ObjectMeta{Name: "cfg", Namespace: "other"}})
	mustCreate(&model.Service{ObjectMeta: model.ObjectMeta{Name: "svc", Namespace: "shop"},
		Spec: model.ServiceSpec{Ports: []model.ServicePort{{Port: 80}}}})
	mustCreate(&model.Secret{ObjectMeta: model.ObjectMeta{Name: "held", Namespace: "shop", Finalizers: []string{"example.com/hold"}}})
	k.Run(sim.Time(time.Second))

	require.NoError(t, s.Delete("Namespace", "", "shop"))
	o, err := s.Get("Namespace", "", "shop")
	require.NoError(t, err)
	require.Equal(t, "Terminating", o.(*model.Namespace).Status.Phase)
	require.Equal(t, []string{FinalizerKubernetes}, o.(*model.Namespace).Spec.Finalizers)

	// Nothing happens during the deletion grace period (5 s).
	k.Run(sim.Time(5 * time.Second))
	_, err = s.Get("ConfigMap", "shop", "cfg")
	require.NoError(t, err)

	// The kubelet finishes the bound pod at 18 s; the secret's own
	// finalizer is removed at 40 s.
	k.At(sim.Time(18*time.Second), sim.HandlerFunc(func(sim.Time) {
		require.NoError(t, s.DeleteWith("Pod", "shop", "bound", model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)}))
	}))
	k.At(sim.Time(40*time.Second), sim.HandlerFunc(func(sim.Time) {
		o, err := s.Get("Secret", "shop", "held")
		require.NoError(t, err)
		cp := model.DeepCopy(o.(*model.Secret))
		cp.Finalizers = nil
		_, err = s.Update(cp)
		require.NoError(t, err)
	}))
	k.Run(sim.Time(7 * time.Second))
	for _, kind := range []string{"ConfigMap", "Service"} {
		objs, _ := s.List(kind)
		for _, o := range objs {
			require.NotEqual(t, "shop", o.GetObjectMeta().Namespace, kind)
		}
	}
	_, err = s.Get("Pod", "shop", "pending")
	require.True(t, model.IsNotFound(err))
	p, err := s.Get("Pod", "shop", "bound")
	require.NoError(t, err)
	require.NotNil(t, p.GetObjectMeta().DeletionTimestamp, "bound pods terminate gracefully")
	_, err = s.Get("ConfigMap", "other", "cfg")
	require.NoError(t, err, "other namespaces are untouched")
	// New content is refused while the namespace terminates.
	_, err = s.Create(&model.ConfigMap{ObjectMeta: model.ObjectMeta{Name: "late", Namespace: "shop"}})
	require.Equal(t, model.ReasonForbidden, model.ReasonOf(err))

	k.Run(sim.Time(38 * time.Second))
	_, err = s.Get("Namespace", "", "shop")
	require.NoError(t, err, "the secret's finalizer still holds the namespace")
	require.Empty(t, rec.Kinds("NamespaceFinalized"))

	k.Run(sim.Time(60 * time.Second))
	_, err = s.Get("Namespace", "", "shop")
	require.True(t, model.IsNotFound(err), "namespace gone: %v", err)
	fin := rec.Kinds("NamespaceFinalized")
	require.Len(t, fin, 1)
	require.Equal(t, "shop", fin[0].Object)
	require.Equal(t, Component, fin[0].Source)
	// Deleted at 1 s; syncs at 6 s, then every half estimate in whole
	// seconds: the pod's 30 s grace (15 s) until it is gone at 18 s, then
	// the finalizer estimate (15 s → 7 s) at 21, 28, 35 and 42 s.
	require.Equal(t, 42*time.Second, time.Duration(fin[0].T).Truncate(time.Second))
	_, err = s.Get("Namespace", "", "other")
	require.NoError(t, err)
}
