package imagelocality

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Name is the plugin's name in profiles.
const Name = "ImageLocality"

// The score range bounds: images between 23MiB and 1000MiB per container
// (upstream: the 90th percentile of Docker Hub images falls in it).
const (
	mb                    int64 = 1024 * 1024
	minThreshold          int64 = 23 * mb
	maxContainerThreshold int64 = 1000 * mb
)

const preScoreStateKey framework.StateKey = "PreScore" + Name

// ImageLocality favours nodes that already have the pod's images.
type ImageLocality struct {
	handle framework.Handle
}

var (
	_ framework.PreScorePlugin = (*ImageLocality)(nil)
	_ framework.ScorePlugin    = (*ImageLocality)(nil)
)

// New builds the plugin; it takes no arguments.
func New(_ any, h framework.Handle) (framework.Plugin, error) {
	return &ImageLocality{handle: h}, nil
}

// Name returns the plugin name.
func (pl *ImageLocality) Name() string { return Name }

// preScoreState is the pod's normalized image names and the number of
// nodes in the snapshot; immutable.
type preScoreState struct {
	images        []string
	containers    int
	totalNumNodes int
}

// Clone shares the immutable state.
func (s *preScoreState) Clone() framework.StateData { return s }

func (pl *ImageLocality) compute(pod *model.Pod) (*preScoreState, error) {
	s := &preScoreState{containers: len(pod.Spec.InitContainers) + len(pod.Spec.Containers)}
	s.images = make([]string, 0, s.containers)
	for i := range pod.Spec.InitContainers {
		s.images = append(s.images, framework.NormalizedImageName(pod.Spec.InitContainers[i].Image))
	}
	for i := range pod.Spec.Containers {
		s.images = append(s.images, framework.NormalizedImageName(pod.Spec.Containers[i].Image))
	}
	if pl.handle == nil || pl.handle.SnapshotSharedLister() == nil {
		return nil, fmt.Errorf("%s: no snapshot", Name)
	}
	s.totalNumNodes = len(pl.handle.SnapshotSharedLister().NodeInfos().List())
	return s, nil
}

// PreScore stores the pod's image names and the snapshot's node count.
func (pl *ImageLocality) PreScore(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) *framework.Status {
	s, err := pl.compute(pod)
	if err != nil {
		return framework.AsStatus(err)
	}
	state.Write(preScoreStateKey, s)
	return nil
}

// ScoreExtensions returns nil: scores are already 0..MaxNodeScore.
func (pl *ImageLocality) ScoreExtensions() framework.ScoreExtensions { return nil }

// Score rates the node by the pod's images present on it.
func (pl *ImageLocality) Score(state *framework.CycleState, pod *model.Pod, nodeInfo *framework.NodeInfo) (int64, *framework.Status) {
	var s *preScoreState
	if d, ok := state.Read(preScoreStateKey); ok {
		if s, ok = d.(*preScoreState); !ok {
			return 0, framework.AsStatus(fmt.Errorf("invalid PreScore state, got type %T", d))
		}
	} else {
		var err error
		if s, err = pl.compute(pod); err != nil {
			return 0, framework.AsStatus(err)
		}
	}
	return calculatePriority(sumImageScores(nodeInfo, s), s.containers), nil
}

// sumImageScores adds the spread-scaled sizes of the pod's images on the
// node.
func sumImageScores(ni *framework.NodeInfo, s *preScoreState) int64 {
	var sum int64
	for _, name := range s.images {
		if st, ok := ni.ImageStates[name]; ok {
			sum += scaledImageScore(st, s.totalNumNodes)
		}
	}
	return sum
}

// scaledImageScore is the image size times the share of nodes that have
// it, so that images present everywhere do not pull pods onto few nodes.
func scaledImageScore(st *framework.ImageStateSummary, totalNumNodes int) int64 {
	spread := float64(st.NumNodes) / float64(totalNumNodes)
	return int64(float64(st.Size) * spread)
}

// calculatePriority clamps the sum to [minThreshold, maxThreshold], the
// upper bound growing with the number of containers, and scales it to
// 0..MaxNodeScore.
func calculatePriority(sumScores int64, numContainers int) int64 {
	maxThreshold := maxContainerThreshold * int64(numContainers)
	if sumScores < minThreshold {
		sumScores = minThreshold
	} else if sumScores > maxThreshold {
		sumScores = maxThreshold
	}
	return framework.MaxNodeScore * (sumScores - minThreshold) / (maxThreshold - minThreshold)
}
