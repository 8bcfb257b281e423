package services

import (
	"testing"

	"github.com/kubesim/kubesim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPortRangeGeometry(t *testing.T) {
	// Static band: min(max(16, size/32), 128), 0 when size <= 16.
	tests := []struct {
		spec         string
		str          string
		base         int32
		size, static uint64
	}{
		{"30000-32767", "30000-32767", 30000, 2768, 86},
		{"30000+2767", "30000-32767", 30000, 2768, 86},
		{" 30000-32767 ", "30000-32767", 30000, 2768, 86},
		{"30000-30015", "30000-30015", 30000, 16, 0},
		{"30000-30016", "30000-30016", 30000, 17, 16},
		{"30000-30031", "30000-30031", 30000, 32, 16},
		{"30000-30511", "30000-30511", 30000, 512, 16},
		{"30000-31023", "30000-31023", 30000, 1024, 32},
		{"30000-34095", "30000-34095", 30000, 4096, 128},
		{"20000-29999", "20000-29999", 20000, 10000, 128},
		{"8080", "8080-8080", 8080, 1, 0},
	}
	for _, tc := range tests {
		p, err := NewPortRange(tc.spec)
		require.NoError(t, err, tc.spec)
		assert.Equal(t, tc.str, p.String(), tc.spec)
		assert.Equal(t, tc.base, p.Base(), tc.spec)
		assert.Equal(t, tc.size, p.Size(), tc.spec)
		assert.Equal(t, tc.static, p.StaticBandSize(), tc.spec)
	}
	for _, bad := range []string{"", "0-10", "30000-29999", "abc", "30000-70000", "30000+x", "30000+-1", "a-b"} {
		_, err := NewPortRange(bad)
		assert.Error(t, err, bad)
	}
}

func TestPortRangeAllocate(t *testing.T) {
	p, err := NewPortRange(DefaultNodePortRange)
	require.NoError(t, err)
	const notIn = "provided port is not in the valid range. The range of valid ports is 30000-32767"
	tests := []struct {
		port int32
		want string
	}{
		{29999, notIn},
		{32768, notIn},
		{8080, notIn},
		{30000, ""},
		{32767, ""},
		{30000, "provided port is already allocated"},
	}
	for i, tc := range tests {
		err := p.Allocate(tc.port)
		if tc.want == "" {
			assert.NoError(t, err, "%d", i)
		} else {
			assert.EqualError(t, err, tc.want, "%d", i)
		}
	}
	assert.ErrorIs(t, p.Allocate(32767), ErrPortAllocated)
	var nir *PortNotInRangeError
	assert.ErrorAs(t, p.Allocate(1), &nir)
	p.Release(30000)
	p.Release(12)
	assert.False(t, p.Has(30000))
	assert.NoError(t, p.Allocate(30000))
	assert.Equal(t, uint64(2), p.Used())
	assert.Equal(t, uint64(2766), p.Free())
}

func TestPortRangeBandPreference(t *testing.T) {
	// 30000-30031: static band 30000-30015, dynamic band 30016-30031.
	p, err := NewPortRange("30000-30031")
	require.NoError(t, err)
	require.NoError(t, p.Allocate(30020)) // a static request in the dynamic band
	rnd := sim.NewRand(11, "test")
	for i := range 15 {
		port, err := p.AllocateNext(rnd)
		require.NoError(t, err)
		assert.True(t, port >= 30016 && port <= 30031, "upper #%d got %d", i, port)
	}
	for i := range 16 {
		port, err := p.AllocateNext(rnd)
		require.NoError(t, err)
		assert.True(t, port >= 30000 && port <= 30015, "lower #%d got %d", i, port)
	}
	_, err = p.AllocateNext(rnd)
	assert.EqualError(t, err, "range is full")

	// The default range's dynamic band starts at 30086.
	d, err := NewPortRange(DefaultNodePortRange)
	require.NoError(t, err)
	for range 1000 {
		port, err := d.AllocateNext(rnd)
		require.NoError(t, err)
		require.True(t, port >= 30086 && port <= 32767, "%d", port)
	}
}
