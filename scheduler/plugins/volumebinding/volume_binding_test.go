package volumebinding

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

// Fixtures follow upstream volume_binding_test.go and test_utils.go
// (makeNode, makePV, makePVC, makePod).

var (
	immediateSC = &model.StorageClass{ObjectMeta: model.ObjectMeta{Name: "immediate-sc"}, VolumeBindingMode: model.Ptr(model.VolumeBindingImmediate)}
	waitSC      = &model.StorageClass{ObjectMeta: model.ObjectMeta{Name: "wait-sc"}, VolumeBindingMode: model.Ptr(model.VolumeBindingWaitForFirstConsumer)}
	waitHDDSC   = &model.StorageClass{ObjectMeta: model.ObjectMeta{Name: "wait-hdd-sc"}, VolumeBindingMode: model.Ptr(model.VolumeBindingWaitForFirstConsumer)}
)

func makeNode(name string, labels ...string) *model.Node {
	l := map[string]string{model.LabelHostname: name}
	for i := 0; i+1 < len(labels); i += 2 {
		l[labels[i]] = labels[i+1]
	}
	return &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: l}}
}

type pvOpt func(*model.PersistentVolume)

func makePV(name, class string, opts ...pvOpt) *model.PersistentVolume {
	pv := &model.PersistentVolume{ObjectMeta: model.ObjectMeta{Name: name}, Spec: model.PersistentVolumeSpec{StorageClassName: class}}
	for _, o := range opts {
		o(pv)
	}
	return pv
}

func withPhase(p model.PersistentVolumePhase) pvOpt {
	return func(pv *model.PersistentVolume) { pv.Status.Phase = p }
}

func withCapacity(q string) pvOpt {
	return func(pv *model.PersistentVolume) {
		pv.Spec.Capacity = model.ResourceList{model.ResourceStorage: model.MustParseQuantity(q)}
	}
}

// withNodeAffinity takes key, value pairs; each becomes an In requirement
// of the single term.
func withNodeAffinity(kv ...string) pvOpt {
	return func(pv *model.PersistentVolume) {
		var exprs []model.NodeSelectorRequirement
		for i := 0; i+1 < len(kv); i += 2 {
			exprs = append(exprs, model.NodeSelectorRequirement{Key: kv[i], Operator: model.NodeSelectorOpIn, Values: []string{kv[i+1]}})
		}
		pv.Spec.NodeAffinity = &model.VolumeNodeAffinity{Required: &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{{MatchExpressions: exprs}}}}
	}
}

type pvcOpt func(*model.PersistentVolumeClaim)

func makePVC(name, class string, opts ...pvcOpt) *model.PersistentVolumeClaim {
	pvc := &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default"}, Spec: model.PersistentVolumeClaimSpec{StorageClassName: model.Ptr(class)}}
	for _, o := range opts {
		o(pvc)
	}
	return pvc
}

func withBoundPV(pv string) pvcOpt {
	return func(pvc *model.PersistentVolumeClaim) {
		pvc.Spec.VolumeName = pv
		if pvc.Annotations == nil {
			pvc.Annotations = map[string]string{}
		}
		pvc.Annotations[model.AnnBindCompleted] = "true"
	}
}

func withRequestStorage(q string) pvcOpt {
	return func(pvc *model.PersistentVolumeClaim) {
		pvc.Spec.Resources.Requests = model.ResourceList{model.ResourceStorage: model.MustParseQuantity(q)}
	}
}

func withClaimPhase(p model.PersistentVolumeClaimPhase) pvcOpt {
	return func(pvc *model.PersistentVolumeClaim) { pvc.Status.Phase = p }
}

func makePod(name, namespace string, claims ...string) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: namespace}}
	for i, c := range claims {
		p.Spec.Volumes = append(p.Spec.Volumes, model.Volume{Name: fmt.Sprintf("vol%d", i), PersistentVolumeClaim: &model.PersistentVolumeClaimVolumeSource{ClaimName: c}})
	}
	return p
}

func objects(classes []*model.StorageClass, pvcs []*model.PersistentVolumeClaim, pvs []*model.PersistentVolume) []model.Object {
	var objs []model.Object
	for _, c := range classes {
		objs = append(objs, c)
	}
	for _, c := range pvcs {
		objs = append(objs, c)
	}
	for _, v := range pvs {
		objs = append(objs, v)
	}
	return objs
}

func statusString(s *framework.Status) string {
	if s.IsSuccess() {
		return "Success"
	}
	if s.Message() == "" {
		return s.Code().String()
	}
	return s.Code().String() + ": " + s.Message()
}

func newPlugin(t *testing.T, h *fwtest.Handle) *Plugin {
	t.Helper()
	p, err := New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Plugin)
}

