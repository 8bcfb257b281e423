package hardware

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

const mi = 1 << 20

func machine(t *testing.T, cpu, mem string, p Profile) (*sim.Kernel, *SimMachine, *[]ContainerStatus) {
	t.Helper()
	k := sim.NewKernel(1)
	m := NewSimMachine(k, "n1", model.ResourceList{
		model.ResourceCPU: model.MustParseQuantity(cpu), model.ResourceMemory: model.MustParseQuantity(mem),
		model.ResourceEphemeralStorage: model.MustParseQuantity("100Gi"),
	}, p)
	var exits []ContainerStatus
	m.SetExitHandler(func(st ContainerStatus) { exits = append(exits, st) })
	return k, m, &exits
}

func spec(id string, reqCPU, limCPU int64, w Workload) ContainerSpec {
	return ContainerSpec{ID: id, Pod: "default/" + id, Name: id, Image: "img",
		Requests: model.Resources{MilliCPU: reqCPU}, Limits: model.Resources{MilliCPU: limCPU}, Workload: w}
}

var busy = Workload{Forever: true, CPUDemand: CPUUnbounded}

func TestCgroupConversions(t *testing.T) {
	for _, tt := range []struct{ milli, shares, weight, quota int64 }{
		{0, 2, 1, 0},
		{1, 2, 1, 1000},
		{100, 102, 4, 10000},
		{250, 256, 10, 25000},
		{750, 768, 30, 75000},
		{1000, 1024, 39, 100000},
		{5, 5, 1, 1000},
		{1_000_000, 262144, 10000, 100000000},
	} {
		require.Equal(t, tt.shares, MilliCPUToShares(tt.milli), "shares of %dm", tt.milli)
		require.Equal(t, tt.weight, SharesToWeight(tt.shares), "weight of %d shares", tt.shares)
		require.Equal(t, tt.quota, MilliCPUToQuota(tt.milli), "quota of %dm", tt.milli)
	}
}

func TestShareCPU(t *testing.T) {
	for _, tt := range []struct {
		name     string
		capacity int64
		claims   []cpuClaim
		want     []int64
	}{
		{"weights 1:3 on 2 cores", 2000, []cpuClaim{{10, 2000}, {30, 2000}}, []int64{500, 1500}},
		{"a cap gives its spare to the other", 2000, []cpuClaim{{10, 300}, {30, 2000}}, []int64{300, 1700}},
		{"both capped below capacity", 2000, []cpuClaim{{10, 300}, {30, 400}}, []int64{300, 400}},
		{"zero demand gets nothing", 1000, []cpuClaim{{10, 0}, {10, 1000}}, []int64{0, 1000}},
		{"remainders go first come", 1000, []cpuClaim{{1, 1000}, {1, 1000}, {1, 1000}}, []int64{334, 333, 333}},
		{"cascading caps", 3000, []cpuClaim{{1, 100}, {1, 1000}, {1, 3000}}, []int64{100, 1000, 1900}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := make([]int64, len(tt.claims))
			shareCPU(tt.capacity, tt.claims, out, make([]int, len(tt.claims)))
			require.Equal(t, tt.want, out)
		})
	}
}

