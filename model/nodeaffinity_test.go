package model

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// Expected values follow upstream
// component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go (and its
// tests) and k8s.io/apimachinery/pkg/labels/selector.go.

func naReq(key string, op NodeSelectorOperator, values ...string) NodeSelectorRequirement {
	return NodeSelectorRequirement{Key: key, Operator: op, Values: values}
}

func naExprTerm(reqs ...NodeSelectorRequirement) NodeSelectorTerm {
	return NodeSelectorTerm{MatchExpressions: reqs}
}

func naSel(terms ...NodeSelectorTerm) *NodeSelector {
	return &NodeSelector{NodeSelectorTerms: terms}
}

func TestNodeSelectorMatcherMatch(t *testing.T) {
	labels := map[string]string{"zone": "z1", "cpu": "16", "gen": "abc", "empty": "", "padded": "007"}
	tests := []struct {
		name     string
		sel      *NodeSelector
		nodeName string
		labels   map[string]string
		want     bool
	}{
		{"nil selector matches nothing", nil, "n1", labels, false},
		{"empty term list matches nothing", naSel(), "n1", labels, false},
		{"empty term matches nothing", naSel(NodeSelectorTerm{}), "n1", labels, false},
		{"empty (non-nil) expressions match nothing", naSel(NodeSelectorTerm{MatchExpressions: []NodeSelectorRequirement{}}), "n1", labels, false},
		{"empty term is skipped, next term matches", naSel(NodeSelectorTerm{}, naExprTerm(naReq("zone", NodeSelectorOpExists))), "n1", labels, true},

		{"In match", naSel(naExprTerm(naReq("zone", NodeSelectorOpIn, "z2", "z1"))), "n1", labels, true},
		{"In no match", naSel(naExprTerm(naReq("zone", NodeSelectorOpIn, "z2"))), "n1", labels, false},
		{"In key absent", naSel(naExprTerm(naReq("region", NodeSelectorOpIn, "r1"))), "n1", labels, false},
		{"In nil labels", naSel(naExprTerm(naReq("zone", NodeSelectorOpIn, "z1"))), "n1", nil, false},
		{"NotIn key absent", naSel(naExprTerm(naReq("region", NodeSelectorOpNotIn, "r1"))), "n1", labels, true},
		{"NotIn key absent nil labels", naSel(naExprTerm(naReq("region", NodeSelectorOpNotIn, "r1"))), "n1", nil, true},
		{"NotIn value in set", naSel(naExprTerm(naReq("zone", NodeSelectorOpNotIn, "z1"))), "n1", labels, false},
		{"NotIn value not in set", naSel(naExprTerm(naReq("zone", NodeSelectorOpNotIn, "z2"))), "n1", labels, true},
		{"Exists present", naSel(naExprTerm(naReq("zone", NodeSelectorOpExists))), "n1", labels, true},
		{"Exists present empty value", naSel(naExprTerm(naReq("empty", NodeSelectorOpExists))), "n1", labels, true},
		{"Exists absent", naSel(naExprTerm(naReq("region", NodeSelectorOpExists))), "n1", labels, false},
		{"DoesNotExist absent", naSel(naExprTerm(naReq("region", NodeSelectorOpDoesNotExist))), "n1", labels, true},
		{"DoesNotExist present", naSel(naExprTerm(naReq("zone", NodeSelectorOpDoesNotExist))), "n1", labels, false},

		{"Gt greater", naSel(naExprTerm(naReq("cpu", NodeSelectorOpGt, "8"))), "n1", labels, true},
		{"Gt equal", naSel(naExprTerm(naReq("cpu", NodeSelectorOpGt, "16"))), "n1", labels, false},
		{"Gt smaller", naSel(naExprTerm(naReq("cpu", NodeSelectorOpGt, "32"))), "n1", labels, false},
		{"Gt non-numeric label value", naSel(naExprTerm(naReq("gen", NodeSelectorOpGt, "1"))), "n1", labels, false},
		{"Gt empty label value", naSel(naExprTerm(naReq("empty", NodeSelectorOpGt, "0"))), "n1", labels, false},
		{"Gt key absent", naSel(naExprTerm(naReq("mem", NodeSelectorOpGt, "1"))), "n1", labels, false},
		{"Gt label with leading zeros parses (strconv.ParseInt)", naSel(naExprTerm(naReq("padded", NodeSelectorOpGt, "6"))), "n1", labels, true},
		{"Gt requirement value with leading zeros parses", naSel(naExprTerm(naReq("cpu", NodeSelectorOpGt, "015"))), "n1", labels, true},
		{"Lt smaller", naSel(naExprTerm(naReq("cpu", NodeSelectorOpLt, "17"))), "n1", labels, true},
		{"Lt equal", naSel(naExprTerm(naReq("cpu", NodeSelectorOpLt, "16"))), "n1", labels, false},
		{"Lt non-numeric label value", naSel(naExprTerm(naReq("gen", NodeSelectorOpLt, "100"))), "n1", labels, false},
		{"Lt key absent", naSel(naExprTerm(naReq("mem", NodeSelectorOpLt, "100"))), "n1", labels, false},

		{"expressions ANDed, all hold", naSel(naExprTerm(naReq("zone", NodeSelectorOpIn, "z1"), naReq("cpu", NodeSelectorOpGt, "4"))), "n1", labels, true},
		{"expressions ANDed, one fails", naSel(naExprTerm(naReq("zone", NodeSelectorOpIn, "z1"), naReq("cpu", NodeSelectorOpGt, "64"))), "n1", labels, false},
		{"terms ORed, second matches", naSel(naExprTerm(naReq("zone", NodeSelectorOpIn, "z9")), naExprTerm(naReq("cpu", NodeSelectorOpLt, "64"))), "n1", labels, true},
		{"terms ORed, none match", naSel(naExprTerm(naReq("zone", NodeSelectorOpIn, "z9")), naExprTerm(naReq("cpu", NodeSelectorOpLt, "2"))), "n1", labels, false},

		// matchFields (only metadata.name is populated, as upstream extractNodeFields)
		{"matchFields In matches node name", naSel(NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "node_1")}}), "node_1", nil, true},
		{"matchFields In other node", naSel(NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "node_1")}}), "node_2", nil, false},
		{"matchFields NotIn other node", naSel(NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpNotIn, "node_1")}}), "node_2", nil, true},
		{"matchFields NotIn same node", naSel(NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpNotIn, "node_1")}}), "node_1", nil, false},
		{"matchFields ANDed", naSel(NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{
			naReq("metadata.name", NodeSelectorOpNotIn, "node_1"),
			naReq("metadata.name", NodeSelectorOpNotIn, "node_2"),
		}}), "node_2", nil, false},
		{"matchFields unknown field reads empty: In fails", naSel(NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.namespace", NodeSelectorOpIn, "x")}}), "node_1", nil, false},
		{"matchFields unknown field reads empty: NotIn holds", naSel(NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.namespace", NodeSelectorOpNotIn, "x")}}), "node_1", nil, true},
		{"matchFields ignored for a node without a name (upstream quirk)", naSel(NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "node_1")}}), "", nil, true},
		{"one term: fields match but labels do not", naSel(NodeSelectorTerm{
			MatchExpressions: []NodeSelectorRequirement{naReq("label_1", NodeSelectorOpIn, "label_1_val")},
			MatchFields:      []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1")},
		}), "host_1", nil, false},
		{"one term: fields and labels match", naSel(NodeSelectorTerm{
			MatchExpressions: []NodeSelectorRequirement{naReq("label_1", NodeSelectorOpIn, "label_1_val")},
			MatchFields:      []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1")},
		}), "host_1", map[string]string{"label_1": "label_1_val"}, true},
		{"one term: labels match but fields do not", naSel(NodeSelectorTerm{
			MatchExpressions: []NodeSelectorRequirement{naReq("label_1", NodeSelectorOpIn, "label_1_val")},
			MatchFields:      []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1")},
		}), "host_2", map[string]string{"label_1": "label_1_val"}, false},
		{"two terms: fields fail, expressions match", naSel(
			NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1")}},
			naExprTerm(naReq("label_1", NodeSelectorOpIn, "label_1_val")),
		), "host_2", map[string]string{"label_1": "label_1_val"}, true},
		{"two terms: second (fields) matches", naSel(
			naExprTerm(naReq("label_1", NodeSelectorOpIn, "label_1_val")),
			NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1")}},
		), "host_1", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewNodeSelectorMatcher(tc.sel)
			require.NoError(t, err)
			require.NotNil(t, m)
			assert.Equal(t, tc.want, m.Match(tc.nodeName, tc.labels))
			got, err := m.MatchWithError(tc.nodeName, tc.labels)
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestNodeSelectorMatcherErrors(t *testing.T) {
	valid := naExprTerm(naReq("zone", NodeSelectorOpIn, "z1"))
	labels := map[string]string{"zone": "z1", "k": "5"}
	tests := []struct {
		name    string
		term    NodeSelectorTerm
		wantErr string
	}{
		{"unsupported operator", naExprTerm(naReq("k", "Equals", "v")), `nodeSelectorTerms[0].matchExpressions[0].operator: Unsupported value: "Equals": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"`},
		{"In without values", naExprTerm(naReq("k", NodeSelectorOpIn)), "values set can't be empty"},
		{"NotIn without values", naExprTerm(naReq("k", NodeSelectorOpNotIn)), "values set can't be empty"},
		{"Exists with values", naExprTerm(naReq("k", NodeSelectorOpExists, "v")), "values set must be empty"},
		{"DoesNotExist with values", naExprTerm(naReq("k", NodeSelectorOpDoesNotExist, "v")), "values set must be empty"},
		{"Gt without values", naExprTerm(naReq("k", NodeSelectorOpGt)), "exactly one value is required"},
		{"Lt with two values", naExprTerm(naReq("k", NodeSelectorOpLt, "1", "2")), "exactly one value is required"},
		{"Gt non-integer", naExprTerm(naReq("k", NodeSelectorOpGt, "abc")), "the value must be an integer"},
		{"Lt float", naExprTerm(naReq("k", NodeSelectorOpLt, "1.5")), "the value must be an integer"},
		{"Gt negative is not a valid label value", naExprTerm(naReq("k", NodeSelectorOpGt, "-1")), "a valid label must be an empty string"},
		{"invalid key", naExprTerm(naReq("invalid key", NodeSelectorOpExists)), "nodeSelectorTerms[0].matchExpressions[0].key"},
		{"invalid value", naExprTerm(naReq("k", NodeSelectorOpNotIn, "invalid value: ___@#$%^")), "matchExpressions[0].values[0]"},
		{"matchFields In with two values", NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "h1", "h2")}}, `nodeSelectorTerms[0].matchFields[0].values: Invalid value: []string{"h1", "h2"}: must have one element`},
		{"matchFields NotIn without values", NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpNotIn)}}, "must have one element"},
		{"matchFields Exists", NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpExists)}}, `matchFields[0].operator: Unsupported value: "Exists": supported values: "In", "NotIn"`},
		{"matchFields Gt", NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpGt, "1")}}, `Unsupported value: "Gt"`},
		{"invalid expression poisons a term whose fields are valid", NodeSelectorTerm{
			MatchExpressions: []NodeSelectorRequirement{naReq("k", NodeSelectorOpIn)},
			MatchFields:      []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "n1")},
		}, "values set can't be empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Alone: error, and the invalid term never matches.
			m, err := NewNodeSelectorMatcher(naSel(tc.term))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			require.NotNil(t, m)
			assert.Equal(t, err, m.Err())
			assert.False(t, m.Match("n1", labels))
			ok, lazyErr := m.MatchWithError("n1", labels)
			assert.False(t, ok)
			assert.Equal(t, err, lazyErr, "lazy error reported when nothing matched")

			// Next to a valid term: lazy semantics let the valid term match.
			m, err = NewNodeSelectorMatcher(naSel(tc.term, valid))
			require.Error(t, err)
			assert.True(t, m.Match("n1", labels))
			ok, lazyErr = m.MatchWithError("n1", labels)
			assert.True(t, ok)
			assert.NoError(t, lazyErr)
		})
	}
}

