package model

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// FieldError is a validation problem at a field path relative to the
// object (e.g. spec.containers[0].image).
type FieldError struct {
	Path    string
	Message string
}

func (e FieldError) Error() string { return e.Path + ": " + e.Message }

type validator struct{ errs []FieldError }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks an object the way the apiserver's validation would, for
// the fields kubesim models (pkg/apis/*/validation). It returns every
// problem found.
func Validate(o Object) []FieldError {
	v := &validator{}
	k := KindOf(o)
	meta := o.GetObjectMeta()
	v.meta(meta, k)
	switch x := o.(type) {
	case *Pod:
		v.podSpec(&x.Spec, "spec", false)
	case *Node:
		for i, t := range x.Spec.Taints {
			if err := ValidateTaint(t); err != nil {
				v.add(fmt.Sprintf("spec.taints[%d]", i), "%v", err)
			}
		}
		v.resourceList(x.Status.Capacity, "status.capacity")
		v.resourceList(x.Status.Allocatable, "status.allocatable")
	case *Service:
		v.service(x)
	case *ReplicaSet:
		v.replicas(x.Spec.Replicas, "spec.replicas")
		v.workload(x.Spec.Selector, &x.Spec.Template, "spec", true, true)
	case *Deployment:
		v.replicas(x.Spec.Replicas, "spec.replicas")
		v.workload(x.Spec.Selector, &x.Spec.Template, "spec", true, true)
		switch x.Spec.Strategy.Type {
		case "", RollingUpdateDeploymentStrategyType, RecreateDeploymentStrategyType:
		default:
			v.add("spec.strategy.type", "must be RollingUpdate or Recreate, got %q", x.Spec.Strategy.Type)
		}
		if ru := x.Spec.Strategy.RollingUpdate; ru != nil {
			if x.Spec.Strategy.Type == RecreateDeploymentStrategyType {
				v.add("spec.strategy.rollingUpdate", "may not be set when strategy type is Recreate")
			}
			su, _ := intOrPercent(ru.MaxSurge, v, "spec.strategy.rollingUpdate.maxSurge")
			un, _ := intOrPercent(ru.MaxUnavailable, v, "spec.strategy.rollingUpdate.maxUnavailable")
			if ru.MaxSurge != nil && ru.MaxUnavailable != nil && su == 0 && un == 0 {
				v.add("spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when maxSurge is 0")
			}
		}
	case *StatefulSet:
		v.replicas(x.Spec.Replicas, "spec.replicas")
		v.workload(x.Spec.Selector, &x.Spec.Template, "spec", true, true)
		for i := range x.Spec.VolumeClaimTemplates {
			v.pvcSpec(&x.Spec.VolumeClaimTemplates[i].Spec, fmt.Sprintf("spec.volumeClaimTemplates[%d].spec", i))
		}
	case *DaemonSet:
		v.workload(x.Spec.Selector, &x.Spec.Template, "spec", true, true)
	case *Job:
		v.jobSpec(&x.Spec, "spec")
	case *CronJob:
		if x.Spec.Schedule == "" {
			v.add("spec.schedule", "required")
		}
		v.jobSpec(&x.Spec.JobTemplate.Spec, "spec.jobTemplate.spec")
	case *PersistentVolumeClaim:
		v.pvcSpec(&x.Spec, "spec")
	case *PersistentVolume:
		if len(x.Spec.AccessModes) == 0 {
			v.add("spec.accessModes", "at least one access mode is required")
		}
		if q, ok := x.Spec.Capacity[ResourceStorage]; !ok {
			v.add("spec.capacity.storage", "required")
		} else if q.Sign() <= 0 {
			v.add("spec.capacity.storage", "must be greater than zero")
		}
	case *HorizontalPodAutoscaler:
		if x.Spec.MaxReplicas < 1 {
			v.add("spec.maxReplicas", "must be greater than or equal to 1")
		}
		if m := x.Spec.MinReplicas; m != nil && (*m < 0 || *m > x.Spec.MaxReplicas) {
			v.add("spec.minReplicas", "must be between 0 and maxReplicas (%d)", x.Spec.MaxReplicas)
		}
		if x.Spec.ScaleTargetRef.Kind == "" || x.Spec.ScaleTargetRef.Name == "" {
			v.add("spec.scaleTargetRef", "kind and name are required")
		}
	case *PodDisruptionBudget:
		if x.Spec.MinAvailable != nil && x.Spec.MaxUnavailable != nil {
			v.add("spec", "minAvailable and maxUnavailable cannot both be set")
		}
		intOrPercent(x.Spec.MinAvailable, v, "spec.minAvailable")
		intOrPercent(x.Spec.MaxUnavailable, v, "spec.maxUnavailable")
		v.selector(x.Spec.Selector, "spec.selector")
	case *PriorityClass:
		if x.Value > 1000000000 && !strings.HasPrefix(meta.Name, "system-") {
			v.add("value", "must not exceed 1000000000 except for system classes")
		}
	case *StorageClass:
		if x.Provisioner == "" {
			v.add("provisioner", "required")
		}
	case *VolumeAttachment:
		if x.Spec.Attacher == "" {
			v.add("spec.attacher", "required")
		}
		if x.Spec.NodeName == "" {
			v.add("spec.nodeName", "required")
		}
		if x.Spec.Source.PersistentVolumeName == nil || *x.Spec.Source.PersistentVolumeName == "" {
			v.add("spec.source.persistentVolumeName", "required")
		}
	case *NetworkPolicy:
		v.selector(&x.Spec.PodSelector, "spec.podSelector")
	case *ResourceQuota:
		v.resourceList(x.Spec.Hard, "spec.hard")
	}
	return v.errs
}

