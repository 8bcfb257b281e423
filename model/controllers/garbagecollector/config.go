package garbagecollector

import "time"

// Config holds the garbage collector's settings; DefaultConfig has
// kube-controller-manager's defaults.
type Config struct {
	// ConcurrentSyncs is --concurrent-gc-syncs (20): workers for the
	// attemptToDelete queue, and as many for attemptToOrphan.
	ConcurrentSyncs int
	// QPS and Burst are the collector's client limits (20, 30).
	// A zero QPS takes the defaults; a negative one is unthrottled.
	QPS   float64
	Burst int
	// Kinds are the kinds watched and collected (upstream: every resource
	// that supports delete, list and watch); nil means every kind kubesim
	// models.
	Kinds []string
	// ResyncPeriod of the informers; 0 (the default) disables it, as the
	// collector's monitors are not resynced upstream either.
	ResyncPeriod time.Duration
}

// DefaultConfig returns upstream's defaults.
func DefaultConfig() Config {
	return Config{ConcurrentSyncs: 20, QPS: 20, Burst: 30}
}
