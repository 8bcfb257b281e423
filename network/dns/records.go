package dns

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// node is the precomputed record set of one name. Slices are never mutated
// after the node is built; each is clipped (len == cap) so that an append
// by a reader copies.
type node struct {
	a, aaaa []RR
	cname   []RR
	srv     []RR
	extra   []RR // additional section of an SRV answer
}

// item is one (address, port) a name stands for: CoreDNS's msg.Service as
// findServices returns it.
type item struct {
	addr   netip.Addr
	port   int32 // -1: no port
	pname  string
	proto  string
	target string // SRV target: the Service name or the endpoint's name
	label  string // endpoint label; "" for cluster-IP items
}

// rebuild recomputes every name of one Service after it or one of its slices
// changed (CoreDNS computes the same answers per query in findServices;
// kubesim precomputes them so lookups do not allocate):
//
//   - ExternalName: <svc>.<ns>.svc.<domain> CNAME <externalName> (no record
//     when externalName is an IP, as CoreDNS only serves a CNAME-type host);
//   - ClusterIP: <svc>.<ns>.svc.<domain> A/AAAA the cluster IPs, SRV per port
//     targeting the Service name; it exists when the Service has ports
//     (without a parseable cluster IP it exists with no address: NODATA);
//   - headless: <svc>.<ns>.svc.<domain> A/AAAA the ready endpoints, SRV per
//     endpoint port targeting the endpoint's name; it exists when at least
//     one endpoint is ready (otherwise NXDOMAIN, as upstream);
//   - _<port>._<proto>.<svc>... for every named port: the same, restricted to
//     that port;
//   - <endpoint>.<svc>... for every ready endpoint of a non-ExternalName
//     Service (headless or not, as CoreDNS's endpoint branch): its address,
//     and SRV for its ports. <endpoint> is the hostname, else the dashed IP.
func (z *Zone) rebuild(st *svcState) {
	for _, n := range st.owned {
		delete(z.names, n)
	}
	st.owned = st.owned[:0]
	s := st.svc
	if s == nil {
		return
	}
	base := strings.ToLower(s.Name) + "." + strings.ToLower(s.Namespace) + "." + z.svcSuffix

	if s.Type == model.ServiceTypeExternalName {
		if s.ExternalName == "" {
			return
		}
		if _, isIP := parseIP(s.ExternalName); isIP {
			return
		}
		target := Canonical(s.ExternalName)
		z.put(st, base, &node{
			cname: clip([]RR{{Name: base, Type: TypeCNAME, TTL: z.ttl, Target: target}}),
			// CoreDNS's SRV answer for a CNAME-type host: priority 0, the
			// whole weight, port 0 (the Service has no port to give).
			srv: clip([]RR{{Name: base, Type: TypeSRV, TTL: z.ttl, Weight: 100, Target: target}}),
		})
		return
	}

	eps := z.endpointItems(st, base)

	var baseItems []item
	baseExists := false
	if s.Headless() {
		baseItems = eps
		baseExists = len(eps) > 0
	} else {
		for _, p := range s.Ports {
			for _, ip := range s.ClusterIPs {
				addr, ok := parseIP(ip)
				if !ok {
					continue
				}
				baseItems = append(baseItems, item{addr: addr, port: p.Port, pname: strings.ToLower(p.Name), proto: protoLabel(p.Protocol), target: base})
			}
		}
		baseExists = len(s.Ports) > 0
	}
	if !baseExists {
		// Endpoint names still resolve for a ClusterIP Service without
		// ports; a headless one without ready endpoints has none.
		z.putEndpointNames(st, base, eps)
		return
	}
	z.put(st, base, z.buildNode(base, baseItems))

	// Named ports, in name order.
	type portKey struct{ name, proto string }
	var ports []portKey
	if s.Headless() {
		for _, it := range eps {
			if it.pname != "" && it.port >= 0 {
				ports = append(ports, portKey{it.pname, it.proto})
			}
		}
	} else {
		for _, p := range s.Ports {
			if p.Name != "" {
				ports = append(ports, portKey{strings.ToLower(p.Name), protoLabel(p.Protocol)})
			}
		}
	}
	slices.SortFunc(ports, func(a, b portKey) int {
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.proto, b.proto))
	})
	ports = slices.Compact(ports)
	var sub []item
	for _, pk := range ports {
		sub = sub[:0]
		for _, it := range baseItems {
			if it.pname == pk.name && it.proto == pk.proto {
				sub = append(sub, it)
			}
		}
		name := "_" + pk.name + "._" + pk.proto + "." + base
		z.put(st, name, z.buildNode(name, sub))
	}
	z.putEndpointNames(st, base, eps)
}

