package endpointslice

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Component is the controller's name as an event source and API client.
const Component = "endpointslice-controller"

// Retry backoff of the service queue: 1 s doubling to 1000 s per item,
// 10 qps with a burst of 100 overall (defaultSyncBackOff, maxSyncBackOff).
const (
	syncBackOff    = time.Second
	maxSyncBackOff = 1000 * time.Second
	// sliceChangeMinSyncDelay delays syncs triggered by slice changes
	// (endpointSliceChangeMinSyncDelay).
	sliceChangeMinSyncDelay = time.Second
)

// errStaleCache is endpointslicepkg.StaleInformerCache: the cache has not
// yet caught up with the controller's own writes.
var errStaleCache = errors.New("EndpointSlice informer cache is out of date")

// Controller is the EndpointSlice controller.
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	svcInf, podInf, nodeInf, sliceInf *model.Informer
	queue                             *model.WorkQueue
	workers                           *ctrlutil.Workers
	tracker                           *tracker

	svcByNS   map[string]map[string]*model.Service
	podByNS   map[string]map[string]*model.Pod
	sliceByNS map[string]map[string]*model.EndpointSlice
	// podsByLabel indexes pods by namespace and "key=value" label, so a
	// Service's pods are found from one of its selector's labels instead
	// of a scan of the namespace.
	podsByLabel map[string]map[string]map[string]*model.Pod
}

// New builds the controller; connect opens its API client.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	def := DefaultConfig()
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = def.QPS, def.Burst
	}
	if cfg.ConcurrentSyncs <= 0 {
		cfg.ConcurrentSyncs = def.ConcurrentSyncs
	}
	if cfg.MaxEndpointsPerSlice <= 0 {
		cfg.MaxEndpointsPerSlice = def.MaxEndpointsPerSlice
	}
	cfg.MaxEndpointsPerSlice = min(cfg.MaxEndpointsPerSlice, 1000)
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = def.MaxRetries
	}
	c := &Controller{
		k:         k,
		cfg:       cfg,
		client:    connect(Component, cfg.QPS, cfg.Burst),
		tracker:   newTracker(),
		svcByNS:   map[string]map[string]*model.Service{},
		podByNS:   map[string]map[string]*model.Pod{},
		sliceByNS: map[string]map[string]*model.EndpointSlice{},

		podsByLabel: map[string]map[string]map[string]*model.Pod{},
	}
	limiter := model.NewMaxOfRateLimiter(model.NewItemExponentialFailureRateLimiter(syncBackOff, maxSyncBackOff), model.NewBucketRateLimiter(10, 100))
	c.workers = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, MaxRetries: cfg.MaxRetries, Sync: c.syncService}
	c.queue = model.NewWorkQueue(k, limiter, ctrlutil.WhenSynced(k, c.synced, c.workers.Pump))
	c.workers.Queue = c.queue
	c.svcInf = model.NewInformer(k, c.client, "Service", cfg.ResyncPeriod)
	c.podInf = model.NewInformer(k, c.client, "Pod", cfg.ResyncPeriod)
	c.nodeInf = model.NewInformer(k, c.client, "Node", cfg.ResyncPeriod)
	c.sliceInf = model.NewInformer(k, c.client, "EndpointSlice", cfg.ResyncPeriod)
	c.svcInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.setService(o.(*model.Service), true); c.queue.Add(model.Key(o)) },
		OnUpdate: func(_, o model.Object) { c.setService(o.(*model.Service), true); c.queue.Add(model.Key(o)) },
		OnDelete: func(o model.Object) { c.setService(o.(*model.Service), false); c.queue.Add(model.Key(o)) },
	})
	c.podInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.addPod(o.(*model.Pod)) },
		OnUpdate: func(old, cur model.Object) { c.updatePod(old.(*model.Pod), cur.(*model.Pod)) },
		OnDelete: func(o model.Object) { c.deletePod(o.(*model.Pod)) },
	})
	c.sliceInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.addSlice(o.(*model.EndpointSlice)) },
		OnUpdate: func(old, cur model.Object) { c.updateSlice(old.(*model.EndpointSlice), cur.(*model.EndpointSlice)) },
		OnDelete: func(o model.Object) { c.deleteSlice(o.(*model.EndpointSlice)) },
	})
	return c
}

