package kubeproxy

import (
	"slices"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/stretchr/testify/assert"
)

// The cases follow upstream pkg/proxy/topology_test.go (TestCategorizeEndpoints);
// the expectations are upstream's. "local" means NodeName == the proxier's node.

const testNode = "node-1"

func ep(key string, opts ...func(*Endpoint)) Endpoint {
	e := Endpoint{Key: key, NodeName: "node-2"}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func ready(e *Endpoint)      { e.Ready, e.Serving = true, true }
func local(e *Endpoint)      { e.NodeName = testNode }
func servTerm(e *Endpoint)   { e.Serving, e.Terminating = true, true }
func notServing(e *Endpoint) { e.Serving = false }
func zones(z ...string) func(*Endpoint) {
	return func(e *Endpoint) { e.ZoneHints = z }
}
func nodes(n ...string) func(*Endpoint) {
	return func(e *Endpoint) { e.NodeHints = n }
}

func keysOf(eps []Endpoint) []string {
	if eps == nil {
		return nil
	}
	out := Keys(eps)
	slices.Sort(out)
	return out
}

func TestCategorizeEndpoints(t *testing.T) {
	none := []string(nil)
	set := func(k ...string) []string {
		if k == nil {
			k = []string{}
		}
		slices.Sort(k)
		return k
	}
	cluster := ServicePortInfo{}
	itpLocal := ServicePortInfo{InternalPolicyLocal: true}
	etpLocal := ServicePortInfo{ExternallyAccessible: true, ExternalPolicyLocal: true}
	itpLocalNodePort := ServicePortInfo{InternalPolicyLocal: true, ExternallyAccessible: true}
	bothLocal := ServicePortInfo{InternalPolicyLocal: true, ExternallyAccessible: true, ExternalPolicyLocal: true}
	zoneA := Node{Name: testNode, Zone: "zone-a"}
	noZone := Node{Name: testNode}

	tests := []struct {
		name      string
		node      Node
		gates     FeatureGates
		svc       ServicePortInfo
		endpoints []Endpoint
		// nil: the port does not use that kind; set(): uses it, none usable.
		cluster, local, all []string
		hasAny              bool
		mode                TopologyMode
	}{{
		name: "topology used: all endpoints hinted, node zone has endpoints",
		node: zoneA, svc: cluster,
		endpoints: []Endpoint{
			ep("10.1.2.3:80", ready, zones("zone-a")), ep("10.1.2.4:80", ready, zones("zone-b")),
			ep("10.1.2.5:80", ready, zones("zone-c")), ep("10.1.2.6:80", ready, zones("zone-a")),
		},
		cluster: set("10.1.2.3:80", "10.1.2.6:80"), local: none, all: set("10.1.2.3:80", "10.1.2.6:80"),
		hasAny: true, mode: TopologyPreferSameZone,
	}, {
		name: "externalTrafficPolicy Local: topology ignored for local endpoints",
		node: zoneA, svc: etpLocal,
		endpoints: []Endpoint{
			ep("10.1.2.3:80", ready, local, zones("zone-a")), ep("10.1.2.4:80", ready, local, zones("zone-b")),
			ep("10.1.2.5:80", ready, zones("zone-c")), ep("10.1.2.6:80", ready, zones("zone-a")),
		},
		cluster: set("10.1.2.3:80", "10.1.2.6:80"), local: set("10.1.2.3:80", "10.1.2.4:80"),
		all: set("10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"), hasAny: true, mode: TopologyPreferSameZone,
	}, {
		name: "internalTrafficPolicy Local: topology ignored for local endpoints",
		node: zoneA, svc: itpLocalNodePort,
		endpoints: []Endpoint{
			ep("10.1.2.3:80", ready, local, zones("zone-a")), ep("10.1.2.4:80", ready, local, zones("zone-b")),
			ep("10.1.2.5:80", ready, zones("zone-c")), ep("10.1.2.6:80", ready, zones("zone-a")),
		},
		cluster: set("10.1.2.3:80", "10.1.2.6:80"), local: set("10.1.2.3:80", "10.1.2.4:80"),
		all: set("10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"), hasAny: true, mode: TopologyPreferSameZone,
	}, {
		name: "node without zone label: no filtering",
		node: noZone, svc: cluster,
		endpoints: []Endpoint{ep("10.1.2.3:80", ready, zones("zone-a"))},
		cluster:   set("10.1.2.3:80"), local: none, all: set("10.1.2.3:80"), hasAny: true,
	}, {
		name: "node in a zone without hints: no filtering",
		node: Node{Name: testNode, Zone: "zone-b"}, svc: cluster,
		endpoints: []Endpoint{ep("10.1.2.3:80", ready, zones("zone-a"))},
		cluster:   set("10.1.2.3:80"), local: none, all: set("10.1.2.3:80"), hasAny: true,
	}, {
		name: "unready endpoint neither counted nor used",
		node: zoneA, svc: cluster,
		endpoints: []Endpoint{
			ep("10.1.2.3:80", ready, zones("zone-a")), ep("10.1.2.4:80", ready, zones("zone-b")),
			ep("10.1.2.5:80", ready, zones("zone-c")), ep("10.1.2.6:80", zones("zone-a")),
		},
		cluster: set("10.1.2.3:80"), local: none, all: set("10.1.2.3:80"), hasAny: true, mode: TopologyPreferSameZone,
	}, {
		name: "only unready endpoints in the node's zone: no filtering",
		node: zoneA, svc: cluster,
		endpoints: []Endpoint{
			ep("10.1.2.3:80", zones("zone-a")), ep("10.1.2.4:80", ready, zones("zone-b")),
			ep("10.1.2.5:80", ready, zones("zone-c")), ep("10.1.2.6:80", zones("zone-a")),
		},
		cluster: set("10.1.2.4:80", "10.1.2.5:80"), local: none, all: set("10.1.2.4:80", "10.1.2.5:80"), hasAny: true,
	}, {
		name: "one ready endpoint without a hint: no filtering",
		node: zoneA, svc: cluster,
		endpoints: []Endpoint{
			ep("10.1.2.3:80", ready, zones("zone-a")), ep("10.1.2.4:80", ready, zones("zone-b")),
			ep("10.1.2.5:80", ready), ep("10.1.2.6:80", ready, zones("zone-a")),
		},
		cluster: set("10.1.2.3:80", "10.1.2.4:80", "10.1.2.5:80", "10.1.2.6:80"), local: none,
		all: set("10.1.2.3:80", "10.1.2.4:80", "10.1.2.5:80", "10.1.2.6:80"), hasAny: true,
	}, {
		name: "several hints per endpoint: any hint for the zone counts",
		node: Node{Name: testNode, Zone: "zone-c"}, svc: cluster,
		endpoints: []Endpoint{
			ep("10.1.2.3:80", ready, zones("zone-a", "zone-b", "zone-c")), ep("10.1.2.4:80", ready, zones("zone-b", "zone-c")),
			ep("10.1.2.5:80", ready, zones("zone-b", "zone-d")), ep("10.1.2.6:80", ready, zones("zone-c")),
		},
		cluster: set("10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"), local: none,
		all: set("10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"), hasAny: true, mode: TopologyPreferSameZone,
	}, {
		name: "conflicting topology and locality: all is the union",
		node: zoneA, svc: etpLocal,
		endpoints: []Endpoint{
			ep("10.0.0.0:80", ready, local, zones("zone-a")), ep("10.0.0.1:80", ready, local, zones("zone-b")),
			ep("10.0.0.2:80", ready, zones("zone-a")), ep("10.0.0.3:80", ready, zones("zone-b")),
		},
		cluster: set("10.0.0.0:80", "10.0.0.2:80"), local: set("10.0.0.0:80", "10.0.0.1:80"),
		all: set("10.0.0.0:80", "10.0.0.1:80", "10.0.0.2:80"), hasAny: true, mode: TopologyPreferSameZone,
	}, {
		name: "internalTrafficPolicy Local, no endpoints",
		node: noZone, svc: itpLocal, endpoints: nil,
		cluster: none, local: none, all: none,
	}, {
		name: "internalTrafficPolicy Local, all endpoints remote: dropped, but the service has endpoints",
		node: noZone, svc: itpLocal,
		endpoints: []Endpoint{ep("10.0.0.0:80", ready), ep("10.0.0.1:80", ready)},
		cluster:   none, local: none, all: none, hasAny: true,
	}, {
		name: "internalTrafficPolicy Local, all endpoints local",
		node: noZone, svc: itpLocal,
		endpoints: []Endpoint{ep("10.0.0.0:80", ready, local), ep("10.0.0.1:80", ready, local)},
		cluster:   none, local: set("10.0.0.0:80", "10.0.0.1:80"), all: set("10.0.0.0:80", "10.0.0.1:80"), hasAny: true,
	}, {
		name: "internalTrafficPolicy Local, some endpoints local",
		node: noZone, svc: itpLocal,
		endpoints: []Endpoint{ep("10.0.0.0:80", ready, local), ep("10.0.0.1:80", ready)},
		cluster:   none, local: set("10.0.0.0:80"), all: set("10.0.0.0:80"), hasAny: true,
	}, {
		name: "Cluster policy, no endpoint ready",
		node: noZone, svc: cluster,
		endpoints: []Endpoint{ep("10.0.0.0:80"), ep("10.0.0.1:80")},
		cluster:   set(), local: none, all: set(),
	}, {
		name: "Cluster policy, some endpoints ready",
		node: noZone, svc: cluster,
		endpoints: []Endpoint{ep("10.0.0.0:80"), ep("10.0.0.1:80", ready)},
		cluster:   set("10.0.0.1:80"), local: none, all: set("10.0.0.1:80"), hasAny: true,
	}, {
		name: "Cluster policy, all endpoints serving and terminating: fallback",
		node: noZone, svc: cluster,
		endpoints: []Endpoint{ep("10.0.0.0:80", servTerm, local), ep("10.0.0.1:80", servTerm)},
		cluster:   set("10.0.0.0:80", "10.0.0.1:80"), local: none, all: set("10.0.0.0:80", "10.0.0.1:80"), hasAny: true,
	}, {
		name: "iTP Local, eTP Cluster, some endpoints local",
		node: noZone, svc: itpLocalNodePort,
		endpoints: []Endpoint{ep("10.0.0.0:80", ready, local), ep("10.0.0.1:80", ready)},
		cluster:   set("10.0.0.0:80", "10.0.0.1:80"), local: set("10.0.0.0:80"), all: set("10.0.0.0:80", "10.0.0.1:80"), hasAny: true,
	}, {
		name: "iTP Cluster, eTP Local, some endpoints local",
		node: noZone, svc: etpLocal,
		endpoints: []Endpoint{ep("10.0.0.0:80", ready, local), ep("10.0.0.1:80", ready)},
		cluster:   set("10.0.0.0:80", "10.0.0.1:80"), local: set("10.0.0.0:80"), all: set("10.0.0.0:80", "10.0.0.1:80"), hasAny: true,
	}, {
		name: "iTP Local, eTP Local, some endpoints local",
		node: noZone, svc: bothLocal,
		endpoints: []Endpoint{ep("10.0.0.0:80", ready, local), ep("10.0.0.1:80", ready)},
		cluster:   set("10.0.0.0:80", "10.0.0.1:80"), local: set("10.0.0.0:80"), all: set("10.0.0.0:80", "10.0.0.1:80"), hasAny: true,
	}, {
		name: "iTP Local, eTP Local, all endpoints remote",
		node: noZone, svc: bothLocal,
		endpoints: []Endpoint{ep("10.0.0.0:80", ready), ep("10.0.0.1:80", ready)},
		cluster:   set("10.0.0.0:80", "10.0.0.1:80"), local: none, all: set("10.0.0.0:80", "10.0.0.1:80"), hasAny: true,
	}, {
		name: "iTP Local, eTP Local, all endpoints remote and terminating",
		node: noZone, svc: bothLocal,
		endpoints: []Endpoint{ep("10.0.0.0:80", servTerm), ep("10.0.0.1:80", servTerm)},
		cluster:   set("10.0.0.0:80", "10.0.0.1:80"), local: none, all: set("10.0.0.0:80", "10.0.0.1:80"), hasAny: true,
	}, {
		name: "iTP Cluster, eTP Local, terminating endpoints: local falls back, cluster does not",
		node: noZone, svc: etpLocal,
		endpoints: []Endpoint{
			ep("10.0.0.0:80", ready), ep("10.0.0.1:80", local, notServing),
			ep("10.0.0.2:80", servTerm, local), ep("10.0.0.3:80", servTerm),
		},
		cluster: set("10.0.0.0:80"), local: set("10.0.0.2:80"), all: set("10.0.0.0:80", "10.0.0.2:80"), hasAny: true,
	}, {
		name: "externalTrafficPolicy ignored if not externally accessible",
		node: noZone, svc: ServicePortInfo{ExternalPolicyLocal: true},
		endpoints: []Endpoint{ep("10.0.0.0:80", ready), ep("10.0.0.1:80", ready, local)},
		cluster:   set("10.0.0.0:80", "10.0.0.1:80"), local: none, all: set("10.0.0.0:80", "10.0.0.1:80"), hasAny: true,
	}, {
		name: "no cluster endpoints for an iTP Local internal-only service",
		node: noZone, svc: itpLocal,
		endpoints: []Endpoint{ep("10.0.0.0:80", ready), ep("10.0.0.1:80", ready, local)},
		cluster:   none, local: set("10.0.0.1:80"), all: set("10.0.0.1:80"), hasAny: true,
	},
		// PreferSameNode (node hints): upstream topologyModeFromHints.
		{
			name: "node hints for this node: PreferSameNode",
			node: zoneA, gates: DefaultFeatureGates(), svc: cluster,
			endpoints: []Endpoint{
				ep("10.0.0.1:80", ready, nodes(testNode), zones("zone-a")),
				ep("10.0.0.2:80", ready, nodes("node-2"), zones("zone-a")),
				ep("10.0.0.3:80", ready, nodes("node-3"), zones("zone-b")),
			},
			cluster: set("10.0.0.1:80"), local: none, all: set("10.0.0.1:80"), hasAny: true, mode: TopologyPreferSameNode,
		}, {
			name: "node hints with the gate off: zone hints used",
			node: zoneA, gates: FeatureGates{}, svc: cluster,
			endpoints: []Endpoint{
				ep("10.0.0.1:80", ready, nodes(testNode), zones("zone-a")),
				ep("10.0.0.2:80", ready, nodes("node-2"), zones("zone-a")),
				ep("10.0.0.3:80", ready, nodes("node-3"), zones("zone-b")),
			},
			cluster: set("10.0.0.1:80", "10.0.0.2:80"), local: none, all: set("10.0.0.1:80", "10.0.0.2:80"), hasAny: true, mode: TopologyPreferSameZone,
		}, {
			name: "no node hint for this node: falls to zone hints",
			node: zoneA, gates: DefaultFeatureGates(), svc: cluster,
			endpoints: []Endpoint{
				ep("10.0.0.2:80", ready, nodes("node-2"), zones("zone-a")),
				ep("10.0.0.3:80", ready, nodes("node-3"), zones("zone-b")),
			},
			cluster: set("10.0.0.2:80"), local: none, all: set("10.0.0.2:80"), hasAny: true, mode: TopologyPreferSameZone,
		}, {
			name: "a ready endpoint without node hint: node hints ignored, no zone hints either",
			node: zoneA, gates: DefaultFeatureGates(), svc: cluster,
			endpoints: []Endpoint{
				ep("10.0.0.1:80", ready, nodes(testNode)),
				ep("10.0.0.2:80", ready),
			},
			cluster: set("10.0.0.1:80", "10.0.0.2:80"), local: none, all: set("10.0.0.1:80", "10.0.0.2:80"), hasAny: true,
		}, {
			name: "hints only on unready endpoints count for nothing",
			node: zoneA, gates: DefaultFeatureGates(), svc: cluster,
			endpoints: []Endpoint{
				ep("10.0.0.1:80", nodes(testNode), zones("zone-a")),
				ep("10.0.0.2:80", ready, nodes("node-2"), zones("zone-b")),
			},
			cluster: set("10.0.0.2:80"), local: none, all: set("10.0.0.2:80"), hasAny: true,
		}, {
			name: "topology never applies to the terminating fallback",
			node: zoneA, gates: DefaultFeatureGates(), svc: cluster,
			endpoints: []Endpoint{
				ep("10.0.0.1:80", servTerm, zones("zone-b")),
				ep("10.0.0.2:80", servTerm, zones("zone-a")),
			},
			cluster: set("10.0.0.1:80", "10.0.0.2:80"), local: none, all: set("10.0.0.1:80", "10.0.0.2:80"), hasAny: true,
		}}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CategorizeEndpoints(tc.endpoints, tc.svc, tc.node, tc.gates)
			assert.Equal(t, tc.cluster, keysOf(got.Cluster), "cluster")
			assert.Equal(t, tc.local, keysOf(got.Local), "local")
			assert.Equal(t, tc.all, keysOf(got.AllReachable), "allReachable")
			assert.Equal(t, tc.hasAny, got.HasAnyEndpoints, "hasAnyEndpoints")
			assert.Equal(t, tc.mode, got.Topology, "topology mode")
		})
	}
}

