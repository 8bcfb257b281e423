package model

import (
	"encoding/json"
	"testing"
)

// FuzzParseQuantity checks that ParseQuantity never panics and that whatever
// it accepts survives a round trip through both its own text and its
// canonical form (upstream CanonicalizeBytes), and through JSON.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "1", "+1", "-1", ".5", "5.", "1.G", "007", "250m", "1n", "0.9n",
		"1u", "100k", "1.5M", "1E", "1Ki", "0.5Ki", "1.5Gi", "-1.5Gi", "1.0000001Ki",
		"7Ei", "8Ei", "1Ei", "1e3", "1E3", "1e+3", "3e-3", "129e-2", "1e-100", "1.2345",
		"9223372036854775807", "9223372036854775808", "-9223372036854775807",
		"9223372036854775.807", "9223372036854775.8071", "123456789012345678901234567890e-20",
		"1e2147483647", "1e-2147483648", "1e2147483648", "0e999",
		"", " ", "1 Mi", "1mi", "1.5.5", "Mi", "1e", "1e+", "1e3.5", ".", "+", "-", "--1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			if !q.IsZero() {
				t.Fatalf("ParseQuantity(%q) failed but returned %v", s, q)
			}
			return
		}
		if got := q.String(); got != s {
			t.Fatalf("ParseQuantity(%q).String() = %q, want the text as written", s, got)
		}
		reparsed, err := ParseQuantity(q.String())
		if err != nil || reparsed.Cmp(q) != 0 {
			t.Fatalf("ParseQuantity(%q) = %v, %v; want a value equal to the original", q.String(), reparsed, err)
		}

		canon := q.Add(Quantity{}).String()
		c, err := ParseQuantity(canon)
		if err != nil || c.Cmp(q) != 0 {
			t.Fatalf("%q: canonical %q parses to %v, %v; want an equal value", s, canon, c, err)
		}
		if again := c.Add(Quantity{}).String(); again != canon {
			t.Fatalf("%q: canonical form not stable: %q then %q", s, canon, again)
		}

		data, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		var j Quantity
		if err := json.Unmarshal(data, &j); err != nil || j.Cmp(q) != 0 {
			t.Fatalf("%q: JSON %s reads back as %v, %v", s, data, j, err)
		}

		// Value is MilliValue rounded the same way, away from zero.
		if !q.MilliOverflows() {
			m := q.MilliValue()
			want := m / 1000
			if m%1000 > 0 {
				want++
			} else if m%1000 < 0 {
				want--
			}
			if q.Value() != want {
				t.Fatalf("%q: Value() = %d, MilliValue() = %d", s, q.Value(), m)
			}
		}
		if v := q.Value(); (v > 0) != (q.Sign() > 0) || (v < 0) != (q.Sign() < 0) {
			t.Fatalf("%q: Value() = %d but Sign() = %d", s, v, q.Sign())
		}
	})
}
