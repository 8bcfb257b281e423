package garbagecollector

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

type recorder struct{ del, orphan []string }

func (r *recorder) graph() *graph {
	return newGraph(func(n *node) { r.del = append(r.del, n.identity.Name) }, func(n *node) { r.orphan = append(r.orphan, n.identity.Name) })
}

func (r *recorder) take() (del, orphan []string) {
	del, orphan = r.del, r.orphan
	r.del, r.orphan = nil, nil
	return
}

func ref(kind, name, uid string, block bool) model.OwnerReference {
	return model.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: model.Ptr(true), BlockOwnerDeletion: model.Ptr(block)}
}

func pod(name, uid string, owners ...model.OwnerReference) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "ns", UID: uid, OwnerReferences: owners}}
	model.SetTypeMeta(p)
	return p
}

func rs(name, uid string, owners ...model.OwnerReference) *model.ReplicaSet {
	r := &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "ns", UID: uid, OwnerReferences: owners}}
	model.SetTypeMeta(r)
	return r
}

func names(ns []*node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.identity.Name)
	}
	return out
}

// TestGraphBuilder walks the graph through the transitions upstream's
// TestProcessEvent and TestDependentsRace (garbagecollector_test.go) cover:
// virtual owners, observation of an owner, owner deletion, reference
// changes, and the foreground and orphan transitions.
func TestGraphBuilder(t *testing.T) {
	r := &recorder{}
	g := r.graph()
	rsRef := ref("ReplicaSet", "web", "rs-1", true)

	// A pod whose owner is unknown: the owner is a virtual node to verify.
	p := pod("web-a", "pod-1", rsRef)
	g.process(graphEvent{typ: addEvent, obj: p})
	require.Len(t, g.uidToNode, 2)
	owner := g.uidToNode["rs-1"]
	require.True(t, owner.virtual)
	require.Equal(t, ObjectRef{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "rs-1", Namespace: "ns"}, owner.identity)
	require.Equal(t, []string{"web-a"}, names(owner.getDependents()))
	del, _ := r.take()
	require.Equal(t, []string{"web"}, del)

	// The owner is observed: the same node, no longer virtual.
	depRef := ref("Deployment", "web", "d-1", true)
	g.process(graphEvent{typ: addEvent, obj: rs("web", "rs-1", depRef)})
	require.False(t, g.uidToNode["rs-1"].virtual)
	require.Equal(t, []string{"web-a"}, names(g.uidToNode["rs-1"].getDependents()))
	require.True(t, g.uidToNode["d-1"].virtual)
	del, _ = r.take()
	require.Equal(t, []string{"web"}, del, "the Deployment, a new virtual owner")

	// A second pod, then the ReplicaSet is deleted: both pods are looked
	// at and the owner is remembered as absent.
	g.process(graphEvent{typ: addEvent, obj: pod("web-b", "pod-2", rsRef)})
	r.take()
	g.process(graphEvent{typ: deleteEvent, obj: rs("web", "rs-1", depRef)})
	del, _ = r.take()
	require.Equal(t, []string{"web-a", "web-b"}, del)
	require.NotContains(t, g.uidToNode, "rs-1")
	require.True(t, g.absentOwner.Has(ObjectRef{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "rs-1", Namespace: "ns"}))
	require.Empty(t, g.uidToNode["d-1"].dependents)

	// Dropping a blocking reference wakes the owner (it may be waiting).
	rs2 := rs("other", "rs-2")
	g.process(graphEvent{typ: addEvent, obj: rs2})
	b := pod("web-c", "pod-3", ref("ReplicaSet", "other", "rs-2", true))
	g.process(graphEvent{typ: addEvent, obj: b})
	r.take()
	g.process(graphEvent{typ: updateEvent, old: b, obj: pod("web-c", "pod-3")})
	del, _ = r.take()
	require.Equal(t, []string{"other"}, del)
	require.Empty(t, g.uidToNode["rs-2"].dependents)

	// Foreground deletion starts: the owner and its dependents are queued.
	g.process(graphEvent{typ: updateEvent, old: b, obj: pod("web-c", "pod-3", ref("ReplicaSet", "other", "rs-2", true))})
	r.take()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fg := rs("other", "rs-2")
	fg.DeletionTimestamp = &now
	fg.Finalizers = []string{model.FinalizerForegroundDeletion}
	g.process(graphEvent{typ: updateEvent, old: rs2, obj: fg})
	del, _ = r.take()
	require.Equal(t, []string{"web-c", "other"}, del)
	require.True(t, g.uidToNode["rs-2"].deletingDependents)
	require.True(t, g.uidToNode["rs-2"].beingDeleted)
	require.Equal(t, []string{"web-c"}, names(g.uidToNode["rs-2"].blockingDependents()))
	// Seeing the same state again starts nothing new.
	g.process(graphEvent{typ: updateEvent, old: fg, obj: fg})
	del, _ = r.take()
	require.Empty(t, del)

	// Orphan deletion starts: the owner goes to the orphan queue.
	orph := rs("third", "rs-3")
	g.process(graphEvent{typ: addEvent, obj: orph})
	o2 := rs("third", "rs-3")
	o2.DeletionTimestamp = &now
	o2.Finalizers = []string{model.FinalizerOrphan}
	g.process(graphEvent{typ: updateEvent, old: orph, obj: o2})
	_, orphan := r.take()
	require.Equal(t, []string{"third"}, orphan)
}

