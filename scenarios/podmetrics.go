package scenarios

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/kubelet"
	"github.com/kubesim/kubesim/sim"
)

// machineMetrics answers the HPA's metrics queries from the simulated
// machines, as metrics-server answers from the kubelets' summaries: a
// pod's usage is the sum over its running containers; cpu is the rate of
// the container's cumulative cpu time since the previous query of it
// (metrics-server's rate between scrapes), or since the container started
// the first time; memory is the working set now. The pod's node comes
// from the API server's store.
type machineMetrics struct {
	r *Run
}

func (m machineMetrics) kubeletFor(namespace, pod string) *kubelet.Kubelet {
	o, err := m.r.API.Get("Pod", namespace, pod)
	if err != nil {
		return nil
	}
	return m.r.kubelets[o.(*model.Pod).Spec.NodeName]
}

// PodUsage sums the pod's running containers.
func (m machineMetrics) PodUsage(namespace, pod string) (int64, int64, bool) {
	return m.usage(namespace, pod, "")
}

// ContainerUsage reads one container.
func (m machineMetrics) ContainerUsage(namespace, pod, container string) (int64, int64, bool) {
	return m.usage(namespace, pod, container)
}

func (m machineMetrics) usage(namespace, pod, container string) (int64, int64, bool) {
	kl := m.kubeletFor(namespace, pod)
	if kl == nil || !kl.Running() || !kl.Machine().Up() {
		return 0, 0, false
	}
	key := namespace + "/" + pod
	var cpu, mem int64
	found := false
	for _, cs := range kl.Machine().Containers() {
		if cs.Pod != key || !cs.Running || (container != "" && cs.Name != container) {
			continue
		}
		st, ok := kl.Machine().ContainerStats(cs.ID)
		if !ok {
			continue
		}
		cpu += m.r.cpuRate(cs.ID, cs.StartedAt, st.CPUTime, st.CPU)
		mem += st.Memory
		found = true
	}
	return cpu, mem, found
}

// cpuSample is a container's cumulative cpu time when last queried.
type cpuSample struct {
	at  sim.Time
	cpu time.Duration
}

// cpuRate is a container's cpu rate in millicores over the window since
// its previous query (or since it started), falling back to the current
// rate when no time has passed.
func (r *Run) cpuRate(id string, started sim.Time, cpuTime time.Duration, current int64) int64 {
	now := r.Kernel.Now()
	prev, ok := r.cpuSamples[id]
	if !ok {
		prev = cpuSample{at: started}
	}
	r.cpuSamples[id] = cpuSample{at: now, cpu: cpuTime}
	dt := now.Sub(prev.at)
	if dt <= 0 {
		return current
	}
	return int64((cpuTime - prev.cpu) * 1000 / dt)
}
