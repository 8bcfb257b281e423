package scenarios

import (
	"fmt"
	"maps"
	"math"
	"net/netip"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/network"
	"github.com/kubesim/kubesim/network/kubeproxy"
	"github.com/kubesim/kubesim/network/netpolicy"
	"github.com/kubesim/kubesim/network/services"
	"github.com/kubesim/kubesim/network/traffic"
	"github.com/kubesim/kubesim/sim"
)

// KubeProxySpec is the scenario's kubeProxy section: every node runs one
// kube-proxy with this configuration.
type KubeProxySpec struct {
	// Mode is iptables (default, as upstream), nftables, ipvs or
	// userspace.
	Mode kubeproxy.Mode `yaml:"mode,omitempty"`
	// IPVSScheduler is rr (default), wrr, lc, wlc, sh, dh, sed or nq.
	IPVSScheduler kubeproxy.IPVSScheduler `yaml:"ipvsScheduler,omitempty"`
	// MinSyncPeriod (1 s) and SyncPeriod (30 s) are kube-proxy's flags.
	MinSyncPeriod time.Duration `yaml:"minSyncPeriod,omitempty"`
	SyncPeriod    time.Duration `yaml:"syncPeriod,omitempty"`
}

func (s *KubeProxySpec) config() kubeproxy.Config {
	if s == nil {
		return kubeproxy.Config{}.WithDefaults()
	}
	return kubeproxy.Config{Mode: s.Mode, IPVSScheduler: s.IPVSScheduler, MinSyncPeriod: s.MinSyncPeriod, SyncPeriod: s.SyncPeriod}.WithDefaults()
}

// dataPlane is the network side of a run: the topology, one kube-proxy
// per node fed by the Service and EndpointSlice watches, the pods by IP,
// and the traffic engine. It is the traffic engine's World.
type dataPlane struct {
	r      *Run
	topo   *network.Topology
	parts  *network.Partitions
	loss   *sim.Rand
	slices map[string]*model.EndpointSlice
	// cut lists the proxiers whose watches a partition cut: they resync
	// when it heals.
	cut         map[string]bool
	nodeClients []*nodeClient
	proxiers    map[string]*kubeproxy.Proxier
	services    map[string]*model.Service
	pods        map[string]*model.Pod // by pod IP
	podIPs      map[string]string     // pod key -> IP
	nodeIPs     map[string]netip.Addr
	candidates  map[string][]string
	// version counts pod and node changes; podSources caches each pod
	// selector's client list for one version.
	version    uint64
	podSources map[string]cachedSources
	engine     *traffic.Engine

	// NetworkPolicy: the policies and namespaces as watched, compiled
	// into an evaluator when first needed after a change.
	policies   map[string]*model.NetworkPolicy
	namespaces map[string]*model.Namespace
	evaluator  *netpolicy.Evaluator
	policyErr  error

	dns *clusterDNS
	lbs map[string]*loadBalancer
	// backends caches each endpoint pod's per-object data by IP.
	backends map[string]*cachedBackend

	// faults are the timeline faults as they fired, for recoveries.
	faults []firedFault
}

type firedFault struct {
	at    sim.Time
	index int
	kind  string
}

