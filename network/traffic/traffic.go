// Package traffic simulates clients sending requests to Services, so that
// an incident is measured the way users saw it: how many requests failed,
// for how long, and how slow the others were.
//
// Every request is simulated: it leaves a client node, is routed by that
// node's kube-proxy rules as they are programmed at that instant (stale
// while a sync is pending), crosses the network to the chosen endpoint,
// waits for one of the endpoint pod's workers and is served in a time drawn
// from the pod's behaviour, then returns. It fails when the rules reject or
// drop it, when the endpoint's node is unreachable or the pod is gone (a
// timeout, or a refusal from a live node), or when the answer comes after
// the client's timeout; failed attempts are retried on new connections up
// to the client's retry budget.
//
// The journal gets one Requests event per service and second with traffic
// (counts and latency), not one per request, so large volumes stay small
// on disk.
//
// It may import model, sim and network only.
package traffic

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/network/kubeproxy"
	"github.com/kubesim/kubesim/sim"
)

// Spec is one client population of the scenario's traffic section.
type Spec struct {
	// Name labels the client (default: the target).
	Name string `yaml:"name,omitempty"`
	// To is the target Service, namespace/name.
	To string `yaml:"to"`
	// Port names the Service port (default: its first port).
	Port string `yaml:"port,omitempty"`
	// Via is an ingress controller's Service (namespace/name, NodePort or
	// LoadBalancer) that outside clients go through: its pod proxies each
	// request to the target Service from its own node.
	Via string `yaml:"via,omitempty"`
	// Host is the name clients resolve through cluster DNS before each
	// request (e.g. web, or web.shop), with their pod's resolv.conf;
	// empty: clients use the Service's cluster IP directly.
	Host string `yaml:"host,omitempty"`
	// From says where requests start: nodes of a pool or a zone (the
	// client runs on the node), or every node (default).
	From From `yaml:"from,omitempty"`
	// Rate is the open-loop request rate per second (the mean rate of a
	// diurnal curve).
	Rate float64 `yaml:"rate,omitempty"`
	// Arrival is poisson (default), constant, or diurnal: a Poisson process
	// whose rate follows Rate × (1 + Amplitude × sin(2π t / Period)).
	Arrival   string        `yaml:"arrival,omitempty"`
	Period    time.Duration `yaml:"period,omitempty"`
	Amplitude float64       `yaml:"amplitude,omitempty"`
	// Users makes the client closed-loop instead: that many users, each
	// sending a request, waiting for its outcome, thinking for ThinkTime
	// (seconds, default 1), and sending again.
	Users     int             `yaml:"users,omitempty"`
	ThinkTime *model.DistSpec `yaml:"thinkTime,omitempty"`
	// Timeout is the client's per-attempt timeout (default 1 s).
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// Retries is how many times a failed attempt is retried on a new
	// connection (default 2).
	Retries *int `yaml:"retries,omitempty"`
	// RequestBytes and ResponseBytes are the sizes on the wire (default
	// 1Ki and 16Ki); they queue on the sending node's network interface.
	RequestBytes  *model.Quantity `yaml:"requestBytes,omitempty"`
	ResponseBytes *model.Quantity `yaml:"responseBytes,omitempty"`
	// Start and Stop bound when the client sends (default: the whole run).
	Start time.Duration `yaml:"start,omitempty"`
	Stop  time.Duration `yaml:"stop,omitempty"`
}

// From selects the clients: the pods a selector matches in a namespace
// (the request leaves from the pod's node with the pod's IP), or nodes of
// a pool or zone (a host-network client).
type From struct {
	// External clients are outside the cluster: they reach a NodePort
	// Service on a random node's address, or a LoadBalancer Service
	// through its cloud load balancer, which sends each connection to a
	// node its health checks find healthy.
	External  bool              `yaml:"external,omitempty"`
	Pool      string            `yaml:"pool,omitempty"`
	Zone      string            `yaml:"zone,omitempty"`
	Namespace string            `yaml:"namespace,omitempty"`
	Selector  map[string]string `yaml:"selector,omitempty"`
}