func TestNodeSelectorMatcherUpstreamMixedErrors(t *testing.T) {
	// Mirrors upstream TestNodeSelectorMatch "invalid field selector and label selector".
	sel := naSel(
		NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1", "host_2")}},
		NodeSelectorTerm{
			MatchExpressions: []NodeSelectorRequirement{naReq("label_1", NodeSelectorOpIn, "label_1_val")},
			MatchFields:      []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1")},
		},
		naExprTerm(naReq("invalid key", NodeSelectorOpIn, "label_value")),
	)
	m, err := NewNodeSelectorMatcher(sel)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "nodeSelectorTerms[0].matchFields[0].values")
	assert.Contains(t, msg, "nodeSelectorTerms[2].matchExpressions[0].key")
	assert.Less(t, strings.Index(msg, "nodeSelectorTerms[0]"), strings.Index(msg, "nodeSelectorTerms[2]"), "errors in term order")
	var agg interface{ Unwrap() []error }
	require.True(t, errors.As(err, &agg))
	assert.Len(t, agg.Unwrap(), 2)

	assert.True(t, m.Match("host_1", map[string]string{"label_1": "label_1_val"}))
	ok, err := m.MatchWithError("host_2", map[string]string{"label_1": "label_1_val"})
	assert.False(t, ok)
	assert.Error(t, err)
}

