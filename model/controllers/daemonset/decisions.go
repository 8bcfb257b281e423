package daemonset

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
)

// Labels the controller puts on its pods (k8s.io/api/apps/v1 types.go).
const (
	// LabelRevisionHash carries the hash of the template a pod was made
	// from (DefaultDaemonSetUniqueLabelKey = ControllerRevisionHashLabelKey).
	LabelRevisionHash = "controller-revision-hash"
)

// AddOrUpdateDaemonPodTolerations adds the tolerations every DaemonSet pod
// gets (pkg/controller/daemon/util/daemonset_util.go): not-ready and
// unreachable NoExecute without tolerationSeconds, so node problems never
// evict daemons; disk-, memory-, pid-pressure and unschedulable NoSchedule;
// network-unavailable NoSchedule for host-network pods.
func AddOrUpdateDaemonPodTolerations(spec *model.PodSpec) {
	add := func(key string, effect model.TaintEffect) {
		addOrUpdateToleration(spec, model.Toleration{Key: key, Operator: model.TolerationOpExists, Effect: effect})
	}
	add(model.TaintNodeNotReady, model.TaintEffectNoExecute)
	add(model.TaintNodeUnreachable, model.TaintEffectNoExecute)
	add(model.TaintNodeDiskPressure, model.TaintEffectNoSchedule)
	add(model.TaintNodeMemoryPressure, model.TaintEffectNoSchedule)
	add(model.TaintNodePIDPressure, model.TaintEffectNoSchedule)
	add(model.TaintNodeUnschedulable, model.TaintEffectNoSchedule)
	if spec.HostNetwork {
		add(model.TaintNodeNetworkUnavailable, model.TaintEffectNoSchedule)
	}
}

// addOrUpdateToleration replaces a toleration matching t's key, effect,
// operator and value (so a tolerationSeconds from the API server's
// DefaultTolerationSeconds admission is overwritten), or appends t
// (v1helper.AddOrUpdateTolerationInPodSpec).
func addOrUpdateToleration(spec *model.PodSpec, t model.Toleration) {
	var out []model.Toleration
	updated := false
	for i := range spec.Tolerations {
		if t.MatchToleration(&spec.Tolerations[i]) {
			if model.Deref(t.TolerationSeconds, -1) == model.Deref(spec.Tolerations[i].TolerationSeconds, -1) &&
				(t.TolerationSeconds == nil) == (spec.Tolerations[i].TolerationSeconds == nil) {
				return
			}
			out = append(out, t)
			updated = true
			continue
		}
		out = append(out, spec.Tolerations[i])
	}
	if !updated {
		out = append(out, t)
	}
	spec.Tolerations = out
}

// newPod is the pod the DaemonSet would run on node, for the scheduling
// checks (NewPod).
func newPod(ds *model.DaemonSet, nodeName string) *model.Pod {
	p := &model.Pod{ObjectMeta: model.DeepCopy(ds.Spec.Template.ObjectMeta), Spec: model.DeepCopy(ds.Spec.Template.Spec)}
	p.Namespace = ds.Namespace
	p.Spec.NodeName = nodeName
	AddOrUpdateDaemonPodTolerations(&p.Spec)
	return p
}

// NodeShouldRunDaemonPod returns whether a daemon pod should be started on
// the node and whether one already there should keep running: node name,
// node affinity and nodeSelector must match; untolerated NoSchedule or
// NoExecute taints stop new pods, and only untolerated NoExecute taints
// stop running ones.
func NodeShouldRunDaemonPod(node *model.Node, ds *model.DaemonSet) (shouldRun, shouldContinueRunning bool) {
	if n := ds.Spec.Template.Spec.NodeName; n != "" && n != node.Name {
		return false, false
	}
	pod := newPod(ds, node.Name)
	fitsAffinity, _ := model.RequiredNodeAffinityMatches(pod.Spec.NodeSelector, nodeAffinity(pod), node.Name, node.Labels)
	if !fitsAffinity {
		return false, false
	}
	if _, untolerated := model.FindMatchingUntoleratedTaint(node.Spec.Taints, pod.Spec.Tolerations, model.DoNotScheduleTaintFilter); untolerated {
		_, noExec := model.FindMatchingUntoleratedTaint(node.Spec.Taints, pod.Spec.Tolerations, func(t *model.Taint) bool {
			return t.Effect == model.TaintEffectNoExecute
		})
		return false, !noExec
	}
	return true, true
}

