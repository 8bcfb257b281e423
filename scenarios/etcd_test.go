package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

// The built-in etcd-leader-loss scenario: the leader dies at 60 s, a new
// one is elected within the etcd-typical window and no write fails; two of
// three members die at 150 s and writes fail until they return at 170 s.
func TestEtcdLeaderLossScenario(t *testing.T) {
	l := loadLibrary(t, "etcd-leader-loss")
	rec := &sim.Recorder{}
	r, err := Start(l, RunOptions{Subscribers: []sim.Subscriber{rec.Subscriber()}})
	require.NoError(t, err)
	r.Execute()

	elected := rec.Kinds("LeaderElected")
	require.Len(t, elected, 3, "cold start, after the kill, after quorum returns")
	kill := sim.Time(60 * time.Second)
	gap := elected[1].T.Sub(kill)
	require.Greater(t, gap, 900*time.Millisecond, "at least an election timeout")
	require.Less(t, gap, 3*time.Second)

	var failedBefore, failedDuring, failedAfter int
	for _, e := range rec.Kinds("FailedCreate") {
		switch {
		case e.T < sim.Time(150*time.Second):
			failedBefore++
		case e.T <= sim.Time(178*time.Second): // the last stalled batch times out 7 s after its proposal
			failedDuring++
		default:
			failedAfter++
		}
	}
	require.Zero(t, failedBefore, "a leader loss delays writes but loses none")
	require.Positive(t, failedDuring, "without quorum, writes fail")
	require.Zero(t, failedAfter, "writes succeed again once quorum returns")
	// The quorum loss is noticed: the lone leader steps down (CheckQuorum).
	var steppedDown bool
	for _, e := range rec.Kinds("LeaderLost") {
		if e.Field("reason") == "stepped down" && e.T > sim.Time(150*time.Second) && e.T < sim.Time(153*time.Second) {
			steppedDown = true
		}
	}
	require.True(t, steppedDown)
	cp := r.Summary.ControlPlane
	require.Equal(t, "raft", cp.Store)
	// Kubelets' lease and status writes fail too, besides the scenario's.
	require.GreaterOrEqual(t, cp.FailedWrites, uint64(failedDuring))
}
