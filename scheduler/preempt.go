package scheduler

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/defaultpreemption"
)

// preemptionDecision returns what DefaultPreemption decided in this cycle.
func preemptionDecision(state *framework.CycleState) *defaultpreemption.Decision {
	d, ok := state.Read(defaultpreemption.StateKey)
	if !ok {
		return nil
	}
	dec, _ := d.(*defaultpreemption.Decision)
	return dec
}

// preemptionVictims returns the pods DefaultPreemption chose to evict in
// this cycle, if it ran and nominated a node.
func preemptionVictims(state *framework.CycleState) []*model.Pod {
	if dec := preemptionDecision(state); dec != nil {
		return dec.Victims.Pods
	}
	return nil
}

// nominationsToClear returns lower-priority pods nominated to the chosen
// node, whose nominations preemption clears (upstream prepareCandidate).
func nominationsToClear(state *framework.CycleState) []*model.Pod {
	if dec := preemptionDecision(state); dec != nil {
		return dec.NominatedPodsToClear
	}
	return nil
}
