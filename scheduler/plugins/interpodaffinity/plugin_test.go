package interpodaffinity

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// Defaults from upstream defaults_test.go (InterPodAffinityArgs: empty →
// hardPodAffinityWeight 1) and validation cases from upstream
// validation_pluginargs_test.go TestValidateInterPodAffinityArgs.
func TestArgs(t *testing.T) {
	a := NewArgs().(*Args)
	a.SetDefaults()
	if a.HardPodAffinityWeight == nil || *a.HardPodAffinityWeight != 1 || a.IgnorePreferredTermsOfExistingPods {
		t.Fatalf("defaults = %+v", a)
	}
	zero := int32(0)
	a = &Args{HardPodAffinityWeight: &zero}
	a.SetDefaults()
	if *a.HardPodAffinityWeight != 0 {
		t.Fatalf("explicit 0 was overwritten")
	}
	for _, tt := range []struct {
		w       int32
		wantErr string
	}{
		{w: 10},
		{w: 0},
		{w: 100},
		{w: -1, wantErr: "hardPodAffinityWeight: Invalid value: -1: not in valid range [0-100]"},
		{w: 110, wantErr: "hardPodAffinityWeight: Invalid value: 110: not in valid range [0-100]"},
	} {
		w := tt.w
		err := (&Args{HardPodAffinityWeight: &w}).Validate()
		if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("Validate(%d) = %v, want %q", tt.w, err, tt.wantErr)
		}
	}
	h := fwtest.NewHandle(nil, nil)
	bad := int32(101)
	if _, err := New(&Args{HardPodAffinityWeight: &bad}, h); err == nil {
		t.Error("New accepted an invalid weight")
	}
	if _, err := New(42, h); err == nil {
		t.Error("New accepted args of the wrong type")
	}
}

func TestEventsToRegister(t *testing.T) {
	p := newPlugin(t, nil, fwtest.NewHandle(nil, nil))
	ev := p.EventsToRegister()
	if len(ev) != 2 ||
		ev[0].Event != (framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Add | framework.UpdatePodLabel | framework.Delete}) ||
		ev[1].Event != (framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeLabel | framework.UpdateNodeTaint}) ||
		ev[0].QueueingHintFn == nil || ev[1].QueueingHintFn == nil {
		t.Fatalf("unexpected events %+v", ev)
	}
}

// Cases from upstream plugin_test.go Test_isSchedulableAfterPodChange that
// describe 1.35 behaviour (the cases added with the 1.36 fixes for the
// target pod's own update and for deleted pods whose anti-affinity matched
// the target are left out).
func TestIsSchedulableAfterPodChange(t *testing.T) {
	affinityPod := func() *model.Pod {
		return mkPod().uid("p").name("p").affinityIn("service", "region", "securityscan", "value2").obj()
	}
	antiPod := func() *model.Pod {
		return mkPod().uid("p").name("p").antiIn("service", "region", "securityscan", "value2").obj()
	}
	other := func(node string, labels map[string]string) *model.Pod {
		return mkPod().uid("other").node(node).labels(labels).obj()
	}
	multi := func() *model.Pod {
		return mkPod().uid("p").name("p").affinityExists("aaa", "hostname").affinityExists("bbb", "hostname").obj()
	}
	svc := func(v string) map[string]string { return map[string]string{"service": v} }
	aaa := map[string]string{"aaa": "a"}
	tests := []struct {
		name           string
		pod            *model.Pod
		oldPod, newPod *model.Pod
		want           framework.QueueingHint
	}{
		{name: "add a pod which matches the pod affinity", pod: affinityPod(), newPod: other("fake-node", svc("securityscan")), want: framework.Queue},
		{name: "add an un-scheduled pod", pod: affinityPod(), newPod: other("", svc("securityscan")), want: framework.QueueSkip},
		{name: "add a pod which doesn't match the pod affinity", pod: affinityPod(), newPod: other("fake-node", aaa), want: framework.QueueSkip},
		{name: "update a pod from non-match to match pod affinity", pod: affinityPod(), oldPod: other("fake-node", aaa), newPod: other("fake-node", svc("securityscan")), want: framework.Queue},
		{name: "the updating pod matches target pod's affinity both before and after label changes", pod: affinityPod(), oldPod: other("fake-node", svc("value2")), newPod: other("fake-node", svc("securityscan")), want: framework.QueueSkip},
		{name: "update an un-scheduled pod", pod: affinityPod(), oldPod: other("", aaa), newPod: other("", svc("securityscan")), want: framework.QueueSkip},
		{name: "update a pod from match to non-match the pod affinity", pod: affinityPod(), oldPod: other("fake-node", svc("securityscan")), newPod: other("fake-node", aaa), want: framework.QueueSkip},
		{name: "update a pod from match to non-match pod's affinity - multiple terms case", pod: multi(), oldPod: other("fake-node", aaa), newPod: other("fake-node", svc("securityscan")), want: framework.QueueSkip},
		{name: "update a pod from non-match to match pod's affinity - multiple terms case", pod: multi(), oldPod: other("fake-node", aaa), newPod: other("fake-node", map[string]string{"aaa": "", "bbb": ""}), want: framework.Queue},
		{name: "modify pod label to change it from satisfying pod anti-affinity to not satisfying anti-affinity", pod: antiPod(), oldPod: other("fake-node", svc("securityscan")), newPod: other("fake-node", svc("aaaa")), want: framework.Queue},
		{name: "modify pod label to change it from not satisfying pod anti-affinity to satisfying anti-affinity", pod: antiPod(), oldPod: other("fake-node", svc("bbb")), newPod: other("fake-node", svc("securityscan")), want: framework.QueueSkip},
		{name: "delete a pod which doesn't match pod's anti-affinity", pod: antiPod(), oldPod: other("fake-node", aaa), want: framework.QueueSkip},
		{name: "delete a pod which matches pod's anti-affinity", pod: antiPod(), oldPod: other("fake-node", svc("securityscan")), want: framework.Queue},
		{name: "delete a pod with anti-affinity that doesn't match pending pod", pod: mkPod().name("p").label("service", "foo").obj(),
			oldPod: mkPod().node("fake-node").antiIn("service", "region", "securityscan", "value2").obj(), want: framework.QueueSkip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var oldObj, newObj model.Object
			if tt.oldPod != nil {
				oldObj = tt.oldPod
			}
			if tt.newPod != nil {
				newObj = tt.newPod
			}
			got, err := isSchedulableAfterPodChange(tt.pod, oldObj, newObj)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("hint = %v, want %v", got, tt.want)
			}
		})
	}
}

