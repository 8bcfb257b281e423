package scenarios

import (
	"runtime"
	"testing"
)

// BenchmarkSteadyStateMemory brings a 100-node cluster with 3,000 pods
// (3 Deployments × 1,000 replicas) to steady state on the Raft store over
// 10 simulated minutes, then reports what the run holds live at its end:
// the heap in MB and per pod in KB. It guards the memory of the largest
// structures (three etcd members' MVCC state and raft snapshots, informer
// caches, the scheduler's cache): 5,000-node, 150,000-pod clusters are only
// within reach while the cost per pod stays in the tens of KB.
//
//	go test ./scenarios -run XXX -bench SteadyStateMemory -benchtime 1x
func BenchmarkSteadyStateMemory(b *testing.B) {
	const src = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: memory}
spec:
  seed: 1
  duration: 10m
  cluster:
    nodePools:
    - {name: w, count: 100, machine: m5.2xlarge, zones: [a, b, c], region: r}
  workloads:
  - generate: {kind: Deployment, count: 3, namePrefix: app, namespace: default, cpu: 100, memory: 128, replicas: 1000}
`
	l, diags := LoadBytes(nil, ".", "memory.yaml", []byte(src), LoadOptions{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	const pods = 3000
	for i := 0; i < b.N; i++ {
		r, err := Start(l, RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r.Execute()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if err := r.Finish(0); err != nil {
			b.Fatal(err)
		}
		if got := r.Summary.PodsByPhase["Running"]; got != pods {
			b.Fatalf("%d pods Running at the end, want %d", got, pods)
		}
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-MB")
		b.ReportMetric(float64(ms.HeapAlloc)/1024/pods, "live-KB/pod")
	}
}
