package manifest

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
)

// posOf returns the 1-based line and column of the first occurrence of
// needle in src (after skipping `skip` earlier occurrences), so that tests
// can say "the diagnostic points at this token" without counting lines.
func posOf(t *testing.T, src, needle string, skip ...int) (line, col int) {
	t.Helper()
	from := 0
	n := 0
	if len(skip) > 0 {
		n = skip[0]
	}
	for {
		i := strings.Index(src[from:], needle)
		require.GreaterOrEqual(t, i, 0, "%q not found in the test input", needle)
		if n == 0 {
			before := src[:from+i]
			line = strings.Count(before, "\n") + 1
			col = from + i - strings.LastIndex(before, "\n")
			return line, col
		}
		n--
		from += i + len(needle)
	}
}

// only returns the single diagnostic of ds, failing otherwise.
func only(t *testing.T, ds Diagnostics) Diagnostic {
	t.Helper()
	require.Len(t, ds, 1, "diagnostics: %v", ds)
	return ds[0]
}

const deploymentWithTypo = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resoures:
          requests: {cpu: 100m}
`

func TestUnknownFieldWarning(t *testing.T) {
	objs, ds := DecodeBytes("typo.yaml", []byte(deploymentWithTypo), Options{})
	require.Len(t, objs, 1, "a warning does not drop the object")
	d := only(t, ds)
	assert.Equal(t, Warning, d.Severity)
	assert.Equal(t, "typo.yaml", d.File)
	assert.Equal(t, 16, d.Line)
	assert.Equal(t, 9, d.Column)
	assert.Equal(t, "spec.template.spec.containers[0].resoures", d.Path)
	assert.Contains(t, d.Message, `unknown field "resoures"`)
	assert.Contains(t, d.Message, `did you mean "resources"?`)
	assert.Equal(t, `typo.yaml:16:9: warning: spec.template.spec.containers[0].resoures: unknown field "resoures" (did you mean "resources"?); ignored`, d.String())
	assert.False(t, ds.HasErrors())
	assert.NoError(t, ds.Err())

	// The same from a file: command, env and securityContext are
	// Kubernetes fields kubesim ignores silently; only the typo is reported.
	objs, ds = DecodePaths([]string{"testdata/typo.yaml"}, Options{})
	require.Len(t, objs, 1)
	assert.Equal(t, `testdata/typo.yaml:20:9: warning: spec.template.spec.containers[0].resoures: unknown field "resoures" (did you mean "resources"?); ignored`,
		filepath.ToSlash(only(t, ds).String()))
}

func TestUnknownFieldStrict(t *testing.T) {
	objs, ds := DecodeBytes("typo.yaml", []byte(deploymentWithTypo), Options{Strict: true})
	assert.Empty(t, objs, "an error drops the object")
	d := only(t, ds)
	assert.Equal(t, Error, d.Severity)
	assert.Equal(t, 16, d.Line)
	assert.Equal(t, "spec.template.spec.containers[0].resoures", d.Path)
	assert.Contains(t, d.Message, `did you mean "resources"?`)
	require.Error(t, ds.Err())
	assert.Equal(t, d.String(), ds.Err().Error())
	var de *DiagnosticsError
	require.ErrorAs(t, ds.Err(), &de)
	assert.Equal(t, Diagnostics{d}, de.Diagnostics)
}

func TestUnknownFieldWithoutSuggestion(t *testing.T) {
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nflavour: vanilla\n"
	_, ds := DecodeBytes("cm.yaml", []byte(src), Options{})
	d := only(t, ds)
	assert.Equal(t, "flavour", d.Path)
	assert.Equal(t, `unknown field "flavour"; ignored`, d.Message, "nothing is close enough to suggest")
}

// Fields Kubernetes defines but kubesim does not simulate are accepted
// silently, strict or not.
func TestUnmodeledFieldsAreSilent(t *testing.T) {
	src := `apiVersion: v1
kind: Pod
metadata:
  name: p
  managedFields: [{manager: kubectl}]
