package volume

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var testStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type harness struct {
	t   *testing.T
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
	sys *System
}

// newHarness runs the storage control plane on an ideal API server with
// the given drivers; nodes are created Ready in the zones given.
func newHarness(t *testing.T, drivers []Driver, nodes map[string]string) *harness {
	t.Helper()
	k := sim.NewKernel(5)
	s := apiserver.New(k, testStart)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	h := &harness{t: t, k: k, s: s, rec: rec}
	for _, name := range model.SortedKeys(nodes) {
		n := &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{
			model.LabelHostname: name, model.LabelTopologyZone: nodes[name]}}}
		n.Status.Conditions = []model.NodeCondition{{Type: model.NodeReady, Status: model.ConditionTrue}}
		h.create(n)
	}
	cfg := SystemConfig{Drivers: drivers, PV: DefaultConfig(), AttachDetach: DefaultAttachDetachConfig()}
	cfg.PV.Start = testStart
	sys, err := NewSystem(k, s.NewClient, cfg)
	require.NoError(t, err)
	sys.Start(s.NewClient("admin", 0, 0))
	h.sys = sys
	return h
}

func (h *harness) create(objs ...model.Object) {
	h.t.Helper()
	for _, o := range objs {
		model.SetTypeMeta(o)
		_, err := h.s.Create(o)
		require.NoError(h.t, err, "create %s", model.Key(o))
	}
}

func (h *harness) delete(kind, ns, name string) {
	h.t.Helper()
	require.NoError(h.t, h.s.Delete(kind, ns, name))
}

// run advances simulated time by d.
func (h *harness) run(d time.Duration) { h.k.Run(h.k.Now().Add(d)) }

func (h *harness) pv(name string) *model.PersistentVolume {
	h.t.Helper()
	o, err := h.s.Get("PersistentVolume", "", name)
	require.NoError(h.t, err, "PV %s", name)
	return o.(*model.PersistentVolume)
}

func (h *harness) pvGone(name string) bool {
	_, err := h.s.Get("PersistentVolume", "", name)
	return model.IsNotFound(err)
}

func (h *harness) pvc(name string) *model.PersistentVolumeClaim {
	h.t.Helper()
	o, err := h.s.Get("PersistentVolumeClaim", "default", name)
	require.NoError(h.t, err, "PVC %s", name)
	return o.(*model.PersistentVolumeClaim)
}

func (h *harness) events(kind, object string) []sim.Event {
	var out []sim.Event
	for _, e := range h.rec.Kinds(kind) {
		if object == "" || e.Object == object {
			out = append(out, e)
		}
	}
	return out
}

// --- fixtures ----------------------------------------------------------------

type pvOpt func(*model.PersistentVolume)

func newPV(name, size string, opts ...pvOpt) *model.PersistentVolume {
	pv := &model.PersistentVolume{
		ObjectMeta: model.ObjectMeta{Name: name},
		Spec: model.PersistentVolumeSpec{
			Capacity:    model.ResourceList{model.ResourceStorage: model.MustParseQuantity(size)},
			AccessModes: []model.PersistentVolumeAccessMode{model.ReadWriteOnce},
			NFS:         &model.NFSVolumeSource{Server: "nfs", Path: "/" + name},
		},
	}
	for _, o := range opts {
		o(pv)
	}
	return pv
}

func modes(m ...model.PersistentVolumeAccessMode) pvOpt {
	return func(pv *model.PersistentVolume) { pv.Spec.AccessModes = m }
}
func class(c string) pvOpt { return func(pv *model.PersistentVolume) { pv.Spec.StorageClassName = c } }
func reclaim(p model.PersistentVolumeReclaimPolicy) pvOpt {
	return func(pv *model.PersistentVolume) { pv.Spec.PersistentVolumeReclaimPolicy = p }
}
func labels(l map[string]string) pvOpt { return func(pv *model.PersistentVolume) { pv.Labels = l } }
func block() pvOpt {
	return func(pv *model.PersistentVolume) { pv.Spec.VolumeMode = model.Ptr(model.PersistentVolumeBlock) }
}
func preBound(claim string) pvOpt {
	return func(pv *model.PersistentVolume) {
		pv.Spec.ClaimRef = &model.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: "default", Name: claim}
	}
}
func csi(driver string) pvOpt {
	return func(pv *model.PersistentVolume) {
		pv.Spec.NFS = nil
		pv.Spec.CSI = &model.CSIPersistentVolumeSource{Driver: driver, VolumeHandle: "h-" + pv.Name}
	}
}

type pvcOpt func(*model.PersistentVolumeClaim)

func newPVC(name, size string, opts ...pvcOpt) *model.PersistentVolumeClaim {
	c := &model.PersistentVolumeClaim{
		ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default"},
		Spec: model.PersistentVolumeClaimSpec{
			AccessModes:      []model.PersistentVolumeAccessMode{model.ReadWriteOnce},
			Resources:        model.VolumeResourceRequirements{Requests: model.ResourceList{model.ResourceStorage: model.MustParseQuantity(size)}},
			StorageClassName: model.Ptr(""),
		},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func claimModes(m ...model.PersistentVolumeAccessMode) pvcOpt {
	return func(c *model.PersistentVolumeClaim) { c.Spec.AccessModes = m }
}
func claimClass(cl string) pvcOpt {
	return func(c *model.PersistentVolumeClaim) { c.Spec.StorageClassName = model.Ptr(cl) }
}
func boundTo(v string) pvcOpt { return func(c *model.PersistentVolumeClaim) { c.Spec.VolumeName = v } }
func selector(l map[string]string) pvcOpt {
	return func(c *model.PersistentVolumeClaim) { c.Spec.Selector = &model.LabelSelector{MatchLabels: l} }
}
func claimBlock() pvcOpt {
	return func(c *model.PersistentVolumeClaim) { c.Spec.VolumeMode = model.Ptr(model.PersistentVolumeBlock) }
}
func selectedNode(n string) pvcOpt {
	return func(c *model.PersistentVolumeClaim) {
		c.Annotations = map[string]string{model.AnnSelectedNode: n}
	}
}

func newClass(name, provisioner string, mode model.VolumeBindingMode, mods ...func(*model.StorageClass)) *model.StorageClass {
	sc := &model.StorageClass{ObjectMeta: model.ObjectMeta{Name: name}, Provisioner: provisioner, VolumeBindingMode: model.Ptr(mode)}
	for _, m := range mods {
		m(sc)
	}
	return sc
}
