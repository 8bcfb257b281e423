package model

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expected values in this file are upstream's API defaults:
// pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1/defaults.go,
// pkg/apis/batch/v1/defaults.go, pkg/apis/autoscaling/v2/defaults.go,
// pkg/apis/storage/v1/defaults.go, pkg/apis/scheduling/v1/defaults.go and
// pkg/apis/networking/v1/defaults.go.

func intStr(s string) *IntOrString { return Ptr(FromString(s)) }
func intVal(i int32) *IntOrString  { return Ptr(FromInt32(i)) }

func podTemplate(containers ...Container) PodTemplateSpec {
	return PodTemplateSpec{
		ObjectMeta: ObjectMeta{Labels: map[string]string{"app": "x"}},
		Spec:       PodSpec{Containers: containers},
	}
}

// assertPodSpecDefaults checks SetDefaults_PodSpec's defaults.
func assertPodSpecDefaults(t *testing.T, s *PodSpec) {
	t.Helper()
	assert.Equal(t, RestartPolicyAlways, s.RestartPolicy, "restartPolicy")
	assert.Equal(t, Ptr[int64](30), s.TerminationGracePeriodSeconds, "terminationGracePeriodSeconds")
	assert.Equal(t, DNSClusterFirst, s.DNSPolicy, "dnsPolicy")
	assert.Equal(t, "default-scheduler", s.SchedulerName, "schedulerName")
}

func TestSetDefaultsDeployment(t *testing.T) {
	tests := []struct {
		name string
		in   DeploymentSpec
		want func(t *testing.T, s *DeploymentSpec)
	}{
		{
			name: "empty spec",
			in:   DeploymentSpec{Template: podTemplate(Container{Name: "c", Image: "nginx:1.25"})},
			want: func(t *testing.T, s *DeploymentSpec) {
				assert.Equal(t, Ptr[int32](1), s.Replicas)
				assert.Equal(t, RollingUpdateDeploymentStrategyType, s.Strategy.Type)
				require.NotNil(t, s.Strategy.RollingUpdate)
				assert.Equal(t, intStr("25%"), s.Strategy.RollingUpdate.MaxUnavailable)
				assert.Equal(t, intStr("25%"), s.Strategy.RollingUpdate.MaxSurge)
				assert.Equal(t, Ptr[int32](10), s.RevisionHistoryLimit)
				assert.Equal(t, Ptr[int32](600), s.ProgressDeadlineSeconds)
				assertPodSpecDefaults(t, &s.Template.Spec)
				assert.Equal(t, PullIfNotPresent, s.Template.Spec.Containers[0].ImagePullPolicy)
			},
		},
		{
			name: "explicit values are kept, zero included",
			in: DeploymentSpec{
				Replicas:                Ptr[int32](0),
				RevisionHistoryLimit:    Ptr[int32](0),
				ProgressDeadlineSeconds: Ptr[int32](60),
				Strategy: DeploymentStrategy{Type: RollingUpdateDeploymentStrategyType, RollingUpdate: &RollingUpdateDeployment{
					MaxUnavailable: intVal(0), MaxSurge: intVal(1),
				}},
			},
			want: func(t *testing.T, s *DeploymentSpec) {
				assert.Equal(t, Ptr[int32](0), s.Replicas)
				assert.Equal(t, Ptr[int32](0), s.RevisionHistoryLimit)
				assert.Equal(t, Ptr[int32](60), s.ProgressDeadlineSeconds)
				assert.Equal(t, intVal(0), s.Strategy.RollingUpdate.MaxUnavailable)
				assert.Equal(t, intVal(1), s.Strategy.RollingUpdate.MaxSurge)
			},
		},
		{
			name: "half a rolling update is completed",
			in:   DeploymentSpec{Strategy: DeploymentStrategy{RollingUpdate: &RollingUpdateDeployment{MaxSurge: intStr("50%")}}},
			want: func(t *testing.T, s *DeploymentSpec) {
				assert.Equal(t, RollingUpdateDeploymentStrategyType, s.Strategy.Type)
				assert.Equal(t, intStr("50%"), s.Strategy.RollingUpdate.MaxSurge)
				assert.Equal(t, intStr("25%"), s.Strategy.RollingUpdate.MaxUnavailable)
			},
		},
		{
			name: "Recreate gets no rolling update parameters",
			in:   DeploymentSpec{Strategy: DeploymentStrategy{Type: RecreateDeploymentStrategyType}},
			want: func(t *testing.T, s *DeploymentSpec) {
				assert.Equal(t, RecreateDeploymentStrategyType, s.Strategy.Type)
				assert.Nil(t, s.Strategy.RollingUpdate)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Deployment{ObjectMeta: ObjectMeta{Name: "d"}, Spec: tt.in}
			SetDefaults(d)
			assert.Equal(t, TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, d.TypeMeta)
			tt.want(t, &d.Spec)
		})
	}
}