func (r *Run) startDataPlane() error {
	sc := r.Loaded.Scenario
	alloc, err := services.New(services.DefaultConfig(), r.Kernel.Rand("apiserver/service-allocation"))
	if err != nil {
		return fmt.Errorf("service allocation: %w", err)
	}
	r.API.SetServiceAllocator(alloc)
	d := &dataPlane{r: r, proxiers: map[string]*kubeproxy.Proxier{}, services: map[string]*model.Service{},
		pods: map[string]*model.Pod{}, podIPs: map[string]string{}, nodeIPs: map[string]netip.Addr{},
		candidates: map[string][]string{}, podSources: map[string]cachedSources{},
		policies: map[string]*model.NetworkPolicy{}, namespaces: map[string]*model.Namespace{},
		slices: map[string]*model.EndpointSlice{}, cut: map[string]bool{}, lbs: map[string]*loadBalancer{},
		backends: map[string]*cachedBackend{}}
	var lat network.LatencySpec
	if sc.Spec.Network != nil {
		lat = *sc.Spec.Network
	}
	topo, err := network.NewTopology(r.Loaded.Nodes, lat, r.Kernel.Rand("network/latency"))
	if err != nil {
		return fmt.Errorf("spec.network.%w", err)
	}
	d.topo = topo
	if d.dns, err = newClusterDNS(d); err != nil {
		return fmt.Errorf("cluster DNS: %w", err)
	}
	d.parts = network.NewPartitions(topo)
	d.parts.Changed = d.partitionsChanged
	d.loss = r.Kernel.Rand("network/loss")
	cfg := sc.Spec.KubeProxy.config()
	pools := map[string]kubeproxy.Config{}
	for _, p := range sc.Spec.Cluster.NodePools {
		if p.KubeProxy != nil {
			pools[p.Name] = p.KubeProxy.config()
		}
	}
	for i, n := range r.Loaded.Nodes {
		c, ok := pools[n.Labels["kubesim.io/pool"]]
		if !ok {
			c = cfg
		}
		d.proxiers[n.Name] = kubeproxy.NewProxier(r.Kernel, kubeproxy.Node{Name: n.Name, Zone: n.Labels[model.LabelTopologyZone]}, c)
		d.nodeIPs[n.Name] = netip.AddrFrom4([4]byte{10, 250, byte(i >> 8), byte(i)})
	}
	names := model.SortedKeys(d.proxiers)
	shared := kubeproxy.NewEndpointCache()
	for _, name := range names {
		d.proxiers[name].ShareEndpoints(shared)
	}
	r.API.Watch("Service", func(ev model.WatchEvent) {
		svc, ok := ev.Object.(*model.Service)
		if !ok {
			return
		}
		present := ev.Type != model.Deleted
		if present {
			d.services[model.Key(svc)] = svc
		} else {
			delete(d.services, model.Key(svc))
		}
		d.dns.onService(svc, present)
		d.onLoadBalancer(svc, present)
		for _, name := range names {
			if d.watchReaches(name) {
				d.proxiers[name].OnService(svc, present)
			}
		}
	})
	r.API.Watch("EndpointSlice", func(ev model.WatchEvent) {
		sl, ok := ev.Object.(*model.EndpointSlice)
		if !ok {
			return
		}
		if ev.Type == model.Deleted {
			delete(d.slices, model.Key(sl))
		} else {
			d.slices[model.Key(sl)] = sl
		}
		d.dns.onSlice(sl, ev.Type != model.Deleted)
		for _, name := range names {
			if d.watchReaches(name) {
				d.proxiers[name].OnEndpointSlice(sl, ev.Type != model.Deleted)
			}
		}
	})
	r.API.Watch("Pod", func(ev model.WatchEvent) {
		p, ok := ev.Object.(*model.Pod)
		if !ok {
			return
		}
		if old, ok := ev.Old.(*model.Pod); !ok || ev.Type != model.Modified || old.Status.Phase != p.Status.Phase ||
			old.Status.PodIP != p.Status.PodIP || old.Spec.NodeName != p.Spec.NodeName || !maps.Equal(old.Labels, p.Labels) {
			d.version++ // what client lists depend on changed
		}
		key := model.Key(p)
		if old, ok := d.podIPs[key]; ok && (ev.Type == model.Deleted || p.Status.PodIP != old) {
			if d.pods[old] != nil && model.Key(d.pods[old]) == key {
				delete(d.pods, old)
			}
			delete(d.podIPs, key)
		}
		if ev.Type != model.Deleted && p.Status.PodIP != "" && !p.Spec.HostNetwork {
			d.pods[p.Status.PodIP] = p
			d.podIPs[key] = p.Status.PodIP
		}
	})
	r.API.Watch("NetworkPolicy", func(ev model.WatchEvent) {
		if np, ok := ev.Object.(*model.NetworkPolicy); ok {
			if ev.Type == model.Deleted {
				delete(d.policies, model.Key(np))
			} else {
				d.policies[model.Key(np)] = np
			}
			d.evaluator, d.policyErr = nil, nil
		}
	})
	r.API.Watch("Namespace", func(ev model.WatchEvent) {
		if ns, ok := ev.Object.(*model.Namespace); ok {
			if ev.Type == model.Deleted {
				delete(d.namespaces, ns.Name)
			} else {
				d.namespaces[ns.Name] = ns
			}
			d.evaluator, d.policyErr = nil, nil
		}
	})
	if len(sc.Spec.Traffic) > 0 {
		eng, err := traffic.New(r.Kernel, d, sc.Spec.Traffic, sc.Spec.Duration)
		if err != nil {
			return fmt.Errorf("spec.%w", err)
		}
		d.engine = eng
	}
	r.data = d
	return nil
}

