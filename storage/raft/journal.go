package raft

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Journal event kinds. Every event has source "etcd/member-<id>", object
// "member-<id>" and a "member" field. The cluster records state changes
// only; per-entry work (proposals, commits, fsyncs, messages) is counted in
// Stats instead, which would otherwise flood the journal.
const (
	// EventLeaderElected: a member observed itself become leader. Fields:
	// member, term.
	EventLeaderElected = "LeaderElected"
	// EventLeaderLost: a leader stopped leading. Fields: member, term (the
	// term it led), reason ("stepped down" or "crashed").
	EventLeaderLost = "LeaderLost"
	// EventMemberCrashed: Crash. Fields: member, unpersistedEntries (entries
	// of the write that was on the disk and is lost).
	EventMemberCrashed = "MemberCrashed"
	// EventMemberRestarted: Restart. Fields: member, snapshotIndex (what
	// the state machine was restored from), commitIndex (persisted).
	EventMemberRestarted = "MemberRestarted"
	// EventSnapshotTaken: a member snapshotted its state machine and
	// compacted its log. Fields: member, index, compactedTo.
	EventSnapshotTaken = "SnapshotTaken"
	// EventProposalDropped: the leader's raft refused proposals. Fields:
	// member, count. Aggregated: at most one event per member per
	// dropReportWindow, counting the drops since the previous one.
	EventProposalDropped = "ProposalDropped"
)

// dropReportWindow is how often a member reports dropped proposals while
// they keep being dropped.
const dropReportWindow = time.Second

// Stats are the cluster's running counters, for metrics and benchmarks.
type Stats struct {
	Proposals         uint64 // accepted by the leader's raft
	ProposalsDropped  uint64 // refused by the leader's raft
	ProposalsNoLeader uint64 // refused for want of a leader
	Committed         uint64 // proposals applied by at least one member
	Readys            uint64 // Readys handled, all members
	Fsyncs            uint64 // WAL fsyncs, all members
	MessagesSent      uint64
	MessagesDropped   uint64 // by partitions, crashed receivers, broken streams
	SnapshotsTaken    uint64
	SnapshotsSent     uint64 // MsgSnap messages
	LeaderChanges     uint64 // LeaderElected events
	ReadsServed       uint64
	ReadsFailed       uint64
}

// Stats returns the counters so far.
func (c *Cluster) Stats() Stats { return c.stats }

func f(key string, value any) sim.Field { return sim.F(key, value) }

// record journals an event about member m at the current instant.
func (c *Cluster) record(m *member, kind string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: m.source, Object: m.name, Fields: fields})
}

func (c *Cluster) leaderElected(m *member) {
	c.stats.LeaderChanges++
	c.record(m, EventLeaderElected, f("member", m.id), f("term", m.leaderTerm))
}

func (c *Cluster) leaderLost(m *member, reason string) {
	c.record(m, EventLeaderLost, f("member", m.id), f("term", m.leaderTerm), f("reason", reason))
	m.failReads(reason == "crashed")
}

// noteCommitted raises the cluster's commit index: the highest index any
// member has learned is committed. It never decreases.
func (c *Cluster) noteCommitted(index uint64) {
	if index > c.committed {
		c.committed = index
	}
}

// noteApplied counts a proposal as committed the first time any member
// applies its index.
func (c *Cluster) noteApplied(index uint64, proposal bool) {
	if index <= c.maxApplied {
		return
	}
	c.maxApplied = index
	c.noteCommitted(index)
	if proposal {
		c.stats.Committed++
	}
}

// dropWindow aggregates a member's ProposalDropped events.
type dropWindow struct {
	open    bool
	pending uint64
}

// proposalDropped counts one refused proposal on m and reports it: at once
// if m has reported none within the window, else when the window closes.
func (c *Cluster) proposalDropped(m *member) {
	c.stats.ProposalsDropped++
	m.drops.pending++
	if !m.drops.open {
		c.flushDrops(m)
	}
}

func (c *Cluster) flushDrops(m *member) {
	if m.drops.pending == 0 {
		m.drops.open = false
		return
	}
	c.record(m, EventProposalDropped, f("member", m.id), f("count", m.drops.pending))
	m.drops.pending = 0
	m.drops.open = true
	c.k.AfterFunc(dropReportWindow, func(sim.Time) { c.flushDrops(m) })
}
