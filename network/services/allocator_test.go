package services

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newAllocator(t testing.TB, cidrs []string, ports string, seed uint64) *Allocator {
	t.Helper()
	a, err := New(Config{ServiceCIDRs: cidrs, NodePortRange: ports}, sim.NewRand(seed, "apiserver/service-allocator"))
	require.NoError(t, err)
	return a
}

// service returns a defaulted Service of type typ with the given ports
// (named p0, p1, ...; TCP unless set).
func service(ns, name string, typ model.ServiceType, ports ...model.ServicePort) *model.Service {
	s := &model.Service{ObjectMeta: model.ObjectMeta{Namespace: ns, Name: name}}
	s.Spec.Type = typ
	s.Spec.Selector = map[string]string{"app": name}
	if len(ports) == 0 {
		ports = []model.ServicePort{{Port: 80}}
	}
	for i := range ports {
		if ports[i].Name == "" && len(ports) > 1 {
			ports[i].Name = fmt.Sprintf("p%d", i)
		}
	}
	s.Spec.Ports = ports
	model.SetDefaults(s)
	return s
}

// admit runs the apiserver's order: defaulting, model validation, Admit.
func admit(t testing.TB, a *Allocator, old, cur *model.Service) error {
	t.Helper()
	model.SetDefaults(cur)
	require.Empty(t, model.Validate(cur))
	return a.Admit(old, cur)
}

func usage(a *Allocator) (ips, ports uint64) {
	s := a.Snapshot()
	return s.ClusterIPs[0].Used, s.NodePorts.Used
}

func TestNewConfig(t *testing.T) {
	a := newAllocator(t, nil, "", 1)
	s := a.Snapshot()
	require.Len(t, s.ClusterIPs, 1)
	assert.Equal(t, RangeUsage{Range: "10.96.0.0/12", Size: 1<<20 - 2, StaticBand: 256, Used: 1, Free: 1<<20 - 3}, s.ClusterIPs[0])
	assert.Equal(t, RangeUsage{Range: "30000-32767", Size: 2768, StaticBand: 86, Used: 0, Free: 2768}, s.NodePorts)
	assert.Equal(t, netip.MustParseAddr("10.96.0.1"), a.KubernetesServiceIP())
	assert.Equal(t, DefaultConfig(), Config{ServiceCIDRs: []string{"10.96.0.0/12"}, NodePortRange: "30000-32767"})

	d := newAllocator(t, []string{"fd00:10:96::/108", "10.96.0.0/16"}, "", 1)
	require.Len(t, d.ClusterIPRanges(), 2)
	assert.Equal(t, IPv6, d.ClusterIPRanges()[0].Family())
	assert.Equal(t, netip.MustParseAddr("fd00:10:96::1"), d.KubernetesServiceIP())
	assert.Equal(t, uint64(0), d.Snapshot().ClusterIPs[1].Used) // only the primary range reserves

	bad := []Config{
		{ServiceCIDRs: []string{"10.96.0.0/12", "10.0.0.0/16"}},
		{ServiceCIDRs: []string{"10.96.0.0/12", "fd00::/108", "fd01::/108"}},
		{ServiceCIDRs: []string{"10.96.0.0/33"}},
		{ServiceCIDRs: []string{"10.96.0.0/31"}},
		{ServiceCIDRs: []string{"fd00::/48"}},
		{NodePortRange: "32767-30000"},
	}
	for _, c := range bad {
		_, err := New(c, sim.NewRand(1, "x"))
		assert.Error(t, err, "%+v", c)
	}
	_, err := New(Config{}, nil)
	assert.Error(t, err)
}

