package scheduler

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/defaultpreemption"
	"github.com/kubesim/kubesim/sim"
)

// simEpoch is the wall date the scheduler's condition timestamps count
// from when it knows no better; the API server stamps objects itself.
var simEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// CostModel is how long a scheduling cycle takes in simulated time: a fixed
// cost per pod plus a cost per node filtered and per node scored. The
// defaults are calibrated so that the scheduler_perf SchedulingBasic shape
// (5,000 nodes: 500 filtered and scored per pod) runs at about 800 pods/s,
// the top of upstream's CI range of 680-810 pods/s for that workload.
type CostModel struct {
	PerPod          time.Duration `yaml:"perPod,omitempty"`
	PerFilteredNode time.Duration `yaml:"perFilteredNode,omitempty"`
	PerScoredNode   time.Duration `yaml:"perScoredNode,omitempty"`
}

// DefaultCostModel is the calibrated default.
var DefaultCostModel = CostModel{PerPod: 250 * time.Microsecond, PerFilteredNode: time.Microsecond, PerScoredNode: time.Microsecond}

// Options configure a Scheduler.
type Options struct {
	// Config is a defaulted KubeSchedulerConfiguration (nil: the default).
	Config *Configuration
	// Registry holds the plugins profiles may name (nil: the in-tree set).
	Registry framework.Registry
	// Cost is the cycle cost model (zero: DefaultCostModel).
	Cost CostModel
	// ConfigFile names the configuration's source in error messages.
	ConfigFile string
}

// Scheduler is kube-scheduler in simulated time: it watches pods and nodes
// through the client, keeps its cache and queue, runs one scheduling cycle
// at a time (each taking simulated time per the cost model) and binds
// through the API with the client's QPS and burst.
type Scheduler struct {
	k        *sim.Kernel
	client   model.Client
	cfg      *Configuration
	profiles map[string]*Framework
	first    *Framework

	snapshot  *framework.Snapshot
	objects   *objectCache
	nominator *nominator
	queue     *Queue
	cyc       cycle
	cost      CostModel
	assumed   map[string]*framework.PodInfo
	busy      bool

	// Stats counts outcomes for summaries.
	Stats Stats
}

// Stats are the scheduler's counters.
type Stats struct {
	Attempts    int64
	Scheduled   int64
	Failed      int64
	Preemptions int64
	Victims     int64
	BindErrors  int64
}

// Connect opens the scheduler's API client (see model.Connect).
type Connect = model.Connect

// New builds a scheduler and its profiles; Start begins watching. connect
// opens its API client with the configuration's clientConnection limits
// (nil: no client, for kubesim explain).
func New(k *sim.Kernel, connect Connect, opts Options) (*Scheduler, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = DefaultConfiguration()
	}
	reg := opts.Registry
	if reg == nil {
		reg = InTreeRegistry()
	}
	cost := opts.Cost
	if cost == (CostModel{}) {
		cost = DefaultCostModel
	}
	var client model.Client
	if connect != nil {
		client = connect("scheduler", *cfg.ClientConnection.QPS, int(*cfg.ClientConnection.Burst))
	}
	s := &Scheduler{
		k:         k,
		client:    client,
		cfg:       cfg,
		profiles:  map[string]*Framework{},
		snapshot:  framework.NewEmptySnapshot(),
		objects:   newObjectCache(),
		nominator: newNominator(),
		cost:      cost,
		assumed:   map[string]*framework.PodInfo{},
	}
	s.cyc = cycle{snapshot: s.snapshot, percentageToScore: *cfg.PercentageOfNodesToScore, tiebreak: k.Rand("scheduler/tiebreak")}
	for i, ec := range cfg.Extenders {
		e, err := NewExtender(ec)
		if err != nil {
			return nil, fmt.Errorf("extenders[%d]: %w", i, err)
		}
		s.cyc.extenders = append(s.cyc.extenders, e)
	}
	for i := range cfg.Profiles {
		p := &cfg.Profiles[i]
		f, err := newFramework(p, reg, &handle{s: s}, opts.ConfigFile)
		if err != nil {
			return nil, err
		}
		if s.first == nil {
			s.first = f
		} else if reflect.TypeOf(f.queueSort) != reflect.TypeOf(s.first.queueSort) {
			return nil, fmt.Errorf("profile %q: all profiles must use the same queueSort plugin", p.SchedulerName)
		}
		s.profiles[p.SchedulerName] = f
	}
	s.queue = NewQueue(s.first.QueueSortLess,
		time.Duration(*cfg.PodInitialBackoffSeconds)*time.Second,
		time.Duration(*cfg.PodMaxBackoffSeconds)*time.Second, s.now)
	for _, name := range sortedKeys(s.profiles) {
		for _, ee := range s.profiles[name].enqueue {
			s.queue.RegisterEvents(ee.Name(), ee.EventsToRegister())
		}
	}
	return s, nil
}

