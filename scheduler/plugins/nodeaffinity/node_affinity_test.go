package nodeaffinity

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

func nodeNamed(name string, labels map[string]string) *model.Node {
	n := &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: labels}}
	model.SetTypeMeta(n)
	return n
}

func req(key string, op model.NodeSelectorOperator, vals ...string) model.NodeSelectorRequirement {
	return model.NodeSelectorRequirement{Key: key, Operator: op, Values: vals}
}

func nameIn(vals ...string) model.NodeSelectorRequirement {
	return req(model.NodeFieldSelectorKeyNodeName, model.NodeSelectorOpIn, vals...)
}

func podRequired(terms ...model.NodeSelectorTerm) *model.Pod {
	p := fwtest.Pod("p", "", nil)
	p.Spec.Affinity = &model.Affinity{NodeAffinity: &model.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{NodeSelectorTerms: terms},
	}}
	return p
}

func podSelector(sel map[string]string) *model.Pod {
	p := fwtest.Pod("p", "", nil)
	p.Spec.NodeSelector = sel
	return p
}

func names(n ...string) *framework.PreFilterResult {
	m := map[string]bool{}
	for _, x := range n {
		m[x] = true
	}
	return &framework.PreFilterResult{NodeNames: m}
}

// Cases from upstream node_affinity_test.go TestNodeAffinity.
func TestNodeAffinity(t *testing.T) {
	tests := []struct {
		name                string
		pod                 *model.Pod
		labels              map[string]string
		nodeName            string
		args                *Args
		runPreFilter        bool
		wantPreFilterCode   framework.Code
		wantPreFilterMsg    string
		wantPreFilterResult *framework.PreFilterResult
		wantCode            framework.Code
		wantMsg             string
	}{
		{name: "missing labels", pod: podSelector(map[string]string{"foo": "bar"}), runPreFilter: true,
			wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "same labels", pod: podSelector(map[string]string{"foo": "bar"}), labels: map[string]string{"foo": "bar"}, runPreFilter: true},
		{name: "node labels are superset", pod: podSelector(map[string]string{"foo": "bar"}), labels: map[string]string{"foo": "bar", "baz": "blah"}, runPreFilter: true},
		{name: "node labels are subset", pod: podSelector(map[string]string{"foo": "bar", "baz": "blah"}), labels: map[string]string{"foo": "bar"}, runPreFilter: true,
			wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with matchExpressions using In operator that matches the existing node",
			pod:    podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "bar", "value2")}}),
			labels: map[string]string{"foo": "bar"}, runPreFilter: true},
		{name: "Pod with matchExpressions using Gt operator that matches the existing node",
			pod:    podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("kernel-version", model.NodeSelectorOpGt, "0204")}}),
			labels: map[string]string{"kernel-version": "0206"}, runPreFilter: true},
		{name: "Pod with matchExpressions using NotIn operator that matches the existing node",
			pod:    podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("mem-type", model.NodeSelectorOpNotIn, "DDR", "DDR2")}}),
			labels: map[string]string{"mem-type": "DDR3"}, runPreFilter: true},
		{name: "Pod with matchExpressions using Exists operator that matches the existing node",
			pod:    podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("GPU", model.NodeSelectorOpExists)}}),
			labels: map[string]string{"GPU": "NVIDIA-GRID-K1"}, runPreFilter: true},
		{name: "Pod with affinity that don't match node's labels won't schedule onto the node",
			pod:    podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "value1", "value2")}}),
			labels: map[string]string{"foo": "bar"}, runPreFilter: true, wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
			pod:    podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{}}),
			labels: map[string]string{"foo": "bar"}, runPreFilter: true, wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with no Affinity will schedule onto a node", pod: fwtest.Pod("p", "", nil), labels: map[string]string{"foo": "bar"},
			runPreFilter: true, wantPreFilterCode: framework.Skip},
		{name: "Pod with Affinity but nil NodeSelector will schedule onto a node",
			pod: func() *model.Pod {
				p := fwtest.Pod("p", "", nil)
				p.Spec.Affinity = &model.Affinity{NodeAffinity: &model.NodeAffinity{}}
				return p
			}(),
			labels: map[string]string{"foo": "bar"}, runPreFilter: true, wantPreFilterCode: framework.Skip},
		{name: "Pod with multiple matchExpressions ANDed that matches the existing node",
			pod: podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{
				req("GPU", model.NodeSelectorOpExists), req("GPU", model.NodeSelectorOpNotIn, "AMD", "INTER")}}),
			labels: map[string]string{"GPU": "NVIDIA-GRID-K1"}, runPreFilter: true},
		{name: "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
			pod: podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{
				req("GPU", model.NodeSelectorOpExists), req("GPU", model.NodeSelectorOpIn, "AMD", "INTER")}}),
			labels: map[string]string{"GPU": "NVIDIA-GRID-K1"}, runPreFilter: true, wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
			pod: podRequired(
				model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "bar", "value2")}},
				model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("diffkey", model.NodeSelectorOpIn, "wrong", "value2")}}),
			labels: map[string]string{"foo": "bar"}, runPreFilter: true},
		{name: "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node",
			pod: func() *model.Pod {
				p := podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpExists)}})
				p.Spec.NodeSelector = map[string]string{"foo": "bar"}
				return p
			}(),
			labels: map[string]string{"foo": "bar"}, runPreFilter: true},
		{name: "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node",
			pod: func() *model.Pod {
				p := podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpExists)}})
				p.Spec.NodeSelector = map[string]string{"foo": "bar"}
				return p
			}(),
			labels: map[string]string{"foo": "barrrrrr"}, runPreFilter: true, wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with an invalid value in Affinity term won't be scheduled onto the node",
			pod:    podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpNotIn, "invalid value: ___@#$%^")}}),
			labels: map[string]string{"foo": "bar"}, runPreFilter: true, wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with matchFields using In operator that matches the existing node",
			pod:      podRequired(model.NodeSelectorTerm{MatchFields: []model.NodeSelectorRequirement{nameIn("node1")}}),
			nodeName: "node1", runPreFilter: true, wantPreFilterResult: names("node1")},
		{name: "Pod with matchFields using In operator that does not match the existing node",
			pod:      podRequired(model.NodeSelectorTerm{MatchFields: []model.NodeSelectorRequirement{nameIn("node1")}}),
			nodeName: "node2", runPreFilter: true, wantPreFilterResult: names("node1"), wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with two terms: matchFields does not match, but matchExpressions matches",
			pod: podRequired(
				model.NodeSelectorTerm{MatchFields: []model.NodeSelectorRequirement{nameIn("node1"), nameIn("node2")}},
				model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "bar")}}),
			nodeName: "node2", labels: map[string]string{"foo": "bar"}, runPreFilter: true},
		{name: "Pod with one term: matchFields does not match, but matchExpressions matches",
			pod: podRequired(model.NodeSelectorTerm{
				MatchFields:      []model.NodeSelectorRequirement{nameIn("node1")},
				MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "bar")}}),
			nodeName: "node2", labels: map[string]string{"foo": "bar"}, runPreFilter: true, wantPreFilterResult: names("node1"),
			wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with one term: both matchFields and matchExpressions match",
			pod: podRequired(model.NodeSelectorTerm{
				MatchFields:      []model.NodeSelectorRequirement{nameIn("node1")},
				MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "bar")}}),
			nodeName: "node1", labels: map[string]string{"foo": "bar"}, runPreFilter: true, wantPreFilterResult: names("node1")},
		{name: "Pod with two terms: both matchFields and matchExpressions do not match",
			pod: podRequired(
				model.NodeSelectorTerm{MatchFields: []model.NodeSelectorRequirement{nameIn("node1")}},
				model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "not-match-to-bar")}}),
			nodeName: "node2", labels: map[string]string{"foo": "bar"}, runPreFilter: true, wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Pod with two terms of node.Name affinity",
			pod: podRequired(
				model.NodeSelectorTerm{MatchFields: []model.NodeSelectorRequirement{nameIn("node1")}},
				model.NodeSelectorTerm{MatchFields: []model.NodeSelectorRequirement{nameIn("node2")}}),
			nodeName: "node2", runPreFilter: true, wantPreFilterResult: names("node1", "node2")},
		{name: "Pod with two conflicting mach field requirements",
			pod:      podRequired(model.NodeSelectorTerm{MatchFields: []model.NodeSelectorRequirement{nameIn("node1"), nameIn("node2")}}),
			nodeName: "node2", labels: map[string]string{"foo": "bar"}, runPreFilter: true,
			wantPreFilterCode: framework.UnschedulableAndUnresolvable, wantPreFilterMsg: ErrReasonConflict,
			wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Matches added affinity and Pod's node affinity",
			pod:      podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("zone", model.NodeSelectorOpIn, "foo")}}),
			nodeName: "node2", labels: map[string]string{"zone": "foo"},
			args: &Args{AddedAffinity: &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{
				NodeSelectorTerms: []model.NodeSelectorTerm{{MatchFields: []model.NodeSelectorRequirement{nameIn("node2")}}}}}},
			runPreFilter: true},
		{name: "Matches added affinity but not Pod's node affinity",
			pod:      podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("zone", model.NodeSelectorOpIn, "bar")}}),
			nodeName: "node2", labels: map[string]string{"zone": "foo"},
			args: &Args{AddedAffinity: &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{
				NodeSelectorTerms: []model.NodeSelectorTerm{{MatchFields: []model.NodeSelectorRequirement{nameIn("node2")}}}}}},
			runPreFilter: true, wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonPod},
		{name: "Doesn't match added affinity", pod: fwtest.Pod("p", "", nil), nodeName: "node2", labels: map[string]string{"zone": "foo"},
			args: &Args{AddedAffinity: &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{
				NodeSelectorTerms: []model.NodeSelectorTerm{{MatchExpressions: []model.NodeSelectorRequirement{req("zone", model.NodeSelectorOpIn, "bar")}}}}}},
			runPreFilter: true, wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReasonEnforced},
		{name: "Matches node selector correctly even if PreFilter is not called", pod: podSelector(map[string]string{"foo": "bar"}),
			labels: map[string]string{"foo": "bar", "baz": "blah"}},
		{name: "Matches node affinity correctly even if PreFilter is not called",
			pod: podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{
				req("GPU", model.NodeSelectorOpExists), req("GPU", model.NodeSelectorOpNotIn, "AMD", "INTER")}}),
			labels: map[string]string{"GPU": "NVIDIA-GRID-K1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ni := framework.NewNodeInfo()
			ni.SetNode(nodeNamed(tt.nodeName, tt.labels))
			var args any
			if tt.args != nil {
				args = tt.args
			}
			p, err := New(args, nil)
			if err != nil {
				t.Fatal(err)
			}
			pl := p.(*Plugin)
			state := framework.NewCycleState()
			if tt.runPreFilter {
				res, st := pl.PreFilter(state, tt.pod, nil)
				if st.Code() != tt.wantPreFilterCode || st.Message() != tt.wantPreFilterMsg {
					t.Errorf("PreFilter status = %v, want %v %q", st, tt.wantPreFilterCode, tt.wantPreFilterMsg)
				}
				if !reflect.DeepEqual(res, tt.wantPreFilterResult) {
					t.Errorf("PreFilter result = %+v, want %+v", res, tt.wantPreFilterResult)
				}
			}
			st := pl.Filter(state, tt.pod, ni)
			if st.Code() != tt.wantCode || st.Message() != tt.wantMsg {
				t.Errorf("Filter = %v, want %v %q", st, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

// Cases from upstream node_affinity_test.go TestNodeAffinityPriority.
func TestNodeAffinityPriority(t *testing.T) {
	label1 := map[string]string{"foo": "bar"}
	label2 := map[string]string{"key": "value"}
	label3 := map[string]string{"az": "az1"}
	label4 := map[string]string{"abc": "az11", "def": "az22"}
	label5 := map[string]string{"foo": "bar", "key": "value", "az": "az1"}
	term := func(w int32, reqs ...model.NodeSelectorRequirement) model.PreferredSchedulingTerm {
		return model.PreferredSchedulingTerm{Weight: w, Preference: model.NodeSelectorTerm{MatchExpressions: reqs}}
	}
	affinity1 := &model.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.PreferredSchedulingTerm{
		term(2, req("foo", model.NodeSelectorOpIn, "bar"))}}
	affinity2 := &model.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.PreferredSchedulingTerm{
		term(2, req("foo", model.NodeSelectorOpIn, "bar")),
		term(4, req("key", model.NodeSelectorOpIn, "value")),
		term(5, req("foo", model.NodeSelectorOpIn, "bar"), req("key", model.NodeSelectorOpIn, "value"), req("az", model.NodeSelectorOpIn, "az1")),
	}}
	withAff := func(a *model.NodeAffinity) *model.Pod {
		p := fwtest.Pod("p", "", nil)
		if a != nil {
			p.Spec.Affinity = &model.Affinity{NodeAffinity: a}
		}
		return p
	}
	type nl struct {
		name   string
		labels map[string]string
	}
	tests := []struct {
		name        string
		pod         *model.Pod
		nodes       []nl
		want        []int64
		args        *Args
		runPreScore bool
		wantSkip    bool
	}{
		{name: "all nodes are same priority as NodeAffinity is nil", pod: withAff(nil),
			nodes: []nl{{"node1", label1}, {"node2", label2}, {"node3", label3}}, want: []int64{0, 0, 0}, runPreScore: true, wantSkip: true},
		{name: "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero", pod: withAff(affinity1),
			nodes: []nl{{"node1", label4}, {"node2", label2}, {"node3", label3}}, want: []int64{0, 0, 0}, runPreScore: true},
		{name: "only node1 matches the preferred scheduling requirements of pod", pod: withAff(affinity1),
			nodes: []nl{{"node1", label1}, {"node2", label2}, {"node3", label3}}, want: []int64{100, 0, 0}, runPreScore: true},
		{name: "all nodes matches the preferred scheduling requirements of pod but with different priorities ", pod: withAff(affinity2),
			nodes: []nl{{"node1", label1}, {"node5", label5}, {"node2", label2}}, want: []int64{18, 100, 36}, runPreScore: true},
		{name: "added affinity", pod: withAff(nil),
			nodes: []nl{{"node1", label1}, {"node2", label2}}, want: []int64{100, 0}, args: &Args{AddedAffinity: affinity1}, runPreScore: true},
		{name: "added affinity and pod has default affinity", pod: withAff(affinity1),
			nodes: []nl{{"node1", label1}, {"node2", label2}, {"node3", label5}}, want: []int64{40, 60, 100},
			args: &Args{AddedAffinity: &model.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []model.PreferredSchedulingTerm{
				term(3, req("key", model.NodeSelectorOpIn, "value"))}}}, runPreScore: true},
		{name: "calculate the priorities correctly even if PreScore is not called", pod: withAff(affinity2),
			nodes: []nl{{"node1", label1}, {"node5", label5}, {"node2", label2}}, want: []int64{18, 100, 36}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args any
			if tt.args != nil {
				args = tt.args
			}
			p, err := New(args, nil)
			if err != nil {
				t.Fatal(err)
			}
			pl := p.(*Plugin)
			state := framework.NewCycleState()
			if tt.runPreScore {
				st := pl.PreScore(state, tt.pod, nil)
				if tt.wantSkip != st.IsSkip() || (!tt.wantSkip && !st.IsSuccess()) {
					t.Fatalf("PreScore = %v", st)
				}
			}
			scores := make(framework.NodeScoreList, len(tt.nodes))
			for i, n := range tt.nodes {
				ni := framework.NewNodeInfo()
				ni.SetNode(nodeNamed(n.name, n.labels))
				s, st := pl.Score(state, tt.pod, ni)
				if !st.IsSuccess() {
					t.Fatalf("Score: %v", st)
				}
				scores[i] = framework.NodeScore{Name: n.name, Score: s}
			}
			pl.NormalizeScore(state, tt.pod, scores)
			for i := range scores {
				if scores[i].Score != tt.want[i] {
					t.Fatalf("scores %v, want %v", scores, tt.want)
				}
			}
		})
	}
}

