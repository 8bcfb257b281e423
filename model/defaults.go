package model

import "strings"

// SetDefaults applies the API defaulting the apiserver performs on create,
// for the fields kubesim models. Sources: pkg/apis/core/v1/defaults.go,
// pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go,
// pkg/apis/autoscaling/v2/defaults.go, pkg/apis/storage/v1/defaults.go,
// pkg/apis/scheduling/v1/defaults.go, pkg/apis/networking/v1/defaults.go and
// the namespace and pod registry strategies.
func SetDefaults(o Object) {
	SetTypeMeta(o)
	switch x := o.(type) {
	case *Pod:
		SetDefaultsPodSpec(&x.Spec)
		setDefaultsPod(&x.Spec)
		if x.Status.Phase == "" {
			x.Status.Phase = PodPending // pod strategy PrepareForCreate
		}
	case *Node:
		// SetDefaults_NodeStatus: allocatable defaults to capacity.
		if x.Status.Allocatable == nil && x.Status.Capacity != nil {
			x.Status.Allocatable = DeepCopy(x.Status.Capacity)
		}
	case *Namespace:
		// SetDefaults_Namespace: every named namespace carries its name as
		// the kubernetes.io/metadata.name label (namespace selectors use it).
		if x.Name != "" {
			if x.Labels == nil {
				x.Labels = map[string]string{}
			}
			x.Labels[LabelMetadataName] = x.Name
		}
		if x.Status.Phase == "" {
			x.Status.Phase = "Active"
		}
		if len(x.Spec.Finalizers) == 0 {
			x.Spec.Finalizers = []string{"kubernetes"}
		}
	case *Service:
		setDefaultsService(x)
	case *PersistentVolume:
		if x.Spec.PersistentVolumeReclaimPolicy == "" {
			x.Spec.PersistentVolumeReclaimPolicy = PersistentVolumeReclaimRetain
		}
		if x.Spec.VolumeMode == nil {
			x.Spec.VolumeMode = Ptr(PersistentVolumeFilesystem)
		}
		if x.Status.Phase == "" {
			x.Status.Phase = VolumePending
		}
	case *PersistentVolumeClaim:
		SetDefaultsPVCSpec(&x.Spec)
		if x.Status.Phase == "" {
			x.Status.Phase = ClaimPending
		}
	case *Secret:
		if x.Type == "" {
			x.Type = "Opaque"
		}
	case *LimitRange:
		for i := range x.Spec.Limits {
			setDefaultsLimitRangeItem(&x.Spec.Limits[i])
		}
	case *ReplicaSet:
		if x.Spec.Replicas == nil {
			x.Spec.Replicas = Ptr[int32](1)
		}
		SetDefaultsPodSpec(&x.Spec.Template.Spec)
	case *Deployment:
		setDefaultsDeployment(x)
	case *StatefulSet:
		setDefaultsStatefulSet(x)
	case *DaemonSet:
		setDefaultsDaemonSet(x)
	case *Job:
		SetDefaultsJobSpec(&x.Spec)
		// SetDefaults_Job: a Job without labels takes its template's.
		if x.Spec.Template.Labels != nil && len(x.Labels) == 0 {
			x.Labels = DeepCopy(x.Spec.Template.Labels)
		}
	case *CronJob:
		s := &x.Spec
		if s.ConcurrencyPolicy == "" {
			s.ConcurrencyPolicy = AllowConcurrent
		}
		if s.Suspend == nil {
			s.Suspend = Ptr(false)
		}
		if s.SuccessfulJobsHistoryLimit == nil {
			s.SuccessfulJobsHistoryLimit = Ptr[int32](3)
		}
		if s.FailedJobsHistoryLimit == nil {
			s.FailedJobsHistoryLimit = Ptr[int32](1)
		}
		SetDefaultsJobSpec(&s.JobTemplate.Spec)
	case *HorizontalPodAutoscaler:
		setDefaultsHPA(x)
	case *CSIDriver:
		if x.Spec.AttachRequired == nil {
			x.Spec.AttachRequired = Ptr(true)
		}
	case *StorageClass:
		if x.ReclaimPolicy == nil {
			x.ReclaimPolicy = Ptr(PersistentVolumeReclaimDelete)
		}
		if x.VolumeBindingMode == nil {
			x.VolumeBindingMode = Ptr(VolumeBindingImmediate)
		}
	case *PriorityClass:
		if x.PreemptionPolicy == nil {
			x.PreemptionPolicy = Ptr(PreemptLowerPriority)
		}
	case *NetworkPolicy:
		setDefaultsNetworkPolicy(x)
	case *EndpointSlice:
		for i := range x.Ports {
			if x.Ports[i].Protocol == nil {
				x.Ports[i].Protocol = Ptr(ProtocolTCP)
			}
		}
	}
}