// Source is one client instance able to send now.
type Source struct {
	Node string
	IP   netip.Addr
	// Pod is the client pod (namespace/name), "" for a node client.
	Pod string
}

// Validate checks a spec; the error names the field.
func (s Spec) Validate() error {
	if ns, name, ok := strings.Cut(s.To, "/"); !ok || ns == "" || name == "" {
		return fmt.Errorf("to: a Service as namespace/name, got %q", s.To)
	}
	switch {
	case s.Users < 0 || s.Users > 100000:
		return fmt.Errorf("users: between 1 and 100000, got %d", s.Users)
	case s.Users > 0 && s.Rate != 0:
		return fmt.Errorf("rate: an open-loop rate or closed-loop users, not both")
	case s.Users == 0 && (!(s.Rate > 0) || s.Rate > 1e6):
		return fmt.Errorf("rate: requests per second in (0, 1e6], got %v", s.Rate)
	}
	if s.ThinkTime != nil {
		if err := s.ThinkTime.Dist().Validate(); err != nil {
			return fmt.Errorf("thinkTime: %w", err)
		}
		if s.Users == 0 {
			return fmt.Errorf("thinkTime: for closed-loop users only")
		}
	}
	switch s.Arrival {
	case "", "poisson", "constant":
	case "diurnal":
		if s.Period <= 0 {
			return fmt.Errorf("period: required for a diurnal arrival, e.g. 24h")
		}
		if s.Amplitude < 0 || s.Amplitude > 1 {
			return fmt.Errorf("amplitude: in [0, 1], got %v", s.Amplitude)
		}
	default:
		return fmt.Errorf("arrival: poisson, constant or diurnal, got %q", s.Arrival)
	}
	if s.Users > 0 && s.Arrival != "" {
		return fmt.Errorf("arrival: for open-loop clients only")
	}
	if s.Timeout < 0 {
		return fmt.Errorf("timeout: must not be negative")
	}
	if s.Retries != nil && (*s.Retries < 0 || *s.Retries > 10) {
		return fmt.Errorf("retries: between 0 and 10, got %d", *s.Retries)
	}
	for _, q := range []struct {
		name string
		v    *model.Quantity
	}{{"requestBytes", s.RequestBytes}, {"responseBytes", s.ResponseBytes}} {
		if q.v != nil && q.v.Sign() < 0 {
			return fmt.Errorf("%s: must not be negative", q.name)
		}
	}
	if s.Stop != 0 && s.Stop <= s.Start {
		return fmt.Errorf("stop: must be after start")
	}
	if len(s.From.Selector) > 0 && (s.From.Pool != "" || s.From.Zone != "") {
		return fmt.Errorf("from: pods (namespace and selector) or nodes (pool, zone), not both")
	}
	if s.From.External && (len(s.From.Selector) > 0 || s.From.Pool != "" || s.From.Zone != "") {
		return fmt.Errorf("from.external: an outside client names no pods or nodes")
	}
	if s.From.External && s.Host != "" {
		return fmt.Errorf("host: outside clients do not use cluster DNS")
	}
	if s.Via != "" {
		if ns, name, ok := strings.Cut(s.Via, "/"); !ok || ns == "" || name == "" {
			return fmt.Errorf("via: a Service as namespace/name, got %q", s.Via)
		}
		if !s.From.External {
			return fmt.Errorf("via: for outside clients (from.external)")
		}
	}
	if s.From.Namespace != "" && len(s.From.Selector) == 0 {
		return fmt.Errorf("from.selector: required with from.namespace")
	}
	return nil
}

// requestCPU is the CPU a request in service uses: one core.
const requestCPU = 1000

// Backend is what the data path finds at an endpoint address.
type Backend struct {
	Pod  string // namespace/name
	Node string
	// NodeUp: the endpoint's node is reachable.
	NodeUp bool
	// Serving: the pod's containers run (it accepts connections).
	Serving bool
	// ServiceTime is the time one request takes (default 10 ms).
	ServiceTime *model.DistSpec
	// Workers is how many requests the pod serves at once (default 1).
	Workers int
	// Load, when set, adds delta millicores of CPU demand to the pod's
	// container while it serves (each request in service keeps a core
	// busy) and returns the container's slowdown: its demand over the CPU
	// share it gets. Service times stretch by it.
	Load func(delta int64) float64
}

