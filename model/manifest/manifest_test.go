package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

const onlineShop = "../../scenarios/library/manifests/online-shop.yaml"

// kinds returns "Kind namespace/name" for each object.
func kinds(objs []Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Object.GetTypeMeta().Kind+" "+model.Key(o.Object))
	}
	return out
}

func TestDecodeMultiDocument(t *testing.T) {
	src := `# leading comment
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
---
# a document holding only a comment
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: shop}
--- {}
---
apiVersion: v1
kind: Secret
metadata: {name: b, namespace: shop}
stringData: {k: v}
...
---
`
	objs, ds := DecodeBytes("multi.yaml", []byte(src), Options{Strict: true})
	require.Empty(t, ds)
	assert.Equal(t, []string{"Namespace shop", "ConfigMap shop/a", "Secret shop/b"}, kinds(objs))
	for i, needle := range []string{"apiVersion: v1\nkind: Namespace", "apiVersion: v1\nkind: ConfigMap", "apiVersion: v1\nkind: Secret"} {
		line, _ := posOf(t, src, needle)
		assert.Equal(t, "multi.yaml", objs[i].File)
		assert.Equal(t, line, objs[i].Line, "an object records the line it starts at")
	}
	// Decoding fills apiVersion and kind and applies no defaults.
	sec := objs[2].Object.(*model.Secret)
	assert.Equal(t, model.TypeMeta{APIVersion: "v1", Kind: "Secret"}, sec.TypeMeta)
	assert.Equal(t, "", sec.Type)

	for _, empty := range []string{"", "\n", "---\n", "---\n---\n...\n", "# nothing\n", "null\n", "~\n"} {
		objs, ds := DecodeBytes("empty.yaml", []byte(empty), Options{Strict: true})
		assert.Empty(t, objs, "%q", empty)
		assert.Empty(t, ds, "%q", empty)
	}
}

// An error in one document leaves the others decoded: one pass reports
// everything.
func TestDecodeKeepsGoingAfterErrors(t *testing.T) {
	src := `apiVersion: v1
kind: ConfigMap
metadata: {name: good-1}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: Bad_Name}
---
apiVersion: v1
kind: Secret
metadata: {name: good-2}
type: [Opaque]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: good-3}
`
	objs, ds := DecodeBytes("mixed.yaml", []byte(src), Options{})
	assert.Equal(t, []string{"ConfigMap good-1", "ConfigMap good-3"}, kinds(objs))
	require.Len(t, ds, 2)
	assert.Equal(t, "metadata.name", ds[0].Path)
	assert.Equal(t, 7, ds[0].Line)
	assert.Equal(t, "type", ds[1].Path)
	assert.Equal(t, 12, ds[1].Line)
}

func TestDecodeList(t *testing.T) {
	objs, ds := DecodePaths([]string{"testdata/list.yaml"}, Options{})
	assert.Equal(t, []string{"ConfigMap shop/a", "Secret shop/b"}, kinds(objs))
	d := only(t, ds)
	assert.Equal(t, Warning, d.Severity)
	assert.Equal(t, "items[2].kind", d.Path, "items have their index in the path")
	assert.Contains(t, d.Message, "ServiceAccount")
	data, err := os.ReadFile("testdata/list.yaml")
	require.NoError(t, err)
	line, col := posOf(t, string(data), "ServiceAccount")
	assert.Equal(t, line, d.Line)
	assert.Equal(t, col, d.Column)
	assert.Equal(t, filepath.Join("testdata", "list.yaml"), d.File)
	assert.Nil(t, objs[0].Object.GetObjectMeta().CreationTimestamp, "creationTimestamp: null reads as unset")

	// Typed lists (kubectl get deployments -o yaml) and errors inside them.
	src := `apiVersion: apps/v1
kind: DeploymentList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- kind: ConfigMap
  metadata: {name: b}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
  data: {n: 1}
`
	objs, ds = DecodeBytes("list.yaml", []byte(src), Options{})
	assert.Equal(t, []string{"ConfigMap a"}, kinds(objs))
	require.Len(t, ds, 2)
	assert.Equal(t, "items[1].apiVersion", ds[0].Path)
	assert.Equal(t, 7, ds[0].Line)
	assert.Equal(t, "items[2].data.n", ds[1].Path)
	assert.Equal(t, 12, ds[1].Line)

	objs, ds = DecodeBytes("list.yaml", []byte("apiVersion: v1\nkind: List\nitems: {a: b}\n"), Options{})
	assert.Empty(t, objs)
	assert.Equal(t, "items", only(t, ds).Path)

	objs, ds = DecodeBytes("list.yaml", []byte("apiVersion: v1\nkind: List\n"), Options{})
	assert.Empty(t, objs)
	assert.Empty(t, ds, "a List without items is empty")
}

