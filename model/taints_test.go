package model

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// Expected values follow upstream k8s.io/api/core/v1/toleration.go and
// taint.go, component-helpers/scheduling/corev1/helpers.go and
// pkg/apis/core/validation/validation.go.

func TestToleratesTaint(t *testing.T) {
	ns := TaintEffectNoSchedule
	tests := []struct {
		name  string
		tol   Toleration
		taint Taint
		want  bool
	}{
		// key handling
		{"same key, Equal, same value", Toleration{Key: "foo", Operator: TolerationOpEqual, Value: "bar", Effect: ns}, Taint{Key: "foo", Value: "bar", Effect: ns}, true},
		{"different key", Toleration{Key: "foo", Operator: TolerationOpEqual, Value: "bar", Effect: ns}, Taint{Key: "baz", Value: "bar", Effect: ns}, false},
		{"empty key + Exists matches any key", Toleration{Operator: TolerationOpExists}, Taint{Key: "anything", Value: "v", Effect: TaintEffectNoExecute}, true},
		{"empty key + Exists + effect matches any key with that effect", Toleration{Operator: TolerationOpExists, Effect: ns}, Taint{Key: "k", Effect: ns}, true},
		{"empty key + Exists + other effect", Toleration{Operator: TolerationOpExists, Effect: ns}, Taint{Key: "k", Effect: TaintEffectNoExecute}, false},
		// upstream does not enforce Exists at match time: an empty key only skips the key check
		{"empty key + Equal compares value only", Toleration{Value: "v"}, Taint{Key: "k", Value: "v", Effect: ns}, true},
		{"empty key + Equal different value", Toleration{Value: "v"}, Taint{Key: "k", Value: "w", Effect: ns}, false},

		// operator handling
		{"empty operator means Equal, equal", Toleration{Key: "foo", Value: "bar"}, Taint{Key: "foo", Value: "bar", Effect: ns}, true},
		{"empty operator means Equal, different", Toleration{Key: "foo", Value: "bar"}, Taint{Key: "foo", Value: "baz", Effect: ns}, false},
		{"Equal with empty values", Toleration{Key: "foo", Operator: TolerationOpEqual}, Taint{Key: "foo", Effect: ns}, true},
		{"Equal empty vs non-empty value", Toleration{Key: "foo", Operator: TolerationOpEqual}, Taint{Key: "foo", Value: "x", Effect: ns}, false},
		{"Exists ignores taint value", Toleration{Key: "foo", Operator: TolerationOpExists}, Taint{Key: "foo", Value: "whatever", Effect: ns}, true},
		{"Exists ignores toleration value", Toleration{Key: "foo", Operator: TolerationOpExists, Value: "x"}, Taint{Key: "foo", Value: "y", Effect: ns}, true},
		{"unknown operator never matches", Toleration{Key: "foo", Operator: "Foo", Value: "bar"}, Taint{Key: "foo", Value: "bar", Effect: ns}, false},
		{"operator is case sensitive", Toleration{Key: "foo", Operator: "exists"}, Taint{Key: "foo", Effect: ns}, false},

		// Gt / Lt: taint value compared against toleration value
		{"Gt taint greater", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "900"}, Taint{Key: "sla", Value: "950", Effect: ns}, true},
		{"Gt taint equal", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "950"}, Taint{Key: "sla", Value: "950", Effect: ns}, false},
		{"Gt taint smaller", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "990"}, Taint{Key: "sla", Value: "950", Effect: ns}, false},
		{"Lt taint smaller", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "10"}, Taint{Key: "sla", Value: "5", Effect: ns}, true},
		{"Lt taint equal", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "5"}, Taint{Key: "sla", Value: "5", Effect: ns}, false},
		{"Lt taint greater", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "5"}, Taint{Key: "sla", Value: "6", Effect: ns}, false},
		{"Lt negative numbers", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "0"}, Taint{Key: "sla", Value: "-5", Effect: ns}, true},
		{"Gt non-numeric taint value", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "1"}, Taint{Key: "sla", Value: "high", Effect: ns}, false},
		{"Gt non-numeric toleration value", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "low"}, Taint{Key: "sla", Value: "5", Effect: ns}, false},
		{"Lt empty taint value", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "5"}, Taint{Key: "sla", Effect: ns}, false},
		{"Gt leading zero taint value rejected", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "1"}, Taint{Key: "sla", Value: "0950", Effect: ns}, false},
		{"Gt plus sign rejected", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "+1"}, Taint{Key: "sla", Value: "5", Effect: ns}, false},
		{"Gt decimal rejected", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "1"}, Taint{Key: "sla", Value: "95.5", Effect: ns}, false},
		{"Gt int64 overflow rejected", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "1"}, Taint{Key: "sla", Value: "9223372036854775808", Effect: ns}, false},
		{"Gt int64 max", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "1"}, Taint{Key: "sla", Value: "9223372036854775807", Effect: ns}, true},
		{"Gt zero", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "-1"}, Taint{Key: "sla", Value: "0", Effect: ns}, true},
		{"Gt key mismatch", Toleration{Key: "other", Operator: TolerationOpGt, Value: "1"}, Taint{Key: "sla", Value: "5", Effect: ns}, false},
		{"Gt empty key compares any key", Toleration{Operator: TolerationOpGt, Value: "1"}, Taint{Key: "sla", Value: "5", Effect: ns}, true},
		{"Gt effect mismatch", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "1", Effect: TaintEffectNoExecute}, Taint{Key: "sla", Value: "5", Effect: ns}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.tol.ToleratesTaint(&tc.taint))
		})
	}
}

