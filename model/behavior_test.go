package model_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/sim"
)

func TestDistSpecForms(t *testing.T) {
	inf := math.Inf(1)
	for _, tt := range []struct {
		in   string
		want sim.Dist
	}{
		{"5", sim.Dist{Kind: sim.DistConstant, Value: 5}},
		{"30s", sim.Dist{Kind: sim.DistConstant, Value: 30}},
		{"250ms", sim.Dist{Kind: sim.DistConstant, Value: 0.25}},
		{"{constant: 2m}", sim.Dist{Kind: sim.DistConstant, Value: 120}},
		{"{uniform: {min: 1s, max: 3}}", sim.Dist{Kind: sim.DistUniform, Min: 1, Max: 3}},
		{"{exponential: {mean: 10}}", sim.Dist{Kind: sim.DistExponential, Mean: 10}},
		{"{normal: {mean: 1, stddev: 0.2}}", sim.Dist{Kind: sim.DistNormal, Mean: 1, StdDev: 0.2}},
		{"{normal: {mean: 1, stddev: 0.2, min: 0}}", sim.Dist{Kind: sim.DistNormal, Mean: 1, StdDev: 0.2, Clamp: true, Min: 0, Max: inf}},
		{"{lognormal: {mu: 0, sigma: 1}}", sim.Dist{Kind: sim.DistLogNormal, Mu: 0, Sigma: 1}},
		{"{empirical: {values: [1, 2s, 5], weights: [3, 2, 1]}}", sim.Dist{Kind: sim.DistEmpirical, Values: []float64{1, 2, 5}, Weights: []float64{3, 2, 1}}},
	} {
		var d model.DistSpec
		require.NoError(t, yaml.Unmarshal([]byte(tt.in), &d), tt.in)
		require.Equal(t, tt.want, d.Dist(), tt.in)
	}
	for _, bad := range []string{
		"soon", "{poisson: {rate: 2}}", "{uniform: {min: 3, max: 1}}", "{exponential: {mean: 0}}",
		"{normal: {mean: 1}}", "{uniform: {min: 1, max: 2, mean: 3}}", "{constant: 1, uniform: {}}", "[1, 2]",
		"{empirical: {values: [1], weights: [1, 2]}}",
	} {
		var d model.DistSpec
		require.Error(t, yaml.Unmarshal([]byte(bad), &d), bad)
	}
}

func TestDistSpecRoundTrip(t *testing.T) {
	for _, in := range []string{"{uniform: {min: 1, max: 3}}", "{normal: {mean: 1, stddev: 0.2, min: 0}}", "{empirical: {values: [1, 2]}}"} {
		var d model.DistSpec
		require.NoError(t, yaml.Unmarshal([]byte(in), &d))
		out, err := yaml.Marshal(d)
		require.NoError(t, err)
		var back model.DistSpec
		require.NoError(t, yaml.Unmarshal(out, &back))
		require.Equal(t, d, back, in)
	}
}

func TestRatio(t *testing.T) {
	r, err := model.ParseRatio("3/100")
	require.NoError(t, err)
	require.Equal(t, model.Ratio{Num: 3, Den: 100}, r)
	r, err = model.ParseRatio("1")
	require.NoError(t, err)
	require.Equal(t, model.Ratio{Num: 1, Den: 1}, r)
	for _, bad := range []string{"0.03", "3/0", "5/4", "-1/2", "a/b"} {
		_, err := model.ParseRatio(bad)
		require.Error(t, err, bad)
	}
	rnd := sim.NewRand(1, "test")
	n := 0
	for range 10000 {
		if (model.Ratio{Num: 1, Den: 4}).Chance(rnd) {
			n++
		}
	}
	require.InDelta(t, 2500, n, 150)
}

func TestCPUSpec(t *testing.T) {
	for _, tt := range []struct {
		in   string
		mode model.CPUMode
		val  float64
	}{
		{"request", model.CPURequest, 0},
		{"busy", model.CPUBusy, 0},
		{"250m", model.CPUDist, 250},
		{"2", model.CPUDist, 2000},
		{"{uniform: {min: 100, max: 300}}", model.CPUDist, 200},
	} {
		var c model.CPUSpec
		require.NoError(t, yaml.Unmarshal([]byte(tt.in), &c), tt.in)
		require.Equal(t, tt.mode, c.Mode, tt.in)
		if c.Dist != nil {
			require.Equal(t, tt.val, c.Dist.Dist().ExpectedValue(), tt.in)
		}
	}
	var c model.CPUSpec
	require.Error(t, yaml.Unmarshal([]byte("lots"), &c))
}

