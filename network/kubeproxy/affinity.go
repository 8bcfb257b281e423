package kubeproxy

import (
	"net/netip"

	"github.com/kubesim/kubesim/sim"
)

// AffinityExpiry says at which instant an idle affinity entry stops
// counting; the data paths differ by one tick at the boundary.
type AffinityExpiry uint8

const (
	// ExpireAfterTimeout: the entry holds while now-lastUsed <= timeout.
	// iptables' recent match with --rcheck --seconds T matches a stamp that
	// is not older than T (xt_recent.c: skip the stamp if time_after(now-T,
	// stamp)).
	ExpireAfterTimeout AffinityExpiry = iota
	// ExpireAtTimeout: the entry holds while now-lastUsed < timeout.
	// nftables set elements expire when the expiration is <= now
	// (nft_set_elem_expired), an IPVS persistence template when its timer
	// fires, and the userspace proxy compared int(seconds since) < ttl.
	ExpireAtTimeout
)

type affinityEntry struct {
	key      string
	lastUsed sim.Time
}

// AffinityTable is the ClientIP session-affinity state of one service port:
// client address -> endpoint key and the time the client last used it. It
// models iptables' per-endpoint recent lists (KUBE-SEP-* --set/--rcheck),
// nftables' per-endpoint affinity sets, IPVS persistence templates and the
// userspace proxy's affinityMap with one entry per client, since a client
// can be fresh in only one endpoint's list at a time. Expiry is checked on
// use (iptables' --reap, the userspace ttl check); Reap sweeps idle entries.
//
// Not modeled: xt_recent keeps at most ip_list_tot (default 100) addresses
// per list and evicts the least recently seen beyond that.
type AffinityTable struct {
	timeout sim.Duration
	expiry  AffinityExpiry
	entries map[netip.Addr]affinityEntry
}

// NewAffinityTable returns an empty table; timeout must be positive.
func NewAffinityTable(timeout sim.Duration, expiry AffinityExpiry) *AffinityTable {
	if timeout <= 0 {
		panic("kubeproxy: affinity timeout must be positive")
	}
	return &AffinityTable{timeout: timeout, expiry: expiry, entries: map[netip.Addr]affinityEntry{}}
}

// Timeout returns the affinity timeout.
func (t *AffinityTable) Timeout() sim.Duration { return t.timeout }

// Len returns the number of entries, fresh or not yet reaped.
func (t *AffinityTable) Len() int { return len(t.entries) }

func (t *AffinityTable) fresh(e affinityEntry, now sim.Time) bool {
	idle := now.Sub(e.lastUsed)
	if t.expiry == ExpireAfterTimeout {
		return idle <= t.timeout
	}
	return idle < t.timeout
}

// Lookup returns the endpoint client is stuck to at now. An expired entry
// is deleted and reported as absent. Lookup does not refresh the entry:
// the data path refreshes it when the connection reaches the endpoint
// (Record).
func (t *AffinityTable) Lookup(client netip.Addr, now sim.Time) (key string, ok bool) {
	e, ok := t.entries[client]
	if !ok {
		return "", false
	}
	if !t.fresh(e, now) {
		delete(t.entries, client)
		return "", false
	}
	return e.key, true
}

// Record sticks client to endpoint key as of now (iptables' --set in the
// endpoint chain, nftables' update @set, a new IPVS template, the
// userspace proxy's lastUsed).
func (t *AffinityTable) Record(client netip.Addr, key string, now sim.Time) {
	t.entries[client] = affinityEntry{key: key, lastUsed: now}
}

// Forget drops client's entry.
func (t *AffinityTable) Forget(client netip.Addr) { delete(t.entries, client) }

// RetainEndpoints drops the entries of endpoints whose key is not in keep
// (the endpoint's chain, set or real server is gone).
func (t *AffinityTable) RetainEndpoints(keep map[string]int) {
	for c, e := range t.entries { // deletion only: order does not matter
		if _, ok := keep[e.key]; !ok {
			delete(t.entries, c)
		}
	}
}

// Reap deletes every entry expired at now and returns how many it deleted.
func (t *AffinityTable) Reap(now sim.Time) int {
	n := 0
	for c, e := range t.entries { // deletion only: order does not matter
		if !t.fresh(e, now) {
			delete(t.entries, c)
			n++
		}
	}
	return n
}