func (s *Scheduler) now() sim.Time              { return s.k.Now() }
func (s *Scheduler) rand(name string) *sim.Rand { return s.k.Rand(name) }

// Profile returns the framework serving a schedulerName.
func (s *Scheduler) Profile(name string) *Framework { return s.profiles[name] }

// Queue returns the scheduling queue (read-only use).
func (s *Scheduler) Queue() *Queue { return s.queue }

// watchedKinds are the kinds plugins read besides pods and nodes, with the
// event resource name each maps to.
var watchedKinds = []struct{ kind, resource string }{
	{"Namespace", framework.EventNamespace},
	{"Service", framework.EventService},
	{"ReplicaSet", "ReplicaSet"},
	{"StatefulSet", "StatefulSet"},
	{"PersistentVolume", framework.EventPersistentVolume},
	{"PersistentVolumeClaim", framework.EventPersistentVolumeClaim},
	{"StorageClass", framework.EventStorageClass},
	{"PodDisruptionBudget", "PodDisruptionBudget"},
}

// Start registers the watches and the queue's periodic flushes.
func (s *Scheduler) Start() {
	s.client.Watch("Node", s.onNode)
	s.client.Watch("Pod", s.onPod)
	for _, w := range watchedKinds {
		w := w
		s.client.Watch(w.kind, func(ev model.WatchEvent) { s.onObject(w.kind, w.resource, ev) })
	}
	var flushBackoff, flushUnsched sim.HandlerFunc
	flushBackoff = func(sim.Time) {
		if s.queue.FlushBackoffCompleted() > 0 {
			s.kick()
		}
		s.k.After(backoffFlushPeriod, flushBackoff)
	}
	flushUnsched = func(sim.Time) {
		if s.queue.FlushUnschedulableLeftover() > 0 {
			s.kick()
		}
		s.k.After(unschedulableFlushPeriod, flushUnsched)
	}
	s.k.After(backoffFlushPeriod, flushBackoff)
	s.k.After(unschedulableFlushPeriod, flushUnsched)
}

func (s *Scheduler) record(kind, object string, fields ...sim.Field) {
	s.k.Journal().Record(sim.Event{T: s.k.Now(), Kind: kind, Source: "scheduler", Object: object, Fields: fields})
}

func (s *Scheduler) onObject(kind, resource string, ev model.WatchEvent) {
	if ev.Object == nil {
		return // Synced; the ideal store's watches never break
	}
	var action framework.ActionType
	switch ev.Type {
	case model.Added:
		s.objects.set(kind, ev.Object)
		action = framework.Add
	case model.Modified:
		s.objects.set(kind, ev.Object)
		action = framework.Update
	case model.Deleted:
		s.objects.remove(kind, ev.Object)
		action = framework.Delete
	}
	oldObj, newObj := ev.Old, ev.Object
	if ev.Type == model.Deleted {
		oldObj, newObj = ev.Object, nil // upstream hands hints the deleted object as old
	}
	if s.queue.MoveOnEvent(framework.ClusterEvent{Resource: resource, ActionType: action}, oldObj, newObj) > 0 {
		s.kick()
	}
}

