package volume

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

var (
	rwo = model.ReadWriteOnce
	rox = model.ReadOnlyMany
	rwx = model.ReadWriteMany
)

// TestBinding checks which volume each claim gets against the rules of
// upstream's pv_controller.go syncUnboundClaim and index.go
// findBestMatchForClaim: the smallest Available volume that fits, searched
// by access-mode groups from the fewest modes up, of the same class and
// volume mode, matching the selector; a claim naming a volume gets it; a
// volume pre-bound to a claim goes to that claim.
func TestBinding(t *testing.T) {
	cases := []struct {
		name    string
		volumes []*model.PersistentVolume
		claims  []*model.PersistentVolumeClaim
		want    map[string]string // claim -> volume ("" = Pending)
	}{
		{
			name:    "smallest volume that fits",
			volumes: []*model.PersistentVolume{newPV("pv-1g", "1Gi"), newPV("pv-10g", "10Gi"), newPV("pv-5g", "5Gi")},
			claims:  []*model.PersistentVolumeClaim{newPVC("data", "3Gi")},
			want:    map[string]string{"data": "pv-5g"},
		},
		{
			name: "fewest access modes first: a large RWO volume beats a small RWO+ROX+RWX one",
			volumes: []*model.PersistentVolume{newPV("big-rwo", "100Gi"),
				newPV("small-all", "1Gi", modes(rwo, rox, rwx))},
			claims: []*model.PersistentVolumeClaim{newPVC("data", "1Gi")},
			want:   map[string]string{"data": "big-rwo"},
		},
		{
			name:    "a ReadWriteMany claim skips volumes without the mode",
			volumes: []*model.PersistentVolume{newPV("rwo", "10Gi"), newPV("rwx", "20Gi", modes(rwx))},
			claims:  []*model.PersistentVolumeClaim{newPVC("shared", "5Gi", claimModes(rwx))},
			want:    map[string]string{"shared": "rwx"},
		},
		{
			name:    "the class must match; no class means the empty class",
			volumes: []*model.PersistentVolume{newPV("gold-1", "10Gi", class("gold"))},
			claims:  []*model.PersistentVolumeClaim{newPVC("plain", "1Gi"), newPVC("golden", "1Gi", claimClass("gold"))},
			want:    map[string]string{"plain": "", "golden": "gold-1"},
		},
		{
			name: "the selector restricts the candidates",
			volumes: []*model.PersistentVolume{newPV("a-plain", "1Gi"),
				newPV("b-fast", "2Gi", labels(map[string]string{"tier": "fast"}))},
			claims: []*model.PersistentVolumeClaim{newPVC("data", "1Gi", selector(map[string]string{"tier": "fast"}))},
			want:   map[string]string{"data": "b-fast"},
		},
		{
			name:    "volume modes must agree",
			volumes: []*model.PersistentVolume{newPV("fs", "1Gi"), newPV("raw", "5Gi", block())},
			claims:  []*model.PersistentVolumeClaim{newPVC("disk", "1Gi", claimBlock())},
			want:    map[string]string{"disk": "raw"},
		},
		{
			name:    "a claim naming a volume gets it even when a smaller one fits",
			volumes: []*model.PersistentVolume{newPV("pv-1g", "1Gi"), newPV("pv-100g", "100Gi")},
			claims:  []*model.PersistentVolumeClaim{newPVC("data", "1Gi", boundTo("pv-100g"))},
			want:    map[string]string{"data": "pv-100g"},
		},
		{
			name:    "a volume pre-bound to a claim goes to that claim",
			volumes: []*model.PersistentVolume{newPV("pv-100g", "100Gi", preBound("a")), newPV("pv-1g", "1Gi")},
			claims:  []*model.PersistentVolumeClaim{newPVC("a", "1Gi"), newPVC("b", "1Gi")},
			want:    map[string]string{"a": "pv-100g", "b": "pv-1g"},
		},
		{
			name:    "two claims, one volume: the first synced wins, the other waits",
			volumes: []*model.PersistentVolume{newPV("only", "1Gi")},
			claims:  []*model.PersistentVolumeClaim{newPVC("c1", "1Gi"), newPVC("c2", "1Gi")},
			want:    map[string]string{"c1": "only", "c2": ""},
		},
		{
			name:    "a volume too small is not used",
			volumes: []*model.PersistentVolume{newPV("small", "1Gi")},
			claims:  []*model.PersistentVolumeClaim{newPVC("data", "2Gi")},
			want:    map[string]string{"data": ""},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			for _, v := range tc.volumes {
				h.create(v)
			}
			for _, c := range tc.claims {
				h.create(c)
			}
			h.run(time.Minute)
			boundVolumes := map[string]bool{}
			for claim, volume := range tc.want {
				c := h.pvc(claim)
				if volume == "" {
					assert.Equal(t, model.ClaimPending, c.Status.Phase, "claim %s", claim)
					assert.Empty(t, c.Spec.VolumeName, "claim %s", claim)
					continue
				}
				boundVolumes[volume] = true
				assert.Equal(t, volume, c.Spec.VolumeName, "claim %s", claim)
				assert.Equal(t, model.ClaimBound, c.Status.Phase, "claim %s", claim)
				assert.Contains(t, c.Annotations, model.AnnBindCompleted)
				pv := h.pv(volume)
				assert.Equal(t, pv.Spec.Capacity[model.ResourceStorage], c.Status.Capacity[model.ResourceStorage], "claim %s reports its volume's capacity", claim)
				assert.Equal(t, pv.Spec.AccessModes, c.Status.AccessModes)
				assert.Equal(t, model.VolumeBound, pv.Status.Phase, "volume %s", volume)
				require.NotNil(t, pv.Spec.ClaimRef)
				assert.Equal(t, c.UID, pv.Spec.ClaimRef.UID, "volume %s points back at claim %s", volume, claim)
			}
			for _, v := range tc.volumes {
				if !boundVolumes[v.Name] {
					assert.Equal(t, model.VolumeAvailable, h.pv(v.Name).Status.Phase, "volume %s", v.Name)
				}
			}
		})
	}
}

