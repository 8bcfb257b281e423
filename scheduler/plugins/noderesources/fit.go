package noderesources

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

// Name is the plugin's name in profiles.
const Name = "NodeResourcesFit"

const (
	preFilterStateKey framework.StateKey = "PreFilter" + Name
	preScoreStateKey  framework.StateKey = "PreScore" + Name

	// ReasonTooManyPods is the Filter reason when the node's pod capacity
	// is used up.
	ReasonTooManyPods = "Too many pods"
)

// Fit checks that a node has room for the pod's requests and scores nodes
// by their allocation.
type Fit struct {
	ignoredResources      map[string]bool
	ignoredResourceGroups map[string]bool
	strategy              ScoringStrategyType
	resources             []ScoringResource
	// shape is the RequestedToCapacityRatio shape scaled to 0..MaxNodeScore.
	shape func(int64) int64
}

var (
	_ framework.PreFilterPlugin   = (*Fit)(nil)
	_ framework.FilterPlugin      = (*Fit)(nil)
	_ framework.PreScorePlugin    = (*Fit)(nil)
	_ framework.ScorePlugin       = (*Fit)(nil)
	_ framework.EnqueueExtensions = (*Fit)(nil)
)

// New builds the plugin from *Args (nil means the defaults). Args that are
// passed in are validated but not defaulted, as upstream's NewFit.
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
		return nil, fmt.Errorf("want args to be of type NodeResourcesFitArgs, got %T", args)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if a.ScoringStrategy == nil {
		return nil, errors.New("scoring strategy not specified")
	}
	f := &Fit{
		ignoredResources:      toSet(a.IgnoredResources),
		ignoredResourceGroups: toSet(a.IgnoredResourceGroups),
		strategy:              a.ScoringStrategy.Type,
		resources:             NewScoringResources(a.ScoringStrategy.Resources),
	}
	if f.strategy == RequestedToCapacityRatio {
		p := a.ScoringStrategy.RequestedToCapacityRatio
		if p == nil {
			return nil, errors.New("scoringStrategy.requestedToCapacityRatio: required for the RequestedToCapacityRatio strategy")
		}
		shape := make([]helper.FunctionShapePoint, len(p.Shape))
		for i, pt := range p.Shape {
			shape[i] = helper.FunctionShapePoint{
				Utilization: int64(pt.Utilization),
				Score:       int64(pt.Score) * (framework.MaxNodeScore / MaxCustomPriorityScore),
			}
		}
		f.shape = helper.BuildBrokenLinearFunction(shape)
	}
	return f, nil
}

func toSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// Name returns the plugin name.
func (f *Fit) Name() string { return Name }

// scalarRequest is one extended/scalar resource Filter checks.
type scalarRequest struct {
	name   model.ResourceName
	value  int64
	reason string
}

// preFilterState is the pod's requests. It is never mutated after
// PreFilter, so Clone shares it.
type preFilterState struct {
	model.Resources
	// scalars are the non-zero scalar requests not ignored by the args, in
	// name order, each with its reason.
	scalars []scalarRequest
	// none is true when the pod requests nothing at all (only the pod
	// count is checked).
	none bool
}

// Clone shares the immutable state.
func (s *preFilterState) Clone() framework.StateData { return s }

// computePodRequest computes the pod's effective requests and which of its
// scalar resources Filter checks.
func (f *Fit) computePodRequest(pod *model.Pod) *preFilterState {
	s := &preFilterState{Resources: model.PodRequests(pod, false)}
	nScalars := 0
	for _, sc := range s.Resources.Scalars {
		if !IsScalarResourceName(sc.Name) {
			// Upstream's framework.Resource drops names that are not
			// scalar resources; the API would have rejected them.
			continue
		}
		nScalars++
		if sc.Value == 0 || f.ignored(sc.Name) {
			continue
		}
		s.scalars = append(s.scalars, scalarRequest{name: sc.Name, value: sc.Value, reason: "Insufficient " + string(sc.Name)})
	}
	s.none = s.MilliCPU == 0 && s.Memory == 0 && s.EphemeralStorage == 0 && nScalars == 0
	return s
}

// ignored reports an extended resource listed in ignoredResources or in a
// group of ignoredResourceGroups.
func (f *Fit) ignored(name model.ResourceName) bool {
	if f == nil || !IsExtendedResourceName(name) {
		return false
	}
	if f.ignoredResources[string(name)] {
		return true
	}
	if len(f.ignoredResourceGroups) > 0 {
		prefix, _, _ := strings.Cut(string(name), "/")
		return f.ignoredResourceGroups[prefix]
	}
	return false
}