func TestParseBehaviorAnnotation(t *testing.T) {
	one, err := model.ParseBehaviorAnnotation(`{runFor: 30s, failureRatio: "1/10", exitCode: 3, memory: {start: 64Mi, rampPerSecond: 1Mi}}`)
	require.NoError(t, err)
	b := one.For("anything")
	require.Equal(t, 30.0, b.RunFor.Dist().Value)
	require.Equal(t, model.Ratio{Num: 1, Den: 10}, *b.FailureRatio)
	require.Equal(t, int32(3), b.FailureExitCode())
	require.Equal(t, int64(64<<20), b.Memory.Start.Value())
	require.Equal(t, model.DefaultImageSizeBytes, b.ImageSize())

	// JSON works too, per container.
	per, err := model.ParseBehaviorAnnotation(`{"containers": {"web": {"readyAfter": {"uniform": {"min": 1, "max": 2}}}, "side": {"cpu": "busy"}}}`)
	require.NoError(t, err)
	require.Equal(t, sim.DistUniform, per.For("web").ReadyAfter.Kind)
	require.Equal(t, model.CPUBusy, per.For("side").CPU.Mode)
	require.Nil(t, per.For("other"), "unnamed containers fall through to the scenario")

	for _, bad := range []string{`{runFr: 30s}`, `{containers: {web: {runFor: soon}}}`, `[1]`, `{failureRatio: "2/1"}`} {
		_, err := model.ParseBehaviorAnnotation(bad)
		require.Error(t, err, bad)
	}
	none, err := model.ParseBehaviorAnnotation("  ")
	require.NoError(t, err)
	require.Nil(t, none)
}

func TestResolveBehavior(t *testing.T) {
	scenario := model.ImageBehaviors{
		{Image: "nginx", Behavior: model.Behavior{ReadyAfter: model.Seconds(2 * time.Second)}},
		{Image: "registry.io/batch-*:*", Behavior: model.Behavior{RunFor: model.Seconds(time.Minute)}},
		{Image: "*", Behavior: model.Behavior{ImageSizeBytes: model.Ptr(model.MustParseQuantity("1Gi"))}},
	}
	ann, err := model.ParseBehaviorAnnotation(`{containers: {special: {runFor: 5}}}`)
	require.NoError(t, err)
	for _, tt := range []struct {
		name, image string
		src         model.BehaviorSource
		check       func(b model.Behavior) bool
	}{
		{"special", "nginx:1.25", model.BehaviorFromAnnotation, func(b model.Behavior) bool { return b.RunFor.Value == 5 }},
		{"web", "nginx:1.25", model.BehaviorFromScenario, func(b model.Behavior) bool { return b.ReadyAfter.Value == 2 }},
		{"web", "nginx@sha256:abc", model.BehaviorFromScenario, func(b model.Behavior) bool { return b.ReadyAfter != nil }},
		{"job", "registry.io/batch-etl:7", model.BehaviorFromScenario, func(b model.Behavior) bool { return b.RunFor.Value == 60 }},
		{"other", "busybox", model.BehaviorFromScenario, func(b model.Behavior) bool { return b.ImageSize() == 1<<30 }},
	} {
		b, src := model.ResolveBehavior(ann, scenario, &model.Container{Name: tt.name, Image: tt.image})
		require.Equal(t, tt.src, src, tt.name+" "+tt.image)
		require.True(t, tt.check(b), tt.name+" "+tt.image)
	}
	b, src := model.ResolveBehavior(nil, nil, &model.Container{Name: "c", Image: "x"})
	require.Equal(t, model.BehaviorFromDefault, src)
	require.Equal(t, model.Behavior{}, b)
}

// The scenario loader decodes behaviours with the manifest decoder, which
// walks yaml tags and defers to the custom unmarshalers.
func TestBehaviorThroughManifestDecoder(t *testing.T) {
	src := `
- image: "web:*"
  runFor: {exponential: {mean: 1h}}
  cpu: 500m
  memory: {start: 100Mi, rampPerSecond: 1Ki, max: 1Gi}
  failureRatio: 3/100
  livenessFailsAfter: 10m
  imageSizeBytes: 250Mi
- image: "*"
  cpuWork: {uniform: {min: 10, max: 20}}
  runFr: 5
`
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &root))
	d := manifest.NewDecoder("scenario.yaml", false)
	var out model.ImageBehaviors
	d.Decode(&root, &out, "spec.behaviors")
	require.Len(t, out, 2)
	require.Equal(t, 3600.0, out[0].RunFor.Mean)
	require.Equal(t, model.CPUDist, out[0].CPU.Mode)
	require.Equal(t, 500.0, out[0].CPU.Dist.Value)
	require.Equal(t, int64(1024), out[0].Memory.RampPerSecond.Value())
	require.Equal(t, model.Ratio{Num: 3, Den: 100}, *out[0].FailureRatio)
	require.Equal(t, 600.0, out[0].LivenessFailsAfter.Value)
	require.Equal(t, int64(250<<20), out[0].ImageSize())
	require.Equal(t, sim.DistUniform, out[1].CPUWork.Kind)
	require.Len(t, d.Diags, 1, "the typo is reported")
	require.Contains(t, d.Diags[0].Path, "runFr")
	for i := range out {
		require.Empty(t, out[i].Validate())
	}
}
