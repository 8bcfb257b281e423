package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/library"
)

func loadLibrary(t *testing.T, name string) *Loaded {
	t.Helper()
	p, ok := library.Path(name)
	require.True(t, ok, name)
	l, diags := LoadFS(library.FS(), p, nil, LoadOptions{})
	require.False(t, diags.HasErrors(), "%v", diags)
	require.NotNil(t, l)
	return l
}

func runTo(t *testing.T, l *Loaded, dir string, seed *uint64) *Run {
	t.Helper()
	r, err := Start(l, RunOptions{OutputDir: dir, Seed: seed})
	require.NoError(t, err)
	r.Execute()
	require.NoError(t, r.Finish(0))
	return r
}

func TestSameSeedSameBytes(t *testing.T) {
	// quickstart, and the scenarios with storage, traffic and kube-proxy.
	for _, name := range []string{"quickstart", "statefulset-zone-outage", "zone-outage"} {
		t.Run(name, func(t *testing.T) {
			dirA, dirB := t.TempDir(), t.TempDir()
			runTo(t, loadLibrary(t, name), dirA, nil)
			runTo(t, loadLibrary(t, name), dirB, nil)
			for _, f := range []string{"events.jsonl", "state.yaml", "metrics.csv", "summary.json"} {
				a, err := os.ReadFile(filepath.Join(dirA, f))
				require.NoError(t, err)
				b, err := os.ReadFile(filepath.Join(dirB, f))
				require.NoError(t, err)
				require.NotEmpty(t, a)
				if f == "summary.json" {
					a, b = dropWall(a), dropWall(b)
				}
				require.Equal(t, string(a), string(b), f)
			}
		})
	}
}

