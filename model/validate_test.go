package model

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func validContainer(name string) Container {
	return Container{
		Name: name, Image: "registry.example.com/" + name + ":1.0",
		Ports:     []ContainerPort{{ContainerPort: 8080}},
		Resources: ResourceRequirements{Requests: rl("cpu", "100m", "memory", "64Mi"), Limits: rl("cpu", "1", "memory", "64Mi")},
	}
}

func validTemplate() PodTemplateSpec {
	return PodTemplateSpec{
		ObjectMeta: ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec:       PodSpec{Containers: []Container{validContainer("web")}},
	}
}

func validSelector() *LabelSelector {
	return &LabelSelector{MatchLabels: map[string]string{"app": "web"}}
}

func validPod() *Pod {
	return &Pod{ObjectMeta: ObjectMeta{Name: "web-0", Namespace: "shop"}, Spec: validTemplate().Spec}
}

func validDeployment() *Deployment {
	return &Deployment{ObjectMeta: ObjectMeta{Name: "web", Namespace: "shop"}, Spec: DeploymentSpec{
		Replicas: Ptr[int32](3), Selector: validSelector(), Template: validTemplate(),
	}}
}

func validJob() *Job {
	t := validTemplate()
	t.Spec.RestartPolicy = RestartPolicyOnFailure
	return &Job{ObjectMeta: ObjectMeta{Name: "migrate", Namespace: "shop"}, Spec: JobSpec{Template: t}}
}

func validService() *Service {
	return &Service{ObjectMeta: ObjectMeta{Name: "web", Namespace: "shop"}, Spec: ServiceSpec{
		Selector: map[string]string{"app": "web"}, Ports: []ServicePort{{Port: 80, TargetPort: FromInt32(8080)}},
	}}
}

func validPVC() *PersistentVolumeClaim {
	return &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: "data", Namespace: "shop"}, Spec: PersistentVolumeClaimSpec{
		AccessModes: []PersistentVolumeAccessMode{ReadWriteOnce},
		Resources:   VolumeResourceRequirements{Requests: rl("storage", "10Gi")},
	}}
}

