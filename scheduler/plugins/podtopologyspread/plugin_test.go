package podtopologyspread

import (
	"strings"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// Cases from upstream validation_pluginargs_test.go
// TestValidatePodTopologySpreadArgs.
func TestArgsValidate(t *testing.T) {
	c := func(skew int32, key string, w model.UnsatisfiableConstraintAction) model.TopologySpreadConstraint {
		return model.TopologySpreadConstraint{MaxSkew: skew, TopologyKey: key, WhenUnsatisfiable: w}
	}
	tests := []struct {
		name    string
		args    Args
		wantErr string
	}{
		{name: "valid config", args: Args{DefaultingType: ListDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			c(1, "node", model.DoNotSchedule), c(2, "zone", model.ScheduleAnyway)}}},
		{name: "maxSkew less than zero", args: Args{DefaultingType: ListDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			c(-1, "node", model.DoNotSchedule)}}, wantErr: "defaultConstraints[0].maxSkew: Invalid value: -1"},
		{name: "empty topology key", args: Args{DefaultingType: ListDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			c(1, "", model.DoNotSchedule)}}, wantErr: "defaultConstraints[0].topologyKey: Required value"},
		{name: "invalid topology key", args: Args{DefaultingType: ListDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			c(1, "a/b/c", model.DoNotSchedule)}}, wantErr: "defaultConstraints[0].topologyKey: Invalid value"},
		{name: "WhenUnsatisfiable is empty", args: Args{DefaultingType: ListDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			c(1, "node", "")}}, wantErr: "defaultConstraints[0].whenUnsatisfiable: Required value"},
		{name: "WhenUnsatisfiable contains unsupported action", args: Args{DefaultingType: ListDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			c(1, "node", "foo")}}, wantErr: "defaultConstraints[0].whenUnsatisfiable: Unsupported value"},
		{name: "duplicated constraints", args: Args{DefaultingType: ListDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			c(1, "node", model.DoNotSchedule), c(2, "node", model.DoNotSchedule)}}, wantErr: "defaultConstraints[1]: Duplicate value"},
		{name: "label selector present", args: Args{DefaultingType: ListDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			{MaxSkew: 1, TopologyKey: "key", WhenUnsatisfiable: model.DoNotSchedule, LabelSelector: &model.LabelSelector{MatchLabels: kv("a", "b")}}}},
			wantErr: "defaultConstraints[0].labelSelector: Forbidden"},
		{name: "list default constraints, no constraints", args: Args{DefaultingType: ListDefaulting}},
		{name: "system default constraints", args: Args{DefaultingType: SystemDefaulting}},
		{name: "wrong constraints", args: Args{DefaultingType: SystemDefaulting, DefaultConstraints: []model.TopologySpreadConstraint{
			c(1, "", model.DoNotSchedule)}}, wantErr: "defaultingType: Invalid value"},
		{name: "unsupported defaulting type", args: Args{DefaultingType: "Unknown"}, wantErr: "defaultingType: Unsupported value"},
	}
	for _, tt := range tests {
		err := tt.args.Validate()
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.wantErr)
		}
	}
}

// Upstream SetDefaults_PodTopologySpreadArgs (defaults_test.go
// TestPluginArgsDefaults "PodTopologySpreadArgs empty").
func TestArgsDefaults(t *testing.T) {
	a := NewArgs().(*Args)
	a.SetDefaults()
	if a.DefaultingType != SystemDefaulting || a.DefaultConstraints != nil {
		t.Fatalf("defaults %+v", a)
	}
	b := &Args{DefaultingType: ListDefaulting}
	b.SetDefaults()
	if b.DefaultingType != ListDefaulting {
		t.Fatalf("List overwritten: %+v", b)
	}
}

func TestNew(t *testing.T) {
	h := fwtest.NewHandle(nil, nil)
	if _, err := New(nil, h); err != nil {
		t.Fatalf("nil args: %v", err)
	}
	if _, err := New(&Args{DefaultingType: "bogus"}, h); err == nil {
		t.Fatal("invalid args accepted")
	}
	if _, err := New(struct{}{}, h); err == nil {
		t.Fatal("wrong args type accepted")
	}
	if _, err := New(nil, nil); err == nil {
		t.Fatal("nil handle accepted")
	}
	p, _ := New(nil, h)
	if !p.(*Plugin).systemDefaulted {
		t.Fatal("nil args must mean System defaulting")
	}
}