// LabelMetadataName is the label every namespace carries with its own name
// (upstream k8s.io/api/core/v1 well_known_labels.go).
const LabelMetadataName = "kubernetes.io/metadata.name"

// SetDefaultsPodSpec defaults a pod spec (also inside templates). The
// defaults upstream applies to Pods only (SetDefaults_Pod: requests from
// limits, host ports under hostNetwork) are applied by SetDefaults on a Pod.
func SetDefaultsPodSpec(s *PodSpec) {
	if s.RestartPolicy == "" {
		s.RestartPolicy = RestartPolicyAlways
	}
	if s.TerminationGracePeriodSeconds == nil {
		s.TerminationGracePeriodSeconds = Ptr[int64](30)
	}
	if s.DNSPolicy == "" {
		s.DNSPolicy = DNSClusterFirst
	}
	if s.SchedulerName == "" {
		s.SchedulerName = DefaultSchedulerName
	}
	for i := range s.InitContainers {
		setDefaultsContainer(&s.InitContainers[i])
	}
	for i := range s.Containers {
		setDefaultsContainer(&s.Containers[i])
	}
}

func setDefaultsContainer(c *Container) {
	if c.ImagePullPolicy == "" {
		c.ImagePullPolicy = defaultPullPolicy(c.Image)
	}
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = ProtocolTCP
		}
	}
	for _, p := range []*Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		SetDefaultsProbe(p)
	}
	if l := c.Lifecycle; l != nil {
		for _, h := range []*LifecycleHandler{l.PostStart, l.PreStop} {
			if h != nil {
				setDefaultsHTTPGet(h.HTTPGet)
			}
		}
	}
}

// setDefaultsPod applies what upstream SetDefaults_Pod adds for Pods only,
// not for pod templates: a resource with a limit but no request gets the
// limit as its request, and under hostNetwork every container port without
// a hostPort gets its containerPort as hostPort.
func setDefaultsPod(s *PodSpec) {
	for _, list := range [][]Container{s.Containers, s.InitContainers} {
		for i := range list {
			c := &list[i]
			if c.Resources.Limits != nil {
				if c.Resources.Requests == nil {
					c.Resources.Requests = make(ResourceList, len(c.Resources.Limits))
				}
				for name, q := range c.Resources.Limits {
					if _, ok := c.Resources.Requests[name]; !ok {
						c.Resources.Requests[name] = q
					}
				}
			}
			if s.HostNetwork {
				for j := range c.Ports {
					if c.Ports[j].HostPort == 0 {
						c.Ports[j].HostPort = c.Ports[j].ContainerPort
					}
				}
			}
		}
	}
}

// setDefaultsHTTPGet applies SetDefaults_HTTPGetAction: path "/", scheme
// HTTP.
func setDefaultsHTTPGet(h *HTTPGetAction) {
	if h == nil {
		return
	}
	if h.Path == "" {
		h.Path = "/"
	}
	if h.Scheme == "" {
		h.Scheme = "HTTP"
	}
}

