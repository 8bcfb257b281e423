// Package network models what crosses the cluster's network: the topology
// (nodes in zones, one-way latency per relation, each node's interface
// bandwidth) and the Partitions in force (cuts between nodes, zones and the
// control plane, one way or both, and degraded links with latency and
// loss), which every simulated message consults. Subpackages hold Service
// address allocation (services), kube-proxy (kubeproxy), cluster DNS (dns),
// NetworkPolicy (netpolicy) and client traffic (traffic).
//
// It may import model and sim only.
package network
