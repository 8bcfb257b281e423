package services

import (
	"math"
	"net/netip"
	"testing"

	"github.com/kubesim/kubesim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestIPRangeGeometry(t *testing.T) {
	// size: 2^h - 1 (network address) - 1 (IPv4 broadcast);
	// static band: min(max(16, 2^h/16), 256), 0 when 2^h <= 16.
	tests := []struct {
		cidr         string
		size, static uint64
		first, last  string
	}{
		{"10.0.0.0/30", 2, 0, "10.0.0.1", "10.0.0.2"},
		{"10.0.0.0/29", 6, 0, "10.0.0.1", "10.0.0.6"},
		{"10.0.0.0/28", 14, 0, "10.0.0.1", "10.0.0.14"},
		{"10.0.0.0/27", 30, 16, "10.0.0.1", "10.0.0.30"},
		{"10.0.0.0/24", 254, 16, "10.0.0.1", "10.0.0.254"},
		{"10.0.0.0/23", 510, 32, "10.0.0.1", "10.0.1.254"},
		{"10.0.0.0/20", 4094, 256, "10.0.0.1", "10.0.15.254"},
		{"10.96.0.0/12", 1<<20 - 2, 256, "10.96.0.1", "10.111.255.254"},
		{"10.96.7.9/12", 1<<20 - 2, 256, "10.96.0.1", "10.111.255.254"}, // host bits masked
		{"fd00::/120", 255, 16, "fd00::1", "fd00::ff"},                  // IPv6 keeps its last address
		{"fd00:10:96::/108", 1<<20 - 1, 256, "fd00:10:96::1", "fd00:10:96::f:ffff"},
		{"fd00::/64", math.MaxUint64, 256, "fd00::1", "fd00::ffff:ffff:ffff:ffff"},
	}
	for _, tc := range tests {
		r, err := NewIPRange(tc.cidr)
		require.NoError(t, err, tc.cidr)
		assert.Equal(t, tc.size, r.Size(), tc.cidr)
		assert.Equal(t, tc.static, r.StaticBandSize(), tc.cidr)
		assert.Equal(t, addr(tc.first), r.IndexedIP(0), tc.cidr)
		assert.Equal(t, addr(tc.last), r.IndexedIP(tc.size-1), tc.cidr)
		assert.True(t, r.Contains(addr(tc.first)), tc.cidr)
		assert.True(t, r.Contains(addr(tc.last)), tc.cidr)
		assert.Equal(t, tc.size, r.Free(), tc.cidr)
	}
	for _, bad := range []string{"10.0.0.0/31", "10.0.0.0/32", "fd00::/63", "fd00::/128", "10.0.0.0", "nonsense/8"} {
		_, err := NewIPRange(bad)
		assert.Error(t, err, bad)
	}
	_, err := NewIPRange("fd00::/48")
	assert.EqualError(t, err, "shortest allowed prefix length for service CIDR is 64, got 48")
}

func TestIPRangeAllocateBounds(t *testing.T) {
	r, err := NewIPRange("10.0.0.0/29")
	require.NoError(t, err)
	notIn := func(ip string) string {
		return "the provided IP (" + ip + ") is not in the valid range. The range of valid IPs is 10.0.0.0/29"
	}
	tests := []struct {
		ip   string
		want string // "" = allocated
	}{
		{"10.0.0.0", notIn("10.0.0.0")}, // network address
		{"10.0.0.7", notIn("10.0.0.7")}, // broadcast address
		{"10.0.0.8", notIn("10.0.0.8")},
		{"9.255.255.255", notIn("9.255.255.255")},
		{"fd00::3", notIn("fd00::3")},
		{"10.0.0.3", ""},
		{"10.0.0.3", "provided IP is already allocated"},
		{"10.0.0.1", ""},
		{"10.0.0.6", ""},
	}
	for i, tc := range tests {
		err := r.Allocate(addr(tc.ip))
		if tc.want == "" {
			assert.NoError(t, err, "%d %s", i, tc.ip)
		} else {
			assert.EqualError(t, err, tc.want, "%d %s", i, tc.ip)
		}
	}
	var nir *IPNotInRangeError
	assert.ErrorAs(t, r.Allocate(addr("10.0.0.7")), &nir)
	assert.ErrorIs(t, r.Allocate(addr("10.0.0.3")), ErrIPAllocated)
	assert.Equal(t, uint64(3), r.Used())

	// Release makes the address allocatable again; releasing a free or
	// foreign address changes nothing.
	r.Release(addr("10.0.0.3"))
	r.Release(addr("10.0.0.3"))
	r.Release(addr("10.0.0.7"))
	r.Release(addr("192.168.0.1"))
	assert.False(t, r.Has(addr("10.0.0.3")))
	assert.Equal(t, uint64(2), r.Used())
	assert.NoError(t, r.Allocate(addr("10.0.0.3")))
}

