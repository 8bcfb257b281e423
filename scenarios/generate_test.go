package scenarios

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"

	"github.com/kubesim/kubesim/sim"
)

func TestGenerateCountsAndDeterminism(t *testing.T) {
	src := testScenario(`  workloads:
  - generate:
      kind: Job
      count: 50
      namePrefix: batch
      namespace: default
      arrival: {poisson: {ratePerMinute: 2}}
      cpu: {uniform: {min: 100, max: 900}}
      memory: {lognormal: {mu: 6, sigma: 0.5}}
      runFor: {exponential: {mean: 60}}
      completions: 3
      parallelism: 2
      priorityClassName: high
      labels: {team: a}
  - generate: {kind: Deployment, count: 3, replicas: 2, arrival: {constant: {interval: 30s}}}
  - generate: {kind: Pod, count: 7, arrival: {atOnce: true}, cpu: 250}
`)
	l := loadString(t, src)
	gen := func(seed uint64, i int) []Generated {
		return l.Scenario.Spec.Workloads[i].Generate.Generate(i, sim.NewRand(seed, "workloads/0"))
	}
	jobs := gen(1, 0)
	require.Len(t, jobs, 50)
	require.Equal(t, jobs, gen(1, 0), "same seed, same objects")
	require.NotEqual(t, jobs, gen(2, 0), "another seed, other objects")
	var last time.Duration
	for i, g := range jobs {
		require.Greater(t, g.At, last, "poisson arrivals strictly increase")
		last = g.At
		j := g.Object.(*model.Job)
		require.Equal(t, "batch-"+itoa(i), j.Name)
		require.Equal(t, int32(3), *j.Spec.Completions)
		require.Equal(t, "high", j.Spec.Template.Spec.PriorityClassName)
		require.Equal(t, "a", j.Spec.Template.Labels["team"])
		req := j.Spec.Template.Spec.Containers[0].Resources.Requests
		require.GreaterOrEqual(t, req.Cpu(), int64(100))
		require.LessOrEqual(t, req.Cpu(), int64(900))
		_, err := model.ParseBehaviorAnnotation(j.Spec.Template.Annotations[model.BehaviorAnnotation])
		require.NoError(t, err)
		o := model.DeepCopyObject(j)
		model.SetDefaults(o)
		require.Empty(t, model.Validate(o))
	}
	// 50 arrivals at 2/min take about 25 minutes.
	require.InDelta(t, 25*time.Minute, last, float64(12*time.Minute))

	deps := gen(1, 1)
	require.Len(t, deps, 3)
	for i, g := range deps {
		require.Equal(t, time.Duration(i)*30*time.Second, g.At)
		o := model.DeepCopyObject(g.Object)
		model.SetDefaults(o)
		require.Empty(t, model.Validate(o))
		require.Equal(t, "deployment-gen1-"+itoa(i), o.GetObjectMeta().Name)
	}
	pods := gen(1, 2)
	require.Len(t, pods, 7)
	for _, g := range pods {
		require.Zero(t, g.At)
		require.Equal(t, int64(250), g.Object.(*model.Pod).Spec.Containers[0].Resources.Requests.Cpu())
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestGenerateRunIsDeterministic(t *testing.T) {
	src := testScenario(`  workloads:
  - generate: {kind: Pod, count: 20, arrival: {poisson: {ratePerMinute: 10}}, cpu: {uniform: {min: 100, max: 500}}, memory: 128, runFor: {exponential: {mean: 30}}}
`)
	a := runTo(t, loadString(t, src), "", nil)
	b := runTo(t, loadString(t, src), "", nil)
	require.Equal(t, a.Summary.Events, b.Summary.Events)
	require.Equal(t, a.Summary.PodsByPhase, b.Summary.PodsByPhase)
	require.Equal(t, 20, a.Summary.Objects["Pod"])
	require.Equal(t, 0, a.Summary.ApplyErrors)
	require.Equal(t, 20, a.Summary.PodsByPhase["Succeeded"])
	seed := uint64(9)
	c := runTo(t, loadString(t, src), "", &seed)
	require.NotEqual(t, a.Summary.Pods.StartupLatency, c.Summary.Pods.StartupLatency)
}

func TestGenerateValidation(t *testing.T) {
	cases := map[string]string{
		"  workloads:\n  - generate: {kind: StatefulSet, count: 1}\n":                                            "spec.workloads[0].generate.kind",
		"  workloads:\n  - generate: {kind: Pod, count: 0}\n":                                                    "spec.workloads[0].generate.count",
		"  workloads:\n  - generate: {kind: Pod, count: 1, replicas: 2}\n":                                       "spec.workloads[0].generate.replicas",
		"  workloads:\n  - generate: {kind: Pod, count: 1, arrival: {poisson: {ratePerMinute: 0}}}\n":            "spec.workloads[0].generate.arrival.poisson.ratePerMinute",
		"  workloads:\n  - generate: {kind: Pod, count: 1, arrival: {atOnce: true, constant: {interval: 1s}}}\n": "spec.workloads[0].generate.arrival",
		"  timeline:\n  - at: 1m\n    apply: {generate: {kind: Pod, count: 1}}\n":                                "spec.timeline[0].apply.generate",
	}
	for src, path := range cases {
		_, diags := LoadBytes(nil, ".", "s.yaml", []byte(testScenario(src)), LoadOptions{})
		require.True(t, diags.HasErrors(), src)
		require.Equal(t, path, diags[0].Path, src)
		require.NotZero(t, diags[0].Line, src)
	}

}
