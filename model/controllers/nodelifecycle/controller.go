package nodelifecycle

import (
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Source is the component name the node lifecycle controller reports as
// (its event source upstream).
const Source = "node-controller"

// labelExcludeDisruption keeps a node out of the zone health counts.
const labelExcludeDisruption = "node.kubernetes.io/exclude-disruption"

// nodeHealthUpdateRetry is how many times a node status write is tried
// per pass (scheduler.NodeHealthUpdateRetry).
const nodeHealthUpdateRetry = 5

// Controller is the node lifecycle controller
// (pkg/controller/nodelifecycle/node_lifecycle_controller.go).
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client
	nodes  *model.Informer
	leases *model.Informer
	pods   *model.Informer

	health       map[string]*nodeHealth
	known        map[string]bool
	zoneStates   map[string]ZoneState
	tainters     map[string]*tainterQueue
	nodesToRetry map[string]bool
	lastReady    map[string]model.ConditionStatus
	podsOnNode   ctrlutil.KeySets

	nodeQueue *model.WorkQueue
	podQueue  *model.WorkQueue

	passTimer   sim.Timer
	passRunning bool
	lastPassEnd sim.Time

	rand  *sim.Rand
	taint *TaintEvictionController
}

// New returns a node lifecycle controller (and, when configured, the
// taint eviction controller it starts with); Start begins its work.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	c := &Controller{k: k, cfg: cfg, client: connect(Source, cfg.QPS, cfg.Burst),
		health: map[string]*nodeHealth{}, known: map[string]bool{}, zoneStates: map[string]ZoneState{},
		tainters: map[string]*tainterQueue{}, nodesToRetry: map[string]bool{}, lastReady: map[string]model.ConditionStatus{},
		podsOnNode: ctrlutil.KeySets{}, rand: k.Rand("node-controller/update-taint-backoff")}
	c.nodes = model.NewInformer(k, c.client, "Node", 0)
	c.leases = model.NewInformer(k, c.client, "Lease", 0)
	c.pods = model.NewInformer(k, c.client, "Pod", 0)
	nw := &ctrlutil.Workers{Defer: k, Max: max(cfg.NodeUpdateWorkers, 1), Sync: c.noScheduleTaintingPass}
	c.nodeQueue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), nw.Pump)
	nw.Queue = c.nodeQueue
	pw := &ctrlutil.Workers{Defer: k, Max: max(cfg.PodUpdateWorkers, 1), Sync: c.processPod}
	c.podQueue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), pw.Pump)
	pw.Queue = c.podQueue
	c.nodes.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.nodeQueue.Add(model.Key(o)) },
		OnUpdate: func(_, o model.Object) { c.nodeQueue.Add(model.Key(o)) },
		OnDelete: func(o model.Object) { delete(c.nodesToRetry, model.Key(o)) },
	})
	c.pods.AddEventHandler(model.ResourceEventHandler{
		OnAdd: func(o model.Object) { c.podUpdated(nil, o.(*model.Pod)) },
		OnUpdate: func(oldObj, newObj model.Object) {
			c.podUpdated(oldObj.(*model.Pod), newObj.(*model.Pod))
		},
		OnDelete: func(o model.Object) { c.indexPod(o.(*model.Pod), false) },
	})
	if cfg.TaintEviction {
		c.taint = NewTaintEviction(k, connect, cfg)
	}
	return c
}

// Start begins the watches; the health monitor runs every
// NodeMonitorPeriod once the caches have synced.
func (c *Controller) Start() {
	c.nodes.Start()
	c.leases.Start()
	c.pods.Start()
	if c.taint != nil {
		c.taint.Start()
	}
	var wait func(sim.Time)
	wait = func(sim.Time) {
		if !c.nodes.HasSynced() || !c.leases.HasSynced() || !c.pods.HasSynced() {
			c.k.AfterFunc(100*time.Millisecond, wait) // WaitForCacheSync polls every 100 ms
			return
		}
		c.lastPassEnd = c.k.Now()
		c.monitor()
	}
	c.k.AfterFunc(0, wait)
}

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) record(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Source, Object: object, Fields: fields})
}

func (c *Controller) indexPod(p *model.Pod, add bool) {
	if p.Spec.NodeName == "" {
		return
	}
	c.podsOnNode.Set(p.Spec.NodeName, p.Key(), add)
}

func (c *Controller) podUpdated(old, cur *model.Pod) {
	if old != nil {
		c.indexPod(old, false)
	}
	c.indexPod(cur, true)
	if cur.Spec.NodeName != "" && (old == nil || old.Spec.NodeName != cur.Spec.NodeName) {
		c.podQueue.Add(cur.Key())
	}
}