func TestIPRangeExhaustion(t *testing.T) {
	// A /29 holds .1-.6: six dynamic allocations take exactly those, the
	// seventh finds the range full.
	r, err := NewIPRange("10.0.0.0/29")
	require.NoError(t, err)
	rnd := sim.NewRand(1, "test")
	got := map[netip.Addr]bool{}
	for range 6 {
		ip, err := r.AllocateNext(rnd)
		require.NoError(t, err)
		got[ip] = true
	}
	want := map[netip.Addr]bool{}
	for _, s := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"} {
		want[addr(s)] = true
	}
	assert.Equal(t, want, got)
	_, err = r.AllocateNext(rnd)
	assert.ErrorIs(t, err, ErrFull)
	assert.EqualError(t, err, "range is full")
	assert.Equal(t, uint64(0), r.Free())
}

func TestIPRangeBandPreference(t *testing.T) {
	// 10.0.0.0/27: static band .1-.16 (16 = max(16, 32/16)), dynamic band
	// .17-.30. The first 14 dynamic allocations fill the dynamic band, the
	// next 16 the static band, then the range is full.
	tests := []struct {
		name   string
		taken  []string // statically allocated first
		upper  int      // allocations expected in .17-.30
		lower  int      // then in .1-.16
		seed   uint64
		static uint64
	}{
		{name: "empty", upper: 14, lower: 16, seed: 1},
		{name: "other seed", upper: 14, lower: 16, seed: 99},
		{name: "static IPs in both bands", taken: []string{"10.0.0.10", "10.0.0.1", "10.0.0.20", "10.0.0.30"}, upper: 12, lower: 14, seed: 7},
	}
	for _, tc := range tests {
		r, err := NewIPRange("10.0.0.0/27")
		require.NoError(t, err)
		require.Equal(t, uint64(16), r.StaticBandSize())
		for _, s := range tc.taken {
			require.NoError(t, r.Allocate(addr(s)))
		}
		rnd := sim.NewRand(tc.seed, "test")
		for i := range tc.upper {
			ip, err := r.AllocateNext(rnd)
			require.NoError(t, err)
			assert.True(t, ip.Compare(addr("10.0.0.17")) >= 0 && ip.Compare(addr("10.0.0.30")) <= 0, "%s: upper #%d got %s", tc.name, i, ip)
		}
		for i := range tc.lower {
			ip, err := r.AllocateNext(rnd)
			require.NoError(t, err)
			assert.True(t, ip.Compare(addr("10.0.0.1")) >= 0 && ip.Compare(addr("10.0.0.16")) <= 0, "%s: lower #%d got %s", tc.name, i, ip)
		}
		_, err = r.AllocateNext(rnd)
		assert.ErrorIs(t, err, ErrFull, tc.name)
	}
}

