package daemonset

import (
	"reflect"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Source is the component name the DaemonSet controller reports as.
const Source = "daemonset-controller"

// Config holds the DaemonSet controller's settings.
type Config struct {
	// Start is the wall date of simulated time zero.
	Start time.Time
	// ConcurrentDaemonSetSyncs is --concurrent-daemonset-syncs (2).
	ConcurrentDaemonSetSyncs int
	// QPS and Burst are kube-controller-manager's client limits (20, 30).
	QPS   float64
	Burst int
	// BurstReplicas caps creations and deletions per sync (250).
	BurstReplicas int
	// FailedPodsBackoff and MaxFailedPodsBackoff throttle deleting failed
	// daemon pods per node (1 s doubling to 15 min).
	FailedPodsBackoff    time.Duration
	MaxFailedPodsBackoff time.Duration
}

// DefaultConfig returns upstream's defaults; Start is left zero.
func DefaultConfig() Config {
	return Config{ConcurrentDaemonSetSyncs: 2, QPS: 20, Burst: 30, BurstReplicas: 250,
		FailedPodsBackoff: time.Second, MaxFailedPodsBackoff: 15 * time.Minute}
}

// Controller is the DaemonSet controller
// (pkg/controller/daemon/daemon_controller.go, update.go).
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client
	dss    *model.Informer
	pods   *model.Informer
	nodes  *model.Informer
	queue  *model.WorkQueue
	work   *ctrlutil.Workers
	exp    *ctrlutil.Expectations
	// owned indexes pod keys by their controlling DaemonSet's UID.
	owned   ctrlutil.KeySets
	backoff map[string]*backoffEntry
}

// backoffEntry is one key of client-go's flowcontrol.Backoff.
type backoffEntry struct {
	delay      time.Duration
	lastUpdate sim.Time
}

// New returns a DaemonSet controller; Start begins its watches.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	c := &Controller{k: k, cfg: cfg, client: connect(Source, cfg.QPS, cfg.Burst),
		owned: ctrlutil.KeySets{}, backoff: map[string]*backoffEntry{}}
	c.exp = ctrlutil.NewExpectations(k.Now, ctrlutil.ExpectationsTimeout)
	c.dss = model.NewInformer(k, c.client, "DaemonSet", 0)
	c.pods = model.NewInformer(k, c.client, "Pod", 0)
	c.nodes = model.NewInformer(k, c.client, "Node", 0)
	c.work = &ctrlutil.Workers{Defer: k, Max: max(cfg.ConcurrentDaemonSetSyncs, 1), Sync: c.sync}
	c.queue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), c.work.Pump)
	c.work.Queue = c.queue
	enqueue := func(o model.Object) { c.queue.Add(model.Key(o)) }
	c.dss.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    enqueue,
		OnUpdate: func(_, o model.Object) { enqueue(o) },
		OnDelete: enqueue,
	})
	c.pods.AddEventHandler(model.ResourceEventHandler{OnAdd: c.addPod, OnUpdate: c.updatePod, OnDelete: c.deletePod})
	c.nodes.AddEventHandler(model.ResourceEventHandler{OnAdd: c.addNode, OnUpdate: c.updateNode})
	return c
}

// Start begins watching DaemonSets, pods and nodes.
func (c *Controller) Start() {
	c.dss.Start()
	c.pods.Start()
	c.nodes.Start()
}

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) record(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Source, Object: object, Fields: fields})
}

func (c *Controller) owner(p *model.Pod) *model.DaemonSet {
	if o, ok := ctrlutil.ResolveControllerRef(c.dss, p, "DaemonSet"); ok {
		return o.(*model.DaemonSet)
	}
	return nil
}

func (c *Controller) index(p *model.Pod, add bool) { c.owned.SetControlled(p, "DaemonSet", add) }

func (c *Controller) addPod(o model.Object) {
	p := o.(*model.Pod)
	c.index(p, true)
	if p.DeletionTimestamp != nil {
		c.podGone(p)
		return
	}
	if ds := c.owner(p); ds != nil {
		c.exp.CreationObserved(ds.Key())
		c.queue.Add(ds.Key())
	}
}