spec:
  serviceAccountName: app
  automountServiceAccountToken: false
  securityContext: {runAsUser: 1000, fsGroup: 2000}
  imagePullSecrets: [{name: regcred}]
  dnsConfig: {nameservers: [1.1.1.1]}
  containers:
  - name: app
    image: app:1
    command: [/app]
    args: [--port=8080]
    workingDir: /srv
    env:
    - name: A
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    envFrom: [{configMapRef: {name: cfg}}]
    volumeMounts: [{name: data, mountPath: /data}]
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
    terminationMessagePolicy: FallbackToLogsOnError
    resources:
      requests: {cpu: 100m}
      claims: [{name: gpu}]
    readinessProbe:
      httpGet: {path: /, port: 8080, httpHeaders: [{name: X, value: y}]}
  volumes:
  - name: data
    downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
  - name: cfg
    configMap: {name: cfg, defaultMode: 0644, items: [{key: a, path: a}]}
status:
  qosClass: Burstable
  podIPs: [{ip: 10.0.0.1}]
`
	for _, strict := range []bool{false, true} {
		objs, ds := DecodeBytes("pod.yaml", []byte(src), Options{Strict: strict})
		assert.Empty(t, ds, "strict=%v", strict)
		require.Len(t, objs, 1)
		p := objs[0].Object.(*model.Pod)
		assert.Equal(t, "app:1", p.Spec.Containers[0].Image)
		assert.Len(t, p.Spec.Volumes, 2)
	}
}

func TestUnmodeledKinds(t *testing.T) {
	src := `apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules: [{host: shop.example.com}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`
	objs, ds := DecodeBytes("extra.yaml", []byte(src), Options{})
	assert.Empty(t, objs)
	require.Len(t, ds, 3)
	for i, kind := range []string{"ServiceAccount", "Ingress", "Widget"} {
		assert.Equal(t, Warning, ds[i].Severity)
		assert.Equal(t, "kind", ds[i].Path)
		assert.Contains(t, ds[i].Message, "kind "+kind+" (")
		assert.Contains(t, ds[i].Message, "not modeled")
		line, col := posOf(t, src, kind)
		assert.Equal(t, line, ds[i].Line, kind)
		assert.Equal(t, col, ds[i].Column, kind)
	}
	assert.Contains(t, ds[0].Message, "ServiceAccount robot", "the message names the object")

	_, ds = DecodeBytes("extra.yaml", []byte(src), Options{Strict: true})
	require.Len(t, ds, 3)
	assert.True(t, ds.HasErrors())
	assert.Len(t, ds.Errors(), 3)
}

func TestWrongAPIVersion(t *testing.T) {
	src := `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 5
  targetCPUUtilizationPercentage: 80
`
	objs, ds := DecodeBytes("hpa.yaml", []byte(src), Options{})
	assert.Empty(t, objs)
	d := only(t, ds)
	assert.Equal(t, Error, d.Severity)
	assert.Equal(t, "apiVersion", d.Path)
	assert.Equal(t, 1, d.Line, "points at the apiVersion")
	assert.Equal(t, 13, d.Column)
	assert.Contains(t, d.Message, `"autoscaling/v1"`)
	assert.Contains(t, d.Message, "autoscaling/v2")

	src = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\n"
	_, ds = DecodeBytes("old.yaml", []byte(src), Options{})
	assert.Contains(t, only(t, ds).Message, "want apps/v1")
}

func TestMissingKindOrAPIVersion(t *testing.T) {
	_, ds := DecodeBytes("a.yaml", []byte("apiVersion: v1\nmetadata: {name: a}\n"), Options{})
	d := only(t, ds)
	assert.Equal(t, Error, d.Severity)
	assert.Equal(t, "kind", d.Path)
	assert.Equal(t, "missing kind", d.Message)

	_, ds = DecodeBytes("a.yaml", []byte("kind: ConfigMap\nmetadata: {name: a}\n"), Options{})
	d = only(t, ds)
	assert.Equal(t, "apiVersion", d.Path)
	assert.Equal(t, "missing apiVersion", d.Message)

	_, ds = DecodeBytes("a.yaml", []byte("- just\n- a list\n"), Options{})
	d = only(t, ds)
	assert.Equal(t, 1, d.Line)
	assert.Contains(t, d.Message, "expected a Kubernetes object")
	assert.Contains(t, d.Message, "got a list")

	_, ds = DecodeBytes("a.yaml", []byte("hello\n"), Options{})
	assert.Contains(t, only(t, ds).Message, `got the string "hello"`)
}

func TestTypeErrors(t *testing.T) {
	tests := []struct {
		name, src, needle, path, msg string
	}{
		{
			name: "string where an integer is expected",
			src: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: "3"
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`,
			needle: `"3"`, path: "spec.replicas", msg: `expected an integer, got the string "3"`,
		},
		{
			name:   "unquoted number as a label value",
			src:    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels:\n    app: web\n    version: 2\n",
			needle: "2\n", path: "metadata.labels.version", msg: `expected a string, got the integer 2 (quote it: "2")`,
		},
		{
			name:   "unquoted boolean as an annotation",
			src:    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  annotations:\n    enabled: yes\n    ready: true\n",
			needle: "true", path: "metadata.annotations.ready", msg: "expected a string, got the boolean true",
		},
		{
			name:   "unquoted float as a ConfigMap value",
			src:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  ratio: 0.5\n",
			needle: "0.5", path: "data.ratio", msg: "expected a string, got the number 0.5",
		},
		{
			name:   "mapping where a list is expected",
			src:    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    name: app\n    image: app:1\n",
			needle: "name: app", path: "spec.containers", msg: "expected a list, got a mapping",
		},
		{
			name:   "string where a boolean is expected",
			src:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\nimmutable: \"true\"\n",
			needle: `"true"`, path: "immutable", msg: "expected true or false",
		},
		{
			name:   "integer out of range",
			src:    "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: big}\nvalue: 3000000000\n",
			needle: "3000000000", path: "value", msg: "out of range for 32 bits",
		},
		{
			name: "bad quantity",
			src: `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: app:1
    resources:
      requests:
        memory: 1GB
`,
			needle: "1GB", path: "spec.containers[0].resources.requests.memory", msg: `invalid quantity "1GB"`,
		},
		{
			name:   "quantity given as a mapping",
			src:    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard:\n    cpu: {value: 4}\n",
			needle: "{value", path: "spec.hard.cpu", msg: "expected a quantity",
		},
		{
			name:   "int-or-string given a float",
			src:    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  minAvailable: 0.5\n",
			needle: "0.5", path: "spec.minAvailable", msg: "expected an integer",
		},
		{
			name:   "bad timestamp",
			src:    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  creationTimestamp: yesterday\n",
			needle: "yesterday", path: "metadata.creationTimestamp", msg: "RFC 3339",
		},
		{
			name:   "scalar where a struct is expected",
			src:    "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: ClusterIP\n",
			needle: "ClusterIP", path: "spec", msg: `expected a mapping (field: value), got the string "ClusterIP"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, ds := DecodeBytes("in.yaml", []byte(tt.src), Options{})
			assert.Empty(t, objs, "an object with a type error is dropped")
			d := only(t, ds)
			line, col := posOf(t, tt.src, tt.needle)
			assert.Equal(t, Error, d.Severity)
			assert.Equal(t, tt.path, d.Path)
			assert.Equal(t, line, d.Line, "line")
			assert.Equal(t, col, d.Column, "column")
			assert.Contains(t, d.Message, tt.msg)
			assert.NotRegexp(t, `^line \d+:`, d.Message, "the line is in the position, not repeated in the message")
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	// go-yaml names the line of the problem, or of the construct it was
	// reading when that is more telling (an unclosed bracket or quote).
	tests := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"bad indentation in a block mapping", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n labels: {}\n", 5, "did not find expected key"},
		{"mapping value in a scalar", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\n", 4, "mapping values are not allowed"},
		{"tab indentation", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n", 4, "cannot start any token"},
		{"unterminated flow sequence", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  finalizers: [a, b\n", 5, "did not find expected ',' or ']'"},
		{"sequence entry inside a mapping", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n  - c\n", 4, "did not find expected key"}, // the mapping it breaks
		{"unterminated quote", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'a\n", 4, "end of stream"},                         // where the quote opens
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, ds := DecodeBytes("bad.yaml", []byte(tt.src), Options{})
			assert.Empty(t, objs)
			d := only(t, ds)
			assert.Equal(t, Error, d.Severity)
			assert.Equal(t, "bad.yaml", d.File)
			assert.Equal(t, tt.line, d.Line, "line of %q", d.Message)
			assert.True(t, strings.HasPrefix(d.Message, "invalid YAML: "), d.Message)
			assert.Contains(t, d.Message, tt.msg)
			assert.NotContains(t, d.Message, "line ", "the line is in the position")
		})
	}

	// Documents before the broken one are kept; line numbers count from
	// the start of the stream.
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [b}\n"
	objs, ds := DecodeBytes("bad.yaml", []byte(src), Options{})
	require.Len(t, objs, 1)
	assert.Equal(t, "a", objs[0].Object.GetObjectMeta().Name)
	assert.Equal(t, 7, only(t, ds).Line)
}

// Validation runs on every decoded object; its errors point at the line of
// the offending field (or of its nearest enclosing field that was written).
func TestValidationErrorsHaveLines(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: -1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: web
        resources:
          requests: {cpu: "2"}
          limits: {cpu: "1"}
      - name: Side_Car
        image: envoy
`
	objs, ds := DecodeBytes("deploy.yaml", []byte(src), Options{})
	assert.Empty(t, objs)
	want := map[string]string{
		"spec.replicas":                                           "-1",
		"spec.template.metadata.labels":                           "{app: api}",
		"spec.template.spec.containers[0].image":                  "name: web\n        resources", // no image: the container's line
		"spec.template.spec.containers[0].resources.requests.cpu": `"2"`,
		"spec.template.spec.containers[1].name":                   "Side_Car",
	}
	got := map[string]Diagnostic{}
	for _, d := range ds {
		assert.Equal(t, Error, d.Severity, "%s", d)
		got[d.Path] = d
	}
	for path, needle := range want {
		d, ok := got[path]
		if !assert.True(t, ok, "no diagnostic at %s; got %v", path, ds) {
			continue
		}
		line, col := posOf(t, src, needle)
		assert.Equal(t, line, d.Line, "%s", d)
		assert.Equal(t, col, d.Column, "%s", d)
	}
	assert.Len(t, ds, len(want), "%v", ds)
}

