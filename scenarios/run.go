package scenarios

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/model/hardware"
	"github.com/kubesim/kubesim/model/kubelet"
	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/network/traffic"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/storage/etcd"
	"github.com/kubesim/kubesim/storage/raft"
	"github.com/kubesim/kubesim/storage/volume"
)

// RunOptions tune one run.
type RunOptions struct {
	// Seed overrides spec.seed when non-nil.
	Seed *uint64
	// OutputDir receives events.jsonl, state.yaml and summary.json; empty
	// means no files.
	OutputDir string
	// Journal subscribers added before the run starts (tests, progress).
	Subscribers []sim.Subscriber
	// SchedulerConfig, when set, replaces the scenario's scheduler
	// configuration (policy comparisons).
	SchedulerConfig *scheduler.Configuration
	// Progress, when set, is called every 1% of the scenario's duration
	// with the simulated time and the number of events fired so far (the
	// CLI draws a bar from it on a terminal).
	Progress func(now sim.Time, events uint64)
}

// Summary is summary.json: what ran and what came out.
type Summary struct {
	Scenario         string              `json:"scenario"`
	ScenarioHash     string              `json:"scenarioHash"`
	Seed             uint64              `json:"seed"`
	KubesimVersion   string              `json:"kubesimVersion"`
	Start            string              `json:"start"`
	SimulatedSeconds float64             `json:"simulatedSeconds"`
	StopReason       string              `json:"stopReason"`
	WallSeconds      float64             `json:"wallSeconds"`
	Events           uint64              `json:"events"`
	EventsByKind     map[string]uint64   `json:"eventsByKind"`
	Objects          map[string]int      `json:"objects"`
	PodsByPhase      map[string]int      `json:"podsByPhase"`
	Nodes            int                 `json:"nodes"`
	Simulated        []string            `json:"simulated"`
	NotSimulated     []string            `json:"notSimulated"`
	ApplyErrors      int                 `json:"applyErrors"`
	Scheduler        *SchedulerSummary   `json:"scheduler,omitempty"`
	Pods             PodSummary          `json:"pods"`
	ControlPlane     ControlPlaneSummary `json:"controlPlane"`
	Utilization      UtilizationSummary  `json:"utilization"`
	// Makespan is when the last pod completed (or, with no completions,
	// was bound), in simulated seconds.
	Makespan float64 `json:"makespanSeconds"`
	// KubeProxy is the kube-proxies' rule syncs, per mode (with Services).
	KubeProxy []KubeProxySummary `json:"kubeProxy,omitempty"`
	// Requests are the traffic's figures (with spec.traffic).
	Requests *traffic.Summary `json:"requests,omitempty"`
	// Assertions are spec.assert's results, in order.
	Assertions []AssertionResult `json:"assertions,omitempty"`
}

// SchedulerSummary counts the scheduler's work.
type SchedulerSummary struct {
	Attempts       int64 `json:"attempts"`
	Scheduled      int64 `json:"scheduled"`
	FailedAttempts int64 `json:"failedAttempts"`
	Preemptions    int64 `json:"preemptions"`
	Victims        int64 `json:"victims"`
	BindErrors     int64 `json:"bindErrors"`
	PendingAtEnd   int   `json:"pendingAtEnd"`
}

// Components that exist so far, and those a scenario may expect that do
// not yet: a run says plainly what it did not simulate.
var (
	baseComponents         = []string{"apiserver", "kubelet", "hardware (simulated)", "timeline"}
	notSimulatedComponents = []string{"etcd and control-plane component traffic across network partitions (etcdPartition cuts etcd members)"}
)

// Run is one simulation in progress or done.
type Run struct {
	Loaded    *Loaded
	Kernel    *sim.Kernel
	API       *apiserver.Server
	Scheduler *scheduler.Scheduler
	Summary   Summary

	out         *outputs
	start       time.Time
	applyErrors int
	kubectl     model.Client
	raft        *raft.Cluster
	storeDesc   string
	registry    *hardware.Registry
	kubelets    map[string]*kubelet.Kubelet
	storage     *volume.System
	data        *dataPlane
	cpuSamples  map[string]cpuSample
	// reqOK and reqFailed are the traffic totals at the last sample.
	reqOK, reqFailed int64
	metrics          *podMetrics
	state            *clusterState
	series           []Sample
	trace            *traceBuilder
	genPending       int // generated objects not yet applied
}