func (c *Controller) updatePod(oldObj, newObj model.Object) {
	old, cur := oldObj.(*model.Pod), newObj.(*model.Pod)
	if old.ResourceVersion == cur.ResourceVersion {
		return
	}
	c.index(old, false)
	c.index(cur, true)
	if cur.DeletionTimestamp != nil {
		c.podGone(cur)
		return
	}
	if or, cr := old.ControllerRef(), cur.ControllerRef(); or != nil && (cr == nil || or.UID != cr.UID) {
		if ds := c.owner(old); ds != nil {
			c.queue.Add(ds.Key())
		}
	}
	if ds := c.owner(cur); ds != nil {
		c.queue.Add(ds.Key())
	}
}

func (c *Controller) deletePod(o model.Object) {
	p := o.(*model.Pod)
	c.index(p, false)
	c.podGone(p)
}

func (c *Controller) podGone(p *model.Pod) {
	if ds := c.owner(p); ds != nil {
		c.exp.DeletionObserved(ds.Key())
		c.queue.Add(ds.Key())
	}
}

func (c *Controller) allDaemonSets() []*model.DaemonSet {
	var out []*model.DaemonSet
	for _, o := range c.dss.List() {
		out = append(out, o.(*model.DaemonSet))
	}
	return out
}

func (c *Controller) addNode(o model.Object) {
	n := o.(*model.Node)
	for _, ds := range c.allDaemonSets() {
		if run, _ := NodeShouldRunDaemonPod(n, ds); run {
			c.queue.Add(ds.Key())
		}
	}
}

// updateNode requeues the DaemonSets whose placement on the node changes;
// only label and taint changes matter (shouldIgnoreNodeUpdate).
func (c *Controller) updateNode(oldObj, newObj model.Object) {
	old, cur := oldObj.(*model.Node), newObj.(*model.Node)
	if reflect.DeepEqual(old.Labels, cur.Labels) && reflect.DeepEqual(old.Spec.Taints, cur.Spec.Taints) {
		return
	}
	for _, ds := range c.allDaemonSets() {
		r0, c0 := NodeShouldRunDaemonPod(old, ds)
		r1, c1 := NodeShouldRunDaemonPod(cur, ds)
		if r0 != r1 || c0 != c1 {
			c.queue.Add(ds.Key())
		}
	}
}

func (c *Controller) nodeList() []*model.Node {
	objs := c.nodes.List()
	out := make([]*model.Node, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(*model.Node))
	}
	return out
}

// nodeToDaemonPods groups the DaemonSet's pods by target node, skipping
// finished pods already being deleted. Deviation: orphans are not adopted.
func (c *Controller) nodeToDaemonPods(ds *model.DaemonSet) map[string][]*model.Pod {
	out := map[string][]*model.Pod{}
	for _, p := range ctrlutil.Cached[*model.Pod](c.owned, ds.UID, c.pods) {
		if p.IsTerminal() && p.DeletionTimestamp != nil {
			continue
		}
		node, err := targetNodeName(p)
		if err != nil {
			continue
		}
		out[node] = append(out[node], p)
	}
	return out
}

// inBackoff and nextBackoff are client-go flowcontrol.Backoff's
// IsInBackOffSinceUpdate and Next.
func (c *Controller) inBackoff(key string) (bool, time.Duration) {
	e, ok := c.backoff[key]
	if !ok {
		return false, 0
	}
	return c.k.Now().Sub(e.lastUpdate) < e.delay, e.delay
}

func (c *Controller) nextBackoff(key string) {
	now := c.k.Now()
	e, ok := c.backoff[key]
	if !ok || now.Sub(e.lastUpdate) > 2*c.cfg.MaxFailedPodsBackoff {
		c.backoff[key] = &backoffEntry{delay: c.cfg.FailedPodsBackoff, lastUpdate: now}
		return
	}
	e.delay = min(2*e.delay, c.cfg.MaxFailedPodsBackoff)
	e.lastUpdate = now
}