// Upstream volume_binding_test.go TestVolumeBinding (PreFilter and Filter;
// the scores need StorageCapacityScoring, which is off).
func TestVolumeBinding(t *testing.T) {
	classes := []*model.StorageClass{immediateSC, waitSC, waitHDDSC}
	uau := func(reasons ...string) string {
		return statusString(framework.NewStatus(framework.UnschedulableAndUnresolvable, reasons...))
	}
	tests := []struct {
		name          string
		pod           *model.Pod
		nodes         []*model.Node
		pvcs          []*model.PersistentVolumeClaim
		pvs           []*model.PersistentVolume
		wantPreFilter string
		wantFilter    []string
	}{
		{
			name: "pod has not pvcs", pod: makePod("pod-a", "default"), nodes: []*model.Node{makeNode("node-a")},
			wantPreFilter: "Skip",
		},
		{
			name: "all bound", pod: makePod("pod-a", "default", "pvc-a"), nodes: []*model.Node{makeNode("node-a")},
			pvcs:       []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withBoundPV("pv-a"))},
			pvs:        []*model.PersistentVolume{makePV("pv-a", waitSC.Name, withPhase(model.VolumeAvailable))},
			wantFilter: []string{"Success"},
		},
		{
			name: "all bound with local volumes", pod: makePod("pod-a", "default", "pvc-a", "pvc-b"), nodes: []*model.Node{makeNode("node-a"), makeNode("node-b")},
			pvcs: []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withBoundPV("pv-a")), makePVC("pvc-b", waitSC.Name, withBoundPV("pv-b"))},
			pvs: []*model.PersistentVolume{
				makePV("pv-a", waitSC.Name, withPhase(model.VolumeBound), withNodeAffinity(model.LabelHostname, "node-a")),
				makePV("pv-b", waitSC.Name, withPhase(model.VolumeBound), withNodeAffinity(model.LabelHostname, "node-a")),
			},
			wantFilter: []string{"Success", uau(ErrReasonNodeConflict)},
		},
		{
			name: "PVC does not exist", pod: makePod("pod-a", "default", "pvc-a"), nodes: []*model.Node{makeNode("node-a")},
			wantPreFilter: uau(`persistentvolumeclaim "pvc-a" not found`),
		},
		{
			name: "Part of PVCs do not exist", pod: makePod("pod-a", "default", "pvc-a", "pvc-b"), nodes: []*model.Node{makeNode("node-a")},
			pvcs:          []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withBoundPV("pv-a"))},
			wantPreFilter: uau(`persistentvolumeclaim "pvc-b" not found`),
		},
		{
			name: "immediate claims not bound", pod: makePod("pod-a", "default", "pvc-a"), nodes: []*model.Node{makeNode("node-a")},
			pvcs:          []*model.PersistentVolumeClaim{makePVC("pvc-a", immediateSC.Name)},
			wantPreFilter: uau("pod has unbound immediate PersistentVolumeClaims"),
		},
		{
			name: "unbound claims no matches", pod: makePod("pod-a", "default", "pvc-a"), nodes: []*model.Node{makeNode("node-a")},
			pvcs:       []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name)},
			wantFilter: []string{uau(ErrReasonBindConflict)},
		},
		{
			name: "bound and unbound unsatisfied", pod: makePod("pod-a", "default", "pvc-a", "pvc-b"), nodes: []*model.Node{makeNode("node-a", "foo", "barbar")},
			pvcs:       []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withBoundPV("pv-a")), makePVC("pvc-b", waitSC.Name)},
			pvs:        []*model.PersistentVolume{makePV("pv-a", waitSC.Name, withPhase(model.VolumeAvailable), withNodeAffinity("foo", "bar"))},
			wantFilter: []string{uau(ErrReasonNodeConflict, ErrReasonBindConflict)},
		},
		{
			name: "pvc not found", pod: makePod("pod-a", "default", "pvc-a"), nodes: []*model.Node{makeNode("node-a")},
			wantPreFilter: uau(`persistentvolumeclaim "pvc-a" not found`),
		},
		{
			name: "pv not found", pod: makePod("pod-a", "default", "pvc-a"), nodes: []*model.Node{makeNode("node-a")},
			pvcs:       []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withBoundPV("pv-a"))},
			wantFilter: []string{uau(ErrReasonPVNotExist)},
		},
		{
			name: "pv not found claim lost", pod: makePod("pod-a", "default", "pvc-a"), nodes: []*model.Node{makeNode("node-a")},
			pvcs:          []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withBoundPV("pv-a"), withClaimPhase(model.ClaimLost))},
			wantPreFilter: uau(`persistentvolumeclaim "pvc-a" bound to non-existent persistentvolume "pv-a"`),
		},
		{
			name: "local volumes with close capacity are preferred", pod: makePod("pod-a", "default", "pvc-a"),
			nodes: []*model.Node{makeNode("node-a"), makeNode("node-b"), makeNode("node-c")},
			pvcs:  []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withRequestStorage("50Gi"))},
			pvs: []*model.PersistentVolume{
				makePV("pv-a-0", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelHostname, "node-a")),
				makePV("pv-a-1", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelHostname, "node-a")),
				makePV("pv-b-0", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelHostname, "node-b")),
				makePV("pv-b-1", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelHostname, "node-b")),
			},
			wantFilter: []string{"Success", "Success", uau(ErrReasonBindConflict)},
		},
		{
			name: "local volumes with close capacity are preferred (multiple pvcs)", pod: makePod("pod-a", "default", "pvc-0", "pvc-1"),
			nodes: []*model.Node{makeNode("node-a"), makeNode("node-b"), makeNode("node-c")},
			pvcs: []*model.PersistentVolumeClaim{
				makePVC("pvc-0", waitSC.Name, withRequestStorage("50Gi")),
				makePVC("pvc-1", waitHDDSC.Name, withRequestStorage("100Gi")),
			},
			pvs: []*model.PersistentVolume{
				makePV("pv-a-0", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelHostname, "node-a")),
				makePV("pv-a-1", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelHostname, "node-a")),
				makePV("pv-a-2", waitHDDSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelHostname, "node-a")),
				makePV("pv-a-3", waitHDDSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelHostname, "node-a")),
				makePV("pv-b-0", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelHostname, "node-b")),
				makePV("pv-b-1", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelHostname, "node-b")),
				makePV("pv-b-2", waitHDDSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelHostname, "node-b")),
				makePV("pv-b-3", waitHDDSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelHostname, "node-b")),
			},
			wantFilter: []string{"Success", "Success", uau(ErrReasonBindConflict)},
		},
		{
			name: "zonal volumes with close capacity are preferred", pod: makePod("pod-a", "default", "pvc-a"),
			nodes: []*model.Node{
				makeNode("zone-a-node-a", model.LabelTopologyRegion, "region-a", model.LabelTopologyZone, "zone-a"),
				makeNode("zone-a-node-b", model.LabelTopologyRegion, "region-a", model.LabelTopologyZone, "zone-a"),
				makeNode("zone-b-node-a", model.LabelTopologyRegion, "region-b", model.LabelTopologyZone, "zone-b"),
				makeNode("zone-b-node-b", model.LabelTopologyRegion, "region-b", model.LabelTopologyZone, "zone-b"),
				makeNode("zone-c-node-a", model.LabelTopologyRegion, "region-c", model.LabelTopologyZone, "zone-c"),
				makeNode("zone-c-node-b", model.LabelTopologyRegion, "region-c", model.LabelTopologyZone, "zone-c"),
			},
			pvcs: []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withRequestStorage("50Gi"))},
			pvs: []*model.PersistentVolume{
				makePV("pv-a-0", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelTopologyRegion, "region-a", model.LabelTopologyZone, "zone-a")),
				makePV("pv-a-1", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelTopologyRegion, "region-a", model.LabelTopologyZone, "zone-a")),
				makePV("pv-b-0", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelTopologyRegion, "region-b", model.LabelTopologyZone, "zone-b")),
				makePV("pv-b-1", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelTopologyRegion, "region-b", model.LabelTopologyZone, "zone-b")),
			},
			wantFilter: []string{"Success", "Success", "Success", "Success", uau(ErrReasonBindConflict), uau(ErrReasonBindConflict)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, nil, objects(classes, tt.pvcs, tt.pvs)...)
			pl := newPlugin(t, h)
			state := framework.NewCycleState()
			res, st := pl.PreFilter(state, tt.pod, nil)
			want := tt.wantPreFilter
			if want == "" {
				want = "Success"
			}
			if got := statusString(st); got != want {
				t.Fatalf("PreFilter = %q, want %q", got, want)
			}
			if res != nil {
				t.Fatalf("PreFilterResult = %+v, want nil", res)
			}
			if !st.IsSuccess() {
				return
			}
			for i, n := range tt.nodes {
				ni, _ := h.Snap.Get(n.Name)
				if got := statusString(pl.Filter(state, tt.pod, ni)); got != tt.wantFilter[i] {
					t.Errorf("Filter(%s) = %q, want %q", n.Name, got, tt.wantFilter[i])
				}
			}
		})
	}
}

