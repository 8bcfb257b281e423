package model

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// Expected values below are worked out by hand from the definitions in
// k8s.io/apimachinery/pkg/api/resource: suffix.go gives each suffix's power
// (m = 10^-3, Ki = 2^10, ...), Value is ceil(q) and MilliValue ceil(1000q),
// both rounding away from zero (amount.go negativeScaleInt64), and parsing
// rounds finer than 1n up to 1n (quantity.go ParseQuantity). canonical is
// upstream's CanonicalizeBytes form of the same value and format.
func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in         string
		value      int64
		milli      int64
		milliOver  bool
		canonical  string
		sign       int
		commentary string
	}{
		{in: "0", value: 0, milli: 0, canonical: "0"},
		{in: "-0", value: 0, milli: 0, canonical: "0"},
		{in: "0.000", value: 0, milli: 0, canonical: "0"},
		{in: "0e999", value: 0, milli: 0, canonical: "0", commentary: "zero whatever the exponent"},
		{in: "250m", value: 1, milli: 250, canonical: "250m", sign: 1, commentary: "0.25 rounds up to 1"},
		{in: "1000m", value: 1, milli: 1000, canonical: "1", sign: 1},
		{in: "1.5Gi", value: 1610612736, milli: 1610612736000, canonical: "1536Mi", sign: 1, commentary: "1.5*2^30; upstream's own example of canonical form"},
		{in: "1e3", value: 1000, milli: 1000000, canonical: "1e3", sign: 1},
		{in: "1E3", value: 1000, milli: 1000000, canonical: "1e3", sign: 1, commentary: "E followed by digits is an exponent"},
		{in: "1e+3", value: 1000, milli: 1000000, canonical: "1e3", sign: 1},
		{in: "12e6", value: 12000000, milli: 12000000000, canonical: "12e6", sign: 1},
		{in: "1E", value: 1000000000000000000, milli: math.MaxInt64, milliOver: true, canonical: "1E", sign: 1, commentary: "E alone is exa, 10^18"},
		{in: "0.1", value: 1, milli: 100, canonical: "100m", sign: 1},
		{in: ".5", value: 1, milli: 500, canonical: "500m", sign: 1},
		{in: "5.", value: 5, milli: 5000, canonical: "5", sign: 1},
		{in: "1.G", value: 1000000000, milli: 1000000000000, canonical: "1G", sign: 1, commentary: "upstream accepts an empty fraction before a suffix"},
		{in: "007", value: 7, milli: 7000, canonical: "7", sign: 1},
		{in: "1n", value: 1, milli: 1, canonical: "1n", sign: 1, commentary: "10^-6 milli rounds up to 1 milli"},
		{in: "1u", value: 1, milli: 1, canonical: "1u", sign: 1},
		{in: "0.9n", value: 1, milli: 1, canonical: "1n", sign: 1, commentary: "below nano precision: rounded up to 1n on parse"},
		{in: "1e-100", value: 1, milli: 1, canonical: "1e-9", sign: 1, commentary: "rounded up to 1n, written in e-notation"},
		{in: "1e-2147483648", value: 1, milli: 1, canonical: "1e-9", sign: 1, commentary: "smallest int32 exponent; e-notation keeps its format"},
		{in: "100k", value: 100000, milli: 100000000, canonical: "100k", sign: 1},
		{in: "1.5M", value: 1500000, milli: 1500000000, canonical: "1500k", sign: 1},
		{in: "1Ki", value: 1024, milli: 1024000, canonical: "1Ki", sign: 1},
		{in: "0.5Ki", value: 512, milli: 512000, canonical: "512", sign: 1, commentary: "binary below 1024 is written as decimal"},
		{in: "1.0000001Ki", value: 1025, milli: 1024001, canonical: "1024000102400n", sign: 1, commentary: "1024.0001024: not an integer, so decimal"},
		{in: "100Mi", value: 104857600, milli: 104857600000, canonical: "100Mi", sign: 1},
		{in: "2Ti", value: 2199023255552, milli: 2199023255552000, canonical: "2Ti", sign: 1},
		{in: "3e-3", value: 1, milli: 3, canonical: "3e-3", sign: 1},
		{in: "129e-2", value: 2, milli: 1290, canonical: "1290e-3", sign: 1, commentary: "1.29; the exponent drops to a multiple of 3"},
		{in: "1.2345", value: 2, milli: 1235, canonical: "1234500u", sign: 1, commentary: "upstream doc: \"1.2345\" is \"1234500u\""},
		{in: "123456789012345678901234567890e-20", value: 1234567891, milli: 1234567890124, canonical: "1234567890123456790e-9", sign: 1, commentary: "1234567890.1234567890123...: digits past nano round up"},
		{in: "+1", value: 1, milli: 1000, canonical: "1", sign: 1},
		{in: "-1", value: -1, milli: -1000, canonical: "-1", sign: -1},
		{in: "-1n", value: -1, milli: -1, canonical: "-1n", sign: -1, commentary: "negatives round away from zero"},
		{in: "-1.5", value: -2, milli: -1500, canonical: "-1500m", sign: -1, commentary: "away from zero, as upstream's int64 path"},
		{in: "-0.0005", value: -1, milli: -1, canonical: "-500u", sign: -1},
		{in: "-1.5Gi", value: -1610612736, milli: -1610612736000, canonical: "-1536Mi", sign: -1},
		{in: "1P", value: 1000000000000000, milli: 1000000000000000000, canonical: "1P", sign: 1},
		{in: "10P", value: 10000000000000000, milli: math.MaxInt64, milliOver: true, canonical: "10P", sign: 1, commentary: "1e19 milli overflows int64"},
		{in: "9223372036854775.807", value: 9223372036854776, milli: math.MaxInt64, canonical: "9223372036854775807m", sign: 1, commentary: "milli is exactly MaxInt64"},
		{in: "9223372036854775.8071", value: 9223372036854776, milli: math.MaxInt64, milliOver: true, canonical: "9223372036854775807100u", sign: 1, commentary: "milli would be MaxInt64+1 after rounding up"},
		{in: "1Ei", value: 1 << 60, milli: math.MaxInt64, milliOver: true, canonical: "1Ei", sign: 1, commentary: "2^60 fits; 2^60*1000 does not"},
		{in: "7Ei", value: 7 << 60, milli: math.MaxInt64, milliOver: true, canonical: "7Ei", sign: 1},
		{in: "9223372036854775807", value: math.MaxInt64, milli: math.MaxInt64, milliOver: true, canonical: "9223372036854775807", sign: 1},
		{in: "-9223372036854775807", value: -math.MaxInt64, milli: math.MinInt64, milliOver: true, canonical: "-9223372036854775807", sign: -1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseQuantity(tt.in)
			require.NoError(t, err, tt.commentary)
			assert.Equal(t, tt.value, q.Value(), "Value; %s", tt.commentary)
			assert.Equal(t, tt.milli, q.MilliValue(), "MilliValue; %s", tt.commentary)
			assert.Equal(t, tt.milliOver, q.MilliOverflows(), "MilliOverflows")
			assert.Equal(t, tt.sign, q.Sign(), "Sign")
			assert.Equal(t, tt.sign == 0, q.IsZero(), "IsZero")
			assert.Equal(t, tt.in, q.String(), "String keeps the text as written")
			canon := q.Add(Quantity{})
			assert.Equal(t, tt.canonical, canon.String(), "canonical form; %s", tt.commentary)
			assert.Zero(t, canon.Cmp(q))
		})
	}
}

