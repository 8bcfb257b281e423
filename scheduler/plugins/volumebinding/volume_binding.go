package volumebinding

import (
	"errors"
	"fmt"
	"slices"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/helper"
)

const (
	// Name is the plugin's name in profiles and registries.
	Name = "VolumeBinding"

	stateKey framework.StateKey = Name

	// ErrReasonBindConflict: no available PV and no way to provision one.
	ErrReasonBindConflict = "node(s) didn't find available persistent volumes to bind"
	// ErrReasonNodeConflict: a bound PV's node affinity rejects the node.
	ErrReasonNodeConflict = "node(s) had volume node affinity conflict"
	// ErrReasonNotEnoughSpace: storage capacity is short for provisioning
	// (never produced: CSIStorageCapacity is not modeled).
	ErrReasonNotEnoughSpace = "node(s) did not have enough free storage"
	// ErrReasonPVNotExist: a bound claim's PV does not exist.
	ErrReasonPVNotExist = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
	// ErrReasonUnboundImmediate is PreFilter's reason for claims that
	// should already be bound.
	ErrReasonUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims"
)

// Plugin binds pod volumes during scheduling.
type Plugin struct {
	h     framework.Handle
	args  Args
	cache *assumeCache
}

var (
	_ framework.PreFilterPlugin   = (*Plugin)(nil)
	_ framework.FilterPlugin      = (*Plugin)(nil)
	_ framework.ReservePlugin     = (*Plugin)(nil)
	_ framework.PreBindPlugin     = (*Plugin)(nil)
	_ framework.EnqueueExtensions = (*Plugin)(nil)
)

// New builds the plugin; args is nil (defaults) or *Args.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	a := Args{}
	switch x := args.(type) {
	case nil:
	case *Args:
		if x != nil {
			a = *x
		}
	default:
		return nil, fmt.Errorf("want args to be of type VolumeBindingArgs, got %T", args)
	}
	a.SetDefaults()
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &Plugin{h: h, args: a, cache: newAssumeCache(h)}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// Args returns the plugin's defaulted arguments.
func (pl *Plugin) Args() Args { return pl.args }

// boundClaim is a fully bound claim with its PV (nil when missing) and
// the PV's compiled node affinity.
type boundClaim struct {
	pvc *model.PersistentVolumeClaim
	pv  *model.PersistentVolume
	aff *model.VolumeAffinityMatcher
}

// candidates are the PVs of one class with their compiled node affinity.
type candidates struct {
	pvs []*model.PersistentVolume
	aff []*model.VolumeAffinityMatcher
}

// unboundClaim is a WaitForFirstConsumer claim without a volume.
type unboundClaim struct {
	pvc             *model.PersistentVolumeClaim
	selectedNode    string
	hasSelectedNode bool
	matcher         *model.VolumeMatcher
	matchErr        error
	cands           *candidates
	// Provisioning: provErr is reported when the claim has to be
	// provisioned; otherwise provisioner and topology decide.
	provErr     error
	provisioner string
	topology    []model.Selector
	anyTopology bool
}

// podVolumes are the decisions for the chosen node.
type podVolumes struct {
	bindings   []binding
	provisions []*model.PersistentVolumeClaim
}

type binding struct {
	pv  *model.PersistentVolume
	pvc *model.PersistentVolumeClaim
}

// nodeFit answers model.VolumeNodeFit for one class's candidates and one
// node.
type nodeFit struct {
	aff    []*model.VolumeAffinityMatcher
	labels map[string]string
}

func (f *nodeFit) VolumeFitsNode(i int, _ *model.PersistentVolume) bool {
	return f.aff[i].Fits(f.labels)
}

// stateData is the pod's claims as PreFilter found them, plus Filter's
// scratch space and Reserve's decisions.
type stateData struct {
	skipped  bool
	bound    []boundClaim
	delay    []*unboundClaim // in pod order
	matching []*unboundClaim // delay claims without a selected node, smallest request first

	fit        nodeFit
	chosen     []string
	chosenPVs  []binding
	unmatched  []*unboundClaim
	provisions []*model.PersistentVolumeClaim

	allBound bool
	volumes  *podVolumes
}

