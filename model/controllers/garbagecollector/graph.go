package garbagecollector

import (
	"container/list"
	"reflect"
	"sort"

	"github.com/kubesim/kubesim/model"
)

// ObjectRef identifies an object in the graph: its owner-reference
// coordinates and its namespace (upstream objectReference).
type ObjectRef struct {
	APIVersion string
	Kind       string
	Name       string
	UID        string
	Namespace  string
}

func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// node is one object of the ownership graph (graph.go). A virtual node
// stands for an owner known only from its dependents' ownerReferences.
type node struct {
	identity           ObjectRef
	dependents         map[*node]struct{}
	deletingDependents bool
	beingDeleted       bool
	virtual            bool
	owners             []model.OwnerReference
}

func (n *node) isObserved() bool { return !n.virtual }

func (n *node) clone() *node {
	c := &node{identity: n.identity, dependents: make(map[*node]struct{}, len(n.dependents)),
		deletingDependents: n.deletingDependents, beingDeleted: n.beingDeleted, virtual: n.virtual,
		owners: append([]model.OwnerReference(nil), n.owners...)}
	for d := range n.dependents {
		c.dependents[d] = struct{}{}
	}
	return c
}

// getDependents returns the dependents sorted by UID, so that whatever
// iterates them acts in the same order every run.
func (n *node) getDependents() []*node {
	out := make([]*node, 0, len(n.dependents))
	for d := range n.dependents {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].identity.UID < out[j].identity.UID })
	return out
}

// blockingDependents are the dependents whose reference to n has
// blockOwnerDeletion: foreground deletion waits for them.
func (n *node) blockingDependents() []*node {
	var out []*node
	for _, d := range n.getDependents() {
		for _, r := range d.owners {
			if r.UID == n.identity.UID && r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
				out = append(out, d)
			}
		}
	}
	return out
}

// referenceCache is a bounded LRU set of object references the collector
// has verified to be absent (upstream ReferenceCache, 500 entries).
type referenceCache struct {
	max   int
	ll    *list.List
	items map[ObjectRef]*list.Element
}

func newReferenceCache(max int) *referenceCache {
	return &referenceCache{max: max, ll: list.New(), items: map[ObjectRef]*list.Element{}}
}

func (c *referenceCache) Add(r ObjectRef) {
	if e, ok := c.items[r]; ok {
		c.ll.MoveToFront(e)
		return
	}
	c.items[r] = c.ll.PushFront(r)
	if c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(ObjectRef))
	}
}

func (c *referenceCache) Has(r ObjectRef) bool {
	e, ok := c.items[r]
	if ok {
		c.ll.MoveToFront(e)
	}
	return ok
}

// eventType is what happened to an object.
type eventType int

const (
	addEvent eventType = iota
	updateEvent
	deleteEvent
)

// graphEvent is one change fed to the graph builder. A virtual event is a
// delete the collector produced after verifying that identity is absent.
type graphEvent struct {
	typ      eventType
	obj      model.Object
	old      model.Object
	virtual  bool
	identity ObjectRef
}

// graph is upstream's GraphBuilder without its informers: it keeps
// uidToNode from observed changes and tells the collector which nodes to
// look at (attemptToDelete) and which owners to orphan (attemptToOrphan).
type graph struct {
	uidToNode       map[string]*node
	absentOwner     *referenceCache
	attemptToDelete func(*node)
	attemptToOrphan func(*node)
}

func newGraph(toDelete, toOrphan func(*node)) *graph {
	return &graph{uidToNode: map[string]*node{}, absentOwner: newReferenceCache(500), attemptToDelete: toDelete, attemptToOrphan: toOrphan}
}

func identityOf(o model.Object) ObjectRef {
	m := o.GetObjectMeta()
	r := ObjectRef{Name: m.Name, UID: m.UID, Namespace: m.Namespace}
	if k := model.KindOf(o); k != nil {
		r.APIVersion, r.Kind = k.APIVersion, k.Kind
	} else {
		tm := o.GetTypeMeta()
		r.APIVersion, r.Kind = tm.APIVersion, tm.Kind
	}
	return r
}