func TestNilNodeSelectorMatcher(t *testing.T) {
	var m *NodeSelectorMatcher
	assert.False(t, m.Match("n", nil))
	ok, err := m.MatchWithError("n", nil)
	assert.False(t, ok)
	assert.NoError(t, err)
	assert.NoError(t, m.Err())
}

func TestNodeAffinityPreferredSchedulingTerms(t *testing.T) {
	node := map[string]string{"label_1": "label_1_val", "cpu": "8"}
	tests := []struct {
		name      string
		terms     []PreferredSchedulingTerm
		nodeName  string
		wantScore int64
		wantErr   string
	}{
		{"no terms", nil, "host_1", 0, ""},
		{"first and third term match (upstream)", []PreferredSchedulingTerm{
			{Weight: 5, Preference: naExprTerm(naReq("label_1", NodeSelectorOpIn, "label_1_val"))},
			{Weight: 7, Preference: naExprTerm(naReq("unknown_label", NodeSelectorOpIn, "unknown_label_val"))},
			{Weight: 11, Preference: NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1")}}},
		}, "host_1", 16, ""},
		{"all operators", []PreferredSchedulingTerm{
			{Weight: 1, Preference: naExprTerm(naReq("label_1", NodeSelectorOpExists))},
			{Weight: 2, Preference: naExprTerm(naReq("zone", NodeSelectorOpDoesNotExist))},
			{Weight: 4, Preference: naExprTerm(naReq("cpu", NodeSelectorOpGt, "4"))},
			{Weight: 8, Preference: naExprTerm(naReq("cpu", NodeSelectorOpLt, "4"))},
			{Weight: 16, Preference: naExprTerm(naReq("label_1", NodeSelectorOpNotIn, "x"))},
			{Weight: 32, Preference: NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpNotIn, "host_1")}}},
		}, "host_1", 1 + 2 + 4 + 16, ""},
		{"weights add for the same matching term twice", []PreferredSchedulingTerm{
			{Weight: 100, Preference: naExprTerm(naReq("label_1", NodeSelectorOpExists))},
			{Weight: 100, Preference: naExprTerm(naReq("label_1", NodeSelectorOpExists))},
		}, "host_1", 200, ""},
		{"empty preference is skipped (matches nothing)", []PreferredSchedulingTerm{
			{Weight: 50, Preference: NodeSelectorTerm{}},
		}, "host_1", 0, ""},
		{"invalid term with weight 0 is not parsed, no error", []PreferredSchedulingTerm{
			{Weight: 0, Preference: NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq("metadata.name", NodeSelectorOpIn, "host_1", "host_2")}}},
			{Weight: 3, Preference: naExprTerm(naReq("label_1", NodeSelectorOpExists))},
		}, "host_1", 3, ""},
		{"invalid term with weight is an error", []PreferredSchedulingTerm{
			{Weight: 3, Preference: naExprTerm(naReq("label_1", NodeSelectorOpExists))},
			{Weight: 1, Preference: naExprTerm(naReq("invalid key", NodeSelectorOpExists))},
		}, "host_1", 0, "[1].preference.matchExpressions[0].key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPreferredSchedulingTerms(tc.terms)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Nil(t, p)
				assert.Zero(t, p.Score(tc.nodeName, node), "nil receiver scores 0")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantScore, p.Score(tc.nodeName, node))
		})
	}
}

