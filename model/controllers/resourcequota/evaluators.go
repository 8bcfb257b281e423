package resourcequota

import (
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
)

// Quota resource names (k8s.io/api/core/v1 types.go).
const (
	Pods                   model.ResourceName = "pods"
	Services               model.ResourceName = "services"
	ServicesNodePorts      model.ResourceName = "services.nodeports"
	ServicesLoadBalancers  model.ResourceName = "services.loadbalancers"
	PersistentVolumeClaims model.ResourceName = "persistentvolumeclaims"
	ConfigMaps             model.ResourceName = "configmaps"
	Secrets                model.ResourceName = "secrets"
	ResourceQuotas         model.ResourceName = "resourcequotas"
	RequestsCPU            model.ResourceName = "requests.cpu"
	RequestsMemory         model.ResourceName = "requests.memory"
	RequestsStorage        model.ResourceName = "requests.storage"
	RequestsEphemeral      model.ResourceName = "requests.ephemeral-storage"
	LimitsCPU              model.ResourceName = "limits.cpu"
	LimitsMemory           model.ResourceName = "limits.memory"
	LimitsEphemeral        model.ResourceName = "limits.ephemeral-storage"

	storageClassSuffix = ".storageclass.storage.k8s.io/"
	requestsPrefix     = "requests."
)

// Quota scopes (ResourceQuotaScope).
const (
	ScopeTerminating               = "Terminating"
	ScopeNotTerminating            = "NotTerminating"
	ScopeBestEffort                = "BestEffort"
	ScopeNotBestEffort             = "NotBestEffort"
	ScopePriorityClass             = "PriorityClass"
	ScopeCrossNamespacePodAffinity = "CrossNamespacePodAffinity"
)

// resources are the quota resource names of each modeled namespaced kind
// for object counts: "count/<resource>[.<group>]", and the legacy names
// of the core kinds that have one.
var resources = map[string]struct{ count, legacy model.ResourceName }{
	"Pod":                     {"count/pods", Pods},
	"Service":                 {"count/services", Services},
	"PersistentVolumeClaim":   {"count/persistentvolumeclaims", PersistentVolumeClaims},
	"ConfigMap":               {"count/configmaps", ConfigMaps},
	"Secret":                  {"count/secrets", Secrets},
	"ResourceQuota":           {"count/resourcequotas", ResourceQuotas},
	"LimitRange":              {"count/limitranges", ""},
	"ReplicaSet":              {"count/replicasets.apps", ""},
	"Deployment":              {"count/deployments.apps", ""},
	"StatefulSet":             {"count/statefulsets.apps", ""},
	"DaemonSet":               {"count/daemonsets.apps", ""},
	"Job":                     {"count/jobs.batch", ""},
	"CronJob":                 {"count/cronjobs.batch", ""},
	"PodDisruptionBudget":     {"count/poddisruptionbudgets.policy", ""},
	"HorizontalPodAutoscaler": {"count/horizontalpodautoscalers.autoscaling", ""},
	"NetworkPolicy":           {"count/networkpolicies.networking.k8s.io", ""},
	"EndpointSlice":           {"count/endpointslices.discovery.k8s.io", ""},
	"Lease":                   {"count/leases.coordination.k8s.io", ""},
}

// podResources are the compute resources the pod evaluator computes.
var podResources = map[model.ResourceName]bool{
	Pods: true, "count/pods": true, model.ResourceCPU: true, RequestsCPU: true, model.ResourceMemory: true,
	RequestsMemory: true, LimitsCPU: true, LimitsMemory: true, model.ResourceEphemeralStorage: true,
	RequestsEphemeral: true, LimitsEphemeral: true,
}

// Matches reports whether the evaluator of kind computes the quota
// resource name (MatchingResources).
func Matches(kind string, name model.ResourceName) bool {
	r, ok := resources[kind]
	if !ok {
		return false
	}
	if name == r.count || (r.legacy != "" && name == r.legacy) {
		return true
	}
	s := string(name)
	switch kind {
	case "Pod":
		// Extended resources are quota'd as requests.<name>.
		return podResources[name] || (strings.HasPrefix(s, requestsPrefix) && strings.Contains(s, "/"))
	case "Service":
		return name == ServicesNodePorts || name == ServicesLoadBalancers
	case "PersistentVolumeClaim":
		return name == RequestsStorage ||
			(strings.Contains(s, storageClassSuffix) &&
				(strings.HasSuffix(s, "/"+string(RequestsStorage)) || strings.HasSuffix(s, "/"+string(PersistentVolumeClaims))))
	}
	return false
}

// isMilli reports whether a resource's usage is kept in millis (cpu).
func isMilli(name model.ResourceName) bool {
	return name == model.ResourceCPU || name == RequestsCPU || name == LimitsCPU
}

