package model

import "fmt"

// NodeSelectorOperator relates a node selector requirement's key to its
// values (upstream: k8s.io/api/core/v1/types.go).
type NodeSelectorOperator string

// Node selector operators (upstream: k8s.io/api/core/v1/types.go).
const (
	// NodeSelectorOpIn matches when the label is present with a value in Values.
	NodeSelectorOpIn NodeSelectorOperator = "In"
	// NodeSelectorOpNotIn matches when the label is absent or its value is not in Values.
	NodeSelectorOpNotIn NodeSelectorOperator = "NotIn"
	// NodeSelectorOpExists matches when the label key is present.
	NodeSelectorOpExists NodeSelectorOperator = "Exists"
	// NodeSelectorOpDoesNotExist matches when the label key is absent.
	NodeSelectorOpDoesNotExist NodeSelectorOperator = "DoesNotExist"
	// NodeSelectorOpGt matches when the label value, as an int64, is greater
	// than the single integer in Values.
	NodeSelectorOpGt NodeSelectorOperator = "Gt"
	// NodeSelectorOpLt matches when the label value, as an int64, is less
	// than the single integer in Values.
	NodeSelectorOpLt NodeSelectorOperator = "Lt"
)

// NodeFieldSelectorKeyNodeName is the only node field a NodeSelectorTerm's
// MatchFields can usefully refer to: the node's name (upstream:
// metav1.ObjectNameField; nodeaffinity.go extractNodeFields).
const NodeFieldSelectorKeyNodeName = "metadata.name"

// NodeSelector is a union (OR) of node selector terms; an empty term list
// matches nothing (upstream: k8s.io/api/core/v1/types.go).
type NodeSelector struct {
	// NodeSelectorTerms are ORed.
	NodeSelectorTerms []NodeSelectorTerm `yaml:"nodeSelectorTerms,omitempty"`
}

// NodeSelectorTerm ANDs label requirements (MatchExpressions) and field
// requirements (MatchFields); a term with neither matches nothing
// (upstream: k8s.io/api/core/v1/types.go).
type NodeSelectorTerm struct {
	// MatchExpressions are requirements on node labels.
	MatchExpressions []NodeSelectorRequirement `yaml:"matchExpressions,omitempty"`
	// MatchFields are requirements on node fields (only metadata.name).
	MatchFields []NodeSelectorRequirement `yaml:"matchFields,omitempty"`
}

// NodeSelectorRequirement relates a key to values with an operator
// (upstream: k8s.io/api/core/v1/types.go).
type NodeSelectorRequirement struct {
	// Key is the label key (or field name for MatchFields).
	Key string `yaml:"key,omitempty"`
	// Operator is In, NotIn, Exists, DoesNotExist, Gt or Lt.
	Operator NodeSelectorOperator `yaml:"operator,omitempty"`
	// Values: >=1 for In/NotIn, none for Exists/DoesNotExist, exactly one
	// integer for Gt/Lt.
	Values []string `yaml:"values,omitempty"`
}

// PreferredSchedulingTerm is a weighted node selector term used for scoring
// (upstream: k8s.io/api/core/v1/types.go).
type PreferredSchedulingTerm struct {
	// Weight (1-100) added to a node's score when Preference matches.
	Weight int32 `yaml:"weight,omitempty"`
	// Preference is the term a node must match to earn Weight.
	Preference NodeSelectorTerm `yaml:"preference,omitempty"`
}

