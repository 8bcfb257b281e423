package statefulset

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/model/controllers/garbagecollector"
	"github.com/kubesim/kubesim/sim"
)

type harness struct {
	t   *testing.T
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
	// readyAfter is how long the fake kubelet takes to make a new pod
	// Running and Ready; a negative value leaves pods Pending.
	readyAfter time.Duration
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	k := sim.NewKernel(11)
	s := apiserver.New(k, DefaultStart)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	h := &harness{t: t, k: k, s: s, rec: rec, readyAfter: time.Second}
	// A fake kubelet: pods turn Running and Ready readyAfter their creation.
	s.Watch("Pod", func(ev model.WatchEvent) {
		if ev.Type != model.Added || h.readyAfter < 0 {
			return
		}
		p := ev.Object.(*model.Pod)
		uid := p.UID
		k.AfterFunc(h.readyAfter, func(sim.Time) {
			o, err := s.Get("Pod", p.Namespace, p.Name)
			if err != nil || o.GetObjectMeta().UID != uid || o.GetObjectMeta().DeletionTimestamp != nil {
				return
			}
			h.setPod(p.Name, func(p *model.Pod) {
				now := s.Now()
				p.Status.Phase = model.PodRunning
				p.Status.StartTime = &now
				p.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
			})
		})
	})
	New(k, s.NewClient, cfg).Start()
	return h
}

func (h *harness) runTo(d time.Duration) { h.k.Run(sim.Time(d)) }

func (h *harness) setPod(name string, f func(*model.Pod)) {
	o, err := h.s.Get("Pod", "default", name)
	require.NoError(h.t, err)
	p := model.DeepCopy(o.(*model.Pod))
	f(p)
	_, err = h.s.Update(p)
	require.NoError(h.t, err)
}

func (h *harness) podNames() []string {
	objs, _ := h.s.List("Pod")
	var out []string
	for _, o := range objs {
		out = append(out, o.GetObjectMeta().Name)
	}
	return out
}

func (h *harness) pod(name string) *model.Pod {
	o, err := h.s.Get("Pod", "default", name)
	require.NoError(h.t, err)
	return o.(*model.Pod)
}

func (h *harness) claim(name string) *model.PersistentVolumeClaim {
	o, err := h.s.Get("PersistentVolumeClaim", "default", name)
	require.NoError(h.t, err)
	return o.(*model.PersistentVolumeClaim)
}

func (h *harness) set() *model.StatefulSet {
	o, err := h.s.Get("StatefulSet", "default", "web")
	require.NoError(h.t, err)
	return o.(*model.StatefulSet)
}

func (h *harness) updateSet(f func(*model.StatefulSet)) {
	cp := model.DeepCopy(h.set())
	f(cp)
	_, err := h.s.Update(cp)
	require.NoError(h.t, err)
}

// messages returns the journal's messages of kind, in order.
func (h *harness) messages(kind string) []string {
	var out []string
	for _, e := range h.rec.Kinds(kind) {
		out = append(out, e.Field("message").(string))
	}
	return out
}

// allMessages returns every statefulset-controller message in order.
func (h *harness) allMessages() []string {
	var out []string
	for _, e := range h.rec.Events {
		if e.Source == Component {
			out = append(out, e.Kind+": "+e.Field("message").(string))
		}
	}
	return out
}