func TestClusterIPRequests(t *testing.T) {
	const notIn = "the provided IP (%s) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
	a := newAllocator(t, nil, "", 1)
	require.NoError(t, admit(t, a, nil, withIP(service("default", "dns", model.ServiceTypeClusterIP), "10.96.0.10")))
	tests := []struct {
		name, ip string
		want     string // "" = allocated as requested
		reason   model.StatusReason
	}{
		{"static band", "10.96.0.11", "", ""},
		{"dynamic band", "10.100.7.7", "", ""},
		{"last address", "10.111.255.254", "", ""},
		{"taken", "10.96.0.10",
			`spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated`, model.ReasonInvalid},
		{"outside", "10.0.0.1",
			`spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: ` + fmt.Sprintf(notIn, "10.0.0.1"), model.ReasonInvalid},
		{"network address", "10.96.0.0",
			`spec.clusterIPs: Invalid value: []string{"10.96.0.0"}: failed to allocate IP 10.96.0.0: ` + fmt.Sprintf(notIn, "10.96.0.0"), model.ReasonInvalid},
		{"broadcast address", "10.111.255.255",
			`spec.clusterIPs: Invalid value: []string{"10.111.255.255"}: failed to allocate IP 10.111.255.255: ` + fmt.Sprintf(notIn, "10.111.255.255"), model.ReasonInvalid},
		{"kubernetes address", "10.96.0.1",
			`spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated`, model.ReasonInvalid},
		{"unconfigured family", "fd00::10",
			`spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster`, model.ReasonInvalid},
		{"not an IP", "10.96.0.300",
			`spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`, model.ReasonInvalid},
	}
	for i, tc := range tests {
		s := withIP(service("default", fmt.Sprintf("s%d", i), model.ServiceTypeClusterIP), tc.ip)
		before, _ := usage(a)
		err := a.Admit(nil, s)
		after, _ := usage(a)
		if tc.want == "" {
			require.NoError(t, err, tc.name)
			assert.Equal(t, tc.ip, s.Spec.ClusterIP, tc.name)
			assert.Equal(t, []string{tc.ip}, s.Spec.ClusterIPs, tc.name)
			assert.Equal(t, before+1, after, tc.name)
			continue
		}
		require.Error(t, err, tc.name)
		assert.Equal(t, tc.reason, model.ReasonOf(err), tc.name)
		assert.Equal(t, fmt.Sprintf("Service \"default/s%d\": %s", i, tc.want), err.Error(), tc.name)
		assert.Equal(t, before, after, tc.name)
	}
}

func withIP(s *model.Service, ip string) *model.Service {
	s.Spec.ClusterIP = ip
	return s
}

func TestKubernetesServiceReservation(t *testing.T) {
	// 10.0.0.0/29: .1 is reserved, .2-.6 are the five dynamic addresses.
	a := newAllocator(t, []string{"10.0.0.0/29"}, "", 1)
	got := map[string]bool{}
	for i := range 5 {
		s := service("ns", fmt.Sprintf("s%d", i), model.ServiceTypeClusterIP)
		require.NoError(t, admit(t, a, nil, s))
		got[s.Spec.ClusterIP] = true
	}
	assert.Equal(t, map[string]bool{"10.0.0.2": true, "10.0.0.3": true, "10.0.0.4": true, "10.0.0.5": true, "10.0.0.6": true}, got)

	full := service("ns", "full", model.ServiceTypeClusterIP)
	err := admit(t, a, nil, full)
	assert.Equal(t, model.ReasonInternalError, model.ReasonOf(err))
	assert.EqualError(t, err, `Service "ns/full": Internal error occurred: failed to allocate a serviceIP: range is full`)

	// default/kubernetes still gets its address, asked or not.
	k := service("default", "kubernetes", model.ServiceTypeClusterIP)
	require.NoError(t, admit(t, a, nil, k))
	assert.Equal(t, "10.0.0.1", k.Spec.ClusterIP)
	a.Release(k)
	assert.Equal(t, uint64(0), a.Snapshot().ClusterIPs[0].Free) // reserved again, not free
	require.NoError(t, admit(t, a, nil, withIP(service("default", "kubernetes", model.ServiceTypeClusterIP), "10.0.0.1")))
	err = admit(t, a, nil, withIP(service("default", "kubernetes2", model.ServiceTypeClusterIP), "10.0.0.1"))
	assert.ErrorContains(t, err, "provided IP is already allocated")
}

func TestHeadlessAndExternalName(t *testing.T) {
	a := newAllocator(t, nil, "", 1)
	h := withIP(service("ns", "h", model.ServiceTypeClusterIP), model.ClusterIPNone)
	require.NoError(t, admit(t, a, nil, h))
	assert.Equal(t, []string{"None"}, h.Spec.ClusterIPs)
	e := service("ns", "e", model.ServiceTypeExternalName)
	e.Spec.ExternalName = "db.example.com"
	require.NoError(t, admit(t, a, nil, e))
	assert.Empty(t, e.Spec.ClusterIP)
	assert.Empty(t, e.Spec.ClusterIPs)
	ips, ports := usage(a)
	assert.Equal(t, uint64(1), ips) // only the reserved address
	assert.Equal(t, uint64(0), ports)
	a.Release(h)
	a.Release(e)
	ips, _ = usage(a)
	assert.Equal(t, uint64(1), ips)

	np := withIP(service("ns", "np", model.ServiceTypeNodePort), model.ClusterIPNone)
	assert.EqualError(t, admit(t, a, nil, np), `Service "ns/np": spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`)
}