func nodeAffinity(p *model.Pod) *model.NodeAffinity {
	if p.Spec.Affinity == nil {
		return nil
	}
	return p.Spec.Affinity.NodeAffinity
}

// ReplaceNodeNameNodeAffinity pins a daemon pod to a node through a
// required node affinity term matchFields metadata.name In [node],
// replacing any required terms; the default scheduler binds it
// (ReplaceDaemonSetPodNodeNameNodeAffinity, since 1.12).
func ReplaceNodeNameNodeAffinity(a *model.Affinity, node string) *model.Affinity {
	sel := &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{{MatchFields: []model.NodeSelectorRequirement{
		{Key: model.NodeFieldSelectorKeyNodeName, Operator: model.NodeSelectorOpIn, Values: []string{node}}}}}}
	if a == nil {
		return &model.Affinity{NodeAffinity: &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: sel}}
	}
	if a.NodeAffinity == nil {
		a.NodeAffinity = &model.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: sel}
		return a
	}
	a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = sel
	return a
}

// targetNodeName is spec.nodeName, or the node a pending daemon pod is
// pinned to by its matchFields term.
func targetNodeName(p *model.Pod) (string, error) {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName, nil
	}
	na := nodeAffinity(p)
	if na == nil || na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return "", fmt.Errorf("no spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution for pod %s", p.Key())
	}
	for _, term := range na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, r := range term.MatchFields {
			if r.Key == model.NodeFieldSelectorKeyNodeName && r.Operator == model.NodeSelectorOpIn {
				if len(r.Values) != 1 {
					return "", fmt.Errorf("the matchFields value of metadata.name is not unique for pod %s", p.Key())
				}
				return r.Values[0], nil
			}
		}
	}
	return "", fmt.Errorf("no node name found for pod %s", p.Key())
}

// ComputeHash names a template revision: FNV-32a of the template's JSON
// encoding, written with upstream's SafeEncodeString alphabet. Upstream
// hashes a spew dump of the Go struct, so the strings differ from a real
// cluster's; equal templates give equal hashes.
func ComputeHash(t *model.PodTemplateSpec) string {
	b, _ := json.Marshal(t)
	h := fnv.New32a()
	_, _ = h.Write(b)
	const alphanums = "bcdfghjklmnpqrstvwxz2456789"
	s := fmt.Sprint(h.Sum32())
	out := make([]byte, len(s))
	for i, r := range s {
		out[i] = alphanums[int(r)%len(alphanums)]
	}
	return string(out)
}

// allowsSurge reports whether the rolling update may put a second pod on
// a node.
func allowsSurge(ds *model.DaemonSet) bool {
	n, err := surgeCount(ds, 1)
	return err == nil && n > 0
}

// surgeCount and unavailableCount scale maxSurge and maxUnavailable to the
// number of nodes, percentages rounded up.
func surgeCount(ds *model.DaemonSet, n int) (int, error) {
	r := ds.Spec.UpdateStrategy.RollingUpdate
	if ds.Spec.UpdateStrategy.Type != "RollingUpdate" || r == nil || r.MaxSurge == nil {
		return 0, nil
	}
	return model.GetScaledValueFromIntOrPercent(r.MaxSurge, n, true)
}

func unavailableCount(ds *model.DaemonSet, n int) (int, error) {
	r := ds.Spec.UpdateStrategy.RollingUpdate
	if ds.Spec.UpdateStrategy.Type != "RollingUpdate" || r == nil {
		return 0, nil
	}
	return model.GetScaledValueFromIntOrPercent(r.MaxUnavailable, n, true)
}

func isPodUpdated(p *model.Pod, hash string) bool {
	return hash != "" && p.Labels[LabelRevisionHash] == hash
}