// World is what the engine asks of the simulated cluster.
type World interface {
	// ClientSources lists the clients of a population able to send now
	// (on running nodes), in a stable order.
	ClientSources(f From) []Source
	// Proxier returns a node's kube-proxy.
	Proxier(node string) *kubeproxy.Proxier
	// Service returns a Service by namespace/name.
	Service(key string) (*model.Service, bool)
	// Endpoint finds the pod behind an endpoint IP.
	Endpoint(ip string) (Backend, bool)
	// Path is the one-way time of a message between nodes ("" is
	// outside the cluster), or false when the network loses it.
	Path(from, to string) (time.Duration, bool)
	// Transmit puts bytes on a node's outgoing link now and returns when
	// the last of them has left.
	Transmit(node string, bytes int64) time.Duration
	// Entry picks the node an outside connection to a NodePort or
	// LoadBalancer Service enters by ("" if none: no healthy backend, or
	// the Service is not exposed).
	Entry(svc *model.Service, r *sim.Rand) string
	// Resolve looks a name up through cluster DNS as the source would:
	// the address, the time the queries took, or why it failed.
	Resolve(src Source, host string) (addr netip.Addr, took time.Duration, failure string)
	// Allowed applies NetworkPolicy to a new connection from src to the
	// pod dstPod's port; the reason names the deciding policy.
	Allowed(src Source, dstPod string, port int32) (bool, string)
}

// Engine runs every client population.
type Engine struct {
	k           *sim.Kernel
	world       World
	clients     []*client
	servers     map[string]*server
	stats       map[string]*serviceStats // by service
	order       []string
	byClient    map[string]*serviceStats
	clientOrder []string
	end         time.Duration
	flushAt     sim.Time
	armed       bool
}

type client struct {
	spec                Spec
	reqBytes, respBytes int64
	rand                *sim.Rand
	retries             int
	timeout             time.Duration
	seq                 uint64
}

// server is one endpoint pod's request queue.
type server struct {
	busy  int
	queue []*attempt
}

type attempt struct {
	c       *client
	req     *request
	key     string // endpoint key
	ip      string
	node    string // endpoint node
	back    route  // the nodes the answer crosses after node, to the client ("" outside)
	conn    conn
	timer   sim.Timer
	done    bool
	started sim.Time
}

type request struct {
	svc     string
	start   sim.Time
	tries   int
	from    string
	srcIP   netip.Addr
	srcPod  string
	srcPort uint16
	done    func() // a closed-loop user's continuation
}

// New builds the engine; end is the run's length.
func New(k *sim.Kernel, world World, specs []Spec, end time.Duration) (*Engine, error) {
	e := &Engine{k: k, world: world, servers: map[string]*server{}, stats: map[string]*serviceStats{}, end: end,
		byClient: map[string]*serviceStats{}}
	for i, s := range specs {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("traffic[%d].%w", i, err)
		}
		if s.Name == "" {
			s.Name = s.To
		}
		c := &client{spec: s, rand: k.Rand(fmt.Sprintf("traffic/%d/%s", i, s.Name)), retries: 2, timeout: time.Second,
			reqBytes: 1 << 10, respBytes: 16 << 10}
		if s.RequestBytes != nil {
			c.reqBytes = s.RequestBytes.Value()
		}
		if s.ResponseBytes != nil {
			c.respBytes = s.ResponseBytes.Value()
		}
		if s.Retries != nil {
			c.retries = *s.Retries
		}
		if s.Timeout > 0 {
			c.timeout = s.Timeout
		}
		e.clients = append(e.clients, c)
		if _, ok := e.stats[s.To]; !ok {
			e.stats[s.To] = newServiceStats()
			e.order = append(e.order, s.To)
		}
		if _, ok := e.byClient[s.Name]; !ok {
			e.byClient[s.Name] = newServiceStats()
			e.clientOrder = append(e.clientOrder, s.Name)
		}
	}
	sort.Strings(e.order)
	return e, nil
}

