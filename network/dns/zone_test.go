package dns

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func TestZoneLookup(t *testing.T) {
	z := testZone(t, ZoneConfig{})
	tests := []struct {
		name  string
		qtype Type
		rcode Rcode
		want  []string // answer records (CNAMEs first)
		extra []string
	}{
		// ClusterIP: the cluster IP, never the endpoints.
		{"web.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{"web.shop.svc.cluster.local. 5 IN A 10.96.0.20"}, nil},
		{"WEB.Shop.svc.cluster.local", TypeA, RcodeSuccess, []string{"web.shop.svc.cluster.local. 5 IN A 10.96.0.20"}, nil},
		// NODATA: the name exists, not with this type.
		{"web.shop.svc.cluster.local.", TypeAAAA, RcodeSuccess, nil, nil},
		{"web.shop.svc.cluster.local.", TypeCNAME, RcodeSuccess, nil, nil},
		// SRV for every port at the service name, weight 100/2.
		{"web.shop.svc.cluster.local.", TypeSRV, RcodeSuccess, []string{
			"web.shop.svc.cluster.local. 5 IN SRV 0 50 80 web.shop.svc.cluster.local.",
			"web.shop.svc.cluster.local. 5 IN SRV 0 50 9090 web.shop.svc.cluster.local.",
		}, []string{"web.shop.svc.cluster.local. 5 IN A 10.96.0.20"}},
		// SRV for a named port: the service port, the service as target.
		{"_http._tcp.web.shop.svc.cluster.local.", TypeSRV, RcodeSuccess, []string{
			"_http._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.",
		}, []string{"web.shop.svc.cluster.local. 5 IN A 10.96.0.20"}},
		{"_http._tcp.web.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{"_http._tcp.web.shop.svc.cluster.local. 5 IN A 10.96.0.20"}, nil},
		// Labels without underscores are port and protocol too (CoreDNS).
		{"http.tcp.web.shop.svc.cluster.local.", TypeSRV, RcodeSuccess, []string{
			"http.tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.",
		}, []string{"web.shop.svc.cluster.local. 5 IN A 10.96.0.20"}},
		{"_http._udp.web.shop.svc.cluster.local.", TypeSRV, RcodeNXDomain, nil, nil},
		{"_grpc._tcp.web.shop.svc.cluster.local.", TypeSRV, RcodeNXDomain, nil, nil},
		{"_dns._udp.kube-dns.kube-system.svc.cluster.local.", TypeSRV, RcodeSuccess, []string{
			"_dns._udp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.",
		}, []string{"kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10"}},
		// Endpoint names also exist under a ClusterIP Service (ready only).
		{"10-1-0-1.web.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{"10-1-0-1.web.shop.svc.cluster.local. 5 IN A 10.1.0.1"}, nil},
		{"10-1-0-3.web.shop.svc.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		// Headless: the ready endpoints; db-2 is not ready.
		{"db.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{
			"db.shop.svc.cluster.local. 5 IN A 10.1.1.1",
			"db.shop.svc.cluster.local. 5 IN A 10.1.1.2",
		}, nil},
		// Headless SRV: the endpoint port, per-endpoint hostname targets.
		{"_postgres._tcp.db.shop.svc.cluster.local.", TypeSRV, RcodeSuccess, []string{
			"_postgres._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 50 5432 db-0.db.shop.svc.cluster.local.",
			"_postgres._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 50 5432 db-1.db.shop.svc.cluster.local.",
		}, []string{
			"db-0.db.shop.svc.cluster.local. 5 IN A 10.1.1.1",
			"db-1.db.shop.svc.cluster.local. 5 IN A 10.1.1.2",
		}},
		// StatefulSet pod hostnames.
		{"db-0.db.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{"db-0.db.shop.svc.cluster.local. 5 IN A 10.1.1.1"}, nil},
		{"db-1.db.shop.svc.cluster.local.", TypeSRV, RcodeSuccess, []string{
			"db-1.db.shop.svc.cluster.local. 5 IN SRV 0 100 5432 db-1.db.shop.svc.cluster.local.",
		}, []string{"db-1.db.shop.svc.cluster.local. 5 IN A 10.1.1.2"}},
		{"db-2.db.shop.svc.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		// With a hostname, the dashed address is not a name.
		{"10-1-1-1.db.shop.svc.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		// publishNotReadyAddresses: not-ready endpoints too.
		{"pub.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{
			"pub.shop.svc.cluster.local. 5 IN A 10.1.2.1",
			"pub.shop.svc.cluster.local. 5 IN A 10.1.2.2",
		}, nil},
		{"10-1-2-2.pub.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{"10-1-2-2.pub.shop.svc.cluster.local. 5 IN A 10.1.2.2"}, nil},
		// A slice without ports gives no SRV.
		{"pub.shop.svc.cluster.local.", TypeSRV, RcodeSuccess, nil, nil},
		// A headless Service without ready endpoints does not exist.
		{"empty.shop.svc.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		// ExternalName: the CNAME alone (the Server follows it).
		{"ext.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{"ext.shop.svc.cluster.local. 5 IN CNAME api.example.com."}, nil},
		{"ext.shop.svc.cluster.local.", TypeCNAME, RcodeSuccess, []string{"ext.shop.svc.cluster.local. 5 IN CNAME api.example.com."}, nil},
		{"ext.shop.svc.cluster.local.", TypeSRV, RcodeSuccess, []string{"ext.shop.svc.cluster.local. 5 IN SRV 0 100 0 api.example.com."}, nil},
		{"_http._tcp.ext.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{"_http._tcp.ext.shop.svc.cluster.local. 5 IN CNAME api.example.com."}, nil},
		{"x.ext.shop.svc.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		// Dual stack.
		{"dual.shop.svc.cluster.local.", TypeA, RcodeSuccess, []string{"dual.shop.svc.cluster.local. 5 IN A 10.96.0.30"}, nil},
		{"dual.shop.svc.cluster.local.", TypeAAAA, RcodeSuccess, []string{"dual.shop.svc.cluster.local. 5 IN AAAA fd00::30"}, nil},
		// Structure: apex and namespace are NODATA, the rest NXDOMAIN.
		{"cluster.local.", TypeA, RcodeSuccess, nil, nil},
		{"svc.cluster.local.", TypeA, RcodeSuccess, nil, nil},
		{"shop.svc.cluster.local.", TypeA, RcodeSuccess, nil, nil},
		{"nosuchns.svc.cluster.local.", TypeA, RcodeSuccess, nil, nil},
		{"nosuch.shop.svc.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		{"web.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		{"a.b.web.shop.svc.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		{"a.b.c.web.shop.svc.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		// Pods are disabled by default.
		{"10-1-0-9.shop.pod.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		{"shop.pod.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		// Outside the zone.
		{"example.com.", TypeA, RcodeRefused, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.qtype.String(), func(t *testing.T) {
			a := z.Lookup(tc.name, tc.qtype)
			assert.Equal(t, tc.rcode, a.Rcode)
			assert.Equal(t, tc.want, rrs(append(append([]RR(nil), a.CNAMEs...), a.Records...)))
			assert.Equal(t, tc.extra, rrs(a.Extra))
			assert.Equal(t, SourceZone, a.From)
			if tc.rcode != RcodeRefused {
				assert.Equal(t, uint32(5), a.NegativeTTL)
			}
		})
	}
}

func TestZonePods(t *testing.T) {
	for _, tc := range []struct {
		mode       PodMode
		withPod    bool
		qname      string
		qtype      Type
		rcode      Rcode
		want       []string
		wantExtras []string
	}{
		{PodsInsecure, false, "10-1-0-9.shop.pod.cluster.local.", TypeA, RcodeSuccess, []string{"10-1-0-9.shop.pod.cluster.local. 5 IN A 10.1.0.9"}, nil},
		{PodsInsecure, false, "10-1-0-9.shop.pod.cluster.local.", TypeAAAA, RcodeSuccess, nil, nil},
		{PodsInsecure, false, "fd00--9.shop.pod.cluster.local.", TypeAAAA, RcodeSuccess, []string{"fd00--9.shop.pod.cluster.local. 5 IN AAAA fd00::9"}, nil},
		{PodsInsecure, false, "10-1-0-9.shop.pod.cluster.local.", TypeSRV, RcodeSuccess,
			[]string{"10-1-0-9.shop.pod.cluster.local. 5 IN SRV 0 100 0 10-1-0-9.shop.pod.cluster.local."},
			[]string{"10-1-0-9.shop.pod.cluster.local. 5 IN A 10.1.0.9"}},
		{PodsInsecure, false, "not-an-ip.shop.pod.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		{PodsInsecure, false, "shop.pod.cluster.local.", TypeA, RcodeSuccess, nil, nil},
		{PodsVerified, false, "10-1-0-9.shop.pod.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
		{PodsVerified, true, "10-1-0-9.shop.pod.cluster.local.", TypeA, RcodeSuccess, []string{"10-1-0-9.shop.pod.cluster.local. 5 IN A 10.1.0.9"}, nil},
		{PodsVerified, true, "10-1-0-9.other.pod.cluster.local.", TypeA, RcodeNXDomain, nil, nil},
	} {
		t.Run(string(tc.mode)+"/"+tc.qname+"/"+tc.qtype.String(), func(t *testing.T) {
			z := testZone(t, ZoneConfig{Pods: tc.mode})
			if tc.withPod {
				p := &model.Pod{}
				p.Namespace, p.Name, p.Status.PodIP = "shop", "web-1", "10.1.0.9"
				z.UpsertPod(p)
			}
			a := z.Lookup(tc.qname, tc.qtype)
			assert.Equal(t, tc.rcode, a.Rcode)
			assert.Equal(t, tc.want, rrs(a.Records))
			assert.Equal(t, tc.wantExtras, rrs(a.Extra))
		})
	}
	z := testZone(t, ZoneConfig{Pods: PodsVerified})
	p := &model.Pod{}
	p.Namespace, p.Name, p.Status.PodIP = "shop", "web-1", "10.1.0.9"
	z.UpsertPod(p)
	z.DeletePod("shop", "web-1")
	assert.Equal(t, RcodeNXDomain, z.Lookup("10-1-0-9.shop.pod.cluster.local.", TypeA).Rcode)
}

func TestZoneIncremental(t *testing.T) {
	z := testZone(t, ZoneConfig{})
	before := z.Lookup("db.shop.svc.cluster.local.", TypeA)

	// db-2 becomes ready: it joins the Service's answer and gets its name.
	z.UpsertEndpointSlice(slice("shop", "db-xyz", "db", []model.EndpointPort{port("postgres", 5432)},
		endpoint("10.1.1.1", true, "db-0"), endpoint("10.1.1.2", true, "db-1"), endpoint("10.1.1.3", true, "db-2")))
	assert.Len(t, z.Lookup("db.shop.svc.cluster.local.", TypeA).Records, 3)
	assert.Equal(t, RcodeSuccess, z.Lookup("db-2.db.shop.svc.cluster.local.", TypeA).Rcode)
	// An answer handed out earlier is unchanged.
	assert.Equal(t, []string{"db.shop.svc.cluster.local. 5 IN A 10.1.1.1", "db.shop.svc.cluster.local. 5 IN A 10.1.1.2"}, rrs(before.Records))

	// A second slice adds endpoints; deleting the first removes its names.
	z.UpsertEndpointSlice(slice("shop", "db-2nd", "db", []model.EndpointPort{port("postgres", 5432)}, endpoint("10.1.1.4", true, "db-3")))
	assert.Len(t, z.Lookup("db.shop.svc.cluster.local.", TypeA).Records, 4)
	z.DeleteEndpointSlice("shop", "db-xyz")
	assert.Equal(t, []string{"db.shop.svc.cluster.local. 5 IN A 10.1.1.4"}, rrs(z.Lookup("db.shop.svc.cluster.local.", TypeA).Records))
	assert.Equal(t, RcodeNXDomain, z.Lookup("db-0.db.shop.svc.cluster.local.", TypeA).Rcode)

	// Deleting the Service removes every name; its slice alone makes none.
	z.DeleteService("shop", "db")
	assert.Equal(t, RcodeNXDomain, z.Lookup("db.shop.svc.cluster.local.", TypeA).Rcode)
	assert.Equal(t, RcodeNXDomain, z.Lookup("db-3.db.shop.svc.cluster.local.", TypeA).Rcode)
	assert.Equal(t, RcodeNXDomain, z.Lookup("_postgres._tcp.db.shop.svc.cluster.local.", TypeSRV).Rcode)

	// The Service comes back: the kept slice is used again.
	z.UpsertService(Service{Namespace: "shop", Name: "db", ClusterIPs: []string{"None"}})
	assert.Equal(t, RcodeSuccess, z.Lookup("db-3.db.shop.svc.cluster.local.", TypeA).Rcode)

	// A slice moving to another Service leaves the first one.
	z.UpsertEndpointSlice(slice("shop", "db-2nd", "pub", nil, endpoint("10.1.1.4", true, "db-3")))
	assert.Equal(t, RcodeNXDomain, z.Lookup("db.shop.svc.cluster.local.", TypeA).Rcode)
	assert.Len(t, z.Lookup("pub.shop.svc.cluster.local.", TypeA).Records, 3)

	// ClusterIP → ExternalName replaces the names.
	z.UpsertService(Service{Namespace: "shop", Name: "web", Type: model.ServiceTypeExternalName, ExternalName: "web.example.com."})
	a := z.Lookup("web.shop.svc.cluster.local.", TypeA)
	assert.Equal(t, []string{"web.shop.svc.cluster.local. 5 IN CNAME web.example.com."}, rrs(a.CNAMEs))
	// Port labels mean nothing to an ExternalName Service.
	assert.Equal(t, []string{"_http._tcp.web.shop.svc.cluster.local. 5 IN CNAME web.example.com."},
		rrs(z.Lookup("_http._tcp.web.shop.svc.cluster.local.", TypeA).CNAMEs))
	assert.Equal(t, RcodeNXDomain, z.Lookup("10-1-0-1.web.shop.svc.cluster.local.", TypeA).Rcode)

	// A ClusterIP Service whose IP is not allocated yet exists without
	// addresses: NODATA.
	z.UpsertService(clusterIPService("shop", "pending", nil, ServicePort{Name: "http", Port: 80}))
	a = z.Lookup("pending.shop.svc.cluster.local.", TypeA)
	assert.True(t, a.NoData())

	// An ExternalName that is an IP publishes nothing (CoreDNS serves only
	// hostname targets).
	z.UpsertService(Service{Namespace: "shop", Name: "web", Type: model.ServiceTypeExternalName, ExternalName: "192.0.2.1"})
	assert.Equal(t, RcodeNXDomain, z.Lookup("web.shop.svc.cluster.local.", TypeA).Rcode)
}

func TestZoneConfig(t *testing.T) {
	z, err := NewZone(ZoneConfig{})
	require.NoError(t, err)
	cfg := z.Config()
	assert.Equal(t, "cluster.local", cfg.Domain)
	assert.Equal(t, uint32(5), *cfg.TTLSeconds)
	assert.Equal(t, PodsDisabled, cfg.Pods)
	assert.Equal(t, "cluster.local.", z.Origin())

	addon := AddonZoneConfig()
	za, err := NewZone(addon)
	require.NoError(t, err)
	za.UpsertService(clusterIPService("a", "b", []string{"10.0.0.1"}, ServicePort{Port: 1}))
	a := za.Lookup("b.a.svc.cluster.local.", TypeA)
	assert.Equal(t, uint32(30), a.Records[0].TTL)
	assert.Equal(t, uint32(30), za.Lookup("x.a.svc.cluster.local.", TypeA).NegativeTTL)

	// The SOA's own TTL is capped at 300, so is the negative TTL.
	zl, err := NewZone(ZoneConfig{TTLSeconds: ptr(uint32(3600))})
	require.NoError(t, err)
	assert.Equal(t, uint32(300), zl.Lookup("x.a.svc.cluster.local.", TypeA).NegativeTTL)

	for _, bad := range []ZoneConfig{
		{TTLSeconds: ptr(uint32(3601))},
		{Pods: "sometimes"},
		{Domain: "bad..domain"},
	} {
		_, err := NewZone(bad)
		assert.Error(t, err)
	}
	zc, err := NewZone(ZoneConfig{Domain: "corp.example", Pods: PodsInsecure})
	require.NoError(t, err)
	zc.UpsertService(clusterIPService("a", "b", []string{"10.0.0.1"}, ServicePort{Port: 1}))
	assert.Equal(t, RcodeSuccess, zc.Lookup("b.a.svc.corp.example.", TypeA).Rcode)
	assert.False(t, zc.Contains("b.a.svc.cluster.local."))
}

func TestServiceFromModel(t *testing.T) {
	m := &model.Service{Spec: model.ServiceSpec{
		Type: model.ServiceTypeClusterIP, ClusterIP: "10.96.0.5",
		Ports: []model.ServicePort{{Name: "http", Port: 80, Protocol: model.ProtocolTCP}},
	}}
	m.Namespace, m.Name = "ns", "svc"
	s := ServiceFromModel(m)
	assert.Equal(t, []string{"10.96.0.5"}, s.ClusterIPs)
	assert.Equal(t, []ServicePort{{Name: "http", Protocol: model.ProtocolTCP, Port: 80}}, s.Ports)
	m.Spec.ClusterIP, m.Spec.ClusterIPs = "None", []string{"None"}
	s = ServiceFromModel(m)
	assert.True(t, s.Headless())
}

func TestZoneLookupAllocs(t *testing.T) {
	z := testZone(t, ZoneConfig{})
	for _, q := range []struct {
		name  string
		qtype Type
	}{
		{"web.shop.svc.cluster.local.", TypeA},
		{"_postgres._tcp.db.shop.svc.cluster.local.", TypeSRV},
		{"web.default.svc.cluster.local.", TypeA}, // NXDOMAIN
		{"web.svc.cluster.local.", TypeA},         // NODATA
	} {
		allocs := testing.AllocsPerRun(100, func() { _ = z.Lookup(q.name, q.qtype) })
		assert.Zero(t, allocs, q.name)
	}
}
