package kubeproxy

import (
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Mode is a kube-proxy backend (--proxy-mode).
type Mode string

// The modes.
const (
	ModeIPTables  Mode = "iptables"
	ModeNFTables  Mode = "nftables"
	ModeIPVS      Mode = "ipvs"
	ModeUserspace Mode = "userspace"
)

// Modes lists the modes.
func Modes() []Mode { return []Mode{ModeIPTables, ModeNFTables, ModeIPVS, ModeUserspace} }

// Config is one proxier's configuration.
type Config struct {
	Mode Mode
	// IPVSScheduler is --ipvs-scheduler (default rr).
	IPVSScheduler IPVSScheduler
	// MinSyncPeriod is the least time between two syncs
	// (--*-min-sync-period, 1 s): changes arriving sooner wait.
	MinSyncPeriod time.Duration
	// SyncPeriod is the longest time between syncs (--*-sync-period, 30 s);
	// every one of these is a full resync.
	SyncPeriod time.Duration
	// Cost is the time model of syncs and of the data path.
	Cost CostModel
}

// CostModel is what a sync and a packet cost in simulated time. Rule
// counts follow the structure each mode writes (see rules); the per-rule
// figures are kubesim's calibration, chosen so that a full iptables
// restore of a 10,000-service, 100,000-endpoint ruleset takes about 10 s
// and a partial one about half a second, the orders of magnitude reported
// in KEP-3453 and the nftables KEP-3866, and so that nftables and IPVS
// updates cost in proportion to what changed.
type CostModel struct {
	// SyncBase is the fixed cost of a sync (computing the ruleset, one
	// exec or transaction).
	SyncBase time.Duration
	// PerRule is the cost of writing one rule (or map element, or IPVS
	// real server) to the kernel.
	PerRule time.Duration
	// PerServiceScan is the cost per service port of a sync that looks at
	// every service even when only some changed (IPVS compares the whole
	// table; iptables rewrites the KUBE-SERVICES chain on a partial sync).
	PerServiceScan time.Duration
	// PacketBase is the data-path cost of a new connection's first packet;
	// PacketPerRule is added for every rule traversed (iptables'
	// KUBE-SERVICES chain up to the service, then its load-balancing
	// rules) or IPVS destination examined.
	PacketBase    time.Duration
	PacketPerRule time.Duration
}

// DefaultCost returns the cost model of a mode.
func DefaultCost(m Mode) CostModel {
	switch m {
	case ModeNFTables:
		return CostModel{SyncBase: 5 * time.Millisecond, PerRule: 5 * time.Microsecond, PacketBase: 2 * time.Microsecond, PacketPerRule: 25 * time.Nanosecond}
	case ModeIPVS:
		return CostModel{SyncBase: 10 * time.Millisecond, PerRule: 20 * time.Microsecond, PerServiceScan: 2 * time.Microsecond,
			PacketBase: 2 * time.Microsecond, PacketPerRule: 20 * time.Nanosecond}
	case ModeUserspace:
		return CostModel{SyncBase: time.Millisecond, PerRule: 100 * time.Microsecond, PacketBase: 200 * time.Microsecond}
	default:
		return CostModel{SyncBase: 20 * time.Millisecond, PerRule: 30 * time.Microsecond, PerServiceScan: 30 * time.Microsecond,
			PacketBase: 2 * time.Microsecond, PacketPerRule: 25 * time.Nanosecond}
	}
}

// WithDefaults fills unset fields with upstream's defaults.
func (c Config) WithDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeIPTables
	}
	if c.MinSyncPeriod == 0 {
		c.MinSyncPeriod = time.Second
	}
	if c.SyncPeriod == 0 {
		c.SyncPeriod = 30 * time.Second
	}
	if c.Cost == (CostModel{}) {
		c.Cost = DefaultCost(c.Mode)
	}
	return c
}

