package podautoscaler

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kubesim/kubesim/model"
)

// Tolerances are the usage-ratio tolerances below and above 1 within which
// the replica count does not change.
type Tolerances struct {
	ScaleDown, ScaleUp float64
}

// IsWithin reports 1-down <= ratio <= 1+up (inclusive, as upstream).
func (t Tolerances) IsWithin(ratio float64) bool {
	return 1.0-t.ScaleDown <= ratio && ratio <= 1.0+t.ScaleUp
}

// ReplicaCalculator is upstream's ReplicaCalculator for resource metrics,
// as pure functions of the pods, their samples and the time.
type ReplicaCalculator struct {
	// CPUInitializationPeriod and DelayOfInitialReadinessStatus decide
	// which pods' CPU samples are trusted (groupPods).
	CPUInitializationPeriod       time.Duration
	DelayOfInitialReadinessStatus time.Duration
	// Now is the time of the calculation.
	Now time.Time
}

// podGroups is groupPods' result: names of pods not ready (their samples
// are not trusted), without a sample, and ignored (deleted or failed).
type podGroups struct {
	ready                   int
	unready, missing, ignor map[string]bool
}

// groupPods sorts the pods: deleted or failed pods are ignored; pending
// pods are unready; pods without a sample are missing; for cpu, a pod is
// unready if it has no Ready condition or start time, or, within the
// initialization period after its start, if it is not ready or its sample
// window began before its last readiness change, or, after that period, if
// it is not ready and has never been ready (its readiness last changed
// within the initial readiness delay after its start).
func (c ReplicaCalculator) groupPods(pods []*model.Pod, metrics PodMetricsInfo, resource model.ResourceName) podGroups {
	g := podGroups{unready: map[string]bool{}, missing: map[string]bool{}, ignor: map[string]bool{}}
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase == model.PodFailed {
			g.ignor[p.Name] = true
			continue
		}
		if p.Status.Phase == model.PodPending {
			g.unready[p.Name] = true
			continue
		}
		m, found := metrics[p.Name]
		if !found {
			g.missing[p.Name] = true
			continue
		}
		if resource == model.ResourceCPU {
			unready := false
			cond := p.Status.Condition(model.PodReady)
			if cond == nil || p.Status.StartTime == nil {
				unready = true
			} else {
				var lastTransition time.Time
				if cond.LastTransitionTime != nil {
					lastTransition = *cond.LastTransitionTime
				}
				if p.Status.StartTime.Add(c.CPUInitializationPeriod).After(c.Now) {
					unready = cond.Status == model.ConditionFalse || m.Timestamp.Before(lastTransition.Add(m.Window))
				} else {
					unready = cond.Status == model.ConditionFalse && p.Status.StartTime.Add(c.DelayOfInitialReadinessStatus).After(lastTransition)
				}
			}
			if unready {
				g.unready[p.Name] = true
				continue
			}
		}
		g.ready++
	}
	return g
}

// podRequests computes each pod's request for resource in milli-units
// (calculateRequests): pod-level requests when set (PodLevelResources)
// and no container is named, else the sum over the containers and
// sidecars, or the named container's. A missing request is an error.
func podRequests(pods []*model.Pod, container string, resource model.ResourceName) (map[string]int64, error) {
	out := make(map[string]int64, len(pods))
	for _, p := range pods {
		if pr := p.Spec.Resources; container == "" && pr != nil && (pr.Requests.Has(model.ResourceCPU) || pr.Requests.Has(model.ResourceMemory)) {
			q, ok := pr.Requests[resource]
			if !ok {
				return nil, fmt.Errorf("missing pod-level request for %s in Pod %s", resource, p.Name)
			}
			out[p.Name] = q.MilliValue()
			continue
		}
		cs := append([]model.Container(nil), p.Spec.Containers...)
		for _, ic := range p.Spec.InitContainers {
			if ic.IsSidecar() {
				cs = append(cs, ic)
			}
		}
		var req int64
		found := false
		for _, ct := range cs {
			if container != "" && container != ct.Name {
				continue
			}
			q, ok := ct.Resources.Requests[resource]
			if !ok {
				return nil, fmt.Errorf("missing request for %s in container %s of Pod %s", resource, ct.Name, p.Name)
			}
			req += q.MilliValue()
			if container == ct.Name {
				found = true
				break
			}
		}
		if container != "" && !found {
			return nil, fmt.Errorf("container %s not found in Pod %s", container, p.Name)
		}
		out[p.Name] = req
	}
	return out, nil
}

// utilizationRatio is GetResourceUtilizationRatio: over the pods that
// have both a sample and a request, the integer utilization percentage
// Σusage·100/Σrequest, its ratio to the target, and the mean usage.
func utilizationRatio(metrics PodMetricsInfo, requests map[string]int64, target int32) (ratio float64, utilization int32, rawAverage int64, err error) {
	var total, reqTotal int64
	n := 0
	for name, m := range metrics {
		r, ok := requests[name]
		if !ok {
			continue // extraneous sample
		}
		total += m.Value
		reqTotal += r
		n++
	}
	if reqTotal == 0 {
		return 0, 0, 0, errors.New("no metrics returned matched known pods")
	}
	utilization = int32(total * 100 / reqTotal)
	return float64(utilization) / float64(target), utilization, total / int64(n), nil
}

// usageRatio is GetMetricUsageRatio: the mean usage (integer) and its
// ratio to the target.
func usageRatio(metrics PodMetricsInfo, target int64) (float64, int64) {
	var total int64
	for _, m := range metrics {
		total += m.Value
	}
	usage := total / int64(len(metrics))
	return float64(usage) / float64(target), usage
}