func ownerCoordinates(r model.OwnerReference) ObjectRef {
	return ObjectRef{APIVersion: r.APIVersion, Kind: r.Kind, Name: r.Name, UID: r.UID}
}

func beingDeleted(m *model.ObjectMeta) bool { return m.DeletionTimestamp != nil }

func hasFinalizer(m *model.ObjectMeta, f string) bool {
	for _, x := range m.Finalizers {
		if x == f {
			return true
		}
	}
	return false
}

// deletionStartsWithFinalizer reports that cur is being deleted with
// finalizer f and old was not (or did not have it).
func deletionStartsWithFinalizer(old model.Object, cur *model.ObjectMeta, f string) bool {
	if !beingDeleted(cur) || !hasFinalizer(cur, f) {
		return false
	}
	if old == nil {
		return true
	}
	om := old.GetObjectMeta()
	return !beingDeleted(om) || !hasFinalizer(om, f)
}

// process applies one change (processGraphChanges).
func (g *graph) process(ev graphEvent) {
	var m *model.ObjectMeta
	var id ObjectRef
	if ev.virtual {
		id = ev.identity
	} else {
		m = ev.obj.GetObjectMeta()
		id = identityOf(ev.obj)
	}
	existing, found := g.uidToNode[id.UID]
	switch {
	case (ev.typ == addEvent || ev.typ == updateEvent) && !found:
		n := &node{identity: id, dependents: map[*node]struct{}{}, owners: append([]model.OwnerReference(nil), m.OwnerReferences...),
			deletingDependents: beingDeleted(m) && hasFinalizer(m, model.FinalizerForegroundDeletion), beingDeleted: beingDeleted(m)}
		g.insertNode(n)
		g.processTransitions(ev.old, m, n)
	case (ev.typ == addEvent || ev.typ == updateEvent) && found:
		if existing.identity != id {
			// A virtual node's coordinates came from a dependent; trust
			// the object and look again at dependents that disagree.
			_, disagree := partitionDependents(existing.getDependents(), id)
			for _, dep := range disagree {
				g.attemptToDelete(dep)
			}
			existing = existing.clone()
			existing.identity = id
			g.uidToNode[id.UID] = existing
		}
		existing.virtual = false
		added, removed, changed := referencesDiffs(existing.owners, m.OwnerReferences)
		if len(added) != 0 || len(removed) != 0 || len(changed) != 0 {
			g.addUnblockedOwnersToDeleteQueue(removed, changed)
			existing.owners = append([]model.OwnerReference(nil), m.OwnerReferences...)
			g.addDependentToOwners(existing, added)
			g.removeDependentFromOwners(existing, removed)
		}
		if beingDeleted(m) {
			existing.beingDeleted = true
		}
		g.processTransitions(ev.old, m, existing)
	case ev.typ == deleteEvent:
		if !found {
			return
		}
		remove := true
		if ev.virtual {
			if existing.virtual {
				// Remove the virtual node only if its dependents agree on
				// the coordinates that were verified absent.
				match, disagree := partitionDependents(existing.getDependents(), id)
				if len(disagree) > 0 {
					remove = false
					if len(match) > 0 {
						g.absentOwner.Add(id)
						for _, dep := range match {
							g.attemptToDelete(dep)
						}
					}
				}
			} else if existing.identity != id {
				// An observed object is not deleted by a virtual event for
				// other coordinates; its dependents that used them are.
				remove = false
				match, _ := partitionDependents(existing.getDependents(), id)
				if len(match) > 0 {
					g.absentOwner.Add(id)
					for _, dep := range match {
						g.attemptToDelete(dep)
					}
				}
			}
		}
		if !remove {
			return
		}
		g.removeNode(existing)
		if len(existing.dependents) > 0 {
			g.absentOwner.Add(id)
		}
		for _, dep := range existing.getDependents() {
			g.attemptToDelete(dep)
		}
		for _, o := range existing.owners {
			if on := g.uidToNode[o.UID]; on != nil && on.deletingDependents {
				// Let a foreground-deleting owner check whether it is done.
				g.attemptToDelete(on)
			}
		}
	}
}

