package kubeproxy

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expected sequences below are worked by hand from the kernel sources named
// on each scheduler in ipvs_sched.go.

type dest struct {
	key            string
	weight         int32
	active, inactv int32
}

// newVS builds a virtual server whose kernel list is exactly dests, in
// order (AddDest prepends, so they are added in reverse).
func newVS(t testing.TB, opts IPVSOptions, dests ...dest) *VirtualServer {
	t.Helper()
	v, err := NewVirtualServer(opts)
	require.NoError(t, err)
	for i := len(dests) - 1; i >= 0; i-- {
		require.NoError(t, v.AddDest(dests[i].key, dests[i].weight))
	}
	for i, d := range dests {
		v.dests[i].ActiveConns, v.dests[i].InactConns = d.active, d.inactv
	}
	return v
}

func sequence(v *VirtualServer, n int, f Flow) string {
	var out []string
	for range n {
		i, _ := v.Schedule(f)
		if i < 0 {
			out = append(out, "-")
			continue
		}
		out = append(out, v.dests[i].Key)
	}
	return strings.Join(out, "")
}

func TestIPVSAddDestPrependsLikeTheKernel(t *testing.T) {
	v, err := NewVirtualServer(IPVSOptions{})
	require.NoError(t, err)
	for _, k := range []string{"a", "b", "c"} {
		require.NoError(t, v.AddDest(k, 1))
	}
	var keys []string
	for _, d := range v.Dests() {
		keys = append(keys, d.Key)
	}
	assert.Equal(t, []string{"c", "b", "a"}, keys)
	assert.Error(t, v.AddDest("a", 1))
	assert.Error(t, v.AddDest("d", -1))
	_, err = NewVirtualServer(IPVSOptions{Scheduler: "mh"})
	assert.Error(t, err)
}

func TestIPVSRoundRobin(t *testing.T) {
	v := newVS(t, IPVSOptions{Scheduler: IPVSRoundRobin}, dest{key: "A", weight: 1}, dest{key: "B", weight: 1}, dest{key: "C", weight: 1})
	assert.Equal(t, "ABCABCABC", sequence(v, 9, Flow{}))

	// A quiesced server (weight 0) is skipped.
	v.SetWeight("B", 0)
	assert.Equal(t, "ACACAC", sequence(v, 6, Flow{}))
	v.SetWeight("B", 1)

	// Deleting the last chosen server moves the pointer to its predecessor:
	// after ...A, C (last = C), deleting C continues at A.
	v = newVS(t, IPVSOptions{}, dest{key: "A", weight: 1}, dest{key: "B", weight: 1}, dest{key: "C", weight: 1})
	assert.Equal(t, "ABC", sequence(v, 3, Flow{}))
	v.RemoveDest("C")
	assert.Equal(t, "ABAB", sequence(v, 4, Flow{}))

	// A server added while the pointer is mid-list joins at the head, so it
	// is reached on the next wrap.
	v = newVS(t, IPVSOptions{}, dest{key: "A", weight: 1}, dest{key: "B", weight: 1})
	assert.Equal(t, "A", sequence(v, 1, Flow{}))
	require.NoError(t, v.AddDest("Z", 1)) // list: Z A B, pointer still on A
	assert.Equal(t, "BZAB", sequence(v, 4, Flow{}))

	// No available server.
	v = newVS(t, IPVSOptions{}, dest{key: "A"}, dest{key: "B"})
	assert.Equal(t, "--", sequence(v, 2, Flow{}))
}