func TestDecodeDirectoriesAndGlobs(t *testing.T) {
	all := []string{"Namespace shop", "ConfigMap shop/settings", "Deployment shop/web", "Service shop/web", "PodDisruptionBudget shop/web"}
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"a directory, recursively, in path order, .yaml .yml and .json", []string{"testdata/dir"}, all},
		{"a file", []string{"testdata/dir/20-apps.yml"}, []string{"Deployment shop/web"}},
		{"a glob", []string{"testdata/dir/*.y*ml"}, all[:3]},
		{"a glob matching a directory", []string{"testdata/dir/nes*"}, all[3:]},
		{"duplicates are read once", []string{"testdata/dir/10-namespace.yaml", "testdata/dir", "testdata/dir/*.yaml"}, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, ds := DecodePaths(tt.paths, Options{Strict: true})
			require.Empty(t, ds)
			assert.Equal(t, tt.want, kinds(objs))
		})
	}

	objs, _ := DecodePaths([]string{"testdata/dir"}, Options{})
	assert.Equal(t, filepath.Join("testdata", "dir", "nested", "40-pdb.json"), objs[4].File, "files are named as the user wrote them")
	assert.Equal(t, 1, objs[4].Line)
	pdb := objs[4].Object.(*model.PodDisruptionBudget)
	assert.Equal(t, model.FromInt32(1), *pdb.Spec.MaxUnavailable, "JSON is YAML")

	abs, err := filepath.Abs("testdata/dir/20-apps.yml")
	require.NoError(t, err)
	objs, ds := DecodePaths([]string{abs}, Options{})
	require.Empty(t, ds)
	assert.Equal(t, []string{"Deployment shop/web"}, kinds(objs))

	for _, bad := range [][]string{{"testdata/none.yaml"}, {"testdata/dir/*.toml"}, {"testdata/[x"}} {
		objs, ds := DecodePaths(bad, Options{})
		assert.Empty(t, objs, "%v", bad)
		d := only(t, ds)
		assert.Equal(t, Error, d.Severity)
		assert.NotEmpty(t, d.File)
	}
	_, ds = DecodePaths([]string{"testdata/dir/*.toml"}, Options{})
	assert.Contains(t, only(t, ds).Message, "no file matches")
	_, ds = DecodePaths([]string{"testdata/none.yaml"}, Options{})
	assert.Contains(t, only(t, ds).Message, "no such file")
}

func TestExpandFS(t *testing.T) {
	fsys := fstest.MapFS{
		"m/b.yaml":       {Data: []byte("x")},
		"m/a.yml":        {Data: []byte("x")},
		"m/sub/c.JSON":   {Data: []byte("x")},
		"m/sub/d.txt":    {Data: []byte("x")},
		"m/README.md":    {Data: []byte("x")},
		"other/e.yaml":   {Data: []byte("x")},
		"other/f.yaml":   {Data: []byte("x")},
		"plain.manifest": {Data: []byte("x")},
	}
	got, err := ExpandFS(fsys, []string{"m"})
	require.NoError(t, err)
	assert.Equal(t, []string{"m/a.yml", "m/b.yaml", "m/sub/c.JSON"}, got)

	got, err = ExpandFS(fsys, []string{"other/*.yaml", "m/b.yaml", "plain.manifest", "other/e.yaml"})
	require.NoError(t, err)
	assert.Equal(t, []string{"other/e.yaml", "other/f.yaml", "m/b.yaml", "plain.manifest"}, got, "an explicit file is read whatever its extension")

	_, err = ExpandFS(fsys, []string{"nothing/*"})
	assert.ErrorContains(t, err, "no file matches")
	_, err = ExpandFS(fsys, []string{"missing.yaml"})
	assert.Error(t, err)
}

