package podautoscaler

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

// The tables below are upstream's horizontal_test.go: TestNormalizeDesiredReplicas,
// TestScalingWithRules, TestStoreScaleEvents,
// TestNormalizeDesiredReplicasWithBehavior and
// TestCalculateScaleDownLimitWithBehaviors, with time.Now() replaced by a
// fixed instant.

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func recs(pairs ...any) []Recommendation {
	var out []Recommendation
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Recommendation{int32(pairs[i].(int)), now.Add(-pairs[i+1].(time.Duration))})
	}
	return out
}

func TestNormalizeDesiredReplicas(t *testing.T) {
	min := time.Minute
	cases := []struct {
		name      string
		recs      []Recommendation
		desired   int32
		want      int32
		wantCount int
	}{
		{"empty log", nil, 5, 5, 1},
		{"stabilize", recs(4, 2*min, 5, 1*min), 3, 5, 3},
		{"no stabilize", recs(1, 2*min, 2, 1*min), 3, 3, 3},
		{"no stabilize - old recommendations", recs(10, 10*min, 9, 9*min), 3, 3, 2},
		{"stabilize - old recommendations", recs(10, 10*min, 4, 1*min, 5, 2*min, 9, 9*min), 3, 5, 4},
	}
	for _, tc := range cases {
		r := NewRecommender(5 * time.Minute)
		r.Recommendations[""] = tc.recs
		require.Equal(t, tc.want, r.Stabilize("", tc.desired, now), tc.name)
		require.Len(t, r.Recommendations[""], tc.wantCount, tc.name)
	}
}

func rules(pods, podsPeriod, percent, percentPeriod, window int32) *model.HPAScalingRules {
	r := &model.HPAScalingRules{StabilizationWindowSeconds: model.Ptr(window), SelectPolicy: model.Ptr(MaxChangePolicy)}
	if pods != 0 {
		r.Policies = append(r.Policies, model.HPAScalingPolicy{Type: PodsScalingPolicy, Value: pods, PeriodSeconds: podsPeriod})
	}
	if percent != 0 {
		r.Policies = append(r.Policies, model.HPAScalingPolicy{Type: PercentScalingPolicy, Value: percent, PeriodSeconds: percentPeriod})
	}
	return r
}

// uniform spreads events over the last period seconds, one in the middle
// of each equal segment (generateEventsUniformDistribution).
func uniform(raw []int, period int) []ScaleEvent {
	out := make([]ScaleEvent, len(raw))
	seg := float64(period) / float64(len(raw))
	for i, e := range raw {
		boundary := time.Duration(float64(period) - seg*float64(i+1) + seg/2)
		out[i] = ScaleEvent{Change: int32(e), At: now.Add(-time.Second * boundary)}
	}
	return out
}

