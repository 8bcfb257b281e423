package apiserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func testPod(name string) *model.Pod {
	return &model.Pod{ObjectMeta: model.ObjectMeta{Name: name}, Spec: model.PodSpec{
		Containers: []model.Container{{Name: "c", Image: "img:1"}}}}
}

func TestCreateDefaultsAndVersions(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	o, err := s.Create(testPod("a"))
	require.NoError(t, err)
	p := o.(*model.Pod)
	require.Equal(t, "default", p.Namespace, "namespaced objects default to the default namespace")
	require.Equal(t, model.PodPending, p.Status.Phase)
	require.Equal(t, "1", p.ResourceVersion)
	require.Equal(t, int64(1), p.Generation)
	require.Equal(t, int32(0), *p.Spec.Priority)
	require.Equal(t, model.PreemptLowerPriority, *p.Spec.PreemptionPolicy)
	_, err = s.Create(testPod("a"))
	require.True(t, model.IsAlreadyExists(err))

	gen := testPod("")
	gen.GenerateName = "web-"
	o, err = s.Create(gen)
	require.NoError(t, err)
	require.Regexp(t, `^web-[bcdfghjklmnpqrstvwxz2456789]{5}$`, o.GetObjectMeta().Name)

	bad := testPod("b")
	bad.Spec.Containers[0].Image = ""
	_, err = s.Create(bad)
	require.Equal(t, model.ReasonInvalid, model.ReasonOf(err))
}

func TestUpdateConflictsAndGeneration(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	d := &model.Deployment{ObjectMeta: model.ObjectMeta{Name: "web"}, Spec: model.DeploymentSpec{
		Selector: &model.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: map[string]string{"app": "web"}},
			Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img:1"}}}}}}
	o, err := s.Create(d)
	require.NoError(t, err)
	cur := model.DeepCopy(o.(*model.Deployment))
	stale := model.DeepCopy(cur)

	cur.Status.Replicas = 3 // status only: generation stays
	o, err = s.Update(cur)
	require.NoError(t, err)
	require.Equal(t, int64(1), o.GetObjectMeta().Generation)

	stale.Spec.Replicas = model.Ptr[int32](5)
	_, err = s.Update(stale)
	require.True(t, model.IsConflict(err), "an update based on an old resourceVersion conflicts")

	next := model.DeepCopy(o.(*model.Deployment))
	next.Spec.Replicas = model.Ptr[int32](5)
	o, err = s.Update(next)
	require.NoError(t, err)
	require.Equal(t, int64(2), o.GetObjectMeta().Generation, "spec changes bump generation")
}

func TestPriorityAdmission(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	_, err := s.Create(&model.PriorityClass{ObjectMeta: model.ObjectMeta{Name: "high"}, Value: 1000})
	require.NoError(t, err)
	_, err = s.Create(&model.PriorityClass{ObjectMeta: model.ObjectMeta{Name: "dflt"}, Value: 10, GlobalDefault: true,
		PreemptionPolicy: model.Ptr(model.PreemptNever)})
	require.NoError(t, err)
	p := testPod("p")
	p.Spec.PriorityClassName = "high"
	o, err := s.Create(p)
	require.NoError(t, err)
	require.Equal(t, int32(1000), o.(*model.Pod).PriorityValue())
	o, err = s.Create(testPod("q"))
	require.NoError(t, err)
	require.Equal(t, int32(10), o.(*model.Pod).PriorityValue(), "the global default class applies")
	require.Equal(t, model.PreemptNever, *o.(*model.Pod).Spec.PreemptionPolicy)
	crit := testPod("c")
	crit.Spec.PriorityClassName = model.SystemNodeCritical
	o, err = s.Create(crit)
	require.NoError(t, err)
	require.Equal(t, int32(2000001000), o.(*model.Pod).PriorityValue())
	missing := testPod("m")
	missing.Spec.PriorityClassName = "nope"
	_, err = s.Create(missing)
	require.Equal(t, model.ReasonForbidden, model.ReasonOf(err))
}

func TestBind(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	_, err := s.Create(testPod("p"))
	require.NoError(t, err)
	require.NoError(t, s.Bind("default", "p", "n1"))
	o, _ := s.Get("Pod", "default", "p")
	p := o.(*model.Pod)
	require.Equal(t, "n1", p.Spec.NodeName)
	require.Equal(t, model.ConditionTrue, p.Status.Condition(model.PodScheduled).Status)
	require.True(t, model.IsConflict(s.Bind("default", "p", "n2")), "a bound pod cannot be bound again")
	require.True(t, model.IsNotFound(s.Bind("default", "nope", "n1")))
}

func TestClientLatencyAndThrottling(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	c := s.NewClient("test", 10, 2)
	var done []sim.Time
	for i := 0; i < 4; i++ {
		c.Create(testPod(string(rune('a'+i))), func(_ model.Object, err error) {
			require.NoError(t, err)
			done = append(done, k.Now())
		})
	}
	k.Run(sim.Time(time.Minute))
	// Burst 2 go at once, then one per 100 ms; each write commits 1 ms later.
	ms := sim.Time(time.Millisecond)
	require.Equal(t, []sim.Time{1 * ms, 1 * ms, 101 * ms, 201 * ms}, done)
	require.Equal(t, uint64(4), s.Requests())
}

func TestWatchReplaysThenStreams(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	_, _ = s.Create(testPod("a"))
	var got []string
	s.Watch("Pod", func(ev model.WatchEvent) {
		name := ""
		if ev.Object != nil {
			name = ev.Object.GetObjectMeta().Name
		}
		got = append(got, string(ev.Type)+":"+name)
	})
	_, _ = s.Create(testPod("b"))
	_ = s.Delete("Pod", "default", "a")
	k.Run(sim.Never)
	require.Equal(t, []string{"ADDED:a", "SYNCED:", "ADDED:b", "DELETED:a"}, got)
}

func TestInformerRelistsAfterBrokenWatch(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	_, _ = s.Create(testPod("a"))
	_, _ = s.Create(testPod("b"))
	inf := model.NewInformer(k, s.NewClient("ctrl", 0, 0), "Pod", 0)
	var log []string
	inf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { log = append(log, "add "+o.GetObjectMeta().Name) },
		OnUpdate: func(_, o model.Object) { log = append(log, "update "+o.GetObjectMeta().Name) },
		OnDelete: func(o model.Object) { log = append(log, "delete "+o.GetObjectMeta().Name) },
	})
	inf.Start()
	k.Run(sim.Never)
	require.True(t, inf.HasSynced())
	require.Equal(t, []string{"add a", "add b"}, log)

	// The watch breaks; while it is down, a is deleted and b changes.
	s.BreakWatches("Pod")
	_ = s.Delete("Pod", "default", "a")
	o, _ := s.Get("Pod", "default", "b")
	b := model.DeepCopy(o.(*model.Pod))
	b.Labels = map[string]string{"x": "y"}
	_, _ = s.Update(b)
	_, _ = s.Create(testPod("c"))
	log = nil
	k.Run(sim.Never)
	require.Equal(t, 1, inf.Relists())
	require.ElementsMatch(t, []string{"update b", "add c", "delete a"}, log)
	require.Equal(t, 2, inf.Len())
}