func TestSetDefaultsPodSpec(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		p := &Pod{ObjectMeta: ObjectMeta{Name: "p"}, Spec: PodSpec{Containers: []Container{{Name: "c", Image: "busybox"}}}}
		SetDefaults(p)
		assertPodSpecDefaults(t, &p.Spec)
		assert.Equal(t, PodPending, p.Status.Phase, "pod strategy sets phase Pending")
		assert.Equal(t, TypeMeta{APIVersion: "v1", Kind: "Pod"}, p.TypeMeta)
	})
	t.Run("explicit values are kept", func(t *testing.T) {
		s := PodSpec{
			RestartPolicy:                 RestartPolicyNever,
			TerminationGracePeriodSeconds: Ptr[int64](0),
			DNSPolicy:                     DNSDefault,
			SchedulerName:                 "my-scheduler",
		}
		SetDefaultsPodSpec(&s)
		assert.Equal(t, RestartPolicyNever, s.RestartPolicy)
		assert.Equal(t, Ptr[int64](0), s.TerminationGracePeriodSeconds)
		assert.Equal(t, DNSDefault, s.DNSPolicy)
		assert.Equal(t, "my-scheduler", s.SchedulerName)
	})
	t.Run("container ports default to TCP", func(t *testing.T) {
		s := PodSpec{Containers: []Container{{Name: "c", Ports: []ContainerPort{{ContainerPort: 80}, {ContainerPort: 53, Protocol: ProtocolUDP}}}}}
		SetDefaultsPodSpec(&s)
		assert.Equal(t, ProtocolTCP, s.Containers[0].Ports[0].Protocol)
		assert.Equal(t, ProtocolUDP, s.Containers[0].Ports[1].Protocol)
	})
}

// SetDefaults_Container via parsers.ParseImageName: the policy is Always
// exactly when the tag is "latest", and a reference without tag or digest
// has the tag "latest".
func TestDefaultImagePullPolicy(t *testing.T) {
	const digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	tests := []struct {
		image string
		want  PullPolicy
	}{
		{"nginx", PullAlways},
		{"nginx:latest", PullAlways},
		{"nginx:1.25", PullIfNotPresent},
		{"nginx:LATEST", PullIfNotPresent}, // tags are case-sensitive
		{"docker.io/library/nginx", PullAlways},
		{"registry.example.com:5000/team/app", PullAlways}, // a port is not a tag
		{"registry.example.com:5000/team/app:v2", PullIfNotPresent},
		{"registry.example.com:5000/team/app:latest", PullAlways},
		{"nginx@" + digest, PullIfNotPresent},
		{"nginx:1.25@" + digest, PullIfNotPresent},
		{"nginx:latest@" + digest, PullAlways},
		{"localhost:5000/app@" + digest, PullIfNotPresent},
		{"", PullIfNotPresent}, // does not parse upstream: not "latest"
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			p := &Pod{Spec: PodSpec{
				InitContainers: []Container{{Name: "i", Image: tt.image}},
				Containers:     []Container{{Name: "c", Image: tt.image}},
			}}
			SetDefaults(p)
			assert.Equal(t, tt.want, p.Spec.Containers[0].ImagePullPolicy)
			assert.Equal(t, tt.want, p.Spec.InitContainers[0].ImagePullPolicy)
		})
	}
	t.Run("explicit policy kept", func(t *testing.T) {
		p := &Pod{Spec: PodSpec{Containers: []Container{{Name: "c", Image: "nginx", ImagePullPolicy: PullNever}}}}
		SetDefaults(p)
		assert.Equal(t, PullNever, p.Spec.Containers[0].ImagePullPolicy)
	})
}

// SetDefaults_Pod: a resource limited but not requested is requested at
// its limit, in containers and init containers, for Pods only (not pod
// templates).
func TestSetDefaultsRequestsFromLimits(t *testing.T) {
	p := &Pod{Spec: PodSpec{
		InitContainers: []Container{{Name: "i", Resources: ResourceRequirements{Limits: rl("cpu", "2")}}},
		Containers: []Container{
			{Name: "limits-only", Resources: ResourceRequirements{Limits: rl("cpu", "1", "memory", "1Gi")}},
			{Name: "partial", Resources: ResourceRequirements{Requests: rl("cpu", "250m"), Limits: rl("cpu", "1", "memory", "512Mi")}},
			{Name: "explicit-zero", Resources: ResourceRequirements{Requests: rl("cpu", "0"), Limits: rl("cpu", "1")}},
			{Name: "requests-only", Resources: ResourceRequirements{Requests: rl("memory", "64Mi")}},
			{Name: "none"},
		},
	}}
	SetDefaults(p)
	c := p.Spec.Containers
	assert.Equal(t, rl("cpu", "1", "memory", "1Gi"), c[0].Resources.Requests)
	assert.Equal(t, rl("cpu", "250m", "memory", "512Mi"), c[1].Resources.Requests)
	assert.Equal(t, rl("cpu", "0"), c[2].Resources.Requests, "an explicit request, even 0, is kept")
	assert.Equal(t, rl("memory", "64Mi"), c[3].Resources.Requests)
	assert.Nil(t, c[3].Resources.Limits)
	assert.Nil(t, c[4].Resources.Requests, "no limits, no requests")
	assert.Equal(t, rl("cpu", "2"), p.Spec.InitContainers[0].Resources.Requests)

	d := &Deployment{Spec: DeploymentSpec{Template: podTemplate(Container{Name: "c", Resources: ResourceRequirements{Limits: rl("cpu", "1")}})}}
	SetDefaults(d)
	assert.Nil(t, d.Spec.Template.Spec.Containers[0].Resources.Requests, "templates keep requests unset (upstream: Pods only)")
}