func TestReleaseMakesReusable(t *testing.T) {
	a := newAllocator(t, nil, "", 1)
	s := withIP(service("ns", "a", model.ServiceTypeNodePort, model.ServicePort{Port: 80, NodePort: 30080}), "10.96.0.50")
	require.NoError(t, admit(t, a, nil, s))
	t2 := withIP(service("ns", "b", model.ServiceTypeNodePort, model.ServicePort{Port: 80, NodePort: 30080}), "10.96.0.50")
	assert.Error(t, admit(t, a, nil, t2))
	a.Release(s)
	ips, ports := usage(a)
	assert.Equal(t, uint64(1), ips)
	assert.Equal(t, uint64(0), ports)
	t3 := withIP(service("ns", "b", model.ServiceTypeNodePort, model.ServicePort{Port: 80, NodePort: 30080}), "10.96.0.50")
	require.NoError(t, admit(t, a, nil, t3))
	assert.Equal(t, int32(30080), t3.Spec.Ports[0].NodePort)
}

func TestNodePorts(t *testing.T) {
	a := newAllocator(t, nil, "", 1)
	s := service("ns", "web", model.ServiceTypeNodePort, model.ServicePort{Port: 80}, model.ServicePort{Port: 443})
	require.NoError(t, admit(t, a, nil, s))
	p0, p1 := s.Spec.Ports[0].NodePort, s.Spec.Ports[1].NodePort
	assert.NotEqual(t, p0, p1)
	for _, p := range []int32{p0, p1} {
		assert.True(t, p >= 30086 && p <= 32767, "dynamic node port %d outside the dynamic band", p)
	}

	tests := []struct {
		name  string
		ports []model.ServicePort
		want  string // "" = ok
	}{
		{"static band request", []model.ServicePort{{Port: 80, NodePort: 30080}}, ""},
		{"taken", []model.ServicePort{{Port: 80, NodePort: 30080}},
			"spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"},
		{"taken dynamic", []model.ServicePort{{Port: 80, NodePort: p1}},
			fmt.Sprintf("spec.ports[0].nodePort: Invalid value: %d: provided port is already allocated", p1)},
		{"outside", []model.ServicePort{{Port: 80, NodePort: 8080}},
			"spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"},
		{"same number, two protocols", []model.ServicePort{{Port: 53, NodePort: 30053}, {Port: 53, Protocol: model.ProtocolUDP, NodePort: 30053}}, ""},
		{"two numbers, two protocols", []model.ServicePort{{Port: 80, NodePort: 30081}, {Port: 81, Protocol: model.ProtocolUDP, NodePort: 30081}},
			"spec.ports[1].nodePort: Invalid value: 30081: provided port is already allocated"},
		{"same protocol twice", []model.ServicePort{{Port: 80, NodePort: 30082}, {Port: 81, NodePort: 30082}},
			"spec.ports[1].nodePort: Duplicate value: 30082"},
	}
	for i, tc := range tests {
		s := service("ns", fmt.Sprintf("t%d", i), model.ServiceTypeNodePort, tc.ports...)
		_, before := usage(a)
		err := admit(t, a, nil, s)
		_, after := usage(a)
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		assert.EqualError(t, err, fmt.Sprintf("Service \"ns/t%d\": %s", i, tc.want), tc.name)
		assert.Equal(t, before, after, "%s: a failed create must not keep ports", tc.name)
	}
}

func TestNodePortSharedByProtocols(t *testing.T) {
	// DNS over TCP and UDP on one port number: one node port for both.
	a := newAllocator(t, nil, "", 1)
	s := service("ns", "dns", model.ServiceTypeNodePort,
		model.ServicePort{Port: 53, Protocol: model.ProtocolUDP}, model.ServicePort{Port: 53, Protocol: model.ProtocolTCP})
	require.NoError(t, admit(t, a, nil, s))
	assert.Equal(t, s.Spec.Ports[0].NodePort, s.Spec.Ports[1].NodePort)
	_, ports := usage(a)
	assert.Equal(t, uint64(1), ports)
	a.Release(s)
	_, ports = usage(a)
	assert.Equal(t, uint64(0), ports)
}

