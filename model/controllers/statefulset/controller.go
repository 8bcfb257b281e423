package statefulset

import (
	"reflect"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Component is the controller's name as an event source and API client.
const Component = "statefulset-controller"

// Controller is the StatefulSet controller.
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	setInf, podInf, pvcInf *model.Informer
	queue                  *model.WorkQueue
	workers                *ctrlutil.Workers
	history                *history

	sets *ctrlutil.ObjectIndex[*model.StatefulSet]
	pods *ctrlutil.ObjectIndex[*model.Pod]
}

// New builds the controller; connect opens its API client. Zero fields of
// cfg take DefaultConfig's values.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	cfg = cfg.withDefaults()
	c := &Controller{
		k:       k,
		cfg:     cfg,
		client:  connect(Component, cfg.QPS, cfg.Burst),
		history: newHistory(),
		sets:    ctrlutil.NewObjectIndex[*model.StatefulSet](),
		pods:    ctrlutil.NewObjectIndex[*model.Pod](),
	}
	c.workers = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, Sync: c.sync, Defer: k}
	c.queue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), ctrlutil.WhenSynced(k, c.synced, c.workers.Pump))
	c.workers.Queue = c.queue
	c.setInf = model.NewInformer(k, c.client, "StatefulSet", cfg.ResyncPeriod)
	c.podInf = model.NewInformer(k, c.client, "Pod", cfg.ResyncPeriod)
	c.pvcInf = model.NewInformer(k, c.client, "PersistentVolumeClaim", cfg.ResyncPeriod)
	c.setInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.sets.Set(o.(*model.StatefulSet)); c.queue.Add(model.Key(o)) },
		OnUpdate: func(_, cur model.Object) { c.sets.Set(cur.(*model.StatefulSet)); c.queue.Add(model.Key(cur)) },
		OnDelete: func(o model.Object) {
			set := o.(*model.StatefulSet)
			c.sets.Remove(set)
			c.history.forget(set.UID)
			c.queue.Add(model.Key(o))
		},
	})
	c.podInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.addPod(o.(*model.Pod)) },
		OnUpdate: func(old, cur model.Object) { c.updatePod(old.(*model.Pod), cur.(*model.Pod)) },
		OnDelete: func(o model.Object) { c.deletePod(o.(*model.Pod)) },
	})
	return c
}

// Start begins the list-and-watch; the workers run once the caches have
// synced.
func (c *Controller) Start() {
	c.setInf.Start()
	c.podInf.Start()
	c.pvcInf.Start()
}

func (c *Controller) synced() bool { return ctrlutil.HaveSynced(c.setInf, c.podInf, c.pvcInf) }

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) event(kind string, set *model.StatefulSet, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Component, Object: set.Key(), Fields: fields})
}

// --- event handlers (stateful_set.go) --------------------------------------

func (c *Controller) resolveControllerRef(ns string, ref *model.OwnerReference) *model.StatefulSet {
	set, _ := c.sets.ResolveControllerRef(setKind, ns, ref)
	return set
}

// podSets returns the sets whose selector matches an orphan pod
// (getStatefulSetsForPod).
func (c *Controller) podSets(p *model.Pod) []*model.StatefulSet {
	return c.sets.Selecting(p.Namespace, p.Labels, func(set *model.StatefulSet) *model.LabelSelector { return set.Spec.Selector })
}

func (c *Controller) addPod(p *model.Pod) {
	c.pods.Set(p)
	if p.DeletionTimestamp != nil {
		c.enqueueOwner(p)
		return
	}
	if ref := p.ControllerRef(); ref != nil {
		if set := c.resolveControllerRef(p.Namespace, ref); set != nil {
			c.queue.Add(set.Key())
		}
		return
	}
	for _, set := range c.podSets(p) {
		c.queue.Add(set.Key())
	}
}

func (c *Controller) updatePod(old, cur *model.Pod) {
	c.pods.Set(cur)
	if cur.ResourceVersion == old.ResourceVersion {
		return
	}
	labelChanged := !reflect.DeepEqual(cur.Labels, old.Labels)
	curRef, oldRef := cur.ControllerRef(), old.ControllerRef()
	refChanged := !reflect.DeepEqual(curRef, oldRef)
	if refChanged && oldRef != nil {
		if set := c.resolveControllerRef(old.Namespace, oldRef); set != nil {
			c.queue.Add(set.Key())
		}
	}
	if curRef != nil {
		if set := c.resolveControllerRef(cur.Namespace, curRef); set != nil {
			c.queue.Add(set.Key())
		}
		return
	}
	if labelChanged || refChanged {
		for _, set := range c.podSets(cur) {
			c.queue.Add(set.Key())
		}
	}
}

