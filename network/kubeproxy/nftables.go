package kubeproxy

import (
	"github.com/kubesim/kubesim/sim"
)

// NFTablesChooser is the load-balancing part of a service chain in
// nftables mode (upstream pkg/proxy/nftables/proxier.go):
//
//  1. with ClientIP affinity, one rule per endpoint, in order:
//     ip saddr @affinity-set-of-endpoint goto endpoint-chain;
//  2. one rule: numgen random mod n vmap { 0 : goto ep0, 1 : goto ep1, ... }.
//
// The kernel computes numgen random as reciprocal_scale(get_random_u32(), n)
// = (u64(r) * n) >> 32 (nft_numgen.c), uniform up to 2^-32, and the verdict
// map is one lookup: the cost does not grow with n (without affinity).
type NFTablesChooser struct {
	rng      *sim.Rand
	affinity *AffinityTable
	eps      endpointList
}

// NewNFTablesChooser returns a chooser drawing from rng. affinityTimeout > 0
// enables ClientIP affinity (set elements with that timeout).
func NewNFTablesChooser(rng *sim.Rand, affinityTimeout sim.Duration) *NFTablesChooser {
	c := &NFTablesChooser{rng: rng}
	if affinityTimeout > 0 {
		c.affinity = NewAffinityTable(affinityTimeout, ExpireAtTimeout)
	}
	return c
}

// Affinity returns the affinity table, nil without ClientIP affinity.
func (c *NFTablesChooser) Affinity() *AffinityTable { return c.affinity }

// SetEndpoints rewrites the chain and its verdict map for keys.
func (c *NFTablesChooser) SetEndpoints(keys []string) {
	c.eps.set(keys)
	if c.affinity != nil {
		c.affinity.RetainEndpoints(c.eps.pos)
	}
}

// Choose evaluates the chain for a new connection.
func (c *NFTablesChooser) Choose(f Flow, now sim.Time) Choice {
	n := len(c.eps.keys)
	if n == 0 {
		return noChoice
	}
	steps := 0
	if c.affinity != nil {
		if key, ok := c.affinity.Lookup(f.Src, now); ok {
			if i, ok := c.eps.pos[key]; ok {
				c.affinity.Record(f.Src, key, now) // update @set in the endpoint chain
				return c.eps.choice(i, i+1, true)
			}
		}
		steps = n
	}
	i := NumgenRandom(c.rng.Uint32(), n)
	if c.affinity != nil {
		c.affinity.Record(f.Src, c.eps.keys[i], now)
	}
	return c.eps.choice(i, steps+1, false)
}

// NumgenRandom maps a 32-bit random number onto [0, n) the way nft_numgen's
// random mode does (reciprocal_scale).
func NumgenRandom(r uint32, n int) int {
	return int((uint64(r) * uint64(n)) >> 32)
}
