package replicaset

import (
	"fmt"
	"reflect"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Component is the controller's name as an event source and API client.
const Component = "replicaset-controller"

// controllerKind is the GroupVersionKind of the objects this controller owns.
const (
	rsAPIVersion = "apps/v1"
	rsKind       = "ReplicaSet"
)

// Controller is the ReplicaSet controller.
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	rsInf, podInf *model.Informer
	queue         *model.WorkQueue
	workers       *ctrlutil.Workers
	exp           *Expectations

	// Indexes of the informers' caches.
	rss  *ctrlutil.ObjectIndex[*model.ReplicaSet]
	pods *ctrlutil.ObjectIndex[*model.Pod]
}

// New builds the controller; connect opens its API client. Zero fields of
// cfg take DefaultConfig's values.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	def := DefaultConfig()
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = def.QPS, def.Burst
	}
	if cfg.Start.IsZero() {
		cfg.Start = def.Start
	}
	if cfg.ConcurrentSyncs <= 0 {
		cfg.ConcurrentSyncs = def.ConcurrentSyncs
	}
	if cfg.BurstReplicas <= 0 {
		cfg.BurstReplicas = def.BurstReplicas
	}
	if cfg.ExpectationsTimeout <= 0 {
		cfg.ExpectationsTimeout = def.ExpectationsTimeout
	}
	c := &Controller{
		k:      k,
		cfg:    cfg,
		client: connect(Component, cfg.QPS, cfg.Burst),
		rss:    ctrlutil.NewObjectIndex[*model.ReplicaSet](),
		pods:   ctrlutil.NewObjectIndex[*model.Pod](),
	}
	c.exp = ctrlutil.NewUIDTrackingExpectations(k.Now, cfg.ExpectationsTimeout)
	c.workers = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, Sync: c.syncReplicaSet}
	c.queue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), ctrlutil.WhenSynced(k, c.synced, c.workers.Pump))
	c.workers.Queue = c.queue
	c.rsInf = model.NewInformer(k, c.client, "ReplicaSet", cfg.ResyncPeriod)
	c.podInf = model.NewInformer(k, c.client, "Pod", cfg.ResyncPeriod)
	c.rsInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.addRS(o.(*model.ReplicaSet)) },
		OnUpdate: func(old, cur model.Object) { c.updateRS(old.(*model.ReplicaSet), cur.(*model.ReplicaSet)) },
		OnDelete: func(o model.Object) { c.deleteRS(o.(*model.ReplicaSet)) },
	})
	c.podInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.addPod(o.(*model.Pod)) },
		OnUpdate: func(old, cur model.Object) { c.updatePod(old.(*model.Pod), cur.(*model.Pod)) },
		OnDelete: func(o model.Object) { c.deletePod(o.(*model.Pod)) },
	})
	return c
}

// Start begins the list-and-watch; the workers run once both caches have
// synced.
func (c *Controller) Start() {
	c.rsInf.Start()
	c.podInf.Start()
}

// Expectations exposes the controller's expectations (for tests and
// invariant checks).
func (c *Controller) Expectations() *Expectations { return c.exp }

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) synced() bool { return ctrlutil.HaveSynced(c.rsInf, c.podInf) }

func (c *Controller) event(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Component, Object: object, Fields: fields})
}

// --- event handlers (replica_set.go) -------------------------------------

func (c *Controller) addRS(rs *model.ReplicaSet) {
	c.rss.Set(rs)
	c.queue.Add(rs.Key())
}

func (c *Controller) updateRS(old, cur *model.ReplicaSet) {
	c.rss.Set(cur)
	if cur.UID != old.UID {
		c.exp.Delete(old.Key())
	}
	c.queue.Add(cur.Key())
}

func (c *Controller) deleteRS(rs *model.ReplicaSet) {
	c.rss.Remove(rs)
	// Forget expectations so that a ReplicaSet re-created under the same
	// name starts clean.
	c.exp.Delete(rs.Key())
	c.queue.Add(rs.Key())
}

