package namespace

import (
	"time"

	"github.com/kubesim/kubesim/model"
)

// DefaultStart is the wall date simulated time zero stands for unless the
// caller says otherwise.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config holds the controller's settings; DefaultConfig has
// kube-controller-manager's defaults.
type Config struct {
	// Start is the wall date of simulated time zero (the namespace's
	// deletionTimestamp is compared with the controller's clock).
	Start time.Time
	// ConcurrentSyncs is --concurrent-namespace-syncs (10).
	ConcurrentSyncs int
	// ResyncPeriod is --namespace-sync-period (5 min): namespaces being
	// deleted are looked at again this often.
	ResyncPeriod time.Duration
	// DeletionGracePeriod delays every sync of a namespace being deleted
	// (namespaceDeletionGracePeriod, 5 s), so that all API servers have
	// seen the deletion.
	DeletionGracePeriod time.Duration
	// FinalizerEstimate is how long to wait for objects that remain
	// because of finalizers (finalizerEstimateSeconds, 15 s); the
	// namespace is looked at again after half of it.
	FinalizerEstimate time.Duration
	// QPS and Burst are the controller's client limits: the controller
	// manager gives the namespace controller 20 times its QPS and 100 times
	// its burst (400, 3000). A zero QPS takes the defaults; a negative one
	// is unthrottled.
	QPS   float64
	Burst int
	// Kinds are the namespaced kinds whose objects are deleted, in order
	// (upstream: every namespaced resource discovery lists that supports
	// delete); nil means every namespaced kind kubesim models, in
	// model.Kinds order.
	Kinds []string
}

// DefaultConfig returns upstream's defaults.
func DefaultConfig() Config {
	return Config{
		Start:               DefaultStart,
		ConcurrentSyncs:     10,
		ResyncPeriod:        5 * time.Minute,
		DeletionGracePeriod: 5 * time.Second,
		FinalizerEstimate:   15 * time.Second,
		QPS:                 400,
		Burst:               3000,
	}
}

func (c Config) withDefaults() Config {
	def := DefaultConfig()
	if c.Start.IsZero() {
		c.Start = def.Start
	}
	if c.ConcurrentSyncs <= 0 {
		c.ConcurrentSyncs = def.ConcurrentSyncs
	}
	switch {
	case c.ResyncPeriod == 0:
		c.ResyncPeriod = def.ResyncPeriod
	case c.ResyncPeriod < 0:
		c.ResyncPeriod = 0 // disabled
	}
	if c.DeletionGracePeriod <= 0 {
		c.DeletionGracePeriod = def.DeletionGracePeriod
	}
	if c.FinalizerEstimate <= 0 {
		c.FinalizerEstimate = def.FinalizerEstimate
	}
	if c.QPS == 0 {
		c.QPS, c.Burst = def.QPS, def.Burst
	}
	if c.Kinds == nil {
		for _, k := range model.Kinds() {
			if k.Namespaced {
				c.Kinds = append(c.Kinds, k.Kind)
			}
		}
	}
	return c
}