func TestCategorizeEndpointsAllReachableKeepsInputOrder(t *testing.T) {
	eps := []Endpoint{
		ep("10.0.0.0:80", ready, local, zones("zone-a")), ep("10.0.0.1:80", ready, local, zones("zone-b")),
		ep("10.0.0.2:80", ready, zones("zone-a")), ep("10.0.0.3:80", ready, zones("zone-b")),
	}
	svc := ServicePortInfo{ExternallyAccessible: true, ExternalPolicyLocal: true}
	got := CategorizeEndpoints(eps, svc, Node{Name: testNode, Zone: "zone-a"}, DefaultFeatureGates())
	assert.Equal(t, []string{"10.0.0.0:80", "10.0.0.1:80", "10.0.0.2:80"}, Keys(got.AllReachable))
}

func ptr[T any](v T) *T { return &v }

func TestEndpointsFromSlices(t *testing.T) {
	udp := model.ProtocolUDP
	slices := []*model.EndpointSlice{{
		Ports: []model.EndpointPort{
			{Name: ptr("http"), Port: ptr(int32(8080))},
			{Name: ptr("dns"), Protocol: &udp, Port: ptr(int32(53))},
		},
		Endpoints: []model.Endpoint{
			{Addresses: []string{"10.0.0.2"}, NodeName: ptr("node-2"), Zone: ptr("zone-a"),
				Hints: &model.EndpointHints{ForZones: []model.ForZone{{Name: "zone-a"}}, ForNodes: []model.ForNode{{Name: "node-2"}}}},
			{Addresses: []string{"10.0.0.10", "10.0.0.11"}, Conditions: model.EndpointConditions{
				Ready: ptr(false), Serving: ptr(true), Terminating: ptr(true)}},
			{Addresses: nil}, // skipped
		},
	}, {
		Ports: []model.EndpointPort{{Name: ptr("http"), Port: ptr(int32(8080))}},
		Endpoints: []model.Endpoint{
			{Addresses: []string{"10.0.0.2"}, NodeName: ptr(testNode)}, // duplicate: the local copy wins
			{Addresses: []string{"10.0.0.3"}, Conditions: model.EndpointConditions{Ready: ptr(false)}},
		},
	}, {
		Ports:     []model.EndpointPort{{Name: ptr("http"), Port: ptr(int32(0))}}, // invalid port: ignored
		Endpoints: []model.Endpoint{{Addresses: []string{"10.0.0.99"}}},
	}}
	got := EndpointsFromSlices(slices, "http", model.ProtocolTCP, testNode)
	want := []Endpoint{
		{Key: "10.0.0.10:8080", Ready: false, Serving: true, Terminating: true},
		{Key: "10.0.0.2:8080", NodeName: testNode, Ready: true, Serving: true},
		{Key: "10.0.0.3:8080", Ready: false, Serving: true},
	}
	assert.Equal(t, want, got)

	dns := EndpointsFromSlices(slices, "dns", model.ProtocolUDP, testNode)
	assert.Equal(t, []string{"10.0.0.10:53", "10.0.0.2:53"}, Keys(dns))
	assert.Equal(t, []string{"zone-a"}, dns[1].ZoneHints)
	assert.Equal(t, []string{"node-2"}, dns[1].NodeHints)
	assert.Empty(t, EndpointsFromSlices(slices, "dns", model.ProtocolTCP, testNode))
}