func (s *Scheduler) onNode(ev model.WatchEvent) {
	n, ok := ev.Object.(*model.Node)
	if !ok {
		return // Synced
	}
	var action framework.ActionType
	switch ev.Type {
	case model.Added:
		s.snapshot.AddNode(n)
		action = framework.Add
	case model.Modified:
		s.snapshot.AddNode(n)
		action = nodeUpdateActions(ev.Old.(*model.Node), n)
	case model.Deleted:
		s.snapshot.RemoveNode(n.Name)
		action = framework.Delete
	}
	oldObj, newObj := ev.Old, ev.Object
	if ev.Type == model.Deleted {
		oldObj, newObj = ev.Object, nil
	}
	if action != 0 && s.queue.MoveOnEvent(framework.ClusterEvent{Resource: framework.EventNode, ActionType: action}, oldObj, newObj) > 0 {
		s.kick()
	}
}

// nodeUpdateActions classifies a node update (upstream nodeSchedulingPropertiesChange).
func nodeUpdateActions(old, cur *model.Node) framework.ActionType {
	var a framework.ActionType
	if old.Spec.Unschedulable != cur.Spec.Unschedulable || !reflect.DeepEqual(old.Spec.Taints, cur.Spec.Taints) {
		a |= framework.UpdateNodeTaint
	}
	if !reflect.DeepEqual(old.Status.Allocatable, cur.Status.Allocatable) {
		a |= framework.UpdateNodeAllocatable
	}
	if !reflect.DeepEqual(old.Labels, cur.Labels) {
		a |= framework.UpdateNodeLabel
	}
	if !reflect.DeepEqual(old.Status.Conditions, cur.Status.Conditions) && conditionsChanged(old, cur) {
		a |= framework.UpdateNodeCondition
	}
	if !reflect.DeepEqual(old.Annotations, cur.Annotations) {
		a |= framework.UpdateNodeAnnotation
	}
	return a
}

// conditionsChanged ignores heartbeat-only updates.
func conditionsChanged(old, cur *model.Node) bool {
	if len(old.Status.Conditions) != len(cur.Status.Conditions) {
		return true
	}
	for i := range old.Status.Conditions {
		o, c := old.Status.Conditions[i], cur.Status.Conditions[i]
		if o.Type != c.Type || o.Status != c.Status || o.Reason != c.Reason {
			return true
		}
	}
	return false
}

// countedPod reports whether a pod is in the scheduler's cache: assigned
// and not finished (the informer's field selector excludes Succeeded and
// Failed pods).
func countedPod(p *model.Pod) bool { return p.Spec.NodeName != "" && !p.IsTerminal() }

func (s *Scheduler) responsible(p *model.Pod) bool {
	_, ok := s.profiles[p.Spec.SchedulerName]
	return ok
}

