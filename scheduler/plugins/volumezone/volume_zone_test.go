package volumezone

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

func createPodWithVolume(pod, pvc string) *model.Pod {
	p := fwtest.Pod(pod, "", nil)
	p.Spec.Volumes = []model.Volume{{Name: pvc, PersistentVolumeClaim: &model.PersistentVolumeClaimVolumeSource{ClaimName: pvc}}}
	return p
}

func pv(name string, labels map[string]string) *model.PersistentVolume {
	return &model.PersistentVolume{ObjectMeta: model.ObjectMeta{Name: name, Labels: labels}}
}

func pvc(name, volume string) *model.PersistentVolumeClaim {
	return &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default"}, Spec: model.PersistentVolumeClaimSpec{VolumeName: volume}}
}

func node(labels map[string]string) *model.Node {
	return &model.Node{ObjectMeta: model.ObjectMeta{Name: "host1", Labels: labels}}
}

type zoneCase struct {
	name          string
	pod           *model.Pod
	node          *model.Node
	wantPreFilter *framework.Status
	wantFilter    *framework.Status
}

func runZoneCases(t *testing.T, objs []model.Object, tests []zoneCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(nil, nil, objs...)
			p, _ := New(nil, h)
			pl := p.(*Plugin)
			state := framework.NewCycleState()
			ni := framework.NewNodeInfo()
			ni.SetNode(tt.node)
			_, st := pl.PreFilter(state, tt.pod, nil)
			if st.Code() != tt.wantPreFilter.Code() || st.Message() != tt.wantPreFilter.Message() {
				t.Fatalf("PreFilter = %v, want %v", st, tt.wantPreFilter)
			}
			// As upstream's test, Filter runs whatever PreFilter returned
			// (falling back to computing the topologies itself).
			got := pl.Filter(state, tt.pod, ni)
			if got.Code() != tt.wantFilter.Code() || got.Message() != tt.wantFilter.Message() {
				t.Fatalf("Filter = %v, want %v", got, tt.wantFilter)
			}
		})
	}
}

// Upstream volume_zone_test.go TestSingleZone.
func TestSingleZone(t *testing.T) {
	objs := []model.Object{
		pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-a"}),
		pv("Vol_2", map[string]string{LabelFailureDomainBetaRegion: "us-west1", "uselessLabel": "none"}),
		pv("Vol_3", map[string]string{LabelFailureDomainBetaRegion: "us-west1"}),
		pv("Vol_Stable_1", map[string]string{model.LabelTopologyZone: "us-west1-a"}),
		pv("Vol_Stable_2", map[string]string{model.LabelTopologyRegion: "us-west1", "uselessLabel": "none"}),
		pv("Vol_Stable_3", map[string]string{model.LabelTopologyZone: "us-west1-a", model.LabelTopologyRegion: "us-west1-a"}),
		pvc("PVC_1", "Vol_1"), pvc("PVC_2", "Vol_2"), pvc("PVC_3", "Vol_3"), pvc("PVC_4", "Vol_not_exist"),
		pvc("PVC_Stable_1", "Vol_Stable_1"), pvc("PVC_Stable_2", "Vol_Stable_2"), pvc("PVC_Stable_3", "Vol_Stable_3"),
	}
	conflict := framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonConflict)
	runZoneCases(t, objs, []zoneCase{
		{name: "pod without volume", pod: fwtest.Pod("pod_1", "", nil), node: node(map[string]string{LabelFailureDomainBetaZone: "us-west1-a"}), wantPreFilter: framework.NewStatus(framework.Skip)},
		{name: "node without labels", pod: createPodWithVolume("pod_1", "PVC_1"), node: node(nil)},
		{name: "beta zone label matched", pod: createPodWithVolume("pod_1", "PVC_1"), node: node(map[string]string{LabelFailureDomainBetaZone: "us-west1-a", "uselessLabel": "none"})},
		{name: "beta region label matched", pod: createPodWithVolume("pod_1", "PVC_2"), node: node(map[string]string{LabelFailureDomainBetaRegion: "us-west1", "uselessLabel": "none"})},
		{name: "beta region label doesn't match", pod: createPodWithVolume("pod_1", "PVC_2"), node: node(map[string]string{LabelFailureDomainBetaRegion: "no_us-west1", "uselessLabel": "none"}), wantFilter: conflict},
		{name: "beta zone label doesn't match", pod: createPodWithVolume("pod_1", "PVC_1"), node: node(map[string]string{LabelFailureDomainBetaZone: "no_us-west1-a", "uselessLabel": "none"}), wantFilter: conflict},
		{name: "zone label matched", pod: createPodWithVolume("pod_1", "PVC_Stable_1"), node: node(map[string]string{model.LabelTopologyZone: "us-west1-a", "uselessLabel": "none"})},
		{name: "region label matched", pod: createPodWithVolume("pod_1", "PVC_Stable_2"), node: node(map[string]string{model.LabelTopologyRegion: "us-west1", "uselessLabel": "none"})},
		{name: "region label doesn't match", pod: createPodWithVolume("pod_1", "PVC_Stable_2"), node: node(map[string]string{model.LabelTopologyRegion: "no_us-west1", "uselessLabel": "none"}), wantFilter: conflict},
		{name: "zone label doesn't match", pod: createPodWithVolume("pod_1", "PVC_Stable_1"), node: node(map[string]string{model.LabelTopologyZone: "no_us-west1-a", "uselessLabel": "none"}), wantFilter: conflict},
		{name: "pv with zone and region, node with only zone", pod: createPodWithVolume("pod_1", "PVC_Stable_3"), node: node(map[string]string{model.LabelTopologyZone: "us-west1-a"}), wantFilter: conflict},
		{name: "pv with zone,node with beta zone", pod: createPodWithVolume("pod_1", "PVC_Stable_1"), node: node(map[string]string{LabelFailureDomainBetaZone: "us-west1-a"}), wantFilter: conflict},
		{name: "pv with beta label,node with ga label, matched", pod: createPodWithVolume("pod_1", "PVC_1"), node: node(map[string]string{model.LabelTopologyZone: "us-west1-a"})},
		{name: "pv with beta label,node with ga label, don't match", pod: createPodWithVolume("pod_1", "PVC_1"), node: node(map[string]string{model.LabelTopologyZone: "us-west1-b"}), wantFilter: conflict},
		{name: "pv not found", pod: createPodWithVolume("pod_1", "PVC_4"), node: node(nil),
			wantPreFilter: framework.NewStatus(framework.UnschedulableAndUnresolvable, `persistentvolume "Vol_not_exist" not found`),
			wantFilter:    framework.NewStatus(framework.UnschedulableAndUnresolvable, `persistentvolume "Vol_not_exist" not found`)},
	})
}