func TestDecodeFS(t *testing.T) {
	fsys := fstest.MapFS{
		"app/cm.yaml":  {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: 1}\n")},
		"app/ns.yaml":  {Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n")},
		"app/skip.txt": {Data: []byte("not yaml: [")},
	}
	objs, ds := DecodeFS(fsys, []string{"app"}, func(p string) string { return "embedded:" + p }, Options{})
	assert.Equal(t, []string{"Namespace app"}, kinds(objs))
	d := only(t, ds)
	assert.Equal(t, "embedded:app/cm.yaml", d.File)
	assert.Equal(t, 4, d.Line)

	objs, ds = DecodeFS(fsys, []string{"app/ns.yaml"}, nil, Options{})
	require.Empty(t, ds)
	assert.Equal(t, "app/ns.yaml", objs[0].File)
}

// The library example decodes cleanly: every modeled object is valid, and
// the two unmodeled kinds are reported as warnings only.
func TestOnlineShopExample(t *testing.T) {
	objs, ds := DecodePaths([]string{onlineShop}, Options{})
	require.False(t, ds.HasErrors(), "%v", ds)
	require.Len(t, ds, 2, "%v", ds)
	assert.Contains(t, ds[0].Message, "kind ServiceAccount")
	assert.Contains(t, ds[1].Message, "kind Ingress")
	for _, d := range ds {
		assert.Equal(t, Warning, d.Severity)
	}

	count := map[string]int{}
	for _, o := range objs {
		count[o.Object.GetTypeMeta().Kind]++
		if model.KindOf(o.Object).Namespaced {
			assert.Equal(t, "online-shop", o.Object.GetObjectMeta().Namespace, model.Key(o.Object))
		}
	}
	assert.Equal(t, map[string]int{
		"Namespace": 1, "PriorityClass": 1, "StorageClass": 1, "ConfigMap": 1, "Secret": 1,
		"ResourceQuota": 1, "LimitRange": 1, "Deployment": 3, "StatefulSet": 1, "DaemonSet": 1,
		"Service": 4, "Job": 1, "CronJob": 1, "HorizontalPodAutoscaler": 1,
		"PodDisruptionBudget": 1, "NetworkPolicy": 1,
	}, count)

	// Strict mode turns only the two unmodeled kinds into errors: no
	// field in the file is unknown.
	_, strict := DecodePaths([]string{onlineShop}, Options{Strict: true})
	assert.Len(t, strict.Errors(), 2, "%v", strict)

	// A closer look at what was read.
	by := map[string]model.Object{}
	for _, o := range objs {
		by[o.Object.GetTypeMeta().Kind+"/"+o.Object.GetObjectMeta().Name] = o.Object
	}
	fe := by["Deployment/frontend"].(*model.Deployment)
	assert.Equal(t, int32(3), *fe.Spec.Replicas)
	assert.Equal(t, fe.Labels, fe.Spec.Template.Labels, "the labels alias")
	assert.Equal(t, "app.kubernetes.io/name=frontend", mustSelector(t, fe.Spec.Selector))
	fc := fe.Spec.Template.Spec.Containers[0]
	assert.Equal(t, model.FromString("http"), fc.ReadinessProbe.HTTPGet.Port)
	assert.Equal(t, int64(10), fc.Lifecycle.PreStop.Sleep.Seconds)
	assert.Len(t, fe.Spec.Template.Spec.TopologySpreadConstraints, 1)
	assert.Equal(t, "shop-critical", fe.Spec.Template.Spec.PriorityClassName)

	co := by["Deployment/checkout"].(*model.Deployment)
	require.Len(t, co.Spec.Template.Spec.InitContainers, 2)
	assert.True(t, co.Spec.Template.Spec.InitContainers[1].IsSidecar())
	pod := &model.Pod{Spec: co.Spec.Template.Spec}
	r := model.PodRequests(pod, false)
	assert.Equal(t, int64(600), r.MilliCPU, "checkout: 500m + 100m envoy sidecar")

	redis := by["StatefulSet/redis"].(*model.StatefulSet)
	require.Len(t, redis.Spec.VolumeClaimTemplates, 1)
	assert.Equal(t, "fast-ssd", *redis.Spec.VolumeClaimTemplates[0].Spec.StorageClassName)
	assert.Equal(t, model.PodQOSGuaranteed, model.QOSClass(&model.Pod{Spec: redis.Spec.Template.Spec}))

	headless := by["Service/redis"].(*model.Service)
	assert.Equal(t, model.ClusterIPNone, headless.Spec.ClusterIP)
	np := by["Service/frontend"].(*model.Service)
	assert.Equal(t, model.ServiceTypeNodePort, np.Spec.Type)
	assert.Equal(t, int32(30080), np.Spec.Ports[0].NodePort)

	hpa := by["HorizontalPodAutoscaler/frontend"].(*model.HorizontalPodAutoscaler)
	assert.Len(t, hpa.Spec.Metrics, 2)
	assert.Equal(t, int32(300), *hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds)

	// Every object survives defaulting and stays valid.
	for _, o := range objs {
		c := model.DeepCopyObject(o.Object)
		model.SetDefaults(c)
		assert.Empty(t, model.Validate(c), model.Key(c))
	}
}

func mustSelector(t *testing.T, ls *model.LabelSelector) string {
	t.Helper()
	s, err := model.LabelSelectorAsSelector(ls)
	require.NoError(t, err)
	return s.String()
}

// fullObjects builds one object of every modeled kind, with most fields
// set, valid so that decoding accepts it back.
func fullObjects() []model.Object {
	q := model.MustParseQuantity
	rl := func(kv ...string) model.ResourceList {
		l := model.ResourceList{}
		for i := 0; i < len(kv); i += 2 {
			l[model.ResourceName(kv[i])] = q(kv[i+1])
		}
		return l
	}
	ts := time.Date(2026, 1, 5, 9, 0, 0, 123000000, time.UTC)
	ptr := func(t time.Time) *time.Time { return &t }
	meta := func(name, ns string) model.ObjectMeta {
		return model.ObjectMeta{
			Name: name, Namespace: ns, UID: "uid-" + name, ResourceVersion: "7", Generation: 2,
			CreationTimestamp: ptr(ts),
			Labels:            map[string]string{"app": "web", "app.kubernetes.io/part-of": "shop"},
			Annotations:       map[string]string{"note": "line one\nline two", "number": "8080"},
		}
	}
	sel := &model.LabelSelector{
		MatchLabels:      map[string]string{"app": "web"},
		MatchExpressions: []model.LabelSelectorRequirement{{Key: "tier", Operator: model.LabelSelectorOpNotIn, Values: []string{"db"}}},
	}
	podSpec := model.PodSpec{
		InitContainers: []model.Container{{
			Name: "proxy", Image: "envoy:1.31", RestartPolicy: model.Ptr(model.ContainerRestartPolicyAlways),
			Resources: model.ResourceRequirements{Requests: rl("cpu", "100m")},
		}},
		Containers: []model.Container{{
			Name: "web", Image: "web@sha256:abc", ImagePullPolicy: model.PullIfNotPresent,
			Ports:     []model.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: model.ProtocolTCP, HostPort: 80, HostIP: "0.0.0.0"}},
			Resources: model.ResourceRequirements{Requests: rl("cpu", "250m", "memory", "1.5Gi", "nvidia.com/gpu", "1"), Limits: rl("memory", "2Gi", "nvidia.com/gpu", "1")},
			LivenessProbe: &model.Probe{
				HTTPGet:        &model.HTTPGetAction{Path: "/healthz", Port: model.FromString("http"), Scheme: "HTTP", Host: "localhost"},
				PeriodSeconds:  10,
				TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3, InitialDelaySeconds: 5,
				TerminationGracePeriodSeconds: model.Ptr[int64](10),
			},
			ReadinessProbe: &model.Probe{TCPSocket: &model.TCPSocketAction{Port: model.FromInt32(8080)}},
			StartupProbe:   &model.Probe{GRPC: &model.GRPCAction{Port: 9090, Service: model.Ptr("health")}},
			Lifecycle: &model.Lifecycle{
				PreStop:   &model.LifecycleHandler{Sleep: &model.SleepAction{Seconds: 5}},
				PostStart: &model.LifecycleHandler{Exec: &model.ExecAction{Command: []string{"sh", "-c", "echo 'hi: there'"}}},
			},
		}},
		Volumes: []model.Volume{
			{Name: "data", PersistentVolumeClaim: &model.PersistentVolumeClaimVolumeSource{ClaimName: "data", ReadOnly: true}},
			{Name: "tmp", EmptyDir: &model.EmptyDirVolumeSource{Medium: "Memory", SizeLimit: model.Ptr(q("64Mi"))}},
			{Name: "logs", HostPath: &model.HostPathVolumeSource{Path: "/var/log", Type: model.Ptr("Directory")}},
			{Name: "cfg", ConfigMap: &model.ConfigMapVolumeSource{Name: "cfg", Optional: model.Ptr(true)}},
			{Name: "sec", Secret: &model.SecretVolumeSource{SecretName: "sec"}},
			{Name: "all", Projected: &model.ProjectedVolumeSource{Sources: []model.VolumeProjection{{ConfigMap: &model.ConfigMapProjection{Name: "cfg"}}, {Secret: &model.SecretProjection{Name: "sec", Optional: model.Ptr(false)}}}}},
			{Name: "nfs", NFS: &model.NFSVolumeSource{Server: "nfs.local", Path: "/export"}},
			{Name: "csi", CSI: &model.CSIVolumeSource{Driver: "secrets-store.csi.k8s.io", ReadOnly: model.Ptr(true)}},
		},
		RestartPolicy:                 model.RestartPolicyAlways,
		TerminationGracePeriodSeconds: model.Ptr[int64](45),
		ActiveDeadlineSeconds:         model.Ptr[int64](3600),
		DNSPolicy:                     model.DNSClusterFirstWithHostNet,
		NodeSelector:                  map[string]string{"kubernetes.io/os": "linux"},
		HostNetwork:                   true,
		Affinity: &model.Affinity{
			NodeAffinity: &model.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{{
					MatchExpressions: []model.NodeSelectorRequirement{{Key: model.LabelTopologyZone, Operator: model.NodeSelectorOpIn, Values: []string{"a", "b"}}},
				}}},
				PreferredDuringSchedulingIgnoredDuringExecution: []model.PreferredSchedulingTerm{{Weight: 10, Preference: model.NodeSelectorTerm{
					MatchExpressions: []model.NodeSelectorRequirement{{Key: "disk", Operator: model.NodeSelectorOpExists}},
				}}},
			},
			PodAffinity: &model.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.WeightedPodAffinityTerm{{
				Weight: 50, PodAffinityTerm: model.PodAffinityTerm{LabelSelector: sel, TopologyKey: model.LabelTopologyZone, Namespaces: []string{"shop"}},
			}}},
			PodAntiAffinity: &model.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{{
				LabelSelector: sel, TopologyKey: model.LabelHostname, MatchLabelKeys: []string{"pod-template-hash"},
				NamespaceSelector: &model.LabelSelector{MatchLabels: map[string]string{"team": "a"}},
			}}},
		},
		SchedulerName: "default-scheduler",
		Tolerations: []model.Toleration{
			{Key: "dedicated", Operator: model.TolerationOpEqual, Value: "web", Effect: model.TaintEffectNoSchedule},
			{Operator: model.TolerationOpExists, Effect: model.TaintEffectNoExecute, TolerationSeconds: model.Ptr[int64](300)},
		},
		PriorityClassName: "high",
		Priority:          model.Ptr[int32](1000),
		PreemptionPolicy:  model.Ptr(model.PreemptNever),
		Overhead:          rl("cpu", "10m", "memory", "32Mi"),
		TopologySpreadConstraints: []model.TopologySpreadConstraint{{
			MaxSkew: 1, TopologyKey: model.LabelTopologyZone, WhenUnsatisfiable: model.DoNotSchedule, LabelSelector: sel,
			MinDomains: model.Ptr[int32](3), NodeAffinityPolicy: model.Ptr(model.NodeInclusionPolicyHonor),
			NodeTaintsPolicy: model.Ptr(model.NodeInclusionPolicyIgnore), MatchLabelKeys: []string{"pod-template-hash"},
		}},
		SchedulingGates: []model.PodSchedulingGate{{Name: "example.com/quota"}},
		Resources:       &model.ResourceRequirements{Requests: rl("cpu", "2", "memory", "4Gi"), Limits: rl("cpu", "4", "memory", "4Gi")},
	}
	template := model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"a": "b"}}, Spec: podSpec}
	jobTemplate := template
	jobTemplate.Spec = model.DeepCopy(podSpec)
	jobTemplate.Spec.RestartPolicy = model.RestartPolicyOnFailure
	jobSpec := model.JobSpec{
		Parallelism: model.Ptr[int32](2), Completions: model.Ptr[int32](4), ActiveDeadlineSeconds: model.Ptr[int64](600),
		BackoffLimit: model.Ptr[int32](3), BackoffLimitPerIndex: model.Ptr[int32](1), Selector: sel, ManualSelector: model.Ptr(true),
		Template: jobTemplate, TTLSecondsAfterFinished: model.Ptr[int32](60), CompletionMode: model.Ptr(model.IndexedCompletion),
		Suspend: model.Ptr(false),
	}
	pvc := model.PersistentVolumeClaim{
		ObjectMeta: meta("data", "shop"),
		Spec: model.PersistentVolumeClaimSpec{
			AccessModes: []model.PersistentVolumeAccessMode{model.ReadWriteOnce, model.ReadOnlyMany},
			Selector:    sel,
			Resources:   model.VolumeResourceRequirements{Requests: rl("storage", "10Gi"), Limits: rl("storage", "20Gi")},
			VolumeName:  "pv-1", StorageClassName: model.Ptr("fast"), VolumeMode: model.Ptr(model.PersistentVolumeFilesystem),
		},
		Status: model.PersistentVolumeClaimStatus{Phase: model.ClaimBound, AccessModes: []model.PersistentVolumeAccessMode{model.ReadWriteOnce}, Capacity: rl("storage", "10Gi")},
	}
	cond := model.ConditionTrue

	objs := []model.Object{
		&model.Namespace{ObjectMeta: meta("shop", ""), Spec: model.NamespaceSpec{Finalizers: []string{"kubernetes"}}, Status: model.NamespaceStatus{Phase: "Active"}},
		&model.Node{
			ObjectMeta: meta("node-1", ""),
			Spec:       model.NodeSpec{PodCIDR: "10.0.1.0/24", ProviderID: "aws:///us-east-1a/i-1", Unschedulable: true, Taints: []model.Taint{{Key: "dedicated", Value: "web", Effect: model.TaintEffectNoSchedule, TimeAdded: ptr(ts)}}},
			Status: model.NodeStatus{
				Capacity: rl("cpu", "4", "memory", "16Gi", "pods", "110", "ephemeral-storage", "100Gi"), Allocatable: rl("cpu", "3800m", "memory", "15Gi", "pods", "110"),
				Phase:      "Running",
				Conditions: []model.NodeCondition{{Type: model.NodeReady, Status: cond, LastHeartbeatTime: ptr(ts), LastTransitionTime: ptr(ts), Reason: "KubeletReady", Message: "ok"}},
				Addresses:  []model.NodeAddress{{Type: "InternalIP", Address: "10.0.1.5"}},
				Images:     []model.ContainerImage{{Names: []string{"web:1"}, SizeBytes: 123456789}},
			},
		},
		&model.Pod{
			ObjectMeta: func() model.ObjectMeta {
				m := meta("web-0", "shop")
				m.GenerateName = "web-"
				m.OwnerReferences = []model.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-1", UID: "u1", Controller: model.Ptr(true), BlockOwnerDeletion: model.Ptr(true)}}
				m.Finalizers = []string{"example.com/f"}
				m.DeletionTimestamp = ptr(ts)
				m.DeletionGracePeriodSeconds = model.Ptr[int64](30)
				return m
			}(),
			Spec: model.DeepCopy(podSpec),
			Status: model.PodStatus{
				Phase:      model.PodRunning,
				Conditions: []model.PodCondition{{Type: model.PodReady, Status: cond, LastProbeTime: ptr(ts), LastTransitionTime: ptr(ts), Reason: "r", Message: "m"}},
				Message:    "msg", Reason: "reason", NominatedNodeName: "node-2", HostIP: "10.0.1.5", PodIP: "10.1.0.7", StartTime: ptr(ts),
				InitContainerStatuses: []model.ContainerStatus{{Name: "proxy", Ready: true, State: model.ContainerState{Running: &model.ContainerStateRunning{StartedAt: ptr(ts)}}}},
				ContainerStatuses: []model.ContainerStatus{{
					Name: "web", Ready: false, RestartCount: 2, Image: "web:1",
					State:                model.ContainerState{Waiting: &model.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off"}},
					LastTerminationState: model.ContainerState{Terminated: &model.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled", StartedAt: ptr(ts), FinishedAt: ptr(ts.Add(time.Minute))}},
				}},
			},
		},
		&model.Service{
			ObjectMeta: meta("web", "shop"),
			Spec: model.ServiceSpec{
				Type: model.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"},
				Ports: []model.ServicePort{
					{Name: "http", Protocol: model.ProtocolTCP, Port: 80, TargetPort: model.FromString("http"), NodePort: 30080},
					{Name: "dns", Protocol: model.ProtocolUDP, Port: 53, TargetPort: model.FromInt32(5353)},
				},
				ClusterIP: "10.96.0.10", ClusterIPs: []string{"10.96.0.10"}, SessionAffinity: model.ServiceAffinityClientIP,
				SessionAffinityConfig: &model.SessionAffinityConfig{ClientIP: &model.ClientIPConfig{TimeoutSeconds: model.Ptr[int32](600)}},
				ExternalTrafficPolicy: model.ServiceTrafficPolicyLocal, InternalTrafficPolicy: model.Ptr(model.ServiceTrafficPolicyCluster),
				TrafficDistribution: model.Ptr("PreferClose"),
			},
			Status: model.ServiceStatus{LoadBalancer: model.LoadBalancerStatus{Ingress: []model.LoadBalancerIngress{{IP: "203.0.113.7", Hostname: "lb.example.com"}}}},
		},
		&model.PersistentVolume{
			ObjectMeta: meta("pv-1", ""),
			Spec: model.PersistentVolumeSpec{
				Capacity: rl("storage", "10Gi"), AccessModes: []model.PersistentVolumeAccessMode{model.ReadWriteOncePod},
				ClaimRef:                      &model.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: "shop", Name: "data", UID: "u2", APIVersion: "v1", ResourceVersion: "3"},
				PersistentVolumeReclaimPolicy: model.PersistentVolumeReclaimDelete, StorageClassName: "fast", VolumeMode: model.Ptr(model.PersistentVolumeBlock),
				NodeAffinity: &model.VolumeNodeAffinity{Required: &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{{
					MatchExpressions: []model.NodeSelectorRequirement{{Key: model.LabelTopologyZone, Operator: model.NodeSelectorOpIn, Values: []string{"a"}}},
				}}}},
				CSI:                  &model.CSIPersistentVolumeSource{Driver: "ebs.csi.aws.com", VolumeHandle: "vol-1", ReadOnly: true},
				Local:                &model.LocalVolumeSource{Path: "/mnt/disk", FSType: model.Ptr("ext4")},
				AWSElasticBlockStore: &model.AWSElasticBlockStoreVolumeSource{VolumeID: "vol-2", FSType: "ext4", Partition: 1},
				RBD:                  &model.RBDVolumeSource{CephMonitors: []string{"10.0.0.1:6789"}, RBDImage: "img", RBDPool: "rbd"},
			},
			Status: model.PersistentVolumeStatus{Phase: model.VolumeBound, LastPhaseTransitionTime: ptr(ts)},
		},
		&pvc,
		&model.ConfigMap{ObjectMeta: meta("cfg", "shop"), Data: map[string]string{"a.json": `{"x": 1}`, "empty": "", "yes": "yes", "num": "010"}, BinaryData: map[string]string{"b": "AAEC"}, Immutable: model.Ptr(true)},
		&model.Secret{ObjectMeta: meta("sec", "shop"), Type: "kubernetes.io/tls", Data: map[string]string{"tls.crt": "Y2VydA=="}, StringData: map[string]string{"k": "null"}, Immutable: model.Ptr(false)},
		&model.ResourceQuota{ObjectMeta: meta("q", "shop"), Spec: model.ResourceQuotaSpec{Hard: rl("requests.cpu", "10", "pods", "50"), Scopes: []string{"NotTerminating"}},
			Status: model.ResourceQuotaStatus{Hard: rl("requests.cpu", "10"), Used: rl("requests.cpu", "2500m")}},
		&model.LimitRange{ObjectMeta: meta("lr", "shop"), Spec: model.LimitRangeSpec{Limits: []model.LimitRangeItem{{
			Type: "Container", Max: rl("cpu", "4"), Min: rl("cpu", "10m"), Default: rl("cpu", "500m"), DefaultRequest: rl("cpu", "100m"), MaxLimitRequestRatio: rl("cpu", "10"),
		}}}},
		&model.ReplicaSet{ObjectMeta: meta("web-1", "shop"), Spec: model.ReplicaSetSpec{Replicas: model.Ptr[int32](3), MinReadySeconds: 5, Selector: sel, Template: template},
			Status: model.ReplicaSetStatus{Replicas: 3, FullyLabeledReplicas: 3, ReadyReplicas: 2, AvailableReplicas: 2, ObservedGeneration: 2}},
		&model.Deployment{ObjectMeta: meta("web", "shop"), Spec: model.DeploymentSpec{
			Replicas: model.Ptr[int32](3), Selector: sel, Template: template,
			Strategy: model.DeploymentStrategy{Type: model.RollingUpdateDeploymentStrategyType, RollingUpdate: &model.RollingUpdateDeployment{
				MaxUnavailable: model.Ptr(model.FromInt32(0)), MaxSurge: model.Ptr(model.FromString("25%")),
			}},
			MinReadySeconds: 10, RevisionHistoryLimit: model.Ptr[int32](0), Paused: true, ProgressDeadlineSeconds: model.Ptr[int32](600),
		}, Status: model.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 1, ReadyReplicas: 2, AvailableReplicas: 2, UnavailableReplicas: 1,
			Conditions:     []model.DeploymentCondition{{Type: "Progressing", Status: cond, LastUpdateTime: ptr(ts), LastTransitionTime: ptr(ts), Reason: "NewReplicaSetAvailable"}},
			CollisionCount: model.Ptr[int32](1),
		}},
		&model.StatefulSet{ObjectMeta: meta("db", "shop"), Spec: model.StatefulSetSpec{
			Replicas: model.Ptr[int32](3), Selector: sel, Template: template, VolumeClaimTemplates: []model.PersistentVolumeClaim{pvc},
			ServiceName: "db", PodManagementPolicy: model.ParallelPodManagement,
			UpdateStrategy:       model.StatefulSetUpdateStrategy{Type: "RollingUpdate", RollingUpdate: &model.RollingUpdateStatefulSetStrategy{Partition: model.Ptr[int32](1), MaxUnavailable: model.Ptr(model.FromString("50%"))}},
			RevisionHistoryLimit: model.Ptr[int32](5), MinReadySeconds: 3,
			PersistentVolumeClaimRetentionPolicy: &model.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Delete", WhenScaled: "Retain"},
			Ordinals:                             &model.StatefulSetOrdinals{Start: 1},
		}, Status: model.StatefulSetStatus{ObservedGeneration: 1, Replicas: 3, ReadyReplicas: 3, CurrentReplicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3, CurrentRevision: "db-1", UpdateRevision: "db-1"}},
		&model.DaemonSet{ObjectMeta: meta("agent", "shop"), Spec: model.DaemonSetSpec{
			Selector: sel, Template: template, MinReadySeconds: 1, RevisionHistoryLimit: model.Ptr[int32](10),
			UpdateStrategy: model.DaemonSetUpdateStrategy{Type: "RollingUpdate", RollingUpdate: &model.RollingUpdateDaemonSet{MaxUnavailable: model.Ptr(model.FromString("10%")), MaxSurge: model.Ptr(model.FromInt32(0))}},
		}, Status: model.DaemonSetStatus{CurrentNumberScheduled: 3, DesiredNumberScheduled: 3, NumberReady: 2, ObservedGeneration: 1, UpdatedNumberScheduled: 3, NumberAvailable: 2, NumberUnavailable: 1}},
		&model.Job{ObjectMeta: meta("migrate", "shop"), Spec: jobSpec, Status: model.JobStatus{
			Conditions: []model.JobCondition{{Type: "Complete", Status: cond, LastProbeTime: ptr(ts), LastTransitionTime: ptr(ts)}},
			StartTime:  ptr(ts), CompletionTime: ptr(ts.Add(time.Hour)), Active: 1, Succeeded: 3, Failed: 1, CompletedIndexes: "0-2", Ready: model.Ptr[int32](1),
		}},
		&model.CronJob{ObjectMeta: meta("report", "shop"), Spec: model.CronJobSpec{
			Schedule: "30 2 * * *", TimeZone: model.Ptr("Europe/Berlin"), StartingDeadlineSeconds: model.Ptr[int64](300),
			ConcurrencyPolicy: model.ForbidConcurrent, Suspend: model.Ptr(true),
			JobTemplate:                model.JobTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: map[string]string{"job": "report"}}, Spec: jobSpec},
			SuccessfulJobsHistoryLimit: model.Ptr[int32](3), FailedJobsHistoryLimit: model.Ptr[int32](1),
		}, Status: model.CronJobStatus{Active: []model.ObjectReference{{Kind: "Job", Namespace: "shop", Name: "report-1"}}, LastScheduleTime: ptr(ts), LastSuccessfulTime: ptr(ts)}},
		&model.PodDisruptionBudget{ObjectMeta: meta("web", "shop"), Spec: model.PodDisruptionBudgetSpec{
			MinAvailable: model.Ptr(model.FromString("50%")), Selector: sel, UnhealthyPodEvictionPolicy: model.Ptr("AlwaysAllow"),
		}, Status: model.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptedPods: map[string]time.Time{"web-0": ts}, DisruptionsAllowed: 1, CurrentHealthy: 3, DesiredHealthy: 2, ExpectedPods: 3}},
		&model.HorizontalPodAutoscaler{ObjectMeta: meta("web", "shop"), Spec: model.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: model.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"},
			MinReplicas:    model.Ptr[int32](2), MaxReplicas: 10,
			Metrics: []model.MetricSpec{
				{Type: "Resource", Resource: &model.ResourceMetricSource{Name: model.ResourceCPU, Target: model.MetricTarget{Type: "Utilization", AverageUtilization: model.Ptr[int32](70)}}},
				{Type: "ContainerResource", ContainerResource: &model.ContainerResourceMetricSource{Name: model.ResourceMemory, Container: "web", Target: model.MetricTarget{Type: "AverageValue", AverageValue: model.Ptr(q("400Mi"))}}},
				{Type: "Resource", Resource: &model.ResourceMetricSource{Name: model.ResourceCPU, Target: model.MetricTarget{Type: "Value", Value: model.Ptr(q("1500m"))}}},
			},
			Behavior: &model.HorizontalPodAutoscalerBehavior{
				ScaleUp:   &model.HPAScalingRules{StabilizationWindowSeconds: model.Ptr[int32](0), SelectPolicy: model.Ptr("Max"), Policies: []model.HPAScalingPolicy{{Type: "Pods", Value: 4, PeriodSeconds: 15}}, Tolerance: model.Ptr(q("50m"))},
				ScaleDown: &model.HPAScalingRules{SelectPolicy: model.Ptr("Disabled")},
			},
		}, Status: model.HorizontalPodAutoscalerStatus{ObservedGeneration: model.Ptr[int64](1), LastScaleTime: ptr(ts), CurrentReplicas: 3, DesiredReplicas: 4}},
		&model.StorageClass{ObjectMeta: meta("fast", ""), Provisioner: "ebs.csi.aws.com", Parameters: map[string]string{"type": "gp3", "iops": "3000"},
			ReclaimPolicy: model.Ptr(model.PersistentVolumeReclaimRetain), AllowVolumeExpansion: model.Ptr(true), VolumeBindingMode: model.Ptr(model.VolumeBindingWaitForFirstConsumer),
			AllowedTopologies: []model.TopologySelectorTerm{{MatchLabelExpressions: []model.TopologySelectorLabelRequirement{{Key: model.LabelTopologyZone, Values: []string{"a", "b"}}}}}},
		&model.CSIDriver{ObjectMeta: meta("ebs.csi.aws.com", ""), Spec: model.CSIDriverSpec{AttachRequired: model.Ptr(false)}},
		&model.VolumeAttachment{ObjectMeta: meta("csi-0a1b", ""), Spec: model.VolumeAttachmentSpec{Attacher: "ebs.csi.aws.com", NodeName: "node-1",
			Source: model.VolumeAttachmentSource{PersistentVolumeName: model.Ptr("pv-1")}},
			Status: model.VolumeAttachmentStatus{Attached: true, DetachError: &model.VolumeError{Time: ptr(ts), Message: "stuck"}}},
		&model.PriorityClass{ObjectMeta: meta("high", ""), Value: 100000, GlobalDefault: true, Description: "high: important", PreemptionPolicy: model.Ptr(model.PreemptLowerPriority)},
		&model.NetworkPolicy{ObjectMeta: meta("np", "shop"), Spec: model.NetworkPolicySpec{
			PodSelector: *sel,
			Ingress: []model.NetworkPolicyIngressRule{{
				Ports: []model.NetworkPolicyPort{{Protocol: model.Ptr(model.ProtocolTCP), Port: model.Ptr(model.FromInt32(8000)), EndPort: model.Ptr[int32](9000)}, {Port: model.Ptr(model.FromString("http"))}},
				From:  []model.NetworkPolicyPeer{{PodSelector: sel, NamespaceSelector: &model.LabelSelector{MatchLabels: map[string]string{"team": "a"}}}, {IPBlock: &model.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}},
			}},
			Egress:      []model.NetworkPolicyEgressRule{{To: []model.NetworkPolicyPeer{{IPBlock: &model.IPBlock{CIDR: "0.0.0.0/0"}}}}},
			PolicyTypes: []string{"Ingress", "Egress"},
		}},
		&model.EndpointSlice{ObjectMeta: meta("web-abc", "shop"), AddressType: "IPv4",
			Endpoints: []model.Endpoint{{
				Addresses:  []string{"10.1.0.7"},
				Conditions: model.EndpointConditions{Ready: model.Ptr(true), Serving: model.Ptr(true), Terminating: model.Ptr(false)},
				Hostname:   model.Ptr("web-0"), TargetRef: &model.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "web-0"},
				NodeName: model.Ptr("node-1"), Zone: model.Ptr("a"),
				Hints: &model.EndpointHints{ForZones: []model.ForZone{{Name: "a"}}, ForNodes: []model.ForNode{{Name: "node-1"}}},
			}},
			Ports: []model.EndpointPort{{Name: model.Ptr("http"), Protocol: model.Ptr(model.ProtocolTCP), Port: model.Ptr[int32](8080)}},
		},
		&model.Lease{ObjectMeta: meta("node-1", model.NamespaceNodeLease), Spec: model.LeaseSpec{
			HolderIdentity: model.Ptr("node-1"), LeaseDurationSeconds: model.Ptr[int32](40), RenewTime: &ts}},
	}
	for _, o := range objs {
		model.SetTypeMeta(o)
	}
	return objs
}

