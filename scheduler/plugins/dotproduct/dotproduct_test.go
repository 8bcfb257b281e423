package dotproduct

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

func TestAlignmentPrefersMatchingShape(t *testing.T) {
	const gi = 1 << 30
	// A cpu-heavy pod (2 cpu, 1Gi). Node a has mostly cpu free, node b
	// mostly memory free, node c cannot fit the cpu.
	nodes := []*framework.NodeInfo{}
	a := fwtest.Node("a", 8000, 32*gi, 110, nil)
	b := fwtest.Node("b", 8000, 32*gi, 110, nil)
	c := fwtest.Node("c", 8000, 32*gi, 110, nil)
	pods := []*model.Pod{
		fwtest.Pod("fill-a", "a", nil, [2]int64{1000, 24 * gi}), // a: 7 cpu, 8Gi free
		fwtest.Pod("fill-b", "b", nil, [2]int64{6000, 1 * gi}),  // b: 2 cpu, 31Gi free
		fwtest.Pod("fill-c", "c", nil, [2]int64{7000, 1 * gi}),  // c: 1 cpu free
	}
	h := fwtest.NewHandle([]*model.Node{a, b, c}, pods)
	for _, n := range []string{"a", "b", "c"} {
		ni, _ := h.Snap.Get(n)
		nodes = append(nodes, ni)
	}
	pl, err := New(nil, h)
	require.NoError(t, err)
	p := pl.(*Plugin)
	pod := fwtest.Pod("p", "", nil, [2]int64{2000, 1 * gi})
	var list framework.NodeScoreList
	for _, ni := range nodes {
		s, st := p.Score(nil, pod, ni)
		require.True(t, st.IsSuccess())
		list = append(list, framework.NodeScore{Name: ni.Name(), Score: s})
	}
	// a: (2/8)(7/8) + (1/32)(8/32) = 0.21875 + 0.0078125 = 0.2265625
	// b: (2/8)(2/8) + (1/32)(31/32) = 0.0625 + 0.0302734375 = 0.0927734375
	require.Equal(t, int64(226563), list[0].Score)
	require.Equal(t, int64(92773), list[1].Score)
	require.Equal(t, int64(0), list[2].Score, "does not fit cpu")
	require.True(t, p.NormalizeScore(nil, pod, list).IsSuccess())
	require.Equal(t, []int64{100, 40, 0}, []int64{list[0].Score, list[1].Score, list[2].Score})
}

func TestArgsValidation(t *testing.T) {
	a := &Args{Resources: []ResourceSpec{{Name: "cpu", Weight: 101}}}
	require.Error(t, a.Validate())
	a = &Args{Resources: []ResourceSpec{{Name: "cpu"}, {Name: "cpu"}}}
	a.SetDefaults()
	require.Error(t, a.Validate())
	a = &Args{}
	a.SetDefaults()
	require.NoError(t, a.Validate())
	require.Len(t, a.Resources, 2)
}
