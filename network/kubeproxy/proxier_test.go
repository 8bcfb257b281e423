package kubeproxy

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

func testService(name, ip string, mod ...func(*model.Service)) *model.Service {
	s := &model.Service{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default"},
		Spec: model.ServiceSpec{ClusterIP: ip, Ports: []model.ServicePort{{Name: "http", Port: 80, Protocol: model.ProtocolTCP}}}}
	for _, m := range mod {
		m(s)
	}
	return s
}

type sep struct {
	ip, node string
	ready    bool
}

func testSlice(svc, name string, eps ...sep) *model.EndpointSlice {
	sl := &model.EndpointSlice{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default",
		Labels: map[string]string{"kubernetes.io/service-name": svc}}, AddressType: "IPv4",
		Ports: []model.EndpointPort{{Name: model.Ptr("http"), Protocol: model.Ptr(model.ProtocolTCP), Port: model.Ptr[int32](8080)}}}
	for _, e := range eps {
		sl.Endpoints = append(sl.Endpoints, model.Endpoint{Addresses: []string{e.ip}, NodeName: model.Ptr(e.node),
			Conditions: model.EndpointConditions{Ready: model.Ptr(e.ready), Serving: model.Ptr(e.ready), Terminating: model.Ptr(false)}})
	}
	return sl
}

var vip = netip.MustParseAddrPort("10.96.0.10:80")

func flow() Flow { return Flow{Src: netip.MustParseAddr("10.250.0.1"), Dst: vip.Addr()} }

// TestSyncTiming: a change waits for MinSyncPeriod since the last sync
// began, the sync takes its modeled time, and until it ends the node
// routes by the old rules.
func TestSyncTiming(t *testing.T) {
	k := sim.NewKernel(1)
	cost := CostModel{SyncBase: 100 * time.Millisecond, PerRule: time.Millisecond}
	p := NewProxier(k, Node{Name: "n1", Zone: "a"}, Config{Mode: ModeIPTables, Cost: cost})
	p.Start()
	p.OnService(testService("web", "10.96.0.10"), true)
	p.OnEndpointSlice(testSlice("web", "web-1", sep{"10.1.0.5", "n2", true}), true)
	k.Run(sim.Time(time.Millisecond))
	_, v, _ := p.Route(vip, flow(), false)
	assert.Equal(t, NoRules, v, "nothing programmed before the first sync ends")
	// First sync: base 100 ms + 3 rules for the port + 3 for the endpoint.
	k.Run(sim.Time(106 * time.Millisecond))
	c, v, _ := p.Route(vip, flow(), false)
	require.Equal(t, Forwarded, v)
	assert.Equal(t, "10.1.0.5:8080", c.Key)

	// The endpoint moves at 300 ms: the next sync may begin only at 1 s
	// (MinSyncPeriod after the first began at 0) and ends 106 ms later.
	k.Run(sim.Time(300 * time.Millisecond))
	p.OnEndpointSlice(testSlice("web", "web-1", sep{"10.1.0.6", "n3", true}), true)
	k.Run(sim.Time(1105 * time.Millisecond))
	c, _, _ = p.Route(vip, flow(), false)
	assert.Equal(t, "10.1.0.5:8080", c.Key, "stale until the sync ends")
	k.Run(sim.Time(1107 * time.Millisecond))
	c, _, _ = p.Route(vip, flow(), false)
	assert.Equal(t, "10.1.0.6:8080", c.Key)
	assert.Equal(t, 2, p.Syncs())
}

