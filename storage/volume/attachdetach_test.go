package volume

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func attachDriver() Driver {
	return Driver{Name: ebs, AttachLatency: model.Seconds(5 * time.Second), DetachLatency: model.Seconds(5 * time.Second)}
}

func podOn(name, node string, claims ...string) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default"},
		Spec: model.PodSpec{NodeName: node, Containers: []model.Container{{Name: "c", Image: "img"}}}}
	for _, c := range claims {
		p.Spec.Volumes = append(p.Spec.Volumes, model.Volume{Name: c, PersistentVolumeClaim: &model.PersistentVolumeClaimVolumeSource{ClaimName: c}})
	}
	return p
}

func (h *harness) attachment(pv, node string) (*model.VolumeAttachment, bool) {
	o, err := h.s.Get("VolumeAttachment", "", model.AttachmentName("h-"+pv, ebs, node))
	if err != nil {
		return nil, false
	}
	return o.(*model.VolumeAttachment), true
}

func (h *harness) forceDelete(pod string) {
	h.t.Helper()
	require.NoError(h.t, h.s.DeleteWith("Pod", "default", pod, model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)}))
}

func (h *harness) setNodeReady(node string, ready bool, taints ...model.Taint) {
	h.t.Helper()
	o, err := h.s.Get("Node", "", node)
	require.NoError(h.t, err)
	n := o.(*model.Node)
	st := model.ConditionTrue
	if !ready {
		st = model.ConditionFalse
	}
	n.Status.Conditions = []model.NodeCondition{{Type: model.NodeReady, Status: st}}
	n.Spec.Taints = taints
	got, err := h.s.Update(n)
	require.NoError(h.t, err)
	n.ResourceVersion = got.GetObjectMeta().ResourceVersion
	_, err = h.s.UpdateStatus(n)
	require.NoError(h.t, err)
}

// boundVolume makes a CSI volume of the driver and a claim bound to it.
func (h *harness) boundVolume(name string, m ...model.PersistentVolumeAccessMode) {
	if len(m) == 0 {
		m = []model.PersistentVolumeAccessMode{rwo}
	}
	h.create(newPV(name, "1Gi", csi(ebs), modes(m...), preBound(name)), newPVC(name, "1Gi", claimModes(m...)))
}

func TestAttachAndDetach(t *testing.T) {
	h := newHarness(t, []Driver{attachDriver()}, threeZones)
	h.boundVolume("v1")
	h.run(10 * time.Second)
	h.create(podOn("p1", "node-a", "v1"))
	h.run(time.Second)
	va, ok := h.attachment("v1", "node-a")
	require.True(t, ok, "the controller creates the VolumeAttachment for the pod's node")
	assert.False(t, va.Status.Attached)
	assert.Equal(t, []string{"external-attacher/ebs-csi-aws-com"}, va.Finalizers)
	h.run(10 * time.Second)
	va, _ = h.attachment("v1", "node-a")
	assert.True(t, va.Status.Attached)
	ok1 := h.events("SuccessfulAttachVolume", "default/p1")
	require.Len(t, ok1, 1)
	assert.Equal(t, `AttachVolume.Attach succeeded for volume "v1"`, ok1[0].Field("message"))

	h.forceDelete("p1")
	h.run(time.Second)
	va, ok = h.attachment("v1", "node-a")
	require.True(t, ok, "detaching: the attacher's finalizer holds the object")
	assert.NotNil(t, va.DeletionTimestamp)
	h.run(10 * time.Second)
	_, ok = h.attachment("v1", "node-a")
	assert.False(t, ok, "detached")
	assert.Len(t, h.events("VolumeDetached", ""), 1)
}