func (s *Scheduler) onPod(ev model.WatchEvent) {
	p, ok := ev.Object.(*model.Pod)
	if !ok {
		return // Synced
	}
	var old *model.Pod
	if ev.Old != nil {
		old = ev.Old.(*model.Pod)
	}
	k := p.Key()
	switch {
	case ev.Type == model.Deleted:
		s.queue.Delete(k)
		s.nominator.set(framework.NewPodInfo(p), "")
		if countedPod(p) {
			s.removeAssigned(p)
		}
	case countedPod(p):
		if old == nil || !countedPod(old) {
			// Newly bound (or newly seen): leave the queue, join the cache.
			s.queue.Delete(k)
			s.nominator.set(framework.NewPodInfo(p), "")
			if a, ok := s.assumed[k]; ok {
				s.snapshot.RemovePod(a.Pod)
				delete(s.assumed, k)
			}
			s.snapshot.AddPod(p)
			s.moveOn(framework.EventAssignedPod, framework.Add, nil, p)
			return
		}
		s.snapshot.RemovePod(old)
		s.snapshot.AddPod(p)
		if !reflect.DeepEqual(old.Labels, p.Labels) {
			s.moveOn(framework.EventAssignedPod, framework.UpdatePodLabel, old, p)
		}
	case old != nil && countedPod(old):
		// Finished (Succeeded/Failed): resources are free.
		s.removeAssigned(old)
	case p.Spec.NodeName == "" && s.responsible(p) && !p.IsTerminal() && p.DeletionTimestamp == nil:
		pi := framework.NewPodInfo(p)
		s.nominator.set(pi, p.Status.NominatedNodeName)
		gated := !s.profiles[p.Spec.SchedulerName].RunPreEnqueuePlugins(p).IsSuccess()
		if old == nil {
			qpi := &framework.QueuedPodInfo{PodInfo: pi, Gated: gated}
			s.queue.Add(qpi)
		} else {
			s.queue.Update(p, gated)
		}
		s.kick()
	case p.Spec.NodeName == "":
		s.queue.Delete(k)
	}
}

func (s *Scheduler) removeAssigned(p *model.Pod) {
	s.snapshot.RemovePod(p)
	s.moveOn(framework.EventAssignedPod, framework.Delete, p, nil)
}

func (s *Scheduler) moveOn(resource string, action framework.ActionType, oldObj, newObj model.Object) {
	if s.queue.MoveOnEvent(framework.ClusterEvent{Resource: resource, ActionType: action}, oldObj, newObj) > 0 {
		s.kick()
	}
}

// kick starts the next scheduling cycle if the scheduler is idle. It runs
// as a kernel event so that everything that happened at this instant has
// been delivered first.
func (s *Scheduler) kick() {
	if s.busy {
		return
	}
	s.busy = true
	s.k.AfterFunc(0, func(sim.Time) { s.scheduleOne() })
}

// scheduleOne pops a pod and computes its scheduling decision now; the
// decision takes effect after the cycle's simulated cost.
func (s *Scheduler) scheduleOne() {
	qpi := s.queue.Pop()
	if qpi == nil {
		s.busy = false
		return
	}
	pod := qpi.Pod
	fwk := s.profiles[pod.Spec.SchedulerName]
	podCycle := s.queue.SchedulingCycle()
	s.Stats.Attempts++
	state := framework.NewCycleState()
	var profilePct *int32
	for i := range s.cfg.Profiles {
		if s.cfg.Profiles[i].SchedulerName == pod.Spec.SchedulerName {
			profilePct = s.cfg.Profiles[i].PercentageOfNodesToScore
		}
	}
	s.cyc.extenderCalls = 0
	res, err := s.cyc.schedulePod(fwk, state, pod, profilePct)

	var fitErr *FitError
	var post *framework.PostFilterResult
	var postStatus *framework.Status
	cost := s.cost.PerPod + time.Duration(s.cyc.extenderCalls)*ExtenderCallCost
	if err == nil {
		cost += time.Duration(res.EvaluatedNodes)*s.cost.PerFilteredNode + time.Duration(res.FeasibleNodes)*s.cost.PerScoredNode
	} else if errors.As(err, &fitErr) {
		cost += time.Duration(len(fitErr.Diagnosis.NodeToStatus.Statuses)) * s.cost.PerFilteredNode
		if fwk.HasPostFilterPlugins() {
			post, postStatus = fwk.RunPostFilterPlugins(state, pod, fitErr.Diagnosis.NodeToStatus)
			if postStatus.Code() == framework.Error {
				err = postStatus.AsError()
				fitErr = nil
			} else if msg := postStatus.Message(); msg != "" {
				fitErr.Diagnosis.PostFilterMsg = msg
			}
		}
	}
	s.k.AfterFunc(cost, func(sim.Time) {
		switch {
		case err == nil:
			s.assumeAndBind(fwk, state, qpi, res)
		case fitErr != nil:
			s.handleFitError(fwk, state, qpi, podCycle, fitErr, post)
		default:
			s.handleError(qpi, podCycle, err)
		}
		s.busy = false
		if a, _, _ := s.queue.Lens(); a > 0 {
			s.kick()
		}
	})
}

