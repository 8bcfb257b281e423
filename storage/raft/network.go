package raft

import (
	"bytes"

	"github.com/kubesim/kubesim/sim"
	pb "go.etcd.io/raft/v3/raftpb"
)

// network carries raft messages between members. etcd's peers talk over
// long-lived HTTP streams (rafthttp), so messages on one link arrive in the
// order they were sent: each message draws its own latency, but never
// overtakes the one sent before it on the same link. A partition assigns
// every member a group; a message between groups is dropped, whether it is
// being sent or already in flight when it arrives.
type network struct {
	latency sim.Sampler
	group   []int        // group[id-1]; all zero when healed
	arrival [][]sim.Time // arrival[from-1][to-1]: latest scheduled arrival on the link
}

func newNetwork(n int, latency sim.Sampler) network {
	arrival := make([][]sim.Time, n)
	for i := range arrival {
		arrival[i] = make([]sim.Time, n)
	}
	return network{latency: latency, group: make([]int, n), arrival: arrival}
}

// connected reports whether from and to are on the same side of every
// partition.
func (nw *network) connected(from, to uint64) bool {
	return nw.group[from-1] == nw.group[to-1]
}

// arrive draws the delivery instant of a message sent now on from→to.
func (nw *network) arrive(now sim.Time, from, to uint64) sim.Time {
	at := now.Add(duration(nw.latency.Sample()))
	last := &nw.arrival[from-1][to-1]
	at = max(at, *last)
	*last = at
	return at
}

// delivery is one message in flight. It remembers the incarnations of both
// ends: a message to a member that crashed and restarted since it was sent
// belonged to a connection that no longer exists, and is lost.
type delivery struct {
	c       *Cluster
	msg     *pb.Message
	from    *member
	fromInc uint64
	to      *member
	toInc   uint64
	image   any // a MsgSnap's image, when the state machine makes images
}

// Fire delivers the message, or drops it if the receiver is gone or cut off.
func (d *delivery) Fire(now sim.Time) {
	c, to := d.c, d.to
	snap := d.msg.GetType() == pb.MsgSnap
	if !to.up || to.incarnation != d.toInc || !c.net.connected(d.from.id, to.id) {
		c.stats.MessagesDropped++
		if snap {
			d.from.reportSnapshot(d.fromInc, to.id, false)
		}
		return
	}
	if d.image != nil {
		to.rememberImage(d.msg.GetSnapshot().GetMetadata().GetIndex(), d.image)
	}
	to.step(d.msg)
	to.schedulePump()
	if snap {
		// etcd reports a snapshot as finished once the receiver has taken
		// the whole stream; here, once it is stepped.
		d.from.reportSnapshot(d.fromInc, to.id, true)
	}
}

// send hands m's outgoing messages to the network.
func (c *Cluster) send(m *member, msgs []*pb.Message) {
	now := c.k.Now()
	for _, msg := range msgs {
		c.stats.MessagesSent++
		snap := msg.GetType() == pb.MsgSnap
		if snap {
			c.stats.SnapshotsSent++
		}
		to := c.member(msg.GetTo())
		if to == nil || !to.up || !c.net.connected(m.id, to.id) {
			// The stream to the peer is broken: rafthttp reports the peer
			// unreachable (and a snapshot as failed), and raft falls back to
			// probing it.
			c.stats.MessagesDropped++
			if to != nil {
				m.reportUnreachable(to.id)
				if snap {
					m.reportSnapshotStatus(to.id, false)
				}
			}
			continue
		}
		d := &delivery{c: c, msg: msg, from: m, fromInc: m.incarnation, to: to, toInc: to.incarnation}
		if snap && bytes.Equal(msg.GetSnapshot().GetData(), imageMarker) {
			d.image = m.imageAt(msg.GetSnapshot().GetMetadata().GetIndex())
		}
		c.k.At(c.net.arrive(now, m.id, to.id), d)
	}
}