func TestRequiredNodeAffinityMatches(t *testing.T) {
	nodeLabels := map[string]string{"foo": "bar", "baz": "blah", "kernel": "6"}
	tests := []struct {
		name         string
		nodeSelector map[string]string
		affinity     *NodeAffinity
		nodeName     string
		labels       map[string]string
		want         bool
		wantErr      bool
	}{
		{"no selector, no affinity", nil, nil, "n1", nodeLabels, true, false},
		{"no selector, no affinity, unlabeled node", nil, nil, "n1", nil, true, false},
		{"nodeSelector missing labels", map[string]string{"foo": "bar"}, nil, "n1", nil, false, false},
		{"nodeSelector same labels", map[string]string{"foo": "bar"}, nil, "n1", map[string]string{"foo": "bar"}, true, false},
		{"nodeSelector node labels superset", map[string]string{"foo": "bar"}, nil, "n1", nodeLabels, true, false},
		{"nodeSelector node labels subset", map[string]string{"foo": "bar", "baz": "blah", "extra": "x"}, nil, "n1", nodeLabels, false, false},
		{"nodeSelector different value", map[string]string{"foo": "qux"}, nil, "n1", nodeLabels, false, false},
		{"affinity without required selector", nil, &NodeAffinity{}, "n1", nodeLabels, true, false},
		{"required with In that matches", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("foo", NodeSelectorOpIn, "value1", "bar")))}, "n1", nodeLabels, true, false},
		{"required with Gt that matches", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("kernel", NodeSelectorOpGt, "5")))}, "n1", nodeLabels, true, false},
		{"required with NotIn that matches", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("foo", NodeSelectorOpNotIn, "value1", "value2")))}, "n1", nodeLabels, true, false},
		{"required with Exists that matches", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("foo", NodeSelectorOpExists)))}, "n1", nodeLabels, true, false},
		{"required that does not match", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("foo", NodeSelectorOpIn, "value1")))}, "n1", nodeLabels, false, false},
		{"required with nil term list", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &NodeSelector{}}, "n1", nodeLabels, false, false},
		{"required with empty term list", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{}}}, "n1", nodeLabels, false, false},
		{"required with empty matchExpressions", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			NodeSelectorTerm{MatchExpressions: []NodeSelectorRequirement{}})}, "n1", nodeLabels, false, false},
		{"nodeSelector and affinity both match", map[string]string{"foo": "bar"}, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("baz", NodeSelectorOpExists)))}, "n1", nodeLabels, true, false},
		{"affinity matches but nodeSelector does not", map[string]string{"foo": "nope"}, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("baz", NodeSelectorOpExists)))}, "n1", nodeLabels, false, false},
		{"nodeSelector matches but affinity does not", map[string]string{"foo": "bar"}, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("baz", NodeSelectorOpDoesNotExist)))}, "n1", nodeLabels, false, false},
		{"invalid value in the only term: no match, lazy error", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("foo", NodeSelectorOpNotIn, "invalid value: ___@#$%^")))}, "n1", nodeLabels, false, true},
		{"invalid term next to a matching one: match, no error", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("foo", NodeSelectorOpNotIn, "invalid value: ___@#$%^")),
			naExprTerm(naReq("foo", NodeSelectorOpIn, "bar")))}, "n1", nodeLabels, true, false},
		{"nodeSelector mismatch short-circuits before lazy error", map[string]string{"foo": "nope"}, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			naExprTerm(naReq("foo", NodeSelectorOpIn)))}, "n1", nodeLabels, false, false},
		{"matchFields on node name", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq(NodeFieldSelectorKeyNodeName, NodeSelectorOpIn, "node_1")}})}, "node_1", nil, true, false},
		{"matchFields on other node name", nil, &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(
			NodeSelectorTerm{MatchFields: []NodeSelectorRequirement{naReq(NodeFieldSelectorKeyNodeName, NodeSelectorOpIn, "node_1")}})}, "node_2", nil, false, false},
		{"preferred terms are ignored", nil, &NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []PreferredSchedulingTerm{
			{Weight: 1, Preference: naExprTerm(naReq("foo", NodeSelectorOpIn, "other"))}}}, "n1", nodeLabels, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RequiredNodeAffinityMatches(tc.nodeSelector, tc.affinity, tc.nodeName, tc.labels)
			assert.Equal(t, tc.want, got)
			if tc.wantErr {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
			r := NewRequiredNodeAffinity(tc.nodeSelector, tc.affinity)
			got2, err2 := r.Match(tc.nodeName, tc.labels)
			assert.Equal(t, got, got2)
			assert.Equal(t, err, err2)
		})
	}
}

