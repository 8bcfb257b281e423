package podautoscaler

import (
	"math"
	"time"

	"github.com/kubesim/kubesim/model"
)

// Without behavior, a scale-up may at most double the replicas or reach 4
// (scaleUpLimitFactor, scaleUpLimitMinimum).
const (
	scaleUpLimitFactor  = 2.0
	scaleUpLimitMinimum = 4.0
)

// Scaling policy types and select policies (autoscaling/v2).
const (
	PodsScalingPolicy    = "Pods"
	PercentScalingPolicy = "Percent"
	MaxChangePolicy      = "Max"
	MinChangePolicy      = "Min"
	DisabledPolicy       = "Disabled"
)

// Recommendation is an unstabilized replica recommendation and when it
// was made.
type Recommendation struct {
	Replicas int32
	At       time.Time
}

// ScaleEvent is a past rescale: how many replicas it added (scale-up
// events) or removed (scale-down events), when, and whether it is older
// than every policy period and may be reused.
type ScaleEvent struct {
	Change   int32
	At       time.Time
	Outdated bool
}

// Recommender holds what upstream's HorizontalController keeps per HPA key
// between reconciliations: recent recommendations and scale events.
type Recommender struct {
	// DownscaleStabilization is the window of normalizeDesiredReplicas and
	// the default scale-down window under behavior.
	DownscaleStabilization time.Duration

	Recommendations map[string][]Recommendation
	ScaleUpEvents   map[string][]ScaleEvent
	ScaleDownEvents map[string][]ScaleEvent
}

// NewRecommender returns an empty Recommender.
func NewRecommender(downscaleStabilization time.Duration) *Recommender {
	return &Recommender{DownscaleStabilization: downscaleStabilization,
		Recommendations: map[string][]Recommendation{}, ScaleUpEvents: map[string][]ScaleEvent{}, ScaleDownEvents: map[string][]ScaleEvent{}}
}

// Forget drops a deleted HPA's history.
func (r *Recommender) Forget(key string) {
	delete(r.Recommendations, key)
	delete(r.ScaleUpEvents, key)
	delete(r.ScaleDownEvents, key)
}

// RecordInitial records the current replicas as the first recommendation
// (recordInitialRecommendation).
func (r *Recommender) RecordInitial(key string, current int32, now time.Time) {
	if r.Recommendations[key] == nil {
		r.Recommendations[key] = []Recommendation{{current, now}}
	}
}

// Stabilize is stabilizeRecommendation (no behavior): the largest
// recommendation of the last DownscaleStabilization, the new one
// included; the new one replaces an expired entry or is appended.
func (r *Recommender) Stabilize(key string, desired int32, now time.Time) int32 {
	best := desired
	old, oldIdx := false, 0
	cutoff := now.Add(-r.DownscaleStabilization)
	for i, rec := range r.Recommendations[key] {
		if rec.At.Before(cutoff) {
			old, oldIdx = true, i
		} else if rec.Replicas > best {
			best = rec.Replicas
		}
	}
	if old {
		r.Recommendations[key][oldIdx] = Recommendation{desired, now}
	} else {
		r.Recommendations[key] = append(r.Recommendations[key], Recommendation{desired, now})
	}
	return best
}

// ConvertWithRules is convertDesiredReplicasWithRules (no behavior): clamp
// to [minReplicas, min(maxReplicas, max(2·current, 4))], with the reason.
func ConvertWithRules(current, desired, minReplicas, maxReplicas int32) (int32, string) {
	scaleUpLimit := int32(math.Max(scaleUpLimitFactor*float64(current), scaleUpLimitMinimum))
	maxAllowed, reason := maxReplicas, "TooManyReplicas"
	if maxReplicas > scaleUpLimit {
		maxAllowed, reason = scaleUpLimit, "ScaleUpLimit"
	}
	switch {
	case desired < minReplicas:
		return minReplicas, "TooFewReplicas"
	case desired > maxAllowed:
		return maxAllowed, reason
	}
	return desired, "DesiredWithinRange"
}

// Normalize is normalizeDesiredReplicas, for HPAs without behavior.
func (r *Recommender) Normalize(key string, current, desired, minReplicas, maxReplicas int32, now time.Time) int32 {
	stabilized := r.Stabilize(key, desired, now)
	out, _ := ConvertWithRules(current, stabilized, minReplicas, maxReplicas)
	return out
}

// ScaleUpRules fills unset fields of scale-up rules with the API defaults
// (GenerateHPAScaleUpRules): no stabilization, Max of 4 pods and 100% per
// 15 s.
func ScaleUpRules(in *model.HPAScalingRules) *model.HPAScalingRules {
	out := &model.HPAScalingRules{StabilizationWindowSeconds: model.Ptr[int32](0), SelectPolicy: model.Ptr(MaxChangePolicy),
		Policies: []model.HPAScalingPolicy{{Type: PodsScalingPolicy, Value: 4, PeriodSeconds: 15}, {Type: PercentScalingPolicy, Value: 100, PeriodSeconds: 15}}}
	mergeRules(out, in)
	return out
}

