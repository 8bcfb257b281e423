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

func TestResolveControllerRefAndSelecting(t *testing.T) {
	rs := func(name, uid string, sel *model.LabelSelector) *model.ReplicaSet {
		return &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", UID: uid},
			Spec: model.ReplicaSetSpec{Selector: sel}}
	}
	web := &model.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	ix := NewObjectIndex[*model.ReplicaSet]()
	ix.Set(rs("web", "u1", web))
	ix.Set(rs("all", "u2", &model.LabelSelector{})) // empty: selects nothing
	ix.Set(rs("bad", "u3", &model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "app", Operator: "Bogus"}}}))
	ix.Set(rs("web2", "u4", web))

	for _, tc := range []struct {
		ref  model.OwnerReference
		want string
	}{
		{model.OwnerReference{Kind: "ReplicaSet", Name: "web", UID: "u1"}, "web"},
		{model.OwnerReference{Kind: "ReplicaSet", Name: "web", UID: "old"}, ""}, // recreated under the same name
		{model.OwnerReference{Kind: "StatefulSet", Name: "web", UID: "u1"}, ""},
		{model.OwnerReference{Kind: "ReplicaSet", Name: "gone", UID: "u9"}, ""},
	} {
		got, ok := ix.ResolveControllerRef("ReplicaSet", "default", &tc.ref)
		require.Equal(t, tc.want != "", ok, "%+v", tc.ref)
		if ok {
			require.Equal(t, tc.want, got.Name)
		}
	}
	sel := func(r *model.ReplicaSet) *model.LabelSelector { return r.Spec.Selector }
	var got []string
	for _, r := range ix.Selecting("default", map[string]string{"app": "web"}, sel) {
		got = append(got, r.Name)
	}
	require.Equal(t, []string{"web", "web2"}, got)
	require.Empty(t, ix.Selecting("other", map[string]string{"app": "web"}, sel))
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
