// Package network models what crosses the cluster's network: topology
// (zones, racks), latency and bandwidth distributions, loss and partitions,
// and the message transport every component's traffic goes through.
// Subpackages hold Services, kube-proxy's modes, DNS and client traffic.
//
// It may import model and sim only.
package network
