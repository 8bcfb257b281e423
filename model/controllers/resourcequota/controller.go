package resourcequota

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Component is the controller's name as an event source and API client.
const Component = "resourcequota-controller"

// Controller keeps ResourceQuota status.hard and status.used up to date.
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	rqInf *model.Informer
	infs  map[string]*model.Informer
	// objs indexes the watched objects: kind → namespace → name.
	objs map[string]map[string]map[string]model.Object

	queue, missingUsageQueue     *model.WorkQueue
	workers, missingUsageWorkers *ctrlutil.Workers
}

// New builds the controller; connect opens its API client. Zero fields of
// cfg take DefaultConfig's values.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	cfg = cfg.withDefaults()
	c := &Controller{k: k, cfg: cfg, client: connect(Component, cfg.QPS, cfg.Burst),
		infs: map[string]*model.Informer{}, objs: map[string]map[string]map[string]model.Object{}}
	c.rqInf = model.NewInformer(k, c.client, "ResourceQuota", 0)
	c.infs["ResourceQuota"] = c.rqInf
	for _, kind := range cfg.Kinds {
		if kind == "ResourceQuota" {
			continue
		}
		c.infs[kind] = model.NewInformer(k, c.client, kind, 0)
	}
	c.workers = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, Sync: c.sync, Defer: k}
	c.queue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), ctrlutil.WhenSynced(k, c.synced, c.workers.Pump))
	c.workers.Queue = c.queue
	c.missingUsageWorkers = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, Sync: c.sync, Defer: k}
	c.missingUsageQueue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), ctrlutil.WhenSynced(k, c.synced, c.missingUsageWorkers.Pump))
	c.missingUsageWorkers.Queue = c.missingUsageQueue

	c.rqInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd: func(o model.Object) {
			c.index(o, true)
			c.addQuota(o.(*model.ResourceQuota))
			c.replenish("ResourceQuota", o.GetObjectMeta().Namespace)
		},
		OnUpdate: func(old, cur model.Object) {
			c.index(cur, true)
			// Only spec.hard changes matter: status changes are this
			// controller's own writes.
			if !Equals(old.(*model.ResourceQuota).Spec.Hard, cur.(*model.ResourceQuota).Spec.Hard) {
				c.addQuota(cur.(*model.ResourceQuota))
			}
		},
		OnDelete: func(o model.Object) {
			c.index(o, false)
			c.queue.Add(model.Key(o))
			c.replenish("ResourceQuota", o.GetObjectMeta().Namespace)
		},
	})
	for _, kind := range model.SortedKeys(c.infs) {
		if kind == "ResourceQuota" {
			continue
		}
		kind := kind
		c.infs[kind].AddEventHandler(model.ResourceEventHandler{
			OnAdd: func(o model.Object) {
				c.index(o, true)
				c.replenish(kind, o.GetObjectMeta().Namespace)
			},
			OnUpdate: func(old, cur model.Object) {
				c.index(cur, true)
				if c.needsReplenish(old, cur) {
					c.replenish(kind, cur.GetObjectMeta().Namespace)
				}
			},
			OnDelete: func(o model.Object) {
				c.index(o, false)
				c.replenish(kind, o.GetObjectMeta().Namespace)
			},
		})
	}
	return c
}

// Start begins the watches and the periodic full recalculation.
func (c *Controller) Start() {
	for _, kind := range model.SortedKeys(c.infs) {
		c.infs[kind].Start()
	}
	if c.cfg.ResyncPeriod > 0 {
		var tick func(sim.Time)
		tick = func(sim.Time) {
			c.enqueueAll()
			c.k.AfterFunc(c.cfg.ResyncPeriod, tick)
		}
		c.k.AfterFunc(c.cfg.ResyncPeriod, tick)
	}
}

