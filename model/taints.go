package model

import (
	"fmt"
	"time"
)

// TaintEffect is the effect a taint has on pods that do not tolerate it
// (upstream: k8s.io/api/core/v1/types.go).
type TaintEffect string

// Taint effects (upstream: k8s.io/api/core/v1/types.go).
const (
	// TaintEffectNoSchedule forbids scheduling new non-tolerating pods onto
	// the node; running pods are left alone.
	TaintEffectNoSchedule TaintEffect = "NoSchedule"
	// TaintEffectPreferNoSchedule makes the scheduler try to avoid the node
	// for non-tolerating pods (a soft NoSchedule, used in scoring).
	TaintEffectPreferNoSchedule TaintEffect = "PreferNoSchedule"
	// TaintEffectNoExecute forbids scheduling and evicts running
	// non-tolerating pods (after tolerationSeconds for tolerating ones).
	TaintEffectNoExecute TaintEffect = "NoExecute"
)

// Well-known taint keys applied by the node lifecycle controller
// (upstream: k8s.io/api/core/v1/well_known_taints.go).
const (
	// TaintNodeNotReady is added while the node's Ready condition is False.
	TaintNodeNotReady = "node.kubernetes.io/not-ready"
	// TaintNodeUnreachable is added while the node's Ready condition is Unknown.
	TaintNodeUnreachable = "node.kubernetes.io/unreachable"
	// TaintNodeUnschedulable is added while node.spec.unschedulable is true.
	TaintNodeUnschedulable = "node.kubernetes.io/unschedulable"
	// TaintNodeMemoryPressure is added while the node reports memory pressure.
	TaintNodeMemoryPressure = "node.kubernetes.io/memory-pressure"
	// TaintNodeDiskPressure is added while the node reports disk pressure.
	TaintNodeDiskPressure = "node.kubernetes.io/disk-pressure"
	// TaintNodeNetworkUnavailable is added while the node's network is unavailable.
	TaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable"
	// TaintNodePIDPressure is added while the node reports PID pressure.
	TaintNodePIDPressure = "node.kubernetes.io/pid-pressure"
	// TaintNodeOutOfService may be added by an admin after a non-graceful node shutdown.
	TaintNodeOutOfService = "node.kubernetes.io/out-of-service"
)

// Taint is attached to a node and repels pods that do not tolerate it
// (upstream: k8s.io/api/core/v1/types.go).
type Taint struct {
	// Key is the taint key (a qualified name). Required.
	Key string `yaml:"key,omitempty"`
	// Value is the taint value (a label value). Optional.
	Value string `yaml:"value,omitempty"`
	// Effect is NoSchedule, PreferNoSchedule or NoExecute. Required.
	Effect TaintEffect `yaml:"effect,omitempty"`
	// TimeAdded is when a NoExecute taint was added (upstream *metav1.Time).
	TimeAdded *time.Time `yaml:"timeAdded,omitempty"`
}

// TolerationOperator relates a toleration's key to its value
// (upstream: k8s.io/api/core/v1/types.go).
type TolerationOperator string

// Toleration operators (upstream: k8s.io/api/core/v1/types.go).
const (
	// TolerationOpExists matches any value of the key (value must be empty).
	TolerationOpExists TolerationOperator = "Exists"
	// TolerationOpEqual matches when the values are equal; "" means Equal.
	TolerationOpEqual TolerationOperator = "Equal"
	// TolerationOpLt matches when taint value < toleration value, both
	// integers (alpha in 1.35, KEP-5471 TaintTolerationComparisonOperators).
	TolerationOpLt TolerationOperator = "Lt"
	// TolerationOpGt matches when taint value > toleration value, both
	// integers (alpha in 1.35, KEP-5471 TaintTolerationComparisonOperators).
	TolerationOpGt TolerationOperator = "Gt"
)

// Toleration lets a pod tolerate taints matching <key,value,effect> under
// Operator (upstream: k8s.io/api/core/v1/types.go).
type Toleration struct {
	// Key is the taint key to match; empty means all keys (with Exists).
	Key string `yaml:"key,omitempty"`
	// Operator is Exists, Equal (default when empty), Lt or Gt.
	Operator TolerationOperator `yaml:"operator,omitempty"`
	// Value is the value to match (empty with Exists).
	Value string `yaml:"value,omitempty"`
	// Effect is the taint effect to match; empty means all effects.
	Effect TaintEffect `yaml:"effect,omitempty"`
	// TolerationSeconds bounds how long a NoExecute taint is tolerated
	// before eviction; nil means forever, <=0 means evict immediately.
	TolerationSeconds *int64 `yaml:"tolerationSeconds,omitempty"`
}

