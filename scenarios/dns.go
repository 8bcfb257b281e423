package scenarios

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/network/dns"
	"github.com/kubesim/kubesim/network/kubeproxy"
	"github.com/kubesim/kubesim/network/traffic"
	"github.com/kubesim/kubesim/sim"
)

// KubeDNSService is the Service in front of the cluster's DNS pods; the
// kubelet writes its cluster IP into every ClusterFirst pod's resolv.conf.
const KubeDNSService = "kube-system/kube-dns"

// dnsQueryTime is CoreDNS's own time to answer from its zone.
const dnsQueryTime = 100 * time.Microsecond

// clusterDNS is the cluster's DNS as clients meet it: the zone CoreDNS
// serves (fed by the same watches as the kube-proxies), reached through
// the kube-dns Service, so a query goes through the client node's
// kube-proxy rules to a CoreDNS pod and fails when that pod is dead or
// unreachable.
type clusterDNS struct {
	d          *dataPlane
	zone       *dns.Zone
	server     *dns.Server
	resolvers  map[string]*resolverState
	nodeCaches map[string]*nodeCache
	result     dns.Result
}

// nodeCacheView is one resolver's door to its node's cache.
type nodeCacheView struct {
	nc     *nodeCache
	routed *routedNameserver
}

// Lookup implements dns.Nameserver.
func (v *nodeCacheView) Lookup(now sim.Time, qname string, qtype dns.Type) dns.Answer {
	v.nc.routed = v.routed
	v.nc.next = dns.CachingNameserver{Cache: v.nc.cache, Next: v.routed, Source: dns.SourceNodeCache}
	return v.nc.Lookup(now, qname, qtype)
}

// resolverState is one resolv.conf's resolver and its nameserver, which
// learns the querying client before each resolution.
type resolverState struct {
	r  *dns.Resolver
	ns *routedNameserver
}

// nodeCache is NodeLocal DNSCache on one node: answers it holds cost a
// hop to the node-local agent; the others go on to the kube-dns Service.
type nodeCache struct {
	d      *dataPlane
	node   string
	cache  *dns.Cache
	routed *routedNameserver
	next   dns.CachingNameserver
}

// Lookup implements dns.Nameserver.
func (n *nodeCache) Lookup(now sim.Time, qname string, qtype dns.Type) dns.Answer {
	if a, ok := n.cache.Get(now, qname, qtype); ok {
		n.routed.took += 2 * n.d.topo.Latency(n.node, n.node)
		a.From = dns.SourceNodeCache
		return a
	}
	return n.next.Lookup(now, qname, qtype)
}

func newClusterDNS(d *dataPlane) (*clusterDNS, error) {
	zone, err := dns.NewZone(dns.AddonZoneConfig())
	if err != nil {
		return nil, err
	}
	return &clusterDNS{d: d, zone: zone, server: dns.NewServer(zone, nil), resolvers: map[string]*resolverState{},
		nodeCaches: map[string]*nodeCache{}}, nil
}

func (c *clusterDNS) onService(svc *model.Service, present bool) {
	if present {
		c.zone.UpsertService(dns.ServiceFromModel(svc))
	} else {
		c.zone.DeleteService(svc.Namespace, svc.Name)
	}
}

func (c *clusterDNS) onSlice(sl *model.EndpointSlice, present bool) {
	if present {
		c.zone.UpsertEndpointSlice(sl)
	} else {
		c.zone.DeleteEndpointSlice(sl.Namespace, sl.Name)
	}
}

// routedNameserver sends each query to the kube-dns Service from the
// client's node and charges its round trip.
type routedNameserver struct {
	c       *clusterDNS
	src     traffic.Source
	took    time.Duration
	failure string
}

