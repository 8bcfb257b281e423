package etcd

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

var errFakeNoLeader = errors.New("fake raft: no leader, proposal dropped")

// fakeRaft is a test double for storage/raft's cluster: a log that commits
// commitLatency after a proposal, and members that apply committed entries
// after their own delay unless stalled.
type fakeRaft struct {
	k             *sim.Kernel
	ids           []uint64
	sms           map[uint64]StateMachine
	applied       map[uint64]uint64
	delay         map[uint64]sim.Duration
	stalled       map[uint64]bool
	newMember     func(uint64) StateMachine
	leader        uint64
	log           [][]byte
	commit        uint64
	commitLatency sim.Duration
	lose          bool // accepted proposals never commit
}

func newFakeCluster(t *testing.T, k *sim.Kernel, cfg RaftConfig, n int) (*RaftBackend, *fakeRaft) {
	t.Helper()
	f := &fakeRaft{k: k, sms: map[uint64]StateMachine{}, applied: map[uint64]uint64{}, delay: map[uint64]sim.Duration{},
		stalled: map[uint64]bool{}, leader: 1, commitLatency: 2 * ms}
	b, err := NewRaftBackend(k, cfg, func(newMember func(uint64) StateMachine) (Consensus, error) {
		f.newMember = newMember
		for id := uint64(1); id <= uint64(n); id++ {
			f.ids = append(f.ids, id)
			f.sms[id] = newMember(id)
		}
		return f, nil
	})
	require.NoError(t, err)
	return b, f
}

func (f *fakeRaft) Leader() uint64 { return f.leader }

func (f *fakeRaft) Propose(data []byte) error {
	if f.leader == 0 {
		return errFakeNoLeader
	}
	if f.lose {
		return nil
	}
	f.log = append(f.log, data)
	idx := uint64(len(f.log))
	f.k.AfterFunc(f.commitLatency, func(sim.Time) {
		if idx > f.commit {
			f.commit = idx
		}
		for _, id := range f.ids {
			f.k.AfterFunc(f.delay[id], func(sim.Time) { f.catchUp(id) })
		}
	})
	return nil
}

func (f *fakeRaft) catchUp(id uint64) {
	if f.stalled[id] {
		return
	}
	for f.applied[id] < f.commit {
		f.applied[id]++
		f.sms[id].Apply(f.applied[id], f.log[f.applied[id]-1])
	}
}

func (f *fakeRaft) ReadIndex(done func(uint64, error)) {
	if f.leader == 0 {
		done(0, errFakeNoLeader)
		return
	}
	f.k.AfterFunc(f.commitLatency, func(sim.Time) { done(f.commit, nil) })
}

// A write completes when the leader applied it; every member converges.
func TestRaftWriteCompletesOnLeaderApply(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{Member: 3}, 3)
	f.delay[1] = 1 * ms
	f.delay[3] = 10 * ms
	srv := NewServer(k, b, ServerConfig{})
	var put outcome
	k.AfterFunc(0, func(sim.Time) { srv.Put(b_("k"), b_("v"), put.done(k)) })
	k.Run(sim.Never)
	require.NoError(t, put.err)
	assert.Equal(t, sim.Time(3*ms), put.at, "commit at 2 ms + leader apply 1 ms")
	assert.EqualValues(t, 2, put.resp.Revision)
	snap := b.MemberStore(1).Snapshot()
	for _, id := range b.Members() {
		assert.Equal(t, snap, b.MemberStore(id).Snapshot(), "member %d", id)
	}
	assert.Equal(t, []uint64{1, 2, 3}, b.Members())
}

func b_(s string) []byte { return []byte(s) }

