package ctrlutil

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

// TestSlowStartStopsAfterFailedBatch: ten calls of which the sixth and
// later fail run as batches 1+2+4; the call indexes are 0..6 in order and
// the three calls of the batch never started are reported as skipped.
// (Upstream's TestSlowStartBatch cases are in the replicaset package.)
func TestSlowStartStopsAfterFailedBatch(t *testing.T) {
	fake := errors.New("fake error")
	k := sim.NewKernel(1)
	var indexes []int
	var gotSuccesses, gotSkipped int
	var gotErr error
	SlowStart(10, SlowStartInitialBatchSize, func(i int, done func(error)) {
		indexes = append(indexes, i)
		ok := len(indexes) <= 5
		k.AfterFunc(10*time.Millisecond, func(sim.Time) {
			if ok {
				done(nil)
				return
			}
			done(fake)
		})
	}, func(successes, skipped int, err error) {
		gotSuccesses, gotSkipped, gotErr = successes, skipped, err
	})
	k.Run(sim.Never)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, indexes)
	require.Equal(t, 5, gotSuccesses)
	require.Equal(t, 3, gotSkipped)
	require.Equal(t, fake, gotErr)
}

// TestSlowStartSynchronous: callbacks returning inside call start the next
// batch at once without losing or repeating an index; nothing to do
// finishes at once.
func TestSlowStartSynchronous(t *testing.T) {
	var indexes []int
	finished := 0
	SlowStart(7, 1, func(i int, done func(error)) {
		indexes = append(indexes, i)
		done(nil)
	}, func(successes, skipped int, err error) {
		finished++
		require.Equal(t, 7, successes)
		require.Zero(t, skipped)
		require.NoError(t, err)
	})
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, indexes)
	SlowStart(0, 1, func(int, func(error)) { t.Fatal("no call expected") }, func(successes, skipped int, err error) {
		finished++
		require.Zero(t, successes+skipped)
		require.NoError(t, err)
	})
	require.Equal(t, 2, finished)
	require.Equal(t, []int{3, 4}, SlowStartBatches(7, 3))
}