// Clone shares the claims (read-only after PreFilter) and gives the copy
// its own scratch space.
func (s *stateData) Clone() framework.StateData {
	c := &stateData{skipped: s.skipped, bound: s.bound, delay: s.delay, matching: s.matching, allBound: s.allBound, volumes: s.volumes}
	return c
}

func getStateData(state *framework.CycleState) (*stateData, error) {
	d, ok := state.Read(stateKey)
	if !ok {
		return nil, errors.New("not found")
	}
	s, ok := d.(*stateData)
	if !ok {
		return nil, errors.New("unable to convert state into stateData")
	}
	return s, nil
}

func isPVCFullyBound(pvc *model.PersistentVolumeClaim) bool {
	if pvc.Spec.VolumeName == "" {
		return false
	}
	_, ok := pvc.Annotations[model.AnnBindCompleted]
	return ok
}

func (pl *Plugin) storageClass(name string) (*model.StorageClass, bool) {
	o, ok := pl.h.Objects().Get("StorageClass", "", name)
	sc, isSC := o.(*model.StorageClass)
	return sc, ok && isSC && sc != nil
}

// PreFilter sorts the pod's claims into bound and WaitForFirstConsumer
// ones. No claim → Skip; a missing, lost or deleting claim or an unbound
// Immediate claim → UnschedulableAndUnresolvable.
func (pl *Plugin) PreFilter(state *framework.CycleState, pod *model.Pod, _ []*framework.NodeInfo) (*framework.PreFilterResult, *framework.Status) {
	if st := pl.checkClaims(pod); st != nil {
		if st.IsSkip() {
			state.Write(stateKey, &stateData{skipped: true})
		}
		return nil, st
	}
	s := &stateData{}
	immediate := 0
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		pvc, ok := pl.cache.getPVC(pod.Namespace, v.PersistentVolumeClaim.ClaimName)
		if !ok {
			return nil, framework.AsStatus(fmt.Errorf("error getting PVC %q: not found", pvcKey(pod.Namespace, v.PersistentVolumeClaim.ClaimName)))
		}
		if isPVCFullyBound(pvc) {
			b := boundClaim{pvc: pvc}
			if pv, ok := pl.cache.getPV(pvc.Spec.VolumeName); ok {
				b.pv, b.aff = pv, model.CompileVolumeNodeAffinity(pv)
			}
			s.bound = append(s.bound, b)
			continue
		}
		delay, err := model.IsDelayBindingMode(pvc, pl.storageClass)
		if err != nil {
			return nil, framework.AsStatus(err)
		}
		if delay && pvc.Spec.VolumeName == "" {
			s.delay = append(s.delay, &unboundClaim{pvc: pvc})
		} else {
			// Immediate claims (and pre-bound ones) are the PV
			// controller's to bind first.
			immediate++
		}
	}
	if immediate > 0 {
		return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnboundImmediate)
	}
	pl.prepareUnbound(s)
	state.Write(stateKey, s)
	return nil, nil
}

// checkClaims is upstream podHasPVCs: Skip without claims, and
// UnschedulableAndUnresolvable for a missing, lost or deleting claim.
func (pl *Plugin) checkClaims(pod *model.Pod) *framework.Status {
	hasPVC := false
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		hasPVC = true
		name := v.PersistentVolumeClaim.ClaimName
		pvc, ok := pl.cache.apiPVC(pod.Namespace, name)
		if !ok {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q not found", name))
		}
		if pvc.Status.Phase == model.ClaimLost {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable,
				fmt.Sprintf("persistentvolumeclaim %q bound to non-existent persistentvolume %q", pvc.Name, pvc.Spec.VolumeName))
		}
		if pvc.DeletionTimestamp != nil {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q is being deleted", pvc.Name))
		}
	}
	if !hasPVC {
		return framework.NewStatus(framework.Skip)
	}
	return nil
}