// resolveControllerRef returns the ReplicaSet a controller reference names,
// or nil when it is not a ReplicaSet or the UID does not match.
func (c *Controller) resolveControllerRef(ns string, ref *model.OwnerReference) *model.ReplicaSet {
	rs, _ := c.rss.ResolveControllerRef(rsKind, ns, ref)
	return rs
}

// podReplicaSets returns the ReplicaSets whose selector matches the pod
// (the lister's GetPodReplicaSets).
func (c *Controller) podReplicaSets(p *model.Pod) []*model.ReplicaSet {
	return c.rss.Selecting(p.Namespace, p.Labels, func(rs *model.ReplicaSet) *model.LabelSelector { return rs.Spec.Selector })
}

func (c *Controller) addPod(p *model.Pod) {
	c.pods.Set(p)
	if p.DeletionTimestamp != nil {
		// A pod already being deleted when first seen is not a creation.
		c.observeDeletion(p)
		return
	}
	if ref := p.ControllerRef(); ref != nil {
		rs := c.resolveControllerRef(p.Namespace, ref)
		if rs == nil {
			return
		}
		c.exp.CreationObserved(rs.Key())
		c.queue.Add(rs.Key())
		return
	}
	// An orphan: wake every matching ReplicaSet so one may adopt it.
	for _, rs := range c.podReplicaSets(p) {
		c.queue.Add(rs.Key())
	}
}

func (c *Controller) updatePod(old, cur *model.Pod) {
	c.pods.Set(cur)
	if cur.ResourceVersion == old.ResourceVersion {
		return // a resync
	}
	labelChanged := !reflect.DeepEqual(cur.Labels, old.Labels)
	if cur.DeletionTimestamp != nil {
		// Graceful deletion: act now rather than when the kubelet is done.
		c.observeDeletion(cur)
		if labelChanged {
			c.observeDeletion(old)
		}
		return
	}
	curRef, oldRef := cur.ControllerRef(), old.ControllerRef()
	refChanged := !reflect.DeepEqual(curRef, oldRef)
	if refChanged && oldRef != nil {
		if rs := c.resolveControllerRef(old.Namespace, oldRef); rs != nil {
			c.queue.Add(rs.Key())
		}
	}
	if curRef != nil {
		rs := c.resolveControllerRef(cur.Namespace, curRef)
		if rs == nil {
			return
		}
		c.queue.Add(rs.Key())
		// The pod becomes available minReadySeconds after turning ready;
		// look again then (plus a second against clock skew).
		if !old.IsReady() && cur.IsReady() && rs.Spec.MinReadySeconds > 0 {
			c.queue.AddAfter(rs.Key(), time.Duration(rs.Spec.MinReadySeconds)*time.Second+time.Second)
		}
		return
	}
	if labelChanged || refChanged {
		for _, rs := range c.podReplicaSets(cur) {
			c.queue.Add(rs.Key())
		}
	}
}

func (c *Controller) deletePod(p *model.Pod) {
	c.pods.Remove(p)
	c.observeDeletion(p)
}

// observeDeletion is upstream deletePod's logic: lower the owning
// ReplicaSet's expected deletions and wake it.
func (c *Controller) observeDeletion(p *model.Pod) {
	ref := p.ControllerRef()
	if ref == nil {
		return
	}
	rs := c.resolveControllerRef(p.Namespace, ref)
	if rs == nil {
		return
	}
	c.exp.DeletionObserved(rs.Key(), p.Key())
	c.queue.Add(rs.Key())
}

// --- sync ------------------------------------------------------------------

