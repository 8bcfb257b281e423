package interpodaffinity

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Name is the plugin's name in profiles and registries.
const Name = "InterPodAffinity"

// Argument bounds (upstream validation.ValidateHardPodAffinityWeight).
const (
	// DefaultHardPodAffinityWeight is the weight an existing pod's required
	// affinity term adds to the score of nodes in its domain.
	DefaultHardPodAffinityWeight int32 = 1
	minHardPodAffinityWeight     int32 = 0
	maxHardPodAffinityWeight     int32 = 100
)

// Args are InterPodAffinityArgs (KubeSchedulerConfiguration v1).
type Args struct {
	// HardPodAffinityWeight scores existing pods' required affinity terms
	// that the incoming pod matches, 0..100; nil means 1. 0 turns the
	// symmetric scoring of required terms off.
	HardPodAffinityWeight *int32 `yaml:"hardPodAffinityWeight,omitempty"`
	// IgnorePreferredTermsOfExistingPods skips scoring entirely for pods
	// without preferred (anti-)affinity terms of their own.
	IgnorePreferredTermsOfExistingPods bool `yaml:"ignorePreferredTermsOfExistingPods,omitempty"`
}

var _ framework.Args = (*Args)(nil)

// NewArgs returns empty Args for decoding.
func NewArgs() framework.Args { return &Args{} }

// SetDefaults applies upstream SetDefaults_InterPodAffinityArgs: a missing
// hardPodAffinityWeight is 1.
func (a *Args) SetDefaults() {
	if a.HardPodAffinityWeight == nil {
		w := DefaultHardPodAffinityWeight
		a.HardPodAffinityWeight = &w
	}
}

// Validate applies upstream ValidateInterPodAffinityArgs: the weight must
// lie in [0, 100].
func (a *Args) Validate() error {
	if a.HardPodAffinityWeight == nil {
		return nil
	}
	if w := *a.HardPodAffinityWeight; w < minHardPodAffinityWeight || w > maxHardPodAffinityWeight {
		return model.FieldError{Path: "hardPodAffinityWeight",
			Message: fmt.Sprintf("Invalid value: %d: not in valid range [%d-%d]", w, minHardPodAffinityWeight, maxHardPodAffinityWeight)}
	}
	return nil
}

// Plugin is the InterPodAffinity plugin.
type Plugin struct {
	h framework.Handle
	// hardPodAffinityWeight and ignorePreferredTermsOfExistingPods are the
	// defaulted, validated arguments.
	hardPodAffinityWeight              int32
	ignorePreferredTermsOfExistingPods bool
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

// New builds the plugin from nil (defaults) or *Args.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	if h == nil || h.SnapshotSharedLister() == nil {
		return nil, errors.New("SnapshotSharedlister is nil")
	}
	var a Args
	switch x := args.(type) {
	case nil:
	case *Args:
		if x != nil {
			a = *x
		}
	case Args:
		a = x
	default:
		return nil, fmt.Errorf("want args to be of type InterPodAffinityArgs, got %T", args)
	}
	a.SetDefaults()
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &Plugin{h: h, hardPodAffinityWeight: *a.HardPodAffinityWeight,
		ignorePreferredTermsOfExistingPods: a.IgnorePreferredTermsOfExistingPods}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// EventsToRegister: an assigned pod added, relabelled or deleted may
// satisfy the pod's affinity or stop violating an anti-affinity; a node
// added or relabelled (or whose taints change, upstream's workaround for
// nodes that become ready late) may carry a needed topology key.
func (pl *Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Add | framework.UpdatePodLabel | framework.Delete},
			QueueingHintFn: isSchedulableAfterPodChange},
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeLabel | framework.UpdateNodeTaint},
			QueueingHintFn: isSchedulableAfterNodeChange},
	}
}

// asPod returns o as a non-nil *model.Pod, or nil.
func asPod(o model.Object) *model.Pod {
	if p, ok := o.(*model.Pod); ok && p != nil {
		return p
	}
	return nil
}

// isSchedulableAfterPodChange follows upstream 1.35: unassigned pods never
// help (the 1.36 fixes for the target pod's own label changes and for
// deleted pods whose anti-affinity matched the target are not included);
// an update helps when the pod starts matching all of the target's required
// affinity terms or stops matching all of its anti-affinity terms; an add
// helps when it matches all affinity terms; a delete helps when the deleted
// pod matched all anti-affinity terms.
func isSchedulableAfterPodChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	original, modified := asPod(oldObj), asPod(newObj)
	if original == nil && modified == nil {
		return framework.Queue, fmt.Errorf("unexpected objects %T, %T", oldObj, newObj)
	}
	if (modified != nil && modified.Spec.NodeName == "") || (original != nil && original.Spec.NodeName == "") {
		return framework.QueueSkip, nil
	}
	pi := framework.NewPodInfo(pod)
	if pi.ParseError != nil {
		return framework.Queue, pi.ParseError
	}
	terms, antiTerms := pi.RequiredAffinityTerms, pi.RequiredAntiAffinityTerms
	switch {
	case modified != nil && original != nil:
		if !podMatchesAllAffinityTerms(terms, original) && podMatchesAllAffinityTerms(terms, modified) {
			return framework.Queue, nil
		}
		if podMatchesAllAffinityTerms(antiTerms, original) && !podMatchesAllAffinityTerms(antiTerms, modified) {
			return framework.Queue, nil
		}
		return framework.QueueSkip, nil
	case modified != nil:
		if podMatchesAllAffinityTerms(terms, modified) {
			return framework.Queue, nil
		}
		return framework.QueueSkip, nil
	default:
		if !podMatchesAllAffinityTerms(antiTerms, original) {
			return framework.QueueSkip, nil
		}
		return framework.Queue, nil
	}
}