// Validate reports an unknown mode or scheduler.
func (c Config) Validate() error {
	known := false
	for _, m := range Modes() {
		known = known || m == c.Mode
	}
	if !known && c.Mode != "" {
		return fmt.Errorf("mode: must be iptables, nftables, ipvs or userspace, got %q", c.Mode)
	}
	if c.IPVSScheduler != "" {
		if _, err := NewVirtualServer(IPVSOptions{Scheduler: c.IPVSScheduler}); err != nil {
			return fmt.Errorf("ipvsScheduler: %w", err)
		}
	}
	if c.MinSyncPeriod < 0 || c.SyncPeriod < 0 {
		return fmt.Errorf("sync periods must not be negative")
	}
	return nil
}

// rules is the size of a service port's rules in a mode: what a full sync
// writes for it. iptables: the KUBE-SERVICES match, the KUBE-SVC chain and
// its masquerade rule, then per endpoint the load-balancing rule and the
// KUBE-SEP chain's two rules (mark, DNAT). nftables: the service-ips map
// element and chain, per endpoint a numgen map element and a chain with
// two rules. IPVS: the virtual server, then one real server per endpoint.
// userspace: one proxy socket per port.
func rules(m Mode, endpoints int) int {
	switch m {
	case ModeNFTables:
		return 2 + 3*endpoints
	case ModeIPVS:
		return 1 + endpoints
	case ModeUserspace:
		return 1
	default:
		return 3 + 3*endpoints
	}
}

// PortKey names a service port: namespace/name:port-name.
type PortKey string

// programmedPort is one service port as installed in the node's kernel.
type programmedPort struct {
	key      PortKey
	svc      string // namespace/name
	info     ServicePortInfo
	addr     netip.AddrPort // cluster IP and port
	cluster  Chooser
	local    Chooser
	keys     []string // cluster endpoint keys as written
	locals   []string
	hasAny   bool
	position int // place in the KUBE-SERVICES chain (iptables)
}

// Proxier is one node's kube-proxy: it sees Services and EndpointSlices
// as its watches deliver them, and programs them into its node's kernel
// in syncs (BoundedFrequencyRunner): a change asks for a sync, which runs
// at once unless the last one began less than MinSyncPeriod ago; a sync
// takes time by the cost model, and what it wrote takes effect when it
// ends. Until then the node routes by its previous rules, to endpoints
// that may be gone. Every SyncPeriod a full resync runs.
//
// Route answers for the data path: which endpoint a new connection from
// this node to a service address gets, and what the lookup cost.
type Proxier struct {
	k      *sim.Kernel
	node   Node
	cfg    Config
	rng    *sim.Rand
	gates  FeatureGates
	source string

	services map[string]*model.Service                  // by namespace/name
	slices   map[string]map[string]*model.EndpointSlice // service -> slice name -> slice
	dirty    map[string]bool                            // services changed since the last sync began

	programmed map[PortKey]*programmedPort
	byAddr     map[netip.AddrPort]*programmedPort
	order      []PortKey // KUBE-SERVICES order

	cache *EndpointCache

	running   bool
	syncing   bool
	wantSync  bool
	lastStart sim.Time
	started   bool
	timer     sim.Timer
	periodic  sim.Timer
	syncs     int
	// changed: a watch delivered a change since the last sync began;
	// only such syncs are journaled (periodic resyncs are not).
	changed bool
	// forceFull: the next sync is a full one (after a start, and every
	// SyncPeriod).
	forceFull bool
	// Durations of the syncs that wrote rules, and how many were full.
	durations []time.Duration
	fulls     int
}

// NewProxier returns the proxier of a node; Start runs it.
func NewProxier(k *sim.Kernel, node Node, cfg Config) *Proxier {
	cfg = cfg.WithDefaults()
	return &Proxier{k: k, node: node, cfg: cfg, rng: k.Rand("kube-proxy/" + node.Name + "/" + string(cfg.Mode)),
		gates: DefaultFeatureGates(), source: "kube-proxy/" + node.Name,
		services: map[string]*model.Service{}, slices: map[string]map[string]*model.EndpointSlice{}, dirty: map[string]bool{},
		programmed: map[PortKey]*programmedPort{}, byAddr: map[netip.AddrPort]*programmedPort{}}
}

