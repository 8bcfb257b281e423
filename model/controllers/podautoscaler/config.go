package podautoscaler

import "time"

// DefaultStart is the wall date simulated time zero stands for unless the
// caller says otherwise.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config holds the controller's settings; DefaultConfig has
// kube-controller-manager's defaults.
type Config struct {
	// Start is the wall date of simulated time zero; pod start and
	// readiness times are compared with the controller's clock.
	Start time.Time
	// Metrics is where pod usage comes from (the resource metrics API,
	// metrics-server). Required: without it every resource metric fails.
	Metrics MetricsSource
	// SyncPeriod is --horizontal-pod-autoscaler-sync-period (15 s): each
	// HPA is reconciled this long after its previous reconciliation, and
	// first this long after it appears.
	SyncPeriod time.Duration
	// ConcurrentSyncs is --concurrent-horizontal-pod-autoscaler-syncs (5).
	ConcurrentSyncs int
	// Tolerance is --horizontal-pod-autoscaler-tolerance (0.1): usage
	// ratios within [1-t, 1+t] do not scale.
	Tolerance float64
	// ConfigurableTolerance is the HPAConfigurableTolerance feature (beta,
	// on in 1.35): behavior.scaleUp/scaleDown.tolerance override Tolerance.
	ConfigurableTolerance bool
	// DownscaleStabilization is
	// --horizontal-pod-autoscaler-downscale-stabilization (5 min).
	DownscaleStabilization time.Duration
	// CPUInitializationPeriod is
	// --horizontal-pod-autoscaler-cpu-initialization-period (5 min).
	CPUInitializationPeriod time.Duration
	// InitialReadinessDelay is
	// --horizontal-pod-autoscaler-initial-readiness-delay (30 s).
	InitialReadinessDelay time.Duration
	// MetricResolution is the window each usage sample covers, reported
	// with it as the metrics API's window (metrics-server
	// --metric-resolution, 15 s). Within the CPU initialization period a
	// pod whose readiness changed less than a window ago is unready.
	MetricResolution time.Duration
	// QPS and Burst are the controller's client limits (20, 30). A zero QPS
	// takes the defaults; a negative one is unthrottled.
	QPS   float64
	Burst int
}

// DefaultConfig returns upstream's defaults (Metrics is left nil).
func DefaultConfig() Config {
	return Config{
		Start:                   DefaultStart,
		SyncPeriod:              15 * time.Second,
		ConcurrentSyncs:         5,
		Tolerance:               0.1,
		ConfigurableTolerance:   true,
		DownscaleStabilization:  5 * time.Minute,
		CPUInitializationPeriod: 5 * time.Minute,
		InitialReadinessDelay:   30 * time.Second,
		MetricResolution:        15 * time.Second,
		QPS:                     20,
		Burst:                   30,
	}
}

// withDefaults fills zero durations and counts from DefaultConfig.
func (c Config) withDefaults() Config {
	def := DefaultConfig()
	if c.Start.IsZero() {
		c.Start = def.Start
	}
	if c.SyncPeriod <= 0 {
		c.SyncPeriod = def.SyncPeriod
	}
	if c.ConcurrentSyncs <= 0 {
		c.ConcurrentSyncs = def.ConcurrentSyncs
	}
	if c.DownscaleStabilization <= 0 {
		c.DownscaleStabilization = def.DownscaleStabilization
	}
	if c.CPUInitializationPeriod <= 0 {
		c.CPUInitializationPeriod = def.CPUInitializationPeriod
	}
	if c.InitialReadinessDelay <= 0 {
		c.InitialReadinessDelay = def.InitialReadinessDelay
	}
	if c.MetricResolution <= 0 {
		c.MetricResolution = def.MetricResolution
	}
	if c.QPS == 0 {
		c.QPS, c.Burst = def.QPS, def.Burst
	}
	return c
}
