package kubelet

import (
	"fmt"
	"hash/fnv"
	"net/netip"
)

// ipam hands out pod IPs from the node's podCIDR like the host-local IPAM
// plugin: the next free address after the last one given, skipping the
// network address and the gateway (.1). Without a podCIDR the node gets a
// /24 in 10.0.0.0/8 derived from a hash of its name (set spec.podCIDR to
// rule out collisions between nodes).
type ipam struct {
	prefix netip.Prefix
	last   netip.Addr
	used   map[netip.Addr]bool
}

func newIPAM(nodeName, podCIDR string) *ipam {
	p, err := netip.ParsePrefix(podCIDR)
	if err != nil || !p.Addr().Is4() || p.Bits() > 30 {
		h := fnv.New32a()
		_, _ = h.Write([]byte(nodeName))
		v := h.Sum32()
		p = netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/24", byte(v>>8), byte(v)))
	}
	p = p.Masked()
	return &ipam{prefix: p, last: p.Addr().Next(), used: map[netip.Addr]bool{}}
}

// allocate returns a free address, or "" when the range is exhausted.
func (a *ipam) allocate() string {
	ip := a.last
	for range 1 << min(32-a.prefix.Bits(), 20) {
		ip = ip.Next()
		if !a.prefix.Contains(ip) || isBroadcast(a.prefix, ip) {
			ip = a.prefix.Addr().Next().Next() // wrap past network and gateway
		}
		if !a.used[ip] {
			a.used[ip] = true
			a.last = ip
			return ip.String()
		}
	}
	return ""
}

// claim marks an address in use (pods adopted after a restart).
func (a *ipam) claim(s string) {
	if ip, err := netip.ParseAddr(s); err == nil && a.prefix.Contains(ip) {
		a.used[ip] = true
	}
}

func (a *ipam) release(s string) {
	if ip, err := netip.ParseAddr(s); err == nil {
		delete(a.used, ip)
	}
}

func isBroadcast(p netip.Prefix, ip netip.Addr) bool {
	b := ip.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	host := uint32(1)<<(32-p.Bits()) - 1
	return v&host == host
}

// nodeIP derives a stable InternalIP for a node that declares none.
func nodeIP(nodeName string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(nodeName))
	v := h.Sum32() & 0xfffff
	return fmt.Sprintf("172.%d.%d.%d", 16+v>>16, byte(v>>8), 1+byte(v)%254)
}