func TestDecodeNodePathPrefix(t *testing.T) {
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("inline:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {n: 1}\n"), &root))
	item := root.Content[0].Content[1].Content[0]
	objs, ds := DecodeNode("scenario.yaml", item, "spec.workloads[0].inline[0]", Options{})
	assert.Empty(t, objs)
	d := only(t, ds)
	assert.Equal(t, "spec.workloads[0].inline[0].data.n", d.Path)
	assert.Equal(t, 5, d.Line)
}

func TestDuplicateFields(t *testing.T) {
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\ndata:\n  k: one\n  k: two\n"
	objs, ds := DecodeBytes("dup.yaml", []byte(src), Options{})
	require.Len(t, objs, 1)
	cm := objs[0].Object.(*model.ConfigMap)
	assert.Equal(t, "b", cm.Name, "the last value wins")
	assert.Equal(t, "two", cm.Data["k"])
	require.Len(t, ds, 2)
	assert.Equal(t, "metadata.name", ds[0].Path)
	assert.Equal(t, 5, ds[0].Line)
	assert.Equal(t, "data.k", ds[1].Path)
	assert.Equal(t, 8, ds[1].Line)
	for _, d := range ds {
		assert.Equal(t, Warning, d.Severity)
		assert.Contains(t, d.Message, "duplicate")
	}
}