var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
var dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
var dns1035Label = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

// meta validates the object's metadata. Namespace names are DNS-1123
// labels, Service names DNS-1035 labels (they start with a letter:
// ValidateServiceName), other names DNS-1123 subdomains.
func (v *validator) meta(m *ObjectMeta, k *KindInfo) {
	kind := ""
	if k != nil {
		kind = k.Kind
	}
	if m.Name == "" && m.GenerateName == "" {
		v.add("metadata.name", "name or generateName is required")
	}
	if m.Name != "" {
		switch kind {
		case "Namespace":
			if len(m.Name) > 63 || !dns1123Label.MatchString(m.Name) {
				v.add("metadata.name", "%q must be a DNS-1123 label: lower-case alphanumerics or '-', at most 63 characters", m.Name)
			}
		case "Service":
			if len(m.Name) > 63 || !dns1035Label.MatchString(m.Name) {
				v.add("metadata.name", "%q must be a DNS-1035 label: lower-case alphanumerics or '-', starting with a letter, at most 63 characters", m.Name)
			}
		default:
			if len(m.Name) > 253 || !dns1123Subdomain.MatchString(m.Name) {
				v.add("metadata.name", "%q must be a DNS-1123 subdomain: lower-case alphanumerics, '-' or '.', at most 253 characters", m.Name)
			}
		}
	}
	for _, k := range sortedKeys(m.Labels) {
		if err := ValidateLabelKey(k); err != nil {
			v.add("metadata.labels", "%v", err)
		}
		if err := ValidateLabelValue(m.Labels[k]); err != nil {
			v.add("metadata.labels."+k, "%v", err)
		}
	}
}

func (v *validator) replicas(r *int32, path string) {
	if r != nil && *r < 0 {
		v.add(path, "must be greater than or equal to 0")
	}
}

func (v *validator) selector(ls *LabelSelector, path string) Selector {
	if ls == nil {
		return Selector{}
	}
	s, err := LabelSelectorAsSelector(ls)
	if err != nil {
		v.add(path, "%v", err)
	}
	return s
}

