package fwtest

import (
	"github.com/kubesim/kubesim/model"
)

// Node returns a node with cpu (millicores), memory (bytes) and pods
// allocatable, plus labels.
func Node(name string, milliCPU, memory, pods int64, labels map[string]string) *model.Node {
	l := map[string]string{model.LabelHostname: name}
	for k, v := range labels {
		l[k] = v
	}
	alloc := model.ResourceList{
		model.ResourceCPU:    model.NewMilliQuantity(milliCPU),
		model.ResourceMemory: model.NewQuantity(memory),
		model.ResourcePods:   model.NewQuantity(pods),
	}
	n := &model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: l},
		Status: model.NodeStatus{Capacity: alloc, Allocatable: model.DeepCopy(alloc)}}
	model.SetTypeMeta(n)
	return n
}

// Pod returns a pod in namespace "default" with one container per request
// pair {milliCPU, memory} (a negative value leaves that request unset), on
// node (may be empty), with labels.
func Pod(name, node string, labels map[string]string, requests ...[2]int64) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name, Labels: labels}}
	p.Spec.NodeName = node
	for i, r := range requests {
		c := model.Container{Name: "c" + string(rune('0'+i)), Image: "img"}
		c.Resources.Requests = model.ResourceList{}
		if r[0] >= 0 {
			c.Resources.Requests[model.ResourceCPU] = model.NewMilliQuantity(r[0])
		}
		if r[1] >= 0 {
			c.Resources.Requests[model.ResourceMemory] = model.NewQuantity(r[1])
		}
		p.Spec.Containers = append(p.Spec.Containers, c)
	}
	if len(requests) == 0 {
		p.Spec.Containers = []model.Container{{Name: "c0", Image: "img"}}
	}
	model.SetTypeMeta(p)
	return p
}
