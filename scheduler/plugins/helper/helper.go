// Package helper holds the scoring helpers several plugins share
// (upstream pkg/scheduler/framework/plugins/helper).
package helper

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// DefaultNormalizeScore scales scores into [0, maxPriority] relative to the
// highest score, truncating; with reverse, higher raw scores end lower.
// When every score is 0, reverse gives everyone maxPriority
// (upstream helper/normalize_score.go).
func DefaultNormalizeScore(maxPriority int64, reverse bool, scores framework.NodeScoreList) *framework.Status {
	var maxCount int64
	for i := range scores {
		if scores[i].Score > maxCount {
			maxCount = scores[i].Score
		}
	}
	if maxCount == 0 {
		if reverse {
			for i := range scores {
				scores[i].Score = maxPriority
			}
		}
		return nil
	}
	for i := range scores {
		score := scores[i].Score
		score = maxPriority * score / maxCount
		if reverse {
			score = maxPriority - score
		}
		scores[i].Score = score
	}
	return nil
}

// FunctionShapePoint is one point of a broken-linear function.
type FunctionShapePoint struct {
	Utilization int64
	Score       int64
}

// BuildBrokenLinearFunction returns the piecewise-linear function through
// shape (sorted by utilization): constant before the first and after the
// last point, integer interpolation in between (upstream
// helper/shape_score.go).
func BuildBrokenLinearFunction(shape []FunctionShapePoint) func(int64) int64 {
	return func(p int64) int64 {
		for i := 0; i < len(shape); i++ {
			if p <= shape[i].Utilization {
				if i == 0 {
					return shape[0].Score
				}
				return shape[i-1].Score + (shape[i].Score-shape[i-1].Score)*(p-shape[i-1].Utilization)/(shape[i].Utilization-shape[i-1].Utilization)
			}
		}
		return shape[len(shape)-1].Score
	}
}

// As converts the old and new objects of a cluster event to their concrete
// type for a queueing hint; a nil object stays the zero value (nil), and
// any other type is an error (upstream util.As).
func As[T model.Object](oldObj, newObj model.Object) (T, T, error) {
	var o, n T
	if oldObj != nil {
		var ok bool
		if o, ok = oldObj.(T); !ok {
			return o, n, fmt.Errorf("expected %T, got %T", o, oldObj)
		}
	}
	if newObj != nil {
		var ok bool
		if n, ok = newObj.(T); !ok {
			return o, n, fmt.Errorf("expected %T, got %T", n, newObj)
		}
	}
	return o, n, nil
}

// IsSchedulableAfterClaimChange is the queueing hint of the volume plugins
// for an added or updated PersistentVolumeClaim: the pod is worth retrying
// only when it references the claim.
func IsSchedulableAfterClaimChange(pod *model.Pod, _, newObj model.Object) (framework.QueueingHint, error) {
	pvc, ok := newObj.(*model.PersistentVolumeClaim)
	if !ok {
		return framework.Queue, fmt.Errorf("expected a PersistentVolumeClaim, got %T", newObj)
	}
	if pvc.Namespace != pod.Namespace {
		return framework.QueueSkip, nil
	}
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name {
			return framework.Queue, nil
		}
	}
	return framework.QueueSkip, nil
}
