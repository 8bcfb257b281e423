package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/manifest"
)

// run executes the CLI with args and returns stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return out.String(), errOut.String(), code
}

func TestLintReportsEveryProblemWithLines(t *testing.T) {
	out, errOut, code := run(t, "lint", "testdata/bad.yaml")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "testdata/bad.yaml:5:13: error: spec.replicas: expected an integer, got the string \"three\"")
	require.Contains(t, errOut, `testdata/bad.yaml:13:9: warning: spec.template.spec.containers[0].resoures: unknown field "resoures" (did you mean "resources"?)`)
	require.Contains(t, out, "1 errors, 1 warnings")

	_, _, code = run(t, "lint", "testdata/cluster.yaml", "quickstart")
	require.Equal(t, 0, code)
	_, errOut, code = run(t, "lint", "--strict", "../../scenarios/library/manifests/online-shop.yaml")
	require.Equal(t, 1, code, "strict mode turns the unmodeled kinds into errors")
	require.Contains(t, errOut, "is not modeled by kubesim")
}

func TestRunWritesOutputs(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := run(t, "run", "quickstart", "--output-dir", dir, "-o", "json", "--seed", "9")
	require.Equal(t, 0, code, errOut)
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	require.Equal(t, float64(9), s["seed"])
	require.Contains(t, errOut, "kubesim run quickstart --seed 9")
	for _, f := range []string{"events.jsonl", "state.yaml", "summary.json"} {
		_, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
	}
	// Profiles are pprof files (gzip-compressed protocol buffers).
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	_, errOut, code = run(t, "run", "quickstart", "--cpuprofile", cpu, "--memprofile", mem)
	require.Equal(t, 0, code, errOut)
	for _, f := range []string{cpu, mem} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.True(t, len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b, "%s is not a gzip pprof file", f)
	}
	_, errOut, code = run(t, "run", "quickstart", "--cpuprofile", filepath.Join(dir, "missing", "cpu.pprof"))
	require.Equal(t, 1, code, "an unwritable profile path is an error")

	_, _, code = run(t, "run", "no-such-scenario")
	require.Equal(t, 2, code)
	_, _, code = run(t, "run", "quickstart", "--seed", "-1")
	require.Equal(t, 2, code)
}

func TestExplainJSON(t *testing.T) {
	out, errOut, code := run(t, "explain", "--manifests", "testdata/cluster.yaml", "--pod", "default/api", "-o", "json")
	require.Equal(t, 0, code, errOut)
	var ex struct {
		Pod          string `json:"pod"`
		Result       string `json:"result"`
		SelectedNode string `json:"selectedNode"`
		Nodes        []struct {
			Name   string `json:"name"`
			Filter struct {
				Status  string   `json:"status"`
				Plugin  string   `json:"plugin"`
				Reasons []string `json:"reasons"`
			} `json:"filter"`
		} `json:"nodes"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &ex))
	require.Equal(t, "default/api", ex.Pod)
	require.Equal(t, "Scheduled", ex.Result)
	require.Equal(t, "big", ex.SelectedNode)
	require.Len(t, ex.Nodes, 2)
	for _, n := range ex.Nodes {
		if n.Name == "small" {
			// 4 cpu exceeds the node's 2 allocatable: unresolvable.
			require.Equal(t, "UnschedulableAndUnresolvable", n.Filter.Status)
			require.Equal(t, "NodeResourcesFit", n.Filter.Plugin)
			require.Equal(t, []string{"Insufficient cpu"}, n.Filter.Reasons)
		}
	}
	table, _, code := run(t, "explain", "--manifests", "testdata/cluster.yaml", "--pod", "default/api", "--scheduler-config", "binpack")
	require.Equal(t, 0, code)
	require.Contains(t, table, "pod default/api (profile default-scheduler): Scheduled on big")
	require.Contains(t, table, "only one node is feasible")
}

func TestScenariosListAndShow(t *testing.T) {
	out, _, code := run(t, "scenarios", "list")
	require.Equal(t, 0, code)
	require.Contains(t, out, "quickstart")
	out, _, code = run(t, "scenarios", "show", "quickstart")
	require.Equal(t, 0, code)
	require.Contains(t, out, "kind: Scenario")
	out, _, code = run(t, "version")
	require.Equal(t, 0, code)
	require.Contains(t, out, "kubesim ")
}

func TestCompareCommand(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "runs.csv")
	out, errOut, code := run(t, "compare", "quickstart", "--scheduler-config", "binpack", "--scheduler-config", "tetris",
		"--seeds", "3", "--workers", "2", "--output", csvPath)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "3 seeds per policy")
	require.Contains(t, out, "Δ tetris")
	data, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	require.Equal(t, 1+6, len(bytes.Split(bytes.TrimSpace(data), []byte("\n"))))
	_, _, code = run(t, "compare", "quickstart", "--scheduler-config", "binpack")
	require.Equal(t, 2, code, "one policy is not a comparison")
}

func TestSweepCommandAndIndexedJob(t *testing.T) {
	dir := t.TempDir()
	sweep := "../../scenarios/library/sweeps/capacity.yaml"
	out, errOut, code := run(t, "sweep", sweep, "--output-dir", dir, "--workers", "2")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "web machine")
	require.Contains(t, errOut, "[12/12]", "plain progress lines when not on a terminal")
	_, err := os.Stat(filepath.Join(dir, "results.csv"))
	require.NoError(t, err)

	t.Setenv("JOB_COMPLETION_INDEX", "1")
	shardDir := t.TempDir()
	_, errOut, code = run(t, "sweep", sweep, "--output-dir", shardDir, "--shard", "/4")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "shard 1/4: 3 of 12 runs")
	_, _, code = run(t, "sweep", sweep, "--shard", "5/4")
	require.Equal(t, 2, code)

	manifestOut, _, code := run(t, "sweep", "k8s-job", sweep, "--shards", "4", "--parallelism", "2", "--image", "kubesim:v1")
	require.Equal(t, 0, code)
	objs, diags := manifest.DecodeBytes("job.yaml", []byte(manifestOut), manifest.Options{Strict: true})
	require.False(t, diags.HasErrors(), "%v", diags)
	require.Len(t, objs, 1)
	job := objs[0].Object.(*model.Job)
	require.Equal(t, model.IndexedCompletion, *job.Spec.CompletionMode)
	require.Equal(t, int32(4), *job.Spec.Completions)
	require.Equal(t, int32(2), *job.Spec.Parallelism)
	require.Equal(t, int32(2), *job.Spec.BackoffLimitPerIndex)
	require.Equal(t, model.RestartPolicyNever, job.Spec.Template.Spec.RestartPolicy)
	require.Equal(t, "kubesim-results", job.Spec.Template.Spec.Volumes[1].PersistentVolumeClaim.ClaimName)
	require.Contains(t, manifestOut, "/results/shard-$(JOB_COMPLETION_INDEX)")
}
