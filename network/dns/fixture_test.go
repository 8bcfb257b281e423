package dns

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

// The test cluster: namespace shop holds
//
//	web     ClusterIP 10.96.0.20, ports http/80, metrics/9090; endpoints
//	        10.1.0.1, 10.1.0.2 ready, 10.1.0.3 not ready
//	db      headless StatefulSet: db-0 10.1.1.1, db-1 10.1.1.2 ready,
//	        db-2 10.1.1.3 not ready; port postgres/5432
//	pub     headless with publishNotReadyAddresses: 10.1.2.1 ready,
//	        10.1.2.2 not ready
//	ext     ExternalName api.example.com
//	empty   headless, no ready endpoint
//	dual    dual-stack ClusterIP 10.96.0.30, fd00::30, unnamed port 80
//
// kube-system holds kube-dns 10.96.0.10. Outside: example.com,
// api.example.com and x.y.z.w.example.com.

func ptr[T any](v T) *T { return &v }

func endpoint(addr string, ready bool, hostname string) model.Endpoint {
	e := model.Endpoint{Addresses: []string{addr}, Conditions: model.EndpointConditions{Ready: ptr(ready)}}
	if hostname != "" {
		e.Hostname = ptr(hostname)
	}
	return e
}

func slice(ns, name, svc string, ports []model.EndpointPort, eps ...model.Endpoint) *model.EndpointSlice {
	s := &model.EndpointSlice{AddressType: "IPv4", Endpoints: eps, Ports: ports}
	s.Namespace, s.Name = ns, name
	s.Labels = map[string]string{LabelServiceName: svc}
	return s
}

func port(name string, p int32) model.EndpointPort {
	return model.EndpointPort{Name: ptr(name), Protocol: ptr(model.ProtocolTCP), Port: ptr(p)}
}

func clusterIPService(ns, name string, ips []string, ports ...ServicePort) Service {
	return Service{Namespace: ns, Name: name, Type: model.ServiceTypeClusterIP, ClusterIPs: ips, Ports: ports}
}

func testZone(t testing.TB, cfg ZoneConfig) *Zone {
	t.Helper()
	z, err := NewZone(cfg)
	require.NoError(t, err)
	z.UpsertService(clusterIPService("shop", "web", []string{"10.96.0.20"},
		ServicePort{Name: "http", Protocol: model.ProtocolTCP, Port: 80},
		ServicePort{Name: "metrics", Protocol: model.ProtocolTCP, Port: 9090}))
	z.UpsertEndpointSlice(slice("shop", "web-abc", "web", []model.EndpointPort{port("http", 8080)},
		endpoint("10.1.0.2", true, ""), endpoint("10.1.0.1", true, ""), endpoint("10.1.0.3", false, "")))

	z.UpsertService(Service{Namespace: "shop", Name: "db", ClusterIPs: []string{"None"},
		Ports: []ServicePort{{Name: "postgres", Protocol: model.ProtocolTCP, Port: 5432}}})
	z.UpsertEndpointSlice(slice("shop", "db-xyz", "db", []model.EndpointPort{port("postgres", 5432)},
		endpoint("10.1.1.1", true, "db-0"), endpoint("10.1.1.2", true, "db-1"), endpoint("10.1.1.3", false, "db-2")))

	z.UpsertService(Service{Namespace: "shop", Name: "pub", ClusterIPs: []string{"None"}, PublishNotReadyAddresses: true})
	z.UpsertEndpointSlice(slice("shop", "pub-1", "pub", nil, endpoint("10.1.2.1", true, ""), endpoint("10.1.2.2", false, "")))

	z.UpsertService(Service{Namespace: "shop", Name: "ext", Type: model.ServiceTypeExternalName, ExternalName: "api.example.com"})

	z.UpsertService(Service{Namespace: "shop", Name: "empty", ClusterIPs: []string{"None"}})
	z.UpsertEndpointSlice(slice("shop", "empty-1", "empty", nil, endpoint("10.1.3.1", false, "")))

	z.UpsertService(clusterIPService("shop", "dual", []string{"10.96.0.30", "fd00::30"}, ServicePort{Protocol: model.ProtocolTCP, Port: 80}))

	z.UpsertService(clusterIPService("kube-system", "kube-dns", []string{"10.96.0.10"},
		ServicePort{Name: "dns", Protocol: model.ProtocolUDP, Port: 53},
		ServicePort{Name: "dns-tcp", Protocol: model.ProtocolTCP, Port: 53}))
	return z
}

func testWorld(t testing.TB) *StaticZone {
	t.Helper()
	w := NewStaticZone(900)
	for _, rr := range []RR{
		{Name: "example.com", Type: TypeA, TTL: 300, Addr: netip.MustParseAddr("93.184.216.34")},
		{Name: "api.example.com", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("203.0.113.7")},
		{Name: "x.y.z.w.example.com", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("203.0.113.8")},
	} {
		require.NoError(t, w.Add(rr))
	}
	return w
}

// rrs renders records one per entry, without the owner's TTL column noise.
func rrs(rs []RR) []string {
	var out []string
	for _, r := range rs {
		out = append(out, strings.ReplaceAll(r.String(), "\t", " "))
	}
	return out
}
