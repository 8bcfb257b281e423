package scheduler

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Framework is one profile's plugins, wired per extension point in
// configured order (upstream frameworkImpl in framework/runtime).
type Framework struct {
	profileName string
	handle      *handle

	preEnqueue []framework.PreEnqueuePlugin
	queueSort  framework.QueueSortPlugin
	preFilter  []framework.PreFilterPlugin
	filter     []framework.FilterPlugin
	postFilter []framework.PostFilterPlugin
	preScore   []framework.PreScorePlugin
	score      []framework.ScorePlugin
	weights    map[string]int64
	reserve    []framework.ReservePlugin
	permit     []framework.PermitPlugin
	preBind    []framework.PreBindPlugin
	bind       []framework.BindPlugin
	postBind   []framework.PostBindPlugin

	// preFilterToFilter maps a PreFilter plugin's index to the index of
	// the same plugin among the Filter plugins (-1 if none); likewise for
	// PreScore to Score. They turn Skip results into bit masks.
	preFilterToFilter []int
	preScoreToScore   []int

	plugins  map[string]framework.Plugin
	enqueue  []framework.EnqueueExtensions
	scoreBuf []framework.NodeScoreList
}

// ProfileName returns the schedulerName this framework serves.
func (f *Framework) ProfileName() string { return f.profileName }

// HasScorePlugins reports whether any Score plugin is enabled.
func (f *Framework) HasScorePlugins() bool { return len(f.score) > 0 }

// HasPostFilterPlugins reports whether any PostFilter plugin is enabled.
func (f *Framework) HasPostFilterPlugins() bool { return len(f.postFilter) > 0 }

// Plugin returns an instantiated plugin by name.
func (f *Framework) Plugin(name string) framework.Plugin { return f.plugins[name] }

// ScorePluginNames returns the enabled score plugins in order.
func (f *Framework) ScorePluginNames() []string {
	out := make([]string, len(f.score))
	for i, p := range f.score {
		out[i] = p.Name()
	}
	return out
}

// Weight returns a score plugin's weight.
func (f *Framework) Weight(name string) int64 { return f.weights[name] }

// RunPreEnqueuePlugins returns the first non-success status.
func (f *Framework) RunPreEnqueuePlugins(pod *model.Pod) *framework.Status {
	for _, p := range f.preEnqueue {
		if s := p.PreEnqueue(pod); !s.IsSuccess() {
			return s.WithPlugin(p.Name())
		}
	}
	return nil
}

// QueueSortLess orders two queued pods.
func (f *Framework) QueueSortLess(a, b *framework.QueuedPodInfo) bool {
	return f.queueSort.Less(a, b)
}

// RunPreFilterPlugins runs every PreFilter plugin, intersecting their
// results; a rejection ends the run with that status. Plugins that return
// Skip have their Filter skipped for this pod.
func (f *Framework) RunPreFilterPlugins(state *framework.CycleState, pod *model.Pod, nodes []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status, []string) {
	var result *framework.PreFilterResult
	var narrowing []string
	state.SkipFilterPlugins = nil
	state.PreFilterSkipMask, state.FilterSkipMask = 0, 0
	for i, p := range f.preFilter {
		r, s := p.PreFilter(state, pod, nodes)
		if s.IsSkip() {
			if state.SkipFilterPlugins == nil {
				state.SkipFilterPlugins = map[string]bool{}
			}
			state.SkipFilterPlugins[p.Name()] = true
			state.PreFilterSkipMask |= 1 << i
			if j := f.preFilterToFilter[i]; j >= 0 {
				state.FilterSkipMask |= 1 << j
			}
			continue
		}
		if !s.IsSuccess() {
			s.WithPlugin(p.Name())
			if s.Code() == framework.Error {
				return nil, framework.AsStatus(fmt.Errorf("running PreFilter plugin %q: %w", p.Name(), s.AsError())).WithPlugin(p.Name()), nil
			}
			return nil, s, nil
		}
		if !r.AllNodes() {
			narrowing = append(narrowing, p.Name())
		}
		result = result.Merge(r)
		if !result.AllNodes() && len(result.NodeNames) == 0 {
			return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable,
				fmt.Sprintf("node(s) didn't satisfy plugin(s) %v simultaneously", narrowing)), narrowing
		}
	}
	return result, nil, narrowing
}

// RunFilterPlugins runs the filters on one node, stopping at the first
// rejection.
func (f *Framework) RunFilterPlugins(state *framework.CycleState, pod *model.Pod, ni *framework.NodeInfo) *framework.Status {
	for i, p := range f.filter {
		if state.FilterSkipMask&(1<<i) != 0 {
			continue
		}
		if s := p.Filter(state, pod, ni); !s.IsSuccess() {
			if !s.IsRejected() {
				s = framework.AsStatus(fmt.Errorf("running %q filter plugin: %w", p.Name(), s.AsError()))
			}
			return s.WithPlugin(p.Name())
		}
	}
	return nil
}