func TestUnmatchedClaimEvents(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.create(newPVC("plain", "1Gi"), newPVC("missing-class", "1Gi", claimClass("nope")))
	h.run(time.Minute)
	require.NotEmpty(t, h.events("FailedBinding", "PersistentVolumeClaim/default/plain"))
	assert.Equal(t, msgNoClassNoVolume, h.events("FailedBinding", "PersistentVolumeClaim/default/plain")[0].Field("message"))
	failed := h.events("ProvisioningFailed", "PersistentVolumeClaim/default/missing-class")
	require.NotEmpty(t, failed)
	assert.Equal(t, `storageclass.storage.k8s.io "nope" not found`, failed[0].Field("message"))
}

// TestReclaim deletes a bound claim and checks the volume's fate under
// each reclaim policy (pv_controller.go reclaimVolume).
func TestReclaim(t *testing.T) {
	cases := []struct {
		name    string
		pv      *model.PersistentVolume
		phase   model.PersistentVolumePhase // after the claim is gone
		event   string
		cleared bool // claimRef removed
	}{
		{"Retain keeps the volume Released", newPV("v", "1Gi", reclaim(model.PersistentVolumeReclaimRetain)), model.VolumeReleased, "", false},
		{"Recycle scrubs an NFS volume and makes it Available", newPV("v", "1Gi", reclaim(model.PersistentVolumeReclaimRecycle)), model.VolumeAvailable, "VolumeRecycled", true},
		{"Recycle has no plugin for a CSI volume", newPV("v", "1Gi", reclaim(model.PersistentVolumeReclaimRecycle), csi("x.csi")), model.VolumeFailed, "VolumeFailedRecycle", false},
		{"Delete of a static volume fails: no plugin can delete it", newPV("v", "1Gi", reclaim(model.PersistentVolumeReclaimDelete)), model.VolumeFailed, "VolumeFailedDelete", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			h.create(tc.pv, newPVC("data", "1Gi"))
			h.run(time.Minute)
			require.Equal(t, model.VolumeBound, h.pv("v").Status.Phase)
			h.delete("PersistentVolumeClaim", "default", "data")
			h.run(time.Minute)
			pv := h.pv("v")
			assert.Equal(t, tc.phase, pv.Status.Phase)
			assert.Equal(t, tc.cleared, pv.Spec.ClaimRef == nil)
			if tc.event != "" {
				assert.NotEmpty(t, h.events(tc.event, "PersistentVolume/v"))
			}
			// A Released volume is not given to a new claim.
			if tc.phase == model.VolumeReleased {
				h.create(newPVC("again", "1Gi"))
				h.run(time.Minute)
				assert.Empty(t, h.pvc("again").Spec.VolumeName)
			}
		})
	}
}
