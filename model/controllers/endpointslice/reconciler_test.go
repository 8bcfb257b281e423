package endpointslice

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func svc(ports ...model.ServicePort) *model.Service {
	s := &model.Service{ObjectMeta: model.ObjectMeta{Name: "foo", Namespace: "default", UID: "svc-uid", Labels: map[string]string{"team": "a"}},
		Spec: model.ServiceSpec{Selector: map[string]string{"app": "foo"}, ClusterIP: "10.0.0.10", Ports: ports}}
	return s
}

func tcp(name string, port int32, target model.IntOrString) model.ServicePort {
	return model.ServicePort{Name: name, Protocol: model.ProtocolTCP, Port: port, TargetPort: target}
}

func newPod(i int, ready bool) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: fmt.Sprintf("pod%d", i), Namespace: "default", UID: fmt.Sprintf("uid%d", i), Labels: map[string]string{"app": "foo"}},
		Spec: model.PodSpec{NodeName: "node-1", Containers: []model.Container{{Name: "c", Image: "img",
			Ports: []model.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: model.ProtocolTCP}}}}}}
	p.Status.Phase = model.PodRunning
	p.Status.PodIP = fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
	if ready {
		p.Status.Conditions = []model.PodCondition{{Type: model.PodReady, Status: model.ConditionTrue}}
	}
	return p
}

func pods(from, to int) []*model.Pod {
	var out []*model.Pod
	for i := from; i < to; i++ {
		out = append(out, newPod(i, true))
	}
	return out
}

var node1 = &model.Node{ObjectMeta: model.ObjectMeta{Name: "node-1", Labels: map[string]string{model.LabelTopologyZone: "zone-a"}}}

func nodes(name string) (*model.Node, bool) {
	if name == "node-1" {
		return node1, true
	}
	return nil, false
}

// existingSlice builds a managed slice holding the endpoints of pods.
func existingSlice(s *model.Service, name string, ps []*model.Pod) *model.EndpointSlice {
	sl := newSlice(s, &endpointMeta{ports: EndpointPorts(s, newPod(0, true)), addressType: AddressTypeIPv4})
	sl.Name = name
	sl.UID = "uid-" + name
	sl.Generation = 1
	for _, p := range ps {
		sl.Endpoints = append(sl.Endpoints, PodToEndpoint(p, node1, AddressTypeIPv4))
	}
	return sl
}

func lens(ss []*model.EndpointSlice) []int {
	out := []int{}
	for _, s := range ss {
		out = append(out, len(s.Endpoints))
	}
	return out
}

// TestReconcileOnePod follows upstream's TestReconcile1Pod
// (staging/src/k8s.io/endpointslice/reconciler_test.go).
func TestReconcileOnePod(t *testing.T) {
	s := svc(tcp("http", 80, model.FromString("http")))
	plan, errs := Reconcile(s, pods(0, 1), nodes, nil, 100)
	require.Empty(t, errs)
	require.Len(t, plan.Create, 1)
	require.Empty(t, plan.Update)
	require.Empty(t, plan.Delete)
	sl := plan.Create[0]
	require.Equal(t, "foo-", sl.GenerateName)
	require.Equal(t, AddressTypeIPv4, sl.AddressType)
	require.Equal(t, map[string]string{"team": "a", LabelServiceName: "foo", LabelManagedBy: ControllerName}, sl.Labels)
	require.Equal(t, []model.OwnerReference{{APIVersion: "v1", Kind: "Service", Name: "foo", UID: "svc-uid",
		Controller: model.Ptr(true), BlockOwnerDeletion: model.Ptr(true)}}, sl.OwnerReferences)
	require.Equal(t, []model.EndpointPort{{Name: model.Ptr("http"), Protocol: model.Ptr(model.ProtocolTCP), Port: model.Ptr[int32](8080)}}, sl.Ports)
	require.Equal(t, []model.Endpoint{{
		Addresses:  []string{"10.1.0.1"},
		Conditions: model.EndpointConditions{Ready: model.Ptr(true), Serving: model.Ptr(true), Terminating: model.Ptr(false)},
		TargetRef:  &model.ObjectReference{Kind: "Pod", Namespace: "default", Name: "pod0", UID: "uid0"},
		NodeName:   model.Ptr("node-1"),
		Zone:       model.Ptr("zone-a"),
	}}, sl.Endpoints)
}

// TestReconcilePlaceholder follows upstream's TestReconcileEmpty and the
// placeholder tests: a Service without endpoints gets one empty slice, and
// keeps it.
func TestReconcilePlaceholder(t *testing.T) {
	s := svc(tcp("http", 80, model.FromInt32(8080)))
	plan, _ := Reconcile(s, nil, nodes, nil, 100)
	require.Len(t, plan.Create, 1)
	require.Empty(t, plan.Create[0].Endpoints)
	require.Empty(t, plan.Create[0].Ports)
	placeholder := model.DeepCopy(plan.Create[0])
	placeholder.Name, placeholder.UID = "foo-abcde", "p-uid"
	plan, _ = Reconcile(s, nil, nodes, []*model.EndpointSlice{placeholder}, 100)
	require.True(t, plan.Empty(), "the placeholder stays as it is")

	// Pods appear: the placeholder is reused instead of deleted + created.
	plan, _ = Reconcile(s, pods(0, 3), nodes, []*model.EndpointSlice{placeholder}, 100)
	require.Empty(t, plan.Create)
	require.Empty(t, plan.Delete)
	require.Len(t, plan.Update, 1)
	require.Equal(t, "foo-abcde", plan.Update[0].Name)
	require.Len(t, plan.Update[0].Endpoints, 3)
}

