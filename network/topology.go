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
	sameNode, sameZone, crossZone sim.Sampler
}

// LatencySpec is the scenario's network section: one-way latencies.
type LatencySpec struct {
	// SameNode, SameZone and CrossZone are one-way latencies in seconds
	// (defaults 50 µs, 250 µs, 1 ms: a loopback hop through the node's
	// network namespace, a hop inside a cloud zone, one across zones).
	SameNode  *model.DistSpec `yaml:"sameNode,omitempty"`
	SameZone  *model.DistSpec `yaml:"sameZone,omitempty"`
	CrossZone *model.DistSpec `yaml:"crossZone,omitempty"`
}

// Validate reports an invalid distribution.
func (s LatencySpec) Validate() error {
	for _, d := range []struct {
		name string
		ds   *model.DistSpec
	}{{"sameNode", s.SameNode}, {"sameZone", s.SameZone}, {"crossZone", s.CrossZone}} {
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
	t := &Topology{zones: map[string]string{}}
	for _, n := range nodes {
		t.zones[n.Name] = n.Labels[model.LabelTopologyZone]
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
	if t.sameZone, err = def(spec.SameZone, 250*time.Microsecond).Dist().Sampler(r); err != nil {
		return nil, fmt.Errorf("sameZone: %w", err)
	}
	if t.crossZone, err = def(spec.CrossZone, time.Millisecond).Dist().Sampler(r); err != nil {
		return nil, fmt.Errorf("crossZone: %w", err)
	}
	return t, nil
}

// Zone returns a node's zone.
func (t *Topology) Zone(node string) string { return t.zones[node] }

// Latency draws the one-way latency of a message from one node to
// another ("" stands for outside the cluster, one cross-zone hop away).
func (t *Topology) Latency(from, to string) time.Duration {
	s := t.crossZone
	switch {
	case from == to && from != "":
		s = t.sameNode
	case from != "" && to != "" && t.zones[from] == t.zones[to]:
		s = t.sameZone
	}
	v := s.Sample()
	if !(v > 0) {
		return 0
	}
	return time.Duration(v * 1e9)
}