func TestToleratesTaintEffectMatrix(t *testing.T) {
	effects := []TaintEffect{TaintEffectNoSchedule, TaintEffectPreferNoSchedule, TaintEffectNoExecute}
	tolEffects := append([]TaintEffect{""}, effects...)
	ops := []TolerationOperator{"", TolerationOpEqual, TolerationOpExists}
	for _, taintEffect := range effects {
		for _, tolEffect := range tolEffects {
			for _, op := range ops {
				for _, tolKey := range []string{"", "k", "other"} {
					taint := Taint{Key: "k", Value: "v", Effect: taintEffect}
					tol := Toleration{Key: tolKey, Operator: op, Effect: tolEffect}
					if op != TolerationOpExists {
						tol.Value = "v"
					}
					want := (tolEffect == "" || tolEffect == taintEffect) && (tolKey == "" || tolKey == "k")
					assert.Equal(t, want, tol.ToleratesTaint(&taint), "taint %s, toleration %+v", taint, tol)
				}
			}
		}
	}
}

func TestTolerationsTolerateTaint(t *testing.T) {
	taint := Taint{Key: "dedicated", Value: "gpu", Effect: TaintEffectNoSchedule}
	assert.False(t, TolerationsTolerateTaint(nil, &taint))
	assert.False(t, TolerationsTolerateTaint([]Toleration{{Key: "dedicated", Value: "cpu"}}, &taint))
	assert.True(t, TolerationsTolerateTaint([]Toleration{
		{Key: "dedicated", Value: "cpu"},
		{Key: "dedicated", Operator: TolerationOpExists, Effect: TaintEffectNoSchedule},
	}, &taint))
	assert.True(t, TolerationsTolerateTaint([]Toleration{{Operator: TolerationOpExists}}, &taint))
}

func TestFindMatchingUntoleratedTaint(t *testing.T) {
	a := Taint{Key: "a", Effect: TaintEffectNoSchedule}
	b := Taint{Key: "b", Effect: TaintEffectPreferNoSchedule}
	c := Taint{Key: "c", Value: "x", Effect: TaintEffectNoExecute}
	taints := []Taint{a, b, c}
	tests := []struct {
		name      string
		taints    []Taint
		tols      []Toleration
		filter    func(*Taint) bool
		wantTaint Taint
		wantFound bool
	}{
		{"no taints", nil, nil, DoNotScheduleTaintFilter, Taint{}, false},
		{"first untolerated in order, nil filter", taints, nil, nil, a, true},
		{"a tolerated, nil filter finds PreferNoSchedule b", taints, []Toleration{{Key: "a", Operator: TolerationOpExists}}, nil, b, true},
		{"a tolerated, do-not-schedule filter skips b", taints, []Toleration{{Key: "a", Operator: TolerationOpExists}}, DoNotScheduleTaintFilter, c, true},
		{"all do-not-schedule taints tolerated", taints, []Toleration{
			{Key: "a", Operator: TolerationOpExists},
			{Key: "c", Value: "x", Effect: TaintEffectNoExecute},
		}, DoNotScheduleTaintFilter, Taint{}, false},
		{"tolerate everything", taints, []Toleration{{Operator: TolerationOpExists}}, nil, Taint{}, false},
		{"filter excludes everything", taints, nil, func(*Taint) bool { return false }, Taint{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, found := FindMatchingUntoleratedTaint(tc.taints, tc.tols, tc.filter)
			assert.Equal(t, tc.wantFound, found)
			assert.Equal(t, tc.wantTaint, got)
		})
	}
}