// Start begins the list-and-watch; the workers run once the caches have
// synced.
func (c *Controller) Start() {
	c.svcInf.Start()
	c.podInf.Start()
	c.nodeInf.Start()
	c.sliceInf.Start()
}

// synced reports whether the informers have listed; the workers wait for
// it.
func (c *Controller) synced() bool {
	return ctrlutil.HaveSynced(c.svcInf, c.podInf, c.nodeInf, c.sliceInf)
}

func (c *Controller) event(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Component, Object: object, Fields: fields})
}

// --- indexes ---------------------------------------------------------------

func index[T model.Object](m map[string]map[string]T, o T, present bool) {
	meta := o.GetObjectMeta()
	byName := m[meta.Namespace]
	if byName == nil {
		byName = map[string]T{}
		m[meta.Namespace] = byName
	}
	if present {
		byName[meta.Name] = o
		return
	}
	if cur, ok := byName[meta.Name]; ok && cur.GetObjectMeta().UID == meta.UID {
		delete(byName, meta.Name)
	}
}

func (c *Controller) setService(s *model.Service, present bool) { index(c.svcByNS, s, present) }

// indexPod keeps podByNS and podsByLabel; old is the cached object being
// replaced or removed (nil on add).
func (c *Controller) indexPod(p *model.Pod, present bool) {
	if old, ok := c.podByNS[p.Namespace][p.Name]; ok {
		if !present && old.UID != p.UID {
			return // another pod now has the name
		}
		for k, v := range old.Labels {
			if m := c.podsByLabel[old.Namespace][k+"="+v]; m != nil {
				delete(m, old.Name)
				if len(m) == 0 {
					delete(c.podsByLabel[old.Namespace], k+"="+v)
				}
			}
		}
	}
	index(c.podByNS, p, present)
	if !present {
		return
	}
	byLabel := c.podsByLabel[p.Namespace]
	if byLabel == nil {
		byLabel = map[string]map[string]*model.Pod{}
		c.podsByLabel[p.Namespace] = byLabel
	}
	for k, v := range p.Labels {
		m := byLabel[k+"="+v]
		if m == nil {
			m = map[string]*model.Pod{}
			byLabel[k+"="+v] = m
		}
		m[p.Name] = p
	}
}

// selectedPods returns the pods of a namespace a Service's selector
// matches, sorted by name.
func (c *Controller) selectedPods(ns string, selector map[string]string) []*model.Pod {
	candidates := c.podByNS[ns]
	for k, v := range selector {
		if m := c.podsByLabel[ns][k+"="+v]; len(m) < len(candidates) {
			candidates = m
		}
	}
	sel := model.SelectorFromSet(selector)
	var out []*model.Pod
	for _, name := range model.SortedKeys(candidates) {
		if p := candidates[name]; sel.Matches(p.Labels) {
			out = append(out, p)
		}
	}
	return out
}

// podServices returns the keys of the Services whose selector matches the
// pod's labels (GetPodServiceMemberships).
func (c *Controller) podServices(p *model.Pod) map[string]bool {
	out := map[string]bool{}
	for _, name := range model.SortedKeys(c.svcByNS[p.Namespace]) {
		svc := c.svcByNS[p.Namespace][name]
		if svc.Spec.Selector == nil {
			continue
		}
		if model.SelectorFromSet(svc.Spec.Selector).Matches(p.Labels) {
			out[svc.Key()] = true
		}
	}
	return out
}

func (c *Controller) queuePodServices(keys map[string]bool) {
	for _, k := range model.SortedKeys(keys) {
		c.queue.AddAfter(k, c.cfg.EndpointUpdatesBatchPeriod)
	}
}

