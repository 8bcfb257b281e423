package model

import "time"

// Job is a batch/v1 Job.
type Job struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       JobSpec   `yaml:"spec,omitempty"`
	Status     JobStatus `yaml:"status,omitempty"`
}

// JobSpec is the modeled Job spec.
type JobSpec struct {
	_ unmodeled `unmodeled:"podFailurePolicy,successPolicy,podReplacementPolicy,managedBy,maxFailedIndexes"`

	Parallelism             *int32          `yaml:"parallelism,omitempty"`
	Completions             *int32          `yaml:"completions,omitempty"`
	ActiveDeadlineSeconds   *int64          `yaml:"activeDeadlineSeconds,omitempty"`
	BackoffLimit            *int32          `yaml:"backoffLimit,omitempty"`
	BackoffLimitPerIndex    *int32          `yaml:"backoffLimitPerIndex,omitempty"`
	Selector                *LabelSelector  `yaml:"selector,omitempty"`
	ManualSelector          *bool           `yaml:"manualSelector,omitempty"`
	Template                PodTemplateSpec `yaml:"template"`
	TTLSecondsAfterFinished *int32          `yaml:"ttlSecondsAfterFinished,omitempty"`
	CompletionMode          *CompletionMode `yaml:"completionMode,omitempty"`
	Suspend                 *bool           `yaml:"suspend,omitempty"`
}

// CompletionMode is NonIndexed or Indexed.
type CompletionMode string

// Completion modes.
const (
	NonIndexedCompletion CompletionMode = "NonIndexed"
	IndexedCompletion    CompletionMode = "Indexed"
)

// JobStatus is what the Job controller reports.
type JobStatus struct {
	_ unmodeled `unmodeled:"uncountedTerminatedPods,failedIndexes,terminating,readyReplicas"`

	Conditions       []JobCondition `yaml:"conditions,omitempty"`
	StartTime        *time.Time     `yaml:"startTime,omitempty"`
	CompletionTime   *time.Time     `yaml:"completionTime,omitempty"`
	Active           int32          `yaml:"active,omitempty"`
	Succeeded        int32          `yaml:"succeeded,omitempty"`
	Failed           int32          `yaml:"failed,omitempty"`
	CompletedIndexes string         `yaml:"completedIndexes,omitempty"`
	Ready            *int32         `yaml:"ready,omitempty"`
}

// JobCondition is Complete, Failed, Suspended, FailureTarget or
// SuccessCriteriaMet.
type JobCondition struct {
	Type               string          `yaml:"type"`
	Status             ConditionStatus `yaml:"status"`
	LastProbeTime      *time.Time      `yaml:"lastProbeTime,omitempty"`
	LastTransitionTime *time.Time      `yaml:"lastTransitionTime,omitempty"`
	Reason             string          `yaml:"reason,omitempty"`
	Message            string          `yaml:"message,omitempty"`
}

// CronJob is a batch/v1 CronJob.
type CronJob struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       CronJobSpec   `yaml:"spec,omitempty"`
	Status     CronJobStatus `yaml:"status,omitempty"`
}

// CronJobSpec is the modeled CronJob spec.
type CronJobSpec struct {
	Schedule                   string            `yaml:"schedule"`
	TimeZone                   *string           `yaml:"timeZone,omitempty"`
	StartingDeadlineSeconds    *int64            `yaml:"startingDeadlineSeconds,omitempty"`
	ConcurrencyPolicy          ConcurrencyPolicy `yaml:"concurrencyPolicy,omitempty"`
	Suspend                    *bool             `yaml:"suspend,omitempty"`
	JobTemplate                JobTemplateSpec   `yaml:"jobTemplate"`
	SuccessfulJobsHistoryLimit *int32            `yaml:"successfulJobsHistoryLimit,omitempty"`
	FailedJobsHistoryLimit     *int32            `yaml:"failedJobsHistoryLimit,omitempty"`
}

// JobTemplateSpec is the Job a CronJob creates.
type JobTemplateSpec struct {
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       JobSpec `yaml:"spec,omitempty"`
}

// ConcurrencyPolicy is Allow, Forbid or Replace.
type ConcurrencyPolicy string

// Concurrency policies.
const (
	AllowConcurrent   ConcurrencyPolicy = "Allow"
	ForbidConcurrent  ConcurrencyPolicy = "Forbid"
	ReplaceConcurrent ConcurrencyPolicy = "Replace"
)

