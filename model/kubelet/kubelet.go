package kubelet

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hardware"
	"github.com/kubesim/kubesim/sim"
)

// StatusUpdater is implemented by API clients with the status
// subresource: UpdateStatus replaces only an object's status, without a
// resourceVersion precondition when none is given. Without it the kubelet
// updates the whole object at its cached resourceVersion and retries on
// conflicts.
type StatusUpdater interface {
	UpdateStatus(o model.Object, done func(model.Object, error))
}

// FieldWatcher is implemented by API clients that filter a watch on the
// server by a field (a field selector such as spec.nodeName=node-1), so a
// kubelet receives only its own pods. Without it the kubelet watches every
// pod and drops the others.
type FieldWatcher interface {
	WatchField(kind, field, value string, h model.WatchHandler)
}

// Kubelet is one node's kubelet: it registers and heartbeats the node and
// runs the pods bound to it on its Machine.
type Kubelet struct {
	k        *sim.Kernel
	connect  model.Connect
	client   model.Client
	name     string
	source   string
	desired  *model.Node
	machine  hardware.Machine
	resolver model.BehaviorResolver
	cfg      Config

	behaviorRand, latencyRand, jitterRand *sim.Rand
	sandboxLatency, createLatency         sim.Sampler

	gen     int // the process generation; callbacks of an older one are dropped
	running bool
	started sim.Time // when this process started

	pods    map[string]*podState // by UID
	byKey   map[string]string    // namespace/name -> UID
	crash   *Backoff
	pull    *Backoff
	ipam    *ipam
	pullQ   []func() // serialized pulls waiting their turn
	pulling bool

	// What outlives the kubelet process (until the machine crashes): the
	// sandboxes it created and the probe timelines of running apps.
	sandboxes map[string]string // pod UID -> IP
	apps      map[string]appTimes

	informer *model.Informer
	// csiDrivers caches whether each CSI driver requires attaching.
	csiDrivers map[string]bool
	node       nodeState
	eviction   evictionState
	runtimeUp  bool
}

// appTimes is the sampled probe behaviour of one container instance.
type appTimes struct {
	readyAfter         time.Duration
	livenessFails      bool
	livenessFailsAfter time.Duration
}

// New returns a kubelet for node (the Node to register: name, labels,
// taints, capacity and allocatable) on machine. resolver gives the
// scenario's per-image behaviours (nil: defaults and annotations only).
func New(k *sim.Kernel, connect model.Connect, node *model.Node, machine hardware.Machine, resolver model.BehaviorResolver, cfg Config) *Kubelet {
	cfg = cfg.withDefaults()
	name := node.Name
	kl := &Kubelet{
		k: k, connect: connect, name: name, source: "kubelet/" + name,
		desired: model.DeepCopy(node), machine: machine, resolver: resolver, cfg: cfg,
		behaviorRand: k.Rand("kubelet/" + name + "/behavior"),
		latencyRand:  k.Rand("kubelet/" + name + "/latency"),
		jitterRand:   k.Rand("kubelet/" + name + "/jitter"),
		sandboxes:    map[string]string{},
		csiDrivers:   map[string]bool{},
		apps:         map[string]appTimes{},
		ipam:         newIPAM(name, node.Spec.PodCIDR),
		runtimeUp:    true,
	}
	var err error
	if kl.sandboxLatency, err = cfg.SandboxLatency.Dist().Sampler(kl.latencyRand); err != nil {
		panic(fmt.Sprintf("kubelet: sandboxLatency: %v", err))
	}
	if kl.createLatency, err = cfg.ContainerCreateLatency.Dist().Sampler(kl.latencyRand); err != nil {
		panic(fmt.Sprintf("kubelet: containerCreateLatency: %v", err))
	}
	if kl.desired.Status.Capacity == nil {
		c := machine.Capacity()
		kl.desired.Status.Capacity = model.ResourceList{
			model.ResourceCPU:              model.NewMilliQuantity(c.MilliCPU),
			model.ResourceMemory:           model.NewQuantity(c.Memory),
			model.ResourceEphemeralStorage: model.NewQuantity(c.EphemeralStorage),
			model.ResourcePods:             model.NewQuantity(cfg.MaxPods),
		}
	}
	if kl.desired.Status.Allocatable == nil {
		kl.desired.Status.Allocatable = model.DeepCopy(kl.desired.Status.Capacity)
	}
	machine.SetExitHandler(kl.onExit)
	return kl
}