// Start schedules the first request of every client (of every user of a
// closed-loop client).
func (e *Engine) Start() {
	for _, c := range e.clients {
		c := c
		if c.spec.Users > 0 {
			for range c.spec.Users {
				e.k.AfterFunc(c.spec.Start, func(sim.Time) { e.user(c) })
			}
			continue
		}
		e.k.AfterFunc(c.spec.Start, func(sim.Time) { e.next(c) })
	}
}

// interval is the gap to the next open-loop arrival; a diurnal client
// draws gaps at its peak rate and thins them (next).
func (e *Engine) interval(c *client) time.Duration {
	rate := c.spec.Rate
	if c.spec.Arrival == "diurnal" {
		rate *= 1 + c.spec.Amplitude
	}
	mean := 1 / rate
	if c.spec.Arrival == "constant" {
		return time.Duration(mean * 1e9)
	}
	return time.Duration(c.rand.ExpFloat64() * mean * 1e9)
}

// accept thins a diurnal client's peak-rate arrivals down to its rate at
// now (Lewis and Shedler's method).
func (e *Engine) accept(c *client, now sim.Time) bool {
	if c.spec.Arrival != "diurnal" {
		return true
	}
	a := c.spec.Amplitude
	phase := 2 * math.Pi * float64(now) / float64(c.spec.Period)
	return c.rand.Float64()*(1+a) < 1+a*math.Sin(phase)
}

// next sends one open-loop request and schedules the next arrival.
func (e *Engine) next(c *client) {
	now := e.k.Now()
	if c.spec.Stop != 0 && time.Duration(now) >= c.spec.Stop {
		return
	}
	if e.accept(c, now) {
		e.send(c, nil)
	}
	if d := e.interval(c); time.Duration(now)+d < e.end {
		e.k.AfterFunc(d, func(sim.Time) { e.next(c) })
	}
}

// user is one closed-loop user: a request, its outcome, a think, again.
func (e *Engine) user(c *client) {
	now := e.k.Now()
	if (c.spec.Stop != 0 && time.Duration(now) >= c.spec.Stop) || time.Duration(now) >= e.end {
		return
	}
	think := func() {
		d := time.Second
		if c.spec.ThinkTime != nil {
			d = c.spec.ThinkTime.SampleDuration(c.rand)
		}
		e.k.AfterFunc(max(d, time.Millisecond), func(sim.Time) { e.user(c) })
	}
	if !e.send(c, think) {
		think() // no client able to send now: try again later
	}
}

// send starts a request from a random client of the population; done (if
// any) runs when its outcome is known. It reports whether a client sent.
func (e *Engine) send(c *client, done func()) bool {
	srcs := e.world.ClientSources(c.spec.From)
	if len(srcs) == 0 {
		return false
	}
	src := srcs[c.rand.IntN(len(srcs))]
	c.seq++
	req := &request{svc: c.spec.To, start: e.k.Now(), from: src.Node, srcIP: src.IP, srcPod: src.Pod,
		srcPort: uint16(32768 + c.seq%28232), done: done}
	e.try(c, req)
	return true
}