// validObjects returns one valid object of every kind.
func validObjects() []Object {
	job := validJob()
	cj := &CronJob{ObjectMeta: ObjectMeta{Name: "report", Namespace: "shop"}, Spec: CronJobSpec{
		Schedule: "0 * * * *", JobTemplate: JobTemplateSpec{Spec: job.Spec},
	}}
	return []Object{
		&Namespace{ObjectMeta: ObjectMeta{Name: "shop"}},
		&Node{ObjectMeta: ObjectMeta{Name: "node-1"}, Spec: NodeSpec{Taints: []Taint{{Key: "dedicated", Value: "db", Effect: TaintEffectNoSchedule}}},
			Status: NodeStatus{Capacity: rl("cpu", "4", "memory", "16Gi", "pods", "110")}},
		validPod(),
		validService(),
		&PersistentVolume{ObjectMeta: ObjectMeta{Name: "pv-1"}, Spec: PersistentVolumeSpec{
			Capacity: rl("storage", "10Gi"), AccessModes: []PersistentVolumeAccessMode{ReadWriteOnce},
		}},
		validPVC(),
		&ConfigMap{ObjectMeta: ObjectMeta{Name: "cfg", Namespace: "shop"}, Data: map[string]string{"k": "v"}},
		&Secret{ObjectMeta: ObjectMeta{Name: "s", Namespace: "shop"}},
		&ResourceQuota{ObjectMeta: ObjectMeta{Name: "q", Namespace: "shop"}, Spec: ResourceQuotaSpec{Hard: rl("cpu", "10", "pods", "50")}},
		&LimitRange{ObjectMeta: ObjectMeta{Name: "lr", Namespace: "shop"}, Spec: LimitRangeSpec{Limits: []LimitRangeItem{{Type: "Container", Default: rl("cpu", "500m")}}}},
		&ReplicaSet{ObjectMeta: ObjectMeta{Name: "web-abc", Namespace: "shop"}, Spec: ReplicaSetSpec{Replicas: Ptr[int32](1), Selector: validSelector(), Template: validTemplate()}},
		validDeployment(),
		&StatefulSet{ObjectMeta: ObjectMeta{Name: "redis", Namespace: "shop"}, Spec: StatefulSetSpec{
			Selector: validSelector(), Template: validTemplate(), ServiceName: "redis",
			VolumeClaimTemplates: []PersistentVolumeClaim{*validPVC()},
		}},
		&DaemonSet{ObjectMeta: ObjectMeta{Name: "agent", Namespace: "shop"}, Spec: DaemonSetSpec{Selector: validSelector(), Template: validTemplate()}},
		job,
		cj,
		&PodDisruptionBudget{ObjectMeta: ObjectMeta{Name: "web", Namespace: "shop"}, Spec: PodDisruptionBudgetSpec{MinAvailable: intStr("50%"), Selector: validSelector()}},
		&HorizontalPodAutoscaler{ObjectMeta: ObjectMeta{Name: "web", Namespace: "shop"}, Spec: HorizontalPodAutoscalerSpec{
			ScaleTargetRef: CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"},
			MinReplicas:    Ptr[int32](2), MaxReplicas: 10,
		}},
		&StorageClass{ObjectMeta: ObjectMeta{Name: "fast"}, Provisioner: "ebs.csi.aws.com"},
		&CSIDriver{ObjectMeta: ObjectMeta{Name: "ebs.csi.aws.com"}},
		&VolumeAttachment{ObjectMeta: ObjectMeta{Name: "csi-1"}, Spec: VolumeAttachmentSpec{
			Attacher: "ebs.csi.aws.com", NodeName: "node-1", Source: VolumeAttachmentSource{PersistentVolumeName: Ptr("pv-1")},
		}},
		&PriorityClass{ObjectMeta: ObjectMeta{Name: "high"}, Value: 1000000},
		&NetworkPolicy{ObjectMeta: ObjectMeta{Name: "deny", Namespace: "shop"}},
		&EndpointSlice{ObjectMeta: ObjectMeta{Name: "web-1", Namespace: "shop"}, AddressType: "IPv4"},
		&Lease{ObjectMeta: ObjectMeta{Name: "node-1", Namespace: NamespaceNodeLease}, Spec: LeaseSpec{HolderIdentity: Ptr("node-1"), LeaseDurationSeconds: Ptr[int32](40)}},
	}
}

func TestValidateAcceptsValidObjects(t *testing.T) {
	objs := validObjects()
	assert.Len(t, objs, len(Kinds()), "one object per kind")
	for _, o := range objs {
		t.Run(KindOf(o).Kind, func(t *testing.T) {
			assert.Empty(t, Validate(o))
			// Defaulting never makes a valid object invalid.
			c := DeepCopyObject(o)
			SetDefaults(c)
			assert.Empty(t, Validate(c), "after SetDefaults")
		})
	}
}