func TestScalingWithRules(t *testing.T) {
	cases := []struct {
		name             string
		up, down         []ScaleEvent
		min, max         int32
		upRules, dnRules *model.HPAScalingRules
		current, desired int32
		want             int32
		wantCondition    string
	}{
		{"prenormalized desired replicas within range", nil, nil, 3, 8, nil, nil, 5, 7, 7, "DesiredWithinRange"},
		{"prenormalized desired replicas < minReplicas", nil, nil, 2, 8, nil, nil, 3, 1, 2, "TooFewReplicas"},
		{"prenormalized desired replicas within range when minReplicas is 0", nil, nil, 0, 10, nil, nil, 1, 0, 0, "DesiredWithinRange"},
		{"maxReplicas is the limit because maxReplicas < scaleUpLimit", nil, nil, 1, 10, nil, nil, 20, 1000, 10, "TooManyReplicas"},
		{"desired replica count is more than the maximum replica count", nil, nil, 100, 150, nil, nil, 100, 1000, 150, "TooManyReplicas"},
		{"scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", nil, nil, 1, 2000, rules(0, 0, 1, 60, 0), nil, 3, 1000, 4, "ScaleUpLimit"},
		{"scaleUp with default behavior", nil, nil, 1, 1000, nil, nil, 10, 50, 20, "ScaleUpLimit"},
		{"scaleUp with pods policy larger than percent policy", nil, nil, 1, 1000, rules(100, 60, 100, 60, 0), nil, 10, 500, 110, "ScaleUpLimit"},
		{"scaleUp with percent policy larger than pods policy", nil, nil, 1, 1000, rules(2, 60, 100, 60, 0), nil, 10, 500, 20, "ScaleUpLimit"},
		{"scaleUp with spec MaxReplicas limitation with large pod policy", nil, nil, 1, 1000, rules(100, 60, 0, 0, 0), nil, 10, 50, 50, "DesiredWithinRange"},
		{"scaleUp with spec MaxReplicas limitation with large percent policy", nil, nil, 1, 1000, rules(10000, 60, 0, 0, 0), nil, 10, 50, 50, "DesiredWithinRange"},
		{"scaleUp with pod policy limitation", nil, nil, 1, 1000, rules(30, 60, 0, 0, 0), nil, 10, 50, 40, "ScaleUpLimit"},
		{"scaleUp with percent policy limitation", nil, nil, 1, 1000, rules(0, 0, 200, 60, 0), nil, 10, 50, 30, "ScaleUpLimit"},
		{"scaleDown with percent policy larger than pod policy", nil, nil, 1, 1000, nil, rules(20, 60, 1, 60, 300), 100, 2, 80, "ScaleDownLimit"},
		{"scaleDown with pod policy larger than percent policy", nil, nil, 1, 1000, nil, rules(2, 60, 1, 60, 300), 100, 2, 98, "ScaleDownLimit"},
		{"scaleDown with spec MinReplicas=nil limitation with large pod policy", nil, nil, 1, 1000, nil, rules(100, 60, 0, 0, 300), 10, 0, 1, "TooFewReplicas"},
		{"scaleDown with spec MinReplicas limitation with large percent policy", nil, nil, 5, 1000, nil, rules(0, 0, 100, 60, 300), 10, 2, 5, "TooFewReplicas"},
		{"scaleDown with pod policy limitation", nil, nil, 1, 1000, nil, rules(5, 60, 0, 0, 300), 10, 2, 5, "ScaleDownLimit"},
		{"scaleDown with percent policy limitation", nil, nil, 1, 1000, nil, rules(0, 0, 50, 60, 300), 10, 5, 5, "DesiredWithinRange"},
		{"scaleUp with spec MaxReplicas limitation with large pod policy and events", uniform([]int{1, 5, 9}, 120), nil, 1, 200, rules(300, 60, 0, 0, 0), nil, 100, 500, 200, "TooManyReplicas"},
		{"scaleUp with spec MaxReplicas limitation with large percent policy and events", uniform([]int{1, 5, 9}, 120), nil, 1, 200, rules(0, 0, 10000, 60, 0), nil, 100, 500, 200, "TooManyReplicas"},
		{"scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events", uniform([]int{1, 5, 9}, 120), nil, 1, 1000, rules(5, 120, 0, 0, 0), nil, 100, 500, 100, "ScaleUpLimit"},
		{"scaleUp with pod policy and previous scale up events", uniform([]int{1, 5, 9}, 120), nil, 1, 1000, rules(150, 120, 0, 0, 0), nil, 100, 500, 235, "ScaleUpLimit"},
		{"scaleUp with percent policy and previous scale up events", uniform([]int{1, 5, 9}, 120), nil, 1, 1000, rules(0, 0, 200, 120, 0), nil, 100, 500, 255, "ScaleUpLimit"},
		{"scaleUp with percent policy and previous scale up and down events", uniform([]int{4}, 120), uniform([]int{2}, 120), 1, 1000, rules(0, 0, 300, 300, 0), nil, 6, 24, 16, "ScaleUpLimit"},
		{"scaleDown with default policy and previous events", nil, uniform([]int{1, 5, 9}, 120), 1, 1000, nil, nil, 10, 5, 5, "DesiredWithinRange"},
		{"scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events", nil, uniform([]int{1, 5, 9}, 120), 1, 1000, nil, rules(115, 120, 0, 0, 300), 100, 0, 1, "TooFewReplicas"},
		{"scaleDown with spec MinReplicas limitation with large pod policy and previous events", nil, uniform([]int{1, 5, 9}, 120), 5, 1000, nil, rules(130, 120, 0, 0, 300), 100, 0, 5, "TooFewReplicas"},
		{"scaleDown with spec MinReplicas limitation with large percent policy and previous events", nil, uniform([]int{1, 5, 9}, 120), 5, 1000, nil, rules(0, 0, 100, 120, 300), 100, 2, 5, "TooFewReplicas"},
		{"scaleDown with pod policy limitation and previous events", nil, uniform([]int{1, 5, 9}, 120), 1, 1000, nil, rules(5, 120, 0, 0, 300), 100, 2, 100, "ScaleDownLimit"},
		{"scaleDown with percent policy limitation and previous events", nil, uniform([]int{2, 4, 6}, 120), 1, 1000, nil, rules(0, 0, 50, 120, 300), 100, 0, 56, "ScaleDownLimit"},
		{"scaleDown with percent policy and previous scale up and down events", uniform([]int{2}, 120), uniform([]int{4}, 120), 1, 1000, nil, rules(0, 0, 50, 180, 0), 10, 1, 6, "ScaleDownLimit"},
		{"scaleDown with previous events preventing further scale down", nil, uniform([]int{10, 10, 10}, 120), 1, 1000, nil, rules(0, 0, 10, 120, 300), 100, 0, 100, "ScaleDownLimit"},
		{"scaleDown with with previous events still allowing more scale down", nil, uniform([]int{10, 10, 10}, 120), 1, 1000, nil, rules(0, 0, 1000, 120, 300), 10, 5, 5, "DesiredWithinRange"},
		{"check 'outdated' flag for events for one behavior for up", uniform([]int{8, 12, 9, 11}, 120), nil, 1, 1000, rules(1000, 60, 0, 0, 0), nil, 100, 200, 200, "DesiredWithinRange"},
		{"check that events were not marked 'outdated' for two different policies in the behavior for up", uniform([]int{8, 12, 9, 11}, 120), nil, 1, 1000, rules(1000, 120, 100, 60, 0), nil, 100, 200, 200, "DesiredWithinRange"},
		{"check that events were marked 'outdated' for two different policies in the behavior for up", uniform([]int{8, 12, 9, 11}, 120), nil, 1, 1000, rules(1000, 30, 100, 60, 0), nil, 100, 200, 200, "DesiredWithinRange"},
		{"check 'outdated' flag for events for one behavior for down", nil, uniform([]int{8, 12, 9, 11}, 120), 1, 1000, nil, rules(1000, 60, 0, 0, 300), 100, 5, 5, "DesiredWithinRange"},
		{"check that events were not marked 'outdated' for two different policies in the behavior for down", nil, uniform([]int{8, 12, 9, 11}, 120), 1, 1000, nil, rules(1000, 120, 100, 60, 300), 100, 5, 5, "DesiredWithinRange"},
		{"check that events were marked 'outdated' for two different policies in the behavior for down", nil, uniform([]int{8, 12, 9, 11}, 120), 1, 1000, nil, rules(1000, 30, 100, 60, 300), 100, 5, 5, "DesiredWithinRange"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRecommender(5 * time.Minute)
			r.ScaleUpEvents[""], r.ScaleDownEvents[""] = tc.up, tc.down
			got, cond := r.ConvertWithBehaviorRate(NormalizationArg{ScaleUpBehavior: ScaleUpRules(tc.upRules), ScaleDownBehavior: ScaleDownRules(tc.dnRules),
				MinReplicas: tc.min, MaxReplicas: tc.max, CurrentReplicas: tc.current, DesiredReplicas: tc.desired}, now)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.wantCondition, cond)
		})
	}
}

