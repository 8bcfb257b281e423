// Package helper holds the scoring helpers several plugins share
// (upstream pkg/scheduler/framework/plugins/helper).
package helper

import (
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
