package noderesources

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// preScoreState holds the pod's non-zero requests, one per scoring
// resource. It is never mutated, so Clone shares it.
type preScoreState struct {
	podRequests []int64
}

// Clone shares the immutable state.
func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore stores the pod's non-zero requests for the scoring resources:
// a container without a cpu or memory request counts as 100m / 200Mi.
func (f *Fit) PreScore(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, &preScoreState{podRequests: f.podRequests(pod)})
	return nil
}

func (f *Fit) podRequests(pod *model.Pod) []int64 {
	req := model.PodRequests(pod, true)
	return PodRequests(f.resources, &req)
}

// ScoreExtensions returns nil: scores are already 0..MaxNodeScore.
func (f *Fit) ScoreExtensions() framework.ScoreExtensions { return nil }

// Score rates the node with the configured strategy. Without PreScore
// state (PreScore not run) it computes the pod's requests itself.
func (f *Fit) Score(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) (int64, *framework.Status) {
	var podRequests []int64
	if d, ok := state.Read(preScoreStateKey); ok {
		s, ok := d.(*preScoreState)
		if !ok {
			return 0, framework.AsStatus(fmt.Errorf("invalid PreScore state, got type %T", d))
		}
		podRequests = s.podRequests
	} else {
		podRequests = f.podRequests(pod)
	}
	if len(f.resources) == 0 {
		return 0, framework.NewStatus(framework.Error, "resources not found")
	}
	return f.score(podRequests, nodeInfo), nil
}

// score is the weighted mean of per-resource scores over the resources the
// node has (allocatable > 0); see LeastRequestedScore,
// MostRequestedScore and the RequestedToCapacityRatio shape.
func (f *Fit) score(podRequests []int64, ni *framework.NodeInfo) int64 {
	var nodeScore, weightSum int64
	for i := range f.resources {
		r := &f.resources[i]
		alloc, req := r.AllocatableAndRequested(ni, podRequests[i], false)
		if alloc == 0 {
			continue
		}
		switch f.strategy {
		case LeastAllocated:
			nodeScore += LeastRequestedScore(req, alloc) * r.Weight
			weightSum += r.Weight
		case MostAllocated:
			nodeScore += MostRequestedScore(req, alloc) * r.Weight
			weightSum += r.Weight
		case RequestedToCapacityRatio:
			// Resources scoring 0 drop out of the mean.
			if s := f.ratioScore(req, alloc); s > 0 {
				nodeScore += s * r.Weight
				weightSum += r.Weight
			}
		}
	}
	if weightSum == 0 {
		return 0
	}
	if f.strategy == RequestedToCapacityRatio {
		return int64(math.Round(float64(nodeScore) / float64(weightSum)))
	}
	return nodeScore / weightSum
}

// LeastRequestedScore is the free share of capacity on a 0..MaxNodeScore
// scale; 0 when the requests exceed the capacity.
func LeastRequestedScore(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * framework.MaxNodeScore / capacity
}

// MostRequestedScore is the used share of capacity on a 0..MaxNodeScore
// scale; requests above the capacity count as the capacity (non-zero
// defaults can exceed it).
func MostRequestedScore(requested, capacity int64) int64 {
	if capacity == 0 {
		return 0
	}
	if requested > capacity {
		requested = capacity
	}
	return requested * framework.MaxNodeScore / capacity
}

// ratioScore maps the utilization percentage (100 when over capacity)
// through the shape.
func (f *Fit) ratioScore(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return f.shape(maxUtilization)
	}
	return f.shape(requested * maxUtilization / capacity)
}