// prepareUnbound compiles the WaitForFirstConsumer claims once: their
// matchers, their class's PVs and how they would be provisioned.
func (pl *Plugin) prepareUnbound(s *stateData) {
	byClass := map[string]*candidates{}
	for _, c := range s.delay {
		c.selectedNode, c.hasSelectedNode = c.pvc.Annotations[model.AnnSelectedNode]
		class := model.GetPersistentVolumeClaimClass(c.pvc)
		if !c.hasSelectedNode {
			c.matcher, c.matchErr = model.NewVolumeMatcher(c.pvc)
			cands, ok := byClass[class]
			if !ok {
				cands = &candidates{pvs: pl.cache.listPVs(class)}
				cands.aff = make([]*model.VolumeAffinityMatcher, len(cands.pvs))
				for i, pv := range cands.pvs {
					cands.aff[i] = model.CompileVolumeNodeAffinity(pv)
				}
				byClass[class] = cands
			}
			c.cands = cands
			s.matching = append(s.matching, c)
		}
		switch sc, ok := pl.storageClass(class); {
		case class == "":
			c.provErr = fmt.Errorf("no class for claim %q", pvcKey(c.pvc.Namespace, c.pvc.Name))
		case !ok:
			c.provErr = fmt.Errorf("failed to find storage class %q", class)
		default:
			c.provisioner = sc.Provisioner
			c.topology, c.anyTopology = compileTopology(sc.AllowedTopologies)
		}
	}
	slices.SortStableFunc(s.matching, func(a, b *unboundClaim) int {
		return a.pvc.Spec.Resources.Requests[model.ResourceStorage].Cmp(b.pvc.Spec.Resources.Requests[model.ResourceStorage])
	})
}

// compileTopology compiles allowedTopologies (upstream
// MatchTopologySelectorTerms): no terms match every node; a term matches
// when the node has every key with one of its values; terms without
// expressions or with invalid requirements match nothing.
func compileTopology(terms []model.TopologySelectorTerm) ([]model.Selector, bool) {
	if len(terms) == 0 {
		return nil, true
	}
	var sels []model.Selector
	for _, t := range terms {
		if len(t.MatchLabelExpressions) == 0 {
			continue
		}
		ls := &model.LabelSelector{}
		for _, e := range t.MatchLabelExpressions {
			ls.MatchExpressions = append(ls.MatchExpressions, model.LabelSelectorRequirement{Key: e.Key, Operator: model.LabelSelectorOpIn, Values: e.Values})
		}
		sel, err := model.LabelSelectorAsSelector(ls)
		if err != nil {
			continue
		}
		sels = append(sels, sel)
	}
	return sels, false
}

func (c *unboundClaim) topologyFits(labels map[string]string) bool {
	if c.anyTopology {
		return true
	}
	for i := range c.topology {
		if c.topology[i].Matches(labels) {
			return true
		}
	}
	return false
}

// PreFilterExtensions returns nil.
func (*Plugin) PreFilterExtensions() framework.PreFilterExtensions { return nil }

// findResult is FindPodVolumes' verdict for one node.
type findResult struct {
	boundOK, unboundOK, storageOK, pvsFound bool
}

func (r findResult) reasons() []string {
	var out []string
	if !r.boundOK {
		out = append(out, ErrReasonNodeConflict)
	}
	if !r.unboundOK {
		out = append(out, ErrReasonBindConflict)
	}
	if !r.storageOK {
		out = append(out, ErrReasonNotEnoughSpace)
	}
	if !r.pvsFound {
		out = append(out, ErrReasonPVNotExist)
	}
	return out
}