func TestCalculateScaleDownLimitWithBehaviors(t *testing.T) {
	r := rules(2, 60, 50, 60, 300)
	r.SelectPolicy = model.Ptr(MinChangePolicy)
	require.Equal(t, int32(3), ScaleDownLimit(5, nil, nil, r, now))
	r.SelectPolicy = model.Ptr(MaxChangePolicy)
	require.Equal(t, int32(2), ScaleDownLimit(5, nil, nil, r, now))
	r.SelectPolicy = model.Ptr(DisabledPolicy)
	require.Equal(t, int32(5), ScaleDownLimit(5, nil, nil, r, now))
}

func TestStoreScaleEvents(t *testing.T) {
	ago := func(s int) time.Time { return now.Add(-time.Duration(s) * time.Second) }
	cases := []struct {
		name       string
		prev, next []ScaleEvent
		rules      *model.HPAScalingRules
		wantChange int32
	}{
		{"empty entries with default behavior", nil, nil, nil, 0},
		{"empty entries with two-policy-behavior", nil, []ScaleEvent{{5, now, false}}, rules(10, 60, 100, 60, 0), 0},
		{"one outdated entry to be kept untouched without behavior", []ScaleEvent{{7, ago(61), false}}, []ScaleEvent{{7, now, false}}, nil, 0},
		{"one outdated entry to be replaced with behavior", []ScaleEvent{{7, ago(61), false}}, []ScaleEvent{{5, now, false}}, rules(10, 60, 100, 60, 0), 0},
		{"one actual entry to be not touched with behavior", []ScaleEvent{{7, ago(58), false}}, []ScaleEvent{{7, now, false}, {5, now, false}}, rules(10, 60, 100, 60, 0), 7},
		{"two entries, one of them to be replaced", []ScaleEvent{{7, ago(61), false}, {6, ago(59), false}}, []ScaleEvent{{5, now, false}, {6, now, false}}, rules(10, 60, 0, 0, 0), 6},
		{"replace one entry, use policies with different periods", []ScaleEvent{{8, ago(29), false}, {6, ago(59), false}, {7, ago(61), false}, {9, ago(61), false}},
			[]ScaleEvent{{8, now, false}, {6, now, false}, {7, now, true}, {5, now, false}}, rules(10, 60, 100, 30, 0), 14},
		{"two entries, both actual", []ScaleEvent{{7, ago(58), false}, {6, ago(59), false}}, []ScaleEvent{{7, now, false}, {6, now, false}, {5, now, false}}, rules(10, 120, 100, 30, 0), 13},
	}
	for _, tc := range cases {
		for _, up := range []bool{true, false} {
			r := NewRecommender(5 * time.Minute)
			events := r.ScaleDownEvents
			var b *model.HorizontalPodAutoscalerBehavior
			if up {
				events = r.ScaleUpEvents
				if tc.rules != nil {
					b = &model.HorizontalPodAutoscalerBehavior{ScaleUp: tc.rules}
				}
			} else if tc.rules != nil {
				b = &model.HorizontalPodAutoscalerBehavior{ScaleDown: tc.rules}
			}
			events[""] = append([]ScaleEvent(nil), tc.prev...)
			require.Equal(t, tc.wantChange, replicasChangePerPeriod(60, events[""], now), tc.name)
			next := int32(15)
			if !up {
				next = 5
			}
			r.StoreScaleEvent(b, "", 10, next, now)
			require.Len(t, events[""], len(tc.next), tc.name)
			for i, e := range events[""] {
				require.Equal(t, tc.next[i].Change, e.Change, "%s #%d", tc.name, i)
				require.Equal(t, tc.next[i].Outdated, e.Outdated, "%s #%d", tc.name, i)
			}
		}
	}
}

