package raft

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Crash kills member id's process. Everything in memory is lost: raft's
// state, the state machine, the Ready on its disk (those entries were never
// durable) and its linearizable reads. What it had fsynced (its
// MemoryStorage) survives for Restart. Messages already on the wire from it
// still arrive; messages to it are lost.
func (c *Cluster) Crash(id uint64) error {
	m, err := c.lookup(id)
	if err != nil {
		return fmt.Errorf("crash: %w", err)
	}
	if !m.up {
		return fmt.Errorf("crash member %d: %w", id, ErrMemberDown)
	}
	if m.role == RoleLeader {
		c.leaderLost(m, "crashed")
	} else {
		m.failReads(true)
	}
	lost := len(m.inflight.Entries)
	m.stop()
	c.record(m, EventMemberCrashed, f("member", id), f("unpersistedEntries", lost))
	return nil
}

// Restart starts member id's process again from its persisted state: a new
// RawNode on its storage, a new state machine (newSM) restored from its
// latest snapshot, and the committed entries after the snapshot re-applied
// as raft hands them back.
func (c *Cluster) Restart(id uint64) error {
	m, err := c.lookup(id)
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	if m.up {
		return fmt.Errorf("restart member %d: %w", id, ErrMemberUp)
	}
	if err := m.start(); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	hs, _, _ := m.storage.InitialState() // never fails
	c.record(m, EventMemberRestarted, f("member", id), f("snapshotIndex", m.applied), f("commitIndex", hs.GetCommit()))
	return nil
}

// Partition splits the network: members in one group reach each other and
// no one else. Members named in no group form one more group together, so
// Partition([]uint64{1}) cuts member 1 off from the rest. It replaces any
// earlier partition; messages in flight across the new cut are lost.
func (c *Cluster) Partition(groups ...[]uint64) error {
	group := make([]int, len(c.members))
	for i := range group {
		group[i] = -1
	}
	for g, ids := range groups {
		for _, id := range ids {
			m, err := c.lookup(id)
			if err != nil {
				return fmt.Errorf("partition: group %d: %w", g, err)
			}
			if group[m.id-1] >= 0 {
				return fmt.Errorf("partition: member %d is in groups %d and %d", id, group[m.id-1], g)
			}
			group[m.id-1] = g
		}
	}
	rest := len(groups)
	for i := range group {
		if group[i] < 0 {
			group[i] = rest
		}
	}
	c.net.group = group
	return nil
}

// Isolate cuts member id off from every other member.
func (c *Cluster) Isolate(id uint64) error { return c.Partition([]uint64{id}) }

// Heal removes every partition.
func (c *Cluster) Heal() {
	for i := range c.net.group {
		c.net.group[i] = 0
	}
}

// SetFsyncLatency changes member id's disk from now on (a degrading disk, a
// noisy neighbour). The write already on the disk keeps its completion time.
func (c *Cluster) SetFsyncLatency(id uint64, d sim.Dist) error {
	m, err := c.lookup(id)
	if err != nil {
		return fmt.Errorf("set fsync latency: %w", err)
	}
	return m.setFsyncLatency(d)
}

// DiskStall freezes member id's disk for d from now: fsyncs started during
// the stall complete after it, and one in progress resumes after it with
// the work it had left. The member's raft keeps receiving messages but
// sends nothing and ticks at most once until its write completes, as an
// etcd member blocked in fdatasync does; a stall longer than the election
// timeout on the leader costs its leadership.
func (c *Cluster) DiskStall(id uint64, d time.Duration) error {
	m, err := c.lookup(id)
	if err != nil {
		return fmt.Errorf("disk stall: %w", err)
	}
	if d < 0 {
		return fmt.Errorf("disk stall on member %d: negative duration %v", id, d)
	}
	if m.disk.stall(c.k.Now(), d) && m.writing {
		c.k.Cancel(m.diskTimer)
		m.diskTimer = c.k.At(m.disk.busyUntil, m.diskH)
	}
	return nil
}
