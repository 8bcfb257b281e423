package model

import (
	"testing"
	"time"
)

// Fixtures mirror upstream pkg/controller/volume/persistentvolume/index_test.go
// (createTestVolumes, makePVC, testVolume) and
// component-helpers/storage/volume/pv_helpers_test.go.

var (
	classSilver = "silver"
	classGold   = "gold"
	classLarge  = "large"
	classWait   = "wait"
)

func testPV(uid, name, capacity string, modes []PersistentVolumeAccessMode, phase PersistentVolumePhase, mod func(*PersistentVolume)) *PersistentVolume {
	pv := &PersistentVolume{
		ObjectMeta: ObjectMeta{UID: uid, Name: name},
		Spec: PersistentVolumeSpec{
			Capacity:    ResourceList{ResourceStorage: MustParseQuantity(capacity)},
			AccessModes: modes,
			VolumeMode:  Ptr(PersistentVolumeFilesystem),
		},
		Status: PersistentVolumeStatus{Phase: phase},
	}
	if mod != nil {
		mod(pv)
	}
	return pv
}

func affinity(key, value string) *VolumeNodeAffinity {
	return &VolumeNodeAffinity{Required: &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{
		MatchExpressions: []NodeSelectorRequirement{{Key: key, Operator: NodeSelectorOpIn, Values: []string{value}}},
	}}}}
}

var (
	rwoRox    = []PersistentVolumeAccessMode{ReadWriteOnce, ReadOnlyMany}
	rwoRoxRwx = []PersistentVolumeAccessMode{ReadWriteOnce, ReadOnlyMany, ReadWriteMany}
	rwo       = []PersistentVolumeAccessMode{ReadWriteOnce}
)

// createTestVolumes, in upstream's deliberately shuffled order. Upstream's
// 200E and 800E volumes do not fit kubesim's int64 quantities; they are 2E
// and 8E here (and the claims 1E, 8E, 9E keep their relations).
func createTestVolumes() []*PersistentVolume {
	withClass := func(c string) func(*PersistentVolume) {
		return func(pv *PersistentVolume) { pv.Spec.StorageClassName = c }
	}
	return []*PersistentVolume{
		testPV("gce-pd-10", "gce003", "10G", rwoRox, VolumeAvailable, nil),
		testPV("gce-pd-20", "gce004", "20G", rwoRox, VolumeBound, func(pv *PersistentVolume) { pv.Spec.ClaimRef = &ObjectReference{UID: "def456"} }),
		testPV("nfs-5", "nfs002", "5G", rwoRoxRwx, VolumeAvailable, nil),
		testPV("gce-pd-1", "gce001", "1G", rwoRox, VolumeBound, func(pv *PersistentVolume) { pv.Spec.ClaimRef = &ObjectReference{UID: "abc123"} }),
		testPV("nfs-10", "nfs003", "10G", rwoRoxRwx, VolumeAvailable, nil),
		testPV("gce-pd-5", "gce002", "5G", rwoRox, VolumeAvailable, nil),
		testPV("nfs-1", "nfs001", "1G", rwoRoxRwx, VolumeAvailable, nil),
		testPV("gce-pd-2", "gce0022", "20000G", rwo, VolumeAvailable, func(pv *PersistentVolume) { pv.Labels = map[string]string{"should-exist": "true"} }),
		testPV("gce-pd-silver1", "gce0023", "10000G", rwo, VolumeAvailable, func(pv *PersistentVolume) {
			pv.Labels = map[string]string{"should-exist": "true"}
			pv.Spec.StorageClassName = classSilver
		}),
		testPV("gce-pd-silver2", "gce0024", "100G", rwo, VolumeAvailable, withClass(classSilver)),
		testPV("gce-pd-gold", "gce0025", "50G", rwo, VolumeAvailable, withClass(classGold)),
		testPV("local-pd-very-large", "local001", "2E", rwoRoxRwx, VolumeAvailable, withClass(classLarge)),
		testPV("local-pd-extremely-large", "local002", "8E", rwoRoxRwx, VolumeAvailable, withClass(classLarge)),
		testPV("affinity-pv", "affinity001", "100G", rwoRox, VolumeAvailable, func(pv *PersistentVolume) {
			pv.Spec.StorageClassName = classWait
			pv.Spec.NodeAffinity = affinity("key1", "value1")
		}),
		testPV("affinity-pv2", "affinity002", "150G", rwoRox, VolumeAvailable, func(pv *PersistentVolume) {
			pv.Spec.StorageClassName = classWait
			pv.Spec.NodeAffinity = affinity("key1", "value1")
		}),
		testPV("affinity-prebound", "affinity003", "100G", rwoRox, VolumeAvailable, func(pv *PersistentVolume) {
			pv.Spec.StorageClassName = classWait
			pv.Spec.ClaimRef = &ObjectReference{Name: "claim02", Namespace: "myns"}
			pv.Spec.NodeAffinity = affinity("key1", "value1")
		}),
		testPV("affinity-pv3", "affinity003", "200G", rwoRox, VolumeAvailable, func(pv *PersistentVolume) {
			pv.Spec.StorageClassName = classWait
			pv.Spec.NodeAffinity = affinity("key1", "value3")
		}),
		testPV("affinity-pv4-pending", "affinity004-pending", "200G", rwoRox, VolumePending, func(pv *PersistentVolume) {
			pv.Spec.StorageClassName = classWait
			pv.Spec.NodeAffinity = affinity("key1", "value4")
		}),
		testPV("affinity-pv4-failed", "affinity004-failed", "200G", rwoRox, VolumeFailed, func(pv *PersistentVolume) {
			pv.Spec.StorageClassName = classWait
			pv.Spec.NodeAffinity = affinity("key1", "value4")
		}),
		testPV("affinity-pv4-released", "affinity004-released", "200G", rwoRox, VolumeReleased, func(pv *PersistentVolume) {
			pv.Spec.StorageClassName = classWait
			pv.Spec.NodeAffinity = affinity("key1", "value4")
		}),
		testPV("affinity-pv4-empty", "affinity004-empty", "200G", rwoRox, "", func(pv *PersistentVolume) {
			pv.Spec.StorageClassName = classWait
			pv.Spec.NodeAffinity = affinity("key1", "value4")
		}),
	}
}