// SetDefaults_Pod: with hostNetwork, container ports without a hostPort
// get their containerPort as hostPort.
func TestSetDefaultsHostNetworkPorts(t *testing.T) {
	spec := PodSpec{
		HostNetwork:    true,
		InitContainers: []Container{{Name: "i", Ports: []ContainerPort{{ContainerPort: 9000}}}},
		Containers:     []Container{{Name: "c", Ports: []ContainerPort{{ContainerPort: 80}, {ContainerPort: 443, HostPort: 8443}}}},
	}
	p := &Pod{Spec: DeepCopy(spec)}
	SetDefaults(p)
	assert.Equal(t, int32(80), p.Spec.Containers[0].Ports[0].HostPort)
	assert.Equal(t, int32(8443), p.Spec.Containers[0].Ports[1].HostPort)
	assert.Equal(t, int32(9000), p.Spec.InitContainers[0].Ports[0].HostPort)

	noHost := DeepCopy(spec)
	noHost.HostNetwork = false
	p = &Pod{Spec: noHost}
	SetDefaults(p)
	assert.Equal(t, int32(0), p.Spec.Containers[0].Ports[0].HostPort)

	ds := &DaemonSet{Spec: DaemonSetSpec{Template: PodTemplateSpec{Spec: DeepCopy(spec)}}}
	SetDefaults(ds)
	assert.Equal(t, int32(0), ds.Spec.Template.Spec.Containers[0].Ports[0].HostPort, "templates are not defaulted (feature gate DefaultHostNetworkHostPortsInPodTemplates is off)")
}

func TestSetDefaultsProbe(t *testing.T) {
	c := Container{
		Name:           "c",
		LivenessProbe:  &Probe{HTTPGet: &HTTPGetAction{Port: FromInt32(8080)}},
		ReadinessProbe: &Probe{TCPSocket: &TCPSocketAction{Port: FromString("http")}, PeriodSeconds: 5, FailureThreshold: 1, SuccessThreshold: 2, TimeoutSeconds: 3, InitialDelaySeconds: 7},
		StartupProbe:   &Probe{HTTPGet: &HTTPGetAction{Path: "/healthz", Scheme: "HTTPS", Port: FromInt32(8443)}},
		Lifecycle:      &Lifecycle{PreStop: &LifecycleHandler{HTTPGet: &HTTPGetAction{Port: FromInt32(8080)}}},
	}
	s := PodSpec{Containers: []Container{c}}
	SetDefaultsPodSpec(&s)
	got := s.Containers[0]

	assert.Equal(t, int32(1), got.LivenessProbe.TimeoutSeconds)
	assert.Equal(t, int32(10), got.LivenessProbe.PeriodSeconds)
	assert.Equal(t, int32(1), got.LivenessProbe.SuccessThreshold)
	assert.Equal(t, int32(3), got.LivenessProbe.FailureThreshold)
	assert.Equal(t, int32(0), got.LivenessProbe.InitialDelaySeconds, "initialDelaySeconds has no default")
	assert.Equal(t, "/", got.LivenessProbe.HTTPGet.Path)
	assert.Equal(t, "HTTP", got.LivenessProbe.HTTPGet.Scheme)

	assert.Equal(t, Probe{TCPSocket: &TCPSocketAction{Port: FromString("http")}, PeriodSeconds: 5, FailureThreshold: 1, SuccessThreshold: 2, TimeoutSeconds: 3, InitialDelaySeconds: 7}, *got.ReadinessProbe, "explicit values are kept")

	assert.Equal(t, "/healthz", got.StartupProbe.HTTPGet.Path)
	assert.Equal(t, "HTTPS", got.StartupProbe.HTTPGet.Scheme)
	assert.Equal(t, "/", got.Lifecycle.PreStop.HTTPGet.Path, "lifecycle httpGet is an HTTPGetAction too")
}