func TestParseQuantityEquivalences(t *testing.T) {
	for _, pair := range [][2]string{
		{"1Gi", "1024Mi"},
		{"1", "1000m"},
		{"1k", "1e3"},
		{"1E", "1e18"},
		{"0.9n", "1n"},
		{"1.5Gi", "1536Mi"},
		{"0.5", "500m"},
		{"-0", "0"},
		{"1u", "1000n"},
	} {
		a, b := MustParseQuantity(pair[0]), MustParseQuantity(pair[1])
		assert.Zero(t, a.Cmp(b), "%s == %s", pair[0], pair[1])
		assert.Zero(t, b.Cmp(a), "%s == %s", pair[1], pair[0])
	}
}

func TestParseQuantityInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want string // substring of the error
	}{
		{"", "empty string"},
		{" ", "whitespace"},
		{" 1", "whitespace"},
		{"1 ", "whitespace"},
		{"1 Mi", "whitespace"},
		{"1\t", "whitespace"},
		{"1\n", "whitespace"},
		{"1mi", `unknown suffix "mi"`},
		{"1ki", `unknown suffix "ki"`},
		{"1K", `unknown suffix "K"`},
		{"1KI", `unknown suffix "KI"`},
		{"1Kib", `unknown suffix "Kib"`},
		{"1.5.5", `unknown suffix ".5"`},
		{"1..5", `unknown suffix ".5"`},
		{"1,000", `unknown suffix ",000"`},
		{"1_000", `unknown suffix "_000"`},
		{"0x10", `unknown suffix "x10"`},
		{"Mi", "no digits"},
		{"e3", "no digits"},
		{".", "no digits"},
		{"+", "no digits"},
		{"-", "no digits"},
		{"--1", "no digits"},
		{"+-1", "no digits"},
		{"NaN", "no digits"},
		{"Inf", "no digits"},
		{"1e", `invalid exponent "e"`},
		{"1E+", `invalid exponent "E+"`},
		{"1e-", `invalid exponent "e-"`},
		{"1e3.5", `invalid exponent "e3.5"`},
		{"1e+-3", `invalid exponent "e+-3"`},
		{"1e3e3", `invalid exponent "e3e3"`},
		{"1ee3", `invalid exponent "ee3"`},
		{"1e3Mi", `invalid exponent "e3Mi"`},
		{"1e2147483648", "int32"},
		{"1e99999999999", "int32"},
		{"8Ei", "int64"}, // 2^63: upstream caps it at 2^63-1 silently.
		{"9223372036854775808", "int64"},
		{"9223372036854775807.5", "int64"}, // Value would round up to 2^63.
		{"-9223372036854775808", "int64"},  // the range is symmetric.
		{"1e19", "int64"},
		{"10E", "int64"},
		{"1e41", "int64"},
		{"1e2147483647", "int64"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseQuantity(tt.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), `such as "500m"`, "the error says what was expected")
			assert.True(t, q.IsZero())
		})
	}
	assert.Panics(t, func() { MustParseQuantity("1mi") })
}

