package raft

import "errors"

// Errors returned by the cluster's operations; match them with errors.Is.
var (
	// ErrNoLeader: no live member currently believes it is the leader (an
	// election is under way, or a quorum is down). etcd clients see
	// "etcdserver: no leader" and retry.
	ErrNoLeader = errors.New("raft: no leader")
	// ErrProposalDropped: the leader's raft refused the proposal, as it does
	// while a leadership transfer is in progress. Retry after a while.
	ErrProposalDropped = errors.New("raft: proposal dropped")
	// ErrEmptyProposal: proposals must carry data; raft's own empty entries
	// are the new leader's no-ops and are never applied.
	ErrEmptyProposal = errors.New("raft: empty proposal")
	// ErrUnknownMember: the id is not one of 1..Members.
	ErrUnknownMember = errors.New("raft: unknown member")
	// ErrMemberDown: the member is crashed.
	ErrMemberDown = errors.New("raft: member is down")
	// ErrMemberUp: Restart of a member that is running.
	ErrMemberUp = errors.New("raft: member is up")
	// ErrLeaderChanged: a linearizable read was in flight on a leader that
	// stepped down or crashed before confirming it ("etcdserver: leader
	// changed"). Retry.
	ErrLeaderChanged = errors.New("raft: leader changed")
	// ErrReadTimeout: a linearizable read was not served within
	// Config.ReadTimeout.
	ErrReadTimeout = errors.New("raft: read timed out")
)
