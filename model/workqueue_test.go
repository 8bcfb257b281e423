package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

// After client-go workqueue default_rate_limiters_test.go.
func TestItemExponentialFailureRateLimiter(t *testing.T) {
	l := NewItemExponentialFailureRateLimiter(1*time.Millisecond, 1*time.Second)
	want := []time.Duration{1, 2, 4, 8, 16}
	for _, w := range want {
		require.Equal(t, w*time.Millisecond, l.When("one", 0))
	}
	require.Equal(t, 5, l.NumRequeues("one"))
	require.Equal(t, time.Millisecond, l.When("two", 0))
	l.Forget("one")
	require.Zero(t, l.NumRequeues("one"))
	require.Equal(t, time.Millisecond, l.When("one", 0))
	for i := 0; i < 20; i++ {
		l.When("cap", 0)
	}
	require.Equal(t, time.Second, l.When("cap", 0))
}

func TestDefaultControllerRateLimiter(t *testing.T) {
	l := DefaultControllerRateLimiter()
	// The first 100 items at one instant pass on the item limiter's 5 ms;
	// the 101st waits for the 10 qps bucket (100 ms).
	for i := 0; i < 100; i++ {
		require.Equal(t, 5*time.Millisecond, l.When(string(rune('a'+i%26))+string(rune('0'+i/26)), 0))
	}
	require.Equal(t, 100*time.Millisecond, l.When("late", 0))
}

func TestWorkQueueDedupesAndRequeuesWhileProcessing(t *testing.T) {
	k := sim.NewKernel(1)
	ready := 0
	q := NewWorkQueue(k, DefaultControllerRateLimiter(), func() { ready++ })
	q.Add("a")
	q.Add("b")
	q.Add("a")
	require.Equal(t, 2, q.Len())
	item, ok := q.Get()
	require.True(t, ok)
	require.Equal(t, "a", item)
	q.Add("a") // while processing: held back
	require.Equal(t, 1, q.Len())
	q.Done("a")
	require.Equal(t, 2, q.Len(), "re-added after Done")
	k.Run(sim.Never)
	require.Equal(t, 1, ready, "one notification for the burst")

	q.AddAfter("c", time.Second)
	q.AddAfter("c", 2*time.Second) // later duplicate ignored
	k.Run(sim.Time(999 * time.Millisecond))
	require.Equal(t, 2, q.Len())
	k.Run(sim.Time(time.Second))
	require.Equal(t, 3, q.Len())
}
