package replicaset

import (
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
)

// PodDeletionCostAnnotation lowers or raises a pod's rank in scale-down
// (controller.kubernetes.io/pod-deletion-cost; lower is deleted first).
const PodDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"

// IsPodActive reports whether a pod counts toward a controller's replicas:
// not Succeeded, not Failed and not being deleted (controller.IsPodActive).
func IsPodActive(p *model.Pod) bool {
	return p.Status.Phase != model.PodSucceeded && p.Status.Phase != model.PodFailed && p.DeletionTimestamp == nil
}

// FilterActivePods keeps the active pods, in order.
func FilterActivePods(pods []*model.Pod) []*model.Pod {
	var out []*model.Pod
	for _, p := range pods {
		if IsPodActive(p) {
			out = append(out, p)
		}
	}
	return out
}

// podPhaseToOrdinal orders phases for scale-down: Pending < Unknown < Running.
var podPhaseToOrdinal = map[model.PodPhase]int{model.PodPending: 0, model.PodUnknown: 1, model.PodRunning: 2}

// ActivePodsWithRanks sorts pods so that the first are the best to delete
// (controller.ActivePodsWithRanks, 1.35 with PodDeletionCost and
// LogarithmicScaleDown on). Rank[i] is how many related active pods share
// Pods[i]'s node; Now anchors the logarithmic time buckets.
type ActivePodsWithRanks struct {
	Pods []*model.Pod
	Rank []int
	Now  time.Time
}

func (s ActivePodsWithRanks) Len() int { return len(s.Pods) }

func (s ActivePodsWithRanks) Swap(i, j int) {
	s.Pods[i], s.Pods[j] = s.Pods[j], s.Pods[i]
	s.Rank[i], s.Rank[j] = s.Rank[j], s.Rank[i]
}

// Less reports whether pod i should be deleted before pod j:
//  1. unassigned < assigned;
//  2. Pending < Unknown < Running;
//  3. not ready < ready;
//  4. lower pod-deletion-cost < higher;
//  5. more related pods on the same node < fewer (doubled-up first);
//  6. both ready: ready more recently < longer (log2 buckets of the age,
//     ties broken by UID);
//  7. higher container restart count < lower (regular containers, then
//     sidecars);
//  8. created more recently < longer ago (log2 buckets, ties by UID);
//     a missing timestamp counts as the newest.
func (s ActivePodsWithRanks) Less(i, j int) bool {
	pi, pj := s.Pods[i], s.Pods[j]
	if pi.Spec.NodeName != pj.Spec.NodeName && (pi.Spec.NodeName == "" || pj.Spec.NodeName == "") {
		return pi.Spec.NodeName == ""
	}
	if oi, oj := podPhaseToOrdinal[pi.Status.Phase], podPhaseToOrdinal[pj.Status.Phase]; oi != oj {
		return oi < oj
	}
	ri, rj := pi.IsReady(), pj.IsReady()
	if ri != rj {
		return !ri
	}
	if ci, cj := DeletionCost(pi), DeletionCost(pj); ci != cj {
		return ci < cj
	}
	if s.Rank[i] != s.Rank[j] {
		return s.Rank[i] > s.Rank[j]
	}
	if ri && rj {
		ti, tj := podReadyTime(pi), podReadyTime(pj)
		if !ti.Equal(tj) {
			if s.Now.IsZero() || ti.IsZero() || tj.IsZero() {
				return afterOrZero(ti, tj)
			}
			if d := logarithmicRankDiff(ti, tj, s.Now); d != 0 {
				return d < 0
			}
			return pi.UID < pj.UID
		}
	}
	if res := compareMaxContainerRestarts(pi, pj); res != 0 {
		return res > 0
	}
	ti, tj := creationTime(pi), creationTime(pj)
	if !ti.Equal(tj) {
		if s.Now.IsZero() || ti.IsZero() || tj.IsZero() {
			return afterOrZero(ti, tj)
		}
		if d := logarithmicRankDiff(ti, tj, s.Now); d != 0 {
			return d < 0
		}
		return pi.UID < pj.UID
	}
	return false
}