func TestLoadBalancerHealthCheckNodePort(t *testing.T) {
	a := newAllocator(t, nil, "", 1)
	lb := service("ns", "lb", model.ServiceTypeLoadBalancer)
	lb.Spec.ExternalTrafficPolicy = model.ServiceTrafficPolicyLocal
	require.NoError(t, admit(t, a, nil, lb))
	np := lb.Spec.Ports[0].NodePort
	hc := a.HealthCheckNodePort("ns", "lb")
	assert.NotZero(t, np)
	assert.NotZero(t, hc)
	assert.NotEqual(t, np, hc)
	assert.True(t, a.NodePortRange().Has(hc))
	_, ports := usage(a)
	assert.Equal(t, uint64(2), ports)

	cluster := service("ns", "lb2", model.ServiceTypeLoadBalancer)
	require.NoError(t, admit(t, a, nil, cluster))
	assert.Equal(t, model.ServiceTrafficPolicyCluster, cluster.Spec.ExternalTrafficPolicy)
	assert.Zero(t, a.HealthCheckNodePort("ns", "lb2"))
	np2 := service("ns", "np", model.ServiceTypeNodePort)
	np2.Spec.ExternalTrafficPolicy = model.ServiceTrafficPolicyLocal
	require.NoError(t, admit(t, a, nil, np2))
	assert.Zero(t, a.HealthCheckNodePort("ns", "np")) // NodePort/Local needs none
	_, ports = usage(a)
	assert.Equal(t, uint64(4), ports)

	a.Release(lb)
	assert.Zero(t, a.HealthCheckNodePort("ns", "lb"))
	assert.False(t, a.NodePortRange().Has(hc))
	_, ports = usage(a)
	assert.Equal(t, uint64(2), ports)
}

func TestTypeChanges(t *testing.T) {
	a := newAllocator(t, nil, "", 1)
	// update resubmits a fresh manifest, as kubectl replace does: no
	// clusterIP, no nodePorts; the stored values must be kept.
	update := func(stored *model.Service, mutate func(s *model.Service)) *model.Service {
		t.Helper()
		cur := service("ns", "svc", stored.Spec.Type)
		mutate(cur)
		require.NoError(t, admit(t, a, stored, cur))
		return cur
	}
	s := service("ns", "svc", model.ServiceTypeClusterIP)
	require.NoError(t, admit(t, a, nil, s))
	ip := s.Spec.ClusterIP
	check := func(step string, wantIPs, wantPorts uint64) {
		t.Helper()
		ips, ports := usage(a)
		assert.Equal(t, wantIPs, ips, step)
		assert.Equal(t, wantPorts, ports, step)
	}
	check("ClusterIP", 2, 0)

	s = update(s, func(c *model.Service) { c.Spec.Type = model.ServiceTypeNodePort })
	assert.Equal(t, ip, s.Spec.ClusterIP, "the cluster IP survives a type change")
	np := s.Spec.Ports[0].NodePort
	assert.NotZero(t, np)
	check("ClusterIP -> NodePort", 2, 1)

	s = update(s, func(c *model.Service) {
		c.Spec.Type = model.ServiceTypeLoadBalancer
		c.Spec.ExternalTrafficPolicy = model.ServiceTrafficPolicyLocal
	})
	assert.Equal(t, np, s.Spec.Ports[0].NodePort, "the node port survives NodePort -> LoadBalancer")
	hc := a.HealthCheckNodePort("ns", "svc")
	assert.NotZero(t, hc)
	check("NodePort -> LoadBalancer/Local", 2, 2)

	s = update(s, func(c *model.Service) {
		c.Spec.Type = model.ServiceTypeLoadBalancer
		c.Spec.ExternalTrafficPolicy = model.ServiceTrafficPolicyLocal
	})
	assert.Equal(t, hc, a.HealthCheckNodePort("ns", "svc"), "unchanged update keeps the health check port")
	check("LoadBalancer/Local again", 2, 2)

	s = update(s, func(c *model.Service) { c.Spec.Type = model.ServiceTypeLoadBalancer })
	assert.Zero(t, a.HealthCheckNodePort("ns", "svc"))
	assert.False(t, a.NodePortRange().Has(hc))
	check("Local -> Cluster", 2, 1)

	// To ClusterIP, resubmitting the stored object with only the type
	// changed: node ports and externalTrafficPolicy are wiped.
	cur := model.DeepCopy(s)
	cur.Spec.Type = model.ServiceTypeClusterIP
	require.NoError(t, admit(t, a, s, cur))
	assert.Zero(t, cur.Spec.Ports[0].NodePort)
	assert.Empty(t, cur.Spec.ExternalTrafficPolicy)
	assert.False(t, a.NodePortRange().Has(np))
	assert.Equal(t, ip, cur.Spec.ClusterIP)
	s = cur
	check("LoadBalancer -> ClusterIP", 2, 0)

	cur = model.DeepCopy(s)
	cur.Spec.Type = model.ServiceTypeExternalName
	cur.Spec.ExternalName = "example.com"
	require.NoError(t, admit(t, a, s, cur))
	assert.Empty(t, cur.Spec.ClusterIP)
	assert.Empty(t, cur.Spec.ClusterIPs)
	assert.False(t, a.ClusterIPRanges()[0].Has(netip.MustParseAddr(ip)))
	s = cur
	check("ClusterIP -> ExternalName", 1, 0)

	cur = model.DeepCopy(s)
	cur.Spec.Type = model.ServiceTypeClusterIP
	cur.Spec.ExternalName = ""
	require.NoError(t, admit(t, a, s, cur))
	assert.NotEmpty(t, cur.Spec.ClusterIP)
	assert.Equal(t, []string{cur.Spec.ClusterIP}, cur.Spec.ClusterIPs)
	check("ExternalName -> ClusterIP", 2, 0)

	a.Release(cur)
	check("deleted", 1, 0)
}