// Encode writes what DecodeBytes reads back, for every kind.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	objs := fullObjects()
	seen := map[string]bool{}
	for _, o := range objs {
		seen[model.KindOf(o).Kind] = true
		require.Empty(t, model.Validate(o), "%s %s is not valid", o.GetTypeMeta().Kind, model.Key(o))
	}
	for _, k := range model.KindNames() {
		assert.True(t, seen[k], "no %s in the round trip", k)
	}

	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, objs))
	back, ds := DecodeBytes("dump.yaml", buf.Bytes(), Options{Strict: true})
	require.Empty(t, ds, "%s", buf.String())
	require.Len(t, back, len(objs))
	for i := range objs {
		assert.Equal(t, objs[i], back[i].Object, "%s %s", objs[i].GetTypeMeta().Kind, model.Key(objs[i]))
	}

	// Encoding is byte-stable.
	var again bytes.Buffer
	var decoded []model.Object
	for _, o := range back {
		decoded = append(decoded, o.Object)
	}
	require.NoError(t, Encode(&again, decoded))
	assert.Equal(t, buf.String(), again.String())

	// Defaulted objects round-trip too.
	var defaulted []model.Object
	for _, o := range fullObjects() {
		model.SetDefaults(o)
		defaulted = append(defaulted, o)
	}
	buf.Reset()
	require.NoError(t, Encode(&buf, defaulted))
	back, ds = DecodeBytes("dump.yaml", buf.Bytes(), Options{Strict: true})
	require.Empty(t, ds)
	for i := range defaulted {
		assert.Equal(t, defaulted[i], back[i].Object, "%s", defaulted[i].GetTypeMeta().Kind)
	}
}

