package ctrlutil

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

// TestControllerExpectations follows upstream's TestControllerExpectations
// (pkg/controller/controller_utils_test.go).
func TestControllerExpectations(t *testing.T) {
	k := sim.NewKernel(1)
	e := NewExpectations(k.Now, ExpectationsTimeout)
	require.True(t, e.Satisfied("rc"), "no record: sync")
	e.SetExpectations("rc", 2, 1)
	for i := 0; i < 2; i++ {
		require.False(t, e.Satisfied("rc"))
		e.CreationObserved("rc")
	}
	require.False(t, e.Satisfied("rc"), "a deletion is still pending")
	e.DeletionObserved("rc")
	require.True(t, e.Satisfied("rc"))
	add, del := e.Pending("rc")
	require.Equal(t, [2]int64{0, 0}, [2]int64{add, del})

	e.ExpectCreations("rc", 5)
	e.LowerExpectations("rc", 4, 0)
	require.False(t, e.Satisfied("rc"))
	e.ExpectDeletions("rc", 1)
	require.False(t, e.Satisfied("rc"))
	e.Delete("rc")
	require.True(t, e.Satisfied("rc"))
	e.LowerExpectations("rc", 1, 1) // no record: nothing to lower
	add, del = e.Pending("rc")
	require.Equal(t, [2]int64{0, 0}, [2]int64{add, del})

	e.ExpectCreations("rc", 1)
	k.AfterFunc(ExpectationsTimeout, func(sim.Time) { require.False(t, e.Satisfied("rc"), "not yet expired") })
	k.AfterFunc(ExpectationsTimeout+time.Nanosecond, func(sim.Time) {})
	k.Run(sim.Never)
	require.True(t, e.Satisfied("rc"), "expired")
}

// TestUIDTrackingExpectations follows upstream's TestUIDExpectations.
func TestUIDTrackingExpectations(t *testing.T) {
	k := sim.NewKernel(1)
	e := NewUIDTrackingExpectations(k.Now, ExpectationsTimeout)
	e.ExpectDeletions("rs", []string{"ns/p1", "ns/p2", "ns/p2"})
	add, del := e.Pending("rs")
	require.Equal(t, [2]int64{0, 2}, [2]int64{add, del}, "keys counted once")
	e.DeletionObserved("rs", "ns/other")
	e.DeletionObserved("rs", "ns/p1")
	e.DeletionObserved("rs", "ns/p1")
	require.False(t, e.Satisfied("rs"))
	e.DeletionObserved("rs", "ns/p2")
	require.True(t, e.Satisfied("rs"))
	e.ExpectDeletions("rs", []string{"ns/p3"})
	e.Delete("rs")
	require.True(t, e.Satisfied("rs"))
	e.DeletionObserved("rs", "ns/p3")
	add, del = e.Pending("rs")
	require.Equal(t, [2]int64{0, 0}, [2]int64{add, del}, "forgotten with the key")
}