func TestIPRangeDefaultCIDRDynamicBand(t *testing.T) {
	// 10.96.0.0/12: the static band is 256 addresses, 10.96.0.1-10.96.1.0;
	// dynamic allocations start at 10.96.1.1.
	r, err := NewIPRange(DefaultServiceCIDR)
	require.NoError(t, err)
	rnd := sim.NewRand(3, "test")
	for range 2000 {
		ip, err := r.AllocateNext(rnd)
		require.NoError(t, err)
		require.True(t, ip.Compare(addr("10.96.1.1")) >= 0 && ip.Compare(addr("10.111.255.254")) <= 0, ip.String())
	}
}

func TestIPRangeIPv6Large(t *testing.T) {
	// A /64 is too large for a bitmap; allocation behaves the same.
	r, err := NewIPRange("fd00:1::/64")
	require.NoError(t, err)
	rnd := sim.NewRand(5, "test")
	seen := map[netip.Addr]bool{}
	for range 500 {
		ip, err := r.AllocateNext(rnd)
		require.NoError(t, err)
		require.False(t, seen[ip])
		seen[ip] = true
		require.True(t, r.Has(ip))
		require.True(t, ip.Compare(addr("fd00:1::101")) >= 0, ip.String()) // above the 256-address static band
	}
	assert.Equal(t, uint64(500), r.Used())
	require.NoError(t, r.Allocate(addr("fd00:1::53")))
	assert.ErrorIs(t, r.Allocate(addr("fd00:1::53")), ErrIPAllocated)
	assert.Error(t, r.Allocate(addr("fd00:1::")))  // network address
	assert.Error(t, r.Allocate(addr("fd00:2::1"))) // other prefix
	r.Release(addr("fd00:1::53"))
	assert.Equal(t, uint64(500), r.Used())
}

func TestIPRangeSparseScanWraps(t *testing.T) {
	// The sparse set scans like the bitmap: forward from the start, then
	// from the band's low end.
	s := &sparseSet{m: map[uint64]struct{}{}}
	for _, i := range []uint64{5, 6, 7, 2} {
		s.set(i)
	}
	i, ok := s.firstClear(2, 8, 5)
	assert.True(t, ok)
	assert.Equal(t, uint64(3), i)
	s.set(3)
	s.set(4)
	_, ok = s.firstClear(2, 8, 5)
	assert.False(t, ok)

	d := &denseSet{words: make([]uint64, 2)}
	for _, i := range []uint64{70, 71, 72, 65} {
		d.set(i)
	}
	i, ok = d.firstClear(65, 73, 70)
	assert.True(t, ok)
	assert.Equal(t, uint64(66), i)
	for i := uint64(0); i < 128; i++ {
		d.set(i)
	}
	d.clear(127)
	i, ok = d.firstClear(0, 128, 3)
	assert.True(t, ok)
	assert.Equal(t, uint64(127), i)
	_, ok = d.firstClear(0, 127, 3)
	assert.False(t, ok)
}

func TestIPRangeFullRangeDrawsNothing(t *testing.T) {
	// Upstream returns before drawing when the range is full, so a full
	// range leaves the stream where it was.
	r, err := NewIPRange("10.0.0.0/30")
	require.NoError(t, err)
	require.NoError(t, r.Allocate(addr("10.0.0.1")))
	require.NoError(t, r.Allocate(addr("10.0.0.2")))
	a, b := sim.NewRand(8, "x"), sim.NewRand(8, "x")
	_, err = r.AllocateNext(a)
	require.ErrorIs(t, err, ErrFull)
	assert.Equal(t, b.Uint64(), a.Uint64())
}

func TestIPRangeDeterminism(t *testing.T) {
	run := func(seed uint64) []netip.Addr {
		r, err := NewIPRange("10.0.0.0/16")
		require.NoError(t, err)
		rnd := sim.NewRand(seed, "apiserver/service-allocator")
		var out []netip.Addr
		for range 100 {
			ip, err := r.AllocateNext(rnd)
			require.NoError(t, err)
			out = append(out, ip)
		}
		return out
	}
	assert.Equal(t, run(42), run(42))
	assert.NotEqual(t, run(42), run(43))
}
