package tainttoleration

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

func nodeWithTaints(name string, taints []model.Taint) *model.Node {
	n := fwtest.Node(name, 1000, 1<<30, 10, nil)
	n.Spec.Taints = taints
	return n
}

func podWithTolerations(name string, tols []model.Toleration) *model.Pod {
	p := fwtest.Pod(name, "", nil)
	p.Spec.Tolerations = tols
	return p
}

// Cases from upstream taint_toleration_test.go TestTaintTolerationScore.
func TestTaintTolerationScore(t *testing.T) {
	pns := model.TaintEffectPreferNoSchedule
	tests := []struct {
		name  string
		pod   *model.Pod
		nodes []*model.Node
		want  []int64
	}{
		{
			name: "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "foo", Operator: model.TolerationOpEqual, Value: "bar", Effect: pns}}),
			nodes: []*model.Node{
				nodeWithTaints("nodeA", []model.Taint{{Key: "foo", Value: "bar", Effect: pns}}),
				nodeWithTaints("nodeB", []model.Taint{{Key: "foo", Value: "blah", Effect: pns}}),
			},
			want: []int64{100, 0},
		},
		{
			name: "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has",
			pod: podWithTolerations("pod1", []model.Toleration{
				{Key: "cpu-type", Operator: model.TolerationOpEqual, Value: "arm64", Effect: pns},
				{Key: "disk-type", Operator: model.TolerationOpEqual, Value: "ssd", Effect: pns},
			}),
			nodes: []*model.Node{
				nodeWithTaints("nodeA", nil),
				nodeWithTaints("nodeB", []model.Taint{{Key: "cpu-type", Value: "arm64", Effect: pns}}),
				nodeWithTaints("nodeC", []model.Taint{{Key: "cpu-type", Value: "arm64", Effect: pns}, {Key: "disk-type", Value: "ssd", Effect: pns}}),
			},
			want: []int64{100, 100, 100},
		},
		{
			name: "the more intolerable taints a node has, the lower score it gets.",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "foo", Operator: model.TolerationOpEqual, Value: "bar", Effect: pns}}),
			nodes: []*model.Node{
				nodeWithTaints("nodeA", nil),
				nodeWithTaints("nodeB", []model.Taint{{Key: "cpu-type", Value: "arm64", Effect: pns}}),
				nodeWithTaints("nodeC", []model.Taint{{Key: "cpu-type", Value: "arm64", Effect: pns}, {Key: "disk-type", Value: "ssd", Effect: pns}}),
			},
			want: []int64{100, 50, 0},
		},
		{
			name: "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function",
			pod: podWithTolerations("pod1", []model.Toleration{
				{Key: "cpu-type", Operator: model.TolerationOpEqual, Value: "arm64", Effect: model.TaintEffectNoSchedule},
				{Key: "disk-type", Operator: model.TolerationOpEqual, Value: "ssd", Effect: model.TaintEffectNoSchedule},
			}),
			nodes: []*model.Node{
				nodeWithTaints("nodeA", nil),
				nodeWithTaints("nodeB", []model.Taint{{Key: "cpu-type", Value: "arm64", Effect: model.TaintEffectNoSchedule}}),
				nodeWithTaints("nodeC", []model.Taint{{Key: "cpu-type", Value: "arm64", Effect: pns}, {Key: "disk-type", Value: "ssd", Effect: pns}}),
			},
			want: []int64{100, 100, 0},
		},
		{
			name: "Default behaviour No taints and tolerations, lands on node with no taints",
			pod:  podWithTolerations("pod1", nil),
			nodes: []*model.Node{
				nodeWithTaints("nodeA", nil),
				nodeWithTaints("nodeB", []model.Taint{{Key: "cpu-type", Value: "arm64", Effect: pns}}),
			},
			want: []int64{100, 0},
		},
		{
			// Not upstream: a toleration with an empty effect counts for scoring.
			name: "empty-effect toleration tolerates PreferNoSchedule",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "foo", Operator: model.TolerationOpExists}}),
			nodes: []*model.Node{
				nodeWithTaints("nodeA", []model.Taint{{Key: "foo", Value: "x", Effect: pns}}),
				nodeWithTaints("nodeB", []model.Taint{{Key: "bar", Value: "x", Effect: pns}}),
			},
			want: []int64{100, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fwtest.NewHandle(tt.nodes, nil)
			p, err := New(nil, h)
			if err != nil {
				t.Fatal(err)
			}
			pl := p.(*Plugin)
			state := framework.NewCycleState()
			nodes := make([]*framework.NodeInfo, len(tt.nodes))
			for i, n := range tt.nodes {
				nodes[i], _ = h.Snap.Get(n.Name)
			}
			if st := pl.PreScore(state, tt.pod, nodes); !st.IsSuccess() {
				t.Fatalf("PreScore: %v", st)
			}
			scores := make(framework.NodeScoreList, len(nodes))
			for i, ni := range nodes {
				s, st := pl.Score(state, tt.pod, ni)
				if !st.IsSuccess() {
					t.Fatalf("Score: %v", st)
				}
				scores[i] = framework.NodeScore{Name: ni.Name(), Score: s}
			}
			if st := pl.ScoreExtensions().NormalizeScore(state, tt.pod, scores); !st.IsSuccess() {
				t.Fatalf("NormalizeScore: %v", st)
			}
			for i := range scores {
				if scores[i].Score != tt.want[i] {
					t.Fatalf("scores %v, want %v", scores, tt.want)
				}
			}
		})
	}
}

