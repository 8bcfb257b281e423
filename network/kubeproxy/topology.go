package kubeproxy

// Endpoint categorization, re-implemented from upstream pkg/proxy/topology.go
// (CategorizeEndpoints, topologyModeFromHints, availableForTopology).

// TopologyMode is how cluster traffic is narrowed by topology hints
// (upstream's topologyMode string).
type TopologyMode string

// Topology modes.
const (
	// TopologyNone: no narrowing, every usable endpoint takes traffic.
	TopologyNone TopologyMode = ""
	// TopologyPreferSameZone: only endpoints hinted for the node's zone.
	TopologyPreferSameZone TopologyMode = "PreferSameZone"
	// TopologyPreferSameNode: only endpoints hinted for the node.
	TopologyPreferSameNode TopologyMode = "PreferSameNode"
)

// Node is the proxier's node as topology sees it.
type Node struct {
	Name string
	// Zone is the node's topology.kubernetes.io/zone label, "" if unset.
	Zone string
}

// FeatureGates are the upstream gates that change categorization.
type FeatureGates struct {
	// PreferSameTrafficDistribution enables node hints (PreferSameNode).
	// On by default since 1.34.
	PreferSameTrafficDistribution bool
}

// DefaultFeatureGates returns the gates as upstream 1.35 ships them.
func DefaultFeatureGates() FeatureGates {
	return FeatureGates{PreferSameTrafficDistribution: true}
}

// Categories is the result of CategorizeEndpoints.
type Categories struct {
	// Cluster holds the endpoints for Cluster-policy traffic, narrowed by
	// topology; nil if the port never uses the Cluster policy.
	Cluster []Endpoint
	// Local holds the endpoints for Local-policy traffic: ready endpoints on
	// this node, else serving-terminating ones on this node. nil if the port
	// never uses the Local policy or no local endpoint is usable: Local
	// traffic is then dropped, never sent to another node.
	Local []Endpoint
	// AllReachable is the union of Cluster and Local, in input order.
	AllReachable []Endpoint
	// HasAnyEndpoints reports whether the service has a usable endpoint
	// anywhere in the cluster, even if none is reachable from this node;
	// proxiers REJECT (ICMP unreachable) when it is false.
	HasAnyEndpoints bool
	// Topology is the mode chosen from the hints.
	Topology TopologyMode
}

