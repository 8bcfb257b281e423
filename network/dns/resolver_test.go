package dns

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// nodeConf is a cloud node's /etc/resolv.conf.
var nodeConf = ResolvConf{
	Nameservers: []string{"10.0.0.2"},
	Searches:    []string{"us-east-1.compute.internal"},
}

func clusterFirst(t *testing.T, ns string) ResolvConf {
	t.Helper()
	k := KubeletDNS{ClusterDNS: []string{"10.96.0.10"}, ClusterDomain: "cluster.local", Host: &nodeConf}
	conf, events := k.PodResolvConf(PodDNS{Namespace: ns, DNSPolicy: model.DNSClusterFirst})
	require.Empty(t, events)
	return conf
}

// trace renders the queries as "name rcode source".
func trace(res *Result) []string {
	var out []string
	for _, q := range res.Queries {
		out = append(out, fmt.Sprintf("%s %s %s", q.Name, q.Rcode, q.From))
	}
	return out
}

// TestResolveNdotsExpansion is the ndots:5 search of a ClusterFirst pod,
// glibc res_search order: fewer than five dots → the search list first.
func TestResolveNdotsExpansion(t *testing.T) {
	server := NewServer(testZone(t, ZoneConfig{}), testWorld(t))
	tests := []struct {
		ns, name string
		outcome  Outcome
		queries  []string
		addrs    []string
	}{
		{"shop", "web", Success, []string{
			"web.shop.svc.cluster.local. NOERROR zone",
		}, []string{"10.96.0.20"}},
		// From another namespace the short name fails everywhere; the
		// NODATA of web.svc.cluster.local. (a "namespace" called web)
		// decides the outcome.
		{"default", "web", NoData, []string{
			"web.default.svc.cluster.local. NXDOMAIN zone",
			"web.svc.cluster.local. NOERROR zone",
			"web.cluster.local. NXDOMAIN zone",
			"web.us-east-1.compute.internal. NXDOMAIN upstream",
			"web. NXDOMAIN upstream",
		}, nil},
		{"default", "web.shop", Success, []string{
			"web.shop.default.svc.cluster.local. NXDOMAIN zone",
			"web.shop.svc.cluster.local. NOERROR zone",
		}, []string{"10.96.0.20"}},
		// Four dots < ndots 5: the full name comes last, after 4 misses.
		{"default", "web.shop.svc.cluster.local", Success, []string{
			"web.shop.svc.cluster.local.default.svc.cluster.local. NXDOMAIN zone",
			"web.shop.svc.cluster.local.svc.cluster.local. NXDOMAIN zone",
			"web.shop.svc.cluster.local.cluster.local. NXDOMAIN zone",
			"web.shop.svc.cluster.local.us-east-1.compute.internal. NXDOMAIN upstream",
			"web.shop.svc.cluster.local. NOERROR zone",
		}, []string{"10.96.0.20"}},
		{"default", "web.shop.svc.cluster.local.", Success, []string{
			"web.shop.svc.cluster.local. NOERROR zone",
		}, []string{"10.96.0.20"}},
		// The classic: an external name costs the whole search list.
		{"default", "example.com", Success, []string{
			"example.com.default.svc.cluster.local. NXDOMAIN zone",
			"example.com.svc.cluster.local. NXDOMAIN zone",
			"example.com.cluster.local. NXDOMAIN zone",
			"example.com.us-east-1.compute.internal. NXDOMAIN upstream",
			"example.com. NOERROR upstream",
		}, []string{"93.184.216.34"}},
		{"default", "example.com.", Success, []string{
			"example.com. NOERROR upstream",
		}, []string{"93.184.216.34"}},
		{"default", "Example.COM.", Success, []string{
			"example.com. NOERROR upstream",
		}, []string{"93.184.216.34"}},
		// Five dots: as is first.
		{"default", "x.y.z.w.example.com", Success, []string{
			"x.y.z.w.example.com. NOERROR upstream",
		}, []string{"203.0.113.8"}},
		// Nothing anywhere: the search list, then the name; NXDOMAIN.
		{"default", "nosuch.example.org", HostNotFound, []string{
			"nosuch.example.org.default.svc.cluster.local. NXDOMAIN zone",
			"nosuch.example.org.svc.cluster.local. NXDOMAIN zone",
			"nosuch.example.org.cluster.local. NXDOMAIN zone",
			"nosuch.example.org.us-east-1.compute.internal. NXDOMAIN upstream",
			"nosuch.example.org. NXDOMAIN upstream",
		}, nil},
		// The ExternalName alias is followed out of the cluster in one
		// response.
		{"shop", "ext", Success, []string{
			"ext.shop.svc.cluster.local. NOERROR upstream",
		}, []string{"203.0.113.7"}},
		{"default", "db-0.db.shop", Success, []string{
			"db-0.db.shop.default.svc.cluster.local. NXDOMAIN zone",
			"db-0.db.shop.svc.cluster.local. NOERROR zone",
		}, []string{"10.1.1.1"}},
	}
	for _, tc := range tests {
		t.Run(tc.ns+"/"+tc.name, func(t *testing.T) {
			r := NewResolver(clusterFirst(t, tc.ns), server)
			assert.Equal(t, 5, r.Options().Ndots)
			assert.Equal(t, []string{tc.ns + ".svc.cluster.local.", "svc.cluster.local.", "cluster.local.", "us-east-1.compute.internal."}, r.Search())
			var res Result
			r.Resolve(0, tc.name, TypeA, &res)
			assert.Equal(t, tc.outcome, res.Outcome, res.Outcome.String())
			assert.Equal(t, tc.queries, trace(&res))
			assert.Equal(t, len(tc.queries), res.RoundTrips())
			var addrs []string
			for _, a := range res.Addrs(nil) {
				addrs = append(addrs, a.String())
			}
			assert.Equal(t, tc.addrs, addrs)
		})
	}
}