func makePVC(size string, mod func(*PersistentVolumeClaim)) *PersistentVolumeClaim {
	pvc := &PersistentVolumeClaim{
		ObjectMeta: ObjectMeta{Name: "claim01", Namespace: "myns"},
		Spec: PersistentVolumeClaimSpec{
			AccessModes: []PersistentVolumeAccessMode{ReadOnlyMany, ReadWriteOnce},
			Resources:   VolumeResourceRequirements{Requests: ResourceList{ResourceStorage: MustParseQuantity(size)}},
			VolumeMode:  Ptr(PersistentVolumeFilesystem),
		},
	}
	if mod != nil {
		mod(pvc)
	}
	return pvc
}

func uidOf(pv *PersistentVolume) string {
	if pv == nil {
		return ""
	}
	return pv.UID
}

// Upstream index_test.go TestMatchVolume.
func TestFindBestMatchForClaim(t *testing.T) {
	volumes := createTestVolumes()
	selector := func(k string) *LabelSelector { return &LabelSelector{MatchLabels: map[string]string{k: "true"}} }
	tests := []struct {
		name string
		want string
		pvc  *PersistentVolumeClaim
	}{
		{"successful-match-gce-10", "gce-pd-10", makePVC("8G", nil)},
		{"successful-match-nfs-5", "nfs-5", makePVC("5G", func(p *PersistentVolumeClaim) {
			p.Spec.AccessModes = []PersistentVolumeAccessMode{ReadOnlyMany, ReadWriteOnce, ReadWriteMany}
		})},
		{"successful-skip-1g-bound-volume", "gce-pd-5", makePVC("1G", nil)},
		{"successful-no-match", "", makePVC("999G", nil)},
		{"successful-no-match-due-to-label", "", makePVC("999G", func(p *PersistentVolumeClaim) { p.Spec.Selector = selector("should-not-exist") })},
		{"successful-no-match-due-to-size-constraint-with-label-selector", "", makePVC("20000G", func(p *PersistentVolumeClaim) {
			p.Spec.Selector = selector("should-exist")
			p.Spec.AccessModes = []PersistentVolumeAccessMode{ReadOnlyMany, ReadWriteOnce}
		})},
		{"successful-match-due-with-constraint-and-label-selector", "gce-pd-2", makePVC("20000G", func(p *PersistentVolumeClaim) {
			p.Spec.Selector = selector("should-exist")
			p.Spec.AccessModes = rwo
		})},
		{"successful-match-with-class", "gce-pd-silver1", makePVC("1G", func(p *PersistentVolumeClaim) {
			p.Spec.Selector = selector("should-exist")
			p.Spec.AccessModes = rwo
			p.Spec.StorageClassName = &classSilver
		})},
		{"successful-match-with-class-and-labels", "gce-pd-silver2", makePVC("1G", func(p *PersistentVolumeClaim) {
			p.Spec.AccessModes = rwo
			p.Spec.StorageClassName = &classSilver
		})},
		{"successful-match-very-large", "local-pd-very-large", makePVC("1E", func(p *PersistentVolumeClaim) {
			p.Spec.AccessModes = rwo
			p.Spec.StorageClassName = &classLarge
		})},
		{"successful-match-exact-extremely-large", "local-pd-extremely-large", makePVC("8E", func(p *PersistentVolumeClaim) {
			p.Spec.AccessModes = rwo
			p.Spec.StorageClassName = &classLarge
		})},
		{"successful-no-match-way-too-large", "", makePVC("9E", func(p *PersistentVolumeClaim) {
			p.Spec.AccessModes = rwo
			p.Spec.StorageClassName = &classLarge
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindBestMatchForClaim(tt.pvc, volumes, false)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if uidOf(got) != tt.want {
				t.Fatalf("matched %q, want %q", uidOf(got), tt.want)
			}
		})
	}
}

// Upstream index_test.go TestMatchingWithBoundVolumes.
func TestMatchingWithBoundVolumes(t *testing.T) {
	pv1 := testPV("gce-pd-1", "gce001", "1G", rwoRox, VolumeBound, func(pv *PersistentVolume) { pv.Spec.ClaimRef = &ObjectReference{UID: "abc123"} })
	pv2 := testPV("gce-pd-2", "gce002", "1G", rwoRox, VolumeAvailable, nil)
	got, err := FindBestMatchForClaim(makePVC("1G", nil), []*PersistentVolume{pv1, pv2}, false)
	if err != nil || got != pv2 {
		t.Fatalf("got %v, %v; want gce002", got, err)
	}
}

// Upstream index_test.go TestAllPossibleAccessModes, through the group
// order FindBestMatchForClaim uses.
func TestAccessModesString(t *testing.T) {
	tests := []struct {
		modes []PersistentVolumeAccessMode
		want  string
	}{
		{[]PersistentVolumeAccessMode{ReadWriteMany, ReadWriteOnce, ReadOnlyMany, ReadWriteOnce}, "RWO,ROX,RWX"},
		{[]PersistentVolumeAccessMode{ReadWriteOncePod}, "RWOP"},
		{nil, ""},
		{[]PersistentVolumeAccessMode{"Bogus", ReadOnlyMany}, "ROX"},
	}
	for _, tt := range tests {
		if got := AccessModesString(tt.modes); got != tt.want {
			t.Errorf("AccessModesString(%v) = %q, want %q", tt.modes, got, tt.want)
		}
	}
}

// Upstream index_test.go TestFindingVolumeWithDifferentAccessModes: the
// smallest access-mode superset wins over a closer capacity.
func TestFindingVolumeWithDifferentAccessModes(t *testing.T) {
	gce := testPV("001", "gce", "10G", rwoRox, VolumeAvailable, nil)
	ebs := testPV("002", "ebs", "10G", rwo, VolumeAvailable, nil)
	nfs := testPV("003", "nfs", "10G", rwoRoxRwx, VolumeAvailable, nil)
	vols := []*PersistentVolume{gce, ebs, nfs}
	claim := makePVC("1G", func(p *PersistentVolumeClaim) { p.Spec.AccessModes = rwo })
	steps := []struct {
		name  string
		setup func()
		modes []PersistentVolumeAccessMode
		want  *PersistentVolume
	}{
		{"exact RWO", nil, rwo, ebs},
		{"RWO+ROX", nil, rwoRox, gce},
		{"order of requested modes does not matter", nil, []PersistentVolumeAccessMode{ReadWriteMany, ReadWriteOnce, ReadOnlyMany}, nfs},
		{"fewer modes requested still match", nil, []PersistentVolumeAccessMode{ReadWriteMany}, nfs},
		{"exact match bound: next level up", func() { ebs.Spec.ClaimRef = &ObjectReference{} }, rwo, gce},
		{"continue up the levels", func() { gce.Spec.ClaimRef = &ObjectReference{} }, rwo, nfs},
		{"partial mode request", func() { gce.Spec.ClaimRef = nil }, []PersistentVolumeAccessMode{ReadOnlyMany}, gce},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		claim.Spec.AccessModes = s.modes
		got, err := FindBestMatchForClaim(claim, vols, false)
		if err != nil || got != s.want {
			t.Fatalf("%s: got %v (err %v), want %s", s.name, got, err, s.want.Name)
		}
	}
}

// Upstream index_test.go TestFindingPreboundVolumes.
func TestFindingPreboundVolumes(t *testing.T) {
	claim := &PersistentVolumeClaim{
		ObjectMeta: ObjectMeta{Name: "claim01", Namespace: "myns"},
		Spec: PersistentVolumeClaimSpec{
			AccessModes: rwo,
			Resources:   VolumeResourceRequirements{Requests: ResourceList{ResourceStorage: MustParseQuantity("1Gi")}},
			VolumeMode:  Ptr(PersistentVolumeFilesystem),
		},
	}
	claimRef := ClaimReference(claim)
	mk := func(name, size string) *PersistentVolume {
		pv := testPV("", name, size, rwo, VolumeAvailable, nil)
		pv.Spec.HostPath = &HostPathVolumeSource{}
		return pv
	}
	pv1, pv5, pv8 := mk("pv1", "1Gi"), mk("pv5", "5Gi"), mk("pv8", "8Gi")
	pvBadSize := mk("pvBadSize", "1Mi")
	pvBadMode := mk("pvBadMode", "1Gi")
	pvBadMode.Spec.AccessModes = []PersistentVolumeAccessMode{ReadOnlyMany}
	vols := []*PersistentVolume{pv1, pv5, pv8, pvBadSize, pvBadMode}

	check := func(step string, want *PersistentVolume) {
		t.Helper()
		got, err := FindBestMatchForClaim(claim, vols, false)
		if err != nil || got != want {
			t.Fatalf("%s: got %v (err %v), want %s", step, got, err, want.Name)
		}
	}
	check("exact match on size", pv1)
	pv1.Spec.ClaimRef = &ObjectReference{Name: "foo", Namespace: "bar"}
	check("exact match pre-bound elsewhere: next size up", pv5)
	pv1.Spec.ClaimRef = nil
	pv8.Spec.ClaimRef = claimRef
	check("largest volume pre-bound to the claim", pv8)
	pv8.Spec.ClaimRef = nil
	pvBadSize.Spec.ClaimRef = claimRef
	check("too small volume pre-bound to the claim", pv1)
	pvBadSize.Spec.ClaimRef = nil
	pvBadMode.Spec.ClaimRef = claimRef
	check("wrong access mode pre-bound to the claim", pv1)
}

// Upstream index_test.go TestBestMatchDelayed.
func TestBestMatchDelayed(t *testing.T) {
	got, err := FindBestMatchForClaim(makePVC("8G", nil), createTestVolumes(), true)
	if err != nil || got != nil {
		t.Fatalf("got %v (err %v), want no match", got, err)
	}
}

// Upstream index_test.go TestVolumeModeCheck (feature enabled rows; the
// BlockVolume gate is GA).
func TestCheckVolumeModeMismatches(t *testing.T) {
	block, fs := Ptr(PersistentVolumeBlock), Ptr(PersistentVolumeFilesystem)
	tests := []struct {
		name     string
		pv, pvc  *PersistentVolumeMode
		mismatch bool
	}{
		{"pvc block and pv filesystem", fs, block, true},
		{"pvc filesystem and pv block", block, fs, true},
		{"pvc block and pv block", block, block, false},
		{"pvc filesystem and pv filesystem", fs, fs, false},
		{"pvc filesystem and pv nil", nil, fs, false},
		{"pvc nil and pv filesystem", fs, nil, false},
		{"pvc nil and pv nil", nil, nil, false},
		{"pvc nil and pv block", block, nil, true},
		{"pvc block and pv nil", nil, block, true},
	}
	for _, tt := range tests {
		got := CheckVolumeModeMismatches(&PersistentVolumeClaimSpec{VolumeMode: tt.pvc}, &PersistentVolumeSpec{VolumeMode: tt.pv})
		if got != tt.mismatch {
			t.Errorf("%s: mismatch = %v, want %v", tt.name, got, tt.mismatch)
		}
	}
}

// Upstream index_test.go TestFilteringVolumeModes (feature enabled rows).
func TestFilteringVolumeModes(t *testing.T) {
	block, fs := Ptr(PersistentVolumeBlock), Ptr(PersistentVolumeFilesystem)
	vol := func(mode *PersistentVolumeMode) *PersistentVolume {
		pv := testPV("local-1", "block", "10G", rwo, VolumeAvailable, nil)
		pv.Spec.VolumeMode = mode
		return pv
	}
	tests := []struct {
		name   string
		pv     *PersistentVolumeMode
		pvc    *PersistentVolumeMode
		wantOK bool
	}{
		{"1-1 pvc block and pv filesystem", fs, block, false},
		{"1-2 pvc filesystem and pv block", block, fs, false},
		{"1-5 pvc block and pv block", block, block, true},
		{"1-6 pvc filesystem and pv filesystem", fs, fs, true},
		{"2-1 pvc mode is nil and pv mode is nil", nil, nil, true},
	}
	for _, tt := range tests {
		claim := makePVC("8G", func(p *PersistentVolumeClaim) {
			p.Spec.AccessModes = rwo
			p.Spec.VolumeMode = tt.pvc
		})
		got, err := FindBestMatchForClaim(claim, []*PersistentVolume{vol(tt.pv)}, false)
		if err != nil || (got != nil) != tt.wantOK {
			t.Errorf("%s: got %v (err %v), want match=%v", tt.name, got, err, tt.wantOK)
		}
	}
}

// Upstream index_test.go TestStorageObjectInUseProtectionFiltering.
func TestDeletingVolumeIsSkipped(t *testing.T) {
	pv := testPV("", "pv1", "1G", rwo, VolumeAvailable, nil)
	deleting := DeepCopy(*pv)
	now := time.Unix(0, 0)
	deleting.DeletionTimestamp = &now
	claim := makePVC("1G", func(p *PersistentVolumeClaim) { p.Spec.AccessModes = rwo })
	if got, _ := FindBestMatchForClaim(claim, []*PersistentVolume{pv}, false); got != pv {
		t.Fatalf("deletionTimestamp not set: got %v, want pv1", got)
	}
	if got, _ := FindBestMatchForClaim(claim, []*PersistentVolume{&deleting}, false); got != nil {
		t.Fatalf("deletionTimestamp set: got %v, want no match", got)
	}
}

// Upstream pv_helpers_test.go TestFindMatchVolumeWithNode (and the
// index_test.go copy), VolumeAttributesClass rows excluded.
func TestFindMatchVolumeWithNode(t *testing.T) {
	volumes := createTestVolumes()
	node := func(v string) *Node {
		return &Node{ObjectMeta: ObjectMeta{Labels: map[string]string{"key1": v}}}
	}
	claim := func(name string, modes []PersistentVolumeAccessMode) *PersistentVolumeClaim {
		return makePVC("100G", func(p *PersistentVolumeClaim) {
			p.Name = name
			p.Spec.AccessModes = modes
			p.Spec.StorageClassName = &classWait
		})
	}
	tests := []struct {
		name     string
		want     string
		claim    *PersistentVolumeClaim
		node     *Node
		excluded map[string]bool
	}{
		{"success-match", "affinity-pv", claim("claim01", rwo), node("value1"), nil},
		{"success-prebound", "affinity-prebound", claim("claim02", rwo), node("value1"), nil},
		{"success-exclusion", "affinity-pv2", claim("claim01", rwo), node("value1"), map[string]bool{"affinity001": true}},
		{"fail-exclusion", "", claim("claim01", rwo), node("value1"), map[string]bool{"affinity001": true, "affinity002": true}},
		{"fail-accessmode", "", claim("claim01", []PersistentVolumeAccessMode{ReadWriteMany}), node("value1"), nil},
		{"fail-nodeaffinity", "", claim("claim01", rwo), node("value2"), nil},
		{"fail-prebound-node-affinity", "", claim("claim02", rwo), node("value3"), nil},
		{"fail-nonavaiable", "", claim("claim04", rwo), node("value4"), nil},
		{"success-bad-and-good-node-affinity", "affinity-pv3", claim("claim03", rwo), node("value3"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindMatchingVolume(tt.claim, volumes, tt.node, tt.excluded, true)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if uidOf(got) != tt.want {
				t.Fatalf("matched %q, want %q", uidOf(got), tt.want)
			}
		})
	}
}

// Upstream index_test.go TestCheckAccessModes.
func TestCheckAccessModes(t *testing.T) {
	pv := &PersistentVolume{Spec: PersistentVolumeSpec{AccessModes: []PersistentVolumeAccessMode{ReadWriteOnce, ReadWriteMany}}}
	tests := []struct {
		name  string
		modes []PersistentVolumeAccessMode
		want  bool
	}{
		{"success-single-mode", []PersistentVolumeAccessMode{ReadWriteMany}, true},
		{"success-many-modes", []PersistentVolumeAccessMode{ReadWriteMany, ReadWriteOnce}, true},
		{"fail-single-mode", []PersistentVolumeAccessMode{ReadOnlyMany}, false},
		{"fail-many-modes", []PersistentVolumeAccessMode{ReadWriteMany, ReadOnlyMany}, false},
	}
	for _, tt := range tests {
		claim := makePVC("100G", func(p *PersistentVolumeClaim) { p.Spec.AccessModes = tt.modes })
		if got := CheckAccessModes(claim, pv); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Upstream pv_helpers_test.go TestDelayBindingMode.
func TestIsDelayBindingMode(t *testing.T) {
	classes := map[string]*StorageClass{
		"no-mode":        {ObjectMeta: ObjectMeta{Name: "no-mode"}},
		"immediate-mode": {ObjectMeta: ObjectMeta{Name: "immediate-mode"}, VolumeBindingMode: Ptr(VolumeBindingImmediate)},
		"wait-mode":      {ObjectMeta: ObjectMeta{Name: "wait-mode"}, VolumeBindingMode: Ptr(VolumeBindingWaitForFirstConsumer)},
	}
	lookup := func(name string) (*StorageClass, bool) { c, ok := classes[name]; return c, ok }
	tests := []struct {
		name      string
		class     *string
		wantDelay bool
		wantErr   bool
	}{
		{"nil-class", nil, false, false},
		{"class-not-found", Ptr("not-here"), false, false},
		{"no-mode-class", Ptr("no-mode"), false, true},
		{"immediate-mode-class", Ptr("immediate-mode"), false, false},
		{"wait-mode-class", Ptr("wait-mode"), true, false},
	}
	for _, tt := range tests {
		claim := &PersistentVolumeClaim{Spec: PersistentVolumeClaimSpec{StorageClassName: tt.class}}
		got, err := IsDelayBindingMode(claim, lookup)
		if got != tt.wantDelay || (err != nil) != tt.wantErr {
			t.Errorf("%s: got %v, %v; want %v, err=%v", tt.name, got, err, tt.wantDelay, tt.wantErr)
		}
	}
}

func TestClassAnnotationWins(t *testing.T) {
	claim := &PersistentVolumeClaim{
		ObjectMeta: ObjectMeta{Annotations: map[string]string{BetaStorageClassAnnotation: "beta"}},
		Spec:       PersistentVolumeClaimSpec{StorageClassName: Ptr("field")},
	}
	if got := GetPersistentVolumeClaimClass(claim); got != "beta" {
		t.Fatalf("claim class = %q, want beta", got)
	}
	pv := &PersistentVolume{ObjectMeta: ObjectMeta{Annotations: map[string]string{BetaStorageClassAnnotation: "beta"}}, Spec: PersistentVolumeSpec{StorageClassName: "field"}}
	if got := GetPersistentVolumeClass(pv); got != "beta" {
		t.Fatalf("pv class = %q, want beta", got)
	}
}

// GetBindVolumeToClaim semantics (upstream binder_test.go
// TestAssumePodVolumes expectations: claimRef and bound-by-controller).
func TestBindVolumeToClaim(t *testing.T) {
	claim := &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: "c", Namespace: "ns", UID: "u1", ResourceVersion: "7"}}
	pv := &PersistentVolume{ObjectMeta: ObjectMeta{Name: "pv"}}
	got, dirty := BindVolumeToClaim(pv, claim)
	if !dirty || pv.Spec.ClaimRef != nil {
		t.Fatalf("dirty=%v, original modified=%v", dirty, pv.Spec.ClaimRef != nil)
	}
	want := ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: "ns", Name: "c", UID: "u1", ResourceVersion: "7"}
	if *got.Spec.ClaimRef != want || got.Annotations[AnnBoundByController] != "yes" {
		t.Fatalf("got claimRef %+v annotations %v", *got.Spec.ClaimRef, got.Annotations)
	}
	// Already bound by the user (pre-bound): claimRef kept, no annotation.
	pre := &PersistentVolume{ObjectMeta: ObjectMeta{Name: "pv"}, Spec: PersistentVolumeSpec{ClaimRef: &ObjectReference{Name: "c", Namespace: "ns", UID: "u1"}}}
	got, dirty = BindVolumeToClaim(pre, claim)
	if dirty || got.Annotations[AnnBoundByController] != "" {
		t.Fatalf("pre-bound: dirty=%v annotations=%v", dirty, got.Annotations)
	}
	// Pre-bound without UID: claimRef rewritten with the UID, no annotation.
	pre.Spec.ClaimRef.UID = ""
	got, dirty = BindVolumeToClaim(pre, claim)
	if !dirty || got.Spec.ClaimRef.UID != "u1" || got.Annotations[AnnBoundByController] != "" {
		t.Fatalf("pre-bound without uid: dirty=%v ref=%+v annotations=%v", dirty, got.Spec.ClaimRef, got.Annotations)
	}
}