func TestQuantityConstructors(t *testing.T) {
	tests := []struct {
		name   string
		q      Quantity
		value  int64
		milli  int64
		over   bool
		string string
	}{
		{"zero", Quantity{}, 0, 0, false, "0"},
		{"NewQuantity(0)", NewQuantity(0), 0, 0, false, "0"},
		{"NewQuantity(100)", NewQuantity(100), 100, 100000, false, "100"},
		// Below 1024 a binary quantity is written as DecimalSI, so 1000 is 1k.
		{"NewQuantity(1000)", NewQuantity(1000), 1000, 1000000, false, "1k"},
		{"NewQuantity(1023)", NewQuantity(1023), 1023, 1023000, false, "1023"},
		{"NewQuantity(1024)", NewQuantity(1024), 1024, 1024000, false, "1Ki"},
		{"NewQuantity(1500)", NewQuantity(1500), 1500, 1500000, false, "1500"},
		{"NewQuantity(1536)", NewQuantity(1536), 1536, 1536000, false, "1536"},
		{"NewQuantity(2048)", NewQuantity(2048), 2048, 2048000, false, "2Ki"},
		{"NewQuantity(1000000)", NewQuantity(1000000), 1000000, 1000000000, false, "1000000"},
		{"NewQuantity(1024000)", NewQuantity(1024000), 1024000, 1024000000, false, "1000Ki"},
		{"NewQuantity(1Gi)", NewQuantity(1 << 30), 1 << 30, 1 << 30 * 1000, false, "1Gi"},
		{"NewQuantity(1.5Gi)", NewQuantity(1610612736), 1610612736, 1610612736000, false, "1536Mi"},
		{"NewQuantity(-1024)", NewQuantity(-1024), -1024, -1024000, false, "-1Ki"},
		{"NewQuantity(-1000)", NewQuantity(-1000), -1000, -1000000, false, "-1k"},
		{"NewQuantity(2^60)", NewQuantity(1 << 60), 1 << 60, math.MaxInt64, true, "1Ei"},
		{"NewQuantity(2^62)", NewQuantity(1 << 62), 1 << 62, math.MaxInt64, true, "4Ei"},
		{"NewQuantity(MaxInt64)", NewQuantity(math.MaxInt64), math.MaxInt64, math.MaxInt64, true, "9223372036854775807"},
		{"NewQuantity(MinInt64)", NewQuantity(math.MinInt64), math.MinInt64, math.MinInt64, true, "-8Ei"},
		{"NewMilliQuantity(0)", NewMilliQuantity(0), 0, 0, false, "0"},
		{"NewMilliQuantity(1)", NewMilliQuantity(1), 1, 1, false, "1m"},
		{"NewMilliQuantity(10)", NewMilliQuantity(10), 1, 10, false, "10m"},
		{"NewMilliQuantity(250)", NewMilliQuantity(250), 1, 250, false, "250m"},
		{"NewMilliQuantity(1000)", NewMilliQuantity(1000), 1, 1000, false, "1"},
		{"NewMilliQuantity(1234)", NewMilliQuantity(1234), 2, 1234, false, "1234m"},
		{"NewMilliQuantity(1500)", NewMilliQuantity(1500), 2, 1500, false, "1500m"},
		{"NewMilliQuantity(2000)", NewMilliQuantity(2000), 2, 2000, false, "2"},
		{"NewMilliQuantity(10000)", NewMilliQuantity(10000), 10, 10000, false, "10"},
		// Upstream's largest-suffix rule: 2000 cores is "2k", not "2000".
		{"NewMilliQuantity(2000000)", NewMilliQuantity(2000000), 2000, 2000000, false, "2k"},
		{"NewMilliQuantity(1e9)", NewMilliQuantity(1000000000), 1000000, 1000000000, false, "1M"},
		{"NewMilliQuantity(-250)", NewMilliQuantity(-250), -1, -250, false, "-250m"},
		// 9223372036854775.807 rounds away from zero to ...776.
		{"NewMilliQuantity(MaxInt64)", NewMilliQuantity(math.MaxInt64), 9223372036854776, math.MaxInt64, false, "9223372036854775807m"},
		{"NewMilliQuantity(MinInt64)", NewMilliQuantity(math.MinInt64), -9223372036854776, math.MinInt64, false, "-9223372036854775808m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.value, tt.q.Value(), "Value")
			assert.Equal(t, tt.milli, tt.q.MilliValue(), "MilliValue")
			assert.Equal(t, tt.over, tt.q.MilliOverflows(), "MilliOverflows")
			assert.Equal(t, tt.string, tt.q.String(), "String")
			if tt.q.Value() != math.MinInt64 {
				// The canonical text parses back to the same value.
				p, err := ParseQuantity(tt.q.String())
				require.NoError(t, err)
				assert.Zero(t, p.Cmp(tt.q))
			}
		})
	}
}

