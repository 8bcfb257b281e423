package scenarios

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/scheduler"
)

func TestMeanCIAndPairedTTestByHand(t *testing.T) {
	// xs = 2,4,4,4,5,5,7,9: mean 5, sample sd = sqrt(32/7) = 2.13809,
	// t(0.975, 7) = 2.364624; half-width = 2.364624·2.13809/√8 = 1.787494.
	m, ci := meanCI([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	require.InDelta(t, 5, m, 1e-12)
	require.InDelta(t, 1.787494, ci, 1e-5)
	// Differences 1,2,3,4,5: mean 3, sd sqrt(2.5) = 1.581139, t = 3/(1.581139/√5) = 4.242641,
	// df 4: two-sided p = 0.013236.
	require.InDelta(t, 0.013236, pairedTTest([]float64{1, 2, 3, 4, 5}), 1e-5)
	require.Equal(t, 1.0, pairedTTest([]float64{0, 0, 0}))
	require.Equal(t, 0.0, pairedTTest([]float64{2, 2, 2}))
	require.True(t, math.IsNaN(pairedTTest([]float64{1})))
}

func TestStatisticsPairsSeeds(t *testing.T) {
	rows := []RunRow{
		{Policy: "a", Seed: 1, Metrics: map[string]float64{"preemptions": 1}},
		{Policy: "a", Seed: 2, Metrics: map[string]float64{"preemptions": 3}},
		{Policy: "b", Seed: 1, Metrics: map[string]float64{"preemptions": 2}},
		{Policy: "b", Seed: 2, Metrics: map[string]float64{"preemptions": 5}},
		{Policy: "b", Seed: 3, Err: "boom"},
	}
	st := Statistics(rows, []string{"a", "b"})
	var b MetricStats
	for _, s := range st {
		if s.Policy == "b" && s.Metric == "preemptions" {
			b = s
		}
	}
	require.Equal(t, 2, b.N, "the failed run is left out")
	require.InDelta(t, 3.5, b.Mean, 1e-12)
	require.InDelta(t, 1.5, b.Diff, 1e-12, "paired differences 1 and 2")
}

func TestCompareRunsPoliciesInParallelDeterministically(t *testing.T) {
	l := loadLibrary(t, "quickstart")
	binpack, diags := scheduler.ParseConfiguration("b.yaml", []byte(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
`), true)
	require.False(t, diags.HasErrors(), "%v", diags)
	opts := CompareOptions{Policies: []Policy{{Name: "default"}, {Name: "binpack", Config: binpack}}, Seeds: []uint64{1, 2, 3}, Workers: 2}
	a := Compare(l, opts)
	opts.Workers = 1
	b := Compare(l, opts)
	require.Equal(t, a, b, "results do not depend on the number of workers")
	require.Len(t, a, 6)
	for _, r := range a {
		require.Empty(t, r.Err)
	}
}
