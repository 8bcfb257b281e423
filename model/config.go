package model

import "time"

// ConfigMap is a core/v1 ConfigMap. Only its existence and size matter to
// the simulation (pods mounting it wait until it exists).
type ConfigMap struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Data       map[string]string `yaml:"data,omitempty"`
	BinaryData map[string]string `yaml:"binaryData,omitempty"`
	Immutable  *bool             `yaml:"immutable,omitempty"`
}

// Secret is a core/v1 Secret. Only its existence and size matter.
type Secret struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Type       string            `yaml:"type,omitempty"`
	Data       map[string]string `yaml:"data,omitempty"`
	StringData map[string]string `yaml:"stringData,omitempty"`
	Immutable  *bool             `yaml:"immutable,omitempty"`
}

// ResourceQuota is a core/v1 ResourceQuota: hard limits per namespace,
// enforced at admission; status tracks usage.
type ResourceQuota struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       ResourceQuotaSpec   `yaml:"spec,omitempty"`
	Status     ResourceQuotaStatus `yaml:"status,omitempty"`
}

// ResourceQuotaSpec holds the hard limits and scopes.
type ResourceQuotaSpec struct {
	_ unmodeled `unmodeled:"scopeSelector"`

	Hard   ResourceList `yaml:"hard,omitempty"`
	Scopes []string     `yaml:"scopes,omitempty"`
}

// ResourceQuotaStatus holds enforced limits and usage.
type ResourceQuotaStatus struct {
	Hard ResourceList `yaml:"hard,omitempty"`
	Used ResourceList `yaml:"used,omitempty"`
}

// LimitRange is a core/v1 LimitRange: defaults and bounds applied to
// containers at admission.
type LimitRange struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       LimitRangeSpec `yaml:"spec,omitempty"`
}

// LimitRangeSpec lists the limits.
type LimitRangeSpec struct {
	Limits []LimitRangeItem `yaml:"limits"`
}

// LimitRangeItem is one limit: for Container, Pod or PersistentVolumeClaim.
type LimitRangeItem struct {
	Type                 string       `yaml:"type"`
	Max                  ResourceList `yaml:"max,omitempty"`
	Min                  ResourceList `yaml:"min,omitempty"`
	Default              ResourceList `yaml:"default,omitempty"`
	DefaultRequest       ResourceList `yaml:"defaultRequest,omitempty"`
	MaxLimitRequestRatio ResourceList `yaml:"maxLimitRequestRatio,omitempty"`
}

// PriorityClass is a scheduling.k8s.io/v1 PriorityClass.
type PriorityClass struct {
	TypeMeta         `yaml:",inline"`
	ObjectMeta       `yaml:"metadata,omitempty"`
	Value            int32             `yaml:"value"`
	GlobalDefault    bool              `yaml:"globalDefault,omitempty"`
	Description      string            `yaml:"description,omitempty"`
	PreemptionPolicy *PreemptionPolicy `yaml:"preemptionPolicy,omitempty"`
}

// The built-in priority classes (upstream pkg/apis/scheduling/types.go).
const (
	SystemClusterCritical = "system-cluster-critical"
	SystemNodeCritical    = "system-node-critical"
	// SystemCriticalPriority is the base of the system classes' values.
	SystemCriticalPriority int32 = 2000000000
)

// PodDisruptionBudget is a policy/v1 PodDisruptionBudget.
type PodDisruptionBudget struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       PodDisruptionBudgetSpec   `yaml:"spec,omitempty"`
	Status     PodDisruptionBudgetStatus `yaml:"status,omitempty"`
}

// PodDisruptionBudgetSpec holds minAvailable or maxUnavailable and the
// selector.
type PodDisruptionBudgetSpec struct {
	MinAvailable               *IntOrString   `yaml:"minAvailable,omitempty"`
	Selector                   *LabelSelector `yaml:"selector,omitempty"`
	MaxUnavailable             *IntOrString   `yaml:"maxUnavailable,omitempty"`
	UnhealthyPodEvictionPolicy *string        `yaml:"unhealthyPodEvictionPolicy,omitempty"`
}

// PodDisruptionBudgetStatus is what the disruption controller computes.
type PodDisruptionBudgetStatus struct {
	_ unmodeled `unmodeled:"conditions"`

	ObservedGeneration int64                `yaml:"observedGeneration,omitempty"`
	DisruptedPods      map[string]time.Time `yaml:"disruptedPods,omitempty"`
	DisruptionsAllowed int32                `yaml:"disruptionsAllowed"`
	CurrentHealthy     int32                `yaml:"currentHealthy"`
	DesiredHealthy     int32                `yaml:"desiredHealthy"`
	ExpectedPods       int32                `yaml:"expectedPods"`
}
