package scenarios

import (
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/network"
	"github.com/kubesim/kubesim/network/traffic"
	"github.com/kubesim/kubesim/scheduler"
	"github.com/kubesim/kubesim/storage/volume"
)

// APIVersion and Kind of the scenario format.
const (
	APIVersion = "kubesim.io/v1alpha1"
	Kind       = "Scenario"
)

// DefaultStart is the wall date of time zero when a scenario names none.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Scenario is a whole simulation: a cluster, its workloads and a timeline.
type Scenario struct {
	APIVersion string       `yaml:"apiVersion"`
	Kind       string       `yaml:"kind"`
	Metadata   ScenarioMeta `yaml:"metadata"`
	Spec       Spec         `yaml:"spec"`

	// Where it was read from; set by the loader.
	source *source
	hash   string
}

// ScenarioMeta names and describes a scenario.
type ScenarioMeta struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
}

// Spec is the scenario body. Each subsystem adds its own section.
type Spec struct {
	// Seed of the run; --seed overrides it. Default 1.
	Seed *uint64 `yaml:"seed,omitempty"`
	// Start is the wall date simulated time zero stands for.
	Start *time.Time `yaml:"start,omitempty"`
	// Duration is how much simulated time to run.
	Duration time.Duration `yaml:"duration"`
	// Cluster is the nodes.
	Cluster Cluster `yaml:"cluster"`
	// Workloads are applied at time zero, in order.
	Workloads []Workload `yaml:"workloads,omitempty"`
	// Timeline lists actions and faults at given times.
	Timeline []Action `yaml:"timeline,omitempty"`
	// Scheduler configures kube-scheduler (default: its default profile).
	Scheduler *SchedulerSpec `yaml:"scheduler,omitempty"`
	// ControlPlane configures the API server and its etcd store.
	ControlPlane ControlPlane `yaml:"controlPlane,omitempty"`
	// Behaviors say how containers behave, by image (first match wins);
	// a pod's kubesim.io/behavior annotation overrides them. Containers
	// matching nothing serve forever, ready at once, using their requests.
	Behaviors model.ImageBehaviors `yaml:"behaviors,omitempty"`
	// Assert lists checks on summary.json evaluated after the run, such as
	// "podStartupLatency.p99 < 5s" (see assert.go).
	Assert []string `yaml:"assert,omitempty"`
	// StopWhen ends the run early; duration stays the upper bound.
	StopWhen *StopWhen `yaml:"stopWhen,omitempty"`
	// Storage declares the CSI drivers (provisioners and attachers) and
	// the PersistentVolumes that exist before the run.
	Storage *StorageSpec `yaml:"storage,omitempty"`
	// KubeProxy configures every node's kube-proxy (default iptables).
	KubeProxy *KubeProxySpec `yaml:"kubeProxy,omitempty"`
	// Network sets the one-way latencies between nodes.
	Network *network.LatencySpec `yaml:"network,omitempty"`
	// Traffic lists client populations sending requests to Services.
	Traffic []traffic.Spec `yaml:"traffic,omitempty"`
}

// StorageSpec is the storage section: drivers and pre-created volumes.
// StorageClasses and claims are ordinary manifests under workloads.
type StorageSpec struct {
	// Drivers are the CSI drivers: provisioning latency, failure rate and
	// topology, attach latency and per-node attach limits.
	Drivers []volume.Driver `yaml:"drivers,omitempty"`
	// PersistentVolumes are statically provisioned volumes created at time
	// zero, before the workloads.
	PersistentVolumes []PersistentVolumeSet `yaml:"persistentVolumes,omitempty"`
}

// PersistentVolumeSet is a group of identical static volumes named
// <namePrefix>-<i>.
type PersistentVolumeSet struct {
	NamePrefix string `yaml:"namePrefix"`
	// Count of volumes (with perNode: per node of the pool).
	Count    int            `yaml:"count"`
	Capacity model.Quantity `yaml:"capacity"`
	// AccessModes default to [ReadWriteOnce].
	AccessModes      []model.PersistentVolumeAccessMode `yaml:"accessModes,omitempty"`
	StorageClassName string                             `yaml:"storageClassName,omitempty"`
	// ReclaimPolicy defaults to Retain, as for any static volume.
	ReclaimPolicy model.PersistentVolumeReclaimPolicy `yaml:"reclaimPolicy,omitempty"`
	VolumeMode    *model.PersistentVolumeMode         `yaml:"volumeMode,omitempty"`
	Labels        map[string]string                   `yaml:"labels,omitempty"`
	// Driver makes CSI volumes of that driver; without it the volumes are
	// NFS shares (no attach), or local disks with perNode.
	Driver string `yaml:"driver,omitempty"`
	// Zones pins the volumes round-robin to zones (node affinity on
	// topology.kubernetes.io/zone).
	Zones []string `yaml:"zones,omitempty"`
	// PerNode makes Count local volumes on every node of the named pool,
	// each with node affinity on its hostname.
	PerNode string `yaml:"perNode,omitempty"`
}