func TestProcessorSharing(t *testing.T) {
	k, m, _ := machine(t, "2", "8Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
	require.NoError(t, m.StartContainer(spec("a", 250, 0, busy)))
	require.NoError(t, m.StartContainer(spec("b", 750, 0, busy)))
	k.Run(sim.Time(10 * time.Second))
	a, _ := m.ContainerStats("a")
	b, _ := m.ContainerStats("b")
	require.Equal(t, int64(500), a.CPU, "requests 1:3 on 2 cores split 0.5:1.5")
	require.Equal(t, int64(1500), b.CPU)
	require.Equal(t, 5*time.Second, a.CPUTime)
	require.Equal(t, 15*time.Second, b.CPUTime)
	require.Zero(t, a.ThrottledTime)

	// A limit caps a container and the other takes the spare.
	k, m, _ = machine(t, "2", "8Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
	require.NoError(t, m.StartContainer(spec("a", 250, 300, busy)))
	require.NoError(t, m.StartContainer(spec("b", 750, 0, busy)))
	k.Run(sim.Time(10 * time.Second))
	a, _ = m.ContainerStats("a")
	b, _ = m.ContainerStats("b")
	require.Equal(t, int64(300), a.CPU)
	require.Equal(t, int64(1700), b.CPU)
	require.Equal(t, 10*time.Second, a.ThrottledTime, "capped by its quota while wanting more: throttled")
	require.Zero(t, b.ThrottledTime)
	require.Equal(t, int64(2000), m.Stats().CPUUsage)
}

func TestCPUWorkRecomputedWhenNeighbourExits(t *testing.T) {
	k, m, exits := machine(t, "1", "8Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
	require.NoError(t, m.StartContainer(spec("work", 1000, 0, Workload{CPUWork: 10 * time.Second, CPUDemand: CPUUnbounded})))
	require.NoError(t, m.StartContainer(spec("neighbour", 1000, 0, Workload{RunFor: 5 * time.Second, CPUDemand: CPUUnbounded})))
	k.Run(sim.Never)
	require.Len(t, *exits, 2)
	require.Equal(t, "neighbour", (*exits)[0].Name)
	require.Equal(t, sim.Time(5*time.Second), (*exits)[0].FinishedAt)
	// 2.5 CPU-seconds at half a core during the first 5 s, then 7.5 s alone.
	require.Equal(t, "work", (*exits)[1].Name)
	require.Equal(t, sim.Time(12500*time.Millisecond), (*exits)[1].FinishedAt)
	require.Equal(t, int32(0), (*exits)[1].ExitCode)
	require.Equal(t, ReasonCompleted, (*exits)[1].Reason)

	// A new neighbour slows the work down from the instant it starts.
	k, m, exits = machine(t, "1", "8Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
	require.NoError(t, m.StartContainer(spec("work", 1000, 0, Workload{CPUWork: 10 * time.Second, CPUDemand: CPUUnbounded})))
	k.AfterFunc(4*time.Second, func(sim.Time) {
		require.NoError(t, m.StartContainer(spec("late", 3000, 0, Workload{Forever: true, CPUDemand: CPUUnbounded})))
	})
	k.Run(sim.Time(time.Hour))
	require.Len(t, *exits, 1)
	// Weights 39 and 118 (requests 1000m and 3000m): 1000*39/157 = 248m (the
	// spare millicore goes to "late", first by ID).
	require.Equal(t, sim.Time(4*time.Second+time.Duration((6*int64(time.Second)*1000+247)/248)), (*exits)[0].FinishedAt)
}

func TestOOMKillAtLimit(t *testing.T) {
	k, m, exits := machine(t, "2", "8Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
	s := spec("leak", 100, 0, Workload{Forever: true, Memory: Growth{Start: 100 * mi, PerSecond: 10 * mi}})
	s.Limits.Memory = 200 * mi
	require.NoError(t, m.StartContainer(s))
	k.AfterFunc(5*time.Second, func(sim.Time) {
		st, _ := m.ContainerStats("leak")
		require.Equal(t, int64(150*mi), st.Memory)
		require.Equal(t, int64(8<<30-150*mi), m.Stats().MemoryAvailable)
	})
	k.Run(sim.Never)
	require.Len(t, *exits, 1)
	e := (*exits)[0]
	require.Equal(t, ExitSIGKILL, e.ExitCode)
	require.Equal(t, ReasonOOMKilled, e.Reason)
	require.False(t, e.SystemOOM)
	// Usage exceeds 200Mi one byte past 10 s of growth.
	require.Equal(t, sim.Time(10*time.Second+96), e.FinishedAt)

	// Starting above the limit is killed at once.
	k, m, exits = machine(t, "2", "8Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
	s = spec("fat", 100, 0, Workload{Forever: true, Memory: Growth{Start: 300 * mi}})
	s.Limits.Memory = 200 * mi
	require.NoError(t, m.StartContainer(s))
	k.Run(sim.Never)
	require.Len(t, *exits, 1)
	require.Equal(t, sim.Time(0), (*exits)[0].FinishedAt)
}

func TestNodeOOMKillsTheWorstBadness(t *testing.T) {
	k, m, exits := machine(t, "2", "1Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
	g := spec("guaranteed", 100, 0, Workload{Forever: true, Memory: Growth{Start: 400 * mi}})
	g.OOMScoreAdj = -997
	b := spec("besteffort", 0, 0, Workload{Forever: true, Memory: Growth{Start: 100 * mi, PerSecond: 100 * mi}})
	b.OOMScoreAdj = 1000
	require.NoError(t, m.StartContainer(g))
	require.NoError(t, m.StartContainer(b))
	k.Run(sim.Never)
	require.Len(t, *exits, 1)
	require.Equal(t, "besteffort", (*exits)[0].Name)
	require.True(t, (*exits)[0].SystemOOM)
	require.Equal(t, ReasonOOMKilled, (*exits)[0].Reason)
	// 400Mi + 100Mi + 100Mi/s passes 1Gi 5.24 s in.
	require.InDelta(t, 5.24, (*exits)[0].FinishedAt.Seconds(), 0.001)
}

func TestImagePullsShareBandwidthAndCache(t *testing.T) {
	k, m, _ := machine(t, "2", "8Gi", Profile{PullLatency: 100 * time.Millisecond,
		Images: []model.ContainerImage{{Names: []string{"present:1"}, SizeBytes: 5 * mi}}})
	got := map[string]sim.Time{}
	var results []PullResult
	pullDone := func(r PullResult) {
		require.NoError(t, r.Err)
		got[r.Image] = k.Now()
		results = append(results, r)
	}
	m.PullImage("a:1", 100_000_000, pullDone)
	m.PullImage("b:1", 100_000_000, pullDone)
	m.PullImage("a:1", 100_000_000, pullDone) // joins the first transfer
	m.PullImage("present:1", 5*mi, pullDone)
	k.Run(sim.Never)
	require.Equal(t, sim.Time(100*time.Millisecond), got["present:1"], "a cached image costs only the round trip")
	// Two 100 MB transfers share 100 MB/s: both end 2 s after the round trip.
	require.Equal(t, sim.Time(2100*time.Millisecond), got["a:1"])
	require.Equal(t, sim.Time(2100*time.Millisecond), got["b:1"])
	require.Len(t, results, 4)
	require.True(t, m.HasImage("a:1"))
	require.True(t, m.HasImage("b:1"))
	require.Equal(t, []string{"a:1", "b:1", "present:1"}, []string{m.Images()[0].Names[0], m.Images()[1].Names[0], m.Images()[2].Names[0]})

	// A transfer started while another runs shares from then on.
	k, m, _ = machine(t, "2", "8Gi", Profile{})
	got = map[string]sim.Time{}
	m.PullImage("a:1", 100_000_000, pullDone)
	k.AfterFunc(500*time.Millisecond, func(sim.Time) { m.PullImage("b:1", 100_000_000, pullDone) })
	k.Run(sim.Never)
	// a: 50 MB alone, then 50 MB at half rate: 1.5 s. b: 50 MB shared, 50 MB alone: 2 s.
	require.Equal(t, sim.Time(1500*time.Millisecond), got["a:1"])
	require.Equal(t, sim.Time(2000*time.Millisecond), got["b:1"])
}

func TestRegistryOutageFailsPulls(t *testing.T) {
	reg := NewRegistry()
	k, m, _ := machine(t, "2", "8Gi", Profile{Registry: reg})
	var errs []error
	var at []sim.Time
	m.PullImage("a:1", 100_000_000, func(r PullResult) { errs = append(errs, r.Err); at = append(at, k.Now()) })
	k.AfterFunc(300*time.Millisecond, func(sim.Time) { reg.SetAvailable(false) })
	k.AfterFunc(time.Second, func(sim.Time) {
		m.PullImage("b:1", 1, func(r PullResult) { errs = append(errs, r.Err); at = append(at, k.Now()) })
	})
	k.Run(sim.Never)
	require.Equal(t, []error{ErrRegistryUnavailable, ErrRegistryUnavailable}, errs)
	require.Equal(t, []sim.Time{sim.Time(300 * time.Millisecond), sim.Time(time.Second)}, at)
	require.False(t, m.HasImage("a:1"))
	require.ErrorIs(t, m.StartContainer(spec("x", 0, 0, busy)), ErrImageNotPresent)
}

func TestStopWithGracePeriod(t *testing.T) {
	for _, tt := range []struct {
		name   string
		w      Workload
		grace  time.Duration
		at     time.Duration
		code   int32
		reason string
	}{
		{"handles SIGTERM in time", Workload{Forever: true, HandlesSIGTERM: true, ShutdownTime: 5 * time.Second}, 30 * time.Second, 5 * time.Second, 0, ReasonCompleted},
		{"SIGKILL at grace expiry", Workload{Forever: true, HandlesSIGTERM: true, ShutdownTime: time.Minute}, 30 * time.Second, 30 * time.Second, ExitSIGKILL, ReasonError},
		{"dies of SIGTERM", Workload{Forever: true}, 30 * time.Second, 0, ExitSIGTERM, ReasonError},
		{"grace 0 kills", Workload{Forever: true, HandlesSIGTERM: true, ShutdownTime: time.Second}, 0, 0, ExitSIGKILL, ReasonError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k, m, exits := machine(t, "1", "1Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
			require.NoError(t, m.StartContainer(spec("c", 0, 0, tt.w)))
			k.AfterFunc(10*time.Second, func(sim.Time) { require.NoError(t, m.StopContainer("c", tt.grace)) })
			k.Run(sim.Never)
			require.Len(t, *exits, 1)
			require.Equal(t, sim.Time(10*time.Second+tt.at), (*exits)[0].FinishedAt)
			require.Equal(t, tt.code, (*exits)[0].ExitCode)
			require.Equal(t, tt.reason, (*exits)[0].Reason)
		})
	}
}

func TestCrashLosesContainersSilently(t *testing.T) {
	k, m, exits := machine(t, "1", "1Gi", Profile{Images: []model.ContainerImage{{Names: []string{"img"}}}})
	require.NoError(t, m.StartContainer(spec("c", 0, 0, Workload{RunFor: time.Minute})))
	k.AfterFunc(time.Second, func(sim.Time) { m.Crash() })
	k.Run(sim.Never)
	require.Empty(t, *exits)
	st, _ := m.Container("c")
	require.False(t, st.Running)
	require.Equal(t, ExitUnknown, st.ExitCode)
	require.Equal(t, ReasonUnknown, st.Reason)
	require.ErrorIs(t, m.StartContainer(spec("d", 0, 0, busy)), ErrMachineDown)
	m.Boot()
	require.NoError(t, m.StartContainer(spec("d", 0, 0, busy)))
	require.True(t, m.HasImage("img"), "the image cache survives")
}
