package raft

import (
	"errors"
	"fmt"

	etcdraft "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// apply hands the Ready's snapshot and committed entries to the state
// machine, in log order. Entries without data (a new leader's no-op) advance
// the applied index without reaching the state machine. The cluster never
// proposes configuration changes, so none are applied.
func (m *member) apply(rd etcdraft.Ready) {
	if !etcdraft.IsEmptySnap(rd.Snapshot) {
		idx := rd.Snapshot.GetMetadata().GetIndex()
		m.restore(rd.Snapshot)
		m.applied = idx
	}
	for _, e := range rd.CommittedEntries {
		idx := e.GetIndex()
		if idx <= m.applied {
			continue // already reflected by a snapshot
		}
		data := e.GetData()
		if e.GetType() == pb.EntryNormal && len(data) > 0 {
			m.sm.Apply(idx, data)
		}
		m.applied = idx
		m.c.noteApplied(idx, len(data) > 0)
	}
}

// maybeSnapshot takes a snapshot once SnapshotCount entries have been
// applied since the last one, and compacts the log behind it, keeping
// SnapshotCatchUpEntries for followers that lag a little (etcd's
// triggerSnapshot and snapshot in server/etcdserver/server.go). A follower
// that lags more is sent the snapshot (MsgSnap).
func (m *member) maybeSnapshot() {
	cfg := m.c.cfg
	if m.applied <= m.snapIndex || m.applied-m.snapIndex <= cfg.SnapshotCount {
		return
	}
	idx := m.applied
	if _, err := m.storage.CreateSnapshot(idx, m.c.confState, m.takeSnapshot(idx)); err != nil {
		panic(fmt.Sprintf("raft: member %d: snapshot at %d: %v", m.id, idx, err))
	}
	m.snapIndex = idx
	compact := uint64(1)
	if idx > cfg.SnapshotCatchUpEntries {
		compact = idx - cfg.SnapshotCatchUpEntries
	}
	if err := m.storage.Compact(compact); err != nil && !errors.Is(err, etcdraft.ErrCompacted) {
		panic(fmt.Sprintf("raft: member %d: compact to %d: %v", m.id, compact, err))
	}
	m.c.stats.SnapshotsTaken++
	m.c.record(m, EventSnapshotTaken, f("member", m.id), f("index", idx), f("compactedTo", compact))
}