// syncReplicaSet is upstream's syncReplicaSet in continuation style.
func (c *Controller) syncReplicaSet(key string, done func(error)) {
	ns, name := ctrlutil.SplitKey(key)
	rs, ok := c.rss.Get(ns, name)
	if !ok {
		c.exp.Delete(key)
		done(nil)
		return
	}
	needsSync := c.exp.Satisfied(key)
	selector, err := model.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil {
		done(nil) // an invalid selector: nothing to do until it changes
		return
	}
	// The active pods it owns (also those that stopped matching: they are
	// released) and the namespace's orphans; pods of other controllers
	// are never claimed, so this is upstream's list of the namespace.
	active := FilterActivePods(c.pods.Candidates(ns, rs.UID))
	c.claimPods(rs, selector, active, func(claimed []*model.Pod, err error) {
		if err != nil {
			done(err)
			return
		}
		finish := func(manageErr error) {
			st := CalculateStatus(rs, claimed, c.now())
			c.updateStatus(rs, st, func(updated *model.ReplicaSet, err error) {
				if err != nil {
					done(err)
					return
				}
				// Look again when the ready pods become available.
				if manageErr == nil && updated.Spec.MinReadySeconds > 0 &&
					updated.Status.ReadyReplicas == model.Deref(updated.Spec.Replicas, 1) &&
					updated.Status.AvailableReplicas != model.Deref(updated.Spec.Replicas, 1) {
					c.queue.AddAfter(key, time.Duration(updated.Spec.MinReadySeconds)*time.Second)
				}
				done(manageErr)
			})
		}
		if needsSync && rs.DeletionTimestamp == nil {
			c.manageReplicas(claimed, rs, finish)
			return
		}
		finish(nil)
	})
}

// claimPods is ClaimPods with the ReplicaSet as owner; any failure fails
// the sync.
func (c *Controller) claimPods(rs *model.ReplicaSet, selector model.Selector, pods []*model.Pod, done func([]*model.Pod, error)) {
	objs := make([]model.Object, len(pods))
	for i, p := range pods {
		objs[i] = p
	}
	ctrlutil.ClaimObjects(c.client, rs, ctrlutil.NewControllerRef(rs, rsAPIVersion, rsKind), selector, objs, func(claimed []model.Object, err error) {
		out := make([]*model.Pod, len(claimed))
		for i, o := range claimed {
			out[i] = o.(*model.Pod)
		}
		done(out, err)
	})
}

// manageReplicas creates or deletes pods to reach spec.replicas, at most
// BurstReplicas per sync, recording expectations first.
func (c *Controller) manageReplicas(pods []*model.Pod, rs *model.ReplicaSet, done func(error)) {
	key := rs.Key()
	diff := len(pods) - int(model.Deref(rs.Spec.Replicas, 1))
	switch {
	case diff < 0:
		diff = min(-diff, c.cfg.BurstReplicas)
		// Expect before creating: the watch may show the pods before the
		// create calls return.
		c.exp.ExpectCreations(key, diff)
		ref := ctrlutil.NewControllerRef(rs, rsAPIVersion, rsKind)
		ctrlutil.SlowStart(diff, ctrlutil.SlowStartInitialBatchSize, func(_ int, cb func(error)) {
			c.createPod(rs, ref, cb)
		}, func(successes, _ int, err error) {
			// Pods never attempted (or failed) will not show up; stop
			// waiting for them. The next sync retries.
			for i := 0; i < diff-successes; i++ {
				c.exp.CreationObserved(key)
			}
			done(err)
		})
	case diff > 0:
		diff = min(diff, c.cfg.BurstReplicas)
		victims := PodsToDelete(pods, c.indirectlyRelatedPods(rs), diff, c.now())
		keys := make([]string, len(victims))
		for i, p := range victims {
			keys[i] = p.Key()
		}
		c.exp.ExpectDeletions(key, keys)
		var first error
		b := ctrlutil.NewBarrier(len(victims), func() { done(first) })
		for _, p := range victims {
			c.deletePodFor(rs, p, func(err error) {
				if err != nil {
					c.exp.DeletionObserved(key, p.Key())
					if !model.IsNotFound(err) && first == nil {
						first = err
					}
				}
				b.Done()
			})
		}
	default:
		done(nil)
	}
}