func TestGracefulPodDeletionAndFinalizers(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	p := testPod("p")
	p.Spec.TerminationGracePeriodSeconds = model.Ptr[int64](45)
	_, err := s.Create(p)
	require.NoError(t, err)
	o, _ := s.Get("Pod", "default", "p")
	require.Len(t, o.(*model.Pod).Spec.Tolerations, 2, "DefaultTolerationSeconds adds not-ready and unreachable")
	require.Equal(t, int64(300), *o.(*model.Pod).Spec.Tolerations[0].TolerationSeconds)

	// An unbound pod goes at once.
	require.NoError(t, s.Delete("Pod", "default", "p"))
	_, err = s.Get("Pod", "default", "p")
	require.True(t, model.IsNotFound(err))

	// A bound pod is marked and waits for its kubelet.
	_, _ = s.Create(p)
	require.NoError(t, s.Bind("default", "p", "n1"))
	require.NoError(t, s.Delete("Pod", "default", "p"))
	o, err = s.Get("Pod", "default", "p")
	require.NoError(t, err)
	m := o.GetObjectMeta()
	require.Equal(t, start.Add(45*time.Second), *m.DeletionTimestamp)
	require.Equal(t, int64(45), *m.DeletionGracePeriodSeconds)
	require.NoError(t, s.DeleteWith("Pod", "default", "p", model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)}))
	_, err = s.Get("Pod", "default", "p")
	require.True(t, model.IsNotFound(err), "the kubelet's grace-0 delete removes it")

	// Foreground deletion adds its finalizer; removing it completes the delete.
	cm := &model.ConfigMap{ObjectMeta: model.ObjectMeta{Name: "c"}}
	_, _ = s.Create(cm)
	fg := model.DeletePropagationForeground
	require.NoError(t, s.DeleteWith("ConfigMap", "default", "c", model.DeleteOptions{PropagationPolicy: &fg}))
	o, err = s.Get("ConfigMap", "default", "c")
	require.NoError(t, err)
	require.Equal(t, []string{model.FinalizerForegroundDeletion}, o.GetObjectMeta().Finalizers)
	require.NotNil(t, o.GetObjectMeta().DeletionTimestamp)
	c := model.DeepCopy(o.(*model.ConfigMap))
	c.Finalizers = nil
	_, err = s.Update(c)
	require.NoError(t, err)
	_, err = s.Get("ConfigMap", "default", "c")
	require.True(t, model.IsNotFound(err))
}