func TestNormalizeDesiredReplicasWithBehavior(t *testing.T) {
	min := time.Minute
	cases := []struct {
		name             string
		recs             []Recommendation
		current, desired int32
		want             int32
		wantRecs         []int32
		upWindow, dnWin  int32
	}{
		{"empty recommendations for scaling down", nil, 100, 5, 5, []int32{5}, 0, 0},
		{"simple scale down stabilization", recs(4, 2*min, 5, 1*min), 100, 3, 5, []int32{4, 5, 3}, 0, 180},
		{"simple scale up stabilization", recs(4, 2*min, 5, 1*min), 1, 7, 4, []int32{4, 5, 7}, 300, 0},
		{"no scale down stabilization", recs(1, 2*min, 2, 1*min), 100, 3, 3, []int32{1, 2, 3}, 300, 0},
		{"no scale up stabilization", recs(4, 2*min, 5, 1*min), 1, 3, 3, []int32{4, 5, 3}, 0, 300},
		{"no scale down stabilization, reuse recommendation element", recs(10, 10*min, 9, 9*min), 100, 3, 3, []int32{10, 3}, 0, 0},
		{"no scale up stabilization, reuse recommendation element", recs(10, 10*min, 9, 9*min), 1, 100, 100, []int32{10, 100}, 0, 0},
		{"scale down stabilization, reuse one of obsolete recommendation element", recs(10, 10*min, 4, 1*min, 5, 2*min, 9, 9*min), 100, 3, 5, []int32{10, 4, 5, 3}, 0, 180},
		{"scale up stabilization, reuse one of obsolete recommendation element", recs(10, 100*min, 6, 1*min, 5, 2*min, 9, 3*min), 1, 100, 5, []int32{100, 6, 5, 9}, 300, 0},
		{"scale up and down stabilization, do not scale up when prenormalized rec goes down", recs(2, 100*min, 3, 3*min), 2, 1, 2, nil, 300, 300},
		{"scale up and down stabilization, do not scale down when prenormalized rec goes up", recs(2, 100*min, 1, 3*min), 2, 3, 2, nil, 300, 300},
	}
	for _, tc := range cases {
		r := NewRecommender(5 * time.Minute)
		r.Recommendations[""] = tc.recs
		got, _ := r.StabilizeWithBehaviors(NormalizationArg{DesiredReplicas: tc.desired, CurrentReplicas: tc.current,
			ScaleUpBehavior:   &model.HPAScalingRules{StabilizationWindowSeconds: model.Ptr(tc.upWindow)},
			ScaleDownBehavior: &model.HPAScalingRules{StabilizationWindowSeconds: model.Ptr(tc.dnWin)}}, now)
		require.Equal(t, tc.want, got, tc.name)
		if tc.wantRecs != nil {
			var have []int32
			for _, r := range r.Recommendations[""] {
				have = append(have, r.Replicas)
			}
			require.Equal(t, tc.wantRecs, have, tc.name)
		}
	}
}

func TestConvertWithRulesWithoutBehavior(t *testing.T) {
	// Without behavior the scale-up limit is max(2 × current, 4)
	// (calculateScaleUpLimit).
	got, reason := ConvertWithRules(1, 10, 1, 100)
	require.Equal(t, int32(4), got)
	require.Equal(t, "ScaleUpLimit", reason)
	got, reason = ConvertWithRules(10, 50, 1, 100)
	require.Equal(t, int32(20), got)
	require.Equal(t, "ScaleUpLimit", reason)
	got, reason = ConvertWithRules(10, 50, 1, 15)
	require.Equal(t, int32(15), got)
	require.Equal(t, "TooManyReplicas", reason)
	got, reason = ConvertWithRules(10, 0, 2, 15)
	require.Equal(t, int32(2), got)
	require.Equal(t, "TooFewReplicas", reason)
}