// QuotaPod reports whether a pod is charged to quota (QuotaV1Pod): not
// finished, and not stuck terminating past its deletion time plus grace.
func QuotaPod(p *model.Pod, now time.Time) bool {
	if p.IsTerminal() {
		return false
	}
	if p.DeletionTimestamp != nil && p.DeletionGracePeriodSeconds != nil {
		if now.After(p.DeletionTimestamp.Add(time.Duration(*p.DeletionGracePeriodSeconds) * time.Second)) {
			return false
		}
	}
	return true
}

// podLimits is resourcehelper.PodLimits: the containers' and sidecars'
// limits, at least each init container's (with the sidecars before it),
// plus the overhead, for the resources some container limits.
func podLimits(p *model.Pod) (model.Resources, map[model.ResourceName]bool) {
	set := map[model.ResourceName]bool{}
	limitsOf := func(c *model.Container) model.Resources {
		for n := range c.Resources.Limits {
			set[n] = true
		}
		return model.ResourcesFromList(c.Resources.Limits)
	}
	var out model.Resources
	for i := range p.Spec.Containers {
		l := limitsOf(&p.Spec.Containers[i])
		out.Add(&l)
	}
	var sidecars, initMax model.Resources
	for i := range p.Spec.InitContainers {
		ic := &p.Spec.InitContainers[i]
		l := limitsOf(ic)
		if ic.IsSidecar() {
			sidecars.Add(&l)
			l = sidecars.Clone()
		} else {
			l.Add(&sidecars)
		}
		initMax.Max(&l)
	}
	out.Add(&sidecars)
	out.Max(&initMax)
	if pr := p.Spec.Resources; pr != nil {
		for _, n := range []model.ResourceName{model.ResourceCPU, model.ResourceMemory} {
			if q, ok := pr.Limits[n]; ok {
				set[n] = true
				if n == model.ResourceCPU {
					out.MilliCPU = q.MilliValue()
				} else {
					out.Memory = q.Value()
				}
			}
		}
	}
	if len(set) > 0 && len(p.Spec.Overhead) > 0 {
		o := model.ResourcesFromList(p.Spec.Overhead)
		out.Add(&o)
	}
	return out, set
}

// podRequested reports which resources some container requests.
func podRequested(p *model.Pod) map[model.ResourceName]bool {
	set := map[model.ResourceName]bool{}
	for _, list := range [][]model.Container{p.Spec.Containers, p.Spec.InitContainers} {
		for i := range list {
			for n := range list[i].Resources.Requests {
				set[n] = true
			}
		}
	}
	if pr := p.Spec.Resources; pr != nil {
		for n := range pr.Requests {
			set[n] = true
		}
	}
	for n := range p.Spec.Overhead {
		set[n] = true
	}
	return set
}

// PodUsage is the pod evaluator's usage (PodUsageFunc): nothing for pods
// not charged; else one pod, its effective requests (cpu and requests.cpu,
// memory and requests.memory, ephemeral storage, requests.<extended>) and
// limits, for the resources the pod sets.
func PodUsage(p *model.Pod, now time.Time) map[model.ResourceName]int64 {
	if !QuotaPod(p, now) {
		return nil
	}
	u := map[model.ResourceName]int64{Pods: 1, "count/pods": 1}
	req := model.PodRequests(p, false)
	has := podRequested(p)
	if has[model.ResourceCPU] {
		u[model.ResourceCPU], u[RequestsCPU] = req.MilliCPU, req.MilliCPU
	}
	if has[model.ResourceMemory] {
		u[model.ResourceMemory], u[RequestsMemory] = req.Memory, req.Memory
	}
	if has[model.ResourceEphemeralStorage] {
		u[model.ResourceEphemeralStorage], u[RequestsEphemeral] = req.EphemeralStorage, req.EphemeralStorage
	}
	for _, s := range req.Scalars {
		u[model.ResourceName(requestsPrefix+string(s.Name))] = s.Value
	}
	lim, lset := podLimits(p)
	if lset[model.ResourceCPU] {
		u[LimitsCPU] = lim.MilliCPU
	}
	if lset[model.ResourceMemory] {
		u[LimitsMemory] = lim.Memory
	}
	if lset[model.ResourceEphemeralStorage] {
		u[LimitsEphemeral] = lim.EphemeralStorage
	}
	return u
}

// podMatchesScope is podMatchesScopeFunc.
func podMatchesScope(scope string, p *model.Pod) bool {
	terminating := p.Spec.ActiveDeadlineSeconds != nil && *p.Spec.ActiveDeadlineSeconds >= 0
	switch scope {
	case ScopeTerminating:
		return terminating
	case ScopeNotTerminating:
		return !terminating
	case ScopeBestEffort:
		return model.QOSClass(p) == model.PodQOSBestEffort
	case ScopeNotBestEffort:
		return model.QOSClass(p) != model.PodQOSBestEffort
	case ScopePriorityClass:
		return p.Spec.PriorityClassName != ""
	case ScopeCrossNamespacePodAffinity:
		return crossNamespaceAffinity(p)
	}
	return false
}

