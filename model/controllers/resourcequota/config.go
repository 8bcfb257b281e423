package resourcequota

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
	// Start is the wall date of simulated time zero (terminating pods stop
	// counting once past their deletion time plus grace).
	Start time.Time
	// ConcurrentSyncs is --concurrent-resource-quota-syncs (5), per queue.
	ConcurrentSyncs int
	// ResyncPeriod is --resource-quota-sync-period (5 min): every quota is
	// recalculated this often; negative disables it.
	ResyncPeriod time.Duration
	// QPS and Burst are the controller's client limits (20, 30). A zero QPS
	// takes the defaults; a negative one is unthrottled.
	QPS   float64
	Burst int
	// Kinds are the kinds watched and counted (upstream: every namespaced
	// resource that can be listed, watched and deleted); nil means every
	// namespaced kind kubesim models.
	Kinds []string
}

// DefaultConfig returns upstream's defaults.
func DefaultConfig() Config {
	return Config{Start: DefaultStart, ConcurrentSyncs: 5, ResyncPeriod: 5 * time.Minute, QPS: 20, Burst: 30}
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
