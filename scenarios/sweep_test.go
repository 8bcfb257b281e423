package scenarios

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/scenarios/library"
)

func libScenario(name string) (fs.FS, string, bool) {
	p, ok := library.Path(name)
	return library.FS(), p, ok
}

func writeSweep(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "sweep.yaml")
	require.NoError(t, os.WriteFile(f, []byte(body), 0o644))
	return f
}

const gridSweep = `apiVersion: kubesim.io/v1alpha1
kind: Sweep
metadata: {name: t}
spec:
  scenario: quickstart
  seeds: 2
  vary:
  - {path: "spec.cluster.nodePools[0].count", values: [2, 4]}
  - {name: machine, path: "spec.cluster.nodePools[0].machine", values: [m5.large, m5.xlarge, c5.xlarge]}
`

func TestSweepGridEnumeratesAndCosts(t *testing.T) {
	ls, diags := LoadSweepFile(writeSweep(t, gridSweep), false, libScenario)
	require.False(t, diags.HasErrors(), "%v", diags)
	require.Len(t, ls.Runs, 2*3*2)
	require.Equal(t, "run-0000-seed-1", ls.Runs[0].ID)
	require.Equal(t, map[string]string{"spec.cluster.nodePools[0].count": "2", "machine": "m5.large"}, ls.Runs[0].Settings)
	require.Equal(t, "c5.xlarge", ls.Runs[len(ls.Runs)-1].Settings["machine"])
	l, d := ls.scenario(5) // count 4, c5.xlarge
	require.False(t, d.HasErrors())
	// 4 × c5.xlarge (0.17) + 2 × c5.2xlarge batch (0.34).
	require.InDelta(t, 4*0.17+2*0.34, l.CostPerHour(), 1e-9)
}

func TestShardedThenMergedEqualsUnsharded(t *testing.T) {
	ls, diags := LoadSweepFile(writeSweep(t, gridSweep), false, libScenario)
	require.False(t, diags.HasErrors(), "%v", diags)
	whole := t.TempDir()
	_, err := ls.RunSweep(whole, ls.Runs, 2, false, nil)
	require.NoError(t, err)
	var shardDirs []string
	for i := 0; i < 3; i++ {
		d := t.TempDir()
		shardDirs = append(shardDirs, d)
		_, err := ls.RunSweep(d, Shard(ls.Runs, i, 3), 1, false, nil)
		require.NoError(t, err)
	}
	a, err := ReadSweepResults([]string{whole})
	require.NoError(t, err)
	b, err := ReadSweepResults(shardDirs)
	require.NoError(t, err)
	fa, fb := filepath.Join(t.TempDir(), "a.csv"), filepath.Join(t.TempDir(), "b.csv")
	require.NoError(t, WriteResultsCSV(fa, ls.Names(), a))
	require.NoError(t, WriteResultsCSV(fb, ls.Names(), b))
	da, _ := os.ReadFile(fa)
	db, _ := os.ReadFile(fb)
	require.Equal(t, string(da), string(db))
	require.Len(t, strings.Split(strings.TrimSpace(string(da)), "\n"), 1+12)
	// Every run file is byte-identical too.
	for _, r := range ls.Runs {
		x, err := os.ReadFile(filepath.Join(whole, "runs", r.ID+".json"))
		require.NoError(t, err)
		var y []byte
		for _, d := range shardDirs {
			if data, err := os.ReadFile(filepath.Join(d, "runs", r.ID+".json")); err == nil {
				y = data
			}
		}
		require.Equal(t, string(x), string(y), r.ID)
	}
}

func TestSweepResumeRunsOnlyWhatIsMissing(t *testing.T) {
	ls, diags := LoadSweepFile(writeSweep(t, gridSweep), false, libScenario)
	require.False(t, diags.HasErrors())
	dir := t.TempDir()
	_, err := ls.RunSweep(dir, ls.Runs[:5], 2, false, nil)
	require.NoError(t, err)
	ran := 0
	res, err := ls.RunSweep(dir, ls.Runs, 2, true, func(int, *SweepResult) { ran++ })
	require.NoError(t, err)
	require.Equal(t, 7, ran)
	require.Len(t, res, 7)
	all, _ := ReadSweepResults([]string{dir})
	require.Len(t, all, 12)
}

func TestSweepRecordsAFailingRunAndGoesOn(t *testing.T) {
	// The second scheduler profile names a plugin that does not exist:
	// the file loads, but that variation's runs fail when they start.
	body := `apiVersion: kubesim.io/v1alpha1
kind: Sweep
metadata: {name: t}
spec:
  scenario: quickstart
  vary:
  - path: spec.scheduler
    values:
    - {config: binpack}
    - inline:
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration
        profiles:
        - plugins: {score: {enabled: [{name: NoSuchPlugin}]}}
`
	ls, diags := LoadSweepFile(writeSweep(t, body), false, libScenario)
	require.False(t, diags.HasErrors(), "%v", diags)
	dir := t.TempDir()
	res, err := ls.RunSweep(dir, ls.Runs, 2, false, nil)
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.Empty(t, res[0].Error)
	require.NotNil(t, res[0].Summary)
	require.Contains(t, res[1].Error, `plugin "NoSuchPlugin" is not registered`)
	all, _ := ReadSweepResults([]string{dir})
	require.Len(t, all, 2, "the failure has its result file too")
}

func TestSweepValidationErrors(t *testing.T) {
	cases := map[string]string{
		"bad path":   "  - {path: \"spec.cluster.nodePools[7].count\", values: [1]}\n",
		"bad value":  "  - {path: \"spec.cluster.nodePools[0].count\", values: [lots]}\n",
		"empty vary": "  - {path: spec.duration, values: []}\n",
	}
	for name, vary := range cases {
		t.Run(name, func(t *testing.T) {
			body := "apiVersion: kubesim.io/v1alpha1\nkind: Sweep\nmetadata: {name: t}\nspec:\n  scenario: quickstart\n  vary:\n" + vary
			_, diags := LoadSweepFile(writeSweep(t, body), false, libScenario)
			require.True(t, diags.HasErrors(), name)
		})
	}
}

// replicas-for-load sizes the web Service: at half load (each pod at
// ρ = 0.5: 25 requests/s of 40 ms at 500m) every request succeeds; at
// ρ ≥ 1 the queues grow without bound and almost every request times out.
func TestReplicasForLoadSweep(t *testing.T) {
	ls, diags := LoadSweepFile("library/sweeps/replicas-for-load.yaml", false, libScenario)
	require.False(t, diags.HasErrors(), "%v", diags)
	results, err := ls.RunSweep(t.TempDir(), ls.Runs, 2, false, nil)
	require.NoError(t, err)
	rate := map[[2]string]float64{}
	for _, r := range results {
		require.Empty(t, r.Error)
		require.NotNil(t, r.Summary.Requests)
		rate[[2]string{r.Settings["replicas"], r.Settings["requests per second"]}] = r.Summary.Requests.SuccessRate
	}
	assert.Equal(t, 1.0, rate[[2]string{"4", "50"}])
	assert.Equal(t, 1.0, rate[[2]string{"8", "100"}])
	assert.Less(t, rate[[2]string{"2", "50"}], 0.5)
	assert.Less(t, rate[[2]string{"4", "100"}], 0.5)
}