// Serializable reads see the serving member as it is; linearizable ones
// wait for it to catch up with the leader's commit index.
func TestRaftReadConsistency(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{Member: 3}, 3)
	f.delay[3] = 50 * ms // the serving member lags
	srv := NewServer(k, b, ServerConfig{})
	var put, ser, lin outcome
	k.AfterFunc(0, func(sim.Time) { srv.Put(b_("k"), b_("v"), put.done(k)) })
	k.AfterFunc(5*ms, func(sim.Time) {
		srv.Range(b_("k"), nil, RangeOptions{Consistency: Serializable}, ser.done(k))
		srv.Range(b_("k"), nil, RangeOptions{}, lin.done(k))
	})
	k.Run(sim.Never)
	require.NoError(t, put.err)
	assert.Equal(t, sim.Time(2*ms), put.at)
	assert.Equal(t, sim.Time(5*ms), ser.at)
	assert.Zero(t, ser.resp.Range.Count, "stale: member 3 has not applied the put")
	assert.Equal(t, sim.Time(52*ms), lin.at, "waits for member 3 to apply index 1")
	assert.Equal(t, "v", string(lin.resp.Range.KVs[0].Value))
}

func TestRaftNoLeader(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{Member: 1}, 3)
	f.leader = 0
	srv := NewServer(k, b, ServerConfig{})
	var put, read, ser outcome
	k.AfterFunc(0, func(sim.Time) {
		srv.Put(b_("k"), b_("v"), put.done(k))
		srv.Range(b_("k"), nil, RangeOptions{}, read.done(k))
		srv.Range(b_("k"), nil, RangeOptions{Consistency: Serializable}, ser.done(k))
	})
	k.Run(sim.Never)
	assert.ErrorIs(t, put.err, ErrNoLeader)
	assert.Equal(t, sim.Time(DefaultRequestTimeout), put.at)
	assert.ErrorIs(t, read.err, ErrNoLeader)
	assert.Equal(t, sim.Time(DefaultRequestTimeout), read.at)
	assert.NoError(t, ser.err, "serializable reads need no leader")
	st := srv.Stats()
	assert.EqualValues(t, 2, st.NoLeader)
	assert.EqualValues(t, 70, st.ProposalRetries, "every 100 ms for 7 s")
	assert.EqualValues(t, 14, st.ReadIndexRetries, "every 500 ms for 7 s")
	assert.Zero(t, st.InFlight)
}

// Writes made during an election wait for the new leader.
func TestRaftWriteQueuesThroughElection(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{}, 3)
	f.leader = 0
	k.AfterFunc(1150*ms, func(sim.Time) { f.leader = 2 })
	srv := NewServer(k, b, ServerConfig{})
	var put outcome
	k.AfterFunc(0, func(sim.Time) { srv.Put(b_("k"), b_("v"), put.done(k)) })
	k.Run(sim.Never)
	require.NoError(t, put.err)
	assert.Equal(t, sim.Time(1202*ms), put.at, "re-proposed at 1.2 s, committed 2 ms later")
}

func TestRaftLostProposalTimesOut(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{}, 3)
	f.lose = true
	srv := NewServer(k, b, ServerConfig{RequestTimeout: 3 * 1e9})
	var put outcome
	k.AfterFunc(0, func(sim.Time) { srv.Put(b_("k"), b_("v"), put.done(k)) })
	k.Run(sim.Never)
	assert.ErrorIs(t, put.err, ErrTimeout)
	assert.Equal(t, sim.Time(3e9), put.at)
	assert.EqualValues(t, 1, srv.Stats().Timeouts)
}

// The leader changes to a member that applied the entry while it was a
// follower: the request completes with the new leader's response. Without
// any further activity, the timeout finds it instead.
func TestRaftLeaderChangeCompletes(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{Member: 2}, 3)
	f.stalled[1] = true // the old leader never applies
	srv := NewServer(k, b, ServerConfig{})
	var first, second outcome
	k.AfterFunc(0, func(sim.Time) { srv.Put(b_("a"), b_("1"), first.done(k)) })
	k.AfterFunc(100*ms, func(sim.Time) {
		f.leader = 2
		srv.Put(b_("b"), b_("1"), second.done(k))
	})
	k.Run(sim.Never)
	require.NoError(t, first.err)
	require.NoError(t, second.err)
	assert.Equal(t, sim.Time(100*ms), first.at, "the next proposal notices the new leader, which already applied it")
	assert.EqualValues(t, 2, first.resp.Revision)
	assert.EqualValues(t, 3, second.resp.Revision)
}