func TestNewServicePortInfo(t *testing.T) {
	localPolicy := model.ServiceTrafficPolicyLocal
	tests := []struct {
		name string
		svc  model.Service
		port model.ServicePort
		want ServicePortInfo
	}{
		{"ClusterIP: eTP Local ignored, not externally accessible",
			model.Service{Spec: model.ServiceSpec{Type: model.ServiceTypeClusterIP, ExternalTrafficPolicy: localPolicy}},
			model.ServicePort{Port: 80}, ServicePortInfo{}},
		{"NodePort with eTP Local",
			model.Service{Spec: model.ServiceSpec{Type: model.ServiceTypeNodePort, ExternalTrafficPolicy: localPolicy}},
			model.ServicePort{Port: 80, NodePort: 30080}, ServicePortInfo{ExternallyAccessible: true, ExternalPolicyLocal: true}},
		{"LoadBalancer with eTP Cluster and iTP Local",
			model.Service{Spec: model.ServiceSpec{Type: model.ServiceTypeLoadBalancer, InternalTrafficPolicy: &localPolicy}},
			model.ServicePort{Port: 80}, ServicePortInfo{InternalPolicyLocal: true, ExternallyAccessible: true}},
		{"ClientIP affinity, default timeout",
			model.Service{Spec: model.ServiceSpec{SessionAffinity: model.ServiceAffinityClientIP}},
			model.ServicePort{Port: 80}, ServicePortInfo{AffinityTimeout: DefaultAffinityTimeout}},
		{"ClientIP affinity, 60 s",
			model.Service{Spec: model.ServiceSpec{SessionAffinity: model.ServiceAffinityClientIP,
				SessionAffinityConfig: &model.SessionAffinityConfig{ClientIP: &model.ClientIPConfig{TimeoutSeconds: ptr(int32(60))}}}},
			model.ServicePort{Port: 80}, ServicePortInfo{AffinityTimeout: 60e9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, NewServicePortInfo(&tc.svc, &tc.port))
		})
	}
	assert.Equal(t, int64(10800e9), int64(DefaultAffinityTimeout))
}