func TestVirtualDeleteOfUnknownOwner(t *testing.T) {
	r := &recorder{}
	g := r.graph()
	g.process(graphEvent{typ: addEvent, obj: pod("p", "pod-1", ref("ReplicaSet", "gone", "rs-x", false))})
	r.take()
	id := g.uidToNode["rs-x"].identity
	g.process(graphEvent{typ: deleteEvent, virtual: true, identity: id})
	del, _ := r.take()
	require.Equal(t, []string{"p"}, del, "the dependent is looked at again")
	require.NotContains(t, g.uidToNode, "rs-x")
	require.True(t, g.absentOwner.Has(id))

	// A virtual delete under other coordinates does not remove an observed
	// object.
	g.process(graphEvent{typ: addEvent, obj: rs("real", "rs-y")})
	g.process(graphEvent{typ: deleteEvent, virtual: true, identity: ObjectRef{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "alias", UID: "rs-y", Namespace: "ns"}})
	require.Contains(t, g.uidToNode, "rs-y")
}

func TestReferencesDiffs(t *testing.T) {
	a, b, c := ref("ReplicaSet", "a", "1", true), ref("ReplicaSet", "b", "2", true), ref("ReplicaSet", "c", "3", true)
	b2 := b
	b2.BlockOwnerDeletion = model.Ptr(false)
	added, removed, changed := referencesDiffs([]model.OwnerReference{a, b}, []model.OwnerReference{b2, c})
	require.Equal(t, []model.OwnerReference{c}, added)
	require.Equal(t, []model.OwnerReference{a}, removed)
	require.Equal(t, [][2]model.OwnerReference{{b, b2}}, changed)
}

func TestReferenceCacheIsBoundedLRU(t *testing.T) {
	c := newReferenceCache(2)
	x, y, z := ObjectRef{UID: "x"}, ObjectRef{UID: "y"}, ObjectRef{UID: "z"}
	c.Add(x)
	c.Add(y)
	require.True(t, c.Has(x)) // x is now the most recent
	c.Add(z)
	got := []string{}
	for _, r := range []ObjectRef{x, y, z} {
		if _, ok := c.items[r]; ok {
			got = append(got, r.UID)
		}
	}
	sort.Strings(got)
	require.Equal(t, []string{"x", "z"}, got, "y was the least recently used")
}
