package model

// Resource quantities, re-implemented from the definitions in
// k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go, amount.go,
// math.go, scale_int.go). Upstream's code is not copied; where kubesim
// deliberately differs, the comment says so.

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Quantity is a Kubernetes resource quantity such as "500m", "1.5Gi" or
// "1e3" (k8s.io/apimachinery/pkg/api/resource.Quantity).
//
// The value is held exactly, as a signed 128-bit count of nano-units (10^-9),
// so sums and differences never lose precision and never touch floating
// point. Parsing rounds a value finer than 1n away from zero to the next
// nano-unit, as upstream ParseQuantity does ("0.9n" is 1n).
//
// The zero value is the quantity 0. Quantity is a small comparable value
// with no pointers: copying it is a deep copy. Two quantities with the same
// value may still differ under == (for instance "1Gi" and "1024Mi" keep their
// text); compare values with Cmp.
type Quantity struct {
	nanos  int128         // the value in units of 10^-9
	format quantityFormat // how String writes a quantity that was not parsed
	s      string         // the text the quantity was parsed from, if any
}

// quantityFormat is upstream's Format (quantity.go): the suffix family a
// quantity is written in when it has no original text.
type quantityFormat uint8

const (
	decimalSI       quantityFormat = iota // 12M, 500m (the zero value)
	binarySI                              // 12Mi
	decimalExponent                       // 12e6
)

const (
	nanosPerUnit  = 1_000_000_000
	nanosPerMilli = 1_000_000
)

// maxQuantityNanos is the largest magnitude ParseQuantity accepts, in
// nano-units: the largest whose value, rounded away from zero, still fits in
// an int64.
var maxQuantityNanos = new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(nanosPerUnit))

// NewQuantity returns the quantity v, for bytes and counts. Its canonical
// String uses binary suffixes as upstream's NewQuantity(v, BinarySI) does:
// 1073741824 is "1Gi", 1536 is "1536" (1.5Ki is not a whole number of Ki),
// 100 is "100".
func NewQuantity(v int64) Quantity {
	return Quantity{nanos: mulInt64(v, nanosPerUnit), format: binarySI}
}

// NewMilliQuantity returns the quantity milli/1000, for CPU in millicores.
// Its canonical String uses decimal suffixes as upstream's
// NewMilliQuantity(v, DecimalSI) does: 250 is "250m", 2000 is "2".
func NewMilliQuantity(milli int64) Quantity {
	return Quantity{nanos: mulInt64(milli, nanosPerMilli), format: decimalSI}
}

// MustParseQuantity is ParseQuantity that panics on error, for tests and
// constants (upstream MustParse).
func MustParseQuantity(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(err)
	}
	return q
}

// quantityExpected ends every parse error, saying what a quantity looks like.
const quantityExpected = `expected an optionally signed decimal number ` +
	`followed by a binary suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal suffix ` +
	`(n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E-6), such as "500m", "1.5Gi" or "1e3"`