// workload validates a controller's selector and template.
func (v *validator) workload(sel *LabelSelector, t *PodTemplateSpec, path string, needSelector, restartAlways bool) {
	if sel == nil {
		if needSelector {
			v.add(path+".selector", "required")
		}
	} else {
		s := v.selector(sel, path+".selector")
		if s.Empty() {
			v.add(path+".selector", "empty selector is invalid for this workload")
		} else if !s.Matches(t.Labels) {
			v.add(path+".template.metadata.labels", "`selector` does not match template `labels`")
		}
	}
	v.podSpec(&t.Spec, path+".template.spec", true)
	if restartAlways && t.Spec.RestartPolicy != "" && t.Spec.RestartPolicy != RestartPolicyAlways {
		v.add(path+".template.spec.restartPolicy", "only Always is supported, got %q", t.Spec.RestartPolicy)
	}
}

func (v *validator) jobSpec(s *JobSpec, path string) {
	if s.Parallelism != nil && *s.Parallelism < 0 {
		v.add(path+".parallelism", "must be greater than or equal to 0")
	}
	if s.Completions != nil && *s.Completions < 0 {
		v.add(path+".completions", "must be greater than or equal to 0")
	}
	if s.BackoffLimit != nil && *s.BackoffLimit < 0 {
		v.add(path+".backoffLimit", "must be greater than or equal to 0")
	}
	if s.CompletionMode != nil && *s.CompletionMode == IndexedCompletion && s.Completions == nil {
		v.add(path+".completions", "required when completionMode is Indexed")
	}
	if s.Selector != nil {
		v.selector(s.Selector, path+".selector")
	}
	v.podSpec(&s.Template.Spec, path+".template.spec", true)
	switch s.Template.Spec.RestartPolicy {
	case RestartPolicyOnFailure, RestartPolicyNever:
	case "":
		v.add(path+".template.spec.restartPolicy", "required: a Job's pods need OnFailure or Never")
	default:
		v.add(path+".template.spec.restartPolicy", "must be OnFailure or Never, got %q", s.Template.Spec.RestartPolicy)
	}
}

func (v *validator) pvcSpec(s *PersistentVolumeClaimSpec, path string) {
	if len(s.AccessModes) == 0 {
		v.add(path+".accessModes", "at least one access mode is required")
	}
	for i, m := range s.AccessModes {
		switch m {
		case ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod:
		default:
			v.add(fmt.Sprintf("%s.accessModes[%d]", path, i), "unsupported access mode %q", m)
		}
	}
	if q, ok := s.Resources.Requests[ResourceStorage]; !ok {
		v.add(path+".resources.requests.storage", "required")
	} else if q.Sign() <= 0 {
		v.add(path+".resources.requests.storage", "must be greater than zero")
	}
	v.selector(s.Selector, path+".selector")
}

func (v *validator) service(x *Service) {
	s := &x.Spec
	switch s.Type {
	case "", ServiceTypeClusterIP, ServiceTypeNodePort, ServiceTypeLoadBalancer, ServiceTypeExternalName:
	default:
		v.add("spec.type", "must be ClusterIP, NodePort, LoadBalancer or ExternalName, got %q", s.Type)
	}
	if s.Type == ServiceTypeExternalName && s.ExternalName == "" {
		v.add("spec.externalName", "required for type ExternalName")
	}
	if s.Type != ServiceTypeExternalName && len(s.Ports) == 0 && s.ClusterIP != ClusterIPNone {
		v.add("spec.ports", "at least one port is required")
	}
	for i, p := range s.Ports {
		path := fmt.Sprintf("spec.ports[%d]", i)
		if p.Port < 1 || p.Port > 65535 {
			v.add(path+".port", "must be between 1 and 65535, got %d", p.Port)
		}
		if p.NodePort != 0 && (p.NodePort < 1 || p.NodePort > 65535) {
			v.add(path+".nodePort", "must be between 1 and 65535, got %d", p.NodePort)
		}
		if len(s.Ports) > 1 && p.Name == "" {
			v.add(path+".name", "required when a service has more than one port")
		}
	}
	switch s.SessionAffinity {
	case "", ServiceAffinityNone, ServiceAffinityClientIP:
	default:
		v.add("spec.sessionAffinity", "must be None or ClientIP, got %q", s.SessionAffinity)
	}
}

