package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestKernelOrdersByTimeThenSchedulingOrder(t *testing.T) {
	k := NewKernel(1)
	var got []string
	rec := func(s string) Handler { return HandlerFunc(func(Time) { got = append(got, s) }) }
	k.At(20, rec("c"))
	k.At(10, rec("a"))
	k.At(10, rec("b")) // same instant: fires after a, which was scheduled first
	k.At(5, HandlerFunc(func(now Time) {
		got = append(got, "first")
		k.At(now, rec("same-instant-from-handler")) // fires after everything already at 5
	}))
	k.At(5, rec("second"))
	k.Run(Never)
	require.Equal(t, []string{"first", "second", "same-instant-from-handler", "a", "b", "c"}, got)
	require.Equal(t, Time(20), k.Now())
	require.Equal(t, "drained", k.StopReason())
	require.Equal(t, uint64(6), k.Fired())
}

func TestKernelCancelAndReset(t *testing.T) {
	k := NewKernel(1)
	fired := map[string]Time{}
	h := func(s string) Handler { return HandlerFunc(func(now Time) { fired[s] = now }) }
	a := k.At(10, h("a"))
	b := k.At(10, h("b"))
	require.True(t, k.Active(a))
	require.True(t, k.Cancel(a))
	require.False(t, k.Cancel(a), "cancelling twice reports not pending")
	require.False(t, k.Active(a))
	b = k.Reset(b, 30, h("b"))
	require.Equal(t, Time(30), b.At())
	require.False(t, k.Cancel(Timer{}), "zero timer is no event")
	k.Run(Never)
	require.Equal(t, map[string]Time{"b": 30}, fired)
}

func TestKernelRunUntilAdvancesToHorizon(t *testing.T) {
	k := NewKernel(1)
	n := 0
	var tick HandlerFunc
	tick = func(now Time) { n++; k.After(time.Second, tick) }
	k.After(time.Second, tick)
	k.Run(Time(10*time.Second + 500*time.Millisecond))
	require.Equal(t, 10, n, "ticks at 1s..10s")
	require.Equal(t, Time(10*time.Second+500*time.Millisecond), k.Now())
	require.Equal(t, "until", k.StopReason())
	k.Run(Time(12 * time.Second))
	require.Equal(t, 12, n, "an event exactly at the horizon fires")
}

func TestKernelStopConditions(t *testing.T) {
	k := NewKernel(1)
	n := 0
	for i := 1; i <= 100; i++ {
		k.At(Time(i), HandlerFunc(func(Time) { n++ }))
	}
	k.StopWhen("ten-done", func() bool { return n >= 10 })
	k.Run(Never)
	require.Equal(t, 10, n)
	require.Equal(t, "ten-done", k.StopReason())
	require.Equal(t, Time(10), k.Now())

	k2 := NewKernel(1)
	k2.At(1, HandlerFunc(func(Time) { k2.Stop("asked") }))
	k2.At(2, HandlerFunc(func(Time) { t.Fatal("ran past Stop") }))
	k2.Run(Never)
	require.Equal(t, "asked", k2.StopReason())
}

func TestKernelPanicsOnPastEvent(t *testing.T) {
	k := NewKernel(1)
	k.At(10, HandlerFunc(func(Time) {}))
	k.Run(Never)
	require.Panics(t, func() { k.At(5, HandlerFunc(func(Time) {})) })
}

func TestStepOneAtATime(t *testing.T) {
	k := NewKernel(1)
	var got []Time
	for _, at := range []Time{3, 1, 2} {
		k.At(at, HandlerFunc(func(now Time) { got = append(got, now) }))
	}
	require.True(t, k.Step())
	require.Equal(t, Time(1), k.Now())
	require.True(t, k.Step())
	require.True(t, k.Step())
	require.False(t, k.Step())
	require.Equal(t, []Time{1, 2, 3}, got)
}

// inboxClock stands in for a wall clock: it wakes early once, delivering a
// completion from "outside" at instant 5 while the next event is at 10.
type inboxClock struct {
	posted []Handler
	woke   bool
}

func (c *inboxClock) Advance(next Time) Time {
	if !c.woke && next >= 10 {
		c.woke = true
		return 5
	}
	return next
}

func (c *inboxClock) TakeInbox() []Handler {
	p := c.posted
	c.posted = nil
	return p
}

func TestKernelRunsInboxAtWakeInstant(t *testing.T) {
	k := NewKernel(1)
	var got []string
	c := &inboxClock{}
	c.posted = []Handler{HandlerFunc(func(now Time) {
		got = append(got, "exit@"+now.String())
		k.At(now+1, HandlerFunc(func(now Time) { got = append(got, "followup@"+now.String()) }))
	})}
	k.SetClock(c)
	k.At(10, HandlerFunc(func(now Time) { got = append(got, "timer@"+now.String()) }))
	k.Run(Never)
	require.Equal(t, []string{"exit@+5ns", "followup@+6ns", "timer@+10ns"}, got)
}

func TestTimeArithmetic(t *testing.T) {
	require.Equal(t, Never, Time(Never-1).Add(time.Hour))
	require.Equal(t, Time(1500), Time(1000).Add(500))
	require.Equal(t, 2*time.Second, Time(3e9).Sub(Time(1e9)))
	require.Equal(t, "+1m30s", Time(90*time.Second).String())
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	require.Equal(t, time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC), Time(30*time.Minute).Wall(start))
}

func TestRunUntilDone(t *testing.T) {
	k := NewKernel(1)
	n := 0
	var tick HandlerFunc
	tick = func(Time) { n++; k.After(time.Second, tick) }
	k.After(0, tick)
	k.RunUntil(Never, func() bool { return n == 5 })
	require.Equal(t, "done", k.StopReason())
	require.Equal(t, 5, n)
	require.Equal(t, Time(4*time.Second), k.Now())
}
