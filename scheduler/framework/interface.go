package framework

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Score bounds (upstream fwk.MaxNodeScore etc.).
const (
	MaxNodeScore        int64 = 100
	MinNodeScore        int64 = 0
	MaxExtenderPriority int64 = 10
	// MaxTotalScore bounds the sum of weighted scores.
	MaxTotalScore int64 = 1<<63 - 1
)

// Plugin is implemented by every plugin.
type Plugin interface {
	Name() string
}

// PreEnqueuePlugin gates pods before they enter the active queue.
type PreEnqueuePlugin interface {
	Plugin
	PreEnqueue(pod *model.Pod) *Status
}

// QueueSortPlugin orders the active queue.
type QueueSortPlugin interface {
	Plugin
	Less(a, b *QueuedPodInfo) bool
}

// PreFilterResult narrows the nodes to filter; nil NodeNames means all.
type PreFilterResult struct {
	NodeNames map[string]bool
}

// AllNodes reports whether the result does not restrict nodes.
func (r *PreFilterResult) AllNodes() bool { return r == nil || r.NodeNames == nil }

// Merge intersects two results.
func (r *PreFilterResult) Merge(o *PreFilterResult) *PreFilterResult {
	if r.AllNodes() {
		return o
	}
	if o.AllNodes() {
		return r
	}
	m := map[string]bool{}
	for n := range r.NodeNames {
		if o.NodeNames[n] {
			m[n] = true
		}
	}
	return &PreFilterResult{NodeNames: m}
}

// PreFilterExtensions let preemption add or remove pods from a plugin's
// precomputed state while it simulates evictions.
type PreFilterExtensions interface {
	AddPod(state *CycleState, podToSchedule *model.Pod, podInfoToAdd *PodInfo, nodeInfo *NodeInfo) *Status
	RemovePod(state *CycleState, podToSchedule *model.Pod, podInfoToRemove *PodInfo, nodeInfo *NodeInfo) *Status
}

// PreFilterPlugin runs once per pod before filtering.
type PreFilterPlugin interface {
	Plugin
	PreFilter(state *CycleState, pod *model.Pod, nodes []*NodeInfo) (*PreFilterResult, *Status)
	// PreFilterExtensions may return nil.
	PreFilterExtensions() PreFilterExtensions
}

// FilterPlugin decides whether a pod fits a node.
type FilterPlugin interface {
	Plugin
	Filter(state *CycleState, pod *model.Pod, nodeInfo *NodeInfo) *Status
}

// NodeToStatus maps node names to their filter status; nodes absent from
// the map have AbsentStatus (e.g. filtered out by PreFilterResult).
type NodeToStatus struct {
	Statuses     map[string]*Status
	AbsentStatus *Status
}

// Get returns the status of a node.
func (m *NodeToStatus) Get(node string) *Status {
	if s, ok := m.Statuses[node]; ok {
		return s
	}
	return m.AbsentStatus
}

// PostFilterResult nominates a node (preemption).
type PostFilterResult struct {
	NominatedNodeName string
}

// PostFilterPlugin runs when no node fits.
type PostFilterPlugin interface {
	Plugin
	PostFilter(state *CycleState, pod *model.Pod, filtered *NodeToStatus) (*PostFilterResult, *Status)
}

// PreScorePlugin runs once per pod over the feasible nodes.
type PreScorePlugin interface {
	Plugin
	PreScore(state *CycleState, pod *model.Pod, nodes []*NodeInfo) *Status
}

// NodeScore is one node's score.
type NodeScore struct {
	Name  string
	Score int64
}

// NodeScoreList is the scores of one plugin over the feasible nodes.
type NodeScoreList []NodeScore

// ScoreExtensions normalizes a plugin's raw scores into 0..MaxNodeScore.
type ScoreExtensions interface {
	NormalizeScore(state *CycleState, pod *model.Pod, scores NodeScoreList) *Status
}

// ScorePlugin ranks feasible nodes.
type ScorePlugin interface {
	Plugin
	Score(state *CycleState, pod *model.Pod, nodeInfo *NodeInfo) (int64, *Status)
	// ScoreExtensions may return nil.
	ScoreExtensions() ScoreExtensions
}

// ReservePlugin claims resources for the chosen node.
type ReservePlugin interface {
	Plugin
	Reserve(state *CycleState, pod *model.Pod, nodeName string) *Status
	Unreserve(state *CycleState, pod *model.Pod, nodeName string)
}

// PermitPlugin may hold a pod before binding.
type PermitPlugin interface {
	Plugin
	Permit(state *CycleState, pod *model.Pod, nodeName string) (*Status, time.Duration)
}

// PreBindPlugin runs before binding. The binding cycle runs concurrently
// with later scheduling cycles (upstream: a goroutine per pod), so it is
// written in continuation style: PreBind may issue API requests and must
// call done exactly once, possibly later in simulated time, with the
// result.
type PreBindPlugin interface {
	Plugin
	PreBind(state *CycleState, pod *model.Pod, nodeName string, done func(*Status))
}

// BindPlugin binds a pod to a node and calls done exactly once with the
// result; Skip passes the pod to the next binder.
type BindPlugin interface {
	Plugin
	Bind(state *CycleState, pod *model.Pod, nodeName string, done func(*Status))
}

