// Package dotproduct is a research scoring policy kube-scheduler does not
// have: Tetris-style alignment (R. Grandl et al., "Multi-Resource Packing
// for Cluster Schedulers", SIGCOMM 2014). A node scores the dot product of
// the pod's demand vector and the node's free-resource vector, both
// normalized by the node's allocatable, so pods go where their shape fits
// the free shape best, reducing fragmentation across resources.
//
//	score(n) = Σ_r w_r · (req_r / alloc_r) · (free_r / alloc_r)
//
// Nodes where the pod does not fit any resource score 0. Raw scores are
// scaled to 0..100 by the highest score (helper.DefaultNormalizeScore).
package dotproduct

import (
	"fmt"
	"math"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

// Name is the plugin's name in a KubeSchedulerConfiguration.
const Name = "DotProductAlignment"

// ResourceSpec is a resource and its weight.
type ResourceSpec struct {
	Name   string `yaml:"name"`
	Weight int64  `yaml:"weight,omitempty"`
}

// Args configure the resources in the dot product.
type Args struct {
	Resources []ResourceSpec `yaml:"resources,omitempty"`
}

// NewArgs returns empty args.
func NewArgs() framework.Args { return &Args{} }

// SetDefaults uses cpu and memory with weight 1.
func (a *Args) SetDefaults() {
	if len(a.Resources) == 0 {
		a.Resources = []ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}}
	}
	for i := range a.Resources {
		if a.Resources[i].Weight == 0 {
			a.Resources[i].Weight = 1
		}
	}
}

// Validate checks weights are 1..100 and names unique.
func (a *Args) Validate() error {
	seen := map[string]bool{}
	for i, r := range a.Resources {
		if r.Name == "" {
			return fmt.Errorf("resources[%d].name: required", i)
		}
		if seen[r.Name] {
			return fmt.Errorf("resources[%d].name: duplicate resource %q", i, r.Name)
		}
		seen[r.Name] = true
		if r.Weight < 1 || r.Weight > 100 {
			return fmt.Errorf("resources[%d].weight: must be between 1 and 100, got %d", i, r.Weight)
		}
	}
	return nil
}

// Plugin scores by alignment.
type Plugin struct {
	resources []ResourceSpec
}

var (
	_ framework.ScorePlugin     = (*Plugin)(nil)
	_ framework.ScoreExtensions = (*Plugin)(nil)
)

// New builds the plugin.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	a, _ := args.(*Args)
	if a == nil {
		a = &Args{}
		a.SetDefaults()
	}
	return &Plugin{resources: a.Resources}, nil
}

// Name returns Name.
func (p *Plugin) Name() string { return Name }

// scale keeps integer scores meaningful: alignment is in [0, Σw], so the
// raw score is alignment·1e6 rounded.
const scale = 1e6

// Score computes the weighted alignment of the pod with the node's free
// resources. It uses the pod's real requests (zero requests contribute 0).
func (p *Plugin) Score(_ *framework.CycleState, pod *model.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	req := model.PodRequests(pod, false)
	var sum float64
	for _, r := range p.resources {
		name := model.ResourceName(r.Name)
		alloc := ni.Allocatable.Get(name)
		if alloc <= 0 {
			continue
		}
		want := req.Get(name)
		free := alloc - ni.Requested.Get(name)
		if want > free {
			return 0, nil
		}
		sum += float64(r.Weight) * (float64(want) / float64(alloc)) * (float64(free) / float64(alloc))
	}
	return int64(math.Round(sum * scale)), nil
}

// ScoreExtensions returns the plugin.
func (p *Plugin) ScoreExtensions() framework.ScoreExtensions { return p }

// NormalizeScore scales to 0..100 by the best node.
func (p *Plugin) NormalizeScore(_ *framework.CycleState, _ *model.Pod, scores framework.NodeScoreList) *framework.Status {
	return helper.DefaultNormalizeScore(framework.MaxNodeScore, false, scores)
}
