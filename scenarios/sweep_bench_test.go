package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSweep20 runs a sweep of 20 variations (node counts 80..118) of
// a 100-node scenario — the built-in node-failure (400 replicas, a node
// crash, taint-based eviction) — with 1 worker and with 2, to show how a
// sweep scales over this machine's cores. Reports wall seconds per sweep.
func BenchmarkSweep20(b *testing.B) {
	var counts string
	for i := 0; i < 20; i++ {
		if i > 0 {
			counts += ", "
		}
		counts += fmt.Sprint(80 + 2*i)
	}
	body := fmt.Sprintf(`apiVersion: kubesim.io/v1alpha1
kind: Sweep
metadata: {name: bench}
spec:
  scenario: node-failure
  vary:
  - {path: "spec.cluster.nodePools[0].count", values: [%s]}
`, counts)
	f := filepath.Join(b.TempDir(), "sweep.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		b.Fatal(err)
	}
	ls, diags := LoadSweepFile(f, false, libScenario)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := ls.RunSweep(b.TempDir(), ls.Runs, workers, false, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/sweep")
		})
	}
}
