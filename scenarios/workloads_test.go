package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

func runLibrary(t *testing.T, name string) (*Run, *sim.Recorder) {
	t.Helper()
	rec := &sim.Recorder{}
	r, err := Start(loadLibrary(t, name), RunOptions{Subscribers: []sim.Subscriber{rec.Subscriber()}})
	require.NoError(t, err)
	r.Execute()
	return r, rec
}

// node-failure with default settings: the crashed node turns NotReady
// about 50 s (node-monitor-grace-period) after the crash, its pods are
// evicted about 300 s (DefaultTolerationSeconds) after that, and the
// ReplicaSet replaces them on other nodes.
func TestNodeFailureDetectionEvictionRescheduling(t *testing.T) {
	r, rec := runLibrary(t, "node-failure")
	crash := rec.Kinds("NodeCrash")
	require.Len(t, crash, 1)
	node := crash[0].Object
	var notReady sim.Time
	for _, e := range rec.Kinds("NodeNotReady") {
		if e.Object == node && e.Source == "node-controller" {
			notReady = e.T
			break
		}
	}
	require.NotZero(t, notReady)
	detect := notReady.Sub(crash[0].T)
	require.GreaterOrEqual(t, detect, 50*time.Second)
	require.Less(t, detect, 60*time.Second, "grace period plus at most one monitor period and a lease interval")

	evictions := rec.Kinds("TaintManagerEviction")
	require.NotEmpty(t, evictions)
	placed := map[string]any{}
	for _, e := range rec.Kinds("Scheduled") {
		placed[e.Object] = e.Field("node")
	}
	evicted := map[string]bool{}
	for _, e := range evictions {
		require.Equal(t, node, placed[e.Object], "only the crashed node's pods")
		wait := e.T.Sub(notReady)
		require.GreaterOrEqual(t, wait, 300*time.Second)
		require.Less(t, wait, 310*time.Second)
		evicted[e.Object] = true
	}
	// Every evicted pod is replaced, on another node, and the replacement runs.
	var replaced int
	for _, e := range rec.Kinds("Scheduled") {
		if e.T > evictions[0].T {
			require.NotEqual(t, node, e.Field("node"))
			replaced++
		}
	}
	require.Equal(t, len(evicted), replaced)
	require.GreaterOrEqual(t, r.Summary.PodsByPhase["Running"], 400, "400 replicas run again")
}

func TestRollingUpdateKeepsAvailability(t *testing.T) {
	_, rec := runLibrary(t, "rolling-update")
	steps := rec.Kinds("ScalingReplicaSet")
	require.Greater(t, len(steps), 4)
	// maxUnavailable 10% of 60 rounds down to 6: the old set never drops
	// more than 6 below the pods that are ready; the first step is 60 → 54.
	var first *sim.Event
	for i := range steps {
		if steps[i].Field("from") == int32(60) || steps[i].Field("from") == int64(60) || steps[i].Field("from") == 60 {
			if steps[i].Field("to") != 60 && steps[i].T > sim.Time(5*time.Minute) {
				first = &steps[i]
				break
			}
		}
	}
	require.NotNil(t, first)
	last := steps[len(steps)-1]
	require.Contains(t, last.Field("message"), "to 0", "the old ReplicaSet is scaled to zero at the end")
}
