package deployment

import (
	"fmt"
	"strconv"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// rollbackTo returns the revision a rollback was requested to through the
// deprecated.deployment.rollback.to annotation (0: the previous one), or
// nil (getRollbackTo).
func rollbackTo(d *model.Deployment) *int64 {
	v := d.Annotations[RollbackToAnnotation]
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// rollback copies the requested revision's template back into the
// Deployment (rollback.go); the next sync rolls it out.
func (c *Controller) rollback(d *model.Deployment, rsList []*model.ReplicaSet, done func(error)) {
	c.getAllReplicaSetsAndSyncRevision(d, rsList, true, func(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, err error) {
		if err != nil {
			done(err)
			return
		}
		all := append(append([]*model.ReplicaSet(nil), oldRSs...), newRS)
		to := *rollbackTo(d)
		if to == 0 {
			if to = LastRevision(all); to == 0 {
				c.event(RollbackRevisionNotFound, d, sim.F("message", "Unable to find last revision."))
				c.clearRollbackTo(d, done)
				return
			}
		}
		for _, rs := range all {
			if rs == nil {
				continue
			}
			if v, err := Revision(rs); err != nil || v != to {
				continue
			}
			if EqualIgnoreHash(&d.Spec.Template, &rs.Spec.Template) {
				c.event(RollbackTemplateUnchanged, d, sim.F("message",
					fmt.Sprintf("The rollback revision contains the same template as current deployment %q", d.Name)))
				c.clearRollbackTo(d, done)
				return
			}
			d.Spec.Template.ObjectMeta = model.DeepCopy(rs.Spec.Template.ObjectMeta)
			d.Spec.Template.Spec = model.DeepCopy(rs.Spec.Template.Spec)
			delete(d.Spec.Template.Labels, PodTemplateHashLabel)
			// The Deployment takes the annotations of the revision it returns to.
			kept := map[string]string{}
			for k, v := range d.Annotations {
				if annotationsToSkip[k] {
					kept[k] = v
				}
			}
			for k, v := range rs.Annotations {
				if !annotationsToSkip[k] {
					kept[k] = v
				}
			}
			d.Annotations = kept
			c.clearRollbackTo(d, func(err error) {
				if err == nil {
					c.event(RollbackDone, d, sim.F("message", fmt.Sprintf("Rolled back deployment %q to revision %d", d.Name, to)))
				}
				done(err)
			})
			return
		}
		c.event(RollbackRevisionNotFound, d, sim.F("message", "Unable to find the revision to rollback to."))
		c.clearRollbackTo(d, done)
	})
}

// clearRollbackTo drops the rollback request and writes the Deployment.
func (c *Controller) clearRollbackTo(d *model.Deployment, done func(error)) {
	delete(d.Annotations, RollbackToAnnotation)
	c.writeDeployment(d, done)
}