// Binder fixtures of upstream binder_test.go (makeTestPVC, makeTestPV and
// the classes of newTestBinder); pods live in "testns" and the node is
// node1 with nodeKey=node1.
const (
	provisioner              = "test-provisioner"
	waitClass                = "waitClass"
	immediateClass           = "immediateClass"
	waitClassWithProvisioner = "waitClassWithProvisioner"
	topoMismatchClass        = "topoMismatchClass"
	nodeLabelKey             = "nodeKey"
	nodeLabelValue           = "node1"
)

const (
	pvcUnbound = iota
	pvcPrebound
	pvcBound
	pvcSelectedNode
)

func binderClasses() []*model.StorageClass {
	wait := model.Ptr(model.VolumeBindingWaitForFirstConsumer)
	return []*model.StorageClass{
		{ObjectMeta: model.ObjectMeta{Name: waitClassWithProvisioner}, VolumeBindingMode: wait, Provisioner: provisioner,
			AllowedTopologies: []model.TopologySelectorTerm{{MatchLabelExpressions: []model.TopologySelectorLabelRequirement{{Key: nodeLabelKey, Values: []string{nodeLabelValue, "reference-value"}}}}}},
		{ObjectMeta: model.ObjectMeta{Name: immediateClass}, VolumeBindingMode: model.Ptr(model.VolumeBindingImmediate)},
		{ObjectMeta: model.ObjectMeta{Name: waitClass}, VolumeBindingMode: wait, Provisioner: model.NotSupportedProvisioner},
		{ObjectMeta: model.ObjectMeta{Name: topoMismatchClass}, VolumeBindingMode: wait, Provisioner: provisioner,
			AllowedTopologies: []model.TopologySelectorTerm{{MatchLabelExpressions: []model.TopologySelectorLabelRequirement{{Key: nodeLabelKey, Values: []string{"reference-value"}}}}}},
	}
}

func makeTestPVC(name, size, node string, state int, pvName, rv, class string) *model.PersistentVolumeClaim {
	pvc := &model.PersistentVolumeClaim{
		ObjectMeta: model.ObjectMeta{Name: name, Namespace: "testns", UID: "pvc-uid", ResourceVersion: rv},
		Spec: model.PersistentVolumeClaimSpec{
			Resources:        model.VolumeResourceRequirements{Requests: model.ResourceList{model.ResourceStorage: model.MustParseQuantity(size)}},
			StorageClassName: model.Ptr(class),
			VolumeMode:       model.Ptr(model.PersistentVolumeFilesystem),
		},
	}
	switch state {
	case pvcSelectedNode:
		pvc.Annotations = map[string]string{model.AnnSelectedNode: node}
	case pvcBound:
		pvc.Annotations = map[string]string{model.AnnBindCompleted: "yes"}
		pvc.Spec.VolumeName = pvName
	case pvcPrebound:
		pvc.Spec.VolumeName = pvName
	}
	return pvc
}