// Start builds the cluster and schedules the timeline; call Execute next.
func Start(l *Loaded, opts RunOptions) (*Run, error) {
	sc := l.Scenario
	seed := sc.SeedOrDefault()
	if opts.Seed != nil {
		seed = *opts.Seed
	}
	k := sim.NewKernel(seed)
	r := &Run{Loaded: l, Kernel: k, start: sc.StartOrDefault(), cpuSamples: map[string]cpuSample{}}
	if opts.OutputDir != "" {
		out, err := newOutputs(opts.OutputDir)
		if err != nil {
			return nil, err
		}
		r.out = out
		k.Journal().Subscribe(out.subscriber())
		k.Journal().Subscribe(r.newTrace())
	}
	for _, s := range opts.Subscribers {
		k.Journal().Subscribe(s)
	}
	r.API = apiserver.New(k, r.start)
	if err := r.buildControlPlane(); err != nil {
		r.Abort()
		return nil, err
	}
	r.kubectl = r.API.NewClient("kubectl", 0, 0)
	r.registry = hardware.NewRegistry()
	r.kubelets = map[string]*kubelet.Kubelet{}
	r.metrics = newPodMetrics(k)
	r.API.Watch("Pod", r.metrics.onPod)
	r.state = newClusterState()
	r.API.Watch("Pod", r.state.onPod)
	r.API.Watch("Node", r.state.onNode)
	var sample sim.HandlerFunc
	sample = func(now sim.Time) {
		row := r.state.cur
		row.T = now
		if e := r.data.engine; e != nil {
			ok, failed := e.Totals()
			row.RequestsOK, row.RequestsFailed = ok-r.reqOK, failed-r.reqFailed
			r.reqOK, r.reqFailed = ok, failed
		}
		for _, name := range model.SortedKeys(r.kubelets) {
			if m := r.kubelets[name].Machine(); m.Up() {
				st := m.Stats()
				row.CPUUsed += st.CPUUsage
				row.MemUsed += st.MemoryUsage
			}
		}
		r.series = append(r.series, row)
		if now.Add(DefaultMetricsInterval) <= sim.Time(sc.Spec.Duration) {
			k.After(DefaultMetricsInterval, sample)
		}
	}
	k.After(DefaultMetricsInterval, sample)
	r.Summary = Summary{
		Scenario:       sc.Name(),
		ScenarioHash:   sc.Hash(),
		Seed:           seed,
		KubesimVersion: Version,
		Start:          r.start.Format(time.RFC3339),
		Simulated:      append([]string{r.storeDesc}, baseComponents[1:]...),
		NotSimulated:   append([]string(nil), notSimulatedComponents...),
	}
	if spec := sc.Spec.Scheduler; spec == nil || !spec.Disabled {
		sopts := scheduler.Options{Config: l.SchedulerConfig, ConfigFile: l.SchedulerConfigFile}
		if opts.SchedulerConfig != nil {
			sopts.Config = opts.SchedulerConfig
		}
		if spec != nil && spec.Cost != nil {
			sopts.Cost = *spec.Cost
		}
		sched, err := scheduler.New(k, r.API.NewClient, sopts)
		if err != nil {
			r.Abort()
			return nil, fmt.Errorf("scheduler: %w", err)
		}
		sched.Start()
		r.Scheduler = sched
		r.Summary.Simulated = append(r.Summary.Simulated, "scheduler")
	} else {
		r.Summary.NotSimulated = append([]string{"scheduler (disabled)"}, r.Summary.NotSimulated...)
	}
	k.Journal().Record(sim.Event{Kind: "RunStarted", Source: "kubesim", Object: sc.Name(), Fields: []sim.Field{
		sim.F("seed", seed), sim.F("scenarioHash", sc.Hash()), sim.F("version", Version),
		sim.F("start", r.Summary.Start), sim.F("duration", sc.Spec.Duration),
		sim.F("notSimulated", r.Summary.NotSimulated),
	}})

	r.Summary.Simulated = append(r.Summary.Simulated, "controllers: "+strings.Join(r.startControllers(), ", "))
	if err := r.startStorage(); err != nil {
		r.Abort()
		return nil, err
	}
	r.Summary.Simulated = append(r.Summary.Simulated, r.storageDesc())
	if err := r.startDataPlane(); err != nil {
		r.Abort()
		return nil, err
	}
	r.Summary.Simulated = append(r.Summary.Simulated, r.dataPlaneDesc())
	k.AfterFunc(0, func(now sim.Time) {
		r.startNodes()
		r.data.start()
		r.apply(l.Initial, "workloads")
	})
	r.scheduleGenerators()
	for i := range l.Timeline {
		r.scheduleAction(&l.Timeline[i])
	}
	if opts.Progress != nil {
		step := sc.Spec.Duration / 100
		if step < time.Second {
			step = time.Second
		}
		var tick sim.HandlerFunc
		tick = func(now sim.Time) {
			opts.Progress(now, k.Fired())
			if now.Add(step) <= sim.Time(sc.Spec.Duration) {
				k.After(step, tick)
			}
		}
		k.After(step, tick)
	}
	r.installStopWhen()
	return r, nil
}

