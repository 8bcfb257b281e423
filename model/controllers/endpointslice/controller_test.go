package endpointslice

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

type harness struct {
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
}

func newHarness(t *testing.T) *harness {
	k := sim.NewKernel(5)
	s := apiserver.New(k, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	for i, zone := range []string{"zone-a", "zone-b"} {
		_, err := s.Create(&model.Node{ObjectMeta: model.ObjectMeta{Name: fmt.Sprintf("node-%d", i),
			Labels: map[string]string{model.LabelTopologyZone: zone}}})
		require.NoError(t, err)
	}
	New(k, s.NewClient, DefaultConfig()).Start()
	return &harness{k: k, s: s, rec: rec}
}

func (h *harness) run(d time.Duration) { h.k.Run(h.k.Now().Add(d)) }

// startPod plays scheduler and kubelet: bind, give an IP, set readiness.
func (h *harness) startPod(t *testing.T, name string, i int, ready bool) {
	t.Helper()
	node := fmt.Sprintf("node-%d", i%2)
	require.NoError(t, h.s.Bind("default", name, node))
	h.setPod(t, name, func(p *model.Pod) {
		p.Status.Phase = model.PodRunning
		p.Status.PodIP = fmt.Sprintf("10.1.%d.%d", i/200, i%200+1)
		st := model.ConditionFalse
		if ready {
			st = model.ConditionTrue
		}
		p.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: st})
	})
}

func (h *harness) setPod(t *testing.T, name string, f func(p *model.Pod)) {
	o, err := h.s.Get("Pod", "default", name)
	require.NoError(t, err)
	p := model.DeepCopy(o.(*model.Pod))
	f(p)
	_, err = h.s.Update(p)
	require.NoError(t, err)
}

func (h *harness) createPod(t *testing.T, name string) {
	_, err := h.s.Create(&model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{"app": "web"}},
		Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img",
			Ports: []model.ContainerPort{{Name: "http", ContainerPort: 8080}}}}}})
	require.NoError(t, err)
}

func (h *harness) slices(t *testing.T) []*model.EndpointSlice {
	objs, err := h.s.List("EndpointSlice")
	require.NoError(t, err)
	out := make([]*model.EndpointSlice, len(objs))
	for i, o := range objs {
		out[i] = o.(*model.EndpointSlice)
	}
	return out
}

type epView struct {
	pod, node, zone             string
	ready, serving, terminating bool
}

func view(ss []*model.EndpointSlice) []epView {
	var out []epView
	for _, s := range ss {
		for _, e := range s.Endpoints {
			out = append(out, epView{e.TargetRef.Name, *e.NodeName, *e.Zone, *e.Conditions.Ready, *e.Conditions.Serving, *e.Conditions.Terminating})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pod < out[j].pod })
	return out
}

func TestEndpointSliceFollowsPods(t *testing.T) {
	h := newHarness(t)
	_, err := h.s.Create(&model.Service{ObjectMeta: model.ObjectMeta{Name: "web"},
		Spec: model.ServiceSpec{Selector: map[string]string{"app": "web"}, ClusterIP: "10.96.0.10",
			Ports: []model.ServicePort{{Name: "http", Port: 80, TargetPort: model.FromString("http")}}}})
	require.NoError(t, err)
	h.run(time.Second)
	ss := h.slices(t)
	require.Len(t, ss, 1, "a placeholder")
	require.Empty(t, ss[0].Endpoints)
	placeholder := ss[0].Name

	for i := 0; i < 3; i++ {
		h.createPod(t, fmt.Sprintf("web-%d", i))
	}
	h.run(time.Second)
	require.Empty(t, h.slices(t)[0].Endpoints, "pods without an IP are skipped")
	for i := 0; i < 3; i++ {
		h.startPod(t, fmt.Sprintf("web-%d", i), i, i != 2)
	}
	h.run(time.Second)
	ss = h.slices(t)
	require.Len(t, ss, 1)
	sl := ss[0]
	require.Equal(t, placeholder, sl.Name, "the placeholder is filled, not replaced")
	require.Equal(t, "web", sl.Labels[LabelServiceName])
	require.Equal(t, ControllerName, sl.Labels[LabelManagedBy])
	require.Equal(t, int32(8080), *sl.Ports[0].Port, "the named targetPort resolved")
	require.Equal(t, []epView{
		{"web-0", "node-0", "zone-a", true, true, false},
		{"web-1", "node-1", "zone-b", true, true, false},
		{"web-2", "node-0", "zone-a", false, false, false},
	}, view(ss))

	// web-0 is deleted: bound, so it terminates gracefully and its endpoint
	// is marked terminating; once gone, it is removed.
	require.NoError(t, h.s.Delete("Pod", "default", "web-0"))
	h.run(time.Second)
	require.Equal(t, epView{"web-0", "node-0", "zone-a", false, true, true}, view(h.slices(t))[0])
	require.NoError(t, h.s.DeleteWith("Pod", "default", "web-0", model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)}))
	h.run(time.Second)
	require.Len(t, view(h.slices(t)), 2)

	// A label change takes a pod out of the Service.
	h.setPod(t, "web-1", func(p *model.Pod) { p.Labels = map[string]string{"app": "other"} })
	h.run(time.Second)
	require.Equal(t, []epView{{"web-2", "node-0", "zone-a", false, false, false}}, view(h.slices(t)))

	ev := h.rec.Kinds("EndpointSlicesReconciled")
	require.NotEmpty(t, ev)
	require.Equal(t, "default/web", ev[0].Object)
	require.Equal(t, Component, ev[0].Source)
}

func TestEndpointSliceSplitsAtMaxAndRecreatesDeleted(t *testing.T) {
	h := newHarness(t)
	_, err := h.s.Create(&model.Service{ObjectMeta: model.ObjectMeta{Name: "web"},
		Spec: model.ServiceSpec{Selector: map[string]string{"app": "web"}, ClusterIP: "10.96.0.10",
			Ports: []model.ServicePort{{Name: "http", Port: 80, TargetPort: model.FromInt32(8080)}}}})
	require.NoError(t, err)
	for i := 0; i < 150; i++ {
		h.createPod(t, fmt.Sprintf("web-%03d", i))
	}
	h.run(time.Second)
	for i := 0; i < 150; i++ {
		h.startPod(t, fmt.Sprintf("web-%03d", i), i, true)
	}
	h.run(5 * time.Second)
	ss := h.slices(t)
	require.Len(t, ss, 2)
	total := 0
	for _, s := range ss {
		require.LessOrEqual(t, len(s.Endpoints), 100)
		total += len(s.Endpoints)
	}
	require.Equal(t, 150, total)

	// Someone deletes a managed slice: the controller puts its endpoints back.
	require.NoError(t, h.s.Delete("EndpointSlice", "default", ss[0].Name))
	h.run(10 * time.Second)
	total = 0
	for _, s := range h.slices(t) {
		total += len(s.Endpoints)
	}
	require.Equal(t, 150, total)
}
