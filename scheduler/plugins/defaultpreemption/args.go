package defaultpreemption

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Defaults (upstream SetDefaults_DefaultPreemptionArgs).
const (
	DefaultMinCandidateNodesPercentage int32 = 10
	DefaultMinCandidateNodesAbsolute   int32 = 100
)

// Args are DefaultPreemptionArgs (KubeSchedulerConfiguration v1): how many
// candidate nodes the dry run must find before it stops.
type Args struct {
	// MinCandidateNodesPercentage is the share of potential nodes, 0..100;
	// nil means 10.
	MinCandidateNodesPercentage *int32 `yaml:"minCandidateNodesPercentage,omitempty"`
	// MinCandidateNodesAbsolute is the floor, >= 0; nil means 100. The two
	// may not both be 0.
	MinCandidateNodesAbsolute *int32 `yaml:"minCandidateNodesAbsolute,omitempty"`
}

var _ framework.Args = (*Args)(nil)

// NewArgs returns empty Args for decoding.
func NewArgs() framework.Args { return &Args{} }

// SetDefaults fills unset fields with 10% and 100.
func (a *Args) SetDefaults() {
	if a.MinCandidateNodesPercentage == nil {
		v := DefaultMinCandidateNodesPercentage
		a.MinCandidateNodesPercentage = &v
	}
	if a.MinCandidateNodesAbsolute == nil {
		v := DefaultMinCandidateNodesAbsolute
		a.MinCandidateNodesAbsolute = &v
	}
}

// Validate applies upstream ValidateDefaultPreemptionArgs: the percentage
// lies in [0, 100], the absolute number is not negative, and they are not
// both zero. Unset fields are taken at their defaults.
func (a *Args) Validate() error {
	pct := model.Deref(a.MinCandidateNodesPercentage, DefaultMinCandidateNodesPercentage)
	abs := model.Deref(a.MinCandidateNodesAbsolute, DefaultMinCandidateNodesAbsolute)
	const pctPath, absPath = "minCandidateNodesPercentage", "minCandidateNodesAbsolute"
	var errs fieldErrors
	if pct < 0 || pct > 100 {
		errs.add(pctPath, pct, "not in valid range [0, 100]")
	}
	if abs < 0 {
		errs.add(absPath, abs, "not in valid range [0, inf)")
	}
	if pct == 0 && abs == 0 {
		errs.add(pctPath, pct, "cannot be zero at the same time as minCandidateNodesAbsolute")
		errs.add(absPath, abs, "cannot be zero at the same time as minCandidateNodesPercentage")
	}
	return errs.err()
}

// fieldErrors reads like upstream's aggregated field.ErrorList: one
// message, or several in brackets separated by ", ".
type fieldErrors []model.FieldError

func (e *fieldErrors) add(path string, value int32, detail string) {
	*e = append(*e, model.FieldError{Path: path, Message: fmt.Sprintf("Invalid value: %d: %s", value, detail)})
}

func (e fieldErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

func (e fieldErrors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	msgs := make([]string, len(e))
	for i := range e {
		msgs[i] = e[i].Error()
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}
