package interpodaffinity_test

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
	"github.com/kubesim/kubesim/scheduler/plugins/defaultpreemption"
	"github.com/kubesim/kubesim/scheduler/plugins/interpodaffinity"
)

// Upstream default_preemption_test.go TestDryRunPreemption "pod with
// anti-affinity is preempted": the PreFilter extensions must keep the
// existing-anti-affinity counters right while victims are removed and
// reprieved.
func TestPreemptionOfAntiAffinityVictim(t *testing.T) {
	mk := func(name, node string, prio int32, labels map[string]string) *model.Pod {
		p := fwtest.Pod(name, node, labels, [2]int64{100, 100})
		p.Spec.Priority = model.Ptr(prio)
		return p
	}
	low, mid, high := int32(0), int32(100), int32(1000)
	victim := mk("p1.1", "node1", low, map[string]string{"foo": ""})
	victim.Spec.Affinity = &model.Affinity{PodAntiAffinity: &model.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []model.PodAffinityTerm{{
		LabelSelector: &model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "foo", Operator: model.LabelSelectorOpExists}}},
		TopologyKey:   "hostname",
	}}}}
	pods := []*model.Pod{victim, mk("p1.2", "node1", mid, nil), mk("p1.3", "node1", high, nil), mk("p2", "node2", high, nil)}
	nodes := []*model.Node{
		fwtest.Node("node1", 500, 500, 32, map[string]string{"hostname": "node1"}),
		fwtest.Node("node2", 500, 500, 32, map[string]string{"hostname": "node2"}),
	}
	preemptor := mk("p", "", high, map[string]string{"foo": ""})

	h := fwtest.NewHandle(nodes, pods)
	ipaPlugin, err := interpodaffinity.New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	ipa := ipaPlugin.(*interpodaffinity.Plugin)
	calls := 0
	h.Filter = func(s *framework.CycleState, p *model.Pod, ni *framework.NodeInfo) *framework.Status {
		calls++
		req := model.PodRequests(p, false)
		if req.MilliCPU > ni.Allocatable.MilliCPU-ni.Requested.MilliCPU {
			return framework.NewStatus(framework.Unschedulable, "Insufficient cpu")
		}
		return ipa.Filter(s, p, ni)
	}
	h.AddPod, h.RemovePod = ipa.AddPod, ipa.RemovePod

	state := framework.NewCycleState()
	if _, st := ipa.PreFilter(state, preemptor, h.Snap.List()); !st.IsSuccess() {
		t.Fatal(st)
	}
	ni, _ := h.Snap.Get("node1")
	if st := ipa.Filter(state, preemptor, ni); st.Code() != framework.Unschedulable {
		t.Fatalf("node1 should reject the pod before preemption: %v", st)
	}
	dpPlugin, err := defaultpreemption.New(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	dp := dpPlugin.(*defaultpreemption.Plugin)
	nis := h.Snap.List()
	got, _, err := dp.DryRunPreemption(state, preemptor, nis, nil, 0, dp.CalculateNumCandidates(len(nis)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Node != "node1" || len(got[0].Pods) != 1 || got[0].Pods[0].Name != "p1.1" {
		t.Fatalf("candidates %+v, want node1 with victim p1.1", got)
	}
	if calls != 3 {
		t.Errorf("filter called %d times, want 3", calls)
	}
	// The dry run worked on copies: the cycle state is untouched.
	if st := ipa.Filter(state, preemptor, ni); st.Code() != framework.Unschedulable {
		t.Fatalf("cycle state was modified by the dry run: %v", st)
	}
}