func TestUpdateRules(t *testing.T) {
	a := newAllocator(t, nil, "", 1)
	s := service("ns", "svc", model.ServiceTypeNodePort, model.ServicePort{Port: 80}, model.ServicePort{Port: 443})
	require.NoError(t, admit(t, a, nil, s))
	ips, ports := usage(a)

	// Resubmitting the original manifest changes nothing.
	again := service("ns", "svc", model.ServiceTypeNodePort, model.ServicePort{Port: 80}, model.ServicePort{Port: 443})
	require.NoError(t, admit(t, a, s, again))
	assert.Equal(t, s.Spec, again.Spec)
	ips2, ports2 := usage(a)
	assert.Equal(t, []uint64{ips, ports}, []uint64{ips2, ports2})

	// The cluster IP is immutable.
	moved := withIP(model.DeepCopy(s), "10.96.0.99")
	moved.Spec.ClusterIPs = nil
	err := admit(t, a, s, moved)
	assert.EqualError(t, err, `Service "ns/svc": spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set`)

	// Moving one node port: the new one is taken, the old one freed.
	mv := model.DeepCopy(s)
	mv.Spec.Ports[1].NodePort = 30001
	require.NoError(t, admit(t, a, s, mv))
	assert.True(t, a.NodePortRange().Has(30001))
	assert.False(t, a.NodePortRange().Has(s.Spec.Ports[1].NodePort))
	s = mv

	// Swapping node ports between ports allocates nothing.
	sw := model.DeepCopy(s)
	sw.Spec.Ports[0].NodePort, sw.Spec.Ports[1].NodePort = s.Spec.Ports[1].NodePort, s.Spec.Ports[0].NodePort
	require.NoError(t, admit(t, a, s, sw))
	_, ports3 := usage(a)
	assert.Equal(t, ports, ports3)
	s = sw

	// Going to ClusterIP while also naming a new node port is refused.
	bad := model.DeepCopy(s)
	bad.Spec.Type = model.ServiceTypeClusterIP
	bad.Spec.ExternalTrafficPolicy = ""
	bad.Spec.Ports[0].NodePort = 30002
	err = admit(t, a, s, bad)
	assert.ErrorContains(t, err, "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'")
	assert.False(t, a.NodePortRange().Has(30002))

	// A failing update leaves everything as it was: the second new node
	// port is taken, so the first must not stay allocated.
	other := service("ns", "other", model.ServiceTypeNodePort, model.ServicePort{Port: 80, NodePort: 30003})
	require.NoError(t, admit(t, a, nil, other))
	ips, ports = usage(a)
	fail := model.DeepCopy(s)
	fail.Spec.Ports[0].NodePort = 30004
	fail.Spec.Ports[1].NodePort = 30003
	err = admit(t, a, s, fail)
	assert.ErrorContains(t, err, "spec.ports[1].nodePort: Invalid value: 30003: provided port is already allocated")
	assert.False(t, a.NodePortRange().Has(30004))
	assert.True(t, a.NodePortRange().Has(s.Spec.Ports[0].NodePort), "old node ports stay until an update succeeds")
	ips2, ports2 = usage(a)
	assert.Equal(t, []uint64{ips, ports}, []uint64{ips2, ports2})
}

