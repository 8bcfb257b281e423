package podgc

import (
	"slices"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Component is the controller's name as an event source and client.
const Component = "pod-garbage-collector"

// TaintOutOfService marks a node shut down for good.
const TaintOutOfService = "node.kubernetes.io/out-of-service"

// Config holds the controller's settings; DefaultConfig has upstream's.
type Config struct {
	// Start is the wall date of simulated time zero.
	Start time.Time
	// GCCheckPeriod is how often the collector runs (gcCheckPeriod, 20 s).
	GCCheckPeriod time.Duration
	// TerminatedPodThreshold is --terminated-pod-gc-threshold (12500);
	// 0 disables collecting terminated pods.
	TerminatedPodThreshold int
	// Quarantine is how long a node must be missing before its pods are
	// orphans (quarantineTime, 40 s).
	Quarantine time.Duration
	// QPS and Burst are the controller's client limits (20, 30).
	QPS   float64
	Burst int
}

// DefaultConfig returns upstream's defaults.
func DefaultConfig() Config {
	return Config{GCCheckPeriod: 20 * time.Second, TerminatedPodThreshold: 12500, Quarantine: 40 * time.Second, QPS: 20, Burst: 30}
}

// Controller is the pod garbage collector.
type Controller struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	podInf, nodeInf *model.Informer
	// missingSince is when each absent node a pod names was first missed.
	missingSince map[string]sim.Time
	deleting     map[string]bool
}

// New builds the controller.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	def := DefaultConfig()
	if cfg.GCCheckPeriod <= 0 {
		cfg.GCCheckPeriod = def.GCCheckPeriod
	}
	if cfg.Quarantine <= 0 {
		cfg.Quarantine = def.Quarantine
	}
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = def.QPS, def.Burst
	}
	c := &Controller{k: k, cfg: cfg, client: connect(Component, cfg.QPS, cfg.Burst),
		missingSince: map[string]sim.Time{}, deleting: map[string]bool{}}
	c.podInf = model.NewInformer(k, c.client, "Pod", 0)
	c.nodeInf = model.NewInformer(k, c.client, "Node", 0)
	return c
}

// Start begins the list-and-watch and the periodic collection.
func (c *Controller) Start() {
	c.podInf.Start()
	c.nodeInf.Start()
	var tick sim.HandlerFunc
	tick = func(sim.Time) {
		c.gc()
		c.k.After(c.cfg.GCCheckPeriod, tick)
	}
	c.k.After(c.cfg.GCCheckPeriod, tick)
}

func (c *Controller) event(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Component, Object: object, Fields: fields})
}

func (c *Controller) gc() {
	if !c.podInf.HasSynced() || !c.nodeInf.HasSynced() {
		return
	}
	var pods []*model.Pod
	for _, o := range c.podInf.List() {
		pods = append(pods, o.(*model.Pod))
	}
	if c.cfg.TerminatedPodThreshold > 0 {
		c.gcTerminated(pods)
	}
	c.gcTerminating(pods)
	c.gcOrphaned(pods)
	c.gcUnscheduledTerminating(pods)
}

// gcTerminated deletes the oldest terminated pods beyond the threshold.
func (c *Controller) gcTerminated(pods []*model.Pod) {
	var terminated []*model.Pod
	for _, p := range pods {
		if p.IsTerminal() {
			terminated = append(terminated, p)
		}
	}
	excess := len(terminated) - c.cfg.TerminatedPodThreshold
	if excess <= 0 {
		return
	}
	sort.SliceStable(terminated, func(i, j int) bool {
		ti, tj := terminated[i].CreationTimestamp, terminated[j].CreationTimestamp
		if ti == nil || tj == nil {
			return tj != nil
		}
		return ti.Before(*tj)
	})
	for _, p := range terminated[:excess] {
		c.forceDelete(p, "", "")
	}
}

// gcTerminating deletes terminating pods on out-of-service nodes that are
// not Ready.
func (c *Controller) gcTerminating(pods []*model.Pod) {
	for _, p := range pods {
		if p.DeletionTimestamp == nil || p.Spec.NodeName == "" {
			continue
		}
		o, ok := c.nodeInf.Get("", p.Spec.NodeName)
		if !ok {
			continue
		}
		n := o.(*model.Node)
		if n.IsReady() || !slices.ContainsFunc(n.Spec.Taints, func(t model.Taint) bool { return t.Key == TaintOutOfService }) {
			continue
		}
		c.forceDelete(p, "DeletionByPodGC", "PodGC: node is out of service")
	}
}

// gcOrphaned deletes pods bound to nodes missing for the quarantine.
func (c *Controller) gcOrphaned(pods []*model.Pod) {
	now := c.k.Now()
	missing := map[string]bool{}
	for _, p := range pods {
		if p.Spec.NodeName == "" {
			continue
		}
		if _, ok := c.nodeInf.Get("", p.Spec.NodeName); ok {
			continue
		}
		missing[p.Spec.NodeName] = true
		since, seen := c.missingSince[p.Spec.NodeName]
		if !seen {
			c.missingSince[p.Spec.NodeName] = now
			continue
		}
		if now.Sub(since) < c.cfg.Quarantine {
			continue
		}
		c.forceDelete(p, "DeletionByPodGC", "PodGC: node no longer exists")
	}
	for name := range c.missingSince {
		if !missing[name] {
			delete(c.missingSince, name)
		}
	}
}

// gcUnscheduledTerminating deletes terminating pods never bound.
func (c *Controller) gcUnscheduledTerminating(pods []*model.Pod) {
	for _, p := range pods {
		if p.DeletionTimestamp != nil && p.Spec.NodeName == "" {
			c.forceDelete(p, "", "")
		}
	}
}

// forceDelete marks a running pod Failed with a DisruptionTarget condition
// when a reason is given, then deletes it with grace period 0.
func (c *Controller) forceDelete(p *model.Pod, reason, message string) {
	key := model.Key(p)
	if c.deleting[key] {
		return
	}
	c.deleting[key] = true
	del := func() {
		c.client.DeleteWith("Pod", p.Namespace, p.Name, model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)}, func(err error) {
			delete(c.deleting, key)
			if err == nil {
				c.event("PodGCDeleted", key, sim.F("node", p.Spec.NodeName), sim.F("reason", reason))
			}
		})
	}
	if reason == "" || p.IsTerminal() {
		del()
		return
	}
	next := model.DeepCopy(*p)
	now := c.k.Now().Wall(c.cfg.Start)
	next.Status.Phase = model.PodFailed
	next.Status.SetCondition(model.PodCondition{Type: model.DisruptionTarget, Status: model.ConditionTrue, Reason: reason, Message: message, LastTransitionTime: &now})
	c.client.UpdateStatus(&next, func(model.Object, error) { del() })
}