// ParseQuantity parses s with upstream's grammar (quantity.go):
//
//	<quantity>        ::= <signedNumber><suffix>
//	<signedNumber>    ::= <number> | <sign><number>
//	<sign>            ::= "+" | "-"
//	<number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//	<suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//	<binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//	<decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//	<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
//
// As upstream, the exponent must be an integer, and "E" alone is the suffix
// exa (10^18) while "E3" is an exponent.
//
// Deliberate differences from upstream:
//   - A value whose integer part, rounded away from zero, does not fit in
//     an int64 (magnitude above 2^63-1, so "8Ei" and "-9223372036854775808")
//     is an error. Upstream caps binary quantities at 2^63-1 silently and
//     lets Value overflow for decimal ones.
//   - A number needs at least one digit: upstream reads "+", "-" and "." as 0.
//   - An exponent must fit in an int32; upstream silently truncates it.
func ParseQuantity(s string) (Quantity, error) {
	fail := func(format string, args ...any) (Quantity, error) {
		return Quantity{}, fmt.Errorf("invalid quantity %q: %s; %s", s, fmt.Sprintf(format, args...), quantityExpected)
	}
	if s == "" {
		return fail("empty string")
	}
	if i := strings.IndexFunc(s, isQuantitySpace); i >= 0 {
		return fail("whitespace at offset %d", i)
	}

	// <signedNumber>, scanned by hand (upstream parseQuantityString).
	i := 0
	negative := false
	if s[0] == '+' || s[0] == '-' {
		negative = s[0] == '-'
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	whole := s[start:i]
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		start = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[start:i]
	}
	if whole == "" && frac == "" {
		return fail("no digits before the suffix %q", s[i:])
	}

	// <suffix> (upstream suffix.go): the quantity is
	// number * 2^binExp * 10^decExp.
	suffix := s[i:]
	var binExp, decExp int64
	format := decimalSI
	if e, ok := decimalSuffixes[suffix]; ok {
		decExp = e
	} else if e, ok := binarySuffixes[suffix]; ok {
		binExp, format = e, binarySI
	} else if suffix[0] == 'e' || suffix[0] == 'E' {
		e, err := parseExponent(suffix[1:])
		if err != nil {
			return fail("invalid exponent %q: %v", suffix, err)
		}
		decExp, format = e, decimalExponent
	} else {
		return fail("unknown suffix %q", suffix)
	}

	// Exact value in nano-units, rounded away from zero (upstream rounds to
	// Nano with inf.RoundUp on the magnitude).
	n, ok := new(big.Int).SetString(whole+frac, 10)
	if !ok { // unreachable: whole+frac is a non-empty string of digits
		return fail("malformed number")
	}
	if n.Sign() == 0 {
		return Quantity{format: format, s: s}, nil
	}
	n.Lsh(n, uint(binExp))
	exp := decExp - int64(len(frac)) + 9 // power of ten to reach nano-units
	switch {
	case exp > 40:
		// n >= 1, so the value is at least 10^31 units.
		return fail("magnitude above %d (2^63-1); kubesim rejects quantities whose integer value does not fit in an int64", int64(math.MaxInt64))
	case exp >= 0:
		n.Mul(n, pow10Big(exp))
	case int64(n.BitLen()) <= -3*exp:
		// 0 < n < 8^-exp < 10^-exp: less than one nano-unit.
		n.SetInt64(1)
	default:
		d := pow10Big(-exp)
		var r big.Int
		n.QuoRem(n, d, &r)
		if r.Sign() != 0 {
			n.Add(n, big.NewInt(1))
		}
	}
	if n.Cmp(maxQuantityNanos) > 0 {
		return fail("magnitude above %d (2^63-1); kubesim rejects quantities whose integer value does not fit in an int64", int64(math.MaxInt64))
	}
	if negative {
		n.Neg(n)
	}
	q := Quantity{nanos: int128FromBig(n), format: format, s: s}
	// Upstream ParseQuantity: a binary quantity strictly between -1 and 1
	// switches to DecimalSI.
	if format == binarySI && q.nanos.abs().cmp(uint128{lo: nanosPerUnit}) < 0 {
		q.format = decimalSI
	}
	return q, nil
}

// decimalSuffixes and binarySuffixes map each suffix to its exponent of ten
// or of two (upstream suffix.go).
var (
	decimalSuffixes = map[string]int64{
		"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
	}
	binarySuffixes = map[string]int64{
		"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
	}
)

// parseExponent parses the <signedNumber> after "e" or "E".
func parseExponent(s string) (int64, error) {
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 {
		return 0, fmt.Errorf("more than one sign")
	}
	if digits == "" {
		return 0, fmt.Errorf("no digits after the e")
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return 0, fmt.Errorf("the exponent must be an integer")
		}
	}
	e, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("the exponent must fit in an int32")
	}
	return e, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isQuantitySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

// pow10Big returns 10^e for e >= 0.
func pow10Big(e int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(e), nil)
}

// Value returns the value rounded up to an integer, away from zero:
// "250m" is 1 and "-1.5" is -2 (upstream Value, and RoundUp's "negative
// numbers are rounded away from zero"). It fits for every parsed or
// constructed quantity; a sum beyond the int64 range saturates at
// math.MaxInt64 or math.MinInt64.
//
// Upstream's big-decimal path rounds a fractional negative toward +inf
// instead (scale_int.go); kubesim follows the documented away-from-zero rule
// of its int64 path for every value.
func (q Quantity) Value() int64 {
	v, _ := q.nanos.quoAway(nanosPerUnit)
	return v
}

// MilliValue returns the value in thousandths, rounded away from zero like
// Value: "1n" is 1 and "0.1" is 100. Above about 9.2e15 (and below its
// negative) it does not fit in an int64 and saturates at math.MaxInt64 (or
// math.MinInt64); MilliOverflows reports that case. Upstream silently wraps.
func (q Quantity) MilliValue() int64 {
	v, _ := q.nanos.quoAway(nanosPerMilli)
	return v
}

// MilliOverflows reports whether MilliValue saturated, i.e. the value in
// thousandths does not fit in an int64. CPU validation rejects such values.
func (q Quantity) MilliOverflows() bool {
	_, ok := q.nanos.quoAway(nanosPerMilli)
	return !ok
}

