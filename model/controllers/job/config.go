package job

import (
	"time"
)

// Config holds the Job controller's settings, with kube-controller-manager's
// defaults from DefaultConfig.
type Config struct {
	// Start is the wall date of simulated time zero: Job startTime,
	// completionTime and condition times are written as wall dates.
	Start time.Time
	// ConcurrentJobSyncs is --concurrent-job-syncs (5).
	ConcurrentJobSyncs int
	// ConcurrentTTLSyncs is --concurrent-ttl-after-finished-syncs (5).
	ConcurrentTTLSyncs int
	// TTLAfterFinished runs the ttl-after-finished controller alongside
	// (default true).
	TTLAfterFinished bool
	// QPS and Burst are kube-controller-manager's client limits (20, 30);
	// each controller gets its own client as in the controller manager.
	QPS   float64
	Burst int
	// SyncBatchPeriod delays syncs triggered by pod events, batching them
	// (syncJobBatchPeriod, 1 s).
	SyncBatchPeriod time.Duration
	// PodFailureBackoff and MaxPodFailureBackoff shape the delay before
	// failed pods are replaced: 10 s doubling per failure, capped at
	// 10 min (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff).
	PodFailureBackoff    time.Duration
	MaxPodFailureBackoff time.Duration
	// APIBackoff and MaxAPIBackoff are the work queue's per-item retry
	// delays after a failed sync (DefaultJobApiBackOff 1 s,
	// MaxJobApiBackOff 1 min).
	APIBackoff    time.Duration
	MaxAPIBackoff time.Duration
	// MaxPodCreateDeletePerSync caps pod creations or deletions per sync (500).
	MaxPodCreateDeletePerSync int
	// MaxUncountedPods caps how many finished pods one sync counts (500).
	MaxUncountedPods int
}

// DefaultConfig returns upstream's defaults; Start is left zero.
func DefaultConfig() Config {
	return Config{
		ConcurrentJobSyncs:        5,
		ConcurrentTTLSyncs:        5,
		TTLAfterFinished:          true,
		QPS:                       20,
		Burst:                     30,
		SyncBatchPeriod:           time.Second,
		PodFailureBackoff:         10 * time.Second,
		MaxPodFailureBackoff:      10 * time.Minute,
		APIBackoff:                time.Second,
		MaxAPIBackoff:             time.Minute,
		MaxPodCreateDeletePerSync: 500,
		MaxUncountedPods:          500,
	}
}
