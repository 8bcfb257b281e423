package kubelet

import "github.com/kubesim/kubesim/model"

// OOM score adjustments (pkg/kubelet/qos/policy.go).
const (
	KubeletOOMScoreAdj    = -999
	guaranteedOOMScoreAdj = -997
	besteffortOOMScoreAdj = 1000
)

// OOMScoreAdj returns a container's oom_score_adj as the kubelet sets it
// (GetContainerOOMScoreAdjust): node-critical pods and Guaranteed pods
// −997, BestEffort 1000, Burstable 1000 − 1000·request/capacity, kept
// within [3, 999] (1000 + guaranteedOOMScoreAdj, and one below BestEffort).
func OOMScoreAdj(pod *model.Pod, c *model.Container, memoryCapacity int64) int {
	if pod.Spec.PriorityClassName == model.SystemNodeCritical {
		return guaranteedOOMScoreAdj
	}
	switch model.QOSClass(pod) {
	case model.PodQOSGuaranteed:
		return guaranteedOOMScoreAdj
	case model.PodQOSBestEffort:
		return besteffortOOMScoreAdj
	}
	if memoryCapacity <= 0 {
		return besteffortOOMScoreAdj - 1
	}
	adj := 1000 - (1000*c.Resources.Requests.Memory())/memoryCapacity
	if adj < 1000+guaranteedOOMScoreAdj {
		return 1000 + guaranteedOOMScoreAdj
	}
	if adj == besteffortOOMScoreAdj {
		return int(adj - 1)
	}
	return int(adj)
}

// isCritical reports a pod the kubelet never evicts: priority at or above
// system-cluster-critical's (IsCriticalPod, without static pods).
func isCritical(pod *model.Pod) bool {
	return pod.PriorityValue() >= model.SystemCriticalPriority
}
