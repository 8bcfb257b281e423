package model

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expected values below follow the upstream definitions in
// k8s.io/apimachinery/pkg/labels/selector.go and pkg/apis/meta/v1/helpers.go.

func TestLabelSelectorAsSelectorMatches(t *testing.T) {
	web := map[string]string{"app": "web", "tier": "a", "empty": ""}
	tests := []struct {
		name   string
		sel    *LabelSelector
		labels map[string]string
		want   bool
	}{
		{"nil selector matches nothing", nil, web, false},
		{"nil selector matches nothing, nil labels", nil, nil, false},
		{"empty selector matches everything", &LabelSelector{}, web, true},
		{"empty selector matches nil labels", &LabelSelector{}, nil, true},
		{"empty non-nil maps match everything", &LabelSelector{MatchLabels: map[string]string{}, MatchExpressions: []LabelSelectorRequirement{}}, nil, true},

		{"matchLabels equal", &LabelSelector{MatchLabels: map[string]string{"app": "web"}}, web, true},
		{"matchLabels different value", &LabelSelector{MatchLabels: map[string]string{"app": "db"}}, web, false},
		{"matchLabels key absent", &LabelSelector{MatchLabels: map[string]string{"zone": "z1"}}, web, false},
		{"matchLabels empty value present", &LabelSelector{MatchLabels: map[string]string{"empty": ""}}, web, true},
		{"matchLabels empty value absent", &LabelSelector{MatchLabels: map[string]string{"nope": ""}}, web, false},
		{"matchLabels all must hold", &LabelSelector{MatchLabels: map[string]string{"app": "web", "tier": "b"}}, web, false},

		{"In value in set", selExpr("tier", LabelSelectorOpIn, "b", "a"), web, true},
		{"In value not in set", selExpr("tier", LabelSelectorOpIn, "b", "c"), web, false},
		{"In key absent", selExpr("zone", LabelSelectorOpIn, "a"), web, false},
		{"In empty-string value", selExpr("empty", LabelSelectorOpIn, ""), web, true},

		{"NotIn key absent", selExpr("zone", LabelSelectorOpNotIn, "a"), web, true},
		{"NotIn key absent nil labels", selExpr("zone", LabelSelectorOpNotIn, "a"), nil, true},
		{"NotIn value in set", selExpr("tier", LabelSelectorOpNotIn, "a", "b"), web, false},
		{"NotIn value not in set", selExpr("tier", LabelSelectorOpNotIn, "b", "c"), web, true},

		{"Exists present", selExpr("app", LabelSelectorOpExists), web, true},
		{"Exists present with empty value", selExpr("empty", LabelSelectorOpExists), web, true},
		{"Exists absent", selExpr("zone", LabelSelectorOpExists), web, false},

		{"DoesNotExist absent", selExpr("zone", LabelSelectorOpDoesNotExist), web, true},
		{"DoesNotExist absent nil labels", selExpr("zone", LabelSelectorOpDoesNotExist), nil, true},
		{"DoesNotExist present", selExpr("app", LabelSelectorOpDoesNotExist), web, false},

		{"labels and expressions ANDed, all hold", &LabelSelector{
			MatchLabels: map[string]string{"app": "web"},
			MatchExpressions: []LabelSelectorRequirement{
				{Key: "tier", Operator: LabelSelectorOpIn, Values: []string{"a"}},
				{Key: "zone", Operator: LabelSelectorOpDoesNotExist},
			},
		}, web, true},
		{"labels and expressions ANDed, one fails", &LabelSelector{
			MatchLabels: map[string]string{"app": "web"},
			MatchExpressions: []LabelSelectorRequirement{
				{Key: "tier", Operator: LabelSelectorOpIn, Values: []string{"a"}},
				{Key: "app", Operator: LabelSelectorOpNotIn, Values: []string{"web"}},
			},
		}, web, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LabelSelectorAsSelector(tc.sel)
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.Matches(tc.labels))
			got, err := LabelSelectorMatches(tc.sel, tc.labels)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func selExpr(key string, op LabelSelectorOperator, values ...string) *LabelSelector {
	return &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: key, Operator: op, Values: values}}}
}

