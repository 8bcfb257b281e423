package deployment

import (
	"fmt"
	"reflect"

	"github.com/kubesim/kubesim/model"
)

// syncRolloutStatus is progress.go's syncRolloutStatus: the status the
// ReplicaSets imply plus the Progressing condition (complete, progressing,
// or timed out after progressDeadlineSeconds without progress); when
// nothing changed, it schedules a look at the deadline.
func (c *Controller) syncRolloutStatus(allRSs []*model.ReplicaSet, newRS *model.ReplicaSet, d *model.Deployment, done func(error)) {
	now := c.now()
	st := CalculateStatus(allRSs, newRS, d, now)
	if !HasProgressDeadline(d) {
		RemoveCondition(&st, ConditionProgressing)
	}
	cur := GetCondition(&d.Status, ConditionProgressing)
	complete := st.Replicas == st.UpdatedReplicas && cur != nil && cur.Reason == NewRSAvailableReason
	if HasProgressDeadline(d) && !complete {
		rsName := func(format, dformat string) string {
			if newRS != nil {
				return fmt.Sprintf(format, newRS.Name)
			}
			return fmt.Sprintf(dformat, d.Name)
		}
		switch {
		case DeploymentComplete(d, &st):
			SetCondition(&st, NewCondition(ConditionProgressing, model.ConditionTrue, NewRSAvailableReason,
				rsName("ReplicaSet %q has successfully progressed.", "Deployment %q has successfully progressed."), now))
		case DeploymentProgressing(d, &st):
			cond := NewCondition(ConditionProgressing, model.ConditionTrue, ReplicaSetUpdatedReason,
				rsName("ReplicaSet %q is progressing.", "Deployment %q is progressing."), now)
			// Progress moves lastUpdateTime even with the same reason; a
			// true condition keeps its transition time.
			if cur != nil {
				if cur.Status == model.ConditionTrue {
					cond.LastTransitionTime = cur.LastTransitionTime
				}
				RemoveCondition(&st, ConditionProgressing)
			}
			SetCondition(&st, cond)
		case DeploymentTimedOut(d, &st, now):
			SetCondition(&st, NewCondition(ConditionProgressing, model.ConditionFalse, TimedOutReason,
				rsName("ReplicaSet %q has timed out progressing.", "Deployment %q has timed out progressing."), now))
		}
	}
	// ReplicaSets carry no ReplicaFailure condition in kubesim's model, so
	// there is never one to copy.
	RemoveCondition(&st, ConditionReplicaFailure)
	if len(st.Conditions) == 0 && len(d.Status.Conditions) == 0 {
		st.Conditions = d.Status.Conditions
	}
	if reflect.DeepEqual(d.Status, st) {
		c.requeueAfterDeadline(d, &st)
		done(nil)
		return
	}
	d.Status = st
	c.writeDeployment(d, done)
}