// createPod is RealPodControl.CreatePods.
func (c *Controller) createPod(rs *model.ReplicaSet, ref model.OwnerReference, done func(error)) {
	pod, err := PodFromTemplate(&rs.Spec.Template, rs.Namespace, rs.Name, ref)
	if err != nil {
		c.k.AfterFunc(0, func(sim.Time) { done(err) })
		return
	}
	c.client.Create(pod, func(o model.Object, err error) {
		if err != nil {
			c.event("FailedCreate", rs.Key(), sim.F("message", fmt.Sprintf("Error creating: %v", err)))
			done(err)
			return
		}
		c.event("SuccessfulCreate", rs.Key(), sim.F("pod", o.GetObjectMeta().Name),
			sim.F("message", "Created pod: "+o.GetObjectMeta().Name))
		done(nil)
	})
}

// deletePodFor is RealPodControl.DeletePod.
func (c *Controller) deletePodFor(rs *model.ReplicaSet, p *model.Pod, done func(error)) {
	c.client.Delete("Pod", p.Namespace, p.Name, func(err error) {
		if err != nil {
			if model.IsNotFound(err) {
				done(err)
				return
			}
			c.event("FailedDelete", rs.Key(), sim.F("pod", p.Name), sim.F("message", fmt.Sprintf("Error deleting: %v", err)))
			done(fmt.Errorf("unable to delete pods: %w", err))
			return
		}
		c.event("SuccessfulDelete", rs.Key(), sim.F("pod", p.Name), sim.F("message", "Deleted pod: "+p.Name))
		done(nil)
	})
}

// indirectlyRelatedPods returns the pods of every ReplicaSet with the same
// controller owner as rs (getIndirectlyRelatedPods); none when rs has no
// owner.
func (c *Controller) indirectlyRelatedPods(rs *model.ReplicaSet) []*model.Pod {
	owner := rs.ControllerRef()
	if owner == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []*model.Pod
	var all []*model.Pod
	for _, other := range c.rss.List(rs.Namespace) {
		ref := other.ControllerRef()
		if ref == nil || ref.UID != owner.UID {
			continue
		}
		sel, err := model.LabelSelectorAsSelector(other.Spec.Selector)
		if err != nil {
			continue
		}
		if all == nil {
			all = c.pods.List(rs.Namespace)
		}
		for _, p := range all {
			if !sel.Matches(p.Labels) || seen[p.UID] {
				continue
			}
			seen[p.UID] = true
			out = append(out, p)
		}
	}
	return out
}

// updateStatus is updateReplicaSetStatus: skip when nothing changed,
// otherwise write, and after a failure read the ReplicaSet again and
// write once more (statusUpdateRetries = 1).
func (c *Controller) updateStatus(rs *model.ReplicaSet, st model.ReplicaSetStatus, done func(*model.ReplicaSet, error)) {
	if statusUnchanged(rs, st) {
		done(rs, nil)
		return
	}
	st.ObservedGeneration = rs.Generation
	var attempt func(cur *model.ReplicaSet, n int)
	attempt = func(cur *model.ReplicaSet, n int) {
		cp := model.DeepCopy(cur)
		cp.Status = st
		c.client.Update(cp, func(o model.Object, err error) {
			if err == nil {
				done(o.(*model.ReplicaSet), nil)
				return
			}
			if n >= 1 {
				done(nil, err)
				return
			}
			c.client.Get("ReplicaSet", rs.Namespace, rs.Name, func(o model.Object, getErr error) {
				if getErr != nil {
					done(nil, getErr)
					return
				}
				attempt(o.(*model.ReplicaSet), n+1)
			})
		})
	}
	attempt(rs, 0)
}