func TestOrderedReadyScaleUpCreatesClaimsFirstAndWaitsForReady(t *testing.T) {
	h := newHarness(t, DefaultConfig())
	h.readyAfter = 10 * time.Second
	_, err := h.s.Create(testSet(3))
	require.NoError(t, err)

	h.runTo(5 * time.Second)
	// Only web-0 exists: it is not Running and Ready yet.
	require.Equal(t, []string{"web-0"}, h.podNames())
	require.Equal(t, []string{
		"SuccessfulCreate: create Claim datadir-web-0 Pod web-0 in StatefulSet web success",
		"SuccessfulCreate: create Pod web-0 in StatefulSet web successful",
	}, h.allMessages())
	p := h.pod("web-0")
	require.Equal(t, "web-0", p.Labels[PodNameLabel])
	require.Equal(t, "0", p.Labels[PodIndexLabel])
	require.Equal(t, h.set().Status.UpdateRevision, p.Labels[RevisionLabel])
	require.Equal(t, "datadir-web-0", p.Spec.Volumes[0].PersistentVolumeClaim.ClaimName)
	require.Equal(t, "web", p.ControllerRef().Name)
	require.Equal(t, map[string]string{"app": "web"}, h.claim("datadir-web-0").Labels)
	// Retain/Retain: the claim has no owner.
	require.Empty(t, h.claim("datadir-web-0").OwnerReferences)

	h.runTo(15 * time.Second)
	require.Equal(t, []string{"web-0", "web-1"}, h.podNames())
	h.runTo(60 * time.Second)
	require.Equal(t, []string{"web-0", "web-1", "web-2"}, h.podNames())
	st := h.set().Status
	require.Equal(t, int32(3), st.Replicas)
	require.Equal(t, int32(3), st.ReadyReplicas)
	require.Equal(t, int32(3), st.AvailableReplicas)
	require.Equal(t, int32(3), st.CurrentReplicas)
	require.Equal(t, int32(3), st.UpdatedReplicas)
	require.Equal(t, st.CurrentRevision, st.UpdateRevision)
	require.Equal(t, int64(1), st.ObservedGeneration)
	// Each pod was created 10 s (its predecessor's readiness) after the
	// previous one, each claim just before its pod.
	var at []time.Duration
	for _, e := range h.rec.Kinds("SuccessfulCreate") {
		at = append(at, time.Duration(e.T).Round(time.Second))
	}
	require.Equal(t, []time.Duration{0, 0, 10 * time.Second, 10 * time.Second, 20 * time.Second, 20 * time.Second}, at)

	// Scale down to 1: web-2 first, then web-1; the claims stay.
	h.updateSet(func(s *model.StatefulSet) { s.Spec.Replicas = model.Ptr[int32](1) })
	h.runTo(61 * time.Second)
	require.Equal(t, []string{
		"delete Pod web-2 in StatefulSet web successful",
		"delete Pod web-1 in StatefulSet web successful",
	}, h.messages("SuccessfulDelete"))
	require.Equal(t, []string{"web-0"}, h.podNames())
	for _, c := range []string{"datadir-web-0", "datadir-web-1", "datadir-web-2"} {
		h.claim(c)
	}
	require.Equal(t, int32(1), h.set().Status.Replicas)
}

func TestOrderedReadyScaleDownWaitsForUnhealthyPods(t *testing.T) {
	h := newHarness(t, DefaultConfig())
	_, err := h.s.Create(testSet(3))
	require.NoError(t, err)
	h.runTo(10 * time.Second)
	require.Len(t, h.podNames(), 3)
	// web-0 turns unready: the scale-down of web-2 must wait for it.
	h.setPod("web-0", func(p *model.Pod) {
		now := h.s.Now()
		p.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionFalse, LastTransitionTime: &now})
	})
	h.updateSet(func(s *model.StatefulSet) { s.Spec.Replicas = model.Ptr[int32](2) })
	h.runTo(20 * time.Second)
	require.Len(t, h.podNames(), 3)
	require.Empty(t, h.messages("SuccessfulDelete"))
	h.setPod("web-0", func(p *model.Pod) {
		now := h.s.Now()
		p.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
	})
	h.runTo(21 * time.Second)
	require.Equal(t, []string{"web-0", "web-1"}, h.podNames())
}

