package statefulset

import (
	"sort"

	"github.com/kubesim/kubesim/model"
)

// revision is one entry of a set's history: the stand-in for a
// ControllerRevision, which kubesim does not model.
type revision struct {
	name     string
	number   int64
	template model.PodTemplateSpec
}

// history keeps each set's revisions in memory, by set UID: the pod
// templates the controller has seen, numbered as upstream numbers
// ControllerRevisions.
type history struct {
	sets map[string][]*revision
}

func newHistory() *history { return &history{sets: map[string][]*revision{}} }

// revisions returns the set's revisions sorted by number.
func (h *history) revisions(uid string) []*revision {
	revs := h.sets[uid]
	sort.SliceStable(revs, func(i, j int) bool { return revs[i].number < revs[j].number })
	return revs
}

// resolve is getStatefulSetRevisions: the update revision is the set's
// current template; an equal revision that is the newest is reused, an
// older equal one is renumbered past the newest (a rollback), else a new
// revision is recorded. The current revision is the one named by
// status.currentRevision, or the update revision when that is unknown.
func (h *history) resolve(set *model.StatefulSet) (current, update *revision) {
	revs := h.revisions(set.UID)
	name := RevisionName(set, &set.Spec.Template)
	next := int64(1)
	if len(revs) > 0 {
		next = revs[len(revs)-1].number + 1
	}
	for i, r := range revs {
		if r.name != name {
			continue
		}
		if i != len(revs)-1 {
			r.number = next
		}
		update = r
		break
	}
	if update == nil {
		update = &revision{name: name, number: next, template: model.DeepCopy(set.Spec.Template)}
		h.sets[set.UID] = append(h.sets[set.UID], update)
	}
	for _, r := range h.sets[set.UID] {
		if r.name == set.Status.CurrentRevision {
			current = r
			break
		}
	}
	if current == nil {
		current = update
	}
	return current, update
}

// truncate is truncateHistory: revisions that are neither current, update
// nor worn by a pod are dropped, oldest first, down to
// revisionHistoryLimit.
func (h *history) truncate(set *model.StatefulSet, pods []*model.Pod, current, update *revision) {
	limit := int(model.Deref(set.Spec.RevisionHistoryLimit, 10))
	live := map[string]bool{current.name: true, update.name: true}
	for _, p := range pods {
		live[getPodRevision(p)] = true
	}
	revs := h.revisions(set.UID)
	var old []*revision
	for _, r := range revs {
		if !live[r.name] {
			old = append(old, r)
		}
	}
	if limit < 0 || len(old) <= limit {
		return
	}
	drop := map[*revision]bool{}
	for _, r := range old[:len(old)-limit] {
		drop[r] = true
	}
	kept := revs[:0]
	for _, r := range revs {
		if !drop[r] {
			kept = append(kept, r)
		}
	}
	h.sets[set.UID] = kept
}

// forget drops a deleted set's history.
func (h *history) forget(uid string) { delete(h.sets, uid) }

// applyRevision returns a copy of set with the revision's template
// (ApplyRevision).
func applyRevision(set *model.StatefulSet, r *revision) *model.StatefulSet {
	cp := model.DeepCopy(set)
	cp.Spec.Template = model.DeepCopy(r.template)
	return cp
}
