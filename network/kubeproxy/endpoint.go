package kubeproxy

import (
	"net"
	"sort"
	"strconv"

	"github.com/kubesim/kubesim/model"
)

// Endpoint is what kube-proxy keeps of one backend of a service port
// (upstream BaseEndpointInfo, pkg/proxy/endpoint.go): its identity, where it
// runs, its conditions and its topology hints.
type Endpoint struct {
	// Key is "ip:port", the endpoint's identity (upstream Endpoint.String()).
	// Choosers and affinity tables refer to endpoints by Key.
	Key string
	// NodeName is the node the endpoint runs on; "" if unknown. An endpoint
	// is local to a proxier when NodeName equals the proxier's node name.
	NodeName string
	// Zone is the endpoint's zone; informational (selection uses hints).
	Zone string

	Ready       bool
	Serving     bool
	Terminating bool

	// ZoneHints and NodeHints are the EndpointSlice hints forZones/forNodes.
	ZoneHints []string
	NodeHints []string
}

// IsLocal reports whether the endpoint runs on nodeName (upstream
// EndpointSliceCache.isLocal: an empty proxier hostname is never local).
func (e *Endpoint) IsLocal(nodeName string) bool {
	return nodeName != "" && e.NodeName == nodeName
}

func (e *Endpoint) hasZoneHint(zone string) bool { return contains(e.ZoneHints, zone) }
func (e *Endpoint) hasNodeHint(node string) bool { return contains(e.NodeHints, node) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// EndpointsFromSlices builds the endpoint list of one service port from the
// service's EndpointSlices, as upstream's EndpointSliceCache does
// (pkg/proxy/endpointslicecache.go):
//   - only slice ports with a non-nil name equal to portName, the given
//     protocol (nil protocol = TCP, the API default) and a non-zero port count;
//   - an endpoint without addresses is skipped, otherwise its first address
//     is used;
//   - conditions: ready = ready==nil || *ready, serving = serving==nil ||
//     *serving, terminating = terminating!=nil && *terminating;
//   - an endpoint present in several slices is kept once, the copy on
//     nodeName winning;
//   - the result is sorted by Key (upstream byEndpoint), which is the order
//     the proxiers write rules in.
//
// Upstream also drops endpoints of the other IP family; kubesim models a
// single family and keeps them all.
func EndpointsFromSlices(slices []*model.EndpointSlice, portName string, protocol model.Protocol, nodeName string) []Endpoint {
	if protocol == "" {
		protocol = model.ProtocolTCP
	}
	var out []Endpoint
	byKey := map[string]int{}
	for _, s := range slices {
		if s == nil {
			continue
		}
		for _, p := range s.Ports {
			if p.Name == nil || *p.Name != portName || p.Port == nil || *p.Port == 0 {
				continue
			}
			proto := model.ProtocolTCP
			if p.Protocol != nil && *p.Protocol != "" {
				proto = *p.Protocol
			}
			if proto != protocol {
				continue
			}
			port := strconv.Itoa(int(*p.Port))
			for i := range s.Endpoints {
				ep := &s.Endpoints[i]
				if len(ep.Addresses) == 0 {
					continue
				}
				e := Endpoint{
					Key:         net.JoinHostPort(ep.Addresses[0], port),
					Ready:       ep.Conditions.Ready == nil || *ep.Conditions.Ready,
					Serving:     ep.Conditions.Serving == nil || *ep.Conditions.Serving,
					Terminating: ep.Conditions.Terminating != nil && *ep.Conditions.Terminating,
				}
				if ep.NodeName != nil {
					e.NodeName = *ep.NodeName
				}
				if ep.Zone != nil {
					e.Zone = *ep.Zone
				}
				if ep.Hints != nil {
					for _, z := range ep.Hints.ForZones {
						e.ZoneHints = append(e.ZoneHints, z.Name)
					}
					for _, n := range ep.Hints.ForNodes {
						e.NodeHints = append(e.NodeHints, n.Name)
					}
				}
				if j, dup := byKey[e.Key]; dup {
					if e.IsLocal(nodeName) {
						out[j] = e
					}
					continue
				}
				byKey[e.Key] = len(out)
				out = append(out, e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Keys returns the Keys of eps in order, the input Choosers take.
func Keys(eps []Endpoint) []string {
	keys := make([]string, len(eps))
	for i := range eps {
		keys[i] = eps[i].Key
	}
	return keys
}
