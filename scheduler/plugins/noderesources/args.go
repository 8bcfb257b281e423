package noderesources

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// ScoringStrategyType names how NodeResourcesFit scores nodes.
type ScoringStrategyType string

// The scoring strategies (upstream config.ScoringStrategyType).
const (
	// LeastAllocated favours nodes with more free resources (the default).
	LeastAllocated ScoringStrategyType = "LeastAllocated"
	// MostAllocated favours nodes with fewer free resources (bin packing).
	MostAllocated ScoringStrategyType = "MostAllocated"
	// RequestedToCapacityRatio scores utilization through a broken-linear
	// shape.
	RequestedToCapacityRatio ScoringStrategyType = "RequestedToCapacityRatio"
)

// Score bounds of RequestedToCapacityRatio shapes (upstream
// config.MaxCustomPriorityScore) and of resource weights.
const (
	MaxCustomPriorityScore int64 = 10
	MaxResourceWeight      int64 = 100
	maxUtilization         int64 = 100
)

// ResourceSpec is a resource and its weight in scoring (upstream
// config.ResourceSpec).
type ResourceSpec struct {
	Name   string `yaml:"name"`
	Weight int64  `yaml:"weight,omitempty"`
}

// UtilizationShapePoint is one point of a RequestedToCapacityRatio shape:
// utilization 0..100 scores 0..10.
type UtilizationShapePoint struct {
	Utilization int32 `yaml:"utilization"`
	Score       int32 `yaml:"score"`
}

// RequestedToCapacityRatioParam holds the shape of the
// RequestedToCapacityRatio strategy.
type RequestedToCapacityRatioParam struct {
	Shape []UtilizationShapePoint `yaml:"shape,omitempty"`
}

// ScoringStrategy selects and parameterizes the scoring function.
type ScoringStrategy struct {
	Type                     ScoringStrategyType            `yaml:"type,omitempty"`
	Resources                []ResourceSpec                 `yaml:"resources,omitempty"`
	RequestedToCapacityRatio *RequestedToCapacityRatioParam `yaml:"requestedToCapacityRatio,omitempty"`
}

// Args are NodeResourcesFitArgs (KubeSchedulerConfiguration v1).
type Args struct {
	// IgnoredResources are extended resources Filter does not check.
	IgnoredResources []string `yaml:"ignoredResources,omitempty"`
	// IgnoredResourceGroups are extended-resource prefixes ("example.com"
	// for "example.com/gpu") Filter does not check.
	IgnoredResourceGroups []string         `yaml:"ignoredResourceGroups,omitempty"`
	ScoringStrategy       *ScoringStrategy `yaml:"scoringStrategy,omitempty"`
}

var _ framework.Args = (*Args)(nil)

// NewArgs returns empty Args for decoding.
func NewArgs() framework.Args { return &Args{} }

// DefaultResources are the default scoring resources: cpu and memory with
// weight 1 (upstream defaultResourceSpec).
func DefaultResources() []ResourceSpec {
	return []ResourceSpec{{Name: string(model.ResourceCPU), Weight: 1}, {Name: string(model.ResourceMemory), Weight: 1}}
}

// SetDefaults applies upstream SetDefaults_NodeResourcesFitArgs: a missing
// strategy is LeastAllocated over cpu and memory, an empty resource list is
// cpu and memory, and a zero weight is 1. A strategy without a type keeps
// it empty (Validate rejects it), as upstream does.
func (a *Args) SetDefaults() {
	if a.ScoringStrategy == nil {
		a.ScoringStrategy = &ScoringStrategy{Type: LeastAllocated, Resources: DefaultResources()}
	}
	if len(a.ScoringStrategy.Resources) == 0 {
		a.ScoringStrategy.Resources = DefaultResources()
	}
	for i := range a.ScoringStrategy.Resources {
		if a.ScoringStrategy.Resources[i].Weight == 0 {
			a.ScoringStrategy.Resources[i].Weight = 1
		}
	}
}