func (c *Controller) podsAssigned(node string) []*model.Pod {
	return ctrlutil.Cached[*model.Pod](c.podsOnNode, node, c.pods)
}

func (c *Controller) nodeList() []*model.Node {
	objs := c.nodes.List()
	out := make([]*model.Node, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(*model.Node))
	}
	return out
}

// sequence runs steps one after another, each calling next when its
// requests have returned.
func sequence(n int, step func(i int, next func()), end func()) {
	var run func(i int)
	run = func(i int) {
		if i >= n {
			end()
			return
		}
		step(i, func() { run(i + 1) })
	}
	run(0)
}

// parallelize runs step for 0..n-1 with at most workers in flight
// (workqueue.ParallelizeUntil), then end.
func parallelize(n, workers int, step func(i int, done func()), end func()) {
	if n == 0 {
		end()
		return
	}
	next, finished := 0, 0
	var launch func()
	launch = func() {
		for next < n && next-finished < workers {
			i := next
			next++
			step(i, func() {
				finished++
				if finished == n {
					end()
					return
				}
				launch()
			})
		}
	}
	launch()
}

// monitor is monitorNodeHealth: classify nodes, update each node's health
// (8 at a time), queue unhealthy nodes for NoExecute tainting, mark their
// pods not ready, then adjust the zones' tainting rates. The next pass
// starts NodeMonitorPeriod after this one has finished.
func (c *Controller) monitor() {
	nodes := c.nodeList()
	var added []*model.Node
	present := map[string]bool{}
	for _, n := range nodes {
		present[n.Name] = true
		if !c.known[n.Name] {
			added = append(added, n)
		} else if _, ok := c.zoneStates[zoneKey(n)]; !ok {
			c.addZone(n)
		}
	}
	for _, name := range model.SortedKeys(c.known) {
		if !present[name] {
			c.record("RemovingNode", name, sim.F("message", "Removing Node "+name+" from Controller"))
			delete(c.known, name)
		}
	}
	sequence(len(added), func(i int, next func()) {
		n := added[i]
		c.record("RegisteredNode", n.Name, sim.F("message", "Registered Node "+n.Name+" in Controller"))
		c.known[n.Name] = true
		c.addZone(n)
		c.markNodeAsReachable(n, func(bool, error) { next() })
	}, func() {
		zones := map[string][]*model.NodeCondition{}
		parallelize(len(nodes), max(c.cfg.NodeUpdateWorkers, 1), func(i int, done func()) {
			c.updateNode(nodes[i], zones, done)
		}, func() {
			c.handleDisruption(zones, nodes, func() {
				c.k.AfterFunc(c.cfg.NodeMonitorPeriod, func(sim.Time) { c.monitor() })
			})
		})
	})
}

// updateNode runs tryUpdateNodeHealth with retries, then taint-based
// eviction and the pods' readiness for one node.
func (c *Controller) updateNode(node *model.Node, zones map[string][]*model.NodeCondition, done func()) {
	attempts := 0
	var try func(n *model.Node)
	try = func(n *model.Node) {
		o, _ := c.leases.Get(model.NamespaceNodeLease, n.Name)
		var lease *model.Lease
		if o != nil {
			lease = o.(*model.Lease)
		}
		r := tryUpdateNodeHealth(n, lease, c.health[n.Name], c.now(), c.cfg.NodeMonitorGracePeriod, c.cfg.NodeStartupGracePeriod)
		if !r.write {
			c.health[n.Name] = r.health
			c.afterHealth(n, r, zones, done)
			return
		}
		c.client.Update(n, func(_ model.Object, err error) {
			if err == nil {
				c.health[n.Name] = r.health
				c.afterHealth(n, r, zones, done)
				return
			}
			c.health[n.Name] = r.stale
			attempts++
			if attempts >= nodeHealthUpdateRetry {
				done() // skipped: no eviction decisions for this node this pass
				return
			}
			c.k.AfterFunc(20*time.Millisecond, func(sim.Time) {
				c.client.Get("Node", "", n.Name, func(o model.Object, err error) {
					if err != nil {
						done()
						return
					}
					try(model.DeepCopy(o.(*model.Node)))
				})
			})
		})
	}
	try(model.DeepCopy(node))
}