// Upstream volume_zone_test.go TestMultiZone.
func TestMultiZone(t *testing.T) {
	objs := []model.Object{
		pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-a"}),
		pv("Vol_2", map[string]string{LabelFailureDomainBetaZone: "us-west1-b", "uselessLabel": "none"}),
		pv("Vol_3", map[string]string{LabelFailureDomainBetaZone: "us-west1-c__us-west1-a"}),
		pv("Vol_Stable_1", map[string]string{model.LabelTopologyZone: "us-west1-a"}),
		pv("Vol_Stable_2", map[string]string{model.LabelTopologyZone: "us-west1-c__us-west1-a"}),
		pvc("PVC_1", "Vol_1"), pvc("PVC_2", "Vol_2"), pvc("PVC_3", "Vol_3"), pvc("PVC_4", "Vol_not_exist"),
		pvc("PVC_Stable_1", "Vol_Stable_1"), pvc("PVC_Stable_2", "Vol_Stable_2"),
	}
	conflict := framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonConflict)
	runZoneCases(t, objs, []zoneCase{
		{name: "node without labels", pod: createPodWithVolume("pod_1", "PVC_3"), node: node(nil)},
		{name: "beta zone label matched", pod: createPodWithVolume("pod_1", "PVC_3"), node: node(map[string]string{LabelFailureDomainBetaZone: "us-west1-a", "uselessLabel": "none"})},
		{name: "beta zone label doesn't match", pod: createPodWithVolume("pod_1", "PVC_1"), node: node(map[string]string{LabelFailureDomainBetaZone: "us-west1-b", "uselessLabel": "none"}), wantFilter: conflict},
		{name: "zone label matched", pod: createPodWithVolume("pod_1", "PVC_Stable_2"), node: node(map[string]string{model.LabelTopologyZone: "us-west1-a", "uselessLabel": "none"})},
		{name: "zone label doesn't match", pod: createPodWithVolume("pod_1", "PVC_Stable_1"), node: node(map[string]string{model.LabelTopologyZone: "us-west1-b", "uselessLabel": "none"}), wantFilter: conflict},
	})
}

