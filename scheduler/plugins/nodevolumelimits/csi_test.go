package nodevolumelimits

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	ebsDriver        = "ebs.csi.aws.com"
	gceDriver        = "pd.csi.storage.gke.io"
	ebsInTreePlugin  = "kubernetes.io/aws-ebs"
	hostpathInTree   = "kubernetes.io/hostpath"
	scName           = "csi-sc"
	nodeName         = "node-for-max-pd-test-1"
	fixtureClaimBase = "csi"
)

func pvcVolume(claim string) model.Volume {
	return model.Volume{Name: claim, PersistentVolumeClaim: &model.PersistentVolumeClaimVolumeSource{ClaimName: claim}}
}

func podWith(name string, vols ...model.Volume) *model.Pod {
	p := fwtest.Pod(name, "", nil)
	p.Spec.Volumes = vols
	return p
}

// fixtures mirror upstream csi_test.go getFakeCSIPVLister,
// getFakeCSIPVCLister and getFakeCSIStorageClassLister: per driver, claims
// csi-<driver>-0..3 bound to PVs of the same name; csi-4 unbound with the
// class; csi-5 without class; csi-6 bound to a missing PV with the class.
func fixtures(driverNames ...string) []model.Object {
	var objs []model.Object
	for _, d := range driverNames {
		for j := 0; j < 4; j++ {
			name := fmt.Sprintf("%s-%s-%d", fixtureClaimBase, d, j)
			pv := &model.PersistentVolume{ObjectMeta: model.ObjectMeta{Name: name}}
			switch d {
			case ebsInTreePlugin:
				pv.Spec.AWSElasticBlockStore = &model.AWSElasticBlockStoreVolumeSource{VolumeID: name}
			case hostpathInTree:
				pv.Spec.HostPath = &model.HostPathVolumeSource{Path: "/tmp"}
			default:
				pv.Spec.CSI = &model.CSIPersistentVolumeSource{Driver: d, VolumeHandle: name}
			}
			objs = append(objs, pv, &model.PersistentVolumeClaim{
				ObjectMeta: model.ObjectMeta{Namespace: "default", Name: name},
				Spec:       model.PersistentVolumeClaimSpec{VolumeName: name},
			})
		}
	}
	sc := scName
	objs = append(objs,
		&model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "default", Name: fixtureClaimBase + "-4"}, Spec: model.PersistentVolumeClaimSpec{StorageClassName: &sc}},
		&model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "default", Name: fixtureClaimBase + "-5"}},
		&model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "default", Name: fixtureClaimBase + "-6"}, Spec: model.PersistentVolumeClaimSpec{StorageClassName: &sc, VolumeName: "missing-in-action"}},
		&model.StorageClass{ObjectMeta: model.ObjectMeta{Name: scName}, Provisioner: driverNames[0]},
	)
	return objs
}