func TestRoutingVerdicts(t *testing.T) {
	local := func(s *model.Service) {
		s.Spec.Type = model.ServiceTypeNodePort
		s.Spec.ExternalTrafficPolicy = model.ServiceTrafficPolicyLocal
	}
	cases := []struct {
		name     string
		svc      *model.Service
		eps      []sep
		node     string
		external bool
		verdict  Verdict
		want     string
	}{
		{"cluster policy reaches any node's endpoint", testService("web", "10.96.0.10"), []sep{{"10.1.0.5", "n2", true}}, "n1", false, Forwarded, "10.1.0.5:8080"},
		{"no ready endpoint: rejected", testService("web", "10.96.0.10"), []sep{{"10.1.0.5", "n2", false}}, "n1", false, Rejected, ""},
		{"externalTrafficPolicy Local drops on a node without local endpoints", testService("web", "10.96.0.10", local),
			[]sep{{"10.1.0.5", "n2", true}}, "n1", true, Dropped, ""},
		{"externalTrafficPolicy Local serves from the node's own endpoint", testService("web", "10.96.0.10", local),
			[]sep{{"10.1.0.5", "n2", true}, {"10.1.0.9", "n1", true}}, "n1", true, Forwarded, "10.1.0.9:8080"},
		{"pods of the node still use Cluster endpoints", testService("web", "10.96.0.10", local),
			[]sep{{"10.1.0.5", "n2", true}}, "n1", false, Forwarded, "10.1.0.5:8080"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := sim.NewKernel(1)
			p := NewProxier(k, Node{Name: tc.node}, Config{Mode: ModeNFTables})
			p.Start()
			p.OnService(tc.svc, true)
			p.OnEndpointSlice(testSlice("web", "web-1", tc.eps...), true)
			k.Run(sim.Time(time.Second / 2))
			for range 20 {
				c, v, _ := p.Route(vip, flow(), tc.external)
				require.Equal(t, tc.verdict, v)
				assert.Equal(t, tc.want, c.Key)
			}
		})
	}
}

// TestIPTablesPacketCostGrowsWithPosition: the first packet walks
// KUBE-SERVICES linearly; nftables looks the service up in a map.
func TestIPTablesPacketCostGrowsWithPosition(t *testing.T) {
	for _, mode := range []Mode{ModeIPTables, ModeNFTables} {
		k := sim.NewKernel(1)
		p := NewProxier(k, Node{Name: "n1"}, Config{Mode: mode})
		p.Start()
		for i := range 1000 {
			name := fmt.Sprintf("svc-%04d", i)
			p.OnService(testService(name, fmt.Sprintf("10.96.%d.%d", i/250, i%250+1)), true)
			p.OnEndpointSlice(testSlice(name, name, sep{fmt.Sprintf("10.1.%d.%d", i/250, i%250+1), "n2", true}), true)
		}
		k.Run(sim.Time(10 * time.Second))
		_, v1, first := p.Route(netip.MustParseAddrPort("10.96.0.1:80"), flow(), false)
		_, v2, last := p.Route(netip.MustParseAddrPort("10.96.3.250:80"), flow(), false)
		require.Equal(t, Forwarded, v1)
		require.Equal(t, Forwarded, v2)
		c := DefaultCost(mode)
		if mode == ModeIPTables {
			assert.Equal(t, 999*c.PacketPerRule, last-first, "999 more KUBE-SERVICES rules to pass")
		} else {
			assert.Equal(t, first, last)
		}
	}
}

// TestSyncCostAtScale is the model's figure for a full sync of 10,000
// services with 100,000 endpoints: iptables rewrites 3 rules per port
// and 3 per endpoint at 30 µs each plus 20 ms: 9.92 s.
func TestSyncCostAtScale(t *testing.T) {
	k := sim.NewKernel(1)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	p := NewProxier(k, Node{Name: "n1"}, Config{Mode: ModeIPTables})
	loadScale(p, 10000, 10)
	p.Start()
	k.Run(sim.Time(time.Minute))
	ev := rec.Kinds("ProxyRulesSynced")
	require.NotEmpty(t, ev)
	assert.Equal(t, 20*time.Millisecond+330000*30*time.Microsecond, ev[0].Field("duration"))
}

func loadScale(p *Proxier, services, perService int) {
	for i := range services {
		name := fmt.Sprintf("svc-%05d", i)
		p.OnService(testService(name, fmt.Sprintf("10.%d.%d.%d", 96+i/65536, (i/256)%256, i%256)), true)
		eps := make([]sep, perService)
		for j := range eps {
			n := i*perService + j
			eps[j] = sep{fmt.Sprintf("10.%d.%d.%d", 128+n/65536, (n/256)%256, n%256), fmt.Sprintf("n%d", j), true}
		}
		p.OnEndpointSlice(testSlice(name, name, eps...), true)
	}
}

// BenchmarkProxierFullSync measures the wall time kubesim spends
// computing one full sync of 10,000 services and 100,000 endpoints.
func BenchmarkProxierFullSync(b *testing.B) {
	for range b.N {
		b.StopTimer()
		k := sim.NewKernel(1)
		p := NewProxier(k, Node{Name: "n1"}, Config{Mode: ModeIPTables})
		loadScale(p, 10000, 10)
		b.StartTimer()
		p.Start()
		k.Run(sim.Time(20 * time.Second))
	}
}
