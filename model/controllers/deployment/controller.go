package deployment

import (
	"reflect"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Component is the controller's name as an event source and API client.
const Component = "deployment-controller"

const (
	dAPIVersion = "apps/v1"
	dKind       = "Deployment"
)

// Controller is the Deployment controller.
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	dInf, rsInf, podInf *model.Informer
	queue               *model.WorkQueue
	workers             *ctrlutil.Workers

	// Indexes of the caches.
	dByNS map[string]map[string]*model.Deployment
	rss   *ctrlutil.ObjectIndex[*model.ReplicaSet]
	pods  *ctrlutil.ObjectIndex[*model.Pod]
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
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = def.MaxRetries
	}
	c := &Controller{
		k:      k,
		cfg:    cfg,
		client: connect(Component, cfg.QPS, cfg.Burst),
		dByNS:  map[string]map[string]*model.Deployment{},
		rss:    ctrlutil.NewObjectIndex[*model.ReplicaSet](),
		pods:   ctrlutil.NewObjectIndex[*model.Pod](),
	}
	c.workers = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, MaxRetries: cfg.MaxRetries, Sync: c.syncDeployment}
	c.queue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), ctrlutil.WhenSynced(k, c.synced, c.workers.Pump))
	c.workers.Queue = c.queue
	c.dInf = model.NewInformer(k, c.client, "Deployment", cfg.ResyncPeriod)
	c.rsInf = model.NewInformer(k, c.client, "ReplicaSet", cfg.ResyncPeriod)
	c.podInf = model.NewInformer(k, c.client, "Pod", cfg.ResyncPeriod)
	c.dInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.setD(o.(*model.Deployment)); c.enqueue(o.(*model.Deployment)) },
		OnUpdate: func(_, o model.Object) { c.setD(o.(*model.Deployment)); c.enqueue(o.(*model.Deployment)) },
		OnDelete: func(o model.Object) { c.unsetD(o.(*model.Deployment)); c.enqueue(o.(*model.Deployment)) },
	})
	c.rsInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.addReplicaSet(o.(*model.ReplicaSet)) },
		OnUpdate: func(old, cur model.Object) { c.updateReplicaSet(old.(*model.ReplicaSet), cur.(*model.ReplicaSet)) },
		OnDelete: func(o model.Object) { c.deleteReplicaSet(o.(*model.ReplicaSet)) },
	})
	c.podInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.pods.Set(o.(*model.Pod)) },
		OnUpdate: func(_, o model.Object) { c.pods.Set(o.(*model.Pod)) },
		OnDelete: func(o model.Object) { c.deletePod(o.(*model.Pod)) },
	})
	return c
}

// Start begins the list-and-watch; the workers run once the caches have
// synced.
func (c *Controller) Start() {
	c.dInf.Start()
	c.rsInf.Start()
	c.podInf.Start()
}

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

// synced reports whether the informers have listed; the workers wait for
// it.
func (c *Controller) synced() bool { return ctrlutil.HaveSynced(c.dInf, c.rsInf, c.podInf) }

func (c *Controller) event(kind string, d *model.Deployment, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Component, Object: d.Key(), Fields: fields})
}

func (c *Controller) enqueue(d *model.Deployment) { c.queue.Add(d.Key()) }

// --- indexes -------------------------------------------------------------

func (c *Controller) setD(d *model.Deployment) {
	m := c.dByNS[d.Namespace]
	if m == nil {
		m = map[string]*model.Deployment{}
		c.dByNS[d.Namespace] = m
	}
	m[d.Name] = d
}

func (c *Controller) unsetD(d *model.Deployment) {
	if cur := c.dByNS[d.Namespace][d.Name]; cur != nil && cur.UID == d.UID {
		delete(c.dByNS[d.Namespace], d.Name)
	}
}

func (c *Controller) deploymentsIn(ns string) []*model.Deployment {
	m := c.dByNS[ns]
	out := make([]*model.Deployment, 0, len(m))
	for _, n := range model.SortedKeys(m) {
		out = append(out, m[n])
	}
	return out
}

// --- event handlers (deployment_controller.go) ---------------------------

func (c *Controller) resolveControllerRef(ns string, ref *model.OwnerReference) *model.Deployment {
	if ref.Kind != dKind {
		return nil
	}
	d := c.dByNS[ns][ref.Name]
	if d == nil || d.UID != ref.UID {
		return nil
	}
	return d
}