// RunFilterPluginsWithNominatedPods runs the filters twice when pods of
// equal or higher priority are nominated to the node: once with them
// added, once without; the node must pass both (upstream
// RunFilterPluginsWithNominatedPods).
func (f *Framework) RunFilterPluginsWithNominatedPods(state *framework.CycleState, pod *model.Pod, ni *framework.NodeInfo) *framework.Status {
	nominated := f.handle.NominatedPodsForNode(ni.Name())
	if len(nominated) == 0 {
		return f.RunFilterPlugins(state, pod, ni)
	}
	prio := pod.PriorityValue()
	var withNominated *framework.NodeInfo
	var stateWith *framework.CycleState
	for _, npi := range nominated {
		if npi.Pod.PriorityValue() >= prio && npi.Pod.UID != pod.UID {
			if withNominated == nil {
				withNominated = ni.Clone()
				stateWith = state.Clone()
			}
			withNominated.AddPodInfo(npi)
			if s := f.RunPreFilterExtensionAddPod(stateWith, pod, npi, withNominated); !s.IsSuccess() {
				return s
			}
		}
	}
	if withNominated != nil {
		if s := f.RunFilterPlugins(stateWith, pod, withNominated); !s.IsSuccess() {
			return s
		}
	}
	return f.RunFilterPlugins(state, pod, ni)
}

// RunPreFilterExtensionAddPod tells every PreFilter plugin a pod was added.
func (f *Framework) RunPreFilterExtensionAddPod(state *framework.CycleState, pod *model.Pod, pi *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	for i, p := range f.preFilter {
		if state.PreFilterSkipMask&(1<<i) != 0 {
			continue
		}
		if ext := p.PreFilterExtensions(); ext != nil {
			if s := ext.AddPod(state, pod, pi, ni); !s.IsSuccess() {
				return s.WithPlugin(p.Name())
			}
		}
	}
	return nil
}

// RunPreFilterExtensionRemovePod tells every PreFilter plugin a pod was
// removed.
func (f *Framework) RunPreFilterExtensionRemovePod(state *framework.CycleState, pod *model.Pod, pi *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	for i, p := range f.preFilter {
		if state.PreFilterSkipMask&(1<<i) != 0 {
			continue
		}
		if ext := p.PreFilterExtensions(); ext != nil {
			if s := ext.RemovePod(state, pod, pi, ni); !s.IsSuccess() {
				return s.WithPlugin(p.Name())
			}
		}
	}
	return nil
}

// RunPostFilterPlugins runs PostFilter plugins until one succeeds.
func (f *Framework) RunPostFilterPlugins(state *framework.CycleState, pod *model.Pod, m *framework.NodeToStatus) (*framework.PostFilterResult, *framework.Status) {
	var reasons []string
	var last *framework.Status
	for _, p := range f.postFilter {
		r, s := p.PostFilter(state, pod, m)
		if s.IsSuccess() {
			return r, s.WithPlugin(p.Name())
		}
		if s.Code() == framework.Error {
			return nil, s.WithPlugin(p.Name())
		}
		reasons = append(reasons, s.Reasons()...)
		last = s.WithPlugin(p.Name())
	}
	if last == nil {
		return nil, framework.NewStatus(framework.Unschedulable, "no PostFilter plugins")
	}
	return nil, framework.NewStatus(framework.Unschedulable, reasons...).WithPlugin(last.Plugin())
}

// RunPreScorePlugins runs PreScore; Skip disables that plugin's Score.
func (f *Framework) RunPreScorePlugins(state *framework.CycleState, pod *model.Pod, nodes []*framework.NodeInfo) *framework.Status {
	state.SkipScorePlugins = nil
	state.ScoreSkipMask = 0
	for i, p := range f.preScore {
		s := p.PreScore(state, pod, nodes)
		if s.IsSkip() {
			if state.SkipScorePlugins == nil {
				state.SkipScorePlugins = map[string]bool{}
			}
			state.SkipScorePlugins[p.Name()] = true
			if j := f.preScoreToScore[i]; j >= 0 {
				state.ScoreSkipMask |= 1 << j
			}
			continue
		}
		if !s.IsSuccess() {
			return framework.AsStatus(fmt.Errorf("running PreScore plugin %q: %w", p.Name(), s.AsError())).WithPlugin(p.Name())
		}
	}
	return nil
}

// PluginScores is one score plugin's result over the feasible nodes:
// raw scores, normalized scores and the weight applied.
type PluginScores struct {
	Plugin     string
	Weight     int64
	Skipped    bool
	Raw        []int64
	Normalized []int64
}