func TestSetDefaultsService(t *testing.T) {
	tests := []struct {
		name string
		in   ServiceSpec
		want ServiceSpec
	}{
		{
			name: "ClusterIP with a bare port",
			in:   ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []ServicePort{{Port: 80}}},
			want: ServiceSpec{
				Type: ServiceTypeClusterIP, Selector: map[string]string{"app": "web"},
				Ports:                 []ServicePort{{Port: 80, Protocol: ProtocolTCP, TargetPort: FromInt32(80)}},
				SessionAffinity:       ServiceAffinityNone,
				InternalTrafficPolicy: Ptr(ServiceTrafficPolicyCluster),
			},
		},
		{
			name: "named and numeric target ports kept, empty string target port defaulted",
			in: ServiceSpec{Ports: []ServicePort{
				{Name: "http", Port: 80, TargetPort: FromString("web")},
				{Name: "dns", Port: 53, TargetPort: FromInt32(5353), Protocol: ProtocolUDP},
				{Name: "empty", Port: 8080, TargetPort: FromString("")},
			}},
			want: ServiceSpec{
				Type: ServiceTypeClusterIP,
				Ports: []ServicePort{
					{Name: "http", Port: 80, TargetPort: FromString("web"), Protocol: ProtocolTCP},
					{Name: "dns", Port: 53, TargetPort: FromInt32(5353), Protocol: ProtocolUDP},
					{Name: "empty", Port: 8080, TargetPort: FromInt32(8080), Protocol: ProtocolTCP},
				},
				SessionAffinity:       ServiceAffinityNone,
				InternalTrafficPolicy: Ptr(ServiceTrafficPolicyCluster),
			},
		},
		{
			name: "ClientIP affinity gets the 3 h timeout",
			in:   ServiceSpec{Ports: []ServicePort{{Port: 80}}, SessionAffinity: ServiceAffinityClientIP},
			want: ServiceSpec{
				Type:                  ServiceTypeClusterIP,
				Ports:                 []ServicePort{{Port: 80, Protocol: ProtocolTCP, TargetPort: FromInt32(80)}},
				SessionAffinity:       ServiceAffinityClientIP,
				SessionAffinityConfig: &SessionAffinityConfig{ClientIP: &ClientIPConfig{TimeoutSeconds: Ptr[int32](10800)}},
				InternalTrafficPolicy: Ptr(ServiceTrafficPolicyCluster),
			},
		},
		{
			name: "ClientIP affinity keeps its own timeout",
			in: ServiceSpec{Ports: []ServicePort{{Port: 80}}, SessionAffinity: ServiceAffinityClientIP,
				SessionAffinityConfig: &SessionAffinityConfig{ClientIP: &ClientIPConfig{TimeoutSeconds: Ptr[int32](60)}}},
			want: ServiceSpec{
				Type:                  ServiceTypeClusterIP,
				Ports:                 []ServicePort{{Port: 80, Protocol: ProtocolTCP, TargetPort: FromInt32(80)}},
				SessionAffinity:       ServiceAffinityClientIP,
				SessionAffinityConfig: &SessionAffinityConfig{ClientIP: &ClientIPConfig{TimeoutSeconds: Ptr[int32](60)}},
				InternalTrafficPolicy: Ptr(ServiceTrafficPolicyCluster),
			},
		},
		{
			name: "affinity None drops an affinity config",
			in: ServiceSpec{Ports: []ServicePort{{Port: 80}},
				SessionAffinityConfig: &SessionAffinityConfig{ClientIP: &ClientIPConfig{TimeoutSeconds: Ptr[int32](60)}}},
			want: ServiceSpec{
				Type:                  ServiceTypeClusterIP,
				Ports:                 []ServicePort{{Port: 80, Protocol: ProtocolTCP, TargetPort: FromInt32(80)}},
				SessionAffinity:       ServiceAffinityNone,
				InternalTrafficPolicy: Ptr(ServiceTrafficPolicyCluster),
			},
		},
		{
			name: "NodePort gets externalTrafficPolicy Cluster",
			in:   ServiceSpec{Type: ServiceTypeNodePort, Ports: []ServicePort{{Port: 80, NodePort: 30080}}},
			want: ServiceSpec{
				Type:                  ServiceTypeNodePort,
				Ports:                 []ServicePort{{Port: 80, NodePort: 30080, Protocol: ProtocolTCP, TargetPort: FromInt32(80)}},
				SessionAffinity:       ServiceAffinityNone,
				ExternalTrafficPolicy: ServiceTrafficPolicyCluster,
				InternalTrafficPolicy: Ptr(ServiceTrafficPolicyCluster),
			},
		},
		{
			name: "LoadBalancer keeps Local",
			in:   ServiceSpec{Type: ServiceTypeLoadBalancer, Ports: []ServicePort{{Port: 443}}, ExternalTrafficPolicy: ServiceTrafficPolicyLocal},
			want: ServiceSpec{
				Type:                  ServiceTypeLoadBalancer,
				Ports:                 []ServicePort{{Port: 443, Protocol: ProtocolTCP, TargetPort: FromInt32(443)}},
				SessionAffinity:       ServiceAffinityNone,
				ExternalTrafficPolicy: ServiceTrafficPolicyLocal,
				InternalTrafficPolicy: Ptr(ServiceTrafficPolicyCluster),
			},
		},
		{
			name: "ExternalName gets no traffic policies",
			in:   ServiceSpec{Type: ServiceTypeExternalName, ExternalName: "db.example.com"},
			want: ServiceSpec{Type: ServiceTypeExternalName, ExternalName: "db.example.com", SessionAffinity: ServiceAffinityNone},
		},
		{
			name: "an externalName without a type is still ClusterIP",
			in:   ServiceSpec{ExternalName: "db.example.com", Ports: []ServicePort{{Port: 5432}}},
			want: ServiceSpec{
				Type: ServiceTypeClusterIP, ExternalName: "db.example.com",
				Ports:                 []ServicePort{{Port: 5432, Protocol: ProtocolTCP, TargetPort: FromInt32(5432)}},
				SessionAffinity:       ServiceAffinityNone,
				InternalTrafficPolicy: Ptr(ServiceTrafficPolicyCluster),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Service{ObjectMeta: ObjectMeta{Name: "svc"}, Spec: tt.in}
			SetDefaults(s)
			assert.Equal(t, tt.want, s.Spec)
		})
	}
}

