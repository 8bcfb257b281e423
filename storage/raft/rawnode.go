package raft

import (
	"fmt"

	etcdraft "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// Every call into a member's RawNode is in this file, and every one runs
// inside the entropy shim (entropy.go): raft may draw a new randomized
// election timeout on any state change, and a state change can follow from
// any call, so no call is exempt. Keeping them together makes that easy to
// check.

// newRawNode builds the member's RawNode on its persisted storage. applied
// is the index the state machine already reflects (the snapshot it was
// restored from); raft hands back committed entries after it.
func (m *member) newRawNode(applied uint64) (err error) {
	m.entropy.enter()
	defer m.entropy.leave()
	defer func() {
		// raft panics on a configuration or storage it cannot start from;
		// report it as an error rather than take the process down.
		if r := recover(); r != nil {
			err = fmt.Errorf("start raft on member %d: %v", m.id, r)
		}
	}()
	cfg := m.c.cfg
	rn, err := etcdraft.NewRawNode(&etcdraft.Config{
		ID:              m.id,
		ElectionTick:    cfg.ElectionTick(),
		HeartbeatTick:   1,
		Storage:         m.storage,
		Applied:         applied,
		MaxSizePerMsg:   cfg.MaxSizePerMsg,
		MaxInflightMsgs: cfg.MaxInflightMsgs,
		CheckQuorum:     cfg.CheckQuorum,
		PreVote:         cfg.PreVote,
		Logger:          discardLogger{},
	})
	if err != nil {
		return fmt.Errorf("start raft on member %d: %w", m.id, err)
	}
	m.rn = rn
	return nil
}

func (m *member) tick() {
	m.entropy.enter()
	defer m.entropy.leave()
	m.rn.Tick()
}

// step delivers a peer's message. raft's errors here mean a message it
// does not accept from the network (a local type, a response from a
// removed peer): the message is ignored, as etcd does.
func (m *member) step(msg *pb.Message) {
	m.entropy.enter()
	defer m.entropy.leave()
	_ = m.rn.Step(msg)
}

func (m *member) propose(data []byte) error {
	m.entropy.enter()
	defer m.entropy.leave()
	return m.rn.Propose(data)
}

func (m *member) readIndex(ctx []byte) {
	m.entropy.enter()
	defer m.entropy.leave()
	m.rn.ReadIndex(ctx)
}

func (m *member) transferLeader(to uint64) {
	m.entropy.enter()
	defer m.entropy.leave()
	m.rn.TransferLeader(to)
}

func (m *member) hasReady() bool {
	m.entropy.enter()
	defer m.entropy.leave()
	return m.rn.HasReady()
}

func (m *member) ready() etcdraft.Ready {
	m.entropy.enter()
	defer m.entropy.leave()
	return m.rn.Ready()
}

func (m *member) advance(rd etcdraft.Ready) {
	m.entropy.enter()
	defer m.entropy.leave()
	m.rn.Advance(rd)
}

func (m *member) basicStatus() etcdraft.BasicStatus {
	m.entropy.enter()
	defer m.entropy.leave()
	return m.rn.BasicStatus()
}

func (m *member) reportUnreachable(to uint64) {
	m.entropy.enter()
	defer m.entropy.leave()
	m.rn.ReportUnreachable(to)
}

func (m *member) reportSnapshotStatus(to uint64, ok bool) {
	status := etcdraft.SnapshotFinish
	if !ok {
		status = etcdraft.SnapshotFailure
	}
	m.entropy.enter()
	defer m.entropy.leave()
	m.rn.ReportSnapshot(to, status)
}