// ShareEndpoints makes the proxier take its endpoint lists from a cache
// shared with the other proxiers of the run.
func (p *Proxier) ShareEndpoints(c *EndpointCache) { p.cache = c }

// Node returns the proxier's node.
func (p *Proxier) Node() Node { return p.node }

// Mode returns the proxier's mode.
func (p *Proxier) Mode() Mode { return p.cfg.Mode }

// Syncs returns the number of syncs completed.
func (p *Proxier) Syncs() int { return p.syncs }

// Start runs the proxier: a first full sync, then periodic ones. The
// kernel's rules of a node that restarts survive (kube-proxy rewrites
// them); those of a crashed node are gone with it (Stop with wipe).
func (p *Proxier) Start() {
	if p.running {
		return
	}
	p.running = true
	p.started = false
	p.changed = true // the first sync of a (re)started proxier is journaled
	p.forceFull = true
	for name := range p.services {
		p.dirty[name] = true
	}
	p.requestSync()
	p.armPeriodic()
}

// Stop stops the proxier; wipe also empties the node's programmed rules
// (the machine went down).
func (p *Proxier) Stop(wipe bool) {
	p.running = false
	p.syncing = false
	p.k.Cancel(p.timer)
	p.k.Cancel(p.periodic)
	if wipe {
		p.programmed = map[PortKey]*programmedPort{}
		p.byAddr = map[netip.AddrPort]*programmedPort{}
		p.order = nil
	}
}

func (p *Proxier) armPeriodic() {
	p.k.Cancel(p.periodic)
	p.periodic = p.k.AfterFunc(p.cfg.SyncPeriod, func(sim.Time) {
		if !p.running {
			return
		}
		for name := range p.services {
			p.dirty[name] = true
		}
		p.forceFull = true
		p.requestSync()
		p.armPeriodic()
	})
}

// OnService records a Service as the watch delivered it (present false:
// deleted).
func (p *Proxier) OnService(svc *model.Service, present bool) {
	key := svc.Namespace + "/" + svc.Name
	if present {
		p.services[key] = svc
	} else {
		delete(p.services, key)
	}
	p.dirty[key] = true
	p.changed = true
	p.requestSync()
}

// OnEndpointSlice records an EndpointSlice as the watch delivered it.
func (p *Proxier) OnEndpointSlice(slice *model.EndpointSlice, present bool) {
	svc := slice.Labels["kubernetes.io/service-name"]
	if svc == "" {
		return
	}
	key := slice.Namespace + "/" + svc
	m := p.slices[key]
	if m == nil {
		m = map[string]*model.EndpointSlice{}
		p.slices[key] = m
	}
	if present {
		m[slice.Name] = slice
	} else {
		delete(m, slice.Name)
		if len(m) == 0 {
			delete(p.slices, key)
		}
	}
	p.dirty[key] = true
	p.changed = true
	p.requestSync()
}

// Resync replaces the proxier's view with a fresh list (its informers
// relisted after a broken watch) and syncs every service.
func (p *Proxier) Resync(services []*model.Service, slices []*model.EndpointSlice) {
	for name := range p.services {
		p.dirty[name] = true
	}
	p.services = map[string]*model.Service{}
	p.slices = map[string]map[string]*model.EndpointSlice{}
	for _, s := range services {
		p.services[s.Namespace+"/"+s.Name] = s
		p.dirty[s.Namespace+"/"+s.Name] = true
	}
	for _, sl := range slices {
		svc := sl.Labels["kubernetes.io/service-name"]
		if svc == "" {
			continue
		}
		key := sl.Namespace + "/" + svc
		if p.slices[key] == nil {
			p.slices[key] = map[string]*model.EndpointSlice{}
		}
		p.slices[key][sl.Name] = sl
		p.dirty[key] = true
	}
	p.changed = true
	p.requestSync()
}