func TestAnchorsAliasesAndMergeKeys(t *testing.T) {
	objs, ds := DecodePaths([]string{"testdata/anchors.yaml"}, Options{Strict: true})
	require.Empty(t, ds)
	require.Len(t, objs, 1)
	d := objs[0].Object.(*model.Deployment)
	assert.Equal(t, map[string]string{"app": "api", "tier": "backend"}, d.Labels)
	assert.Equal(t, map[string]string{"app": "api", "tier": "backend"}, d.Spec.Selector.MatchLabels, "a merge key alone copies the map")
	assert.Equal(t, map[string]string{"app": "api", "tier": "backend", "team": "core"}, d.Spec.Template.Labels)

	cs := d.Spec.Template.Spec.Containers
	require.Len(t, cs, 2)
	assert.Equal(t, "api", cs[0].Name)
	assert.Equal(t, "worker", cs[1].Name, "the mapping's own key beats the merged one")
	assert.Equal(t, "api:1.0", cs[1].Image, "merged from the anchor")
	assert.Equal(t, model.MustParseQuantity("250m"), cs[1].Resources.Requests[model.ResourceCPU])
	assert.Equal(t, model.MustParseQuantity("512Mi"), cs[1].Resources.Limits[model.ResourceMemory])
	assert.Equal(t, model.MustParseQuantity("256Mi"), cs[0].Resources.Limits[model.ResourceMemory], "the anchored original is untouched")

	// Decoded values never share memory between aliases.
	d.Labels["app"] = "changed"
	assert.Equal(t, "api", d.Spec.Template.Labels["app"])
}

