// Package fwtest provides a framework.Handle for plugin unit tests: a
// snapshot built from objects, object listers, a recording client and a
// fixed time and seed.
package fwtest

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
)

// Handle is a test Handle.
type Handle struct {
	Snap      *framework.Snapshot
	Objs      *Objects
	Cl        model.Client
	T         sim.Time
	Seed      uint64
	Nominated map[string][]*framework.PodInfo
	// Filter, when set, backs RunFilterPluginsWithNominatedPods.
	Filter func(state *framework.CycleState, pod *model.Pod, ni *framework.NodeInfo) *framework.Status
	// AddPod/RemovePod, when set, back the PreFilter extension calls.
	AddPod    func(state *framework.CycleState, pod *model.Pod, pi *framework.PodInfo, ni *framework.NodeInfo) *framework.Status
	RemovePod func(state *framework.CycleState, pod *model.Pod, pi *framework.PodInfo, ni *framework.NodeInfo) *framework.Status
	streams   map[string]*sim.Rand
}

var _ framework.Handle = (*Handle)(nil)

// NewHandle builds a handle over nodes and pods (bound pods go into the
// snapshot) plus any other objects (Services, PVCs, ...).
func NewHandle(nodes []*model.Node, pods []*model.Pod, objs ...model.Object) *Handle {
	o := &Objects{byKind: map[string][]model.Object{}}
	for _, p := range pods {
		model.SetTypeMeta(p)
		o.Add(p)
	}
	for _, n := range nodes {
		model.SetTypeMeta(n)
		o.Add(n)
	}
	for _, x := range objs {
		model.SetTypeMeta(x)
		o.Add(x)
	}
	return &Handle{Snap: framework.NewSnapshot(pods, nodes), Objs: o, Seed: 1}
}

// SnapshotSharedLister returns the snapshot.
func (h *Handle) SnapshotSharedLister() framework.SharedLister { return h.Snap }

// Objects returns the object lister.
func (h *Handle) Objects() framework.ObjectLister { return h.Objs }

// Client returns the client (may be nil).
func (h *Handle) Client() model.Client { return h.Cl }

// Now returns T.
func (h *Handle) Now() sim.Time { return h.T }

// Rand returns a named stream under Seed.
func (h *Handle) Rand(name string) *sim.Rand {
	if h.streams == nil {
		h.streams = map[string]*sim.Rand{}
	}
	r, ok := h.streams[name]
	if !ok {
		r = sim.NewRand(h.Seed, "scheduler/"+name)
		h.streams[name] = r
	}
	return r
}

// NominatedPodsForNode returns Nominated[node].
func (h *Handle) NominatedPodsForNode(node string) []*framework.PodInfo { return h.Nominated[node] }

// RunFilterPluginsWithNominatedPods calls Filter (Success when unset).
func (h *Handle) RunFilterPluginsWithNominatedPods(state *framework.CycleState, pod *model.Pod, ni *framework.NodeInfo) *framework.Status {
	if h.Filter == nil {
		return nil
	}
	return h.Filter(state, pod, ni)
}

// RunPreFilterExtensionAddPod calls AddPod.
func (h *Handle) RunPreFilterExtensionAddPod(state *framework.CycleState, pod *model.Pod, pi *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	if h.AddPod == nil {
		return nil
	}
	return h.AddPod(state, pod, pi, ni)
}

// RunPreFilterExtensionRemovePod calls RemovePod.
func (h *Handle) RunPreFilterExtensionRemovePod(state *framework.CycleState, pod *model.Pod, pi *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	if h.RemovePod == nil {
		return nil
	}
	return h.RemovePod(state, pod, pi, ni)
}

// Objects is an in-memory ObjectLister.
type Objects struct {
	byKind map[string][]model.Object
}

// Add stores an object (its TypeMeta must be set).
func (o *Objects) Add(x model.Object) {
	k := x.GetTypeMeta().Kind
	o.byKind[k] = append(o.byKind[k], x)
}

// List returns the objects of a kind in insertion order.
func (o *Objects) List(kind string) []model.Object { return o.byKind[kind] }

// Get returns one object.
func (o *Objects) Get(kind, namespace, name string) (model.Object, bool) {
	for _, x := range o.byKind[kind] {
		m := x.GetObjectMeta()
		if m.Name == name && m.Namespace == namespace {
			return x, true
		}
	}
	return nil, false
}