func makeTestPV(name, node, capacity, rv string, boundTo *model.PersistentVolumeClaim, class string) *model.PersistentVolume {
	pv := &model.PersistentVolume{
		ObjectMeta: model.ObjectMeta{Name: name, ResourceVersion: rv},
		Spec: model.PersistentVolumeSpec{
			Capacity:         model.ResourceList{model.ResourceStorage: model.MustParseQuantity(capacity)},
			StorageClassName: class,
			VolumeMode:       model.Ptr(model.PersistentVolumeFilesystem),
		},
		Status: model.PersistentVolumeStatus{Phase: model.VolumeAvailable},
	}
	if node != "" {
		withNodeAffinity(nodeLabelKey, node)(pv)
	}
	if boundTo != nil {
		pv.Spec.ClaimRef = model.ClaimReference(boundTo)
		pv.Annotations = map[string]string{model.AnnBoundByController: "yes"}
	}
	return pv
}

var (
	unboundPVC          = makeTestPVC("unbound-pvc", "1G", "", pvcUnbound, "", "1", waitClass)
	unboundPVC2         = makeTestPVC("unbound-pvc2", "5G", "", pvcUnbound, "", "1", waitClass)
	preboundPVC         = makeTestPVC("prebound-pvc", "1G", "", pvcPrebound, "pv-node1a", "1", waitClass)
	boundPVC            = makeTestPVC("bound-pvc", "1G", "", pvcBound, "pv-bound", "1", waitClass)
	immediateUnboundPVC = makeTestPVC("immediate-unbound-pvc", "1G", "", pvcUnbound, "", "1", immediateClass)
	immediateBoundPVC   = makeTestPVC("immediate-bound-pvc", "1G", "", pvcBound, "pv-bound-immediate", "1", immediateClass)
	provisionedPVC      = makeTestPVC("provisioned-pvc", "1Gi", "", pvcUnbound, "", "1", waitClassWithProvisioner)
	noProvisionerPVC    = makeTestPVC("no-provisioner-pvc", "1Gi", "", pvcUnbound, "", "1", waitClass)
	topoMismatchPVC     = makeTestPVC("topo-mismatch-pvc", "1Gi", "", pvcUnbound, "", "1", topoMismatchClass)
	selectedNodePVC     = makeTestPVC("provisioned-pvc", "1Gi", nodeLabelValue, pvcSelectedNode, "", "1", waitClassWithProvisioner)

	pvNode1a              = makeTestPV("pv-node1a", "node1", "5G", "1", nil, waitClass)
	pvNode1b              = makeTestPV("pv-node1b", "node1", "10G", "1", nil, waitClass)
	pvNode2               = makeTestPV("pv-node2", "node2", "1G", "1", nil, waitClass)
	pvBound               = makeTestPV("pv-bound", "node1", "1G", "1", boundPVC, waitClass)
	pvNode1aBound         = makeTestPV("pv-node1a", "node1", "5G", "1", unboundPVC, waitClass)
	pvBoundImmediate      = makeTestPV("pv-bound-immediate", "node1", "1G", "1", immediateBoundPVC, immediateClass)
	pvBoundImmediateNode2 = makeTestPV("pv-bound-immediate", "node2", "1G", "1", immediateBoundPVC, immediateClass)
)

type binderScenario struct {
	pvs        []*model.PersistentVolume
	podPVCs    []*model.PersistentVolumeClaim
	cachePVCs  []*model.PersistentVolumeClaim // nil: podPVCs
	bindings   []string                       // "claim->pv"
	provisions []string                       // claim names
	reasons    []string
	shouldFail bool
}

// findPodVolumes runs PreFilter, Filter and Reserve on node1 and reports
// the decisions as upstream's findPodVolumes test helper does.
func runBinderScenario(t *testing.T, sc binderScenario) {
	t.Helper()
	cache := sc.cachePVCs
	if cache == nil {
		cache = sc.podPVCs
	}
	node := &model.Node{ObjectMeta: model.ObjectMeta{Name: "node1", Labels: map[string]string{nodeLabelKey: "node1"}}}
	h := fwtest.NewHandle([]*model.Node{node}, nil, objects(binderClasses(), cache, sc.pvs)...)
	pl := newPlugin(t, h)
	claims := make([]string, len(sc.podPVCs))
	for i, c := range sc.podPVCs {
		claims[i] = c.Name
	}
	pod := makePod("test-pod", "testns", claims...)
	state := framework.NewCycleState()
	_, st := pl.PreFilter(state, pod, nil)
	if sc.shouldFail {
		if st.IsSuccess() || st.IsSkip() {
			t.Fatalf("PreFilter = %v, want a failure", st)
		}
		return
	}
	if !st.IsSuccess() && !st.IsSkip() {
		t.Fatalf("PreFilter = %v", st)
	}
	ni, _ := h.Snap.Get("node1")
	fst := pl.Filter(state, pod, ni)
	if got, want := strings.Join(fst.Reasons(), "; "), strings.Join(sc.reasons, "; "); got != want {
		t.Fatalf("Filter reasons %q, want %q", got, want)
	}
	if !fst.IsSuccess() {
		// Upstream also records the partial bindings; check them through
		// the scratch space Filter left.
		s, _ := getStateData(state)
		var got []string
		for _, b := range s.chosenPVs {
			got = append(got, b.pvc.Name+"->"+b.pv.Name)
		}
		if strings.Join(got, ",") != strings.Join(sc.bindings, ",") {
			t.Fatalf("bindings %v, want %v", got, sc.bindings)
		}
		return
	}
	if st := pl.Reserve(state, pod, "node1"); !st.IsSuccess() {
		t.Fatalf("Reserve = %v", st)
	}
	s, _ := getStateData(state)
	var gotB, gotP []string
	if s.volumes != nil {
		for _, b := range s.volumes.bindings {
			gotB = append(gotB, b.pvc.Name+"->"+b.pv.Name)
			if !model.IsVolumeBoundToClaim(b.pv, b.pvc) {
				t.Errorf("assumed PV %s not bound to %s: %+v", b.pv.Name, b.pvc.Name, b.pv.Spec.ClaimRef)
			}
		}
		for _, c := range s.volumes.provisions {
			gotP = append(gotP, c.Name)
			if c.Annotations[model.AnnSelectedNode] != "node1" {
				t.Errorf("claim %s not annotated with the node: %v", c.Name, c.Annotations)
			}
		}
	}
	if strings.Join(gotB, ",") != strings.Join(sc.bindings, ",") {
		t.Fatalf("bindings %v, want %v", gotB, sc.bindings)
	}
	if strings.Join(gotP, ",") != strings.Join(sc.provisions, ",") {
		t.Fatalf("provisions %v, want %v", gotP, sc.provisions)
	}
}

