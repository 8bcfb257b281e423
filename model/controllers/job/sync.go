package job

import (
	"sort"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// syncCtx is upstream's syncJobCtx: one sync's view of a Job.
type syncCtx struct {
	key       string
	job       *model.Job
	tr        *tracker
	now       time.Time
	satisfied bool

	pods, active     []*model.Pod
	succeeded        int32
	failed           int32
	ready            int32
	terminating      int32
	prevSucceededIdx orderedIntervals
	succeededIdx     orderedIntervals
	failedIdx        *orderedIntervals
	delayed          map[int]*model.Pod
	newBackoff       backoffRecord
	finished         *model.JobCondition
}

// uncounted is upstream's hasJobTrackingFinalizer.
func (s *syncCtx) uncounted(p *model.Pod) bool { return !s.tr.counted[p.UID] }

// syncJob is upstream syncJob in continuation style: it computes what the
// Job needs, issues pod creations or deletions, then writes the status,
// and calls done when every request has returned.
func (c *Controller) syncJob(key string, done func(error)) {
	ns, name := ctrlutil.SplitKey(key)
	o, ok := c.jobs.Get(ns, name)
	if !ok {
		c.exp.Delete(key)
		delete(c.backoff, key)
		delete(c.trackers, key)
		done(nil)
		return
	}
	if IsFinished(o.(*model.Job)) {
		delete(c.backoff, key)
		done(nil)
		return
	}
	job := model.DeepCopy(o.(*model.Job))
	s := &syncCtx{key: key, job: job, now: c.now(), satisfied: c.exp.Satisfied(key)}
	s.tr = c.trackerFor(job)
	s.pods = c.podsForJob(job, s.tr)
	gone := map[string]bool{}
	for uid := range s.tr.gone {
		gone[uid] = true
	}
	for _, p := range s.pods {
		if isPodActive(p) {
			s.active = append(s.active, p)
			if p.IsReady() {
				s.ready++
			}
		}
		if !gone[p.UID] && p.DeletionTimestamp != nil && !p.IsTerminal() {
			s.terminating++
		}
	}
	var newSucceeded, newFailed []*model.Pod
	for _, p := range s.pods {
		if !s.uncounted(p) || !c.validIndex(job, p) {
			continue
		}
		if p.Status.Phase == model.PodSucceeded {
			newSucceeded = append(newSucceeded, p)
		} else if isPodFailed(p) {
			newFailed = append(newFailed, p)
		}
	}
	s.succeeded = job.Status.Succeeded + int32(len(newSucceeded))
	s.failed = job.Status.Failed + int32(len(newFailed))
	if job.Status.StartTime == nil && !suspended(job) {
		now := s.now
		job.Status.StartTime = &now
	}
	s.newBackoff = nextBackoffRecord(c.backoff[key], newSucceeded, newFailed)

	if scm := findCondition(job.Status.Conditions, ConditionSuccessCriteriaMet); scm != nil && scm.Status == model.ConditionTrue {
		s.finished = scm
	}
	if s.finished == nil {
		if ft := findCondition(job.Status.Conditions, ConditionFailureTarget); ft != nil && ft.Status == model.ConditionTrue {
			s.finished = newCondition(ConditionFailed, model.ConditionTrue, ft.Reason, ft.Message, s.now)
		}
	}
	if s.finished == nil {
		switch {
		case s.failed > model.Deref(job.Spec.BackoffLimit, 6) || pastBackoffLimitOnFailure(job, s.pods):
			s.finished = newCondition(ConditionFailureTarget, model.ConditionTrue, ReasonBackoffLimitExceeded, "Job has reached the specified backoff limit", s.now)
		case pastActiveDeadline(job, s.now):
			s.finished = newCondition(ConditionFailureTarget, model.ConditionTrue, ReasonDeadlineExceeded, "Job was active longer than specified deadline", s.now)
		case job.Spec.ActiveDeadlineSeconds != nil && !suspended(job):
			d := time.Duration(*job.Spec.ActiveDeadlineSeconds)*time.Second - s.now.Sub(*job.Status.StartTime)
			c.queue.AddAfter(key, d)
		}
	}
	if isIndexed(job) {
		s.prevSucceededIdx, s.succeededIdx = calculateSucceededIndexes(job, s.pods, s.uncounted)
		s.succeeded = int32(s.succeededIdx.total())
		if hasBackoffLimitPerIndex(job) {
			prev := parseIndexes(s.tr.failedIndexes.String(), int(*job.Spec.Completions))
			fi := calculateFailedIndexes(job, prev, s.pods, s.uncounted)
			s.failedIdx = &fi
			if s.finished == nil && fi.total() > 0 && fi.total()+s.succeededIdx.total() >= int(*job.Spec.Completions) {
				s.finished = newCondition(ConditionFailureTarget, model.ConditionTrue, ReasonFailedIndexes, "Job has failed indexes", s.now)
			}
			s.delayed = getPodsWithDelayedDeletionPerIndex(job, s.pods, s.active, s.succeededIdx, fi, s.uncounted)
		}
	}

	active := int32(len(s.active))
	finish := func(active int32, suspendChanged bool, manageErr error) {
		needs := suspendChanged || active != job.Status.Active || job.Status.Ready == nil || *job.Status.Ready != s.ready
		job.Status.Active = active
		job.Status.Ready = model.Ptr(s.ready)
		c.trackStatus(s, needs, func(err error) {
			if err != nil {
				done(err)
				return
			}
			done(manageErr)
		})
	}
	if s.finished != nil {
		c.deleteActivePods(job, s.active, func(deletedReady, deleted int32, err error) {
			if deleted != active || !s.satisfied {
				// Pods may remain or be missing from the cache: finish later.
				s.finished = nil
			}
			s.terminating += deleted
			s.ready -= deletedReady
			finish(active-deleted, false, err)
		})
		return
	}
	afterManage := func(active int32, manageCalled bool, err error) {
		var complete bool
		if job.Spec.Completions == nil {
			complete = s.succeeded > 0 && active == 0
		} else {
			complete = s.succeeded >= *job.Spec.Completions && active == 0
		}
		changed := false
		if complete {
			s.finished = newCondition(ConditionSuccessCriteriaMet, model.ConditionTrue, ReasonCompletionsReached, "Reached expected number of succeeded pods", s.now)
		} else if manageCalled {
			if suspended(job) {
				job.Status.Conditions, changed = ensureConditionStatus(job.Status.Conditions, ConditionSuspended, model.ConditionTrue, "JobSuspended", "Job suspended", s.now)
				if changed {
					c.record("Suspended", key, sim.F("message", "Job suspended"))
				}
			} else {
				job.Status.Conditions, changed = ensureConditionStatus(job.Status.Conditions, ConditionSuspended, model.ConditionFalse, "JobResumed", "Job resumed", s.now)
				if changed {
					c.record("Resumed", key, sim.F("message", "Job resumed"))
					now := s.now
					job.Status.StartTime = &now
				}
			}
		}
		finish(active, changed, err)
	}
	if s.satisfied && job.DeletionTimestamp == nil {
		c.manageJob(s, func(active int32, err error) { afterManage(active, true, err) })
		return
	}
	afterManage(active, false, nil)
}

func (c *Controller) validIndex(job *model.Job, p *model.Pod) bool {
	if !isIndexed(job) {
		return true
	}
	ix := completionIndex(p.Annotations)
	return ix != unknownCompletionIndex && ix < int(model.Deref(job.Spec.Completions, 0))
}

// manageJob creates or deletes pods towards the wanted number of active
// ones, respecting the failure backoff; it reports the resulting active
// count. Creations use slow-start batches (1, 2, 4, ...) and stop after a
// batch with a failure; pod deletion takes precedence over creation.
func (c *Controller) manageJob(s *syncCtx, cb func(active int32, err error)) {
	job := s.job
	active := int32(len(s.active))
	if suspended(job) {
		rm := activePodsForRemoval(job, s.active, int(active))
		c.exp.ExpectDeletions(s.key, len(rm))
		c.deleteJobPods(s, rm, func(removedReady, removed int32, err error) {
			s.ready -= removedReady
			cb(active-removed, err)
		})
		return
	}
	want := wantActive(job, s.succeeded, active)
	rmAtLeast := max(active-want, 0)
	rm := activePodsForRemoval(job, s.active, int(rmAtLeast))
	if len(rm) > c.cfg.MaxPodCreateDeletePerSync {
		rm = rm[:c.cfg.MaxPodCreateDeletePerSync]
	}
	if len(rm) > 0 {
		c.exp.ExpectDeletions(s.key, len(rm))
		c.deleteJobPods(s, rm, func(removedReady, removed int32, err error) {
			s.ready -= removedReady
			cb(active-removed, err)
		})
		return
	}
	diff := want - active
	if diff <= 0 {
		cb(active, nil)
		return
	}
	if !hasBackoffLimitPerIndex(job) {
		if rem := remainingBackoff(s.newBackoff.failuresAfterLastSuccess, s.newBackoff.lastFailureTime, s.now, c.cfg.PodFailureBackoff, c.cfg.MaxPodFailureBackoff); rem > 0 {
			// Upstream returned 0 here until kubernetes#139457 (1.35 patch
			// release); the fixed behaviour reports the real count.
			c.queue.AddAfter(s.key, max(rem, c.cfg.SyncBatchPeriod))
			cb(active, nil)
			return
		}
	}
	diff = min(diff, int32(c.cfg.MaxPodCreateDeletePerSync))
	var indexes []int
	if isIndexed(job) {
		var failed orderedIntervals
		if s.failedIdx != nil {
			failed = *s.failedIdx
		}
		indexes = firstPendingIndexes(s.active, s.succeededIdx, failed, int(diff), int(*job.Spec.Completions))
		if hasBackoffLimitPerIndex(job) {
			var rem time.Duration
			indexes, rem = c.creatableIndexes(indexes, s)
			if rem > 0 {
				c.queue.AddAfter(s.key, max(rem, c.cfg.SyncBatchPeriod))
				cb(active, nil)
				return
			}
		}
		diff = int32(len(indexes))
	}
	c.exp.ExpectCreations(s.key, int(diff))
	active += diff
	c.createPods(s, int(diff), indexes, func(failed, skipped int, err error) {
		cb(active-int32(failed)-int32(skipped), err)
	})
}

// creatableIndexes keeps the indexes whose per-index backoff has passed;
// if none has, it returns the shortest remaining wait.
func (c *Controller) creatableIndexes(indexes []int, s *syncCtx) ([]int, time.Duration) {
	var now []int
	var minRem time.Duration = -1
	for _, ix := range indexes {
		rem := time.Duration(0)
		if last := s.delayed[ix]; last != nil {
			t := finishedTime(last)
			rem = remainingBackoff(indexAbsoluteFailureCount(last)+1, &t, s.now, c.cfg.PodFailureBackoff, c.cfg.MaxPodFailureBackoff)
		}
		if rem == 0 {
			now = append(now, ix)
		} else if minRem < 0 || rem < minRem {
			minRem = rem
		}
	}
	if len(now) > 0 || minRem < 0 {
		return now, 0
	}
	return now, minRem
}

// createPods creates n pods in slow-start batches. It reports how many
// creations failed and how many were skipped after a failed batch.
func (c *Controller) createPods(s *syncCtx, n int, indexes []int, cb func(failed, skipped int, err error)) {
	ctrlutil.SlowStart(n, ctrlutil.SlowStartInitialBatchSize, func(i int, done func(error)) {
		pod := c.newPod(s, indexes, i)
		c.client.Create(pod, func(o model.Object, err error) {
			if err != nil {
				c.exp.CreationObserved(s.key)
				c.record("FailedCreate", s.key, sim.F("error", err.Error()))
			} else {
				c.record("SuccessfulCreate", s.key, sim.F("pod", o.GetObjectMeta().Name))
			}
			done(err)
		})
	}, func(successes, skipped int, err error) {
		if skipped > 0 {
			// Only a failed batch stops early; its successors never start.
			c.exp.LowerExpectations(s.key, skipped, 0)
		}
		cb(n-successes-skipped, skipped, err)
	})
}

func (c *Controller) newPod(s *syncCtx, indexes []int, i int) *model.Pod {
	job := s.job
	if len(indexes) == 0 {
		return podFromTemplate(job, job.Name+"-")
	}
	ix := indexes[i]
	pod := podFromTemplate(job, podGenerateNameWithIndex(job.Name, ix))
	pod.Annotations[AnnotationCompletionIndex] = strconv.Itoa(ix)
	pod.Labels[AnnotationCompletionIndex] = strconv.Itoa(ix)
	if hasBackoffLimitPerIndex(job) {
		count, ignored := newIndexFailureCounts(s.delayed[ix])
		pod.Annotations[AnnotationIndexFailureCount] = strconv.Itoa(int(count))
		if ignored > 0 {
			pod.Annotations[AnnotationIndexIgnoredFailureCount] = strconv.Itoa(int(ignored))
		}
	}
	return pod
}

// deleteJobPods deletes pods the Job no longer wants. Their tracking
// finalizer is removed first, so they are not counted as failures.
func (c *Controller) deleteJobPods(s *syncCtx, pods []*model.Pod, cb func(deletedReady, deleted int32, err error)) {
	deleted := int32(len(pods))
	var ready int32
	var firstErr error
	b := ctrlutil.NewBarrier(len(pods), func() { cb(ready, deleted, firstErr) })
	for _, p := range pods {
		p := p
		s.tr.counted[p.UID] = true
		if p.IsReady() {
			ready++
		}
		c.client.Delete("Pod", p.Namespace, p.Name, func(err error) {
			if err != nil {
				c.exp.DeletionObserved(s.key)
				if !model.IsNotFound(err) {
					deleted--
					if firstErr == nil {
						firstErr = err
					}
					c.record("FailedDelete", s.key, sim.F("pod", p.Name), sim.F("error", err.Error()))
				}
			} else {
				c.record("SuccessfulDelete", s.key, sim.F("pod", p.Name))
			}
			b.Done()
		})
	}
}

// deleteActivePods deletes the active pods of a finishing Job, keeping
// them uncounted so they are counted as failed.
func (c *Controller) deleteActivePods(job *model.Job, pods []*model.Pod, cb func(deletedReady, deleted int32, err error)) {
	deleted := int32(len(pods))
	var ready int32
	var firstErr error
	b := ctrlutil.NewBarrier(len(pods), func() { cb(ready, deleted, firstErr) })
	for _, p := range pods {
		p := p
		if p.IsReady() {
			ready++
		}
		c.client.Delete("Pod", p.Namespace, p.Name, func(err error) {
			if err != nil && !model.IsNotFound(err) {
				deleted--
				if firstErr == nil {
					firstErr = err
				}
				c.record("FailedDelete", job.Key(), sim.F("pod", p.Name), sim.F("error", err.Error()))
			} else if err == nil {
				c.record("SuccessfulDelete", job.Key(), sim.F("pod", p.Name))
			}
			b.Done()
		})
	}
}

// trackStatus is trackJobStatusAndRemoveFinalizers: it counts finished
// pods into the status, adds the interim and terminal conditions and
// writes the status once. Upstream writes the uncounted pod UIDs, patches
// the pods' finalizers away and writes the counters; kubesim's in-memory
// tracker makes that one write.
func (c *Controller) trackStatus(s *syncCtx, needsFlush bool, cb func(error)) {
	job := s.job
	indexed := isIndexed(job)
	pods := append([]*model.Pod(nil), s.pods...)
	if indexed {
		sort.SliceStable(pods, func(i, j int) bool {
			return completionIndex(pods[i].Annotations) < completionIndex(pods[j].Annotations)
		})
	}
	completions := int(model.Deref(job.Spec.Completions, 0))
	var toCount []*model.Pod
	var newSucceededIdx []int
	var newSucceeded, newFailed int32
	reachedMax := false
	for _, p := range pods {
		if !s.uncounted(p) {
			continue
		}
		considerFailed := isPodFailed(p)
		if !c.canCount(s, p, considerFailed) {
			continue
		}
		toCount = append(toCount, p)
		ix := completionIndex(p.Annotations)
		if p.Status.Phase == model.PodSucceeded {
			if indexed {
				if ix != unknownCompletionIndex && ix < completions && !s.prevSucceededIdx.has(ix) {
					newSucceededIdx = append(newSucceededIdx, ix)
					needsFlush = true
				}
			} else {
				newSucceeded++
				needsFlush = true
			}
		} else if considerFailed || (s.finished != nil && s.finished.Type != ConditionSuccessCriteriaMet) {
			if !indexed || (ix != unknownCompletionIndex && ix < completions) {
				newFailed++
				needsFlush = true
			}
		}
		if len(newSucceededIdx)+int(newSucceeded+newFailed) >= c.cfg.MaxUncountedPods {
			reachedMax = true
			break
		}
	}
	job.Status.Succeeded += newSucceeded
	job.Status.Failed += newFailed
	if indexed {
		sort.Ints(newSucceededIdx)
		s.succeededIdx = s.succeededIdx.withOrderedIndexes(newSucceededIdx)
		str := s.succeededIdx.String()
		if str != job.Status.CompletedIndexes {
			needsFlush = true
		}
		job.Status.Succeeded = int32(s.succeededIdx.total())
		job.Status.CompletedIndexes = str
		if s.failedIdx != nil && s.failedIdx.String() != s.tr.failedIndexes.String() {
			needsFlush = true
		}
	}
	if s.finished != nil && s.finished.Type == ConditionFailureTarget {
		job.Status.Conditions = append(job.Status.Conditions, *s.finished)
		needsFlush = true
		s.finished = newCondition(ConditionFailed, model.ConditionTrue, s.finished.Reason, s.finished.Message, s.now)
	}
	if s.finished != nil && s.finished.Type == ConditionSuccessCriteriaMet {
		if findCondition(job.Status.Conditions, ConditionSuccessCriteriaMet) == nil {
			job.Status.Conditions = append(job.Status.Conditions, *s.finished)
			needsFlush = true
		}
		s.finished = newCondition(ConditionComplete, model.ConditionTrue, s.finished.Reason, s.finished.Message, s.now)
	}
	finished := false
	if !reachedMax && s.finished != nil && s.terminating == 0 {
		f := s.finished
		job.Status.Conditions, _ = ensureConditionStatus(job.Status.Conditions, f.Type, f.Status, f.Reason, f.Message, s.now)
		if f.Type == ConditionComplete {
			t := s.now
			job.Status.CompletionTime = &t
		}
		finished = true
		needsFlush = true
	}
	markCounted := func() {
		for _, p := range toCount {
			s.tr.counted[p.UID] = true
			delete(s.tr.gone, p.UID)
		}
	}
	if !needsFlush {
		markCounted()
		cb(nil)
		return
	}
	c.client.Update(job, func(o model.Object, err error) {
		if err != nil {
			cb(err)
			return
		}
		markCounted()
		c.backoff[s.key] = s.newBackoff
		if s.failedIdx != nil {
			s.tr.failedIndexes = *s.failedIdx
		}
		if finished {
			c.recordFinished(job, s.finished)
		}
		cb(nil)
	})
}

// canCount is canRemoveFinalizer: a finished pod is counted unless it is
// a failed pod whose removal waits for its index's replacement.
func (c *Controller) canCount(s *syncCtx, p *model.Pod, considerFailed bool) bool {
	if s.job.DeletionTimestamp != nil || s.finished != nil || p.Status.Phase == model.PodSucceeded {
		return true
	}
	if !considerFailed {
		return false
	}
	if hasBackoffLimitPerIndex(s.job) {
		if ix := completionIndex(p.Annotations); ix != unknownCompletionIndex {
			if d, ok := s.delayed[ix]; ok && d.UID == p.UID {
				return false
			}
		}
	}
	return true
}

func (c *Controller) recordFinished(job *model.Job, f *model.JobCondition) {
	if f.Type == ConditionComplete {
		if job.Spec.Completions != nil && job.Status.Succeeded > *job.Spec.Completions {
			c.record("TooManySucceededPods", job.Key(), sim.F("message", "Too many succeeded pods running after completion count reached"))
		}
		c.record("Completed", job.Key(), sim.F("message", "Job completed"),
			sim.F("succeeded", job.Status.Succeeded), sim.F("failed", job.Status.Failed))
		return
	}
	c.record(f.Reason, job.Key(), sim.F("message", f.Message),
		sim.F("succeeded", job.Status.Succeeded), sim.F("failed", job.Status.Failed))
}