// Upstream csi_test.go TestCSILimits, with the limit ("csinode" limit
// source) moved to the node's attachable-volumes-csi-<driver> allocatable.
func TestCSILimits(t *testing.T) {
	runningPod := podWith("running", pvcVolume("csi-ebs.csi.aws.com-3"))
	pendingVolumePod := podWith("pending", pvcVolume("csi-4"))
	unboundPVCPod2 := podWith("pending2", pvcVolume("csi-4"))
	missingPVPod := podWith("missing-pv", pvcVolume("csi-6"))
	noSCPVCPod := podWith("no-sc", pvcVolume("csi-5"))
	gceTwoVolPod := podWith("gce-two", pvcVolume("csi-pd.csi.storage.gke.io-1"), pvcVolume("csi-pd.csi.storage.gke.io-2"))
	inTreeOneVolPod := podWith("intree-one", pvcVolume("csi-kubernetes.io/aws-ebs-0"))
	inTreeTwoVolPod := podWith("intree-two", pvcVolume("csi-kubernetes.io/aws-ebs-1"), pvcVolume("csi-kubernetes.io/aws-ebs-2"))
	csiEBSOneVolPod := podWith("ebs-one", pvcVolume("csi-ebs.csi.aws.com-0"))
	csiEBSTwoVolPod := podWith("ebs-two", pvcVolume("csi-ebs.csi.aws.com-1"), pvcVolume("csi-ebs.csi.aws.com-2"))
	ebsSharedVolPod := podWith("ebs-shared", pvcVolume("csi-ebs.csi.aws.com-1"))
	inTreeNonMigratableOneVolPod := podWith("hostpath", pvcVolume("csi-kubernetes.io/hostpath-0"))
	inTreeInlineVolPod := podWith("inline", model.Volume{Name: "v", AWSElasticBlockStore: &model.AWSElasticBlockStoreVolumeSource{VolumeID: "aws-inline1"}})
	onlyConfigmapAndSecretVolPod := podWith("cm", model.Volume{Name: "a", ConfigMap: &model.ConfigMapVolumeSource{}}, model.Volume{Name: "b", Secret: &model.SecretVolumeSource{}})
	pvcPodWithConfigmapAndSecret := podWith("cm-pvc", model.Volume{Name: "a", ConfigMap: &model.ConfigMapVolumeSource{}}, model.Volume{Name: "b", Secret: &model.SecretVolumeSource{}}, pvcVolume("csi-ebs.csi.aws.com-0"))
	missingClaimPod := podWith("missing-claim", pvcVolume("xyz"))

	exceeded := framework.NewStatus(framework.Unschedulable, ErrReasonMaxVolumeCountExceeded)
	tests := []struct {
		test          string
		newPod        *model.Pod
		existingPods  []*model.Pod
		maxVols       int64
		noLimit       bool
		driverNames   []string
		wantPreFilter *framework.Status
		want          *framework.Status
	}{
		{test: "fits when node volume limit >= new pods CSI volume", newPod: csiEBSOneVolPod, existingPods: []*model.Pod{runningPod, csiEBSTwoVolPod}, maxVols: 4, driverNames: []string{ebsDriver}},
		{test: "doesn't when node volume limit <= pods CSI volume", newPod: csiEBSOneVolPod, existingPods: []*model.Pod{runningPod, csiEBSTwoVolPod}, maxVols: 2, driverNames: []string{ebsDriver}, want: exceeded},
		{test: "should when driver does not support volume limits", newPod: csiEBSOneVolPod, existingPods: []*model.Pod{runningPod, csiEBSTwoVolPod}, maxVols: 2, noLimit: true, driverNames: []string{ebsDriver}},
		{test: "count pending PVCs towards volume limit <= pods CSI volume", newPod: csiEBSOneVolPod, existingPods: []*model.Pod{pendingVolumePod, csiEBSTwoVolPod}, maxVols: 2, driverNames: []string{ebsDriver}, want: exceeded},
		{test: "count multiple pending pvcs towards volume limit >= pods CSI volume", newPod: csiEBSOneVolPod, existingPods: []*model.Pod{pendingVolumePod, unboundPVCPod2, csiEBSTwoVolPod}, maxVols: 4, driverNames: []string{ebsDriver}},
		{test: "should count PVCs with invalid PV name but valid SC", newPod: csiEBSOneVolPod, existingPods: []*model.Pod{missingPVPod, csiEBSTwoVolPod}, maxVols: 2, driverNames: []string{ebsDriver}, want: exceeded},
		{test: "don't count pvcs with missing SC towards volume limit", newPod: csiEBSOneVolPod, existingPods: []*model.Pod{runningPod, noSCPVCPod}, maxVols: 2, driverNames: []string{ebsDriver}},
		{test: "count pvcs with the same type towards volume limit", newPod: csiEBSOneVolPod, existingPods: []*model.Pod{gceTwoVolPod, csiEBSTwoVolPod}, maxVols: 2, driverNames: []string{ebsDriver, gceDriver}, want: exceeded},
		{test: "don't count pvcs with different type towards volume limit", newPod: gceTwoVolPod, existingPods: []*model.Pod{csiEBSTwoVolPod, runningPod}, maxVols: 2, driverNames: []string{ebsDriver, gceDriver}},
		{test: "should not count non-migratable in-tree volumes", newPod: inTreeNonMigratableOneVolPod, existingPods: []*model.Pod{csiEBSTwoVolPod}, maxVols: 2, driverNames: []string{hostpathInTree, ebsDriver}},
		{test: "nil csi node", newPod: inTreeInlineVolPod, existingPods: []*model.Pod{inTreeTwoVolPod}, noLimit: true, driverNames: []string{ebsInTreePlugin, ebsDriver}},
		// Deviation: upstream counts these only when the CSINode reports the
		// plugin as migrated; kubesim has no CSINode.
		{test: "in-tree volumes are not counted without a CSINode", newPod: inTreeOneVolPod, existingPods: []*model.Pod{inTreeTwoVolPod}, maxVols: 2, driverNames: []string{ebsInTreePlugin, ebsDriver}},
		{test: "skip Filter when the pod only uses secrets and configmaps", newPod: onlyConfigmapAndSecretVolPod, maxVols: 2, driverNames: []string{ebsDriver}, wantPreFilter: framework.NewStatus(framework.Skip)},
		{test: "don't skip Filter when the pod has pvcs", newPod: pvcPodWithConfigmapAndSecret, maxVols: 2, driverNames: []string{ebsDriver}},
		{test: "don't skip Filter when the pod has inline migratable volumes", newPod: inTreeInlineVolPod, existingPods: []*model.Pod{inTreeTwoVolPod}, maxVols: 2, driverNames: []string{ebsInTreePlugin, ebsDriver}},
		// Upstream "two same pending PVCs should be counted as 1", for a
		// bound volume: the pod's volume is already attached to the node.
		{test: "a volume shared with an existing pod is counted once", newPod: ebsSharedVolPod, existingPods: []*model.Pod{csiEBSTwoVolPod}, maxVols: 2, driverNames: []string{ebsDriver}},
		{test: "missing claim of the new pod", newPod: missingClaimPod, noLimit: true, driverNames: []string{ebsDriver},
			want: framework.NewStatus(framework.UnschedulableAndUnresolvable, `looking up PVC default/xyz: persistentvolumeclaim "xyz" not found`)},
		{test: "limit 0 rejects any new volume", newPod: csiEBSOneVolPod, maxVols: 0, driverNames: []string{ebsDriver}, want: exceeded},
	}
	for _, tt := range tests {
		t.Run(tt.test, func(t *testing.T) {
			node := fwtest.Node(nodeName, 1000, 1<<30, 10, nil)
			if !tt.noLimit {
				for _, d := range tt.driverNames {
					node.Status.Allocatable[model.ResourceName(GetCSIAttachLimitKey(d))] = model.NewQuantity(tt.maxVols)
				}
			}
			pods := make([]*model.Pod, len(tt.existingPods))
			for i, p := range tt.existingPods {
				c := model.DeepCopy(*p)
				c.Spec.NodeName = nodeName
				pods[i] = &c
			}
			h := fwtest.NewHandle([]*model.Node{node}, pods, fixtures(tt.driverNames...)...)
			p, _ := New(nil, h)
			pl := p.(*Plugin)
			state := framework.NewCycleState()
			_, st := pl.PreFilter(state, tt.newPod, nil)
			if st.Code() != tt.wantPreFilter.Code() || st.Message() != tt.wantPreFilter.Message() {
				t.Fatalf("PreFilter = %v, want %v", st, tt.wantPreFilter)
			}
			if st.IsSkip() {
				return
			}
			ni, _ := h.Snap.Get(nodeName)
			got := pl.Filter(state, tt.newPod, ni)
			if got.Code() != tt.want.Code() || got.Message() != tt.want.Message() {
				t.Fatalf("Filter = %v, want %v", got, tt.want)
			}
			// Without PreFilter state Filter computes the same answer.
			if again := pl.Filter(framework.NewCycleState(), tt.newPod, ni); again.Code() != tt.want.Code() || again.Message() != tt.want.Message() {
				t.Fatalf("Filter without state = %v, want %v", again, tt.want)
			}
		})
	}
}

