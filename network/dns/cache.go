package dns

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// CoreDNS cache plugin defaults (plugin/cache/README.md): 256 shards of 39
// entries per cache, success answers kept at most 3600 s, denials (NXDOMAIN,
// NODATA) at most 1800 s, both at least 5 s, SERVFAIL 5 s.
const (
	CoreDNSCacheCapacity    = 9984
	CoreDNSSuccessMaxTTL    = 3600 * time.Second
	CoreDNSDenialMaxTTL     = 1800 * time.Second
	CoreDNSCacheMinTTL      = 5 * time.Second
	CoreDNSServFailCacheTTL = 5 * time.Second
)

// CacheConfig bounds how long answers are kept. An answer's lifetime is its
// own TTL (Answer.TTL: the least record TTL, or the RFC 2308 negative TTL)
// clamped to [MinTTL, MaxTTL] of its class, as the cache plugin's
// computeTTL does; a zero MaxTTL means no cap.
type CacheConfig struct {
	// SuccessCapacity and DenialCapacity bound the entries of each class.
	// A full class evicts its oldest entry (upstream evicts a random one;
	// kubesim is deterministic).
	SuccessCapacity int
	DenialCapacity  int

	SuccessMinTTL, SuccessMaxTTL sim.Duration
	DenialMinTTL, DenialMaxTTL   sim.Duration
	// ServFailTTL keeps SERVFAIL answers (in the denial class); 0 does not
	// cache them.
	ServFailTTL sim.Duration
}

// ClientCacheConfig keeps every answer for exactly its TTL: positive
// answers for their records' TTL, NXDOMAIN and NODATA for the negative TTL
// of the zone's SOA (RFC 2308 §5), SERVFAIL not at all. With the plugin's
// default ttl 5 that is 5 s for both. It models an application or stub
// cache in the client.
func ClientCacheConfig(capacity int) CacheConfig {
	return CacheConfig{SuccessCapacity: capacity, DenialCapacity: capacity}
}

// CoreDNSCacheConfig is the cache plugin with no arguments ("cache"):
// success 9984 entries, 5 s to 3600 s; denial 9984 entries, 5 s to 1800 s;
// SERVFAIL 5 s. In front of the kubernetes plugin the 5 s minimum equals
// the default record TTL, so cluster answers live exactly 5 s either way.
func CoreDNSCacheConfig() CacheConfig {
	return CacheConfig{
		SuccessCapacity: CoreDNSCacheCapacity, DenialCapacity: CoreDNSCacheCapacity,
		SuccessMinTTL: CoreDNSCacheMinTTL, SuccessMaxTTL: CoreDNSSuccessMaxTTL,
		DenialMinTTL: CoreDNSCacheMinTTL, DenialMaxTTL: CoreDNSDenialMaxTTL,
		ServFailTTL: CoreDNSServFailCacheTTL,
	}
}

// AddonServerCacheConfig is "cache 30" from the Corefile of kubeadm and
// cluster/addons/dns/coredns: both classes capped at 30 s.
func AddonServerCacheConfig() CacheConfig {
	c := CoreDNSCacheConfig()
	c.SuccessMaxTTL, c.DenialMaxTTL = 30*time.Second, 30*time.Second
	return c
}

// NodeLocalDNSCacheConfig is the cluster-domain block of NodeLocal
// DNSCache (cluster/addons/dns/nodelocaldns/nodelocaldns.yaml):
// "success 9984 30" and "denial 9984 5", minimum TTLs at the plugin's 5 s.
// (Its "." block, for outside names, is "cache 30": AddonServerCacheConfig.)
func NodeLocalDNSCacheConfig() CacheConfig {
	c := CoreDNSCacheConfig()
	c.SuccessMaxTTL, c.DenialMaxTTL = 30*time.Second, 5*time.Second
	return c
}

// Validate checks the config; errors name the field.
func (c *CacheConfig) Validate() error {
	switch {
	case c.SuccessCapacity < 1:
		return fmt.Errorf("successCapacity: %d, must be at least 1", c.SuccessCapacity)
	case c.DenialCapacity < 1:
		return fmt.Errorf("denialCapacity: %d, must be at least 1", c.DenialCapacity)
	case c.SuccessMinTTL < 0 || c.SuccessMaxTTL < 0 || c.DenialMinTTL < 0 || c.DenialMaxTTL < 0 || c.ServFailTTL < 0:
		return fmt.Errorf("ttls: must not be negative")
	case c.SuccessMaxTTL > 0 && c.SuccessMinTTL > c.SuccessMaxTTL:
		return fmt.Errorf("successMinTTL: %v exceeds successMaxTTL %v", c.SuccessMinTTL, c.SuccessMaxTTL)
	case c.DenialMaxTTL > 0 && c.DenialMinTTL > c.DenialMaxTTL:
		return fmt.Errorf("denialMinTTL: %v exceeds denialMaxTTL %v", c.DenialMinTTL, c.DenialMaxTTL)
	}
	return nil
}