// setDefaultsLimitRangeItem applies SetDefaults_LimitRangeItem: for a
// Container item, the default limit falls back to max, and the default
// request to the default limit, then to min.
func setDefaultsLimitRangeItem(it *LimitRangeItem) {
	if it.Type != "Container" {
		return
	}
	if it.Default == nil {
		it.Default = ResourceList{}
	}
	if it.DefaultRequest == nil {
		it.DefaultRequest = ResourceList{}
	}
	for name, q := range it.Max {
		if !it.Default.Has(name) {
			it.Default[name] = q
		}
	}
	for name, q := range it.Default {
		if !it.DefaultRequest.Has(name) {
			it.DefaultRequest[name] = q
		}
	}
	for name, q := range it.Min {
		if !it.DefaultRequest.Has(name) {
			it.DefaultRequest[name] = q
		}
	}
}

// defaultPullPolicy is Always for the latest tag or no tag, else
// IfNotPresent (SetDefaults_Container, parsers.ParseImageName). A digest
// without a tag counts as a tag; "name:latest@digest" is still latest. An
// empty image does not parse upstream, which then picks IfNotPresent.
func defaultPullPolicy(image string) PullPolicy {
	if image == "" {
		return PullIfNotPresent
	}
	if at := strings.IndexByte(image, '@'); at >= 0 {
		image = image[:at]
		slash := strings.LastIndex(image, "/")
		colon := strings.LastIndex(image, ":")
		if colon > slash && image[colon+1:] == "latest" {
			return PullAlways
		}
		return PullIfNotPresent
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	if colon <= slash || image[colon+1:] == "latest" {
		return PullAlways
	}
	return PullIfNotPresent
}

// SetDefaultsProbe applies SetDefaults_Probe: timeout 1 s, period 10 s,
// success threshold 1, failure threshold 3; and SetDefaults_HTTPGetAction.
func SetDefaultsProbe(p *Probe) {
	if p == nil {
		return
	}
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = 1
	}
	if p.PeriodSeconds == 0 {
		p.PeriodSeconds = 10
	}
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = 1
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 3
	}
	setDefaultsHTTPGet(p.HTTPGet)
}

// SetDefaultsPVCSpec sets volumeMode Filesystem.
func SetDefaultsPVCSpec(s *PersistentVolumeClaimSpec) {
	if s.VolumeMode == nil {
		s.VolumeMode = Ptr(PersistentVolumeFilesystem)
	}
}

func setDefaultsService(x *Service) {
	s := &x.Spec
	if s.Type == "" {
		s.Type = ServiceTypeClusterIP
	}
	if s.SessionAffinity == "" {
		s.SessionAffinity = ServiceAffinityNone
	}
	if s.SessionAffinity == ServiceAffinityNone {
		s.SessionAffinityConfig = nil
	}
	if s.SessionAffinity == ServiceAffinityClientIP {
		if s.SessionAffinityConfig == nil {
			s.SessionAffinityConfig = &SessionAffinityConfig{}
		}
		if s.SessionAffinityConfig.ClientIP == nil {
			s.SessionAffinityConfig.ClientIP = &ClientIPConfig{}
		}
		if s.SessionAffinityConfig.ClientIP.TimeoutSeconds == nil {
			s.SessionAffinityConfig.ClientIP.TimeoutSeconds = Ptr(DefaultClientIPServiceAffinitySeconds)
		}
	}
	for i := range s.Ports {
		p := &s.Ports[i]
		if p.Protocol == "" {
			p.Protocol = ProtocolTCP
		}
		if p.TargetPort == FromInt32(0) || p.TargetPort == FromString("") {
			p.TargetPort = FromInt32(p.Port)
		}
	}
	if (s.Type == ServiceTypeNodePort || s.Type == ServiceTypeLoadBalancer) && s.ExternalTrafficPolicy == "" {
		s.ExternalTrafficPolicy = ServiceTrafficPolicyCluster
	}
	if s.Type != ServiceTypeExternalName && s.InternalTrafficPolicy == nil {
		s.InternalTrafficPolicy = Ptr(ServiceTrafficPolicyCluster)
	}
}