func TestGetCSIAttachLimitKey(t *testing.T) {
	if got := GetCSIAttachLimitKey(ebsDriver); got != "attachable-volumes-csi-ebs.csi.aws.com" {
		t.Errorf("short name: %q", got)
	}
	// 23 characters of the name and 16 hex characters of its SHA-1.
	long := "a-very-long-csi-driver-name.example.storage.company.io"
	if got, want := GetCSIAttachLimitKey(long), "attachable-volumes-csi-a-very-long-csi-driver-22f3205c6d7674c5"; got != want {
		t.Errorf("long name: %q, want %q", got, want)
	}
}

// Upstream csi_test.go TestCSILimitsQHint and TestCSILimitsAddedPVCQHint.
func TestQueueingHints(t *testing.T) {
	podEBS := podWith("p", pvcVolume("csi-ebs.csi.aws.com-2"))
	scheduled := func(p *model.Pod) *model.Pod { p.Spec.NodeName = nodeName; return p }
	tests := []struct {
		name string
		fn   framework.QueueingHintFn
		pod  *model.Pod
		old  model.Object
		new  model.Object
		want framework.QueueingHint
	}{
		{"a deleted pod has a PVC", isSchedulableAfterPodDeleted, podEBS, scheduled(podWith("d", pvcVolume("placeholder"))), nil, framework.Queue},
		{"a deleted pod has an inline migratable volume", isSchedulableAfterPodDeleted, podEBS,
			scheduled(podWith("d", model.Volume{Name: "v", AWSElasticBlockStore: &model.AWSElasticBlockStoreVolumeSource{}})), nil, framework.Queue},
		{"a deleted pod doesn't have any volume", isSchedulableAfterPodDeleted, podEBS, scheduled(podWith("d")), nil, framework.QueueSkip},
		{"a deleted pod is not scheduled", isSchedulableAfterPodDeleted, podEBS, podWith("d", pvcVolume("csi-ebs.csi.aws.com-0")), nil, framework.QueueSkip},
		{"a pod isn't in the same namespace as an added PVC", helper.IsSchedulableAfterClaimChange, podWith("p"),
			nil, &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "ns2"}}, framework.QueueSkip},
		{"a pod is in the same namespace as an added PVC", helper.IsSchedulableAfterClaimChange, podWith("p", pvcVolume("pvc1")),
			nil, &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "default", Name: "pvc1"}}, framework.Queue},
		{"a pod doesn't have the same PVC as an added PVC", helper.IsSchedulableAfterClaimChange, podWith("p", pvcVolume("pvc1")),
			nil, &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "default", Name: "pvc2"}}, framework.QueueSkip},
		{"a pod doesn't have any PVC attached", helper.IsSchedulableAfterClaimChange, podWith("p"),
			nil, &model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Namespace: "default", Name: "pvc2"}}, framework.QueueSkip},
	}
	for _, tt := range tests {
		got, err := tt.fn(tt.pod, tt.old, tt.new)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestFilterAllocs(t *testing.T) {
	node := fwtest.Node(nodeName, 1000, 1<<30, 10, nil)
	node.Status.Allocatable[model.ResourceName(GetCSIAttachLimitKey(ebsDriver))] = model.NewQuantity(4)
	existing := podWith("ebs-two", pvcVolume("csi-ebs.csi.aws.com-1"), pvcVolume("csi-ebs.csi.aws.com-2"))
	existing.Spec.NodeName = nodeName
	h := fwtest.NewHandle([]*model.Node{node}, []*model.Pod{existing}, fixtures(ebsDriver)...)
	p, _ := New(nil, h)
	pl := p.(*Plugin)
	pod := podWith("ebs-one", pvcVolume("csi-ebs.csi.aws.com-0"))
	state := framework.NewCycleState()
	pl.PreFilter(state, pod, nil)
	ni, _ := h.Snap.Get(nodeName)
	pl.Filter(state, pod, ni) // warms the claim memo
	if a := testing.AllocsPerRun(100, func() { _ = pl.Filter(state, pod, ni) }); a != 0 {
		t.Fatalf("Filter allocates %v times", a)
	}
}
