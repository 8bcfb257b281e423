package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/sim"
)

// Generator makes Count synthetic Pods, Jobs or Deployments arriving over
// time, with requests and run times drawn from distributions on the run's
// stream "workloads/<index>": same seed, same objects.
type Generator struct {
	Kind       string `yaml:"kind"`
	Count      int    `yaml:"count"`
	NamePrefix string `yaml:"namePrefix,omitempty"`
	Namespace  string `yaml:"namespace,omitempty"`
	// Arrival says when each object is created (default: atOnce).
	Arrival Arrival `yaml:"arrival,omitempty"`
	// CPU request in millicores, Memory request in MiB.
	CPU    *model.DistSpec `yaml:"cpu,omitempty"`
	Memory *model.DistSpec `yaml:"memory,omitempty"`
	// RunFor (seconds) becomes the pods' kubesim.io/behavior annotation
	// {runFor: x}; without it containers serve forever.
	RunFor *model.DistSpec `yaml:"runFor,omitempty"`
	// Image of the container (default kubesim.io/generated:latest).
	Image string `yaml:"image,omitempty"`
	// Replicas of a Deployment; Completions and Parallelism of a Job.
	Replicas          *int32            `yaml:"replicas,omitempty"`
	Completions       *int32            `yaml:"completions,omitempty"`
	Parallelism       *int32            `yaml:"parallelism,omitempty"`
	PriorityClassName string            `yaml:"priorityClassName,omitempty"`
	Labels            map[string]string `yaml:"labels,omitempty"`
	// Selector and Port make kind Service: each Service selects these
	// pod labels and exposes Port (named http) to TargetPort (default
	// Port).
	Selector   map[string]string `yaml:"selector,omitempty"`
	Port       int32             `yaml:"port,omitempty"`
	TargetPort int32             `yaml:"targetPort,omitempty"`
}

// Arrival is one of poisson, constant or atOnce.
type Arrival struct {
	Poisson  *PoissonArrival  `yaml:"poisson,omitempty"`
	Constant *ConstantArrival `yaml:"constant,omitempty"`
	AtOnce   bool             `yaml:"atOnce,omitempty"`
}

// PoissonArrival: exponential gaps with mean 60/RatePerMinute seconds;
// the first object arrives after the first gap.
type PoissonArrival struct {
	RatePerMinute float64 `yaml:"ratePerMinute"`
}

// ConstantArrival: one object every Interval, the first at time zero.
type ConstantArrival struct {
	Interval time.Duration `yaml:"interval"`
}

// Generated is one generated object and when it is created.
type Generated struct {
	At     time.Duration
	Object model.Object
}

// DefaultGeneratedImage is the generated containers' image.
const DefaultGeneratedImage = "kubesim.io/generated:latest"

// maxGenerated bounds one generator's count.
const maxGenerated = 1000000

func (v *scenarioValidator) validateGenerator(g *Generator, p string, inTimeline bool) {
	d := v.d
	p += ".generate"
	if inTimeline {
		d.ErrorAt(p, "generate is only supported under spec.workloads")
		return
	}
	switch g.Kind {
	case "Pod", "Job", "Deployment":
		if len(g.Selector) > 0 || g.Port != 0 || g.TargetPort != 0 {
			d.ErrorAt(p, "selector, port and targetPort are for kind Service")
		}
	case "Service":
		if len(g.Selector) == 0 {
			d.ErrorAt(p+".selector", "required for kind Service: the pod labels the Services select")
		}
		if g.Port < 1 || g.Port > 65535 || g.TargetPort < 0 || g.TargetPort > 65535 {
			d.ErrorAt(p+".port", "port (and targetPort) must be between 1 and 65535")
		}
	default:
		d.ErrorAt(p+".kind", "must be Pod, Job, Deployment or Service, got %q", g.Kind)
	}
	if g.Count < 1 || g.Count > maxGenerated {
		d.ErrorAt(p+".count", "must be between 1 and %d, got %d", maxGenerated, g.Count)
	}
	if g.NamePrefix != "" {
		if errs := model.ValidateLabelValue(g.NamePrefix); errs != nil || strings.ToLower(g.NamePrefix) != g.NamePrefix {
			d.ErrorAt(p+".namePrefix", "must be a lower-case DNS label prefix, got %q", g.NamePrefix)
		}
	}
	n := 0
	if a := g.Arrival.Poisson; a != nil {
		n++
		if !(a.RatePerMinute > 0) || math.IsInf(a.RatePerMinute, 0) {
			d.ErrorAt(p+".arrival.poisson.ratePerMinute", "must be positive")
		}
	}
	if a := g.Arrival.Constant; a != nil {
		n++
		if a.Interval < 0 {
			d.ErrorAt(p+".arrival.constant.interval", "must not be negative")
		}
	}
	if g.Arrival.AtOnce {
		n++
	}
	if n > 1 {
		d.ErrorAt(p+".arrival", "set one of poisson, constant or atOnce")
	}
	for _, ds := range []struct {
		name string
		d    *model.DistSpec
	}{{"cpu", g.CPU}, {"memory", g.Memory}, {"runFor", g.RunFor}} {
		if ds.d != nil {
			if err := ds.d.Dist().Validate(); err != nil {
				d.ErrorAt(p+"."+ds.name, "%v", err)
			}
		}
	}
	if g.Replicas != nil && (g.Kind != "Deployment" || *g.Replicas < 0) {
		d.ErrorAt(p+".replicas", "only for kind Deployment, and not negative")
	}
	for _, f := range []struct {
		name string
		v    *int32
	}{{"completions", g.Completions}, {"parallelism", g.Parallelism}} {
		if f.v != nil && (g.Kind != "Job" || *f.v < 0) {
			d.ErrorAt(p+"."+f.name, "only for kind Job, and not negative")
		}
	}
	if g.Kind == "Deployment" && g.RunFor != nil {
		d.Warnf(d.NodeFor(p+".runFor"), p+".runFor", "Deployment pods restart after runFor (restartPolicy Always)")
	}
	for _, k := range model.SortedKeys(g.Labels) {
		if err := model.ValidateLabelKey(k); err != nil {
			d.ErrorAt(p+".labels", "%v", err)
		}
		if err := model.ValidateLabelValue(g.Labels[k]); err != nil {
			d.ErrorAt(p+".labels."+k, "%v", err)
		}
	}
}

