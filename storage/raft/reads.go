package raft

import (
	"encoding/binary"
	"slices"

	"github.com/kubesim/kubesim/sim"
	etcdraft "go.etcd.io/raft/v3"
)

// pendingRead is one linearizable read (raft's ReadIndex, §6.4 of the Raft
// thesis): the leader records its commit index, confirms with a quorum of
// heartbeats that it is still the leader, and serves the read once it has
// applied up to that index.
type pendingRead struct {
	seq       uint64
	index     uint64
	confirmed bool
	done      func(index uint64, err error)
	timeout   sim.Timer
}

// ReadIndex performs a linearizable read barrier. done is called, in its own
// event, with the index the read may be served at once the current leader
// has confirmed its leadership and applied up to it; any state machine read
// at that point on the leader reflects every write committed before the call.
// It fails with ErrNoLeader, ErrLeaderChanged (the leader stepped down or
// crashed first) or ErrReadTimeout (Config.ReadTimeout).
func (c *Cluster) ReadIndex(done func(index uint64, err error)) {
	if done == nil {
		return
	}
	m := c.leaderMember()
	if m == nil {
		c.stats.ReadsFailed++
		c.callback(done, 0, ErrNoLeader)
		return
	}
	c.readSeq++
	r := &pendingRead{seq: c.readSeq, done: done}
	r.timeout = c.k.AfterFunc(c.cfg.ReadTimeout, func(sim.Time) {
		m.finishRead(r, 0, ErrReadTimeout)
	})
	m.reads = append(m.reads, r)
	var ctx [8]byte
	binary.BigEndian.PutUint64(ctx[:], r.seq)
	m.readIndex(ctx[:])
	m.schedulePump()
}

// readConfirmed records the leader's confirmation of a read's index.
func (m *member) readConfirmed(rs etcdraft.ReadState) {
	if len(rs.RequestCtx) != 8 {
		return
	}
	seq := binary.BigEndian.Uint64(rs.RequestCtx)
	for _, r := range m.reads {
		if r.seq == seq {
			r.index, r.confirmed = rs.Index, true
			return
		}
	}
}

// serveReads completes the confirmed reads the member has now applied.
func (m *member) serveReads() {
	for i := 0; i < len(m.reads); {
		r := m.reads[i]
		if r.confirmed && r.index <= m.applied {
			m.finishRead(r, r.index, nil)
			continue // finishRead removed m.reads[i]
		}
		i++
	}
}

// failReads ends the member's reads when it stops leading. A read already
// confirmed stays valid on a deposed leader (its index was safe when
// confirmed), so only a crash fails those too.
func (m *member) failReads(crashed bool) {
	for i := 0; i < len(m.reads); {
		r := m.reads[i]
		if crashed || !r.confirmed {
			m.finishRead(r, 0, ErrLeaderChanged)
			continue
		}
		i++
	}
}

func (m *member) finishRead(r *pendingRead, index uint64, err error) {
	i := slices.Index(m.reads, r)
	if i < 0 {
		return // already finished
	}
	m.reads = slices.Delete(m.reads, i, i+1)
	m.c.k.Cancel(r.timeout)
	if err != nil {
		m.c.stats.ReadsFailed++
	} else {
		m.c.stats.ReadsServed++
	}
	m.c.callback(r.done, index, err)
}

// callback runs done in an event of its own, so that a caller's callback
// never runs in the middle of a member's Ready handling.
func (c *Cluster) callback(done func(uint64, error), index uint64, err error) {
	c.k.AfterFunc(0, func(sim.Time) { done(index, err) })
}