// start runs every node's kube-proxy and the clients (time zero, with the
// kubelets).
func (d *dataPlane) start() {
	for _, name := range model.SortedKeys(d.proxiers) {
		d.proxiers[name].Start()
	}
	if d.engine != nil {
		d.engine.Start()
	}
}

// nodeDown and nodeUp follow a node's machine: its kube-proxy dies with
// it (and its rules with the kernel) and starts again when it boots.
func (d *dataPlane) nodeDown(node string) {
	d.version++
	if p := d.proxiers[node]; p != nil {
		p.Stop(true)
	}
}

func (d *dataPlane) nodeUp(node string) {
	d.version++
	if p := d.proxiers[node]; p != nil {
		p.Start()
	}
}

func (d *dataPlane) up(node string) bool {
	kl := d.r.kubelets[node]
	return kl != nil && kl.Machine().Up()
}

// ClientSources implements traffic.World: the running pods the selector
// matches, or the running nodes of the pool or zone.
func (d *dataPlane) ClientSources(f traffic.From) []traffic.Source {
	if f.External {
		return []traffic.Source{{IP: externalClientIP}}
	}
	if len(f.Selector) > 0 {
		ns := f.Namespace
		if ns == "" {
			ns = "default"
		}
		ck := ns + "\x00" + model.SelectorFromSet(f.Selector).String()
		if c, ok := d.podSources[ck]; ok && c.version == d.version {
			return c.sources
		}
		sel := model.SelectorFromSet(f.Selector)
		var out []traffic.Source
		for _, ip := range model.SortedKeys(d.pods) {
			p := d.pods[ip]
			if p.Namespace != ns || p.Status.Phase != model.PodRunning || !sel.Matches(p.Labels) || !d.up(p.Spec.NodeName) {
				continue
			}
			addr, err := netip.ParseAddr(ip)
			if err != nil {
				continue
			}
			out = append(out, traffic.Source{Node: p.Spec.NodeName, IP: addr, Pod: model.Key(p)})
		}
		d.podSources[ck] = cachedSources{version: d.version, sources: out}
		return out
	}
	key := f.Pool + "\x00" + f.Zone
	cand, ok := d.candidates[key]
	if !ok {
		for _, n := range d.r.Loaded.Nodes {
			if (f.Pool == "" || n.Labels["kubesim.io/pool"] == f.Pool) && (f.Zone == "" || n.Labels[model.LabelTopologyZone] == f.Zone) {
				cand = append(cand, n.Name)
			}
		}
		sort.Strings(cand)
		d.candidates[key] = cand
	}
	out := make([]traffic.Source, 0, len(cand))
	for _, n := range cand {
		if d.up(n) {
			out = append(out, traffic.Source{Node: n, IP: d.nodeIPs[n]})
		}
	}
	return out
}

// Proxier implements traffic.World.
func (d *dataPlane) Proxier(node string) *kubeproxy.Proxier {
	if !d.up(node) {
		return nil
	}
	return d.proxiers[node]
}