// PreFilter stores the pod's requests.
func (f *Fit) PreFilter(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	state.Write(preFilterStateKey, f.computePodRequest(pod))
	return nil, nil
}

// PreFilterExtensions returns nil: the state does not depend on other pods.
func (f *Fit) PreFilterExtensions() framework.PreFilterExtensions { return nil }

func getPreFilterState(state *framework.CycleState) (*preFilterState, error) {
	d, ok := state.Read(preFilterStateKey)
	if !ok {
		return nil, fmt.Errorf("reading %q from cycleState: not found", preFilterStateKey)
	}
	s, ok := d.(*preFilterState)
	if !ok {
		return nil, fmt.Errorf("%+v convert to NodeResourcesFit.preFilterState error", d)
	}
	return s, nil
}

// Filter rejects the node when the pod does not fit: Unschedulable with
// every insufficient resource as a reason, or UnschedulableAndUnresolvable
// when some request exceeds the node's whole allocatable.
func (f *Fit) Filter(state *framework.CycleState, _ *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	insufficient := fitsRequest(s, nodeInfo)
	if len(insufficient) == 0 {
		return nil
	}
	reasons := make([]string, len(insufficient))
	code := framework.Unschedulable
	for i := range insufficient {
		reasons[i] = insufficient[i].Reason
		if insufficient[i].Unresolvable {
			code = framework.UnschedulableAndUnresolvable
		}
	}
	return framework.NewStatus(code, reasons...)
}

// InsufficientResource is one resource a node lacks for a pod.
type InsufficientResource struct {
	ResourceName model.ResourceName
	Reason       string
	Requested    int64
	Used         int64
	Capacity     int64
	// Unresolvable means the request exceeds the node's whole allocatable,
	// so evicting pods cannot make room.
	Unresolvable bool
}

// Fits returns what the node lacks for the pod, ignoring nothing (upstream
// Fits, used by kubelet admission and queueing hints).
func Fits(pod *model.Pod, nodeInfo *framework.NodeInfo) []InsufficientResource {
	return fitsRequest((*Fit)(nil).computePodRequest(pod), nodeInfo)
}

// fitsRequest is upstream fitsRequest. It returns nil, without
// allocating, when the pod fits.
func fitsRequest(s *preFilterState, ni *framework.NodeInfo) []InsufficientResource {
	var out []InsufficientResource
	alloc, used := &ni.Allocatable, &ni.Requested
	if int64(len(ni.Pods))+1 > alloc.AllowedPodNumber {
		out = append(out, InsufficientResource{ResourceName: model.ResourcePods, Reason: ReasonTooManyPods,
			Requested: 1, Used: int64(len(ni.Pods)), Capacity: alloc.AllowedPodNumber})
	}
	if s.none {
		return out
	}
	if s.MilliCPU > 0 && s.MilliCPU > alloc.MilliCPU-used.MilliCPU {
		out = append(out, InsufficientResource{ResourceName: model.ResourceCPU, Reason: "Insufficient cpu",
			Requested: s.MilliCPU, Used: used.MilliCPU, Capacity: alloc.MilliCPU, Unresolvable: s.MilliCPU > alloc.MilliCPU})
	}
	if s.Memory > 0 && s.Memory > alloc.Memory-used.Memory {
		out = append(out, InsufficientResource{ResourceName: model.ResourceMemory, Reason: "Insufficient memory",
			Requested: s.Memory, Used: used.Memory, Capacity: alloc.Memory, Unresolvable: s.Memory > alloc.Memory})
	}
	if s.EphemeralStorage > 0 && s.EphemeralStorage > alloc.EphemeralStorage-used.EphemeralStorage {
		out = append(out, InsufficientResource{ResourceName: model.ResourceEphemeralStorage, Reason: "Insufficient ephemeral-storage",
			Requested: s.EphemeralStorage, Used: used.EphemeralStorage, Capacity: alloc.EphemeralStorage,
			Unresolvable: s.EphemeralStorage > alloc.EphemeralStorage})
	}
	for i := range s.scalars {
		sc := &s.scalars[i]
		capacity, inUse := alloc.Scalar(sc.name), used.Scalar(sc.name)
		if sc.value > capacity-inUse {
			out = append(out, InsufficientResource{ResourceName: sc.name, Reason: sc.reason,
				Requested: sc.value, Used: inUse, Capacity: capacity, Unresolvable: sc.value > capacity})
		}
	}
	return out
}
