package statefulset

import "time"

// DefaultStart is the wall date simulated time zero stands for unless the
// caller says otherwise (kubesim's scenario default and the API server's
// test start).
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config holds the controller's settings; DefaultConfig has
// kube-controller-manager's defaults.
type Config struct {
	// Start is the wall date of simulated time zero. It must equal the API
	// server's start: pod readiness times written by others are compared
	// with the controller's clock (minReadySeconds).
	Start time.Time
	// ConcurrentSyncs is --concurrent-statefulset-syncs (5).
	ConcurrentSyncs int
	// QPS and Burst are the controller's client limits (kube-controller-
	// manager --kube-api-qps 20, --kube-api-burst 30). A zero QPS takes the
	// defaults; a negative one is unthrottled.
	QPS   float64
	Burst int
	// ResyncPeriod is the informers' resync (upstream 12-24 h, randomised);
	// 0 disables it.
	ResyncPeriod time.Duration
}

// DefaultConfig returns upstream's defaults.
func DefaultConfig() Config {
	return Config{
		Start:           DefaultStart,
		ConcurrentSyncs: 5,
		QPS:             20,
		Burst:           30,
		ResyncPeriod:    12 * time.Hour,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	def := DefaultConfig()
	if c.Start.IsZero() {
		c.Start = def.Start
	}
	if c.ConcurrentSyncs <= 0 {
		c.ConcurrentSyncs = def.ConcurrentSyncs
	}
	if c.QPS == 0 {
		c.QPS, c.Burst = def.QPS, def.Burst
	}
	return c
}
