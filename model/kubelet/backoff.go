package kubelet

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Backoff is client-go's flowcontrol.Backoff without jitter, as the
// kubelet uses it for container restarts (CrashLoopBackOff) and image
// pulls: each entry's delay starts at base and doubles per Next up to max;
// an entry not updated for 2 × max is stale and starts over.
type Backoff struct {
	base, max time.Duration
	entries   map[string]*backoffEntry
}

type backoffEntry struct {
	backoff    time.Duration
	lastUpdate sim.Time
}

// NewBackoff returns an empty backoff.
func NewBackoff(base, max time.Duration) *Backoff {
	return &Backoff{base: base, max: max, entries: map[string]*backoffEntry{}}
}

// Get returns the current delay of id (0 when unknown).
func (b *Backoff) Get(id string) time.Duration {
	if e, ok := b.entries[id]; ok {
		return e.backoff
	}
	return 0
}

// Next moves id's delay on: base for a new or stale entry, else doubled
// up to max. eventTime is the failure the delay follows; now is when the
// kubelet acts on it.
func (b *Backoff) Next(id string, eventTime, now sim.Time) {
	e, ok := b.entries[id]
	if !ok || b.hasExpired(eventTime, e.lastUpdate) {
		e = &backoffEntry{backoff: b.base}
		b.entries[id] = e
	} else {
		e.backoff = min(2*e.backoff, b.max)
	}
	e.lastUpdate = now
}

// IsInBackOffSince reports whether, at now, id is still backing off from a
// failure at eventTime (the container's finishedAt).
func (b *Backoff) IsInBackOffSince(id string, eventTime, now sim.Time) bool {
	e, ok := b.entries[id]
	if !ok || b.hasExpired(eventTime, e.lastUpdate) {
		return false
	}
	return now.Sub(eventTime) < e.backoff
}

// IsInBackOffSinceUpdate reports whether id's delay since its last update
// has not passed yet (image pulls).
func (b *Backoff) IsInBackOffSinceUpdate(id string, now sim.Time) bool {
	e, ok := b.entries[id]
	if !ok || b.hasExpired(now, e.lastUpdate) {
		return false
	}
	return now.Sub(e.lastUpdate) < e.backoff
}

// Reset forgets id.
func (b *Backoff) Reset(id string) { delete(b.entries, id) }

// expiry returns when id's backoff since eventTime ends.
func (b *Backoff) expiry(id string, eventTime sim.Time) sim.Time {
	if e, ok := b.entries[id]; ok {
		return eventTime.Add(e.backoff)
	}
	return eventTime
}

// updateExpiry returns when id's backoff since its last update ends.
func (b *Backoff) updateExpiry(id string) sim.Time {
	if e, ok := b.entries[id]; ok {
		return e.lastUpdate.Add(e.backoff)
	}
	return 0
}

// hasExpired: an entry untouched for twice the maximum is stale
// (eventTime - lastUpdate > 2 × max).
func (b *Backoff) hasExpired(eventTime, lastUpdate sim.Time) bool {
	return eventTime.Sub(lastUpdate) > 2*b.max
}
