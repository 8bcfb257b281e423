package raft

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/sim"
	etcdraft "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// Cluster is a simulated etcd Raft group driven by one kernel. It is not
// safe for concurrent use; run many clusters (many kernels) in parallel
// instead.
type Cluster struct {
	k         *sim.Kernel
	cfg       Config
	newSM     func(id uint64) StateMachine
	members   []*member // members[id-1]
	net       network
	confState *pb.ConfState

	committed  uint64 // highest index known committed
	maxApplied uint64 // highest index applied by any member
	readSeq    uint64
	stats      Stats
}

// NewCluster boots cfg.Members members on k, all from the same initial
// membership, and starts their clocks. newSM makes member id's state
// machine; it is called again on every Restart of that member. The first
// election completes about one to two election timeouts later.
func NewCluster(k *sim.Kernel, cfg Config, newSM func(id uint64) StateMachine) (*Cluster, error) {
	if k == nil {
		return nil, errors.New("raft: NewCluster: nil kernel")
	}
	if newSM == nil {
		return nil, errors.New("raft: NewCluster: nil state machine constructor")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	installPackageLogger()
	netLatency, err := cfg.NetworkLatency.Sampler(k.Rand("etcd/network"))
	if err != nil {
		return nil, fmt.Errorf("raft: network latency: %w", err)
	}
	c := &Cluster{
		k:         k,
		cfg:       cfg,
		newSM:     newSM,
		net:       newNetwork(cfg.Members, netLatency),
		committed: bootstrapIndex,
	}
	voters := make([]uint64, cfg.Members)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	c.confState = &pb.ConfState{Voters: voters}
	for _, id := range voters {
		m, err := newMember(c, id)
		if err != nil {
			return nil, fmt.Errorf("raft: %w", err)
		}
		c.members = append(c.members, m)
	}
	for _, m := range c.members {
		if err := m.start(); err != nil {
			return nil, fmt.Errorf("raft: %w", err)
		}
	}
	return c, nil
}

// Config returns the configuration the cluster was built with.
func (c *Cluster) Config() Config { return c.cfg }

// Propose hands data to the current leader's raft, to be appended to the
// log, replicated and, once a quorum has it on disk, applied on every
// member. A nil error means the leader accepted it, not that it will
// commit: a leader that loses its leadership before then loses the
// proposal, as in etcd. Errors: ErrEmptyProposal, ErrNoLeader,
// ErrProposalDropped.
func (c *Cluster) Propose(data []byte) error {
	if len(data) == 0 {
		return ErrEmptyProposal
	}
	m := c.leaderMember()
	if m == nil {
		c.stats.ProposalsNoLeader++
		return ErrNoLeader
	}
	// raft keeps the slice in its log; the caller may reuse its buffer.
	data = append([]byte(nil), data...)
	if err := m.propose(data); err != nil {
		if errors.Is(err, etcdraft.ErrProposalDropped) {
			c.proposalDropped(m)
			return fmt.Errorf("propose to member %d: %w", m.id, ErrProposalDropped)
		}
		return fmt.Errorf("propose to member %d: %w", m.id, err)
	}
	c.stats.Proposals++
	m.schedulePump()
	return nil
}

// TransferLeadership asks the current leader to hand leadership to member
// to (etcd's move-leader): the leader stops taking proposals, brings to up
// to date, and tells it to campaign at once. raft abandons the transfer
// after an election timeout if it has not completed.
func (c *Cluster) TransferLeadership(to uint64) error {
	t, err := c.lookup(to)
	if err != nil {
		return fmt.Errorf("transfer leadership: %w", err)
	}
	if !t.up {
		return fmt.Errorf("transfer leadership to member %d: %w", to, ErrMemberDown)
	}
	m := c.leaderMember()
	if m == nil {
		return fmt.Errorf("transfer leadership to member %d: %w", to, ErrNoLeader)
	}
	if m.id == to {
		return nil
	}
	m.transferLeader(to)
	m.schedulePump()
	return nil
}
