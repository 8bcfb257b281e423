package deployment

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
)

// ScaleStep is one scaleReplicaSet call a plan asks for: set RS to
// Replicas (and refresh its replicas annotations), recording Operation
// ("up", "down" or "") in the ScalingReplicaSet event.
type ScaleStep struct {
	RS        *model.ReplicaSet
	Replicas  int32
	Operation string
	// Refresh writes the replicas annotations even when the size stays
	// (proportional scaling calls scaleReplicaSet directly); otherwise an
	// unchanged size is skipped (scaleReplicaSetAndRecordEvent).
	Refresh bool
}

func operation(from, to int32) string {
	if from < to {
		return "up"
	}
	return "down"
}

// PlanScale is the decision part of upstream's scale (sync.go), used on
// scaling events and for paused Deployments:
//   - one active ReplicaSet (or none, then the newest): it gets the full
//     count;
//   - a saturated new ReplicaSet: every active old one goes to 0;
//   - otherwise, for RollingUpdate, the difference between replicas+maxSurge
//     and the current total is spread over the active ReplicaSets in
//     proportion to their sizes (larger first; newer first when scaling
//     up, older first when scaling down), leftovers to the first.
//
// oldRSs is reordered in place, as upstream's FindActiveOrLatest does.
func PlanScale(d *model.Deployment, newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet) []ScaleStep {
	if one := FindActiveOrLatest(newRS, oldRSs); one != nil {
		if rsReplicas(one) == replicas(d) {
			return nil
		}
		return []ScaleStep{{RS: one, Replicas: replicas(d), Operation: operation(rsReplicas(one), replicas(d))}}
	}
	if IsSaturated(d, newRS) {
		var steps []ScaleStep
		for _, old := range FilterActive(oldRSs) {
			steps = append(steps, ScaleStep{RS: old, Replicas: 0, Operation: "down"})
		}
		return steps
	}
	if !IsRollingUpdate(d) {
		return nil
	}
	all := FilterActive(append(append([]*model.ReplicaSet(nil), oldRSs...), newRS))
	allowed := int32(0)
	if replicas(d) > 0 {
		allowed = replicas(d) + MaxSurge(d)
	}
	toAdd := allowed - ReplicaCount(all)
	op := ""
	switch {
	case toAdd > 0:
		sortBySizeNewer(all)
		op = "up"
	case toAdd < 0:
		sortBySizeOlder(all)
		op = "down"
	}
	added := int32(0)
	sizes := make([]int32, len(all))
	for i, rs := range all {
		sizes[i] = rsReplicas(rs)
		if toAdd != 0 {
			p := GetProportion(rs, d, toAdd, added)
			sizes[i] += p
			added += p
		}
	}
	steps := make([]ScaleStep, len(all))
	for i, rs := range all {
		if i == 0 && toAdd != 0 {
			sizes[i] = max(sizes[i]+toAdd-added, 0)
		}
		steps[i] = ScaleStep{RS: rs, Replicas: sizes[i], Operation: op, Refresh: true}
	}
	return steps
}

// PlanNewReplicaSet is reconcileNewReplicaSet's decision: the new size of
// the new ReplicaSet, and whether it changes.
func PlanNewReplicaSet(allRSs []*model.ReplicaSet, newRS *model.ReplicaSet, d *model.Deployment) (int32, bool, error) {
	cur := rsReplicas(newRS)
	if cur == replicas(d) {
		return cur, false, nil
	}
	if cur > replicas(d) {
		return replicas(d), true, nil
	}
	n, err := NewRSNewReplicas(d, allRSs, newRS)
	if err != nil {
		return cur, false, err
	}
	return n, n != cur, nil
}

// PlanOldReplicaSets is reconcileOldReplicaSets' decision (rolling.go):
// how far the old ReplicaSets may shrink without going below
// replicas-maxUnavailable available pods (counting the new ReplicaSet's
// unavailable ones as lost): first CleanupUnhealthyReplicas, then
// ScaleDownOldReplicaSetsForRollingUpdate on the result. oldRSs should be
// the active old ReplicaSets; it is reordered in place. A ReplicaSet may
// appear in two steps (unhealthy replicas first, then available ones).
func PlanOldReplicaSets(allRSs, oldRSs []*model.ReplicaSet, newRS *model.ReplicaSet, d *model.Deployment) ([]ScaleStep, error) {
	if ReplicaCount(oldRSs) == 0 {
		return nil, nil
	}
	minAvailable := replicas(d) - MaxUnavailable(d)
	newUnavailable := rsReplicas(newRS) - newRS.Status.AvailableReplicas
	maxScaledDown := ReplicaCount(allRSs) - minAvailable - newUnavailable
	if maxScaledDown <= 0 {
		return nil, nil
	}
	size := map[*model.ReplicaSet]int32{}
	steps, _, err := cleanupUnhealthy(oldRSs, maxScaledDown, size)
	if err != nil {
		return steps, err
	}
	all := append(append([]*model.ReplicaSet(nil), oldRSs...), newRS)
	return append(steps, scaleDownOld(all, oldRSs, d, size)...), nil
}

