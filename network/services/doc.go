// Package services holds the Service API's allocation and semantic rules:
// which cluster IP, node ports and health check node port a Service gets
// when it is created, what an update keeps, gives up or newly takes, and
// what a delete frees. It re-implements upstream's allocators
// (pkg/registry/core/service/ipallocator, .../portallocator,
// .../allocator/bitmap.go) and the Service REST storage and strategy that
// drive them (pkg/registry/core/service/storage/alloc.go, storage.go,
// strategy.go), as a pure library: no goroutines, no clocks, randomness
// only from the *sim.Rand given to New, no map iteration reaching a result.
// The same seed and the same sequence of calls give the same addresses and
// ports.
//
// # Usage
//
// The apiserver's Service admission hook owns one Allocator per cluster:
//
//	alloc, err := services.New(services.Config{}, kernel.Rand("apiserver/service-allocator"))
//
//	// create, after model.SetDefaults and model.Validate:
//	err = alloc.Admit(nil, svc)        // fills clusterIP(s), nodePorts
//	// update, with the stored object:
//	err = alloc.Admit(stored, svc)     // patches, wipes, allocates, releases
//	// delete, with the stored object:
//	alloc.Release(stored)
//
// The caller's duties: call Admit after defaulting and after every other
// check of the write, so that a write refused later does not leave an
// allocation behind (if it can still be refused, undo with Release or a
// reverse Admit); call Release exactly once per deleted Service with the
// object as stored; pass errors through unchanged — they are
// *model.StatusError (Invalid, or InternalError for a full range) worded as
// upstream's, e.g.
//
//	spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12
//	spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated
//	Internal error occurred: failed to allocate a serviceIP: range is full
//
// # Cluster IPs
//
// Config.ServiceCIDRs is --service-cluster-ip-range (default 10.96.0.0/12;
// a second CIDR of the other family makes the cluster dual-stack). In each
// range the network address and, for IPv4, the broadcast address are
// never allocated. The first usable address (.1) of the primary range is
// reserved at construction for default/kubernetes, the Service the
// apiserver creates for itself: that Service gets it, asked or not; any
// other Service asking for it is told it is already allocated; releasing
// it makes it reserved again, not free.
//
// Each range is split in two bands (KEP-3070): the lowest
// min(max(16, cidrSize/16), 256) addresses form the static band (none for
// a /28 or smaller), the rest the dynamic band. A dynamic allocation draws
// a random start in the dynamic band and takes the first free address
// scanning forward, wrapping inside the band; only when the dynamic band
// is full does it draw a start in the static band and scan that. A
// requested (static) address may be anywhere in the range. Full range:
// "failed to allocate a serviceIP: range is full".
//
// "None" makes a Service headless and ExternalName Services get no IP.
// The cluster IP is immutable ("may not change once set"); an update that
// omits it keeps it; changing the type to ExternalName releases it, from
// ExternalName to another type allocates one. ipFamilies and
// ipFamilyPolicy are not modeled, so every Service is single-stack, as
// upstream defaults it: of the family of the IP it asks for (which must be
// configured), else of the primary family; two clusterIPs are refused.
//
// # Node ports
//
// Config.NodePortRange is --service-node-port-range (default
// 30000-32767), split the same way (KEP-3668) with the static band
// min(max(16, size/32), 128) ports long (86: 30000-30085). Every port of a
// NodePort or LoadBalancer Service gets a node port, requested ones
// checked against range and use; on create, ports sharing a port number
// (53/TCP and 53/UDP) share a node port. A LoadBalancer Service with
// externalTrafficPolicy Local also gets a healthCheckNodePort, which the
// Allocator records (HealthCheckNodePort) until model.ServiceSpec carries
// it. Changing the type to ClusterIP or ExternalName releases the node
// ports, and leaving LoadBalancer/Local the health check port.
//
// # Semantics checked here
//
// Validate adds to model.Validate the rules that decide allocation and
// proxying: protocol values, unique port names, (protocol, port) and
// (protocol, nodePort) pairs, nodePort forbidden on ClusterIP, "None"
// forbidden on NodePort and LoadBalancer, clusterIP/clusterIPs agreement
// and form, ClientIP affinity timeout in (0, 86400], externalTrafficPolicy
// only on externally accessible Services, internalTrafficPolicy values.
// The defaults (type, sessionAffinity and its timeout, traffic policies,
// port protocol and targetPort) are model.SetDefaults'.
package services