// Cases modelled on upstream plugin_test.go
// Test_isSchedulableAfterPodChange and Test_isSchedulableAfterNodeChange.
func TestHints(t *testing.T) {
	h := fwtest.NewHandle(nil, nil)
	pl := newPlugin(t, listArgs(), h)
	pod := withSpread(mkPod("p", "", "foo", ""), hard(1, "zone", fooSelector), hard(1, "node", fooSelector))
	withTaintsHonor := withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 1, key: "zone", action: model.DoNotSchedule, sel: fooSelector, taintsPolicy: &honorPolicy})

	podCases := []struct {
		name     string
		pod      *model.Pod
		old, new model.Object
		want     framework.QueueingHint
	}{
		{name: "add pod with matching label to assigned node", pod: pod, new: mkPod("p2", "node-a", "foo", ""), want: framework.Queue},
		{name: "add unscheduled pod", pod: pod, new: mkPod("p2", "", "foo", ""), want: framework.QueueSkip},
		{name: "add pod with mismatched label", pod: pod, new: mkPod("p2", "node-a", "bar", ""), want: framework.QueueSkip},
		{name: "add pod in another namespace", pod: pod, new: inNS(mkPod("p2", "node-a", "foo", ""), "ns1"), want: framework.QueueSkip},
		{name: "update pod label from matched to unmatched", pod: pod, old: mkPod("p2", "node-a", "foo", ""), new: mkPod("p2", "node-a", "bar", ""), want: framework.Queue},
		{name: "update pod label unrelated", pod: pod, old: mkPod("p2", "node-a", "foo", ""), new: mkPod("p2", "node-a", "foo", "", "baz", ""), want: framework.QueueSkip},
		{name: "update pod without label change", pod: pod, old: mkPod("p2", "node-a", "foo", ""), new: mkPod("p2", "node-a", "foo", ""), want: framework.QueueSkip},
		{name: "delete matching pod", pod: pod, old: mkPod("p2", "node-a", "foo", ""), want: framework.Queue},
		{name: "delete unmatched pod", pod: pod, old: mkPod("p2", "node-a", "bar", ""), want: framework.QueueSkip},
		{name: "target pod gains toleration with taints Honor", pod: withTaintsHonor, old: withTaintsHonor,
			new: func() *model.Pod {
				p := withSpread(mkPod("p", "", "foo", ""), tsc{maxSkew: 1, key: "zone", action: model.DoNotSchedule, sel: fooSelector, taintsPolicy: &honorPolicy})
				p.Spec.Tolerations = []model.Toleration{{Key: "k", Operator: model.TolerationOpExists}}
				return p
			}(), want: framework.Queue},
	}
	for _, tt := range podCases {
		got, err := pl.isSchedulableAfterPodChange(tt.pod, tt.old, tt.new)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}

	nodeCases := []struct {
		name     string
		old, new model.Object
		want     framework.QueueingHint
		wantErr  bool
	}{
		{name: "wrong object", new: mkPod("x", ""), want: framework.Queue, wantErr: true},
		{name: "add node with all keys", new: mkNode("n", "zone", "z1", "node", "n"), want: framework.Queue},
		{name: "add node missing a key", new: mkNode("n", "zone", "z1"), want: framework.QueueSkip},
		{name: "node gains the missing key", old: mkNode("n", "zone", "z1"), new: mkNode("n", "zone", "z1", "node", "n"), want: framework.Queue},
		{name: "node changes a key's value", old: mkNode("n", "zone", "z1", "node", "n"), new: mkNode("n", "zone", "z2", "node", "n"), want: framework.Queue},
		{name: "node changes an unrelated label", old: mkNode("n", "zone", "z1", "node", "n"), new: mkNode("n", "zone", "z1", "node", "n", "x", "y"), want: framework.QueueSkip},
		{name: "node changes taints", old: mkNode("n", "zone", "z1", "node", "n"),
			new: func() *model.Node { n := mkNode("n", "zone", "z1", "node", "n"); n.Spec.Taints = taints; return n }(), want: framework.Queue},
		{name: "delete node with all keys", old: mkNode("n", "zone", "z1", "node", "n"), want: framework.Queue},
		{name: "delete node missing a key", old: mkNode("n", "zone", "z1"), want: framework.QueueSkip},
	}
	for _, tt := range nodeCases {
		got, err := pl.isSchedulableAfterNodeChange(pod, tt.old, tt.new)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}

	ev := pl.EventsToRegister()
	if len(ev) != 2 || ev[0].Event.Resource != framework.EventPod || ev[1].Event.Resource != framework.EventNode {
		t.Fatalf("events %+v", ev)
	}
}