// Upstream volume_zone_test.go TestWithBinding. Upstream's fake lister
// spells the missing class "storageclasses.storage.k8s.io"; the informer
// lister the scheduler uses says "storageclass.storage.k8s.io".
func TestWithBinding(t *testing.T) {
	class0, classWait, classImmediate := "Class_0", "Class_Wait", "Class_Immediate"
	objs := []model.Object{
		&model.StorageClass{ObjectMeta: model.ObjectMeta{Name: classImmediate}},
		&model.StorageClass{ObjectMeta: model.ObjectMeta{Name: classWait}, VolumeBindingMode: model.Ptr(model.VolumeBindingWaitForFirstConsumer)},
		pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-a"}),
		pvc("PVC_1", "Vol_1"),
		&model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: "PVC_NoSC", Namespace: "default"}, Spec: model.PersistentVolumeClaimSpec{StorageClassName: &class0}},
		&model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: "PVC_EmptySC", Namespace: "default"}},
		&model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: "PVC_WaitSC", Namespace: "default"}, Spec: model.PersistentVolumeClaimSpec{StorageClassName: &classWait}},
		&model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: "PVC_ImmediateSC", Namespace: "default"}, Spec: model.PersistentVolumeClaimSpec{StorageClassName: &classImmediate}},
	}
	testNode := node(map[string]string{LabelFailureDomainBetaZone: "us-west1-a", "uselessLabel": "none"})
	st := func(msg string) *framework.Status {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, msg)
	}
	runZoneCases(t, objs, []zoneCase{
		{name: "label zone failure domain matched", pod: createPodWithVolume("pod_1", "PVC_1"), node: testNode},
		{name: "unbound volume empty storage class", pod: createPodWithVolume("pod_1", "PVC_EmptySC"), node: testNode,
			wantPreFilter: st("PersistentVolumeClaim had no pv name and storageClass name"), wantFilter: st("PersistentVolumeClaim had no pv name and storageClass name")},
		{name: "unbound volume no storage class", pod: createPodWithVolume("pod_1", "PVC_NoSC"), node: testNode,
			wantPreFilter: st(`storageclass.storage.k8s.io "Class_0" not found`), wantFilter: st(`storageclass.storage.k8s.io "Class_0" not found`)},
		{name: "unbound volume immediate binding mode", pod: createPodWithVolume("pod_1", "PVC_ImmediateSC"), node: testNode,
			wantPreFilter: st(`VolumeBindingMode not set for StorageClass "Class_Immediate"`), wantFilter: st(`VolumeBindingMode not set for StorageClass "Class_Immediate"`)},
		{name: "unbound volume wait binding mode", pod: createPodWithVolume("pod_1", "PVC_WaitSC"), node: testNode, wantPreFilter: framework.NewStatus(framework.Skip)},
		{name: "missing claim", pod: createPodWithVolume("pod_1", "PVC_missing"), node: testNode,
			wantPreFilter: st(`persistentvolumeclaim "PVC_missing" not found`), wantFilter: st(`persistentvolumeclaim "PVC_missing" not found`)},
	})
}

func TestLabelZonesToSet(t *testing.T) {
	got, ok := labelZonesToSet(" b__a__b ")
	if !ok || len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("got %v %v", got, ok)
	}
	if _, ok := labelZonesToSet("a____b"); ok {
		t.Fatal("an empty zone must invalidate the value")
	}
	// An invalid label is ignored, so the PV imposes nothing through it.
	if tops := getPVTopologies(pv("v", map[string]string{model.LabelTopologyZone: "a__"})); len(tops) != 0 {
		t.Fatalf("invalid label kept: %v", tops)
	}
}