// ControlPlane configures the API server's store.
type ControlPlane struct {
	// Store is raft (default: etcd members running etcd's Raft) or ideal
	// (one store with a commit latency and no consensus, for large sweeps
	// where etcd is not the subject).
	Store string `yaml:"store,omitempty"`
	// EtcdMembers is the Raft cluster's size (default 3).
	EtcdMembers int `yaml:"etcdMembers,omitempty"`
	// Disk is the members' disk: ssd (default) or hdd.
	Disk string `yaml:"disk,omitempty"`
	// HeartbeatInterval (100ms) and ElectionTimeout (1s) are etcd's flags.
	HeartbeatInterval time.Duration `yaml:"heartbeatInterval,omitempty"`
	ElectionTimeout   time.Duration `yaml:"electionTimeout,omitempty"`
	// CommitLatency is the ideal store's commit time (default 1 ms).
	CommitLatency *model.DistSpec `yaml:"commitLatency,omitempty"`
	// RequestLatency is the API server's own time per request (default 0).
	RequestLatency *model.DistSpec `yaml:"requestLatency,omitempty"`
	// WatchLatency delays every watch delivery (default 0).
	WatchLatency *model.DistSpec `yaml:"watchLatency,omitempty"`
}

// SchedulerSpec configures the simulated kube-scheduler.
type SchedulerSpec struct {
	// Config is a KubeSchedulerConfiguration file (relative to the
	// scenario) or the name of a built-in profile (binpack, rtcr, tetris).
	Config string `yaml:"config,omitempty"`
	// Inline is a KubeSchedulerConfiguration written in the scenario.
	Inline *yaml.Node `yaml:"inline,omitempty"`
	// Cost overrides the scheduling-cycle cost model.
	Cost *scheduler.CostModel `yaml:"cost,omitempty"`
	// Disabled leaves pods unscheduled (to study other components alone).
	Disabled bool `yaml:"disabled,omitempty"`
}

// Cluster declares node pools and the machine profiles they use.
type Cluster struct {
	NodePools []NodePool         `yaml:"nodePools"`
	Machines  map[string]Machine `yaml:"machines,omitempty"`
}

// Machine is a hardware profile: what a node of this type has.
type Machine struct {
	CPU              model.Quantity  `yaml:"cpu"`
	Memory           model.Quantity  `yaml:"memory"`
	EphemeralStorage *model.Quantity `yaml:"ephemeralStorage,omitempty"`
	// Pods is the kubelet's maxPods (default 110).
	Pods *int32 `yaml:"pods,omitempty"`
	// Extended resources, e.g. nvidia.com/gpu: 8.
	Extended model.ResourceList `yaml:"extended,omitempty"`
	// Disk profile name (ssd, hdd), used for image pulls and etcd fsyncs.
	Disk string `yaml:"disk,omitempty"`
	// PricePerHour of one node, for capacity planning tables.
	PricePerHour float64 `yaml:"pricePerHour,omitempty"`
}

// NodePool is a group of identical nodes.
type NodePool struct {
	Name string `yaml:"name"`
	// Count of nodes in the pool.
	Count int `yaml:"count"`
	// NamePrefix of node names (default: the pool name); nodes are
	// <prefix>-<index> from 0.
	NamePrefix string `yaml:"namePrefix,omitempty"`
	// Machine names a profile in cluster.machines, or a built-in one.
	Machine string `yaml:"machine,omitempty"`
	// Capacity, instead of or on top of a machine profile.
	Capacity model.ResourceList `yaml:"capacity,omitempty"`
	// Reserved is subtracted from capacity to give allocatable
	// (kube-reserved + system-reserved + eviction threshold).
	Reserved model.ResourceList `yaml:"reserved,omitempty"`
	Labels   map[string]string  `yaml:"labels,omitempty"`
	Taints   []model.Taint      `yaml:"taints,omitempty"`
	// Zones spreads the pool's nodes round-robin over zones; Zone puts all
	// of them in one.
	Zones []string `yaml:"zones,omitempty"`
	Zone  string   `yaml:"zone,omitempty"`
	// Racks spreads each zone's nodes round-robin over racks (label
	// kubesim.io/rack): nodes in one rack are one switch apart
	// (network.sameRack latency) and can be partitioned together.
	Racks  []string `yaml:"racks,omitempty"`
	Region string   `yaml:"region,omitempty"`
	// Images already present on the pool's nodes (ImageLocality).
	Images []model.ContainerImage `yaml:"images,omitempty"`
	// KubeProxy overrides spec.kubeProxy for the pool's nodes (a separate
	// kube-proxy DaemonSet per pool), e.g. to compare modes in one run.
	KubeProxy *KubeProxySpec `yaml:"kubeProxy,omitempty"`
}

