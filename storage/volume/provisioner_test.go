package volume

import (
	"hash/fnv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

const ebs = "ebs.csi.aws.com"

var threeZones = map[string]string{"node-a": "a", "node-b": "b", "node-c": "c"}

func zonalDriver() Driver {
	return Driver{Name: ebs, Topology: TopologyZonal, ProvisionLatency: model.Seconds(3 * time.Second), DeleteLatency: model.Seconds(2 * time.Second)}
}

// hashZone is the zone external-provisioner prefers for an Immediate
// claim: the volume name's FNV-1a hash over the sorted zones.
func hashZone(volume string, zones []string) string {
	f := fnv.New32a()
	f.Write([]byte(volume))
	return zones[f.Sum32()%uint32(len(zones))]
}

func TestProvisionImmediate(t *testing.T) {
	cases := []struct {
		name    string
		allowed []string
		zones   []string // candidate zones, sorted
	}{
		{"any zone with nodes", nil, []string{"a", "b", "c"}},
		{"only the zones allowedTopologies names", []string{"b"}, []string{"b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []Driver{zonalDriver()}, threeZones)
			h.create(newClass("gp3", ebs, model.VolumeBindingImmediate, func(sc *model.StorageClass) {
				if tc.allowed != nil {
					sc.AllowedTopologies = []model.TopologySelectorTerm{{MatchLabelExpressions: []model.TopologySelectorLabelRequirement{{Key: model.LabelTopologyZone, Values: tc.allowed}}}}
				}
			}))
			h.create(newPVC("data", "20Gi", claimClass("gp3")))
			h.run(2 * time.Second)
			c := h.pvc("data")
			assert.Equal(t, ebs, c.Annotations[model.AnnStorageProvisioner], "the PV controller hands the claim to the class's provisioner")
			assert.NotEmpty(t, h.events("ExternalProvisioning", "PersistentVolumeClaim/default/data"))
			assert.Empty(t, c.Spec.VolumeName, "not provisioned before the latency has passed")
			h.run(time.Minute)
			c = h.pvc("data")
			name := "pvc-" + c.UID
			require.Equal(t, name, c.Spec.VolumeName)
			assert.Equal(t, model.ClaimBound, c.Status.Phase)
			pv := h.pv(name)
			assert.Equal(t, model.MustParseQuantity("20Gi"), pv.Spec.Capacity[model.ResourceStorage])
			assert.Equal(t, "gp3", pv.Spec.StorageClassName)
			assert.Equal(t, model.PersistentVolumeReclaimDelete, pv.Spec.PersistentVolumeReclaimPolicy, "the class's default reclaim policy")
			assert.Equal(t, ebs, pv.Annotations[model.AnnDynamicallyProvisioned])
			assert.Equal(t, hashZone(name, tc.zones), volumeZone(pv))
			ok := h.events("ProvisioningSucceeded", "PersistentVolumeClaim/default/data")
			require.Len(t, ok, 1)
			// CreateVolume's 3 s, then the PV's create through the API.
			took := time.Duration(ok[0].T - h.events("Provisioning", "PersistentVolumeClaim/default/data")[0].T)
			assert.InDelta(t, 3, took.Seconds(), 0.01)
		})
	}
}

// TestProvisionWaitForFirstConsumer: nothing is provisioned until the
// scheduler picks a node, then the volume is made in that node's zone.
func TestProvisionWaitForFirstConsumer(t *testing.T) {
	h := newHarness(t, []Driver{zonalDriver()}, threeZones)
	h.create(newClass("gp3", ebs, model.VolumeBindingWaitForFirstConsumer))
	h.create(newPVC("data", "20Gi", claimClass("gp3")))
	h.run(time.Minute)
	assert.Empty(t, h.pvc("data").Spec.VolumeName)
	assert.NotEmpty(t, h.events("WaitForFirstConsumer", "PersistentVolumeClaim/default/data"))
	assert.Empty(t, h.events("Provisioning", ""))

	c := model.DeepCopy(h.pvc("data"))
	c.Annotations = map[string]string{model.AnnSelectedNode: "node-c"}
	_, err := h.s.Update(c)
	require.NoError(t, err)
	h.run(time.Minute)
	c = h.pvc("data")
	require.NotEmpty(t, c.Spec.VolumeName)
	assert.Equal(t, "c", volumeZone(h.pv(c.Spec.VolumeName)), "provisioned in the selected node's zone")
}

func TestProvisionFailuresRetryWithBackoff(t *testing.T) {
	d := zonalDriver()
	d.ProvisionLatency = model.Seconds(0)
	h := newHarness(t, []Driver{d}, threeZones)
	h.create(newClass("gp3", ebs, model.VolumeBindingImmediate))
	h.sys.SetZoneDown("a", true)
	h.sys.SetZoneDown("b", true)
	h.sys.SetZoneDown("c", true)
	h.create(newPVC("data", "1Gi", claimClass("gp3")))
	h.run(40 * time.Second)
	failed := h.events("ProvisioningFailed", "")
	// external-provisioner's per-claim backoff: 1 s doubling (1, 2, 4,
	// 8, 16 s): failures at 0, 1, 3, 7, 15 and 31 s after the first.
	require.GreaterOrEqual(t, len(failed), 6)
	first := failed[0].T
	for i, want := range []float64{0, 1, 3, 7, 15, 31} {
		assert.InDelta(t, want, time.Duration(failed[i].T-first).Seconds(), 0.1, "failure %d", i)
	}
	assert.Contains(t, failed[0].Field("message"), "is unavailable")
	h.sys.SetZoneDown("a", false)
	h.sys.SetZoneDown("b", false)
	h.sys.SetZoneDown("c", false)
	h.run(time.Second)
	assert.NotEmpty(t, h.pvc("data").Spec.VolumeName, "provisioned once the zones are back")
}

func TestProvisionerOutage(t *testing.T) {
	h := newHarness(t, []Driver{zonalDriver()}, threeZones)
	h.create(newClass("gp3", ebs, model.VolumeBindingImmediate))
	h.sys.SetProvisionerDown(ebs, true)
	h.create(newPVC("data", "1Gi", claimClass("gp3")))
	h.run(10 * time.Minute)
	assert.Empty(t, h.pvc("data").Spec.VolumeName, "nothing is provisioned while the provisioner is down")
	h.sys.SetProvisionerDown(ebs, false)
	h.run(10 * time.Second)
	assert.NotEmpty(t, h.pvc("data").Spec.VolumeName)
}

// TestDynamicVolumeDeleted: a provisioned volume with reclaim policy
// Delete is deleted by its provisioner once its claim is gone.
func TestDynamicVolumeDeleted(t *testing.T) {
	h := newHarness(t, []Driver{zonalDriver()}, threeZones)
	h.create(newClass("gp3", ebs, model.VolumeBindingImmediate))
	h.create(newPVC("data", "1Gi", claimClass("gp3")))
	h.run(time.Minute)
	name := h.pvc("data").Spec.VolumeName
	require.NotEmpty(t, name)
	h.delete("PersistentVolumeClaim", "default", "data")
	h.run(time.Second)
	assert.Equal(t, model.VolumeReleased, h.pv(name).Status.Phase)
	h.run(time.Minute)
	assert.True(t, h.pvGone(name))
	assert.NotEmpty(t, h.events("VolumeDeleted", "PersistentVolume/"+name))
}
