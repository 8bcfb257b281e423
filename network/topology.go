package network

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Topology is where nodes are and what a message between two of them
// costs: one-way latency drawn from a distribution per relation (same
// node, same zone, across zones).
type Topology struct {
	zones                         map[string]string // node -> zone
	racks                         map[string]string // node -> rack within its zone ("" none)
	sameNode, sameZone, crossZone sim.Sampler
	sameRack                      sim.Sampler
	// bandwidth is each node's NIC rate in bytes per second; busy is when
	// each node's outgoing link is free again (messages leave one after
	// another).
	bandwidth int64
	busy      map[string]sim.Time
}

// LatencySpec is the scenario's network section: one-way latencies.
type LatencySpec struct {
	// SameNode, SameZone and CrossZone are one-way latencies in seconds
	// (defaults 50 µs, 250 µs, 1 ms: a loopback hop through the node's
	// network namespace, a hop inside a cloud zone, one across zones).
	SameNode *model.DistSpec `yaml:"sameNode,omitempty"`
	// SameRack is between two nodes of one rack (default 100 µs); other
	// nodes of the zone are SameZone apart.
	SameRack  *model.DistSpec `yaml:"sameRack,omitempty"`
	SameZone  *model.DistSpec `yaml:"sameZone,omitempty"`
	CrossZone *model.DistSpec `yaml:"crossZone,omitempty"`
	// NodeBandwidth is each node's network interface rate in bytes per
	// second (default 1.25G, 10 Gbit/s); messages a node sends queue on it.
	NodeBandwidth *model.Quantity `yaml:"nodeBandwidth,omitempty"`
	// NodeLocalDNSCache runs NodeLocal DNSCache on every node: pods' DNS
	// queries are answered from a per-node cache (successes kept up to
	// 30 s, denials 5 s) before going to the kube-dns Service.
	NodeLocalDNSCache bool `yaml:"nodeLocalDNSCache,omitempty"`
}

// Validate reports an invalid distribution.
func (s LatencySpec) Validate() error {
	if s.NodeBandwidth != nil && s.NodeBandwidth.Value() <= 0 {
		return fmt.Errorf("nodeBandwidth: must be positive bytes per second, e.g. 1.25G")
	}
	for _, d := range []struct {
		name string
		ds   *model.DistSpec
	}{{"sameNode", s.SameNode}, {"sameRack", s.SameRack}, {"sameZone", s.SameZone}, {"crossZone", s.CrossZone}} {
		if d.ds != nil {
			if err := d.ds.Dist().Validate(); err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
		}
	}
	return nil
}

// NewTopology builds the topology of nodes; latencies draw from r.
func NewTopology(nodes []*model.Node, spec LatencySpec, r *sim.Rand) (*Topology, error) {
	t := &Topology{zones: map[string]string{}, racks: map[string]string{}, bandwidth: DefaultNodeBandwidth, busy: map[string]sim.Time{}}
	if spec.NodeBandwidth != nil {
		t.bandwidth = spec.NodeBandwidth.Value()
	}
	for _, n := range nodes {
		t.zones[n.Name] = n.Labels[model.LabelTopologyZone]
		t.racks[n.Name] = n.Labels[LabelRack]
	}
	def := func(ds *model.DistSpec, d time.Duration) *model.DistSpec {
		if ds != nil {
			return ds
		}
		return model.Seconds(d)
	}
	var err error
	if t.sameNode, err = def(spec.SameNode, 50*time.Microsecond).Dist().Sampler(r); err != nil {
		return nil, fmt.Errorf("sameNode: %w", err)
	}
	if t.sameRack, err = def(spec.SameRack, 100*time.Microsecond).Dist().Sampler(r); err != nil {
		return nil, fmt.Errorf("sameRack: %w", err)
	}
	if t.sameZone, err = def(spec.SameZone, 250*time.Microsecond).Dist().Sampler(r); err != nil {
		return nil, fmt.Errorf("sameZone: %w", err)
	}
	if t.crossZone, err = def(spec.CrossZone, time.Millisecond).Dist().Sampler(r); err != nil {
		return nil, fmt.Errorf("crossZone: %w", err)
	}
	return t, nil
}

// DefaultNodeBandwidth is 10 Gbit/s in bytes per second.
const DefaultNodeBandwidth = 1_250_000_000

// Transmit sends bytes from a node at now: it waits for the node's
// outgoing link to be free and occupies it for bytes/bandwidth. It returns
// how long after now the last byte has left. Messages from outside the
// cluster ("") are not queued.
func (t *Topology) Transmit(node string, bytes int64, now sim.Time) time.Duration {
	if bytes <= 0 || node == "" {
		return 0
	}
	start := max(now, t.busy[node])
	end := start.Add(time.Duration(bytes * int64(time.Second) / t.bandwidth))
	t.busy[node] = end
	return end.Sub(now)
}

// LabelRack is the node label naming its rack within its zone.
const LabelRack = "kubesim.io/rack"

// Rack returns a node's rack ("" if none).
func (t *Topology) Rack(node string) string { return t.racks[node] }

// Zone returns a node's zone.
func (t *Topology) Zone(node string) string { return t.zones[node] }

// Latency draws the one-way latency of a message from one node to
// another ("" stands for outside the cluster, one cross-zone hop away).
func (t *Topology) Latency(from, to string) time.Duration {
	s := t.crossZone
	switch {
	case from == to && from != "":
		s = t.sameNode
	case from != "" && to != "" && t.zones[from] == t.zones[to] && t.racks[from] != "" && t.racks[from] == t.racks[to]:
		s = t.sameRack
	case from != "" && to != "" && t.zones[from] == t.zones[to]:
		s = t.sameZone
	}
	v := s.Sample()
	if !(v > 0) {
		return 0
	}
	return time.Duration(v * 1e9)
}