// CategorizeEndpoints splits a service port's endpoints for the proxier on
// node, following upstream CategorizeEndpoints:
//
//   - Cluster: Ready endpoints allowed by the topology mode; if there are
//     none, the serving-and-terminating endpoints (the fallback that keeps
//     traffic flowing during a rollout).
//   - Local: Ready endpoints on node; else serving-and-terminating ones on
//     node; else none (traffic dropped).
//   - The topology mode comes from the hints of the Ready endpoints only:
//     PreferSameNode if the gate is on, every Ready endpoint has node hints
//     and one is hinted for node; else PreferSameZone if every Ready
//     endpoint has zone hints and one is hinted for the node's zone; else
//     none. There is no per-endpoint fallback.
//
// The service's trafficDistribution field and topology-mode annotation are
// not read here: upstream 1.35 kube-proxy acts on the hints alone
// (topologyModeFromHints reads no service field), and the EndpointSlice
// controller writes hints only for services that ask for them.
//
// As upstream, no endpoints at all gives all-nil Categories. Upstream merges
// AllReachable through a map (random order); kubesim keeps input order.
func CategorizeEndpoints(endpoints []Endpoint, svc ServicePortInfo, node Node, gates FeatureGates) Categories {
	var c Categories
	if len(endpoints) == 0 {
		return c
	}
	if svc.UsesClusterEndpoints() {
		c.Topology = TopologyModeFromHints(endpoints, node, gates)
		c.Cluster = filterEndpoints(endpoints, func(ep *Endpoint) bool {
			return ep.Ready && availableForTopology(ep, c.Topology, node)
		})
		// No Ready endpoint for the mode means no Ready endpoint anywhere
		// (the mode is only chosen when one exists), so fall back to
		// serving-terminating endpoints, ignoring topology.
		if len(c.Cluster) == 0 {
			c.Cluster = filterEndpoints(endpoints, func(ep *Endpoint) bool {
				return ep.Serving && ep.Terminating
			})
		}
		if len(c.Cluster) > 0 {
			c.HasAnyEndpoints = true
		}
	}
	if !svc.UsesLocalEndpoints() {
		c.AllReachable = c.Cluster
		return c
	}

	var localReady, localServingTerminating, useServingTerminating bool
	for i := range endpoints {
		ep := &endpoints[i]
		if ep.Ready {
			c.HasAnyEndpoints = true
			if ep.IsLocal(node.Name) {
				localReady = true
			}
		} else if ep.Serving && ep.Terminating {
			c.HasAnyEndpoints = true
			if ep.IsLocal(node.Name) {
				localServingTerminating = true
			}
		}
	}
	switch {
	case localReady:
		c.Local = filterEndpoints(endpoints, func(ep *Endpoint) bool {
			return ep.IsLocal(node.Name) && ep.Ready
		})
	case localServingTerminating:
		useServingTerminating = true
		c.Local = filterEndpoints(endpoints, func(ep *Endpoint) bool {
			return ep.IsLocal(node.Name) && ep.Serving && ep.Terminating
		})
	}

	if !svc.UsesClusterEndpoints() {
		c.AllReachable = c.Local
		return c
	}
	if c.Topology == TopologyNone && !useServingTerminating {
		// Cluster holds every Ready endpoint and Local only Ready ones, so
		// Cluster is already the union.
		c.AllReachable = c.Cluster
		return c
	}
	// Cluster may hold remote endpoints Local lacks, and Local terminating
	// or topologically excluded endpoints Cluster lacks: merge by Key.
	in := make(map[string]bool, len(c.Cluster)+len(c.Local))
	for i := range c.Cluster {
		in[c.Cluster[i].Key] = true
	}
	for i := range c.Local {
		in[c.Local[i].Key] = true
	}
	c.AllReachable = make([]Endpoint, 0, len(in))
	for i := range endpoints {
		if in[endpoints[i].Key] {
			c.AllReachable = append(c.AllReachable, endpoints[i])
			delete(in, endpoints[i].Key) // keep one copy of a repeated key
		}
	}
	return c
}

// TopologyModeFromHints picks the topology mode from the Ready endpoints'
// hints (upstream topologyModeFromHints); see CategorizeEndpoints.
func TopologyModeFromHints(endpoints []Endpoint, node Node, gates FeatureGates) TopologyMode {
	hasReady := false
	allNodeHints, forNode := true, false
	allZoneHints, forZone := true, false
	for i := range endpoints {
		ep := &endpoints[i]
		if !ep.Ready {
			continue
		}
		hasReady = true
		if len(ep.NodeHints) == 0 {
			allNodeHints = false
		} else if ep.hasNodeHint(node.Name) {
			forNode = true
		}
		if len(ep.ZoneHints) == 0 {
			allZoneHints = false
		} else if ep.hasZoneHint(node.Zone) {
			forZone = true
		}
	}
	if !hasReady {
		return TopologyNone
	}
	if gates.PreferSameTrafficDistribution && allNodeHints && forNode {
		return TopologyPreferSameNode
	}
	if allZoneHints && forZone {
		return TopologyPreferSameZone
	}
	return TopologyNone
}

// availableForTopology: whether ep may take this node's traffic under mode
// (upstream availableForTopology; the fallback is in the mode choice).
func availableForTopology(ep *Endpoint, mode TopologyMode, node Node) bool {
	switch mode {
	case TopologyNone:
		return true
	case TopologyPreferSameNode:
		return ep.hasNodeHint(node.Name)
	case TopologyPreferSameZone:
		return ep.hasZoneHint(node.Zone)
	}
	return false
}

func filterEndpoints(endpoints []Endpoint, keep func(*Endpoint) bool) []Endpoint {
	out := make([]Endpoint, 0, len(endpoints))
	for i := range endpoints {
		if keep(&endpoints[i]) {
			out = append(out, endpoints[i])
		}
	}
	return out
}