// ScaleDownRules fills unset fields of scale-down rules with the API
// defaults (GenerateHPAScaleDownRules): the controller's stabilization
// window, Max of 100% per 15 s.
func ScaleDownRules(in *model.HPAScalingRules) *model.HPAScalingRules {
	out := &model.HPAScalingRules{SelectPolicy: model.Ptr(MaxChangePolicy),
		Policies: []model.HPAScalingPolicy{{Type: PercentScalingPolicy, Value: 100, PeriodSeconds: 15}}}
	mergeRules(out, in)
	return out
}

func mergeRules(out, in *model.HPAScalingRules) {
	if in == nil {
		return
	}
	if len(in.Policies) > 0 {
		out.Policies = in.Policies
	}
	if in.SelectPolicy != nil {
		out.SelectPolicy = in.SelectPolicy
	}
	if in.StabilizationWindowSeconds != nil {
		out.StabilizationWindowSeconds = in.StabilizationWindowSeconds
	}
	out.Tolerance = in.Tolerance
}

// NormalizationArg is what normalizeDesiredReplicasWithBehaviors works on.
type NormalizationArg struct {
	Key               string
	ScaleUpBehavior   *model.HPAScalingRules
	ScaleDownBehavior *model.HPAScalingRules
	MinReplicas       int32
	MaxReplicas       int32
	CurrentReplicas   int32
	DesiredReplicas   int32
}

// StabilizeWithBehaviors is stabilizeRecommendationWithBehaviors: the
// smallest recommendation of the scale-up window and the largest of the
// scale-down window (the new one included) bound the result around the
// current replicas; the new recommendation replaces one older than both
// windows, or is appended.
func (r *Recommender) StabilizeWithBehaviors(a NormalizationArg, now time.Time) (int32, string) {
	up, down := a.DesiredReplicas, a.DesiredReplicas
	upCutoff := now.Add(-time.Second * time.Duration(model.Deref(a.ScaleUpBehavior.StabilizationWindowSeconds, 0)))
	downCutoff := now.Add(-time.Second * time.Duration(model.Deref(a.ScaleDownBehavior.StabilizationWindowSeconds, 0)))
	old, oldIdx := false, 0
	for i, rec := range r.Recommendations[a.Key] {
		if rec.At.After(upCutoff) {
			up = min(rec.Replicas, up)
		}
		if rec.At.After(downCutoff) {
			down = max(rec.Replicas, down)
		}
		if rec.At.Before(upCutoff) && rec.At.Before(downCutoff) {
			old, oldIdx = true, i
		}
	}
	rec := a.CurrentReplicas
	if rec < up {
		rec = up
	}
	if rec > down {
		rec = down
	}
	if old {
		r.Recommendations[a.Key][oldIdx] = Recommendation{a.DesiredReplicas, now}
	} else {
		r.Recommendations[a.Key] = append(r.Recommendations[a.Key], Recommendation{a.DesiredReplicas, now})
	}
	reason := "ScaleDownStabilized"
	if a.DesiredReplicas >= a.CurrentReplicas {
		reason = "ScaleUpStabilized"
	}
	return rec, reason
}

// replicasChangePerPeriod sums the changes of the events within the last
// periodSeconds (getReplicasChangePerPeriod).
func replicasChangePerPeriod(periodSeconds int32, events []ScaleEvent, now time.Time) int32 {
	cutoff := now.Add(-time.Second * time.Duration(periodSeconds))
	var n int32
	for _, e := range events {
		if e.At.After(cutoff) {
			n += e.Change
		}
	}
	return n
}

