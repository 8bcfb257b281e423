package scheduler

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var simStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// cluster is a kernel, an API server and a started scheduler.
type cluster struct {
	k     *sim.Kernel
	api   *apiserver.Server
	sched *Scheduler
	rec   *sim.Recorder
}

func newCluster(t testing.TB, seed uint64, opts Options) *cluster {
	k := sim.NewKernel(seed)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	api := apiserver.New(k, simStart)
	s, err := New(k, api.NewClient, opts)
	require.NoError(t, err)
	s.Start()
	return &cluster{k: k, api: api, sched: s, rec: rec}
}

func node(name, zone string, milliCPU int64, memory string) *model.Node {
	alloc := model.ResourceList{
		model.ResourceCPU:    model.NewMilliQuantity(milliCPU),
		model.ResourceMemory: model.MustParseQuantity(memory),
		model.ResourcePods:   model.NewQuantity(110),
	}
	return &model.Node{
		ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{
			model.LabelHostname: name, model.LabelTopologyZone: zone}},
		Status: model.NodeStatus{Capacity: alloc, Allocatable: model.DeepCopy(alloc)},
	}
}

func pod(name string, cpu, memory string, labels map[string]string) *model.Pod {
	return &model.Pod{
		ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
		Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "app:1",
			Resources: model.ResourceRequirements{Requests: model.ResourceList{
				model.ResourceCPU: model.MustParseQuantity(cpu), model.ResourceMemory: model.MustParseQuantity(memory)}}}}},
	}
}

func (c *cluster) create(t testing.TB, objs ...model.Object) {
	for _, o := range objs {
		_, err := c.api.Create(o)
		require.NoError(t, err)
	}
}

func (c *cluster) placements() map[string]string {
	out := map[string]string{}
	pods, _ := c.api.List("Pod")
	for _, o := range pods {
		p := o.(*model.Pod)
		out[p.Name] = p.Spec.NodeName
	}
	return out
}

func TestSchedulesPodsAndRecordsWhy(t *testing.T) {
	c := newCluster(t, 7, Options{})
	for i := 0; i < 6; i++ {
		c.create(t, node(fmt.Sprintf("n%d", i), []string{"a", "b", "c"}[i%3], 4000, "16Gi"))
	}
	for i := 0; i < 12; i++ {
		c.create(t, pod(fmt.Sprintf("web-%d", i), "500m", "1Gi", map[string]string{"app": "web"}))
	}
	c.create(t, pod("huge", "64", "1Gi", nil))
	c.k.Run(sim.Time(time.Minute))

	per := map[string]int{}
	for name, n := range c.placements() {
		if name == "huge" {
			require.Empty(t, n)
			continue
		}
		require.NotEmpty(t, n, name)
		per[n]++
	}
	// LeastAllocated + BalancedAllocation spread identical pods evenly.
	for n, cnt := range per {
		require.Equal(t, 2, cnt, n)
	}
	require.Len(t, c.rec.Kinds("Scheduled"), 12)
	fails := c.rec.Kinds("FailedScheduling")
	require.NotEmpty(t, fails)
	require.Equal(t, "default/huge", fails[0].Object)
	require.Equal(t, "0/6 nodes are available: 6 Insufficient cpu. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.", fails[0].Field("message"))
	// The unschedulable pod is retried only on events that may help, or
	// by the 5-minute flush: not in a hot loop.
	require.LessOrEqual(t, len(fails), 3)
}

func TestSameSeedSamePlacements(t *testing.T) {
	run := func(seed uint64) map[string]string {
		c := newCluster(t, seed, Options{})
		for i := 0; i < 20; i++ {
			c.create(t, node(fmt.Sprintf("n%02d", i), fmt.Sprintf("z%d", i%4), 8000, "32Gi"))
		}
		for i := 0; i < 50; i++ {
			c.create(t, pod(fmt.Sprintf("p%02d", i), "100m", "128Mi", nil))
		}
		c.k.Run(sim.Time(time.Minute))
		return c.placements()
	}
	a, b := run(3), run(3)
	require.Equal(t, a, b)
	// Identical pods on identical nodes tie constantly: another seed breaks
	// the ties differently.
	require.NotEqual(t, a, run(4))
}

func TestSchedulingTakesSimulatedTime(t *testing.T) {
	cost := CostModel{PerPod: 10 * time.Millisecond, PerFilteredNode: time.Millisecond, PerScoredNode: time.Millisecond}
	c := newCluster(t, 1, Options{Cost: cost})
	for i := 0; i < 3; i++ {
		c.create(t, node(fmt.Sprintf("n%d", i), "a", 4000, "8Gi"))
	}
	c.create(t, pod("p", "100m", "100Mi", nil))
	c.k.Run(sim.Time(time.Minute))
	s := c.rec.Kinds("Scheduled")
	require.Len(t, s, 1)
	// 10 ms + 3 filtered + 3 scored nodes × 1 ms, then the binding's
	// commit (the ideal store's default 1 ms).
	require.Equal(t, sim.Time(17*time.Millisecond), s[0].T)
}

// BenchmarkSchedulingBasic follows scheduler_perf's SchedulingBasic:
// 5,000 nodes (4 cpu, 32Gi, 110 pods), 1,000 pods scheduled first, then
// 10,000 pods (100m, 500Mi) measured, on the default profile. It reports
// wall-clock pods/s of the whole loop (API server, watches, queue, cycle,
// binding; the simulated cost model does not slow it down) and heap
// allocations per measured pod. The 500-node variant shows allocations do
// not grow with the node count.
func BenchmarkSchedulingBasic(b *testing.B) {
	for _, nodes := range []int{500, 5000} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) { benchSchedulingBasic(b, nodes) })
	}
}

func benchSchedulingBasic(b *testing.B, nodes int) {
	const initPods, measuredPods = 1000, 10000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := newCluster(b, 1, Options{})
		for j := 0; j < nodes; j++ {
			c.create(b, node(fmt.Sprintf("node-%d", j), fmt.Sprintf("zone-%d", j%3), 4000, "32Gi"))
		}
		for j := 0; j < initPods; j++ {
			c.create(b, pod(fmt.Sprintf("init-%d", j), "100m", "500Mi", nil))
		}
		c.k.RunUntil(sim.Never, func() bool { return c.sched.Stats.Scheduled >= initPods })
		require.Equal(b, int64(initPods), c.sched.Stats.Scheduled)
		for j := 0; j < measuredPods; j++ {
			c.create(b, pod(fmt.Sprintf("pod-%d", j), "100m", "500Mi", nil))
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		start := time.Now()
		c.k.RunUntil(sim.Never, func() bool { return c.sched.Stats.Scheduled >= initPods+measuredPods })
		elapsed := time.Since(start)
		b.StopTimer()
		runtime.ReadMemStats(&after)
		require.Equal(b, int64(initPods+measuredPods), c.sched.Stats.Scheduled)
		b.ReportMetric(measuredPods/elapsed.Seconds(), "pods/s")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/measuredPods, "allocs/pod")
		b.StartTimer()
	}
}
