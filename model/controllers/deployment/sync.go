package deployment

import (
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// syncDeployment is upstream's syncDeployment in continuation style: claim
// the ReplicaSets, then (in this order of precedence) status only for a
// Deployment being deleted, paused, rollback, scaling event, rollout.
func (c *Controller) syncDeployment(key string, done func(error)) {
	ns, name := ctrlutil.SplitKey(key)
	cached := c.dByNS[ns][name]
	if cached == nil {
		done(nil)
		return
	}
	d := model.DeepCopy(cached)
	if d.Spec.Selector == nil || (len(d.Spec.Selector.MatchLabels) == 0 && len(d.Spec.Selector.MatchExpressions) == 0) {
		c.event("SelectingAll", d, sim.F("message", "This deployment is selecting all pods. A non-empty selector is required."))
		if d.Status.ObservedGeneration < d.Generation {
			d.Status.ObservedGeneration = d.Generation
			c.client.Update(d, func(model.Object, error) { done(nil) })
			return
		}
		done(nil)
		return
	}
	c.claimReplicaSets(d, func(rsList []*model.ReplicaSet, err error) {
		if err != nil {
			done(err)
			return
		}
		var podMap map[string][]*model.Pod
		if d.Spec.Strategy.Type == model.RecreateDeploymentStrategyType {
			podMap = c.podMap(d, rsList) // only Recreate looks at pods
		}
		if d.DeletionTimestamp != nil {
			c.syncStatusOnly(d, rsList, done)
			return
		}
		c.checkPausedConditions(d, func(err error) {
			if err != nil {
				done(err)
				return
			}
			if d.Spec.Paused {
				c.sync(d, rsList, done)
				return
			}
			if rollbackTo(d) != nil {
				c.rollback(d, rsList, done)
				return
			}
			c.isScalingEvent(d, rsList, func(scaling bool, err error) {
				switch {
				case err != nil:
					done(err)
				case scaling:
					c.sync(d, rsList, done)
				case d.Spec.Strategy.Type == model.RecreateDeploymentStrategyType:
					c.rolloutRecreate(d, rsList, podMap, done)
				case d.Spec.Strategy.Type == model.RollingUpdateDeploymentStrategyType:
					c.rolloutRolling(d, rsList, done)
				default:
					done(fmt.Errorf("%w: %q", errNotSupported, d.Spec.Strategy.Type))
				}
			})
		})
	})
}

// claimReplicaSets is getReplicaSetsForDeployment: every ReplicaSet of the
// namespace is considered, so that owned ones that stopped matching are
// released.
func (c *Controller) claimReplicaSets(d *model.Deployment, done func([]*model.ReplicaSet, error)) {
	sel, err := model.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		done(nil, fmt.Errorf("deployment %s/%s has invalid label selector: %w", d.Namespace, d.Name, err))
		return
	}
	// Its own ReplicaSets and the namespace's orphans: those of other
	// controllers are never claimed.
	all := c.rss.Candidates(d.Namespace, d.UID)
	objs := make([]model.Object, len(all))
	for i, rs := range all {
		objs[i] = rs
	}
	ref := ctrlutil.NewControllerRef(d, dAPIVersion, dKind)
	ctrlutil.ClaimObjects(c.client, d, ref, sel, objs, func(claimed []model.Object, err error) {
		out := make([]*model.ReplicaSet, len(claimed))
		for i, o := range claimed {
			out[i] = o.(*model.ReplicaSet)
		}
		done(out, err)
	})
}

// writeDeployment sends the Deployment (status and annotations) with the
// resourceVersion it was read with, as UpdateStatus does: a write after an
// earlier write in the same sync conflicts and the sync is retried, as
// upstream.
//
// Condition changes the write makes (against the cached object, which the
// watch has not yet replaced) are journaled.
func (c *Controller) writeDeployment(d *model.Deployment, done func(error)) {
	c.client.Update(d, func(o model.Object, err error) {
		if err == nil {
			before := model.DeploymentStatus{}
			if cached := c.dByNS[d.Namespace][d.Name]; cached != nil {
				before = cached.Status
			}
			c.recordConditions(d, &before, &o.(*model.Deployment).Status)
		}
		done(err)
	})
}