func TestNodeAffinityYAML(t *testing.T) {
	src := `
requiredDuringSchedulingIgnoredDuringExecution:
  nodeSelectorTerms:
  - matchExpressions:
    - key: topology.kubernetes.io/zone
      operator: In
      values: [z1, z2]
    matchFields:
    - key: metadata.name
      operator: NotIn
      values: [bad-node]
preferredDuringSchedulingIgnoredDuringExecution:
- weight: 10
  preference:
    matchExpressions:
    - key: cpu
      operator: Gt
      values: ["8"]
`
	var na NodeAffinity
	require.NoError(t, yaml.Unmarshal([]byte(src), &na))
	require.NotNil(t, na.RequiredDuringSchedulingIgnoredDuringExecution)
	term := na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0]
	assert.Equal(t, naReq("topology.kubernetes.io/zone", NodeSelectorOpIn, "z1", "z2"), term.MatchExpressions[0])
	assert.Equal(t, naReq("metadata.name", NodeSelectorOpNotIn, "bad-node"), term.MatchFields[0])
	require.Len(t, na.PreferredDuringSchedulingIgnoredDuringExecution, 1)
	assert.Equal(t, int32(10), na.PreferredDuringSchedulingIgnoredDuringExecution[0].Weight)

	ok, err := RequiredNodeAffinityMatches(nil, &na, "good-node", map[string]string{"topology.kubernetes.io/zone": "z2"})
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = RequiredNodeAffinityMatches(nil, &na, "bad-node", map[string]string{"topology.kubernetes.io/zone": "z2"})
	require.NoError(t, err)
	assert.False(t, ok)

	out, err := yaml.Marshal(&na)
	require.NoError(t, err)
	var back NodeAffinity
	require.NoError(t, yaml.Unmarshal(out, &back))
	assert.Equal(t, na, back)
}

