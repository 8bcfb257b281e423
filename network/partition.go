package network

import (
	"slices"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// ControlPlane names the control plane (API server and etcd) as an end of
// a partition or a degraded link.
const ControlPlane = "control-plane"

// Group is one side of a cut: nodes listed by name, every node of a zone,
// or the control plane.
type Group struct {
	Nodes []string `yaml:"nodes,omitempty"`
	Zone  string   `yaml:"zone,omitempty"`
	// Rack names a rack (in Zone, when given).
	Rack         string `yaml:"rack,omitempty"`
	ControlPlane bool   `yaml:"controlPlane,omitempty"`
}

// Empty reports whether the group names nothing.
func (g Group) Empty() bool {
	return len(g.Nodes) == 0 && g.Zone == "" && g.Rack == "" && !g.ControlPlane
}

// Link is a degraded path: extra latency and a loss ratio on messages
// between two groups (both directions).
type Link struct {
	A, B    Group
	Latency time.Duration
	Loss    float64
}

// cut blocks messages from A to B (and B to A unless one-way).
type cut struct {
	id     int
	a, b   Group
	oneWay bool
}

// Partitions is the set of cuts and degraded links in force. Every
// message a model sends between two ends (node names, or ControlPlane)
// asks Reachable first; a cut message is lost, as a real partition loses
// packets, and the sender finds out by its own timeout.
type Partitions struct {
	topo  *Topology
	cuts  []cut
	links []linkState
	next  int
	// Changed is called after every change (the data plane resyncs
	// components whose watches were cut).
	Changed func()
}

type linkState struct {
	id int
	Link
}

// NewPartitions returns an empty set over a topology (for zones).
func NewPartitions(t *Topology) *Partitions { return &Partitions{topo: t} }

func (p *Partitions) in(g Group, end string) bool {
	if end == ControlPlane {
		return g.ControlPlane
	}
	if p.topo != nil && (g.Zone != "" || g.Rack != "") &&
		(g.Zone == "" || p.topo.Zone(end) == g.Zone) && (g.Rack == "" || p.topo.Rack(end) == g.Rack) {
		return true
	}
	return slices.Contains(g.Nodes, end)
}

// Cut adds a partition and returns its id for Heal.
func (p *Partitions) Cut(a, b Group, oneWay bool) int {
	p.next++
	p.cuts = append(p.cuts, cut{id: p.next, a: a, b: b, oneWay: oneWay})
	p.changed()
	return p.next
}

// Degrade adds a degraded link and returns its id for Heal.
func (p *Partitions) Degrade(l Link) int {
	p.next++
	p.links = append(p.links, linkState{id: p.next, Link: l})
	p.changed()
	return p.next
}

// Heal removes a cut or link by id (0: everything).
func (p *Partitions) Heal(id int) {
	if id == 0 {
		p.cuts, p.links = nil, nil
	} else {
		p.cuts = slices.DeleteFunc(p.cuts, func(c cut) bool { return c.id == id })
		p.links = slices.DeleteFunc(p.links, func(l linkState) bool { return l.id == id })
	}
	p.changed()
}

func (p *Partitions) changed() {
	if p.Changed != nil {
		p.Changed()
	}
}

// Active reports whether any cut or link is in force.
func (p *Partitions) Active() bool { return len(p.cuts) > 0 || len(p.links) > 0 }

// Reachable reports whether a message from one end gets to the other.
func (p *Partitions) Reachable(from, to string) bool {
	for _, c := range p.cuts {
		if p.in(c.a, from) && p.in(c.b, to) {
			return false
		}
		if !c.oneWay && p.in(c.b, from) && p.in(c.a, to) {
			return false
		}
	}
	return true
}

// Deliver decides one message's fate on the links between two ends: lost
// (a cut, or a degraded link's loss drawn from r), or delivered after the
// links' extra latency.
func (p *Partitions) Deliver(from, to string, r *sim.Rand) (extra time.Duration, ok bool) {
	if !p.Reachable(from, to) {
		return 0, false
	}
	for _, l := range p.links {
		if (p.in(l.A, from) && p.in(l.B, to)) || (p.in(l.B, from) && p.in(l.A, to)) {
			if l.Loss > 0 && r.Float64() < l.Loss {
				return 0, false
			}
			extra += l.Latency
		}
	}
	return extra, true
}