func TestParallelCreatesAllAtOnceAndOrdinalsStart(t *testing.T) {
	h := newHarness(t, DefaultConfig())
	h.readyAfter = -1
	set := testSet(3)
	set.Spec.PodManagementPolicy = model.ParallelPodManagement
	set.Spec.Ordinals = &model.StatefulSetOrdinals{Start: 5}
	_, err := h.s.Create(set)
	require.NoError(t, err)
	h.runTo(time.Second)
	// None is ready; all three exist anyway.
	require.Equal(t, []string{"web-5", "web-6", "web-7"}, h.podNames())
	require.Equal(t, []string{
		"create Claim datadir-web-5 Pod web-5 in StatefulSet web success",
		"create Pod web-5 in StatefulSet web successful",
		"create Claim datadir-web-6 Pod web-6 in StatefulSet web success",
		"create Claim datadir-web-7 Pod web-7 in StatefulSet web success",
		"create Pod web-6 in StatefulSet web successful",
		"create Pod web-7 in StatefulSet web successful",
	}, h.messages("SuccessfulCreate"))
	require.Equal(t, int32(3), h.set().Status.Replicas)
	require.Equal(t, int32(0), h.set().Status.ReadyReplicas)
	// Scale to 1 in parallel: both unready pods go at once.
	h.updateSet(func(s *model.StatefulSet) { s.Spec.Replicas = model.Ptr[int32](1) })
	h.runTo(2 * time.Second)
	require.Equal(t, []string{"web-5"}, h.podNames())
}

func TestRollingUpdateWithPartitionHighestFirst(t *testing.T) {
	h := newHarness(t, DefaultConfig())
	_, err := h.s.Create(testSet(3))
	require.NoError(t, err)
	h.runTo(10 * time.Second)
	oldRev := h.set().Status.CurrentRevision
	claimUID := h.claim("datadir-web-2").UID

	h.updateSet(func(s *model.StatefulSet) {
		s.Spec.Template.Spec.Containers[0].Image = "nginx:2"
		s.Spec.UpdateStrategy.RollingUpdate = &model.RollingUpdateStatefulSetStrategy{Partition: model.Ptr[int32](1)}
	})
	h.runTo(60 * time.Second)
	st := h.set().Status
	newRev := st.UpdateRevision
	require.NotEqual(t, oldRev, newRev)
	require.Equal(t, oldRev, st.CurrentRevision)
	require.Equal(t, []string{
		"delete Pod web-2 in StatefulSet web successful",
		"delete Pod web-1 in StatefulSet web successful",
	}, h.messages("SuccessfulDelete"))
	require.Equal(t, oldRev, h.pod("web-0").Labels[RevisionLabel])
	require.Equal(t, "nginx:1", h.pod("web-0").Spec.Containers[0].Image)
	for _, n := range []string{"web-1", "web-2"} {
		require.Equal(t, newRev, h.pod(n).Labels[RevisionLabel])
		require.Equal(t, "nginx:2", h.pod(n).Spec.Containers[0].Image)
	}
	// The claim followed the pod across its replacement.
	require.Equal(t, claimUID, h.claim("datadir-web-2").UID)
	require.Equal(t, int32(1), st.CurrentReplicas)
	require.Equal(t, int32(2), st.UpdatedReplicas)
	require.Equal(t, int64(2), st.ObservedGeneration)
	// The deletions waited for the replacement to be ready: web-1 was
	// deleted once web-2 was back and ready (1 s after its creation).
	dels := h.rec.Kinds("SuccessfulDelete")
	require.Equal(t, time.Second, (time.Duration(dels[1].T) - time.Duration(dels[0].T)).Round(time.Second))

	// Partition 0 completes the rollout: the update revision becomes current.
	h.updateSet(func(s *model.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = model.Ptr[int32](0) })
	h.runTo(120 * time.Second)
	st = h.set().Status
	require.Equal(t, newRev, st.CurrentRevision)
	require.Equal(t, newRev, st.UpdateRevision)
	require.Equal(t, int32(3), st.CurrentReplicas)
	require.Equal(t, int32(3), st.UpdatedReplicas)
}

