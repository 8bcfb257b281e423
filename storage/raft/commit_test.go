package raft

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// commitLatencies proposes n entries one at a time (a single closed-loop
// client, like etcd's "1 client" benchmark) and returns, for each, the time
// from Propose until the leader applied it.
func commitLatencies(t testing.TB, cfg Config, n int) []time.Duration {
	tc := newTestCluster(t, 9, cfg)
	leader := tc.waitLeader(30 * time.Second)
	tc.run(time.Second)
	var out []time.Duration
	for i := range n {
		start := tc.k.Now()
		if err := tc.c.Propose(fmt.Appendf(nil, "w%d", i)); err != nil {
			t.Fatal(err)
		}
		want := i + 1
		if !tc.runUntil(time.Second, func() bool { return len(tc.sms[leader].log) >= want }) {
			t.Fatalf("proposal %d not applied within 1 s", i)
		}
		out = append(out, tc.k.Now().Sub(start))
	}
	return out
}

// TestCommitLatency checks the latency model against etcd's published
// figures: one client on a 3-member SSD cluster commits in about 1.6 ms
// (etcd performance guide: 583 writes/s at 1.6 ms); the floor is an RTT plus
// an fdatasync. An HDD cluster is an order of magnitude slower.
func TestCommitLatency(t *testing.T) {
	hdd := DefaultConfig()
	hdd.FsyncLatency = HDDFsyncLatency()
	serial := DefaultConfig()
	serial.LeaderSendsBeforeFsync = false
	for _, tt := range []struct {
		name     string
		cfg      Config
		min, max time.Duration // bounds on the median
	}{
		{"SSD", DefaultConfig(), 800 * time.Microsecond, 3 * time.Millisecond},
		{"SSD leader writes before sending", serial, 1500 * time.Microsecond, 5 * time.Millisecond},
		{"HDD", hdd, 8 * time.Millisecond, 40 * time.Millisecond},
	} {
		xs := commitLatencies(t, tt.cfg, 500)
		p50 := quantile(xs, 0.5)
		t.Logf("%s: commit latency p50 %v p90 %v p99 %v", tt.name,
			p50.Round(time.Microsecond), quantile(xs, 0.9).Round(time.Microsecond), quantile(xs, 0.99).Round(time.Microsecond))
		if p50 < tt.min || p50 > tt.max {
			t.Errorf("%s: median commit latency %v outside [%v, %v]", tt.name, p50, tt.min, tt.max)
		}
	}
}

// nopSM applies nothing; the benchmark measures raft and the kernel.
type nopSM struct{}

func (nopSM) Apply(uint64, []byte) {}
func (nopSM) Snapshot() []byte     { return nil }
func (nopSM) Restore([]byte)       {}

// BenchmarkProposals measures proposals committed per wall-clock second
// through a default three-member cluster (SSD disks, in-DC network). Each
// round proposes batch entries at one simulated instant and runs until all
// commit: batch=1 is one Ready and one fsync per proposal on every member;
// larger batches share a Ready and an fsync, as concurrent clients do in
// etcd. sim-proposals/s is the throughput in simulated time.
func BenchmarkProposals(b *testing.B) {
	data := make([]byte, 256) // etcd's benchmark value size
	for _, batch := range []int{1, 16, 128} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			k := sim.NewKernel(1)
			c, err := NewCluster(k, DefaultConfig(), func(uint64) StateMachine { return nopSM{} })
			if err != nil {
				b.Fatal(err)
			}
			k.RunUntil(sim.Time(30*time.Second), func() bool { return c.Leader() != 0 })
			base := c.Stats().Committed
			start := k.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; {
				n := min(batch, b.N-done)
				for range n {
					if err := c.Propose(data); err != nil {
						b.Fatal(err)
					}
				}
				done += n
				target := base + uint64(done)
				k.RunUntil(sim.Never, func() bool { return c.stats.Committed >= target })
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
			b.ReportMetric(float64(b.N)/k.Now().Sub(start).Seconds(), "sim-proposals/s")
		})
	}
}
