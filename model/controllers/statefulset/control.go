package statefulset

import (
	"errors"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
)

// This file is stateful_set_control.go: UpdateStatefulSet and its steps in
// continuation style. Every step issues its API calls and continues in
// their callbacks; "exit" ends the pass early as upstream's shouldExit.

// maxBatchSize caps slowStartBatch's batches in Parallel mode (MaxBatchSize).
const maxBatchSize = 500

// pass is one run of UpdateStatefulSet for a set.
type pass struct {
	c                     *Controller
	set                   *model.StatefulSet
	currentSet, updateSet *model.StatefulSet
	current, update       *revision
	replicas, condemned   []*model.Pod
	firstUnavailable      *model.Pod
	monotonic             bool
	now                   time.Time
	status                model.StatefulSetStatus
}

// step processes item i and reports whether the pass must stop.
type step func(i int, done func(exit bool, err error))

// updateStatefulSet is UpdateStatefulSet: resolve the revisions, run the
// pass, write the status (also after an error), keep the history bounded.
func (c *Controller) updateStatefulSet(set *model.StatefulSet, pods []*model.Pod, done func(*model.StatefulSetStatus, error)) {
	current, update := c.history.resolve(set)
	ps := &pass{c: c, set: set, current: current, update: update, now: c.now(),
		currentSet: applyRevision(set, current), updateSet: applyRevision(set, update)}
	ps.run(pods, func(err error) {
		st := ps.status
		completeRollingUpdate(set, &st)
		finish := func(serr error) {
			c.history.truncate(set, pods, current, update)
			if err == nil {
				err = serr
			}
			done(&st, err)
		}
		if !inconsistentStatus(set, &st) {
			finish(nil)
			return
		}
		c.updateStatus(set, st, finish)
	})
}

// run is updateStatefulSet: sort the pods into replicas (ordinals in
// range, missing ones created at the right revision) and condemned (out of
// range, highest first), then process replicas, fix condemned claims,
// delete condemned pods and, for RollingUpdate, replace outdated pods.
func (ps *pass) run(pods []*model.Pod, done func(error)) {
	set := ps.set
	minReady := set.Spec.MinReadySeconds
	ps.status = model.StatefulSetStatus{ObservedGeneration: set.Generation,
		CurrentRevision: ps.current.name, UpdateRevision: ps.update.name}
	updateStatus(&ps.status, minReady, ps.now, pods)

	start := StartOrdinal(set)
	n := replicasOf(set)
	ps.replicas = make([]*model.Pod, n)
	for _, p := range pods {
		switch ord := getOrdinal(p); {
		case podInOrdinalRange(p, set):
			ps.replicas[ord-start] = p
		case ord >= 0:
			ps.condemned = append(ps.condemned, p)
		}
	}
	for i := range ps.replicas {
		if ps.replicas[i] == nil {
			ps.replicas[i] = NewVersionedPod(ps.currentSet, ps.updateSet, ps.current.name, ps.update.name, start+i)
		}
	}
	sort.SliceStable(ps.condemned, func(i, j int) bool { return getOrdinal(ps.condemned[i]) > getOrdinal(ps.condemned[j]) })
	for _, p := range ps.replicas {
		if isUnavailable(p, minReady, ps.now) {
			ps.firstUnavailable = p
			break
		}
	}
	if ps.firstUnavailable == nil {
		for i := len(ps.condemned) - 1; i >= 0; i-- {
			if isUnavailable(ps.condemned[i], minReady, ps.now) {
				ps.firstUnavailable = ps.condemned[i]
				break
			}
		}
	}
	if set.DeletionTimestamp != nil {
		done(nil)
		return
	}
	ps.monotonic = set.Spec.PodManagementPolicy != model.ParallelPodManagement

	stop := func(err error) {
		updateStatus(&ps.status, minReady, ps.now, ps.replicas, ps.condemned)
		done(err)
	}
	ps.runForAll(len(ps.replicas), ps.processReplica, func(exit bool, err error) {
		if exit || err != nil {
			stop(err)
			return
		}
		ps.runForAll(len(ps.condemned), ps.fixCondemnedClaims, func(exit bool, err error) {
			if exit || err != nil {
				stop(err)
				return
			}
			ps.runForAll(len(ps.condemned), ps.processCondemned, func(exit bool, err error) {
				if exit || err != nil {
					stop(err)
					return
				}
				updateStatus(&ps.status, minReady, ps.now, ps.replicas, ps.condemned)
				if set.Spec.UpdateStrategy.Type == OnDeleteStrategy {
					done(nil)
					return
				}
				ps.rollingUpdate(done)
			})
		})
	})
}

// runForAll applies fn to items 0..n-1: one after another, stopping at the
// first exit or error, in OrderedReady mode; in slow-start batches,
// stopping after a batch with errors, in Parallel mode.
func (ps *pass) runForAll(n int, fn step, done func(exit bool, err error)) {
	if ps.monotonic {
		var next func(i int)
		next = func(i int) {
			if i == n {
				done(false, nil)
				return
			}
			fn(i, func(exit bool, err error) {
				if exit || err != nil {
					done(true, err)
					return
				}
				next(i + 1)
			})
		}
		next(0)
		return
	}
	slowStartBatch(n, func(i int, cb func(error)) {
		fn(i, func(_ bool, err error) { cb(err) })
	}, func(err error) {
		if err != nil {
			done(true, err)
			return
		}
		done(false, nil)
	})
}