// Upstream binder_test.go TestFindPodVolumesWithoutProvisioning (without
// the generic ephemeral rows: ephemeral volumes are not modeled).
func TestFindPodVolumesWithoutProvisioning(t *testing.T) {
	scenarios := map[string]binderScenario{
		"pvc-not-found":                              {cachePVCs: []*model.PersistentVolumeClaim{}, podPVCs: []*model.PersistentVolumeClaim{boundPVC}, shouldFail: true},
		"bound-pvc":                                  {podPVCs: []*model.PersistentVolumeClaim{boundPVC}, pvs: []*model.PersistentVolume{pvBound}},
		"bound-pvc,pv-not-exists":                    {podPVCs: []*model.PersistentVolumeClaim{boundPVC}, reasons: []string{ErrReasonPVNotExist}},
		"prebound-pvc":                               {podPVCs: []*model.PersistentVolumeClaim{preboundPVC}, pvs: []*model.PersistentVolume{pvNode1aBound}, shouldFail: true},
		"unbound-pvc,pv-same-node":                   {podPVCs: []*model.PersistentVolumeClaim{unboundPVC}, pvs: []*model.PersistentVolume{pvNode2, pvNode1a, pvNode1b}, bindings: []string{"unbound-pvc->pv-node1a"}},
		"unbound-pvc,pv-different-node":              {podPVCs: []*model.PersistentVolumeClaim{unboundPVC}, pvs: []*model.PersistentVolume{pvNode2}, reasons: []string{ErrReasonBindConflict}},
		"two-unbound-pvcs":                           {podPVCs: []*model.PersistentVolumeClaim{unboundPVC, unboundPVC2}, pvs: []*model.PersistentVolume{pvNode1a, pvNode1b}, bindings: []string{"unbound-pvc->pv-node1a", "unbound-pvc2->pv-node1b"}},
		"two-unbound-pvcs,order-by-size":             {podPVCs: []*model.PersistentVolumeClaim{unboundPVC2, unboundPVC}, pvs: []*model.PersistentVolume{pvNode1a, pvNode1b}, bindings: []string{"unbound-pvc->pv-node1a", "unbound-pvc2->pv-node1b"}},
		"two-unbound-pvcs,partial-match":             {podPVCs: []*model.PersistentVolumeClaim{unboundPVC, unboundPVC2}, pvs: []*model.PersistentVolume{pvNode1a}, bindings: []string{"unbound-pvc->pv-node1a"}, reasons: []string{ErrReasonBindConflict}},
		"one-bound,one-unbound":                      {podPVCs: []*model.PersistentVolumeClaim{unboundPVC, boundPVC}, pvs: []*model.PersistentVolume{pvBound, pvNode1a}, bindings: []string{"unbound-pvc->pv-node1a"}},
		"one-bound,one-unbound,no-match":             {podPVCs: []*model.PersistentVolumeClaim{unboundPVC, boundPVC}, pvs: []*model.PersistentVolume{pvBound, pvNode2}, reasons: []string{ErrReasonBindConflict}},
		"one-prebound,one-unbound":                   {podPVCs: []*model.PersistentVolumeClaim{unboundPVC, preboundPVC}, pvs: []*model.PersistentVolume{pvNode1a, pvNode1b}, shouldFail: true},
		"immediate-bound-pvc":                        {podPVCs: []*model.PersistentVolumeClaim{immediateBoundPVC}, pvs: []*model.PersistentVolume{pvBoundImmediate}},
		"immediate-bound-pvc-wrong-node":             {podPVCs: []*model.PersistentVolumeClaim{immediateBoundPVC}, pvs: []*model.PersistentVolume{pvBoundImmediateNode2}, reasons: []string{ErrReasonNodeConflict}},
		"immediate-unbound-pvc":                      {podPVCs: []*model.PersistentVolumeClaim{immediateUnboundPVC}, shouldFail: true},
		"immediate-unbound-pvc,delayed-mode-bound":   {podPVCs: []*model.PersistentVolumeClaim{immediateUnboundPVC, boundPVC}, pvs: []*model.PersistentVolume{pvBound}, shouldFail: true},
		"immediate-unbound-pvc,delayed-mode-unbound": {podPVCs: []*model.PersistentVolumeClaim{immediateUnboundPVC, unboundPVC}, shouldFail: true},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) { runBinderScenario(t, sc) })
	}
}

