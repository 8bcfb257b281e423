package services

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"

	"github.com/kubesim/kubesim/sim"
)

// Errors of the range allocators, with upstream's texts
// (pkg/registry/core/service/ipallocator/interfaces.go,
// pkg/registry/core/service/portallocator/allocator.go).
var (
	// ErrFull: no value is left in the range.
	ErrFull = errors.New("range is full")
	// ErrIPAllocated: the requested IP is taken.
	ErrIPAllocated = errors.New("provided IP is already allocated")
	// ErrPortAllocated: the requested port is taken.
	ErrPortAllocated = errors.New("provided port is already allocated")
)

// IPNotInRangeError: the requested IP is outside the range, or is its
// network or (IPv4) broadcast address.
type IPNotInRangeError struct {
	IP         netip.Addr
	ValidRange string
}

func (e *IPNotInRangeError) Error() string {
	return fmt.Sprintf("the provided IP (%v) is not in the valid range. The range of valid IPs is %s", e.IP, e.ValidRange)
}

// IPRange allocates the addresses of one service CIDR
// (pkg/registry/core/service/ipallocator/ipallocator.go NewIPAllocator):
// every address except the network address and, for IPv4, the broadcast
// address; the lowest min(max(16, cidrSize/16), 256) of them form the
// static band (calculateRangeOffset; none when the CIDR holds 16 addresses
// or fewer).
type IPRange struct {
	prefix netip.Prefix
	family IPFamily
	hi     uint64 // IPv6: the fixed upper 64 bits (the prefix is /64 or longer)
	base   uint64 // low 64 bits of the first usable address
	r      bandedRange
}

// NewIPRange returns the allocator of cidr. IPv6 prefixes must be /64 or
// longer, as upstream requires; a range without a usable address is an
// error.
func NewIPRange(cidr string) (*IPRange, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return nil, fmt.Errorf("service CIDR %q: %v", cidr, err)
	}
	return newIPRange(p.Masked())
}

func newIPRange(p netip.Prefix) (*IPRange, error) {
	hostBits := p.Addr().BitLen() - p.Bits()
	fam := familyOf(p.Addr())
	if fam == IPv6 && p.Bits() < 64 {
		return nil, fmt.Errorf("shortest allowed prefix length for service CIDR is 64, got %d", p.Bits())
	}
	size := hostsPerNetwork(hostBits, fam)
	if size == 0 {
		return nil, fmt.Errorf("service CIDR %s has no usable address", p)
	}
	r := &IPRange{prefix: p, family: fam, r: newBandedRange(size, rangeOffsetIP(hostBits))}
	hi, lo := split(p.Addr())
	r.hi, r.base = hi, lo+1 // the network address is never allocated
	return r, nil
}

// hostsPerNetwork is upstream's count of allocatable addresses: 2^h - 1
// (no network address), minus the broadcast address for IPv4, capped at
// MaxUint64 (ipallocator.go hostsPerNetwork).
func hostsPerNetwork(hostBits int, fam IPFamily) uint64 {
	if hostBits >= 64 {
		return math.MaxUint64
	}
	n := uint64(1)<<hostBits - 1
	if fam == IPv4 && n > 0 {
		n--
	}
	return n
}

// rangeOffsetIP is the static band's size, min(max(16, cidrSize/16), 256),
// 0 when the CIDR holds 16 addresses or fewer
// (ipallocator/bitmap.go calculateRangeOffset; cidrSize is
// netutils.RangeSize, all addresses of the CIDR).
func rangeOffsetIP(hostBits int) uint64 {
	const minOffset, maxOffset, step = 16, 256, 16
	if hostBits >= 62 {
		return maxOffset // RangeSize saturates; cidrSize/16 is far above the cap
	}
	cidrSize := uint64(1) << hostBits
	if cidrSize <= minOffset {
		return 0
	}
	return min(max(minOffset, cidrSize/step), maxOffset)
}

// split returns an address as two 64-bit halves; IPv4 in the low half.
func split(a netip.Addr) (hi, lo uint64) {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		return 0, uint64(binary.BigEndian.Uint32(b[:]))
	}
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

// CIDR is the range's prefix.
func (r *IPRange) CIDR() netip.Prefix { return r.prefix }

// Family is the range's IP family.
func (r *IPRange) Family() IPFamily { return r.family }

// Size is the number of allocatable addresses.
func (r *IPRange) Size() uint64 { return r.r.size }

// StaticBandSize is the number of addresses in the lower (static) band;
// the upper band starts at IndexedIP(StaticBandSize()).
func (r *IPRange) StaticBandSize() uint64 { return r.r.static }

// Used is the number of allocated addresses.
func (r *IPRange) Used() uint64 { return r.r.used }

// Free is the number of addresses left.
func (r *IPRange) Free() uint64 { return r.r.size - r.r.used }

// IndexedIP is the i-th allocatable address (0 is network address + 1).
func (r *IPRange) IndexedIP(i uint64) netip.Addr {
	lo := r.base + i
	if r.family == IPv4 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], r.hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return netip.AddrFrom16(b)
}

// index is ip's position among the allocatable addresses.
func (r *IPRange) index(ip netip.Addr) (uint64, bool) {
	ip = ip.Unmap().WithZone("")
	if familyOf(ip) != r.family || !r.prefix.Contains(ip) {
		return 0, false
	}
	_, lo := split(ip)
	if lo < r.base {
		return 0, false // the network address
	}
	i := lo - r.base
	return i, i < r.r.size
}

// Contains reports whether ip is an allocatable address of the range.
func (r *IPRange) Contains(ip netip.Addr) bool {
	_, ok := r.index(ip)
	return ok
}

// Has reports whether ip is allocated.
func (r *IPRange) Has(ip netip.Addr) bool {
	i, ok := r.index(ip)
	return ok && r.r.taken.has(i)
}

// Allocate reserves ip: *IPNotInRangeError outside the range,
// ErrIPAllocated if taken.
func (r *IPRange) Allocate(ip netip.Addr) error {
	i, ok := r.index(ip)
	if !ok {
		return &IPNotInRangeError{IP: ip, ValidRange: r.prefix.String()}
	}
	if !r.r.take(i) {
		return ErrIPAllocated
	}
	return nil
}

// AllocateNext reserves a free address, preferring the upper band (see
// bandedRange.next), drawing from rnd; ErrFull when none is left.
func (r *IPRange) AllocateNext(rnd *sim.Rand) (netip.Addr, error) {
	i, ok := r.r.next(rnd)
	if !ok {
		return netip.Addr{}, ErrFull
	}
	return r.IndexedIP(i), nil
}

// Release returns ip to the range; releasing a free or foreign address does
// nothing, as upstream.
func (r *IPRange) Release(ip netip.Addr) {
	if i, ok := r.index(ip); ok {
		r.r.free(i)
	}
}
