package ctrlutil

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// NewControllerRef is metav1.NewControllerRef: an owner reference marked
// controller and blocking owner deletion.
func NewControllerRef(owner model.Object, apiVersion, kind string) model.OwnerReference {
	m := owner.GetObjectMeta()
	return model.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: m.Name, UID: m.UID,
		Controller: model.Ptr(true), BlockOwnerDeletion: model.Ptr(true)}
}

// ResolveControllerRef returns the object in inf's cache that obj's
// controller reference names, when the reference is of kind and the cached
// object has its UID (the controllers' resolveControllerRef).
func ResolveControllerRef(inf *model.Informer, obj model.Object, kind string) (model.Object, bool) {
	m := obj.GetObjectMeta()
	ref := m.ControllerRef()
	if ref == nil || ref.Kind != kind {
		return nil, false
	}
	o, ok := inf.Get(m.Namespace, ref.Name)
	if !ok || o.GetObjectMeta().UID != ref.UID {
		return nil, false
	}
	return o, true
}

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

// aggregate joins errors like utilerrors.NewAggregate.
type aggregate []error

func (a aggregate) Error() string {
	if len(a) == 1 {
		return a[0].Error()
	}
	msgs := make([]string, len(a))
	for i, e := range a {
		msgs[i] = e.Error()
	}
	sort.Strings(msgs)
	return "[" + strings.Join(msgs, ", ") + "]"
}

func (a aggregate) Unwrap() []error { return a }
