// Package dns is cluster DNS as a pure, deterministic library: the records
// CoreDNS's kubernetes plugin serves for Services, endpoints and pods, the
// resolv.conf the kubelet writes for each dnsPolicy, glibc's search-list
// expansion, and TTL caches. A simulated client resolves a name with it
// before sending a request, and learns which queries went where, so that
// the simulator can charge one round trip per query. No goroutines, no
// clocks (time is a sim.Time argument), no randomness, and no map order
// reaches a result: answers are sorted.
//
// # Usage
//
//	zone, _ := dns.NewZone(dns.ZoneConfig{})             // cluster.local, ttl 5, pods disabled
//	zone.UpsertService(dns.ServiceFromModel(svc))         // on Service add/update
//	zone.UpsertEndpointSlice(slice)                       // on EndpointSlice add/update
//	zone.DeleteService(ns, name); zone.DeleteEndpointSlice(ns, name)
//
//	world := dns.NewStaticZone(900)                       // names outside the cluster
//	world.Add(dns.RR{Name: "example.com.", Type: dns.TypeA, TTL: 300, Addr: ip})
//	server := dns.NewServer(zone, world)                  // CoreDNS: kubernetes + forward
//
//	kubelet := dns.KubeletDNS{ClusterDNS: []string{"10.96.0.10"}, ClusterDomain: "cluster.local", Host: &nodeConf}
//	conf, events := kubelet.PodResolvConf(dns.PodDNSFromModel(pod))  // events: journal them
//
//	cache, _ := dns.NewCache(dns.ClientCacheConfig(1024)) // optional, per client or per node
//	ns := &dns.CachingNameserver{Cache: cache, Next: server, Source: dns.SourceClientCache}
//	r := dns.NewResolver(conf, ns)
//	var res dns.Result
//	r.Resolve(now, "web", dns.TypeA, &res)
//	for _, q := range res.Queries { ... charge q.Sends round trips by q.From ... }
//	if res.Outcome == dns.Success { addrs := res.Addrs(nil) ... }
//
// The caller's duties: feed the zone every Service and EndpointSlice change
// in the order the watch delivers them (and pods, for "pods verified");
// build one Resolver per client (it keeps a scratch buffer and a table of
// the names it has queried, so repeated resolutions allocate nothing);
// pick among several answer addresses with its own seeded stream.
//
// # Records
//
// For a Service web in namespace shop (CoreDNS plugin/kubernetes, the
// Kubernetes DNS specification, docs "DNS for Services and Pods"):
//
//	web.shop.svc.cluster.local.            A/AAAA  cluster IPs; headless: ready endpoint IPs
//	                                       CNAME   externalName (ExternalName Services)
//	                                       SRV     0 w port target, every port
//	_http._tcp.web.shop.svc.cluster.local. SRV     the named port only; A/AAAA as above
//	web-0.web.shop.svc.cluster.local.      A/AAAA  the endpoint with hostname web-0
//	10-1-2-3.web.shop.svc.cluster.local.   A       an endpoint without hostname
//	10-1-2-3.shop.pod.cluster.local.       A       pods insecure: any address; verified: a pod's
//
// SRV targets are the Service name for a cluster IP, the endpoint names for
// a headless Service; the weight is floor(100/n) as CoreDNS computes it.
// Endpoints are published when ready (an unset condition counts as ready),
// or all of them with publishNotReadyAddresses. A headless Service without
// ready endpoints does not exist (NXDOMAIN). NXDOMAIN means the name does
// not exist; NODATA (NOERROR, no records) that it exists without the type
// asked, like AAAA of an IPv4 Service or <namespace>.svc.cluster.local.
// Every record has the zone TTL (plugin default 5 s; the addon Corefile
// sets 30); negative answers carry min(ttl, 300) from the zone's SOA.
//
// Pods: the plugin's default is "pods disabled" (every pod name NXDOMAIN);
// the Corefile of kubeadm and cluster/addons sets "pods insecure", which
// AddonZoneConfig reproduces. ZoneConfig{} follows the plugin default.
//
// # Resolution
//
// PodResolvConf is the kubelet's GetPodDNS: ClusterFirst gives nameserver
// = the kube-dns IP, search <ns>.svc.<domain> svc.<domain> <domain> + the
// node's domains, options ndots:5. Resolver.Resolve is glibc's res_search
// on it: "web.shop" from namespace default asks
// web.shop.default.svc.cluster.local. (NXDOMAIN) then
// web.shop.svc.cluster.local. (answer); "example.com" asks the three
// cluster domains, the node's domains, then example.com. — every external
// name with fewer than five dots costs the whole search list first.
//
// # Caches
//
// A Cache keeps answers by (name, type) for their TTL clamped to the
// configured bounds, and expires them at exactly stored+lifetime:
//
//   - ClientCacheConfig: the record TTL itself, negative answers the SOA
//     negative TTL; with the default zone 5 s and 5 s;
//   - CoreDNSCacheConfig: the cache plugin's defaults, success 5..3600 s,
//     denial 5..1800 s; in front of the kubernetes plugin the zone's 5 s
//     wins, so cluster answers still live 5 s;
//   - NodeLocalDNSCacheConfig: NodeLocal DNSCache's cluster block, success
//     capped at 30 s, denial at 5 s;
//   - AddonServerCacheConfig: "cache 30" of the addon Corefile.
//
// Answer.From tells which layer answered; Query.Sends how many datagrams
// left the client.
//
// # Not modeled
//
// Reverse (PTR) zones, the dns-version TXT record, autopath, stub domains,
// EDNS and truncation, wildcard port or protocol labels, musl's resolver,
// getaddrinfo's parallel A+AAAA, the loadbalance plugin's shuffle, and
// nameserver failover on timeouts (the caller owns packet loss).
package dns