// Cache keeps answers keyed by (name, type) until they expire. An entry
// stored at t with lifetime d answers queries at times in [t, t+d): at
// exactly t+d it has expired, as the cache plugin's item.ttl(now) > 0 test
// makes it. Get allocates nothing.
type Cache struct {
	cfg     CacheConfig
	entries map[cacheKey]cacheEntry
	seq     uint64
	classes [2]cacheClass
}

type cacheKey struct {
	name  string
	qtype Type
}

type cacheEntry struct {
	answer   Answer
	stored   sim.Time
	expires  sim.Time
	seq      uint64
	negative bool
}

// cacheClass is one class's insertion-order queue. Records for keys that
// were since replaced or evicted stay in the queue until popped or
// compacted; seq tells them apart.
type cacheClass struct {
	capacity int
	count    int
	queue    []queued
	head     int
}

type queued struct {
	key cacheKey
	seq uint64
}

// NewCache returns an empty cache.
func NewCache(cfg CacheConfig) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Cache{cfg: cfg, entries: map[cacheKey]cacheEntry{}}
	c.classes[0].capacity = cfg.SuccessCapacity
	c.classes[1].capacity = cfg.DenialCapacity
	return c, nil
}

// Len returns the number of entries, expired ones included until replaced
// or evicted.
func (c *Cache) Len() int { return len(c.entries) }

// Get returns the cached answer for the query if it has not expired at now,
// with Age advanced by the time it spent here.
func (c *Cache) Get(now sim.Time, qname string, qtype Type) (Answer, bool) {
	e, ok := c.entries[cacheKey{qname, qtype}]
	if !ok || !now.Before(e.expires) || now.Before(e.stored) {
		return Answer{}, false
	}
	a := e.answer
	a.Age += now.Sub(e.stored)
	return a, true
}

// Put stores an answer received at now. Answers whose lifetime comes out
// zero are not stored; REFUSED is never stored.
func (c *Cache) Put(now sim.Time, qname string, qtype Type, a Answer) {
	d, negative := c.lifetime(&a)
	if d <= 0 {
		return
	}
	k := cacheKey{qname, qtype}
	if old, ok := c.entries[k]; ok {
		c.classes[classOf(old.negative)].count--
	}
	c.seq++
	c.entries[k] = cacheEntry{answer: a, stored: now, expires: now.Add(d), seq: c.seq, negative: negative}
	cl := &c.classes[classOf(negative)]
	cl.count++
	cl.queue = append(cl.queue, queued{k, c.seq})
	for cl.count > cl.capacity {
		q := cl.queue[cl.head]
		cl.head++
		if e, ok := c.entries[q.key]; ok && e.seq == q.seq {
			delete(c.entries, q.key)
			cl.count--
		}
	}
	c.compact(cl)
}

// compact drops queue records of replaced entries once they outnumber the
// live ones, so the queue stays within twice the capacity.
func (c *Cache) compact(cl *cacheClass) {
	if len(cl.queue)-cl.head <= 2*cl.capacity && cl.head < len(cl.queue)/2 {
		return
	}
	live := cl.queue[:0]
	for _, q := range cl.queue[cl.head:] {
		if e, ok := c.entries[q.key]; ok && e.seq == q.seq {
			live = append(live, q)
		}
	}
	clear(cl.queue[len(live):])
	cl.queue = live
	cl.head = 0
}

func classOf(negative bool) int {
	if negative {
		return 1
	}
	return 0
}

// lifetime is how long a is kept, and whether it goes in the denial class.
func (c *Cache) lifetime(a *Answer) (sim.Duration, bool) {
	switch {
	case a.Answered():
		return clampTTL(a.TTL(), c.cfg.SuccessMinTTL, c.cfg.SuccessMaxTTL), false
	case a.Rcode == RcodeSuccess || a.Rcode == RcodeNXDomain:
		return clampTTL(a.TTL(), c.cfg.DenialMinTTL, c.cfg.DenialMaxTTL), true
	case a.Rcode == RcodeServFail:
		return c.cfg.ServFailTTL, true
	}
	return 0, false
}

func clampTTL(d, lo, hi sim.Duration) sim.Duration {
	d = max(d, lo)
	if hi > 0 {
		d = min(d, hi)
	}
	return d
}

// CachingNameserver puts a Cache in front of another Nameserver: a hit is
// answered with From set to Source, a miss is passed to Next and its answer
// stored. Source says where the cache sits: SourceClientCache,
// SourceNodeCache (NodeLocal DNSCache) or SourceServerCache.
type CachingNameserver struct {
	Cache  *Cache
	Next   Nameserver
	Source Source
}

// Lookup implements Nameserver.
func (n *CachingNameserver) Lookup(now sim.Time, qname string, qtype Type) Answer {
	if a, ok := n.Cache.Get(now, qname, qtype); ok {
		a.From = n.Source
		return a
	}
	a := n.Next.Lookup(now, qname, qtype)
	n.Cache.Put(now, qname, qtype, a)
	return a
}
