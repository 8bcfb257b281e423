package raft

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
	etcdraft "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// bootstrapIndex is the log position of the snapshot every member starts
// from: it holds the initial membership and no data, so a member whose
// latest snapshot is still this one has nothing to restore.
const bootstrapIndex = 1

// member is one etcd process and the machine under it. The machine part
// (storage, disk, random streams) survives a crash; the process part (the
// RawNode, the state machine, everything in flight) does not.
type member struct {
	c      *Cluster
	id     uint64
	name   string // "member-2", the journal object
	source string // "etcd/member-2", the journal source

	// Durable: what the member has fsynced, and its disk.
	storage   *etcdraft.MemoryStorage
	snapIndex uint64 // index of storage's latest snapshot
	snapImage any    // its image, when the state machine makes images
	disk      disk
	entropy   *entropy
	tickRand  *sim.Rand

	// The process; reset by a crash.
	up          bool
	incarnation uint64 // bumped by every crash, to recognise stale events
	rn          *etcdraft.RawNode
	sm          StateMachine
	applied     uint64
	role        Role   // as last observed in a Ready's SoftState
	leaderTerm  uint64 // the term of the leadership role refers to
	writing     bool   // a Ready is on the disk
	inflight    etcdraft.Ready
	tickOwed    bool // a tick fired while writing; deliver it after Advance
	pumpPending bool
	reads       []*pendingRead // linearizable reads this member leads
	// recentImages are images that MsgSnaps sent or received may refer to.
	recentImages []indexedImage
	drops        dropWindow

	tickTimer, diskTimer, pumpTimer sim.Timer
	tickH, diskH, pumpH             sim.Handler
}

func newMember(c *Cluster, id uint64) (*member, error) {
	name := fmt.Sprintf("member-%d", id)
	m := &member{
		c:        c,
		id:       id,
		name:     name,
		source:   "etcd/" + name,
		storage:  etcdraft.NewMemoryStorage(),
		entropy:  newEntropy(c.k.Rand("etcd/" + name + "/entropy")),
		tickRand: c.k.Rand("etcd/" + name + "/tick"),
	}
	m.tickH = sim.HandlerFunc(m.onTick)
	m.diskH = sim.HandlerFunc(m.onDiskDone)
	m.pumpH = sim.HandlerFunc(m.pump)
	if err := m.setFsyncLatency(c.cfg.fsyncLatency(id)); err != nil {
		return nil, err
	}
	// Bootstrap as etcd's raft package recommends for RawNode users: a
	// storage whose first snapshot carries the membership, rather than
	// conf-change entries in the log.
	snap := &pb.Snapshot{Metadata: &pb.SnapshotMetadata{
		Index:     new(uint64(bootstrapIndex)),
		Term:      new(uint64(1)),
		ConfState: c.confState,
	}}
	if err := m.storage.ApplySnapshot(snap); err != nil {
		return nil, fmt.Errorf("bootstrap member %d: %w", id, err)
	}
	if err := m.storage.SetHardState(&pb.HardState{Term: new(uint64(1)), Commit: new(uint64(bootstrapIndex))}); err != nil {
		return nil, fmt.Errorf("bootstrap member %d: %w", id, err)
	}
	m.snapIndex = bootstrapIndex
	return m, nil
}

// setFsyncLatency binds d to the member's disk stream, so changing one
// member's disk never shifts another's draws.
func (m *member) setFsyncLatency(d sim.Dist) error {
	if err := validateLatency(d); err != nil {
		return fmt.Errorf("fsync latency of member %d: %w", m.id, err)
	}
	s, err := d.Sampler(m.c.k.Rand(m.source + "/disk"))
	if err != nil {
		return fmt.Errorf("fsync latency of member %d: %w", m.id, err)
	}
	m.disk.latency = s
	return nil
}

// start brings the process up on the persisted state: a fresh state
// machine, restored from the latest snapshot, then raft re-delivers the
// committed entries after it.
func (m *member) start() error {
	snap, err := m.storage.Snapshot()
	if err != nil {
		return fmt.Errorf("read snapshot of member %d: %w", m.id, err)
	}
	applied := snap.GetMetadata().GetIndex()
	if err := m.newRawNode(applied); err != nil {
		return err
	}
	m.sm = m.c.newSM(m.id)
	if applied > bootstrapIndex {
		m.restore(snap)
	}
	m.up = true
	m.applied = applied
	m.role = RoleFollower
	// A fresh phase per start: members booted together must not tick in
	// lockstep, or their election timers expire together and split votes
	// (the livelock Shadow found in etcd, etcd#15784).
	phase := time.Duration(m.tickRand.Int64N(int64(m.c.cfg.HeartbeatInterval)))
	m.tickTimer = m.c.k.After(phase, m.tickH)
	m.schedulePump()
	return nil
}

// stop is the crash: the process and everything it held in memory are gone,
// including the Ready on the disk (its entries were never durable).
func (m *member) stop() {
	k := m.c.k
	k.Cancel(m.tickTimer)
	k.Cancel(m.diskTimer)
	k.Cancel(m.pumpTimer)
	m.up = false
	m.incarnation++
	m.rn, m.sm = nil, nil
	m.recentImages = nil
	m.applied = 0
	m.writing, m.inflight = false, etcdraft.Ready{}
	m.tickOwed, m.pumpPending = false, false
	m.role, m.leaderTerm = RoleFollower, 0
}

// onTick is the member's heartbeat-interval clock. etcd's raft loop only
// reads its ticker between Readys, and a Go ticker holds at most one
// pending tick, so ticks that fire while a write is on the disk collapse
// into one, delivered after Advance: a slow disk slows the member's clock.
func (m *member) onTick(sim.Time) {
	if !m.up {
		return
	}
	m.tickTimer = m.c.k.After(m.c.cfg.HeartbeatInterval, m.tickH)
	if m.writing {
		m.tickOwed = true
		return
	}
	m.tick()
	m.schedulePump()
}

// reportSnapshot tells the sender of a MsgSnap how it went, if the sender is
// still the process that sent it.
func (m *member) reportSnapshot(inc, to uint64, ok bool) {
	if !m.up || m.incarnation != inc {
		return
	}
	m.reportSnapshotStatus(to, ok)
	m.schedulePump()
}