func TestSetDefaultsVolumes(t *testing.T) {
	pvc := &PersistentVolumeClaim{}
	SetDefaults(pvc)
	assert.Equal(t, Ptr(PersistentVolumeFilesystem), pvc.Spec.VolumeMode)
	assert.Equal(t, ClaimPending, pvc.Status.Phase)

	block := &PersistentVolumeClaim{Spec: PersistentVolumeClaimSpec{VolumeMode: Ptr(PersistentVolumeBlock)}}
	SetDefaults(block)
	assert.Equal(t, Ptr(PersistentVolumeBlock), block.Spec.VolumeMode)

	pv := &PersistentVolume{}
	SetDefaults(pv)
	assert.Equal(t, PersistentVolumeReclaimRetain, pv.Spec.PersistentVolumeReclaimPolicy)
	assert.Equal(t, Ptr(PersistentVolumeFilesystem), pv.Spec.VolumeMode)
	assert.Equal(t, VolumePending, pv.Status.Phase)

	sc := &StorageClass{Provisioner: "ebs.csi.aws.com"}
	SetDefaults(sc)
	assert.Equal(t, Ptr(PersistentVolumeReclaimDelete), sc.ReclaimPolicy)
	assert.Equal(t, Ptr(VolumeBindingImmediate), sc.VolumeBindingMode)
	assert.Nil(t, sc.AllowVolumeExpansion)

	sc = &StorageClass{ReclaimPolicy: Ptr(PersistentVolumeReclaimRetain), VolumeBindingMode: Ptr(VolumeBindingWaitForFirstConsumer)}
	SetDefaults(sc)
	assert.Equal(t, Ptr(PersistentVolumeReclaimRetain), sc.ReclaimPolicy)
	assert.Equal(t, Ptr(VolumeBindingWaitForFirstConsumer), sc.VolumeBindingMode)
}

func TestSetDefaultsJob(t *testing.T) {
	tests := []struct {
		name                                string
		in                                  JobSpec
		completions, parallelism, backoffLo *int32
	}{
		{name: "neither completions nor parallelism: both 1", in: JobSpec{},
			completions: Ptr[int32](1), parallelism: Ptr[int32](1), backoffLo: Ptr[int32](6)},
		{name: "completions only: parallelism 1", in: JobSpec{Completions: Ptr[int32](5)},
			completions: Ptr[int32](5), parallelism: Ptr[int32](1), backoffLo: Ptr[int32](6)},
		{name: "parallelism only: completions stay unset (work queue)", in: JobSpec{Parallelism: Ptr[int32](3)},
			completions: nil, parallelism: Ptr[int32](3), backoffLo: Ptr[int32](6)},
		{name: "both set, zero parallelism kept", in: JobSpec{Completions: Ptr[int32](4), Parallelism: Ptr[int32](0)},
			completions: Ptr[int32](4), parallelism: Ptr[int32](0), backoffLo: Ptr[int32](6)},
		{name: "explicit backoffLimit 0 kept", in: JobSpec{BackoffLimit: Ptr[int32](0)},
			completions: Ptr[int32](1), parallelism: Ptr[int32](1), backoffLo: Ptr[int32](0)},
		{name: "backoffLimitPerIndex makes backoffLimit MaxInt32",
			in:          JobSpec{Completions: Ptr[int32](3), CompletionMode: Ptr(IndexedCompletion), BackoffLimitPerIndex: Ptr[int32](1)},
			completions: Ptr[int32](3), parallelism: Ptr[int32](1), backoffLo: Ptr[int32](math.MaxInt32)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &Job{ObjectMeta: ObjectMeta{Name: "j"}, Spec: tt.in}
			SetDefaults(j)
			assert.Equal(t, tt.completions, j.Spec.Completions, "completions")
			assert.Equal(t, tt.parallelism, j.Spec.Parallelism, "parallelism")
			assert.Equal(t, tt.backoffLo, j.Spec.BackoffLimit, "backoffLimit")
			assert.Equal(t, Ptr(false), j.Spec.Suspend)
			if tt.in.CompletionMode == nil {
				assert.Equal(t, Ptr(NonIndexedCompletion), j.Spec.CompletionMode)
			} else {
				assert.Equal(t, tt.in.CompletionMode, j.Spec.CompletionMode)
			}
		})
	}

	t.Run("labels come from the template when the job has none", func(t *testing.T) {
		j := &Job{ObjectMeta: ObjectMeta{Name: "j"}, Spec: JobSpec{Template: podTemplate(Container{Name: "c"})}}
		j.Spec.Template.Spec.RestartPolicy = RestartPolicyNever
		SetDefaults(j)
		assert.Equal(t, map[string]string{"app": "x"}, j.Labels)
		j.Labels["other"] = "y"
		assert.NotContains(t, j.Spec.Template.Labels, "other", "the job's labels are a copy")
		assert.Equal(t, RestartPolicyNever, j.Spec.Template.Spec.RestartPolicy)
		assert.Equal(t, "default-scheduler", j.Spec.Template.Spec.SchedulerName)

		own := &Job{ObjectMeta: ObjectMeta{Name: "j", Labels: map[string]string{"team": "a"}}, Spec: JobSpec{Template: podTemplate()}}
		SetDefaults(own)
		assert.Equal(t, map[string]string{"team": "a"}, own.Labels)
	})
}