// YAML merge keys: explicit keys win wherever they are written, the first
// of several merge sources wins, and an explicit key replaces a merged
// value whole (kubectl reads YAML into a generic tree first).
func TestMergeKeyPrecedence(t *testing.T) {
	src := `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    app: explicit
    <<: [{app: first, a: "1"}, {app: second, a: "2", b: "2"}]
spec:
  containers:
  - name: base
    image: base:1
    resources: &res
      requests: {cpu: 100m}
      limits: {cpu: 200m}
  - name: explicit
    <<: {name: merged, image: merged:1, resources: *res}
    resources:
      limits: {cpu: 300m}
`
	objs, ds := DecodeBytes("merge.yaml", []byte(src), Options{Strict: true})
	require.Empty(t, ds)
	require.Len(t, objs, 1)
	p := objs[0].Object.(*model.Pod)
	assert.Equal(t, map[string]string{"app": "explicit", "a": "1", "b": "2"}, p.Labels)
	c := p.Spec.Containers[1]
	assert.Equal(t, "explicit", c.Name)
	assert.Equal(t, "merged:1", c.Image)
	assert.Nil(t, c.Resources.Requests, "the explicit resources replace the merged ones")
	assert.Equal(t, model.MustParseQuantity("300m"), c.Resources.Limits[model.ResourceCPU])
}

func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	good := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"30s", 30 * time.Second},
		{"5m", 5 * time.Minute},
		{"2h", 2 * time.Hour},
		{"1h30m", 90 * time.Minute},
		{"250ms", 250 * time.Millisecond},
		{"1.5h", 90 * time.Minute},
		{"-5m", -5 * time.Minute},
		{"1d", day},
		{"2d", 2 * day},
		{"1d12h", 36 * time.Hour},
		{"7d30m", 7*day + 30*time.Minute},
		{"0d", 0},
		{"106751d", 106751 * day},
	}
	for _, tt := range good {
		got, err := ParseDuration(tt.in)
		if assert.NoError(t, err, tt.in) {
			assert.Equal(t, tt.want, got, tt.in)
		}
	}
	for _, in := range []string{"", "5", "d", "1x", "1.5d", "-1d", "1d-1h", "2d3d", "1h1d", "1 d", "106752d", "99999999999999999999d", "106751d24h"} {
		_, err := ParseDuration(in)
		assert.Error(t, err, "%q", in)
	}
	_, err := ParseDuration("soon")
	assert.EqualError(t, err, `expected a duration such as 30s, 5m, 2h or 1d, got "soon"`)
}