// Workload is a set of Kubernetes manifests: files, directories and globs
// relative to the scenario file, and inline objects.
type Workload struct {
	Manifests []string    `yaml:"manifests,omitempty"`
	Inline    []yaml.Node `yaml:"inline,omitempty"`
	// Generate makes synthetic objects instead (spec.workloads only).
	Generate *Generator `yaml:"generate,omitempty"`
}

// Action is one timeline entry: at a time, do one thing.
type Action struct {
	// At is the simulated time from the start.
	At time.Duration `yaml:"at"`
	// Every repeats the action with intervals drawn from a distribution
	// (seconds, or durations such as 1h), from At until Until (default: the
	// end of the run), on the action's own seeded stream.
	Every *model.DistSpec `yaml:"every,omitempty"`
	Until time.Duration   `yaml:"until,omitempty"`

	// Apply creates (or replaces) objects.
	Apply *Workload `yaml:"apply,omitempty"`
	// Delete removes objects.
	Delete []ObjectRef `yaml:"delete,omitempty"`

	// NodeCrash kills a node: its machine and kubelet die, nothing is
	// reported any more. With For, it comes back (nodeRecover) after.
	NodeCrash *NodeTarget `yaml:"nodeCrash,omitempty"`
	// NodeRecover boots a crashed node again.
	NodeRecover *NodeTarget `yaml:"nodeRecover,omitempty"`
	// KubeletStop stops the kubelet process (containers keep running, the
	// node stops reporting); KubeletStart starts it again.
	KubeletStop  *NodeTarget `yaml:"kubeletStop,omitempty"`
	KubeletStart *NodeTarget `yaml:"kubeletStart,omitempty"`
	// Cordon and Uncordon set spec.unschedulable.
	Cordon   *NodeTarget `yaml:"cordon,omitempty"`
	Uncordon *NodeTarget `yaml:"uncordon,omitempty"`
	// NodeDrain cordons the node and evicts its pods through the eviction
	// API, retrying refusals every 5 s as kubectl drain does.
	NodeDrain *NodeTarget `yaml:"nodeDrain,omitempty"`
	// PodKill deletes a pod (grace period as in the pod unless given).
	PodKill *PodKill `yaml:"podKill,omitempty"`
	// ImageRegistryOutage makes image pulls fail for a while.
	ImageRegistryOutage *Outage `yaml:"imageRegistryOutage,omitempty"`
	// Scale sets a workload's replicas.
	Scale *ScaleAction `yaml:"scale,omitempty"`
	// Rollout changes a workload's pod template image.
	Rollout *RolloutAction `yaml:"rollout,omitempty"`

	// EtcdMemberCrash crashes an etcd member (its unpersisted state is
	// lost); EtcdMemberRestart restarts it from its disk.
	EtcdMemberCrash   *EtcdTarget `yaml:"etcdMemberCrash,omitempty"`
	EtcdMemberRestart *EtcdTarget `yaml:"etcdMemberRestart,omitempty"`
	// EtcdLeaderKill crashes whichever member leads at that moment.
	EtcdLeaderKill *EtcdTarget `yaml:"etcdLeaderKill,omitempty"`
	// EtcdPartition cuts the listed members off from the others.
	EtcdPartition *EtcdPartition `yaml:"etcdPartition,omitempty"`
	// EtcdDiskStall makes a member's fsyncs wait until the stall ends.
	EtcdDiskStall *EtcdTarget `yaml:"etcdDiskStall,omitempty"`

	// Partition cuts the network between two groups (nodes, a zone, the
	// control plane), both ways unless oneWay; For heals it after.
	Partition *PartitionAction `yaml:"partition,omitempty"`
	// Heal removes every partition and degraded link.
	Heal *HealAction `yaml:"heal,omitempty"`
	// LinkDegrade adds latency and loss between two groups for a while.
	LinkDegrade *LinkDegradeAction `yaml:"linkDegrade,omitempty"`

	// ZoneOutage takes a whole zone down: every node in it crashes, and
	// volumes can be neither provisioned in it nor attached there. With
	// For, the zone and its nodes come back after.
	ZoneOutage *ZoneOutage `yaml:"zoneOutage,omitempty"`
	// NodeTaint adds a taint to nodes (with all: true, every node of the
	// pool or zone), e.g. node.kubernetes.io/out-of-service after a
	// non-graceful shutdown; with For it is removed after.
	NodeTaint *NodeTaint `yaml:"nodeTaint,omitempty"`
	// ProvisionerOutage stops a CSI driver's external provisioner: claims
	// wait unprovisioned, released volumes stay undeleted.
	ProvisionerOutage *DriverOutage `yaml:"provisionerOutage,omitempty"`
	// VolumeDetachStuck makes a CSI driver's detaches hang, so its
	// volumes stay attached to their old nodes.
	VolumeDetachStuck *DriverOutage `yaml:"volumeDetachStuck,omitempty"`
}

