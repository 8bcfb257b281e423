package kubeproxy

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

func TestProbabilityString(t *testing.T) {
	// Expected strings are 1/n printed with ten decimals, as upstream's
	// computeProbability does ("%0.10f").
	tests := []struct {
		n    int
		want string
	}{
		{1, "1.0000000000"},
		{2, "0.5000000000"},
		{3, "0.3333333333"},
		{4, "0.2500000000"},
		{6, "0.1666666667"},
		{7, "0.1428571429"},
		{100, "0.0100000000"},
		{10000, "0.0001000000"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ProbabilityString(tc.n), "n=%d", tc.n)
	}
	// Rule i of n carries 1/(n-i).
	assert.Equal(t, "0.2500000000", RuleProbability(0, 4))
	assert.Equal(t, "0.3333333333", RuleProbability(1, 4))
	assert.Equal(t, "0.5000000000", RuleProbability(2, 4))
}

func TestStatisticThreshold(t *testing.T) {
	// lround(0x80000000 * p) (libxt_statistic), worked by hand:
	// 0.3333333333 * 2^31 = 715827882.595... -> 715827883.
	tests := []struct {
		p    string
		want uint32
	}{
		{"0.5000000000", 1 << 30},
		{"0.3333333333", 715827883},
		{"0.1428571429", 306783378},
		{"0.0100000000", 21474836},
		{"1.0000000000", 1 << 31},
		{"0", 0},
	}
	for _, tc := range tests {
		got, err := StatisticThreshold(tc.p)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.p)
	}
	_, err := StatisticThreshold("1.5")
	assert.Error(t, err)
	_, err = StatisticThreshold("x")
	assert.Error(t, err)
}

func TestNumgenRandom(t *testing.T) {
	// reciprocal_scale(r, n) = (r * n) >> 32.
	assert.Equal(t, 0, NumgenRandom(0, 3))
	assert.Equal(t, 2, NumgenRandom(^uint32(0), 3))
	assert.Equal(t, 1, NumgenRandom(1<<31, 2))
	assert.Equal(t, 0, NumgenRandom(1<<31-1, 2))
	assert.Equal(t, 1, NumgenRandom(0x55555556, 3)) // just above 2^32/3
	assert.Equal(t, 0, NumgenRandom(0x55555555, 3))
}

func testKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("10.0.%d.%d:8080", i/250, i%250+1)
	}
	return keys
}

// chiSquareUniform returns the statistic of counts against a uniform
// distribution and the critical value at significance 0.001.
func chiSquareUniform(counts []int, total int) (stat, critical float64) {
	exp := float64(total) / float64(len(counts))
	for _, c := range counts {
		d := float64(c) - exp
		stat += d * d / exp
	}
	critical = distuv.ChiSquared{K: float64(len(counts) - 1)}.Quantile(1 - 0.001)
	return stat, critical
}

func TestRandomModesAreUniform(t *testing.T) {
	const picks = 60000
	modes := map[string]func(*sim.Rand) Chooser{
		"iptables": func(r *sim.Rand) Chooser { return NewIPTablesChooser(r, 0) },
		"nftables": func(r *sim.Rand) Chooser { return NewNFTablesChooser(r, 0) },
	}
	for _, mode := range []string{"iptables", "nftables"} {
		for _, n := range []int{2, 3, 5, 10, 100} {
			t.Run(fmt.Sprintf("%s/n=%d", mode, n), func(t *testing.T) {
				c := modes[mode](sim.NewRand(42, "test/"+mode))
				c.SetEndpoints(testKeys(n))
				counts := make([]int, n)
				src := netip.MustParseAddr("10.1.0.1")
				for range picks {
					ch := c.Choose(Flow{Src: src}, 0)
					require.False(t, ch.None())
					counts[ch.Index]++
				}
				stat, crit := chiSquareUniform(counts, picks)
				assert.Less(t, stat, crit, "chi-square %.2f >= %.2f (df=%d, p=0.001): %v", stat, crit, n-1, counts)
			})
		}
	}
}

func TestIPTablesSteps(t *testing.T) {
	// Without affinity the walk stops at the chosen rule: Steps = Index+1,
	// and the mean over many picks is (n+1)/2.
	c := NewIPTablesChooser(sim.NewRand(7, "test/iptables/steps"), 0)
	const n, picks = 10, 20000
	c.SetEndpoints(testKeys(n))
	total := 0
	for range picks {
		ch := c.Choose(Flow{}, 0)
		require.Equal(t, ch.Index+1, ch.Steps)
		total += ch.Steps
	}
	assert.InDelta(t, float64(n+1)/2, float64(total)/picks, 0.1)

	// One endpoint: the only rule is unconditional.
	c.SetEndpoints(testKeys(1))
	assert.Equal(t, Choice{Index: 0, Key: testKeys(1)[0], Steps: 1}, c.Choose(Flow{}, 0))
	// None: REJECT.
	c.SetEndpoints(nil)
	assert.True(t, c.Choose(Flow{}, 0).None())
}

