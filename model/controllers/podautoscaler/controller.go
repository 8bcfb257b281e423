package podautoscaler

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

// Component is the event source (upstream's recorder component) and the
// API client's name.
const Component = "horizontal-pod-autoscaler"

// Controller is the HorizontalPodAutoscaler controller.
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	hpaInf, podInf *model.Informer
	queue          *model.WorkQueue
	workers        *ctrlutil.Workers
	rec            *Recommender
	// selectors are the known target selectors of the HPAs, by key, for
	// the ambiguity check (hpaSelectors); nil until resolved.
	selectors map[string]*model.Selector
}

// New builds the controller; connect opens its API client. Zero durations
// and counts of cfg take DefaultConfig's values; cfg.Metrics is required
// for any metric to be served.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	cfg = cfg.withDefaults()
	c := &Controller{
		k:         k,
		cfg:       cfg,
		client:    connect(Component, cfg.QPS, cfg.Burst),
		rec:       NewRecommender(cfg.DownscaleStabilization),
		selectors: map[string]*model.Selector{},
	}
	c.workers = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, Sync: c.reconcileKey, Defer: k}
	c.queue = model.NewWorkQueue(k, fixedIntervalLimiter(cfg.SyncPeriod), ctrlutil.WhenSynced(k, c.synced, c.workers.Pump))
	c.workers.Queue = c.queue
	c.hpaInf = model.NewInformer(k, c.client, "HorizontalPodAutoscaler", cfg.SyncPeriod)
	c.podInf = model.NewInformer(k, c.client, "Pod", 0)
	c.hpaInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.enqueue(model.Key(o)) },
		OnUpdate: func(_, cur model.Object) { c.enqueue(model.Key(cur)) },
		OnDelete: func(o model.Object) {
			key := model.Key(o)
			c.queue.Forget(key)
			delete(c.selectors, key)
		},
	})
	return c
}

// Start begins the list-and-watch of HPAs and pods.
func (c *Controller) Start() {
	c.hpaInf.Start()
	c.podInf.Start()
}

// Recommender exposes the recommendations and scale events (for tests and
// reports).
func (c *Controller) Recommender() *Recommender { return c.rec }

func (c *Controller) synced() bool { return ctrlutil.HaveSynced(c.hpaInf, c.podInf) }

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) event(kind string, hpa *model.HorizontalPodAutoscaler, message string, fields ...sim.Field) {
	fields = append(fields, sim.F("message", message))
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Component, Object: hpa.Key(), Fields: fields})
}

// enqueue is enqueueHPA: every request waits a sync period (the queue's
// fixed-interval limiter), and a request already waiting wins.
func (c *Controller) enqueue(key string) {
	if _, ok := c.selectors[key]; !ok {
		c.selectors[key] = nil
	}
	c.queue.AddRateLimited(key)
}

// fixedInterval is NewDefaultHPARateLimiter: every item waits the same
// interval.
type fixedInterval time.Duration

func fixedIntervalLimiter(d time.Duration) model.RateLimiter { return fixedInterval(d) }

func (f fixedInterval) When(string, sim.Time) time.Duration { return time.Duration(f) }
func (fixedInterval) Forget(string)                         {}
func (fixedInterval) NumRequeues(string) int                { return 0 }

// reconcileKey reconciles one HPA and, unless it was deleted, queues it
// again a sync period later (processNextWorkItem).
func (c *Controller) reconcileKey(key string, done func(error)) {
	ns, name := ctrlutil.SplitKey(key)
	o, ok := c.hpaInf.Get(ns, name)
	if !ok {
		c.rec.Forget(key)
		done(nil)
		return
	}
	c.reconcileAutoscaler(model.DeepCopy(o.(*model.HorizontalPodAutoscaler)), key, func(error) {
		c.queue.AddRateLimited(key)
		done(nil)
	})
}

// scale is the target's scale subresource as the HPA reads it.
type scale struct {
	kind           string
	specReplicas   int32
	statusReplicas int32
	selector       *model.LabelSelector
}

// scaleTargets are the kinds kubesim can scale (group apps).
var scaleTargets = map[string]bool{"Deployment": true, "ReplicaSet": true, "StatefulSet": true}