// isSchedulableAfterNodeChange follows upstream (k8s 1.32+): for the pod's
// required affinity terms, queue when a new node has the topology key, an
// updated node gains it, or its value changes; for its required
// anti-affinity terms, queue on any new node, or when an updated node loses
// the key or its value changes.
func isSchedulableAfterNodeChange(pod *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	modified, ok := newObj.(*model.Node)
	if !ok || modified == nil {
		return framework.Queue, fmt.Errorf("unexpected object %T", newObj)
	}
	original, _ := oldObj.(*model.Node)
	pi := framework.NewPodInfo(pod)
	if pi.ParseError != nil {
		return framework.Queue, pi.ParseError
	}
	for i := range pi.RequiredAffinityTerms {
		key := pi.RequiredAffinityTerms[i].TopologyKey
		newValue, newHas := modified.Labels[key]
		if original == nil {
			if newHas {
				return framework.Queue, nil
			}
			continue
		}
		oldValue, oldHas := original.Labels[key]
		if (!oldHas && newHas) || (oldHas && newHas && oldValue != newValue) {
			return framework.Queue, nil
		}
	}
	for i := range pi.RequiredAntiAffinityTerms {
		if original == nil {
			return framework.Queue, nil
		}
		key := pi.RequiredAntiAffinityTerms[i].TopologyKey
		newValue, newHas := modified.Labels[key]
		oldValue, oldHas := original.Labels[key]
		if (oldHas && !newHas) || (oldHas && newHas && oldValue != newValue) {
			return framework.Queue, nil
		}
	}
	return framework.QueueSkip, nil
}

// mergeNamespaces unrolls a term's namespaceSelector into its namespace set
// using the Namespace objects (upstream mergeAffinityTermNamespacesIfNotEmpty).
// An empty selector (all namespaces) is kept as is. The term must belong to
// a PodInfo the plugin owns: its Namespaces map is modified.
func (pl *Plugin) mergeNamespaces(t *framework.AffinityTerm) {
	if !t.HasNamespaceSelector || t.NamespaceSelector.Empty() {
		return
	}
	for _, o := range pl.h.Objects().List("Namespace") {
		if ns, ok := o.(*model.Namespace); ok && t.NamespaceSelector.Matches(ns.Labels) {
			t.Namespaces[ns.Name] = true
		}
	}
	t.HasNamespaceSelector = false
	t.NamespaceSelector = model.Selector{}
}

// namespaceLabels returns the labels of namespace ns, nil when unknown
// (upstream GetNamespaceLabelsSnapshot).
func (pl *Plugin) namespaceLabels(ns string) map[string]string {
	if o, ok := pl.h.Objects().Get("Namespace", "", ns); ok {
		if n, ok := o.(*model.Namespace); ok {
			return n.Labels
		}
	}
	return nil
}

// parseError explains why the pod's affinity terms do not compile, in the
// form of upstream's PodInfo.Update errors ("requiredAffinityTerms: ...").
func parseError(pod *model.Pod) error {
	a := pod.Spec.Affinity
	if a == nil {
		return nil
	}
	var errs []string
	check := func(prefix string, terms []model.PodAffinityTerm) {
		for i := range terms {
			if _, err := model.LabelSelectorAsSelector(terms[i].LabelSelector); err != nil {
				errs = append(errs, prefix+": "+err.Error())
				return
			}
			if terms[i].NamespaceSelector != nil {
				if _, err := model.LabelSelectorAsSelector(terms[i].NamespaceSelector); err != nil {
					errs = append(errs, prefix+": "+err.Error())
					return
				}
			}
		}
	}
	weighted := func(terms []model.WeightedPodAffinityTerm) []model.PodAffinityTerm {
		out := make([]model.PodAffinityTerm, len(terms))
		for i := range terms {
			out[i] = terms[i].PodAffinityTerm
		}
		return out
	}
	if pa := a.PodAffinity; pa != nil {
		check("requiredAffinityTerms", pa.RequiredDuringSchedulingIgnoredDuringExecution)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		check("requiredAntiAffinityTerms", pa.RequiredDuringSchedulingIgnoredDuringExecution)
	}
	if pa := a.PodAffinity; pa != nil {
		check("preferredAffinityTerms", weighted(pa.PreferredDuringSchedulingIgnoredDuringExecution))
	}
	if pa := a.PodAntiAffinity; pa != nil {
		check("preferredAntiAffinityTerms", weighted(pa.PreferredDuringSchedulingIgnoredDuringExecution))
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errors.New(errs[0])
	}
	return errors.New("[" + strings.Join(errs, ", ") + "]")
}

// compilePod returns a PodInfo the plugin owns for pod, with a parse error
// in upstream's form when its affinity terms are invalid.
func compilePod(pod *model.Pod) (*framework.PodInfo, error) {
	pi := framework.NewPodInfo(pod)
	if pi.ParseError != nil {
		if err := parseError(pod); err != nil {
			return nil, err
		}
		return nil, pi.ParseError
	}
	return pi, nil
}
