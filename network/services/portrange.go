package services

import (
	"fmt"

	"github.com/kubesim/kubesim/sim"
)

// PortNotInRangeError: the requested port is outside the node port range
// (pkg/registry/core/service/portallocator/allocator.go ErrNotInRange).
type PortNotInRangeError struct {
	ValidPorts string
}

func (e *PortNotInRangeError) Error() string {
	return fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %s", e.ValidPorts)
}

// PortRange allocates node ports (pkg/registry/core/service/portallocator):
// every port of the range; the lowest min(max(16, size/32), 128) form the
// static band (calculateRangeOffset; none when the range holds 16 ports or
// fewer). For 30000-32767 that is 86 ports, 30000-30085.
type PortRange struct {
	base int32
	r    bandedRange
}

// NewPortRange returns the allocator of a range written as
// --service-node-port-range takes it ("30000-32767", "30000+2767", "30000").
func NewPortRange(spec string) (*PortRange, error) {
	base, size, err := parsePortRange(spec)
	if err != nil {
		return nil, err
	}
	return &PortRange{base: int32(base), r: newBandedRange(uint64(size), rangeOffsetPort(uint64(size)))}, nil
}

// rangeOffsetPort is the static band's size (portallocator/allocator.go
// calculateRangeOffset: min 16, max 128, step 32).
func rangeOffsetPort(size uint64) uint64 {
	const minOffset, maxOffset, step = 16, 128, 32
	if size <= minOffset {
		return 0
	}
	return min(max(minOffset, size/step), maxOffset)
}

// String is the range as upstream prints it, "30000-32767".
func (p *PortRange) String() string {
	return fmt.Sprintf("%d-%d", p.base, p.base+int32(p.r.size)-1)
}

// Base is the lowest port.
func (p *PortRange) Base() int32 { return p.base }

// Size is the number of ports.
func (p *PortRange) Size() uint64 { return p.r.size }

// StaticBandSize is the number of ports in the lower (static) band; the
// upper band starts at Base()+StaticBandSize().
func (p *PortRange) StaticBandSize() uint64 { return p.r.static }

// Used is the number of allocated ports.
func (p *PortRange) Used() uint64 { return p.r.used }

// Free is the number of ports left.
func (p *PortRange) Free() uint64 { return p.r.size - p.r.used }

func (p *PortRange) index(port int32) (uint64, bool) {
	if port < p.base || uint64(port-p.base) >= p.r.size {
		return 0, false
	}
	return uint64(port - p.base), true
}

// Contains reports whether port is in the range.
func (p *PortRange) Contains(port int32) bool {
	_, ok := p.index(port)
	return ok
}

// Has reports whether port is allocated.
func (p *PortRange) Has(port int32) bool {
	i, ok := p.index(port)
	return ok && p.r.taken.has(i)
}

// Allocate reserves port: *PortNotInRangeError outside the range,
// ErrPortAllocated if taken.
func (p *PortRange) Allocate(port int32) error {
	i, ok := p.index(port)
	if !ok {
		return &PortNotInRangeError{ValidPorts: p.String()}
	}
	if !p.r.take(i) {
		return ErrPortAllocated
	}
	return nil
}

// AllocateNext reserves a free port, preferring the upper band, drawing
// from rnd; ErrFull when none is left.
func (p *PortRange) AllocateNext(rnd *sim.Rand) (int32, error) {
	i, ok := p.r.next(rnd)
	if !ok {
		return 0, ErrFull
	}
	return p.base + int32(i), nil
}

// Release returns port to the range; a free or foreign port is ignored.
func (p *PortRange) Release(port int32) {
	if i, ok := p.index(port); ok {
		p.r.free(i)
	}
}