func scaleOf(o model.Object) scale {
	switch t := o.(type) {
	case *model.Deployment:
		return scale{"Deployment", model.Deref(t.Spec.Replicas, 1), t.Status.Replicas, t.Spec.Selector}
	case *model.ReplicaSet:
		return scale{"ReplicaSet", model.Deref(t.Spec.Replicas, 1), t.Status.Replicas, t.Spec.Selector}
	case *model.StatefulSet:
		return scale{"StatefulSet", model.Deref(t.Spec.Replicas, 1), t.Status.Replicas, t.Spec.Selector}
	}
	return scale{}
}

// reconcileAutoscaler reads the target's scale, computes the desired
// replicas from the metrics, normalizes them, rescales the target and
// writes the status.
func (c *Controller) reconcileAutoscaler(hpa *model.HorizontalPodAutoscaler, key string, done func(error)) {
	orig := model.DeepCopy(hpa.Status)
	ref := hpa.Spec.ScaleTargetRef
	reference := fmt.Sprintf("%s/%s/%s", ref.Kind, hpa.Namespace, ref.Name)
	failGetScale := func(err, ret error) {
		c.event("FailedGetScale", hpa, err.Error())
		c.updateStatusIfNeeded(orig, hpa, func(error) { done(ret) })
	}
	group := ref.APIVersion
	if i := strings.IndexByte(group, '/'); i >= 0 {
		group = group[:i]
	}
	if group != "apps" || !scaleTargets[ref.Kind] {
		err := fmt.Errorf("no matches for kind %q in group %q", ref.Kind, group)
		failGetScale(err, fmt.Errorf("unable to determine resource for scale target reference: %v", err))
		return
	}
	c.client.Get(ref.Kind, hpa.Namespace, ref.Name, func(o model.Object, err error) {
		if err != nil {
			failGetScale(err, fmt.Errorf("failed to query scale subresource for %s: %v", reference, err))
			return
		}
		sc := scaleOf(o)
		now := c.now()
		current := sc.specReplicas
		c.rec.RecordInitial(key, current, now)
		minReplicas := model.Deref(hpa.Spec.MinReplicas, 1)
		var desired int32
		reason := ""
		rescale := true
		var retErr error
		switch {
		case current == 0 && minReplicas != 0:
			desired, rescale = 0, false // autoscaling is disabled for this resource
		case current > hpa.Spec.MaxReplicas:
			reason, desired = "Current number of replicas above Spec.MaxReplicas", hpa.Spec.MaxReplicas
		case current < minReplicas:
			reason, desired = "Current number of replicas below Spec.MinReplicas", minReplicas
		default:
			proposal, metric, err := c.computeReplicasForMetrics(hpa, key, sc, now)
			if err != nil && proposal == -1 {
				c.setStatus(hpa, current, hpa.Status.DesiredReplicas, false, now)
				c.event("FailedComputeMetricsReplicas", hpa, err.Error())
				c.updateStatusIfNeeded(orig, hpa, func(error) {
					done(fmt.Errorf("failed to compute desired number of replicas based on listed metrics for %s: %v", reference, err))
				})
				return
			}
			retErr = err
			rescaleMetric := ""
			if proposal > desired {
				desired, rescaleMetric = proposal, metric
			}
			if desired > current {
				reason = fmt.Sprintf("%s above target", rescaleMetric)
			}
			if desired < current {
				reason = "All metrics below target"
			}
			if hpa.Spec.Behavior == nil {
				desired = c.rec.Normalize(key, current, desired, minReplicas, hpa.Spec.MaxReplicas, now)
			} else {
				desired = c.rec.NormalizeWithBehaviors(key, hpa.Spec.Behavior, current, desired, minReplicas, hpa.Spec.MaxReplicas, now)
			}
			rescale = desired != current
		}
		finish := func(rescaled bool) {
			if !rescaled {
				desired = current
			}
			c.setStatus(hpa, current, desired, rescaled, now)
			c.updateStatusIfNeeded(orig, hpa, func(err error) {
				if err != nil {
					done(err)
					return
				}
				done(retErr)
			})
		}
		if !rescale {
			finish(false)
			return
		}
		patch := []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, desired))
		c.client.Patch(sc.kind, hpa.Namespace, ref.Name, patch, func(_ model.Object, err error) {
			if err != nil {
				c.event("FailedRescale", hpa, fmt.Sprintf("New size: %d; reason: %s; error: %v", desired, reason, err))
				c.setStatus(hpa, current, hpa.Status.DesiredReplicas, false, now)
				c.updateStatusIfNeeded(orig, hpa, func(error) { done(fmt.Errorf("failed to rescale %s: %v", reference, err)) })
				return
			}
			c.event("SuccessfulRescale", hpa, fmt.Sprintf("New size: %d; reason: %s", desired, reason),
				sim.F("from", current), sim.F("to", desired))
			c.rec.StoreScaleEvent(hpa.Spec.Behavior, key, current, desired, now)
			finish(true)
		})
	})
}

