package replicaset

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var start = DefaultStart

type harness struct {
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
	c   *Controller
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	k := sim.NewKernel(7)
	s := apiserver.New(k, start)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	c := New(k, s.NewClient, DefaultConfig())
	c.Start()
	return &harness{k: k, s: s, rec: rec, c: c}
}

func (h *harness) runTo(d time.Duration) { h.k.Run(sim.Time(d)) }

func (h *harness) pods(t *testing.T) []*model.Pod {
	t.Helper()
	objs, err := h.s.List("Pod")
	require.NoError(t, err)
	out := make([]*model.Pod, len(objs))
	for i, o := range objs {
		out[i] = o.(*model.Pod)
	}
	return out
}

func (h *harness) rs(t *testing.T, name string) *model.ReplicaSet {
	t.Helper()
	o, err := h.s.Get("ReplicaSet", "default", name)
	require.NoError(t, err)
	return o.(*model.ReplicaSet)
}

// setPod changes a stored pod directly, as the scheduler and kubelet would.
func (h *harness) setPod(t *testing.T, name string, f func(p *model.Pod)) {
	t.Helper()
	o, err := h.s.Get("Pod", "default", name)
	require.NoError(t, err)
	p := model.DeepCopy(o.(*model.Pod))
	f(p)
	_, err = h.s.Update(p)
	require.NoError(t, err)
}

func (h *harness) makeReady(t *testing.T, name, node string) {
	now := h.s.Now()
	if node != "" {
		require.NoError(t, h.s.Bind("default", name, node))
	}
	h.setPod(t, name, func(p *model.Pod) {
		p.Status.Phase = model.PodRunning
		p.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
	})
}

func webRS(replicas int32) *model.ReplicaSet {
	labels := map[string]string{"app": "web"}
	return &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: model.ReplicaSetSpec{Replicas: model.Ptr(replicas), Selector: &model.LabelSelector{MatchLabels: labels},
			Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: labels},
				Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img:1"}}}}}}
}

func TestReplicaSetScalesUpWithSlowStartAndDownByRank(t *testing.T) {
	h := newHarness(t)
	_, err := h.s.Create(webRS(5))
	require.NoError(t, err)
	h.runTo(time.Second)

	pods := h.pods(t)
	require.Len(t, pods, 5)
	rs := h.rs(t, "web")
	for _, p := range pods {
		require.True(t, strings.HasPrefix(p.Name, "web-"), p.Name)
		require.Equal(t, "web-", p.GenerateName)
		ref := p.ControllerRef()
		require.NotNil(t, ref)
		require.Equal(t, model.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: rs.UID,
			Controller: model.Ptr(true), BlockOwnerDeletion: model.Ptr(true)}, *ref)
		require.Equal(t, "web", p.Labels["app"])
	}
	// Slow start: batches of 1, 2, 2, each waiting for the previous one's
	// 1 ms commits.
	var at []time.Duration
	for _, e := range h.rec.Kinds("SuccessfulCreate") {
		require.Equal(t, "replicaset-controller", e.Source)
		require.Equal(t, "default/web", e.Object)
		at = append(at, time.Duration(e.T))
	}
	ms := time.Millisecond
	require.Equal(t, []time.Duration{ms, 2 * ms, 2 * ms, 3 * ms, 3 * ms}, at)
	require.Equal(t, model.ReplicaSetStatus{Replicas: 5, FullyLabeledReplicas: 5, ObservedGeneration: 1}, rs.Status)

	// Three pods get bound and ready at 1 s, 5 s and 9 s; two stay
	// unscheduled.
	for i, at := range []time.Duration{time.Second, 5 * time.Second, 9 * time.Second} {
		name := pods[i].Name
		h.k.At(sim.Time(at), sim.HandlerFunc(func(sim.Time) { h.makeReady(t, name, "node-1") }))
	}
	h.runTo(10 * time.Second)
	require.Equal(t, int32(3), h.rs(t, "web").Status.ReadyReplicas)

	// Scale to 2: the unscheduled pods go first, then the most recently
	// ready one.
	cur := model.DeepCopy(h.rs(t, "web"))
	cur.Spec.Replicas = model.Ptr[int32](2)
	_, err = h.s.Update(cur)
	require.NoError(t, err)
	h.runTo(11 * time.Second)
	// Unbound pods go at once; the bound one is deleted gracefully and
	// waits for its kubelet (there is none here) with a deletionTimestamp.
	var left, terminating []string
	for _, p := range h.pods(t) {
		if p.DeletionTimestamp != nil {
			terminating = append(terminating, p.Name)
			continue
		}
		left = append(left, p.Name)
	}
	require.Equal(t, []string{pods[0].Name, pods[1].Name}, left)
	require.Equal(t, []string{pods[2].Name}, terminating)
	require.Len(t, h.rec.Kinds("SuccessfulDelete"), 3)
	st := h.rs(t, "web").Status
	require.Equal(t, int32(2), st.Replicas)
	require.Equal(t, int64(2), st.ObservedGeneration)
}