func setDefaultsDeployment(x *Deployment) {
	s := &x.Spec
	if s.Replicas == nil {
		s.Replicas = Ptr[int32](1)
	}
	if s.Strategy.Type == "" {
		s.Strategy.Type = RollingUpdateDeploymentStrategyType
	}
	if s.Strategy.Type == RollingUpdateDeploymentStrategyType {
		if s.Strategy.RollingUpdate == nil {
			s.Strategy.RollingUpdate = &RollingUpdateDeployment{}
		}
		if s.Strategy.RollingUpdate.MaxUnavailable == nil {
			s.Strategy.RollingUpdate.MaxUnavailable = Ptr(FromString("25%"))
		}
		if s.Strategy.RollingUpdate.MaxSurge == nil {
			s.Strategy.RollingUpdate.MaxSurge = Ptr(FromString("25%"))
		}
	}
	if s.RevisionHistoryLimit == nil {
		s.RevisionHistoryLimit = Ptr[int32](10)
	}
	if s.ProgressDeadlineSeconds == nil {
		s.ProgressDeadlineSeconds = Ptr[int32](600)
	}
	SetDefaultsPodSpec(&s.Template.Spec)
}

func setDefaultsStatefulSet(x *StatefulSet) {
	s := &x.Spec
	if s.Replicas == nil {
		s.Replicas = Ptr[int32](1)
	}
	if s.PodManagementPolicy == "" {
		s.PodManagementPolicy = OrderedReadyPodManagement
	}
	if s.UpdateStrategy.Type == "" {
		s.UpdateStrategy.Type = "RollingUpdate"
	}
	if s.UpdateStrategy.Type == "RollingUpdate" {
		if s.UpdateStrategy.RollingUpdate == nil {
			s.UpdateStrategy.RollingUpdate = &RollingUpdateStatefulSetStrategy{}
		}
		if s.UpdateStrategy.RollingUpdate.Partition == nil {
			s.UpdateStrategy.RollingUpdate.Partition = Ptr[int32](0)
		}
	}
	if s.RevisionHistoryLimit == nil {
		s.RevisionHistoryLimit = Ptr[int32](10)
	}
	if s.PersistentVolumeClaimRetentionPolicy == nil {
		s.PersistentVolumeClaimRetentionPolicy = &StatefulSetPersistentVolumeClaimRetentionPolicy{}
	}
	if s.PersistentVolumeClaimRetentionPolicy.WhenDeleted == "" {
		s.PersistentVolumeClaimRetentionPolicy.WhenDeleted = "Retain"
	}
	if s.PersistentVolumeClaimRetentionPolicy.WhenScaled == "" {
		s.PersistentVolumeClaimRetentionPolicy.WhenScaled = "Retain"
	}
	for i := range s.VolumeClaimTemplates {
		SetDefaultsPVCSpec(&s.VolumeClaimTemplates[i].Spec)
	}
	SetDefaultsPodSpec(&s.Template.Spec)
}

func setDefaultsDaemonSet(x *DaemonSet) {
	s := &x.Spec
	if s.UpdateStrategy.Type == "" {
		s.UpdateStrategy.Type = "RollingUpdate"
	}
	if s.UpdateStrategy.Type == "RollingUpdate" {
		if s.UpdateStrategy.RollingUpdate == nil {
			s.UpdateStrategy.RollingUpdate = &RollingUpdateDaemonSet{}
		}
		if s.UpdateStrategy.RollingUpdate.MaxUnavailable == nil {
			s.UpdateStrategy.RollingUpdate.MaxUnavailable = Ptr(FromInt32(1))
		}
		if s.UpdateStrategy.RollingUpdate.MaxSurge == nil {
			s.UpdateStrategy.RollingUpdate.MaxSurge = Ptr(FromInt32(0))
		}
	}
	if s.RevisionHistoryLimit == nil {
		s.RevisionHistoryLimit = Ptr[int32](10)
	}
	SetDefaultsPodSpec(&s.Template.Spec)
}

