package nodeaffinity

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Args are NodeAffinityArgs (KubeSchedulerConfiguration pluginConfig).
type Args struct {
	// AddedAffinity is applied to every pod in addition to its own node
	// affinity: its required terms must match (Filter) and its preferred
	// terms add to the score.
	AddedAffinity *model.NodeAffinity `yaml:"addedAffinity,omitempty"`
}

var _ framework.Args = (*Args)(nil)

// NewArgs returns empty Args to decode pluginConfig into.
func NewArgs() framework.Args { return &Args{} }

// SetDefaults does nothing: NodeAffinityArgs have no defaults upstream.
func (a *Args) SetDefaults() {}

// Validate parses addedAffinity strictly, as upstream
// ValidateNodeAffinityArgs: every required term and every preferred term
// with a non-zero weight must be a valid node selector term.
func (a *Args) Validate() error {
	if a == nil || a.AddedAffinity == nil {
		return nil
	}
	_, _, err := compileAdded(a.AddedAffinity)
	return err
}

// compileAdded compiles addedAffinity; the error names the offending field.
func compileAdded(aff *model.NodeAffinity) (*model.NodeSelectorMatcher, *model.PreferredSchedulingTerms, error) {
	var (
		req  *model.NodeSelectorMatcher
		pref *model.PreferredSchedulingTerms
		errs []error
	)
	if ns := aff.RequiredDuringSchedulingIgnoredDuringExecution; ns != nil {
		m, err := model.NewNodeSelectorMatcher(ns)
		if err != nil {
			errs = append(errs, fmt.Errorf("addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.%w", err))
		}
		req = m
	}
	if terms := aff.PreferredDuringSchedulingIgnoredDuringExecution; len(terms) != 0 {
		p, err := model.NewPreferredSchedulingTerms(terms)
		if err != nil {
			errs = append(errs, fmt.Errorf("addedAffinity.preferredDuringSchedulingIgnoredDuringExecution%w", err))
		}
		pref = p
	}
	switch len(errs) {
	case 0:
		return req, pref, nil
	case 1:
		return nil, nil, errs[0]
	}
	return nil, nil, fmt.Errorf("[%v, %v]", errs[0], errs[1])
}