func TestQuantityArithmetic(t *testing.T) {
	p := MustParseQuantity

	sum := p("1Gi").Add(p("512Mi"))
	assert.Equal(t, int64(1610612736), sum.Value())
	assert.Equal(t, "1536Mi", sum.String(), "a sum has no text; it takes the receiver's binary format")

	cpu := NewMilliQuantity(250).Add(NewMilliQuantity(750))
	assert.Equal(t, int64(1000), cpu.MilliValue())
	assert.Equal(t, "1", cpu.String())

	assert.Equal(t, "1Gi", Quantity{}.Add(p("1Gi")).String(), "a zero receiver takes the other's format")
	assert.Equal(t, "2e3", p("1e3").Add(p("1e3")).String())
	assert.Equal(t, "750m", p("1").Sub(p("250m")).String())

	neg := p("100m").Sub(p("250m"))
	assert.Equal(t, -1, neg.Sign())
	assert.Equal(t, int64(-150), neg.MilliValue())
	assert.Equal(t, int64(-1), neg.Value())
	assert.Equal(t, "-150m", neg.String())

	// Exact decimal arithmetic: 0.1 + 0.2 is 0.3, unlike float64.
	assert.Zero(t, p("0.1").Add(p("0.2")).Cmp(p("0.3")))
	assert.Zero(t, p("1n").Add(p("1n")).Add(p("1n")).Cmp(p("3n")))

	zero := p("1.5Gi").Sub(p("1536Mi"))
	assert.True(t, zero.IsZero())
	assert.Equal(t, "0", zero.String())

	// The receiver and argument are unchanged.
	a, b := p("1"), p("2")
	_ = a.Add(b)
	_ = a.Sub(b)
	assert.Equal(t, "1", a.String())
	assert.Equal(t, "2", b.String())

	// A sum beyond int64 stays exact; the int64 accessors saturate.
	big := NewQuantity(math.MaxInt64).Add(NewQuantity(math.MaxInt64))
	assert.Equal(t, int64(math.MaxInt64), big.Value())
	assert.Equal(t, int64(math.MaxInt64), big.MilliValue())
	assert.True(t, big.MilliOverflows())
	assert.Equal(t, "18446744073709551614", big.String())
	assert.Zero(t, big.Sub(NewQuantity(math.MaxInt64)).Cmp(NewQuantity(math.MaxInt64)))
	small := NewQuantity(math.MinInt64).Sub(NewQuantity(1))
	assert.Equal(t, int64(math.MinInt64), small.Value())
	assert.True(t, small.MilliOverflows())
	assert.Equal(t, "-9223372036854775809", small.String())

	// Exponents beyond E fall back to e-notation (upstream CanonicalizeBytes).
	assert.Equal(t, "36E", p("9E").Add(p("9E")).Add(p("9E")).Add(p("9E")).String())
	thousandE := Quantity{}
	for range 1000 {
		thousandE = thousandE.Add(p("1E"))
	}
	assert.Equal(t, "1e21", thousandE.String(), "10^21 has no DecimalSI suffix")
	huge := NewMilliQuantity(1000).Add(NewQuantity(math.MaxInt64).Add(NewQuantity(math.MaxInt64)))
	assert.Equal(t, "18446744073709551615", huge.String())

	// Beyond the 128-bit range Add panics rather than wrap.
	assert.Panics(t, func() {
		q := NewQuantity(math.MaxInt64)
		for range 80 {
			q = q.Add(q)
		}
	})
	assert.Panics(t, func() {
		q := NewQuantity(math.MinInt64)
		for range 80 {
			q = q.Sub(Quantity{}.Sub(q)) // q - (-q)
		}
	})
}