func TestSelectorEmptyNothingString(t *testing.T) {
	nothing, err := LabelSelectorAsSelector(nil)
	require.NoError(t, err)
	assert.False(t, nothing.Empty(), "upstream nothingSelector.Empty() is false")
	assert.True(t, nothing.MatchesNothing())
	assert.Equal(t, "", nothing.String())

	everything, err := LabelSelectorAsSelector(&LabelSelector{})
	require.NoError(t, err)
	assert.True(t, everything.Empty())
	assert.False(t, everything.MatchesNothing())
	assert.Equal(t, "", everything.String())

	var zero Selector
	assert.True(t, zero.Empty())
	assert.True(t, zero.Matches(nil))

	tests := []struct {
		name string
		sel  *LabelSelector
		want string
	}{
		{"brief example, sorted by key", &LabelSelector{
			MatchLabels: map[string]string{"app": "web"},
			MatchExpressions: []LabelSelectorRequirement{
				{Key: "x", Operator: LabelSelectorOpDoesNotExist},
				{Key: "tier", Operator: LabelSelectorOpIn, Values: []string{"b", "a"}},
			},
		}, "app=web,tier in (a,b),!x"},
		{"notin and exists", &LabelSelector{MatchExpressions: []LabelSelectorRequirement{
			{Key: "z", Operator: LabelSelectorOpExists},
			{Key: "y", Operator: LabelSelectorOpNotIn, Values: []string{"jkl"}},
			{Key: "x", Operator: LabelSelectorOpIn, Values: []string{"def", "abc"}},
		}}, "x in (abc,def),y notin (jkl),z"},
		{"empty-string value renders as ()", selExpr("z", LabelSelectorOpNotIn, ""), "z notin ()"},
		{"matchLabels keys sorted", &LabelSelector{MatchLabels: map[string]string{"c": "3", "a": "1", "b": "2"}}, "a=1,b=2,c=3"},
		{"same key: matchLabels before expressions (stable)", &LabelSelector{
			MatchLabels:      map[string]string{"k": "v"},
			MatchExpressions: []LabelSelectorRequirement{{Key: "k", Operator: LabelSelectorOpExists}},
		}, "k=v,k"},
		{"prefixed keys", &LabelSelector{MatchLabels: map[string]string{"example.com/role": "db"}}, "example.com/role=db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LabelSelectorAsSelector(tc.sel)
			require.NoError(t, err)
			for range 5 { // deterministic across map iteration orders
				assert.Equal(t, tc.want, s.String())
			}
			assert.False(t, s.Empty())
		})
	}
}

func TestLabelSelectorCopiesValues(t *testing.T) {
	ls := selExpr("tier", LabelSelectorOpIn, "a")
	s, err := LabelSelectorAsSelector(ls)
	require.NoError(t, err)
	ls.MatchExpressions[0].Values[0] = "b"
	assert.True(t, s.Matches(map[string]string{"tier": "a"}), "compiled selector must not alias the spec")
}

func TestLabelSelectorAsSelectorErrors(t *testing.T) {
	tests := []struct {
		name    string
		sel     *LabelSelector
		wantErr string
	}{
		{"In without values", selExpr("k", LabelSelectorOpIn), "values set can't be empty"},
		{"In with empty values slice", selExpr("k", LabelSelectorOpIn, []string{}...), "values set can't be empty"},
		{"NotIn without values", selExpr("k", LabelSelectorOpNotIn), "values set can't be empty"},
		{"Exists with values", selExpr("k", LabelSelectorOpExists, "v"), "values set must be empty for exists and does not exist"},
		{"DoesNotExist with values", selExpr("k", LabelSelectorOpDoesNotExist, "v"), "values set must be empty for exists and does not exist"},
		{"invalid operator", selExpr("k", "Foo", "v"), `"Foo" is not a valid label selector operator`},
		{"Gt is not a LabelSelector operator", selExpr("k", "Gt", "1"), `"Gt" is not a valid label selector operator`},
		{"empty operator", selExpr("k", ""), `"" is not a valid label selector operator`},
		{"invalid key", selExpr("bad key", LabelSelectorOpExists), "matchExpressions[0].key: Invalid value: \"bad key\": name part must consist of alphanumeric characters"},
		{"empty key", selExpr("", LabelSelectorOpExists), "name part must be non-empty"},
		{"invalid value", selExpr("k", LabelSelectorOpIn, "a b"), "matchExpressions[0].values[0]: Invalid value: \"a b\""},
		{"value too long", selExpr("k", LabelSelectorOpIn, strings.Repeat("a", 64)), "must be no more than 63 bytes"},
		{"invalid matchLabels key", &LabelSelector{MatchLabels: map[string]string{"a/b/c": "v"}}, "a valid label key must consist of"},
		{"invalid matchLabels value", &LabelSelector{MatchLabels: map[string]string{"k": "-v"}}, "a valid label must be an empty string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LabelSelectorAsSelector(tc.sel)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.True(t, s.MatchesNothing(), "fail closed on error")
			assert.False(t, s.Matches(map[string]string{"k": "v"}))
			ok, err := LabelSelectorMatches(tc.sel, map[string]string{"k": "v"})
			assert.Error(t, err)
			assert.False(t, ok)
		})
	}
}

