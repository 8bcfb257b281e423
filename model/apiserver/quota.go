package apiserver

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// admitLimitRange applies the LimitRanger admission plugin's defaults
// (plugin/pkg/admission/limitranger): a container without a request or
// limit for a resource gets the namespace's Container-type LimitRange
// defaultRequest and default, and a pod violating a min or max is refused.
func (s *Server) admitLimitRange(pod *model.Pod) error {
	lrs, _ := s.List("LimitRange")
	for _, o := range lrs {
		lr := o.(*model.LimitRange)
		if lr.Namespace != pod.Namespace {
			continue
		}
		for _, item := range lr.Spec.Limits {
			if item.Type != "Container" {
				continue
			}
			for _, list := range [][]model.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
				for i := range list {
					c := &list[i]
					if c.Resources.Requests == nil {
						c.Resources.Requests = model.ResourceList{}
					}
					if c.Resources.Limits == nil {
						c.Resources.Limits = model.ResourceList{}
					}
					for _, name := range model.SortedKeys(item.Default) {
						if !c.Resources.Limits.Has(name) {
							c.Resources.Limits[name] = item.Default[name]
						}
					}
					for _, name := range model.SortedKeys(item.DefaultRequest) {
						if !c.Resources.Requests.Has(name) {
							c.Resources.Requests[name] = item.DefaultRequest[name]
						}
					}
					for _, name := range model.SortedKeys(item.Min) {
						if q, ok := c.Resources.Requests[name]; ok && q.Cmp(item.Min[name]) < 0 {
							return &model.StatusError{Reason: model.ReasonForbidden, Kind: "Pod", Key: pod.Key(),
								Message: fmt.Sprintf("minimum %s usage per Container is %s, but request is %s", name, item.Min[name].String(), q.String())}
						}
					}
					for _, name := range model.SortedKeys(item.Max) {
						if q, ok := c.Resources.Limits[name]; ok && q.Cmp(item.Max[name]) > 0 {
							return &model.StatusError{Reason: model.ReasonForbidden, Kind: "Pod", Key: pod.Key(),
								Message: fmt.Sprintf("maximum %s usage per Container is %s, but limit is %s", name, item.Max[name].String(), q.String())}
						}
					}
					if len(c.Resources.Requests) == 0 {
						c.Resources.Requests = nil
					}
					if len(c.Resources.Limits) == 0 {
						c.Resources.Limits = nil
					}
				}
			}
		}
	}
	return nil
}

// quotaUsage is what a pod charges against a ResourceQuota: one pod, its
// effective requests (requests.cpu / cpu, requests.memory / memory) and
// the sum of its containers' limits (limits.cpu, limits.memory).
func quotaUsage(p *model.Pod) map[model.ResourceName]int64 {
	r := model.PodRequests(p, false)
	var lcpu, lmem int64
	for _, c := range p.Spec.Containers {
		lcpu += c.Resources.Limits.Cpu()
		lmem += c.Resources.Limits.Memory()
	}
	return map[model.ResourceName]int64{
		"pods": 1, "cpu": r.MilliCPU, "requests.cpu": r.MilliCPU, "memory": r.Memory, "requests.memory": r.Memory,
		"limits.cpu": lcpu, "limits.memory": lmem,
	}
}

// quotaValue reads a hard limit in the unit quotaUsage uses.
func quotaValue(name model.ResourceName, q model.Quantity) int64 {
	if strings.HasSuffix(string(name), "cpu") {
		return q.MilliValue()
	}
	return q.Value()
}

// admitQuota is the ResourceQuota admission plugin for pods
// (plugin/pkg/admission/resourcequota with the pod evaluator): the pod is
// refused when it would take any tracked resource over a quota's hard
// limit in its namespace, counting the namespace's pods that are not
// finished. Usage is computed from the store at admission rather than from
// the quota controller's status, so it is never stale.
func (s *Server) admitQuota(pod *model.Pod) error {
	quotas, _ := s.List("ResourceQuota")
	var mine []*model.ResourceQuota
	for _, o := range quotas {
		if q := o.(*model.ResourceQuota); q.Namespace == pod.Namespace {
			mine = append(mine, q)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	used := map[model.ResourceName]int64{}
	for _, o := range s.bucket("Pod") {
		p := o.(*model.Pod)
		if p.Namespace != pod.Namespace || p.IsTerminal() {
			continue
		}
		for k, v := range quotaUsage(p) {
			used[k] += v
		}
	}
	add := quotaUsage(pod)
	for _, q := range mine {
		var exceeded []string
		for _, name := range model.SortedKeys(q.Spec.Hard) {
			need, tracked := add[name]
			if !tracked {
				continue
			}
			hard := quotaValue(name, q.Spec.Hard[name])
			if used[name]+need > hard {
				exceeded = append(exceeded, fmt.Sprintf("%s=%d, used: %s=%d, limited: %s=%s", name, need, name, used[name], name, q.Spec.Hard[name].String()))
			}
		}
		if len(exceeded) > 0 {
			sort.Strings(exceeded)
			return &model.StatusError{Reason: model.ReasonForbidden, Kind: "Pod", Key: pod.Key(),
				Message: fmt.Sprintf("exceeded quota: %s, requested: %s", q.Name, strings.Join(exceeded, "; "))}
		}
	}
	return nil
}
