package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/sim"
)

func firstAfter(rec *sim.Recorder, kind, object string, after sim.Time) (sim.Event, bool) {
	for _, e := range rec.Kinds(kind) {
		if e.Object == object && e.T >= after {
			return e, true
		}
	}
	return sim.Event{}, false
}

// statefulset-zone-outage: the replica of the lost zone is replaced only
// after the out-of-service taint, then cannot be scheduled anywhere until
// its zone is back, because its volume is zonal; the other replicas never
// stop.
func TestStatefulSetZoneOutage(t *testing.T) {
	r, rec := runLibrary(t, "statefulset-zone-outage")
	outage := rec.Kinds("ZoneOutage")
	require.Len(t, outage, 1)
	zone := outage[0].Object
	recovered := rec.Kinds("ZoneRecovered")
	require.Len(t, recovered, 1)

	// Which replica lived in the zone: its claim's volume is pinned there.
	var victim string
	for _, o := range r.API.Objects() {
		pv, ok := o.(*model.PersistentVolume)
		if !ok || pv.Spec.NodeAffinity == nil {
			continue
		}
		if pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0] == zone {
			victim = "default/" + strings.TrimPrefix(pv.Spec.ClaimRef.Name, "data-")
		}
	}
	require.NotEmpty(t, victim, "one replica's disk is in zone %s", zone)

	gc, ok := firstAfter(rec, "PodGCDeleted", victim, outage[0].T)
	require.True(t, ok, "the pod garbage collector force-deletes the replica once its node is out of service")
	taint := rec.Kinds("Taint")
	require.NotEmpty(t, taint)
	assert.GreaterOrEqual(t, gc.T, taint[0].T)

	fs, ok := firstAfter(rec, "FailedScheduling", victim, gc.T)
	require.True(t, ok)
	assert.Contains(t, fs.Field("message"), "node(s) had volume node affinity conflict",
		"every node outside the zone conflicts with the volume's node affinity")

	sched, ok := firstAfter(rec, "Scheduled", victim, gc.T)
	require.True(t, ok, "scheduled again once the zone is back")
	assert.Greater(t, sched.T, recovered[0].T, "not scheduled while the zone is out")
	_, ok = firstAfter(rec, "SuccessfulAttachVolume", victim, sched.T)
	assert.True(t, ok)

	// The other replicas were never scheduled again.
	for _, e := range rec.Kinds("Scheduled") {
		if e.Object != victim {
			assert.Less(t, e.T, outage[0].T, "%s moved", e.Object)
		}
	}
	// At the end every replica runs, and every claim is bound.
	for _, o := range r.API.Objects() {
		switch x := o.(type) {
		case *model.Pod:
			assert.Equal(t, model.PodRunning, x.Status.Phase, x.Name)
		case *model.PersistentVolumeClaim:
			assert.Equal(t, model.ClaimBound, x.Status.Phase, x.Name)
		}
	}
}

const storageBase = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: storage}
spec:
  seed: 3
  duration: 5m
  controlPlane: {store: ideal}
  cluster:
    nodePools:
    - {name: n, count: 2, machine: m5.xlarge}
`

// Pods whose claims would take a node past its driver's attach limit are
// not scheduled there (NodeVolumeLimits reads the limit the nodes
// advertise).
func TestAttachLimitsSteerTheScheduler(t *testing.T) {
	var b strings.Builder
	b.WriteString(storageBase + `  storage:
    drivers:
    - {name: disk.csi, attachLimit: 2}
  workloads:
  - inline:
    - {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: disk}, provisioner: disk.csi}
`)
	for _, i := range []string{"0", "1", "2", "3", "4"} {
		b.WriteString(`    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c` + i + `, namespace: default}, spec: {accessModes: [ReadWriteOnce], storageClassName: disk, resources: {requests: {storage: 1Gi}}}}
    - apiVersion: v1
      kind: Pod
      metadata: {name: p` + i + `, namespace: default}
      spec:
        containers: [{name: c, image: app, resources: {requests: {cpu: 100m}}}]
        volumes: [{name: d, persistentVolumeClaim: {claimName: c` + i + `}}]
