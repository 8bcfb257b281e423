package replicaset

import (
	"time"

	"github.com/kubesim/kubesim/model"
)

// IsPodAvailable reports whether a pod has been ready for minReadySeconds
// at now (podutil.IsPodAvailable): ready, and either minReadySeconds is 0
// or the Ready condition's last transition is more than that ago.
func IsPodAvailable(p *model.Pod, minReadySeconds int32, now time.Time) bool {
	c := p.Status.Condition(model.PodReady)
	if c == nil || c.Status != model.ConditionTrue {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	if c.LastTransitionTime == nil || c.LastTransitionTime.IsZero() {
		return false
	}
	return c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second).Before(now)
}

// CalculateStatus counts the ReplicaSet's active pods (calculateStatus):
// replicas, those whose labels carry the whole template's labels, the
// ready ones and the available ones. observedGeneration is set when the
// status is written.
func CalculateStatus(rs *model.ReplicaSet, active []*model.Pod, now time.Time) model.ReplicaSetStatus {
	st := rs.Status
	template := model.SelectorFromSet(rs.Spec.Template.Labels)
	var fully, ready, available int32
	for _, p := range active {
		if template.Matches(p.Labels) {
			fully++
		}
		if p.IsReady() {
			ready++
			if IsPodAvailable(p, rs.Spec.MinReadySeconds, now) {
				available++
			}
		}
	}
	st.Replicas = int32(len(active))
	st.FullyLabeledReplicas = fully
	st.ReadyReplicas = ready
	st.AvailableReplicas = available
	return st
}

// statusUnchanged is updateReplicaSetStatus's steady-state test: nothing
// to write when the counts match and the generation has been observed.
func statusUnchanged(rs *model.ReplicaSet, st model.ReplicaSetStatus) bool {
	return rs.Status.Replicas == st.Replicas &&
		rs.Status.FullyLabeledReplicas == st.FullyLabeledReplicas &&
		rs.Status.ReadyReplicas == st.ReadyReplicas &&
		rs.Status.AvailableReplicas == st.AvailableReplicas &&
		rs.Generation == rs.Status.ObservedGeneration
}