// isPodAvailable: Ready for at least minReadySeconds.
func isPodAvailable(p *model.Pod, minReadySeconds int32, now time.Time) bool {
	c := p.Status.Condition(model.PodReady)
	if c == nil || c.Status != model.ConditionTrue {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	return c.LastTransitionTime != nil && c.LastTransitionTime.Add(time.Duration(minReadySeconds)*time.Second).Before(now)
}

// sortByCreation orders pods scheduled first, then oldest first, then by
// name (podByCreationTimestampAndPhase).
func sortByCreation(pods []*model.Pod) {
	sort.SliceStable(pods, func(i, j int) bool {
		a, b := pods[i], pods[j]
		if (a.Spec.NodeName != "") != (b.Spec.NodeName != "") {
			return a.Spec.NodeName != ""
		}
		ta, tb := timeOf(a.CreationTimestamp), timeOf(b.CreationTimestamp)
		if ta.Equal(tb) {
			return a.Name < b.Name
		}
		return ta.Before(tb)
	})
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// nodePlan is podsShouldBeOnNode's answer for one node.
type nodePlan struct {
	create bool
	delete []string
	// failed are failed pods to delete once the failure backoff allows.
	failed []string
	// succeeded are pods that exited and are deleted at once.
	succeeded []string
}

// podsShouldBeOnNode decides what to do with the daemon pods on a node
// (pods: the DaemonSet's non-terminating pods there, any order). Failed
// pods are listed separately: the caller applies the per-node backoff.
func podsShouldBeOnNode(node *model.Node, pods []*model.Pod, ds *model.DaemonSet, hash string, now time.Time) nodePlan {
	var plan nodePlan
	shouldRun, shouldContinue := NodeShouldRunDaemonPod(node, ds)
	switch {
	case shouldRun && len(pods) == 0:
		plan.create = true
	case shouldContinue:
		var running []*model.Pod
		for _, p := range pods {
			switch {
			case p.DeletionTimestamp != nil:
			case p.Status.Phase == model.PodFailed:
				plan.failed = append(plan.failed, p.Name)
			case p.Status.Phase == model.PodSucceeded:
				plan.succeeded = append(plan.succeeded, p.Name)
			default:
				running = append(running, p)
			}
		}
		sortByCreation(running)
		if !allowsSurge(ds) {
			for i := 1; i < len(running); i++ {
				plan.delete = append(plan.delete, running[i].Name)
			}
			return plan
		}
		if len(running) <= 1 {
			if len(running) == 0 && shouldRun {
				plan.create = true
			}
			return plan
		}
		// Surging: keep the oldest new pod and the oldest old pod; drop the
		// old one once the new one is available (or the old one not ready).
		var oldestNew, oldestOld *model.Pod
		for _, p := range running {
			if p.Labels[LabelRevisionHash] == hash {
				if oldestNew == nil {
					oldestNew = p
					continue
				}
			} else if oldestOld == nil {
				oldestOld = p
				continue
			}
			plan.delete = append(plan.delete, p.Name)
		}
		if oldestNew != nil && oldestOld != nil {
			if !oldestOld.IsReady() || isPodAvailable(oldestNew, ds.Spec.MinReadySeconds, now) {
				plan.delete = append(plan.delete, oldestOld.Name)
			}
		}
	case len(pods) > 0:
		for _, p := range pods {
			if p.DeletionTimestamp == nil {
				plan.delete = append(plan.delete, p.Name)
			}
		}
	}
	return plan
}

// findUpdatedPodsOnNode returns the node's non-deleted new and old pod, or
// ok false if there is more than one of either.
func findUpdatedPodsOnNode(pods []*model.Pod, hash string) (newPod, oldPod *model.Pod, ok bool) {
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if isPodUpdated(p, hash) {
			if newPod != nil {
				return nil, nil, false
			}
			newPod = p
		} else {
			if oldPod != nil {
				return nil, nil, false
			}
			oldPod = p
		}
	}
	return newPod, oldPod, true
}

// rollingUpdatePlan is update.go rollingUpdate's decision: which old pods
// to delete and, when surging, on which nodes to create new ones. Nodes
// are visited in name order (upstream ranges over a map).
func rollingUpdatePlan(ds *model.DaemonSet, nodes []*model.Node, nodeToPods map[string][]*model.Pod, hash string, now time.Time) (del, create []string, err error) {
	desired := 0
	byName := map[string]*model.Node{}
	toPods := map[string][]*model.Pod{}
	for k, v := range nodeToPods {
		toPods[k] = v
	}
	for _, n := range nodes {
		byName[n.Name] = n
		if run, _ := NodeShouldRunDaemonPod(n, ds); run {
			desired++
			if _, ok := toPods[n.Name]; !ok {
				toPods[n.Name] = nil
			}
		}
	}
	maxUnavailable, err := unavailableCount(ds, desired)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid value for MaxUnavailable: %v", err)
	}
	maxSurge, err := surgeCount(ds, desired)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid value for MaxSurge: %v", err)
	}
	if desired > 0 && maxUnavailable == 0 && maxSurge == 0 {
		maxUnavailable = 1
	}
	names := model.SortedKeys(toPods)
	available := func(p *model.Pod) bool { return isPodAvailable(p, ds.Spec.MinReadySeconds, now) }

	if maxSurge == 0 {
		numUnavailable := 0
		var allowed, candidates []string
		for _, name := range names {
			newPod, oldPod, ok := findUpdatedPodsOnNode(toPods[name], hash)
			if !ok {
				numUnavailable++
				continue
			}
			switch {
			case oldPod == nil && newPod == nil, oldPod != nil && newPod != nil:
				numUnavailable++
			case newPod != nil:
				if !available(newPod) {
					numUnavailable++
				}
			default:
				switch {
				case !available(oldPod):
					allowed = append(allowed, oldPod.Name)
					numUnavailable++
				case numUnavailable >= maxUnavailable:
				default:
					candidates = append(candidates, oldPod.Name)
				}
			}
		}
		remaining := min(max(maxUnavailable-numUnavailable, 0), len(candidates))
		return append(allowed, candidates[:remaining]...), nil, nil
	}

	var shouldNotRun, candidateNew, allowedNew []string
	numSurge, numAvailable := 0, 0
	for _, name := range names {
		newPod, oldPod, ok := findUpdatedPodsOnNode(toPods[name], hash)
		if !ok {
			numSurge++
			continue
		}
		if oldPod != nil {
			if available(oldPod) {
				numAvailable++
			}
		} else if newPod != nil && available(newPod) {
			numAvailable++
		}
		switch {
		case oldPod == nil:
		case newPod == nil:
			node := byName[name]
			shouldRun := false
			if node != nil {
				shouldRun, _ = NodeShouldRunDaemonPod(node, ds)
			}
			if !available(oldPod) {
				if !shouldRun {
					del = append(del, oldPod.Name)
					continue
				}
				allowedNew = append(allowedNew, name)
				continue
			}
			if !shouldRun {
				shouldNotRun = append(shouldNotRun, oldPod.Name)
				continue
			}
			if numSurge >= maxSurge {
				continue
			}
			candidateNew = append(candidateNew, name)
		default:
			if !available(newPod) {
				numSurge++
				continue
			}
			del = append(del, oldPod.Name)
		}
	}
	if deletable := numAvailable - desired; deletable > 0 {
		del = append(del, shouldNotRun[:min(deletable, len(shouldNotRun))]...)
	}
	remaining := min(max(maxSurge-numSurge, 0), len(candidateNew))
	return del, append(allowedNew, candidateNew[:remaining]...), nil
}

// dsStatus are the counts of a DaemonSet's status.
type dsStatus struct {
	desired, current, misscheduled, ready, updated, available, unavailable int32
}

// computeStatus counts, over the nodes, where the DaemonSet should run and
// how its oldest pod on each node is doing (updateDaemonSetStatus).
func computeStatus(ds *model.DaemonSet, nodes []*model.Node, nodeToPods map[string][]*model.Pod, hash string, now time.Time) dsStatus {
	var s dsStatus
	for _, n := range nodes {
		shouldRun, _ := NodeShouldRunDaemonPod(n, ds)
		pods := nodeToPods[n.Name]
		scheduled := len(pods) > 0
		if !shouldRun {
			if scheduled {
				s.misscheduled++
			}
			continue
		}
		s.desired++
		if !scheduled {
			continue
		}
		s.current++
		sorted := append([]*model.Pod(nil), pods...)
		sortByCreation(sorted)
		p := sorted[0]
		if p.IsReady() {
			s.ready++
			if isPodAvailable(p, ds.Spec.MinReadySeconds, now) {
				s.available++
			}
		}
		if isPodUpdated(p, hash) {
			s.updated++
		}
	}
	s.unavailable = s.desired - s.available
	return s
}
