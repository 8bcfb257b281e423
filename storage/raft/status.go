package raft

import (
	"fmt"

	etcdraft "go.etcd.io/raft/v3"
)

// Role is a member's part in the protocol.
type Role string

// The roles. PreCandidate is the PreVote phase: asking whether an election
// could be won before bumping the term.
const (
	RoleFollower     Role = "Follower"
	RolePreCandidate Role = "PreCandidate"
	RoleCandidate    Role = "Candidate"
	RoleLeader       Role = "Leader"
	RoleDown         Role = "Down"
)

func roleOf(s etcdraft.StateType) Role {
	switch s {
	case etcdraft.StateLeader:
		return RoleLeader
	case etcdraft.StateCandidate:
		return RoleCandidate
	case etcdraft.StatePreCandidate:
		return RolePreCandidate
	default:
		return RoleFollower
	}
}

// MemberStatus is one member's state, read from its RawNode.
type MemberStatus struct {
	ID   uint64
	Up   bool
	Role Role
	// Term and Vote are the member's current term and its vote in it;
	// Lead is the leader it follows (0 if none known).
	Term, Vote, Lead uint64
	// Commit is the highest index it knows committed, Applied the highest
	// its state machine has applied, LastIndex the end of its log.
	Commit, Applied, LastIndex uint64
	// SnapshotIndex is its latest durable snapshot; its log starts after
	// SnapshotIndex - SnapshotCatchUpEntries.
	SnapshotIndex uint64
	// Writing reports a Ready waiting on the member's disk.
	Writing bool
}

// Status returns member id's state. A crashed member reports Up false,
// Role Down, and what its persisted storage holds.
func (c *Cluster) Status(id uint64) (MemberStatus, error) {
	m, err := c.lookup(id)
	if err != nil {
		return MemberStatus{}, err
	}
	last, _ := m.storage.LastIndex() // never fails
	st := MemberStatus{ID: id, Up: m.up, Role: RoleDown, SnapshotIndex: m.snapIndex, LastIndex: last}
	if !m.up {
		hs, _, _ := m.storage.InitialState() // never fails
		st.Term, st.Vote, st.Commit = hs.GetTerm(), hs.GetVote(), hs.GetCommit()
		return st, nil
	}
	bs := m.basicStatus()
	st.Role = roleOf(bs.RaftState)
	st.Term, st.Vote, st.Commit = bs.GetTerm(), bs.GetVote(), bs.GetCommit()
	st.Lead = bs.Lead
	st.Applied = m.applied
	st.Writing = m.writing
	return st, nil
}

// Members returns the member ids, 1..n.
func (c *Cluster) Members() []uint64 {
	ids := make([]uint64, len(c.members))
	for i, m := range c.members {
		ids[i] = m.id
	}
	return ids
}

// Leader returns the id of the current leader, or 0 if there is none: the
// live member in the leader role with the highest term. A deposed leader cut
// off by a partition may still believe it leads at an older term until
// CheckQuorum makes it step down; it is not the current leader.
func (c *Cluster) Leader() uint64 {
	if m := c.leaderMember(); m != nil {
		return m.id
	}
	return 0
}

func (c *Cluster) leaderMember() *member {
	var best *member
	var bestTerm uint64
	for _, m := range c.members {
		if !m.up {
			continue
		}
		bs := m.basicStatus()
		if bs.RaftState == etcdraft.StateLeader && (best == nil || bs.GetTerm() > bestTerm) {
			best, bestTerm = m, bs.GetTerm()
		}
	}
	return best
}

// Term returns the highest term any live member is in (0 if all are down).
func (c *Cluster) Term() uint64 {
	var t uint64
	for _, m := range c.members {
		if m.up {
			t = max(t, m.basicStatus().GetTerm())
		}
	}
	return t
}

// AppliedIndex returns the highest index member id's state machine has
// applied; 0 for a crashed member (its state machine is gone) or an
// unknown id.
func (c *Cluster) AppliedIndex(id uint64) uint64 {
	m, err := c.lookup(id)
	if err != nil || !m.up {
		return 0
	}
	return m.applied
}

// CommittedIndex returns the highest log index known to be committed by any
// member so far. It never decreases: a committed entry stays committed.
func (c *Cluster) CommittedIndex() uint64 { return c.committed }

func (c *Cluster) lookup(id uint64) (*member, error) {
	m := c.member(id)
	if m == nil {
		return nil, fmt.Errorf("member %d (have 1..%d): %w", id, len(c.members), ErrUnknownMember)
	}
	return m, nil
}

// member returns the member with id, or nil.
func (c *Cluster) member(id uint64) *member {
	if id < 1 || id > uint64(len(c.members)) {
		return nil
	}
	return c.members[id-1]
}