// Name returns the node's name.
func (kl *Kubelet) Name() string { return kl.name }

// Running reports whether the kubelet process runs.
func (kl *Kubelet) Running() bool { return kl.running }

// Machine returns the machine the kubelet drives.
func (kl *Kubelet) Machine() hardware.Machine { return kl.machine }

// Start starts the kubelet process: it registers the node (creating the
// Node if absent), posts its status and renews its Lease, and runs the pods
// bound to the node, adopting containers still running on the machine.
func (kl *Kubelet) Start() {
	if kl.running {
		return
	}
	if !kl.machine.Up() {
		kl.machine.Boot()
	}
	kl.gen++
	kl.running = true
	kl.started = kl.k.Now()
	kl.client = kl.connect(kl.source, kl.cfg.QPS, kl.cfg.Burst)
	kl.pods = map[string]*podState{}
	kl.byKey = map[string]string{}
	kl.crash = NewBackoff(kl.cfg.CrashLoopBackOffBase, kl.cfg.CrashLoopBackOffMax)
	kl.pull = NewBackoff(kl.cfg.ImagePullBackOffBase, kl.cfg.ImagePullBackOffMax)
	kl.pullQ, kl.pulling = nil, false
	kl.ipam = newIPAM(kl.name, kl.desired.Spec.PodCIDR)
	for _, ip := range kl.sandboxes {
		kl.ipam.claim(ip)
	}
	kl.node = nodeState{}
	kl.eviction = evictionState{lastMet: map[string]sim.Time{}}
	kl.startNode()
	kl.watchOwnNode()
	kl.startPodInformer()
	kl.startEviction()
}

// NameWatcher is implemented by API clients that can watch one object by
// name (a metadata.name field selector), as the kubelet's node informer
// does upstream.
type NameWatcher interface {
	WatchName(kind, name string, h model.WatchHandler)
}

// watchOwnNode keeps the kubelet's copy of its Node current, so that
// admission sees taints others add or remove (upstream's node lister)
// without waiting for the next status post.
func (kl *Kubelet) watchOwnNode() {
	nw, ok := kl.client.(NameWatcher)
	if !ok {
		return
	}
	gen := kl.gen
	nw.WatchName("Node", kl.name, func(ev model.WatchEvent) {
		if !kl.alive(gen) || (ev.Type != model.Added && ev.Type != model.Modified) || !kl.node.registered {
			return
		}
		n, ok := ev.Object.(*model.Node)
		if !ok || kl.node.cur == nil || n.UID != kl.node.cur.UID {
			return
		}
		if rv(n) > rv(kl.node.cur) {
			kl.node.cur = n
		}
	})
}

func rv(o model.Object) uint64 {
	v, _ := strconv.ParseUint(o.GetObjectMeta().ResourceVersion, 10, 64)
	return v
}

// Stop stops the kubelet process: no more status or lease updates, no pod
// management. Containers keep running on the machine.
func (kl *Kubelet) Stop() {
	if !kl.running {
		return
	}
	kl.running = false
	kl.gen++
}

// Restart stops and starts the kubelet process.
func (kl *Kubelet) Restart() {
	kl.Stop()
	kl.Start()
}

// Crash kills the whole node: the machine loses every container and the
// kubelet stops. Nothing is reported.
func (kl *Kubelet) Crash() {
	kl.Stop()
	kl.machine.Crash()
	kl.sandboxes = map[string]string{}
	kl.apps = map[string]appTimes{}
}

// Recover boots a crashed node: the machine powers on and the kubelet
// starts, finding its containers exited.
func (kl *Kubelet) Recover() { kl.Start() }

// SetRuntimeReady switches the container runtime's health: while it is
// down the node reports Ready=False and starts no container.
func (kl *Kubelet) SetRuntimeReady(up bool) {
	kl.runtimeUp = up
	if kl.running {
		kl.syncNodeStatusSoon()
		if up {
			for _, uid := range kl.podUIDs() {
				kl.requestSync(kl.pods[uid])
			}
		}
	}
}

