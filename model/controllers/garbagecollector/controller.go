package garbagecollector

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Component is the collector's name as an event source and API client.
const Component = "garbage-collector-controller"

// errVirtualDelete says the item was found absent and a virtual delete
// event will remove it from the graph: no retry.
var errVirtualDelete = errors.New("enqueued virtual delete event")

// errUnknownKind is upstream's restMappingError: an owner of a kind the
// collector does not know; retried with backoff.
var errUnknownKind = errors.New("unknown kind")

// Controller is the garbage collector.
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	informers map[string]*model.Informer
	kinds     []string
	info      map[string]model.KindInfo
	graph     *graph

	deleteQ, orphanQ *model.WorkQueue
	deleteW, orphanW *ctrlutil.Workers
	// queued holds the node each queued UID stands for: a node may be
	// removed from (or replaced in) the graph while it waits.
	queuedDelete, queuedOrphan map[string]*node
}

// New builds the collector; connect opens its API client.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	def := DefaultConfig()
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = def.QPS, def.Burst
	}
	if cfg.ConcurrentSyncs <= 0 {
		cfg.ConcurrentSyncs = def.ConcurrentSyncs
	}
	c := &Controller{
		k:            k,
		cfg:          cfg,
		client:       connect(Component, cfg.QPS, cfg.Burst),
		informers:    map[string]*model.Informer{},
		info:         map[string]model.KindInfo{},
		queuedDelete: map[string]*node{},
		queuedOrphan: map[string]*node{},
	}
	for _, ki := range model.Kinds() {
		c.info[ki.Kind] = ki
	}
	c.kinds = cfg.Kinds
	if c.kinds == nil {
		c.kinds = model.KindNames()
	}
	c.graph = newGraph(c.enqueueDelete, c.enqueueOrphan)
	c.deleteW = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, Sync: withOutcome(c.processAttemptToDelete)}
	c.orphanW = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, Sync: withOutcome(c.processAttemptToOrphan)}
	ready := ctrlutil.WhenSynced(k, c.synced, func() {
		c.deleteW.Pump()
		c.orphanW.Pump()
	})
	c.deleteQ = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), ready)
	c.orphanQ = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), ready)
	c.deleteW.Queue, c.orphanW.Queue = c.deleteQ, c.orphanQ
	for _, kind := range c.kinds {
		inf := model.NewInformer(k, c.client, kind, cfg.ResyncPeriod)
		inf.AddEventHandler(model.ResourceEventHandler{
			OnAdd:    func(o model.Object) { c.graph.process(graphEvent{typ: addEvent, obj: o}) },
			OnUpdate: func(old, cur model.Object) { c.graph.process(graphEvent{typ: updateEvent, obj: cur, old: old}) },
			OnDelete: func(o model.Object) { c.graph.process(graphEvent{typ: deleteEvent, obj: o}) },
		})
		c.informers[kind] = inf
	}
	return c
}

// Start begins watching every kind; the workers run once all monitors
// have listed.
func (c *Controller) Start() {
	for _, kind := range c.kinds {
		c.informers[kind].Start()
	}
}

// GraphSize returns the number of nodes (objects and virtual owners) in
// the ownership graph.
func (c *Controller) GraphSize() int { return len(c.graph.uidToNode) }

func (c *Controller) synced() bool {
	for _, kind := range c.kinds {
		if !c.informers[kind].HasSynced() {
			return false
		}
	}
	return true
}

func (c *Controller) enqueueDelete(n *node) {
	c.queuedDelete[n.identity.UID] = n
	c.deleteQ.Add(n.identity.UID)
}

func (c *Controller) enqueueOrphan(n *node) {
	c.queuedOrphan[n.identity.UID] = n
	c.orphanQ.Add(n.identity.UID)
}

// enqueueVirtualDelete feeds the graph a delete for an identity the API
// says is gone, after the current event (the graph-changes queue).
func (c *Controller) enqueueVirtualDelete(id ObjectRef) {
	c.k.AfterFunc(0, func(sim.Time) { c.graph.process(graphEvent{typ: deleteEvent, virtual: true, identity: id}) })
}

func (c *Controller) event(kind string, id ObjectRef, fields ...sim.Field) {
	obj := id.Name
	if id.Namespace != "" {
		obj = id.Namespace + "/" + id.Name
	}
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Component, Object: obj,
		Fields: append([]sim.Field{sim.F("kind", id.Kind)}, fields...)})
}

// --- attemptToDelete -----------------------------------------------------

