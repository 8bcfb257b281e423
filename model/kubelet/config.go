package kubelet

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Config is the kubelet's configuration. Zero fields take the upstream
// default (KubeletConfiguration v1beta1 defaults, Kubernetes 1.35) or the
// simulation default given on each field.
type Config struct {
	// Start is the wall date simulated time zero stands for (the
	// scenario's spec.start): status timestamps are written in it.
	Start time.Time

	// QPS and Burst throttle the kubelet's API client (kubeAPIQPS 50,
	// kubeAPIBurst 100).
	QPS   float64
	Burst int

	// NodeStatusUpdateFrequency is how often the kubelet computes the node
	// status (10 s); it posts it when it changed, and at least every
	// NodeStatusReportFrequency (5 m).
	NodeStatusUpdateFrequency time.Duration
	NodeStatusReportFrequency time.Duration
	// NodeLeaseDurationSeconds is the Lease's duration (40); the lease is
	// renewed every quarter of it (10 s).
	NodeLeaseDurationSeconds int32
	// JitterFactor spreads the status and lease loops (wait.JitterUntil's
	// 0.04): each period lasts period × (1 + factor × U[0,1)). A negative
	// value disables jitter.
	JitterFactor float64

	// SandboxLatency is the time to create a pod's sandbox (pause
	// container and network), in seconds; default normal(0.5, 0.1)
	// clamped to [0.05, 5].
	SandboxLatency *model.DistSpec
	// ContainerCreateLatency is the time to create a container before it
	// starts, in seconds; default normal(1, 0.2) clamped to [0.1, 10].
	ContainerCreateLatency *model.DistSpec

	// SerializeImagePulls pulls one image at a time (upstream default
	// true); false lets pulls run in parallel, sharing the bandwidth.
	SerializeImagePulls *bool
	// ImagePullBackOff and CrashLoopBackOff: initial 10 s, doubling to
	// at most 300 s; an entry resets after twice the maximum without a
	// failure.
	ImagePullBackOffBase, ImagePullBackOffMax time.Duration
	CrashLoopBackOffBase, CrashLoopBackOffMax time.Duration
	// PodWorkerBackOff is when a pod whose sync hit an error (a failed
	// pull, a container in back-off) is synced again at the latest (10 s,
	// the pod workers' backOffPeriod).
	PodWorkerBackOff time.Duration
	// PLEGRelistPeriod: a container's exit is noticed at the next relist
	// of the pod lifecycle event generator (1 s). Negative: at once.
	PLEGRelistPeriod time.Duration

	// Eviction thresholds (evictionHard): memory.available < 100Mi,
	// nodefs.available < 10%, imagefs.available < 15% (the image
	// filesystem is the node filesystem). Negative disables one.
	EvictionMemoryAvailable    int64
	EvictionNodeFSPercent      int64
	EvictionImageFSPercent     int64
	EvictionMonitoring         time.Duration // 10 s
	EvictionPressureTransition time.Duration // 5 m
	// EvictionGracePeriod is the hard eviction grace period override (1 s).
	EvictionGracePeriod time.Duration

	// TaintNodesByCondition makes the kubelet keep the memory-pressure and
	// disk-pressure NoSchedule taints in step with its conditions, the
	// node lifecycle controller's job upstream (default true while that
	// controller is not simulated).
	TaintNodesByCondition *bool
	// MaxPods applies when the node's allocatable has no pods entry (110).
	MaxPods int64
	// MountLatency is the time to stage and publish a volume of each CSI
	// driver, by driver name (default 0.5 s).
	MountLatency map[string]*model.DistSpec
}

// Upstream defaults.
const (
	DefaultQPS                        = 50
	DefaultBurst                      = 100
	DefaultNodeStatusUpdateFrequency  = 10 * time.Second
	DefaultNodeStatusReportFrequency  = 5 * time.Minute
	DefaultNodeLeaseDurationSeconds   = 40
	DefaultJitterFactor               = 0.04
	DefaultBackOffBase                = 10 * time.Second
	DefaultBackOffMax                 = 300 * time.Second
	DefaultPodWorkerBackOff           = 10 * time.Second
	DefaultPLEGRelistPeriod           = time.Second
	DefaultEvictionMemoryAvailable    = 100 << 20
	DefaultEvictionNodeFSPercent      = 10
	DefaultEvictionImageFSPercent     = 15
	DefaultEvictionMonitoring         = 10 * time.Second
	DefaultEvictionPressureTransition = 5 * time.Minute
	DefaultEvictionGracePeriod        = time.Second
	DefaultMaxPods                    = 110
	// MinimumGracePeriod is the shortest SIGTERM-to-SIGKILL window the
	// kubelet gives a container (minimumGracePeriodInSeconds).
	MinimumGracePeriod = 2 * time.Second
)

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	dur := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	if c.QPS == 0 {
		c.QPS = DefaultQPS
	}
	if c.Burst == 0 {
		c.Burst = DefaultBurst
	}
	dur(&c.NodeStatusUpdateFrequency, DefaultNodeStatusUpdateFrequency)
	dur(&c.NodeStatusReportFrequency, DefaultNodeStatusReportFrequency)
	if c.NodeLeaseDurationSeconds == 0 {
		c.NodeLeaseDurationSeconds = DefaultNodeLeaseDurationSeconds
	}
	if c.JitterFactor == 0 {
		c.JitterFactor = DefaultJitterFactor
	}
	if c.SandboxLatency == nil {
		c.SandboxLatency = &model.DistSpec{Kind: sim.DistNormal, Mean: 0.5, StdDev: 0.1, Clamp: true, Min: 0.05, Max: 5}
	}
	if c.ContainerCreateLatency == nil {
		c.ContainerCreateLatency = &model.DistSpec{Kind: sim.DistNormal, Mean: 1, StdDev: 0.2, Clamp: true, Min: 0.1, Max: 10}
	}
	if c.SerializeImagePulls == nil {
		c.SerializeImagePulls = model.Ptr(true)
	}
	dur(&c.ImagePullBackOffBase, DefaultBackOffBase)
	dur(&c.ImagePullBackOffMax, DefaultBackOffMax)
	dur(&c.CrashLoopBackOffBase, DefaultBackOffBase)
	dur(&c.CrashLoopBackOffMax, DefaultBackOffMax)
	dur(&c.PodWorkerBackOff, DefaultPodWorkerBackOff)
	dur(&c.PLEGRelistPeriod, DefaultPLEGRelistPeriod)
	if c.EvictionMemoryAvailable == 0 {
		c.EvictionMemoryAvailable = DefaultEvictionMemoryAvailable
	}
	if c.EvictionNodeFSPercent == 0 {
		c.EvictionNodeFSPercent = DefaultEvictionNodeFSPercent
	}
	if c.EvictionImageFSPercent == 0 {
		c.EvictionImageFSPercent = DefaultEvictionImageFSPercent
	}
	dur(&c.EvictionMonitoring, DefaultEvictionMonitoring)
	dur(&c.EvictionPressureTransition, DefaultEvictionPressureTransition)
	dur(&c.EvictionGracePeriod, DefaultEvictionGracePeriod)
	if c.TaintNodesByCondition == nil {
		c.TaintNodesByCondition = model.Ptr(true)
	}
	if c.MaxPods == 0 {
		c.MaxPods = DefaultMaxPods
	}
	return c
}