// checkPausedConditions records pausing and resuming in the Progressing
// condition, so that a paused time never counts against the deadline.
func (c *Controller) checkPausedConditions(d *model.Deployment, done func(error)) {
	if !HasProgressDeadline(d) {
		done(nil)
		return
	}
	cond := GetCondition(&d.Status, ConditionProgressing)
	if cond != nil && cond.Reason == TimedOutReason {
		done(nil)
		return
	}
	pausedExists := cond != nil && cond.Reason == PausedDeployReason
	switch {
	case d.Spec.Paused && !pausedExists:
		SetCondition(&d.Status, NewCondition(ConditionProgressing, model.ConditionUnknown, PausedDeployReason, "Deployment is paused", c.now()))
	case !d.Spec.Paused && pausedExists:
		SetCondition(&d.Status, NewCondition(ConditionProgressing, model.ConditionUnknown, ResumedDeployReason, "Deployment is resumed", c.now()))
	default:
		done(nil)
		return
	}
	c.writeDeployment(d, done)
}

// getAllReplicaSetsAndSyncRevision returns the new ReplicaSet (created
// when asked and missing) and all old ones, syncing revisions.
func (c *Controller) getAllReplicaSetsAndSyncRevision(d *model.Deployment, rsList []*model.ReplicaSet, create bool,
	done func(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, err error)) {
	_, allOld := FindOldReplicaSets(d, rsList)
	c.getNewReplicaSet(d, rsList, allOld, create, func(newRS *model.ReplicaSet, err error) {
		if err != nil {
			done(nil, nil, err)
			return
		}
		done(newRS, allOld, nil)
	})
}

// getNewReplicaSet returns the ReplicaSet matching the Deployment's
// template with its annotations, minReadySeconds and revision brought up
// to date, or creates it ("<deployment>-<pod-template-hash>").
func (c *Controller) getNewReplicaSet(d *model.Deployment, rsList, oldRSs []*model.ReplicaSet, create bool, done func(*model.ReplicaSet, error)) {
	existing := FindNewReplicaSet(d, rsList)
	newRevision := strconv.FormatInt(MaxRevision(oldRSs)+1, 10)
	if existing != nil {
		cp := model.DeepCopy(existing)
		annotationsUpdated := SetNewReplicaSetAnnotations(d, cp, newRevision, true)
		if annotationsUpdated || cp.Spec.MinReadySeconds != d.Spec.MinReadySeconds {
			cp.Spec.MinReadySeconds = d.Spec.MinReadySeconds
			c.client.Update(cp, func(o model.Object, err error) {
				if err != nil {
					done(nil, err)
					return
				}
				done(o.(*model.ReplicaSet), nil)
			})
			return
		}
		needsUpdate := SetDeploymentRevision(d, cp.Annotations[RevisionAnnotation])
		if HasProgressDeadline(d) && GetCondition(&d.Status, ConditionProgressing) == nil {
			SetCondition(&d.Status, NewCondition(ConditionProgressing, model.ConditionTrue, FoundNewRSReason,
				fmt.Sprintf("Found new replica set %q", cp.Name), c.now()))
			needsUpdate = true
		}
		if !needsUpdate {
			done(cp, nil)
			return
		}
		c.writeDeployment(d, func(err error) {
			if err != nil {
				done(nil, err)
				return
			}
			done(cp, nil)
		})
		return
	}
	if !create {
		done(nil, nil)
		return
	}

	template := model.DeepCopy(d.Spec.Template)
	hash := ComputeHash(&d.Spec.Template, d.Status.CollisionCount)
	if template.Labels == nil {
		template.Labels = map[string]string{}
	}
	template.Labels[PodTemplateHashLabel] = hash
	selector := model.DeepCopy(d.Spec.Selector)
	if selector.MatchLabels == nil {
		selector.MatchLabels = map[string]string{}
	}
	selector.MatchLabels[PodTemplateHashLabel] = hash
	newRS := &model.ReplicaSet{
		ObjectMeta: model.ObjectMeta{
			Name:            d.Name + "-" + hash,
			Namespace:       d.Namespace,
			OwnerReferences: []model.OwnerReference{ctrlutil.NewControllerRef(d, dAPIVersion, dKind)},
			Labels:          model.DeepCopy(template.Labels),
		},
		Spec: model.ReplicaSetSpec{
			Replicas:        model.Ptr[int32](0),
			MinReadySeconds: d.Spec.MinReadySeconds,
			Selector:        selector,
			Template:        template,
		},
	}
	model.SetTypeMeta(newRS)
	count, err := NewRSNewReplicas(d, append(append([]*model.ReplicaSet(nil), oldRSs...), newRS), newRS)
	if err != nil {
		c.k.AfterFunc(0, func(sim.Time) { done(nil, err) })
		return
	}
	newRS.Spec.Replicas = model.Ptr(count)
	SetNewReplicaSetAnnotations(d, newRS, newRevision, false)
	c.client.Create(newRS, func(o model.Object, err error) {
		alreadyExists := false
		var created *model.ReplicaSet
		switch {
		case model.IsAlreadyExists(err):
			alreadyExists = true
			rs, ok := c.rss.Get(newRS.Namespace, newRS.Name)
			if !ok {
				done(nil, err)
				return
			}
			if ref := rs.ControllerRef(); ref != nil && ref.UID == d.UID && EqualIgnoreHash(&d.Spec.Template, &rs.Spec.Template) {
				created = rs
				break
			}
			// A hash collision: bump collisionCount and try again later.
			n := model.Deref(d.Status.CollisionCount, 0) + 1
			d.Status.CollisionCount = &n
			c.writeDeployment(d, func(error) { done(nil, err) })
			return
		case err != nil:
			msg := fmt.Sprintf("Failed to create new replica set %q: %v", newRS.Name, err)
			c.event(FailedRSCreateReason, d, sim.F("message", msg))
			if HasProgressDeadline(d) {
				SetCondition(&d.Status, NewCondition(ConditionProgressing, model.ConditionFalse, FailedRSCreateReason, msg, c.now()))
				c.writeDeployment(d, func(error) { done(nil, err) })
				return
			}
			done(nil, err)
			return
		default:
			created = o.(*model.ReplicaSet)
		}
		if !alreadyExists && count > 0 {
			c.event("ScalingReplicaSet", d, sim.F("replicaSet", created.Name), sim.F("from", int32(0)), sim.F("to", count),
				sim.F("message", fmt.Sprintf("Scaled up replica set %s to %d from 0", created.Name, count)))
		}
		needsUpdate := SetDeploymentRevision(d, newRevision)
		if !alreadyExists && HasProgressDeadline(d) {
			SetCondition(&d.Status, NewCondition(ConditionProgressing, model.ConditionTrue, NewReplicaSetReason,
				fmt.Sprintf("Created new replica set %q", created.Name), c.now()))
			needsUpdate = true
		}
		if !needsUpdate {
			done(created, nil)
			return
		}
		c.writeDeployment(d, func(err error) { done(created, err) })
	})
}