// Upstream binder_test.go TestFindPodVolumesWithProvisioning ("no
// CSIDriver" variant: capacity is never checked).
func TestFindPodVolumesWithProvisioning(t *testing.T) {
	scenarios := map[string]binderScenario{
		"one-provisioned": {podPVCs: []*model.PersistentVolumeClaim{provisionedPVC}, provisions: []string{"provisioned-pvc"}},
		"two-unbound-pvcs,one-matched,one-provisioned": {podPVCs: []*model.PersistentVolumeClaim{unboundPVC, provisionedPVC}, pvs: []*model.PersistentVolume{pvNode1a},
			bindings: []string{"unbound-pvc->pv-node1a"}, provisions: []string{"provisioned-pvc"}},
		"one-bound,one-provisioned":           {podPVCs: []*model.PersistentVolumeClaim{boundPVC, provisionedPVC}, pvs: []*model.PersistentVolume{pvBound}, provisions: []string{"provisioned-pvc"}},
		"one-binding,one-selected-node":       {podPVCs: []*model.PersistentVolumeClaim{boundPVC, selectedNodePVC}, pvs: []*model.PersistentVolume{pvBound}, provisions: []string{"provisioned-pvc"}},
		"immediate-unbound-pvc":               {podPVCs: []*model.PersistentVolumeClaim{immediateUnboundPVC}, shouldFail: true},
		"one-immediate-bound,one-provisioned": {podPVCs: []*model.PersistentVolumeClaim{immediateBoundPVC, provisionedPVC}, pvs: []*model.PersistentVolume{pvBoundImmediate}, provisions: []string{"provisioned-pvc"}},
		"invalid-provisioner":                 {podPVCs: []*model.PersistentVolumeClaim{noProvisionerPVC}, reasons: []string{ErrReasonBindConflict}},
		"volume-topology-unsatisfied":         {podPVCs: []*model.PersistentVolumeClaim{topoMismatchPVC}, reasons: []string{ErrReasonBindConflict}},
		// A claim already selected for another node fits no other node.
		"selected-node-elsewhere": {podPVCs: []*model.PersistentVolumeClaim{makeTestPVC("provisioned-pvc", "1Gi", "node2", pvcSelectedNode, "", "1", waitClassWithProvisioner)},
			reasons: []string{ErrReasonBindConflict}},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) { runBinderScenario(t, sc) })
	}
}

// recordingClient records Update calls and can fail the n-th one.
type recordingClient struct {
	model.Client
	updates []model.Object
	failAt  int // 1-based; 0 never fails
}

func (c *recordingClient) Update(o model.Object, done func(model.Object, error)) {
	if c.failAt == len(c.updates)+1 {
		c.updates = append(c.updates, nil)
		done(nil, &model.StatusError{Reason: model.ReasonConflict, Kind: o.GetTypeMeta().Kind, Key: model.Key(o), Message: "the object has been modified"})
		return
	}
	c.updates = append(c.updates, o)
	done(o, nil)
}

// preBind runs PreBind and returns its status (the test clients answer at
// once, so done has run by the time PreBind returns).
func preBind(pl *Plugin, state *framework.CycleState, pod *model.Pod, node string) *framework.Status {
	var got *framework.Status
	called := false
	pl.PreBind(state, pod, node, func(s *framework.Status) { got, called = s, true })
	if !called {
		return framework.NewStatus(framework.Error, "PreBind did not complete")
	}
	return got
}

// The binding cycle (upstream TestAssumePodVolumes, TestBindAPIUpdate and
// TestRevertAssumedPodVolumes): Reserve assumes, so a second pod cannot
// take the same PV; Unreserve reverts; PreBind writes the claimRef and the
// selected-node annotation.
func TestReserveUnreservePreBind(t *testing.T) {
	node := &model.Node{ObjectMeta: model.ObjectMeta{Name: "node1", Labels: map[string]string{nodeLabelKey: "node1"}}}
	other := makeTestPVC("other-pvc", "1G", "", pvcUnbound, "", "1", waitClass)
	h := fwtest.NewHandle([]*model.Node{node}, nil, objects(binderClasses(),
		[]*model.PersistentVolumeClaim{unboundPVC, other, provisionedPVC}, []*model.PersistentVolume{pvNode1a})...)
	cl := &recordingClient{}
	h.Cl = cl
	pl := newPlugin(t, h)
	ni, _ := h.Snap.Get("node1")

	schedule := func(pod *model.Pod) (*framework.CycleState, *framework.Status) {
		state := framework.NewCycleState()
		if _, st := pl.PreFilter(state, pod, nil); !st.IsSuccess() {
			return state, st
		}
		if st := pl.Filter(state, pod, ni); !st.IsSuccess() {
			return state, st
		}
		return state, pl.Reserve(state, pod, "node1")
	}

	podA := makePod("pod-a", "testns", "unbound-pvc", "provisioned-pvc")
	stateA, st := schedule(podA)
	if !st.IsSuccess() {
		t.Fatalf("pod-a: %v", st)
	}
	if pv, _ := pl.cache.getPV("pv-node1a"); pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.Name != "unbound-pvc" || pv.Annotations[model.AnnBoundByController] != "yes" {
		t.Fatalf("PV not assumed bound: %+v", pv)
	}
	if pvc, _ := pl.cache.getPVC("testns", "provisioned-pvc"); pvc.Annotations[model.AnnSelectedNode] != "node1" {
		t.Fatalf("claim not assumed provisioned: %v", pvc.Annotations)
	}
	// The informer objects are untouched.
	if pv, _ := pl.cache.apiPV("pv-node1a"); pv.Spec.ClaimRef != nil {
		t.Fatal("informer PV modified")
	}

	// pod-b wants a 1G volume of the same class: the only PV is assumed.
	podB := makePod("pod-b", "testns", "other-pvc")
	if _, st := schedule(podB); st.Code() != framework.UnschedulableAndUnresolvable || st.Message() != ErrReasonBindConflict {
		t.Fatalf("pod-b while pod-a holds the PV: %v", st)
	}

	// Unreserve frees it.
	pl.Unreserve(stateA, podA, "node1")
	if pv, _ := pl.cache.getPV("pv-node1a"); pv.Spec.ClaimRef != nil {
		t.Fatal("Unreserve did not revert the PV")
	}
	if pvc, _ := pl.cache.getPVC("testns", "provisioned-pvc"); pvc.Annotations[model.AnnSelectedNode] != "" {
		t.Fatal("Unreserve did not revert the claim")
	}
	stateB, st := schedule(podB)
	if !st.IsSuccess() {
		t.Fatalf("pod-b after Unreserve: %v", st)
	}
	if st := preBind(pl, stateB, podB, "node1"); !st.IsSuccess() {
		t.Fatalf("PreBind: %v", st)
	}
	if len(cl.updates) != 1 {
		t.Fatalf("updates %d, want 1", len(cl.updates))
	}
	pv := cl.updates[0].(*model.PersistentVolume)
	want := model.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: "testns", Name: "other-pvc", UID: "pvc-uid", ResourceVersion: "1"}
	if pv.Name != "pv-node1a" || *pv.Spec.ClaimRef != want || pv.ResourceVersion != "1" {
		t.Fatalf("PV update %+v claimRef %+v", pv.ObjectMeta, pv.Spec.ClaimRef)
	}

	// A provisioning write: pod-c uses only the provisioned claim.
	podC := makePod("pod-c", "testns", "provisioned-pvc")
	stateC, st := schedule(podC)
	if !st.IsSuccess() {
		t.Fatalf("pod-c: %v", st)
	}
	if st := preBind(pl, stateC, podC, "node1"); !st.IsSuccess() {
		t.Fatalf("PreBind: %v", st)
	}
	claim := cl.updates[1].(*model.PersistentVolumeClaim)
	if claim.Name != "provisioned-pvc" || claim.Annotations[model.AnnSelectedNode] != "node1" {
		t.Fatalf("claim update %+v", claim.ObjectMeta)
	}
	// A second pod sharing the claim now only fits node1, through the
	// assumed annotation.
	if s, _ := getStateData(stateC); s.allBound {
		t.Fatal("allBound with a claim to provision")
	}
}