// dropWall removes the wall-clock line of a summary.json.
func dropWall(b []byte) []byte {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, `"wallSeconds"`) {
			out = append(out, line)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

func TestEveryLibraryScenarioLoads(t *testing.T) {
	require.NotEmpty(t, library.Names())
	for _, n := range library.Names() {
		t.Run(n, func(t *testing.T) {
			l := loadLibrary(t, n)
			require.NotEmpty(t, library.Summary(n), "every built-in scenario documents itself in its header")
			require.NotEmpty(t, l.Nodes)
		})
	}
}

func TestQuickstartRun(t *testing.T) {
	dir := t.TempDir()
	r := runTo(t, loadLibrary(t, "quickstart"), dir, nil)
	s := r.Summary
	require.Equal(t, uint64(42), s.Seed)
	require.Equal(t, 8, s.Nodes)
	require.Equal(t, 1800.0, s.SimulatedSeconds, "the run lasts spec.duration even when the queue drains earlier")
	require.Equal(t, 0, s.ApplyErrors)
	// 6 frontend replicas, canary and debug-shell run; the Job's two pods
	// went with the Job at 20m (garbage collection).
	require.Equal(t, 8, s.PodsByPhase["Running"])
	require.Equal(t, 10, s.Pods.StartupLatency.Count)
	require.Equal(t, 1, s.Objects["ReplicaSet"])
	require.Equal(t, 0, s.Objects["Job"], "the Job was deleted at 20m")
	require.Len(t, s.ScenarioHash, 64)

	// allocatable = m5.xlarge capacity minus the pool's reservation.
	n, err := r.API.Get("Node", "", "web-0")
	require.NoError(t, err)
	node := n.(*model.Node)
	require.Equal(t, int64(4000-100), node.Status.Allocatable.Cpu())
	require.Equal(t, int64(16<<30-512<<20), node.Status.Allocatable.Memory())
	require.Equal(t, "us-east-1a", node.Labels[model.LabelTopologyZone])
	require.Equal(t, "m5.xlarge", node.Labels[model.LabelInstanceType])
	w1, _ := r.API.Get("Node", "", "web-1")
	require.Equal(t, "us-east-1b", w1.GetObjectMeta().Labels[model.LabelTopologyZone], "zones round-robin")

	// Priority admission resolved the class of the canary pod.
	p, err := r.API.Get("Pod", "shop", "canary")
	require.NoError(t, err)
	require.Equal(t, int32(100000), p.(*model.Pod).PriorityValue())

	events, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(events)), "\n")
	require.Equal(t, int(s.Events), len(lines))
	require.Contains(t, lines[0], `"kind":"RunStarted"`)
	require.Contains(t, lines[len(lines)-1], `"kind":"RunFinished"`)
	state, err := os.ReadFile(filepath.Join(dir, "state.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(state), "kind: Deployment")
	csv, err := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	require.NoError(t, err)
	rows := strings.Split(strings.TrimSpace(string(csv)), "\n")
	require.Len(t, rows, 1+180, "a header and one row every 10 s over 30 min")
	require.True(t, strings.HasPrefix(rows[0], "t_seconds,nodes,ready_nodes"))
	// 8 nodes: 6 × (4000-100) m + 2 × 8000 m allocatable.
	require.Contains(t, rows[1], ",8,8,")
	require.Contains(t, rows[1], ",39400,")
	require.NotContains(t, string(state), "nightly-report")
}

func TestSeedOverride(t *testing.T) {
	seed := uint64(7)
	r := runTo(t, loadLibrary(t, "quickstart"), "", &seed)
	require.Equal(t, uint64(7), r.Summary.Seed)
}

func TestLoadErrorsNameFileLineAndField(t *testing.T) {
	fsys := fstest.MapFS{
		"m/app.yaml": {Data: []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    resources: {requests: {cpu: lots}}\n")},
	}
	cases := []struct {
		name, scenario, want string
	}{
		{"missing duration", "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  cluster: {nodePools: [{name: a, count: 1, machine: m5.large}]}\n",
			"s.yaml:5:3: error: spec.duration: required"},
		{"unknown machine", "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  duration: 1h\n  cluster:\n    nodePools:\n    - {name: a, count: 1, machine: m9.huge}\n",
			`s.yaml:8:36: error: spec.cluster.nodePools[0].machine: unknown machine "m9.huge"`},
		{"bad duration", "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  duration: 90\n  cluster: {nodePools: [{name: a, count: 1, machine: m5.large}]}\n",
			"s.yaml:5:13: error: spec.duration: expected a duration with a unit"},
		{"typo", "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  duration: 1h\n  clustr: {}\n",
			`s.yaml:6:3: warning: spec.clustr: unknown field "clustr" (did you mean "cluster"?)`},
		{"manifest error", "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  duration: 1h\n  cluster: {nodePools: [{name: a, count: 1, machine: m5.large}]}\n  workloads: [{manifests: [m/app.yaml]}]\n",
			"m/app.yaml:8:33: error: spec.containers[0].resources.requests.cpu: invalid quantity \"lots\""},
		{"missing manifest", "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  duration: 1h\n  cluster: {nodePools: [{name: a, count: 1, machine: m5.large}]}\n  workloads: [{manifests: [m/none-*.yaml]}]\n",
			"no file matches the pattern"},
		{"empty action", "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  duration: 1h\n  cluster: {nodePools: [{name: a, count: 1, machine: m5.large}]}\n  timeline:\n  - at: 5m\n",
			"s.yaml:8:5: error: spec.timeline[0]: an action needs one of: apply, delete"},
		{"duplicate node names", "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  duration: 1h\n  cluster: {nodePools: [{name: a, count: 2, machine: m5.large}, {name: b, namePrefix: a, count: 1, machine: m5.large}]}\n",
			"node a-0 is also produced by pool"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, diags := LoadBytes(fsys, ".", "s.yaml", []byte(c.scenario), LoadOptions{})
			var all []string
			for _, d := range diags {
				all = append(all, d.String())
			}
			require.Contains(t, strings.Join(all, "\n"), c.want)
		})
	}
}

func TestFailedRunLeavesNoFiles(t *testing.T) {
	dir := t.TempDir()
	r, err := Start(loadLibrary(t, "quickstart"), RunOptions{OutputDir: dir})
	require.NoError(t, err)
	r.Execute()
	r.Abort()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}
