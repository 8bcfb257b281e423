package deployment

import (
	"github.com/kubesim/kubesim/model"
)

// rolloutRecreate is the Recreate strategy (recreate.go): scale every old
// ReplicaSet to 0, wait until none of their pods runs, then create the new
// ReplicaSet (if missing) at full size.
func (c *Controller) rolloutRecreate(d *model.Deployment, rsList []*model.ReplicaSet, podMap map[string][]*model.Pod, done func(error)) {
	c.getAllReplicaSetsAndSyncRevision(d, rsList, false, func(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, err error) {
		if err != nil {
			done(err)
			return
		}
		allRSs := append(append([]*model.ReplicaSet(nil), oldRSs...), newRS)
		var steps []ScaleStep
		for _, rs := range FilterActive(oldRSs) {
			steps = append(steps, ScaleStep{RS: rs, Replicas: 0, Operation: "down"})
		}
		c.runSteps(steps, d, func(scaledDown bool, err error) {
			if err != nil {
				done(err)
				return
			}
			if scaledDown || OldPodsRunning(newRS, oldRSs, podMap) {
				c.syncRolloutStatus(allRSs, newRS, d, done)
				return
			}
			scaleUp := func(newRS *model.ReplicaSet, oldRSs, allRSs []*model.ReplicaSet) {
				c.scaleAndRecord(newRS, replicas(d), d, func(_ bool, _ *model.ReplicaSet, err error) {
					if err != nil {
						done(err)
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
			if newRS != nil {
				scaleUp(newRS, oldRSs, allRSs)
				return
			}
			c.getAllReplicaSetsAndSyncRevision(d, rsList, true, func(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, err error) {
				if err != nil {
					done(err)
					return
				}
				scaleUp(newRS, oldRSs, append(append([]*model.ReplicaSet(nil), oldRSs...), newRS))
			})
		})
	})
}

// OldPodsRunning reports whether an old ReplicaSet still reports pods or
// still has a pod that is not finished (pods of the new ReplicaSet do not
// count; Unknown counts as running).
func OldPodsRunning(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, podMap map[string][]*model.Pod) bool {
	if ActualReplicaCount(oldRSs) > 0 {
		return true
	}
	for _, uid := range model.SortedKeys(podMap) {
		if newRS != nil && newRS.UID == uid {
			continue
		}
		for _, p := range podMap[uid] {
			if !p.IsTerminal() {
				return true
			}
		}
	}
	return false
}
