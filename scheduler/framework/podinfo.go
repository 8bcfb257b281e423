package framework

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// AffinityTerm is a compiled pod (anti-)affinity term
// (upstream fwk.AffinityTerm).
type AffinityTerm struct {
	Namespaces        map[string]bool
	Selector          model.Selector
	TopologyKey       string
	NamespaceSelector model.Selector
	// HasNamespaceSelector is true when the term had a namespaceSelector
	// (an empty one selects every namespace).
	HasNamespaceSelector bool
}

// Matches reports whether pod (in a namespace with nsLabels) matches the
// term: upstream AffinityTerm.Matches.
func (t *AffinityTerm) Matches(pod *model.Pod, nsLabels map[string]string) bool {
	if t.Namespaces[pod.Namespace] || (t.HasNamespaceSelector && t.NamespaceSelector.Matches(nsLabels)) {
		return t.Selector.Matches(pod.Labels)
	}
	return false
}

// WeightedAffinityTerm is a preferred term with its weight.
type WeightedAffinityTerm struct {
	AffinityTerm
	Weight int32
}

// PodInfo is a pod with what the plugins need precomputed once
// (upstream framework.PodInfo).
type PodInfo struct {
	Pod *model.Pod
	// Key is the pod's "namespace/name", computed once.
	Key                        string
	RequiredAffinityTerms      []AffinityTerm
	RequiredAntiAffinityTerms  []AffinityTerm
	PreferredAffinityTerms     []WeightedAffinityTerm
	PreferredAntiAffinityTerms []WeightedAffinityTerm
	// Requests are the pod's effective requests (model.PodRequests).
	Requests model.Resources
	// NonZeroRequests count missing cpu/memory requests as 100m/200Mi.
	NonZeroRequests model.Resources
	// ParseError records an invalid affinity term; the pod is then
	// unschedulable with that message.
	ParseError error
}

// NewPodInfo computes a PodInfo.
func NewPodInfo(pod *model.Pod) *PodInfo {
	pi := &PodInfo{}
	pi.Update(pod)
	return pi
}

// Update recomputes the PodInfo for a new version of the pod.
func (pi *PodInfo) Update(pod *model.Pod) {
	*pi = PodInfo{Pod: pod, Key: pod.Key()}
	pi.Requests = model.PodRequests(pod, false)
	pi.NonZeroRequests = model.PodRequests(pod, true)
	a := pod.Spec.Affinity
	if a == nil {
		return
	}
	if pa := a.PodAffinity; pa != nil {
		pi.RequiredAffinityTerms = pi.compileTerms(pod, pa.RequiredDuringSchedulingIgnoredDuringExecution)
		pi.PreferredAffinityTerms = pi.compileWeighted(pod, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		pi.RequiredAntiAffinityTerms = pi.compileTerms(pod, pa.RequiredDuringSchedulingIgnoredDuringExecution)
		pi.PreferredAntiAffinityTerms = pi.compileWeighted(pod, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
}

// compileTerm follows upstream newAffinityTerm: namespaces default to the
// pod's own when neither namespaces nor namespaceSelector is set;
// matchLabelKeys/mismatchLabelKeys add In/NotIn requirements with the
// incoming pod's label values.
func (pi *PodInfo) compileTerm(pod *model.Pod, t *model.PodAffinityTerm) (AffinityTerm, bool) {
	ls := t.LabelSelector
	if len(t.MatchLabelKeys) > 0 || len(t.MismatchLabelKeys) > 0 {
		c := model.LabelSelector{}
		if ls != nil {
			c = model.DeepCopy(*ls)
		}
		for _, k := range t.MatchLabelKeys {
			if v, ok := pod.Labels[k]; ok {
				c.MatchExpressions = append(c.MatchExpressions, model.LabelSelectorRequirement{Key: k, Operator: model.LabelSelectorOpIn, Values: []string{v}})
			}
		}
		for _, k := range t.MismatchLabelKeys {
			if v, ok := pod.Labels[k]; ok {
				c.MatchExpressions = append(c.MatchExpressions, model.LabelSelectorRequirement{Key: k, Operator: model.LabelSelectorOpNotIn, Values: []string{v}})
			}
		}
		ls = &c
	}
	sel, err := model.LabelSelectorAsSelector(ls)
	if err != nil {
		pi.ParseError = err
		return AffinityTerm{}, false
	}
	at := AffinityTerm{Selector: sel, TopologyKey: t.TopologyKey, Namespaces: map[string]bool{}}
	for _, ns := range t.Namespaces {
		at.Namespaces[ns] = true
	}
	if t.NamespaceSelector != nil {
		nss, err := model.LabelSelectorAsSelector(t.NamespaceSelector)
		if err != nil {
			pi.ParseError = err
			return AffinityTerm{}, false
		}
		at.NamespaceSelector = nss
		at.HasNamespaceSelector = true
	}
	if len(t.Namespaces) == 0 && t.NamespaceSelector == nil {
		at.Namespaces[pod.Namespace] = true
	}
	return at, true
}

func (pi *PodInfo) compileTerms(pod *model.Pod, terms []model.PodAffinityTerm) []AffinityTerm {
	var out []AffinityTerm
	for i := range terms {
		if t, ok := pi.compileTerm(pod, &terms[i]); ok {
			out = append(out, t)
		}
	}
	return out
}

func (pi *PodInfo) compileWeighted(pod *model.Pod, terms []model.WeightedPodAffinityTerm) []WeightedAffinityTerm {
	var out []WeightedAffinityTerm
	for i := range terms {
		if t, ok := pi.compileTerm(pod, &terms[i].PodAffinityTerm); ok {
			out = append(out, WeightedAffinityTerm{AffinityTerm: t, Weight: terms[i].Weight})
		}
	}
	return out
}

// HasAffinity reports whether the pod has any pod affinity or anti-affinity
// term (upstream podWithAffinity).
func (pi *PodInfo) HasAffinity() bool {
	a := pi.Pod.Spec.Affinity
	return a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil)
}

// HasRequiredAntiAffinity reports required anti-affinity terms.
func (pi *PodInfo) HasRequiredAntiAffinity() bool {
	a := pi.Pod.Spec.Affinity
	return a != nil && a.PodAntiAffinity != nil && len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) > 0
}

// QueuedPodInfo is a pod in the scheduling queue (upstream QueuedPodInfo).
type QueuedPodInfo struct {
	*PodInfo
	// Timestamp is when the pod was added or last moved into the queue.
	Timestamp sim.Time
	// InitialAttemptTimestamp is the first time the pod was popped.
	InitialAttemptTimestamp sim.Time
	// Attempts counts pops (scheduling attempts).
	Attempts int
	// UnschedulablePlugins are the plugins that rejected the pod in its
	// last attempt; only cluster events those plugins registered for move
	// it back to the active queue.
	UnschedulablePlugins map[string]bool
	// PendingPlugins are plugins that returned Pending.
	PendingPlugins map[string]bool
	// GatingPlugin is the PreEnqueue plugin holding the pod, if any.
	GatingPlugin string
	// Gated reports whether a PreEnqueue plugin holds the pod.
	Gated bool
}
