package model

import "time"

// PodTemplateSpec is the pod a controller stamps out.
type PodTemplateSpec struct {
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       PodSpec `yaml:"spec,omitempty"`
}

// ReplicaSet is an apps/v1 ReplicaSet.
type ReplicaSet struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       ReplicaSetSpec   `yaml:"spec,omitempty"`
	Status     ReplicaSetStatus `yaml:"status,omitempty"`
}

// ReplicaSetSpec holds replicas, minReadySeconds, selector and template.
type ReplicaSetSpec struct {
	Replicas        *int32          `yaml:"replicas,omitempty"`
	MinReadySeconds int32           `yaml:"minReadySeconds,omitempty"`
	Selector        *LabelSelector  `yaml:"selector"`
	Template        PodTemplateSpec `yaml:"template,omitempty"`
}

// ReplicaSetStatus is what the ReplicaSet controller reports.
type ReplicaSetStatus struct {
	_ unmodeled `unmodeled:"conditions,terminatingReplicas"`

	Replicas             int32 `yaml:"replicas"`
	FullyLabeledReplicas int32 `yaml:"fullyLabeledReplicas,omitempty"`
	ReadyReplicas        int32 `yaml:"readyReplicas,omitempty"`
	AvailableReplicas    int32 `yaml:"availableReplicas,omitempty"`
	ObservedGeneration   int64 `yaml:"observedGeneration,omitempty"`
}

// Deployment is an apps/v1 Deployment.
type Deployment struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       DeploymentSpec   `yaml:"spec,omitempty"`
	Status     DeploymentStatus `yaml:"status,omitempty"`
}

// DeploymentSpec is the modeled Deployment spec.
type DeploymentSpec struct {
	Replicas                *int32             `yaml:"replicas,omitempty"`
	Selector                *LabelSelector     `yaml:"selector"`
	Template                PodTemplateSpec    `yaml:"template,omitempty"`
	Strategy                DeploymentStrategy `yaml:"strategy,omitempty"`
	MinReadySeconds         int32              `yaml:"minReadySeconds,omitempty"`
	RevisionHistoryLimit    *int32             `yaml:"revisionHistoryLimit,omitempty"`
	Paused                  bool               `yaml:"paused,omitempty"`
	ProgressDeadlineSeconds *int32             `yaml:"progressDeadlineSeconds,omitempty"`
}

// DeploymentStrategy is Recreate or RollingUpdate.
type DeploymentStrategy struct {
	Type          DeploymentStrategyType   `yaml:"type,omitempty"`
	RollingUpdate *RollingUpdateDeployment `yaml:"rollingUpdate,omitempty"`
}

// RollingUpdateDeployment holds maxUnavailable and maxSurge.
type RollingUpdateDeployment struct {
	MaxUnavailable *IntOrString `yaml:"maxUnavailable,omitempty"`
	MaxSurge       *IntOrString `yaml:"maxSurge,omitempty"`
}

// DeploymentStrategyType names a strategy.
type DeploymentStrategyType string

// Deployment strategies.
const (
	RecreateDeploymentStrategyType      DeploymentStrategyType = "Recreate"
	RollingUpdateDeploymentStrategyType DeploymentStrategyType = "RollingUpdate"
)

// DeploymentStatus is what the Deployment controller reports.
type DeploymentStatus struct {
	_ unmodeled `unmodeled:"terminatingReplicas"`

	ObservedGeneration  int64                 `yaml:"observedGeneration,omitempty"`
	Replicas            int32                 `yaml:"replicas,omitempty"`
	UpdatedReplicas     int32                 `yaml:"updatedReplicas,omitempty"`
	ReadyReplicas       int32                 `yaml:"readyReplicas,omitempty"`
	AvailableReplicas   int32                 `yaml:"availableReplicas,omitempty"`
	UnavailableReplicas int32                 `yaml:"unavailableReplicas,omitempty"`
	Conditions          []DeploymentCondition `yaml:"conditions,omitempty"`
	CollisionCount      *int32                `yaml:"collisionCount,omitempty"`
}

// DeploymentCondition is Available, Progressing or ReplicaFailure.
type DeploymentCondition struct {
	Type               string          `yaml:"type"`
	Status             ConditionStatus `yaml:"status"`
	LastUpdateTime     *time.Time      `yaml:"lastUpdateTime,omitempty"`
	LastTransitionTime *time.Time      `yaml:"lastTransitionTime,omitempty"`
	Reason             string          `yaml:"reason,omitempty"`
	Message            string          `yaml:"message,omitempty"`
}

// StatefulSet is an apps/v1 StatefulSet.
type StatefulSet struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       StatefulSetSpec   `yaml:"spec,omitempty"`
	Status     StatefulSetStatus `yaml:"status,omitempty"`
}

