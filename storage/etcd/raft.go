package etcd

import (
	"fmt"
	"slices"

	"github.com/kubesim/kubesim/sim"
)

// Consensus is what a replicated log offers the etcd layer. storage/raft's
// Cluster provides it; this package does not import it, so either a raft
// cluster or a test double can sit behind a RaftBackend.
type Consensus interface {
	// Propose appends data to the log through the current leader. It fails
	// when the proposal cannot be accepted now (no leader, leadership
	// transfer); an accepted proposal may still be lost if the leader loses
	// its term before committing it.
	Propose(data []byte) error
	// ReadIndex asks the leader for its commit index, confirmed by a quorum
	// (raft's ReadIndex), and calls done with it, or with an error.
	ReadIndex(done func(index uint64, err error))
	// Leader returns the current leader's member ID, 0 if there is none.
	Leader() uint64
}

// StateMachine is what each member of a raft cluster applies committed
// entries to. The member wrappers a RaftBackend hands out implement it over a
// Store.
type StateMachine interface {
	Apply(index uint64, data []byte)
	Snapshot() []byte
	Restore(data []byte)
	// SnapshotImage and RestoreImage are Snapshot and Restore without the
	// serialization: the image is an *Image.
	SnapshotImage() any
	RestoreImage(image any)
}

// RaftConfig configures a RaftBackend.
type RaftConfig struct {
	// Member is the member this client is connected to: serializable reads,
	// watches and the read barrier's wait are served by its store. 0 means
	// the lowest member ID.
	Member uint64
	// Store configures every member's store.
	Store Config
}

// RaftBackend replicates requests through a Consensus: every member applies
// the committed entries to its own Store. A write completes when the
// leader's store has applied the entry carrying its request ID (the response
// is the leader's). Linearizable reads wait for ReadIndex and for the serving
// member to apply up to that index; serializable reads read the serving
// member's store as it is.
type RaftBackend struct {
	k          *sim.Kernel
	cfg        RaftConfig
	c          Consensus
	members    map[uint64]*raftMember
	ids        uint64
	waiting    map[uint64]func(*Response)
	reads      []readWait
	lastLeader uint64
	serving    *raftMember
}

type readWait struct {
	index uint64
	done  func(error)
}

var _ Backend = (*RaftBackend)(nil)

// NewRaftBackend builds the backend and, through build, the consensus
// cluster. build receives the factory the cluster must use to create each
// member's state machine (storage/raft's NewCluster has this shape):
//
//	b, err := etcd.NewRaftBackend(k, etcd.RaftConfig{Member: 1},
//		func(newMember func(id uint64) etcd.StateMachine) (etcd.Consensus, error) {
//			return raft.NewCluster(k, rcfg, func(id uint64) raft.StateMachine { return newMember(id) })
//		})
//
// Calling the factory again for a member (a restart after a crash) gives it
// a fresh, empty store, which raft then rebuilds from the member's snapshot
// and log. Watches open on the serving member move to the fresh store and
// resume where they were: no event is lost or repeated.
func NewRaftBackend(k *sim.Kernel, cfg RaftConfig, build func(newMember func(id uint64) StateMachine) (Consensus, error)) (*RaftBackend, error) {
	b := &RaftBackend{k: k, cfg: cfg, members: make(map[uint64]*raftMember), waiting: make(map[uint64]func(*Response))}
	c, err := build(b.newMember)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("etcd: NewRaftBackend: build returned no consensus")
	}
	b.c = c
	return b, nil
}

// newMember is the state-machine factory handed to the cluster.
func (b *RaftBackend) newMember(id uint64) StateMachine {
	m, ok := b.members[id]
	if !ok {
		return b.member(id)
	}
	fresh := NewStore(b.cfg.Store)
	fresh.adopt(m.store)
	m.store = fresh
	return m
}

// member returns the member's state machine, creating it on first use.
func (b *RaftBackend) member(id uint64) *raftMember {
	if m, ok := b.members[id]; ok {
		return m
	}
	m := &raftMember{b: b, id: id, store: NewStore(b.cfg.Store)}
	b.members[id] = m
	return m
}

// MemberStore returns a member's store, or nil if the member was never
// created; for invariant checks and tests.
func (b *RaftBackend) MemberStore(id uint64) *Store {
	if m, ok := b.members[id]; ok {
		return m.store
	}
	return nil
}

