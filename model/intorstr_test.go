package model

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// Expected values follow upstream intstr.GetScaledValueFromIntOrPercent:
// an int is returned as is; "p%" is ceil or floor of p*total/100.
func TestIntOrStringGetScaledValueFromIntOrPercent(t *testing.T) {
	tests := []struct {
		name    string
		v       IntOrString
		total   int
		roundUp bool
		want    int
		wantErr string
	}{
		{"25% of 10 up", FromString("25%"), 10, true, 3, ""}, // 2.5
		{"25% of 10 down", FromString("25%"), 10, false, 2, ""},
		{"100% of 0", FromString("100%"), 0, true, 0, ""},
		{"0% of 10", FromString("0%"), 10, true, 0, ""},
		{"50% of 5 up", FromString("50%"), 5, true, 3, ""},
		{"50% of 5 down", FromString("50%"), 5, false, 2, ""},
		{"33% of 3 up", FromString("33%"), 3, true, 1, ""}, // 0.99
		{"33% of 3 down", FromString("33%"), 3, false, 0, ""},
		{"150% of 10", FromString("150%"), 10, false, 15, ""},
		{"+25% of 10", FromString("+25%"), 10, true, 3, ""}, // strconv.Atoi accepts a sign
		// math.Ceil(-2.5) is -2 and math.Floor(-2.5) is -3.
		{"-25% of 10 up", FromString("-25%"), 10, true, -2, ""},
		{"-25% of 10 down", FromString("-25%"), 10, false, -3, ""},
		{"100% of MaxInt", FromString("100%"), math.MaxInt, true, math.MaxInt, ""},
		{"int ignores total", FromInt32(5), 100, true, 5, ""},
		{"negative int", FromInt32(-5), 100, false, -5, ""},
		{"200% of MaxInt", FromString("200%"), math.MaxInt, true, 0, "overflows"},
		{"abc", FromString("abc"), 10, true, 0, "not a percentage"},
		{"number string without %", FromString("10"), 10, true, 0, "not a percentage"},
		{"bare %", FromString("%"), 10, true, 0, "invalid value"},
		{"fraction", FromString("25.5%"), 10, true, 0, "invalid value"},
		{"x%", FromString("x%"), 10, true, 0, "invalid value"},
		{"bad type", IntOrString{Type: 7}, 10, true, 0, "neither int nor percentage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v
			got, err := GetScaledValueFromIntOrPercent(&v, tt.total, tt.roundUp)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := GetScaledValueFromIntOrPercent(nil, 10, true)
	assert.ErrorContains(t, err, "nil")
}

func TestIntOrStringBasics(t *testing.T) {
	assert.Equal(t, IntOrString{Type: IntOrStringInt, IntVal: 3}, FromInt32(3))
	assert.Equal(t, IntOrString{Type: IntOrStringString, StrVal: "25%"}, FromString("25%"))
	assert.Equal(t, "-3", FromInt32(-3).String())
	assert.Equal(t, "25%", FromString("25%").String())
	assert.Equal(t, 12, FromString("12").IntValue())
	assert.Equal(t, 0, FromString("25%").IntValue())
	assert.Equal(t, 7, FromInt32(7).IntValue())
	assert.Equal(t, "0", IntOrString{}.String(), "the zero value is the int 0")
}

type intOrStringHolder struct {
	MaxSurge IntOrString `yaml:"maxSurge" json:"maxSurge"`
}

func TestIntOrStringYAML(t *testing.T) {
	tests := []struct {
		doc  string
		want IntOrString
	}{
		{"maxSurge: 25%", FromString("25%")},
		{"maxSurge: 2", FromInt32(2)},
		{"maxSurge: -2", FromInt32(-2)},
		{"maxSurge: '2'", FromString("2")},
		{"maxSurge: 0x10", FromInt32(16)},
		{"maxSurge: 2147483647", FromInt32(math.MaxInt32)},
		{"maxSurge: abc", FromString("abc")},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			var h intOrStringHolder
			require.NoError(t, yaml.Unmarshal([]byte(tt.doc), &h))
			assert.Equal(t, tt.want, h.MaxSurge)
		})
	}
	for _, doc := range []string{
		"maxSurge: 1.5",
		"maxSurge: true",
		"maxSurge: [1]",
		"maxSurge: {a: 1}",
		"maxSurge: 2147483648",
	} {
		t.Run(doc, func(t *testing.T) {
			var h intOrStringHolder
			err := yaml.Unmarshal([]byte(doc), &h)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "line 1")
			assert.Contains(t, err.Error(), "expected an integer")
		})
	}

	for _, tt := range []struct {
		v    IntOrString
		want string
	}{
		{FromInt32(2), "maxSurge: 2\n"},
		{FromString("25%"), "maxSurge: 25%\n"},
		{FromString("2"), "maxSurge: \"2\"\n"},
	} {
		out, err := yaml.Marshal(intOrStringHolder{tt.v})
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(out))
		var back intOrStringHolder
		require.NoError(t, yaml.Unmarshal(out, &back))
		assert.Equal(t, tt.v, back.MaxSurge)
	}
	_, err := yaml.Marshal(intOrStringHolder{IntOrString{Type: 7}})
	assert.Error(t, err)
}

func TestIntOrStringJSON(t *testing.T) {
	for _, tt := range []struct {
		v    IntOrString
		want string
	}{
		{FromInt32(2), `{"maxSurge":2}`},
		{FromString("25%"), `{"maxSurge":"25%"}`},
	} {
		out, err := json.Marshal(intOrStringHolder{tt.v})
		require.NoError(t, err)
		assert.JSONEq(t, tt.want, string(out))
		var back intOrStringHolder
		require.NoError(t, json.Unmarshal(out, &back))
		assert.Equal(t, tt.v, back.MaxSurge)
	}
	var h intOrStringHolder
	assert.Error(t, json.Unmarshal([]byte(`{"maxSurge":1.5}`), &h))
	assert.Error(t, json.Unmarshal([]byte(`{"maxSurge":true}`), &h))
	_, err := json.Marshal(intOrStringHolder{IntOrString{Type: 7}})
	assert.Error(t, err)
}
