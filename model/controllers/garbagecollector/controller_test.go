package garbagecollector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type harness struct {
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
}

func newHarness(t *testing.T) *harness {
	k := sim.NewKernel(3)
	s := apiserver.New(k, start)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	New(k, s.NewClient, DefaultConfig()).Start()
	return &harness{k: k, s: s, rec: rec}
}

func (h *harness) run(d time.Duration) { h.k.Run(h.k.Now().Add(d)) }

func (h *harness) create(t *testing.T, o model.Object) model.Object {
	t.Helper()
	out, err := h.s.Create(o)
	require.NoError(t, err)
	return out
}

func (h *harness) exists(kind, name string) bool {
	_, err := h.s.Get(kind, "default", name)
	return err == nil
}

func (h *harness) get(t *testing.T, kind, name string) model.Object {
	o, err := h.s.Get(kind, "default", name)
	require.NoError(t, err)
	return o
}

func ownerRef(o model.Object, block bool) model.OwnerReference {
	k := model.KindOf(o)
	m := o.GetObjectMeta()
	return model.OwnerReference{APIVersion: k.APIVersion, Kind: k.Kind, Name: m.Name, UID: m.UID, Controller: model.Ptr(true), BlockOwnerDeletion: model.Ptr(block)}
}

func testRS(name string, owners ...model.OwnerReference) *model.ReplicaSet {
	labels := map[string]string{"app": name}
	return &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: name, OwnerReferences: owners},
		Spec: model.ReplicaSetSpec{Replicas: model.Ptr[int32](0), Selector: &model.LabelSelector{MatchLabels: labels},
			Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: labels},
				Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img:1"}}}}}}
}

func testPod(name, node string, owners ...model.OwnerReference) *model.Pod {
	return &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, OwnerReferences: owners},
		Spec: model.PodSpec{NodeName: node, Containers: []model.Container{{Name: "c", Image: "img:1"}}}}
}

func testDeployment(name string) *model.Deployment {
	labels := map[string]string{"app": name}
	return &model.Deployment{ObjectMeta: model.ObjectMeta{Name: name},
		Spec: model.DeploymentSpec{Replicas: model.Ptr[int32](0), Selector: &model.LabelSelector{MatchLabels: labels},
			Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: labels},
				Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img:1"}}}}}}
}

// TestCascadingDeletion follows upstream's integration test of the same
// name (test/integration/garbagecollector): deleting an owner in the
// background removes its dependents, transitively.
func TestCascadingDeletion(t *testing.T) {
	h := newHarness(t)
	d := h.create(t, testDeployment("web"))
	r := h.create(t, testRS("web-1", ownerRef(d, true)))
	for _, n := range []string{"p1", "p2"} {
		h.create(t, testPod(n, "", ownerRef(r, true)))
	}
	other := h.create(t, testPod("independent", ""))
	h.run(time.Second)
	require.True(t, h.exists("ReplicaSet", "web-1"), "owners present: nothing to collect")

	require.NoError(t, h.s.Delete("Deployment", "default", "web"))
	h.run(5 * time.Second)
	require.False(t, h.exists("ReplicaSet", "web-1"))
	require.False(t, h.exists("Pod", "p1"))
	require.False(t, h.exists("Pod", "p2"))
	require.True(t, h.exists("Pod", other.GetObjectMeta().Name))
	var got []string
	for _, e := range h.rec.Kinds("GarbageCollected") {
		require.Equal(t, Component, e.Source)
		got = append(got, e.Object+":"+e.Field("propagationPolicy").(string))
	}
	require.Equal(t, []string{"default/web-1:Background", "default/p1:Background", "default/p2:Background"}, got)
}

// TestDanglingOwnerAtCreation: an object created with a reference to an
// owner that never existed is collected (the virtual owner is verified
// absent).
func TestDanglingOwnerAtCreation(t *testing.T) {
	h := newHarness(t)
	ghost := model.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "ghost", UID: "no-such-uid"}
	h.create(t, testPod("orphaned", "", ghost))
	h.run(5 * time.Second)
	require.False(t, h.exists("Pod", "orphaned"))
}