func TestSetDefaultsCronJob(t *testing.T) {
	cj := &CronJob{Spec: CronJobSpec{Schedule: "*/5 * * * *"}}
	SetDefaults(cj)
	assert.Equal(t, AllowConcurrent, cj.Spec.ConcurrencyPolicy)
	assert.Equal(t, Ptr(false), cj.Spec.Suspend)
	assert.Equal(t, Ptr[int32](3), cj.Spec.SuccessfulJobsHistoryLimit)
	assert.Equal(t, Ptr[int32](1), cj.Spec.FailedJobsHistoryLimit)
	assert.Equal(t, DNSClusterFirst, cj.Spec.JobTemplate.Spec.Template.Spec.DNSPolicy)

	cj = &CronJob{Spec: CronJobSpec{ConcurrencyPolicy: ForbidConcurrent, Suspend: Ptr(true),
		SuccessfulJobsHistoryLimit: Ptr[int32](0), FailedJobsHistoryLimit: Ptr[int32](0)}}
	SetDefaults(cj)
	assert.Equal(t, ForbidConcurrent, cj.Spec.ConcurrencyPolicy)
	assert.Equal(t, Ptr(true), cj.Spec.Suspend)
	assert.Equal(t, Ptr[int32](0), cj.Spec.SuccessfulJobsHistoryLimit)
	assert.Equal(t, Ptr[int32](0), cj.Spec.FailedJobsHistoryLimit)
}