func (v *validator) resourceList(l ResourceList, path string) {
	for _, name := range sortedKeys(l) {
		q := l[name]
		p := path + "." + string(name)
		if q.Sign() < 0 {
			v.add(p, "must be greater than or equal to 0, got %s", q.String())
		}
		if name == ResourceCPU && q.MilliOverflows() {
			v.add(p, "cpu quantity %s is too large", q.String())
		}
	}
}

func (v *validator) podSpec(s *PodSpec, path string, template bool) {
	if len(s.Containers) == 0 {
		v.add(path+".containers", "at least one container is required")
	}
	names := map[string]bool{}
	check := func(list []Container, field string) {
		for i := range list {
			c := &list[i]
			p := fmt.Sprintf("%s.%s[%d]", path, field, i)
			if c.Name == "" {
				v.add(p+".name", "required")
			} else if len(c.Name) > 63 || !dns1123Label.MatchString(c.Name) {
				v.add(p+".name", "%q must be a DNS-1123 label", c.Name)
			} else if names[c.Name] {
				v.add(p+".name", "duplicate container name %q", c.Name)
			}
			names[c.Name] = true
			if c.Image == "" {
				v.add(p+".image", "required")
			}
			v.resourceList(c.Resources.Requests, p+".resources.requests")
			v.resourceList(c.Resources.Limits, p+".resources.limits")
			for _, name := range sortedKeys(c.Resources.Requests) {
				if l, ok := c.Resources.Limits[name]; ok && c.Resources.Requests[name].Cmp(l) > 0 {
					v.add(p+".resources.requests."+string(name), "must be less than or equal to %s limit of %s", name, l.String())
				}
			}
			for j, port := range c.Ports {
				pp := fmt.Sprintf("%s.ports[%d]", p, j)
				if port.ContainerPort < 1 || port.ContainerPort > 65535 {
					v.add(pp+".containerPort", "must be between 1 and 65535, got %d", port.ContainerPort)
				}
				if port.HostPort < 0 || port.HostPort > 65535 {
					v.add(pp+".hostPort", "must be between 0 and 65535, got %d", port.HostPort)
				}
			}
			probes := [...]struct {
				name  string
				probe *Probe
			}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}}
			for _, np := range probes {
				name, pr := np.name, np.probe
				if pr == nil {
					continue
				}
				if pr.InitialDelaySeconds < 0 || pr.PeriodSeconds < 0 || pr.TimeoutSeconds < 0 || pr.FailureThreshold < 0 || pr.SuccessThreshold < 0 {
					v.add(p+"."+name, "probe timings and thresholds must not be negative")
				}
				if name != "readinessProbe" && pr.SuccessThreshold > 1 {
					v.add(p+"."+name+".successThreshold", "must be 1")
				}
			}
		}
	}
	check(s.InitContainers, "initContainers")
	check(s.Containers, "containers")
	switch s.RestartPolicy {
	case "", RestartPolicyAlways, RestartPolicyOnFailure, RestartPolicyNever:
	default:
		v.add(path+".restartPolicy", "must be Always, OnFailure or Never, got %q", s.RestartPolicy)
	}
	if g := s.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		v.add(path+".terminationGracePeriodSeconds", "must be greater than or equal to 0")
	}
	for _, k := range sortedKeys(s.NodeSelector) {
		if err := ValidateLabelKey(k); err != nil {
			v.add(path+".nodeSelector", "%v", err)
		}
	}
	for i, t := range s.Tolerations {
		if err := ValidateToleration(t); err != nil {
			v.add(fmt.Sprintf("%s.tolerations[%d]", path, i), "%v", err)
		}
	}
	if a := s.Affinity; a != nil {
		if na := a.NodeAffinity; na != nil {
			if r := na.RequiredDuringSchedulingIgnoredDuringExecution; r != nil {
				if _, err := NewNodeSelectorMatcher(r); err != nil {
					v.add(path+".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution", "%v", err)
				}
			}
			if _, err := NewPreferredSchedulingTerms(na.PreferredDuringSchedulingIgnoredDuringExecution); err != nil {
				v.add(path+".affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution", "%v", err)
			}
		}
		if pa := a.PodAffinity; pa != nil {
			v.podAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, path+".affinity.podAffinity")
		}
		if pa := a.PodAntiAffinity; pa != nil {
			v.podAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, path+".affinity.podAntiAffinity")
		}
	}
	for i, c := range s.TopologySpreadConstraints {
		p := fmt.Sprintf("%s.topologySpreadConstraints[%d]", path, i)
		if c.MaxSkew <= 0 {
			v.add(p+".maxSkew", "must be greater than zero")
		}
		if c.TopologyKey == "" {
			v.add(p+".topologyKey", "required")
		}
		switch c.WhenUnsatisfiable {
		case DoNotSchedule, ScheduleAnyway:
		default:
			v.add(p+".whenUnsatisfiable", "must be DoNotSchedule or ScheduleAnyway, got %q", c.WhenUnsatisfiable)
		}
		if c.MinDomains != nil && (*c.MinDomains <= 0 || c.WhenUnsatisfiable != DoNotSchedule) {
			v.add(p+".minDomains", "must be greater than zero and only set with DoNotSchedule")
		}
		v.selector(c.LabelSelector, p+".labelSelector")
	}
	for i, vol := range s.Volumes {
		if vol.Name == "" {
			v.add(fmt.Sprintf("%s.volumes[%d].name", path, i), "required")
		}
		if vol.PersistentVolumeClaim != nil && vol.PersistentVolumeClaim.ClaimName == "" {
			v.add(fmt.Sprintf("%s.volumes[%d].persistentVolumeClaim.claimName", path, i), "required")
		}
	}
	if s.PreemptionPolicy != nil && *s.PreemptionPolicy != PreemptLowerPriority && *s.PreemptionPolicy != PreemptNever {
		v.add(path+".preemptionPolicy", "must be PreemptLowerPriority or Never, got %q", *s.PreemptionPolicy)
	}
}

