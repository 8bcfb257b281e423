package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/sim"
)

// Assertion is one parsed spec.assert entry: a path into summary.json, an
// operator and a number (durations are converted to seconds).
type Assertion struct {
	Expr string
	// Path is the JSON field path, aliases expanded.
	Path []string
	Op   string
	Want float64
}

// AssertionResult is an assertion's outcome in summary.json. Value is nil
// when the figure does not exist in this run (the scheduler was disabled):
// such an assertion fails.
type AssertionResult struct {
	Expr  string   `json:"expr"`
	Value *float64 `json:"value"`
	OK    bool     `json:"ok"`
}

// assertAliases are friendly names for summary paths.
var assertAliases = map[string]string{
	"podStartupLatency": "pods.startupLatency",
	"schedulingLatency": "pods.schedulingLatency",
	"pendingPods":       "pods.unscheduledAtEnd",
}

var assertRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_./-]*)\s*(<=|>=|==|!=|<|>|=)?\s*(.*?)\s*$`)

// ParseAssertion parses "PATH OP VALUE", checking the path against the
// Summary type.
func ParseAssertion(expr string) (Assertion, error) {
	m := assertRE.FindStringSubmatch(expr)
	if m == nil {
		return Assertion{}, fmt.Errorf("expected PATH OP VALUE such as \"podStartupLatency.p99 < 5s\", got %q", expr)
	}
	a := Assertion{Expr: strings.TrimSpace(expr), Op: m[2]}
	switch a.Op {
	case "":
		return a, fmt.Errorf("missing operator in %q: use one of < <= > >= == !=", expr)
	case "=":
		return a, fmt.Errorf("unknown operator \"=\" in %q: use ==", expr)
	}
	if m[3] == "" {
		return a, fmt.Errorf("missing value after %s in %q", a.Op, expr)
	}
	v, err := strconv.ParseFloat(m[3], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		d, derr := manifest.ParseDuration(m[3])
		if derr != nil {
			return a, fmt.Errorf("value %q is neither a number nor a duration", m[3])
		}
		v = d.Seconds()
	}
	a.Want = v
	p := m[1]
	if first, rest, _ := strings.Cut(p, "."); assertAliases[first] != "" {
		p = assertAliases[first]
		if rest != "" {
			p += "." + rest
		}
	}
	a.Path = strings.Split(p, ".")
	if _, err := assertValue(reflect.ValueOf(Summary{}), a.Path, true); err != nil {
		return a, err
	}
	return a, nil
}

// jsonName is a struct field's JSON name, or "" when it has none.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// assertValue follows path from v. With check only the types are walked
// (for load-time validation). A nil pointer on the way gives nil, no error.
func assertValue(v reflect.Value, path []string, check bool) (*float64, error) {
	t := v.Type()
	deref := func() bool {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
			if !check {
				if v.IsNil() {
					return false
				}
				v = v.Elem()
			}
		}
		return true
	}
	for i, seg := range path {
		if !deref() {
			return nil, nil
		}
		where := strings.Join(path[:i], ".")
		if where == "" {
			where = "the summary"
		}
		switch t.Kind() {
		case reflect.Struct:
			var names []string
			found := false
			for j := 0; j < t.NumField(); j++ {
				f := t.Field(j)
				name := jsonName(f)
				if name == "" || !isAssertable(f.Type) {
					continue
				}
				if name == seg {
					t = f.Type
					if !check {
						v = v.Field(j)
					}
					found = true
					break
				}
				names = append(names, name)
			}
			if !found {
				return nil, fmt.Errorf("unknown field %q in %s (fields: %s)", seg, where, strings.Join(names, ", "))
			}
		case reflect.Map:
			if t.Key().Kind() != reflect.String {
				return nil, fmt.Errorf("%s cannot be asserted on", where)
			}
			t = t.Elem()
			if !check {
				e := v.MapIndex(reflect.ValueOf(seg).Convert(v.Type().Key()))
				if !e.IsValid() {
					e = reflect.Zero(t)
				}
				v = e
			}
		default:
			return nil, fmt.Errorf("%s is a number and has no field %q", where, seg)
		}
	}
	if !deref() {
		return nil, nil
	}
	full := strings.Join(path, ".")
	var f float64
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !check {
			f = float64(v.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !check {
			f = float64(v.Uint())
		}
	case reflect.Float32, reflect.Float64:
		if !check {
			f = v.Float()
		}
	case reflect.Struct:
		var names []string
		for j := 0; j < t.NumField(); j++ {
			if n := jsonName(t.Field(j)); n != "" && isAssertable(t.Field(j).Type) {
				names = append(names, n)
			}
		}
		return nil, fmt.Errorf("%s is an object: name one of its fields (%s)", full, strings.Join(names, ", "))
	case reflect.Map:
		return nil, fmt.Errorf("%s is a map: name a key, e.g. %s.KEY", full, full)
	default:
		return nil, fmt.Errorf("%s is not a number", full)
	}
	return &f, nil
}

// isAssertable reports whether a path may go through or end at t.
func isAssertable(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	case reflect.Map:
		return t.Key().Kind() == reflect.String && isAssertable(t.Elem())
	}
	return false
}

// Eval evaluates the assertion against a summary.
func (a *Assertion) Eval(s *Summary) AssertionResult {
	res := AssertionResult{Expr: a.Expr}
	v, err := assertValue(reflect.ValueOf(s).Elem(), a.Path, false)
	if err != nil || v == nil {
		return res
	}
	res.Value = v
	x, y := *v, a.Want
	switch a.Op {
	case "<":
		res.OK = x < y
	case "<=":
		res.OK = x <= y
	case ">":
		res.OK = x > y
	case ">=":
		res.OK = x >= y
	case "==":
		res.OK = x == y
	case "!=":
		res.OK = x != y
	}
	return res
}

// validateAssert checks spec.assert at load time.
func (v *scenarioValidator) validateAssert(sc *Scenario) {
	for i, expr := range sc.Spec.Assert {
		if _, err := ParseAssertion(expr); err != nil {
			v.d.ErrorAt(fmt.Sprintf("spec.assert[%d]", i), "%v", err)
		}
	}
}

// evalAssertions evaluates spec.assert into the summary and records an
// AssertionFailed event for each failure (after RunFinished).
func (r *Run) evalAssertions() {
	s := &r.Summary
	s.Assertions = nil
	for _, expr := range r.Loaded.Scenario.Spec.Assert {
		a, err := ParseAssertion(expr)
		if err != nil {
			continue // rejected at load time
		}
		res := a.Eval(s)
		s.Assertions = append(s.Assertions, res)
		if res.OK {
			continue
		}
		r.Kernel.Journal().Record(sim.Event{T: r.Kernel.Now(), Kind: "AssertionFailed", Source: "kubesim",
			Object: r.Loaded.Scenario.Name(), Fields: []sim.Field{sim.F("expr", a.Expr),
				sim.F("value", FormatAssertionValue(res)), sim.F("want", a.Op+" "+strconv.FormatFloat(a.Want, 'g', -1, 64))}})
	}
}

// FailedAssertions counts the failed assertions of a summary.
func (s *Summary) FailedAssertions() int {
	n := 0
	for _, a := range s.Assertions {
		if !a.OK {
			n++
		}
	}
	return n
}

// FormatAssertionValue shows an assertion's value for tables and events.
func FormatAssertionValue(a AssertionResult) string {
	if a.Value == nil {
		return "unavailable"
	}
	return strconv.FormatFloat(*a.Value, 'g', -1, 64)
}
