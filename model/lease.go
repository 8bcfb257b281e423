package model

import "time"

// Lease is a coordination.k8s.io/v1 Lease: the kubelet's heartbeat (one
// per node in kube-node-lease) and leader-election locks.
type Lease struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       LeaseSpec `yaml:"spec,omitempty"`
}

// LeaseSpec holds the holder and the renew time.
type LeaseSpec struct {
	_ unmodeled `unmodeled:"strategy,preferredHolder"`

	HolderIdentity       *string    `yaml:"holderIdentity,omitempty"`
	LeaseDurationSeconds *int32     `yaml:"leaseDurationSeconds,omitempty"`
	AcquireTime          *time.Time `yaml:"acquireTime,omitempty"`
	RenewTime            *time.Time `yaml:"renewTime,omitempty"`
	LeaseTransitions     *int32     `yaml:"leaseTransitions,omitempty"`
}

// NamespaceNodeLease holds the nodes' heartbeat leases.
const NamespaceNodeLease = "kube-node-lease"