`)
	}
	r, rec := runScenario(t, b.String())
	perNode := map[string]int{}
	pending := 0
	for _, o := range r.API.Objects() {
		if p, ok := o.(*model.Pod); ok {
			if p.Spec.NodeName == "" {
				pending++
				continue
			}
			perNode[p.Spec.NodeName]++
			assert.Equal(t, model.PodRunning, p.Status.Phase, p.Name)
		}
	}
	assert.Equal(t, map[string]int{"n-0": 2, "n-1": 2}, perNode)
	assert.Equal(t, 1, pending)
	var msg string
	for _, e := range rec.Kinds("FailedScheduling") {
		msg = e.Field("message").(string)
	}
	assert.Contains(t, msg, "2 node(s) exceed max volume count")
}

// WaitForFirstConsumer with local volumes: each claim is bound only once
// its pod is scheduled, to a volume on the chosen node; state.yaml shows
// the pairs bound.
func TestWaitForFirstConsumerLocalVolumes(t *testing.T) {
	var b strings.Builder
	b.WriteString(storageBase + `  storage:
    persistentVolumes:
    - {namePrefix: local, perNode: n, count: 1, capacity: 100Gi, storageClassName: local}
  workloads:
  - inline:
    - {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: local}, provisioner: kubernetes.io/no-provisioner, volumeBindingMode: WaitForFirstConsumer}
`)
	for _, i := range []string{"0", "1", "2"} {
		b.WriteString(`    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c` + i + `, namespace: default}, spec: {accessModes: [ReadWriteOnce], storageClassName: local, resources: {requests: {storage: 10Gi}}}}
    - apiVersion: v1
      kind: Pod
      metadata: {name: p` + i + `, namespace: default}
      spec:
        containers: [{name: c, image: app, resources: {requests: {cpu: 100m}}}]
        volumes: [{name: d, persistentVolumeClaim: {claimName: c` + i + `}}]
`)
	}
	l, diags := LoadBytes(fstest.MapFS{}, ".", "s.yaml", []byte(b.String()), LoadOptions{})
	require.False(t, diags.HasErrors(), "%v", diags)
	dir := t.TempDir()
	r, err := Start(l, RunOptions{OutputDir: dir})
	require.NoError(t, err)
	r.Execute()
	require.NoError(t, r.Finish(time.Second))

	data, err := os.ReadFile(filepath.Join(dir, "state.yaml"))
	require.NoError(t, err)
	objs, diags := manifest.DecodeBytes("state.yaml", data, manifest.Options{})
	require.False(t, diags.HasErrors(), "%v", diags)
	pvs := map[string]*model.PersistentVolume{}
	pods := map[string]*model.Pod{}
	var claims []*model.PersistentVolumeClaim
	for _, o := range objs {
		switch x := o.Object.(type) {
		case *model.PersistentVolume:
			pvs[x.Name] = x
		case *model.Pod:
			pods[x.Name] = x
		case *model.PersistentVolumeClaim:
			claims = append(claims, x)
		}
	}
	require.Len(t, claims, 3)
	bound := 0
	for _, c := range claims {
		pv := pvs[c.Spec.VolumeName]
		if pv == nil {
			// Two local volumes for three pods: one pod waits.
			assert.Equal(t, model.ClaimPending, c.Status.Phase)
			continue
		}
		bound++
		assert.Equal(t, model.ClaimBound, c.Status.Phase)
		assert.Equal(t, model.VolumeBound, pv.Status.Phase)
		assert.Equal(t, c.Name, pv.Spec.ClaimRef.Name)
		pod := pods["p"+strings.TrimPrefix(c.Name, "c")]
		assert.Equal(t, pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0], pod.Spec.NodeName,
			"the claim's volume is on the node its pod was scheduled to")
		assert.Equal(t, c.Annotations[model.AnnSelectedNode], "", "static volumes are bound by the scheduler, not provisioned")
	}
	assert.Equal(t, 2, bound)
}

// The kubelet waits for a pod's ConfigMap before starting it, reporting
// FailedMount with kubelet's message meanwhile.
func TestKubeletWaitsForConfigMap(t *testing.T) {
	_, rec := runScenario(t, storageBase+`  workloads:
  - inline:
    - apiVersion: v1
      kind: Pod
      metadata: {name: p, namespace: default}
      spec:
        containers: [{name: c, image: app}]
        volumes: [{name: cfg, configMap: {name: settings}}]
  timeline:
  - at: 1m
    apply:
      inline:
      - {apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: default}, data: {k: v}}