func TestQuantityCmp(t *testing.T) {
	p := MustParseQuantity
	tests := []struct {
		a, b string
		want int
	}{
		{"1Gi", "1024Mi", 0},
		{"999m", "1", -1},
		{"1", "999m", 1},
		{"-1", "1", -1},
		{"-1n", "0", -1},
		{"-2", "-1", -1},
		{"1Ei", "1E", 1}, // 2^60 > 10^18
		{"1n", "0", 1},
		{"9223372036854775807", "9223372036854775806", 1},
		{"-9223372036854775807", "-9223372036854775806", -1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, p(tt.a).Cmp(p(tt.b)), "%s vs %s", tt.a, tt.b)
	}
}

type quantityHolder struct {
	CPU    Quantity `yaml:"cpu" json:"cpu"`
	Memory Quantity `yaml:"memory,omitempty" json:"memory"`
}

func TestQuantityYAML(t *testing.T) {
	tests := []struct {
		doc   string
		milli int64
		text  string
	}{
		{"cpu: 4", 4000, "4"},
		{"cpu: 0.5", 500, "0.5"},
		{"cpu: 500m", 500, "500m"},
		{"cpu: '1'", 1000, "1"},
		{"cpu: \"250m\"", 250, "250m"},
		{"cpu: 1e3", 1000000, "1e3"},
		{"cpu: .5", 500, ".5"},
		{"cpu: ' 2 '", 2000, "2"}, // trimmed, as upstream's UnmarshalJSON
		{"cpu: 1.5Gi", 1610612736000, "1.5Gi"},
		{"cpu: &a 3\nmemory: *a", 3000, "3"},
		{"cpu: ~", 0, "0"},
		{"cpu:", 0, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			var h quantityHolder
			require.NoError(t, yaml.Unmarshal([]byte(tt.doc), &h))
			assert.Equal(t, tt.milli, h.CPU.MilliValue())
			assert.Equal(t, tt.text, h.CPU.String())
		})
	}

	var h quantityHolder
	require.NoError(t, yaml.Unmarshal([]byte("cpu: 250m\nmemory: 1Gi\n"), &h))
	assert.Equal(t, int64(250), h.CPU.MilliValue())
	assert.Equal(t, int64(1<<30), h.Memory.Value())

	for _, doc := range []string{
		"cpu: {a: 1}",
		"cpu: [1]",
		"cpu: true",
		"cpu: 2001-12-14",
		"cpu: 1mi",
		"cpu: .inf",
		"cpu: 1 Mi",
	} {
		t.Run(doc, func(t *testing.T) {
			var h quantityHolder
			err := yaml.Unmarshal([]byte(doc), &h)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `"500m"`)
			assert.Contains(t, err.Error(), "line 1")
		})
	}

	// Calling UnmarshalYAML directly on a mapping node.
	var node yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("{a: 1}"), &node))
	var q Quantity
	err := q.UnmarshalYAML(node.Content[0])
	require.Error(t, err)
	assert.Contains(t, err.Error(), `expected a quantity such as "500m" or "1Gi", got a mapping`)
}