// requestSync is BoundedFrequencyRunner.Run: sync now if allowed, else
// when MinSyncPeriod since the last start has passed.
func (p *Proxier) requestSync() {
	if !p.running {
		return
	}
	if p.syncing {
		p.wantSync = true
		return
	}
	now := p.k.Now()
	at := now
	if p.started {
		if earliest := p.lastStart.Add(p.cfg.MinSyncPeriod); earliest > at {
			at = earliest
		}
	}
	if p.k.Active(p.timer) {
		if p.timer.At() <= at {
			return
		}
		p.k.Cancel(p.timer)
	}
	p.timer = p.k.At(at, sim.HandlerFunc(func(sim.Time) { p.sync() }))
}

// portState is a service port computed from the current view.
type portState struct {
	key    PortKey
	svc    string
	info   ServicePortInfo
	addr   netip.AddrPort
	keys   []string
	locals []string
	hasAny bool
	eps    int
}

// sync computes the ruleset of the dirty services (all of them on a full
// sync) and installs it when its cost has been paid.
func (p *Proxier) sync() {
	if !p.running || p.syncing {
		return
	}
	now := p.k.Now()
	full := !p.started || p.forceFull
	p.forceFull = false
	p.started, p.lastStart, p.syncing = true, now, true
	journal := p.changed
	p.changed = false
	changed := model.SortedKeys(p.dirty)
	p.dirty = map[string]bool{}
	var states []portState
	var written int
	for _, name := range changed {
		svc, ok := p.services[name]
		if !ok {
			continue
		}
		for _, st := range p.portStates(name, svc) {
			written += rules(p.cfg.Mode, st.eps)
			states = append(states, st)
		}
	}
	totalPorts, totalEndpoints := p.size()
	cost := p.cfg.Cost.SyncBase + time.Duration(written)*p.cfg.Cost.PerRule
	if full && p.cfg.Mode == ModeIPTables {
		// iptables-restore rewrites every rule on a full sync.
		cost = p.cfg.Cost.SyncBase + time.Duration(3*totalPorts+3*totalEndpoints)*p.cfg.Cost.PerRule
	} else {
		cost += time.Duration(totalPorts) * p.cfg.Cost.PerServiceScan
	}
	p.timer = p.k.AfterFunc(cost, func(sim.Time) {
		if !p.running {
			return
		}
		p.install(changed, states)
		p.syncing = false
		p.syncs++
		if len(changed) > 0 { // a node with no Services writes nothing
			p.durations = append(p.durations, cost)
			if full {
				p.fulls++
			}
			if journal { // periodic resyncs are counted, not journaled
				p.record(full, changed, totalPorts, totalEndpoints, cost)
			}
		}
		if p.wantSync || len(p.dirty) > 0 {
			p.wantSync = false
			p.requestSync()
		}
	})
}

// record journals a sync that wrote rules.
func (p *Proxier) record(full bool, changed []string, totalPorts, totalEndpoints int, cost time.Duration) {
	p.k.Journal().Record(sim.Event{T: p.k.Now(), Kind: "ProxyRulesSynced", Source: p.source, Object: p.node.Name, Fields: []sim.Field{
		sim.F("mode", string(p.cfg.Mode)), sim.F("full", full), sim.F("services", int64(len(changed))),
		sim.F("servicePorts", int64(totalPorts)), sim.F("endpoints", int64(totalEndpoints)), sim.F("duration", cost)}})
}

// size counts the service ports and endpoints of the current view.
func (p *Proxier) size() (ports, endpoints int) {
	for name, svc := range p.services {
		ports += len(svc.Spec.Ports)
		for _, sl := range p.slices[name] {
			endpoints += len(sl.Endpoints)
		}
	}
	return ports, endpoints
}

