package apiserver

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
)

// maxDisruptedPodSize bounds a PDB's disruptedPods map (upstream
// MaxDisruptedPodSize in pkg/registry/core/pod/storage/eviction.go).
const maxDisruptedPodSize = 2000

// Evict is the pods/eviction subresource (pkg/registry/core/pod/storage/
// eviction.go): it deletes the pod unless its PodDisruptionBudget forbids
// the disruption, in which case it answers TooManyRequests. Pods that are
// not running (pending or finished) ignore budgets; unready pods may be
// evicted under the IfHealthyBudget policy while the budget is healthy, and
// always under AlwaysAllow. An allowed eviction decrements the budget's
// disruptionsAllowed and records the pod in disruptedPods, so concurrent
// evictions cannot overrun it before the disruption controller recounts.
func (s *Server) Evict(namespace, name string) error {
	o, err := s.Get("Pod", namespace, name)
	if err != nil {
		return err
	}
	pod := o.(*model.Pod)
	if pod.IsTerminal() || pod.Status.Phase == model.PodPending || pod.DeletionTimestamp != nil {
		return s.evictDelete(pod)
	}
	var pdbs []*model.PodDisruptionBudget
	all, _ := s.List("PodDisruptionBudget")
	for _, x := range all {
		pdb := x.(*model.PodDisruptionBudget)
		if pdb.Namespace != pod.Namespace || pdb.Spec.Selector == nil {
			continue
		}
		sel, err := model.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(pod.Labels) {
			continue
		}
		pdbs = append(pdbs, pdb)
	}
	if len(pdbs) > 1 {
		return &model.StatusError{Reason: model.ReasonInternalError, Kind: "Pod", Key: pod.Key(),
			Message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."}
	}
	if len(pdbs) == 1 {
		pdb := model.DeepCopy(pdbs[0])
		if !pod.IsReady() {
			policy := model.Deref(pdb.Spec.UnhealthyPodEvictionPolicy, "IfHealthyBudget")
			if policy == "AlwaysAllow" || (pdb.Status.CurrentHealthy >= pdb.Status.DesiredHealthy && pdb.Status.DesiredHealthy > 0) {
				return s.evictDelete(pod)
			}
		}
		if err := s.checkAndDecrement(pod, pdb); err != nil {
			return err
		}
	}
	return s.evictDelete(pod)
}

func (s *Server) checkAndDecrement(pod *model.Pod, pdb *model.PodDisruptionBudget) error {
	refuse := func(reason model.StatusReason, msg string) error {
		return &model.StatusError{Reason: reason, Kind: "Pod", Key: pod.Key(), Message: msg}
	}
	if pdb.Status.ObservedGeneration < pdb.Generation {
		return refuse(model.ReasonTooManyRequests, fmt.Sprintf("Cannot evict pod as it would violate the pod's disruption budget. The disruption budget %s is still being processed by the server.", pdb.Name))
	}
	if pdb.Status.DisruptionsAllowed < 0 {
		return refuse(model.ReasonForbidden, "pdb disruptions allowed is negative")
	}
	if len(pdb.Status.DisruptedPods) > maxDisruptedPodSize {
		return refuse(model.ReasonForbidden, "DisruptedPods map too big - too many evictions not confirmed by PDB controller")
	}
	if pdb.Status.DisruptionsAllowed == 0 {
		return refuse(model.ReasonTooManyRequests, fmt.Sprintf("Cannot evict pod as it would violate the pod's disruption budget. The disruption budget %s needs %d healthy pods and has %d currently",
			pdb.Name, pdb.Status.DesiredHealthy, pdb.Status.CurrentHealthy))
	}
	pdb.Status.DisruptionsAllowed--
	if pdb.Status.DisruptedPods == nil {
		pdb.Status.DisruptedPods = map[string]time.Time{}
	}
	pdb.Status.DisruptedPods[pod.Name] = s.Now()
	pdb.ResourceVersion = ""
	_, err := s.Update(pdb)
	return err
}

// evictDelete marks the pod as a disruption target and deletes it.
func (s *Server) evictDelete(pod *model.Pod) error {
	p := model.DeepCopy(pod)
	now := s.Now()
	p.Status.SetCondition(model.PodCondition{Type: model.DisruptionTarget, Status: model.ConditionTrue,
		Reason: "EvictionByEvictionAPI", Message: "Eviction API: evicting", LastTransitionTime: &now})
	p.ResourceVersion = ""
	if _, err := s.Update(p); err != nil {
		return err
	}
	return s.Delete("Pod", pod.Namespace, pod.Name)
}