// assumeAndBind claims the node in the cache, runs Reserve and Permit and
// starts the binding cycle (upstream assume + bindingCycle).
func (s *Scheduler) assumeAndBind(fwk *Framework, state *framework.CycleState, qpi *framework.QueuedPodInfo, res ScheduleResult) {
	pod := qpi.Pod
	k := pod.Key()
	if _, ok := s.snapshot.Get(res.SuggestedHost); !ok {
		s.handleError(qpi, s.queue.SchedulingCycle(), fmt.Errorf("node %q disappeared during the scheduling cycle", res.SuggestedHost))
		return
	}
	// The assumed pod shares everything but nodeName with the queued one
	// (objects are read-only), so its PodInfo is the queued one's with the
	// pod swapped.
	ap := *pod
	ap.Spec.NodeName = res.SuggestedHost
	assumed := &ap
	api := &framework.PodInfo{}
	*api = *qpi.PodInfo
	api.Pod = assumed
	s.snapshot.AddPodInfo(api)
	s.assumed[k] = api
	forget := func() {
		if a, ok := s.assumed[k]; ok {
			s.snapshot.RemovePod(a.Pod)
			delete(s.assumed, k)
		}
	}
	if st := fwk.RunReservePlugins(state, assumed, res.SuggestedHost); !st.IsSuccess() {
		fwk.RunUnreservePlugins(state, assumed, res.SuggestedHost)
		forget()
		s.failed(qpi, s.queue.SchedulingCycle(), st.Message(), st.Code() == framework.Error, map[string]bool{st.Plugin(): true})
		return
	}
	if st := fwk.RunPermitPlugins(state, assumed, res.SuggestedHost); !st.IsSuccess() {
		fwk.RunUnreservePlugins(state, assumed, res.SuggestedHost)
		forget()
		s.failed(qpi, s.queue.SchedulingCycle(), st.Message(), st.Code() == framework.Error, map[string]bool{st.Plugin(): true})
		return
	}
	// The binding cycle runs concurrently with the next scheduling cycles
	// (upstream: a goroutine per pod); here it is a chain of API requests
	// whose answers arrive later in simulated time, through the client's
	// rate limiter.
	fail := func(st *framework.Status) {
		s.Stats.BindErrors++
		fwk.RunUnreservePlugins(state, assumed, res.SuggestedHost)
		forget()
		s.failed(qpi, s.queue.SchedulingCycle(), "Binding rejected: "+st.Message(), true, nil)
	}
	fwk.RunPreBindPlugins(state, assumed, res.SuggestedHost, func(st *framework.Status) {
		if !st.IsSuccess() {
			fail(st)
			return
		}
		s.bind(fwk, state, assumed, res.SuggestedHost, func(st *framework.Status) {
			if !st.IsSuccess() {
				fail(st)
				return
			}
			s.queue.Done(k)
			s.Stats.Scheduled++
			s.record("Scheduled", k,
				sim.F("node", res.SuggestedHost), sim.F("score", res.Score),
				sim.F("feasibleNodes", res.FeasibleNodes), sim.F("evaluatedNodes", res.EvaluatedNodes),
				sim.F("attempts", qpi.Attempts), sim.F("profile", fwk.ProfileName()),
				sim.F("message", fmt.Sprintf("Successfully assigned %s to %s", k, res.SuggestedHost)))
			fwk.RunPostBindPlugins(state, assumed, res.SuggestedHost)
		})
	})
}

func (s *Scheduler) handleError(qpi *framework.QueuedPodInfo, podCycle int64, err error) {
	s.failed(qpi, podCycle, err.Error(), true, nil)
}

