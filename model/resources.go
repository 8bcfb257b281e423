package model

import "sort"

// Upstream's defaults for a container that requests no cpu or memory, used
// only where upstream uses "non-zero" requests (scheduler scoring and the
// scheduler's NonZeroRequested accounting): pkg/scheduler/util/pod_resources.go.
const (
	DefaultMilliCPURequest int64 = 100
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024
)

// ScalarResource is an extended resource amount (nvidia.com/gpu: 2).
type ScalarResource struct {
	Name  ResourceName
	Value int64
}

// Resources is a compact, allocation-light resource vector: cpu in
// millicores, memory and ephemeral storage in bytes, and extended
// resources sorted by name.
type Resources struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	Scalars          []ScalarResource
}

// Scalar returns the amount of an extended resource.
func (r *Resources) Scalar(name ResourceName) int64 {
	for _, s := range r.Scalars {
		if s.Name == name {
			return s.Value
		}
	}
	return 0
}

// Get returns the amount of any resource (cpu in millicores).
func (r *Resources) Get(name ResourceName) int64 {
	switch name {
	case ResourceCPU:
		return r.MilliCPU
	case ResourceMemory:
		return r.Memory
	case ResourceEphemeralStorage:
		return r.EphemeralStorage
	}
	return r.Scalar(name)
}

// Add adds o to r.
func (r *Resources) Add(o *Resources) {
	r.MilliCPU += o.MilliCPU
	r.Memory += o.Memory
	r.EphemeralStorage += o.EphemeralStorage
	for _, s := range o.Scalars {
		r.addScalar(s.Name, s.Value)
	}
}

// Sub subtracts o from r.
func (r *Resources) Sub(o *Resources) {
	r.MilliCPU -= o.MilliCPU
	r.Memory -= o.Memory
	r.EphemeralStorage -= o.EphemeralStorage
	for _, s := range o.Scalars {
		r.addScalar(s.Name, -s.Value)
	}
}

// Max sets each resource of r to the larger of r and o.
func (r *Resources) Max(o *Resources) {
	r.MilliCPU = max(r.MilliCPU, o.MilliCPU)
	r.Memory = max(r.Memory, o.Memory)
	r.EphemeralStorage = max(r.EphemeralStorage, o.EphemeralStorage)
	for _, s := range o.Scalars {
		if cur := r.Scalar(s.Name); s.Value > cur {
			r.addScalar(s.Name, s.Value-cur)
		}
	}
}

// Clone returns a copy of r.
func (r Resources) Clone() Resources {
	r.Scalars = append([]ScalarResource(nil), r.Scalars...)
	return r
}

func (r *Resources) addScalar(name ResourceName, v int64) {
	for i := range r.Scalars {
		if r.Scalars[i].Name == name {
			r.Scalars[i].Value += v
			return
		}
	}
	r.Scalars = append(r.Scalars, ScalarResource{Name: name, Value: v})
	sort.Slice(r.Scalars, func(i, j int) bool { return r.Scalars[i].Name < r.Scalars[j].Name })
}

// ResourcesFromList converts a ResourceList (pods and storage are skipped:
// they are not container requests).
func ResourcesFromList(l ResourceList) Resources {
	var r Resources
	for name, q := range l {
		switch name {
		case ResourceCPU:
			r.MilliCPU = q.MilliValue()
		case ResourceMemory:
			r.Memory = q.Value()
		case ResourceEphemeralStorage:
			r.EphemeralStorage = q.Value()
		case ResourcePods, ResourceStorage:
		default:
			r.addScalar(name, q.Value())
		}
	}
	return r
}

// containerRequests returns a container's requests; with nonZero, a
// missing cpu or memory request counts as upstream's default.
func containerRequests(c *Container, nonZero bool) Resources {
	r := ResourcesFromList(c.Resources.Requests)
	if nonZero {
		if !c.Resources.Requests.Has(ResourceCPU) {
			r.MilliCPU = DefaultMilliCPURequest
		}
		if !c.Resources.Requests.Has(ResourceMemory) {
			r.Memory = DefaultMemoryRequest
		}
	}
	return r
}