func (c *Controller) synced() bool {
	for _, kind := range model.SortedKeys(c.infs) {
		if !c.infs[kind].HasSynced() {
			return false
		}
	}
	return true
}

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) index(o model.Object, present bool) {
	kind := model.KindOf(o).Kind
	m := o.GetObjectMeta()
	byNS := c.objs[kind]
	if byNS == nil {
		byNS = map[string]map[string]model.Object{}
		c.objs[kind] = byNS
	}
	set := byNS[m.Namespace]
	if present {
		if set == nil {
			set = map[string]model.Object{}
			byNS[m.Namespace] = set
		}
		set[m.Name] = o
		return
	}
	delete(set, m.Name)
	if len(set) == 0 {
		delete(byNS, m.Namespace)
	}
}

// list returns a namespace's cached objects of a kind (in no particular
// order: usage sums do not depend on it).
func (c *Controller) list(ns string) func(kind string) []model.Object {
	return func(kind string) []model.Object {
		set := c.objs[kind][ns]
		out := make([]model.Object, 0, len(set))
		for _, o := range set {
			out = append(out, o)
		}
		return out
	}
}

// addQuota queues a quota, on the priority queue when its status lacks
// the hard limits or a usage this controller can compute.
func (c *Controller) addQuota(rq *model.ResourceQuota) {
	key := rq.Key()
	if !Equals(rq.Spec.Hard, rq.Status.Hard) {
		c.missingUsageQueue.Add(key)
		return
	}
	for _, name := range names(rq.Status.Hard) {
		if _, ok := rq.Status.Used[name]; ok {
			continue
		}
		for _, kind := range c.cfg.Kinds {
			if Matches(kind, name) {
				c.missingUsageQueue.Add(key)
				return
			}
		}
	}
	c.queue.Add(key)
}

// enqueueAll queues every quota for a full recalculation.
func (c *Controller) enqueueAll() {
	for _, o := range c.rqInf.List() {
		c.queue.Add(model.Key(o))
	}
}

// needsReplenish filters updates as the quota monitor does: a pod that
// stops being charged, a service whose type changes, a claim whose
// request or class changes.
func (c *Controller) needsReplenish(old, cur model.Object) bool {
	switch o := old.(type) {
	case *model.Pod:
		now := c.now()
		return QuotaPod(o, now) && !QuotaPod(cur.(*model.Pod), now)
	case *model.Service:
		return o.Spec.Type != cur.(*model.Service).Spec.Type
	case *model.PersistentVolumeClaim:
		n := cur.(*model.PersistentVolumeClaim)
		return !Equals(o.Spec.Resources.Requests, n.Spec.Resources.Requests) ||
			model.Deref(o.Spec.StorageClassName, "") != model.Deref(n.Spec.StorageClassName, "")
	}
	return false
}

// replenish is replenishQuota: queue the namespace's quotas that track a
// resource of the kind.
func (c *Controller) replenish(kind, ns string) {
	for _, o := range c.list(ns)("ResourceQuota") {
		rq := o.(*model.ResourceQuota)
		for name := range rq.Status.Hard {
			if Matches(kind, name) {
				c.queue.Add(rq.Key())
				break
			}
		}
	}
}

// sync is syncResourceQuota: recompute the usage of the resources the
// quota limits and write the status when it changed.
func (c *Controller) sync(key string, done func(error)) {
	ns, name := ctrlutil.SplitKey(key)
	o, ok := c.rqInf.Get(ns, name)
	if !ok {
		done(nil)
		return
	}
	rq := o.(*model.ResourceQuota)
	dirty := !Equals(rq.Spec.Hard, rq.Status.Hard) || rq.Status.Hard == nil || rq.Status.Used == nil
	used := model.ResourceList{}
	for n, q := range rq.Status.Used {
		used[n] = q
	}
	hard := model.ResourceList{}
	for n, q := range rq.Spec.Hard {
		hard[n] = q
	}
	for n, q := range CalculateUsage(hard, rq.Spec.Scopes, c.cfg.Kinds, c.list(ns), c.now()) {
		used[n] = q
	}
	for n := range used {
		if _, tracked := hard[n]; !tracked {
			delete(used, n)
		}
	}
	dirty = dirty || !Equals(used, rq.Status.Used)
	if !dirty {
		done(nil)
		return
	}
	cp := model.DeepCopy(rq)
	cp.Status = model.ResourceQuotaStatus{Hard: hard, Used: used}
	c.client.UpdateStatus(cp, func(_ model.Object, err error) { done(err) })
}
