package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStopWhenAllJobsComplete(t *testing.T) {
	src := testScenario(`  workloads:
  - generate: {kind: Job, count: 4, cpu: 100, memory: 64, runFor: 20, completions: 2, arrival: {constant: {interval: 30s}}}
  stopWhen: {allJobsComplete: true}
`)
	r := runTo(t, loadString(t, src), "", nil)
	s := r.Summary
	require.Equal(t, StopAllJobsComplete, s.StopReason)
	require.Less(t, s.SimulatedSeconds, 200.0)
	require.Greater(t, s.SimulatedSeconds, 90.0, "the last Job arrives at 90s; the run waits for it")
	require.Equal(t, 8, s.PodsByPhase["Succeeded"])
	require.Equal(t, s.SimulatedSeconds, float64(int(s.SimulatedSeconds)), "checked on whole seconds")
}

func TestStopWhenAllPodsRunning(t *testing.T) {
	src := testScenario(`  workloads:
  - generate: {kind: Deployment, count: 2, replicas: 3, cpu: 100, memory: 64}
  stopWhen: {allPodsRunning: true}
`)
	r := runTo(t, loadString(t, src), "", nil)
	require.Equal(t, StopAllPodsRunning, r.Summary.StopReason)
	require.Equal(t, 6, r.Summary.PodsByPhase["Running"])
	require.Less(t, r.Summary.SimulatedSeconds, 60.0)
}

func TestStopWhenSteadyState(t *testing.T) {
	src := testScenario(`  workloads:
  - generate: {kind: Pod, count: 3, cpu: 100, memory: 64}
  stopWhen: {steadyState: {for: 2m}}
`)
	r := runTo(t, loadString(t, src), "", nil)
	require.Equal(t, StopSteadyState, r.Summary.StopReason)
	require.GreaterOrEqual(t, r.Summary.SimulatedSeconds, 120.0)
	require.Less(t, r.Summary.SimulatedSeconds, 130.0)
}

func TestStopWhenDurationStaysTheBound(t *testing.T) {
	src := testScenario(`  workloads:
  - generate: {kind: Pod, count: 2, cpu: 100, memory: 64, runFor: 5}
  stopWhen: {allJobsComplete: true}
`)
	r := runTo(t, loadString(t, src), "", nil)
	require.Equal(t, "duration", r.Summary.StopReason)
	require.Equal(t, 600.0, r.Summary.SimulatedSeconds)
}

func TestStopWhenValidation(t *testing.T) {
	for src, path := range map[string]string{
		"  stopWhen: {}\n":                       "spec.stopWhen",
		"  stopWhen: {steadyState: {for: 0s}}\n": "spec.stopWhen.steadyState.for",
	} {
		_, diags := LoadBytes(nil, ".", "s.yaml", []byte(testScenario(src)), LoadOptions{})
		require.True(t, diags.HasErrors(), src)
		require.Equal(t, path, diags[0].Path, src)
		require.Equal(t, 10, diags[0].Line, src)
	}
}