// try makes one attempt: route, connect, queue, serve.
func (e *Engine) try(c *client, req *request) {
	req.tries++
	fail := func(reason string, after time.Duration) {
		e.k.AfterFunc(after, func(sim.Time) { e.attemptFailed(c, req, reason) })
	}
	svc, ok := e.world.Service(req.svc)
	if !ok {
		fail("no such service", c.timeout)
		return
	}
	addr, ok := serviceAddr(svc, c.spec.Port)
	if !ok {
		fail("no cluster IP or no such port", c.timeout)
		return
	}
	src := Source{Node: req.from, IP: req.srcIP, Pod: req.srcPod}
	var before time.Duration // time spent before the last leg leaves
	back := route{nodes: [3]string{req.from}, n: 1}
	external := c.spec.From.External
	if external {
		// An outside client's packets enter at a node, whose proxier
		// routes them with the external traffic policy; through an
		// ingress controller they first reach one of its pods, which
		// opens its own connection to the Service.
		front := svc
		if c.spec.Via != "" {
			if front, ok = e.world.Service(c.spec.Via); !ok {
				fail("no such ingress Service", c.timeout)
				return
			}
		}
		entry := e.world.Entry(front, c.rand)
		if entry == "" {
			fail("timeout: no entry node", c.timeout)
			return
		}
		hop, reached := e.world.Path("", entry)
		if !reached {
			fail("timeout: network", c.timeout)
			return
		}
		before = hop
		back = route{nodes: [3]string{entry, ""}, n: 2}
		src.Node = entry
		if c.spec.Via != "" {
			faddr, ok := serviceAddr(front, "")
			if !ok {
				fail("no cluster IP", c.timeout)
				return
			}
			l := e.leg(c, req, src, faddr, true)
			if l.reason != "" {
				fail(l.reason, before+l.after)
				return
			}
			ingressIP, err := netip.ParseAddr(l.ip)
			if err != nil {
				fail("timeout: no such endpoint", c.timeout)
				return
			}
			before += l.arrive + ingressProcessing
			back = route{nodes: [3]string{l.b.Node, entry, ""}, n: 3}
			src = Source{Node: l.b.Node, IP: ingressIP, Pod: l.b.Pod}
			external = false
		}
	} else if c.spec.Host != "" {
		ip, took, failure := e.world.Resolve(src, c.spec.Host)
		if failure != "" {
			fail("dns: "+failure, min(took, c.timeout))
			return
		}
		if took >= c.timeout {
			fail("timeout: dns", c.timeout)
			return
		}
		before = took
		addr = netip.AddrPortFrom(ip, addr.Port())
	}
	l := e.leg(c, req, src, addr, external)
	if l.reason != "" {
		fail(l.reason, before+l.after)
		return
	}
	a := &attempt{c: c, req: req, key: l.key, ip: l.ip, node: l.b.Node, back: back, conn: l.conn, started: e.k.Now()}
	a.timer = e.k.AfterFunc(c.timeout, func(sim.Time) {
		if !a.done {
			a.done = true
			a.conn.expire()
			e.attemptFailed(c, req, "timeout")
		}
	})
	b := l.b
	e.k.AfterFunc(before+l.arrive, func(sim.Time) { e.arrive(a, b) })
}

// conn is a connection's entry in the routing node's IPVS table (no-ops
// in the other modes): new at Choose, established when the request
// reaches the endpoint, gone when it ends.
type conn struct {
	p           *kubeproxy.Proxier
	addr        netip.AddrPort
	key         string
	established bool
}

func (c *conn) establish() {
	if c.p != nil && !c.established {
		c.established = true
		c.p.Connected(c.addr, c.key)
	}
}

func (c *conn) expire() {
	if c.p == nil {
		return
	}
	if c.established {
		c.p.Closed(c.addr, c.key)
	}
	c.p.Expired(c.addr, c.key)
	c.p = nil
}

// route is the return path of an answer: at most the ingress pod's node,
// the entry node and the outside.
type route struct {
	nodes [3]string
	n     int
}

// ingressProcessing is an ingress controller pod's own time per request.
const ingressProcessing = 200 * time.Microsecond

// legResult is one connection's way from a node to a Service endpoint:
// the endpoint and when the request reaches it, or why it fails and when
// the client learns it.
type legResult struct {
	key, ip string
	conn    conn
	b       Backend
	arrive  time.Duration
	reason  string
	after   time.Duration
}