// The Decoder is generic: kubesim's own formats use it with time.Duration,
// floats, unsigned integers and nested structs.
func TestDecoderGenericTypes(t *testing.T) {
	type window struct {
		From time.Duration `yaml:"from"`
		For  time.Duration `yaml:"for,omitempty"`
	}
	type config struct {
		Name    string            `yaml:"name"`
		Ratio   float64           `yaml:"ratio"`
		Count   uint16            `yaml:"count"`
		Every   *time.Duration    `yaml:"every"`
		Windows []window          `yaml:"windows"`
		Tags    map[string]string `yaml:"tags"`
		Raw     yaml.Node         `yaml:"raw"`
		Extra   any               `yaml:"extra"`
		Start   time.Time         `yaml:"start"`
	}
	src := `name: sweep
ratio: 0.25
count: 7
every: 1d12h
windows:
- {from: 30m, for: 2h}
- from: 1d
tags: {a: b}
raw: {anything: [1, 2]}
extra: [x, 1]
start: 2026-01-05T09:00:00+01:00
`
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &root))
	d := NewDecoder("sweep.yaml", true)
	var c config
	d.Decode(&root, &c, "")
	require.Empty(t, d.Diags)
	assert.Equal(t, "sweep", c.Name)
	assert.Equal(t, 0.25, c.Ratio)
	assert.Equal(t, uint16(7), c.Count)
	assert.Equal(t, 36*time.Hour, *c.Every)
	assert.Equal(t, []window{{30 * time.Minute, 2 * time.Hour}, {From: 24 * time.Hour}}, c.Windows)
	assert.Equal(t, map[string]string{"a": "b"}, c.Tags)
	assert.Equal(t, yaml.MappingNode, c.Raw.Kind)
	assert.Equal(t, []any{"x", 1}, c.Extra)
	assert.Equal(t, time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), c.Start, "times are read as UTC")
	assert.Equal(t, 7, d.NodeFor("windows[1].from").Line)
	assert.Equal(t, 7, d.NodeFor("windows[1].nothing.here").Line, "NodeFor falls back to the nearest parent")

	bad := `name: [x]
ratio: fast
count: -1
every: 90
windows: [{from: soon}]
start: 2026-13-01
`
	require.NoError(t, yaml.Unmarshal([]byte(bad), &root))
	d = NewDecoder("bad.yaml", false)
	var c2 config
	d.Decode(&root, &c2, "cfg")
	var got []string
	for _, diag := range d.Diags {
		got = append(got, fmt.Sprintf("%d %s", diag.Line, diag.Path))
	}
	assert.Equal(t, []string{
		"1 cfg.name", "2 cfg.ratio", "3 cfg.count", "4 cfg.every", "5 cfg.windows[0].from", "6 cfg.start",
	}, got)
	assert.Contains(t, d.Diags[3].Message, "with a unit", "a bare number is not a duration")
	assert.Panics(t, func() { d.Decode(&root, c2, "") }, "Decode needs a pointer")
}

func TestDiagnosticString(t *testing.T) {
	assert.Equal(t, "f.yaml:3:5: error: spec.x: bad", Diagnostic{File: "f.yaml", Line: 3, Column: 5, Path: "spec.x", Severity: Error, Message: "bad"}.String())
	assert.Equal(t, "f.yaml:3: warning: odd", Diagnostic{File: "f.yaml", Line: 3, Severity: Warning, Message: "odd"}.String())
	assert.Equal(t, "f.yaml: error: gone", Diagnostic{File: "f.yaml", Severity: Error, Message: "gone"}.String())
	ds := Diagnostics{{Severity: Warning, Message: "w"}, {File: "a", Severity: Error, Message: "e1"}, {File: "b", Severity: Error, Message: "e2"}}
	assert.True(t, ds.HasErrors())
	assert.Len(t, ds.Errors(), 2)
	assert.Equal(t, "a: error: e1\nb: error: e2", ds.Err().Error())
	assert.Nil(t, Diagnostics{{Severity: Warning}}.Err())
}

func TestIntOrStringAndLimits(t *testing.T) {
	src := fmt.Sprintf("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  maxUnavailable: %d\n", int64(math.MaxInt32)+1)
	_, ds := DecodeBytes("pdb.yaml", []byte(src), Options{})
	d := only(t, ds)
	assert.Equal(t, "spec.maxUnavailable", d.Path)
	assert.Contains(t, d.Message, "int32")
}

