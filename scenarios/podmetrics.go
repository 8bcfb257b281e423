package scenarios

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/kubelet"
)

// machineMetrics answers the HPA's metrics queries from the simulated
// machines, as metrics-server answers from the kubelets' summaries: a
// pod's usage is the sum over its running containers at the moment of the
// query. The pod's node comes from the API server's store.
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
		cpu += st.CPU
		mem += st.Memory
		found = true
	}
	return cpu, mem, found
}
