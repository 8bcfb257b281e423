// Package kubeproxy is kube-proxy: the Proxier each node runs, which sees
// Services and EndpointSlices as its watch delivers them and programs its
// node's rules in timed syncs, and the endpoint selection those rules
// perform: which endpoints a node may send a service's traffic to, and
// which one each new connection gets in each proxy mode. It is
// deterministic: no goroutines, no clocks, no global randomness. Time is
// the kernel's or an argument (sim.Time), randomness an explicit *sim.Rand
// stream, and no map iteration reaches a result.
//
// # The proxier
//
// A Proxier follows upstream's BoundedFrequencyRunner: a change asks for a
// sync, which starts at once unless the previous one started less than
// MinSyncPeriod (1 s) ago; every SyncPeriod (30 s) a full resync runs. A
// sync takes simulated time from the CostModel, growing with the rules
// the mode writes (iptables rewrites every rule on a full sync and the
// KUBE-SERVICES chain plus the changed services otherwise; nftables and
// IPVS write what changed), and its rules take effect when it ends, with a
// ProxyRulesSynced journal event. Until then Route answers from the old
// rules, so a node keeps sending to endpoints that are gone. Route also
// charges the first packet's lookup: iptables walks KUBE-SERVICES up to the
// service; nftables and IPVS look it up in a map.
//
// # Usage
//
// A per-node proxier model does, for every service port:
//
//  1. On an EndpointSlice or Service change, build the endpoint list and
//     split it:
//
//     eps := kubeproxy.EndpointsFromSlices(slices, port.Name, port.Protocol, node.Name)
//     info := kubeproxy.NewServicePortInfo(svc, &port)
//     cats := kubeproxy.CategorizeEndpoints(eps, info, node, kubeproxy.DefaultFeatureGates())
//
//     cats.Cluster serves Cluster-policy traffic (narrowed by topology
//     hints, falling back to serving-terminating endpoints), cats.Local
//     serves Local-policy traffic (internalTrafficPolicy: Local for cluster
//     IPs, externalTrafficPolicy: Local for node ports and load balancers)
//     and is never widened to other nodes; !cats.HasAnyEndpoints means the
//     proxier rejects.
//
//  2. Keep one Chooser per (service port, policy) and hand it the keys:
//     chooser.SetEndpoints(kubeproxy.Keys(cats.Cluster)). SetEndpoints is
//     the only call that allocates.
//
//  3. For each new connection, chooser.Choose(flow, now). The Choice names
//     the endpoint (Index -1: none) and the linear work the data path did
//     (Steps), for the latency model. Choose never allocates.
//
// The caller must draw each chooser's randomness from its own named stream
// (kernel.Rand("kube-proxy/node-3/iptables")), so that adding a service or
// a node never shifts another chooser's draws.
//
// # Modes
//
//   - IPTablesChooser: KUBE-SVC chain, rule i of n matches with probability
//     1/(n-i) ("%0.10f", stored by the kernel as a 31-bit fraction); cost
//     linear in the chosen position. ClientIP affinity: one recent-match
//     rule per endpoint before the load-balancing rules.
//   - NFTablesChooser: numgen random mod n into a verdict map; one lookup.
//   - VirtualServer: IPVS with the kernel's rr, wrr, lc, wlc, sed, nq, sh and
//     dh schedulers, connection counts moved by Choose, Connect, Close and
//     Expire, persistence for ClientIP affinity.
//   - UserspaceRR: the legacy userspace proxy's shuffled round robin, with
//     TryConnect's four dial attempts and affinity reset on failure.
//
// AffinityTable is the ClientIP affinity state all four share; each mode
// fixes whether an entry idle for exactly the timeout still holds.
//
// The proxiers of one run can share an EndpointCache, so the endpoint
// list built from the same slices is computed once, not once per node.
package kubeproxy
