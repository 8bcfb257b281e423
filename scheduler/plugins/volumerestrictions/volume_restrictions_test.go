package volumerestrictions

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

func podWithVolumes(name, node string, vols ...model.Volume) *model.Pod {
	p := fwtest.Pod(name, node, nil)
	p.Spec.Volumes = vols
	return p
}

func pvcVolume(claim string) model.Volume {
	return model.Volume{Name: claim, PersistentVolumeClaim: &model.PersistentVolumeClaimVolumeSource{ClaimName: claim}}
}

func statusEqual(a, b *framework.Status) bool {
	return a.Code() == b.Code() && a.Message() == b.Message()
}

type diskCase struct {
	name          string
	pod           *model.Pod
	existing      []*model.Pod
	wantPreFilter *framework.Status
	wantFilter    *framework.Status
}

func runDiskCases(t *testing.T, tests []diskCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(nil, nil)
			p, _ := New(nil, h)
			pl := p.(*Plugin)
			state := framework.NewCycleState()
			_, st := pl.PreFilter(state, tt.pod, nil)
			if !statusEqual(st, tt.wantPreFilter) {
				t.Fatalf("PreFilter = %v, want %v", st, tt.wantPreFilter)
			}
			if !st.IsSuccess() {
				return
			}
			ni := framework.NewNodeInfo(tt.existing...)
			ni.SetNode(fwtest.Node("n1", 1000, 1<<30, 10, nil))
			if got := pl.Filter(state, tt.pod, ni); !statusEqual(got, tt.wantFilter) {
				t.Fatalf("Filter = %v, want %v", got, tt.wantFilter)
			}
		})
	}
}

// Upstream volume_restrictions_test.go TestGCEDiskConflicts, plus the
// read-only sharing rule.
func TestGCEDiskConflicts(t *testing.T) {
	gce := func(pd string, ro bool) model.Volume {
		return model.Volume{Name: "v", GCEPersistentDisk: &model.GCEPersistentDiskVolumeSource{PDName: pd, ReadOnly: ro}}
	}
	errStatus := framework.NewStatus(framework.Unschedulable, ErrReasonDiskConflict)
	skip := framework.NewStatus(framework.Skip)
	runDiskCases(t, []diskCase{
		{name: "nothing", pod: podWithVolumes("p", ""), wantPreFilter: skip},
		{name: "one state", pod: podWithVolumes("p", ""), existing: []*model.Pod{podWithVolumes("e", "n1", gce("foo", false))}, wantPreFilter: skip},
		{name: "same state", pod: podWithVolumes("p", "", gce("foo", false)), existing: []*model.Pod{podWithVolumes("e", "n1", gce("foo", false))}, wantFilter: errStatus},
		{name: "different state", pod: podWithVolumes("p", "", gce("bar", false)), existing: []*model.Pod{podWithVolumes("e", "n1", gce("foo", false))}},
		{name: "pod with a volume that doesn't have restrictions", pod: podWithVolumes("p", "", model.Volume{Name: "x", EmptyDir: &model.EmptyDirVolumeSource{}}), wantPreFilter: skip},
		{name: "both read-only", pod: podWithVolumes("p", "", gce("foo", true)), existing: []*model.Pod{podWithVolumes("e", "n1", gce("foo", true))}},
		{name: "one read-write", pod: podWithVolumes("p", "", gce("foo", true)), existing: []*model.Pod{podWithVolumes("e", "n1", gce("foo", false))}, wantFilter: errStatus},
	})
}