`)
	failed := rec.Kinds("FailedMount")
	require.NotEmpty(t, failed)
	assert.Equal(t, `MountVolume.SetUp failed for volume "cfg" : configmap "settings" not found`, failed[0].Field("message"))
	started, ok := firstAfter(rec, "Started", "default/p", 0)
	require.True(t, ok)
	assert.Greater(t, started.T, sim.Time(time.Minute), "not started before its ConfigMap exists")
	assert.Less(t, started.T, sim.Time(time.Minute+5*time.Second))
}

func TestStorageValidation(t *testing.T) {
	cases := map[string]string{
		"bad topology":         "  storage:\n    drivers: [{name: d, topology: regional}]\n",
		"failure rate":         "  storage:\n    drivers: [{name: d, provisionFailureRate: 1.5}]\n",
		"twice":                "  storage:\n    drivers: [{name: d}, {name: d}]\n",
		"unknown pool":         "  storage:\n    persistentVolumes: [{namePrefix: l, count: 1, capacity: 1Gi, perNode: nope}]\n",
		"unknown driver":       "  storage:\n    persistentVolumes: [{namePrefix: l, count: 1, capacity: 1Gi, driver: nope}]\n",
		"no capacity":          "  storage:\n    persistentVolumes: [{namePrefix: l, count: 1}]\n",
		"fault on no driver":   "  timeline:\n  - {at: 1m, provisionerOutage: {driver: nope, for: 1m}}\n",
		"zone outage no zone":  "  timeline:\n  - {at: 1m, zoneOutage: {zone: z}}\n",
		"taint without effect": "  timeline:\n  - {at: 1m, nodeTaint: {pool: n, all: true, key: k}}\n",
	}
	requireInvalid(t, cases)
}

// requireInvalid loads storageBase plus each case's lines and expects an
// error that names the file.
func requireInvalid(t *testing.T, cases map[string]string) {
	t.Helper()
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			_, diags := LoadBytes(fstest.MapFS{}, ".", "s.yaml", []byte(storageBase+extra), LoadOptions{})
			require.True(t, diags.HasErrors(), name)
			assert.Contains(t, diags.Err().Error(), "s.yaml:")
		})
	}
}

// emptyDir: writes to a disk-backed emptyDir beyond its sizeLimit get the
// pod evicted with the kubelet's message; writes to a memory-backed one
// count against the container's memory, so a 1 GiB tmpfs write in a
// 512 MiB container is an OOM kill, not an eviction.
func TestEmptyDirLimits(t *testing.T) {
	_, rec := runScenario(t, storageBase+`  behaviors:
  - {image: "scratch:*", emptyDir: cache, disk: {start: 0, rampPerSecond: 10Mi}}
  workloads:
  - inline:
    - apiVersion: v1
      kind: Pod
      metadata: {name: disk, namespace: default}
      spec:
        restartPolicy: Never
        containers: [{name: c, image: "scratch:1", resources: {requests: {cpu: 100m, memory: 256Mi}}}]
        volumes: [{name: cache, emptyDir: {sizeLimit: 500Mi}}]
    - apiVersion: v1
      kind: Pod
      metadata: {name: tmpfs, namespace: default}
      spec:
        restartPolicy: Never
        containers: [{name: c, image: "scratch:1", resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 512Mi}}}]
        volumes: [{name: cache, emptyDir: {medium: Memory, sizeLimit: 1Gi}}]
`)
	var evicted *sim.Event
	for _, e := range rec.Kinds("Evicted") {
		if e.Object == "default/disk" {
			e := e
			evicted = &e
		}
	}
	require.NotNil(t, evicted)
	assert.Equal(t, `Usage of EmptyDir volume "cache" exceeds the limit "500Mi". `, evicted.Field("message"))
	// 500 MiB at 10 MiB/s: past the limit after 50 s, seen at the next
	// 10 s eviction round.
	assert.InDelta(t, 60, evicted.T.Seconds(), 12)
	for _, e := range rec.Kinds("Evicted") {
		assert.NotEqual(t, "default/tmpfs", e.Object, "memory-backed writes are not local storage")
	}
	oom := false
	for _, e := range rec.Kinds("OOMKilled") {
		oom = oom || e.Object == "default/tmpfs"
	}
	assert.True(t, oom, "tmpfs pages are charged to the container's memory")
}