// fakeNS answers from a table; unknown names are NXDOMAIN.
type fakeNS map[string]Rcode

func (f fakeNS) Lookup(_ sim.Time, qname string, _ Type) Answer {
	rc, ok := f[qname]
	if !ok {
		return Answer{Rcode: RcodeNXDomain, From: SourceZone}
	}
	a := Answer{Rcode: rc, From: SourceZone}
	if rc == RcodeSuccess && strings.HasPrefix(qname, "ok") {
		a.Records = []RR{{Name: qname, Type: TypeA, TTL: 5, Addr: netip.MustParseAddr("192.0.2.1")}}
	}
	return a
}

// TestResolveSearchRules covers res_search's handling of each response.
func TestResolveSearchRules(t *testing.T) {
	long := strings.Repeat("l", 64)
	tests := []struct {
		desc     string
		conf     ResolvConf
		ns       fakeNS
		name     string
		outcome  Outcome
		queries  []string
		attempts int
	}{
		{"nodata continues, and is the outcome", ResolvConf{Searches: []string{"a", "b"}},
			fakeNS{"x.a.": RcodeSuccess}, "x", NoData,
			[]string{"x.a. NOERROR zone", "x.b. NXDOMAIN zone", "x. NXDOMAIN zone"}, 3},
		{"servfail continues, costs every attempt", ResolvConf{Nameservers: []string{"n1", "n2"}, Searches: []string{"a", "b"}, Options: []string{"attempts:3"}},
			fakeNS{"x.a.": RcodeServFail}, "x", TryAgain,
			[]string{"x.a. SERVFAIL zone", "x.b. NXDOMAIN zone", "x. NXDOMAIN zone"}, 3*2 + 1 + 1},
		{"refused stops the search list, the name as is still goes", ResolvConf{Searches: []string{"a", "b"}},
			fakeNS{"x.a.": RcodeRefused}, "x", HostNotFound,
			[]string{"x.a. REFUSED zone", "x. NXDOMAIN zone"}, 2 + 1},
		{"success ends it", ResolvConf{Searches: []string{"a", "b"}},
			fakeNS{"ok.b.": RcodeSuccess}, "ok", Success,
			[]string{"ok.a. NXDOMAIN zone", "ok.b. NOERROR zone"}, 2},
		{"tried as is first: its outcome wins", ResolvConf{Searches: []string{"a"}},
			fakeNS{"p.q.a.": RcodeSuccess}, "p.q", HostNotFound,
			[]string{"p.q. NXDOMAIN zone", "p.q.a. NOERROR zone"}, 2},
		{"the root in the list replaces the final query", ResolvConf{Searches: []string{"a", "."}},
			fakeNS{}, "x", HostNotFound,
			[]string{"x.a. NXDOMAIN zone", "x. NXDOMAIN zone"}, 2},
		{"trailing dot: one query whatever it says", ResolvConf{Searches: []string{"a"}},
			fakeNS{}, "x.", HostNotFound,
			[]string{"x. NXDOMAIN zone"}, 1},
		{"ndots:0: as is first even without dots", ResolvConf{Searches: []string{"a"}, Options: []string{"ndots:0"}},
			fakeNS{"ok.": RcodeSuccess}, "ok", Success,
			[]string{"ok. NOERROR zone"}, 1},
		{"an unencodable candidate stops the list", ResolvConf{Searches: []string{"a", "b"}},
			fakeNS{}, long, NoRecovery,
			[]string{long + ".a.  none", long + ".  none"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			r := NewResolver(tc.conf, tc.ns)
			var res Result
			r.Resolve(0, tc.name, TypeA, &res)
			assert.Equal(t, tc.outcome.String(), res.Outcome.String())
			got := trace(&res)
			for i, q := range res.Queries {
				if q.Unencodable {
					got[i] = q.Name + "  none"
				}
			}
			assert.Equal(t, tc.queries, got)
			assert.Equal(t, tc.attempts, res.RoundTrips())
		})
	}
}