// startNodes gives every node a simulated machine and a kubelet, which
// registers the node through the API and then runs its pods. One image
// registry serves them all, so an outage is cluster-wide.
func (r *Run) startNodes() {
	var resolver model.BehaviorResolver
	if len(r.Loaded.Scenario.Spec.Behaviors) > 0 {
		resolver = r.Loaded.Scenario.Spec.Behaviors
	}
	for _, n := range r.Loaded.Nodes {
		n := model.DeepCopy(n)
		m := hardware.NewSimMachine(r.Kernel, n.Name, n.Status.Capacity, hardware.Profile{Registry: r.registry, Images: n.Status.Images})
		kl := kubelet.New(r.Kernel, r.data.nodeConnect(n.Name), n, m, resolver, kubelet.Config{Start: r.start, MountLatency: r.mountLatencies()})
		r.kubelets[n.Name] = kl
		kl.Start()
		r.Kernel.Journal().Record(sim.Event{T: r.Kernel.Now(), Kind: "RegisteredNode", Source: "cluster", Object: n.Name,
			Fields: []sim.Field{sim.F("pool", n.Labels["kubesim.io/pool"]), sim.F("zone", n.Labels[model.LabelTopologyZone]),
				sim.F("cpu", n.Status.Allocatable.Cpu()), sim.F("memory", n.Status.Allocatable.Memory())}})
	}
}

// apply sends each object through the "kubectl" client (unthrottled, as
// a person's tool): create, or replace when it already exists, like
// kubectl apply. When every answer is in, one Applied event sums up.
func (r *Run) apply(objs []manifest.Object, source string) {
	counts := map[string]int{}
	pending := len(objs)
	finish := func() {
		pending--
		if pending > 0 {
			return
		}
		fields := []sim.Field{sim.F("objects", len(objs))}
		for _, k := range model.SortedKeys(counts) {
			fields = append(fields, sim.F(k, counts[k]))
		}
		r.Kernel.Journal().Record(sim.Event{T: r.Kernel.Now(), Kind: "Applied", Source: source, Object: r.Loaded.Scenario.Name(), Fields: fields})
	}
	if pending == 0 {
		pending = 1
		finish()
		return
	}
	for _, mo := range objs {
		o := model.DeepCopyObject(mo.Object)
		kind := model.KindOf(o).Kind
		r.kubectl.Create(o, func(_ model.Object, err error) {
			if err == nil || !model.IsAlreadyExists(err) {
				if err == nil {
					counts[kind]++
				}
				r.noteApply(o, source, err)
				finish()
				return
			}
			r.kubectl.Update(o, func(_ model.Object, err error) {
				if err == nil {
					counts[kind]++
				}
				r.noteApply(o, source, err)
				finish()
			})
		})
	}
}

func (r *Run) noteApply(o model.Object, source string, err error) {
	if err != nil {
		r.applyFailed(o, source, err)
	}
}