// deploymentsForReplicaSet returns the Deployments whose selector matches
// an orphan ReplicaSet's labels (GetDeploymentsForReplicaSet).
func (c *Controller) deploymentsForReplicaSet(rs *model.ReplicaSet) []*model.Deployment {
	if len(rs.Labels) == 0 {
		return nil
	}
	var out []*model.Deployment
	for _, d := range c.deploymentsIn(rs.Namespace) {
		sel, err := model.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(rs.Labels) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func (c *Controller) addReplicaSet(rs *model.ReplicaSet) {
	c.rss.Set(rs)
	if rs.DeletionTimestamp != nil {
		c.replicaSetGone(rs)
		return
	}
	if ref := rs.ControllerRef(); ref != nil {
		if d := c.resolveControllerRef(rs.Namespace, ref); d != nil {
			c.enqueue(d)
		}
		return
	}
	for _, d := range c.deploymentsForReplicaSet(rs) {
		c.enqueue(d)
	}
}

func (c *Controller) updateReplicaSet(old, cur *model.ReplicaSet) {
	c.rss.Set(cur)
	if cur.ResourceVersion == old.ResourceVersion {
		return
	}
	curRef, oldRef := cur.ControllerRef(), old.ControllerRef()
	refChanged := !reflect.DeepEqual(curRef, oldRef)
	if refChanged && oldRef != nil {
		if d := c.resolveControllerRef(old.Namespace, oldRef); d != nil {
			c.enqueue(d)
		}
	}
	if curRef != nil {
		if d := c.resolveControllerRef(cur.Namespace, curRef); d != nil {
			c.enqueue(d)
		}
		return
	}
	if !reflect.DeepEqual(cur.Labels, old.Labels) || refChanged {
		for _, d := range c.deploymentsForReplicaSet(cur) {
			c.enqueue(d)
		}
	}
}

func (c *Controller) deleteReplicaSet(rs *model.ReplicaSet) {
	c.rss.Remove(rs)
	c.replicaSetGone(rs)
}

func (c *Controller) replicaSetGone(rs *model.ReplicaSet) {
	if ref := rs.ControllerRef(); ref != nil {
		if d := c.resolveControllerRef(rs.Namespace, ref); d != nil {
			c.enqueue(d)
		}
	}
}

// deletePod wakes a Recreate Deployment once its last pod is gone.
func (c *Controller) deletePod(p *model.Pod) {
	c.pods.Remove(p)
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "ReplicaSet" {
		return
	}
	rs, ok := c.rss.Get(p.Namespace, ref.Name)
	if !ok || rs.UID != ref.UID {
		return
	}
	dref := rs.ControllerRef()
	if dref == nil {
		return
	}
	d := c.resolveControllerRef(rs.Namespace, dref)
	if d == nil || d.Spec.Strategy.Type != model.RecreateDeploymentStrategyType {
		return
	}
	n := 0
	for _, pods := range c.podMap(d, c.ownedReplicaSets(d)) {
		n += len(pods)
	}
	if n == 0 {
		c.enqueue(d)
	}
}

// ownedReplicaSets lists the cached ReplicaSets the Deployment controls.
func (c *Controller) ownedReplicaSets(d *model.Deployment) []*model.ReplicaSet {
	return c.rss.Owned(d.UID)
}

// podMap groups the Deployment's pods (all phases) by the UID of the
// ReplicaSet in rsList that controls them (getPodMapForDeployment).
func (c *Controller) podMap(d *model.Deployment, rsList []*model.ReplicaSet) map[string][]*model.Pod {
	out := make(map[string][]*model.Pod, len(rsList))
	for _, rs := range rsList {
		out[rs.UID] = nil
	}
	sel, err := model.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return out
	}
	// Pods matching the selector, grouped by the ReplicaSet of rsList
	// that controls them: those are exactly the ReplicaSets' owned pods
	// that match.
	for _, rs := range rsList {
		for _, p := range c.pods.Owned(rs.UID) {
			if p.Namespace == d.Namespace && sel.Matches(p.Labels) {
				out[rs.UID] = append(out[rs.UID], p)
			}
		}
	}
	return out
}
