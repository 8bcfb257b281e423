package model

import "time"

// Pod is a core/v1 Pod. Modeled: containers and init containers (image,
// resources, ports, probes, restart policy of sidecars), node placement
// (nodeName, nodeSelector, affinity, tolerations, topology spread,
// schedulerName, schedulingGates, priority, preemptionPolicy, overhead),
// volumes, restartPolicy, terminationGracePeriodSeconds,
// activeDeadlineSeconds, hostNetwork and DNS policy; status phase,
// conditions, nominatedNodeName, IPs, start time and container states.
type Pod struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       PodSpec   `yaml:"spec,omitempty"`
	Status     PodStatus `yaml:"status,omitempty"`
}

// PodSpec is the modeled part of a pod's desired state.
type PodSpec struct {
	_ unmodeled `unmodeled:"serviceAccountName,serviceAccount,automountServiceAccountToken,securityContext,imagePullSecrets,hostname,subdomain,hostAliases,hostPID,hostIPC,shareProcessNamespace,dnsConfig,readinessGates,runtimeClassName,enableServiceLinks,os,hostUsers,setHostnameAsFQDN,ephemeralContainers,resourceClaims"`

	InitContainers                []Container                `yaml:"initContainers,omitempty"`
	Containers                    []Container                `yaml:"containers,omitempty"`
	Volumes                       []Volume                   `yaml:"volumes,omitempty"`
	RestartPolicy                 RestartPolicy              `yaml:"restartPolicy,omitempty"`
	TerminationGracePeriodSeconds *int64                     `yaml:"terminationGracePeriodSeconds,omitempty"`
	ActiveDeadlineSeconds         *int64                     `yaml:"activeDeadlineSeconds,omitempty"`
	DNSPolicy                     DNSPolicy                  `yaml:"dnsPolicy,omitempty"`
	NodeSelector                  map[string]string          `yaml:"nodeSelector,omitempty"`
	NodeName                      string                     `yaml:"nodeName,omitempty"`
	HostNetwork                   bool                       `yaml:"hostNetwork,omitempty"`
	Affinity                      *Affinity                  `yaml:"affinity,omitempty"`
	SchedulerName                 string                     `yaml:"schedulerName,omitempty"`
	Tolerations                   []Toleration               `yaml:"tolerations,omitempty"`
	PriorityClassName             string                     `yaml:"priorityClassName,omitempty"`
	Priority                      *int32                     `yaml:"priority,omitempty"`
	PreemptionPolicy              *PreemptionPolicy          `yaml:"preemptionPolicy,omitempty"`
	Overhead                      ResourceList               `yaml:"overhead,omitempty"`
	TopologySpreadConstraints     []TopologySpreadConstraint `yaml:"topologySpreadConstraints,omitempty"`
	SchedulingGates               []PodSchedulingGate        `yaml:"schedulingGates,omitempty"`
	Resources                     *ResourceRequirements      `yaml:"resources,omitempty"`
}

// Container is the modeled part of a container.
type Container struct {
	_ unmodeled `unmodeled:"command,args,workingDir,env,envFrom,volumeMounts,volumeDevices,securityContext,stdin,stdinOnce,tty,terminationMessagePath,terminationMessagePolicy,resizePolicy,restartPolicyRules"`

	Name            string               `yaml:"name"`
	Image           string               `yaml:"image,omitempty"`
	ImagePullPolicy PullPolicy           `yaml:"imagePullPolicy,omitempty"`
	Ports           []ContainerPort      `yaml:"ports,omitempty"`
	Resources       ResourceRequirements `yaml:"resources,omitempty"`
	LivenessProbe   *Probe               `yaml:"livenessProbe,omitempty"`
	ReadinessProbe  *Probe               `yaml:"readinessProbe,omitempty"`
	StartupProbe    *Probe               `yaml:"startupProbe,omitempty"`
	Lifecycle       *Lifecycle           `yaml:"lifecycle,omitempty"`
	// RestartPolicy on an init container: Always makes it a sidecar.
	RestartPolicy *ContainerRestartPolicy `yaml:"restartPolicy,omitempty"`
}

// IsSidecar reports whether an init container is a restartable sidecar.
func (c *Container) IsSidecar() bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == ContainerRestartPolicyAlways
}