// find is upstream FindPodVolumes for one node. The static bindings and
// claims to provision are left in s.chosenPVs and s.provisions.
func (s *stateData) find(node *model.Node) (findResult, error) {
	r := findResult{boundOK: true, unboundOK: true, storageOK: true, pvsFound: true}
	s.chosen, s.chosenPVs, s.unmatched, s.provisions = s.chosen[:0], s.chosenPVs[:0], s.unmatched[:0], s.provisions[:0]
	labels := node.Labels
	for i := range s.bound {
		b := &s.bound[i]
		if b.pv == nil {
			r.pvsFound = false
			break
		}
		if !b.aff.Fits(labels) {
			r.boundOK = false
			break
		}
	}
	if len(s.delay) == 0 {
		return r, nil
	}
	for _, c := range s.delay {
		if c.hasSelectedNode && c.selectedNode != node.Name {
			// Already being provisioned for another node.
			r.unboundOK = false
			return r, nil
		}
	}
	s.fit.labels = labels
	for _, c := range s.matching {
		if c.matchErr != nil {
			return r, c.matchErr
		}
		s.fit.aff = c.cands.aff
		pv := c.matcher.Find(c.cands.pvs, &s.fit, s.chosen, true)
		if pv == nil {
			s.unmatched = append(s.unmatched, c)
			r.unboundOK = false
			continue
		}
		s.chosen = append(s.chosen, pv.Name)
		s.chosenPVs = append(s.chosenPVs, binding{pv: pv, pvc: c.pvc})
	}
	s.fit.aff, s.fit.labels = nil, nil
	// Claims to provision: those with a selected node, then the unmatched.
	provisionable := true
	hasClaims := false
	check := func(c *unboundClaim) (bool, error) {
		hasClaims = true
		if c.provErr != nil {
			return false, c.provErr
		}
		if c.provisioner == "" || c.provisioner == model.NotSupportedProvisioner || !c.topologyFits(labels) {
			return false, nil
		}
		s.provisions = append(s.provisions, c.pvc)
		return true, nil
	}
	for _, c := range s.delay {
		if !c.hasSelectedNode || !provisionable {
			continue
		}
		ok, err := check(c)
		if err != nil {
			return r, err
		}
		provisionable = ok
	}
	for _, c := range s.unmatched {
		if !provisionable {
			break
		}
		ok, err := check(c)
		if err != nil {
			return r, err
		}
		provisionable = ok
	}
	if hasClaims {
		// The provisioning verdict replaces the matching one.
		r.unboundOK = provisionable
		if !provisionable {
			s.provisions = s.provisions[:0]
		}
	}
	return r, nil
}

// Filter checks the bound claims' PVs and that every WaitForFirstConsumer
// claim gets a PV or can be provisioned on the node; failures are
// UnschedulableAndUnresolvable with every applicable reason.
func (pl *Plugin) Filter(state *framework.CycleState, _ *model.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	s, err := getStateData(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if s.skipped {
		return nil
	}
	r, err := s.find(nodeInfo.Node())
	if err != nil {
		return framework.AsStatus(err)
	}
	if reasons := r.reasons(); len(reasons) > 0 {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, reasons...)
	}
	return nil
}

// Reserve assumes the chosen node's bindings: each chosen PV bound to its
// claim, each claim to provision annotated with the node. A pod whose
// claims are all bound needs nothing.
func (pl *Plugin) Reserve(state *framework.CycleState, pod *model.Pod, nodeName string) *framework.Status {
	s, err := getStateData(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.volumes = nil
	if s.skipped || pl.arePodVolumesBound(pod) {
		s.allBound = true
		return nil
	}
	s.allBound = false
	pl.cache.sweep()
	ni, ok := pl.h.SnapshotSharedLister().NodeInfos().Get(nodeName)
	if !ok {
		return framework.AsStatus(fmt.Errorf("node %q not found in the snapshot", nodeName))
	}
	r, err := s.find(ni.Node())
	if err != nil {
		return framework.AsStatus(err)
	}
	if reasons := r.reasons(); len(reasons) > 0 {
		return framework.AsStatus(fmt.Errorf("volumes of pod %s/%s no longer fit node %q: %v", pod.Namespace, pod.Name, nodeName, reasons))
	}
	v := &podVolumes{}
	for _, b := range s.chosenPVs {
		pv, dirty := model.BindVolumeToClaim(b.pv, b.pvc)
		if dirty {
			if err := pl.cache.assumePV(pv); err != nil {
				pl.revert(v)
				return framework.AsStatus(err)
			}
		}
		v.bindings = append(v.bindings, binding{pv: pv, pvc: b.pvc})
	}
	for _, claim := range s.provisions {
		c := model.DeepCopy(*claim)
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations[model.AnnSelectedNode] = nodeName
		if err := pl.cache.assumePVC(&c); err != nil {
			pl.revert(v)
			return framework.AsStatus(err)
		}
		v.provisions = append(v.provisions, &c)
	}
	s.volumes = v
	return nil
}

// arePodVolumesBound reports whether every claim of the pod is fully bound
// (through the assume cache).
func (pl *Plugin) arePodVolumesBound(pod *model.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		pvc, ok := pl.cache.getPVC(pod.Namespace, v.PersistentVolumeClaim.ClaimName)
		if !ok || !isPVCFullyBound(pvc) {
			return false
		}
	}
	return true
}

func (pl *Plugin) revert(v *podVolumes) {
	for _, b := range v.bindings {
		pl.cache.restorePV(b.pv.Name)
	}
	for _, c := range v.provisions {
		pl.cache.restorePVC(c.Namespace, c.Name)
	}
}