// outcome is what a worker does with an item afterwards (upstream's
// workQueueItemAction).
type outcome int

const (
	forgetItem outcome = iota
	requeueItem
)

// errRequeue stands for requeueItem towards ctrlutil.Workers.
var errRequeue = errors.New("requeue item")

// withOutcome adapts an item processor to ctrlutil.Workers: requeueItem
// requeues the item rate-limited (with no retry limit, as upstream),
// forgetItem forgets it.
func withOutcome(process func(key string, finish func(outcome))) func(string, func(error)) {
	return func(key string, done func(error)) {
		process(key, func(o outcome) {
			if o == requeueItem {
				done(errRequeue)
				return
			}
			done(nil)
		})
	}
}

// processAttemptToDelete is attemptToDeleteWorker's per-item logic.
func (c *Controller) processAttemptToDelete(uid string, finish func(outcome)) {
	n := c.queuedDelete[uid]
	delete(c.queuedDelete, uid)
	if n == nil {
		n = c.graph.uidToNode[uid]
	}
	if n == nil {
		finish(forgetItem)
		return
	}
	done := func(o outcome) {
		if _, newer := c.queuedDelete[uid]; o == requeueItem && !newer {
			c.queuedDelete[uid] = n
		}
		finish(o)
	}
	if !n.isObserved() {
		cur, ok := c.graph.uidToNode[uid]
		if !ok || cur.isObserved() {
			// Seen (or gone) meanwhile: the informer event took over.
			done(forgetItem)
			return
		}
	}
	c.attemptToDeleteItem(n, func(err error) {
		switch {
		case errors.Is(err, errVirtualDelete):
			done(forgetItem)
		case err != nil:
			done(requeueItem)
		case !n.isObserved():
			// A virtual owner that exists: poll until the informer shows it.
			done(requeueItem)
		default:
			done(forgetItem)
		}
	})
}

// kindInfo resolves a kind the collector can read.
func (c *Controller) kindInfo(kind string) (model.KindInfo, bool) {
	ki, ok := c.info[kind]
	return ki, ok
}

// getObject reads an object by identity from the API (never the cache).
func (c *Controller) getObject(id ObjectRef, done func(model.Object, error)) {
	ki, ok := c.kindInfo(id.Kind)
	if !ok {
		c.k.AfterFunc(0, func(sim.Time) { done(nil, fmt.Errorf("%w %s", errUnknownKind, id.Kind)) })
		return
	}
	ns := id.Namespace
	if !ki.Namespaced {
		ns = ""
	}
	c.client.Get(id.Kind, ns, id.Name, done)
}

// attemptToDeleteItem decides about one object: read it; if it waits for
// its dependents, check them; otherwise classify its owners and delete it
// when none is left, drop references to missing owners, or delete it in
// the foreground when an owner waits for it.
func (c *Controller) attemptToDeleteItem(item *node, done func(error)) {
	if item.beingDeleted && !item.deletingDependents {
		done(nil)
		return
	}
	c.getObject(item.identity, func(latest model.Object, err error) {
		switch {
		case model.IsNotFound(err):
			c.enqueueVirtualDelete(item.identity)
			done(errVirtualDelete)
			return
		case err != nil:
			done(err)
			return
		}
		lm := latest.GetObjectMeta()
		if lm.UID != item.identity.UID {
			c.enqueueVirtualDelete(item.identity)
			done(errVirtualDelete)
			return
		}
		if item.deletingDependents {
			c.processDeletingDependents(item, done)
			return
		}
		refs := lm.OwnerReferences
		if len(refs) == 0 {
			done(nil)
			return
		}
		c.classifyReferences(item, refs, func(solid, dangling, waiting []model.OwnerReference, err error) {
			if err != nil {
				done(err)
				return
			}
			switch {
			case len(solid) != 0:
				if len(dangling) == 0 && len(waiting) == 0 {
					done(nil)
					return
				}
				// Keep the object for its solid owners; drop the references
				// to owners that are gone or waiting for it.
				drop := map[string]bool{}
				for _, r := range append(dangling, waiting...) {
					drop[r.UID] = true
				}
				ctrlutil.Patch(c.client, latest, func(o model.Object) bool {
					m := o.GetObjectMeta()
					out := m.OwnerReferences[:0:0]
					for _, r := range m.OwnerReferences {
						if !drop[r.UID] {
							out = append(out, r)
						}
					}
					changed := len(out) != len(m.OwnerReferences)
					m.OwnerReferences = out
					return changed
				}, func(_ model.Object, err error) { done(err) })
			case len(waiting) != 0 && len(item.dependents) != 0:
				// An owner waits for this object, which has dependents of
				// its own: delete it in the foreground too. If one of them
				// is itself waiting (a cycle), stop blocking first.
				unblock := false
				for _, dep := range item.getDependents() {
					if dep.deletingDependents {
						unblock = true
						break
					}
				}
				del := func() { c.deleteObject(item.identity, model.DeletePropagationForeground, done) }
				if !unblock {
					del()
					return
				}
				ctrlutil.Patch(c.client, latest, func(o model.Object) bool {
					changed := false
					for i := range o.GetObjectMeta().OwnerReferences {
						r := &o.GetObjectMeta().OwnerReferences[i]
						if r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
							r.BlockOwnerDeletion = model.Ptr(false)
							changed = true
						}
					}
					return changed
				}, func(_ model.Object, err error) {
					if err != nil {
						done(err)
						return
					}
					del()
				})
			default:
				// No owner left: collect it, honouring a propagation
				// finalizer it already has.
				policy := model.DeletePropagationBackground
				switch {
				case hasFinalizer(lm, model.FinalizerOrphan):
					policy = model.DeletePropagationOrphan
				case hasFinalizer(lm, model.FinalizerForegroundDeletion):
					policy = model.DeletePropagationForeground
				}
				c.deleteObject(item.identity, policy, done)
			}
		})
	})
}