// Each case breaks one rule of a valid object; the error names the field.
func TestValidateRules(t *testing.T) {
	pod := func(f func(p *Pod)) Object { p := validPod(); f(p); return p }
	dep := func(f func(d *Deployment)) Object { d := validDeployment(); f(d); return d }
	job := func(f func(j *Job)) Object { j := validJob(); f(j); return j }
	svc := func(f func(s *Service)) Object { s := validService(); f(s); return s }
	pvc := func(f func(p *PersistentVolumeClaim)) Object { p := validPVC(); f(p); return p }
	c0 := "spec.containers[0]"

	tests := []struct {
		name string
		obj  Object
		path string
		msg  string // a fragment of the message
	}{
		// metadata
		{"missing name", pod(func(p *Pod) { p.Name = "" }), "metadata.name", "required"},
		{"generateName is enough", pod(func(p *Pod) { p.Name, p.GenerateName = "", "web-" }), "", ""},
		{"upper-case name", pod(func(p *Pod) { p.Name = "Web" }), "metadata.name", "DNS-1123 subdomain"},
		{"dotted pod name is a valid subdomain", pod(func(p *Pod) { p.Name = "web.v1" }), "", ""},
		{"name longer than 253", pod(func(p *Pod) { p.Name = strings.Repeat("a", 254) }), "metadata.name", "253"},
		{"namespace name must be a label", &Namespace{ObjectMeta: ObjectMeta{Name: "a.b"}}, "metadata.name", "DNS-1123 label"},
		{"service name must start with a letter", svc(func(s *Service) { s.Name = "1web" }), "metadata.name", "DNS-1035"},
		{"service name with a dot", svc(func(s *Service) { s.Name = "web.v1" }), "metadata.name", "DNS-1035"},
		{"bad label key", pod(func(p *Pod) { p.Labels = map[string]string{"-bad": "x"} }), "metadata.labels", ""},
		{"bad label value", pod(func(p *Pod) { p.Labels = map[string]string{"app": "not ok"} }), "metadata.labels.app", ""},
		{"label value too long", pod(func(p *Pod) { p.Labels = map[string]string{"app": strings.Repeat("a", 64)} }), "metadata.labels.app", "63"},

		// pod spec
		{"no containers", pod(func(p *Pod) { p.Spec.Containers = nil }), "spec.containers", "at least one"},
		{"container without name", pod(func(p *Pod) { p.Spec.Containers[0].Name = "" }), c0 + ".name", "required"},
		{"container name not a label", pod(func(p *Pod) { p.Spec.Containers[0].Name = "Web_1" }), c0 + ".name", "DNS-1123 label"},
		{"duplicate container name across init and regular", pod(func(p *Pod) { p.Spec.InitContainers = []Container{validContainer("web")} }), c0 + ".name", "duplicate"},
		{"container without image", pod(func(p *Pod) { p.Spec.Containers[0].Image = "" }), c0 + ".image", "required"},
		{"init container without image", pod(func(p *Pod) { p.Spec.InitContainers = []Container{{Name: "init"}} }), "spec.initContainers[0].image", "required"},
		{"request above limit", pod(func(p *Pod) { p.Spec.Containers[0].Resources.Requests[ResourceCPU] = MustParseQuantity("2") }), c0 + ".resources.requests.cpu", "less than or equal to cpu limit of 1"},
		{"negative request", pod(func(p *Pod) { p.Spec.Containers[0].Resources.Requests[ResourceMemory] = MustParseQuantity("-1") }), c0 + ".resources.requests.memory", "greater than or equal to 0"},
		{"negative limit", pod(func(p *Pod) { p.Spec.Containers[0].Resources.Limits["nvidia.com/gpu"] = MustParseQuantity("-1") }), c0 + ".resources.limits.nvidia.com/gpu", ""},
		{"container port 0", pod(func(p *Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 0 }), c0 + ".ports[0].containerPort", "between 1 and 65535"},
		{"container port too big", pod(func(p *Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 70000 }), c0 + ".ports[0].containerPort", ""},
		{"host port too big", pod(func(p *Pod) { p.Spec.Containers[0].Ports[0].HostPort = 70000 }), c0 + ".ports[0].hostPort", ""},
		{"negative probe period", pod(func(p *Pod) { p.Spec.Containers[0].ReadinessProbe = &Probe{PeriodSeconds: -1} }), c0 + ".readinessProbe", "negative"},
		{"liveness successThreshold above 1", pod(func(p *Pod) { p.Spec.Containers[0].LivenessProbe = &Probe{SuccessThreshold: 2} }), c0 + ".livenessProbe.successThreshold", "must be 1"},
		{"startup successThreshold above 1", pod(func(p *Pod) { p.Spec.Containers[0].StartupProbe = &Probe{SuccessThreshold: 3} }), c0 + ".startupProbe.successThreshold", "must be 1"},
		{"readiness successThreshold above 1 is fine", pod(func(p *Pod) { p.Spec.Containers[0].ReadinessProbe = &Probe{SuccessThreshold: 3} }), "", ""},
		{"bad restart policy", pod(func(p *Pod) { p.Spec.RestartPolicy = "Sometimes" }), "spec.restartPolicy", "Always, OnFailure or Never"},
		{"negative grace period", pod(func(p *Pod) { p.Spec.TerminationGracePeriodSeconds = Ptr[int64](-1) }), "spec.terminationGracePeriodSeconds", ""},
		{"bad node selector key", pod(func(p *Pod) { p.Spec.NodeSelector = map[string]string{"a/b/c": "x"} }), "spec.nodeSelector", ""},
		{"bad toleration", pod(func(p *Pod) {
			p.Spec.Tolerations = []Toleration{{Key: "k", Operator: TolerationOpExists, Value: "v"}}
		}), "spec.tolerations[0]", ""},
		{"bad node affinity operator", pod(func(p *Pod) {
			p.Spec.Affinity = &Affinity{NodeAffinity: &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &NodeSelector{
				NodeSelectorTerms: []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{{Key: "zone", Operator: "Near", Values: []string{"a"}}}}},
			}}}
		}), "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution", ""},
		{"pod affinity without topologyKey", pod(func(p *Pod) {
			p.Spec.Affinity = &Affinity{PodAffinity: &PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []PodAffinityTerm{{LabelSelector: validSelector()}}}}
		}), "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", "required"},
		{"anti-affinity weight out of range", pod(func(p *Pod) {
			p.Spec.Affinity = &Affinity{PodAntiAffinity: &PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []WeightedPodAffinityTerm{{
				Weight: 101, PodAffinityTerm: PodAffinityTerm{TopologyKey: LabelHostname},
			}}}}
		}), "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", "between 1 and 100"},
		{"anti-affinity bad selector", pod(func(p *Pod) {
			p.Spec.Affinity = &Affinity{PodAntiAffinity: &PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []PodAffinityTerm{{
				TopologyKey: LabelHostname, LabelSelector: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "app", Operator: "In"}}},
			}}}}
		}), "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector", ""},
		{"spread maxSkew 0", pod(func(p *Pod) {
			p.Spec.TopologySpreadConstraints = []TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: LabelTopologyZone, WhenUnsatisfiable: DoNotSchedule}}
		}), "spec.topologySpreadConstraints[0].maxSkew", "greater than zero"},
		{"spread without topologyKey", pod(func(p *Pod) {
			p.Spec.TopologySpreadConstraints = []TopologySpreadConstraint{{MaxSkew: 1, WhenUnsatisfiable: ScheduleAnyway}}
		}), "spec.topologySpreadConstraints[0].topologyKey", "required"},
		{"spread bad whenUnsatisfiable", pod(func(p *Pod) {
			p.Spec.TopologySpreadConstraints = []TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: LabelTopologyZone, WhenUnsatisfiable: "Maybe"}}
		}), "spec.topologySpreadConstraints[0].whenUnsatisfiable", ""},
		{"minDomains with ScheduleAnyway", pod(func(p *Pod) {
			p.Spec.TopologySpreadConstraints = []TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: LabelTopologyZone, WhenUnsatisfiable: ScheduleAnyway, MinDomains: Ptr[int32](2)}}
		}), "spec.topologySpreadConstraints[0].minDomains", ""},
		{"volume without name", pod(func(p *Pod) { p.Spec.Volumes = []Volume{{EmptyDir: &EmptyDirVolumeSource{}}} }), "spec.volumes[0].name", "required"},
		{"pvc volume without claim", pod(func(p *Pod) {
			p.Spec.Volumes = []Volume{{Name: "d", PersistentVolumeClaim: &PersistentVolumeClaimVolumeSource{}}}
		}), "spec.volumes[0].persistentVolumeClaim.claimName", "required"},
		{"bad preemption policy", pod(func(p *Pod) { p.Spec.PreemptionPolicy = Ptr(PreemptionPolicy("Always")) }), "spec.preemptionPolicy", ""},

		// workloads
		{"negative replicas", dep(func(d *Deployment) { d.Spec.Replicas = Ptr[int32](-1) }), "spec.replicas", "greater than or equal to 0"},
		{"missing selector", dep(func(d *Deployment) { d.Spec.Selector = nil }), "spec.selector", "required"},
		{"empty selector", dep(func(d *Deployment) { d.Spec.Selector = &LabelSelector{} }), "spec.selector", "empty selector"},
		{"selector does not match template", dep(func(d *Deployment) { d.Spec.Template.Labels = map[string]string{"app": "other"} }), "spec.template.metadata.labels", "does not match"},
		{"template restartPolicy Never", dep(func(d *Deployment) { d.Spec.Template.Spec.RestartPolicy = RestartPolicyNever }), "spec.template.spec.restartPolicy", "only Always"},
		{"template container error path", dep(func(d *Deployment) { d.Spec.Template.Spec.Containers[0].Image = "" }), "spec.template.spec.containers[0].image", "required"},
		{"bad strategy type", dep(func(d *Deployment) { d.Spec.Strategy.Type = "BlueGreen" }), "spec.strategy.type", "RollingUpdate or Recreate"},
		{"rollingUpdate with Recreate", dep(func(d *Deployment) {
			d.Spec.Strategy = DeploymentStrategy{Type: RecreateDeploymentStrategyType, RollingUpdate: &RollingUpdateDeployment{}}
		}), "spec.strategy.rollingUpdate", "Recreate"},
		{"maxSurge and maxUnavailable both 0", dep(func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: intVal(0), MaxUnavailable: intStr("0%")}
		}), "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0"},
		{"bad maxSurge string", dep(func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: intStr("lots")}
		}), "spec.strategy.rollingUpdate.maxSurge", "percentage"},
		{"negative maxUnavailable", dep(func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxUnavailable: intVal(-1)}
		}), "spec.strategy.rollingUpdate.maxUnavailable", ""},
		{"statefulset claim template without storage", &StatefulSet{ObjectMeta: ObjectMeta{Name: "r"}, Spec: StatefulSetSpec{
			Selector: validSelector(), Template: validTemplate(),
			VolumeClaimTemplates: []PersistentVolumeClaim{{Spec: PersistentVolumeClaimSpec{AccessModes: []PersistentVolumeAccessMode{ReadWriteOnce}}}},
		}}, "spec.volumeClaimTemplates[0].spec.resources.requests.storage", "required"},
		{"daemonset without selector", &DaemonSet{ObjectMeta: ObjectMeta{Name: "d"}, Spec: DaemonSetSpec{Template: validTemplate()}}, "spec.selector", "required"},

		// jobs
		{"job without restartPolicy", job(func(j *Job) { j.Spec.Template.Spec.RestartPolicy = "" }), "spec.template.spec.restartPolicy", "OnFailure or Never"},
		{"job with restartPolicy Always", job(func(j *Job) { j.Spec.Template.Spec.RestartPolicy = RestartPolicyAlways }), "spec.template.spec.restartPolicy", "OnFailure or Never"},
		{"negative parallelism", job(func(j *Job) { j.Spec.Parallelism = Ptr[int32](-1) }), "spec.parallelism", ""},
		{"negative completions", job(func(j *Job) { j.Spec.Completions = Ptr[int32](-1) }), "spec.completions", ""},
		{"negative backoffLimit", job(func(j *Job) { j.Spec.BackoffLimit = Ptr[int32](-1) }), "spec.backoffLimit", ""},
		{"indexed without completions", job(func(j *Job) { j.Spec.CompletionMode = Ptr(IndexedCompletion) }), "spec.completions", "Indexed"},
		{"cronjob without schedule", &CronJob{ObjectMeta: ObjectMeta{Name: "c"}, Spec: CronJobSpec{JobTemplate: JobTemplateSpec{Spec: validJob().Spec}}}, "spec.schedule", "required"},
		{"cronjob job template path", &CronJob{ObjectMeta: ObjectMeta{Name: "c"}, Spec: CronJobSpec{Schedule: "@daily", JobTemplate: JobTemplateSpec{Spec: JobSpec{Template: validTemplate()}}}},
			"spec.jobTemplate.spec.template.spec.restartPolicy", ""},

		// services
		{"bad service type", svc(func(s *Service) { s.Spec.Type = "Internal" }), "spec.type", ""},
		{"ExternalName without externalName", svc(func(s *Service) { s.Spec.Type = ServiceTypeExternalName }), "spec.externalName", "required"},
		{"no ports", svc(func(s *Service) { s.Spec.Ports = nil }), "spec.ports", "at least one port"},
		{"headless needs no ports", svc(func(s *Service) { s.Spec.Ports, s.Spec.ClusterIP = nil, ClusterIPNone }), "", ""},
		{"port 0", svc(func(s *Service) { s.Spec.Ports[0].Port = 0 }), "spec.ports[0].port", "between 1 and 65535"},
		{"bad nodePort", svc(func(s *Service) { s.Spec.Ports[0].NodePort = 70000 }), "spec.ports[0].nodePort", ""},
		{"unnamed port among several", svc(func(s *Service) {
			s.Spec.Ports = []ServicePort{{Name: "http", Port: 80}, {Port: 443}}
		}), "spec.ports[1].name", "more than one port"},
		{"bad session affinity", svc(func(s *Service) { s.Spec.SessionAffinity = "Cookie" }), "spec.sessionAffinity", ""},

		// storage
		{"pvc without access modes", pvc(func(p *PersistentVolumeClaim) { p.Spec.AccessModes = nil }), "spec.accessModes", "at least one"},
		{"pvc bad access mode", pvc(func(p *PersistentVolumeClaim) {
			p.Spec.AccessModes = []PersistentVolumeAccessMode{"ReadWriteSometimes"}
		}), "spec.accessModes[0]", "unsupported"},
		{"pvc zero storage", pvc(func(p *PersistentVolumeClaim) { p.Spec.Resources.Requests[ResourceStorage] = MustParseQuantity("0") }), "spec.resources.requests.storage", "greater than zero"},
		{"pvc bad selector", pvc(func(p *PersistentVolumeClaim) {
			p.Spec.Selector = &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "k", Operator: "Exists", Values: []string{"v"}}}}
		}), "spec.selector", ""},
		{"pv without capacity", &PersistentVolume{ObjectMeta: ObjectMeta{Name: "pv"}, Spec: PersistentVolumeSpec{AccessModes: []PersistentVolumeAccessMode{ReadWriteOnce}}}, "spec.capacity.storage", "required"},
		{"pv without access modes", &PersistentVolume{ObjectMeta: ObjectMeta{Name: "pv"}, Spec: PersistentVolumeSpec{Capacity: rl("storage", "1Gi")}}, "spec.accessModes", ""},
		{"storage class without provisioner", &StorageClass{ObjectMeta: ObjectMeta{Name: "sc"}}, "provisioner", "required"},

		// autoscaling, policy, scheduling, networking, quota, nodes
		{"hpa maxReplicas 0", &HorizontalPodAutoscaler{ObjectMeta: ObjectMeta{Name: "h"}, Spec: HorizontalPodAutoscalerSpec{
			ScaleTargetRef: CrossVersionObjectReference{Kind: "Deployment", Name: "web"}}}, "spec.maxReplicas", ""},
		{"hpa minReplicas above max", &HorizontalPodAutoscaler{ObjectMeta: ObjectMeta{Name: "h"}, Spec: HorizontalPodAutoscalerSpec{
			ScaleTargetRef: CrossVersionObjectReference{Kind: "Deployment", Name: "web"}, MinReplicas: Ptr[int32](5), MaxReplicas: 3}}, "spec.minReplicas", ""},
		{"hpa without target", &HorizontalPodAutoscaler{ObjectMeta: ObjectMeta{Name: "h"}, Spec: HorizontalPodAutoscalerSpec{MaxReplicas: 3}}, "spec.scaleTargetRef", "required"},
		{"pdb with both minAvailable and maxUnavailable", &PodDisruptionBudget{ObjectMeta: ObjectMeta{Name: "p"}, Spec: PodDisruptionBudgetSpec{
			MinAvailable: intVal(1), MaxUnavailable: intVal(1), Selector: validSelector()}}, "spec", "both"},
		{"pdb bad percentage", &PodDisruptionBudget{ObjectMeta: ObjectMeta{Name: "p"}, Spec: PodDisruptionBudgetSpec{MaxUnavailable: intStr("half")}}, "spec.maxUnavailable", ""},
		{"user priority class too high", &PriorityClass{ObjectMeta: ObjectMeta{Name: "urgent"}, Value: 1000000001}, "value", "1000000000"},
		{"system priority class may be high", &PriorityClass{ObjectMeta: ObjectMeta{Name: SystemNodeCritical}, Value: SystemCriticalPriority + 1000}, "", ""},
		{"network policy bad selector", &NetworkPolicy{ObjectMeta: ObjectMeta{Name: "n"}, Spec: NetworkPolicySpec{PodSelector: LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "a", Operator: "Near"}}}}}, "spec.podSelector", ""},
		{"negative quota", &ResourceQuota{ObjectMeta: ObjectMeta{Name: "q"}, Spec: ResourceQuotaSpec{Hard: rl("pods", "-1")}}, "spec.hard.pods", ""},
		{"node bad taint", &Node{ObjectMeta: ObjectMeta{Name: "n"}, Spec: NodeSpec{Taints: []Taint{{Key: "k", Effect: "Sometimes"}}}}, "spec.taints[0]", ""},
		{"node negative capacity", &Node{ObjectMeta: ObjectMeta{Name: "n"}, Status: NodeStatus{Capacity: rl("cpu", "-1")}}, "status.capacity.cpu", ""},
		{"node cpu too large for millicores", &Node{ObjectMeta: ObjectMeta{Name: "n"}, Status: NodeStatus{Allocatable: rl("cpu", "10P")}}, "status.allocatable.cpu", "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Validate(tt.obj)
			if tt.path == "" {
				assert.Empty(t, errs)
				return
			}
			var paths []string
			found := false
			for _, e := range errs {
				paths = append(paths, e.Path)
				if e.Path == tt.path && strings.Contains(e.Message, tt.msg) {
					found = true
				}
			}
			assert.True(t, found, "want an error at %q containing %q, got %v", tt.path, tt.msg, errs)
			assert.Len(t, errs, 1, "exactly one rule is broken: %v", paths)
		})
	}
}

func TestValidateReportsEveryError(t *testing.T) {
	p := validPod()
	p.Name = ""
	p.Spec.Containers[0].Image = ""
	p.Spec.Containers[0].Ports[0].ContainerPort = 0
	p.Spec.RestartPolicy = "Sometimes"
	errs := Validate(p)
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Path)
		assert.Equal(t, e.Path+": "+e.Message, e.Error())
	}
	assert.ElementsMatch(t, []string{"metadata.name", "spec.containers[0].image", "spec.containers[0].ports[0].containerPort", "spec.restartPolicy"}, paths)
}