// leg routes a connection from src's node to a Service address by that
// node's programmed rules and sends the request to the chosen endpoint.
func (e *Engine) leg(c *client, req *request, src Source, addr netip.AddrPort, external bool) legResult {
	p := e.world.Proxier(src.Node)
	if p == nil {
		return legResult{reason: "timeout: node down", after: c.timeout}
	}
	choice, verdict, cost := p.Route(addr, kubeproxy.Flow{Src: src.IP, SrcPort: req.srcPort, Dst: addr.Addr()}, external)
	switch verdict {
	case kubeproxy.Rejected:
		return legResult{reason: "rejected: no endpoints", after: cost}
	case kubeproxy.NoRules, kubeproxy.Dropped:
		return legResult{reason: "timeout: no route", after: c.timeout}
	}
	cn := conn{p: p, addr: addr, key: choice.Key}
	ip, port, _ := net.SplitHostPort(choice.Key)
	b, ok := e.world.Endpoint(ip)
	out, reached := e.world.Path(src.Node, b.Node)
	fail := func(reason string, after time.Duration) legResult {
		cn.expire()
		return legResult{reason: reason, after: after}
	}
	switch {
	case ok && !reached:
		return fail("timeout: network", c.timeout)
	case !ok:
		return fail("timeout: no such endpoint", c.timeout)
	case !b.NodeUp:
		return fail("timeout: endpoint unreachable", c.timeout)
	case !b.Serving:
		return fail("refused", cost+2*out)
	}
	if n, err := strconv.Atoi(port); err == nil {
		if allowed, _ := e.world.Allowed(src, b.Pod, int32(n)); !allowed {
			return fail("timeout: denied by NetworkPolicy", c.timeout)
		}
	}
	out += e.world.Transmit(src.Node, c.reqBytes)
	return legResult{key: choice.Key, ip: ip, conn: cn, b: b, arrive: cost + out}
}

func serviceAddr(svc *model.Service, portName string) (netip.AddrPort, bool) {
	ip, err := netip.ParseAddr(svc.Spec.ClusterIP)
	if err != nil || len(svc.Spec.Ports) == 0 {
		return netip.AddrPort{}, false
	}
	port := svc.Spec.Ports[0]
	if portName != "" {
		found := false
		for _, sp := range svc.Spec.Ports {
			if sp.Name == portName {
				port, found = sp, true
			}
		}
		if !found {
			return netip.AddrPort{}, false
		}
	}
	return netip.AddrPortFrom(ip, uint16(port.Port)), true
}

// arrive queues the attempt at the endpoint, or starts serving it.
func (e *Engine) arrive(a *attempt, b Backend) {
	cur, ok := e.world.Endpoint(a.ip)
	if !ok || !cur.NodeUp {
		return // the node died on the way: the client times out
	}
	if !cur.Serving {
		e.finish(a, false, "refused")
		return
	}
	a.conn.establish()
	s := e.servers[a.key]
	if s == nil {
		s = &server{}
		e.servers[a.key] = s
	}
	workers := max(b.Workers, 1)
	if s.busy < workers {
		s.busy++
		e.serve(a, s, cur)
		return
	}
	s.queue = append(s.queue, a)
}

func (e *Engine) serve(a *attempt, s *server, b Backend) {
	d := 10 * time.Millisecond
	if b.ServiceTime != nil {
		d = b.ServiceTime.SampleDuration(a.c.rand)
	}
	if b.Load != nil {
		d = time.Duration(float64(d) * b.Load(requestCPU))
	}
	e.k.AfterFunc(d, func(sim.Time) {
		if b.Load != nil {
			b.Load(-requestCPU)
		}
		s.busy--
		if len(s.queue) > 0 {
			nxt := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			s.busy++
			cur, _ := e.world.Endpoint(nxt.ip)
			e.serve(nxt, s, cur)
		}
		cur, ok := e.world.Endpoint(a.ip)
		if !ok || !cur.NodeUp {
			return // died while serving: the client times out
		}
		back := e.world.Transmit(a.node, a.c.respBytes)
		from := a.node
		for _, to := range a.back.nodes[:a.back.n] {
			hop, reached := e.world.Path(from, to)
			if !reached {
				return // the answer is lost: the client times out
			}
			back += hop
			from = to
		}
		e.k.AfterFunc(back, func(sim.Time) { e.finish(a, true, "") })
	})
}

// finish ends an attempt that got an answer.
func (e *Engine) finish(a *attempt, ok bool, reason string) {
	if a.done {
		return
	}
	a.done = true
	e.k.Cancel(a.timer)
	a.conn.expire()
	if !ok {
		e.attemptFailed(a.c, a.req, reason)
		return
	}
	st := e.stats[a.req.svc]
	st.record(e.k.Now(), true, e.k.Now().Sub(a.req.start))
	st.endpoints[a.key]++
	e.byClient[a.c.spec.Name].record(e.k.Now(), true, e.k.Now().Sub(a.req.start))
	e.armFlush()
	if a.req.done != nil {
		a.req.done()
	}
}