func TestIPVSWeightedRoundRobin(t *testing.T) {
	// newVS adds servers one at a time, as kube-proxy does after creating
	// the virtual service, and each ip_vs_wrr_dest_changed keeps cw unless
	// it exceeds mw (or is 0; with di > 1 it is snapped to a multiple + 1).
	// So the first picks finish the pass the adds left cw at, then the
	// cycle runs from cw = mw down to 1.
	tests := []struct {
		name         string
		dests        []dest
		warmup, want string
	}{
		// Adds C(2): di=2, mw=1, cw=1; B(3): di=1, mw=3, cw stays 1;
		// A(4): mw=4, cw 1. Pass cw=1: A B C. Cycle: cw=4 A, 3 A B,
		// 2 A B C, 1 A B C.
		{"4,3,2", []dest{{key: "A", weight: 4}, {key: "B", weight: 3}, {key: "C", weight: 2}}, "ABC", "AABABCABC"},
		// Adds B(2): di=2, mw=1, cw=1; A(4): di=2, mw=3, cw=(1/2)*2+1=1.
		// Pass cw=1: A B. Cycle: cw=3 A, 1 A B.
		{"4,2", []dest{{key: "A", weight: 4}, {key: "B", weight: 2}}, "AB", "AAB"},
		// Adds B(5): di=5, mw=1, cw=1; A(2): di=1, mw=5. Pass cw=1: A B.
		// Cycle: cw=5 B, 4 B, 3 B, 2 A B, 1 A B.
		{"2,5", []dest{{key: "A", weight: 2}, {key: "B", weight: 5}}, "AB", "BBBABAB"},
		{"1,1,1 is round robin", []dest{{key: "A", weight: 1}, {key: "B", weight: 1}, {key: "C", weight: 1}}, "", "ABC"},
		// Weight 0 never reaches cw >= 1. Pass cw=1: A C; cycle cw=2 A,
		// 1 A C.
		{"quiesced server skipped", []dest{{key: "A", weight: 2}, {key: "B", weight: 0}, {key: "C", weight: 1}}, "AC", "AAC"},
		{"all quiesced", []dest{{key: "A"}, {key: "B"}}, "", "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newVS(t, IPVSOptions{Scheduler: IPVSWeightedRoundRobin}, tc.dests...)
			want := tc.warmup + strings.Repeat(tc.want, 3)
			assert.Equal(t, want, sequence(v, len(want), Flow{}))
		})
	}
	// A weight change restarts at the head and keeps cw <= the new mw.
	v := newVS(t, IPVSOptions{Scheduler: IPVSWeightedRoundRobin}, dest{key: "A", weight: 4}, dest{key: "B", weight: 3}, dest{key: "C", weight: 2})
	assert.Equal(t, "ABC"+"AABAB", sequence(v, 8, Flow{})) // now cw=2, after B
	v.SetWeight("A", 1)                                    // mw=3, cw 2 kept, from the head
	assert.Equal(t, "BC"+"ABC"+"BBCABC", sequence(v, 11, Flow{}))
}

func TestIPVSLeastConnection(t *testing.T) {
	tests := []struct {
		name  string
		sched IPVSScheduler
		dests []dest
		want  string
	}{
		// lc: overhead = active*256 + inactive.
		{"lc least overhead", IPVSLeastConnection, []dest{
			{key: "A", weight: 1, active: 1},   // 256
			{key: "B", weight: 1, inactv: 300}, // 300
			{key: "C", weight: 1, inactv: 10}}, "C"},
		{"lc tie goes to the earlier server", IPVSLeastConnection, []dest{
			{key: "A", weight: 1, inactv: 5}, {key: "B", weight: 1, inactv: 5}}, "A"},
		{"lc ignores weight except 0", IPVSLeastConnection, []dest{
			{key: "A", weight: 0}, {key: "B", weight: 1, active: 2}, {key: "C", weight: 100, active: 3}}, "B"},
		// wlc: min overhead/weight by cross-multiplication.
		{"wlc weight scales overhead", IPVSWeightedLeastConnection, []dest{
			{key: "A", weight: 1, active: 1},        // 256/1
			{key: "B", weight: 3, active: 2}}, "B"}, // 512/3
		{"wlc tie keeps the earlier", IPVSWeightedLeastConnection, []dest{
			{key: "A", weight: 1, active: 1}, {key: "B", weight: 2, active: 2}}, "A"},
		{"wlc skips leading weight-0 servers", IPVSWeightedLeastConnection, []dest{
			{key: "A", weight: 0}, {key: "B", weight: 1, active: 1}, {key: "C", weight: 0}}, "B"},
		// sed: (active+1)/weight; inactive connections do not count.
		{"sed tie keeps the earlier", IPVSShortestExpectedDelay, []dest{
			{key: "A", weight: 1, inactv: 50}, {key: "B", weight: 3, active: 2}}, "A"},
		{"sed expected delay", IPVSShortestExpectedDelay, []dest{
			{key: "A", weight: 1}, {key: "B", weight: 3, active: 1}}, "B"},
		{"sed prefers the heavy busy server", IPVSShortestExpectedDelay, []dest{
			{key: "A", weight: 5, active: 1}, {key: "B", weight: 1}}, "A"},
		// nq: an idle server wins outright, else as sed.
		{"nq idle server first", IPVSNeverQueue, []dest{
			{key: "A", weight: 5, active: 1}, {key: "B", weight: 1}}, "B"},
		{"nq quiesced idle server not taken", IPVSNeverQueue, []dest{
			{key: "A", weight: 5, active: 1}, {key: "B", weight: 0}}, "A"},
		{"nq no idle: as sed", IPVSNeverQueue, []dest{
			{key: "A", weight: 1, active: 1}, {key: "B", weight: 3, active: 2}}, "B"},
		{"none available", IPVSLeastConnection, []dest{{key: "A"}}, "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newVS(t, IPVSOptions{Scheduler: tc.sched}, tc.dests...)
			assert.Equal(t, tc.want, sequence(v, 1, Flow{}))
		})
	}
}

