package kubeproxy

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUserspaceRoundRobin(t *testing.T) {
	u := NewUserspaceRR(sim.NewRand(1, "test/userspace"), 0)
	keys := testKeys(5)
	u.SetEndpoints(keys)
	order := slices.Clone(u.Endpoints())
	assert.ElementsMatch(t, keys, order) // a permutation of the endpoints

	// Strict rotation over the shuffled list, starting at index 0.
	for round := 0; round < 3; round++ {
		for i := range order {
			c := u.Choose(Flow{}, 0)
			assert.Equal(t, i, c.Index)
			assert.Equal(t, order[i], c.Key)
		}
	}
	// The same set in another order: no reshuffle, index kept.
	u.Choose(Flow{}, 0) // index now 1
	rev := slices.Clone(keys)
	slices.Reverse(rev)
	u.SetEndpoints(rev)
	assert.Equal(t, order, u.Endpoints())
	assert.Equal(t, order[1], u.Choose(Flow{}, 0).Key)

	// A changed set: reshuffled, index back to 0.
	u.SetEndpoints(keys[:4])
	assert.ElementsMatch(t, keys[:4], u.Endpoints())
	assert.Equal(t, u.Endpoints()[0], u.Choose(Flow{}, 0).Key)

	u.SetEndpoints(nil)
	assert.True(t, u.Choose(Flow{}, 0).None())
}

func TestUserspaceShuffleIsSeeded(t *testing.T) {
	a := NewUserspaceRR(sim.NewRand(1, "test/userspace"), 0)
	b := NewUserspaceRR(sim.NewRand(1, "test/userspace"), 0)
	a.SetEndpoints(testKeys(20))
	b.SetEndpoints(testKeys(20))
	assert.Equal(t, a.Endpoints(), b.Endpoints())
}

type scriptedDialer struct {
	fail  map[string]bool
	tried []string
	tos   []sim.Duration
}

func (d *scriptedDialer) Dial(key string, timeout sim.Duration) (bool, sim.Duration) {
	d.tried = append(d.tried, key)
	d.tos = append(d.tos, timeout)
	if d.fail[key] {
		return false, timeout // timed out
	}
	return true, time.Millisecond
}

func TestUserspaceTryConnect(t *testing.T) {
	client := netip.MustParseAddr("10.9.0.1")
	u := NewUserspaceRR(sim.NewRand(2, "test/userspace/dial"), time.Hour)
	u.SetEndpoints(testKeys(5))
	order := u.Endpoints()

	// First dial works: pinned to order[0].
	d := &scriptedDialer{}
	r := u.TryConnect(Flow{Src: client}, 0, d)
	require.True(t, r.Connected)
	assert.Equal(t, order[0], r.Key)
	assert.Equal(t, 1, r.Attempts)

	// order[0] now times out: the affine dial fails, then affinity is reset
	// and the next round-robin endpoint (order[1]) is dialled and pinned.
	d = &scriptedDialer{fail: map[string]bool{order[0]: true}}
	r = u.TryConnect(Flow{Src: client}, sim.Time(time.Second), d)
	require.True(t, r.Connected)
	assert.Equal(t, []string{order[0], order[1]}, d.tried)
	assert.Equal(t, []sim.Duration{250 * time.Millisecond, 500 * time.Millisecond}, d.tos)
	assert.Equal(t, 250*time.Millisecond+time.Millisecond, r.Elapsed)
	assert.Equal(t, 2, r.Attempts)
	c := u.Choose(Flow{Src: client}, sim.Time(2*time.Second))
	assert.True(t, c.Affine)
	assert.Equal(t, order[1], c.Key)

	// Everything down: four attempts, 250+500+1000+2000 ms.
	all := map[string]bool{}
	for _, k := range order {
		all[k] = true
	}
	d = &scriptedDialer{fail: all}
	r = u.TryConnect(Flow{Src: client}, sim.Time(3*time.Second), d)
	assert.False(t, r.Connected)
	assert.Equal(t, UserspaceDialAttempts, r.Attempts)
	assert.Equal(t, 3750*time.Millisecond, r.Elapsed)
	assert.Len(t, d.tried, 4)
}

func TestUserspaceAffinityDroppedForRemovedEndpoint(t *testing.T) {
	client := netip.MustParseAddr("10.9.0.1")
	u := NewUserspaceRR(sim.NewRand(2, "test/userspace/stale"), time.Hour)
	keys := testKeys(3)
	u.SetEndpoints(keys)
	first := u.Choose(Flow{Src: client}, 0)
	var rest []string
	for _, k := range keys {
		if k != first.Key {
			rest = append(rest, k)
		}
	}
	u.SetEndpoints(rest)
	assert.Equal(t, 0, u.Affinity().Len())
	c := u.Choose(Flow{Src: client}, 1)
	assert.False(t, c.Affine)
	assert.NotEqual(t, first.Key, c.Key)
}