func TestSetDefaultsStatefulSet(t *testing.T) {
	ss := &StatefulSet{Spec: StatefulSetSpec{
		Template:             podTemplate(Container{Name: "c", Image: "redis:7"}),
		VolumeClaimTemplates: []PersistentVolumeClaim{{ObjectMeta: ObjectMeta{Name: "data"}}},
	}}
	SetDefaults(ss)
	s := ss.Spec
	assert.Equal(t, Ptr[int32](1), s.Replicas)
	assert.Equal(t, OrderedReadyPodManagement, s.PodManagementPolicy)
	assert.Equal(t, "RollingUpdate", s.UpdateStrategy.Type)
	require.NotNil(t, s.UpdateStrategy.RollingUpdate)
	assert.Equal(t, Ptr[int32](0), s.UpdateStrategy.RollingUpdate.Partition)
	assert.Equal(t, Ptr[int32](10), s.RevisionHistoryLimit)
	assert.Equal(t, &StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Retain", WhenScaled: "Retain"}, s.PersistentVolumeClaimRetentionPolicy)
	assert.Equal(t, Ptr(PersistentVolumeFilesystem), s.VolumeClaimTemplates[0].Spec.VolumeMode)
	assertPodSpecDefaults(t, &s.Template.Spec)

	ss = &StatefulSet{Spec: StatefulSetSpec{
		Replicas: Ptr[int32](3), PodManagementPolicy: ParallelPodManagement,
		UpdateStrategy:                       StatefulSetUpdateStrategy{Type: "OnDelete"},
		PersistentVolumeClaimRetentionPolicy: &StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Delete"},
	}}
	SetDefaults(ss)
	assert.Equal(t, Ptr[int32](3), ss.Spec.Replicas)
	assert.Equal(t, ParallelPodManagement, ss.Spec.PodManagementPolicy)
	assert.Nil(t, ss.Spec.UpdateStrategy.RollingUpdate)
	assert.Equal(t, &StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Delete", WhenScaled: "Retain"}, ss.Spec.PersistentVolumeClaimRetentionPolicy)

	ss = &StatefulSet{Spec: StatefulSetSpec{UpdateStrategy: StatefulSetUpdateStrategy{RollingUpdate: &RollingUpdateStatefulSetStrategy{Partition: Ptr[int32](2)}}}}
	SetDefaults(ss)
	assert.Equal(t, Ptr[int32](2), ss.Spec.UpdateStrategy.RollingUpdate.Partition)
}

func TestSetDefaultsDaemonSetAndReplicaSet(t *testing.T) {
	ds := &DaemonSet{Spec: DaemonSetSpec{Template: podTemplate(Container{Name: "c"})}}
	SetDefaults(ds)
	assert.Equal(t, "RollingUpdate", ds.Spec.UpdateStrategy.Type)
	require.NotNil(t, ds.Spec.UpdateStrategy.RollingUpdate)
	assert.Equal(t, intVal(1), ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable)
	assert.Equal(t, intVal(0), ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge)
	assert.Equal(t, Ptr[int32](10), ds.Spec.RevisionHistoryLimit)
	assertPodSpecDefaults(t, &ds.Spec.Template.Spec)

	ds = &DaemonSet{Spec: DaemonSetSpec{UpdateStrategy: DaemonSetUpdateStrategy{Type: "OnDelete"}}}
	SetDefaults(ds)
	assert.Nil(t, ds.Spec.UpdateStrategy.RollingUpdate)

	ds = &DaemonSet{Spec: DaemonSetSpec{UpdateStrategy: DaemonSetUpdateStrategy{RollingUpdate: &RollingUpdateDaemonSet{MaxUnavailable: intStr("10%")}}}}
	SetDefaults(ds)
	assert.Equal(t, intStr("10%"), ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable)
	assert.Equal(t, intVal(0), ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge)

	rs := &ReplicaSet{}
	SetDefaults(rs)
	assert.Equal(t, Ptr[int32](1), rs.Spec.Replicas)
	assertPodSpecDefaults(t, &rs.Spec.Template.Spec)
}

func TestSetDefaultsHPA(t *testing.T) {
	h := &HorizontalPodAutoscaler{Spec: HorizontalPodAutoscalerSpec{MaxReplicas: 10}}
	SetDefaults(h)
	assert.Equal(t, Ptr[int32](1), h.Spec.MinReplicas)
	assert.Equal(t, []MetricSpec{{
		Type: "Resource",
		Resource: &ResourceMetricSource{Name: ResourceCPU, Target: MetricTarget{
			Type: "Utilization", AverageUtilization: Ptr[int32](80),
		}},
	}}, h.Spec.Metrics)
	assert.Nil(t, h.Spec.Behavior, "behavior is only completed when given")

	mem := []MetricSpec{{Type: "Resource", Resource: &ResourceMetricSource{Name: ResourceMemory, Target: MetricTarget{Type: "AverageValue", AverageValue: Ptr(MustParseQuantity("500Mi"))}}}}
	h = &HorizontalPodAutoscaler{Spec: HorizontalPodAutoscalerSpec{MinReplicas: Ptr[int32](3), MaxReplicas: 10, Metrics: DeepCopy(mem)}}
	SetDefaults(h)
	assert.Equal(t, Ptr[int32](3), h.Spec.MinReplicas)
	assert.Equal(t, mem, h.Spec.Metrics)

	// SetDefaults_HorizontalPodAutoscalerBehavior / GenerateHPAScaleUpRules
	// and GenerateHPAScaleDownRules.
	h = &HorizontalPodAutoscaler{Spec: HorizontalPodAutoscalerSpec{MaxReplicas: 10, Behavior: &HorizontalPodAutoscalerBehavior{
		ScaleDown: &HPAScalingRules{StabilizationWindowSeconds: Ptr[int32](60)},
	}}}
	SetDefaults(h)
	assert.Equal(t, &HPAScalingRules{
		StabilizationWindowSeconds: Ptr[int32](0),
		SelectPolicy:               Ptr("Max"),
		Policies: []HPAScalingPolicy{
			{Type: "Pods", Value: 4, PeriodSeconds: 15},
			{Type: "Percent", Value: 100, PeriodSeconds: 15},
		},
	}, h.Spec.Behavior.ScaleUp)
	assert.Equal(t, &HPAScalingRules{
		StabilizationWindowSeconds: Ptr[int32](60),
		SelectPolicy:               Ptr("Max"),
		Policies:                   []HPAScalingPolicy{{Type: "Percent", Value: 100, PeriodSeconds: 15}},
	}, h.Spec.Behavior.ScaleDown)

	h = &HorizontalPodAutoscaler{Spec: HorizontalPodAutoscalerSpec{MaxReplicas: 10, Behavior: &HorizontalPodAutoscalerBehavior{}}}
	SetDefaults(h)
	assert.Equal(t, Ptr[int32](300), h.Spec.Behavior.ScaleDown.StabilizationWindowSeconds)
}

func TestSetDefaultsNode(t *testing.T) {
	n := &Node{Status: NodeStatus{Capacity: rl("cpu", "4", "memory", "16Gi", "pods", "110")}}
	SetDefaults(n)
	assert.Equal(t, rl("cpu", "4", "memory", "16Gi", "pods", "110"), n.Status.Allocatable)
	n.Status.Allocatable[ResourceCPU] = MustParseQuantity("3")
	assert.Equal(t, MustParseQuantity("4"), n.Status.Capacity[ResourceCPU], "allocatable is a copy of capacity")

	n = &Node{Status: NodeStatus{Capacity: rl("cpu", "4"), Allocatable: rl("cpu", "3800m")}}
	SetDefaults(n)
	assert.Equal(t, rl("cpu", "3800m"), n.Status.Allocatable)

	n = &Node{}
	SetDefaults(n)
	assert.Nil(t, n.Status.Allocatable)
}

func TestSetDefaultsSmallKinds(t *testing.T) {
	ns := &Namespace{ObjectMeta: ObjectMeta{Name: "shop", Labels: map[string]string{"team": "a"}}}
	SetDefaults(ns)
	assert.Equal(t, "Active", ns.Status.Phase)
	assert.Equal(t, []string{"kubernetes"}, ns.Spec.Finalizers)
	assert.Equal(t, map[string]string{"team": "a", "kubernetes.io/metadata.name": "shop"}, ns.Labels)

	ns = &Namespace{ObjectMeta: ObjectMeta{GenerateName: "tmp-"}}
	SetDefaults(ns)
	assert.Nil(t, ns.Labels, "no name, no name label")

	sec := &Secret{}
	SetDefaults(sec)
	assert.Equal(t, "Opaque", sec.Type)
	sec = &Secret{Type: "kubernetes.io/tls"}
	SetDefaults(sec)
	assert.Equal(t, "kubernetes.io/tls", sec.Type)

	pc := &PriorityClass{Value: 1000}
	SetDefaults(pc)
	assert.Equal(t, Ptr(PreemptLowerPriority), pc.PreemptionPolicy)
	pc = &PriorityClass{PreemptionPolicy: Ptr(PreemptNever)}
	SetDefaults(pc)
	assert.Equal(t, Ptr(PreemptNever), pc.PreemptionPolicy)

	np := &NetworkPolicy{Spec: NetworkPolicySpec{Ingress: []NetworkPolicyIngressRule{{Ports: []NetworkPolicyPort{{Port: intVal(80)}}}}}}
	SetDefaults(np)
	assert.Equal(t, []string{"Ingress"}, np.Spec.PolicyTypes)
	assert.Equal(t, Ptr(ProtocolTCP), np.Spec.Ingress[0].Ports[0].Protocol)
	np = &NetworkPolicy{Spec: NetworkPolicySpec{Egress: []NetworkPolicyEgressRule{{Ports: []NetworkPolicyPort{{Protocol: Ptr(ProtocolUDP)}}}}}}
	SetDefaults(np)
	assert.Equal(t, []string{"Ingress", "Egress"}, np.Spec.PolicyTypes)
	assert.Equal(t, Ptr(ProtocolUDP), np.Spec.Egress[0].Ports[0].Protocol)
	np = &NetworkPolicy{Spec: NetworkPolicySpec{PolicyTypes: []string{"Egress"}}}
	SetDefaults(np)
	assert.Equal(t, []string{"Egress"}, np.Spec.PolicyTypes)

	es := &EndpointSlice{AddressType: "IPv4", Ports: []EndpointPort{{Port: Ptr[int32](80)}}}
	SetDefaults(es)
	assert.Equal(t, Ptr(ProtocolTCP), es.Ports[0].Protocol)
}

// SetDefaults_LimitRangeItem: for Container items, default falls back to
// max, defaultRequest to default and then to min.
func TestSetDefaultsLimitRange(t *testing.T) {
	lr := &LimitRange{Spec: LimitRangeSpec{Limits: []LimitRangeItem{
		{Type: "Container", Max: rl("cpu", "2", "memory", "1Gi"), Min: rl("cpu", "100m", "ephemeral-storage", "1Gi"), Default: rl("memory", "512Mi")},
		{Type: "Pod", Max: rl("cpu", "4")},
	}}}
	SetDefaults(lr)
	c := lr.Spec.Limits[0]
	assert.Equal(t, rl("cpu", "2", "memory", "512Mi"), c.Default)
	assert.Equal(t, rl("cpu", "2", "memory", "512Mi", "ephemeral-storage", "1Gi"), c.DefaultRequest)
	assert.Nil(t, lr.Spec.Limits[1].Default, "only Container items are defaulted")
	assert.Nil(t, lr.Spec.Limits[1].DefaultRequest)
}

// Defaulting twice changes nothing: every default only fills what is unset.
func TestSetDefaultsIdempotent(t *testing.T) {
	for _, o := range allKindsSample() {
		t.Run(KindOf(o).Kind, func(t *testing.T) {
			SetDefaults(o)
			once := DeepCopyObject(o)
			SetDefaults(o)
			assert.Equal(t, once, o)
		})
	}
}

// allKindsSample returns one mostly empty object of every modeled kind.
func allKindsSample() []Object {
	var out []Object
	for _, k := range Kinds() {
		o := k.New()
		o.GetObjectMeta().Name = "x"
		out = append(out, o)
	}
	return out
}
