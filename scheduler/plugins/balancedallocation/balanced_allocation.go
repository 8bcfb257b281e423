package balancedallocation

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/noderesources"
)

// Name is the plugin's name in profiles.
const Name = "NodeResourcesBalancedAllocation"

const preScoreStateKey framework.StateKey = "PreScore" + Name

// Args are NodeResourcesBalancedAllocationArgs (KubeSchedulerConfiguration
// v1).
type Args struct {
	// Resources are the resources to balance; weights must be 1.
	Resources []noderesources.ResourceSpec `yaml:"resources,omitempty"`
}

var _ framework.Args = (*Args)(nil)

// NewArgs returns empty Args for decoding.
func NewArgs() framework.Args { return &Args{} }

// SetDefaults applies upstream SetDefaults_NodeResourcesBalancedAllocationArgs:
// no resources means cpu and memory, a zero weight is 1.
func (a *Args) SetDefaults() {
	if len(a.Resources) == 0 {
		a.Resources = noderesources.DefaultResources()
		return
	}
	for i := range a.Resources {
		if a.Resources[i].Weight == 0 {
			a.Resources[i].Weight = 1
		}
	}
}

// Validate applies upstream ValidateNodeResourcesBalancedAllocationArgs:
// no duplicate names, every weight 1.
func (a *Args) Validate() error {
	var errs noderesources.FieldErrors
	seen := make(map[string]bool, len(a.Resources))
	for i, r := range a.Resources {
		if seen[r.Name] {
			errs = append(errs, model.FieldError{Path: fmt.Sprintf("resources[%d].name", i), Message: fmt.Sprintf("Duplicate value: %q", r.Name)})
		} else {
			seen[r.Name] = true
		}
		if r.Weight != 1 {
			errs = append(errs, model.FieldError{Path: fmt.Sprintf("resources[%d].weight", i), Message: fmt.Sprintf("Invalid value: %d: must be 1", r.Weight)})
		}
	}
	return errs.Err()
}

// BalancedAllocation scores nodes by how even their utilizations are.
type BalancedAllocation struct {
	resources []noderesources.ScoringResource
}

var (
	_ framework.PreScorePlugin = (*BalancedAllocation)(nil)
	_ framework.ScorePlugin    = (*BalancedAllocation)(nil)
)

// New builds the plugin from *Args (nil means the defaults). Args that are
// passed in are validated, not defaulted, as upstream.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	var a *Args
	switch v := args.(type) {
	case nil:
		a = &Args{}
		a.SetDefaults()
	case *Args:
		if v == nil {
			a = &Args{}
			a.SetDefaults()
		} else {
			a = v
		}
	default:
		return nil, fmt.Errorf("want args to be of type NodeResourcesBalancedAllocationArgs, got %T", args)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &BalancedAllocation{resources: noderesources.NewScoringResources(a.Resources)}, nil
}

// Name returns the plugin name.
func (b *BalancedAllocation) Name() string { return Name }

// preScoreState holds the pod's real requests per resource; immutable.
type preScoreState struct {
	podRequests []int64
}

// Clone shares the immutable state.
func (s *preScoreState) Clone() framework.StateData { return s }

func (b *BalancedAllocation) podRequests(pod *model.Pod) []int64 {
	req := model.PodRequests(pod, false)
	return noderesources.PodRequests(b.resources, &req)
}

func isBestEffort(podRequests []int64) bool {
	for _, r := range podRequests {
		if r != 0 {
			return false
		}
	}
	return true
}

// PreScore stores the pod's requests, or returns Skip when it requests none
// of the resources.
func (b *BalancedAllocation) PreScore(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) *framework.Status {
	req := b.podRequests(pod)
	if isBestEffort(req) {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(preScoreStateKey, &preScoreState{podRequests: req})
	return nil
}

// ScoreExtensions returns nil: scores are already 0..MaxNodeScore.
func (b *BalancedAllocation) ScoreExtensions() framework.ScoreExtensions { return nil }

// Score rates the node's balance with the pod. Without PreScore state it
// computes the requests itself (and scores a best-effort pod 0).
func (b *BalancedAllocation) Score(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) (int64, *framework.Status) {
	var podRequests []int64
	if d, ok := state.Read(preScoreStateKey); ok {
		s, ok := d.(*preScoreState)
		if !ok {
			return 0, framework.AsStatus(fmt.Errorf("invalid PreScore state, got type %T", d))
		}
		podRequests = s.podRequests
	} else {
		podRequests = b.podRequests(pod)
		if isBestEffort(podRequests) {
			return 0, nil
		}
	}
	if len(b.resources) == 0 {
		return 0, framework.NewStatus(framework.Error, "resources not found")
	}
	return b.score(podRequests, nodeInfo), nil
}

// maxStackResources bounds the fractions kept on the stack; more resources
// than this still work but allocate.
const maxStackResources = 16

func (b *BalancedAllocation) score(podRequests []int64, ni *framework.NodeInfo) int64 {
	var buf [maxStackResources]float64
	fractions := buf[:0]
	var total float64
	for i := range b.resources {
		alloc, req := b.resources[i].AllocatableAndRequested(ni, podRequests[i], true)
		if alloc == 0 {
			continue
		}
		f := float64(req) / float64(alloc)
		if f > 1 {
			f = 1
		}
		total += f
		fractions = append(fractions, f)
	}
	std := 0.0
	switch n := len(fractions); {
	case n == 2:
		std = math.Abs((fractions[0] - fractions[1]) / 2)
	case n > 2:
		mean := total / float64(n)
		var sum float64
		for _, f := range fractions {
			sum += (f - mean) * (f - mean)
		}
		std = math.Sqrt(sum / float64(n))
	}
	return int64((1 - std) * float64(framework.MaxNodeScore))
}