// deleteObject deletes with a propagation policy. kubesim's DeleteOptions
// have no UID precondition; the item was read with the right UID just
// before.
func (c *Controller) deleteObject(id ObjectRef, policy model.DeletionPropagation, done func(error)) {
	ki, ok := c.kindInfo(id.Kind)
	if !ok {
		c.k.AfterFunc(0, func(sim.Time) { done(fmt.Errorf("%w %s", errUnknownKind, id.Kind)) })
		return
	}
	ns := id.Namespace
	if !ki.Namespaced {
		ns = ""
	}
	p := policy
	c.client.DeleteWith(id.Kind, ns, id.Name, model.DeleteOptions{PropagationPolicy: &p}, func(err error) {
		if err == nil {
			c.event("GarbageCollected", id, sim.F("propagationPolicy", string(policy)))
		}
		done(err)
	})
}

// classifyReferences sorts an object's owner references into solid
// (existing, not waiting), dangling (absent, or another UID under the name)
// and waiting for dependents (being deleted in the foreground), reading
// owners from the API one after another unless known absent.
func (c *Controller) classifyReferences(item *node, refs []model.OwnerReference,
	done func(solid, dangling, waiting []model.OwnerReference, err error)) {
	var solid, dangling, waiting []model.OwnerReference
	var next func(i int)
	next = func(i int) {
		if i == len(refs) {
			done(solid, dangling, waiting, nil)
			return
		}
		r := refs[i]
		c.isDangling(r, item, func(isDangling bool, owner model.Object, err error) {
			if err != nil {
				done(nil, nil, nil, err)
				return
			}
			switch {
			case isDangling:
				dangling = append(dangling, r)
			case beingDeleted(owner.GetObjectMeta()) && hasFinalizer(owner.GetObjectMeta(), model.FinalizerForegroundDeletion):
				waiting = append(waiting, r)
			default:
				solid = append(solid, r)
			}
			next(i + 1)
		})
	}
	next(0)
}

// isDangling reports whether the owner a reference names is absent,
// consulting the absent-owner cache first (cluster-scoped, then in the
// item's namespace).
func (c *Controller) isDangling(r model.OwnerReference, item *node, done func(bool, model.Object, error)) {
	key := ownerCoordinates(r)
	if c.graph.absentOwner.Has(key) {
		c.k.AfterFunc(0, func(sim.Time) { done(true, nil, nil) })
		return
	}
	key.Namespace = item.identity.Namespace
	if c.graph.absentOwner.Has(key) {
		c.k.AfterFunc(0, func(sim.Time) { done(true, nil, nil) })
		return
	}
	ki, ok := c.kindInfo(r.Kind)
	if !ok {
		c.k.AfterFunc(0, func(sim.Time) { done(false, nil, fmt.Errorf("%w %s", errUnknownKind, r.Kind)) })
		return
	}
	ns := item.identity.Namespace
	if !ki.Namespaced {
		ns = ""
		key.Namespace = ""
	}
	c.client.Get(r.Kind, ns, r.Name, func(owner model.Object, err error) {
		switch {
		case model.IsNotFound(err):
			c.graph.absentOwner.Add(key)
			done(true, nil, nil)
		case err != nil:
			done(false, nil, err)
		case owner.GetObjectMeta().UID != r.UID:
			c.graph.absentOwner.Add(key)
			done(true, nil, nil)
		default:
			done(false, owner, nil)
		}
	})
}