// Unreserve forgets what Reserve assumed; it is idempotent.
func (pl *Plugin) Unreserve(state *framework.CycleState, _ *model.Pod, _ string) {
	s, err := getStateData(state)
	if err != nil || s.volumes == nil {
		return
	}
	pl.revert(s.volumes)
}

// PreBind writes the assumed bindings: the PVs' claimRefs, then the
// selected-node annotations of the claims to provision, one request after
// another. It is done once the writes succeed; the PV controller completes
// the binding. A failed write reverts the assumptions not yet written and
// fails the binding.
func (pl *Plugin) PreBind(state *framework.CycleState, _ *model.Pod, nodeName string, done func(*framework.Status)) {
	s, err := getStateData(state)
	if err != nil {
		done(framework.AsStatus(err))
		return
	}
	if s.allBound {
		done(nil)
		return
	}
	v := s.volumes
	if v == nil {
		done(framework.AsStatus(fmt.Errorf("no pod volumes found for node %q", nodeName)))
		return
	}
	cl := pl.h.Client()
	var writeClaims func(i int)
	writeClaims = func(i int) {
		if i == len(v.provisions) {
			done(nil)
			return
		}
		cl.Update(v.provisions[i], func(_ model.Object, err error) {
			if err != nil {
				pl.revert(&podVolumes{provisions: v.provisions[i:]})
				done(framework.AsStatus(err))
				return
			}
			writeClaims(i + 1)
		})
	}
	var writeVolumes func(i int)
	writeVolumes = func(i int) {
		if i == len(v.bindings) {
			writeClaims(0)
			return
		}
		cl.Update(v.bindings[i].pv, func(_ model.Object, err error) {
			if err != nil {
				pl.revert(&podVolumes{bindings: v.bindings[i:], provisions: v.provisions})
				done(framework.AsStatus(err))
				return
			}
			writeVolumes(i + 1)
		})
	}
	writeVolumes(0)
}

// EventsToRegister: class creation or allowedTopologies changes, claims
// the pod uses, any PV change, and node label changes.
func (*Plugin) EventsToRegister() []framework.ClusterEventWithHint {
	return []framework.ClusterEventWithHint{
		{Event: framework.ClusterEvent{Resource: framework.EventStorageClass, ActionType: framework.Add | framework.Update}, QueueingHintFn: isSchedulableAfterStorageClassChange},
		{Event: framework.ClusterEvent{Resource: framework.EventPersistentVolumeClaim, ActionType: framework.Add | framework.Update}, QueueingHintFn: helper.IsSchedulableAfterClaimChange},
		{Event: framework.ClusterEvent{Resource: framework.EventPersistentVolume, ActionType: framework.Add | framework.Update}},
		{Event: framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeLabel}},
	}
}

// isSchedulableAfterStorageClassChange queues the pod for a new class or a
// change of allowedTopologies (volumeBindingMode is immutable).
func isSchedulableAfterStorageClassChange(_ *model.Pod, oldObj, newObj model.Object) (framework.QueueingHint, error) {
	newSC, ok := newObj.(*model.StorageClass)
	if !ok {
		return framework.Queue, fmt.Errorf("unexpected object %T in isSchedulableAfterStorageClassChange", newObj)
	}
	if oldObj == nil {
		return framework.Queue, nil
	}
	oldSC, ok := oldObj.(*model.StorageClass)
	if !ok {
		return framework.Queue, fmt.Errorf("unexpected object %T in isSchedulableAfterStorageClassChange", oldObj)
	}
	if oldSC == nil || !topologyTermsEqual(oldSC.AllowedTopologies, newSC.AllowedTopologies) {
		return framework.Queue, nil
	}
	return framework.QueueSkip, nil
}

// topologyTermsEqual compares like apimachinery's semantic DeepEqual: nil
// and empty lists are equal.
func topologyTermsEqual(a, b []model.TopologySelectorTerm) bool {
	return slices.EqualFunc(a, b, func(x, y model.TopologySelectorTerm) bool {
		return slices.EqualFunc(x.MatchLabelExpressions, y.MatchLabelExpressions, func(p, q model.TopologySelectorLabelRequirement) bool {
			return p.Key == q.Key && slices.Equal(p.Values, q.Values)
		})
	})
}