func TestIPVSLeastConnectionFollowsConnections(t *testing.T) {
	// Each new connection counts inactive at once (SYN_RECV), so lc spreads
	// a burst over equal servers in list order: A, B, C, then A again.
	v := newVS(t, IPVSOptions{Scheduler: IPVSLeastConnection},
		dest{key: "A", weight: 1}, dest{key: "B", weight: 1}, dest{key: "C", weight: 1})
	var got []string
	for range 4 {
		got = append(got, v.Choose(Flow{}, 0).Key)
	}
	assert.Equal(t, []string{"A", "B", "C", "A"}, got)
	// Establishing A's connections makes A heavy (256 per active).
	require.True(t, v.Connect("A"))
	require.True(t, v.Connect("A"))
	assert.Equal(t, RealServer{Key: "A", Weight: 1, ActiveConns: 2}, v.Dests()[0])
	assert.Equal(t, "B", v.Choose(Flow{}, 0).Key)
	// Close and expire move the counts back.
	require.True(t, v.Close("A"))
	require.True(t, v.Expire("A"))
	assert.Equal(t, RealServer{Key: "A", Weight: 1, ActiveConns: 1}, v.Dests()[0])
	assert.False(t, v.Expire("A"))
	assert.False(t, v.Connect("nope"))
}

func TestIPVSSourceHashing(t *testing.T) {
	// hash_32(addr) = (addr * 0x61C88647) >> 24, worked by hand:
	// 10.0.0.1 -> 39, 10.0.0.2 -> 137, 192.168.1.7 -> 211; with port 5555
	// added, 10.0.0.1 -> 250; 2001:db8::1 folds to 0x20010db9 -> 63.
	a1 := netip.MustParseAddr("10.0.0.1")
	a2 := netip.MustParseAddr("10.0.0.2")
	a3 := netip.MustParseAddr("192.168.1.7")
	assert.Equal(t, 39, SHBucket(a1, 0, 0))
	assert.Equal(t, 137, SHBucket(a2, 0, 0))
	assert.Equal(t, 211, SHBucket(a3, 0, 0))
	assert.Equal(t, 250, SHBucket(a1, 5555, 0))
	assert.Equal(t, 63, SHBucket(netip.MustParseAddr("2001:db8::1"), 0, 0))
	assert.Equal(t, 39, SHBucket(netip.MustParseAddr("::ffff:10.0.0.1"), 0, 0))

	// Weight 1 each: bucket b -> server b mod 3.
	abc := []dest{{key: "A", weight: 1}, {key: "B", weight: 1}, {key: "C", weight: 1}}
	v := newVS(t, IPVSOptions{Scheduler: IPVSSourceHashing}, abc...)
	for range 3 { // the same source always lands on the same server
		assert.Equal(t, "A", sequence(v, 1, Flow{Src: a1})) // 39 % 3 = 0
		assert.Equal(t, "C", sequence(v, 1, Flow{Src: a2})) // 137 % 3 = 2
		assert.Equal(t, "B", sequence(v, 1, Flow{Src: a3})) // 211 % 3 = 1
	}
	// sh-port: the source port joins the hash: 250 % 3 = 1.
	vp := newVS(t, IPVSOptions{Scheduler: IPVSSourceHashing, SHPort: true}, abc...)
	assert.Equal(t, "B", sequence(vp, 1, Flow{Src: a1, SrcPort: 5555}))

	// Weights replicate a server over consecutive buckets: 2,1 -> A A B ...
	v = newVS(t, IPVSOptions{Scheduler: IPVSSourceHashing}, dest{key: "A", weight: 2}, dest{key: "B", weight: 1})
	assert.Equal(t, "A", sequence(v, 1, Flow{Src: a1})) // 39 % 3 = 0
	assert.Equal(t, "B", sequence(v, 1, Flow{Src: a2})) // 137 % 3 = 2
	assert.Equal(t, "A", sequence(v, 1, Flow{Src: a3})) // 211 % 3 = 1

	// A quiesced server keeps its buckets: its sources get nothing...
	v = newVS(t, IPVSOptions{Scheduler: IPVSSourceHashing}, dest{key: "A"}, dest{key: "B", weight: 1}, dest{key: "C", weight: 1})
	assert.Equal(t, "-", sequence(v, 1, Flow{Src: a1}))
	// ...unless sh-fallback: probe (offset + 2*39) & 255 = 78 (A, skip),
	// then 79 -> 79 % 3 = 1 -> B.
	vf := newVS(t, IPVSOptions{Scheduler: IPVSSourceHashing, SHFallback: true}, dest{key: "A"}, dest{key: "B", weight: 1}, dest{key: "C", weight: 1})
	i, steps := vf.Schedule(Flow{Src: a1})
	assert.Equal(t, "B", vf.dests[i].Key)
	assert.Equal(t, 3, steps)
}