// Cases from upstream taint_toleration_test.go TestTaintTolerationFilter
// (1.35 reason string).
func TestTaintTolerationFilter(t *testing.T) {
	ns := model.TaintEffectNoSchedule
	tests := []struct {
		name   string
		pod    *model.Pod
		node   *model.Node
		reject bool
	}{
		{name: "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
			pod: podWithTolerations("pod1", nil), node: nodeWithTaints("nodeA", []model.Taint{{Key: "dedicated", Value: "user1", Effect: ns}}), reject: true},
		{name: "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "dedicated", Value: "user1", Effect: ns}}),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: "dedicated", Value: "user1", Effect: ns}})},
		{name: "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "dedicated", Operator: "Equal", Value: "user2", Effect: ns}}),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: "dedicated", Value: "user1", Effect: ns}}), reject: true},
		{name: "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "foo", Operator: "Exists", Effect: ns}}),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: "foo", Value: "bar", Effect: ns}})},
		{name: "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node",
			pod: podWithTolerations("pod1", []model.Toleration{
				{Key: "dedicated", Operator: "Equal", Value: "user2", Effect: ns},
				{Key: "foo", Operator: "Exists", Effect: ns},
			}),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: "dedicated", Value: "user2", Effect: ns}, {Key: "foo", Value: "bar", Effect: ns}})},
		{name: "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "foo", Operator: "Equal", Value: "bar", Effect: model.TaintEffectPreferNoSchedule}}),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: "foo", Value: "bar", Effect: ns}}), reject: true},
		{name: "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "foo", Operator: "Equal", Value: "bar"}}),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: "foo", Value: "bar", Effect: ns}})},
		{name: "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
			pod:  podWithTolerations("pod1", []model.Toleration{{Key: "dedicated", Operator: "Equal", Value: "user2", Effect: ns}}),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: "dedicated", Value: "user1", Effect: model.TaintEffectPreferNoSchedule}})},
		{name: "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
			pod:  podWithTolerations("pod1", nil),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: "dedicated", Value: "user1", Effect: model.TaintEffectPreferNoSchedule}})},
		// Not upstream: NoExecute taints are filtered too.
		{name: "untolerated NoExecute taint",
			pod:  podWithTolerations("pod1", nil),
			node: nodeWithTaints("nodeA", []model.Taint{{Key: model.TaintNodeNotReady, Effect: model.TaintEffectNoExecute}}), reject: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ni := framework.NewNodeInfo()
			ni.SetNode(tt.node)
			st := (&Plugin{}).Filter(nil, tt.pod, ni)
			if !tt.reject {
				if !st.IsSuccess() {
					t.Fatalf("Filter = %v, want success", st)
				}
				return
			}
			if st.Code() != framework.UnschedulableAndUnresolvable || st.Message() != ErrReasonUntolerated {
				t.Fatalf("Filter = %v", st)
			}
		})
	}
}

// Cases from upstream TestIsSchedulableAfterNodeChange and
// Test_isSchedulableAfterTargetPodTolerationChange.
func TestHints(t *testing.T) {
	pl := &Plugin{}
	pod := podWithTolerations("pod1", []model.Toleration{{Key: "dedicated", Operator: "Equal", Value: "user2", Effect: model.TaintEffectNoSchedule}})
	taint := func(v string) model.Taint {
		return model.Taint{Key: "dedicated", Value: v, Effect: model.TaintEffectNoSchedule}
	}
	tests := []struct {
		name     string
		old, new model.Object
		want     framework.QueueingHint
		wantErr  bool
	}{
		{name: "backoff-wrong-new-object", new: pod, want: framework.Queue, wantErr: true},
		{name: "backoff-wrong-old-object", old: pod, new: nodeWithTaints("nodeA", []model.Taint{taint("user1")}), want: framework.Queue, wantErr: true},
		{name: "skip-queue-on-untoleratedtaint-node-added", new: nodeWithTaints("nodeA", []model.Taint{taint("user1")}), want: framework.QueueSkip},
		{name: "queue-on-toleratedtaint-node-added", new: nodeWithTaints("nodeA", []model.Taint{taint("user2")}), want: framework.Queue},
		{name: "skip-unrelated-change", old: nodeWithTaints("nodeA", []model.Taint{taint("user1")}), new: nodeWithTaints("nodeA", []model.Taint{taint("user1"), taint("user3")}), want: framework.QueueSkip},
		{name: "queue-on-taint-change", old: nodeWithTaints("nodeA", []model.Taint{taint("user1")}), new: nodeWithTaints("nodeA", []model.Taint{taint("user2")}), want: framework.Queue},
	}
	for _, tt := range tests {
		got, err := pl.isSchedulableAfterNodeChange(pod, tt.old, tt.new)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %v, %v", tt.name, got, err)
		}
	}
	updated := podWithTolerations("pod1", []model.Toleration{{Key: "foo", Effect: model.TaintEffectNoSchedule}})
	if got, err := pl.isSchedulableAfterPodTolerationChange(pod, pod, updated); err != nil || got != framework.Queue {
		t.Errorf("queue-on-toleration-added: got %v, %v", got, err)
	}
	if got, _ := pl.isSchedulableAfterPodTolerationChange(pod, nil, podWithTolerations("other", nil)); got != framework.QueueSkip {
		t.Errorf("other pod: got %v", got)
	}
}

func TestFilterDoesNotAllocateOnSuccess(t *testing.T) {
	pod := podWithTolerations("p", []model.Toleration{{Key: "k", Operator: model.TolerationOpExists}})
	ni := framework.NewNodeInfo()
	ni.SetNode(nodeWithTaints("n", []model.Taint{{Key: "k", Value: "v", Effect: model.TaintEffectNoSchedule}}))
	pl := &Plugin{}
	if n := testing.AllocsPerRun(100, func() { pl.Filter(nil, pod, ni) }); n != 0 {
		t.Fatalf("Filter allocates %v times", n)
	}
}
