package model

// IntOrString, re-implemented from k8s.io/apimachinery/pkg/util/intstr
// (intstr.go). Upstream's code is not copied; where kubesim deliberately
// differs, the comment says so.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// IntOrString holds an int32 or a string, such as a rolling update's
// maxSurge ("25%" or 2). In YAML and JSON it is the bare integer or string
// (upstream intstr.IntOrString).
type IntOrString struct {
	Type   IntOrStringType
	IntVal int32
	StrVal string
}

// IntOrStringType says which field of an IntOrString is set (upstream
// intstr.Type).
type IntOrStringType int

const (
	// IntOrStringInt means IntVal is set (upstream intstr.Int).
	IntOrStringInt IntOrStringType = iota
	// IntOrStringString means StrVal is set (upstream intstr.String).
	IntOrStringString
)

// FromInt32 returns an IntOrString holding v.
func FromInt32(v int32) IntOrString {
	return IntOrString{Type: IntOrStringInt, IntVal: v}
}

// FromString returns an IntOrString holding s.
func FromString(s string) IntOrString {
	return IntOrString{Type: IntOrStringString, StrVal: s}
}

// String returns StrVal, or IntVal in decimal.
func (v IntOrString) String() string {
	if v.Type == IntOrStringString {
		return v.StrVal
	}
	return strconv.Itoa(v.IntValue())
}

// IntValue returns IntVal, or StrVal converted to an int, 0 if it is not a
// decimal integer (upstream IntValue).
func (v IntOrString) IntValue() int {
	if v.Type == IntOrStringString {
		i, _ := strconv.Atoi(v.StrVal)
		return i
	}
	return int(v.IntVal)
}

// MarshalYAML writes the bare integer or string.
func (v IntOrString) MarshalYAML() (any, error) {
	switch v.Type {
	case IntOrStringInt:
		return v.IntVal, nil
	case IntOrStringString:
		return v.StrVal, nil
	}
	return nil, fmt.Errorf("invalid IntOrString type %d", v.Type)
}

// UnmarshalYAML reads an integer scalar (which must fit in an int32) or a
// string scalar; anything else is an error.
func (v *IntOrString) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected an integer such as 1 or a string such as \"25%%\", got a %s", node.Line, yamlKindName(node.Kind))
	}
	switch tag := node.ShortTag(); tag {
	case "!!int":
		var i int32
		if err := node.Decode(&i); err != nil {
			return fmt.Errorf("line %d: expected an integer that fits in an int32, got %q", node.Line, node.Value)
		}
		*v = FromInt32(i)
	case "!!str":
		*v = FromString(node.Value)
	default:
		return fmt.Errorf("line %d: expected an integer such as 1 or a string such as \"25%%\", got %s %q", node.Line, tag, node.Value)
	}
	return nil
}

// MarshalJSON writes the bare integer or string (upstream MarshalJSON).
func (v IntOrString) MarshalJSON() ([]byte, error) {
	switch v.Type {
	case IntOrStringInt:
		return json.Marshal(v.IntVal)
	case IntOrStringString:
		return json.Marshal(v.StrVal)
	}
	return nil, fmt.Errorf("invalid IntOrString type %d", v.Type)
}

// UnmarshalJSON reads a JSON string, or a number that fits in an int32
// (upstream UnmarshalJSON).
func (v *IntOrString) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*v = FromString(s)
		return nil
	}
	var i int32
	if err := json.Unmarshal(data, &i); err != nil {
		return fmt.Errorf("expected an integer such as 1 or a string such as \"25%%\": %w", err)
	}
	*v = FromInt32(i)
	return nil
}

// GetScaledValueFromIntOrPercent returns v's integer, or, for a percentage
// string such as "25%", that share of total rounded up or down as roundUp
// says (upstream GetScaledValueFromIntOrPercent). A nil v, a string without a
// trailing "%", or one whose rest is not a decimal integer is an error.
//
// Upstream computes ceil/floor(percent*total/100) in float64; kubesim uses
// exact integer arithmetic, which gives the same result whenever
// |percent*total| <= 2^53 (any realistic input) and stays exact beyond. A
// result that does not fit in an int is an error.
func GetScaledValueFromIntOrPercent(v *IntOrString, total int, roundUp bool) (int, error) {
	if v == nil {
		return 0, errors.New("nil value for IntOrString")
	}
	switch v.Type {
	case IntOrStringInt:
		return int(v.IntVal), nil
	case IntOrStringString:
	default:
		return 0, fmt.Errorf("invalid value for IntOrString: invalid type %d: neither int nor percentage", v.Type)
	}
	digits, ok := strings.CutSuffix(v.StrVal, "%")
	if !ok {
		return 0, fmt.Errorf("invalid value for IntOrString: %q is not a percentage such as \"25%%\"", v.StrVal)
	}
	percent, err := strconv.Atoi(digits)
	if err != nil {
		return 0, fmt.Errorf("invalid value for IntOrString: invalid value %q: %v", v.StrVal, err)
	}
	// percent*total/100, floored or ceiled. big.Int's Div is Euclidean, so
	// with a positive divisor it floors for negative dividends too.
	num := new(big.Int).Mul(big.NewInt(int64(percent)), big.NewInt(int64(total)))
	if roundUp {
		num.Add(num, big.NewInt(99))
	}
	num.Div(num, big.NewInt(100))
	if !num.IsInt64() || int64(int(num.Int64())) != num.Int64() {
		return 0, fmt.Errorf("invalid value for IntOrString: %s of %d overflows int", v.StrVal, total)
	}
	return int(num.Int64()), nil
}