func TestQuantityYAMLMarshal(t *testing.T) {
	out, err := yaml.Marshal(quantityHolder{CPU: NewMilliQuantity(250), Memory: NewQuantity(1 << 30)})
	require.NoError(t, err)
	assert.Equal(t, "cpu: 250m\nmemory: 1Gi\n", string(out))

	out, err = yaml.Marshal(quantityHolder{CPU: NewMilliQuantity(2000)})
	require.NoError(t, err)
	assert.Equal(t, "cpu: \"2\"\n", string(out), "omitempty drops a zero memory; \"2\" is quoted so it stays a string")

	for _, in := range []string{"4", "0.5", "1.5Gi", "-1", "1e3", "250m"} {
		orig := quantityHolder{CPU: MustParseQuantity(in), Memory: MustParseQuantity(in).Add(Quantity{})}
		out, err := yaml.Marshal(orig)
		require.NoError(t, err)
		var back quantityHolder
		require.NoError(t, yaml.Unmarshal(out, &back), string(out))
		assert.Equal(t, orig.CPU.String(), back.CPU.String(), "round trip of %s", in)
		assert.Equal(t, orig.Memory.String(), back.Memory.String(), "round trip of canonical %s", in)
		assert.Zero(t, orig.CPU.Cmp(back.CPU))
		assert.Zero(t, orig.Memory.Cmp(back.Memory))
	}
}

func TestQuantityJSON(t *testing.T) {
	out, err := json.Marshal(quantityHolder{CPU: NewMilliQuantity(250), Memory: MustParseQuantity("1.5Gi")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"cpu":"250m","memory":"1.5Gi"}`, string(out))

	var h quantityHolder
	require.NoError(t, json.Unmarshal([]byte(`{"cpu":0.5,"memory":"1Gi"}`), &h))
	assert.Equal(t, int64(500), h.CPU.MilliValue())
	assert.Equal(t, int64(1<<30), h.Memory.Value())

	h = quantityHolder{CPU: NewMilliQuantity(1)}
	require.NoError(t, json.Unmarshal([]byte(`{"cpu":null,"memory":" 2Ki "}`), &h))
	assert.True(t, h.CPU.IsZero())
	assert.Equal(t, int64(2048), h.Memory.Value())

	for _, doc := range []string{`{"cpu":"abc"}`, `{"cpu":true}`, `{"cpu":{}}`, `{"cpu":"1mi"}`} {
		assert.Error(t, json.Unmarshal([]byte(doc), &h), doc)
	}
}

func TestQuantityInt128(t *testing.T) {
	one := mulInt64(1, 1)
	minInt64 := mulInt64(math.MinInt64, 1)

	v, ok := minInt64.quoAway(1)
	assert.Equal(t, int64(math.MinInt64), v)
	assert.True(t, ok)

	below, ok := minInt64.sub(one)
	require.True(t, ok)
	v, ok = below.quoAway(1)
	assert.Equal(t, int64(math.MinInt64), v, "saturates")
	assert.False(t, ok)

	v, ok = mulInt64(-7, 1).quoAway(2)
	assert.Equal(t, int64(-4), v)
	assert.True(t, ok)
	v, ok = mulInt64(7, 1).quoAway(2)
	assert.Equal(t, int64(4), v)
	assert.True(t, ok)

	assert.Equal(t, 0, int128{}.sign())
	assert.Equal(t, -1, mulInt64(-1, 1).cmp(int128{}))
	assert.Equal(t, 1, one.cmp(mulInt64(-1, 1)))
	sum, ok := mulInt64(-1, 1).add(one)
	assert.True(t, ok)
	assert.Equal(t, int128{}, sum)

	maxInt128 := int128{hi: math.MaxInt64, lo: math.MaxUint64}
	_, ok = maxInt128.add(one)
	assert.False(t, ok)
	_, ok = maxInt128.neg().sub(mulInt64(2, 1))
	assert.False(t, ok)
}