// A member that fell behind installs the leader's snapshot; watches on it
// catch up or end with ErrCompacted; all members end identical.
func TestRaftSnapshotInstall(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{Member: 3}, 3)
	srv := NewServer(k, b, ServerConfig{})
	var events []Event
	var ended []WatchResponse
	k.AfterFunc(0, func(sim.Time) {
		srv.Put(b_("k"), b_("0"), nil)
	})
	k.AfterFunc(10*ms, func(sim.Time) {
		f.stalled[3] = true
		srv.Watch(b_("k"), nil, 0, func(w WatchResponse) {
			if w.Canceled {
				ended = append(ended, w)
				return
			}
			events = append(events, w.Events...)
		})
		for i := 0; i < 5; i++ {
			srv.Put(b_("k"), b_("x"), nil)
		}
	})
	k.AfterFunc(20*ms, func(sim.Time) { srv.Compact(7, nil) })
	k.AfterFunc(30*ms, func(sim.Time) {
		// raft sends member 3 a snapshot instead of the compacted log.
		f.sms[3].Restore(f.sms[1].Snapshot())
		f.applied[3] = f.applied[1]
		f.stalled[3] = false
	})
	k.Run(sim.Never)
	assert.Empty(t, events, "member 3 applied nothing before the snapshot")
	require.Len(t, ended, 1, "its watch from revision 3 is below the compaction at 7")
	assert.ErrorIs(t, ended[0].Err, ErrCompacted)
	assert.EqualValues(t, 7, ended[0].CompactRevision)
	assert.Equal(t, b.MemberStore(1).Snapshot(), b.MemberStore(3).Snapshot())
	ids := b.Members()
	assert.True(t, slices.IsSorted(ids))
}

// A restarted member gets a fresh store, rebuilt from its snapshot and log;
// a watch served by it resumes without losing or repeating an event.
func TestRaftMemberRestartKeepsWatches(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{Member: 3}, 3)
	srv := NewServer(k, b, ServerConfig{})
	var events []Event
	var snap []byte
	var snapIndex uint64
	k.AfterFunc(0, func(sim.Time) {
		srv.Watch(b_("k"), nil, 0, func(w WatchResponse) { events = append(events, w.Events...) })
		for i := 0; i < 3; i++ {
			srv.Put(b_("k"), b_("before"), nil)
		}
	})
	k.AfterFunc(10*ms, func(sim.Time) {
		snap, snapIndex = f.sms[3].Snapshot(), f.applied[3] // the member's persisted snapshot
		for i := 0; i < 2; i++ {
			srv.Put(b_("k"), b_("lost-on-crash"), nil)
		}
	})
	k.AfterFunc(20*ms, func(sim.Time) {
		old := b.MemberStore(3)
		f.sms[3] = f.newMember(3) // crash and restart: a fresh state machine
		assert.NotSame(t, old, b.MemberStore(3))
		assert.EqualValues(t, 1, b.MemberStore(3).Rev())
		f.sms[3].Restore(snap)
		f.applied[3] = snapIndex
		srv.Put(b_("k"), b_("after"), nil) // member 3 replays its log, then this
	})
	k.Run(sim.Never)
	require.Len(t, events, 6)
	for i, e := range events {
		assert.EqualValues(t, i+2, e.KV.ModRevision)
	}
	assert.Equal(t, b.MemberStore(1).Snapshot(), b.MemberStore(3).Snapshot())
	assert.Equal(t, 1, srv.Stats().Store.Watchers)
}

func TestRaftLeaderChangeFoundAtTimeout(t *testing.T) {
	k := sim.NewKernel(1)
	b, f := newFakeCluster(t, k, RaftConfig{Member: 2}, 3)
	f.stalled[1] = true
	srv := NewServer(k, b, ServerConfig{})
	var put outcome
	k.AfterFunc(0, func(sim.Time) { srv.Put(b_("a"), b_("1"), put.done(k)) })
	k.AfterFunc(100*ms, func(sim.Time) { f.leader = 2 })
	k.Run(sim.Never)
	require.NoError(t, put.err)
	assert.Equal(t, sim.Time(DefaultRequestTimeout), put.at)
	assert.EqualValues(t, 2, put.resp.Revision)
}