// TestReconcileManyPods follows upstream's TestReconcile250Pods: 250
// endpoints in slices of at most 100.
func TestReconcileManyPods(t *testing.T) {
	s := svc(tcp("http", 80, model.FromInt32(8080)))
	plan, _ := Reconcile(s, pods(0, 250), nodes, nil, 100)
	require.Equal(t, []int{100, 100, 50}, lens(plan.Create))
}

// TestReconcileSomePreexisting follows upstream's
// TestReconcileEndpointSlicesSomePreexisting: endpoints no longer wanted
// leave their slice, new ones fill the slices being updated first.
func TestReconcileSomePreexisting(t *testing.T) {
	s := svc(tcp("http", 80, model.FromInt32(8080)))
	all := pods(0, 200)
	full := existingSlice(s, "foo-full", all[:100])       // all still wanted
	partial := existingSlice(s, "foo-part", all[100:140]) // 10 will be gone
	want := append(append([]*model.Pod(nil), all[:130]...), all[140:165]...)
	plan, errs := Reconcile(s, want, nodes, []*model.EndpointSlice{full, partial}, 100)
	require.Empty(t, errs)
	require.Empty(t, plan.Create)
	require.Empty(t, plan.Delete)
	require.Len(t, plan.Update, 1)
	require.Equal(t, "foo-part", plan.Update[0].Name)
	require.Len(t, plan.Update[0].Endpoints, 55, "30 kept + 25 new")
}

// TestReconcileFillsClosestToFull follows upstream's getSliceToFill tests:
// leftovers go into the unchanged slice they fill best.
func TestReconcileFillsClosestToFull(t *testing.T) {
	s := svc(tcp("http", 80, model.FromInt32(8080)))
	all := pods(0, 200)
	a := existingSlice(s, "foo-a", all[:95])
	b := existingSlice(s, "foo-b", all[95:145])
	plan, _ := Reconcile(s, all[:150], nodes, []*model.EndpointSlice{a, b}, 100)
	require.Empty(t, plan.Create)
	require.Len(t, plan.Update, 1)
	require.Equal(t, "foo-a", plan.Update[0].Name, "95 + 5 fills it exactly")
	require.Len(t, plan.Update[0].Endpoints, 100)

	// Too many for any: a new slice; unchanged slices are not touched.
	plan, _ = Reconcile(s, all[:200], nodes, []*model.EndpointSlice{a, b}, 100)
	require.Equal(t, []int{55}, lens(plan.Create))
	require.Empty(t, plan.Update)
}

// TestReconcileConditionsAndSkips covers which pods get endpoints and their
// conditions (upstream TestPodToEndpoint and ShouldPodBeInEndpoints).
func TestReconcileConditionsAndSkips(t *testing.T) {
	s := svc(tcp("http", 80, model.FromInt32(8080)))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	notReady := newPod(1, false)
	terminating := newPod(2, true)
	terminating.DeletionTimestamp = &now
	noIP := newPod(3, true)
	noIP.Status.PodIP = ""
	done := newPod(4, true)
	done.Status.Phase = model.PodSucceeded
	lost := newPod(5, true)
	lost.Spec.NodeName = "node-gone"
	plan, errs := Reconcile(s, []*model.Pod{newPod(0, true), notReady, terminating, noIP, done, lost}, nodes, nil, 100)
	require.Len(t, errs, 1, "the pod on an unknown node is reported")
	require.Len(t, plan.Create, 1)
	got := map[string]model.EndpointConditions{}
	for _, e := range plan.Create[0].Endpoints {
		got[e.TargetRef.Name] = e.Conditions
	}
	c := func(ready, serving, term bool) model.EndpointConditions {
		return model.EndpointConditions{Ready: &ready, Serving: &serving, Terminating: &term}
	}
	require.Equal(t, map[string]model.EndpointConditions{
		"pod0": c(true, true, false),
		"pod1": c(false, false, false),
		"pod2": c(false, true, true),
	}, got)
}

