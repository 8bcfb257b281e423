package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// LabelSelectorOperator is the set of operators usable in a
// LabelSelectorRequirement (upstream: k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
type LabelSelectorOperator string

// Label selector operators (upstream: k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
const (
	// LabelSelectorOpIn matches when the label is present and its value is in Values.
	LabelSelectorOpIn LabelSelectorOperator = "In"
	// LabelSelectorOpNotIn matches when the label is absent or its value is not in Values.
	LabelSelectorOpNotIn LabelSelectorOperator = "NotIn"
	// LabelSelectorOpExists matches when the label key is present.
	LabelSelectorOpExists LabelSelectorOperator = "Exists"
	// LabelSelectorOpDoesNotExist matches when the label key is absent.
	LabelSelectorOpDoesNotExist LabelSelectorOperator = "DoesNotExist"
)

// LabelSelector is the API form of a label query: MatchLabels and
// MatchExpressions are ANDed. A nil *LabelSelector selects nothing, an empty
// one selects everything (upstream: k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
type LabelSelector struct {
	// MatchLabels is a map of {key,value} pairs; each is equivalent to an
	// "In" requirement with a single value.
	MatchLabels map[string]string `yaml:"matchLabels,omitempty"`
	// MatchExpressions is a list of label selector requirements.
	MatchExpressions []LabelSelectorRequirement `yaml:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement is a selector that relates a key to a set of values
// (upstream: k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
type LabelSelectorRequirement struct {
	// Key is the label key the selector applies to.
	Key string `yaml:"key,omitempty"`
	// Operator is one of In, NotIn, Exists, DoesNotExist.
	Operator LabelSelectorOperator `yaml:"operator,omitempty"`
	// Values must be non-empty for In/NotIn and empty for Exists/DoesNotExist.
	Values []string `yaml:"values,omitempty"`
}

// selOp is the internal operator of a compiled requirement
// (upstream: k8s.io/apimachinery/pkg/selection/operator.go).
type selOp uint8

const (
	selOpEquals selOp = iota + 1
	selOpIn
	selOpNotIn
	selOpExists
	selOpDoesNotExist
	selOpGt
	selOpLt
)

// selRequirement is one compiled requirement (upstream labels.Requirement).
type selRequirement struct {
	key    string
	op     selOp
	values []string
	num    int64 // operand of Gt/Lt, parsed once at compile time
}

// hasValue reports whether v is one of r.values (linear scan, as upstream;
// value lists are short and this never allocates).
func (r *selRequirement) hasValue(v string) bool {
	for i := range r.values {
		if r.values[i] == v {
			return true
		}
	}
	return false
}

// matches implements upstream labels.Requirement.Matches
// (k8s.io/apimachinery/pkg/labels/selector.go).
func (r *selRequirement) matches(labels map[string]string) bool {
	switch r.op {
	case selOpEquals, selOpIn:
		v, ok := labels[r.key]
		return ok && r.hasValue(v)
	case selOpNotIn:
		v, ok := labels[r.key]
		return !ok || !r.hasValue(v)
	case selOpExists:
		_, ok := labels[r.key]
		return ok
	case selOpDoesNotExist:
		_, ok := labels[r.key]
		return !ok
	case selOpGt, selOpLt:
		v, ok := labels[r.key]
		if !ok {
			return false
		}
		n, ok := selParseInt64(v)
		if !ok {
			return false
		}
		if r.op == selOpGt {
			return n > r.num
		}
		return n < r.num
	}
	return false
}

// writeString renders the requirement in upstream Requirement.String form.
func (r *selRequirement) writeString(sb *strings.Builder) {
	if r.op == selOpDoesNotExist {
		sb.WriteByte('!')
	}
	sb.WriteString(r.key)
	switch r.op {
	case selOpExists, selOpDoesNotExist:
		return
	case selOpEquals:
		sb.WriteByte('=')
	case selOpIn:
		sb.WriteString(" in ")
	case selOpNotIn:
		sb.WriteString(" notin ")
	case selOpGt:
		sb.WriteByte('>')
	case selOpLt:
		sb.WriteByte('<')
	}
	paren := r.op == selOpIn || r.op == selOpNotIn
	if paren {
		sb.WriteByte('(')
	}
	vals := r.values
	if !sort.StringsAreSorted(vals) {
		vals = append([]string(nil), vals...)
		sort.Strings(vals)
	}
	sb.WriteString(strings.Join(vals, ","))
	if paren {
		sb.WriteByte(')')
	}
}

// newSelRequirement validates and builds a requirement like upstream
// labels.NewRequirement (k8s.io/apimachinery/pkg/labels/selector.go): the key
// must be a qualified name, In/NotIn need >=1 value, Equals exactly one,
// Exists/DoesNotExist none, Gt/Lt exactly one integer, and every value must be
// a valid label value. All problems of the requirement are reported together.
func newSelRequirement(key string, op selOp, vals []string, path string) (selRequirement, []error) {
	var errs []error
	if msgs := selLabelKeyErrs(key); len(msgs) != 0 {
		errs = append(errs, selInvalid(path+"key", key, strings.Join(msgs, "; ")))
	}
	var num int64
	switch op {
	case selOpIn, selOpNotIn:
		if len(vals) == 0 {
			errs = append(errs, selInvalid(path+"values", vals, "for 'in', 'notin' operators, values set can't be empty"))
		}
	case selOpEquals:
		if len(vals) != 1 {
			errs = append(errs, selInvalid(path+"values", vals, "exact-match compatibility requires one single value"))
		}
	case selOpExists, selOpDoesNotExist:
		if len(vals) != 0 {
			errs = append(errs, selInvalid(path+"values", vals, "values set must be empty for exists and does not exist"))
		}
	case selOpGt, selOpLt:
		if len(vals) != 1 {
			errs = append(errs, selInvalid(path+"values", vals, "for 'Gt', 'Lt' operators, exactly one value is required"))
		}
		for i, v := range vals {
			n, ok := selParseInt64(v)
			if !ok {
				errs = append(errs, selInvalid(fmt.Sprintf("%svalues[%d]", path, i), v, "for 'Gt', 'Lt' operators, the value must be an integer"))
			}
			num = n
		}
	}
	for i, v := range vals {
		if msgs := selLabelValueErrs(v); len(msgs) != 0 {
			errs = append(errs, selInvalid(fmt.Sprintf("%svalues[%d]", path, i), v, strings.Join(msgs, "; ")))
		}
	}
	return selRequirement{key: key, op: op, values: append([]string(nil), vals...), num: num}, errs
}

// Selector is a compiled, immutable label selector (upstream:
// labels.Selector in k8s.io/apimachinery/pkg/labels/selector.go). Its
// requirements are ANDed and kept stably sorted by key, so String is
// deterministic. The zero value matches everything (labels.Everything()); a
// selector built from a nil *LabelSelector matches nothing (labels.Nothing()).
// Matches never allocates.
type Selector struct {
	reqs    []selRequirement
	nothing bool
}

// Matches reports whether labels satisfy every requirement
// (upstream internalSelector.Matches). It performs only map lookups and never
// allocates, so it is safe on the scheduler's pod × node hot path.
func (s Selector) Matches(labels map[string]string) bool {
	if s.nothing {
		return false
	}
	for i := range s.reqs {
		if !s.reqs[i].matches(labels) {
			return false
		}
	}
	return true
}

// Empty reports whether the selector does not restrict the selection space,
// i.e. it matches everything (upstream internalSelector.Empty; the "nothing"
// selector is not empty, as upstream nothingSelector.Empty).
func (s Selector) Empty() bool {
	return !s.nothing && len(s.reqs) == 0
}

// MatchesNothing reports whether this is the selector built from a nil
// *LabelSelector (upstream labels.MatchesNothing).
func (s Selector) MatchesNothing() bool {
	return s.nothing
}

// String renders the selector in upstream's format, e.g.
// "app=web,tier in (a,b),!x" (requirements sorted by key, values sorted).
// The nothing selector renders as "" (upstream nothingSelector.String).
func (s Selector) String() string {
	if s.nothing {
		return ""
	}
	var sb strings.Builder
	for i := range s.reqs {
		if i > 0 {
			sb.WriteByte(',')
		}
		s.reqs[i].writeString(&sb)
	}
	return sb.String()
}

func selSortByKey(reqs []selRequirement) {
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].key < reqs[j].key })
}

// LabelSelectorAsSelector compiles the API LabelSelector into a Selector
// (upstream: LabelSelectorAsSelector in k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go).
// A nil selector matches nothing; a non-nil selector without labels or
// expressions matches everything. MatchLabels become equality requirements
// (keys visited in sorted order, so the result is deterministic). On error a
// selector that matches nothing is returned (fail closed) together with the
// error of the first offending requirement, as upstream stops at the first one.
func LabelSelectorAsSelector(ls *LabelSelector) (Selector, error) {
	if ls == nil {
		return Selector{nothing: true}, nil
	}
	if len(ls.MatchLabels)+len(ls.MatchExpressions) == 0 {
		return Selector{}, nil
	}
	reqs := make([]selRequirement, 0, len(ls.MatchLabels)+len(ls.MatchExpressions))
	keys := make([]string, 0, len(ls.MatchLabels))
	for k := range ls.MatchLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r, errs := newSelRequirement(k, selOpEquals, []string{ls.MatchLabels[k]}, "matchLabels["+strconv.Quote(k)+"].")
		if len(errs) != 0 {
			return Selector{nothing: true}, selAggregate(errs)
		}
		reqs = append(reqs, r)
	}
	for i, expr := range ls.MatchExpressions {
		var op selOp
		switch expr.Operator {
		case LabelSelectorOpIn:
			op = selOpIn
		case LabelSelectorOpNotIn:
			op = selOpNotIn
		case LabelSelectorOpExists:
			op = selOpExists
		case LabelSelectorOpDoesNotExist:
			op = selOpDoesNotExist
		default:
			return Selector{nothing: true}, fmt.Errorf("matchExpressions[%d].operator: %q is not a valid label selector operator", i, expr.Operator)
		}
		r, errs := newSelRequirement(expr.Key, op, expr.Values, fmt.Sprintf("matchExpressions[%d].", i))
		if len(errs) != 0 {
			return Selector{nothing: true}, selAggregate(errs)
		}
		reqs = append(reqs, r)
	}
	selSortByKey(reqs)
	return Selector{reqs: reqs}, nil
}

// LabelSelectorMatches compiles ls and matches it against labels in one call
// (nil selector -> false, empty selector -> true). It allocates; compile once
// with LabelSelectorAsSelector on hot paths.
func LabelSelectorMatches(ls *LabelSelector, labels map[string]string) (bool, error) {
	s, err := LabelSelectorAsSelector(ls)
	if err != nil {
		return false, err
	}
	return s.Matches(labels), nil
}

// SelectorFromSet returns a Selector requiring every key=value pair of set
// (upstream: labels.SelectorFromSet in k8s.io/apimachinery/pkg/labels/selector.go).
// Like upstream it performs no validation; a nil or empty set matches
// everything. Requirements are sorted by key.
func SelectorFromSet(set map[string]string) Selector {
	if len(set) == 0 {
		return Selector{}
	}
	reqs := make([]selRequirement, 0, len(set))
	for k, v := range set {
		reqs = append(reqs, selRequirement{key: k, op: selOpEquals, values: []string{v}})
	}
	selSortByKey(reqs) // keys are unique, so the order is total
	return Selector{reqs: reqs}
}

// ValidateLabelKey checks that key is a qualified name: an optional DNS-1123
// subdomain prefix (<=253 chars) and '/', then a name of 1-63 characters
// matching ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
// (upstream: IsQualifiedName/IsLabelKey in k8s.io/apimachinery/pkg/util/validation
// and pkg/api/validate/content/kube.go).
func ValidateLabelKey(key string) error {
	if msgs := selLabelKeyErrs(key); len(msgs) != 0 {
		return fmt.Errorf("invalid label key %q: %s", key, strings.Join(msgs, "; "))
	}
	return nil
}

// ValidateLabelValue checks that value is empty or at most 63 characters
// matching ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
// (upstream: IsValidLabelValue in k8s.io/apimachinery/pkg/util/validation).
func ValidateLabelValue(value string) error {
	if msgs := selLabelValueErrs(value); len(msgs) != 0 {
		return fmt.Errorf("invalid label value %q: %s", value, strings.Join(msgs, "; "))
	}
	return nil
}

// --- validation helpers (upstream k8s.io/apimachinery/pkg/api/validate/content) ---

const (
	selLabelKeyFmt    = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	selLabelKeyErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	selLabelValueFmt  = "(" + selLabelKeyFmt + ")?"
	selLabelValueMsg  = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	selDNS1123LblFmt  = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
	selDNS1123SubFmt  = selDNS1123LblFmt + "(\\." + selDNS1123LblFmt + ")*"
	selDNS1123SubMsg  = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
	selNameMaxLen     = 63
	selSubdomainMax   = 253
)

func selRegexError(msg, re string, examples ...string) string {
	msg += " (e.g. "
	for i, e := range examples {
		if i > 0 {
			msg += " or "
		}
		msg += "'" + e + "', "
	}
	return msg + "regex used for validation is '" + re + "')"
}

func selMaxLenError(n int) string { return fmt.Sprintf("must be no more than %d bytes", n) }

func selIsAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// selIsLabelName reports whether s matches ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$.
func selIsLabelName(s string) bool {
	if s == "" || !selIsAlnum(s[0]) || !selIsAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		if !selIsAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// selIsDNS1123Subdomain reports whether s matches the lowercase RFC 1123
// subdomain regex (length is checked separately, as upstream).
func selIsDNS1123Subdomain(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			lowerAlnum := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
			if !lowerAlnum && (c != '-' || i == 0 || i == len(part)-1) {
				return false
			}
		}
	}
	return true
}

// selLabelKeyErrs mirrors upstream content.IsLabelKey.
func selLabelKeyErrs(value string) []string {
	var errs []string
	parts := strings.Split(value, "/")
	var name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		prefix := parts[0]
		name = parts[1]
		if prefix == "" {
			errs = append(errs, "prefix part must be non-empty")
		} else {
			if len(prefix) > selSubdomainMax {
				errs = append(errs, "prefix part "+selMaxLenError(selSubdomainMax))
			}
			if !selIsDNS1123Subdomain(prefix) {
				errs = append(errs, "prefix part "+selRegexError(selDNS1123SubMsg, selDNS1123SubFmt, "example.com"))
			}
		}
	default:
		return append(errs, "a valid label key "+selRegexError(selLabelKeyErrMsg, selLabelKeyFmt, "MyName", "my.name", "123-abc")+
			" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")
	}
	if name == "" {
		errs = append(errs, "name part must be non-empty")
	} else if len(name) > selNameMaxLen {
		errs = append(errs, "name part "+selMaxLenError(selNameMaxLen))
	}
	if !selIsLabelName(name) {
		errs = append(errs, "name part "+selRegexError(selLabelKeyErrMsg, selLabelKeyFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

// selLabelValueErrs mirrors upstream content.IsLabelValue.
func selLabelValueErrs(value string) []string {
	var errs []string
	if len(value) > selNameMaxLen {
		errs = append(errs, selMaxLenError(selNameMaxLen))
	}
	if value != "" && !selIsLabelName(value) {
		errs = append(errs, selRegexError(selLabelValueMsg, selLabelValueFmt, "MyValue", "my_value", "12345"))
	}
	return errs
}

// selParseInt64 behaves like strconv.ParseInt(s, 10, 64) (optional sign,
// decimal digits, leading zeros allowed, int64 range) but never allocates,
// which matters because non-numeric label values are common on the hot path.
func selParseInt64(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	switch s[0] {
	case '+':
		s = s[1:]
	case '-':
		neg = true
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	limit := uint64(1<<63 - 1)
	if neg {
		limit = 1 << 63
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (limit-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		return int64(-n), true // n <= 1<<63, so this wraps to the exact negative value
	}
	return int64(n), true
}

// selIsDecimalInteger mirrors upstream content.IsDecimalInteger: "0" or an
// optional '-' followed by a non-zero digit and more digits (no '+', no
// leading zeros).
func selIsDecimalInteger(s string) bool {
	i := 0
	if s != "" && s[0] == '-' {
		i = 1
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		return s == "0"
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// --- error helpers (format modelled on k8s.io/apimachinery/pkg/util/validation/field) ---

func selFormatValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%#v", v)
}

func selInvalid(path string, value any, detail string) error {
	return fmt.Errorf("%s: Invalid value: %s: %s", path, selFormatValue(value), detail)
}

func selRequired(path, detail string) error {
	if detail == "" {
		return fmt.Errorf("%s: Required value", path)
	}
	return fmt.Errorf("%s: Required value: %s", path, detail)
}

func selNotSupported[T ~string](path string, value T, valid []T) error {
	quoted := make([]string, len(valid))
	for i, v := range valid {
		quoted[i] = strconv.Quote(string(v))
	}
	return fmt.Errorf("%s: Unsupported value: %q: supported values: %s", path, string(value), strings.Join(quoted, ", "))
}

// selAggregateError is a list of errors rendered like upstream
// utilerrors.Aggregate: a single error prints as itself, several as "[a, b]".
type selAggregateError []error

// Error renders one error as itself and several as "[a, b]".
func (a selAggregateError) Error() string {
	if len(a) == 1 {
		return a[0].Error()
	}
	msgs := make([]string, len(a))
	for i, e := range a {
		msgs[i] = e.Error()
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}

// Unwrap exposes the individual errors to errors.Is / errors.As.
func (a selAggregateError) Unwrap() []error { return a }

func selAggregate(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return selAggregateError(append([]error(nil), errs...))
}