// Service implements traffic.World.
func (d *dataPlane) Service(key string) (*model.Service, bool) {
	s, ok := d.services[key]
	return s, ok
}

// Endpoint implements traffic.World: the pod with that IP, whether its
// node is up and whether it serves (running, not finished).
func (d *dataPlane) Endpoint(ip string) (traffic.Backend, bool) {
	p, ok := d.pods[ip]
	if !ok {
		return traffic.Backend{}, false
	}
	c := d.backends[ip]
	if c == nil || c.pod != p {
		c = &cachedBackend{pod: p, b: d.backend(p)}
		d.backends[ip] = c
	}
	b := c.b
	b.NodeUp = d.up(p.Spec.NodeName)
	b.Serving = p.Status.Phase == model.PodRunning
	return b, true
}

// cachedBackend is what a pod object gives the data path; it is rebuilt
// when the watch delivers a new version of the pod.
type cachedBackend struct {
	pod *model.Pod
	b   traffic.Backend
}

// backend derives the per-pod part of an endpoint: its behaviour's
// service time, its workers and its CPU load hook.
func (d *dataPlane) backend(p *model.Pod) traffic.Backend {
	b := traffic.Backend{Pod: model.Key(p), Node: p.Spec.NodeName, Workers: 1}
	if len(p.Spec.Containers) > 0 {
		var resolver model.BehaviorResolver
		if bs := d.r.Loaded.Scenario.Spec.Behaviors; len(bs) > 0 {
			resolver = bs
		}
		var ann *model.PodBehaviors
		if text, ok := p.Annotations[model.BehaviorAnnotation]; ok {
			ann, _ = model.ParseBehaviorAnnotation(text)
		}
		beh, _ := model.ResolveBehavior(ann, resolver, &p.Spec.Containers[0])
		b.ServiceTime = beh.ServiceTime
		if cpu := model.PodRequests(p, false).MilliCPU; cpu > 1000 {
			b.Workers = int((cpu + 999) / 1000)
		}
		b.Load = d.cpuLoad(p)
	}
	return b
}

// Path implements traffic.World: the one-way time of a message between
// nodes, or false when a partition or a lossy link loses it.
func (d *dataPlane) Path(from, to string) (time.Duration, bool) {
	extra, ok := d.parts.Deliver(from, to, d.loss)
	if !ok {
		return 0, false
	}
	return d.topo.Latency(from, to) + extra, true
}

// Transmit implements traffic.World on the nodes' network interfaces.
func (d *dataPlane) Transmit(node string, bytes int64) time.Duration {
	return d.topo.Transmit(node, bytes, d.r.Kernel.Now())
}

// watchReaches reports whether the control plane's watch events get to a
// node's kube-proxy; a cut one is marked for a resync on healing.
func (d *dataPlane) watchReaches(node string) bool {
	if d.parts.Reachable(network.ControlPlane, node) {
		return true
	}
	d.cut[node] = true
	return false
}

// partitionsChanged follows a cut or a heal: node clients whose watches
// lost events relist, kube-proxies that missed changes resync.
func (d *dataPlane) partitionsChanged() {
	for _, c := range d.nodeClients {
		c.healed()
	}
	for _, node := range model.SortedKeys(d.cut) {
		if !d.parts.Reachable(network.ControlPlane, node) {
			continue
		}
		delete(d.cut, node)
		d.proxiers[node].Resync(model.SortedValues(d.services), model.SortedValues(d.slices))
	}
}

// summary is the traffic section of summary.json (nil without traffic),
// with the recovery after each fault: the requests sent between it and
// the next fault that failed, and how long after it the last of them was
// sent.
func (d *dataPlane) summary() *traffic.Summary {
	if d == nil || d.engine == nil {
		return nil
	}
	s := d.engine.Summary()
	for i, f := range d.faults {
		end := math.Inf(1)
		if i+1 < len(d.faults) {
			end = d.faults[i+1].at.Seconds()
		}
		rec := traffic.Recovery{Action: fmt.Sprintf("timeline[%d] %s", f.index, f.kind), At: f.at.Seconds()}
		for _, svc := range s.Services {
			for _, w := range svc.FailureWindows {
				if w.Start >= rec.At && w.Start < end {
					rec.FailedRequests += w.Requests
					rec.RecoveredAfterSeconds = math.Max(rec.RecoveredAfterSeconds, math.Round((w.End-rec.At)*1e6)/1e6)
				}
			}
		}
		s.Recoveries = append(s.Recoveries, rec)
	}
	return &s
}