func (c *Controller) afterHealth(n *model.Node, r healthResult, zones map[string][]*model.NodeCondition, done func()) {
	if _, excluded := n.Labels[labelExcludeDisruption]; !excluded {
		zones[zoneKey(n)] = append(zones[zoneKey(n)], r.current)
	}
	if r.current == nil {
		done()
		return
	}
	if prev, seen := c.lastReady[n.Name]; seen && prev != model.ConditionTrue && r.current.Status == model.ConditionTrue {
		c.record("NodeReady", n.Name, sim.F("message", "Node "+n.Name+" status is now: NodeReady"))
	}
	c.lastReady[n.Name] = r.current.Status
	c.processTaintBaseEviction(n, r.observed.Status, func() {
		transition := r.current.Status != model.ConditionTrue && r.observed.Status == model.ConditionTrue
		retry := c.nodesToRetry[n.Name] && r.observed.Status != model.ConditionTrue
		if transition {
			c.record("NodeNotReady", n.Name, sim.F("message", "Node "+n.Name+" status is now: NodeNotReady"))
		}
		if !transition && !retry {
			delete(c.nodesToRetry, n.Name)
			done()
			return
		}
		c.markPodsNotReady(c.podsAssigned(n.Name), n.Name, func(err error) {
			if err != nil {
				c.nodesToRetry[n.Name] = true
			} else {
				delete(c.nodesToRetry, n.Name)
			}
			done()
		})
	})
}

// processTaintBaseEviction queues a not-ready or unreachable node for its
// NoExecute taint (swapping at once between the two when one is already
// there) and takes both off a ready node.
func (c *Controller) processTaintBaseEviction(n *model.Node, observed model.ConditionStatus, done func()) {
	switch observed {
	case model.ConditionFalse:
		if taintExists(n.Spec.Taints, &unreachableTaint) {
			c.swapTaints(n, []model.Taint{notReadyTaint}, []model.Taint{unreachableTaint}, func(bool) { done() })
			return
		}
		c.markNodeForTainting(n, model.ConditionFalse)
	case model.ConditionUnknown:
		if taintExists(n.Spec.Taints, &notReadyTaint) {
			c.swapTaints(n, []model.Taint{unreachableTaint}, []model.Taint{notReadyTaint}, func(bool) { done() })
			return
		}
		c.markNodeForTainting(n, model.ConditionUnknown)
	case model.ConditionTrue:
		c.markNodeAsReachable(n, func(bool, error) { done() })
		return
	}
	done()
}

func (c *Controller) addZone(n *model.Node) {
	z := zoneKey(n)
	if _, ok := c.zoneStates[z]; ok {
		return
	}
	c.zoneStates[z] = StateInitial
	c.tainters[z] = newTainterQueue(c.cfg.EvictionLimiterQPS, c.k.Now())
}

func (c *Controller) markNodeForTainting(n *model.Node, status model.ConditionStatus) {
	q := c.tainters[zoneKey(n)]
	if q == nil {
		c.addZone(n)
		q = c.tainters[zoneKey(n)]
	}
	if status == model.ConditionFalse && !taintExists(n.Spec.Taints, &notReadyTaint) {
		q.remove(n.Name)
	}
	if status == model.ConditionUnknown && !taintExists(n.Spec.Taints, &unreachableTaint) {
		q.remove(n.Name)
	}
	if q.add(n.Name, n.UID, c.k.Now()) {
		c.schedulePass()
	}
}

// markNodeAsReachable removes the unreachable and not-ready NoExecute
// taints (when the cached node has them) and takes the node out of its
// zone's tainting queue.
func (c *Controller) markNodeAsReachable(n *model.Node, done func(removed bool, err error)) {
	c.removeTaints(n, []model.Taint{unreachableTaint}, func(err error) {
		if err != nil {
			done(false, err)
			return
		}
		c.removeTaints(n, []model.Taint{notReadyTaint}, func(err error) {
			if err != nil {
				done(false, err)
				return
			}
			removed := false
			if q := c.tainters[zoneKey(n)]; q != nil {
				removed = q.remove(n.Name)
			}
			done(removed, nil)
		})
	})
}