// PartitionAction cuts A from B.
type PartitionAction struct {
	A      network.Group `yaml:"a"`
	B      network.Group `yaml:"b"`
	OneWay bool          `yaml:"oneWay,omitempty"`
	For    time.Duration `yaml:"for,omitempty"`
}

// HealAction heals every partition and link.
type HealAction struct{}

// LinkDegradeAction slows and drops messages between A and B.
type LinkDegradeAction struct {
	A       network.Group `yaml:"a"`
	B       network.Group `yaml:"b"`
	Latency time.Duration `yaml:"latency,omitempty"`
	Loss    float64       `yaml:"loss,omitempty"`
	For     time.Duration `yaml:"for"`
}

// ZoneOutage names a zone; For brings it back after that long.
type ZoneOutage struct {
	Zone string        `yaml:"zone"`
	For  time.Duration `yaml:"for,omitempty"`
}

// NodeTaint is a taint for the nodes a target names.
type NodeTaint struct {
	NodeTarget `yaml:",inline"`
	// All taints every node of the pool or zone rather than one at random.
	All   bool   `yaml:"all,omitempty"`
	Key   string `yaml:"key"`
	Value string `yaml:"value,omitempty"`
	// Effect is NoSchedule, PreferNoSchedule or NoExecute.
	Effect model.TaintEffect `yaml:"effect"`
}

// DriverOutage names a CSI driver and how long its fault lasts.
type DriverOutage struct {
	Driver string        `yaml:"driver"`
	For    time.Duration `yaml:"for"`
}

// EtcdTarget names a member (1..n) or the current leader; For undoes the
// fault after that long (restart, end of stall). A stall needs For.
type EtcdTarget struct {
	Member uint64        `yaml:"member,omitempty"`
	Leader bool          `yaml:"leader,omitempty"`
	For    time.Duration `yaml:"for,omitempty"`
}

// EtcdPartition isolates Members from the rest until For has passed (or
// for good).
type EtcdPartition struct {
	Members []uint64      `yaml:"members"`
	For     time.Duration `yaml:"for,omitempty"`
}

// NodeTarget names a node, or a pool (or zone) from which the action's
// stream picks one node at random each time.
type NodeTarget struct {
	Node string `yaml:"node,omitempty"`
	Pool string `yaml:"pool,omitempty"`
	Zone string `yaml:"zone,omitempty"`
	// For undoes the action after this long (crash → recover, stop →
	// start, cordon → uncordon).
	For time.Duration `yaml:"for,omitempty"`
}

// PodKill names the pod to delete, or a label selector in a namespace
// from which one matching pod is picked at random.
type PodKill struct {
	Namespace          string            `yaml:"namespace,omitempty"`
	Name               string            `yaml:"name,omitempty"`
	Selector           map[string]string `yaml:"selector,omitempty"`
	GracePeriodSeconds *int64            `yaml:"gracePeriodSeconds,omitempty"`
}

// Outage lasts For.
type Outage struct {
	For time.Duration `yaml:"for"`
}

// ScaleAction sets spec.replicas of a Deployment, ReplicaSet or StatefulSet.
type ScaleAction struct {
	Kind      string `yaml:"kind"`
	Namespace string `yaml:"namespace,omitempty"`
	Name      string `yaml:"name"`
	Replicas  int32  `yaml:"replicas"`
}

// RolloutAction sets a container's image in a workload's pod template.
type RolloutAction struct {
	Kind      string `yaml:"kind"`
	Namespace string `yaml:"namespace,omitempty"`
	Name      string `yaml:"name"`
	// Container defaults to the template's first container.
	Container string `yaml:"container,omitempty"`
	Image     string `yaml:"image"`
}

// ObjectRef names an object to act on.
type ObjectRef struct {
	Kind      string `yaml:"kind"`
	Namespace string `yaml:"namespace,omitempty"`
	Name      string `yaml:"name"`
}

// Name returns the scenario's name.
func (s *Scenario) Name() string { return s.Metadata.Name }

// Hash returns the hex SHA-256 of the scenario file and every manifest it
// read, in order: two runs with the same hash and seed ran the same input.
func (s *Scenario) Hash() string { return s.hash }

// SeedOrDefault returns spec.seed, or 1.
func (s *Scenario) SeedOrDefault() uint64 {
	if s.Spec.Seed != nil {
		return *s.Spec.Seed
	}
	return 1
}

// StartOrDefault returns spec.start, or DefaultStart.
func (s *Scenario) StartOrDefault() time.Time {
	if s.Spec.Start != nil {
		return s.Spec.Start.UTC()
	}
	return DefaultStart
}