// scaleReplicaSet sets a ReplicaSet's size and replicas annotations and
// records ScalingReplicaSet when the size changed.
func (c *Controller) scaleReplicaSet(rs *model.ReplicaSet, newScale int32, d *model.Deployment, op string,
	done func(scaled bool, updated *model.ReplicaSet, err error)) {
	sizeChanges := rsReplicas(rs) != newScale
	desired, maxR := replicas(d), replicas(d)+MaxSurge(d)
	if !sizeChanges && !ReplicasAnnotationsNeedUpdate(rs, desired, maxR) {
		done(false, rs, nil)
		return
	}
	old := rsReplicas(rs)
	cp := model.DeepCopy(rs)
	cp.Spec.Replicas = model.Ptr(newScale)
	SetReplicasAnnotations(cp, desired, maxR)
	c.client.Update(cp, func(o model.Object, err error) {
		if err != nil {
			done(false, nil, err)
			return
		}
		updated := o.(*model.ReplicaSet)
		if sizeChanges {
			c.event("ScalingReplicaSet", d, sim.F("replicaSet", updated.Name), sim.F("from", old), sim.F("to", newScale),
				sim.F("message", fmt.Sprintf("Scaled %s replica set %s to %d from %d", op, updated.Name, newScale, old)))
		}
		done(sizeChanges, updated, nil)
	})
}

// scaleAndRecord is scaleReplicaSetAndRecordEvent: nothing when the size
// is already right.
func (c *Controller) scaleAndRecord(rs *model.ReplicaSet, newScale int32, d *model.Deployment,
	done func(scaled bool, updated *model.ReplicaSet, err error)) {
	if rsReplicas(rs) == newScale {
		done(false, rs, nil)
		return
	}
	c.scaleReplicaSet(rs, newScale, d, operation(rsReplicas(rs), newScale), done)
}

// runSteps carries out scale steps one after another, stopping at the
// first error; scaled reports whether any size changed.
// A ReplicaSet written by an earlier step is written again from the
// object that write returned, as upstream passes the updated ReplicaSet on.
func (c *Controller) runSteps(steps []ScaleStep, d *model.Deployment, done func(scaled bool, err error)) {
	scaled := false
	latest := map[string]*model.ReplicaSet{}
	var next func(i int)
	next = func(i int) {
		if i == len(steps) {
			done(scaled, nil)
			return
		}
		s := steps[i]
		rs := s.RS
		if u := latest[rs.UID]; u != nil {
			rs = u
		}
		cb := func(ok bool, updated *model.ReplicaSet, err error) {
			if err != nil {
				done(scaled, err)
				return
			}
			latest[rs.UID] = updated
			scaled = scaled || ok
			next(i + 1)
		}
		if s.Refresh {
			c.scaleReplicaSet(rs, s.Replicas, d, s.Operation, cb)
			return
		}
		c.scaleAndRecord(rs, s.Replicas, d, cb)
	}
	next(0)
}