// after runs f d from now unless the process has stopped or restarted.
func (kl *Kubelet) after(d time.Duration, f func(now sim.Time)) sim.Timer {
	gen := kl.gen
	return kl.k.After(d, sim.HandlerFunc(func(now sim.Time) {
		if kl.gen == gen && kl.running {
			f(now)
		}
	}))
}

// guard wraps an API callback so it is dropped if the process stopped.
func (kl *Kubelet) alive(gen int) bool { return kl.gen == gen && kl.running }

// wall converts a simulated instant to the wall clock of statuses.
func (kl *Kubelet) wall(t sim.Time) *time.Time {
	w := t.Wall(kl.cfg.Start)
	return &w
}

func (kl *Kubelet) record(kind, object string, fields ...sim.Field) {
	kl.k.Journal().Record(sim.Event{T: kl.k.Now(), Kind: kind, Source: kl.source, Object: object, Fields: fields})
}

// jittered returns period stretched by the jitter factor.
func (kl *Kubelet) jittered(period time.Duration) time.Duration {
	if kl.cfg.JitterFactor <= 0 {
		return period
	}
	return period + time.Duration(kl.jitterRand.Float64()*kl.cfg.JitterFactor*float64(period))
}

func sampleSeconds(s sim.Sampler) time.Duration {
	v := s.Sample()
	if !(v > 0) {
		return 0
	}
	return time.Duration(v * 1e9)
}

// podUIDs returns the known pods' UIDs sorted by pod key.
func (kl *Kubelet) podUIDs() []string {
	keys := model.SortedKeys(kl.byKey)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, kl.byKey[k])
	}
	return out
}

// startPodInformer watches the pods bound to this node.
func (kl *Kubelet) startPodInformer() {
	gen := kl.gen
	c := &nodePodClient{Client: kl.client, node: kl.name}
	inf := model.NewInformer(kl.k, c, "Pod", 0)
	inf.AddEventHandler(model.ResourceEventHandler{
		OnAdd: func(o model.Object) {
			if kl.alive(gen) {
				kl.podAdded(o.(*model.Pod))
			}
		},
		OnUpdate: func(_, o model.Object) {
			if kl.alive(gen) {
				kl.podUpdated(o.(*model.Pod))
			}
		},
		OnDelete: func(o model.Object) {
			if kl.alive(gen) {
				kl.podDeleted(o.(*model.Pod))
			}
		},
	})
	inf.Start()
	kl.informer = inf
}

// housekeeping removes what no known pod owns once the pod list is in:
// exited containers are deleted, running ones (pods deleted while the
// kubelet was down) are stopped with the default 30 s grace period
// (HandlePodCleanups).
func (kl *Kubelet) housekeeping() {
	if kl.informer == nil || !kl.informer.HasSynced() {
		return
	}
	for _, st := range kl.machine.Containers() {
		if _, ok := kl.pods[st.PodUID]; ok {
			continue
		}
		if st.Running {
			_ = kl.machine.StopContainer(st.ID, 30*time.Second)
			continue
		}
		kl.machine.RemoveContainer(st.ID)
		delete(kl.apps, st.ID)
		if ip, ok := kl.sandboxes[st.PodUID]; ok {
			kl.ipam.release(ip)
			delete(kl.sandboxes, st.PodUID)
		}
	}
}

// nodePodClient narrows a client's pod watch to one node: through the
// server's field selector when the client has one, else by dropping the
// other nodes' pods as they arrive.
type nodePodClient struct {
	model.Client
	node string
}

func (c *nodePodClient) Watch(kind string, h model.WatchHandler) {
	if fw, ok := c.Client.(FieldWatcher); ok {
		fw.WatchField(kind, "spec.nodeName", c.node, h)
		return
	}
	c.Client.Watch(kind, func(ev model.WatchEvent) {
		if ev.Object != nil {
			if p, ok := ev.Object.(*model.Pod); ok && p.Spec.NodeName != c.node {
				return
			}
		}
		h(ev)
	})
}
