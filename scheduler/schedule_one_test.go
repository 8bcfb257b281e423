package scheduler

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
)

// Cases from upstream schedule_one_test.go TestNumFeasibleNodesToFind.
func TestNumFeasibleNodesToFind(t *testing.T) {
	cases := []struct {
		name       string
		percentage int32
		numNodes   int32
		want       int32
	}{
		{"not set percentageOfNodesToScore and nodes number not more than 50", 0, 10, 10},
		{"set percentageOfNodesToScore and nodes number not more than 50", 40, 10, 10},
		{"not set percentageOfNodesToScore and nodes number more than 50", 0, 1000, 420},
		{"set percentageOfNodesToScore and nodes number more than 50", 40, 1000, 400},
		{"not set percentageOfNodesToScore and nodes number more than 50*125", 0, 6000, 300},
		{"set percentageOfNodesToScore and nodes number more than 50*125", 40, 6000, 2400},
		{"5000 nodes, adaptive: 10%", 0, 5000, 500},
		{"floor of 100 nodes", 1, 1000, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, numFeasibleNodesToFind(c.percentage, c.numNodes))
		})
	}
}

func TestSelectHostPicksMaxAndSpreadsTiesUniformly(t *testing.T) {
	c := &cycle{tiebreak: sim.NewRand(1, "t")}
	require.Equal(t, 2, c.selectHost([]int64{10, 20, 30, 5}))
	require.Equal(t, 0, c.selectHost([]int64{7}))
	// Three nodes tie at the top: each must be chosen about a third of the
	// time (reservoir sampling), never the lower-scored one.
	counts := map[int]int{}
	const n = 30000
	for i := 0; i < n; i++ {
		counts[c.selectHost([]int64{50, 90, 10, 90, 90})]++
	}
	require.Zero(t, counts[0]+counts[2])
	for _, i := range []int{1, 3, 4} {
		require.InDelta(t, n/3, counts[i], 600, "node %d", i)
	}
}

func TestFitErrorMessage(t *testing.T) {
	fe := &FitError{NumAllNodes: 6, Diagnosis: Diagnosis{NodeToStatus: &framework.NodeToStatus{
		Statuses: map[string]*framework.Status{
			"a": framework.NewStatus(framework.Unschedulable, "Insufficient cpu"),
			"b": framework.NewStatus(framework.Unschedulable, "Insufficient cpu", "Insufficient memory"),
			"c": framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) had untolerated taint(s)"),
		},
		AbsentStatus: framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) didn't satisfy plugin(s) [NodeAffinity]"),
	}}}
	// Reasons are counted per node and sorted as strings (upstream
	// FitError.Error); the 3 nodes outside the PreFilter result count too.
	require.Equal(t, "0/6 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint(s), 2 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity].", fe.Error())
	fe.Diagnosis.PostFilterMsg = "preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod"
	require.Contains(t, fe.Error(), "[NodeAffinity]. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.")
	pre := &FitError{NumAllNodes: 3, Diagnosis: Diagnosis{NodeToStatus: &framework.NodeToStatus{Statuses: map[string]*framework.Status{}}, PreFilterMsg: "pod has unbound immediate PersistentVolumeClaims"}}
	require.Equal(t, "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.", pre.Error())
}