// PodRequests computes a pod's effective requests as upstream
// component-helpers/resource.PodRequests does:
//
//	max(Σ containers + Σ sidecars,
//	    max over init containers i of (req_i + Σ sidecars declared before i))
//	+ overhead
//
// where sidecars are init containers with restartPolicy Always, and a sidecar's
// own term is the sidecars up to and including it. Pod-level resources, when
// set, replace the container sum for cpu and memory. With nonZero, missing
// cpu/memory requests count as 100m/200Mi per container (scheduler scoring).
func PodRequests(p *Pod, nonZero bool) Resources {
	var reqs Resources
	for i := range p.Spec.Containers {
		c := containerRequests(&p.Spec.Containers[i], nonZero)
		reqs.Add(&c)
	}
	var sidecars, initMax Resources
	for i := range p.Spec.InitContainers {
		ic := &p.Spec.InitContainers[i]
		c := containerRequests(ic, nonZero)
		if ic.IsSidecar() {
			sidecars.Add(&c)
			c = sidecars.Clone()
		} else {
			c.Add(&sidecars)
		}
		initMax.Max(&c)
	}
	reqs.Add(&sidecars)
	reqs.Max(&initMax)
	if pr := p.Spec.Resources; pr != nil && len(pr.Requests) > 0 {
		// PodLevelResources: the pod's own requests win for what they name.
		if pr.Requests.Has(ResourceCPU) {
			reqs.MilliCPU = pr.Requests.Cpu()
		}
		if pr.Requests.Has(ResourceMemory) {
			reqs.Memory = pr.Requests.Memory()
		}
	}
	if len(p.Spec.Overhead) > 0 {
		o := ResourcesFromList(p.Spec.Overhead)
		reqs.Add(&o)
	}
	return reqs
}

// QOSClass computes the pod's QoS class as upstream ComputePodQOS does
// (pkg/apis/core/v1/helper/qos). Each container, init containers included,
// is classified on cpu and memory alone: BestEffort when it requests and
// limits neither (missing and zero are the same), Guaranteed when both have
// a limit equal to the request and are not zero, Burstable otherwise. The
// pod is Burstable if any container is, or if its containers mix
// BestEffort and Guaranteed; else it has its containers' class (BestEffort
// for a pod without containers). With pod-level resources
// (spec.resources, PodLevelResources) the pod-level requests and limits
// alone decide.
func QOSClass(p *Pod) PodQOSClass {
	if p.Spec.Resources != nil {
		return requirementsQOS(p.Spec.Resources)
	}
	var class PodQOSClass
	for _, list := range [][]Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range list {
			c := requirementsQOS(&list[i].Resources)
			switch {
			case c == PodQOSBurstable:
				return PodQOSBurstable
			case class == "":
				class = c
			case class != c:
				return PodQOSBurstable
			}
		}
	}
	if class == "" {
		return PodQOSBestEffort
	}
	return class
}

// requirementsQOS classifies one set of requests and limits (upstream
// resourceQOS).
func requirementsQOS(r *ResourceRequirements) PodQOSClass {
	if len(r.Requests) == 0 && len(r.Limits) == 0 {
		return PodQOSBestEffort
	}
	var class PodQOSClass
	for _, name := range []ResourceName{ResourceCPU, ResourceMemory} {
		req, lim := r.Requests[name], r.Limits[name] // missing reads as zero
		if req.Cmp(lim) != 0 {
			return PodQOSBurstable
		}
		c := PodQOSGuaranteed
		if req.IsZero() {
			c = PodQOSBestEffort
		}
		if class == "" {
			class = c
		} else if class != c {
			return PodQOSBurstable
		}
	}
	return class
}