func (c *Controller) addPod(p *model.Pod) {
	c.indexPod(p, true)
	c.queuePodServices(c.podServices(p))
}

func (c *Controller) deletePod(p *model.Pod) {
	c.indexPod(p, false)
	c.queuePodServices(c.podServices(p))
}

// updatePod is GetServicesToUpdateOnPodChange: only changes that can move
// an endpoint (deletion, readiness, IP, terminal phase) or the pod's
// membership (labels) trigger syncs.
func (c *Controller) updatePod(old, cur *model.Pod) {
	c.indexPod(cur, true)
	if cur.ResourceVersion == old.ResourceVersion {
		return
	}
	podChanged, labelsChanged := podEndpointsChanged(old, cur)
	if !podChanged && !labelsChanged {
		return
	}
	services := c.podServices(cur)
	if labelsChanged {
		oldServices := c.podServices(old)
		if podChanged {
			for k := range oldServices {
				services[k] = true
			}
		} else {
			// Only the services the pod joined or left.
			diff := map[string]bool{}
			for k := range services {
				if !oldServices[k] {
					diff[k] = true
				}
			}
			for k := range oldServices {
				if !services[k] {
					diff[k] = true
				}
			}
			services = diff
		}
	}
	c.queuePodServices(services)
}

// podEndpointsChanged reports whether a pod change can change its endpoint,
// and whether it can change which Services select it.
func podEndpointsChanged(old, cur *model.Pod) (podChanged, labelsChanged bool) {
	labelsChanged = !reflect.DeepEqual(old.Labels, cur.Labels)
	switch {
	case !reflect.DeepEqual(old.DeletionTimestamp, cur.DeletionTimestamp),
		old.IsReady() != cur.IsReady(),
		old.Status.PodIP != cur.Status.PodIP,
		old.IsTerminal() != cur.IsTerminal():
		return true, labelsChanged
	}
	return false, labelsChanged
}

func managed(s *model.EndpointSlice) bool { return s.Labels[LabelManagedBy] == ControllerName }

func (c *Controller) queueServiceForSlice(s *model.EndpointSlice) {
	name := s.Labels[LabelServiceName]
	if name == "" {
		return
	}
	c.queue.AddAfter(s.Namespace+"/"+name, max(sliceChangeMinSyncDelay, c.cfg.EndpointUpdatesBatchPeriod))
}

func (c *Controller) addSlice(s *model.EndpointSlice) {
	index(c.sliceByNS, s, true)
	if managed(s) && c.tracker.ShouldSync(s) {
		c.queueServiceForSlice(s)
	}
}

func (c *Controller) updateSlice(old, cur *model.EndpointSlice) {
	index(c.sliceByNS, cur, true)
	if cur.Labels[LabelServiceName] != old.Labels[LabelServiceName] {
		c.queueServiceForSlice(cur)
		c.queueServiceForSlice(old)
		return
	}
	if managed(old) != managed(cur) || (managed(cur) && c.tracker.ShouldSync(cur)) {
		c.queueServiceForSlice(cur)
	}
}

func (c *Controller) deleteSlice(s *model.EndpointSlice) {
	index(c.sliceByNS, s, false)
	if managed(s) && c.tracker.Has(s) && !c.tracker.HandleDeletion(s) {
		// Someone else deleted a slice we manage: put it back.
		c.queueServiceForSlice(s)
	}
}

func (c *Controller) nodeLookup(name string) (*model.Node, bool) {
	o, ok := c.nodeInf.Get("", name)
	if !ok {
		return nil, false
	}
	return o.(*model.Node), true
}

// --- sync --------------------------------------------------------------------