// setStatus rewrites the status (setStatus): current and desired
// replicas, and the last scale time when the target was rescaled.
func (c *Controller) setStatus(hpa *model.HorizontalPodAutoscaler, current, desired int32, rescaled bool, now time.Time) {
	last := hpa.Status.LastScaleTime
	if rescaled {
		last = &now
	}
	hpa.Status = model.HorizontalPodAutoscalerStatus{CurrentReplicas: current, DesiredReplicas: desired, LastScaleTime: last}
}

// updateStatusIfNeeded writes the status when it changed.
func (c *Controller) updateStatusIfNeeded(orig model.HorizontalPodAutoscalerStatus, hpa *model.HorizontalPodAutoscaler, done func(error)) {
	if reflect.DeepEqual(orig, hpa.Status) {
		done(nil)
		return
	}
	c.client.UpdateStatus(hpa, func(_ model.Object, err error) {
		if err != nil {
			c.event("FailedUpdateStatus", hpa, err.Error())
			done(fmt.Errorf("failed to update status for %s: %v", hpa.Name, err))
			return
		}
		done(nil)
	})
}

// targetPods lists the cached pods of a namespace matching sel.
func (c *Controller) targetPods(ns string, sel model.Selector) []*model.Pod {
	var out []*model.Pod
	for _, o := range c.podInf.List() {
		p := o.(*model.Pod)
		if p.Namespace == ns && sel.Matches(p.Labels) {
			out = append(out, p)
		}
	}
	return out
}

// validateSelector is validateAndParseSelector: the target needs a
// selector, and its pods may be controlled by this HPA only.
func (c *Controller) validateSelector(hpa *model.HorizontalPodAutoscaler, key string, ls *model.LabelSelector) (model.Selector, []*model.Pod, error) {
	if ls == nil || (len(ls.MatchLabels) == 0 && len(ls.MatchExpressions) == 0) {
		c.event("SelectorRequired", hpa, "selector is required")
		return model.Selector{}, nil, errors.New("selector is required")
	}
	sel, err := model.LabelSelectorAsSelector(ls)
	if err != nil {
		msg := fmt.Sprintf("couldn't convert selector into a corresponding internal selector object: %v", err)
		c.event("InvalidSelector", hpa, msg)
		return model.Selector{}, nil, errors.New(msg)
	}
	if _, ok := c.selectors[key]; ok {
		c.selectors[key] = &sel
	}
	pods := c.targetPods(hpa.Namespace, sel)
	var others []string
	for _, other := range model.SortedKeys(c.selectors) {
		osel := c.selectors[other]
		if other == key || osel == nil || !strings.HasPrefix(other, hpa.Namespace+"/") {
			continue
		}
		for _, p := range pods {
			if osel.Matches(p.Labels) {
				others = append(others, other)
				break
			}
		}
	}
	if len(others) > 0 {
		msg := fmt.Sprintf("pods by selector %v are controlled by multiple HPAs: %v", sel.String(), append([]string{key}, others...))
		c.event("AmbiguousSelector", hpa, msg)
		return model.Selector{}, nil, errors.New(msg)
	}
	return sel, pods, nil
}

// computeReplicasForMetrics is computeReplicasForMetrics: the largest
// proposal of the valid metrics. If every metric is invalid, or some are
// and the proposal would scale down, it returns -1 and the error.
func (c *Controller) computeReplicasForMetrics(hpa *model.HorizontalPodAutoscaler, key string, sc scale, now time.Time) (int32, string, error) {
	_, pods, err := c.validateSelector(hpa, key, sc.selector)
	if err != nil {
		return -1, "", err
	}
	var replicas int32
	var metric string
	invalid := 0
	var firstErr error
	for _, spec := range hpa.Spec.Metrics {
		proposal, name, err := c.computeReplicasForMetric(hpa, spec, sc.specReplicas, pods, now)
		if err != nil {
			if invalid == 0 {
				firstErr = err
			}
			invalid++
			continue
		}
		if replicas == 0 || proposal > replicas {
			replicas, metric = proposal, name
		}
	}
	if firstErr != nil {
		firstErr = fmt.Errorf("invalid metrics (%v invalid out of %v), first error is: %v", invalid, len(hpa.Spec.Metrics), firstErr)
	}
	if invalid >= len(hpa.Spec.Metrics) || (invalid > 0 && replicas < sc.specReplicas) {
		return -1, "", firstErr
	}
	return replicas, metric, firstErr
}

