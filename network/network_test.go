package network

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

func topo(t *testing.T, spec LatencySpec) *Topology {
	nodes := []*model.Node{}
	for name, zone := range map[string]string{"a1": "a", "a2": "a", "b1": "b"} {
		nodes = append(nodes, &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{model.LabelTopologyZone: zone}}})
	}
	tp, err := NewTopology(nodes, spec, sim.NewRand(1, "latency"))
	require.NoError(t, err)
	return tp
}

func TestLatencyByRelation(t *testing.T) {
	tp := topo(t, LatencySpec{})
	assert.Equal(t, 50*time.Microsecond, tp.Latency("a1", "a1"))
	assert.Equal(t, 250*time.Microsecond, tp.Latency("a1", "a2"))
	assert.Equal(t, time.Millisecond, tp.Latency("a1", "b1"))
	assert.Equal(t, time.Millisecond, tp.Latency("", "a1"), "outside the cluster is one cross-zone hop away")
}

// Messages a node sends leave one after another at its bandwidth.
func TestTransmitQueuesOnTheLink(t *testing.T) {
	tp := topo(t, LatencySpec{NodeBandwidth: model.Ptr(model.MustParseQuantity("100M"))})
	// 1 MB at 100 MB/s is 10 ms; a second one sent at once waits.
	assert.Equal(t, 10*time.Millisecond, tp.Transmit("a1", 1_000_000, 0))
	assert.Equal(t, 20*time.Millisecond, tp.Transmit("a1", 1_000_000, 0))
	assert.Equal(t, 10*time.Millisecond, tp.Transmit("b1", 1_000_000, 0), "each node has its own link")
	assert.Equal(t, 10*time.Millisecond, tp.Transmit("a1", 1_000_000, sim.Time(50*time.Millisecond)), "idle again")
	assert.Zero(t, tp.Transmit("", 1_000_000, 0))
}

func TestPartitions(t *testing.T) {
	tp := topo(t, LatencySpec{})
	cases := []struct {
		name     string
		a, b     Group
		oneWay   bool
		from, to string
		want     bool
	}{
		{"zone to zone, forward", Group{Zone: "a"}, Group{Zone: "b"}, false, "a1", "b1", false},
		{"zone to zone, backward", Group{Zone: "a"}, Group{Zone: "b"}, false, "b1", "a2", false},
		{"inside a zone", Group{Zone: "a"}, Group{Zone: "b"}, false, "a1", "a2", true},
		{"one way: a to b cut", Group{Zone: "a"}, Group{Zone: "b"}, true, "a1", "b1", false},
		{"one way: b to a open", Group{Zone: "a"}, Group{Zone: "b"}, true, "b1", "a1", true},
		{"node from control plane", Group{Nodes: []string{"a1"}}, Group{ControlPlane: true}, false, ControlPlane, "a1", false},
		{"other node and control plane", Group{Nodes: []string{"a1"}}, Group{ControlPlane: true}, false, "a2", ControlPlane, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPartitions(tp)
			id := p.Cut(tc.a, tc.b, tc.oneWay)
			assert.Equal(t, tc.want, p.Reachable(tc.from, tc.to))
			p.Heal(id)
			assert.True(t, p.Reachable(tc.from, tc.to))
		})
	}
}

func TestDegradedLink(t *testing.T) {
	tp := topo(t, LatencySpec{})
	p := NewPartitions(tp)
	p.Degrade(Link{A: Group{Zone: "a"}, B: Group{Zone: "b"}, Latency: 40 * time.Millisecond, Loss: 0.25})
	r := sim.NewRand(3, "loss")
	lost := 0
	for range 10000 {
		extra, ok := p.Deliver("a1", "b1", r)
		if !ok {
			lost++
			continue
		}
		assert.Equal(t, 40*time.Millisecond, extra)
	}
	assert.InDelta(t, 2500, lost, 150)
	extra, ok := p.Deliver("a1", "a2", r)
	assert.True(t, ok)
	assert.Zero(t, extra)
}

func TestRacks(t *testing.T) {
	var nodes []*model.Node
	for _, n := range []struct{ name, zone, rack string }{{"a1", "a", "r1"}, {"a2", "a", "r1"}, {"a3", "a", "r2"}, {"b1", "b", "r1"}} {
		nodes = append(nodes, &model.Node{ObjectMeta: model.ObjectMeta{Name: n.name,
			Labels: map[string]string{model.LabelTopologyZone: n.zone, LabelRack: n.rack}}})
	}
	tp, err := NewTopology(nodes, LatencySpec{}, sim.NewRand(1, "latency"))
	require.NoError(t, err)
	assert.Equal(t, 100*time.Microsecond, tp.Latency("a1", "a2"), "same rack")
	assert.Equal(t, 250*time.Microsecond, tp.Latency("a1", "a3"), "same zone, other rack")
	assert.Equal(t, time.Millisecond, tp.Latency("a1", "b1"), "rack r1 of another zone is another zone")

	p := NewPartitions(tp)
	p.Cut(Group{Zone: "a", Rack: "r1"}, Group{ControlPlane: true}, false)
	assert.False(t, p.Reachable("a1", ControlPlane))
	assert.False(t, p.Reachable(ControlPlane, "a2"))
	assert.True(t, p.Reachable("a3", ControlPlane), "the zone's other rack")
	assert.True(t, p.Reachable("b1", ControlPlane), "rack r1 of zone b")
}