// Members returns the IDs of the members created so far, sorted.
func (b *RaftBackend) Members() []uint64 {
	ids := make([]uint64, 0, len(b.members))
	for id := range b.members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (b *RaftBackend) servingMember() *raftMember {
	if b.serving != nil {
		return b.serving
	}
	id := b.cfg.Member
	if id == 0 {
		ids := b.Members()
		if len(ids) == 0 {
			panic("etcd: RaftBackend has no member yet (the cluster did not create any)")
		}
		id = ids[0]
	}
	b.serving = b.member(id)
	journal(b.k, fmt.Sprintf("member-%d", id), b.serving.store)
	return b.serving
}

// Store returns the serving member's store.
func (b *RaftBackend) Store() *Store { return b.servingMember().store }

// NewID returns the next request ID.
func (b *RaftBackend) NewID() uint64 { b.ids++; return b.ids }

// HasLeader reports whether the cluster has a leader.
func (b *RaftBackend) HasLeader() bool { return b.c.Leader() != 0 }

// Propose proposes data; done is called when the leader's store applied it.
func (b *RaftBackend) Propose(id uint64, data []byte, done func(*Response)) error {
	b.servingMember()
	b.checkLeader()
	if err := b.c.Propose(data); err != nil {
		return err
	}
	if done != nil {
		b.waiting[id] = done
	}
	return nil
}

// Forget drops a request's callback and returns its response if the
// leader's store (or, without a leader, the serving store) applied it.
func (b *RaftBackend) Forget(id uint64) *Response {
	delete(b.waiting, id)
	st := b.Store()
	if m, ok := b.members[b.c.Leader()]; ok {
		st = m.store
	}
	if r, ok := st.Response(id); ok {
		return r
	}
	return nil
}

// ReadIndex runs the read barrier: the leader's confirmed commit index, then
// the serving member's apply catching up to it.
func (b *RaftBackend) ReadIndex(done func(error)) {
	serving := b.servingMember()
	b.checkLeader()
	b.c.ReadIndex(func(index uint64, err error) {
		if err != nil {
			done(err)
			return
		}
		if serving.store.AppliedIndex() >= index {
			done(nil)
			return
		}
		b.reads = append(b.reads, readWait{index: index, done: done})
	})
}

// applied runs after a member applied an entry or restored a snapshot.
func (b *RaftBackend) applied(m *raftMember) {
	if m == b.serving && len(b.reads) > 0 {
		idx := m.store.AppliedIndex()
		var ready []readWait
		rest := b.reads[:0]
		for _, r := range b.reads {
			if r.index <= idx {
				ready = append(ready, r)
			} else {
				rest = append(rest, r)
			}
		}
		clear(b.reads[len(rest):])
		b.reads = rest
		for _, r := range ready {
			r.done(nil)
		}
	}
	if b.c == nil || len(b.waiting) == 0 {
		return
	}
	leader := b.c.Leader()
	lm, ok := b.members[leader]
	if !ok {
		return
	}
	if resp := m.store.last; resp != nil && resp.ID != 0 {
		if _, pending := b.waiting[resp.ID]; pending {
			if m == lm {
				b.complete(resp.ID, resp)
			} else if r, ok := lm.store.Response(resp.ID); ok {
				b.complete(resp.ID, r)
			}
		}
	}
	b.checkLeader()
}

// checkLeader notices a leader change (on any apply, proposal or read) and
// completes the requests the new leader already applied while it was a
// follower. raft's no-op entries never reach Apply, so a change can go
// unnoticed until the next of those calls; a request's timeout checks once
// more (Forget).
func (b *RaftBackend) checkLeader() {
	if b.c == nil {
		return
	}
	leader := b.c.Leader()
	if leader == b.lastLeader || leader == 0 {
		return
	}
	b.lastLeader = leader
	lm, ok := b.members[leader]
	if !ok || len(b.waiting) == 0 {
		return
	}
	ids := make([]uint64, 0, len(b.waiting))
	for id := range b.waiting {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if r, ok := lm.store.Response(id); ok {
			b.complete(id, r)
		}
	}
}

func (b *RaftBackend) complete(id uint64, resp *Response) {
	done, ok := b.waiting[id]
	if !ok {
		return
	}
	delete(b.waiting, id)
	done(resp)
}

// raftMember is one member's state machine: its Store, plus the hooks that
// let the backend complete requests and read barriers.
type raftMember struct {
	b     *RaftBackend
	id    uint64
	store *Store
}

var _ StateMachine = (*raftMember)(nil)

func (m *raftMember) Apply(index uint64, data []byte) {
	m.store.Apply(index, data)
	m.b.applied(m)
}

func (m *raftMember) Snapshot() []byte { return m.store.Snapshot() }

func (m *raftMember) Restore(data []byte) {
	m.store.Restore(data)
	m.store.last = nil
	m.b.applied(m)
}

// SnapshotImage and RestoreImage let the raft layer keep snapshots as
// Images that share values with the live store (storage/raft's
// ImageStateMachine) rather than as a serialized copy per member.
func (m *raftMember) SnapshotImage() any { return m.store.Image() }

func (m *raftMember) RestoreImage(image any) {
	m.store.RestoreImage(image.(*Image))
	m.store.last = nil
	m.b.applied(m)
}
