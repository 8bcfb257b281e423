package ctrlutil

import "github.com/kubesim/kubesim/model"

// maxPatchAttempts bounds the read-modify-write retries that stand in for
// upstream's PATCH.
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