// IsZero reports whether the quantity is 0. It also makes a zero Quantity
// field count as empty for yaml's omitempty.
func (q Quantity) IsZero() bool { return q.nanos.sign() == 0 }

// Sign returns -1, 0 or 1 as the quantity is negative, zero or positive.
func (q Quantity) Sign() int { return q.nanos.sign() }

// Cmp returns -1, 0 or 1 as q is less than, equal to or greater than other,
// comparing exact values ("1Gi" equals "1024Mi").
func (q Quantity) Cmp(other Quantity) int { return q.nanos.cmp(other.nanos) }

// Add returns q + other, exactly. The result has no original text; as in
// upstream Add it is written in q's format, or in other's when q is zero.
// It panics if the sum leaves the exact range (about ±1.7e29), which no sum
// of realistic quantities reaches.
func (q Quantity) Add(other Quantity) Quantity {
	n, ok := q.nanos.add(other.nanos)
	if !ok {
		panic(fmt.Sprintf("model: quantity overflow in %s + %s", q, other))
	}
	return Quantity{nanos: n, format: q.resultFormat(other)}
}

// Sub returns q - other, exactly, with Add's format rule and range.
func (q Quantity) Sub(other Quantity) Quantity {
	n, ok := q.nanos.sub(other.nanos)
	if !ok {
		panic(fmt.Sprintf("model: quantity overflow in %s - %s", q, other))
	}
	return Quantity{nanos: n, format: q.resultFormat(other)}
}

func (q Quantity) resultFormat(other Quantity) quantityFormat {
	if q.IsZero() {
		return other.format
	}
	return q.format
}

// String returns the text the quantity was parsed from, as written, or else
// its canonical form (upstream CanonicalizeBytes): no fractional digits, the
// largest suffix that loses nothing, no sign unless negative. Binary
// quantities (NewQuantity) use Ki..Ei when the value is an integer of
// magnitude at least 1024 ("1Gi", "1536Mi", "1500"), and decimal suffixes
// otherwise ("1k" for 1000); decimal ones (NewMilliQuantity) use n..E
// ("250m", "2", "1500m", "2k"), and e-notation beyond E.
func (q Quantity) String() string {
	if q.s != "" {
		return q.s
	}
	if q.IsZero() {
		return "0"
	}
	mag := q.nanos.abs().big()
	sign := ""
	if q.nanos.sign() < 0 {
		sign = "-"
	}
	var r big.Int
	format := q.format
	if format == binarySI {
		units, _ := new(big.Int).QuoRem(mag, big.NewInt(nanosPerUnit), &r)
		if r.Sign() != 0 || units.Cmp(big.NewInt(1024)) < 0 {
			// Upstream: fractions, and magnitudes below 1024, are
			// written as DecimalSI.
			format = decimalSI
		} else {
			k := 0
			for k < 6 {
				var m big.Int
				if m.Rem(units, big.NewInt(1024)).Sign() != 0 {
					break
				}
				units.Rsh(units, 10)
				k++
			}
			return sign + units.String() + binarySuffixNames[k]
		}
	}

	// Decimal: move factors of ten into the exponent, then lower the
	// exponent to a multiple of three (upstream AsCanonicalBytes).
	exp := -9
	ten := big.NewInt(10)
	for {
		var qt big.Int
		qt.QuoRem(mag, ten, &r)
		if r.Sign() != 0 {
			break
		}
		mag = &qt
		exp++
	}
	if adj := ((exp % 3) + 3) % 3; adj != 0 {
		mag.Mul(mag, pow10Big(int64(adj)))
		exp -= adj
	}
	suffix := ""
	if format == decimalSI && exp <= 18 {
		suffix = decimalSuffixNames[exp]
	} else if exp != 0 {
		suffix = "e" + strconv.Itoa(exp)
	}
	return sign + mag.String() + suffix
}

var (
	binarySuffixNames  = [...]string{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}
	decimalSuffixNames = map[int]string{
		-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E",
	}
)

// MarshalYAML writes the quantity as its String.
func (q Quantity) MarshalYAML() (any, error) { return q.String(), nil }

// UnmarshalYAML reads a scalar such as `4`, `0.5`, `500m` or `1Gi`.
// Surrounding whitespace in a quoted string is trimmed, as upstream's
// UnmarshalJSON does.
func (q *Quantity) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a quantity such as \"500m\" or \"1Gi\", got a %s", node.Line, yamlKindName(node.Kind))
	}
	switch tag := node.ShortTag(); tag {
	case "!!str", "!!int", "!!float":
	default:
		return fmt.Errorf("line %d: expected a quantity such as \"500m\" or \"1Gi\", got %s %q", node.Line, tag, node.Value)
	}
	parsed, err := ParseQuantity(strings.TrimSpace(node.Value))
	if err != nil {
		return fmt.Errorf("line %d: %w", node.Line, err)
	}
	*q = parsed
	return nil
}

