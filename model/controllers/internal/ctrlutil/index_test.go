package ctrlutil

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func names(pods []*model.Pod) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.Name
	}
	return out
}

func TestObjectIndex(t *testing.T) {
	owner := &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "rs", Namespace: "default", UID: "rs-uid"}}
	ref := NewControllerRef(owner, "apps/v1", "ReplicaSet")
	pod := func(name, uid string, refs ...model.OwnerReference) *model.Pod {
		return &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", UID: uid, OwnerReferences: refs}}
	}
	ix := NewObjectIndex[*model.Pod]()
	ix.Set(pod("c", "1", ref))
	ix.Set(pod("a", "2"))
	ix.Set(pod("b", "3", ref))
	require.Equal(t, []string{"a", "b", "c"}, names(ix.List("default")))
	require.Equal(t, []string{"b", "c"}, names(ix.Owned("rs-uid")))
	require.Equal(t, []string{"a"}, names(ix.Orphans("default")))
	require.Equal(t, []string{"a", "b", "c"}, names(ix.Candidates("default", "rs-uid")))
	require.Equal(t, []string{"a"}, names(ix.Candidates("default", "other")))

	ix.Set(pod("a", "2", ref)) // adopted
	require.Empty(t, ix.Orphans("default"))
	ix.Remove(pod("b", "stale-uid"))
	_, ok := ix.Get("default", "b")
	require.True(t, ok, "another UID under the name is kept")
	ix.Remove(pod("b", "3"))
	_, ok = ix.Get("default", "b")
	require.False(t, ok)
	require.Equal(t, []string{"a", "c"}, names(ix.Owned("rs-uid")))
}

func TestKeySets(t *testing.T) {
	s := KeySets{}
	s.Set("uid", "ns/b", true)
	s.Set("uid", "ns/a", true)
	require.Equal(t, []string{"ns/a", "ns/b"}, s.Sorted("uid"))
	s.Set("uid", "ns/a", false)
	s.Set("uid", "ns/b", false)
	require.Empty(t, s, "an emptied set is dropped")
	s.Set("other", "ns/x", false)
	require.Empty(t, s.Sorted("other"))

	owner := &model.Job{ObjectMeta: model.ObjectMeta{Name: "j", Namespace: "ns", UID: "job-uid"}}
	owned := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "p", Namespace: "ns",
		OwnerReferences: []model.OwnerReference{NewControllerRef(owner, "batch/v1", "Job")}}}
	s.SetControlled(owned, "DaemonSet", true)
	s.SetControlled(&model.Pod{ObjectMeta: model.ObjectMeta{Name: "orphan", Namespace: "ns"}}, "Job", true)
	require.Empty(t, s, "other kinds and orphans are left out")
	s.SetControlled(owned, "Job", true)
	require.Equal(t, []string{"ns/p"}, s.Sorted("job-uid"))
	s.SetControlled(owned, "Job", false)
	require.Empty(t, s)
}

func TestSplitKey(t *testing.T) {
	ns, name := SplitKey("default/web")
	require.Equal(t, [2]string{"default", "web"}, [2]string{ns, name})
	ns, name = SplitKey("node-1")
	require.Equal(t, [2]string{"", "node-1"}, [2]string{ns, name})
}