func TestIPVSDestinationHashing(t *testing.T) {
	// 10.96.0.10 -> hash_32 = 242; 242 % 3 = 2 -> C for every client.
	vip := netip.MustParseAddr("10.96.0.10")
	assert.Equal(t, 242, DHBucket(vip))
	v := newVS(t, IPVSOptions{Scheduler: IPVSDestinationHashing},
		dest{key: "A", weight: 1}, dest{key: "B", weight: 1}, dest{key: "C", weight: 1})
	for _, src := range []string{"10.0.0.1", "10.0.0.2", "192.168.1.7"} {
		assert.Equal(t, "C", sequence(v, 1, Flow{Src: netip.MustParseAddr(src), Dst: vip}))
	}
	v.SetWeight("C", 0)
	assert.Equal(t, "-", sequence(v, 1, Flow{Dst: vip}))
}

func TestIPVSSetEndpointsGracefulTermination(t *testing.T) {
	v, err := NewVirtualServer(IPVSOptions{})
	require.NoError(t, err)
	v.SetEndpoints([]string{"a", "b", "c"})
	assert.Equal(t, []RealServer{{Key: "c", Weight: 1}, {Key: "b", Weight: 1}, {Key: "a", Weight: 1}}, v.Dests())

	ch := v.Choose(Flow{}, 0) // rr: c, counted inactive
	require.Equal(t, "c", ch.Key)
	// c and a go away: c has a connection and drains at weight 0, a is deleted.
	v.SetEndpoints([]string{"b"})
	assert.Equal(t, []RealServer{{Key: "c", Weight: 0, InactConns: 1}, {Key: "b", Weight: 1}}, v.Dests())
	assert.Equal(t, "b", v.Choose(Flow{}, 0).Key)
	assert.Equal(t, "b", v.Choose(Flow{}, 0).Key)
	assert.Equal(t, 0, v.RemoveDrained())
	require.True(t, v.Expire("c"))
	assert.Equal(t, 1, v.RemoveDrained())
	// A draining server that comes back is deleted and added again.
	v.SetEndpoints([]string{"b", "d"})
	v.SetWeight("d", 0)
	require.Equal(t, "b", v.Choose(Flow{}, 0).Key)
	v.SetEndpoints([]string{"b", "d"})
	d, ok := v.Dest("d")
	assert.True(t, ok)
	assert.Equal(t, int32(1), d.Weight)
}

func TestIPVSPersistenceDropsQuiescedTemplate(t *testing.T) {
	v := newVS(t, IPVSOptions{Persistence: time.Minute},
		dest{key: "A", weight: 1}, dest{key: "B", weight: 1})
	client := netip.MustParseAddr("10.0.0.7")
	first := v.Choose(Flow{Src: client}, 0)
	assert.Equal(t, "A", first.Key)
	again := v.Choose(Flow{Src: client}, sim.Time(time.Second))
	assert.True(t, again.Affine)
	assert.Equal(t, "A", again.Key)
	// expire_quiescent_template=1: a template to a weight-0 server is void.
	v.SetWeight("A", 0)
	moved := v.Choose(Flow{Src: client}, sim.Time(2*time.Second))
	assert.False(t, moved.Affine)
	assert.Equal(t, "B", moved.Key)
}