// CronJobStatus is what the CronJob controller reports.
type CronJobStatus struct {
	Active             []ObjectReference `yaml:"active,omitempty"`
	LastScheduleTime   *time.Time        `yaml:"lastScheduleTime,omitempty"`
	LastSuccessfulTime *time.Time        `yaml:"lastSuccessfulTime,omitempty"`
}

// HorizontalPodAutoscaler is an autoscaling/v2 HorizontalPodAutoscaler.
type HorizontalPodAutoscaler struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       HorizontalPodAutoscalerSpec   `yaml:"spec,omitempty"`
	Status     HorizontalPodAutoscalerStatus `yaml:"status,omitempty"`
}

// HorizontalPodAutoscalerSpec is the modeled HPA spec.
type HorizontalPodAutoscalerSpec struct {
	ScaleTargetRef CrossVersionObjectReference      `yaml:"scaleTargetRef"`
	MinReplicas    *int32                           `yaml:"minReplicas,omitempty"`
	MaxReplicas    int32                            `yaml:"maxReplicas"`
	Metrics        []MetricSpec                     `yaml:"metrics,omitempty"`
	Behavior       *HorizontalPodAutoscalerBehavior `yaml:"behavior,omitempty"`
}

// CrossVersionObjectReference names the scaled object.
type CrossVersionObjectReference struct {
	Kind       string `yaml:"kind"`
	Name       string `yaml:"name"`
	APIVersion string `yaml:"apiVersion,omitempty"`
}

// MetricSpec is one metric the HPA follows. Resource and ContainerResource
// metrics are modeled from the pods' simulated usage.
type MetricSpec struct {
	_ unmodeled `unmodeled:"object,pods,external"`

	Type              string                         `yaml:"type"`
	Resource          *ResourceMetricSource          `yaml:"resource,omitempty"`
	ContainerResource *ContainerResourceMetricSource `yaml:"containerResource,omitempty"`
}

// ResourceMetricSource targets a resource across the pods.
type ResourceMetricSource struct {
	Name   ResourceName `yaml:"name"`
	Target MetricTarget `yaml:"target"`
}

// ContainerResourceMetricSource targets a resource of one container.
type ContainerResourceMetricSource struct {
	Name      ResourceName `yaml:"name"`
	Container string       `yaml:"container"`
	Target    MetricTarget `yaml:"target"`
}

// MetricTarget is Utilization, Value or AverageValue.
type MetricTarget struct {
	Type               string    `yaml:"type"`
	Value              *Quantity `yaml:"value,omitempty"`
	AverageValue       *Quantity `yaml:"averageValue,omitempty"`
	AverageUtilization *int32    `yaml:"averageUtilization,omitempty"`
}

// HorizontalPodAutoscalerBehavior holds scale-up and scale-down rules.
type HorizontalPodAutoscalerBehavior struct {
	ScaleUp   *HPAScalingRules `yaml:"scaleUp,omitempty"`
	ScaleDown *HPAScalingRules `yaml:"scaleDown,omitempty"`
}

// HPAScalingRules are a stabilization window, a select policy and policies.
type HPAScalingRules struct {
	StabilizationWindowSeconds *int32             `yaml:"stabilizationWindowSeconds,omitempty"`
	SelectPolicy               *string            `yaml:"selectPolicy,omitempty"`
	Policies                   []HPAScalingPolicy `yaml:"policies,omitempty"`
	Tolerance                  *Quantity          `yaml:"tolerance,omitempty"`
}

// HPAScalingPolicy is Pods or Percent per period.
type HPAScalingPolicy struct {
	Type          string `yaml:"type"`
	Value         int32  `yaml:"value"`
	PeriodSeconds int32  `yaml:"periodSeconds"`
}

// HorizontalPodAutoscalerStatus is what the HPA controller reports.
type HorizontalPodAutoscalerStatus struct {
	_ unmodeled `unmodeled:"currentMetrics,conditions"`

	ObservedGeneration *int64     `yaml:"observedGeneration,omitempty"`
	LastScaleTime      *time.Time `yaml:"lastScaleTime,omitempty"`
	CurrentReplicas    int32      `yaml:"currentReplicas"`
	DesiredReplicas    int32      `yaml:"desiredReplicas"`
}
