package raft

import (
	"bytes"
	"fmt"

	"github.com/kubesim/kubesim/sim"
	etcdraft "go.etcd.io/raft/v3"
)

// maxReadysPerPump bounds one pump's loop. raft quiesces after a few Readys
// (the self-acks stepped in Advance can produce one more); if it has not, the
// rest is handled in a fresh event at the same instant.
const maxReadysPerPump = 64

// schedulePump arranges for the member's Ready to be handled at the current
// instant, after the events already due now. Handling it in its own event
// rather than inline is what batches inputs: proposals, messages and ticks
// that arrive at one instant all go into one Ready and one fsync.
func (m *member) schedulePump() {
	if m.pumpPending || !m.up {
		return
	}
	m.pumpPending = true
	m.pumpTimer = m.c.k.After(0, m.pumpH)
}

// pump takes Readys until raft has nothing more or a Ready must wait for the
// disk. This is raft's documented loop (doc.go, "Usage"):
//
//  1. persist HardState, Entries and Snapshot (fsync when MustSync);
//  2. send Messages, only once that state is durable;
//  3. apply the Snapshot and CommittedEntries;
//  4. Advance.
//
// Step 1 takes simulated time: the Ready waits on the member's disk, and
// steps 2–4 run when its fsync completes (onDiskDone). Until then the member
// takes no other Ready, so a slow disk delays its messages, its heartbeats
// included, and its acknowledgements: disk latency costs leadership, as in
// etcd. The one exception is etcd's: a leader (as of this Ready) sends the
// Ready's messages before its write (Config.LeaderSendsBeforeFsync), but
// still takes no further Ready until the write is done.
func (m *member) pump(now sim.Time) {
	m.pumpPending = false
	for range maxReadysPerPump {
		if !m.up || m.writing || !m.hasReady() {
			return
		}
		rd := m.ready()
		m.c.stats.Readys++
		m.observe(rd)
		if !rd.MustSync && etcdraft.IsEmptySnap(rd.Snapshot) {
			// Nothing that needs an fsync: a commit-index-only HardState is
			// written without one (etcd's WAL.Save), messages-only Readys
			// write nothing.
			m.complete(rd)
			continue
		}
		m.c.stats.Fsyncs++
		if m.role == RoleLeader && m.c.cfg.LeaderSendsBeforeFsync {
			m.c.send(m, rd.Messages)
			rd.Messages = nil
		}
		m.writing, m.inflight = true, rd
		m.diskTimer = m.c.k.At(m.disk.sync(now), m.diskH)
		return
	}
	m.schedulePump()
}

// onDiskDone runs when the Ready's fsync completes.
func (m *member) onDiskDone(sim.Time) {
	if !m.up || !m.writing {
		return
	}
	rd := m.inflight
	m.writing, m.inflight = false, etcdraft.Ready{}
	m.complete(rd)
	m.schedulePump()
}

// observe reads what a Ready says about the member's role and the cluster's
// progress, at the instant raft produced it.
func (m *member) observe(rd etcdraft.Ready) {
	if hs := rd.HardState; hs != nil {
		m.c.noteCommitted(hs.GetCommit())
	}
	if ss := rd.SoftState; ss != nil {
		role := roleOf(ss.RaftState)
		if role != m.role {
			if m.role == RoleLeader {
				m.c.leaderLost(m, "stepped down")
			}
			m.role = role
			if role == RoleLeader {
				m.leaderTerm = m.basicStatus().GetTerm()
				m.c.leaderElected(m)
			}
		}
	}
	for _, rs := range rd.ReadStates {
		m.readConfirmed(rs)
	}
}

// complete is steps 1–4 once the Ready's write is durable.
func (m *member) complete(rd etcdraft.Ready) {
	m.persist(rd)
	m.c.send(m, rd.Messages)
	m.apply(rd)
	m.advance(rd)
	m.serveReads()
	m.maybeSnapshot()
	if m.tickOwed {
		m.tickOwed = false
		m.tick()
	}
}

// persist writes the Ready into the member's MemoryStorage, which stands for
// its WAL and snap files: what is there survives a crash. Appending at index
// i discards stored entries from i on, as raft requires.
func (m *member) persist(rd etcdraft.Ready) {
	if !etcdraft.IsEmptySnap(rd.Snapshot) {
		if err := m.storage.ApplySnapshot(rd.Snapshot); err != nil {
			panic(fmt.Sprintf("raft: member %d: persist snapshot %d: %v", m.id, rd.Snapshot.GetMetadata().GetIndex(), err))
		}
		idx := rd.Snapshot.GetMetadata().GetIndex()
		m.snapImage = nil
		if bytes.Equal(rd.Snapshot.GetData(), imageMarker) {
			m.snapImage = m.imageAt(idx)
		}
		m.snapIndex = idx
	}
	if !etcdraft.IsEmptyHardState(rd.HardState) {
		_ = m.storage.SetHardState(rd.HardState) // never fails
	}
	if err := m.storage.Append(rd.Entries); err != nil {
		panic(fmt.Sprintf("raft: member %d: persist entries: %v", m.id, err))
	}
}
