package volume

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func TestResize(t *testing.T) {
	cases := []struct {
		name      string
		expansion bool
		to        string
		reason    model.StatusReason // of the claim update ("" = accepted)
	}{
		{"grown when the class allows expansion", true, "30Gi", ""},
		{"refused when it does not", false, "30Gi", model.ReasonForbidden},
		{"never below the capacity it has", true, "10Gi", model.ReasonInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []Driver{zonalDriver()}, threeZones)
			h.create(newClass("gp3", ebs, model.VolumeBindingImmediate, func(sc *model.StorageClass) {
				sc.AllowVolumeExpansion = model.Ptr(tc.expansion)
			}))
			h.create(newPVC("data", "20Gi", claimClass("gp3")))
			h.run(time.Minute)
			c := model.DeepCopy(h.pvc("data"))
			require.Equal(t, model.ClaimBound, c.Status.Phase)
			c.Spec.Resources.Requests[model.ResourceStorage] = model.MustParseQuantity(tc.to)
			_, err := h.s.Update(c)
			if tc.reason != "" {
				require.Error(t, err)
				assert.Equal(t, tc.reason, model.ReasonOf(err))
				return
			}
			require.NoError(t, err)
			h.run(5 * time.Second)
			assert.Equal(t, model.MustParseQuantity("20Gi"), h.pvc("data").Status.Capacity[model.ResourceStorage], "not before ControllerExpandVolume returns")
			h.run(10 * time.Second)
			want := model.MustParseQuantity(tc.to)
			assert.Equal(t, want, h.pvc("data").Status.Capacity[model.ResourceStorage])
			assert.Equal(t, want, h.pv(c.Spec.VolumeName).Spec.Capacity[model.ResourceStorage])
			ok := h.events("VolumeResizeSuccessful", "PersistentVolumeClaim/default/data")
			require.Len(t, ok, 1)
			assert.Equal(t, "Resize volume succeeded", ok[0].Field("message"))
		})
	}
}