// Upstream volume_zone_test.go TestIsSchedulableAfterPersistentVolumeClaimAdded,
// TestIsSchedulableAfterStorageClassAdded and
// TestIsSchedulableAfterPersistentVolumeChange.
func TestQueueingHints(t *testing.T) {
	pod := createPodWithVolume("pod_1", "PVC_1")
	noPVC := fwtest.Pod("pod_1", "", nil)
	claim := func(ns, name string) *model.PersistentVolumeClaim {
		return &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: name, Namespace: ns}, Spec: model.PersistentVolumeClaimSpec{VolumeName: "Vol_1"}}
	}
	tests := []struct {
		name    string
		fn      framework.QueueingHintFn
		pod     *model.Pod
		old     model.Object
		new     model.Object
		want    framework.QueueingHint
		wantErr bool
	}{
		{"error-wrong-new-object", helper.IsSchedulableAfterClaimChange, pod, nil, pv("x", nil), framework.Queue, true},
		{"pvc-was-added-but-pod-refers-no-pvc", helper.IsSchedulableAfterClaimChange, noPVC, nil, claim("default", "PVC_1"), framework.QueueSkip, false},
		{"pvc-was-added-and-pod-was-bound-to-different-pvc", helper.IsSchedulableAfterClaimChange, createPodWithVolume("pod_1", "PVC_2"), nil, claim("default", "PVC_1"), framework.QueueSkip, false},
		{"pvc-was-added-and-pod-was-bound-to-pvc-but-different-ns", helper.IsSchedulableAfterClaimChange, pod, nil, claim("ns1", "PVC_1"), framework.QueueSkip, false},
		{"pvc-was-added-and-pod-was-bound-to-the-pvc", helper.IsSchedulableAfterClaimChange, pod, nil, claim("default", "PVC_1"), framework.Queue, false},
		{"pvc-was-updated-and-pod-was-bound-to-the-pvc", helper.IsSchedulableAfterClaimChange, pod, pvc("PVC_1", ""), claim("default", "PVC_1"), framework.Queue, false},
		{"pvc-was-updated-but-pod-refers-no-pvc", helper.IsSchedulableAfterClaimChange, noPVC, pvc("PVC_1", ""), claim("default", "PVC_1"), framework.QueueSkip, false},
		{"sc-error-wrong-new-object", isSchedulableAfterStorageClassAdded, pod, nil, pv("x", nil), framework.Queue, true},
		{"sc-doesn't-have-volume-binding-mode", isSchedulableAfterStorageClassAdded, pod, nil, &model.StorageClass{ObjectMeta: model.ObjectMeta{Name: "SC_1"}}, framework.QueueSkip, false},
		{"new-sc-is-wait-for-first-consumer-mode", isSchedulableAfterStorageClassAdded, pod, nil,
			&model.StorageClass{ObjectMeta: model.ObjectMeta{Name: "SC_1"}, VolumeBindingMode: model.Ptr(model.VolumeBindingWaitForFirstConsumer)}, framework.Queue, false},
		{"pv-error-wrong-new-object", isSchedulableAfterPersistentVolumeChange, pod, nil, claim("default", "x"), framework.Queue, true},
		{"pv-error-wrong-old-object", isSchedulableAfterPersistentVolumeChange, pod, claim("default", "x"), pv("Vol_1", nil), framework.Queue, true},
		{"new-pv-was-added", isSchedulableAfterPersistentVolumeChange, pod, nil, pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-b"}), framework.Queue, false},
		{"pv-was-updated-and-changed-topology", isSchedulableAfterPersistentVolumeChange, pod,
			pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-a"}), pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-b"}), framework.Queue, false},
		{"pv-was-updated-and-added-topology-label", isSchedulableAfterPersistentVolumeChange, pod,
			pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-a"}),
			pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-a", model.LabelTopologyZone: "zone"}), framework.Queue, false},
		{"pv-was-updated-but-no-topology-is-changed", isSchedulableAfterPersistentVolumeChange, pod,
			pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-a", model.LabelTopologyZone: "zone"}),
			pv("Vol_1", map[string]string{LabelFailureDomainBetaZone: "us-west1-a", model.LabelTopologyZone: "zone"}), framework.QueueSkip, false},
	}
	for _, tt := range tests {
		got, err := tt.fn(tt.pod, tt.old, tt.new)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: got %v, %v; want %v (error %v)", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFilterAllocs(t *testing.T) {
	h := fwtest.NewHandle(nil, nil, pv("Vol_1", map[string]string{model.LabelTopologyZone: "us-west1-a__us-west1-b"}), pvc("PVC_1", "Vol_1"))
	p, _ := New(nil, h)
	pl := p.(*Plugin)
	pod := createPodWithVolume("pod_1", "PVC_1")
	state := framework.NewCycleState()
	pl.PreFilter(state, pod, nil)
	ni := framework.NewNodeInfo()
	ni.SetNode(node(map[string]string{model.LabelTopologyZone: "us-west1-b"}))
	if a := testing.AllocsPerRun(100, func() { _ = pl.Filter(state, pod, ni) }); a != 0 {
		t.Fatalf("Filter allocates %v times", a)
	}
}