func crossNamespaceAffinity(p *model.Pod) bool {
	a := p.Spec.Affinity
	if a == nil {
		return false
	}
	var terms []model.PodAffinityTerm
	if a.PodAffinity != nil {
		terms = append(terms, a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	if a.PodAntiAffinity != nil {
		terms = append(terms, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	for _, t := range terms {
		if len(t.Namespaces) > 0 || t.NamespaceSelector != nil {
			return true
		}
	}
	return false
}

// ServiceUsage is the service evaluator's usage: one service, its node
// ports (NodePort and LoadBalancer services, one per port) and load
// balancers.
func ServiceUsage(s *model.Service) map[model.ResourceName]int64 {
	u := map[model.ResourceName]int64{Services: 1, "count/services": 1, ServicesNodePorts: 0, ServicesLoadBalancers: 0}
	switch s.Spec.Type {
	case model.ServiceTypeNodePort:
		u[ServicesNodePorts] = int64(len(s.Spec.Ports))
	case model.ServiceTypeLoadBalancer:
		u[ServicesNodePorts] = int64(len(s.Spec.Ports))
		u[ServicesLoadBalancers] = 1
	}
	return u
}

// PVCUsage is the claim evaluator's usage: one claim and its requested
// storage, also under its storage class.
func PVCUsage(c *model.PersistentVolumeClaim) map[model.ResourceName]int64 {
	u := map[model.ResourceName]int64{PersistentVolumeClaims: 1, "count/persistentvolumeclaims": 1}
	storage, has := c.Spec.Resources.Requests[model.ResourceStorage]
	if has {
		u[RequestsStorage] = storage.Value()
	}
	if class := model.Deref(c.Spec.StorageClassName, ""); class != "" {
		u[model.ResourceName(class+storageClassSuffix+string(PersistentVolumeClaims))] = 1
		if has {
			u[model.ResourceName(class+storageClassSuffix+string(RequestsStorage))] = storage.Value()
		}
	}
	return u
}

// Usage is an object's usage under the quota's scopes: pods match scopes
// by their own rules; other kinds match no scope, so a scoped quota does
// not count them.
func Usage(o model.Object, scopes []string, now time.Time) map[model.ResourceName]int64 {
	if p, ok := o.(*model.Pod); ok {
		for _, s := range scopes {
			if !podMatchesScope(s, p) {
				return nil
			}
		}
		return PodUsage(p, now)
	}
	if len(scopes) > 0 {
		return nil
	}
	switch x := o.(type) {
	case *model.Service:
		return ServiceUsage(x)
	case *model.PersistentVolumeClaim:
		return PVCUsage(x)
	}
	info := model.KindOf(o)
	if info == nil {
		return nil
	}
	r, ok := resources[info.Kind]
	if !ok {
		return nil
	}
	u := map[model.ResourceName]int64{r.count: 1}
	if r.legacy != "" {
		u[r.legacy] = 1
	}
	return u
}

// CalculateUsage is quota.CalculateUsage: for every kind whose evaluator
// computes some of the hard resources, those resources (zero by default)
// summed over the namespace's objects of the kind that match the scopes.
// list returns the namespace's objects of a kind.
func CalculateUsage(hard model.ResourceList, scopes []string, kinds []string, list func(kind string) []model.Object, now time.Time) model.ResourceList {
	used := model.ResourceList{}
	for _, kind := range kinds {
		var tracked []model.ResourceName
		for _, name := range model.SortedKeys(hard) {
			if Matches(kind, name) {
				tracked = append(tracked, name)
			}
		}
		if len(tracked) == 0 {
			continue
		}
		sums := make(map[model.ResourceName]int64, len(tracked))
		for _, o := range list(kind) {
			for name, v := range Usage(o, scopes, now) {
				sums[name] += v
			}
		}
		for _, name := range tracked {
			used[name] = quantity(name, sums[name])
		}
	}
	return used
}

func quantity(name model.ResourceName, v int64) model.Quantity {
	if isMilli(name) {
		return model.NewMilliQuantity(v)
	}
	return model.NewQuantity(v)
}

// Equals reports whether two lists have the same names and values.
func Equals(a, b model.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for n, q := range a {
		o, ok := b[n]
		if !ok || q.Cmp(o) != 0 {
			return false
		}
	}
	return true
}

// names returns a list's resource names, sorted.
func names(l model.ResourceList) []model.ResourceName {
	out := make([]model.ResourceName, 0, len(l))
	for n := range l {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
