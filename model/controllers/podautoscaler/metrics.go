package podautoscaler

import (
	"errors"
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
)

// MetricsSource is the resource metrics API as the controller sees it
// (metrics-server's pods.metrics.k8s.io): a pod's current usage summed over
// its containers. ok is false when there is no sample for the pod (not
// running, not scraped yet); such a pod counts as missing, as upstream.
// The scenario wires it to the kubelets' simulated machines; tests use a
// fake.
type MetricsSource interface {
	PodUsage(namespace, pod string) (cpuMilli, memoryBytes int64, ok bool)
}

// ContainerMetricsSource is the optional per-container view a
// MetricsSource may offer, for ContainerResource metrics. Without it a
// ContainerResource metric can be served only for pods with a single
// container (whose usage is the pod's); other pods count as missing.
type ContainerMetricsSource interface {
	ContainerUsage(namespace, pod, container string) (cpuMilli, memoryBytes int64, ok bool)
}

// PodMetric is one pod's sample (metricsclient.PodMetric): the value in
// milli-units (millicores; bytes × 1000 for memory, as Quantity.MilliValue),
// when it was taken and the window it covers.
type PodMetric struct {
	Value     int64
	Timestamp time.Time
	Window    time.Duration
}

// PodMetricsInfo maps pod names to samples.
type PodMetricsInfo map[string]PodMetric

// errNoMetrics is the metrics client's answer when no pod has a sample.
var errNoMetrics = errors.New("no metrics returned from resource metrics API")

// collectResourceMetrics is GetResourceMetric: the samples of resource
// (cpu or memory) for the given pods, or of one container of each; pods
// without a sample are left out.
func collectResourceMetrics(src MetricsSource, pods []*model.Pod, resource model.ResourceName, container string, now time.Time, window time.Duration) (PodMetricsInfo, error) {
	if resource != model.ResourceCPU && resource != model.ResourceMemory {
		return nil, fmt.Errorf("resource %s is not served by the resource metrics API", resource)
	}
	if src == nil {
		return nil, errNoMetrics
	}
	csrc, perContainer := src.(ContainerMetricsSource)
	out := PodMetricsInfo{}
	for _, p := range pods {
		var cpu, mem int64
		var ok bool
		switch {
		case container == "":
			cpu, mem, ok = src.PodUsage(p.Namespace, p.Name)
		case perContainer:
			cpu, mem, ok = csrc.ContainerUsage(p.Namespace, p.Name, container)
		case len(p.Spec.Containers) == 1 && len(p.Spec.InitContainers) == 0 && p.Spec.Containers[0].Name == container:
			cpu, mem, ok = src.PodUsage(p.Namespace, p.Name)
		}
		if !ok {
			continue
		}
		v := cpu
		if resource == model.ResourceMemory {
			v = mem * 1000
		}
		out[p.Name] = PodMetric{Value: v, Timestamp: now, Window: window}
	}
	if len(out) == 0 {
		return nil, errNoMetrics
	}
	return out, nil
}