// A failed write reverts the assumptions (upstream TestBindAPIUpdate
// "api-error").
func TestPreBindError(t *testing.T) {
	node := &model.Node{ObjectMeta: model.ObjectMeta{Name: "node1", Labels: map[string]string{nodeLabelKey: "node1"}}}
	h := fwtest.NewHandle([]*model.Node{node}, nil, objects(binderClasses(),
		[]*model.PersistentVolumeClaim{unboundPVC}, []*model.PersistentVolume{pvNode1a})...)
	h.Cl = &recordingClient{failAt: 1}
	pl := newPlugin(t, h)
	pod := makePod("pod-a", "testns", "unbound-pvc")
	state := framework.NewCycleState()
	pl.PreFilter(state, pod, nil)
	ni, _ := h.Snap.Get("node1")
	if st := pl.Filter(state, pod, ni); !st.IsSuccess() {
		t.Fatal(st)
	}
	if st := pl.Reserve(state, pod, "node1"); !st.IsSuccess() {
		t.Fatal(st)
	}
	st := preBind(pl, state, pod, "node1")
	if st.Code() != framework.Error || !model.IsConflict(st.AsError()) {
		t.Fatalf("PreBind = %v, want a Conflict error", st)
	}
	if pv, _ := pl.cache.getPV("pv-node1a"); pv.Spec.ClaimRef != nil {
		t.Fatal("failed write left the PV assumed")
	}
}

// All claims bound: Reserve needs nothing and PreBind writes nothing
// (upstream TestAssumePodVolumes "all-bound").
func TestAllBound(t *testing.T) {
	node := &model.Node{ObjectMeta: model.ObjectMeta{Name: "node1", Labels: map[string]string{nodeLabelKey: "node1"}}}
	h := fwtest.NewHandle([]*model.Node{node}, nil, objects(binderClasses(), []*model.PersistentVolumeClaim{boundPVC}, []*model.PersistentVolume{pvBound})...)
	cl := &recordingClient{}
	h.Cl = cl
	pl := newPlugin(t, h)
	for _, pod := range []*model.Pod{makePod("bound", "testns", "bound-pvc"), makePod("none", "testns")} {
		state := framework.NewCycleState()
		pl.PreFilter(state, pod, nil)
		if st := pl.Reserve(state, pod, "node1"); !st.IsSuccess() {
			t.Fatal(st)
		}
		if st := preBind(pl, state, pod, "node1"); !st.IsSuccess() {
			t.Fatal(st)
		}
		pl.Unreserve(state, pod, "node1")
	}
	if len(cl.updates) != 0 {
		t.Fatalf("wrote %d objects", len(cl.updates))
	}
}

// The assumption yields once the informer holds a newer version.
func TestAssumeCacheFollowsInformer(t *testing.T) {
	pv := makeTestPV("pv", "", "1G", "1", nil, waitClass)
	h := fwtest.NewHandle(nil, nil, pv)
	c := newAssumeCache(h)
	bound, _ := model.BindVolumeToClaim(pv, unboundPVC)
	if err := c.assumePV(bound); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.getPV("pv"); got != bound {
		t.Fatal("assumed PV not returned")
	}
	if got := c.listPVs(waitClass); len(got) != 1 || got[0] != bound {
		t.Fatal("listPVs ignores the assumption")
	}
	pv.ResourceVersion = "2" // the informer caught up
	if got, _ := c.getPV("pv"); got != pv {
		t.Fatal("stale assumption still returned")
	}
	if len(c.pvs) != 0 {
		t.Fatal("stale assumption kept")
	}
	if err := c.assumePV(makeTestPV("missing", "", "1G", "1", nil, waitClass)); err == nil {
		t.Fatal("assumed a PV the informer does not have")
	}
}