// yamlKindName names a node kind for error messages.
func yamlKindName(k yaml.Kind) string {
	switch k {
	case yaml.DocumentNode:
		return "document"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.MappingNode:
		return "mapping"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "node of kind " + strconv.Itoa(int(k))
}

// MarshalJSON writes the quantity as a JSON string of its String.
func (q Quantity) MarshalJSON() ([]byte, error) { return json.Marshal(q.String()) }

// UnmarshalJSON reads a JSON string ("500m") or number (0.5); null leaves
// the zero quantity. Surrounding whitespace is trimmed, as upstream does.
func (q *Quantity) UnmarshalJSON(data []byte) error {
	text := strings.TrimSpace(string(data))
	if text == "null" {
		*q = Quantity{}
		return nil
	}
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(data, &text); err != nil {
			return fmt.Errorf("expected a quantity such as \"500m\" or \"1Gi\": %w", err)
		}
	}
	parsed, err := ParseQuantity(strings.TrimSpace(text))
	if err != nil {
		return err
	}
	*q = parsed
	return nil
}

// int128 is a two's-complement signed 128-bit integer, the exact
// representation behind Quantity.
type int128 struct {
	hi int64
	lo uint64
}

// uint128 is the magnitude of an int128.
type uint128 struct {
	hi, lo uint64
}

// mulInt64 returns v*m exactly; |v|*m is below 2^127 for any uint64 m < 2^64.
func mulInt64(v int64, m uint64) int128 {
	mag := uint64(v)
	if v < 0 {
		mag = -mag
	}
	hi, lo := bits.Mul64(mag, m)
	r := int128{hi: int64(hi), lo: lo}
	if v < 0 {
		r = r.neg()
	}
	return r
}

// int128FromBig converts b, which the caller guarantees is below 2^126 in
// magnitude.
func int128FromBig(b *big.Int) int128 {
	mag := new(big.Int).Abs(b)
	lo := new(big.Int).And(mag, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
	hi := new(big.Int).Rsh(mag, 64).Uint64()
	r := int128{hi: int64(hi), lo: lo}
	if b.Sign() < 0 {
		r = r.neg()
	}
	return r
}

func (a int128) sign() int {
	switch {
	case a.hi < 0:
		return -1
	case a.hi == 0 && a.lo == 0:
		return 0
	}
	return 1
}

func (a int128) cmp(b int128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// add returns a+b and false if that overflows.
func (a int128) add(b int128) (int128, bool) {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	r := int128{hi: a.hi + b.hi + int64(carry), lo: lo}
	overflow := (a.hi < 0) == (b.hi < 0) && (r.hi < 0) != (a.hi < 0)
	return r, !overflow
}

// sub returns a-b and false if that overflows.
func (a int128) sub(b int128) (int128, bool) {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	r := int128{hi: a.hi - b.hi - int64(borrow), lo: lo}
	overflow := (a.hi < 0) != (b.hi < 0) && (r.hi < 0) != (a.hi < 0)
	return r, !overflow
}

// neg returns -a (wrapping for -2^127, which never occurs here).
func (a int128) neg() int128 {
	lo, borrow := bits.Sub64(0, a.lo, 0)
	return int128{hi: -a.hi - int64(borrow), lo: lo}
}

func (a int128) abs() uint128 {
	if a.hi < 0 {
		a = a.neg()
	}
	return uint128{hi: uint64(a.hi), lo: a.lo}
}

func (a uint128) cmp(b uint128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a uint128) big() *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(a.lo))
}

// quoAway returns a/d rounded away from zero, and false (with the result
// saturated at math.MaxInt64 or math.MinInt64) if that does not fit in an
// int64.
func (a int128) quoAway(d uint64) (int64, bool) {
	m := a.abs()
	qhi, r := m.hi/d, m.hi%d
	qlo, r := bits.Div64(r, m.lo, d)
	if r != 0 {
		var carry uint64
		qlo, carry = bits.Add64(qlo, 1, 0)
		qhi += carry
	}
	if a.hi < 0 {
		if qhi != 0 || qlo > 1<<63 {
			return math.MinInt64, false
		}
		return -int64(qlo), true // -2^63 wraps to itself, as wanted
	}
	if qhi != 0 || qlo > math.MaxInt64 {
		return math.MaxInt64, false
	}
	return int64(qlo), true
}