// syncService is upstream's syncService: the managed slices of a Service
// with a selector are reconciled with the pods it selects.
func (c *Controller) syncService(key string, done func(error)) {
	ns, name, _ := strings.Cut(key, "/")
	svc := c.svcByNS[ns][name]
	if svc == nil {
		c.tracker.DeleteService(key)
		done(nil)
		return
	}
	if svc.Spec.Type == model.ServiceTypeExternalName || svc.Spec.Selector == nil {
		done(nil)
		return
	}
	pods := c.selectedPods(ns, svc.Spec.Selector)
	var slices []*model.EndpointSlice
	for _, n := range model.SortedKeys(c.sliceByNS[ns]) {
		s := c.sliceByNS[ns][n]
		if s.Labels[LabelServiceName] == name && managed(s) && s.DeletionTimestamp == nil {
			slices = append(slices, s)
		}
	}
	if c.tracker.StaleSlices(key, slices) {
		done(errStaleCache)
		return
	}
	plan, errs := Reconcile(svc, pods, c.nodeLookup, slices, c.cfg.MaxEndpointsPerSlice)
	c.apply(svc, plan, func(err error) {
		if err != nil {
			errs = append(errs, err)
		} else if !plan.Empty() {
			ready := 0
			total := 0
			for _, s := range c.resulting(slices, plan) {
				for _, e := range s.Endpoints {
					total++
					if model.Deref(e.Conditions.Ready, false) {
						ready++
					}
				}
			}
			c.event("EndpointSlicesReconciled", key, sim.F("created", len(plan.Create)), sim.F("updated", len(plan.Update)),
				sim.F("deleted", len(plan.Delete)), sim.F("endpoints", total), sim.F("ready", ready))
		}
		if len(errs) > 0 {
			err := errors.Join(errs...)
			c.event("FailedToUpdateEndpointSlices", key, sim.F("message",
				fmt.Sprintf("Error updating Endpoint Slices for Service %s: %v", key, err)))
			done(err)
			return
		}
		done(nil)
	})
}

// resulting returns the Service's slices as the plan leaves them.
func (c *Controller) resulting(existing []*model.EndpointSlice, plan Plan) []*model.EndpointSlice {
	gone := map[string]bool{}
	for _, s := range plan.Delete {
		gone[s.Name] = true
	}
	for _, s := range plan.Update {
		gone[s.Name] = true
	}
	var out []*model.EndpointSlice
	for _, s := range existing {
		if !gone[s.Name] {
			out = append(out, s)
		}
	}
	out = append(out, plan.Update...)
	return append(out, plan.Create...)
}

// apply is finalize's writes: creates, updates, deletes, one after
// another; the first error stops the rest.
func (c *Controller) apply(svc *model.Service, plan Plan, done func(error)) {
	type op struct {
		kind  int // 0 create, 1 update, 2 delete
		slice *model.EndpointSlice
	}
	var ops []op
	for _, s := range plan.Create {
		ops = append(ops, op{0, s})
	}
	for _, s := range plan.Update {
		ops = append(ops, op{1, s})
	}
	for _, s := range plan.Delete {
		ops = append(ops, op{2, s})
	}
	var next func(i int)
	next = func(i int) {
		if i == len(ops) {
			done(nil)
			return
		}
		o := ops[i]
		switch o.kind {
		case 0:
			c.client.Create(o.slice, func(created model.Object, err error) {
				if err != nil {
					done(fmt.Errorf("failed to create EndpointSlice for Service %s: %w", svc.Key(), err))
					return
				}
				c.tracker.Update(created.(*model.EndpointSlice))
				next(i + 1)
			})
		case 1:
			c.client.Update(o.slice, func(updated model.Object, err error) {
				if err != nil {
					done(fmt.Errorf("failed to update %s EndpointSlice for Service %s: %w", o.slice.Name, svc.Key(), err))
					return
				}
				c.tracker.Update(updated.(*model.EndpointSlice))
				next(i + 1)
			})
		case 2:
			c.client.Delete("EndpointSlice", o.slice.Namespace, o.slice.Name, func(err error) {
				if err != nil {
					done(fmt.Errorf("failed to delete %s EndpointSlice for Service %s: %w", o.slice.Name, svc.Key(), err))
					return
				}
				c.tracker.ExpectDeletion(o.slice)
				next(i + 1)
			})
		}
	}
	next(0)
}