// processDeletingDependents handles an owner in foreground deletion: when
// no dependent blocks it any more, drop its foregroundDeletion finalizer;
// otherwise make sure each blocking dependent is being looked at.
func (c *Controller) processDeletingDependents(item *node, done func(error)) {
	blocking := item.blockingDependents()
	if len(blocking) == 0 {
		c.removeFinalizer(item, model.FinalizerForegroundDeletion, done)
		return
	}
	for _, dep := range blocking {
		if !dep.deletingDependents {
			c.enqueueDelete(dep)
		}
	}
	c.k.AfterFunc(0, func(sim.Time) { done(nil) })
}

// removeFinalizer reads the object and writes it without the finalizer
// (retried on conflicts); the API server deletes an object whose last
// finalizer goes while it is being deleted.
func (c *Controller) removeFinalizer(item *node, finalizer string, done func(error)) {
	c.getObject(item.identity, func(o model.Object, err error) {
		if model.IsNotFound(err) {
			done(nil)
			return
		}
		if err != nil {
			done(err)
			return
		}
		if o.GetObjectMeta().UID != item.identity.UID {
			done(nil)
			return
		}
		ctrlutil.Patch(c.client, o, func(obj model.Object) bool {
			m := obj.GetObjectMeta()
			out := m.Finalizers[:0:0]
			for _, f := range m.Finalizers {
				if f != finalizer {
					out = append(out, f)
				}
			}
			changed := len(out) != len(m.Finalizers)
			m.Finalizers = out
			return changed
		}, func(_ model.Object, err error) {
			if err == nil {
				c.event("RemovedFinalizer", item.identity, sim.F("finalizer", finalizer))
			}
			if model.IsNotFound(err) {
				err = nil
			}
			done(err)
		})
	})
}

// --- attemptToOrphan ---------------------------------------------------------

// processAttemptToOrphan orphans an owner's dependents (all at once, as
// upstream's parallel patches) and then drops its orphan finalizer.
func (c *Controller) processAttemptToOrphan(uid string, finish func(outcome)) {
	owner := c.queuedOrphan[uid]
	delete(c.queuedOrphan, uid)
	if owner == nil {
		owner = c.graph.uidToNode[uid]
	}
	if owner == nil {
		finish(forgetItem)
		return
	}
	done := func(o outcome) {
		if _, newer := c.queuedOrphan[uid]; o == requeueItem && !newer {
			c.queuedOrphan[uid] = owner
		}
		finish(o)
	}
	deps := owner.getDependents()
	var errs []error
	left := len(deps)
	complete := func() {
		if len(errs) > 0 {
			done(requeueItem)
			return
		}
		c.removeFinalizer(owner, model.FinalizerOrphan, func(err error) {
			if err != nil {
				done(requeueItem)
				return
			}
			done(forgetItem)
		})
	}
	if left == 0 {
		complete()
		return
	}
	for _, dep := range deps {
		c.orphan(dep, owner.identity.UID, func(err error) {
			if err != nil && !model.IsNotFound(err) {
				errs = append(errs, err)
			}
			left--
			if left == 0 {
				complete()
			}
		})
	}
}

// orphan removes the reference to ownerUID from a dependent, starting from
// the informer's copy (the API is read only on a conflict).
func (c *Controller) orphan(dep *node, ownerUID string, done func(error)) {
	write := func(o model.Object) {
		ctrlutil.Patch(c.client, o, func(obj model.Object) bool {
			return ctrlutil.RemoveOwnerRef(obj.GetObjectMeta(), ownerUID)
		}, func(_ model.Object, err error) {
			if err == nil {
				c.event("OrphanedDependent", dep.identity, sim.F("owner", ownerUID))
			}
			done(err)
		})
	}
	if inf := c.informers[dep.identity.Kind]; inf != nil {
		if o, ok := inf.Get(dep.identity.Namespace, dep.identity.Name); ok && o.GetObjectMeta().UID == dep.identity.UID {
			write(o)
			return
		}
	}
	c.getObject(dep.identity, func(o model.Object, err error) {
		if err != nil {
			done(err)
			return
		}
		if o.GetObjectMeta().UID != dep.identity.UID {
			done(nil)
			return
		}
		write(o)
	})
}