func (r *Run) applyFailed(o model.Object, source string, err error) {
	r.applyErrors++
	name := model.Key(o)
	if m := o.GetObjectMeta(); m.Name == "" && m.GenerateName != "" {
		name = m.Key() + m.GenerateName + "*"
	}
	r.Kernel.Journal().Record(sim.Event{T: r.Kernel.Now(), Kind: "FailedCreate", Source: source,
		Object: o.GetTypeMeta().Kind + "/" + name, Fields: []sim.Field{sim.F("error", err.Error())}})
}

func (r *Run) runAction(a *LoadedAction) {
	src := fmt.Sprintf("timeline[%d]", a.Index)
	switch {
	default:
		r.data.noteFault(a)
		r.runFault(a, src)
	case a.Apply != nil:
		r.apply(a.Apply, src)
	case len(a.Delete) > 0:
		for _, ref := range a.Delete {
			ns := ref.Namespace
			if info, err := model.LookupKind(kindAPIVersion(ref.Kind), ref.Kind); err == nil && info.Namespaced && ns == "" {
				ns = "default"
			}
			obj := ref.Kind + "/" + ref.Name
			if ns != "" {
				obj = ref.Kind + "/" + ns + "/" + ref.Name
			}
			r.kubectl.Delete(ref.Kind, ns, ref.Name, func(err error) {
				if err != nil {
					r.Kernel.Journal().Record(sim.Event{T: r.Kernel.Now(), Kind: "FailedDelete", Source: src, Object: obj,
						Fields: []sim.Field{sim.F("error", err.Error())}})
					return
				}
				r.Kernel.Journal().Record(sim.Event{T: r.Kernel.Now(), Kind: "Deleted", Source: src, Object: obj})
			})
		}
	}
}

func kindAPIVersion(kind string) string {
	for _, k := range model.Kinds() {
		if k.Kind == kind {
			return k.APIVersion
		}
	}
	return ""
}

// Execute runs the simulation to the scenario's end and fills the summary
// (all but the wall time, which only the caller can measure).
func (r *Run) Execute() {
	sc := r.Loaded.Scenario
	r.Kernel.Run(sim.Time(sc.Spec.Duration))
	reason := r.Kernel.StopReason()
	if reason == "until" || reason == "drained" {
		reason = "duration"
	}
	r.Kernel.Journal().Record(sim.Event{T: r.Kernel.Now(), Kind: "RunFinished", Source: "kubesim", Object: sc.Name(),
		Fields: []sim.Field{sim.F("reason", reason), sim.F("events", r.Kernel.Journal().Count())}})

	s := &r.Summary
	s.StopReason = reason
	s.SimulatedSeconds = r.Kernel.Now().Seconds()
	s.ApplyErrors = r.applyErrors
	s.Events = r.Kernel.Journal().Count()
	s.EventsByKind = r.Kernel.Journal().KindCounts()
	s.Objects = map[string]int{}
	s.PodsByPhase = map[string]int{}
	for _, kind := range r.API.Kinds() {
		s.Objects[kind] = r.API.Count(kind)
	}
	pods, _ := r.API.List("Pod")
	for _, o := range pods {
		s.PodsByPhase[string(o.(*model.Pod).Status.Phase)]++
	}
	s.Nodes = r.API.Count("Node")
	s.Pods = r.metrics.summary(r.Kernel.Now())
	s.ControlPlane = r.controlPlaneSummary()
	s.Utilization = summarizeSeries(r.series, DefaultMetricsInterval)
	s.Makespan = r.metrics.makespan()
	s.Requests = r.data.summary()
	s.KubeProxy = r.data.proxySummary()
	if r.Scheduler != nil {
		st := r.Scheduler.Stats
		s.Scheduler = &SchedulerSummary{Attempts: st.Attempts, Scheduled: st.Scheduled, FailedAttempts: st.Failed,
			Preemptions: st.Preemptions, Victims: st.Victims, BindErrors: st.BindErrors, PendingAtEnd: len(r.Scheduler.PendingPods())}
	}
	r.evalAssertions()
}