func TestParseOptions(t *testing.T) {
	o := ParseOptions(nil)
	assert.Equal(t, ResolverOptions{Ndots: 1, Timeout: DefaultTimeout, Attempts: 2}, o)
	o = ParseOptions([]string{"ndots:5", "ndots:2", "timeout:60", "attempts:9", "rotate", "edns0"})
	assert.Equal(t, ResolverOptions{Ndots: 2, Timeout: MaxTimeout, Attempts: 5, Rotate: true}, o)
	assert.Equal(t, 15, ParseOptions([]string{"ndots:20"}).Ndots)
	assert.Equal(t, 0, ParseOptions([]string{"ndots:x"}).Ndots)
	assert.Equal(t, 0, ParseOptions([]string{"ndots:-3"}).Ndots)
}

// TestResolveCachedAllocs: once a client has resolved a name, resolving it
// again through its cache allocates nothing and sends nothing.
func TestResolveCachedAllocs(t *testing.T) {
	server := NewServer(testZone(t, ZoneConfig{}), testWorld(t))
	cache, err := NewCache(ClientCacheConfig(64))
	require.NoError(t, err)
	r := NewResolver(clusterFirst(t, "default"), &CachingNameserver{Cache: cache, Next: server, Source: SourceClientCache})
	var res Result
	r.Resolve(0, "example.com", TypeA, &res)
	require.Equal(t, 5, res.RoundTrips())
	r.Resolve(sim.Time(sim.Duration(1e9)), "example.com", TypeA, &res)
	assert.Equal(t, 0, res.RoundTrips())
	assert.Len(t, res.Queries, 5)
	assert.Equal(t, SourceClientCache, res.Queries[4].From)
	allocs := testing.AllocsPerRun(100, func() { r.Resolve(sim.Time(2e9), "example.com", TypeA, &res) })
	assert.Zero(t, allocs)

	uncached := NewResolver(clusterFirst(t, "default"), server)
	uncached.Resolve(0, "example.com", TypeA, &res)
	allocs = testing.AllocsPerRun(100, func() { uncached.Resolve(0, "example.com", TypeA, &res) })
	assert.Zero(t, allocs)
}