// PostBindPlugin is told about successful bindings.
type PostBindPlugin interface {
	Plugin
	PostBind(state *CycleState, pod *model.Pod, nodeName string)
}

// ActionType is a kind of change to a cluster object (upstream fwk.ActionType).
type ActionType uint32

// The changes plugins can register interest in.
const (
	Add ActionType = 1 << iota
	Delete
	UpdateNodeAllocatable
	UpdateNodeLabel
	UpdateNodeTaint
	UpdateNodeCondition
	UpdateNodeAnnotation
	UpdatePodLabel
	UpdatePodScaleDown
	UpdatePodToleration
	UpdatePodSchedulingGatesEliminated
	UpdatePodGeneratedResourceClaim
	Update = UpdateNodeAllocatable | UpdateNodeLabel | UpdateNodeTaint | UpdateNodeCondition |
		UpdateNodeAnnotation | UpdatePodLabel | UpdatePodScaleDown | UpdatePodToleration |
		UpdatePodSchedulingGatesEliminated | UpdatePodGeneratedResourceClaim
	All = Add | Delete | Update
)

// Resource kinds of cluster events.
const (
	EventPod                   = "Pod"
	EventAssignedPod           = "AssignedPod"
	EventUnscheduledPod        = "UnscheduledPod"
	EventNode                  = "Node"
	EventPersistentVolume      = "PersistentVolume"
	EventPersistentVolumeClaim = "PersistentVolumeClaim"
	EventStorageClass          = "StorageClass"
	EventCSINode               = "CSINode"
	EventNamespace             = "Namespace"
	EventService               = "Service"
	EventWildcard              = "*"
)

// ClusterEvent is a change the scheduling queue reacts to.
type ClusterEvent struct {
	Resource   string
	ActionType ActionType
	Label      string
}

// Match reports whether the registered event e covers the event o.
func (e ClusterEvent) Match(o ClusterEvent) bool {
	if e.Resource == EventWildcard {
		return true
	}
	res := e.Resource == o.Resource ||
		(e.Resource == EventPod && (o.Resource == EventAssignedPod || o.Resource == EventUnscheduledPod))
	return res && e.ActionType&o.ActionType != 0
}

// QueueingHint is a plugin's answer to "may this event make the pod
// schedulable?" (upstream fwk.QueueingHint).
type QueueingHint int

// Hints.
const (
	QueueSkip QueueingHint = iota
	Queue
)

// QueueingHintFn decides, for one pod and one event, whether to requeue.
// nil means always Queue.
type QueueingHintFn func(pod *model.Pod, oldObj, newObj model.Object) (QueueingHint, error)

// ClusterEventWithHint pairs an event with an optional hint.
type ClusterEventWithHint struct {
	Event          ClusterEvent
	QueueingHintFn QueueingHintFn
}

// EnqueueExtensions is implemented by plugins that can reject pods: it
// lists the events after which a pod they rejected may fit.
type EnqueueExtensions interface {
	Plugin
	EventsToRegister() []ClusterEventWithHint
}

// NodeInfoLister lists the snapshot's nodes.
type NodeInfoLister interface {
	// List returns every node in the snapshot's order (zone-interleaved).
	List() []*NodeInfo
	// HavePodsWithAffinityList returns nodes running pods with affinity.
	HavePodsWithAffinityList() []*NodeInfo
	// HavePodsWithRequiredAntiAffinityList returns nodes running pods with
	// required anti-affinity.
	HavePodsWithRequiredAntiAffinityList() []*NodeInfo
	// Get returns one node's info.
	Get(name string) (*NodeInfo, bool)
}

// SharedLister is the snapshot plugins read.
type SharedLister interface {
	NodeInfos() NodeInfoLister
}

// ObjectLister reads the informer caches of other kinds (Services,
// ReplicaSets, PVCs, PDBs, Namespaces, ...). Objects must not be mutated.
type ObjectLister interface {
	List(kind string) []model.Object
	Get(kind, namespace, name string) (model.Object, bool)
}

// PodNominator tracks pods nominated to nodes by preemption.
type PodNominator interface {
	NominatedPodsForNode(nodeName string) []*PodInfo
}

// Handle is what plugins get from the framework.
type Handle interface {
	SnapshotSharedLister() SharedLister
	Objects() ObjectLister
	Client() model.Client
	// Now returns the current simulated time.
	Now() sim.Time
	// Rand returns a named random stream, scoped to the scheduler.
	Rand(name string) *sim.Rand
	PodNominator
	// RunFilterPluginsWithNominatedPods runs the profile's filters for pod
	// on nodeInfo, accounting for nominated pods (used by preemption).
	RunFilterPluginsWithNominatedPods(state *CycleState, pod *model.Pod, nodeInfo *NodeInfo) *Status
	// RunPreFilterExtensionAddPod / RemovePod update every PreFilter
	// plugin's state when preemption simulates adding or removing a pod.
	RunPreFilterExtensionAddPod(state *CycleState, podToSchedule *model.Pod, podInfoToAdd *PodInfo, nodeInfo *NodeInfo) *Status
	RunPreFilterExtensionRemovePod(state *CycleState, podToSchedule *model.Pod, podInfoToRemove *PodInfo, nodeInfo *NodeInfo) *Status
}

// PluginFactory builds a plugin from its decoded args (nil when none).
type PluginFactory func(args any, h Handle) (Plugin, error)