// noteFault records a timeline fault as it fires.
func (d *dataPlane) noteFault(a *LoadedAction) {
	d.faults = append(d.faults, firedFault{at: d.r.Kernel.Now(), index: a.Index, kind: actionKind(&a.Action)})
}

// actionKind names what an action does: the YAML name of its one set
// field.
func actionKind(a *Action) string {
	v := reflect.ValueOf(a).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Pointer || f.IsNil() || t.Field(i).Name == "Every" {
			continue
		}
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		return name
	}
	return "action"
}

// dataPlaneDesc names the data-plane components for the summary.
func (r *Run) dataPlaneDesc() string {
	desc := "network: kube-proxy (" + string(r.Loaded.Scenario.Spec.KubeProxy.config().Mode) + ") on every node"
	if r.data.engine != nil {
		desc += ", traffic"
	}
	return desc
}

// validateNetwork checks the kubeProxy, network and traffic sections.
func (v *scenarioValidator) validateNetwork(sc *Scenario) {
	d := v.d
	checkProxy := func(kp *KubeProxySpec, p string) {
		if kp == nil {
			return
		}
		if err := (kubeproxy.Config{Mode: kp.Mode, IPVSScheduler: kp.IPVSScheduler, MinSyncPeriod: kp.MinSyncPeriod, SyncPeriod: kp.SyncPeriod}).Validate(); err != nil {
			d.ErrorAt(p, "%v", err)
		}
		if kp.IPVSScheduler != "" && kp.Mode != kubeproxy.ModeIPVS {
			d.ErrorAt(p+".ipvsScheduler", "applies to mode ipvs only")
		}
	}
	checkProxy(sc.Spec.KubeProxy, "spec.kubeProxy")
	for i, p := range sc.Spec.Cluster.NodePools {
		checkProxy(p.KubeProxy, fmt.Sprintf("spec.cluster.nodePools[%d].kubeProxy", i))
	}
	if n := sc.Spec.Network; n != nil {
		if err := n.Validate(); err != nil {
			d.ErrorAt("spec.network", "%v", err)
		}
	}
	pools, zones := map[string]bool{}, map[string]bool{}
	for _, p := range sc.Spec.Cluster.NodePools {
		pools[p.Name] = true
		zones[p.Zone] = true
		for _, z := range p.Zones {
			zones[z] = true
		}
	}
	for i, t := range sc.Spec.Traffic {
		p := fmt.Sprintf("spec.traffic[%d]", i)
		if err := t.Validate(); err != nil {
			d.ErrorAt(p, "%v", err)
		}
		if t.From.Pool != "" && !pools[t.From.Pool] {
			d.ErrorAt(p+".from.pool", "no node pool %q", t.From.Pool)
		}
		if t.From.Zone != "" && !zones[t.From.Zone] {
			d.ErrorAt(p+".from.zone", "no node pool has zone %q", t.From.Zone)
		}
		if sc.Spec.Duration > 0 && t.Start >= sc.Spec.Duration {
			d.Warnf(d.NodeFor(p+".start"), p+".start", "%v is after the end of the run; the client never sends", t.Start)
		}
	}
}

type cachedSources struct {
	version uint64
	sources []traffic.Source
}

