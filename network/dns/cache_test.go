package dns

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

func at(d sim.Duration) sim.Time { return sim.Time(0).Add(d) }

func positive(ttl uint32) Answer {
	return Answer{Rcode: RcodeSuccess, From: SourceZone, Records: []RR{
		{Name: "web.shop.svc.cluster.local.", Type: TypeA, TTL: ttl, Addr: netip.MustParseAddr("10.96.0.20")},
	}}
}

func negative(rc Rcode, negTTL uint32) Answer {
	return Answer{Rcode: rc, NegativeTTL: negTTL, From: SourceZone}
}

// TestCacheExpiry: an entry answers in [stored, stored+lifetime) and has
// expired at exactly stored+lifetime.
func TestCacheExpiry(t *testing.T) {
	const q = "web.shop.svc.cluster.local."
	tests := []struct {
		desc   string
		cfg    CacheConfig
		answer Answer
		life   sim.Duration // 0: not cached
	}{
		{"client: record TTL", ClientCacheConfig(8), positive(5), 5 * time.Second},
		{"client: NXDOMAIN for the SOA negative TTL", ClientCacheConfig(8), negative(RcodeNXDomain, 5), 5 * time.Second},
		{"client: NODATA likewise", ClientCacheConfig(8), negative(RcodeSuccess, 5), 5 * time.Second},
		{"client: TTL 0 is not cached", ClientCacheConfig(8), positive(0), 0},
		{"client: SERVFAIL is not cached", ClientCacheConfig(8), negative(RcodeServFail, 0), 0},
		{"client: REFUSED is never cached", CoreDNSCacheConfig(), negative(RcodeRefused, 0), 0},
		{"coredns: zone TTL 5 stays 5", CoreDNSCacheConfig(), positive(5), 5 * time.Second},
		{"coredns: raised to the 5 s minimum", CoreDNSCacheConfig(), positive(1), 5 * time.Second},
		{"coredns: success capped at 3600 s", CoreDNSCacheConfig(), positive(86400), 3600 * time.Second},
		{"coredns: denial capped at 1800 s", CoreDNSCacheConfig(), negative(RcodeNXDomain, 86400), 1800 * time.Second},
		{"coredns: SERVFAIL 5 s", CoreDNSCacheConfig(), negative(RcodeServFail, 0), 5 * time.Second},
		{"node-local: success capped at 30 s", NodeLocalDNSCacheConfig(), positive(300), 30 * time.Second},
		{"node-local: denial capped at 5 s", NodeLocalDNSCacheConfig(), negative(RcodeNXDomain, 30), 5 * time.Second},
		{"addon: cache 30", AddonServerCacheConfig(), negative(RcodeNXDomain, 900), 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			c, err := NewCache(tc.cfg)
			require.NoError(t, err)
			t0 := at(100 * time.Second)
			c.Put(t0, q, TypeA, tc.answer)
			if tc.life == 0 {
				_, ok := c.Get(t0, q, TypeA)
				assert.False(t, ok)
				return
			}
			a, ok := c.Get(t0.Add(tc.life-1), q, TypeA)
			require.True(t, ok, "hit one nanosecond before expiry")
			assert.Equal(t, tc.life-1, a.Age)
			assert.Equal(t, tc.answer.Rcode, a.Rcode)
			_, ok = c.Get(t0.Add(tc.life), q, TypeA)
			assert.False(t, ok, "expired at exactly the TTL")
			_, ok = c.Get(t0, q, TypeAAAA)
			assert.False(t, ok, "keyed by type")
		})
	}
}