func TestDoNotScheduleTaintFilter(t *testing.T) {
	assert.True(t, DoNotScheduleTaintFilter(&Taint{Effect: TaintEffectNoSchedule}))
	assert.True(t, DoNotScheduleTaintFilter(&Taint{Effect: TaintEffectNoExecute}))
	assert.False(t, DoNotScheduleTaintFilter(&Taint{Effect: TaintEffectPreferNoSchedule}))
	assert.False(t, DoNotScheduleTaintFilter(&Taint{}))
}

func TestTaintString(t *testing.T) {
	tests := []struct {
		taint Taint
		want  string
	}{
		{Taint{Key: "foo", Value: "bar", Effect: TaintEffectNoSchedule}, "foo=bar:NoSchedule"},
		{Taint{Key: "foo", Effect: TaintEffectNoExecute}, "foo:NoExecute"},
		{Taint{Key: "foo", Value: "bar"}, "foo=bar:"},
		{Taint{Key: "foo"}, "foo"},
		{Taint{Key: TaintNodeNotReady, Effect: TaintEffectNoExecute}, "node.kubernetes.io/not-ready:NoExecute"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.taint.String())
	}
}

func TestMatchTaintAndToleration(t *testing.T) {
	x := Taint{Key: "k", Value: "1", Effect: TaintEffectNoSchedule}
	y := Taint{Key: "k", Value: "2", Effect: TaintEffectNoSchedule}
	z := Taint{Key: "k", Value: "1", Effect: TaintEffectNoExecute}
	assert.True(t, x.MatchTaint(&y), "taints are identified by key and effect")
	assert.False(t, x.MatchTaint(&z))

	secs := int64(5)
	p := Toleration{Key: "k", Operator: TolerationOpEqual, Value: "v", Effect: TaintEffectNoExecute}
	q := p
	q.TolerationSeconds = &secs
	assert.True(t, p.MatchToleration(&q), "tolerationSeconds is not part of the identity")
	q.Value = "w"
	assert.False(t, p.MatchToleration(&q))
}

func TestWellKnownTaintKeys(t *testing.T) {
	assert.Equal(t, "node.kubernetes.io/not-ready", TaintNodeNotReady)
	assert.Equal(t, "node.kubernetes.io/unreachable", TaintNodeUnreachable)
	assert.Equal(t, "node.kubernetes.io/unschedulable", TaintNodeUnschedulable)
	assert.Equal(t, "node.kubernetes.io/memory-pressure", TaintNodeMemoryPressure)
	assert.Equal(t, "node.kubernetes.io/disk-pressure", TaintNodeDiskPressure)
	assert.Equal(t, "node.kubernetes.io/pid-pressure", TaintNodePIDPressure)
	assert.Equal(t, "node.kubernetes.io/network-unavailable", TaintNodeNetworkUnavailable)
	for _, k := range []string{TaintNodeNotReady, TaintNodeUnreachable, TaintNodeUnschedulable, TaintNodeMemoryPressure,
		TaintNodeDiskPressure, TaintNodePIDPressure, TaintNodeNetworkUnavailable, TaintNodeOutOfService} {
		assert.NoError(t, ValidateLabelKey(k))
	}
}