func TestNFTablesSteps(t *testing.T) {
	c := NewNFTablesChooser(sim.NewRand(7, "test/nftables/steps"), 0)
	c.SetEndpoints(testKeys(100))
	for range 100 {
		assert.Equal(t, 1, c.Choose(Flow{}, 0).Steps) // one verdict-map lookup
	}
	c.SetEndpoints(nil)
	assert.True(t, c.Choose(Flow{}, 0).None())
}

func TestChoosersAreDeterministic(t *testing.T) {
	run := func() []int {
		c := NewIPTablesChooser(sim.NewRand(9, "test/det"), 0)
		c.SetEndpoints(testKeys(7))
		var out []int
		for range 50 {
			out = append(out, c.Choose(Flow{}, 0).Index)
		}
		return out
	}
	assert.Equal(t, run(), run())
}

func TestAffinitySticksUntilTimeout(t *testing.T) {
	const timeout = 10 * time.Second
	clientA := netip.MustParseAddr("192.168.0.1")
	type mode struct {
		name string
		new  func(*sim.Rand) Chooser
		// inclusive: an entry idle for exactly the timeout still holds.
		inclusive bool
	}
	modes := []mode{
		{"iptables", func(r *sim.Rand) Chooser { return NewIPTablesChooser(r, timeout) }, true},
		{"nftables", func(r *sim.Rand) Chooser { return NewNFTablesChooser(r, timeout) }, false},
		{"ipvs", func(r *sim.Rand) Chooser {
			v, err := NewVirtualServer(IPVSOptions{Persistence: timeout})
			if err != nil {
				panic(err)
			}
			return v
		}, false},
		{"userspace", func(r *sim.Rand) Chooser { return NewUserspaceRR(r, timeout) }, false},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := m.new(sim.NewRand(3, "test/affinity/"+m.name))
			c.SetEndpoints(testKeys(50))
			first := c.Choose(Flow{Src: clientA}, 0)
			require.False(t, first.None())
			assert.False(t, first.Affine)

			// Used every half timeout: sticks, each use refreshing the entry.
			now := sim.Time(0)
			for range 10 {
				now = now.Add(timeout / 2)
				ch := c.Choose(Flow{Src: clientA}, now)
				assert.True(t, ch.Affine)
				assert.Equal(t, first.Key, ch.Key)
			}
			// Idle for exactly the timeout.
			now = now.Add(timeout)
			ch := c.Choose(Flow{Src: clientA}, now)
			assert.Equal(t, m.inclusive, ch.Affine, "idle == timeout")
			// Idle for longer than the timeout: a fresh pick (which may
			// or may not land on the same endpoint), never affine.
			now = now.Add(timeout + 1)
			ch = c.Choose(Flow{Src: clientA}, now)
			assert.False(t, ch.Affine)
			assert.False(t, ch.None())
			// Over many expiries the client does move.
			moved := false
			for range 50 {
				now = now.Add(timeout + 1)
				moved = moved || c.Choose(Flow{Src: clientA}, now).Key != first.Key
			}
			assert.True(t, moved)
		})
	}
}

func TestAffinityStepsIPTables(t *testing.T) {
	// An affinity hit costs the recent rules up to the endpoint's; a miss
	// costs all n recent rules plus the load-balancing walk.
	c := NewIPTablesChooser(sim.NewRand(5, "test/affinity/steps"), time.Minute)
	const n = 20
	c.SetEndpoints(testKeys(n))
	client := netip.MustParseAddr("192.168.0.9")
	miss := c.Choose(Flow{Src: client}, 0)
	assert.Equal(t, n+miss.Index+1, miss.Steps)
	hit := c.Choose(Flow{Src: client}, sim.Time(time.Second))
	assert.True(t, hit.Affine)
	assert.Equal(t, miss.Index+1, hit.Steps)
}

func TestAffinityDroppedWithEndpoint(t *testing.T) {
	c := NewNFTablesChooser(sim.NewRand(5, "test/affinity/drop"), time.Hour)
	keys := testKeys(5)
	c.SetEndpoints(keys)
	client := netip.MustParseAddr("192.168.0.9")
	first := c.Choose(Flow{Src: client}, 0)
	var rest []string
	for _, k := range keys {
		if k != first.Key {
			rest = append(rest, k)
		}
	}
	c.SetEndpoints(rest)
	assert.Equal(t, 0, c.Affinity().Len())
	ch := c.Choose(Flow{Src: client}, 1)
	assert.False(t, ch.Affine)
	assert.NotEqual(t, first.Key, ch.Key)
}

func TestAffinityTableReap(t *testing.T) {
	tab := NewAffinityTable(time.Second, ExpireAtTimeout)
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	tab.Record(a, "x", 0)
	tab.Record(b, "y", sim.Time(500*time.Millisecond))
	assert.Equal(t, 1, tab.Reap(sim.Time(time.Second)))
	_, ok := tab.Lookup(a, sim.Time(time.Second))
	assert.False(t, ok)
	k, ok := tab.Lookup(b, sim.Time(time.Second))
	assert.True(t, ok)
	assert.Equal(t, "y", k)
}
