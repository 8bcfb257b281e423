package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

func TestTokenBucket(t *testing.T) {
	// The scheduler's defaults: 50 qps, burst 100. 100 requests at t=0 go
	// out at once; the 101st waits one token time (20 ms), the 102nd 40 ms.
	b := NewTokenBucket(50, 100)
	for i := 0; i < 100; i++ {
		require.Zero(t, b.Reserve(0), "request %d", i)
	}
	require.Equal(t, 20*time.Millisecond, b.Reserve(0))
	require.Equal(t, 40*time.Millisecond, b.Reserve(0))
	// One second later 50 tokens have refilled, minus the 2 owed.
	for i := 0; i < 48; i++ {
		require.Zero(t, b.Reserve(sim.Time(time.Second)), "request %d", i)
	}
	require.Equal(t, 20*time.Millisecond, b.Reserve(sim.Time(time.Second)))
}