func TestValidateTaint(t *testing.T) {
	tests := []struct {
		name    string
		taint   Taint
		wantErr string // "" = valid
	}{
		{"valid with value", Taint{Key: "dedicated", Value: "gpu", Effect: TaintEffectNoSchedule}, ""},
		{"valid without value", Taint{Key: TaintNodeUnreachable, Effect: TaintEffectNoExecute}, ""},
		{"valid PreferNoSchedule", Taint{Key: "example.com/spot", Value: "true", Effect: TaintEffectPreferNoSchedule}, ""},
		{"empty key", Taint{Effect: TaintEffectNoSchedule}, "key: Invalid value: \"\": name part must be non-empty"},
		{"invalid key", Taint{Key: "bad key", Effect: TaintEffectNoSchedule}, "key: Invalid value"},
		{"invalid value", Taint{Key: "k", Value: "a b", Effect: TaintEffectNoSchedule}, "value: Invalid value: \"a b\""},
		{"value too long", Taint{Key: "k", Value: strings.Repeat("v", 64), Effect: TaintEffectNoSchedule}, "must be no more than 63 bytes"},
		{"missing effect", Taint{Key: "k"}, "effect: Required value"},
		{"unsupported effect", Taint{Key: "k", Effect: "NoScheduleNoAdmit"}, `effect: Unsupported value: "NoScheduleNoAdmit": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateTaint(tc.taint)
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestValidateTaints(t *testing.T) {
	assert.NoError(t, ValidateTaints(nil))
	assert.NoError(t, ValidateTaints([]Taint{
		{Key: "k", Effect: TaintEffectNoSchedule},
		{Key: "k", Effect: TaintEffectNoExecute},
	}), "same key with different effects is allowed")
	err := ValidateTaints([]Taint{
		{Key: "k", Value: "1", Effect: TaintEffectNoSchedule},
		{Key: "k", Value: "2", Effect: TaintEffectNoSchedule},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "taints[1]: Duplicate value")
	err = ValidateTaints([]Taint{{Key: "ok", Effect: TaintEffectNoSchedule}, {Key: "bad key", Effect: "x"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "taints[1].key")
	assert.Contains(t, err.Error(), "taints[1].effect")
}

func TestValidateToleration(t *testing.T) {
	secs := int64(300)
	tests := []struct {
		name    string
		tol     Toleration
		wantErr string // "" = valid
	}{
		{"Equal with value", Toleration{Key: "k", Operator: TolerationOpEqual, Value: "v", Effect: TaintEffectNoSchedule}, ""},
		{"empty operator with value", Toleration{Key: "k", Value: "v"}, ""},
		{"Equal with empty value", Toleration{Key: "k", Operator: TolerationOpEqual}, ""},
		{"Exists without value", Toleration{Key: "k", Operator: TolerationOpExists}, ""},
		{"empty key with Exists (match all)", Toleration{Operator: TolerationOpExists}, ""},
		{"NoExecute with tolerationSeconds", Toleration{Key: TaintNodeNotReady, Operator: TolerationOpExists, Effect: TaintEffectNoExecute, TolerationSeconds: &secs}, ""},
		{"Gt with integer", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "950"}, ""},
		{"Lt with negative integer", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "-5"}, ""},
		{"Lt with zero", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "0"}, ""},

		{"invalid key", Toleration{Key: "bad key", Operator: TolerationOpExists}, "key: Invalid value"},
		{"empty key with Equal", Toleration{Operator: TolerationOpEqual, Value: "v"}, "operator must be Exists when `key` is empty"},
		{"empty key with empty operator", Toleration{}, "operator must be Exists when `key` is empty"},
		{"empty key with Gt", Toleration{Operator: TolerationOpGt, Value: "1"}, "operator must be Exists when `key` is empty"},
		{"tolerationSeconds without effect", Toleration{Key: "k", Operator: TolerationOpExists, TolerationSeconds: &secs}, "effect must be 'NoExecute' when `tolerationSeconds` is set"},
		{"tolerationSeconds with NoSchedule", Toleration{Key: "k", Operator: TolerationOpExists, Effect: TaintEffectNoSchedule, TolerationSeconds: &secs}, "effect must be 'NoExecute'"},
		{"Exists with value", Toleration{Key: "k", Operator: TolerationOpExists, Value: "v"}, "value must be empty when `operator` is 'Exists'"},
		{"Equal with invalid value", Toleration{Key: "k", Operator: TolerationOpEqual, Value: "a b"}, "a valid label must be an empty string"},
		{"Gt non-integer", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "high"}, "valid decimal integer"},
		{"Gt empty value", Toleration{Key: "sla", Operator: TolerationOpGt}, "valid decimal integer"},
		{"Lt leading zero", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "0950"}, "valid decimal integer"},
		{"Lt plus sign", Toleration{Key: "sla", Operator: TolerationOpLt, Value: "+5"}, "valid decimal integer"},
		{"Gt overflow", Toleration{Key: "sla", Operator: TolerationOpGt, Value: "9223372036854775808"}, "valid decimal integer"},
		{"unsupported operator", Toleration{Key: "k", Operator: "In", Value: "v"}, `operator: Unsupported value: "In": supported values: "Equal", "Exists", "Lt", "Gt"`},
		{"invalid effect", Toleration{Key: "k", Operator: TolerationOpExists, Effect: "Evict"}, `effect: Unsupported value: "Evict"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateToleration(tc.tol)
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestTaintTolerationYAML(t *testing.T) {
	added := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	secs := int64(60)
	in := struct {
		Taints      []Taint      `yaml:"taints"`
		Tolerations []Toleration `yaml:"tolerations"`
	}{
		Taints:      []Taint{{Key: "k", Value: "v", Effect: TaintEffectNoExecute, TimeAdded: &added}, {Key: "k2", Effect: TaintEffectNoSchedule}},
		Tolerations: []Toleration{{Key: "k", Operator: TolerationOpExists, Effect: TaintEffectNoExecute, TolerationSeconds: &secs}},
	}
	out, err := yaml.Marshal(in)
	require.NoError(t, err)
	s := string(out)
	for _, want := range []string{"key: k", "value: v", "effect: NoExecute", "timeAdded:", "operator: Exists", "tolerationSeconds: 60"} {
		assert.Contains(t, s, want)
	}
	assert.Equal(t, 1, strings.Count(s, "value:"), "empty value omitted")
	assert.Equal(t, 1, strings.Count(s, "timeAdded:"), "nil timeAdded omitted")

	var back struct {
		Taints      []Taint      `yaml:"taints"`
		Tolerations []Toleration `yaml:"tolerations"`
	}
	require.NoError(t, yaml.Unmarshal(out, &back))
	require.Len(t, back.Taints, 2)
	require.NotNil(t, back.Taints[0].TimeAdded)
	assert.True(t, added.Equal(*back.Taints[0].TimeAdded))
	assert.Equal(t, in.Tolerations, back.Tolerations)
}

func TestTaintMatchingDoesNotAllocate(t *testing.T) {
	taints := []Taint{
		{Key: TaintNodeUnschedulable, Effect: TaintEffectNoSchedule},
		{Key: "sla", Value: "950", Effect: TaintEffectNoSchedule},
		{Key: "spot", Value: "x", Effect: TaintEffectPreferNoSchedule},
	}
	tols := []Toleration{
		{Key: TaintNodeUnschedulable, Operator: TolerationOpExists},
		{Key: "sla", Operator: TolerationOpGt, Value: "900"},
		{Key: "sla", Operator: TolerationOpGt, Value: "not-a-number"},
	}
	_, found := FindMatchingUntoleratedTaint(taints, tols, DoNotScheduleTaintFilter)
	require.False(t, found)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = FindMatchingUntoleratedTaint(taints, tols, DoNotScheduleTaintFilter)
	})
	assert.Zero(t, allocs)
}

func BenchmarkFindMatchingUntoleratedTaint(b *testing.B) {
	taints := []Taint{
		{Key: TaintNodeUnschedulable, Effect: TaintEffectNoSchedule},
		{Key: "sla", Value: "950", Effect: TaintEffectNoSchedule},
		{Key: "spot", Value: "x", Effect: TaintEffectPreferNoSchedule},
	}
	tols := []Toleration{
		{Key: TaintNodeNotReady, Operator: TolerationOpExists, Effect: TaintEffectNoExecute},
		{Key: TaintNodeUnschedulable, Operator: TolerationOpExists},
		{Key: "sla", Operator: TolerationOpGt, Value: "900"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, found := FindMatchingUntoleratedTaint(taints, tols, DoNotScheduleTaintFilter); found {
			b.Fatal("expected all tolerated")
		}
	}
}