// endpointItems lists the (address, port) pairs of the Service's endpoints
// that DNS publishes: ready ones, or all with publishNotReadyAddresses.
// Slices are taken in name order, endpoints in slice order.
func (z *Zone) endpointItems(st *svcState, base string) []item {
	publishAll := st.svc.PublishNotReadyAddresses
	names := make([]string, 0, len(st.slices))
	for n := range st.slices {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []item
	for _, n := range names {
		ss := st.slices[n]
		for _, e := range ss.endpoints {
			if !e.ready && !publishAll {
				continue
			}
			target := e.label + "." + base
			for _, p := range ss.ports {
				out = append(out, item{addr: e.addr, port: p.port, pname: p.name, proto: p.proto, target: target, label: e.label})
			}
		}
	}
	return out
}

// putEndpointNames adds <endpoint>.<base> for every endpoint label.
func (z *Zone) putEndpointNames(st *svcState, base string, eps []item) {
	if len(eps) == 0 {
		return
	}
	byLabel := slices.Clone(eps)
	slices.SortStableFunc(byLabel, func(a, b item) int { return cmp.Compare(a.label, b.label) })
	for i := 0; i < len(byLabel); {
		j := i
		for j < len(byLabel) && byLabel[j].label == byLabel[i].label {
			j++
		}
		name := byLabel[i].target
		z.put(st, name, z.buildNode(name, byLabel[i:j]))
		i = j
	}
}

func (z *Zone) put(st *svcState, name string, n *node) {
	z.names[name] = n
	st.owned = append(st.owned, name)
}

// buildNode turns the items of one name into its answers, as CoreDNS's
// plugin/backend_lookup.go A, AAAA and SRV do:
//   - A/AAAA: one record per distinct address;
//   - SRV: priority 0, weight floor(100/n) (at least 1) where n counts every
//     item of the name, one record per distinct (target, port), items
//     without a port skipped; the additional section holds one address
//     record per distinct (target, address).
//
// Upstream returns records in informer order and the "loadbalance" plugin
// shuffles A/AAAA per response; kubesim sorts them (addresses; SRV by
// target then port) and leaves the choice among them to the caller's
// seeded stream.
func (z *Zone) buildNode(name string, items []item) *node {
	n := &node{}
	for _, it := range items {
		rr := RR{Name: name, TTL: z.ttl, Addr: it.addr}
		if it.addr.Is4() {
			rr.Type = TypeA
			n.a = append(n.a, rr)
		} else {
			rr.Type = TypeAAAA
			n.aaaa = append(n.aaaa, rr)
		}
	}
	n.a = sortAddrs(n.a)
	n.aaaa = sortAddrs(n.aaaa)

	weight := uint16(1)
	if len(items) > 0 && 100/len(items) > 1 {
		weight = uint16(100 / len(items))
	}
	for _, it := range items {
		if it.port < 0 {
			continue
		}
		n.srv = append(n.srv, RR{Name: name, Type: TypeSRV, TTL: z.ttl, Weight: weight, Port: uint16(it.port), Target: it.target})
		t := TypeA
		if !it.addr.Is4() {
			t = TypeAAAA
		}
		n.extra = append(n.extra, RR{Name: it.target, Type: t, TTL: z.ttl, Addr: it.addr})
	}
	slices.SortFunc(n.srv, func(a, b RR) int {
		return cmp.Or(cmp.Compare(a.Target, b.Target), cmp.Compare(a.Port, b.Port))
	})
	n.srv = clip(slices.CompactFunc(n.srv, func(a, b RR) bool { return a.Target == b.Target && a.Port == b.Port }))
	slices.SortFunc(n.extra, func(a, b RR) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), a.Addr.Compare(b.Addr))
	})
	n.extra = clip(slices.CompactFunc(n.extra, func(a, b RR) bool { return a.Name == b.Name && a.Addr == b.Addr }))
	return n
}

func sortAddrs(rrs []RR) []RR {
	slices.SortFunc(rrs, func(a, b RR) int { return a.Addr.Compare(b.Addr) })
	return clip(slices.CompactFunc(rrs, func(a, b RR) bool { return a.Addr == b.Addr }))
}

// clip returns s with capacity equal to its length (nil when empty).
func clip(s []RR) []RR {
	if len(s) == 0 {
		return nil
	}
	return s[:len(s):len(s)]
}

// withOwner returns a copy of rrs owned by name.
func withOwner(rrs []RR, name string) []RR {
	if len(rrs) == 0 {
		return nil
	}
	out := make([]RR, len(rrs))
	copy(out, rrs)
	for i := range out {
		out[i].Name = name
	}
	return out
}