func TestRollingUpdateMaxUnavailable(t *testing.T) {
	h := newHarness(t, DefaultConfig())
	set := testSet(4)
	set.Spec.UpdateStrategy.RollingUpdate = &model.RollingUpdateStatefulSetStrategy{MaxUnavailable: model.Ptr(model.FromInt32(2))}
	_, err := h.s.Create(set)
	require.NoError(t, err)
	h.runTo(10 * time.Second)
	h.updateSet(func(s *model.StatefulSet) { s.Spec.Template.Spec.Containers[0].Image = "nginx:2" })
	h.runTo(10*time.Second + 100*time.Millisecond)
	// Two at a time, highest ordinals first.
	require.Equal(t, []string{
		"delete Pod web-3 in StatefulSet web successful",
		"delete Pod web-2 in StatefulSet web successful",
	}, h.messages("SuccessfulDelete"))
}

func TestOnDeleteAndFailedPodReplacement(t *testing.T) {
	h := newHarness(t, DefaultConfig())
	set := testSet(2)
	set.Spec.UpdateStrategy = model.StatefulSetUpdateStrategy{Type: OnDeleteStrategy}
	_, err := h.s.Create(set)
	require.NoError(t, err)
	h.runTo(10 * time.Second)
	h.updateSet(func(s *model.StatefulSet) { s.Spec.Template.Spec.Containers[0].Image = "nginx:2" })
	h.runTo(20 * time.Second)
	require.Empty(t, h.messages("SuccessfulDelete"))
	require.Equal(t, "nginx:1", h.pod("web-1").Spec.Containers[0].Image)

	// A manual deletion brings web-1 back at the new revision.
	require.NoError(t, h.s.Delete("Pod", "default", "web-1"))
	h.runTo(30 * time.Second)
	require.Equal(t, "nginx:2", h.pod("web-1").Spec.Containers[0].Image)
	require.Equal(t, h.set().Status.UpdateRevision, h.pod("web-1").Labels[RevisionLabel])

	// A failed pod is deleted and re-created with the same name and claim.
	uid, claimUID := h.pod("web-0").UID, h.claim("datadir-web-0").UID
	h.setPod("web-0", func(p *model.Pod) { p.Status.Phase = model.PodFailed })
	h.runTo(40 * time.Second)
	require.NotEqual(t, uid, h.pod("web-0").UID)
	require.Equal(t, claimUID, h.claim("datadir-web-0").UID)
	require.Equal(t, model.PodRunning, h.pod("web-0").Status.Phase)
	require.Contains(t, h.messages("SuccessfulDelete"), "delete Pod web-0 in StatefulSet web successful")
}

func TestRetentionPolicyDeleteOnScaleDownAndSetDeletion(t *testing.T) {
	h := newHarness(t, DefaultConfig())
	garbagecollector.New(h.k, h.s.NewClient, garbagecollector.DefaultConfig()).Start()
	set := testSet(2)
	set.Spec.PersistentVolumeClaimRetentionPolicy = &model.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenScaled: DeletePolicy, WhenDeleted: DeletePolicy}
	_, err := h.s.Create(set)
	require.NoError(t, err)
	h.runTo(10 * time.Second)
	setUID := h.set().UID
	for _, c := range []string{"datadir-web-0", "datadir-web-1"} {
		refs := h.claim(c).OwnerReferences
		require.Len(t, refs, 1, c)
		require.Equal(t, setUID, refs[0].UID)
		require.Equal(t, "StatefulSet", refs[0].Kind)
	}
	// Scaled down: web-1's claim is handed to the pod, and goes with it.
	h.updateSet(func(s *model.StatefulSet) { s.Spec.Replicas = model.Ptr[int32](1) })
	h.runTo(20 * time.Second)
	require.Equal(t, []string{"web-0"}, h.podNames())
	_, err = h.s.Get("PersistentVolumeClaim", "default", "datadir-web-1")
	require.True(t, model.IsNotFound(err), "claim of the scaled-down pod: %v", err)
	h.claim("datadir-web-0")

	// The set is deleted: its claims follow.
	require.NoError(t, h.s.Delete("StatefulSet", "default", "web"))
	h.runTo(30 * time.Second)
	require.Empty(t, h.podNames())
	objs, _ := h.s.List("PersistentVolumeClaim")
	require.Empty(t, objs)
}