// TestAttachLimit: the driver refuses a node's attachment beyond its
// limit; the error lands on the pod as FailedAttachVolume.
func TestAttachLimit(t *testing.T) {
	d := attachDriver()
	d.AttachLimit = 1
	h := newHarness(t, []Driver{d}, threeZones)
	h.boundVolume("v1")
	h.boundVolume("v2")
	h.run(10 * time.Second)
	h.create(podOn("p1", "node-a", "v1"))
	h.run(10 * time.Second)
	h.create(podOn("p2", "node-a", "v2"))
	h.run(10 * time.Second)
	va, _ := h.attachment("v2", "node-a")
	require.NotNil(t, va)
	assert.False(t, va.Status.Attached)
	require.NotNil(t, va.Status.AttachError)
	assert.Contains(t, va.Status.AttachError.Message, "ResourceExhausted")
	failed := h.events("FailedAttachVolume", "default/p2")
	require.NotEmpty(t, failed)
	assert.True(t, strings.HasPrefix(failed[0].Field("message").(string), `AttachVolume.Attach failed for volume "v2" : rpc error: code = ResourceExhausted`))
	// Room frees up when the first pod goes; the retry then succeeds.
	h.forceDelete("p1")
	h.run(5 * time.Minute)
	va, _ = h.attachment("v2", "node-a")
	assert.True(t, va.Status.Attached)
}

// TestMultiAttach: a ReadWriteOnce volume still attached to its old node
// cannot be attached to a new one; a ReadWriteMany volume can.
func TestMultiAttach(t *testing.T) {
	h := newHarness(t, []Driver{attachDriver()}, threeZones)
	h.boundVolume("v1")
	h.boundVolume("shared", rwx)
	h.run(10 * time.Second)
	h.create(podOn("p1", "node-a", "v1", "shared"))
	h.run(10 * time.Second)
	h.sys.SetDetachStuck(ebs, true)
	h.forceDelete("p1")
	h.create(podOn("p2", "node-b", "v1", "shared"))
	h.run(time.Minute)
	_, onB := h.attachment("v1", "node-b")
	assert.False(t, onB, "not attached while still attached to node-a")
	failed := h.events("FailedAttachVolume", "default/p2")
	require.Len(t, failed, 1)
	assert.Equal(t, `Multi-Attach error for volume "v1" Volume is already exclusively attached to one node and can't be attached to another`, failed[0].Field("message"))
	shared, ok := h.attachment("shared", "node-b")
	require.True(t, ok)
	assert.True(t, shared.Status.Attached, "a ReadWriteMany volume attaches to many nodes")

	h.sys.SetDetachStuck(ebs, false)
	h.run(time.Minute)
	va, ok := h.attachment("v1", "node-b")
	require.True(t, ok)
	assert.True(t, va.Status.Attached)
}

// TestDetachFromUnhealthyNode: the controller waits maxWaitForUnmount
// (6 min) before detaching from a node that is not Ready, unless the node
// is out of service.
func TestDetachFromUnhealthyNode(t *testing.T) {
	cases := []struct {
		name   string
		taints []model.Taint
		wait   time.Duration
	}{
		{"not ready: wait 6 minutes", nil, 6 * time.Minute},
		{"out of service: at once", []model.Taint{{Key: TaintOutOfService, Value: "nodeshutdown", Effect: model.TaintEffectNoExecute}}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []Driver{attachDriver()}, threeZones)
			h.boundVolume("v1")
			h.run(10 * time.Second)
			h.create(podOn("p1", "node-a", "v1"))
			h.run(10 * time.Second)
			h.setNodeReady("node-a", false, tc.taints...)
			h.run(time.Second)
			h.forceDelete("p1")
			gone := h.k.Now()
			h.run(time.Millisecond)
			for {
				if va, ok := h.attachment("v1", "node-a"); !ok || va.DeletionTimestamp != nil {
					break
				}
				h.run(time.Second)
				require.Less(t, h.k.Now().Sub(gone), 10*time.Minute)
			}
			assert.InDelta(t, tc.wait.Seconds(), h.k.Now().Sub(gone).Seconds(), 1.1)
		})
	}
}
