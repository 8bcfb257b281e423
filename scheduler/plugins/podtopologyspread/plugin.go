package podtopologyspread

import (
	"errors"
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "PodTopologySpread"

	// ErrReasonConstraintsNotMatch is the Filter reason when placing the
	// pod would exceed a constraint's maxSkew.
	ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
	// ErrReasonNodeLabelNotMatch is the Filter reason when the node lacks a
	// constraint's topology key.
	ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)"
)

// Plugin is the PodTopologySpread plugin.
type Plugin struct {
	handle             framework.Handle
	defaultConstraints []model.TopologySpreadConstraint
	systemDefaulted    bool
	counts             map[countKey]countVal
}

var (
	_ framework.PreFilterPlugin     = (*Plugin)(nil)
	_ framework.PreFilterExtensions = (*Plugin)(nil)
	_ framework.FilterPlugin        = (*Plugin)(nil)
	_ framework.PreScorePlugin      = (*Plugin)(nil)
	_ framework.ScorePlugin         = (*Plugin)(nil)
	_ framework.ScoreExtensions     = (*Plugin)(nil)
	_ framework.EnqueueExtensions   = (*Plugin)(nil)
)

// New builds the plugin from nil (defaulted Args) or *Args, validating
// them as upstream does. The handle provides the snapshot and, for default
// constraints, the Services, ReplicaSets and StatefulSets.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if h == nil || h.SnapshotSharedLister() == nil {
		return nil, errors.New("SnapshotSharedlister is nil")
	}
	var a *Args
	switch x := args.(type) {
	case nil:
		a = &Args{}
		a.SetDefaults()
	case *Args:
		if x == nil {
			a = &Args{}
			a.SetDefaults()
		} else {
			a = x
		}
	default:
		return nil, fmt.Errorf("want args to be of type PodTopologySpreadArgs, got %T", args)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	pl := &Plugin{handle: h, defaultConstraints: a.DefaultConstraints}
	if a.DefaultingType == SystemDefaulting {
		pl.defaultConstraints = systemDefaultConstraints
		pl.systemDefaulted = true
	}
	if len(pl.defaultConstraints) != 0 && h.Objects() == nil {
		return nil, errors.New("object lister is nil")
	}
	return pl, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// EventsToRegister: assigned pods added, relabelled or deleted, the pod's
// own tolerations changing (for nodeTaintsPolicy Honor), and nodes added,
// deleted, relabelled or re-tainted.
func (pl *Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Add | framework.UpdatePodLabel | framework.UpdatePodToleration | framework.Delete}, QueueingHintFn: pl.isSchedulableAfterPodChange},
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.Delete | framework.UpdateNodeLabel | framework.UpdateNodeTaint}, QueueingHintFn: pl.isSchedulableAfterNodeChange},
	}
}

// involvedInTopologySpreading reports whether incoming can affect the
// spreading of pod: it is the pod itself, or an assigned pod in the same
// namespace.
func involvedInTopologySpreading(incoming, pod *model.Pod) bool {
	return incoming.UID == pod.UID || (incoming.Spec.NodeName != "" && incoming.Namespace == pod.Namespace)
}

func hasConstraintWithNodeTaintsPolicyHonor(cs []constraint) bool {
	for i := range cs {
		if cs[i].nodeTaintsPolicy == model.NodeInclusionPolicyHonor {
			return true
		}
	}
	return false
}