// handleDisruption recomputes the zones' states and tainting rates: a
// partially disrupted zone slows down (or stops below the large-cluster
// threshold); when every zone is fully disrupted the controller assumes
// its own connectivity is at fault, stops tainting and removes the
// NoExecute taints; when some zone recovers it restarts the clocks.
func (c *Controller) handleDisruption(zones map[string][]*model.NodeCondition, nodes []*model.Node, done func()) {
	now := c.k.Now()
	newStates := map[string]ZoneState{}
	allAreFully := true
	for _, z := range model.SortedKeys(zones) {
		_, st := ComputeZoneState(zones[z], c.cfg.UnhealthyZoneThreshold)
		if st != StateFullDisruption {
			allAreFully = false
		}
		newStates[z] = st
		if _, had := c.zoneStates[z]; !had {
			c.zoneStates[z] = StateInitial
		}
	}
	allWasFully := true
	for _, z := range model.SortedKeys(c.zoneStates) {
		if _, have := zones[z]; !have {
			delete(c.zoneStates, z)
			continue
		}
		if c.zoneStates[z] != StateFullDisruption {
			allWasFully = false
			break
		}
	}
	if allAreFully && allWasFully {
		done()
		return
	}
	if allAreFully {
		c.record("MasterDisruptionMode", "", sim.F("message", "Controller detected that all Nodes are not-Ready. Entering master disruption mode"))
		sequence(len(nodes), func(i int, next func()) {
			c.markNodeAsReachable(nodes[i], func(bool, error) { next() })
		}, func() {
			for _, z := range model.SortedKeys(c.zoneStates) {
				c.tainter(z).swapLimiter(0, c.k.Now())
				c.zoneStates[z] = StateFullDisruption
			}
			done()
		})
		return
	}
	if allWasFully {
		c.record("MasterDisruptionMode", "", sim.F("message", "Controller detected that some Nodes are Ready. Exiting master disruption mode"))
		wall := c.now()
		for _, n := range nodes {
			if h := c.health[n.Name]; h != nil {
				c.health[n.Name] = &nodeHealth{probeTimestamp: wall, readyTransitionTimestamp: wall, status: h.status, lease: h.lease}
			}
		}
		for _, z := range model.SortedKeys(c.zoneStates) {
			c.setLimiterInZone(z, len(zones[z]), newStates[z], now)
			c.zoneStates[z] = newStates[z]
		}
		done()
		return
	}
	for _, z := range model.SortedKeys(c.zoneStates) {
		if st := newStates[z]; st != c.zoneStates[z] {
			c.record("ZoneStateChanged", z, sim.F("state", string(st)))
			c.setLimiterInZone(z, len(zones[z]), st, now)
			c.zoneStates[z] = st
		}
	}
	done()
}

func (c *Controller) tainter(z string) *tainterQueue {
	q := c.tainters[z]
	if q == nil {
		q = newTainterQueue(c.cfg.EvictionLimiterQPS, c.k.Now())
		c.tainters[z] = q
	}
	return q
}

func (c *Controller) setLimiterInZone(z string, size int, st ZoneState, now sim.Time) {
	switch st {
	case StateNormal, StatePartialDisruption, StateFullDisruption:
		c.tainter(z).swapLimiter(c.zoneQPS(st, size), now)
		c.schedulePass()
	}
}

// markPodsNotReady sets the Ready condition of the node's pods to False,
// one pod after another (controllerutil.MarkPodsNotReady).
func (c *Controller) markPodsNotReady(pods []*model.Pod, node string, done func(error)) {
	var firstErr error
	sequence(len(pods), func(i int, next func()) {
		p := pods[i]
		cond := p.Status.Condition(model.PodReady)
		if p.Spec.NodeName != node || cond == nil || cond.Status == model.ConditionFalse {
			next()
			return
		}
		cp := model.DeepCopy(p)
		now := c.now()
		nc := *cp.Status.Condition(model.PodReady)
		nc.Status, nc.LastTransitionTime = model.ConditionFalse, &now
		cp.Status.SetCondition(nc)
		c.client.Update(cp, func(_ model.Object, err error) {
			switch {
			case err == nil:
				c.record("NodeNotReady", p.Key(), sim.F("node", node), sim.F("message", "Node is not ready"))
			case model.IsNotFound(err):
			default:
				if firstErr == nil {
					firstErr = err
				}
			}
			next()
		})
	}, func() { done(firstErr) })
}

// processPod marks a pod newly bound to a not-ready node not ready.
func (c *Controller) processPod(key string, done func(error)) {
	ns, name, _ := strings.Cut(key, "/")
	o, ok := c.pods.Get(ns, name)
	if !ok {
		done(nil)
		return
	}
	p := o.(*model.Pod)
	h := c.health[p.Spec.NodeName]
	if h == nil {
		done(nil)
		return
	}
	if _, ok := c.nodes.Get("", p.Spec.NodeName); !ok {
		done(&model.StatusError{Reason: model.ReasonNotFound, Kind: "Node", Key: p.Spec.NodeName, Message: "not found"})
		return
	}
	cond := h.status.Condition(model.NodeReady)
	if cond == nil || cond.Status == model.ConditionTrue {
		done(nil)
		return
	}
	c.markPodsNotReady([]*model.Pod{p}, p.Spec.NodeName, done)
}

// noScheduleTaintingPass keeps the node's condition and unschedulable
// NoSchedule taints in line with its status (TaintNodesByCondition).
// Failures are not retried, as upstream.
func (c *Controller) noScheduleTaintingPass(key string, done func(error)) {
	o, ok := c.nodes.Get("", key)
	if !ok {
		done(nil)
		return
	}
	n := o.(*model.Node)
	add, remove := noScheduleTaintDiff(n)
	if len(add) == 0 && len(remove) == 0 {
		done(nil)
		return
	}
	c.swapTaints(n, add, remove, func(bool) { done(nil) })
}