func copyMetrics(m PodMetricsInfo) PodMetricsInfo {
	out := make(PodMetricsInfo, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func dropPods(m PodMetricsInfo, names map[string]bool) {
	for n := range names {
		delete(m, n)
	}
}

// ResourceReplicas is GetResourceReplicas for a Utilization target: the
// proposed replicas, the utilization percentage and the mean raw usage.
// Unready pods are left out; if there are none to re-add and no pod is
// missing, the proposal is ceil(ratio × ready pods) unless the ratio is
// within tolerance. Otherwise missing pods count as using their request ×
// max(100, target)% on a scale-down and nothing on a scale-up, unready
// pods as nothing on a scale-up, and the ratio is recomputed; the replica
// count stays if the new ratio is within tolerance, reverses the
// direction, or the proposal ceil(newRatio × samples) would.
func (c ReplicaCalculator) ResourceReplicas(pods []*model.Pod, metrics PodMetricsInfo, currentReplicas, targetUtilization int32,
	resource model.ResourceName, tol Tolerances, container string) (replicas, utilization int32, rawUtilization int64, err error) {
	if len(pods) == 0 {
		return 0, 0, 0, errors.New("no pods returned by selector while calculating replica count")
	}
	metrics = copyMetrics(metrics)
	g := c.groupPods(pods, metrics, resource)
	dropPods(metrics, g.ignor)
	dropPods(metrics, g.unready)
	if len(metrics) == 0 {
		return 0, 0, 0, errors.New("did not receive metrics for targeted pods (pods might be unready)")
	}
	requests, err := podRequests(pods, container, resource)
	if err != nil {
		return 0, 0, 0, err
	}
	ratio, utilization, rawUtilization, err := utilizationRatio(metrics, requests, targetUtilization)
	if err != nil {
		return 0, 0, 0, err
	}
	scaleUpWithUnready := len(g.unready) > 0 && ratio > 1.0
	if !scaleUpWithUnready && len(g.missing) == 0 {
		if tol.IsWithin(ratio) {
			return currentReplicas, utilization, rawUtilization, nil
		}
		return int32(math.Ceil(ratio * float64(g.ready))), utilization, rawUtilization, nil
	}
	if len(g.missing) > 0 {
		switch {
		case ratio < 1.0:
			fallback := int64(max(100, targetUtilization))
			for n := range g.missing {
				metrics[n] = PodMetric{Value: requests[n] * fallback / 100}
			}
		case ratio > 1.0:
			for n := range g.missing {
				metrics[n] = PodMetric{Value: 0}
			}
		}
	}
	if scaleUpWithUnready {
		for n := range g.unready {
			metrics[n] = PodMetric{Value: 0}
		}
	}
	newRatio, _, _, err := utilizationRatio(metrics, requests, targetUtilization)
	if err != nil {
		return 0, utilization, rawUtilization, err
	}
	if tol.IsWithin(newRatio) || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0) {
		return currentReplicas, utilization, rawUtilization, nil
	}
	newReplicas := int32(math.Ceil(newRatio * float64(len(metrics))))
	if (newRatio < 1.0 && newReplicas > currentReplicas) || (newRatio > 1.0 && newReplicas < currentReplicas) {
		return currentReplicas, utilization, rawUtilization, nil
	}
	return newReplicas, utilization, rawUtilization, nil
}

// RawResourceReplicas is GetRawResourceReplicas (calcPlainMetricReplicas)
// for an AverageValue target in milli-units: the same procedure on the
// mean usage, missing pods counting as exactly the target on a
// scale-down.
func (c ReplicaCalculator) RawResourceReplicas(pods []*model.Pod, metrics PodMetricsInfo, currentReplicas int32, targetUsage int64,
	resource model.ResourceName, tol Tolerances) (replicas int32, usage int64, err error) {
	if len(pods) == 0 {
		return 0, 0, errors.New("no pods returned by selector while calculating replica count")
	}
	metrics = copyMetrics(metrics)
	g := c.groupPods(pods, metrics, resource)
	dropPods(metrics, g.ignor)
	dropPods(metrics, g.unready)
	if len(metrics) == 0 {
		return 0, 0, errors.New("did not receive metrics for targeted pods (pods might be unready)")
	}
	ratio, usage := usageRatio(metrics, targetUsage)
	scaleUpWithUnready := len(g.unready) > 0 && ratio > 1.0
	if !scaleUpWithUnready && len(g.missing) == 0 {
		if tol.IsWithin(ratio) {
			return currentReplicas, usage, nil
		}
		return int32(math.Ceil(ratio * float64(g.ready))), usage, nil
	}
	if len(g.missing) > 0 {
		switch {
		case ratio < 1.0:
			for n := range g.missing {
				metrics[n] = PodMetric{Value: targetUsage}
			}
		case ratio > 1.0:
			for n := range g.missing {
				metrics[n] = PodMetric{Value: 0}
			}
		}
	}
	if scaleUpWithUnready {
		for n := range g.unready {
			metrics[n] = PodMetric{Value: 0}
		}
	}
	newRatio, _ := usageRatio(metrics, targetUsage)
	if tol.IsWithin(newRatio) || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0) {
		return currentReplicas, usage, nil
	}
	newReplicas := int32(math.Ceil(newRatio * float64(len(metrics))))
	if (newRatio < 1.0 && newReplicas > currentReplicas) || (newRatio > 1.0 && newReplicas < currentReplicas) {
		return currentReplicas, usage, nil
	}
	return newReplicas, usage, nil
}
