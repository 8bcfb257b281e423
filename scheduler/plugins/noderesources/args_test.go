package noderesources

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// TestSetDefaults: upstream pkg/scheduler/apis/config/v1 defaults_test.go
// (NodeResourcesFitArgs cases of TestPluginArgsDefaults).
func TestSetDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Args
		want Args
	}{
		{name: "NodeResourcesFitArgs empty", in: Args{},
			want: Args{ScoringStrategy: &ScoringStrategy{Type: LeastAllocated, Resources: []ResourceSpec{{"cpu", 1}, {"memory", 1}}}}},
		{name: "NodeResourcesFitArgs with empty resources",
			in:   Args{ScoringStrategy: &ScoringStrategy{Type: MostAllocated}},
			want: Args{ScoringStrategy: &ScoringStrategy{Type: MostAllocated, Resources: []ResourceSpec{{"cpu", 1}, {"memory", 1}}}}},
		{name: "NodeResourcesFitArgs resources with zero weight",
			in:   Args{ScoringStrategy: &ScoringStrategy{Type: MostAllocated, Resources: []ResourceSpec{{"cpu", 0}, {"memory", 2}}}},
			want: Args{ScoringStrategy: &ScoringStrategy{Type: MostAllocated, Resources: []ResourceSpec{{"cpu", 1}, {"memory", 2}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.SetDefaults()
			assert.Equal(t, tc.want, tc.in)
		})
	}
}

// TestValidate: upstream validation_pluginargs_test.go
// TestValidateFitArgs.
func TestValidate(t *testing.T) {
	ratio := func(shape ...UtilizationShapePoint) *ScoringStrategy {
		return &ScoringStrategy{Type: RequestedToCapacityRatio, Resources: defaultResources, RequestedToCapacityRatio: &RequestedToCapacityRatioParam{Shape: shape}}
	}
	tests := []struct {
		name    string
		args    Args
		wantErr string
	}{
		{name: "IgnoredResources: too long value", args: Args{IgnoredResources: []string{strings.Repeat("a", 64)}},
			wantErr: "ignoredResources[0]: Invalid value"},
		{name: "IgnoredResources: name is empty", args: Args{IgnoredResources: []string{"example.com/"}},
			wantErr: "ignoredResources[0]: Invalid value"},
		{name: "IgnoredResources: name has too many slash", args: Args{IgnoredResources: []string{"example.com/aaa/bbb"}},
			wantErr: "ignoredResources[0]: Invalid value"},
		{name: "IgnoredResources: valid args", args: Args{IgnoredResources: []string{"example.com"}}},
		{name: "IgnoredResourceGroups: valid args ", args: Args{IgnoredResourceGroups: []string{"example.com"}}},
		{name: "IgnoredResourceGroups: name is empty", args: Args{IgnoredResourceGroups: []string{""}},
			wantErr: "ignoredResourceGroups[0]: Invalid value"},
		{name: "IgnoredResourceGroups: name has slash", args: Args{IgnoredResourceGroups: []string{"example.com/"}},
			wantErr: "ignoredResourceGroups[0]: Invalid value: \"example.com/\": resource group name can't contain '/'"},
		{name: "IgnoredResourceGroups: name has too many slash", args: Args{IgnoredResourceGroups: []string{"example.com/aaa/bbb"}},
			wantErr: "ignoredResourceGroups[0]: Invalid value: \"example.com/aaa/bbb\": resource group name can't contain '/'"},
		{name: "ScoringStrategy: type is unsupported", args: Args{ScoringStrategy: &ScoringStrategy{Type: "Invalid"}},
			wantErr: `scoringStrategy.type: Unsupported value: "Invalid": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"`},
		{name: "ScoringStrategy: resources weight out of range",
			args:    Args{ScoringStrategy: &ScoringStrategy{Type: LeastAllocated, Resources: []ResourceSpec{{"cpu", 0}, {"memory", 101}}}},
			wantErr: "[scoringStrategy.resources[0].weight: Invalid value: 0: resource weight of cpu not in valid range (0, 100], scoringStrategy.resources[1].weight: Invalid value: 101: resource weight of memory not in valid range (0, 100]]"},
		{name: "ScoringStrategy: shape is empty", args: Args{ScoringStrategy: ratio()},
			wantErr: "scoringStrategy.shape: Required value: at least one point must be specified"},
		{name: "ScoringStrategy: shape utilization not sorted", args: Args{ScoringStrategy: ratio(UtilizationShapePoint{10, 1}, UtilizationShapePoint{5, 2})},
			wantErr: "scoringStrategy.shape[1].utilization: Invalid value: 5: values must be sorted in increasing order"},
		{name: "ScoringStrategy: shape out of range",
			args:    Args{ScoringStrategy: ratio(UtilizationShapePoint{-1, 0}, UtilizationShapePoint{101, 11})},
			wantErr: "[scoringStrategy.shape[0].utilization: Invalid value: -1: not in valid range [0, 100], scoringStrategy.shape[1].utilization: Invalid value: 101: not in valid range [0, 100], scoringStrategy.shape[1].score: Invalid value: 11: not in valid range [0, 10]]"},
		{name: "ScoringStrategy: valid ratio", args: Args{ScoringStrategy: ratio(UtilizationShapePoint{0, 0}, UtilizationShapePoint{100, 10})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.args.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestNewRejectsBadArgs(t *testing.T) {
	_, err := New(&Args{ScoringStrategy: &ScoringStrategy{Type: RequestedToCapacityRatio, Resources: defaultResources}}, nil)
	assert.Error(t, err, "RequestedToCapacityRatio without a shape")
	_, err = New(&Args{}, nil)
	assert.EqualError(t, err, "scoring strategy not specified")
	_, err = New(42, nil)
	assert.Error(t, err)
	p, err := New(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, Name, p.Name())
}

// TestArgsYAML checks the v1 field names.
func TestArgsYAML(t *testing.T) {
	const doc = `
ignoredResources: [example.com/foo]
ignoredResourceGroups: [example.org]
scoringStrategy:
  type: RequestedToCapacityRatio
  resources:
  - name: intel.com/foo
    weight: 3
  requestedToCapacityRatio:
    shape:
    - {utilization: 0, score: 0}
    - {utilization: 100, score: 10}
`
	a := NewArgs().(*Args)
	require.NoError(t, yaml.Unmarshal([]byte(doc), a))
	a.SetDefaults()
	require.NoError(t, a.Validate())
	assert.Equal(t, &Args{
		IgnoredResources:      []string{"example.com/foo"},
		IgnoredResourceGroups: []string{"example.org"},
		ScoringStrategy: &ScoringStrategy{Type: RequestedToCapacityRatio, Resources: []ResourceSpec{{"intel.com/foo", 3}},
			RequestedToCapacityRatio: &RequestedToCapacityRatioParam{Shape: []UtilizationShapePoint{{0, 0}, {100, 10}}}},
	}, a)
}
