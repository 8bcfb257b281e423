package podtopologyspread

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// DefaultingType says where the default constraints come from.
type DefaultingType string

// The defaulting types.
const (
	// SystemDefaulting uses the built-in constraints (hostname maxSkew 3,
	// zone maxSkew 5, both ScheduleAnyway); defaultConstraints must be empty.
	SystemDefaulting DefaultingType = "System"
	// ListDefaulting uses Args.DefaultConstraints.
	ListDefaulting DefaultingType = "List"
)

// Args are PodTopologySpreadArgs (KubeSchedulerConfiguration pluginConfig).
type Args struct {
	// DefaultConstraints apply to pods without topologySpreadConstraints
	// when DefaultingType is List. They must not set labelSelector: the
	// selector is derived from the pod's Services and controller.
	DefaultConstraints []model.TopologySpreadConstraint `yaml:"defaultConstraints,omitempty"`
	// DefaultingType is System (default) or List.
	DefaultingType DefaultingType `yaml:"defaultingType,omitempty"`
}

var _ framework.Args = (*Args)(nil)

// NewArgs returns empty Args to decode pluginConfig into.
func NewArgs() framework.Args { return &Args{} }

// SetDefaults sets defaultingType to System when unset (upstream
// SetDefaults_PodTopologySpreadArgs).
func (a *Args) SetDefaults() {
	if a.DefaultingType == "" {
		a.DefaultingType = SystemDefaulting
	}
}

// Validate mirrors upstream ValidatePodTopologySpreadArgs.
func (a *Args) Validate() error {
	var errs []string
	switch a.DefaultingType {
	case SystemDefaulting:
		if len(a.DefaultConstraints) > 0 {
			errs = append(errs, fmt.Sprintf("defaultingType: Invalid value: %q: when .defaultConstraints are not empty", a.DefaultingType))
		}
	case ListDefaulting:
	default:
		errs = append(errs, fmt.Sprintf("defaultingType: Unsupported value: %q: supported values: %q, %q", a.DefaultingType, SystemDefaulting, ListDefaulting))
	}
	for i := range a.DefaultConstraints {
		c := &a.DefaultConstraints[i]
		p := fmt.Sprintf("defaultConstraints[%d]", i)
		if c.MaxSkew <= 0 {
			errs = append(errs, fmt.Sprintf("%s.maxSkew: Invalid value: %d: not in valid range (0, inf)", p, c.MaxSkew))
		}
		if c.TopologyKey == "" {
			errs = append(errs, p+".topologyKey: Required value: can not be empty")
		} else if err := model.ValidateLabelKey(c.TopologyKey); err != nil {
			errs = append(errs, fmt.Sprintf("%s.topologyKey: Invalid value: %q: %v", p, c.TopologyKey, err))
		}
		switch c.WhenUnsatisfiable {
		case "":
			errs = append(errs, p+".whenUnsatisfiable: Required value: can not be empty")
		case model.DoNotSchedule, model.ScheduleAnyway:
		default:
			errs = append(errs, fmt.Sprintf("%s.whenUnsatisfiable: Unsupported value: %q: supported values: %q, %q", p, c.WhenUnsatisfiable, model.DoNotSchedule, model.ScheduleAnyway))
		}
		if c.LabelSelector != nil {
			errs = append(errs, p+".labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod")
		}
		for j := 0; j < i; j++ {
			o := &a.DefaultConstraints[j]
			if c.TopologyKey == o.TopologyKey && c.WhenUnsatisfiable == o.WhenUnsatisfiable {
				errs = append(errs, fmt.Sprintf("%s: Duplicate value: \"{%s, %s}\"", p, c.TopologyKey, c.WhenUnsatisfiable))
				break
			}
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errors.New(errs[0])
	}
	return errors.New("[" + strings.Join(errs, ", ") + "]")
}