func (e *Engine) attemptFailed(c *client, req *request, reason string) {
	if req.tries <= c.retries {
		e.try(c, req)
		return
	}
	st := e.stats[req.svc]
	st.record(e.k.Now(), false, e.k.Now().Sub(req.start))
	st.failures = append(st.failures, req.start)
	st.reasons[reason]++
	e.byClient[c.spec.Name].record(e.k.Now(), false, e.k.Now().Sub(req.start))
	e.armFlush()
	if req.done != nil {
		req.done()
	}
}

// armFlush makes sure the current second's counts reach the journal.
func (e *Engine) armFlush() {
	if e.armed {
		return
	}
	e.armed = true
	sec := e.k.Now() / sim.Time(time.Second)
	e.k.At((sec+1)*sim.Time(time.Second), sim.HandlerFunc(func(now sim.Time) {
		e.armed = false
		e.flush(sec)
	}))
}

// flush writes one Requests event per service for the second sec.
func (e *Engine) flush(sec sim.Time) {
	for _, svc := range e.order {
		b := e.stats[svc].window(int64(sec))
		if b == nil || b.ok+b.failed == 0 {
			continue
		}
		fields := []sim.Field{sim.F("second", int64(sec)), sim.F("ok", b.ok), sim.F("failed", b.failed)}
		if b.ok > 0 {
			fields = append(fields, sim.F("meanLatency", time.Duration(b.sum/time.Duration(b.ok))), sim.F("maxLatency", b.max))
		}
		e.k.Journal().Record(sim.Event{T: e.k.Now(), Kind: "Requests", Source: "traffic", Object: svc, Fields: fields})
	}
}

// --- statistics --------------------------------------------------------------

type bucket struct {
	ok, failed int64
	sum, max   time.Duration
}

type serviceStats struct {
	buckets   map[int64]*bucket
	latencies []float64 // successful requests, seconds
	ok, fail  int64
	endpoints map[string]int64
	reasons   map[string]int64
	failures  []sim.Time // when the failed requests were sent
}

func newServiceStats() *serviceStats {
	return &serviceStats{buckets: map[int64]*bucket{}, endpoints: map[string]int64{}, reasons: map[string]int64{}}
}

func (s *serviceStats) window(sec int64) *bucket { return s.buckets[sec] }

func (s *serviceStats) record(now sim.Time, ok bool, latency time.Duration) {
	sec := int64(now / sim.Time(time.Second))
	b := s.buckets[sec]
	if b == nil {
		b = &bucket{}
		s.buckets[sec] = b
	}
	if ok {
		b.ok++
		s.ok++
		b.sum += latency
		b.max = max(b.max, latency)
		s.latencies = append(s.latencies, latency.Seconds())
		return
	}
	b.failed++
	s.fail++
}

// Summary is the traffic part of summary.json.
type Summary struct {
	Total       int64   `json:"total"`
	Succeeded   int64   `json:"succeeded"`
	Failed      int64   `json:"failed"`
	SuccessRate float64 `json:"successRate"`
	// LongestFailureWindowSeconds is the longest stretch in which
	// requests kept failing (failures less than a second apart).
	LongestFailureWindowSeconds float64          `json:"longestFailureWindowSeconds"`
	Services                    []ServiceSummary `json:"services"`
	// Clients are the same figures per client population.
	Clients []ClientSummary `json:"clients"`
	// Recoveries are filled by the caller: per timeline fault, the
	// requests that failed after it and when the last of them was sent.
	Recoveries []Recovery `json:"recoveries,omitempty"`
}

// Recovery is the traffic's recovery after one fault.
type Recovery struct {
	Action                string  `json:"action"`
	At                    float64 `json:"at"`
	FailedRequests        int64   `json:"failedRequests"`
	RecoveredAfterSeconds float64 `json:"recoveredAfterSeconds"`
}

// ClientSummary is one client population's figures.
type ClientSummary struct {
	Client      string         `json:"client"`
	Total       int64          `json:"total"`
	Failed      int64          `json:"failed"`
	SuccessRate float64        `json:"successRate"`
	Latency     LatencySummary `json:"latency"`
}