func (c *Controller) deletePod(p *model.Pod) {
	c.pods.Remove(p)
	c.enqueueOwner(p)
}

// enqueueOwner wakes the set that controls p.
func (c *Controller) enqueueOwner(p *model.Pod) {
	if ref := p.ControllerRef(); ref != nil {
		if set := c.resolveControllerRef(p.Namespace, ref); set != nil {
			c.queue.Add(set.Key())
		}
	}
}

// --- sync ------------------------------------------------------------------

// sync is the controller's sync: claim the pods, run the control loop,
// write the status, and look again when ready pods become available.
func (c *Controller) sync(key string, done func(error)) {
	ns, name := ctrlutil.SplitKey(key)
	set, ok := c.sets.Get(ns, name)
	if !ok {
		done(nil)
		return
	}
	selector, err := model.LabelSelectorAsSelector(set.Spec.Selector)
	if err != nil {
		done(nil) // an invalid selector: nothing to do until it changes
		return
	}
	var objs []model.Object
	for _, p := range c.pods.Candidates(ns, set.UID) {
		// Orphans are adopted only if their name makes them members.
		if p.ControllerRef() == nil && !isMemberOf(set, p) {
			continue
		}
		objs = append(objs, p)
	}
	ref := newControllerRef(set.Name, set.UID, setAPIVersion, setKind)
	ctrlutil.ClaimObjects(c.client, set, ref, selector, objs, func(claimed []model.Object, err error) {
		if err != nil {
			done(err)
			return
		}
		pods := make([]*model.Pod, len(claimed))
		for i, o := range claimed {
			pods[i] = o.(*model.Pod)
		}
		c.updateStatefulSet(set, pods, func(st *model.StatefulSetStatus, err error) {
			if err == nil && st != nil && set.Spec.MinReadySeconds > 0 && st.AvailableReplicas != int32(replicasOf(set)) {
				if d, ok := nextAvailability(pods, set.Spec.MinReadySeconds, c.now()); ok {
					c.queue.AddAfter(key, d)
				}
			}
			done(err)
		})
	})
}

// availabilityEpsilon is added to the instant a ready pod turns available
// (IsPodAvailable compares strictly) when scheduling the check.
const availabilityEpsilon = time.Millisecond

// nextAvailability returns the wait until the first ready pod that is not
// yet available becomes available.
func nextAvailability(pods []*model.Pod, minReadySeconds int32, now time.Time) (time.Duration, bool) {
	var best time.Duration
	found := false
	for _, p := range pods {
		if !isRunningAndReady(p) || isAvailable(p, minReadySeconds, now) {
			continue
		}
		cond := p.Status.Condition(model.PodReady)
		if cond.LastTransitionTime == nil {
			continue
		}
		d := cond.LastTransitionTime.Add(time.Duration(minReadySeconds)*time.Second).Sub(now) + availabilityEpsilon
		if !found || d < best {
			best, found = d, true
		}
	}
	return best, found
}

// statusRetries is retry.DefaultBackoff's steps: status writes are
// retried on conflict after 10, 50 and 250 ms.
const statusRetries = 4

func retryDelay(n int) time.Duration {
	d := 10 * time.Millisecond
	for i := 0; i < n; i++ {
		d *= 5
	}
	return d
}

// updateStatus writes the status (StatefulSetStatusUpdater), re-reading
// the set from the cache and retrying on conflict.
func (c *Controller) updateStatus(set *model.StatefulSet, st model.StatefulSetStatus, done func(error)) {
	var attempt func(cur *model.StatefulSet, n int)
	attempt = func(cur *model.StatefulSet, n int) {
		cp := model.DeepCopy(cur)
		cp.Status = st
		c.client.UpdateStatus(cp, func(_ model.Object, err error) {
			if err == nil || !model.IsConflict(err) || n+1 >= statusRetries {
				done(err)
				return
			}
			c.k.AfterFunc(retryDelay(n), func(sim.Time) {
				fresh, ok := c.sets.Get(set.Namespace, set.Name)
				if !ok || fresh.UID != set.UID {
					done(err)
					return
				}
				attempt(fresh, n+1)
			})
		})
	}
	attempt(set, 0)
}