// sync handles scaling events and paused Deployments: proportional
// scaling, history cleanup when paused, status.
func (c *Controller) sync(d *model.Deployment, rsList []*model.ReplicaSet, done func(error)) {
	c.getAllReplicaSetsAndSyncRevision(d, rsList, false, func(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, err error) {
		if err != nil {
			done(err)
			return
		}
		c.runSteps(PlanScale(d, newRS, oldRSs), d, func(_ bool, err error) {
			if err != nil {
				done(err)
				return
			}
			status := func(err error) {
				if err != nil {
					done(err)
					return
				}
				c.syncDeploymentStatus(append(oldRSs, newRS), newRS, d, done)
			}
			if d.Spec.Paused && rollbackTo(d) == nil {
				c.cleanupDeployment(oldRSs, d, status)
				return
			}
			status(nil)
		})
	})
}

// syncStatusOnly refreshes the status of a Deployment being deleted.
func (c *Controller) syncStatusOnly(d *model.Deployment, rsList []*model.ReplicaSet, done func(error)) {
	c.getAllReplicaSetsAndSyncRevision(d, rsList, false, func(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, err error) {
		if err != nil {
			done(err)
			return
		}
		c.syncDeploymentStatus(append(oldRSs, newRS), newRS, d, done)
	})
}

// isScalingEvent reports whether an active ReplicaSet was sized for a
// different replica count than the Deployment's (desired-replicas).
func (c *Controller) isScalingEvent(d *model.Deployment, rsList []*model.ReplicaSet, done func(bool, error)) {
	c.getAllReplicaSetsAndSyncRevision(d, rsList, false, func(newRS *model.ReplicaSet, oldRSs []*model.ReplicaSet, err error) {
		if err != nil {
			done(false, err)
			return
		}
		for _, rs := range FilterActive(append(oldRSs, newRS)) {
			if desired, ok := intAnnotation(rs, DesiredReplicasAnnotation); ok && desired != replicas(d) {
				done(true, nil)
				return
			}
		}
		done(false, nil)
	})
}

// cleanupDeployment deletes old ReplicaSets beyond revisionHistoryLimit,
// one after another, stopping at the first error.
func (c *Controller) cleanupDeployment(oldRSs []*model.ReplicaSet, d *model.Deployment, done func(error)) {
	victims := PlanCleanup(oldRSs, d)
	var next func(i int)
	next = func(i int) {
		if i == len(victims) {
			done(nil)
			return
		}
		rs := victims[i]
		c.client.Delete("ReplicaSet", rs.Namespace, rs.Name, func(err error) {
			if err != nil && !model.IsNotFound(err) {
				done(err)
				return
			}
			next(i + 1)
		})
	}
	next(0)
}

// syncDeploymentStatus writes the status the ReplicaSets imply, if it
// changed.
func (c *Controller) syncDeploymentStatus(allRSs []*model.ReplicaSet, newRS *model.ReplicaSet, d *model.Deployment, done func(error)) {
	st := CalculateStatus(allRSs, newRS, d, c.now())
	if reflect.DeepEqual(d.Status, st) {
		done(nil)
		return
	}
	d.Status = st
	c.writeDeployment(d, done)
}

// recordConditions journals every condition whose status or reason the
// write changed, under the condition's reason (kubesim's addition: upstream
// records these only in the object's status).
func (c *Controller) recordConditions(d *model.Deployment, before, after *model.DeploymentStatus) {
	for _, cond := range after.Conditions {
		old := GetCondition(before, cond.Type)
		if old != nil && old.Status == cond.Status && old.Reason == cond.Reason {
			continue
		}
		c.event(cond.Reason, d, sim.F("condition", cond.Type), sim.F("status", string(cond.Status)), sim.F("message", cond.Message))
	}
}

// requeueAfterDeadline is requeueStuckDeployment: with a progress deadline
// and a rollout in flight, look again when the deadline would pass.
func (c *Controller) requeueAfterDeadline(d *model.Deployment, st *model.DeploymentStatus) {
	cur := GetCondition(&d.Status, ConditionProgressing)
	if !HasProgressDeadline(d) || cur == nil || DeploymentComplete(d, st) || cur.Reason == TimedOutReason {
		return
	}
	var from time.Time
	if cur.LastUpdateTime != nil {
		from = *cur.LastUpdateTime
	}
	after := from.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second).Sub(c.now())
	if after < time.Second {
		c.queue.AddRateLimited(d.Key())
		return
	}
	c.queue.AddAfter(d.Key(), after+time.Second)
}