// NodeAffinity holds a pod's node affinity rules (upstream: k8s.io/api/core/v1/types.go).
type NodeAffinity struct {
	// RequiredDuringSchedulingIgnoredDuringExecution must be met for the pod
	// to be scheduled onto a node; nil means no requirement.
	RequiredDuringSchedulingIgnoredDuringExecution *NodeSelector `yaml:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	// PreferredDuringSchedulingIgnoredDuringExecution adds weights to nodes
	// matching the terms.
	PreferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm `yaml:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// naFieldReq is a compiled MatchFields requirement (upstream uses
// fields.OneTermEqualSelector / OneTermNotEqualSelector).
type naFieldReq struct {
	key   string
	value string
	notIn bool
}

// naTerm is a compiled NodeSelectorTerm (upstream nodeSelectorTerm in
// component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go).
type naTerm struct {
	labels    Selector
	hasLabels bool
	fields    []naFieldReq
	hasFields bool
}

// match mirrors upstream nodeSelectorTerm.match: label requirements must all
// hold; field requirements are only evaluated when the node has a name
// (upstream skips matchFields when the node's field set is empty). A field
// key other than metadata.name reads as "" (upstream fields.Set.Get).
func (t *naTerm) match(nodeName string, labels map[string]string) bool {
	if t.hasLabels && !t.labels.Matches(labels) {
		return false
	}
	if t.hasFields && nodeName != "" {
		for i := range t.fields {
			f := &t.fields[i]
			v := ""
			if f.key == NodeFieldSelectorKeyNodeName {
				v = nodeName
			}
			if (v == f.value) == f.notIn {
				return false
			}
		}
	}
	return true
}

func naIsEmptyTerm(term *NodeSelectorTerm) bool {
	return len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0
}

var (
	naValidOperators      = []NodeSelectorOperator{NodeSelectorOpIn, NodeSelectorOpNotIn, NodeSelectorOpExists, NodeSelectorOpDoesNotExist, NodeSelectorOpGt, NodeSelectorOpLt}
	naValidFieldOperators = []NodeSelectorOperator{NodeSelectorOpIn, NodeSelectorOpNotIn}
)

// naCompileTerm mirrors upstream newNodeSelectorTerm together with
// nodeSelectorRequirementsAsSelector and nodeSelectorRequirementsAsFieldSelector:
// label requirements are validated like labels.NewRequirement, field
// requirements must use In/NotIn with exactly one value. All errors of the
// term are returned.
func naCompileTerm(term *NodeSelectorTerm, path string) (naTerm, []error) {
	var t naTerm
	var errs []error
	if len(term.MatchExpressions) != 0 {
		t.hasLabels = true
		reqs := make([]selRequirement, 0, len(term.MatchExpressions))
		for i := range term.MatchExpressions {
			expr := &term.MatchExpressions[i]
			p := fmt.Sprintf("%smatchExpressions[%d].", path, i)
			var op selOp
			switch expr.Operator {
			case NodeSelectorOpIn:
				op = selOpIn
			case NodeSelectorOpNotIn:
				op = selOpNotIn
			case NodeSelectorOpExists:
				op = selOpExists
			case NodeSelectorOpDoesNotExist:
				op = selOpDoesNotExist
			case NodeSelectorOpGt:
				op = selOpGt
			case NodeSelectorOpLt:
				op = selOpLt
			default:
				errs = append(errs, selNotSupported(p+"operator", expr.Operator, naValidOperators))
				continue
			}
			r, rErrs := newSelRequirement(expr.Key, op, expr.Values, p)
			if len(rErrs) != 0 {
				errs = append(errs, rErrs...)
				continue
			}
			reqs = append(reqs, r)
		}
		selSortByKey(reqs)
		t.labels = Selector{reqs: reqs}
	}
	if len(term.MatchFields) != 0 {
		t.hasFields = true
		t.fields = make([]naFieldReq, 0, len(term.MatchFields))
		for i := range term.MatchFields {
			expr := &term.MatchFields[i]
			p := fmt.Sprintf("%smatchFields[%d].", path, i)
			switch expr.Operator {
			case NodeSelectorOpIn, NodeSelectorOpNotIn:
				if len(expr.Values) != 1 {
					errs = append(errs, selInvalid(p+"values", expr.Values, "must have one element"))
					continue
				}
				t.fields = append(t.fields, naFieldReq{key: expr.Key, value: expr.Values[0], notIn: expr.Operator == NodeSelectorOpNotIn})
			default:
				errs = append(errs, selNotSupported(p+"operator", expr.Operator, naValidFieldOperators))
			}
		}
	}
	return t, errs
}

// NodeSelectorMatcher is a compiled NodeSelector (upstream:
// nodeaffinity.NodeSelector / LazyErrorNodeSelector in
// component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go).
// Terms are ORed, requirements within a term ANDed; terms with neither
// expressions nor fields are dropped (they match nothing), so an empty term
// list matches nothing.
//
// Error behaviour: every term is compiled and all parse errors are collected.
// A term with any error never matches, while valid terms still can — this is
// upstream's LazyErrorNodeSelector, which the scheduler uses for a pod's
// required node affinity. Callers wanting upstream's strict NewNodeSelector
// treat a non-nil error from NewNodeSelectorMatcher as fatal; callers wanting
// the lazy behaviour use MatchWithError, which reports the errors only when no
// term matched. Match and MatchWithError never allocate.
type NodeSelectorMatcher struct {
	terms []naTerm
	err   error
}

// NewNodeSelectorMatcher compiles ns. It always returns a usable matcher; the
// error aggregates the parse errors of all invalid terms (which never match).
// A nil ns yields a matcher that matches nothing.
func NewNodeSelectorMatcher(ns *NodeSelector) (*NodeSelectorMatcher, error) {
	m := &NodeSelectorMatcher{}
	if ns == nil {
		return m, nil
	}
	var errs []error
	m.terms = make([]naTerm, 0, len(ns.NodeSelectorTerms))
	for i := range ns.NodeSelectorTerms {
		term := &ns.NodeSelectorTerms[i]
		if naIsEmptyTerm(term) {
			continue
		}
		t, tErrs := naCompileTerm(term, fmt.Sprintf("nodeSelectorTerms[%d].", i))
		if len(tErrs) != 0 {
			errs = append(errs, tErrs...)
			continue // an invalid term never matches
		}
		m.terms = append(m.terms, t)
	}
	m.err = selAggregate(errs)
	return m, m.err
}

// Match reports whether a node with this name and labels satisfies any valid
// term (upstream NodeSelector.Match). A nil matcher matches nothing.
func (m *NodeSelectorMatcher) Match(nodeName string, nodeLabels map[string]string) bool {
	if m == nil {
		return false
	}
	for i := range m.terms {
		if m.terms[i].match(nodeName, nodeLabels) {
			return true
		}
	}
	return false
}

// MatchWithError is upstream LazyErrorNodeSelector.Match: (true, nil) when a
// valid term matches, otherwise false plus the compile errors (nil if none).
func (m *NodeSelectorMatcher) MatchWithError(nodeName string, nodeLabels map[string]string) (bool, error) {
	if m.Match(nodeName, nodeLabels) {
		return true, nil
	}
	if m == nil {
		return false, nil
	}
	return false, m.err
}

// Err returns the aggregated compile errors (nil if every term was valid).
func (m *NodeSelectorMatcher) Err() error {
	if m == nil {
		return nil
	}
	return m.err
}

// PreferredSchedulingTerms is a compiled []PreferredSchedulingTerm (upstream:
// nodeaffinity.PreferredSchedulingTerms in
// component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go).
type PreferredSchedulingTerms struct {
	terms   []naTerm
	weights []int64
}

// NewPreferredSchedulingTerms compiles terms. As upstream, terms with weight 0
// or an empty preference are skipped without being parsed, and any parse
// error of the remaining terms makes it return nil and the aggregated errors.
func NewPreferredSchedulingTerms(terms []PreferredSchedulingTerm) (*PreferredSchedulingTerms, error) {
	p := &PreferredSchedulingTerms{}
	var errs []error
	for i := range terms {
		term := &terms[i]
		if term.Weight == 0 || naIsEmptyTerm(&term.Preference) {
			continue
		}
		t, tErrs := naCompileTerm(&term.Preference, fmt.Sprintf("[%d].preference.", i))
		if len(tErrs) != 0 {
			errs = append(errs, tErrs...)
			continue
		}
		p.terms = append(p.terms, t)
		p.weights = append(p.weights, int64(term.Weight))
	}
	if len(errs) != 0 {
		return nil, selAggregate(errs)
	}
	return p, nil
}

// Score returns the sum of the weights of the terms the node matches
// (upstream PreferredSchedulingTerms.Score). A nil receiver scores 0. It never
// allocates.
func (p *PreferredSchedulingTerms) Score(nodeName string, labels map[string]string) int64 {
	if p == nil {
		return 0
	}
	var score int64
	for i := range p.terms {
		if p.terms[i].match(nodeName, labels) {
			score += p.weights[i]
		}
	}
	return score
}

// RequiredNodeAffinity is the compiled pod.spec.nodeSelector plus
// pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
// (upstream: nodeaffinity.RequiredNodeAffinity / GetRequiredNodeAffinity).
// Compile it once per pod; Match never allocates.
type RequiredNodeAffinity struct {
	labelSelector Selector
	nodeSelector  *NodeSelectorMatcher
}

// NewRequiredNodeAffinity compiles a pod's nodeSelector (equality on every
// key, no validation, as labels.SelectorFromSet) and required node affinity
// (lazy errors, as upstream GetRequiredNodeAffinity). A nil affinity or nil
// required selector imposes no constraint.
func NewRequiredNodeAffinity(nodeSelector map[string]string, affinity *NodeAffinity) RequiredNodeAffinity {
	r := RequiredNodeAffinity{labelSelector: SelectorFromSet(nodeSelector)}
	if affinity != nil && affinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		r.nodeSelector, _ = NewNodeSelectorMatcher(affinity.RequiredDuringSchedulingIgnoredDuringExecution) // errors surface lazily in Match
	}
	return r
}

// Match reports whether the node satisfies both the nodeSelector and the
// required node affinity (upstream RequiredNodeAffinity.Match). The error is
// non-nil only when the affinity had invalid terms and no valid term matched.
func (r RequiredNodeAffinity) Match(nodeName string, nodeLabels map[string]string) (bool, error) {
	if !r.labelSelector.Matches(nodeLabels) {
		return false, nil
	}
	if r.nodeSelector != nil {
		return r.nodeSelector.MatchWithError(nodeName, nodeLabels)
	}
	return true, nil
}

// RequiredNodeAffinityMatches is the one-shot form of
// NewRequiredNodeAffinity(...).Match(...): pod.spec.nodeSelector (all
// key=value pairs equal) AND the required node affinity terms (upstream
// GetRequiredNodeAffinity(pod).Match(node)). It compiles on every call; use
// RequiredNodeAffinity on hot paths.
func RequiredNodeAffinityMatches(nodeSelector map[string]string, affinity *NodeAffinity, nodeName string, nodeLabels map[string]string) (bool, error) {
	return NewRequiredNodeAffinity(nodeSelector, affinity).Match(nodeName, nodeLabels)
}
