package kubeproxy

import (
	"fmt"
	"math"
	"strconv"

	"github.com/kubesim/kubesim/sim"
)

// ProbabilityString formats 1/n as kube-proxy writes it after
// "-m statistic --mode random --probability" (upstream computeProbability,
// pkg/proxy/iptables/proxier.go: fmt.Sprintf("%0.10f", 1.0/float64(n))).
func ProbabilityString(n int) string {
	return fmt.Sprintf("%0.10f", 1.0/float64(n))
}

// RuleProbability returns the --probability of load-balancing rule i
// (0-based) of n: 1/(n-i). The last rule, i = n-1, has no statistic match
// and always matches, which is what 1/(n-(n-1)) = 1 says.
func RuleProbability(i, n int) string { return ProbabilityString(n - i) }

// StatisticThreshold converts a --probability argument to the 31-bit
// fixed-point threshold the kernel compares against: iptables'
// libxt_statistic stores lround(0x80000000 * p) and xt_statistic.c matches
// when (get_random_u32() & 0x7FFFFFFF) < threshold.
func StatisticThreshold(probability string) (uint32, error) {
	p, err := strconv.ParseFloat(probability, 64)
	if err != nil {
		return 0, err
	}
	if p < 0 || p > 1 {
		return 0, fmt.Errorf("probability %s out of [0,1]", probability)
	}
	return uint32(math.Round(0x80000000 * p)), nil
}

// IPTablesChooser is the load-balancing part of a KUBE-SVC-*/KUBE-SVL-*
// chain in iptables mode (upstream writeServiceToEndpointRules):
//
//  1. with ClientIP affinity, one rule per endpoint, in order:
//     -m recent --name KUBE-SEP-x --rcheck --seconds T --reap -j KUBE-SEP-x;
//  2. one rule per endpoint i = 0..n-1: -m statistic --mode random
//     --probability 1/(n-i) -j KUBE-SEP-i, the last one unconditional.
//
// Each statistic rule draws a fresh 31-bit random number, so rule i is
// reached with probability (n-i)/n and taken with 1/(n-i): 1/n overall, at
// a cost linear in i. Choose walks the same chain with its seeded stream and
// counts the rules traversed. Conntrack pins later packets of a connection;
// only new connections are chosen.
type IPTablesChooser struct {
	rng        *sim.Rand
	affinity   *AffinityTable
	eps        endpointList
	thresholds []uint32 // thresholds[i]: rule i's statistic threshold, i < n-1
}

// NewIPTablesChooser returns a chooser drawing from rng. affinityTimeout > 0
// enables ClientIP affinity with that timeout.
func NewIPTablesChooser(rng *sim.Rand, affinityTimeout sim.Duration) *IPTablesChooser {
	c := &IPTablesChooser{rng: rng}
	if affinityTimeout > 0 {
		c.affinity = NewAffinityTable(affinityTimeout, ExpireAfterTimeout)
	}
	return c
}

// Affinity returns the affinity table, nil without ClientIP affinity.
func (c *IPTablesChooser) Affinity() *AffinityTable { return c.affinity }

// SetEndpoints rewrites the chain for keys, in rule order.
func (c *IPTablesChooser) SetEndpoints(keys []string) {
	c.eps.set(keys)
	c.thresholds = chainThresholds(len(keys))
	if c.affinity != nil {
		c.affinity.RetainEndpoints(c.eps.pos)
	}
}

// Choose walks the chain for a new connection.
func (c *IPTablesChooser) Choose(f Flow, now sim.Time) Choice {
	n := len(c.eps.keys)
	if n == 0 {
		return noChoice // the proxier REJECTs: no endpoints
	}
	steps := 0
	if c.affinity != nil {
		if key, ok := c.affinity.Lookup(f.Src, now); ok {
			if i, ok := c.eps.pos[key]; ok {
				c.affinity.Record(f.Src, key, now) // --set in KUBE-SEP-*
				return c.eps.choice(i, i+1, true)
			}
		}
		steps = n // every recent rule checked, none matched
	}
	i := 0
	for ; i < n-1; i++ {
		if c.rng.Uint32()&0x7FFFFFFF < c.thresholds[i] {
			break
		}
	}
	if c.affinity != nil {
		c.affinity.Record(f.Src, c.eps.keys[i], now)
	}
	return c.eps.choice(i, steps+i+1, false)
}
