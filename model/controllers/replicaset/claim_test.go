package replicaset

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

// TestClaim follows the cases of upstream's TestClaimPods
// (pkg/controller/controller_ref_manager_test.go) and ClaimObject's rules.
func TestClaim(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	owner := &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "rs", Namespace: "default", UID: "123"}}
	ref := NewControllerRef(owner, rsAPIVersion, rsKind)
	other := ref
	other.UID = "456"
	pod := func(refs ...model.OwnerReference) *model.Pod {
		return &model.Pod{ObjectMeta: model.ObjectMeta{Name: "p", Namespace: "default", OwnerReferences: refs}}
	}
	deleting := pod()
	deleting.DeletionTimestamp = &now
	elsewhere := pod()
	elsewhere.Namespace = "other"
	tests := []struct {
		name          string
		ownerDeleting bool
		obj           *model.Pod
		match         bool
		want          ClaimAction
	}{
		{"claim pods with correct label", false, pod(), true, Adopt},
		{"controller marked for deletion can not claim pods", true, pod(), true, Ignore},
		{"controller can release owned pods when selector doesn't match", false, pod(ref), false, Release},
		{"controller marked for deletion can not release pods", true, pod(ref), false, Ignore},
		{"already owned and matching", false, pod(ref), true, Keep},
		{"owned by another controller", false, pod(other), true, Ignore},
		{"controller does not adopt orphaned pods marked for deletion", false, deleting, true, Ignore},
		{"orphan that does not match", false, pod(), false, Ignore},
		{"orphan in another namespace", false, elsewhere, true, Ignore},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Claim(owner.UID, owner.Namespace, tc.ownerDeleting, tc.obj, tc.match))
		})
	}
	m := &model.ObjectMeta{}
	require.True(t, AddControllerRef(m, ref))
	require.False(t, AddControllerRef(m, ref), "adopting twice changes nothing")
	require.True(t, RemoveOwnerRef(m, "123"))
	require.Empty(t, m.OwnerReferences)
}
