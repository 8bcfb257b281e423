package nodelifecycle

import "time"

// Config holds the node lifecycle controller's settings, with
// kube-controller-manager's defaults from DefaultConfig.
type Config struct {
	// Start is the wall date of simulated time zero (heartbeats, lease
	// renew times and condition times are wall dates).
	Start time.Time
	// NodeMonitorPeriod is --node-monitor-period (5 s): how often node
	// health is checked.
	NodeMonitorPeriod time.Duration
	// NodeMonitorGracePeriod is --node-monitor-grace-period (50 s since
	// 1.32, 40 s before): how long without a heartbeat before Ready turns
	// Unknown.
	NodeMonitorGracePeriod time.Duration
	// NodeStartupGracePeriod is --node-startup-grace-period (60 s), for
	// nodes that never posted a Ready condition.
	NodeStartupGracePeriod time.Duration
	// EvictionLimiterQPS is --node-eviction-rate (0.1 nodes/s per zone):
	// the rate of NoExecute tainting in a healthy zone.
	EvictionLimiterQPS float32
	// SecondaryEvictionLimiterQPS is --secondary-node-eviction-rate (0.01)
	// for partially disrupted zones larger than LargeClusterSizeThreshold.
	SecondaryEvictionLimiterQPS float32
	// LargeClusterSizeThreshold is --large-cluster-size-threshold (50).
	LargeClusterSizeThreshold int32
	// UnhealthyZoneThreshold is --unhealthy-zone-threshold (0.55).
	UnhealthyZoneThreshold float32
	// NodeEvictionPeriod is how often the tainting queues are tried
	// (scheduler.NodeEvictionPeriod, 100 ms).
	NodeEvictionPeriod time.Duration
	// NodeUpdateWorkers and PodUpdateWorkers are the controller's worker
	// counts (8 and 4).
	NodeUpdateWorkers int
	PodUpdateWorkers  int
	// TaintEviction runs the taint eviction controller (default true).
	TaintEviction bool
	// QPS and Burst are kube-controller-manager's client limits (20, 30);
	// the taint eviction controller has its own client.
	QPS   float64
	Burst int
}

// DefaultConfig returns upstream's defaults; Start is left zero.
func DefaultConfig() Config {
	return Config{
		NodeMonitorPeriod:           5 * time.Second,
		NodeMonitorGracePeriod:      50 * time.Second,
		NodeStartupGracePeriod:      60 * time.Second,
		EvictionLimiterQPS:          0.1,
		SecondaryEvictionLimiterQPS: 0.01,
		LargeClusterSizeThreshold:   50,
		UnhealthyZoneThreshold:      0.55,
		NodeEvictionPeriod:          100 * time.Millisecond,
		NodeUpdateWorkers:           8,
		PodUpdateWorkers:            4,
		TaintEviction:               true,
		QPS:                         20,
		Burst:                       30,
	}
}
