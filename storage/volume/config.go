package volume

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
)

// Driver describes a CSI driver's control-plane side: its external
// provisioner and external attacher. The scenario's storage section lists
// them; each gets a CSIDriver object so kubelets know whether to wait for
// an attachment.
type Driver struct {
	// Name is the driver and provisioner name StorageClasses refer to,
	// e.g. ebs.csi.aws.com.
	Name string `yaml:"name"`
	// ProvisionLatency is the time CreateVolume takes (default 3 s).
	ProvisionLatency *model.DistSpec `yaml:"provisionLatency,omitempty"`
	// ProvisionFailureRate is the probability that one CreateVolume call
	// fails; the claim is retried with external-provisioner's backoff.
	ProvisionFailureRate float64 `yaml:"provisionFailureRate,omitempty"`
	// DeleteLatency is the time DeleteVolume takes (default 2 s).
	DeleteLatency *model.DistSpec `yaml:"deleteLatency,omitempty"`
	// Topology is "zonal" (a volume lives in one zone: its PV gets node
	// affinity on topology.kubernetes.io/zone) or "none" (default: usable
	// from every node, like NFS).
	Topology string `yaml:"topology,omitempty"`
	// AttachRequired says volumes are attached to a node
	// (ControllerPublishVolume) before the kubelet mounts them (default
	// true; false for network filesystems).
	AttachRequired *bool `yaml:"attachRequired,omitempty"`
	// AttachLatency and DetachLatency are ControllerPublish and
	// ControllerUnpublish times (default 5 s each).
	AttachLatency *model.DistSpec `yaml:"attachLatency,omitempty"`
	DetachLatency *model.DistSpec `yaml:"detachLatency,omitempty"`
	// AttachFailureRate is the probability that one attach call fails.
	AttachFailureRate float64 `yaml:"attachFailureRate,omitempty"`
	// AttachLimit is the number of this driver's volumes one node can
	// have attached (0: unlimited). Nodes advertise it as the allocatable
	// attachable-volumes-csi-<driver> the NodeVolumeLimits plugin reads.
	AttachLimit int64 `yaml:"attachLimit,omitempty"`
	// MountLatency is the kubelet's NodeStage plus NodePublish time for a
	// volume of this driver (default 0.5 s).
	MountLatency *model.DistSpec `yaml:"mountLatency,omitempty"`
	// ResizeLatency is ControllerExpandVolume's time (default 10 s).
	ResizeLatency *model.DistSpec `yaml:"resizeLatency,omitempty"`
}

// Topologies of a driver's volumes.
const (
	TopologyNone  = "none"
	TopologyZonal = "zonal"
)

// Defaults of a driver, chosen to match what cloud block storage shows in
// practice (volume creation in seconds, attach in seconds).
var (
	DefaultProvisionLatency = model.Seconds(3 * time.Second)
	DefaultDeleteLatency    = model.Seconds(2 * time.Second)
	DefaultAttachLatency    = model.Seconds(5 * time.Second)
	DefaultDetachLatency    = model.Seconds(5 * time.Second)
	DefaultMountLatency     = model.Seconds(500 * time.Millisecond)
	DefaultResizeLatency    = model.Seconds(10 * time.Second)
)

// WithDefaults returns d with every unset field defaulted.
func (d Driver) WithDefaults() Driver {
	if d.ProvisionLatency == nil {
		d.ProvisionLatency = DefaultProvisionLatency
	}
	if d.DeleteLatency == nil {
		d.DeleteLatency = DefaultDeleteLatency
	}
	if d.Topology == "" {
		d.Topology = TopologyNone
	}
	if d.AttachRequired == nil {
		d.AttachRequired = model.Ptr(true)
	}
	if d.AttachLatency == nil {
		d.AttachLatency = DefaultAttachLatency
	}
	if d.DetachLatency == nil {
		d.DetachLatency = DefaultDetachLatency
	}
	if d.MountLatency == nil {
		d.MountLatency = DefaultMountLatency
	}
	if d.ResizeLatency == nil {
		d.ResizeLatency = DefaultResizeLatency
	}
	return d
}

// Validate reports the first invalid field, named by its YAML path below
// the driver.
func (d Driver) Validate() error {
	if d.Name == "" {
		return fmt.Errorf("name: required, e.g. ebs.csi.aws.com")
	}
	switch d.Topology {
	case "", TopologyNone, TopologyZonal:
	default:
		return fmt.Errorf("topology: must be zonal or none, got %q", d.Topology)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"provisionFailureRate", d.ProvisionFailureRate}, {"attachFailureRate", d.AttachFailureRate}} {
		if r.v < 0 || r.v >= 1 {
			return fmt.Errorf("%s: must be in [0, 1), got %v", r.name, r.v)
		}
	}
	if d.AttachLimit < 0 {
		return fmt.Errorf("attachLimit: must not be negative, got %d", d.AttachLimit)
	}
	for _, l := range []struct {
		name string
		ds   *model.DistSpec
	}{{"provisionLatency", d.ProvisionLatency}, {"deleteLatency", d.DeleteLatency}, {"attachLatency", d.AttachLatency},
		{"detachLatency", d.DetachLatency}, {"mountLatency", d.MountLatency}, {"resizeLatency", d.ResizeLatency}} {
		if l.ds != nil {
			if err := l.ds.Dist().Validate(); err != nil {
				return fmt.Errorf("%s: %w", l.name, err)
			}
		}
	}
	return nil
}

// CSIDriverObject is the CSIDriver object the driver registers.
func (d Driver) CSIDriverObject() *model.CSIDriver {
	d = d.WithDefaults()
	o := &model.CSIDriver{ObjectMeta: model.ObjectMeta{Name: d.Name}, Spec: model.CSIDriverSpec{AttachRequired: model.Ptr(*d.AttachRequired)}}
	model.SetTypeMeta(o)
	return o
}

// Config holds the PV controller's settings; DefaultConfig has
// kube-controller-manager's defaults.
type Config struct {
	// SyncPeriod is --pvclaimbinder-sync-period (15 s): every volume and
	// claim is synced again this often.
	SyncPeriod time.Duration
	// QPS and Burst are the controller's client limits (20, 30).
	QPS   float64
	Burst int
	// Start is the wall date of simulated time zero (for timestamps).
	Start time.Time
}

// DefaultConfig returns upstream's defaults.
func DefaultConfig() Config { return Config{SyncPeriod: 15 * time.Second, QPS: 20, Burst: 30} }

// AttachDetachConfig holds the attach/detach controller's settings.
type AttachDetachConfig struct {
	// ReconcilerSyncPeriod is --attach-detach-reconcile-sync-period (1 m):
	// how often the reconciler runs even when nothing changed.
	ReconcilerSyncPeriod time.Duration
	// MaxWaitForUnmount is how long the controller waits before detaching
	// a volume from an unhealthy node (maxWaitForUnmountDuration, 6 m).
	MaxWaitForUnmount time.Duration
	QPS               float64
	Burst             int
}

// DefaultAttachDetachConfig returns upstream's defaults.
func DefaultAttachDetachConfig() AttachDetachConfig {
	return AttachDetachConfig{ReconcilerSyncPeriod: time.Minute, MaxWaitForUnmount: 6 * time.Minute, QPS: 20, Burst: 30}
}