// partitionDependents splits dependents by whether their reference to
// id's UID matches id's coordinates; a dependent in another namespace
// than a namespaced id never matches.
func partitionDependents(deps []*node, id ObjectRef) (match, disagree []*node) {
	for _, dep := range deps {
		found, mismatch := false, false
		if id.Namespace != "" && id.Namespace != dep.identity.Namespace {
			mismatch = true
		} else {
			for _, r := range dep.owners {
				if r.UID != id.UID {
					continue
				}
				if r.Name == id.Name && r.Kind == id.Kind && r.APIVersion == id.APIVersion {
					found = true
				} else {
					mismatch = true
				}
			}
		}
		if found {
			match = append(match, dep)
		}
		if mismatch {
			disagree = append(disagree, dep)
		}
	}
	return match, disagree
}

func (g *graph) insertNode(n *node) {
	g.uidToNode[n.identity.UID] = n
	g.addDependentToOwners(n, n.owners)
}

func (g *graph) removeNode(n *node) {
	delete(g.uidToNode, n.identity.UID)
	g.removeDependentFromOwners(n, n.owners)
}

// addDependentToOwners links n under each owner, creating virtual owner
// nodes (queued for verification) for owners not seen yet.
func (g *graph) addDependentToOwners(n *node, owners []model.OwnerReference) {
	for _, o := range owners {
		on, ok := g.uidToNode[o.UID]
		if !ok {
			id := ownerCoordinates(o)
			id.Namespace = n.identity.Namespace
			on = &node{identity: id, dependents: map[*node]struct{}{}, virtual: true}
			g.uidToNode[o.UID] = on
		}
		on.dependents[n] = struct{}{}
		if !ok {
			g.attemptToDelete(on)
		}
	}
}

func (g *graph) removeDependentFromOwners(n *node, owners []model.OwnerReference) {
	for _, o := range owners {
		if on := g.uidToNode[o.UID]; on != nil {
			delete(on.dependents, n)
		}
	}
}

// addUnblockedOwnersToDeleteQueue wakes owners waiting in foreground
// deletion when a blocking reference to them is removed or unblocked.
func (g *graph) addUnblockedOwnersToDeleteQueue(removed []model.OwnerReference, changed [][2]model.OwnerReference) {
	for _, r := range removed {
		if r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
			if n := g.uidToNode[r.UID]; n != nil {
				g.attemptToDelete(n)
			}
		}
	}
	for _, c := range changed {
		wasBlocked := c[0].BlockOwnerDeletion != nil && *c[0].BlockOwnerDeletion
		isUnblocked := c[1].BlockOwnerDeletion == nil || !*c[1].BlockOwnerDeletion
		if wasBlocked && isUnblocked {
			if n := g.uidToNode[c[1].UID]; n != nil {
				g.attemptToDelete(n)
			}
		}
	}
}

// processTransitions starts orphaning or foreground deletion when an
// object's deletion with the orphan or foregroundDeletion finalizer begins.
func (g *graph) processTransitions(old model.Object, cur *model.ObjectMeta, n *node) {
	if deletionStartsWithFinalizer(old, cur, model.FinalizerOrphan) {
		g.attemptToOrphan(n)
		return
	}
	if deletionStartsWithFinalizer(old, cur, model.FinalizerForegroundDeletion) {
		n.deletingDependents = true
		for _, dep := range n.getDependents() {
			g.attemptToDelete(dep)
		}
		g.attemptToDelete(n)
	}
}

// referencesDiffs compares owner references by UID.
func referencesDiffs(old, cur []model.OwnerReference) (added, removed []model.OwnerReference, changed [][2]model.OwnerReference) {
	oldByUID := map[string]model.OwnerReference{}
	for _, r := range old {
		oldByUID[r.UID] = r
	}
	seen := map[string]bool{}
	for _, r := range cur {
		if o, ok := oldByUID[r.UID]; ok {
			if !reflect.DeepEqual(o, r) {
				changed = append(changed, [2]model.OwnerReference{o, r})
			}
			seen[r.UID] = true
			continue
		}
		added = append(added, r)
	}
	for _, r := range old {
		if !seen[r.UID] {
			removed = append(removed, r)
		}
	}
	return added, removed, changed
}
