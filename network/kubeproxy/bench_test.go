package kubeproxy

import (
	"net/netip"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// benchChoosers returns one chooser per mode with 100 endpoints; with
// affinity, the same 16 clients come back so the table stops growing.
func benchChoosers(tb testing.TB, affinity sim.Duration) map[string]Chooser {
	keys := testKeys(100)
	out := map[string]Chooser{
		"iptables":  NewIPTablesChooser(sim.NewRand(1, "bench/iptables"), affinity),
		"nftables":  NewNFTablesChooser(sim.NewRand(1, "bench/nftables"), affinity),
		"userspace": NewUserspaceRR(sim.NewRand(1, "bench/userspace"), affinity),
	}
	for _, s := range IPVSSchedulers() {
		v, err := NewVirtualServer(IPVSOptions{Scheduler: s, Persistence: affinity})
		if err != nil {
			tb.Fatal(err)
		}
		out["ipvs-"+string(s)] = v
	}
	for _, c := range out {
		c.SetEndpoints(keys)
	}
	return out
}

var benchClients = func() [16]netip.Addr {
	var a [16]netip.Addr
	for i := range a {
		a[i] = netip.AddrFrom4([4]byte{10, 200, byte(i), 1})
	}
	return a
}()

var benchVIP = netip.MustParseAddr("10.96.0.10")

// choose picks and, for IPVS, runs the connection through its states so
// the counts stay bounded.
func choose(c Chooser, i int, now sim.Time) Choice {
	ch := c.Choose(Flow{Src: benchClients[i&15], SrcPort: uint16(i), Dst: benchVIP}, now)
	if v, ok := c.(*VirtualServer); ok && !ch.None() {
		v.Connect(ch.Key)
		v.Close(ch.Key)
		v.Expire(ch.Key)
	}
	return ch
}

func TestChooseDoesNotAllocate(t *testing.T) {
	for _, aff := range []sim.Duration{0, time.Hour} {
		for name, c := range benchChoosers(t, aff) {
			i := 0
			for ; i < 64; i++ { // warm the affinity tables
				choose(c, i, 0)
			}
			allocs := testing.AllocsPerRun(1000, func() {
				choose(c, i, sim.Time(i))
				i++
			})
			if allocs != 0 {
				t.Errorf("%s (affinity %v): %v allocs per Choose", name, aff, allocs)
			}
		}
	}
}

func benchmarkChoose(b *testing.B, mode string, affinity sim.Duration) {
	c := benchChoosers(b, affinity)[mode]
	for i := range 64 {
		choose(c, i, 0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	steps := 0
	for i := 0; i < b.N; i++ {
		steps += choose(c, i, sim.Time(i)).Steps
	}
	b.ReportMetric(float64(steps)/float64(b.N), "steps/op")
}

func BenchmarkChoose100(b *testing.B) {
	modes := []string{"iptables", "nftables", "userspace"}
	for _, s := range IPVSSchedulers() {
		modes = append(modes, "ipvs-"+string(s))
	}
	for _, m := range modes {
		b.Run(m, func(b *testing.B) { benchmarkChoose(b, m, 0) })
	}
	for _, m := range []string{"iptables", "nftables", "ipvs-rr", "userspace"} {
		b.Run(m+"-affinity", func(b *testing.B) { benchmarkChoose(b, m, time.Hour) })
	}
}