// ResourceRequirements are a container's requests and limits.
type ResourceRequirements struct {
	_ unmodeled `unmodeled:"claims"`

	Limits   ResourceList `yaml:"limits,omitempty"`
	Requests ResourceList `yaml:"requests,omitempty"`
}

// ContainerPort is a port a container exposes; hostPort matters to
// scheduling (NodePorts).
type ContainerPort struct {
	Name          string   `yaml:"name,omitempty"`
	HostPort      int32    `yaml:"hostPort,omitempty"`
	ContainerPort int32    `yaml:"containerPort"`
	Protocol      Protocol `yaml:"protocol,omitempty"`
	HostIP        string   `yaml:"hostIP,omitempty"`
}

// Probe is a startup, liveness or readiness probe. The handler kind is
// recorded; what it answers comes from the workload's modeled behaviour.
type Probe struct {
	Exec                          *ExecAction      `yaml:"exec,omitempty"`
	HTTPGet                       *HTTPGetAction   `yaml:"httpGet,omitempty"`
	TCPSocket                     *TCPSocketAction `yaml:"tcpSocket,omitempty"`
	GRPC                          *GRPCAction      `yaml:"grpc,omitempty"`
	InitialDelaySeconds           int32            `yaml:"initialDelaySeconds,omitempty"`
	TimeoutSeconds                int32            `yaml:"timeoutSeconds,omitempty"`
	PeriodSeconds                 int32            `yaml:"periodSeconds,omitempty"`
	SuccessThreshold              int32            `yaml:"successThreshold,omitempty"`
	FailureThreshold              int32            `yaml:"failureThreshold,omitempty"`
	TerminationGracePeriodSeconds *int64           `yaml:"terminationGracePeriodSeconds,omitempty"`
}

// ExecAction runs a command in the container.
type ExecAction struct {
	Command []string `yaml:"command,omitempty"`
}

// HTTPGetAction probes over HTTP.
type HTTPGetAction struct {
	_ unmodeled `unmodeled:"httpHeaders"`

	Path   string      `yaml:"path,omitempty"`
	Port   IntOrString `yaml:"port"`
	Host   string      `yaml:"host,omitempty"`
	Scheme string      `yaml:"scheme,omitempty"`
}

// TCPSocketAction probes a TCP port.
type TCPSocketAction struct {
	Port IntOrString `yaml:"port"`
	Host string      `yaml:"host,omitempty"`
}

// GRPCAction probes over gRPC.
type GRPCAction struct {
	Port    int32   `yaml:"port"`
	Service *string `yaml:"service,omitempty"`
}

// Lifecycle holds the preStop hook, which delays termination.
type Lifecycle struct {
	PostStart *LifecycleHandler `yaml:"postStart,omitempty"`
	PreStop   *LifecycleHandler `yaml:"preStop,omitempty"`
}

// LifecycleHandler is a hook action.
type LifecycleHandler struct {
	Exec      *ExecAction      `yaml:"exec,omitempty"`
	HTTPGet   *HTTPGetAction   `yaml:"httpGet,omitempty"`
	TCPSocket *TCPSocketAction `yaml:"tcpSocket,omitempty"`
	Sleep     *SleepAction     `yaml:"sleep,omitempty"`
}

// SleepAction sleeps for a number of seconds.
type SleepAction struct {
	Seconds int64 `yaml:"seconds"`
}

// Affinity groups node affinity and pod (anti-)affinity.
type Affinity struct {
	NodeAffinity    *NodeAffinity    `yaml:"nodeAffinity,omitempty"`
	PodAffinity     *PodAffinity     `yaml:"podAffinity,omitempty"`
	PodAntiAffinity *PodAntiAffinity `yaml:"podAntiAffinity,omitempty"`
}

