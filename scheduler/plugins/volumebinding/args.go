package volumebinding

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// DefaultBindTimeoutSeconds is upstream's default bindTimeoutSeconds.
const DefaultBindTimeoutSeconds int64 = 600

// UtilizationShapePoint is a point of the StorageCapacityScoring shape
// (upstream config.UtilizationShapePoint).
type UtilizationShapePoint struct {
	Utilization int32 `yaml:"utilization"`
	Score       int32 `yaml:"score"`
}

// Args are VolumeBindingArgs (KubeSchedulerConfiguration v1).
type Args struct {
	// BindTimeoutSeconds bounds how long PreBind may wait for the binding
	// to complete; 0 is allowed, negative is not.
	BindTimeoutSeconds *int64 `yaml:"bindTimeoutSeconds,omitempty"`
	// Shape scores nodes by the utilization of the chosen PVs. It needs
	// the StorageCapacityScoring feature (alpha, off), so it must be unset.
	Shape []UtilizationShapePoint `yaml:"shape,omitempty"`
}

var _ framework.Args = (*Args)(nil)

// NewArgs returns empty Args for decoding.
func NewArgs() framework.Args { return &Args{} }

// SetDefaults applies upstream SetDefaults_VolumeBindingArgs: a missing
// bindTimeoutSeconds is 600 (the shape is only defaulted with
// StorageCapacityScoring enabled).
func (a *Args) SetDefaults() {
	if a.BindTimeoutSeconds == nil {
		a.BindTimeoutSeconds = model.Ptr(DefaultBindTimeoutSeconds)
	}
}

// Validate applies upstream ValidateVolumeBindingArgs with
// StorageCapacityScoring disabled.
func (a *Args) Validate() error {
	var errs []model.FieldError
	if a.BindTimeoutSeconds != nil && *a.BindTimeoutSeconds < 0 {
		errs = append(errs, model.FieldError{Path: "bindTimeoutSeconds",
			Message: fmt.Sprintf("Invalid value: %d: invalid BindTimeoutSeconds, should not be a negative value", *a.BindTimeoutSeconds)})
	}
	if a.Shape != nil {
		errs = append(errs, model.FieldError{Path: "shape",
			Message: fmt.Sprintf("Invalid value: %v: unexpected field `shape`, remove it or turn on the feature gate StorageCapacityScoring", a.Shape)})
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i := range errs {
		msgs[i] = errs[i].Error()
	}
	return fmt.Errorf("[%s]", strings.Join(msgs, ", "))
}

// BindTimeout returns bindTimeoutSeconds as a duration (the default when
// unset).
func (a *Args) BindTimeout() time.Duration {
	return time.Duration(model.Deref(a.BindTimeoutSeconds, DefaultBindTimeoutSeconds)) * time.Second
}
