package kubeproxy

import (
	"net/netip"
	"slices"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// userspaceDialTimeouts are the dial attempts of the legacy userspace proxy
// (upstream EndpointDialTimeouts, pkg/proxy/userspace/proxysocket.go).
var userspaceDialTimeouts = [...]sim.Duration{
	250 * time.Millisecond, 500 * time.Millisecond, 1 * time.Second, 2 * time.Second,
}

// UserspaceDialAttempts is how many endpoints TryConnect dials at most.
const UserspaceDialAttempts = len(userspaceDialTimeouts)

// UserspaceDialTimeout returns the timeout of dial attempt i (0-based).
func UserspaceDialTimeout(i int) sim.Duration { return userspaceDialTimeouts[i] }

// UserspaceRR is the legacy userspace proxy's load balancer for one service
// port (LoadBalancerRR, pkg/proxy/userspace/roundrobin.go; the mode was
// removed in 1.26): the endpoint list is shuffled whenever its set changes
// and then served round robin; ClientIP affinity maps a client to its
// endpoint while it is used within the timeout.
type UserspaceRR struct {
	rng      *sim.Rand
	affinity *AffinityTable
	eps      endpointList
	index    int
	sorted   []string // the current set, sorted, to detect changes
	scratch  []string
}

// NewUserspaceRR returns a balancer shuffling with rng. affinityTimeout > 0
// enables ClientIP affinity with that ttl.
func NewUserspaceRR(rng *sim.Rand, affinityTimeout sim.Duration) *UserspaceRR {
	u := &UserspaceRR{rng: rng}
	if affinityTimeout > 0 {
		u.affinity = NewAffinityTable(affinityTimeout, ExpireAtTimeout)
	}
	return u
}

// Affinity returns the affinity table, nil without ClientIP affinity.
func (u *UserspaceRR) Affinity() *AffinityTable { return u.affinity }

// Endpoints returns the current (shuffled) order. Read only.
func (u *UserspaceRR) Endpoints() []string { return u.eps.keys }

// SetEndpoints is OnEndpointsUpdate: if the set of keys differs from the
// current one (compared sorted, upstream slicesEquiv), affinity entries of
// removed endpoints are dropped, the list is shuffled (upstream
// ShuffleStrings; here with the seeded stream) and the index reset to 0.
// The same set in another order changes nothing.
func (u *UserspaceRR) SetEndpoints(keys []string) {
	u.scratch = append(u.scratch[:0], keys...)
	slices.Sort(u.scratch)
	if slices.Equal(u.scratch, u.sorted) {
		return
	}
	u.sorted = append(u.sorted[:0], u.scratch...)
	shuffled := make([]string, len(keys))
	for i, j := range u.rng.Perm(len(keys)) {
		shuffled[j] = keys[i]
	}
	u.eps.set(shuffled)
	u.index = 0
	if u.affinity != nil {
		u.affinity.RetainEndpoints(u.eps.pos)
	}
}

// Choose is NextEndpoint(src, false).
func (u *UserspaceRR) Choose(f Flow, now sim.Time) Choice {
	return u.NextEndpoint(f.Src, now, false)
}

// NextEndpoint is LoadBalancerRR.NextEndpoint: unless affinityReset, a
// client whose entry was used less than the ttl ago gets its endpoint again
// (refreshing the entry); otherwise the endpoint at the round-robin index
// is taken, the index advances, and the client is recorded to it.
func (u *UserspaceRR) NextEndpoint(src netip.Addr, now sim.Time, affinityReset bool) Choice {
	n := len(u.eps.keys)
	if n == 0 {
		return noChoice // ErrMissingEndpoints
	}
	if u.affinity != nil && !affinityReset {
		if key, ok := u.affinity.Lookup(src, now); ok {
			if i, ok := u.eps.pos[key]; ok {
				u.affinity.Record(src, key, now)
				return u.eps.choice(i, 1, true)
			}
		}
	}
	i := u.index
	u.index = (u.index + 1) % n
	if u.affinity != nil {
		u.affinity.Record(src, u.eps.keys[i], now)
	}
	return u.eps.choice(i, 1, false)
}

// Dialer is the network as the userspace proxy's dials see it.
type Dialer interface {
	// Dial tries to connect to endpoint key within timeout and returns
	// whether it connected and how long the attempt took (at most timeout
	// if it failed by timing out, less if refused).
	Dial(key string, timeout sim.Duration) (ok bool, took sim.Duration)
}

// ConnectResult is the outcome of TryConnect.
type ConnectResult struct {
	// Choice is the endpoint of the last attempt (connected if Connected).
	Choice
	// Attempts is the number of dials made.
	Attempts int
	// Elapsed is the time the dials took in total.
	Elapsed sim.Duration
	// Connected reports success; false after UserspaceDialAttempts
	// failures or with no endpoints.
	Connected bool
}

// TryConnect is TryConnectEndpoints: up to four dials with timeouts 250 ms,
// 500 ms, 1 s, 2 s, each to NextEndpoint; after the first failure affinity
// is bypassed (sessionAffinityReset), so a retry moves to the next
// round-robin endpoint and re-pins the client there. Each attempt happens
// at now plus the time the earlier ones took.
func (u *UserspaceRR) TryConnect(f Flow, now sim.Time, d Dialer) ConnectResult {
	var r ConnectResult
	reset := false
	for attempt := 0; attempt < UserspaceDialAttempts; attempt++ {
		c := u.NextEndpoint(f.Src, now.Add(r.Elapsed), reset)
		if c.None() {
			r.Choice = c
			return r
		}
		r.Choice = c
		r.Attempts++
		ok, took := d.Dial(c.Key, userspaceDialTimeouts[attempt])
		r.Elapsed += took
		if ok {
			r.Connected = true
			r.Steps = r.Attempts
			return r
		}
		reset = true
	}
	r.Steps = r.Attempts
	return r
}