// Upstream volume_restrictions_test.go TestAWSDiskConflicts: EBS forbids
// any sharing, even read-only.
func TestAWSDiskConflicts(t *testing.T) {
	ebs := func(id string, ro bool) model.Volume {
		return model.Volume{Name: "v", AWSElasticBlockStore: &model.AWSElasticBlockStoreVolumeSource{VolumeID: id, ReadOnly: ro}}
	}
	errStatus := framework.NewStatus(framework.Unschedulable, ErrReasonDiskConflict)
	skip := framework.NewStatus(framework.Skip)
	runDiskCases(t, []diskCase{
		{name: "nothing", pod: podWithVolumes("p", ""), wantPreFilter: skip},
		{name: "one state", pod: podWithVolumes("p", ""), existing: []*model.Pod{podWithVolumes("e", "n1", ebs("foo", false))}, wantPreFilter: skip},
		{name: "same state", pod: podWithVolumes("p", "", ebs("foo", false)), existing: []*model.Pod{podWithVolumes("e", "n1", ebs("foo", false))}, wantFilter: errStatus},
		{name: "different state", pod: podWithVolumes("p", "", ebs("bar", false)), existing: []*model.Pod{podWithVolumes("e", "n1", ebs("foo", false))}},
		{name: "both read-only still conflict", pod: podWithVolumes("p", "", ebs("foo", true)), existing: []*model.Pod{podWithVolumes("e", "n1", ebs("foo", true))}, wantFilter: errStatus},
	})
}

// Upstream volume_restrictions_test.go TestRBDDiskConflicts.
func TestRBDDiskConflicts(t *testing.T) {
	rbd := func(mons []string, ro bool) model.Volume {
		return model.Volume{Name: "v", RBD: &model.RBDVolumeSource{CephMonitors: mons, RBDPool: "foo", RBDImage: "bar", ReadOnly: ro}}
	}
	errStatus := framework.NewStatus(framework.Unschedulable, ErrReasonDiskConflict)
	skip := framework.NewStatus(framework.Skip)
	ab, cd := []string{"a", "b"}, []string{"c", "d"}
	runDiskCases(t, []diskCase{
		{name: "nothing", pod: podWithVolumes("p", ""), wantPreFilter: skip},
		{name: "one state", pod: podWithVolumes("p", ""), existing: []*model.Pod{podWithVolumes("e", "n1", rbd(ab, false))}, wantPreFilter: skip},
		{name: "same state", pod: podWithVolumes("p", "", rbd(ab, false)), existing: []*model.Pod{podWithVolumes("e", "n1", rbd(ab, false))}, wantFilter: errStatus},
		{name: "different state", pod: podWithVolumes("p", "", rbd(cd, false)), existing: []*model.Pod{podWithVolumes("e", "n1", rbd(ab, false))}},
		{name: "overlapping monitors", pod: podWithVolumes("p", "", rbd([]string{"b", "x"}, false)), existing: []*model.Pod{podWithVolumes("e", "n1", rbd(ab, false))}, wantFilter: errStatus},
		{name: "both read-only", pod: podWithVolumes("p", "", rbd(ab, true)), existing: []*model.Pod{podWithVolumes("e", "n1", rbd(ab, true))}},
	})
}

