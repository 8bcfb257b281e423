package disruption

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
)

// DeletionTimeout is how long a pod stays in status.disruptedPods waiting
// to be seen deleted (DeletionTimeout, 2 min).
const DeletionTimeout = 2 * time.Minute

// controllerScale is a controller's UID and spec.replicas.
type controllerScale struct {
	uid   string
	scale int32
}

// scaleFinder resolves a pod's controller reference to the controller
// whose scale counts: the Deployment owning a ReplicaSet, else the
// ReplicaSet, else a StatefulSet. found is false when nothing matched.
type scaleFinder func(ref *model.OwnerReference, namespace string) (cs controllerScale, found bool, err error)

// expectedPodCount is getExpectedPodCount: with maxUnavailable, the
// controllers' scale minus maxUnavailable (percent rounded up); with an
// integer minAvailable, that number against the pods found; with a
// percentage, the scale times it rounded up.
func expectedPodCount(pdb *model.PodDisruptionBudget, pods []*model.Pod, find scaleFinder) (expected, desiredHealthy int32, unmanaged []string, err error) {
	switch {
	case pdb.Spec.MaxUnavailable != nil:
		expected, unmanaged, err = expectedScale(pods, find)
		if err != nil {
			return
		}
		var mu int
		if mu, err = model.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(expected), true); err != nil {
			return
		}
		desiredHealthy = max(expected-int32(mu), 0)
	case pdb.Spec.MinAvailable != nil:
		if pdb.Spec.MinAvailable.Type == model.IntOrStringInt {
			desiredHealthy = pdb.Spec.MinAvailable.IntVal
			expected = int32(len(pods))
			return
		}
		expected, unmanaged, err = expectedScale(pods, find)
		if err != nil {
			return
		}
		var ma int
		if ma, err = model.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(expected), true); err != nil {
			return
		}
		desiredHealthy = int32(ma)
	}
	return
}

// expectedScale sums the scale of the distinct controllers of the pods;
// pods without a controller are reported as unmanaged, a pod whose
// controller is not found is an error.
func expectedScale(pods []*model.Pod, find scaleFinder) (int32, []string, error) {
	scales := map[string]int32{}
	var unmanaged []string
	for _, p := range pods {
		ref := p.ControllerRef()
		if ref == nil {
			unmanaged = append(unmanaged, p.Name)
			continue
		}
		if _, ok := scales[ref.UID]; ok {
			continue
		}
		cs, found, err := find(ref, p.Namespace)
		if err != nil {
			return 0, unmanaged, err
		}
		if !found {
			return 0, unmanaged, fmt.Errorf("found no controllers for pod %q", p.Name)
		}
		scales[cs.uid] = cs.scale
	}
	var sum int32
	for _, uid := range model.SortedKeys(scales) {
		sum += scales[uid]
	}
	return sum, unmanaged, nil
}

// buildDisruptedPodMap keeps the disruptedPods entries of pods that still
// exist, are not being deleted and whose entry is younger than
// DeletionTimeout; it returns when the oldest kept entry expires.
func buildDisruptedPodMap(pods []*model.Pod, pdb *model.PodDisruptionBudget, now time.Time) (map[string]time.Time, *time.Time, []string) {
	result := map[string]time.Time{}
	var recheck *time.Time
	var notDeleted []string
	if pdb.Status.DisruptedPods == nil {
		return result, nil, nil
	}
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		at, ok := pdb.Status.DisruptedPods[p.Name]
		if !ok {
			continue
		}
		expected := at.Add(DeletionTimeout)
		if expected.Before(now) {
			notDeleted = append(notDeleted, p.Name)
			continue
		}
		if recheck == nil || expected.Before(*recheck) {
			e := expected
			recheck = &e
		}
		result[p.Name] = at
	}
	return result, recheck, notDeleted
}

// countHealthyPods counts Ready pods not being deleted and not recently
// disrupted.
func countHealthyPods(pods []*model.Pod, disrupted map[string]time.Time, now time.Time) int32 {
	var n int32
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if at, ok := disrupted[p.Name]; ok && at.Add(DeletionTimeout).After(now) {
			continue
		}
		if p.IsReady() {
			n++
		}
	}
	return n
}

// disruptionsAllowed is currentHealthy - desiredHealthy, and 0 when
// negative or when no pods are expected (a new PDB is safe before the
// controller has seen its pods).
func disruptionsAllowed(current, desired, expected int32) int32 {
	d := current - desired
	if expected <= 0 || d <= 0 {
		return 0
	}
	return d
}