// Cases from upstream Test_isSchedulableAfterNodeChange.
func TestIsSchedulableAfterNodeChange(t *testing.T) {
	pod := podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "bar")}})
	enforced := &Args{AddedAffinity: &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{
		NodeSelectorTerms: []model.NodeSelectorTerm{{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "bar")}}}}}}
	n := func(labels map[string]string) *model.Node { return nodeNamed("n", labels) }
	tests := []struct {
		name     string
		args     *Args
		old, new model.Object
		want     framework.QueueingHint
		wantErr  bool
	}{
		{name: "backoff-wrong-new-object", new: pod, want: framework.Queue, wantErr: true},
		{name: "backoff-wrong-old-object", old: pod, new: n(nil), want: framework.Queue, wantErr: true},
		{name: "skip-queue-on-add", new: n(nil), want: framework.QueueSkip},
		{name: "queue-on-add", new: n(map[string]string{"foo": "bar"}), want: framework.Queue},
		{name: "skip-unrelated-changes", old: n(nil), new: n(nil), want: framework.QueueSkip},
		{name: "skip-unrelated-changes-on-labels", old: n(nil), new: n(map[string]string{"k": "v"}), want: framework.QueueSkip},
		{name: "skip-labels-changes-on-suitable-node", old: n(map[string]string{"foo": "bar"}), new: n(map[string]string{"foo": "bar", "k": "v"}), want: framework.QueueSkip},
		{name: "skip-labels-changes-on-node-from-suitable-to-unsuitable", old: n(map[string]string{"foo": "bar"}), new: n(map[string]string{"k": "v"}), want: framework.QueueSkip},
		{name: "queue-on-labels-change-makes-pod-schedulable", old: n(nil), new: n(map[string]string{"foo": "bar"}), want: framework.Queue},
		{name: "skip-queue-on-add-scheduler-enforced-node-affinity", args: enforced, new: n(nil), want: framework.QueueSkip},
		{name: "queue-on-add-scheduler-enforced-node-affinity", args: enforced, new: n(map[string]string{"foo": "bar"}), want: framework.Queue},
	}
	for _, tt := range tests {
		var args any
		if tt.args != nil {
			args = tt.args
		}
		p, err := New(args, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.(*Plugin).isSchedulableAfterNodeChange(pod, tt.old, tt.new)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %v, %v", tt.name, got, err)
		}
	}
}