// PodAffinity attracts a pod to domains running matching pods.
type PodAffinity struct {
	RequiredDuringSchedulingIgnoredDuringExecution  []PodAffinityTerm         `yaml:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	PreferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm `yaml:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// PodAntiAffinity repels a pod from domains running matching pods.
type PodAntiAffinity struct {
	RequiredDuringSchedulingIgnoredDuringExecution  []PodAffinityTerm         `yaml:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	PreferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm `yaml:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// PodAffinityTerm selects pods in namespaces within a topology domain.
type PodAffinityTerm struct {
	LabelSelector     *LabelSelector `yaml:"labelSelector,omitempty"`
	Namespaces        []string       `yaml:"namespaces,omitempty"`
	TopologyKey       string         `yaml:"topologyKey"`
	NamespaceSelector *LabelSelector `yaml:"namespaceSelector,omitempty"`
	MatchLabelKeys    []string       `yaml:"matchLabelKeys,omitempty"`
	MismatchLabelKeys []string       `yaml:"mismatchLabelKeys,omitempty"`
}

// WeightedPodAffinityTerm is a preferred term with its weight (1-100).
type WeightedPodAffinityTerm struct {
	Weight          int32           `yaml:"weight"`
	PodAffinityTerm PodAffinityTerm `yaml:"podAffinityTerm"`
}

// TopologySpreadConstraint spreads matching pods across domains.
type TopologySpreadConstraint struct {
	MaxSkew            int32                         `yaml:"maxSkew"`
	TopologyKey        string                        `yaml:"topologyKey"`
	WhenUnsatisfiable  UnsatisfiableConstraintAction `yaml:"whenUnsatisfiable"`
	LabelSelector      *LabelSelector                `yaml:"labelSelector,omitempty"`
	MinDomains         *int32                        `yaml:"minDomains,omitempty"`
	NodeAffinityPolicy *NodeInclusionPolicy          `yaml:"nodeAffinityPolicy,omitempty"`
	NodeTaintsPolicy   *NodeInclusionPolicy          `yaml:"nodeTaintsPolicy,omitempty"`
	MatchLabelKeys     []string                      `yaml:"matchLabelKeys,omitempty"`
}

// PodSchedulingGate holds a pod back from scheduling while present.
type PodSchedulingGate struct {
	Name string `yaml:"name"`
}

// PodStatus is the modeled part of a pod's observed state.
type PodStatus struct {
	_ unmodeled `unmodeled:"qosClass,ephemeralContainerStatuses,resize,resourceClaimStatuses,hostIPs,podIPs,observedGeneration"`

	Phase                 PodPhase          `yaml:"phase,omitempty"`
	Conditions            []PodCondition    `yaml:"conditions,omitempty"`
	Message               string            `yaml:"message,omitempty"`
	Reason                string            `yaml:"reason,omitempty"`
	NominatedNodeName     string            `yaml:"nominatedNodeName,omitempty"`
	HostIP                string            `yaml:"hostIP,omitempty"`
	PodIP                 string            `yaml:"podIP,omitempty"`
	StartTime             *time.Time        `yaml:"startTime,omitempty"`
	InitContainerStatuses []ContainerStatus `yaml:"initContainerStatuses,omitempty"`
	ContainerStatuses     []ContainerStatus `yaml:"containerStatuses,omitempty"`
}

// PodCondition is one of PodScheduled, Initialized, ContainersReady, Ready,
// DisruptionTarget.
type PodCondition struct {
	Type               PodConditionType `yaml:"type"`
	Status             ConditionStatus  `yaml:"status"`
	LastProbeTime      *time.Time       `yaml:"lastProbeTime,omitempty"`
	LastTransitionTime *time.Time       `yaml:"lastTransitionTime,omitempty"`
	Reason             string           `yaml:"reason,omitempty"`
	Message            string           `yaml:"message,omitempty"`
}

// ContainerStatus is a container's observed state.
type ContainerStatus struct {
	_ unmodeled `unmodeled:"imageID,containerID,started,allocatedResources,resources,volumeMounts,user,allocatedResourcesStatus,stopSignal"`

	Name                 string         `yaml:"name"`
	State                ContainerState `yaml:"state,omitempty"`
	LastTerminationState ContainerState `yaml:"lastState,omitempty"`
	Ready                bool           `yaml:"ready"`
	RestartCount         int32          `yaml:"restartCount"`
	Image                string         `yaml:"image,omitempty"`
}

// ContainerState is exactly one of waiting, running or terminated.
type ContainerState struct {
	Waiting    *ContainerStateWaiting    `yaml:"waiting,omitempty"`
	Running    *ContainerStateRunning    `yaml:"running,omitempty"`
	Terminated *ContainerStateTerminated `yaml:"terminated,omitempty"`
}

// ContainerStateWaiting says why a container is not running yet.
type ContainerStateWaiting struct {
	Reason  string `yaml:"reason,omitempty"`
	Message string `yaml:"message,omitempty"`
}

// ContainerStateRunning says since when a container runs.
type ContainerStateRunning struct {
	StartedAt *time.Time `yaml:"startedAt,omitempty"`
}

// ContainerStateTerminated records how a container ended.
type ContainerStateTerminated struct {
	_ unmodeled `unmodeled:"signal,containerID"`

	ExitCode   int32      `yaml:"exitCode"`
	Reason     string     `yaml:"reason,omitempty"`
	Message    string     `yaml:"message,omitempty"`
	StartedAt  *time.Time `yaml:"startedAt,omitempty"`
	FinishedAt *time.Time `yaml:"finishedAt,omitempty"`
}

// Enumerations of the pod API.
type (
	RestartPolicy                 string
	ContainerRestartPolicy        string
	PullPolicy                    string
	Protocol                      string
	DNSPolicy                     string
	PreemptionPolicy              string
	PodPhase                      string
	PodConditionType              string
	ConditionStatus               string
	UnsatisfiableConstraintAction string
	NodeInclusionPolicy           string
	PodQOSClass                   string
)

// Values of the pod enumerations, as upstream core/v1 spells them.
const (
	RestartPolicyAlways    RestartPolicy = "Always"
	RestartPolicyOnFailure RestartPolicy = "OnFailure"
	RestartPolicyNever     RestartPolicy = "Never"

	ContainerRestartPolicyAlways ContainerRestartPolicy = "Always"

	PullAlways       PullPolicy = "Always"
	PullNever        PullPolicy = "Never"
	PullIfNotPresent PullPolicy = "IfNotPresent"

	ProtocolTCP  Protocol = "TCP"
	ProtocolUDP  Protocol = "UDP"
	ProtocolSCTP Protocol = "SCTP"

	DNSClusterFirst            DNSPolicy = "ClusterFirst"
	DNSClusterFirstWithHostNet DNSPolicy = "ClusterFirstWithHostNet"
	DNSDefault                 DNSPolicy = "Default"
	DNSNone                    DNSPolicy = "None"

	PreemptLowerPriority PreemptionPolicy = "PreemptLowerPriority"
	PreemptNever         PreemptionPolicy = "Never"

	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
	PodUnknown   PodPhase = "Unknown"

	PodScheduled     PodConditionType = "PodScheduled"
	PodInitialized   PodConditionType = "Initialized"
	ContainersReady  PodConditionType = "ContainersReady"
	PodReady         PodConditionType = "Ready"
	DisruptionTarget PodConditionType = "DisruptionTarget"

	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"

	DoNotSchedule  UnsatisfiableConstraintAction = "DoNotSchedule"
	ScheduleAnyway UnsatisfiableConstraintAction = "ScheduleAnyway"

	NodeInclusionPolicyIgnore NodeInclusionPolicy = "Ignore"
	NodeInclusionPolicyHonor  NodeInclusionPolicy = "Honor"

	PodQOSGuaranteed PodQOSClass = "Guaranteed"
	PodQOSBurstable  PodQOSClass = "Burstable"
	PodQOSBestEffort PodQOSClass = "BestEffort"
)

// DefaultSchedulerName is the scheduler a pod gets when it names none.
const DefaultSchedulerName = "default-scheduler"

// Condition returns the pod condition of type t, or nil.
func (s *PodStatus) Condition(t PodConditionType) *PodCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

// SetCondition replaces or appends the condition of c's type.
func (s *PodStatus) SetCondition(c PodCondition) {
	if old := s.Condition(c.Type); old != nil {
		*old = c
		return
	}
	s.Conditions = append(s.Conditions, c)
}

// IsTerminal reports whether the pod has finished (Succeeded or Failed).
func (p *Pod) IsTerminal() bool {
	return p.Status.Phase == PodSucceeded || p.Status.Phase == PodFailed
}

// IsTerminating reports whether the pod is being deleted.
func (p *Pod) IsTerminating() bool { return p.DeletionTimestamp != nil }

// IsReady reports whether the pod's Ready condition is True.
func (p *Pod) IsReady() bool {
	c := p.Status.Condition(PodReady)
	return c != nil && c.Status == ConditionTrue
}

// PriorityValue returns spec.priority, 0 when unset (upstream
// corev1helpers.PodPriority).
func (p *Pod) PriorityValue() int32 { return Deref(p.Spec.Priority, 0) }
