package model

import "time"

// Node is a core/v1 Node. Modeled: labels (topology, instance type),
// unschedulable, taints, podCIDR; status capacity and allocatable,
// conditions, addresses and the images present (ImageLocality).
type Node struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       NodeSpec   `yaml:"spec,omitempty"`
	Status     NodeStatus `yaml:"status,omitempty"`
}

// NodeSpec is the modeled part of a node's spec.
type NodeSpec struct {
	_ unmodeled `unmodeled:"podCIDRs,configSource,externalID"`

	PodCIDR       string  `yaml:"podCIDR,omitempty"`
	ProviderID    string  `yaml:"providerID,omitempty"`
	Unschedulable bool    `yaml:"unschedulable,omitempty"`
	Taints        []Taint `yaml:"taints,omitempty"`
}

// NodeStatus is the modeled part of a node's status.
type NodeStatus struct {
	_ unmodeled `unmodeled:"daemonEndpoints,nodeInfo,volumesInUse,volumesAttached,config,runtimeHandlers,features,declaredFeatures"`

	Capacity    ResourceList     `yaml:"capacity,omitempty"`
	Allocatable ResourceList     `yaml:"allocatable,omitempty"`
	Phase       string           `yaml:"phase,omitempty"`
	Conditions  []NodeCondition  `yaml:"conditions,omitempty"`
	Addresses   []NodeAddress    `yaml:"addresses,omitempty"`
	Images      []ContainerImage `yaml:"images,omitempty"`
}

// NodeCondition is one of Ready, MemoryPressure, DiskPressure, PIDPressure,
// NetworkUnavailable.
type NodeCondition struct {
	Type               NodeConditionType `yaml:"type"`
	Status             ConditionStatus   `yaml:"status"`
	LastHeartbeatTime  *time.Time        `yaml:"lastHeartbeatTime,omitempty"`
	LastTransitionTime *time.Time        `yaml:"lastTransitionTime,omitempty"`
	Reason             string            `yaml:"reason,omitempty"`
	Message            string            `yaml:"message,omitempty"`
}

// NodeConditionType names a node condition.
type NodeConditionType string

// Node condition types.
const (
	NodeReady              NodeConditionType = "Ready"
	NodeMemoryPressure     NodeConditionType = "MemoryPressure"
	NodeDiskPressure       NodeConditionType = "DiskPressure"
	NodePIDPressure        NodeConditionType = "PIDPressure"
	NodeNetworkUnavailable NodeConditionType = "NetworkUnavailable"
)

// NodeAddress is one address of a node.
type NodeAddress struct {
	Type    string `yaml:"type"`
	Address string `yaml:"address"`
}

// ContainerImage is an image present on a node, with its size.
type ContainerImage struct {
	Names     []string `yaml:"names"`
	SizeBytes int64    `yaml:"sizeBytes,omitempty"`
}

// Well-known node labels (upstream k8s.io/api/core/v1 well_known_labels.go).
const (
	LabelHostname       = "kubernetes.io/hostname"
	LabelTopologyZone   = "topology.kubernetes.io/zone"
	LabelTopologyRegion = "topology.kubernetes.io/region"
	LabelInstanceType   = "node.kubernetes.io/instance-type"
	LabelOS             = "kubernetes.io/os"
	LabelArch           = "kubernetes.io/arch"
)

// Condition returns the node condition of type t, or nil.
func (s *NodeStatus) Condition(t NodeConditionType) *NodeCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

// IsReady reports whether the node's Ready condition is True.
func (n *Node) IsReady() bool {
	c := n.Status.Condition(NodeReady)
	return c != nil && c.Status == ConditionTrue
}

// Namespace is a core/v1 Namespace. Modeled: labels (namespace selectors),
// finalizers and phase (namespace deletion).
type Namespace struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       NamespaceSpec   `yaml:"spec,omitempty"`
	Status     NamespaceStatus `yaml:"status,omitempty"`
}

// NamespaceSpec holds the namespace's finalizers.
type NamespaceSpec struct {
	Finalizers []string `yaml:"finalizers,omitempty"`
}

// NamespaceStatus holds Active or Terminating.
type NamespaceStatus struct {
	_ unmodeled `unmodeled:"conditions"`

	Phase string `yaml:"phase,omitempty"`
}