func TestEncodeFormat(t *testing.T) {
	cm := &model.ConfigMap{ObjectMeta: model.ObjectMeta{Name: "a", Namespace: "shop", Labels: map[string]string{"z": "1", "a": "2"}}, Data: map[string]string{"port": "8080"}}
	ns := &model.Namespace{ObjectMeta: model.ObjectMeta{Name: "shop"}}
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, []model.Object{cm, ns}))
	assert.Equal(t, `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  namespace: shop
  labels:
    a: "2"
    z: "1"
data:
  port: "8080"
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
`, buf.String(), "apiVersion and kind are filled, keys sorted, strings that look like numbers quoted")

	buf.Reset()
	require.NoError(t, Encode(&buf, nil))
	assert.Empty(t, buf.String())
}

func TestSortObjects(t *testing.T) {
	mk := func(o model.Object, ns, name string) model.Object {
		m := o.GetObjectMeta()
		m.Namespace, m.Name = ns, name
		model.SetTypeMeta(o)
		return o
	}
	objs := []model.Object{
		mk(&model.Deployment{}, "b", "web"),
		mk(&model.Pod{}, "a", "z"),
		mk(&model.Deployment{}, "a", "web"),
		mk(&model.Namespace{}, "", "b"),
		mk(&model.Pod{}, "a", "y"),
		mk(&model.Node{}, "", "n1"),
		mk(&model.Namespace{}, "", "a"),
	}
	SortObjects(objs)
	var got []string
	for _, o := range objs {
		got = append(got, o.GetTypeMeta().Kind+" "+model.Key(o))
	}
	assert.Equal(t, []string{
		"Namespace a", "Namespace b", "Node n1", "Pod a/y", "Pod a/z", "Deployment a/web", "Deployment b/web",
	}, got, "registry kind order, then namespace, then name")
}

// The testdata and the library example are the fuzz seeds; make sure they
// exist and are what the fuzz test expects.
func TestFuzzSeedsPresent(t *testing.T) {
	seeds := fuzzSeeds(t)
	assert.GreaterOrEqual(t, len(seeds), 7)
	for name, data := range seeds {
		assert.NotEmpty(t, data, name)
	}
	_, err := os.Stat(onlineShop)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(onlineShop, ".yaml"))
}