// RunScorePlugins scores every feasible node: each plugin scores, then
// normalizes, then is checked to be within [0, MaxNodeScore] and weighted;
// totals are the sums (upstream RunScorePlugins). With record, each
// plugin's raw and normalized scores are returned for explain output.
func (f *Framework) RunScorePlugins(state *framework.CycleState, pod *model.Pod, nodes []*framework.NodeInfo, totals []int64, record bool) ([]PluginScores, *framework.Status) {
	for i := range totals {
		totals[i] = 0
	}
	var recs []PluginScores
	if cap(f.scoreBuf) < 1 {
		f.scoreBuf = make([]framework.NodeScoreList, 1)
	}
	for i, p := range f.score {
		if state.ScoreSkipMask&(1<<i) != 0 {
			if record {
				recs = append(recs, PluginScores{Plugin: p.Name(), Weight: f.weights[p.Name()], Skipped: true})
			}
			continue
		}
		list := f.scoreBuf[0][:0]
		for _, ni := range nodes {
			s, st := p.Score(state, pod, ni)
			if !st.IsSuccess() {
				return nil, framework.AsStatus(fmt.Errorf("running Score plugin %q: %w", p.Name(), st.AsError())).WithPlugin(p.Name())
			}
			list = append(list, framework.NodeScore{Name: ni.Name(), Score: s})
		}
		f.scoreBuf[0] = list
		var rec PluginScores
		if record {
			rec = PluginScores{Plugin: p.Name(), Weight: f.weights[p.Name()], Raw: make([]int64, len(list))}
			for i := range list {
				rec.Raw[i] = list[i].Score
			}
		}
		if ext := p.ScoreExtensions(); ext != nil {
			if st := ext.NormalizeScore(state, pod, list); !st.IsSuccess() {
				return nil, framework.AsStatus(fmt.Errorf("running Normalize on Score plugin %q: %w", p.Name(), st.AsError())).WithPlugin(p.Name())
			}
		}
		w := f.weights[p.Name()]
		for i := range list {
			s := list[i].Score
			if s < framework.MinNodeScore || s > framework.MaxNodeScore {
				return nil, framework.AsStatus(fmt.Errorf("plugin %q returns an invalid score %d, it should in the range of [%d, %d] after normalizing",
					p.Name(), s, framework.MinNodeScore, framework.MaxNodeScore)).WithPlugin(p.Name())
			}
			totals[i] += s * w
		}
		if record {
			rec.Normalized = make([]int64, len(list))
			for i := range list {
				rec.Normalized[i] = list[i].Score
			}
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// RunReservePlugins reserves; on failure the caller runs Unreserve.
func (f *Framework) RunReservePlugins(state *framework.CycleState, pod *model.Pod, node string) *framework.Status {
	for _, p := range f.reserve {
		if s := p.Reserve(state, pod, node); !s.IsSuccess() {
			return s.WithPlugin(p.Name())
		}
	}
	return nil
}

// RunUnreservePlugins undoes Reserve in reverse order.
func (f *Framework) RunUnreservePlugins(state *framework.CycleState, pod *model.Pod, node string) {
	for i := len(f.reserve) - 1; i >= 0; i-- {
		f.reserve[i].Unreserve(state, pod, node)
	}
}

// RunPermitPlugins returns the first non-success status; kubesim's in-tree
// plugins never wait, so Wait is treated as Allow after the returned
// timeout is recorded by the caller.
func (f *Framework) RunPermitPlugins(state *framework.CycleState, pod *model.Pod, node string) *framework.Status {
	for _, p := range f.permit {
		s, _ := p.Permit(state, pod, node)
		if !s.IsSuccess() && !s.IsWait() {
			return s.WithPlugin(p.Name())
		}
	}
	return nil
}

// RunPreBindPlugins runs the PreBind plugins one after another, each
// starting when the previous one is done, and calls done with the first
// failure or success.
func (f *Framework) RunPreBindPlugins(state *framework.CycleState, pod *model.Pod, node string, done func(*framework.Status)) {
	var next func(i int)
	next = func(i int) {
		if i == len(f.preBind) {
			done(nil)
			return
		}
		p := f.preBind[i]
		p.PreBind(state, pod, node, func(s *framework.Status) {
			if !s.IsSuccess() && !s.IsSkip() {
				done(s.WithPlugin(p.Name()))
				return
			}
			next(i + 1)
		})
	}
	next(0)
}

// RunBindPlugins tries binders in order until one does not Skip.
func (f *Framework) RunBindPlugins(state *framework.CycleState, pod *model.Pod, node string, done func(*framework.Status)) {
	var next func(i int)
	next = func(i int) {
		if i == len(f.bind) {
			done(framework.NewStatus(framework.Skip, "no bind plugin bound the pod"))
			return
		}
		p := f.bind[i]
		p.Bind(state, pod, node, func(s *framework.Status) {
			if s.IsSkip() {
				next(i + 1)
				return
			}
			done(s.WithPlugin(p.Name()))
		})
	}
	next(0)
}

// RunPostBindPlugins informs PostBind plugins.
func (f *Framework) RunPostBindPlugins(state *framework.CycleState, pod *model.Pod, node string) {
	for _, p := range f.postBind {
		p.PostBind(state, pod, node)
	}
}
