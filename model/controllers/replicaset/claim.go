package replicaset

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
)

// ClaimAction is what a controller does about one candidate object.
type ClaimAction int

// Claim outcomes (controller_ref_manager.go ClaimObject).
const (
	// Ignore: owned by another controller, or neither owned nor wanted.
	Ignore ClaimAction = iota
	// Keep: already owned and still matching.
	Keep
	// Adopt: a matching orphan to take ownership of.
	Adopt
	// Release: owned but no longer matching; drop the owner reference.
	Release
)

// Claim decides what the controller owner (UID ownerUID, namespace ns,
// being deleted or not) does with obj, given whether obj matches its
// selector (BaseControllerRefManager.ClaimObject).
func Claim(ownerUID, ns string, ownerDeleting bool, obj model.Object, match bool) ClaimAction {
	m := obj.GetObjectMeta()
	if ref := m.ControllerRef(); ref != nil {
		if ref.UID != ownerUID {
			return Ignore
		}
		if match {
			return Keep
		}
		if ownerDeleting {
			return Ignore
		}
		return Release
	}
	if ownerDeleting || !match || m.DeletionTimestamp != nil {
		return Ignore
	}
	if ns != "" && m.Namespace != ns {
		return Ignore
	}
	return Adopt
}

// AddControllerRef returns the owner references of m with ref appended
// (the adoption patch).
func AddControllerRef(m *model.ObjectMeta, ref model.OwnerReference) bool {
	for _, r := range m.OwnerReferences {
		if r.UID == ref.UID {
			return false
		}
	}
	m.OwnerReferences = append(m.OwnerReferences, ref)
	return true
}

// RemoveOwnerRef drops the owner reference with uid (the release patch).
func RemoveOwnerRef(m *model.ObjectMeta, uid string) bool {
	out := m.OwnerReferences[:0:0]
	for _, r := range m.OwnerReferences {
		if r.UID != uid {
			out = append(out, r)
		}
	}
	changed := len(out) != len(m.OwnerReferences)
	m.OwnerReferences = out
	return changed
}

// ClaimObjects is ClaimPods / ClaimReplicaSets
// (controller_ref_manager.go) over objs in order: it keeps owned matching
// objects, adopts matching orphans and releases owned objects that no
// longer match, writing one object after another. Before the first
// adoption it reads owner from the API (RecheckDeletionTimestamp) and
// adopts nothing if the owner is gone, replaced or being deleted.
// done gets the claimed objects in their original order and the aggregated
// errors; NotFound answers skip an object silently.
func ClaimObjects(c model.Client, owner model.Object, ref model.OwnerReference, selector model.Selector, objs []model.Object, done func([]model.Object, error)) {
	om := owner.GetObjectMeta()
	deleting := om.DeletionTimestamp != nil
	actions := make([]ClaimAction, len(objs))
	kept := make([]model.Object, len(objs))
	adopting, writing := false, false
	for i, o := range objs {
		actions[i] = Claim(om.UID, om.Namespace, deleting, o, selector.Matches(o.GetObjectMeta().Labels))
		switch actions[i] {
		case Keep:
			kept[i] = o
		case Adopt:
			adopting, writing = true, true
		case Release:
			writing = true
		}
	}
	collect := func(errs []error) {
		var out []model.Object
		for _, o := range kept {
			if o != nil {
				out = append(out, o)
			}
		}
		if len(errs) > 0 {
			done(out, aggregate(errs))
			return
		}
		done(out, nil)
	}
	if !writing {
		collect(nil)
		return
	}
	var errs []error
	var run func(i int, canAdopt error)
	run = func(i int, canAdopt error) {
		for i < len(objs) && actions[i] != Adopt && actions[i] != Release {
			i++
		}
		if i == len(objs) {
			collect(errs)
			return
		}
		o := objs[i]
		if actions[i] == Adopt {
			if canAdopt != nil {
				errs = append(errs, canAdopt)
				run(i+1, canAdopt)
				return
			}
			Patch(c, o, func(obj model.Object) bool {
				return AddControllerRef(obj.GetObjectMeta(), ref)
			}, func(updated model.Object, err error) {
				switch {
				case err == nil:
					kept[i] = updated
				case model.IsNotFound(err):
				default:
					errs = append(errs, err)
				}
				run(i+1, nil)
			})
			return
		}
		Patch(c, o, func(obj model.Object) bool {
			return RemoveOwnerRef(obj.GetObjectMeta(), om.UID)
		}, func(_ model.Object, err error) {
			if err != nil && !model.IsNotFound(err) && model.ReasonOf(err) != model.ReasonInvalid {
				errs = append(errs, err)
			}
			run(i+1, canAdopt)
		})
	}
	if !adopting {
		run(0, nil)
		return
	}
	kind := model.KindOf(owner).Kind
	c.Get(kind, om.Namespace, om.Name, func(fresh model.Object, err error) {
		var canAdopt error
		switch {
		case err != nil:
			canAdopt = err
		case fresh.GetObjectMeta().UID != om.UID:
			canAdopt = fmt.Errorf("original %s %s is gone: got uid %s, wanted %s", kind, om.Key(), fresh.GetObjectMeta().UID, om.UID)
		case fresh.GetObjectMeta().DeletionTimestamp != nil:
			canAdopt = fmt.Errorf("%s %s has just been deleted at %v", kind, om.Key(), *fresh.GetObjectMeta().DeletionTimestamp)
		}
		run(0, canAdopt)
	})
}

// maxPatchAttempts bounds the read-modify-write retries that stand in for
// PATCH.
const maxPatchAttempts = 3

// Patch applies mutate to a copy of obj and updates it with obj's
// resourceVersion; on a Conflict it reads the object again and retries
// (at most maxPatchAttempts writes). A UID change counts as NotFound.
// mutate returns false when there is nothing to change.
func Patch(c model.Client, obj model.Object, mutate func(model.Object) bool, done func(model.Object, error)) {
	kind := model.KindOf(obj).Kind
	meta := obj.GetObjectMeta()
	uid := meta.UID
	var attempt func(cur model.Object, n int)
	attempt = func(cur model.Object, n int) {
		cp := model.DeepCopyObject(cur)
		if !mutate(cp) {
			done(cur, nil)
			return
		}
		c.Update(cp, func(o model.Object, err error) {
			if err == nil || !model.IsConflict(err) || n+1 >= maxPatchAttempts {
				done(o, err)
				return
			}
			c.Get(kind, meta.Namespace, meta.Name, func(fresh model.Object, err error) {
				if err != nil {
					done(nil, err)
					return
				}
				if fresh.GetObjectMeta().UID != uid {
					done(nil, &model.StatusError{Reason: model.ReasonNotFound, Kind: kind, Key: meta.Key(), Message: "UID precondition failed"})
					return
				}
				attempt(fresh, n+1)
			})
		})
	}
	attempt(obj, 0)
}
