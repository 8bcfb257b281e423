package sim

import (
	"fmt"
	"time"
)

// Time is virtual time: nanoseconds since the scenario start. The scenario
// names the wall date that Time zero stands for.
type Time int64

// Duration is a span of virtual time. It is the standard library's type so
// that time.Second and friends read naturally in model code.
type Duration = time.Duration

// Never is a Time later than any event; Run(Never) runs until the queue drains.
const Never Time = 1<<63 - 1

// Add returns t+d, saturating at Never.
func (t Time) Add(d Duration) Time {
	s := t + Time(d)
	if d > 0 && s < t {
		return Never
	}
	return s
}

// Sub returns the duration t-u.
func (t Time) Sub(u Time) Duration { return Duration(t - u) }

// Before reports whether t is earlier than u.
func (t Time) Before(u Time) bool { return t < u }

// After reports whether t is later than u.
func (t Time) After(u Time) bool { return t > u }

// Seconds returns t in seconds as a float.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// Wall returns the wall-clock instant t stands for, given the wall date of
// time zero.
func (t Time) Wall(start time.Time) time.Time { return start.Add(time.Duration(t)) }

// String formats t as an offset from the start, e.g. "1h2m3.5s".
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	return fmt.Sprintf("+%s", time.Duration(t))
}