// slowStartBatch issues calls in batches of 1, 2, 4, ... (at most
// maxBatchSize), each batch once the previous one has answered, and stops
// after a batch with errors.
func slowStartBatch(n int, call func(i int, done func(error)), done func(error)) {
	var next func(start, size int)
	next = func(start, size int) {
		remaining := n - start
		size = min(size, remaining, maxBatchSize)
		if size <= 0 {
			done(nil)
			return
		}
		var errs []error
		b := ctrlutil.NewBarrier(size, func() {
			if len(errs) > 0 {
				done(errors.Join(errs...))
				return
			}
			next(start+size, 2*size)
		})
		for j := start; j < start+size; j++ {
			call(j, func(err error) {
				if err != nil {
					errs = append(errs, err)
				}
				b.Done()
			})
		}
	}
	next(0, 1)
}

// processReplica is processReplica: replace failed or succeeded pods,
// create missing ones (with their claims), create missing claims of
// pending pods, in OrderedReady mode wait for each pod to be running,
// ready and available, and restore identity, storage and claim owners.
func (ps *pass) processReplica(i int, done func(bool, error)) {
	c, set, p := ps.c, ps.set, ps.replicas[i]
	if p.Status.Phase == model.PodFailed || p.Status.Phase == model.PodSucceeded {
		if p.DeletionTimestamp == nil {
			c.deleteStatefulPod(set, p, func(err error) { done(true, err) })
			return
		}
		done(true, nil)
		return
	}
	if !isCreated(p) {
		if c.podClaimIsStale(set, p) {
			done(true, nil)
			return
		}
		c.createStatefulPod(set, p, func(err error) {
			if err != nil || ps.monotonic {
				done(true, err)
				return
			}
			// The new pod is not in the cache yet: nothing more to do for it.
			done(false, nil)
		})
		return
	}
	check := func() {
		minReady := set.Spec.MinReadySeconds
		if ps.monotonic && (isTerminating(p) || !isRunningAndReady(p) || !isAvailable(p, minReady, ps.now)) {
			done(true, nil)
			return
		}
		if identityMatches(set, p) && storageMatches(set, p) && c.claimsMatchRetention(ps.updateSet, p) {
			done(false, nil)
			return
		}
		c.updateStatefulPod(ps.updateSet, model.DeepCopy(p), func(err error) { done(err != nil, err) })
	}
	if isPending(p) {
		c.createMissingClaims(set, p, func(err error) {
			if err != nil {
				done(true, err)
				return
			}
			check()
		})
		return
	}
	check()
}

// fixCondemnedClaims sets the owners of condemned pods' claims for the
// retention policy (whenScaled Delete: the pod owns them).
func (ps *pass) fixCondemnedClaims(i int, done func(bool, error)) {
	p := ps.condemned[i]
	if ps.c.claimsMatchRetention(ps.updateSet, p) {
		done(false, nil)
		return
	}
	ps.c.updateClaimsForRetention(ps.updateSet, p, func(err error) { done(err != nil, err) })
}

// processCondemned deletes a pod above the range: in OrderedReady mode
// one at a time, highest ordinal first, waiting for terminating pods and,
// unless it is the first unhealthy pod itself, for every pod to be healthy.
func (ps *pass) processCondemned(i int, done func(bool, error)) {
	p := ps.condemned[i]
	if isTerminating(p) {
		done(ps.monotonic, nil)
		return
	}
	minReady := ps.set.Spec.MinReadySeconds
	if ps.monotonic && p != ps.firstUnavailable && (!isRunningAndReady(p) || !isAvailable(p, minReady, ps.now)) {
		done(true, nil)
		return
	}
	ps.c.deleteStatefulPod(ps.set, p, func(err error) { done(true, err) })
}

// rollingUpdate is updateStatefulSetAfterInvariantEstablished
// (MaxUnavailableStatefulSet, beta and on in 1.35): if no more than
// maxUnavailable replicas are unavailable, delete up to the difference of
// outdated pods with ordinals at or above the partition, highest first.
func (ps *pass) rollingUpdate(done func(error)) {
	set := ps.set
	n := replicasOf(set)
	updateMin := 0
	maxUnavailable := 1
	if ru := set.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		updateMin = int(model.Deref(ru.Partition, 0))
		var err error
		if maxUnavailable, err = MaxUnavailable(ru.MaxUnavailable, n); err != nil {
			done(err)
			return
		}
	}
	unavailable := 0
	for _, p := range ps.replicas {
		if isUnavailable(p, set.Spec.MinReadySeconds, ps.now) {
			unavailable++
		}
	}
	if unavailable > maxUnavailable {
		done(nil)
		return
	}
	budget := maxUnavailable - unavailable
	var victims []*model.Pod
	for target := len(ps.replicas) - 1; target >= updateMin && len(victims) < budget; target-- {
		p := ps.replicas[target]
		if getPodRevision(p) != ps.update.name && !isTerminating(p) {
			victims = append(victims, p)
		}
	}
	var next func(i int)
	next = func(i int) {
		if i == len(victims) {
			done(nil)
			return
		}
		ps.c.deleteStatefulPod(set, victims[i], func(err error) {
			if err != nil && !model.IsNotFound(err) {
				done(err)
				return
			}
			ps.status.CurrentReplicas--
			next(i + 1)
		})
	}
	next(0)
}
