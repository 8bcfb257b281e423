package kubelet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

func TestBackoffDoublesToMaxAndResets(t *testing.T) {
	b := NewBackoff(10*time.Second, 300*time.Second)
	now := sim.Time(0)
	var delays []time.Duration
	for range 8 {
		b.Next("c", now, now)
		delays = append(delays, b.Get("c"))
		now = now.Add(b.Get("c"))
	}
	s := time.Second
	require.Equal(t, []time.Duration{10 * s, 20 * s, 40 * s, 80 * s, 160 * s, 300 * s, 300 * s, 300 * s}, delays)

	// Within 2 × max of the last update the entry holds; beyond, it is stale.
	last := now
	require.True(t, b.IsInBackOffSince("c", last.Add(time.Minute), last.Add(time.Minute+time.Second)))
	require.False(t, b.IsInBackOffSince("c", last.Add(10*time.Minute+time.Second), last.Add(10*time.Minute+2*time.Second)),
		"a failure more than 10 minutes after the last restart is not backed off")
	b.Next("c", last.Add(10*time.Minute+time.Second), last.Add(10*time.Minute+time.Second))
	require.Equal(t, 10*time.Second, b.Get("c"), "the entry starts over")

	require.False(t, b.IsInBackOffSince("other", 0, 0))
	b.Next("img", 0, 0)
	require.True(t, b.IsInBackOffSinceUpdate("img", sim.Time(9*time.Second)))
	require.False(t, b.IsInBackOffSinceUpdate("img", sim.Time(10*time.Second)))
}