// Aliases that nest ("billion laughs") would make the walker decode
// millions of nodes from a few kilobytes; past a budget the document is
// rejected with one error instead.
func TestAliasBomb(t *testing.T) {
	const k = 200 // 200^3 = 8 million values from 2.6 kB
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n" +
		"  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n" +
		"        nodeSelectorTerms: [&t {matchExpressions: [&m {key: k, operator: In, values: [&s a")
	b.WriteString(strings.Repeat(", *s", k-1) + "]}" + strings.Repeat(", *m", k-1) + "]}" + strings.Repeat(", *t", k-1) + "]\n")
	start := time.Now()
	objs, ds := DecodeBytes("bomb.yaml", []byte(b.String()), Options{})
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Empty(t, objs)
	d := only(t, ds)
	assert.Equal(t, Error, d.Severity)
	assert.Equal(t, 9, d.Line)
	assert.Contains(t, d.Message, "aliases expand into more than 100000 nodes")
	assert.True(t, strings.HasPrefix(d.Path, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms["), d.Path)

	// The same through merge keys, anchored in fields kubesim ignores.
	list := func(alias string, n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat("*"+alias+", ", n), ", ") + "]"
	}
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" +
		"x-l0: &l0 {a: b, c: d}\n" +
		"x-l1: &l1 {<<: " + list("l0", 100) + "}\n" +
		"x-l2: &l2 {<<: " + list("l1", 100) + "}\n" +
		"data: {<<: " + list("l2", 100) + "}\n"
	start = time.Now()
	objs, ds = DecodeBytes("merge.yaml", []byte(src), Options{})
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Empty(t, objs)
	assert.Len(t, ds.Errors(), 1)
	assert.Contains(t, ds.Errors()[0].Message, "aliases expand")

	// Ordinary use of aliases is far from the budget.
	objs, ds = DecodePaths([]string{"testdata/anchors.yaml", onlineShop}, Options{})
	assert.False(t, ds.HasErrors())
	assert.NotEmpty(t, objs)
}

// go-yaml lets an alias refer to a node that contains it. Decoding such a
// cycle through a merge key or a map would recurse until the stack
// overflows; it is an error at the alias instead (kubectl rejects these
// documents too).
func TestRecursiveAliases(t *testing.T) {
	tests := []struct {
		name, src, needle, path string
	}{
		{"merge key into its own mapping",
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - &api\n    name: x\n    <<: *api\n",
			"*api", "spec.containers[0].<<"},
		{"merge key into its own map",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata: &d\n  a: b\n  <<: [*d]\n",
			"*d", "data.<<"},
		{"alias to an enclosing struct",
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: &s\n  containers: [{name: a, image: b}]\n  affinity: *s\n",
			"*s", "spec.affinity"},
		{"alias to the enclosing metadata",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: p, labels: *m}\n",
			"*m", "metadata.labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, ds := DecodeBytes("rec.yaml", []byte(tt.src), Options{})
			assert.Empty(t, objs)
			var errs []Diagnostic
			for _, d := range ds {
				if d.Severity == Error {
					errs = append(errs, d)
				}
			}
			require.Len(t, errs, 1, "%v", ds)
			d := errs[0]
			line, col := posOf(t, tt.src, tt.needle)
			assert.Equal(t, tt.path, d.Path)
			assert.Equal(t, line, d.Line)
			assert.Equal(t, col, d.Column)
			assert.Contains(t, d.Message, "is used inside its own value")
		})
	}

	// Using the same anchor twice side by side is no cycle.
	src := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: &l {app: x}, annotations: *l}\n" +
		"spec:\n  nodeSelector: *l\n  containers: [&c {name: a, image: b}]\n  initContainers: [{<<: *c, name: init}]\n"
	objs, ds := DecodeBytes("ok.yaml", []byte(src), Options{})
	require.Empty(t, ds)
	p := objs[0].Object.(*model.Pod)
	assert.Equal(t, map[string]string{"app": "x"}, p.Spec.NodeSelector)
	assert.Equal(t, "init", p.Spec.InitContainers[0].Name)
	assert.Equal(t, "b", p.Spec.InitContainers[0].Image)
}

// An anchored value decoded into a pointer field, then aliased.
func TestAnchorOnPointerFields(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: &n 2
  revisionHistoryLimit: *n
  selector: &sel
    matchLabels: {app: web}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {topologyKey: kubernetes.io/hostname, labelSelector: *sel}
`
	objs, ds := DecodeBytes("ptr.yaml", []byte(src), Options{Strict: true})
	require.Empty(t, ds)
	d := objs[0].Object.(*model.Deployment)
	assert.Equal(t, int32(2), *d.Spec.Replicas)
	assert.Equal(t, int32(2), *d.Spec.RevisionHistoryLimit)
	term := d.Spec.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0]
	assert.Equal(t, d.Spec.Selector, term.LabelSelector)
	assert.NotSame(t, d.Spec.Selector, term.LabelSelector)
}