func naBenchMatcher(tb testing.TB) *NodeSelectorMatcher {
	m, err := NewNodeSelectorMatcher(naSel(
		naExprTerm(naReq("node.kubernetes.io/instance-type", NodeSelectorOpIn, "m5.large")),
		NodeSelectorTerm{
			MatchExpressions: []NodeSelectorRequirement{
				naReq("topology.kubernetes.io/zone", NodeSelectorOpIn, "us-east-1a", "us-east-1b", "us-east-1c"),
				naReq("kubernetes.io/arch", NodeSelectorOpNotIn, "arm64"),
				naReq("cpu", NodeSelectorOpGt, "4"),
				naReq("gen", NodeSelectorOpLt, "10"),
				naReq("gpu", NodeSelectorOpDoesNotExist),
				naReq("kubernetes.io/hostname", NodeSelectorOpExists),
			},
			MatchFields: []NodeSelectorRequirement{naReq(NodeFieldSelectorKeyNodeName, NodeSelectorOpNotIn, "node-0")},
		},
	))
	require.NoError(tb, err)
	return m
}

var naBenchLabels = map[string]string{
	"topology.kubernetes.io/zone": "us-east-1b", "kubernetes.io/arch": "amd64", "cpu": "16", "gen": "notanumber-at-all",
	"kubernetes.io/hostname": "node-7", "node.kubernetes.io/instance-type": "c5.xlarge",
}

func TestNodeSelectorMatchersDoNotAllocate(t *testing.T) {
	m := naBenchMatcher(t)
	labels := map[string]string{}
	for k, v := range naBenchLabels {
		labels[k] = v
	}
	labels["gen"] = "5"
	require.True(t, m.Match("node-7", labels))
	require.False(t, m.Match("node-7", naBenchLabels), "non-numeric label fails Lt")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = m.Match("node-7", labels) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = m.Match("node-7", naBenchLabels) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.MatchWithError("node-7", naBenchLabels) }))

	p, err := NewPreferredSchedulingTerms([]PreferredSchedulingTerm{
		{Weight: 10, Preference: naExprTerm(naReq("cpu", NodeSelectorOpGt, "8"))},
		{Weight: 20, Preference: naExprTerm(naReq("gen", NodeSelectorOpLt, "8"))},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(30), p.Score("node-7", labels))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = p.Score("node-7", naBenchLabels) }))

	r := NewRequiredNodeAffinity(map[string]string{"kubernetes.io/arch": "amd64"},
		&NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: naSel(naExprTerm(naReq("cpu", NodeSelectorOpGt, "8")))})
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = r.Match("node-7", naBenchLabels) }))
}

func BenchmarkNodeSelectorMatch(b *testing.B) {
	m := naBenchMatcher(b)
	labels := map[string]string{}
	for k, v := range naBenchLabels {
		labels[k] = v
	}
	labels["gen"] = "5"
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if !m.Match("node-7", labels) {
			b.Fatal("expected match")
		}
	}
}
