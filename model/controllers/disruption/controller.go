package disruption

import (
	"reflect"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Source is the component name the disruption controller reports as.
const Source = "disruption-controller"

// Config holds the disruption controller's settings.
type Config struct {
	// Start is the wall date of simulated time zero (disruptedPods and
	// condition times are wall dates).
	Start time.Time
	// QPS and Burst are kube-controller-manager's client limits (20, 30).
	QPS   float64
	Burst int
	// StalePodDisruptionTimeout is how long a DisruptionTarget condition
	// may stay on a pod that is not being deleted before it is reset
	// (2 min).
	StalePodDisruptionTimeout time.Duration
}

// DefaultConfig returns upstream's defaults; Start is left zero.
func DefaultConfig() Config {
	return Config{QPS: 20, Burst: 30, StalePodDisruptionTimeout: 2 * time.Minute}
}

// Controller is the disruption controller (pkg/controller/disruption/
// disruption.go): it keeps every PodDisruptionBudget's status current.
type Controller struct {
	k       *sim.Kernel
	cfg     Config
	client  model.Client
	pdbs    *model.Informer
	pods    *model.Informer
	rss     *model.Informer
	deps    *model.Informer
	sss     *model.Informer
	queue   *model.WorkQueue
	stale   *model.WorkQueue
	recheck map[string]sim.Timer
}

// New returns a disruption controller; Start begins its watches. It runs
// one worker, as upstream does, plus one for stale DisruptionTarget
// conditions.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	c := &Controller{k: k, cfg: cfg, client: connect(Source, cfg.QPS, cfg.Burst), recheck: map[string]sim.Timer{}}
	c.pdbs = model.NewInformer(k, c.client, "PodDisruptionBudget", 0)
	c.pods = model.NewInformer(k, c.client, "Pod", 0)
	c.rss = model.NewInformer(k, c.client, "ReplicaSet", 0)
	c.deps = model.NewInformer(k, c.client, "Deployment", 0)
	c.sss = model.NewInformer(k, c.client, "StatefulSet", 0)
	w := &ctrlutil.Workers{Defer: k, Max: 1, Sync: c.sync}
	c.queue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), w.Pump)
	w.Queue = c.queue
	sw := &ctrlutil.Workers{Defer: k, Max: 1, Sync: c.syncStalePod}
	c.stale = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), sw.Pump)
	sw.Queue = c.stale
	enqueue := func(o model.Object) { c.queue.Add(model.Key(o)) }
	c.pdbs.AddEventHandler(model.ResourceEventHandler{OnAdd: enqueue, OnUpdate: func(_, o model.Object) { enqueue(o) }, OnDelete: enqueue})
	c.pods.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.podChanged(o.(*model.Pod), true) },
		OnUpdate: func(_, o model.Object) { c.podChanged(o.(*model.Pod), true) },
		OnDelete: func(o model.Object) { c.podChanged(o.(*model.Pod), false) },
	})
	return c
}

// Start begins watching budgets, pods and the workload controllers.
func (c *Controller) Start() {
	c.pdbs.Start()
	c.pods.Start()
	c.rss.Start()
	c.deps.Start()
	c.sss.Start()
}

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) record(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Source, Object: object, Fields: fields})
}

// pdbForPod returns the first (by name) budget in the pod's namespace
// whose selector matches it.
func (c *Controller) pdbForPod(p *model.Pod) *model.PodDisruptionBudget {
	var found []*model.PodDisruptionBudget
	for _, o := range c.pdbs.List() {
		pdb := o.(*model.PodDisruptionBudget)
		if pdb.Namespace != p.Namespace || pdb.Spec.Selector == nil {
			continue
		}
		sel, err := model.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(p.Labels) {
			continue
		}
		found = append(found, pdb)
	}
	if len(found) == 0 {
		return nil
	}
	if len(found) > 1 {
		c.record("MultiplePodDisruptionBudgets", p.Key(), sim.F("chosen", found[0].Name))
	}
	return found[0]
}