// portStates computes the rules of a service's ports from the current
// view: no rules for headless and ExternalName services.
func (p *Proxier) portStates(name string, svc *model.Service) []portState {
	if svc.Spec.Type == model.ServiceTypeExternalName || svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == model.ClusterIPNone {
		return nil
	}
	ip, err := netip.ParseAddr(svc.Spec.ClusterIP)
	if err != nil {
		return nil
	}
	slices := model.SortedValues(p.slices[name])
	var out []portState
	for i := range svc.Spec.Ports {
		port := &svc.Spec.Ports[i]
		proto := model.ProtocolTCP
		if port.Protocol != "" {
			proto = port.Protocol
		}
		info := NewServicePortInfo(svc, port)
		st := portState{key: PortKey(name + ":" + port.Name), svc: name, info: info, addr: netip.AddrPortFrom(ip, uint16(port.Port))}
		var eps []Endpoint
		if p.cache != nil {
			e := p.cache.entry(name, slices, port.Name, proto)
			eps = e.endpoints
			if !e.hinted && !info.UsesLocalEndpoints() {
				st.keys, st.hasAny = e.sharedCluster(info, p.gates)
				st.eps = len(eps)
				out = append(out, st)
				continue
			}
		} else {
			eps = EndpointsFromSlices(slices, port.Name, proto, p.node.Name)
		}
		cats := CategorizeEndpoints(eps, info, p.node, p.gates)
		st.keys, st.locals, st.hasAny, st.eps = Keys(cats.Cluster), Keys(cats.Local), cats.HasAnyEndpoints, len(eps)
		out = append(out, st)
	}
	return out
}

// install replaces the programmed rules of the changed services.
func (p *Proxier) install(changed []string, states []portState) {
	gone := map[string]bool{}
	for _, name := range changed {
		gone[name] = true
	}
	kept := map[PortKey]bool{}
	for _, st := range states {
		kept[st.key] = true
		pp := p.programmed[st.key]
		if pp == nil || pp.info.AffinityTimeout != st.info.AffinityTimeout {
			pp = &programmedPort{key: st.key, svc: st.svc}
			pp.cluster, pp.local = p.newChooser(st.info), p.newChooser(st.info)
			p.programmed[st.key] = pp
		}
		if old, ok := p.byAddr[pp.addr]; ok && old == pp {
			delete(p.byAddr, pp.addr)
		}
		pp.info, pp.addr, pp.hasAny = st.info, st.addr, st.hasAny
		// Shared lists come back identical when nothing changed: the
		// choosers keep their tables.
		if !sameList(pp.keys, st.keys) {
			pp.cluster.SetEndpoints(st.keys)
		}
		if !sameList(pp.locals, st.locals) {
			pp.local.SetEndpoints(st.locals)
		}
		pp.keys, pp.locals = st.keys, st.locals
		p.byAddr[pp.addr] = pp
	}
	for key, pp := range p.programmed {
		if gone[pp.svc] && !kept[key] {
			delete(p.programmed, key)
			if p.byAddr[pp.addr] == pp {
				delete(p.byAddr, pp.addr)
			}
		}
	}
	// KUBE-SERVICES lists service ports in the order the proxier walks
	// its service map; kubesim sorts them by name.
	p.order = model.SortedKeys(p.programmed)
	for i, key := range p.order {
		p.programmed[key].position = i
	}
}

func (p *Proxier) newChooser(info ServicePortInfo) Chooser {
	switch p.cfg.Mode {
	case ModeNFTables:
		return NewNFTablesChooser(p.rng, info.AffinityTimeout)
	case ModeIPVS:
		v, err := NewVirtualServer(IPVSOptions{Scheduler: p.cfg.IPVSScheduler, Persistence: info.AffinityTimeout})
		if err != nil {
			v, _ = NewVirtualServer(IPVSOptions{Persistence: info.AffinityTimeout})
		}
		return v
	case ModeUserspace:
		return NewUserspaceRR(p.rng, info.AffinityTimeout)
	default:
		return NewIPTablesChooser(p.rng, info.AffinityTimeout)
	}
}

// Verdict is the data path's answer for a new connection.
type Verdict int

