package endpointslice

import "time"

// Config holds the controller's settings; DefaultConfig has
// kube-controller-manager's defaults.
type Config struct {
	// ConcurrentSyncs is --concurrent-service-endpoint-syncs (5).
	ConcurrentSyncs int
	// MaxEndpointsPerSlice is --max-endpoints-per-slice (100, at most 1000).
	MaxEndpointsPerSlice int
	// EndpointUpdatesBatchPeriod delays syncs triggered by pod changes
	// (--endpointslice-updates-batch-period, 0).
	EndpointUpdatesBatchPeriod time.Duration
	// QPS and Burst are the controller's client limits (20, 30).
	// A zero QPS takes the defaults; a negative one is unthrottled.
	QPS   float64
	Burst int
	// MaxRetries is how often a failing Service is retried with backoff
	// before it is dropped until its next change (15).
	MaxRetries int
	// ResyncPeriod is the informers' resync (upstream 12-24 h, randomised);
	// 0 disables it.
	ResyncPeriod time.Duration
}

// DefaultConfig returns upstream's defaults.
func DefaultConfig() Config {
	return Config{ConcurrentSyncs: 5, MaxEndpointsPerSlice: 100, QPS: 20, Burst: 30, MaxRetries: 15, ResyncPeriod: 12 * time.Hour}
}