func (c *Controller) podChanged(p *model.Pod, exists bool) {
	if pdb := c.pdbForPod(p); pdb != nil {
		c.queue.Add(pdb.Key())
	}
	if exists {
		if has, after := c.staleDisruptionCondition(p); has {
			c.stale.AddAfter(p.Key(), after)
		}
	}
}

// staleDisruptionCondition reports a True DisruptionTarget condition on a
// pod that is neither being deleted nor finished (and not set by the
// kubelet), and how long until it counts as stale.
func (c *Controller) staleDisruptionCondition(p *model.Pod) (bool, time.Duration) {
	if p.DeletionTimestamp != nil || p.IsTerminal() {
		return false, 0
	}
	cond := p.Status.Condition(model.DisruptionTarget)
	if cond == nil || cond.Status != model.ConditionTrue || cond.Reason == "TerminationByKubelet" {
		return false, 0
	}
	var since time.Duration
	if cond.LastTransitionTime != nil {
		since = c.now().Sub(*cond.LastTransitionTime)
	}
	return true, max(c.cfg.StalePodDisruptionTimeout-since, 0)
}

func (c *Controller) syncStalePod(key string, done func(error)) {
	ns, name, _ := strings.Cut(key, "/")
	o, ok := c.pods.Get(ns, name)
	if !ok {
		done(nil)
		return
	}
	has, after := c.staleDisruptionCondition(o.(*model.Pod))
	if !has {
		done(nil)
		return
	}
	if after > 0 {
		c.stale.AddAfter(key, after)
		done(nil)
		return
	}
	p := model.DeepCopy(o.(*model.Pod))
	now := c.now()
	cond := *p.Status.Condition(model.DisruptionTarget)
	cond.Status, cond.LastTransitionTime = model.ConditionFalse, &now
	p.Status.SetCondition(cond)
	c.client.Update(p, func(_ model.Object, err error) { done(err) })
}

// podsForPdb lists the pods in the budget's namespace matching its
// selector, by name.
func (c *Controller) podsForPdb(pdb *model.PodDisruptionBudget) ([]*model.Pod, error) {
	sel, err := model.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return nil, err
	}
	var out []*model.Pod
	for _, o := range c.pods.List() {
		p := o.(*model.Pod)
		if p.Namespace == pdb.Namespace && sel.Matches(p.Labels) {
			out = append(out, p)
		}
	}
	return out, nil
}

// findScale is the controller finders: a ReplicaSet owned by a
// Deployment counts as the Deployment, else as itself; a StatefulSet as
// itself. Other owners (Jobs, DaemonSets...) do not implement the scale
// subresource, an error as upstream.
func (c *Controller) findScale(ref *model.OwnerReference, ns string) (controllerScale, bool, error) {
	switch ref.Kind {
	case "ReplicaSet":
		o, ok := c.rss.Get(ns, ref.Name)
		if !ok || o.GetObjectMeta().UID != ref.UID {
			return controllerScale{}, false, nil
		}
		rs := o.(*model.ReplicaSet)
		if dref := rs.ControllerRef(); dref != nil && dref.Kind == "Deployment" {
			d, ok := c.deps.Get(ns, dref.Name)
			if !ok || d.GetObjectMeta().UID != dref.UID {
				return controllerScale{}, false, nil
			}
			return controllerScale{d.GetObjectMeta().UID, model.Deref(d.(*model.Deployment).Spec.Replicas, 1)}, true, nil
		}
		return controllerScale{rs.UID, model.Deref(rs.Spec.Replicas, 1)}, true, nil
	case "StatefulSet":
		o, ok := c.sss.Get(ns, ref.Name)
		if !ok || o.GetObjectMeta().UID != ref.UID {
			return controllerScale{}, false, nil
		}
		return controllerScale{o.GetObjectMeta().UID, model.Deref(o.(*model.StatefulSet).Spec.Replicas, 1)}, true, nil
	}
	return controllerScale{}, false, &model.StatusError{Reason: model.ReasonNotFound, Kind: ref.Kind, Key: ns + "/" + ref.Name,
		Message: strings.ToLower(ref.Kind) + "s does not implement the scale subresource"}
}