func (v *validator) podAffinityTerms(req []PodAffinityTerm, pref []WeightedPodAffinityTerm, path string) {
	for i, t := range req {
		p := fmt.Sprintf("%s.requiredDuringSchedulingIgnoredDuringExecution[%d]", path, i)
		if t.TopologyKey == "" {
			v.add(p+".topologyKey", "required")
		}
		v.selector(t.LabelSelector, p+".labelSelector")
		v.selector(t.NamespaceSelector, p+".namespaceSelector")
	}
	for i, t := range pref {
		p := fmt.Sprintf("%s.preferredDuringSchedulingIgnoredDuringExecution[%d]", path, i)
		if t.Weight < 1 || t.Weight > 100 {
			v.add(p+".weight", "must be between 1 and 100, got %d", t.Weight)
		}
		if t.PodAffinityTerm.TopologyKey == "" {
			v.add(p+".podAffinityTerm.topologyKey", "required")
		}
		v.selector(t.PodAffinityTerm.LabelSelector, p+".podAffinityTerm.labelSelector")
	}
}

// intOrPercent validates an int-or-percent field and returns its integer
// or percent value.
func intOrPercent(x *IntOrString, v *validator, path string) (int, bool) {
	if x == nil {
		return 0, false
	}
	if x.Type == IntOrStringInt {
		if x.IntVal < 0 {
			v.add(path, "must be greater than or equal to 0")
		}
		return int(x.IntVal), true
	}
	s := x.StrVal
	if len(s) < 2 || s[len(s)-1] != '%' {
		v.add(path, "must be an integer or a percentage such as 25%%, got %q", s)
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 {
		v.add(path, "must be an integer or a percentage such as 25%%, got %q", s)
		return 0, false
	}
	return n, true
}
