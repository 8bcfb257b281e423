package ctrlutil

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

// TestPatchRetriesOnConflict: a stale copy conflicts, is read again and the
// change re-applied; an object re-created under its name is NotFound.
func TestPatchRetriesOnConflict(t *testing.T) {
	newPod := func() *model.Pod {
		return &model.Pod{ObjectMeta: model.ObjectMeta{Name: "p", Namespace: "default"},
			Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "busybox"}}}}
	}
	k := sim.NewKernel(1)
	s := apiserver.New(k, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := s.NewClient("test", -1, 0)
	o, err := s.Create(newPod())
	require.NoError(t, err)
	stale := o.(*model.Pod)
	cur := model.DeepCopy(stale)
	cur.Labels = map[string]string{"changed": "meanwhile"}
	_, err = s.Update(cur)
	require.NoError(t, err)

	owner := &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "rs", Namespace: "default", UID: "rs-uid"}}
	ref := NewControllerRef(owner, "apps/v1", "ReplicaSet")
	var got model.Object
	Patch(c, stale, func(obj model.Object) bool {
		return AddControllerRef(obj.GetObjectMeta(), ref)
	}, func(o model.Object, err error) {
		require.NoError(t, err)
		got = o
	})
	k.Run(sim.Never)
	require.NotNil(t, got)
	require.Equal(t, "meanwhile", got.GetObjectMeta().Labels["changed"], "applied to the fresh object")
	require.Equal(t, "rs-uid", got.GetObjectMeta().ControllerRef().UID)

	require.NoError(t, s.Delete("Pod", "default", "p"))
	_, err = s.Create(newPod())
	require.NoError(t, err)
	var patchErr error
	Patch(c, got, func(obj model.Object) bool {
		return RemoveOwnerRef(obj.GetObjectMeta(), "rs-uid")
	}, func(_ model.Object, err error) { patchErr = err })
	k.Run(sim.Never)
	require.True(t, model.IsNotFound(patchErr), "got %v", patchErr)
}