// Finish writes state.yaml and summary.json and moves every output into
// place. wall is the run's wall time, measured by the caller.
func (r *Run) Finish(wall time.Duration) error {
	r.Summary.WallSeconds = wall.Seconds()
	if r.out == nil {
		return nil
	}
	objs := r.API.Objects()
	manifest.SortObjects(objs)
	if err := r.out.writeFile("state.yaml", func(w *bufio.Writer) error { return manifest.Encode(w, objs) }); err != nil {
		r.out.abort()
		return err
	}
	if err := r.out.writeFile("metrics.csv", func(w *bufio.Writer) error { return writeSeriesCSV(w, r.series) }); err != nil {
		r.out.abort()
		return err
	}
	if err := r.writeTimelineOutputs(); err != nil {
		r.out.abort()
		return err
	}
	if err := r.out.writeJSON("summary.json", r.Summary); err != nil {
		r.out.abort()
		return err
	}
	return r.out.commit()
}

// Abort discards the run's partial outputs.
func (r *Run) Abort() {
	if r.out != nil {
		r.out.abort()
	}
}

// ControlPlaneSummary is the store's side of a run.
type ControlPlaneSummary struct {
	Store           string  `json:"store"`
	EtcdMembers     int     `json:"etcdMembers,omitempty"`
	LeaderElections uint64  `json:"leaderElections,omitempty"`
	Requests        uint64  `json:"apiRequests"`
	CommittedWrites uint64  `json:"committedWrites,omitempty"`
	FailedWrites    uint64  `json:"failedWrites,omitempty"`
	WriteLatency    Latency `json:"writeLatency"`
}

func (r *Run) controlPlaneSummary() ControlPlaneSummary {
	st := r.API.Stats()
	cs := ControlPlaneSummary{Store: "ideal", Requests: r.API.Requests(), CommittedWrites: st.CommittedWrites,
		FailedWrites: st.FailedWrites, WriteLatency: summarize(st.WriteLatencies)}
	if r.raft != nil {
		cs.Store = "raft"
		cs.EtcdMembers = len(r.raft.Members())
		cs.LeaderElections = r.Kernel.Journal().CountKind("LeaderElected")
	}
	return cs
}

// buildControlPlane configures the API server's latencies and, unless the
// store is ideal, gives it an etcd cluster running Raft.
func (r *Run) buildControlPlane() error {
	cp := r.Loaded.Scenario.Spec.ControlPlane
	cfg := apiserver.DefaultConfig()
	if cp.CommitLatency != nil {
		cfg.CommitLatency = cp.CommitLatency.Dist()
	}
	if cp.RequestLatency != nil {
		cfg.RequestLatency = cp.RequestLatency.Dist()
	}
	if cp.WatchLatency != nil {
		cfg.WatchLatency = cp.WatchLatency.Dist()
	}
	if err := r.API.Configure(cfg); err != nil {
		return fmt.Errorf("controlPlane: %w", err)
	}
	if cp.Store == "ideal" {
		r.storeDesc = "apiserver (ideal store)"
		return nil
	}
	rc := raft.DefaultConfig()
	if cp.EtcdMembers > 0 {
		rc.Members = cp.EtcdMembers
	}
	if cp.Disk == "hdd" {
		rc.FsyncLatency = raft.HDDFsyncLatency()
	}
	if cp.HeartbeatInterval > 0 {
		rc.HeartbeatInterval = cp.HeartbeatInterval
	}
	if cp.ElectionTimeout > 0 {
		rc.ElectionTimeout = cp.ElectionTimeout
	}
	if err := rc.Validate(); err != nil {
		return fmt.Errorf("controlPlane: %w", err)
	}
	k := r.Kernel
	b, err := etcd.NewRaftBackend(k, etcd.RaftConfig{}, func(nm func(uint64) etcd.StateMachine) (etcd.Consensus, error) {
		c, err := raft.NewCluster(k, rc, func(id uint64) raft.StateMachine { return nm(id) })
		r.raft = c
		return c, err
	})
	if err != nil {
		return fmt.Errorf("controlPlane: %w", err)
	}
	r.API.UseEtcd(etcd.NewServer(k, b, etcd.ServerConfig{}))
	r.storeDesc = fmt.Sprintf("apiserver on etcd (%d members, Raft)", rc.Members)
	return nil
}