// afterOrZero reports whether t1 is after t2, a zero time counting as the
// latest.
func afterOrZero(t1, t2 time.Time) bool {
	if t1.IsZero() || t2.IsZero() {
		return t1.IsZero()
	}
	return t1.After(t2)
}

// logarithmicRankDiff compares the base-2 logarithms of the ages of t1 and
// t2 at now, truncated to integers (-1 for a non-positive age).
func logarithmicRankDiff(t1, t2, now time.Time) int64 {
	d1, d2 := now.Sub(t1), now.Sub(t2)
	r1, r2 := int64(-1), int64(-1)
	if d1 > 0 {
		r1 = int64(math.Log2(float64(d1)))
	}
	if d2 > 0 {
		r2 = int64(math.Log2(float64(d2)))
	}
	return r1 - r2
}

func podReadyTime(p *model.Pod) time.Time {
	if c := p.Status.Condition(model.PodReady); c != nil && c.Status == model.ConditionTrue && c.LastTransitionTime != nil {
		return *c.LastTransitionTime
	}
	return time.Time{}
}

func creationTime(p *model.Pod) time.Time {
	if p.CreationTimestamp == nil {
		return time.Time{}
	}
	return *p.CreationTimestamp
}

// compareMaxContainerRestarts is 1 when pi restarted more (it goes first),
// -1 when pj did, 0 on a tie: regular containers first, then sidecars.
func compareMaxContainerRestarts(pi, pj *model.Pod) int {
	ri, si := maxContainerRestarts(pi)
	rj, sj := maxContainerRestarts(pj)
	switch {
	case ri != rj:
		if ri > rj {
			return 1
		}
		return -1
	case si != sj:
		if si > sj {
			return 1
		}
		return -1
	}
	return 0
}

func maxContainerRestarts(p *model.Pod) (regular, sidecar int32) {
	for _, c := range p.Status.ContainerStatuses {
		regular = max(regular, c.RestartCount)
	}
	sidecars := map[string]bool{}
	for i := range p.Spec.InitContainers {
		if p.Spec.InitContainers[i].IsSidecar() {
			sidecars[p.Spec.InitContainers[i].Name] = true
		}
	}
	for _, c := range p.Status.InitContainerStatuses {
		if sidecars[c.Name] {
			sidecar = max(sidecar, c.RestartCount)
		}
	}
	return regular, sidecar
}

// DeletionCost is the pod's controller.kubernetes.io/pod-deletion-cost, 0
// when absent or invalid (a leading "+" or zero is invalid, as upstream's
// GetDeletionCostFromPodAnnotations).
func DeletionCost(p *model.Pod) int32 {
	v, ok := p.Annotations[PodDeletionCostAnnotation]
	if !ok || v == "" {
		return 0
	}
	if !(v[0] == '-' || v == "0" || (v[0] >= '1' && v[0] <= '9')) {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0
	}
	return int32(n)
}

// RankedByRelatedPodsOnSameNode ranks each pod by the number of active
// related pods (those of every ReplicaSet with the same owner) on its node
// (getPodsRankedByRelatedPodsOnSameNode).
func RankedByRelatedPodsOnSameNode(pods, related []*model.Pod, now time.Time) ActivePodsWithRanks {
	onNode := map[string]int{}
	for _, p := range related {
		if IsPodActive(p) {
			onNode[p.Spec.NodeName]++
		}
	}
	ranks := make([]int, len(pods))
	for i, p := range pods {
		ranks[i] = onNode[p.Spec.NodeName]
	}
	return ActivePodsWithRanks{Pods: pods, Rank: ranks, Now: now}
}

// PodsToDelete picks diff pods to delete from filtered (getPodsToDelete):
// all of them when diff covers them, else the first diff by
// ActivePodsWithRanks. filtered is reordered in place, as upstream.
func PodsToDelete(filtered, related []*model.Pod, diff int, now time.Time) []*model.Pod {
	if diff < len(filtered) {
		sort.Stable(RankedByRelatedPodsOnSameNode(filtered, related, now))
	}
	if diff > len(filtered) {
		diff = len(filtered)
	}
	return filtered[:diff]
}