func TestLabelSelectorMultipleErrorsAggregated(t *testing.T) {
	_, err := LabelSelectorAsSelector(selExpr("bad key", LabelSelectorOpIn))
	require.Error(t, err)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "[") && strings.HasSuffix(msg, "]"), msg)
	assert.Contains(t, msg, "matchExpressions[0].key")
	assert.Contains(t, msg, "matchExpressions[0].values")
}

func TestValidateLabelKey(t *testing.T) {
	name63 := strings.Repeat("a", 63)
	prefix253 := strings.Repeat("a", 253)
	valid := []string{
		"a", "A", "1", "aB9", "a.b-c_d", "a..b", "MyName", "my.name", "123-abc",
		"example.com/name", "a/b", "kubernetes.io/hostname", "node.kubernetes.io/not-ready",
		"topology.kubernetes.io/zone", name63, prefix253 + "/" + name63, "a-b.c-d/x",
	}
	for _, k := range valid {
		assert.NoError(t, ValidateLabelKey(k), "key %q", k)
	}
	invalid := map[string]string{
		"":                            "name part must be non-empty",
		"-a":                          "name part must consist of",
		"a-":                          "name part must consist of",
		"_a":                          "name part must consist of",
		"a b":                         "name part must consist of",
		"a@b":                         "name part must consist of",
		name63 + "a":                  "name part must be no more than 63 bytes",
		"/a":                          "prefix part must be non-empty",
		"a/":                          "name part must be non-empty",
		"a/b/c":                       "a valid label key must consist of",
		"Example.com/a":               "prefix part a lowercase RFC 1123 subdomain",
		"a..b/c":                      "prefix part a lowercase RFC 1123 subdomain",
		"-a.com/c":                    "prefix part a lowercase RFC 1123 subdomain",
		"a-.com/c":                    "prefix part a lowercase RFC 1123 subdomain",
		"a_b.com/c":                   "prefix part a lowercase RFC 1123 subdomain",
		prefix253 + "a/b":             "prefix part must be no more than 253 bytes",
		"example.com/-x":              "name part must consist of",
		"example.com/" + name63 + "b": "name part must be no more than 63 bytes",
	}
	for k, want := range invalid {
		err := ValidateLabelKey(k)
		if assert.Error(t, err, "key %q", k) {
			assert.Contains(t, err.Error(), want, "key %q", k)
		}
	}
	// Exact upstream wording of the regex message (content.RegexError).
	err := ValidateLabelKey("invalid key")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`)
}

func TestValidateLabelValue(t *testing.T) {
	for _, v := range []string{"", "a", "A", "0", "a-b", "a_b", "a.b", "MyValue", "my_value", "12345", strings.Repeat("z", 63)} {
		assert.NoError(t, ValidateLabelValue(v), "value %q", v)
	}
	for v, want := range map[string]string{
		"-a":                    "a valid label must be an empty string",
		"a-":                    "a valid label must be an empty string",
		"a b":                   "a valid label must be an empty string",
		"a/b":                   "a valid label must be an empty string",
		"+5":                    "a valid label must be an empty string",
		strings.Repeat("z", 64): "must be no more than 63 bytes",
	} {
		err := ValidateLabelValue(v)
		if assert.Error(t, err, "value %q", v) {
			assert.Contains(t, err.Error(), want)
		}
	}
}

func TestSelectorFromSet(t *testing.T) {
	for _, set := range []map[string]string{nil, {}} {
		s := SelectorFromSet(set)
		assert.True(t, s.Empty())
		assert.True(t, s.Matches(nil))
		assert.True(t, s.Matches(map[string]string{"a": "b"}))
		assert.Equal(t, "", s.String())
	}
	s := SelectorFromSet(map[string]string{"b": "2", "a": "1"})
	assert.False(t, s.Empty())
	assert.Equal(t, "a=1,b=2", s.String())
	assert.True(t, s.Matches(map[string]string{"a": "1", "b": "2"}))
	assert.True(t, s.Matches(map[string]string{"a": "1", "b": "2", "c": "3"}), "superset matches")
	assert.False(t, s.Matches(map[string]string{"a": "1"}), "subset does not match")
	assert.False(t, s.Matches(map[string]string{"a": "1", "b": "3"}))
	assert.False(t, s.Matches(nil))

	// Like upstream SelectorFromSet, no validation is performed.
	bad := SelectorFromSet(map[string]string{"bad key": "bad value"})
	assert.True(t, bad.Matches(map[string]string{"bad key": "bad value"}))
}

func TestLabelParseInt64MatchesStrconv(t *testing.T) {
	inputs := []string{
		"0", "-0", "+0", "1", "+5", "-5", "007", "-007", "42", "1234567890",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"99999999999999999999", "", "+", "-", "--1", "+-1", "1_000", "1e3", " 1", "1 ", "0x10", "1.5", "abc", "١",
	}
	for _, in := range inputs {
		want, err := strconv.ParseInt(in, 10, 64)
		got, ok := selParseInt64(in)
		assert.Equal(t, err == nil, ok, "input %q", in)
		if err == nil {
			assert.Equal(t, want, got, "input %q", in)
		}
	}
}

func TestLabelIsDecimalInteger(t *testing.T) {
	for in, want := range map[string]bool{
		"0": true, "1": true, "123": true, "-456": true, "9223372036854775807": true,
		"": false, "-": false, "-0": false, "00": false, "0700": false, "+5": false,
		"1.0": false, "a": false, " 1": false, "-01": false,
	} {
		assert.Equal(t, want, selIsDecimalInteger(in), "input %q", in)
	}
}

func selBenchSelector(tb testing.TB) Selector {
	s, err := LabelSelectorAsSelector(&LabelSelector{
		MatchLabels: map[string]string{"app": "web", "env": "prod"},
		MatchExpressions: []LabelSelectorRequirement{
			{Key: "tier", Operator: LabelSelectorOpIn, Values: []string{"frontend", "backend", "cache"}},
			{Key: "zone", Operator: LabelSelectorOpNotIn, Values: []string{"z9"}},
			{Key: "kubernetes.io/hostname", Operator: LabelSelectorOpExists},
			{Key: "deprecated", Operator: LabelSelectorOpDoesNotExist},
		},
	})
	require.NoError(tb, err)
	return s
}

var selBenchLabels = map[string]string{
	"app": "web", "env": "prod", "tier": "cache", "zone": "z1",
	"kubernetes.io/hostname": "node-1", "other": "x",
}

func TestSelectorMatchesDoesNotAllocate(t *testing.T) {
	s := selBenchSelector(t)
	require.True(t, s.Matches(selBenchLabels))
	allocs := testing.AllocsPerRun(100, func() { _ = s.Matches(selBenchLabels) })
	assert.Zero(t, allocs)
	set := SelectorFromSet(map[string]string{"app": "web", "env": "prod"})
	allocs = testing.AllocsPerRun(100, func() { _ = set.Matches(selBenchLabels) })
	assert.Zero(t, allocs)
}

func BenchmarkSelectorMatches(b *testing.B) {
	s := selBenchSelector(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if !s.Matches(selBenchLabels) {
			b.Fatal("expected match")
		}
	}
}