// tolerances are the controller's tolerance, overridden per direction by
// behavior tolerances (HPAConfigurableTolerance).
func (c *Controller) tolerances(hpa *model.HorizontalPodAutoscaler) Tolerances {
	t := Tolerances{c.cfg.Tolerance, c.cfg.Tolerance}
	b := hpa.Spec.Behavior
	if b == nil || !c.cfg.ConfigurableTolerance {
		return t
	}
	if b.ScaleDown != nil && b.ScaleDown.Tolerance != nil {
		t.ScaleDown = float64(b.ScaleDown.Tolerance.MilliValue()) / 1000
	}
	if b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
		t.ScaleUp = float64(b.ScaleUp.Tolerance.MilliValue()) / 1000
	}
	return t
}

// computeReplicasForMetric serves Resource and ContainerResource metrics
// (computeStatusForResourceMetricGeneric) and returns the proposal and
// the metric's description.
func (c *Controller) computeReplicasForMetric(hpa *model.HorizontalPodAutoscaler, spec model.MetricSpec, current int32, pods []*model.Pod, now time.Time) (int32, string, error) {
	var (
		name      model.ResourceName
		container string
		target    model.MetricTarget
		reason    = "FailedGetResourceMetric"
		what      string
	)
	switch {
	case spec.Type == "Resource" && spec.Resource != nil:
		name, target = spec.Resource.Name, spec.Resource.Target
		what = fmt.Sprintf("%s resource", name)
	case spec.Type == "ContainerResource" && spec.ContainerResource != nil:
		name, target, container = spec.ContainerResource.Name, spec.ContainerResource.Target, spec.ContainerResource.Container
		reason = "FailedGetContainerResourceMetric"
		what = fmt.Sprintf("%s container", container)
	default:
		err := fmt.Errorf("unknown metric source type %q", spec.Type)
		if spec.Type == "Object" || spec.Type == "Pods" || spec.Type == "External" {
			err = fmt.Errorf("metric source type %q is not modeled by kubesim", spec.Type)
		}
		c.event("InvalidMetricSourceType", hpa, err.Error())
		return 0, "", err
	}
	fail := func(err error) (int32, string, error) {
		c.event(reason, hpa, err.Error())
		return 0, "", fmt.Errorf("failed to get %s metric value: %v", what, err)
	}
	calc := ReplicaCalculator{CPUInitializationPeriod: c.cfg.CPUInitializationPeriod, DelayOfInitialReadinessStatus: c.cfg.InitialReadinessDelay, Now: now}
	tol := c.tolerances(hpa)
	metrics, merr := collectResourceMetrics(c.cfg.Metrics, pods, name, container, now, c.cfg.MetricResolution)
	if target.AverageValue != nil {
		if merr != nil {
			return fail(fmt.Errorf("failed to get %s usage: unable to get metrics for resource %s: %v", name, name, merr))
		}
		n, _, err := calc.RawResourceReplicas(pods, metrics, current, target.AverageValue.MilliValue(), name, tol)
		if err != nil {
			return fail(fmt.Errorf("failed to get %s usage: %v", name, err))
		}
		return n, fmt.Sprintf("%s resource", name), nil
	}
	if target.AverageUtilization == nil {
		return fail(errors.New("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set"))
	}
	if merr != nil {
		return fail(fmt.Errorf("failed to get %s utilization: unable to get metrics for resource %s: %v", name, name, merr))
	}
	n, _, _, err := calc.ResourceReplicas(pods, metrics, current, *target.AverageUtilization, name, tol, container)
	if err != nil {
		return fail(fmt.Errorf("failed to get %s utilization: %v", name, err))
	}
	desc := fmt.Sprintf("%s resource utilization (percentage of request)", name)
	if container != "" {
		desc = fmt.Sprintf("%s container resource utilization (percentage of request)", name)
	}
	return n, desc, nil
}