// Generate makes the generator's objects, drawing from rnd in a fixed
// order (arrival gap, cpu, memory, runFor, per object). index is the
// workload's position, used in the default name prefix.
func (g *Generator) Generate(index int, rnd *sim.Rand) []Generated {
	prefix := g.NamePrefix
	if prefix == "" {
		prefix = fmt.Sprintf("%s-gen%d", strings.ToLower(g.Kind), index)
	}
	ns := g.Namespace
	if ns == "" {
		ns = "default"
	}
	image := g.Image
	if image == "" {
		image = DefaultGeneratedImage
	}
	out := make([]Generated, 0, g.Count)
	var at time.Duration
	for i := 0; i < g.Count; i++ {
		switch a := g.Arrival; {
		case a.Poisson != nil:
			gap := rnd.ExpFloat64() * 60 / a.Poisson.RatePerMinute
			at += time.Duration(math.Round(gap * 1e9))
		case a.Constant != nil:
			if i > 0 {
				at += a.Constant.Interval
			}
		}
		name := fmt.Sprintf("%s-%d", prefix, i)
		requests := model.ResourceList{}
		if g.CPU != nil {
			requests[model.ResourceCPU] = model.NewMilliQuantity(max(1, int64(math.Round(g.CPU.Sample(rnd)))))
		}
		if g.Memory != nil {
			mib := max(1, int64(math.Round(g.Memory.Sample(rnd))))
			requests[model.ResourceMemory] = model.NewQuantity(mib << 20)
		}
		annotations := map[string]string(nil)
		if g.RunFor != nil {
			secs := math.Max(0, g.RunFor.Sample(rnd))
			annotations = map[string]string{model.BehaviorAnnotation: "runFor: " + strconv.FormatFloat(round6(secs), 'f', -1, 64)}
		}
		labels := map[string]string{"app": name, "kubesim.io/generator": prefix}
		for k, v := range g.Labels {
			labels[k] = v
		}
		c := model.Container{Name: "main", Image: image}
		if len(requests) > 0 {
			c.Resources.Requests = requests
		}
		spec := model.PodSpec{Containers: []model.Container{c}, PriorityClassName: g.PriorityClassName}
		meta := model.ObjectMeta{Name: name, Namespace: ns, Labels: labels}
		var obj model.Object
		switch g.Kind {
		case "Pod":
			if g.RunFor != nil {
				spec.RestartPolicy = model.RestartPolicyNever
			}
			meta.Annotations = annotations
			obj = &model.Pod{ObjectMeta: meta, Spec: spec}
		case "Job":
			spec.RestartPolicy = model.RestartPolicyNever
			obj = &model.Job{ObjectMeta: meta, Spec: model.JobSpec{
				Completions: g.Completions, Parallelism: g.Parallelism,
				Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: model.DeepCopy(labels), Annotations: annotations}, Spec: spec},
			}}
		case "Deployment":
			replicas := model.Deref(g.Replicas, 1)
			obj = &model.Deployment{ObjectMeta: meta, Spec: model.DeploymentSpec{
				Replicas: &replicas,
				Selector: &model.LabelSelector{MatchLabels: map[string]string{"app": name}},
				Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: model.DeepCopy(labels), Annotations: annotations}, Spec: spec},
			}}
		case "Service":
			target := g.TargetPort
			if target == 0 {
				target = g.Port
			}
			obj = &model.Service{ObjectMeta: model.ObjectMeta{Name: name, Namespace: ns, Labels: model.DeepCopy(g.Labels)}, Spec: model.ServiceSpec{
				Selector: model.DeepCopy(g.Selector),
				Ports:    []model.ServicePort{{Name: "http", Port: g.Port, TargetPort: model.FromInt32(target)}},
			}}
		default:
			continue
		}
		model.SetTypeMeta(obj)
		out = append(out, Generated{At: at, Object: obj})
	}
	return out
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// scheduleGenerators generates every spec.workloads[i].generate on the
// stream "workloads/<i>" and applies the objects at their arrival times
// (objects arriving at the same instant go in one apply).
func (r *Run) scheduleGenerators() {
	sc := r.Loaded.Scenario
	end := sim.Time(sc.Spec.Duration)
	for i := range sc.Spec.Workloads {
		g := sc.Spec.Workloads[i].Generate
		if g == nil {
			continue
		}
		objs := g.Generate(i, r.Kernel.Rand(fmt.Sprintf("workloads/%d", i)))
		src := fmt.Sprintf("workloads[%d]", i)
		for j := 0; j < len(objs); {
			k := j
			for k < len(objs) && objs[k].At == objs[j].At {
				k++
			}
			if sim.Time(objs[j].At) > end {
				break
			}
			batch := make([]manifest.Object, 0, k-j)
			for _, o := range objs[j:k] {
				batch = append(batch, manifest.Object{Object: o.Object})
			}
			r.genPending += len(batch)
			r.Kernel.AfterFunc(objs[j].At, func(sim.Time) {
				r.genPending -= len(batch)
				r.apply(batch, src)
			})
			j = k
		}
	}
}