// Upstream volume_restrictions_test.go TestAccessModeConflicts.
func TestAccessModeConflicts(t *testing.T) {
	podWithOnePVC := podWithVolumes("pod-with-one-pvc", "node-1", pvcVolume("claim-with-rwop-1"))
	podWithTwoPVCs := podWithVolumes("pod-with-two-pvcs", "node-1", pvcVolume("claim-with-rwop-1"), pvcVolume("claim-with-rwop-2"))
	podWithOneConflict := podWithVolumes("pod-with-one-conflict", "node-1", pvcVolume("claim-with-rwop-1"))
	podWithTwoConflicts := podWithVolumes("pod-with-two-conflicts", "node-1", pvcVolume("claim-with-rwop-1"), pvcVolume("claim-with-rwop-2"))
	podWithReadWriteManyPVC := podWithVolumes("pod-with-rwx", "node-1", pvcVolume("claim-with-rwx"))
	node := fwtest.Node("node-1", 1000, 1<<30, 10, nil)
	claim := func(name string, mode model.PersistentVolumeAccessMode) *model.PersistentVolumeClaim {
		return &model.PersistentVolumeClaim{
			ObjectMeta: model.ObjectMeta{Namespace: "default", Name: name},
			Spec:       model.PersistentVolumeClaimSpec{AccessModes: []model.PersistentVolumeAccessMode{mode}},
		}
	}
	rwop1 := claim("claim-with-rwop-1", model.ReadWriteOncePod)
	rwop2 := claim("claim-with-rwop-2", model.ReadWriteOncePod)
	rwx := claim("claim-with-rwx", model.ReadWriteMany)
	conflict := framework.NewStatus(framework.Unschedulable, ErrReasonReadWriteOncePodConflict)

	tests := []struct {
		name          string
		pod           *model.Pod
		existingPods  []*model.Pod
		existingNodes []*model.Node
		pvcs          []*model.PersistentVolumeClaim
		wantPreFilter *framework.Status
		wantFilter    *framework.Status
	}{
		{name: "nothing", pod: fwtest.Pod("p", "", nil), wantPreFilter: framework.NewStatus(framework.Skip)},
		{name: "failed to get PVC", pod: podWithOnePVC,
			wantPreFilter: framework.NewStatus(framework.UnschedulableAndUnresolvable, `persistentvolumeclaim "claim-with-rwop-1" not found`)},
		{name: "no access mode conflict", pod: podWithOnePVC, existingPods: []*model.Pod{podWithReadWriteManyPVC}, existingNodes: []*model.Node{node},
			pvcs: []*model.PersistentVolumeClaim{rwop1, rwx}, wantPreFilter: framework.NewStatus(framework.Skip)},
		{name: "access mode conflict, unschedulable", pod: podWithOneConflict, existingPods: []*model.Pod{podWithOnePVC, podWithReadWriteManyPVC}, existingNodes: []*model.Node{node},
			pvcs: []*model.PersistentVolumeClaim{rwop1, rwx}, wantFilter: conflict},
		{name: "two conflicts, unschedulable", pod: podWithTwoConflicts, existingPods: []*model.Pod{podWithTwoPVCs, podWithReadWriteManyPVC}, existingNodes: []*model.Node{node},
			pvcs: []*model.PersistentVolumeClaim{rwop1, rwop2, rwx}, wantFilter: conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := make([]model.Object, 0, len(tt.pvcs))
			for _, c := range tt.pvcs {
				objs = append(objs, c)
			}
			h := fwtest.NewHandle(tt.existingNodes, tt.existingPods, objs...)
			p, _ := New(nil, h)
			pl := p.(*Plugin)
			state := framework.NewCycleState()
			_, st := pl.PreFilter(state, tt.pod, nil)
			if !statusEqual(st, tt.wantPreFilter) {
				t.Fatalf("PreFilter = %v, want %v", st, tt.wantPreFilter)
			}
			if !st.IsSuccess() {
				return
			}
			ni := framework.NewNodeInfo(tt.existingPods...)
			ni.SetNode(node)
			if got := pl.Filter(state, tt.pod, ni); !statusEqual(got, tt.wantFilter) {
				t.Fatalf("Filter = %v, want %v", got, tt.wantFilter)
			}
		})
	}
}

// Preemption removing the pod that holds the ReadWriteOncePod claim clears
// the conflict (upstream RemovePod/AddPod with updateWithPod).
func TestPreFilterExtensions(t *testing.T) {
	holder := podWithVolumes("holder", "node-1", pvcVolume("rwop"))
	incoming := podWithVolumes("incoming", "", pvcVolume("rwop"))
	node := fwtest.Node("node-1", 1000, 1<<30, 10, nil)
	pvc := &model.PersistentVolumeClaim{
		ObjectMeta: model.ObjectMeta{Namespace: "default", Name: "rwop"},
		Spec:       model.PersistentVolumeClaimSpec{AccessModes: []model.PersistentVolumeAccessMode{model.ReadWriteOncePod}},
	}
	h := fwtest.NewHandle([]*model.Node{node}, []*model.Pod{holder}, pvc)
	p, _ := New(nil, h)
	pl := p.(*Plugin)
	state := framework.NewCycleState()
	if _, st := pl.PreFilter(state, incoming, nil); !st.IsSuccess() {
		t.Fatalf("PreFilter = %v", st)
	}
	ni, _ := h.Snap.Get("node-1")
	if got := pl.Filter(state, incoming, ni); got.Code() != framework.Unschedulable {
		t.Fatalf("Filter before removal = %v", got)
	}
	sim := state.Clone()
	holderInfo := framework.NewPodInfo(holder)
	if st := pl.RemovePod(sim, incoming, holderInfo, ni); !st.IsSuccess() {
		t.Fatal(st)
	}
	if got := pl.Filter(sim, incoming, ni); !got.IsSuccess() {
		t.Fatalf("Filter after RemovePod = %v", got)
	}
	if got := pl.Filter(state, incoming, ni); got.Code() != framework.Unschedulable {
		t.Fatalf("original state changed by the clone: %v", got)
	}
	if st := pl.AddPod(sim, incoming, holderInfo, ni); !st.IsSuccess() {
		t.Fatal(st)
	}
	if got := pl.Filter(sim, incoming, ni); got.Code() != framework.Unschedulable {
		t.Fatalf("Filter after AddPod = %v", got)
	}
}