// sync is upstream sync/trySync: on failure (other than a conflict) the
// budget is written with disruptionsAllowed 0 (failSafe).
func (c *Controller) sync(key string, done func(error)) {
	ns, name, _ := strings.Cut(key, "/")
	o, ok := c.pdbs.Get(ns, name)
	if !ok {
		done(nil)
		return
	}
	pdb := o.(*model.PodDisruptionBudget)
	c.trySync(pdb, func(err error) {
		if err == nil || model.IsConflict(err) {
			done(err)
			return
		}
		failed := model.DeepCopy(pdb)
		failed.Status.DisruptionsAllowed = 0
		c.client.Update(failed, func(_ model.Object, uerr error) {
			if uerr != nil {
				done(uerr)
				return
			}
			done(err)
		})
	})
}

func (c *Controller) trySync(pdb *model.PodDisruptionBudget, done func(error)) {
	key := pdb.Key()
	pods, err := c.podsForPdb(pdb)
	if err != nil {
		c.record("NoPods", key, sim.F("message", "Failed to get pods: "+err.Error()))
		done(err)
		return
	}
	if len(pods) == 0 {
		c.record("NoPods", key, sim.F("message", "No matching pods found"))
	}
	expected, desired, unmanaged, err := expectedPodCount(pdb, pods, c.findScale)
	if err != nil {
		c.record("CalculateExpectedPodCountFailed", key, sim.F("error", err.Error()))
		done(err)
		return
	}
	if len(unmanaged) > 0 {
		c.record("UnmanagedPods", key, sim.F("pods", unmanaged))
	}
	now := c.now()
	disrupted, recheck, notDeleted := buildDisruptedPodMap(pods, pdb, now)
	for _, p := range notDeleted {
		c.record("NotDeleted", pdb.Namespace+"/"+p, sim.F("pdb", pdb.Name))
	}
	current := countHealthyPods(pods, disrupted, now)
	allowed := disruptionsAllowed(current, desired, expected)
	st := pdb.Status
	sameDisrupted := len(st.DisruptedPods) == len(disrupted) && (len(disrupted) == 0 || reflect.DeepEqual(st.DisruptedPods, disrupted))
	after := func() {
		if recheck != nil {
			c.scheduleRecheck(key, recheck.Sub(now))
		}
		done(nil)
	}
	if st.CurrentHealthy == current && st.DesiredHealthy == desired && st.ExpectedPods == expected &&
		st.DisruptionsAllowed == allowed && sameDisrupted && st.ObservedGeneration == pdb.Generation {
		after()
		return
	}
	upd := model.DeepCopy(pdb)
	upd.Status = model.PodDisruptionBudgetStatus{CurrentHealthy: current, DesiredHealthy: desired, ExpectedPods: expected,
		DisruptionsAllowed: allowed, DisruptedPods: disrupted, ObservedGeneration: pdb.Generation}
	if len(disrupted) == 0 {
		upd.Status.DisruptedPods = nil
	}
	c.client.Update(upd, func(_ model.Object, err error) {
		if err != nil {
			done(err)
			return
		}
		after()
	})
}

// scheduleRecheck requeues key (rate-limited, as upstream's recheck
// queue does) after d; an earlier pending recheck wins.
func (c *Controller) scheduleRecheck(key string, d time.Duration) {
	at := c.k.Now().Add(d)
	if t, ok := c.recheck[key]; ok && c.k.Active(t) {
		if t.At() <= at {
			return
		}
		c.k.Cancel(t)
	}
	c.recheck[key] = c.k.At(at, sim.HandlerFunc(func(sim.Time) {
		delete(c.recheck, key)
		c.queue.AddRateLimited(key)
	}))
}