// Cases from upstream plugin_test.go Test_isSchedulableAfterNodeChange.
func TestIsSchedulableAfterNodeChange(t *testing.T) {
	affinityPod := func(topo string) *model.Pod {
		return mkPod().name("p").affinityIn("service", topo, "securityscan", "value2").obj()
	}
	antiPod := func() *model.Pod {
		return mkPod().name("p").antiTerm(&model.LabelSelector{MatchLabels: map[string]string{"another": "label"}}, "zone").obj()
	}
	n := func(labels map[string]string) *model.Node { return node("node-a", labels) }
	zone := func(z string) map[string]string { return map[string]string{"zone": z} }
	aaa := func(v string) map[string]string { return map[string]string{"aaa": v} }
	unrelated := map[string]string{"zone": "zone1", "unrelated-label": "unrelated"}
	tests := []struct {
		name             string
		pod              *model.Pod
		oldNode, newNode *model.Node
		want             framework.QueueingHint
	}{
		{name: "add a new node with matched pod affinity topologyKey", pod: affinityPod("zone"), newNode: n(zone("zone1")), want: framework.Queue},
		{name: "add a new node without matched topologyKey", pod: affinityPod("region"), newNode: n(zone("zone1")), want: framework.QueueSkip},
		{name: "update node label but not topologyKey", pod: affinityPod("zone"), oldNode: n(aaa("a")), newNode: n(aaa("b")), want: framework.QueueSkip},
		{name: "update node label that isn't related to the pod affinity", pod: affinityPod("zone"), oldNode: n(zone("zone1")), newNode: n(unrelated), want: framework.QueueSkip},
		{name: "update node with different affinity topologyKey value", pod: affinityPod("zone"), oldNode: n(zone("zone1")), newNode: n(zone("zone2")), want: framework.Queue},
		{name: "update node to have the affinity topology label", pod: affinityPod("zone"), oldNode: n(aaa("a")), newNode: n(zone("zone1")), want: framework.Queue},
		{name: "add a new node with matched pod anti-affinity topologyKey", pod: antiPod(), newNode: n(zone("zone1")), want: framework.Queue},
		{name: "add a new node without matched pod anti-affinity topologyKey", pod: antiPod(), newNode: n(nil), want: framework.Queue},
		{name: "update node label that isn't related to the pod anti-affinity", pod: antiPod(), oldNode: n(zone("zone1")), newNode: n(unrelated), want: framework.QueueSkip},
		{name: "update node with different anti-affinity topologyKey value", pod: antiPod(), oldNode: n(zone("zone1")), newNode: n(zone("zone2")), want: framework.Queue},
		{name: "update node to have the anti-affinity topology label", pod: antiPod(), oldNode: n(aaa("a")), newNode: n(zone("zone1")), want: framework.QueueSkip},
		{name: "update node label not to have anti-affinity topology label", pod: antiPod(), oldNode: n(zone("zone1")), newNode: n(aaa("a")), want: framework.Queue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var oldObj model.Object
			if tt.oldNode != nil {
				oldObj = tt.oldNode
			}
			got, err := isSchedulableAfterNodeChange(tt.pod, oldObj, tt.newNode)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("hint = %v, want %v", got, tt.want)
			}
		})
	}
}
