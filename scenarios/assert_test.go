package scenarios

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testScenario is a small ideal-store cluster with extra spec lines.
func testScenario(extra string) string {
	return `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  duration: 10m
  controlPlane: {store: ideal}
  cluster:
    nodePools:
    - {name: p, count: 2, capacity: {cpu: "4", memory: 8Gi}}
` + extra
}

func loadString(t *testing.T, src string) *Loaded {
	t.Helper()
	l, diags := LoadBytes(nil, ".", "s.yaml", []byte(src), LoadOptions{})
	require.False(t, diags.HasErrors(), "%v", diags)
	return l
}

func TestParseAssertion(t *testing.T) {
	for _, c := range []struct {
		expr string
		path string
		op   string
		want float64
	}{
		{"podStartupLatency.p99 < 5s", "pods.startupLatency.p99", "<", 5},
		{"pendingPods.count == 0", "pods.unscheduledAtEnd.count", "==", 0},
		{"pods.unscheduledAtEnd.count==0", "pods.unscheduledAtEnd.count", "==", 0},
		{"controlPlane.failedWrites <= 10", "controlPlane.failedWrites", "<=", 10},
		{"utilization.cpuMean >= 0.2", "utilization.cpuMean", ">=", 0.2},
		{"scheduler.preemptions == 0", "scheduler.preemptions", "==", 0},
		{"schedulingLatency.max != 1m30s", "pods.schedulingLatency.max", "!=", 90},
		{"podsByPhase.Running > 3", "podsByPhase.Running", ">", 3},
		{"makespanSeconds < 1h", "makespanSeconds", "<", 3600},
	} {
		a, err := ParseAssertion(c.expr)
		require.NoError(t, err, c.expr)
		require.Equal(t, c.path, strings.Join(a.Path, "."), c.expr)
		require.Equal(t, c.op, a.Op, c.expr)
		require.InDelta(t, c.want, a.Want, 1e-9, c.expr)
	}
	for expr, msg := range map[string]string{
		"pods.startupLatncy.p99 < 5s": `unknown field "startupLatncy"`,
		"podStartupLatency < 5s":      "is an object: name one of its fields",
		"podStartupLatency.p99 < 5x":  "neither a number nor a duration",
		"podStartupLatency.p99 = 5s":  `unknown operator "="`,
		"podStartupLatency.p99 5s":    "missing operator",
		"podStartupLatency.p99 <":     "missing value",
		"scenario == 1":               `unknown field "scenario"`,
		"seed.x == 1":                 "is a number and has no field",
		"podsByPhase == 1":            "is a map",
	} {
		_, err := ParseAssertion(expr)
		require.ErrorContains(t, err, msg, expr)
	}
}

func TestAssertLoadErrorsHaveLines(t *testing.T) {
	src := testScenario("  assert:\n  - podStartupLatency.p99 < 5s\n  - pods.nope.p99 < 5s\n")
	_, diags := LoadBytes(nil, ".", "s.yaml", []byte(src), LoadOptions{})
	require.True(t, diags.HasErrors())
	require.Len(t, diags, 1)
	require.Equal(t, 12, diags[0].Line)
	require.Equal(t, "spec.assert[1]", diags[0].Path)
	require.Contains(t, diags[0].Message, `unknown field "nope"`)
}

func TestAssertionsInSummaryAndJournal(t *testing.T) {
	src := testScenario(`  workloads:
  - generate: {kind: Pod, count: 3, cpu: 100, memory: 64}
  assert:
  - pendingPods.count == 0
  - podsByPhase.Running == 3
  - scheduler.scheduled > 100
  - utilization.cpuMean >= 0
`)
	dir := t.TempDir()
	r := runTo(t, loadString(t, src), dir, nil)
	s := r.Summary
	require.Len(t, s.Assertions, 4)
	oks := []bool{s.Assertions[0].OK, s.Assertions[1].OK, s.Assertions[2].OK, s.Assertions[3].OK}
	require.Equal(t, []bool{true, true, false, true}, oks, "%+v", s.Assertions)
	require.Equal(t, 3.0, *s.Assertions[2].Value)
	require.Equal(t, 1, s.FailedAssertions())

	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	var js struct {
		Assertions []AssertionResult `json:"assertions"`
	}
	require.NoError(t, json.Unmarshal(data, &js))
	require.Equal(t, s.Assertions, js.Assertions)
	events, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(events), `"AssertionFailed"`))
	require.Contains(t, string(events), `"expr":"scheduler.scheduled > 100","value":"3"`)
}

func TestAssertionUnavailableFails(t *testing.T) {
	src := testScenario("  scheduler: {disabled: true}\n  assert: [scheduler.preemptions == 0]\n")
	r := runTo(t, loadString(t, src), "", nil)
	require.Len(t, r.Summary.Assertions, 1)
	require.False(t, r.Summary.Assertions[0].OK)
	require.Nil(t, r.Summary.Assertions[0].Value)
}