// isSchedulableAfterPodChange is upstream's hint: queue when an assigned
// pod in the namespace starts or stops matching a (hard) constraint, or
// the pod gains tolerations while a constraint honors taints.
func (pl *Plugin) isSchedulableAfterPodChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	oldPod, newPod, err := asPods(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	if (newPod != nil && !involvedInTopologySpreading(newPod, pod)) || (oldPod != nil && !involvedInTopologySpreading(oldPod, pod)) {
		return framework.QueueSkip, nil
	}
	cs, err := pl.getConstraints(pod, model.DoNotSchedule)
	if err != nil {
		return framework.Queue, err
	}
	switch {
	case newPod != nil && oldPod != nil:
		if pod.UID == newPod.UID && !tolerationsEqual(newPod.Spec.Tolerations, oldPod.Spec.Tolerations) && hasConstraintWithNodeTaintsPolicyHonor(cs) {
			return framework.Queue, nil
		}
		if labelsEqual(newPod.Labels, oldPod.Labels) {
			return framework.QueueSkip, nil
		}
		for i := range cs {
			if cs[i].selector.matches(oldPod.Labels) != cs[i].selector.matches(newPod.Labels) {
				return framework.Queue, nil
			}
		}
		return framework.QueueSkip, nil
	case newPod != nil:
		if podLabelsMatchSpreadConstraints(cs, newPod.Labels) {
			return framework.Queue, nil
		}
		return framework.QueueSkip, nil
	case oldPod != nil:
		if podLabelsMatchSpreadConstraints(cs, oldPod.Labels) {
			return framework.Queue, nil
		}
	}
	return framework.QueueSkip, nil
}

// isSchedulableAfterNodeChange is upstream's hint: queue when a node that
// has every (hard) constraint key is added or deleted, gains or loses a
// key, changes a key's value, or changes taints.
func (pl *Plugin) isSchedulableAfterNodeChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	oldNode, newNode, err := asNodes(oldObj, newObj)
	if err != nil {
		return framework.Queue, err
	}
	cs, err := pl.getConstraints(pod, model.DoNotSchedule)
	if err != nil {
		return framework.Queue, err
	}
	var oldMatching, newMatching bool
	if oldNode != nil {
		oldMatching = nodeLabelsMatchSpreadConstraints(oldNode.Labels, cs)
	}
	if newNode != nil {
		newMatching = nodeLabelsMatchSpreadConstraints(newNode.Labels, cs)
	}
	switch {
	case oldNode != nil && newNode != nil:
		if oldMatching != newMatching {
			return framework.Queue, nil
		}
		if newMatching && (topologyKeyLabelsChanged(oldNode.Labels, newNode.Labels, cs) || !taintsEqual(oldNode.Spec.Taints, newNode.Spec.Taints)) {
			return framework.Queue, nil
		}
		return framework.QueueSkip, nil
	case newNode != nil:
		if newMatching {
			return framework.Queue, nil
		}
		return framework.QueueSkip, nil
	case oldNode != nil && oldMatching:
		return framework.Queue, nil
	}
	return framework.QueueSkip, nil
}

func topologyKeyLabelsChanged(oldLabels, newLabels map[string]string, cs []constraint) bool {
	for i := range cs {
		k := cs[i].topologyKey
		if oldLabels[k] != newLabels[k] {
			return true
		}
	}
	return false
}

// tolerationsEqual and taintsEqual compare like apimachinery's
// equality.Semantic: nil and empty lists are equal, pointers by value.
func tolerationsEqual(a, b []model.Toleration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Key != y.Key || x.Operator != y.Operator || x.Value != y.Value || x.Effect != y.Effect {
			return false
		}
		if (x.TolerationSeconds == nil) != (y.TolerationSeconds == nil) ||
			(x.TolerationSeconds != nil && *x.TolerationSeconds != *y.TolerationSeconds) {
			return false
		}
	}
	return true
}

func taintsEqual(a, b []model.Taint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Key != y.Key || x.Value != y.Value || x.Effect != y.Effect {
			return false
		}
		if (x.TimeAdded == nil) != (y.TimeAdded == nil) ||
			(x.TimeAdded != nil && !x.TimeAdded.Equal(*y.TimeAdded)) {
			return false
		}
	}
	return true
}

func labelsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func asNodes(oldObj, newObj model.Object) (*model.Node, *model.Node, error) {
	return helper.As[*model.Node](oldObj, newObj)
}

func asPods(oldObj, newObj model.Object) (*model.Pod, *model.Pod, error) {
	return helper.As[*model.Pod](oldObj, newObj)
}