func TestEvictionRespectsDisruptionBudget(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	for _, n := range []string{"a", "b"} {
		p := testPod(n)
		p.Labels = map[string]string{"app": "web"}
		_, _ = s.Create(p)
		require.NoError(t, s.Bind("default", n, "n1"))
		o, _ := s.Get("Pod", "default", n)
		rp := model.DeepCopy(o.(*model.Pod))
		rp.Status.Phase = model.PodRunning
		rp.Status.Conditions = append(rp.Status.Conditions, model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue})
		_, err := s.Update(rp)
		require.NoError(t, err)
	}
	pdb := &model.PodDisruptionBudget{ObjectMeta: model.ObjectMeta{Name: "web"}, Spec: model.PodDisruptionBudgetSpec{
		MinAvailable: model.Ptr(model.FromInt32(1)), Selector: &model.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	o, _ := s.Create(pdb)
	cur := model.DeepCopy(o.(*model.PodDisruptionBudget))
	cur.Status = model.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2}
	_, err := s.Update(cur)
	require.NoError(t, err)

	require.NoError(t, s.Evict("default", "a"))
	o, _ = s.Get("Pod", "default", "a")
	require.NotNil(t, o.GetObjectMeta().DeletionTimestamp, "evicted: graceful deletion started")
	require.Equal(t, "EvictionByEvictionAPI", o.(*model.Pod).Status.Condition(model.DisruptionTarget).Reason)
	o, _ = s.Get("PodDisruptionBudget", "default", "web")
	require.Equal(t, int32(0), o.(*model.PodDisruptionBudget).Status.DisruptionsAllowed)
	require.Contains(t, o.(*model.PodDisruptionBudget).Status.DisruptedPods, "a")

	err = s.Evict("default", "b")
	require.True(t, model.IsTooManyRequests(err), "the budget is spent")
	require.Contains(t, err.Error(), "Cannot evict pod as it would violate the pod's disruption budget.")
}

func TestStatusSubresourceAndMergePatch(t *testing.T) {
	k := sim.NewKernel(1)
	s := New(k, start)
	_, err := s.Create(testPod("p"))
	require.NoError(t, err)
	o, _ := s.Get("Pod", "default", "p")
	p := model.DeepCopy(o.(*model.Pod))
	p.Status.Phase = model.PodRunning
	p.Spec.Containers[0].Image = "ignored:2" // the status subresource ignores spec
	o, err = s.UpdateStatus(p)
	require.NoError(t, err)
	require.Equal(t, model.PodRunning, o.(*model.Pod).Status.Phase)
	require.Equal(t, "img:1", o.(*model.Pod).Spec.Containers[0].Image)
	_, err = s.UpdateStatus(p) // p carries the old resourceVersion
	require.True(t, model.IsConflict(err))

	o, err = s.Patch("Pod", "default", "p", []byte(`{"metadata": {"labels": {"tier": "web"}, "annotations": null}}`))
	require.NoError(t, err)
	require.Equal(t, "web", o.GetObjectMeta().Labels["tier"])
	require.Equal(t, model.PodRunning, o.(*model.Pod).Status.Phase, "untouched fields stay")
	_, err = s.Patch("Pod", "default", "p", []byte(`{"spec": {"containers": 5}}`))
	require.Equal(t, model.ReasonInvalid, model.ReasonOf(err))
}

func TestNamespaceDeletionWaitsForItsFinalizer(t *testing.T) {
	s := New(sim.NewKernel(1), start)
	_, err := s.Create(&model.Namespace{ObjectMeta: model.ObjectMeta{Name: "shop"}})
	require.NoError(t, err)
	require.NoError(t, s.Delete("Namespace", "", "shop"))
	o, err := s.Get("Namespace", "", "shop")
	require.NoError(t, err, "kept while spec.finalizers holds kubernetes")
	require.Equal(t, "Terminating", o.(*model.Namespace).Status.Phase)
	p := testPod("p")
	p.Namespace = "shop"
	_, err = s.Create(p)
	require.Equal(t, model.ReasonForbidden, model.ReasonOf(err), "no new content in a terminating namespace")
	ns := model.DeepCopy(o.(*model.Namespace))
	ns.Spec.Finalizers = nil
	_, err = s.Update(ns)
	require.NoError(t, err)
	_, err = s.Get("Namespace", "", "shop")
	require.True(t, model.IsNotFound(err))
}