// failed records FailedScheduling and returns the pod to the queue.
func (s *Scheduler) failed(qpi *framework.QueuedPodInfo, podCycle int64, msg string, isError bool, plugins map[string]bool) {
	s.Stats.Failed++
	qpi.UnschedulablePlugins = plugins
	s.record("FailedScheduling", qpi.Pod.Key(), sim.F("message", msg), sim.F("attempts", qpi.Attempts))
	s.queue.AddUnschedulable(qpi, podCycle, isError)
	if a, _, _ := s.queue.Lens(); a > 0 {
		s.kick()
	}
}

// handleFitError runs the side effects of preemption (evicting victims,
// nominating the node) and requeues the pod.
func (s *Scheduler) handleFitError(fwk *Framework, state *framework.CycleState, qpi *framework.QueuedPodInfo, podCycle int64, fe *FitError, post *framework.PostFilterResult) {
	pod := qpi.Pod
	plugins := map[string]bool{}
	for name := range fe.Diagnosis.UnschedulablePlugins {
		plugins[name] = true
	}
	if post != nil && post.NominatedNodeName != "" {
		s.preempt(state, pod, post.NominatedNodeName)
	}
	qpi.PendingPlugins = fe.Diagnosis.PendingPlugins
	s.failed(qpi, podCycle, fe.Error(), false, plugins)
}

// preempt evicts the victims preemption chose, clears lower-priority
// nominations to the node and records the preemptor's nomination
// (upstream prepareCandidate): each victim first gets the DisruptionTarget
// condition, then is deleted.
func (s *Scheduler) preempt(state *framework.CycleState, pod *model.Pod, node string) {
	s.Stats.Preemptions++
	for _, v := range preemptionVictims(state) {
		s.Stats.Victims++
		s.record("Preempted", v.Key(), sim.F("preemptor", pod.Key()), sim.F("node", node),
			sim.F("message", fmt.Sprintf("Preempted by pod %s on node %s", pod.UID, node)))
		vp := model.DeepCopy(v)
		now := s.now().Wall(simEpoch)
		vp.Status.SetCondition(model.PodCondition{Type: model.DisruptionTarget, Status: model.ConditionTrue,
			Reason: defaultpreemption.ReasonPreemptionByScheduler, LastTransitionTime: &now,
			Message: "default-scheduler: preempting to accommodate a higher priority pod"})
		vp.ResourceVersion = ""
		key := v.Key()
		ns, name := v.Namespace, v.Name
		s.client.Update(vp, func(_ model.Object, _ error) {
			s.client.Delete("Pod", ns, name, func(err error) {
				if err != nil && !model.IsNotFound(err) {
					s.record("FailedPreemption", key, sim.F("error", err.Error()))
				}
			})
		})
	}
	for _, np := range nominationsToClear(state) {
		p := model.DeepCopy(np)
		p.Status.NominatedNodeName = ""
		p.ResourceVersion = ""
		s.client.Update(p, nil)
	}
	p := model.DeepCopy(pod)
	p.Status.NominatedNodeName = node
	p.ResourceVersion = ""
	s.nominator.set(framework.NewPodInfo(p), node)
	s.client.Update(p, nil)
}

// PendingPods lists the pods waiting in the queue, sorted by key.
func (s *Scheduler) PendingPods() []string {
	var out []string
	for _, p := range s.queue.Pending() {
		out = append(out, p.Pod.Key())
	}
	sort.Strings(out)
	return out
}

// bind lets the first binding extender bind the pod, else the profile's
// bind plugins (upstream extendersBinding, then RunBindPlugins).
func (s *Scheduler) bind(fwk *Framework, state *framework.CycleState, pod *model.Pod, node string, done func(*framework.Status)) {
	for _, e := range s.cyc.extenders {
		if e.IsBinder() {
			done(framework.AsStatus(e.Bind(pod, node)))
			return
		}
	}
	fwk.RunBindPlugins(state, pod, node, done)
}
