package replicaset

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// The helpers below live in ctrlutil, shared by all controllers; they stay
// exported here under their former names so that this package's API is
// unchanged for code outside model/controllers.

// Expectations is the ReplicaSet controller's UIDTrackingControllerExpectations.
type Expectations = ctrlutil.UIDTrackingExpectations

// NewExpectations returns an empty store; records older than timeout no
// longer block syncs.
func NewExpectations(now func() sim.Time, timeout time.Duration) *Expectations {
	return ctrlutil.NewUIDTrackingExpectations(now, timeout)
}

// ObjectIndex is an informer cache's indexes as controllers use them.
type ObjectIndex[T model.Object] = ctrlutil.ObjectIndex[T]

// NewObjectIndex returns an empty index.
func NewObjectIndex[T model.Object]() *ObjectIndex[T] { return ctrlutil.NewObjectIndex[T]() }

// ClaimAction is what a controller does about one candidate object.
type ClaimAction = ctrlutil.ClaimAction

// Claim outcomes (controller_ref_manager.go ClaimObject).
const (
	Ignore  = ctrlutil.Ignore
	Keep    = ctrlutil.Keep
	Adopt   = ctrlutil.Adopt
	Release = ctrlutil.Release
)

// Claim is ctrlutil.Claim (BaseControllerRefManager.ClaimObject).
func Claim(ownerUID, ns string, ownerDeleting bool, obj model.Object, match bool) ClaimAction {
	return ctrlutil.Claim(ownerUID, ns, ownerDeleting, obj, match)
}

// ClaimObjects is ctrlutil.ClaimObjects (ClaimPods / ClaimReplicaSets).
func ClaimObjects(c model.Client, owner model.Object, ref model.OwnerReference, selector model.Selector, objs []model.Object, done func([]model.Object, error)) {
	ctrlutil.ClaimObjects(c, owner, ref, selector, objs, done)
}

// AddControllerRef is ctrlutil.AddControllerRef (the adoption patch).
func AddControllerRef(m *model.ObjectMeta, ref model.OwnerReference) bool {
	return ctrlutil.AddControllerRef(m, ref)
}

// RemoveOwnerRef is ctrlutil.RemoveOwnerRef (the release patch).
func RemoveOwnerRef(m *model.ObjectMeta, uid string) bool { return ctrlutil.RemoveOwnerRef(m, uid) }

// NewControllerRef is ctrlutil.NewControllerRef (metav1.NewControllerRef).
func NewControllerRef(owner model.Object, apiVersion, kind string) model.OwnerReference {
	return ctrlutil.NewControllerRef(owner, apiVersion, kind)
}

// Patch is ctrlutil.Patch, the read-modify-write update standing in for
// PATCH.
func Patch(c model.Client, obj model.Object, mutate func(model.Object) bool, done func(model.Object, error)) {
	ctrlutil.Patch(c, obj, mutate, done)
}

// SlowStartBatches is ctrlutil.SlowStartBatches.
func SlowStartBatches(count, initial int) []int { return ctrlutil.SlowStartBatches(count, initial) }