func (s *serviceStats) latency() LatencySummary {
	if len(s.latencies) == 0 {
		return LatencySummary{}
	}
	l := append([]float64(nil), s.latencies...)
	sort.Float64s(l)
	return LatencySummary{P50: round6(stat.Quantile(0.5, stat.Empirical, l, nil)), P90: round6(stat.Quantile(0.9, stat.Empirical, l, nil)),
		P99: round6(stat.Quantile(0.99, stat.Empirical, l, nil)), Max: round6(l[len(l)-1])}
}

// ServiceSummary is one target Service's figures.
type ServiceSummary struct {
	Service     string           `json:"service"`
	Total       int64            `json:"total"`
	Succeeded   int64            `json:"succeeded"`
	Failed      int64            `json:"failed"`
	SuccessRate float64          `json:"successRate"`
	Latency     LatencySummary   `json:"latency"`
	Failures    map[string]int64 `json:"failures,omitempty"`
	// FailureWindows are the stretches in which the requests sent went on
	// failing (by send time).
	FailureWindows []Window        `json:"failureWindows,omitempty"`
	Endpoints      []EndpointShare `json:"endpoints,omitempty"`
}

// LatencySummary is in seconds.
type LatencySummary struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Window is a stretch of failures, in simulated seconds.
type Window struct {
	Start    float64 `json:"start"`
	End      float64 `json:"end"`
	Requests int64   `json:"failedRequests"`
}

// EndpointShare is how many successful requests an endpoint served.
type EndpointShare struct {
	Endpoint string  `json:"endpoint"`
	Requests int64   `json:"requests"`
	Share    float64 `json:"share"`
}

// Windows groups failure instants less than gap apart.
func Windows(failures []sim.Time, gap time.Duration) []Window {
	var out []Window
	for i, t := range failures {
		s := t.Seconds()
		if i == 0 || t.Sub(failures[i-1]) >= gap {
			out = append(out, Window{Start: s, End: s, Requests: 1})
			continue
		}
		w := &out[len(out)-1]
		w.End, w.Requests = s, w.Requests+1
	}
	return out
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// Totals returns the requests that succeeded and failed so far.
func (e *Engine) Totals() (ok, failed int64) {
	for _, st := range e.stats {
		ok += st.ok
		failed += st.fail
	}
	return ok, failed
}

// Summary computes the figures of the run so far.
func (e *Engine) Summary() Summary {
	var out Summary
	for _, svc := range e.order {
		st := e.stats[svc]
		ss := ServiceSummary{Service: svc, Total: st.ok + st.fail, Succeeded: st.ok, Failed: st.fail}
		if ss.Total > 0 {
			ss.SuccessRate = round6(float64(st.ok) / float64(ss.Total))
		}
		ss.Latency = st.latency()
		if len(st.reasons) > 0 {
			ss.Failures = st.reasons
		}
		sent := append([]sim.Time(nil), st.failures...)
		sort.Slice(sent, func(i, j int) bool { return sent[i] < sent[j] })
		ss.FailureWindows = Windows(sent, time.Second)
		for _, w := range ss.FailureWindows {
			out.LongestFailureWindowSeconds = max(out.LongestFailureWindowSeconds, round6(w.End-w.Start))
		}
		for _, key := range model.SortedKeys(st.endpoints) {
			ss.Endpoints = append(ss.Endpoints, EndpointShare{Endpoint: key, Requests: st.endpoints[key], Share: round6(float64(st.endpoints[key]) / float64(max(st.ok, 1)))})
		}
		out.Total += ss.Total
		out.Succeeded += ss.Succeeded
		out.Failed += ss.Failed
		out.Services = append(out.Services, ss)
	}
	if out.Total > 0 {
		out.SuccessRate = round6(float64(out.Succeeded) / float64(out.Total))
	}
	for _, name := range e.clientOrder {
		st := e.byClient[name]
		cs := ClientSummary{Client: name, Total: st.ok + st.fail, Failed: st.fail, Latency: st.latency()}
		if cs.Total > 0 {
			cs.SuccessRate = round6(float64(st.ok) / float64(cs.Total))
		}
		out.Clients = append(out.Clients, cs)
	}
	return out
}
