package kubeproxy

import (
	"net/netip"
)

// The IPVS scheduling algorithms, re-implemented from the Linux kernel's
// net/netfilter/ipvs/ip_vs_{rr,wrr,lc,wlc,sed,nq,sh,dh}.c. Server indices
// stand for the kernel's list pointers, -1 for the list head.

// scheduleRR is ip_vs_rr_schedule: continue after the last chosen server,
// wrapping through the head once, to the first server with weight > 0.
func (v *VirtualServer) scheduleRR() (int, int) {
	n := len(v.dests)
	last := v.rrLast
	steps := 0
	i := last
	for pass := 0; pass < 2; pass++ {
		for i++; i < n; i++ {
			steps++
			if v.dests[i].Weight > 0 {
				v.rrLast = i
				return i, steps
			}
			if i == last {
				return -1, steps
			}
		}
		i = -1
		if last == -1 { // started at the head: one pass saw every server
			break
		}
	}
	return -1, steps
}

// wrrDestChanged is ip_vs_wrr_dest_changed (also ip_vs_wrr_init_svc's
// computation): restart from the head, di = gcd of the positive weights
// (1 if none), mw = max weight - (di - 1), so the last pass is at cw = 1.
func (v *VirtualServer) wrrDestChanged() {
	g, maxW := 0, 0
	for i := range v.dests {
		w := int(v.dests[i].Weight)
		if w > 0 {
			if g > 0 {
				g = gcd(w, g)
			} else {
				g = w
			}
		}
		if w > maxW {
			maxW = w
		}
	}
	if g == 0 {
		g = 1
	}
	v.wrrCL = -1
	v.wrrDI = g
	v.wrrMW = maxW - (g - 1)
	if v.wrrCW > v.wrrMW || v.wrrCW == 0 {
		v.wrrCW = v.wrrMW
	} else if v.wrrDI > 1 {
		v.wrrCW = (v.wrrCW/v.wrrDI)*v.wrrDI + 1
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// scheduleWRR is ip_vs_wrr_schedule: from the current server, take the next
// one with weight >= cw; at the end of the list lower cw by di, and when cw
// drops to 0 restart at mw. It terminates: mw <= the largest weight, so a
// full pass from the head always finds a server while mw > 0.
func (v *VirtualServer) scheduleWRR() (int, int) {
	n := len(v.dests)
	dest := v.wrrCL
	if v.wrrMW == 0 { // no server with weight > 0
		return -1, 0
	}
	last := dest
	stop := -2 // no stop server
	lastPass, restarted := false, false
	steps := 0
	for {
		for dest++; dest < n; dest++ {
			steps++
			if int(v.dests[dest].Weight) >= v.wrrCW {
				v.wrrCL = dest
				return dest, steps
			}
			if dest == stop {
				v.wrrCL = dest
				return -1, steps
			}
		}
		dest = -1
		v.wrrCW -= v.wrrDI
		if v.wrrCW <= 0 {
			v.wrrCW = v.wrrMW
			// A full pass at cw = 1 already failed: every server was seen.
			if lastPass || last == -1 {
				v.wrrCL = -1
				return -1, steps
			}
			restarted = true
		}
		lastPass = v.wrrCW <= v.wrrDI
		if lastPass && restarted && last != -1 {
			// The pass at cw = 1 began after last; finish it at last.
			stop = last
		}
	}
}

// lcOverhead is ip_vs_dest_conn_overhead (include/net/ip_vs.h): an active
// connection weighs 256 inactive ones, activeconns<<8 + inactconns.
func lcOverhead(d *RealServer) int64 {
	return int64(d.ActiveConns)<<8 + int64(d.InactConns)
}

// sedOverhead is ip_vs_sed_dest_overhead and ip_vs_nq_dest_overhead: the
// expected delay counts active connections only, plus the new one.
func sedOverhead(d *RealServer) int64 {
	return int64(d.ActiveConns) + 1
}

// scheduleLC is ip_vs_lc_schedule: the least overhead among servers with
// weight > 0; a strict < keeps the earliest of equal servers.
func (v *VirtualServer) scheduleLC() (int, int) {
	least := -1
	var loh int64
	for i := range v.dests {
		d := &v.dests[i]
		if d.Weight <= 0 {
			continue
		}
		if doh := lcOverhead(d); least < 0 || doh < loh {
			least, loh = i, doh
		}
	}
	return least, len(v.dests)
}

// scheduleWeightedLeast is ip_vs_wlc_schedule (overhead = lcOverhead) and
// ip_vs_sed_schedule (overhead = sedOverhead): the least overhead/weight,
// compared without division as loh*w(d) > doh*w(least). The first server
// with weight > 0 starts; later weight-0 servers can never win the strict
// comparison (0 > doh*w is false).
func (v *VirtualServer) scheduleWeightedLeast(overhead func(*RealServer) int64) (int, int) {
	n := len(v.dests)
	least := -1
	var loh int64
	i := 0
	for ; i < n; i++ {
		if v.dests[i].Weight > 0 {
			least, loh = i, overhead(&v.dests[i])
			break
		}
	}
	if least < 0 {
		return -1, n
	}
	for i++; i < n; i++ {
		d := &v.dests[i]
		doh := overhead(d)
		if loh*int64(d.Weight) > doh*int64(v.dests[least].Weight) {
			least, loh = i, doh
		}
	}
	return least, n
}

// scheduleNQ is ip_vs_nq_schedule: the first idle server (no active
// connections, weight > 0) at once, else as sed.
func (v *VirtualServer) scheduleNQ() (int, int) {
	least := -1
	var loh int64
	for i := range v.dests {
		d := &v.dests[i]
		if d.Weight <= 0 {
			continue
		}
		doh := sedOverhead(d)
		if d.ActiveConns == 0 {
			return i, i + 1
		}
		if least < 0 || loh*int64(d.Weight) > doh*int64(v.dests[least].Weight) {
			least, loh = i, doh
		}
	}
	return least, len(v.dests)
}

// hash32 is the kernel's hash_32 (include/linux/hash.h): multiply by
// GOLDEN_RATIO_32 and keep the top bits.
func hash32(val uint32, bits uint) uint32 {
	return (val * 0x61C88647) >> (32 - bits)
}

// addrFold is the sh/dh address key: an IPv4 address in host byte order,
// or the XOR of an IPv6 address's four 32-bit words.
func addrFold(a netip.Addr) uint32 {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	}
	b := a.As16()
	var x uint32
	for w := 0; w < 16; w += 4 {
		x ^= uint32(b[w])<<24 | uint32(b[w+1])<<16 | uint32(b[w+2])<<8 | uint32(b[w+3])
	}
	return x
}

// SHBucket is ip_vs_sh_hashkey: the bucket of a source address and port
// (port is 0 unless the sh-port flag is set) at offset.
func SHBucket(src netip.Addr, port uint16, offset uint32) int {
	return int((offset + hash32(uint32(port)+addrFold(src), ipvsTabBits)) & ipvsTabMask)
}

// DHBucket is ip_vs_dh_hashkey in current kernels: hash_32 of the
// destination address (kernels before the hash_32 change used the low 8
// bits of addr*2654435761).
func DHBucket(dst netip.Addr) int {
	return int(hash32(addrFold(dst), ipvsTabBits))
}

// shReassign is ip_vs_sh_reassign: walk the 256 buckets assigning servers
// in list order, each for weight consecutive buckets (at least one).
func (v *VirtualServer) shReassign() {
	n := len(v.dests)
	p, count := 0, int32(0)
	for b := range v.table {
		if n == 0 {
			v.table[b] = -1
			continue
		}
		v.table[b] = int32(p)
		count++
		if count >= v.dests[p].Weight {
			p = (p + 1) % n
			count = 0
		}
	}
}

// dhReassign is ip_vs_dh_reassign: servers in list order, one bucket each,
// round and round (weights ignored).
func (v *VirtualServer) dhReassign() {
	n := len(v.dests)
	for b := range v.table {
		if n == 0 {
			v.table[b] = -1
			continue
		}
		v.table[b] = int32(b % n)
	}
}

func (v *VirtualServer) available(i int32) bool {
	return i >= 0 && v.dests[i].Weight > 0
}

// scheduleSH is ip_vs_sh_schedule: the bucket of the source address; if
// its server is unavailable (weight 0), nothing, or with sh-fallback the
// first available server probing buckets from there.
func (v *VirtualServer) scheduleSH(f Flow) (int, int) {
	var port uint16
	if v.opts.SHPort {
		port = f.SrcPort
	}
	ihash := uint32(SHBucket(f.Src, port, 0))
	d := v.table[ihash]
	if v.available(d) {
		return int(d), 1
	}
	if !v.opts.SHFallback || d < 0 {
		return -1, 1
	}
	// ip_vs_sh_get_fallback: note the kernel adds ihash again inside
	// ip_vs_sh_hashkey, so the probe is at offset + 2*ihash.
	steps := 1
	for offset := uint32(0); offset < ipvsTabSize; offset++ {
		roffset := (offset + ihash) % ipvsTabSize
		d = v.table[SHBucket(f.Src, port, roffset)]
		steps++
		if d < 0 {
			break
		}
		if v.available(d) {
			return int(d), steps
		}
	}
	return -1, steps
}

// scheduleDH is ip_vs_dh_schedule: the bucket of the destination address;
// nothing if its server is unavailable. kube-proxy's destination is the
// service address, the same for every client: dh sends a whole service to
// one server.
func (v *VirtualServer) scheduleDH(f Flow) (int, int) {
	d := v.table[DHBucket(f.Dst)]
	if !v.available(d) {
		return -1, 1
	}
	return int(d), 1
}