// Verdicts.
const (
	// Forwarded: DNAT to Endpoint.
	Forwarded Verdict = iota
	// NoRules: the address is no service this node knows (yet): the
	// packet goes nowhere and the connection times out.
	NoRules
	// Rejected: the service has no endpoints (ICMP port unreachable).
	Rejected
	// Dropped: Local policy and no local endpoint.
	Dropped
)

// Route picks the endpoint for a new connection to a service address from
// this node, by the rules programmed now. external says the connection
// entered through a node port or load balancer (externalTrafficPolicy
// applies) rather than from a pod of this node (internalTrafficPolicy).
func (p *Proxier) Route(dst netip.AddrPort, f Flow, external bool) (Choice, Verdict, time.Duration) {
	pp, ok := p.byAddr[dst]
	cost := p.cfg.Cost.PacketBase
	if !ok {
		if p.cfg.Mode == ModeIPTables {
			cost += time.Duration(len(p.order)) * p.cfg.Cost.PacketPerRule
		}
		return noChoice, NoRules, cost
	}
	if p.cfg.Mode == ModeIPTables {
		cost += time.Duration(pp.position+1) * p.cfg.Cost.PacketPerRule
	}
	if !pp.hasAny {
		return noChoice, Rejected, cost
	}
	local := pp.info.InternalPolicyLocal
	if external {
		local = pp.info.ExternalPolicyLocal
	}
	ch := pp.cluster
	if local {
		ch = pp.local
	}
	c := ch.Choose(f, p.k.Now())
	cost += time.Duration(c.Steps) * p.cfg.Cost.PacketPerRule
	if c.None() {
		if local {
			return c, Dropped, cost
		}
		return c, Rejected, cost
	}
	return c, Forwarded, cost
}

// Programmed returns the endpoint keys a service port is programmed with
// on this node (cluster policy), sorted, and whether the port is known.
func (p *Proxier) Programmed(key PortKey) ([]string, bool) {
	pp, ok := p.programmed[key]
	if !ok {
		return nil, false
	}
	out := append([]string(nil), pp.keys...)
	sort.Strings(out)
	return out, true
}

// Connected and Closed move IPVS connection counts (lc, wlc, sed, nq);
// no-ops in the other modes.
func (p *Proxier) Connected(dst netip.AddrPort, endpoint string) {
	if pp, ok := p.byAddr[dst]; ok {
		if v, ok := pp.cluster.(*VirtualServer); ok {
			v.Connect(endpoint)
		}
	}
}

// Closed ends a connection counted by Connected.
func (p *Proxier) Closed(dst netip.AddrPort, endpoint string) {
	if pp, ok := p.byAddr[dst]; ok {
		if v, ok := pp.cluster.(*VirtualServer); ok {
			v.Close(endpoint)
		}
	}
}

// Expired drops an inactive connection entry (never established, or
// closed): kubesim does not keep IPVS's SYN_RECV and TIME_WAIT timers.
func (p *Proxier) Expired(dst netip.AddrPort, endpoint string) {
	if pp, ok := p.byAddr[dst]; ok {
		if v, ok := pp.cluster.(*VirtualServer); ok {
			v.Expire(endpoint)
		}
	}
}

// Healthy is kube-proxy's healthz: the proxier runs and has synced.
func (p *Proxier) Healthy() bool { return p.running && p.syncs > 0 }

// HasLocalEndpoints is what the Service's healthCheckNodePort answers on
// this node (externalTrafficPolicy Local): whether the programmed rules
// have a local endpoint for any of its ports.
func (p *Proxier) HasLocalEndpoints(svc string) bool {
	for _, pp := range p.programmed {
		if pp.svc == svc && len(pp.locals) > 0 {
			return true
		}
	}
	return false
}

// SyncStats returns the durations of the syncs that wrote rules, in
// order, and how many of them were full.
func (p *Proxier) SyncStats() (durations []time.Duration, full int) { return p.durations, p.fulls }

// sameList reports whether two key lists are the same slice (a shared
// list handed out again), which spares rebuilding a chooser.
func sameList(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
