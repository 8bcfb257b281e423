package apiserver

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/storage/etcd"
)

// BenchmarkAPIWrites measures pod creations through the API server, in
// wall-clock writes/s and in simulated writes/s, for the Raft store (3
// members, SSD) and the ideal store, with every write issued at once
// (batched: group commit) or one after another (each waits for the last).
func BenchmarkAPIWrites(b *testing.B) {
	for _, store := range []string{"raft", "ideal", "etcd-ideal"} {
		for _, mode := range []string{"batched", "sequential"} {
			b.Run(store+"/"+mode, func(b *testing.B) {
				const writes = 2000
				var simSeconds float64
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					k := sim.NewKernel(uint64(i + 1))
					var s *Server
					switch store {
					case "raft":
						s, _ = raftServer(b, k)
					case "etcd-ideal":
						s = New(k, start)
						s.UseEtcd(etcd.NewServer(k, etcd.NewIdealBackend(k, sim.Dist{Kind: sim.DistConstant, Value: 0.0016}), etcd.ServerConfig{}))
					default:
						s = New(k, start)
					}
					c := s.NewClient("bench", 0, 0)
					k.Run(sim.Time(3 * time.Second))
					begin := k.Now()
					done := 0
					b.StartTimer()
					if mode == "batched" {
						for j := 0; j < writes; j++ {
							c.Create(testPod(fmt.Sprintf("p%d", j)), func(model.Object, error) { done++ })
						}
					} else {
						var next func(j int)
						next = func(j int) {
							if j == writes {
								return
							}
							c.Create(testPod(fmt.Sprintf("p%d", j)), func(model.Object, error) { done++; next(j + 1) })
						}
						next(0)
					}
					k.RunUntil(sim.Never, func() bool { return done == writes })
					b.StopTimer()
					simSeconds += k.Now().Sub(begin).Seconds()
					b.StartTimer()
				}
				b.ReportMetric(float64(writes*b.N)/b.Elapsed().Seconds(), "writes/s")
				b.ReportMetric(float64(writes*b.N)/simSeconds, "sim-writes/s")
			})
		}
	}
}