func TestReplicaSetAdoptsAndReleases(t *testing.T) {
	h := newHarness(t)
	orphan := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "orphan", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img:1"}}}}
	_, err := h.s.Create(orphan)
	require.NoError(t, err)
	_, err = h.s.Create(webRS(2))
	require.NoError(t, err)
	h.runTo(time.Second)
	pods := h.pods(t)
	require.Len(t, pods, 2, "the orphan is adopted, one more is created")
	rs := h.rs(t, "web")
	o, _ := h.s.Get("Pod", "default", "orphan")
	require.Equal(t, rs.UID, o.(*model.Pod).ControllerRef().UID)
	require.Len(t, h.rec.Kinds("SuccessfulCreate"), 1)

	// The adopted pod's labels change: it is released and replaced.
	h.setPod(t, "orphan", func(p *model.Pod) { p.Labels = map[string]string{"app": "debug"} })
	h.runTo(2 * time.Second)
	o, _ = h.s.Get("Pod", "default", "orphan")
	require.Nil(t, o.(*model.Pod).ControllerRef(), "released")
	require.Len(t, h.pods(t), 3)
	require.Len(t, h.rec.Kinds("SuccessfulCreate"), 2)
	require.Equal(t, int32(2), h.rs(t, "web").Status.Replicas)
}

func TestReplicaSetMinReadySeconds(t *testing.T) {
	h := newHarness(t)
	rs := webRS(1)
	rs.Spec.MinReadySeconds = 10
	_, err := h.s.Create(rs)
	require.NoError(t, err)
	h.runTo(time.Second)
	name := h.pods(t)[0].Name
	h.makeReady(t, name, "node-1")
	h.runTo(6 * time.Second)
	st := h.rs(t, "web").Status
	require.Equal(t, int32(1), st.ReadyReplicas)
	require.Equal(t, int32(0), st.AvailableReplicas, "ready for 5 s of 10")
	h.runTo(13 * time.Second)
	require.Equal(t, int32(1), h.rs(t, "web").Status.AvailableReplicas, "the controller looked again after minReadySeconds")
}

func TestReplicaSetReplacesDeletedPodsDeterministically(t *testing.T) {
	run := func() []string {
		h := newHarness(t)
		_, err := h.s.Create(webRS(3))
		require.NoError(t, err)
		h.runTo(time.Second)
		for _, p := range h.pods(t)[:2] {
			require.NoError(t, h.s.Delete("Pod", "default", p.Name))
		}
		h.runTo(2 * time.Second)
		require.Len(t, h.pods(t), 3)
		var out []string
		for _, e := range h.rec.Events {
			out = append(out, string(e.AppendJSON(nil)))
		}
		return out
	}
	a, b := run(), run()
	require.Len(t, a, 5, "3 + 2 SuccessfulCreate")
	require.Equal(t, a, b)
}