// Upstream volume_restrictions_test.go Test_isSchedulableAfterPodDeleted and
// Test_isSchedulableAfterPersistentVolumeClaimChange.
func TestQueueingHints(t *testing.T) {
	gce := model.Volume{Name: "v", GCEPersistentDisk: &model.GCEPersistentDiskVolumeSource{PDName: "foo"}}
	pod := podWithVolumes("p", "", gce, pvcVolume("claim"))
	other := podWithVolumes("o", "n1", model.Volume{Name: "x", EmptyDir: &model.EmptyDirVolumeSource{}})
	otherNS := podWithVolumes("o", "n1", gce)
	otherNS.Namespace = "other"
	tests := []struct {
		name string
		fn   framework.QueueingHintFn
		old  model.Object
		new  model.Object
		want framework.QueueingHint
	}{
		{"deleted pod with the same disk", isSchedulableAfterPodDeleted, podWithVolumes("d", "n1", gce), nil, framework.Queue},
		{"deleted pod with the same claim", isSchedulableAfterPodDeleted, podWithVolumes("d", "n1", pvcVolume("claim")), nil, framework.Queue},
		{"deleted pod without shared volumes", isSchedulableAfterPodDeleted, other, nil, framework.QueueSkip},
		{"deleted pod in another namespace", isSchedulableAfterPodDeleted, otherNS, nil, framework.QueueSkip},
		{"added referenced claim", helper.IsSchedulableAfterClaimChange, nil, &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "default", Name: "claim"}}, framework.Queue},
		{"added unrelated claim", helper.IsSchedulableAfterClaimChange, nil, &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "default", Name: "other"}}, framework.QueueSkip},
		{"added claim in another namespace", helper.IsSchedulableAfterClaimChange, nil, &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "other", Name: "claim"}}, framework.QueueSkip},
	}
	for _, tt := range tests {
		got, err := tt.fn(pod, tt.old, tt.new)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if got, err := helper.IsSchedulableAfterClaimChange(pod, nil, pod); err == nil || got != framework.Queue {
		t.Errorf("wrong object type: got %v, %v; want Queue and an error", got, err)
	}
}

func TestEvents(t *testing.T) {
	ev := (&Plugin{}).EventsToRegister()
	want := []framework.ClusterEvent{
		{Resource: framework.EventPod, ActionType: framework.Delete},
		{Resource: framework.EventNode, ActionType: framework.Add},
		{Resource: framework.EventPersistentVolumeClaim, ActionType: framework.Add},
	}
	if len(ev) != len(want) {
		t.Fatalf("got %d events", len(ev))
	}
	for i := range want {
		if ev[i].Event != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, ev[i].Event, want[i])
		}
	}
}

func TestFilterAllocs(t *testing.T) {
	gce := model.Volume{Name: "v", GCEPersistentDisk: &model.GCEPersistentDiskVolumeSource{PDName: "foo"}}
	pod := podWithVolumes("p", "", gce)
	h := fwtest.NewHandle(nil, nil)
	p, _ := New(nil, h)
	pl := p.(*Plugin)
	state := framework.NewCycleState()
	pl.PreFilter(state, pod, nil)
	ni := framework.NewNodeInfo(podWithVolumes("e", "n1", model.Volume{Name: "v", GCEPersistentDisk: &model.GCEPersistentDiskVolumeSource{PDName: "bar"}}))
	ni.SetNode(fwtest.Node("n1", 1000, 1<<30, 10, nil))
	if a := testing.AllocsPerRun(100, func() { _ = pl.Filter(state, pod, ni) }); a != 0 {
		t.Fatalf("Filter allocates %v times", a)
	}
}