// Allowed implements traffic.World with the cluster's NetworkPolicies.
// A policy that fails to compile allows nothing it selects to be judged:
// the connection is allowed and the error reported once in the journal.
func (d *dataPlane) Allowed(src traffic.Source, dstPod string, port int32) (bool, string) {
	if len(d.policies) == 0 {
		return true, ""
	}
	if d.evaluator == nil && d.policyErr == nil {
		d.evaluator, d.policyErr = netpolicy.NewEvaluator(model.SortedValues(d.policies), model.SortedValues(d.namespaces))
		if d.policyErr != nil {
			d.r.record("NetworkPolicyError", "network", "NetworkPolicy", sim.F("error", d.policyErr.Error()))
		}
	}
	if d.evaluator == nil {
		return true, ""
	}
	ip, ok := d.podIPs[dstPod]
	if !ok {
		return true, ""
	}
	dp := netpolicy.PodFromModel(d.pods[ip])
	conn := netpolicy.Connection{Dst: netpolicy.PodPeer(&dp), Port: port}
	if srcIP, ok := d.podIPs[src.Pod]; ok && src.Pod != "" {
		sp := netpolicy.PodFromModel(d.pods[srcIP])
		conn.Src = netpolicy.PodPeer(&sp)
	} else {
		conn.Src = netpolicy.IPPeer(src.IP)
	}
	v := d.evaluator.Evaluate(conn)
	return v.Allowed, v.String()
}

// Resolve implements traffic.World through cluster DNS.
func (d *dataPlane) Resolve(src traffic.Source, host string) (netip.Addr, time.Duration, string) {
	return d.dns.resolve(src, host)
}

// loadedMachine is a machine whose containers' CPU demand follows the
// requests they serve.
type loadedMachine interface {
	AddCPULoad(id string, delta int64) (float64, bool)
}

// cpuLoad returns the function that charges a pod's first app container
// with the CPU of the requests it serves. The container is looked up on
// the machine when first needed and again after it stopped running (a
// restart gives it a new ID).
func (d *dataPlane) cpuLoad(p *model.Pod) func(int64) float64 {
	kl := d.r.kubelets[p.Spec.NodeName]
	if kl == nil {
		return nil
	}
	lm, ok := kl.Machine().(loadedMachine)
	if !ok {
		return nil
	}
	name := p.Spec.Containers[0].Name
	var id string
	find := func() {
		id = ""
		for _, st := range kl.Machine().Containers() {
			if st.PodUID == p.UID && st.Name == name && st.Running {
				id = st.ID
			}
		}
	}
	return func(delta int64) float64 {
		if id == "" {
			find()
		}
		slow, ok := lm.AddCPULoad(id, delta)
		if !ok && delta > 0 {
			find()
			slow, _ = lm.AddCPULoad(id, delta)
		}
		return slow
	}
}

// KubeProxySummary is one kube-proxy mode's work over the run: the syncs
// that wrote rules on its nodes (periodic resyncs included) and their
// durations in seconds.
type KubeProxySummary struct {
	Mode         string  `json:"mode"`
	Nodes        int     `json:"nodes"`
	Syncs        int     `json:"syncs"`
	FullSyncs    int     `json:"fullSyncs"`
	SyncDuration Latency `json:"syncDuration"`
}

// proxySummary sums the proxiers by mode (nil when none wrote a rule).
func (d *dataPlane) proxySummary() []KubeProxySummary {
	if d == nil {
		return nil
	}
	byMode := map[string]*KubeProxySummary{}
	samples := map[string][]float64{}
	for _, name := range model.SortedKeys(d.proxiers) {
		p := d.proxiers[name]
		durations, full := p.SyncStats()
		mode := string(p.Mode())
		s := byMode[mode]
		if s == nil {
			s = &KubeProxySummary{Mode: mode}
			byMode[mode] = s
		}
		s.Nodes++
		s.Syncs += len(durations)
		s.FullSyncs += full
		for _, dur := range durations {
			samples[mode] = append(samples[mode], dur.Seconds())
		}
	}
	var out []KubeProxySummary
	for _, mode := range model.SortedKeys(byMode) {
		s := byMode[mode]
		if s.Syncs == 0 {
			continue
		}
		s.SyncDuration = summarize(samples[mode])
		out = append(out, *s)
	}
	return out
}