// SetDefaultsJobSpec applies SetDefaults_Job.
func SetDefaultsJobSpec(s *JobSpec) {
	if s.Completions == nil && s.Parallelism == nil {
		s.Completions = Ptr[int32](1)
		s.Parallelism = Ptr[int32](1)
	}
	if s.Parallelism == nil {
		s.Parallelism = Ptr[int32](1)
	}
	if s.BackoffLimit == nil {
		if s.BackoffLimitPerIndex != nil {
			s.BackoffLimit = Ptr[int32](1<<31 - 1)
		} else {
			s.BackoffLimit = Ptr[int32](6)
		}
	}
	if s.CompletionMode == nil {
		s.CompletionMode = Ptr(NonIndexedCompletion)
	}
	if s.Suspend == nil {
		s.Suspend = Ptr(false)
	}
	if s.ManualSelector == nil {
		s.ManualSelector = Ptr(false)
	}
	SetDefaultsPodSpec(&s.Template.Spec)
}

func setDefaultsHPA(x *HorizontalPodAutoscaler) {
	s := &x.Spec
	if s.MinReplicas == nil {
		s.MinReplicas = Ptr[int32](1)
	}
	if len(s.Metrics) == 0 {
		s.Metrics = []MetricSpec{{
			Type: "Resource",
			Resource: &ResourceMetricSource{
				Name:   ResourceCPU,
				Target: MetricTarget{Type: "Utilization", AverageUtilization: Ptr[int32](80)},
			},
		}}
	}
	if s.Behavior == nil {
		return
	}
	// SetDefaults_HorizontalPodAutoscalerBehavior.
	if s.Behavior.ScaleUp == nil {
		s.Behavior.ScaleUp = &HPAScalingRules{}
	}
	up := s.Behavior.ScaleUp
	if up.StabilizationWindowSeconds == nil {
		up.StabilizationWindowSeconds = Ptr[int32](0)
	}
	if up.SelectPolicy == nil {
		up.SelectPolicy = Ptr("Max")
	}
	if len(up.Policies) == 0 {
		up.Policies = []HPAScalingPolicy{
			{Type: "Pods", Value: 4, PeriodSeconds: 15},
			{Type: "Percent", Value: 100, PeriodSeconds: 15},
		}
	}
	if s.Behavior.ScaleDown == nil {
		s.Behavior.ScaleDown = &HPAScalingRules{}
	}
	down := s.Behavior.ScaleDown
	if down.StabilizationWindowSeconds == nil {
		down.StabilizationWindowSeconds = Ptr[int32](300)
	}
	if down.SelectPolicy == nil {
		down.SelectPolicy = Ptr("Max")
	}
	if len(down.Policies) == 0 {
		down.Policies = []HPAScalingPolicy{{Type: "Percent", Value: 100, PeriodSeconds: 15}}
	}
}

func setDefaultsNetworkPolicy(x *NetworkPolicy) {
	s := &x.Spec
	if len(s.PolicyTypes) == 0 {
		s.PolicyTypes = []string{"Ingress"}
		if len(s.Egress) != 0 {
			s.PolicyTypes = append(s.PolicyTypes, "Egress")
		}
	}
	for i := range s.Ingress {
		for j := range s.Ingress[i].Ports {
			if s.Ingress[i].Ports[j].Protocol == nil {
				s.Ingress[i].Ports[j].Protocol = Ptr(ProtocolTCP)
			}
		}
	}
	for i := range s.Egress {
		for j := range s.Egress[i].Ports {
			if s.Egress[i].Ports[j].Protocol == nil {
				s.Egress[i].Ports[j].Protocol = Ptr(ProtocolTCP)
			}
		}
	}
}