// Validate applies upstream ValidateNodeResourcesFitArgs. Paths are
// relative to the args, as in upstream's NewFit (including its use of
// scoringStrategy.shape for the shape's points).
func (a *Args) Validate() error {
	var errs FieldErrors
	for i, r := range a.IgnoredResources {
		if err := model.ValidateLabelKey(r); err != nil {
			errs.add(fmt.Sprintf("ignoredResources[%d]", i), "Invalid value: %q: %v", r, err)
		}
	}
	for i, g := range a.IgnoredResourceGroups {
		path := fmt.Sprintf("ignoredResourceGroups[%d]", i)
		if strings.Contains(g, "/") {
			errs.add(path, "Invalid value: %q: resource group name can't contain '/'", g)
		}
		if err := model.ValidateLabelKey(g); err != nil {
			errs.add(path, "Invalid value: %q: %v", g, err)
		}
	}
	if s := a.ScoringStrategy; s != nil {
		switch s.Type {
		case LeastAllocated, MostAllocated, RequestedToCapacityRatio:
		default:
			errs.add("scoringStrategy.type", "Unsupported value: %q: supported values: %q, %q, %q",
				s.Type, LeastAllocated, MostAllocated, RequestedToCapacityRatio)
		}
		errs = append(errs, ValidateResourceWeights(s.Resources, "scoringStrategy.resources")...)
		if s.RequestedToCapacityRatio != nil {
			errs = append(errs, validateShape(s.RequestedToCapacityRatio.Shape, "scoringStrategy.shape")...)
		}
	}
	return errs.Err()
}

// ValidateResourceWeights checks every weight is in (0, 100] (upstream
// validateResources).
func ValidateResourceWeights(resources []ResourceSpec, path string) FieldErrors {
	var errs FieldErrors
	for i, r := range resources {
		if r.Weight <= 0 || r.Weight > MaxResourceWeight {
			errs.add(fmt.Sprintf("%s[%d].weight", path, i), "Invalid value: %d: resource weight of %s not in valid range (0, %d]", r.Weight, r.Name, MaxResourceWeight)
		}
	}
	return errs
}

// validateShape is upstream validateFunctionShape: at least one point,
// utilizations strictly increasing within [0, 100], scores within [0, 10].
func validateShape(shape []UtilizationShapePoint, path string) FieldErrors {
	var errs FieldErrors
	if len(shape) == 0 {
		errs.add(path, "Required value: at least one point must be specified")
		return errs
	}
	for i := 1; i < len(shape); i++ {
		if shape[i-1].Utilization >= shape[i].Utilization {
			errs.add(fmt.Sprintf("%s[%d].utilization", path, i), "Invalid value: %d: values must be sorted in increasing order", shape[i].Utilization)
			break
		}
	}
	for i, p := range shape {
		if int64(p.Utilization) < 0 || int64(p.Utilization) > maxUtilization {
			errs.add(fmt.Sprintf("%s[%d].utilization", path, i), "Invalid value: %d: not in valid range [0, %d]", p.Utilization, maxUtilization)
		}
		if int64(p.Score) < 0 || int64(p.Score) > MaxCustomPriorityScore {
			errs.add(fmt.Sprintf("%s[%d].score", path, i), "Invalid value: %d: not in valid range [0, %d]", p.Score, MaxCustomPriorityScore)
		}
	}
	return errs
}

// FieldErrors are argument validation errors; as an error they read like
// upstream's aggregated field.ErrorList: one message, or several in
// brackets separated by ", ".
type FieldErrors []model.FieldError

func (e *FieldErrors) add(path, format string, args ...any) {
	*e = append(*e, model.FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when there are no errors.
func (e FieldErrors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

func (e FieldErrors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	msgs := make([]string, len(e))
	for i := range e {
		msgs[i] = e[i].Error()
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}