// TestEndpointPorts follows upstream's getEndpointPorts and FindPort tests:
// named ports resolve per pod; pods resolving differently go to
// different slices; a port that does not resolve is left out.
func TestEndpointPorts(t *testing.T) {
	s := svc(tcp("http", 80, model.FromString("http")), model.ServicePort{Name: "dns", Protocol: model.ProtocolUDP, Port: 53, TargetPort: model.FromString("http")})
	a := newPod(0, true)
	b := newPod(1, true)
	b.Spec.Containers[0].Ports[0].ContainerPort = 9090
	ports := EndpointPorts(s, a)
	require.Len(t, ports, 1, "the UDP port finds no UDP container port named http")
	require.Equal(t, int32(8080), *ports[0].Port)
	sidecar := newPod(2, true)
	sidecar.Spec.Containers[0].Ports = nil
	sidecar.Spec.InitContainers = []model.Container{{Name: "proxy", RestartPolicy: model.Ptr(model.ContainerRestartPolicyAlways),
		Ports: []model.ContainerPort{{Name: "http", ContainerPort: 15001, Protocol: model.ProtocolTCP}}}}
	require.Equal(t, int32(15001), *EndpointPorts(s, sidecar)[0].Port, "a sidecar's named port")

	plan, _ := Reconcile(s, []*model.Pod{a, b}, nodes, nil, 100)
	require.Equal(t, []int{1, 1}, lens(plan.Create), "one slice per resolved port set")
	require.NotEqual(t, *plan.Create[0].Ports[0].Port, *plan.Create[1].Ports[0].Port)

	headless := svc()
	headless.Spec.ClusterIP = model.ClusterIPNone
	plan, _ = Reconcile(headless, []*model.Pod{a}, nodes, nil, 100)
	require.Empty(t, plan.Create[0].Ports)
	require.Contains(t, plan.Create[0].Labels, LabelHeadless)
}

// TestReconcilePortChangeReusesSlice: when every endpoint moves to a new
// port map, the old slice is updated rather than deleted and recreated
// (finalize).
func TestReconcilePortChangeReusesSlice(t *testing.T) {
	s := svc(tcp("http", 80, model.FromInt32(8080)))
	old := existingSlice(s, "foo-old", pods(0, 3))
	s2 := svc(tcp("http", 80, model.FromInt32(9090)))
	plan, _ := Reconcile(s2, pods(0, 3), nodes, []*model.EndpointSlice{old}, 100)
	require.Empty(t, plan.Create)
	require.Empty(t, plan.Delete)
	require.Len(t, plan.Update, 1)
	require.Equal(t, "foo-old", plan.Update[0].Name)
	require.Equal(t, int32(9090), *plan.Update[0].Ports[0].Port)
}

// TestReconcileDeletesSlicesOfOldService: slices owned by an earlier
// Service of the same name are removed (ownedBy by UID).
func TestReconcileDeletesSlicesOfOldService(t *testing.T) {
	s := svc(tcp("http", 80, model.FromInt32(8080)))
	stale := existingSlice(s, "foo-stale", pods(0, 2))
	stale.OwnerReferences[0].UID = "older-uid"
	plan, _ := Reconcile(s, pods(0, 2), nodes, []*model.EndpointSlice{stale}, 100)
	require.Len(t, plan.Create, 1)
	require.Len(t, plan.Delete, 1)
	require.Equal(t, "foo-stale", plan.Delete[0].Name)
}

func TestUpdatedConditionsUpdateInPlace(t *testing.T) {
	s := svc(tcp("http", 80, model.FromInt32(8080)))
	ex := existingSlice(s, "foo-x", pods(0, 3))
	ps := pods(0, 3)
	ps[1] = newPod(1, false)
	plan, _ := Reconcile(s, ps, nodes, []*model.EndpointSlice{ex}, 100)
	require.Len(t, plan.Update, 1)
	require.False(t, *plan.Update[0].Endpoints[1].Conditions.Ready)
	// The labels follow the Service's.
	s.Labels = map[string]string{"team": "b"}
	plan, _ = Reconcile(s, pods(0, 3), nodes, []*model.EndpointSlice{ex}, 100)
	require.Len(t, plan.Update, 1)
	require.Equal(t, "b", plan.Update[0].Labels["team"])
}

func TestTracker(t *testing.T) {
	tr := newTracker()
	s := &model.EndpointSlice{ObjectMeta: model.ObjectMeta{Name: "a", Namespace: "ns", UID: "u1", Generation: 2, Labels: map[string]string{LabelServiceName: "svc"}}}
	require.True(t, tr.ShouldSync(s))
	tr.Update(s)
	require.False(t, tr.ShouldSync(s), "our own write")
	newer := model.DeepCopy(s)
	newer.Generation = 3
	require.True(t, tr.ShouldSync(newer), "someone else's")
	older := model.DeepCopy(s)
	older.Generation = 1
	require.True(t, tr.StaleSlices("ns/svc", []*model.EndpointSlice{older}))
	require.True(t, tr.StaleSlices("ns/svc", nil), "a written slice is missing from the cache")
	require.False(t, tr.StaleSlices("ns/svc", []*model.EndpointSlice{s}))
	tr.ExpectDeletion(s)
	require.True(t, tr.StaleSlices("ns/svc", []*model.EndpointSlice{s}), "deleted but still cached")
	require.True(t, tr.HandleDeletion(s))
	require.False(t, tr.Has(s))
}