func TestServerCNAMEChains(t *testing.T) {
	z := testZone(t, ZoneConfig{})
	// An ExternalName pointing inside the cluster is followed there.
	z.UpsertService(Service{Namespace: "shop", Name: "alias", Type: model.ServiceTypeExternalName, ExternalName: "web.shop.svc.cluster.local"})
	// A loop.
	z.UpsertService(Service{Namespace: "shop", Name: "loop1", Type: model.ServiceTypeExternalName, ExternalName: "loop2.shop.svc.cluster.local"})
	z.UpsertService(Service{Namespace: "shop", Name: "loop2", Type: model.ServiceTypeExternalName, ExternalName: "loop1.shop.svc.cluster.local"})
	w := testWorld(t)
	require.NoError(t, w.Add(RR{Name: "cdn.example.com", Type: TypeCNAME, TTL: 30, Target: "edge.example.net"}))
	require.NoError(t, w.Add(RR{Name: "edge.example.net", Type: TypeA, TTL: 20, Addr: netip.MustParseAddr("198.51.100.1")}))
	z.UpsertService(Service{Namespace: "shop", Name: "cdn", Type: model.ServiceTypeExternalName, ExternalName: "cdn.example.com"})
	s := NewServer(z, w)

	a := s.Lookup(0, "alias.shop.svc.cluster.local.", TypeA)
	assert.Equal(t, []string{"alias.shop.svc.cluster.local. 5 IN CNAME web.shop.svc.cluster.local."}, rrs(a.CNAMEs))
	assert.Equal(t, []string{"web.shop.svc.cluster.local. 5 IN A 10.96.0.20"}, rrs(a.Records))
	assert.Equal(t, SourceZone, a.From)

	a = s.Lookup(0, "cdn.shop.svc.cluster.local.", TypeA)
	assert.Equal(t, []string{
		"cdn.shop.svc.cluster.local. 5 IN CNAME cdn.example.com.",
		"cdn.example.com. 30 IN CNAME edge.example.net.",
	}, rrs(a.CNAMEs))
	assert.Equal(t, []string{"edge.example.net. 20 IN A 198.51.100.1"}, rrs(a.Records))
	assert.Equal(t, SourceUpstream, a.From)
	assert.Equal(t, sim.Duration(5e9), a.TTL())

	a = s.Lookup(0, "loop1.shop.svc.cluster.local.", TypeA)
	assert.Equal(t, RcodeServFail, a.Rcode)

	// The alias exists, its target has no AAAA: NOERROR with the CNAME
	// alone, which glibc counts as an answer.
	a = s.Lookup(0, "ext.shop.svc.cluster.local.", TypeAAAA)
	assert.True(t, a.Answered())
	assert.Empty(t, a.Records)

	// No upstream: outside names are SERVFAIL.
	a = NewServer(z, nil).Lookup(0, "example.com.", TypeA)
	assert.Equal(t, RcodeServFail, a.Rcode)
}

func TestStaticZone(t *testing.T) {
	w := testWorld(t)
	assert.Equal(t, RcodeSuccess, w.Lookup(0, "com.", TypeA).Rcode, "empty non-terminal is NODATA")
	assert.Equal(t, RcodeNXDomain, w.Lookup(0, "nope.com.", TypeA).Rcode)
	assert.Equal(t, uint32(900), w.Lookup(0, "nope.com.", TypeA).NegativeTTL)
	assert.Error(t, w.Add(RR{Name: "example.com", Type: TypeCNAME, Target: "x."}))
	assert.Error(t, w.Add(RR{Name: "v6.example.com", Type: TypeAAAA, Addr: netip.MustParseAddr("192.0.2.1")}))
	assert.Error(t, w.Add(RR{Name: "t.example.com", Type: 16}))
}