func TestNodePortRangeFull(t *testing.T) {
	a := newAllocator(t, []string{"10.0.0.0/24"}, "30000-30002", 1)
	s := service("ns", "a", model.ServiceTypeNodePort, model.ServicePort{Port: 1}, model.ServicePort{Port: 2})
	require.NoError(t, admit(t, a, nil, s))
	ips, _ := usage(a)

	lb := service("ns", "lb", model.ServiceTypeLoadBalancer)
	lb.Spec.ExternalTrafficPolicy = model.ServiceTrafficPolicyLocal
	err := admit(t, a, nil, lb)
	assert.Equal(t, model.ReasonInternalError, model.ReasonOf(err))
	assert.EqualError(t, err, `Service "ns/lb": Internal error occurred: failed to allocate a HealthCheck NodePort 0: range is full`)
	ips2, ports := usage(a)
	assert.Equal(t, ips, ips2, "the cluster IP of the failed create is released")
	assert.Equal(t, uint64(2), ports, "so is its node port")

	b := service("ns", "b", model.ServiceTypeNodePort, model.ServicePort{Port: 1}, model.ServicePort{Port: 2})
	err = admit(t, a, nil, b)
	assert.EqualError(t, err, `Service "ns/b": Internal error occurred: failed to allocate a nodePort: range is full`)
	_, ports = usage(a)
	assert.Equal(t, uint64(2), ports)
}

func TestDualStackCluster(t *testing.T) {
	a := newAllocator(t, []string{"10.96.0.0/16", "fd00:10:96::/108"}, "", 1)
	v6 := withIP(service("ns", "v6", model.ServiceTypeClusterIP), "fd00:10:96::53")
	require.NoError(t, admit(t, a, nil, v6))
	assert.True(t, a.ClusterIPRanges()[1].Has(netip.MustParseAddr("fd00:10:96::53")))
	dyn := service("ns", "dyn", model.ServiceTypeClusterIP)
	require.NoError(t, admit(t, a, nil, dyn))
	assert.True(t, netip.MustParseAddr(dyn.Spec.ClusterIP).Is4(), "dynamic allocation uses the primary family")

	both := withIP(service("ns", "both", model.ServiceTypeClusterIP), "10.96.0.20")
	both.Spec.ClusterIPs = []string{"10.96.0.20", "fd00:10:96::20"}
	assert.EqualError(t, admit(t, a, nil, both),
		`Service "ns/both": spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified`)
	a.Release(v6)
	assert.Equal(t, uint64(0), a.Snapshot().ClusterIPs[1].Used)
}

func TestAllocatorDeterminism(t *testing.T) {
	run := func(seed uint64) []string {
		a := newAllocator(t, nil, "", seed)
		var out []string
		for i := range 60 {
			typ := []model.ServiceType{model.ServiceTypeClusterIP, model.ServiceTypeNodePort, model.ServiceTypeLoadBalancer}[i%3]
			s := service("ns", fmt.Sprintf("s%d", i), typ, model.ServicePort{Port: 80}, model.ServicePort{Port: 443})
			if typ == model.ServiceTypeLoadBalancer {
				s.Spec.ExternalTrafficPolicy = model.ServiceTrafficPolicyLocal
			}
			require.NoError(t, admit(t, a, nil, s))
			out = append(out, fmt.Sprint(s.Spec.ClusterIP, s.Spec.Ports[0].NodePort, s.Spec.Ports[1].NodePort, a.HealthCheckNodePort("ns", s.Name)))
			if i%4 == 3 {
				a.Release(s)
			}
		}
		return out
	}
	first := run(7)
	assert.Equal(t, first, run(7))
	assert.NotEqual(t, first, run(8))
}