// Cases modelled on upstream validation_pluginargs_test.go
// TestValidateNodeAffinityArgs.
func TestArgsValidate(t *testing.T) {
	tests := []struct {
		name    string
		args    *Args
		wantErr string
	}{
		{name: "empty", args: &Args{}},
		{name: "valid added affinity", args: &Args{AddedAffinity: &model.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{
				{MatchExpressions: []model.NodeSelectorRequirement{req("label-1", model.NodeSelectorOpIn, "label-1-val")}}}},
			PreferredDuringSchedulingIgnoredDuringExecution: []model.PreferredSchedulingTerm{{Weight: 1, Preference: model.NodeSelectorTerm{
				MatchFields: []model.NodeSelectorRequirement{nameIn("node-1")}}}},
		}}},
		{name: "invalid added affinity", args: &Args{AddedAffinity: &model.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{
				{MatchExpressions: []model.NodeSelectorRequirement{req("invalid/label/key", model.NodeSelectorOpIn, "label-1-val")}}}},
		}}, wantErr: "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key"},
		{name: "invalid preferred", args: &Args{AddedAffinity: &model.NodeAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: []model.PreferredSchedulingTerm{{Weight: 1, Preference: model.NodeSelectorTerm{
				MatchFields: []model.NodeSelectorRequirement{nameIn("node-1", "node-2")}}}},
		}}, wantErr: "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchFields[0].values"},
	}
	for _, tt := range tests {
		a := NewArgs()
		*a.(*Args) = *tt.args
		a.SetDefaults()
		err := a.Validate()
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.wantErr)
		}
		if _, err := New(tt.args, nil); err == nil {
			t.Errorf("%s: New accepted invalid args", tt.name)
		}
	}
	if _, err := New(struct{}{}, nil); err == nil {
		t.Error("New accepted args of the wrong type")
	}
}

func TestFilterDoesNotAllocate(t *testing.T) {
	pod := podRequired(model.NodeSelectorTerm{MatchExpressions: []model.NodeSelectorRequirement{req("foo", model.NodeSelectorOpIn, "bar")}})
	p, _ := New(nil, nil)
	pl := p.(*Plugin)
	state := framework.NewCycleState()
	pl.PreFilter(state, pod, nil)
	ni := framework.NewNodeInfo()
	ni.SetNode(nodeNamed("n", map[string]string{"foo": "bar"}))
	if n := testing.AllocsPerRun(100, func() { pl.Filter(state, pod, ni) }); n != 0 {
		t.Fatalf("Filter allocates %v times", n)
	}
}