// Lookup implements dns.Nameserver.
func (n *routedNameserver) Lookup(now sim.Time, qname string, qtype dns.Type) dns.Answer {
	d := n.c.d
	svc, ok := d.services[KubeDNSService]
	ip, err := netip.ParseAddr(svcIP(svc))
	if !ok || err != nil {
		n.failure = "no cluster DNS Service " + KubeDNSService
		return dns.Answer{Rcode: dns.RcodeServFail}
	}
	p := d.Proxier(n.src.Node)
	if p == nil {
		n.failure = "client node down"
		return dns.Answer{Rcode: dns.RcodeServFail}
	}
	dst := netip.AddrPortFrom(ip, 53)
	choice, verdict, cost := p.Route(dst, kubeproxy.Flow{Src: n.src.IP, Dst: ip}, false)
	if verdict != kubeproxy.Forwarded {
		n.failure = "no DNS endpoint"
		return dns.Answer{Rcode: dns.RcodeServFail}
	}
	host, _, _ := net.SplitHostPort(choice.Key)
	b, ok := d.Endpoint(host)
	if !ok || !b.NodeUp || !b.Serving {
		n.failure = "DNS server unreachable"
		return dns.Answer{Rcode: dns.RcodeServFail}
	}
	out, ok1 := d.Path(n.src.Node, b.Node)
	back, ok2 := d.Path(b.Node, n.src.Node)
	if !ok1 || !ok2 {
		n.failure = "DNS server unreachable"
		return dns.Answer{Rcode: dns.RcodeServFail}
	}
	n.took += cost + out + dnsQueryTime + back
	return n.c.server.Lookup(now, qname, qtype)
}

func svcIP(s *model.Service) string {
	if s == nil {
		return ""
	}
	return s.Spec.ClusterIP
}

// resolve looks host up as src would: with its pod's resolv.conf (a node
// client uses ClusterFirstWithHostNet's), through the kube-dns Service.
func (c *clusterDNS) resolve(src traffic.Source, host string) (netip.Addr, time.Duration, string) {
	pod := dns.PodDNS{Namespace: "default", DNSPolicy: model.DNSClusterFirstWithHostNet, HostNetwork: true}
	if ip, ok := c.d.podIPs[src.Pod]; ok && src.Pod != "" {
		pod = dns.PodDNSFromModel(c.d.pods[ip])
	}
	key := fmt.Sprintf("%s|%s|%v", pod.Namespace, pod.DNSPolicy, pod.HostNetwork)
	local := c.d.r.Loaded.Scenario.Spec.Network != nil && c.d.r.Loaded.Scenario.Spec.Network.NodeLocalDNSCache
	if local {
		key += "|" + src.Node // one cache per node
	}
	st, ok := c.resolvers[key]
	if !ok {
		kubelet := dns.KubeletDNS{ClusterDomain: dns.DefaultClusterDomain}
		if ip := svcIP(c.d.services[KubeDNSService]); ip != "" {
			kubelet.ClusterDNS = []string{ip}
		}
		conf, _ := kubelet.PodResolvConf(pod)
		st = &resolverState{ns: &routedNameserver{c: c}}
		var ns dns.Nameserver = st.ns
		if local {
			nc := c.nodeCaches[src.Node]
			if nc == nil {
				cache, err := dns.NewCache(dns.NodeLocalDNSCacheConfig())
				if err != nil {
					return netip.Addr{}, 0, err.Error()
				}
				nc = &nodeCache{d: c.d, node: src.Node, cache: cache}
				c.nodeCaches[src.Node] = nc
			}
			// Each resolver's queries reach the shared node cache through
			// its own routed nameserver, which charges the round trips.
			ns = &nodeCacheView{nc: nc, routed: st.ns}
		}
		st.r = dns.NewResolver(conf, ns)
		c.resolvers[key] = st
	}
	st.ns.src, st.ns.took, st.ns.failure = src, 0, ""
	st.r.Resolve(c.d.r.Kernel.Now(), host, dns.TypeA, &c.result)
	if c.result.Outcome != dns.Success {
		if st.ns.failure != "" {
			return netip.Addr{}, st.ns.took, st.ns.failure
		}
		return netip.Addr{}, st.ns.took, fmt.Sprintf("cannot resolve %q", host)
	}
	addrs := c.result.Addrs(nil)
	if len(addrs) == 0 {
		return netip.Addr{}, st.ns.took, fmt.Sprintf("no address for %q", host)
	}
	return addrs[0], st.ns.took, ""
}
