package dns

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

const (
	benchNamespaces = 100
	benchPerNS      = 100 // 10,000 Services
)

// bigZone holds 10,000 ClusterIP Services (svc-<i> in ns-<j>, port http/80),
// each with a slice of three ready endpoints: 50,000 names. order permutes
// the insertion order.
func bigZone(tb testing.TB, order func(i int) int) *Zone {
	tb.Helper()
	z, err := NewZone(ZoneConfig{})
	require.NoError(tb, err)
	n := benchNamespaces * benchPerNS
	for k := range n {
		i := order(k)
		ns, name := "ns-"+strconv.Itoa(i/benchPerNS), "svc-"+strconv.Itoa(i%benchPerNS)
		ip := fmt.Sprintf("10.96.%d.%d", i/250, i%250+1)
		z.UpsertService(clusterIPService(ns, name, []string{ip}, ServicePort{Name: "http", Protocol: model.ProtocolTCP, Port: 80}))
		var eps []model.Endpoint
		for e := range 3 {
			eps = append(eps, endpoint(fmt.Sprintf("10.%d.%d.%d", 100+e, i/250, i%250+1), true, ""))
		}
		z.UpsertEndpointSlice(slice(ns, name+"-x", name, []model.EndpointPort{port("http", 8080)}, eps...))
	}
	return z
}

func identity(i int) int { return i }

func benchResolver(tb testing.TB, cached bool) (*Resolver, *Zone) {
	z := bigZone(tb, identity)
	k := KubeletDNS{ClusterDNS: []string{"10.96.0.10"}, ClusterDomain: "cluster.local", Host: &nodeConf}
	conf, _ := k.PodResolvConf(PodDNS{Namespace: "ns-42"})
	var ns Nameserver = NewServer(z, testWorld(tb))
	if cached {
		c, err := NewCache(ClientCacheConfig(1024))
		require.NoError(tb, err)
		ns = &CachingNameserver{Cache: c, Next: ns, Source: SourceClientCache}
	}
	return NewResolver(conf, ns), z
}

// TestBigZoneDeterministic: the insertion order of Services and slices does
// not reach any answer.
func TestBigZoneDeterministic(t *testing.T) {
	n := benchNamespaces * benchPerNS
	a := bigZone(t, identity)
	b := bigZone(t, func(i int) int { return (i*7919 + 13) % n }) // 7919 is prime: a permutation
	require.Equal(t, 5*n, a.Len())
	require.Equal(t, a.Len(), b.Len())
	for _, q := range []string{"svc-7.ns-3.svc.cluster.local.", "_http._tcp.svc-99.ns-99.svc.cluster.local.", "10-101-0-8.svc-7.ns-0.svc.cluster.local."} {
		for _, qt := range []Type{TypeA, TypeSRV} {
			x, y := a.Lookup(q, qt), b.Lookup(q, qt)
			assert.Equal(t, rrs(x.Records), rrs(y.Records), q)
			assert.Equal(t, rrs(x.Extra), rrs(y.Extra), q)
		}
	}
}

func BenchmarkCacheHit(b *testing.B) {
	c, err := NewCache(CoreDNSCacheConfig())
	require.NoError(b, err)
	const q = "svc-42.ns-42.svc.cluster.local."
	c.Put(0, q, TypeA, positive(5))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Get(sim.Time(time.Second), q, TypeA); !ok {
			b.Fatal("miss")
		}
	}
}

// BenchmarkResolveCached: a short name in the client's namespace, answered
// by the client's cache (one cached query).
func BenchmarkResolveCached(b *testing.B) {
	r, _ := benchResolver(b, true)
	var res Result
	r.Resolve(0, "svc-42", TypeA, &res)
	b.ReportAllocs()
	for b.Loop() {
		r.Resolve(sim.Time(time.Second), "svc-42", TypeA, &res)
		if res.Outcome != Success || res.RoundTrips() != 0 {
			b.Fatal(res.Outcome, res.RoundTrips())
		}
	}
}

// BenchmarkResolveNdotsExpansion: "example.com" from a ClusterFirst pod,
// uncached: three cluster search domains (NXDOMAIN from the zone), the
// node's domain (NXDOMAIN upstream), then the name itself: five queries.
func BenchmarkResolveNdotsExpansion(b *testing.B) {
	r, _ := benchResolver(b, false)
	var res Result
	r.Resolve(0, "example.com", TypeA, &res)
	b.ReportAllocs()
	for b.Loop() {
		r.Resolve(0, "example.com", TypeA, &res)
		if res.Outcome != Success || len(res.Queries) != 5 {
			b.Fatal(res.Outcome, len(res.Queries))
		}
	}
}

// BenchmarkResolveOtherNamespace: "svc-7.ns-3" from ns-42, uncached: two
// queries, the second answered from the zone.
func BenchmarkResolveOtherNamespace(b *testing.B) {
	r, _ := benchResolver(b, false)
	var res Result
	r.Resolve(0, "svc-7.ns-3", TypeA, &res)
	b.ReportAllocs()
	for b.Loop() {
		r.Resolve(0, "svc-7.ns-3", TypeA, &res)
		if res.Outcome != Success || len(res.Queries) != 2 {
			b.Fatal(res.Outcome, len(res.Queries))
		}
	}
}

// BenchmarkZoneUpsertEndpointSlice: one slice update in the 10,000-Service
// zone (rebuilds that Service's five names).
func BenchmarkZoneUpsertEndpointSlice(b *testing.B) {
	z := bigZone(b, identity)
	s := slice("ns-42", "svc-42-x", "svc-42", []model.EndpointPort{port("http", 8080)},
		endpoint("10.101.0.1", true, ""), endpoint("10.101.0.2", true, ""), endpoint("10.101.0.3", false, ""))
	b.ReportAllocs()
	for b.Loop() {
		z.UpsertEndpointSlice(s)
	}
}