// TestForegroundDeletionWaitsForBlockingDependents follows upstream's
// TestBlockingOwnerRefDoesBlock: the owner stays (deletionTimestamp and the
// foregroundDeletion finalizer) while a blocking dependent exists, and goes
// once it is gone.
func TestForegroundDeletionWaitsForBlockingDependents(t *testing.T) {
	h := newHarness(t)
	r := h.create(t, testRS("web-1"))
	h.create(t, testPod("bound", "node-1", ownerRef(r, true))) // deleted gracefully: waits for a kubelet
	h.create(t, testPod("unbound", "", ownerRef(r, true)))
	h.run(time.Second)
	fg := model.DeletePropagationForeground
	require.NoError(t, h.s.DeleteWith("ReplicaSet", "default", "web-1", model.DeleteOptions{PropagationPolicy: &fg}))
	h.run(10 * time.Second)
	require.False(t, h.exists("Pod", "unbound"))
	p := h.get(t, "Pod", "bound").(*model.Pod)
	require.NotNil(t, p.DeletionTimestamp, "the bound pod is terminating")
	o := h.get(t, "ReplicaSet", "web-1")
	require.NotNil(t, o.GetObjectMeta().DeletionTimestamp)
	require.Equal(t, []string{model.FinalizerForegroundDeletion}, o.GetObjectMeta().Finalizers, "the owner waits")

	// The kubelet confirms the pod's termination; the owner follows.
	at := h.k.Now()
	require.NoError(t, h.s.DeleteWith("Pod", "default", "bound", model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)}))
	h.run(10 * time.Second)
	require.False(t, h.exists("ReplicaSet", "web-1"))
	rm := h.rec.Kinds("RemovedFinalizer")
	require.Len(t, rm, 1)
	require.Equal(t, "default/web-1", rm[0].Object)
	require.Equal(t, model.FinalizerForegroundDeletion, rm[0].Field("finalizer"))
	require.Greater(t, rm[0].T, at)
}

// TestNonBlockingOwnerRefDoesNotBlock follows upstream's test of that name:
// dependents without blockOwnerDeletion do not hold the owner back.
func TestNonBlockingOwnerRefDoesNotBlock(t *testing.T) {
	h := newHarness(t)
	r := h.create(t, testRS("web-1"))
	h.create(t, testPod("bound", "node-1", ownerRef(r, false)))
	h.run(time.Second)
	fg := model.DeletePropagationForeground
	require.NoError(t, h.s.DeleteWith("ReplicaSet", "default", "web-1", model.DeleteOptions{PropagationPolicy: &fg}))
	h.run(10 * time.Second)
	require.False(t, h.exists("ReplicaSet", "web-1"), "the owner is gone")
	p := h.get(t, "Pod", "bound").(*model.Pod)
	require.NotNil(t, p.DeletionTimestamp, "its dependent is being deleted too")
}

// TestOrphaning follows upstream's TestOrphaning: dependents lose their
// reference to the owner and stay; the owner is deleted.
func TestOrphaning(t *testing.T) {
	h := newHarness(t)
	r := h.create(t, testRS("web-1"))
	other := h.create(t, testRS("keep"))
	h.create(t, testPod("p1", "", ownerRef(r, true)))
	h.create(t, testPod("p2", "", ownerRef(r, true), model.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet",
		Name: "keep", UID: other.GetObjectMeta().UID}))
	h.run(time.Second)
	orphan := model.DeletePropagationOrphan
	require.NoError(t, h.s.DeleteWith("ReplicaSet", "default", "web-1", model.DeleteOptions{PropagationPolicy: &orphan}))
	h.run(10 * time.Second)
	require.False(t, h.exists("ReplicaSet", "web-1"))
	p1 := h.get(t, "Pod", "p1").(*model.Pod)
	require.Empty(t, p1.OwnerReferences)
	p2 := h.get(t, "Pod", "p2").(*model.Pod)
	require.Len(t, p2.OwnerReferences, 1)
	require.Equal(t, "keep", p2.OwnerReferences[0].Name)
	require.Len(t, h.rec.Kinds("OrphanedDependent"), 2)
	h.run(10 * time.Second)
	require.True(t, h.exists("Pod", "p1"), "an orphan is not collected")
}

// TestSolidOwnerDoesNotBlockWaitingOwner follows upstream's test of that
// name: a dependent with another, solid owner keeps living; only its
// reference to the owner deleted in the foreground is removed.
func TestSolidOwnerDoesNotBlockWaitingOwner(t *testing.T) {
	h := newHarness(t)
	going := h.create(t, testRS("going"))
	staying := h.create(t, testRS("staying"))
	h.create(t, testPod("shared", "", ownerRef(going, true), model.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet",
		Name: "staying", UID: staying.GetObjectMeta().UID}))
	h.run(time.Second)
	fg := model.DeletePropagationForeground
	require.NoError(t, h.s.DeleteWith("ReplicaSet", "default", "going", model.DeleteOptions{PropagationPolicy: &fg}))
	h.run(10 * time.Second)
	require.False(t, h.exists("ReplicaSet", "going"))
	p := h.get(t, "Pod", "shared").(*model.Pod)
	require.Nil(t, p.DeletionTimestamp)
	require.Len(t, p.OwnerReferences, 1)
	require.Equal(t, "staying", p.OwnerReferences[0].Name)
}