// TestCacheLayers: a client cache behind a node cache keeps an answer only
// for what is left of its TTL.
func TestCacheLayers(t *testing.T) {
	server := NewServer(testZone(t, ZoneConfig{}), testWorld(t))
	nodeCache, err := NewCache(NodeLocalDNSCacheConfig())
	require.NoError(t, err)
	clientCache, err := NewCache(ClientCacheConfig(8))
	require.NoError(t, err)
	node := &CachingNameserver{Cache: nodeCache, Next: server, Source: SourceNodeCache}
	client := &CachingNameserver{Cache: clientCache, Next: node, Source: SourceClientCache}

	const q = "web.shop.svc.cluster.local."
	a := node.Lookup(0, q, TypeA) // node cache filled at 0
	assert.Equal(t, SourceZone, a.From)
	a = client.Lookup(at(3*time.Second), q, TypeA)
	assert.Equal(t, SourceNodeCache, a.From)
	assert.Equal(t, 3*time.Second, a.Age)
	assert.Equal(t, 2*time.Second, a.TTL())
	a = client.Lookup(at(4*time.Second), q, TypeA)
	assert.Equal(t, SourceClientCache, a.From)
	// At 5 s both have expired: the server answers again.
	a = client.Lookup(at(5*time.Second), q, TypeA)
	assert.Equal(t, SourceZone, a.From)
}

func TestCacheEviction(t *testing.T) {
	cfg := ClientCacheConfig(2)
	cfg.DenialCapacity = 1
	c, err := NewCache(cfg)
	require.NoError(t, err)
	c.Put(0, "a.", TypeA, positive(60))
	c.Put(0, "b.", TypeA, positive(60))
	c.Put(0, "a.", TypeA, positive(60)) // replaced: a stays, now newest
	c.Put(0, "c.", TypeA, positive(60)) // evicts b, the oldest live entry
	_, okA := c.Get(1, "a.", TypeA)
	_, okB := c.Get(1, "b.", TypeA)
	_, okC := c.Get(1, "c.", TypeA)
	assert.Equal(t, []bool{true, false, true}, []bool{okA, okB, okC})

	c.Put(0, "x.", TypeA, negative(RcodeNXDomain, 60))
	c.Put(0, "y.", TypeA, negative(RcodeNXDomain, 60)) // denial class holds 1
	_, okX := c.Get(1, "x.", TypeA)
	_, okY := c.Get(1, "y.", TypeA)
	assert.Equal(t, []bool{false, true}, []bool{okX, okY})
	assert.Equal(t, 3, c.Len())

	// A key moving between classes is counted in its new class only: y
	// joins the success class and evicts its oldest entry, a; the denial
	// class has room for z.
	c.Put(0, "y.", TypeA, positive(60))
	c.Put(0, "z.", TypeA, negative(RcodeNXDomain, 60))
	_, okA = c.Get(1, "a.", TypeA)
	_, okC = c.Get(1, "c.", TypeA)
	_, okY = c.Get(1, "y.", TypeA)
	_, okZ := c.Get(1, "z.", TypeA)
	assert.Equal(t, []bool{false, true, true, true}, []bool{okA, okC, okY, okZ})
	assert.Equal(t, RcodeSuccess, func() Rcode { a, _ := c.Get(1, "y.", TypeA); return a.Rcode }())

	// Many refreshes of one key keep the queue bounded.
	for i := range 1000 {
		c.Put(sim.Time(i), "a.", TypeA, positive(1))
	}
	assert.LessOrEqual(t, len(c.classes[0].queue), 2*2+1)
}

func TestCacheConfigValidate(t *testing.T) {
	for _, bad := range []CacheConfig{
		{},
		{SuccessCapacity: 1},
		{SuccessCapacity: 1, DenialCapacity: 1, SuccessMinTTL: 10, SuccessMaxTTL: 5},
		{SuccessCapacity: 1, DenialCapacity: 1, ServFailTTL: -1},
	} {
		_, err := NewCache(bad)
		assert.Error(t, err)
	}
}

func TestCacheHitAllocs(t *testing.T) {
	c, err := NewCache(CoreDNSCacheConfig())
	require.NoError(t, err)
	c.Put(0, "web.shop.svc.cluster.local.", TypeA, positive(5))
	allocs := testing.AllocsPerRun(100, func() { _, _ = c.Get(1, "web.shop.svc.cluster.local.", TypeA) })
	assert.Zero(t, allocs)
}