// StatefulSetSpec is the modeled StatefulSet spec.
type StatefulSetSpec struct {
	Replicas                             *int32                                           `yaml:"replicas,omitempty"`
	Selector                             *LabelSelector                                   `yaml:"selector"`
	Template                             PodTemplateSpec                                  `yaml:"template"`
	VolumeClaimTemplates                 []PersistentVolumeClaim                          `yaml:"volumeClaimTemplates,omitempty"`
	ServiceName                          string                                           `yaml:"serviceName,omitempty"`
	PodManagementPolicy                  PodManagementPolicyType                          `yaml:"podManagementPolicy,omitempty"`
	UpdateStrategy                       StatefulSetUpdateStrategy                        `yaml:"updateStrategy,omitempty"`
	RevisionHistoryLimit                 *int32                                           `yaml:"revisionHistoryLimit,omitempty"`
	MinReadySeconds                      int32                                            `yaml:"minReadySeconds,omitempty"`
	PersistentVolumeClaimRetentionPolicy *StatefulSetPersistentVolumeClaimRetentionPolicy `yaml:"persistentVolumeClaimRetentionPolicy,omitempty"`
	Ordinals                             *StatefulSetOrdinals                             `yaml:"ordinals,omitempty"`
}

// PodManagementPolicyType is OrderedReady or Parallel.
type PodManagementPolicyType string

// Pod management policies.
const (
	OrderedReadyPodManagement PodManagementPolicyType = "OrderedReady"
	ParallelPodManagement     PodManagementPolicyType = "Parallel"
)

// StatefulSetUpdateStrategy is RollingUpdate (with partition) or OnDelete.
type StatefulSetUpdateStrategy struct {
	Type          string                            `yaml:"type,omitempty"`
	RollingUpdate *RollingUpdateStatefulSetStrategy `yaml:"rollingUpdate,omitempty"`
}

// RollingUpdateStatefulSetStrategy holds the partition and maxUnavailable.
type RollingUpdateStatefulSetStrategy struct {
	Partition      *int32       `yaml:"partition,omitempty"`
	MaxUnavailable *IntOrString `yaml:"maxUnavailable,omitempty"`
}

// StatefulSetPersistentVolumeClaimRetentionPolicy says what happens to the
// claims on scale-down and deletion (Retain or Delete).
type StatefulSetPersistentVolumeClaimRetentionPolicy struct {
	WhenDeleted string `yaml:"whenDeleted,omitempty"`
	WhenScaled  string `yaml:"whenScaled,omitempty"`
}

// StatefulSetOrdinals sets the first ordinal.
type StatefulSetOrdinals struct {
	Start int32 `yaml:"start"`
}

// StatefulSetStatus is what the StatefulSet controller reports.
type StatefulSetStatus struct {
	_ unmodeled `unmodeled:"conditions,collisionCount"`

	ObservedGeneration int64  `yaml:"observedGeneration,omitempty"`
	Replicas           int32  `yaml:"replicas"`
	ReadyReplicas      int32  `yaml:"readyReplicas,omitempty"`
	CurrentReplicas    int32  `yaml:"currentReplicas,omitempty"`
	UpdatedReplicas    int32  `yaml:"updatedReplicas,omitempty"`
	AvailableReplicas  int32  `yaml:"availableReplicas,omitempty"`
	CurrentRevision    string `yaml:"currentRevision,omitempty"`
	UpdateRevision     string `yaml:"updateRevision,omitempty"`
}

// DaemonSet is an apps/v1 DaemonSet.
type DaemonSet struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       DaemonSetSpec   `yaml:"spec,omitempty"`
	Status     DaemonSetStatus `yaml:"status,omitempty"`
}

// DaemonSetSpec is the modeled DaemonSet spec.
type DaemonSetSpec struct {
	Selector             *LabelSelector          `yaml:"selector"`
	Template             PodTemplateSpec         `yaml:"template"`
	UpdateStrategy       DaemonSetUpdateStrategy `yaml:"updateStrategy,omitempty"`
	MinReadySeconds      int32                   `yaml:"minReadySeconds,omitempty"`
	RevisionHistoryLimit *int32                  `yaml:"revisionHistoryLimit,omitempty"`
}

// DaemonSetUpdateStrategy is RollingUpdate or OnDelete.
type DaemonSetUpdateStrategy struct {
	Type          string                  `yaml:"type,omitempty"`
	RollingUpdate *RollingUpdateDaemonSet `yaml:"rollingUpdate,omitempty"`
}

// RollingUpdateDaemonSet holds maxUnavailable and maxSurge.
type RollingUpdateDaemonSet struct {
	MaxUnavailable *IntOrString `yaml:"maxUnavailable,omitempty"`
	MaxSurge       *IntOrString `yaml:"maxSurge,omitempty"`
}

// DaemonSetStatus is what the DaemonSet controller reports.
type DaemonSetStatus struct {
	_ unmodeled `unmodeled:"conditions,collisionCount"`

	CurrentNumberScheduled int32 `yaml:"currentNumberScheduled"`
	NumberMisscheduled     int32 `yaml:"numberMisscheduled"`
	DesiredNumberScheduled int32 `yaml:"desiredNumberScheduled"`
	NumberReady            int32 `yaml:"numberReady"`
	ObservedGeneration     int64 `yaml:"observedGeneration,omitempty"`
	UpdatedNumberScheduled int32 `yaml:"updatedNumberScheduled,omitempty"`
	NumberAvailable        int32 `yaml:"numberAvailable,omitempty"`
	NumberUnavailable      int32 `yaml:"numberUnavailable,omitempty"`
}
