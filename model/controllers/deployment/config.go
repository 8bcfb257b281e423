package deployment

import "time"

// DefaultStart is the wall date simulated time zero stands for unless the
// caller says otherwise (kubesim's scenario default).
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config holds the controller's settings; DefaultConfig has
// kube-controller-manager's defaults.
type Config struct {
	// Start is the wall date of simulated time zero; it must equal the API
	// server's start (condition times are compared with progress deadlines).
	Start time.Time
	// ConcurrentSyncs is --concurrent-deployment-syncs (5).
	ConcurrentSyncs int
	// QPS and Burst are the controller's client limits (20, 30).
	// A zero QPS takes the defaults; a negative one is unthrottled.
	QPS   float64
	Burst int
	// MaxRetries is how often a failing Deployment is requeued with
	// backoff before it is dropped until its next change (15).
	MaxRetries int
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
		MaxRetries:      15,
		ResyncPeriod:    12 * time.Hour,
	}
}