// CleanupUnhealthyReplicas plans cleanupUnhealthyReplicas: oldest old
// ReplicaSet first, drop replicas that are not available, at most
// maxCleanupCount in all. It returns the steps and how many replicas they
// remove. oldRSs is sorted by creation in place.
func CleanupUnhealthyReplicas(oldRSs []*model.ReplicaSet, maxCleanupCount int32) ([]ScaleStep, int32, error) {
	return cleanupUnhealthy(oldRSs, maxCleanupCount, map[*model.ReplicaSet]int32{})
}

// ScaleDownOldReplicaSetsForRollingUpdate plans the scale-down of old
// ReplicaSets, oldest first, by as many replicas as the available pods
// exceed replicas-maxUnavailable.
func ScaleDownOldReplicaSetsForRollingUpdate(allRSs, oldRSs []*model.ReplicaSet, d *model.Deployment) []ScaleStep {
	return scaleDownOld(allRSs, oldRSs, d, map[*model.ReplicaSet]int32{})
}

// sizeOf is a ReplicaSet's size after the steps planned so far.
func sizeOf(size map[*model.ReplicaSet]int32, rs *model.ReplicaSet) int32 {
	if n, ok := size[rs]; ok {
		return n
	}
	return rsReplicas(rs)
}

func cleanupUnhealthy(oldRSs []*model.ReplicaSet, maxCleanup int32, size map[*model.ReplicaSet]int32) ([]ScaleStep, int32, error) {
	SortByCreation(oldRSs)
	var steps []ScaleStep
	total := int32(0)
	for _, rs := range oldRSs {
		if total >= maxCleanup {
			break
		}
		cur := sizeOf(size, rs)
		if cur == 0 || cur == rs.Status.AvailableReplicas {
			continue
		}
		n := min(maxCleanup-total, cur-rs.Status.AvailableReplicas)
		if n < 0 {
			return steps, total, fmt.Errorf("when cleaning up unhealthy replicas, got invalid request to scale down %s %d -> %d", rs.Key(), cur, cur-n)
		}
		size[rs] = cur - n
		steps = append(steps, ScaleStep{RS: rs, Replicas: size[rs], Operation: "down"})
		total += n
	}
	return steps, total, nil
}

func scaleDownOld(allRSs, oldRSs []*model.ReplicaSet, d *model.Deployment, size map[*model.ReplicaSet]int32) []ScaleStep {
	minAvailable := replicas(d) - MaxUnavailable(d)
	available := AvailableReplicaCount(allRSs)
	if available <= minAvailable {
		return nil
	}
	SortByCreation(oldRSs)
	var steps []ScaleStep
	want := available - minAvailable
	done := int32(0)
	for _, rs := range oldRSs {
		if done >= want {
			break
		}
		cur := sizeOf(size, rs)
		if cur == 0 {
			continue
		}
		n := min(cur, want-done)
		size[rs] = cur - n
		steps = append(steps, ScaleStep{RS: rs, Replicas: size[rs], Operation: "down"})
		done += n
	}
	return steps
}

// PlanCleanup returns the old ReplicaSets beyond revisionHistoryLimit that
// may be deleted: oldest revisions first, only those fully scaled down,
// observed and not already being deleted (cleanupDeployment).
func PlanCleanup(oldRSs []*model.ReplicaSet, d *model.Deployment) []*model.ReplicaSet {
	if !HasRevisionHistoryLimit(d) {
		return nil
	}
	var alive []*model.ReplicaSet
	for _, rs := range oldRSs {
		if rs != nil && rs.DeletionTimestamp == nil {
			alive = append(alive, rs)
		}
	}
	diff := int32(len(alive)) - *d.Spec.RevisionHistoryLimit
	if diff <= 0 {
		return nil
	}
	sortByRevision(alive)
	var out []*model.ReplicaSet
	for _, rs := range alive[:diff] {
		if rs.Status.Replicas != 0 || rsReplicas(rs) != 0 || rs.Generation > rs.Status.ObservedGeneration {
			continue
		}
		out = append(out, rs)
	}
	return out
}