func TestArgs(t *testing.T) {
	a := NewArgs().(*Args)
	a.SetDefaults()
	if *a.BindTimeoutSeconds != 600 || a.BindTimeout().Seconds() != 600 || a.Validate() != nil {
		t.Fatalf("defaults: %+v %v", a, a.Validate())
	}
	zero := &Args{BindTimeoutSeconds: model.Ptr[int64](0)}
	zero.SetDefaults()
	if *zero.BindTimeoutSeconds != 0 || zero.Validate() != nil {
		t.Fatal("explicit 0 must stay 0 and be valid")
	}
	neg := &Args{BindTimeoutSeconds: model.Ptr[int64](-10)}
	if err := neg.Validate(); err == nil || err.Error() != "bindTimeoutSeconds: Invalid value: -10: invalid BindTimeoutSeconds, should not be a negative value" {
		t.Fatalf("negative: %v", err)
	}
	shaped := &Args{Shape: []UtilizationShapePoint{{Utilization: 0, Score: 0}}}
	if err := shaped.Validate(); err == nil || !strings.Contains(err.Error(), "unexpected field `shape`") {
		t.Fatalf("shape: %v", err)
	}
	if _, err := New(neg, fwtest.NewHandle(nil, nil)); err == nil {
		t.Fatal("New accepted invalid args")
	}
	if _, err := New(struct{}{}, fwtest.NewHandle(nil, nil)); err == nil {
		t.Fatal("New accepted args of another type")
	}
}

// Upstream volume_binding_test.go TestIsSchedulableAfterPersistentVolumeClaimChange
// and TestIsSchedulableAfterStorageClassChange.
func TestQueueingHints(t *testing.T) {
	pod := makePod("pod-a", "default", "pvc-a")
	topo := func(v string) []model.TopologySelectorTerm {
		return []model.TopologySelectorTerm{{MatchLabelExpressions: []model.TopologySelectorLabelRequirement{{Key: "k", Values: []string{v}}}}}
	}
	sc := func(t []model.TopologySelectorTerm) *model.StorageClass {
		return &model.StorageClass{ObjectMeta: model.ObjectMeta{Name: "sc"}, AllowedTopologies: t}
	}
	tests := []struct {
		name    string
		fn      framework.QueueingHintFn
		old     model.Object
		new     model.Object
		want    framework.QueueingHint
		wantErr bool
	}{
		{"pvc the pod uses", helper.IsSchedulableAfterClaimChange, nil, makePVC("pvc-a", "sc"), framework.Queue, false},
		{"pvc in another namespace", helper.IsSchedulableAfterClaimChange, nil, &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "other", Name: "pvc-a"}}, framework.QueueSkip, false},
		{"unrelated pvc", helper.IsSchedulableAfterClaimChange, nil, makePVC("pvc-b", "sc"), framework.QueueSkip, false},
		{"wrong type", helper.IsSchedulableAfterClaimChange, nil, sc(nil), framework.Queue, true},
		{"new class", isSchedulableAfterStorageClassChange, nil, sc(nil), framework.Queue, false},
		{"allowedTopologies changed", isSchedulableAfterStorageClassChange, sc(topo("a")), sc(topo("b")), framework.Queue, false},
		{"allowedTopologies unchanged", isSchedulableAfterStorageClassChange, sc(topo("a")), sc(topo("a")), framework.QueueSkip, false},
		{"nil and empty topologies are equal", isSchedulableAfterStorageClassChange, sc(nil), sc([]model.TopologySelectorTerm{}), framework.QueueSkip, false},
	}
	for _, tt := range tests {
		got, err := tt.fn(pod, tt.old, tt.new)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: got %v, %v; want %v (error %v)", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFilterAllocs(t *testing.T) {
	nodes := []*model.Node{makeNode("node-a"), makeNode("node-b")}
	pvcs := []*model.PersistentVolumeClaim{makePVC("pvc-a", waitSC.Name, withRequestStorage("50Gi")), makePVC("pvc-b", waitSC.Name, withBoundPV("pv-b"))}
	pvs := []*model.PersistentVolume{
		makePV("pv-a-0", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("200Gi"), withNodeAffinity(model.LabelHostname, "node-a")),
		makePV("pv-b-0", waitSC.Name, withPhase(model.VolumeAvailable), withCapacity("100Gi"), withNodeAffinity(model.LabelHostname, "node-b")),
		makePV("pv-b", waitSC.Name, withPhase(model.VolumeBound)),
	}
	h := fwtest.NewHandle(nodes, nil, objects([]*model.StorageClass{waitSC}, pvcs, pvs)...)
	pl := newPlugin(t, h)
	pod := makePod("pod-a", "default", "pvc-a", "pvc-b")
	state := framework.NewCycleState()
	if _, st := pl.PreFilter(state, pod, nil); !st.IsSuccess() {
		t.Fatal(st)
	}
	a, _ := h.Snap.Get("node-a")
	b, _ := h.Snap.Get("node-b")
	pl.Filter(state, pod, a) // warm the scratch space
	allocs := testing.AllocsPerRun(100, func() {
		_ = pl.Filter(state, pod, a)
		_ = pl.Filter(state, pod, b)
	})
	if allocs != 0 {
		t.Fatalf("Filter allocates %v times", allocs)
	}
}

func TestFilterWithoutPreFilter(t *testing.T) {
	h := fwtest.NewHandle([]*model.Node{makeNode("n")}, nil)
	pl := newPlugin(t, h)
	ni, _ := h.Snap.Get("n")
	if st := pl.Filter(framework.NewCycleState(), makePod("p", "default", "c"), ni); st.Code() != framework.Error || st.Message() != "not found" {
		t.Fatalf("Filter = %v", st)
	}
}