// String renders the taint as upstream Taint.ToString
// (k8s.io/api/core/v1/taint.go): "key=value:Effect", "key:Effect" when the
// value is empty, "key=value:" when the effect is empty and "key" when both are.
func (t Taint) String() string {
	if t.Effect == "" {
		if t.Value == "" {
			return t.Key
		}
		return t.Key + "=" + t.Value + ":"
	}
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

// MatchTaint reports whether two taints have the same key and effect, the
// identity of a taint on a node (upstream: Taint.MatchTaint in k8s.io/api/core/v1/taint.go).
func (t *Taint) MatchTaint(other *Taint) bool {
	return t.Key == other.Key && t.Effect == other.Effect
}

// MatchToleration reports whether two tolerations have the same
// <key,effect,operator,value> (upstream: Toleration.MatchToleration in
// k8s.io/api/core/v1/toleration.go).
func (t *Toleration) MatchToleration(other *Toleration) bool {
	return t.Key == other.Key && t.Effect == other.Effect &&
		t.Operator == other.Operator && t.Value == other.Value
}

// ToleratesTaint reports whether the toleration tolerates the taint, as
// upstream Toleration.ToleratesTaint (k8s.io/api/core/v1/toleration.go) with
// the TaintTolerationComparisonOperators gate enabled:
//  1. a non-empty Effect must equal the taint's effect (empty matches all);
//  2. a non-empty Key must equal the taint's key (empty matches all keys);
//  3. Operator "" or Equal compares values for equality, Exists matches any
//     value, Gt/Lt require both values to be canonical decimal int64s
//     (content.IsDecimalInteger: no '+', no leading zeros) and match when
//     taint value > (Gt) or < (Lt) the toleration value; anything else fails.
//
// It never allocates.
func (t *Toleration) ToleratesTaint(taint *Taint) bool {
	if t.Effect != "" && t.Effect != taint.Effect {
		return false
	}
	if t.Key != "" && t.Key != taint.Key {
		return false
	}
	switch t.Operator {
	case "", TolerationOpEqual:
		return t.Value == taint.Value
	case TolerationOpExists:
		return true
	case TolerationOpLt, TolerationOpGt:
		if !selIsDecimalInteger(t.Value) || !selIsDecimalInteger(taint.Value) {
			return false
		}
		tolVal, ok1 := selParseInt64(t.Value)
		taintVal, ok2 := selParseInt64(taint.Value)
		if !ok1 || !ok2 {
			return false
		}
		if t.Operator == TolerationOpLt {
			return taintVal < tolVal
		}
		return taintVal > tolVal
	default:
		return false
	}
}

// TolerationsTolerateTaint reports whether any toleration tolerates the taint
// (upstream: component-helpers/scheduling/corev1/helpers.go).
func TolerationsTolerateTaint(tols []Toleration, taint *Taint) bool {
	for i := range tols {
		if tols[i].ToleratesTaint(taint) {
			return true
		}
	}
	return false
}

// FindMatchingUntoleratedTaint returns the first taint, in slice order, that
// passes filter (nil filter = every taint) and is not tolerated by tols, and
// true; or the zero Taint and false when all filtered taints are tolerated
// (upstream: component-helpers/scheduling/corev1/helpers.go). filter receives
// a pointer into taints and must not modify it. It never allocates.
func FindMatchingUntoleratedTaint(taints []Taint, tols []Toleration, filter func(*Taint) bool) (Taint, bool) {
	for i := range taints {
		taint := &taints[i]
		if filter != nil && !filter(taint) {
			continue
		}
		if !TolerationsTolerateTaint(tols, taint) {
			return *taint, true
		}
	}
	return Taint{}, false
}

// DoNotScheduleTaintFilter selects NoSchedule and NoExecute taints, the
// filter the TaintToleration plugin's Filter uses with
// FindMatchingUntoleratedTaint (upstream:
// pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go).
func DoNotScheduleTaintFilter(t *Taint) bool {
	return t.Effect == TaintEffectNoSchedule || t.Effect == TaintEffectNoExecute
}

var taintValidEffects = []TaintEffect{TaintEffectNoSchedule, TaintEffectPreferNoSchedule, TaintEffectNoExecute}

// taintEffectErr mirrors upstream validateTaintEffect
// (pkg/apis/core/validation/validation.go).
func taintEffectErr(effect TaintEffect, allowEmpty bool, path string) error {
	if effect == "" && !allowEmpty {
		return selRequired(path, "")
	}
	switch effect {
	case TaintEffectNoSchedule, TaintEffectPreferNoSchedule, TaintEffectNoExecute:
		return nil
	}
	return selNotSupported(path, effect, taintValidEffects)
}

func taintValidateAt(t *Taint, path string) []error {
	var errs []error
	if msgs := selLabelKeyErrs(t.Key); len(msgs) != 0 {
		for _, m := range msgs {
			errs = append(errs, selInvalid(path+"key", t.Key, m))
		}
	}
	if msgs := selLabelValueErrs(t.Value); len(msgs) != 0 {
		for _, m := range msgs {
			errs = append(errs, selInvalid(path+"value", t.Value, m))
		}
	}
	if err := taintEffectErr(t.Effect, false, path+"effect"); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// ValidateTaint checks one node taint as upstream validateNodeTaints
// (pkg/apis/core/validation/validation.go): the key must be a qualified name,
// the value a valid label value, and the effect one of NoSchedule,
// PreferNoSchedule, NoExecute (required).
func ValidateTaint(t Taint) error {
	return selAggregate(taintValidateAt(&t, ""))
}

// ValidateTaints validates every taint like ValidateTaint and additionally
// rejects duplicates by <key,effect>, as upstream validateNodeTaints
// (pkg/apis/core/validation/validation.go).
func ValidateTaints(taints []Taint) error {
	var errs []error
	for i := range taints {
		path := fmt.Sprintf("taints[%d].", i)
		errs = append(errs, taintValidateAt(&taints[i], path)...)
		for j := 0; j < i; j++ {
			if taints[j].MatchTaint(&taints[i]) {
				errs = append(errs, fmt.Errorf("taints[%d]: Duplicate value: %q: taints must be unique by key and effect pair", i, taints[i].String()))
				break
			}
		}
	}
	return selAggregate(errs)
}

var taintValidTolerationOps = []TolerationOperator{TolerationOpEqual, TolerationOpExists, TolerationOpLt, TolerationOpGt}

// ValidateToleration checks a pod toleration as upstream ValidateTolerations
// (pkg/apis/core/validation/validation.go, with comparison operators allowed):
// a non-empty key must be a qualified name; an empty key requires operator
// Exists; tolerationSeconds requires effect NoExecute; Equal/"" need a valid
// label value, Exists an empty value, Lt/Gt a canonical decimal integer
// value; other operators are unsupported; a non-empty effect must be valid.
func ValidateToleration(t Toleration) error {
	var errs []error
	if t.Key != "" {
		for _, m := range selLabelKeyErrs(t.Key) {
			errs = append(errs, selInvalid("key", t.Key, m))
		}
	}
	if t.Key == "" && t.Operator != TolerationOpExists {
		errs = append(errs, selInvalid("operator", string(t.Operator),
			"operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
	}
	if t.TolerationSeconds != nil && t.Effect != TaintEffectNoExecute {
		errs = append(errs, selInvalid("effect", string(t.Effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"))
	}
	switch t.Operator {
	case "", TolerationOpEqual:
		for _, m := range selLabelValueErrs(t.Value) {
			errs = append(errs, selInvalid("value", t.Value, m))
		}
	case TolerationOpExists:
		if t.Value != "" {
			errs = append(errs, selInvalid("operator", t.Value, "value must be empty when `operator` is 'Exists'"))
		}
	case TolerationOpLt, TolerationOpGt:
		_, ok := selParseInt64(t.Value)
		if !ok || !selIsDecimalInteger(t.Value) {
			errs = append(errs, selInvalid("value", t.Value, "value must be a valid decimal integer in canonical form when `operator` is 'Lt' or 'Gt'"))
		}
	default:
		errs = append(errs, selNotSupported("operator", t.Operator, taintValidTolerationOps))
	}
	if t.Effect != "" {
		if err := taintEffectErr(t.Effect, true, "effect"); err != nil {
			errs = append(errs, err)
		}
	}
	return selAggregate(errs)
}
