package services

import (
	"math/bits"

	"github.com/kubesim/kubesim/sim"
)

// denseMaxSize is the largest range kept as a bitmap (2 MiB of words); a
// larger one (an IPv4 range wider than /8, an IPv6 range wider than /104)
// keeps its taken offsets in a set instead, since it can never be filled.
const denseMaxSize = 1 << 24

// bandedRange is the allocation state the IP and port allocators share:
// offsets [0, size), of which [0, static) is the lower band, kept for
// user-chosen (static) values, and [static, size) the upper band that
// dynamic allocation prefers (KEP-3070 for ClusterIPs, KEP-3668 for
// NodePorts; pkg/registry/core/service/allocator/bitmap.go
// randomScanStrategyWithOffset).
type bandedRange struct {
	size    uint64
	static  uint64
	taken   offsetSet
	used    uint64
	usedLow uint64 // used offsets below static
}

func newBandedRange(size, static uint64) bandedRange {
	var s offsetSet
	if size <= denseMaxSize {
		s = &denseSet{words: make([]uint64, (size+63)/64)}
	} else {
		s = &sparseSet{m: map[uint64]struct{}{}}
	}
	return bandedRange{size: size, static: static, taken: s}
}

// take marks offset i used; false if it already was.
func (b *bandedRange) take(i uint64) bool {
	if b.taken.has(i) {
		return false
	}
	b.taken.set(i)
	b.used++
	if i < b.static {
		b.usedLow++
	}
	return true
}

// free marks offset i unused; freeing an unused offset does nothing.
func (b *bandedRange) free(i uint64) {
	if !b.taken.has(i) {
		return
	}
	b.taken.clear(i)
	b.used--
	if i < b.static {
		b.usedLow--
	}
}

// next takes a free offset the way upstream's random scan with offset does:
// when the range is full, nothing is drawn and false is returned; otherwise
// a start is drawn uniformly in the upper band and the band is scanned
// forward from it, wrapping inside the band; only when the upper band has
// no free offset is a second start drawn in the lower band and that band
// scanned the same way. Draws: one, or two when the upper band is full.
func (b *bandedRange) next(rnd *sim.Rand) (uint64, bool) {
	if b.used >= b.size {
		return 0, false
	}
	if upper := b.size - b.static; upper > 0 {
		start := b.static + rnd.Uint64N(upper)
		if b.used-b.usedLow < upper {
			if i, ok := b.taken.firstClear(b.static, b.size, start); ok {
				b.take(i)
				return i, true
			}
		}
	}
	if b.static > 0 {
		start := rnd.Uint64N(b.static)
		if i, ok := b.taken.firstClear(0, b.static, start); ok {
			b.take(i)
			return i, true
		}
	}
	return 0, false
}

// offsetSet records which offsets are taken.
type offsetSet interface {
	has(i uint64) bool
	set(i uint64)
	clear(i uint64)
	// firstClear returns the first clear offset met scanning [start, hi)
	// and then [lo, start), with lo <= start < hi.
	firstClear(lo, hi, start uint64) (uint64, bool)
}

// denseSet is a bitmap; scans skip full 64-bit words.
type denseSet struct{ words []uint64 }

func (s *denseSet) has(i uint64) bool { return s.words[i>>6]&(1<<(i&63)) != 0 }
func (s *denseSet) set(i uint64)      { s.words[i>>6] |= 1 << (i & 63) }
func (s *denseSet) clear(i uint64)    { s.words[i>>6] &^= 1 << (i & 63) }

func (s *denseSet) firstClear(lo, hi, start uint64) (uint64, bool) {
	if i, ok := s.clearIn(start, hi); ok {
		return i, true
	}
	return s.clearIn(lo, start)
}

// clearIn returns the lowest clear offset in [from, to).
func (s *denseSet) clearIn(from, to uint64) (uint64, bool) {
	for from < to {
		w := from >> 6
		word := s.words[w] | (uint64(1)<<(from&63) - 1) // bits below from count as taken
		if word != ^uint64(0) {
			i := w<<6 + uint64(bits.TrailingZeros64(^word))
			return i, i < to
		}
		from = (w + 1) << 6
	}
	return 0, false
}

// sparseSet holds the taken offsets of a range too large for a bitmap. It is
// only looked up, never iterated. A scan probes consecutive offsets, so it
// ends after at most (taken offsets in the band + 1) probes.
type sparseSet struct{ m map[uint64]struct{} }

func (s *sparseSet) has(i uint64) bool { _, ok := s.m[i]; return ok }
func (s *sparseSet) set(i uint64)      { s.m[i] = struct{}{} }
func (s *sparseSet) clear(i uint64)    { delete(s.m, i) }

func (s *sparseSet) firstClear(lo, hi, start uint64) (uint64, bool) {
	for i := start; i < hi; i++ {
		if !s.has(i) {
			return i, true
		}
	}
	for i := lo; i < start; i++ {
		if !s.has(i) {
			return i, true
		}
	}
	return 0, false
}