// ScaleUpLimit is calculateScaleUpLimitWithScalingRules: per policy, from
// the replicas at the start of its period (current - added + removed),
// Pods adds value, Percent multiplies by 1+value/100 rounding up; Max
// takes the largest proposal, Min the smallest, Disabled the current
// replicas.
func ScaleUpLimit(current int32, up, down []ScaleEvent, rules *model.HPAScalingRules, now time.Time) int32 {
	sel := model.Deref(rules.SelectPolicy, MaxChangePolicy)
	if sel == DisabledPolicy {
		return current
	}
	result := int32(math.MinInt32)
	pick := func(a, b int32) int32 { return max(a, b) }
	if sel == MinChangePolicy {
		result = math.MaxInt32
		pick = func(a, b int32) int32 { return min(a, b) }
	}
	for _, p := range rules.Policies {
		start := current - replicasChangePerPeriod(p.PeriodSeconds, up, now) + replicasChangePerPeriod(p.PeriodSeconds, down, now)
		var proposed int32
		switch p.Type {
		case PodsScalingPolicy:
			proposed = start + p.Value
		case PercentScalingPolicy:
			proposed = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		result = pick(result, proposed)
	}
	return result
}

// ScaleDownLimit is calculateScaleDownLimitWithBehaviors: Pods removes
// value, Percent multiplies by 1-value/100 truncating; Max takes the
// smallest proposal (the largest change), Min the largest.
func ScaleDownLimit(current int32, up, down []ScaleEvent, rules *model.HPAScalingRules, now time.Time) int32 {
	sel := model.Deref(rules.SelectPolicy, MaxChangePolicy)
	if sel == DisabledPolicy {
		return current
	}
	result := int32(math.MaxInt32)
	pick := func(a, b int32) int32 { return min(a, b) }
	if sel == MinChangePolicy {
		result = math.MinInt32
		pick = func(a, b int32) int32 { return max(a, b) }
	}
	for _, p := range rules.Policies {
		start := current - replicasChangePerPeriod(p.PeriodSeconds, up, now) + replicasChangePerPeriod(p.PeriodSeconds, down, now)
		var proposed int32
		switch p.Type {
		case PodsScalingPolicy:
			proposed = start - p.Value
		case PercentScalingPolicy:
			proposed = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		result = pick(result, proposed)
	}
	return result
}

// ConvertWithBehaviorRate is convertDesiredReplicasWithBehaviorRate: the
// rate limits of the policies (never past the current replicas in the
// wrong direction), then min/maxReplicas, with the limiting reason.
func (r *Recommender) ConvertWithBehaviorRate(a NormalizationArg, now time.Time) (int32, string) {
	switch {
	case a.DesiredReplicas > a.CurrentReplicas:
		limit := ScaleUpLimit(a.CurrentReplicas, r.ScaleUpEvents[a.Key], r.ScaleDownEvents[a.Key], a.ScaleUpBehavior, now)
		if limit < a.CurrentReplicas {
			limit = a.CurrentReplicas
		}
		maxAllowed, reason := a.MaxReplicas, "TooManyReplicas"
		if maxAllowed > limit {
			maxAllowed, reason = limit, "ScaleUpLimit"
		}
		if a.DesiredReplicas > maxAllowed {
			return maxAllowed, reason
		}
	case a.DesiredReplicas < a.CurrentReplicas:
		limit := ScaleDownLimit(a.CurrentReplicas, r.ScaleUpEvents[a.Key], r.ScaleDownEvents[a.Key], a.ScaleDownBehavior, now)
		if limit > a.CurrentReplicas {
			limit = a.CurrentReplicas
		}
		minAllowed, reason := a.MinReplicas, "TooFewReplicas"
		if minAllowed < limit {
			minAllowed, reason = limit, "ScaleDownLimit"
		}
		if a.DesiredReplicas < minAllowed {
			return minAllowed, reason
		}
	}
	return a.DesiredReplicas, "DesiredWithinRange"
}

// NormalizeWithBehaviors is normalizeDesiredReplicasWithBehaviors:
// stabilize, then apply the rate limits. Unset rules take the API
// defaults; an unset scale-down window takes DownscaleStabilization.
func (r *Recommender) NormalizeWithBehaviors(key string, b *model.HorizontalPodAutoscalerBehavior, current, desired, minReplicas, maxReplicas int32, now time.Time) int32 {
	up, down := ScaleUpRules(b.ScaleUp), ScaleDownRules(b.ScaleDown)
	if down.StabilizationWindowSeconds == nil {
		down.StabilizationWindowSeconds = model.Ptr(int32(r.DownscaleStabilization.Seconds()))
	}
	a := NormalizationArg{Key: key, ScaleUpBehavior: up, ScaleDownBehavior: down, MinReplicas: minReplicas,
		MaxReplicas: maxReplicas, CurrentReplicas: current, DesiredReplicas: desired}
	stabilized, _ := r.StabilizeWithBehaviors(a, now)
	a.DesiredReplicas = stabilized
	out, _ := r.ConvertWithBehaviorRate(a, now)
	return out
}

func longestPolicyPeriod(rules *model.HPAScalingRules) int32 {
	var p int32
	for _, pol := range rules.Policies {
		p = max(p, pol.PeriodSeconds)
	}
	return p
}

// StoreScaleEvent is storeScaleEvent: with behavior, events older than the
// direction's longest policy period are marked outdated and the last such
// one is replaced by the new event, else it is appended. Without
// behavior nothing is stored.
func (r *Recommender) StoreScaleEvent(b *model.HorizontalPodAutoscalerBehavior, key string, prev, next int32, now time.Time) {
	if b == nil {
		return
	}
	events, rules, change := r.ScaleDownEvents, ScaleDownRules(b.ScaleDown), prev-next
	if next > prev {
		events, rules, change = r.ScaleUpEvents, ScaleUpRules(b.ScaleUp), next-prev
	}
	list := events[key]
	cutoff := now.Add(-time.Second * time.Duration(longestPolicyPeriod(rules)))
	old, oldIdx := false, 0
	for i := range list {
		if list[i].At.Before(cutoff) {
			list[i].Outdated = true
		}
		if list[i].Outdated {
			old, oldIdx = true, i
		}
	}
	e := ScaleEvent{Change: change, At: now}
	if old {
		list[oldIdx] = e
	} else {
		list = append(list, e)
	}
	events[key] = list
}
