package replicaset

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// TestSlowStartBatch is upstream's TestSlowStartBatch
// (pkg/controller/replicaset/replica_set_test.go), with each call completing
// 10 ms later in simulated time.
func TestSlowStartBatch(t *testing.T) {
	fake := errors.New("fake error")
	tests := []struct {
		name                  string
		count, callLimit      int
		wantSuccesses, wantCn int
		wantErr               error
	}{
		{"callLimit = 0 (all fail)", 10, 0, 0, 1, fake},
		{"callLimit = count (all succeed)", 10, 10, 10, 10, nil}, // 1+2+4+3
		{"callLimit < count (some succeed)", 10, 5, 5, 7, fake},  // 1+2+4
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := sim.NewKernel(1)
			calls := 0
			var gotS int
			var gotErr error
			finished := false
			ctrlutil.SlowStart(tc.count, 1, func(_ int, done func(error)) {
				calls++
				n := calls
				k.AfterFunc(10*time.Millisecond, func(sim.Time) {
					if n > tc.callLimit {
						done(fake)
						return
					}
					done(nil)
				})
			}, func(s, _ int, err error) { gotS, gotErr, finished = s, err, true })
			k.Run(sim.Never)
			require.True(t, finished)
			require.Equal(t, tc.wantSuccesses, gotS)
			require.Equal(t, tc.wantErr, gotErr)
			require.Equal(t, tc.wantCn, calls)
		})
	}
	require.Equal(t, []int{1, 2, 4, 8, 16, 32, 64, 128, 245}, SlowStartBatches(500, 1))
}

func TestExpectations(t *testing.T) {
	k := sim.NewKernel(1)
	e := NewExpectations(k.Now, 5*time.Minute)
	require.True(t, e.Satisfied("a"), "no record: sync")
	e.ExpectCreations("a", 2)
	require.False(t, e.Satisfied("a"))
	e.CreationObserved("a")
	e.CreationObserved("a")
	require.True(t, e.Satisfied("a"))
	e.ExpectDeletions("a", []string{"ns/p1", "ns/p2"})
	e.DeletionObserved("a", "ns/other")
	e.DeletionObserved("a", "ns/p1")
	e.DeletionObserved("a", "ns/p1") // counted once
	require.False(t, e.Satisfied("a"))
	k.AfterFunc(5*time.Minute+time.Nanosecond, func(sim.Time) {})
	k.Run(sim.Never)
	require.True(t, e.Satisfied("a"), "expired")
}