func TestCheckNodeAffinity(t *testing.T) {
	pv := testPV("", "pv", "1G", rwo, VolumeAvailable, func(pv *PersistentVolume) { pv.Spec.NodeAffinity = affinity("key1", "value1") })
	if err := CheckNodeAffinity(pv, map[string]string{"key1": "value1"}); err != nil {
		t.Fatalf("matching node: %v", err)
	}
	if err := CheckNodeAffinity(pv, map[string]string{"key1": "value2"}); err != ErrNoMatchingNodeSelectorTerms {
		t.Fatalf("mismatching node: %v", err)
	}
	// The node is judged by labels only: it has no name, so matchFields are
	// skipped (upstream nodeSelectorTerm.match with an empty field set).
	pv.Spec.NodeAffinity.Required.NodeSelectorTerms = []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{{Key: NodeFieldSelectorKeyNodeName, Operator: NodeSelectorOpIn, Values: []string{"n1"}}}}}
	if err := CheckNodeAffinity(pv, map[string]string{LabelHostname: "n2"}); err != nil {
		t.Fatalf("matchFields-only term: %v", err)
	}
	// No required affinity fits everything.
	pv.Spec.NodeAffinity = &VolumeNodeAffinity{}
	if err := CheckNodeAffinity(pv, nil); err != nil {
		t.Fatalf("no required terms: %v", err)
	}
}

func TestFindMatchingVolumeSelectorError(t *testing.T) {
	claim := makePVC("1G", func(p *PersistentVolumeClaim) {
		p.Spec.Selector = &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "k", Operator: "Bogus"}}}
	})
	if _, err := FindMatchingVolume(claim, nil, nil, nil, false); err == nil {
		t.Fatal("want an error for an invalid selector")
	}
}

func TestFindAllocs(t *testing.T) {
	volumes := createTestVolumes()
	m, err := NewVolumeMatcher(makePVC("8G", nil))
	if err != nil {
		t.Fatal(err)
	}
	excluded := []string{"gce002"}
	allocs := testing.AllocsPerRun(100, func() { _ = m.Find(volumes, nil, excluded, false) })
	if allocs != 0 {
		t.Fatalf("Find allocates %v times", allocs)
	}
}
