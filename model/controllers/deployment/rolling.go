package deployment

import (
	"github.com/kubesim/kubesim/model"
)

// rolloutRolling is one step of a RollingUpdate (rolling.go): scale the new
// ReplicaSet up if the surge allows, else scale old ones down if
// availability allows, clean up history once complete, report progress.
func (c *Controller) rolloutRolling(d *model.Deployment, rsList []*model.ReplicaSet, done func(error)) {
	c.getAllReplicaSetsAndSyncRevision(d, rsList, true, func(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, err error) {
		if err != nil {
			done(err)
			return
		}
		allRSs := append(append([]*model.ReplicaSet(nil), oldRSs...), newRS)
		n, change, err := PlanNewReplicaSet(allRSs, newRS, d)
		if err != nil {
			done(err)
			return
		}
		afterNew := func(scaledUp bool, err error) {
			if err != nil {
				done(err)
				return
			}
			if scaledUp {
				c.syncRolloutStatus(allRSs, newRS, d, done)
				return
			}
			steps, planErr := PlanOldReplicaSets(allRSs, FilterActive(oldRSs), newRS, d)
			c.runSteps(steps, d, func(scaledDown bool, err error) {
				if err == nil {
					err = planErr
				}
				if err != nil {
					done(err)
					return
				}
				if scaledDown {
					c.syncRolloutStatus(allRSs, newRS, d, done)
					return
				}
				if DeploymentComplete(d, &d.Status) {
					c.cleanupDeployment(oldRSs, d, func(err error) {
						if err != nil {
							done(err)
							return
						}
						c.syncRolloutStatus(allRSs, newRS, d, done)
					})
					return
				}
				c.syncRolloutStatus(allRSs, newRS, d, done)
			})
		}
		if !change {
			afterNew(false, nil)
			return
		}
		c.scaleAndRecord(newRS, n, d, func(scaled bool, _ *model.ReplicaSet, err error) { afterNew(scaled, err) })
	})
}
