package apiserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/storage/etcd"
	"github.com/kubesim/kubesim/storage/raft"
)

func raftServer(t testing.TB, k *sim.Kernel) (*Server, *raft.Cluster) {
	t.Helper()
	var cl *raft.Cluster
	b, err := etcd.NewRaftBackend(k, etcd.RaftConfig{}, func(nm func(uint64) etcd.StateMachine) (etcd.Consensus, error) {
		c, err := raft.NewCluster(k, raft.DefaultConfig(), func(id uint64) raft.StateMachine { return nm(id) })
		cl = c
		return c, err
	})
	require.NoError(t, err)
	s := New(k, start)
	s.UseEtcd(etcd.NewServer(k, b, etcd.ServerConfig{}))
	return s, cl
}

func TestWritesCommitThroughRaft(t *testing.T) {
	k := sim.NewKernel(5)
	s, cl := raftServer(t, k)
	c := s.NewClient("test", 0, 0)
	var seen []string
	s.Watch("Pod", func(ev model.WatchEvent) {
		if ev.Object != nil {
			seen = append(seen, string(ev.Type)+" "+ev.Object.GetObjectMeta().Name+"@"+time.Duration(k.Now()).String())
		}
	})
	k.Run(sim.Time(3 * time.Second)) // elect a leader
	require.NotZero(t, cl.Leader())
	var doneAt sim.Time
	c.Create(testPod("a"), func(_ model.Object, err error) {
		require.NoError(t, err)
		doneAt = k.Now()
	})
	k.Run(sim.Time(4 * time.Second))
	require.Greater(t, doneAt, sim.Time(3*time.Second), "a write answers after a quorum commits")
	require.Less(t, doneAt, sim.Time(3*time.Second+50*time.Millisecond))
	require.Len(t, seen, 1, "watchers see the write once committed")
	require.Equal(t, uint64(1), s.Stats().CommittedWrites)
}

func TestWritesFailWithoutQuorumAndRollBack(t *testing.T) {
	k := sim.NewKernel(5)
	s, cl := raftServer(t, k)
	c := s.NewClient("test", 0, 0)
	k.Run(sim.Time(3 * time.Second))
	leader := cl.Leader()
	for _, id := range cl.Members() {
		if id != leader {
			require.NoError(t, cl.Crash(id))
		}
	}
	watched := 0
	s.Watch("Pod", func(ev model.WatchEvent) {
		if ev.Object != nil {
			watched++
		}
	})
	var gotErr error
	var at sim.Time
	c.Create(testPod("lost"), func(_ model.Object, err error) { gotErr, at = err, k.Now() })
	k.Run(sim.Time(20 * time.Second))
	require.Equal(t, model.ReasonTimeout, model.ReasonOf(gotErr), "%v", gotErr)
	require.InDelta(t, (3*time.Second + 7*time.Second).Seconds(), at.Seconds(), 0.5, "etcd's 7 s request timeout")
	_, err := s.Get("Pod", "default", "lost")
	require.True(t, model.IsNotFound(err), "the failed write is rolled back from the cache")
	require.Zero(t, watched, "watchers never saw it")
	require.Equal(t, uint64(1), s.Stats().FailedWrites)
}

func TestWritesSurviveLeaderLoss(t *testing.T) {
	k := sim.NewKernel(9)
	s, cl := raftServer(t, k)
	c := s.NewClient("test", 0, 0)
	k.Run(sim.Time(3 * time.Second))
	require.NoError(t, cl.Crash(cl.Leader()))
	var err error
	var at sim.Time
	c.Create(testPod("x"), func(_ model.Object, e error) { err, at = e, k.Now() })
	k.Run(sim.Time(20 * time.Second))
	require.NoError(t, err, "the write waits through the election")
	require.Greater(t, at.Sub(sim.Time(3*time.Second)), 500*time.Millisecond, "no leader for about an election timeout")
	require.Less(t, at.Sub(sim.Time(3*time.Second)), 5*time.Second)
}
