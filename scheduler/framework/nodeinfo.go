package framework

import (
	"strings"

	"github.com/kubesim/kubesim/model"
)

// Resource is a node's or pod's resources (upstream framework.Resource).
type Resource struct {
	model.Resources
	AllowedPodNumber int64
}

// NewResource converts a resource list (allocatable) into a Resource.
func NewResource(l model.ResourceList) Resource {
	return Resource{Resources: model.ResourcesFromList(l), AllowedPodNumber: l.Value(model.ResourcePods)}
}

// ImageStateSummary is an image on a node plus the number of nodes that
// have it (upstream fwk.ImageStateSummary).
type ImageStateSummary struct {
	Size     int64
	NumNodes int
}

// HostPortInfo records the host ports in use on a node, by IP then
// protocol/port (upstream HostPortInfo).
type HostPortInfo map[string]map[ProtocolPort]struct{}

// ProtocolPort is a protocol and port pair.
type ProtocolPort struct {
	Protocol string
	Port     int32
}

const defaultHostIP = "0.0.0.0"

func sanitize(ip, protocol string) (string, string) {
	if ip == "" {
		ip = defaultHostIP
	}
	if protocol == "" {
		protocol = string(model.ProtocolTCP)
	}
	return ip, protocol
}

// Add records ip/protocol/port.
func (h HostPortInfo) Add(ip, protocol string, port int32) {
	if port <= 0 {
		return
	}
	ip, protocol = sanitize(ip, protocol)
	m := h[ip]
	if m == nil {
		m = make(map[ProtocolPort]struct{})
		h[ip] = m
	}
	m[ProtocolPort{Protocol: protocol, Port: port}] = struct{}{}
}

// Remove forgets ip/protocol/port.
func (h HostPortInfo) Remove(ip, protocol string, port int32) {
	if port <= 0 {
		return
	}
	ip, protocol = sanitize(ip, protocol)
	if m := h[ip]; m != nil {
		delete(m, ProtocolPort{Protocol: protocol, Port: port})
		if len(m) == 0 {
			delete(h, ip)
		}
	}
}

// CheckConflict reports whether ip/protocol/port conflicts with a used
// port: 0.0.0.0 conflicts with every IP on the same protocol/port
// (upstream HostPortInfo.CheckConflict).
func (h HostPortInfo) CheckConflict(ip, protocol string, port int32) bool {
	if port <= 0 {
		return false
	}
	ip, protocol = sanitize(ip, protocol)
	pp := ProtocolPort{Protocol: protocol, Port: port}
	if ip == defaultHostIP {
		for _, m := range h {
			if _, ok := m[pp]; ok {
				return true
			}
		}
		return false
	}
	for _, key := range []string{ip, defaultHostIP} {
		if m, ok := h[key]; ok {
			if _, ok := m[pp]; ok {
				return true
			}
		}
	}
	return false
}

// NodeInfo is the scheduler's incremental view of one node: the node, its
// pods and their aggregate requests (upstream framework.NodeInfo).
type NodeInfo struct {
	node *model.Node

	Pods                         []*PodInfo
	PodsWithAffinity             []*PodInfo
	PodsWithRequiredAntiAffinity []*PodInfo
	UsedPorts                    HostPortInfo
	// Requested is the sum of the pods' requests.
	Requested Resource
	// NonZeroRequested is the same with 100m/200Mi for missing requests.
	NonZeroRequested Resource
	// Allocatable is the node's allocatable.
	Allocatable Resource
	// ImageStates holds the node's images with cluster-wide spread
	// (normalized names, see NormalizedImageName).
	ImageStates map[string]*ImageStateSummary
	// PVCRefCounts counts pods using each "namespace/claim".
	PVCRefCounts map[string]int
	// Generation changes on every update, for snapshot bookkeeping.
	Generation int64
}

// NewNodeInfo returns a NodeInfo for pods (the node is set with SetNode).
func NewNodeInfo(pods ...*model.Pod) *NodeInfo {
	ni := &NodeInfo{UsedPorts: HostPortInfo{}, ImageStates: map[string]*ImageStateSummary{}, PVCRefCounts: map[string]int{}}
	for _, p := range pods {
		ni.AddPod(p)
	}
	return ni
}

// Node returns the node, or nil when the node was deleted but pods remain.
func (n *NodeInfo) Node() *model.Node {
	if n == nil {
		return nil
	}
	return n.node
}

// SetNode sets the node and its allocatable.
func (n *NodeInfo) SetNode(node *model.Node) {
	n.node = node
	n.Allocatable = NewResource(node.Status.Allocatable)
	n.Generation++
}

// RemoveNode clears the node, keeping pods (they may still be running).
func (n *NodeInfo) RemoveNode() {
	n.node = nil
	n.Generation++
}

// AddPod accounts a pod on the node.
func (n *NodeInfo) AddPod(pod *model.Pod) { n.AddPodInfo(NewPodInfo(pod)) }

// AddPodInfo accounts a pod on the node.
func (n *NodeInfo) AddPodInfo(pi *PodInfo) {
	n.Pods = append(n.Pods, pi)
	if pi.HasAffinity() {
		n.PodsWithAffinity = append(n.PodsWithAffinity, pi)
	}
	if pi.HasRequiredAntiAffinity() {
		n.PodsWithRequiredAntiAffinity = append(n.PodsWithRequiredAntiAffinity, pi)
	}
	n.update(pi, +1)
}

// RemovePod removes a pod by namespace/name (UID when set) and reports
// whether it was there.
func (n *NodeInfo) RemovePod(pod *model.Pod) bool {
	k := pod.Key()
	for i, pi := range n.Pods {
		if pi.Key != k || (pod.UID != "" && pi.Pod.UID != "" && pi.Pod.UID != pod.UID) {
			continue
		}
		n.PodsWithAffinity = removeFrom(n.PodsWithAffinity, pi)
		n.PodsWithRequiredAntiAffinity = removeFrom(n.PodsWithRequiredAntiAffinity, pi)
		last := len(n.Pods) - 1
		n.Pods[i] = n.Pods[last]
		n.Pods[last] = nil
		n.Pods = n.Pods[:last]
		n.update(pi, -1)
		return true
	}
	return false
}

func removeFrom(list []*PodInfo, pi *PodInfo) []*PodInfo {
	for i, p := range list {
		if p == pi {
			last := len(list) - 1
			list[i] = list[last]
			list[last] = nil
			return list[:last]
		}
	}
	return list
}

func (n *NodeInfo) update(pi *PodInfo, sign int64) {
	if sign > 0 {
		n.Requested.Add(&pi.Requests)
		n.NonZeroRequested.Add(&pi.NonZeroRequests)
	} else {
		n.Requested.Sub(&pi.Requests)
		n.NonZeroRequested.Sub(&pi.NonZeroRequests)
	}
	// Host ports of containers and of sidecar init containers, which run
	// alongside them (upstream schedutil.GetHostPorts).
	ports := func(c *model.Container) {
		for _, p := range c.Ports {
			if sign > 0 {
				n.UsedPorts.Add(p.HostIP, string(p.Protocol), p.HostPort)
			} else {
				n.UsedPorts.Remove(p.HostIP, string(p.Protocol), p.HostPort)
			}
		}
	}
	for i := range pi.Pod.Spec.InitContainers {
		if c := &pi.Pod.Spec.InitContainers[i]; c.IsSidecar() {
			ports(c)
		}
	}
	for i := range pi.Pod.Spec.Containers {
		ports(&pi.Pod.Spec.Containers[i])
	}
	for _, v := range pi.Pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		k := pi.Pod.Namespace + "/" + v.PersistentVolumeClaim.ClaimName
		n.PVCRefCounts[k] += int(sign)
		if n.PVCRefCounts[k] <= 0 {
			delete(n.PVCRefCounts, k)
		}
	}
	n.Generation++
}

// Clone returns a copy whose pod lists and aggregates can change
// independently (pods themselves are shared, read-only).
func (n *NodeInfo) Clone() *NodeInfo {
	c := &NodeInfo{
		node:                         n.node,
		Pods:                         append([]*PodInfo(nil), n.Pods...),
		PodsWithAffinity:             append([]*PodInfo(nil), n.PodsWithAffinity...),
		PodsWithRequiredAntiAffinity: append([]*PodInfo(nil), n.PodsWithRequiredAntiAffinity...),
		UsedPorts:                    make(HostPortInfo, len(n.UsedPorts)),
		Requested:                    Resource{Resources: n.Requested.Clone(), AllowedPodNumber: n.Requested.AllowedPodNumber},
		NonZeroRequested:             Resource{Resources: n.NonZeroRequested.Clone(), AllowedPodNumber: n.NonZeroRequested.AllowedPodNumber},
		Allocatable:                  n.Allocatable,
		ImageStates:                  n.ImageStates,
		PVCRefCounts:                 make(map[string]int, len(n.PVCRefCounts)),
		Generation:                   n.Generation,
	}
	for ip, m := range n.UsedPorts {
		cm := make(map[ProtocolPort]struct{}, len(m))
		for k := range m {
			cm[k] = struct{}{}
		}
		c.UsedPorts[ip] = cm
	}
	for k, v := range n.PVCRefCounts {
		c.PVCRefCounts[k] = v
	}
	return c
}

// NormalizedImageName appends ":latest" to an image without a tag or
// digest, as upstream normalizedImageName does.
func NormalizedImageName(name string) string {
	if strings.LastIndex(name, ":") <= strings.LastIndex(name, "/") {
		name += ":latest"
	}
	return name
}

// Name returns the node's name, or "" without a node.
func (n *NodeInfo) Name() string {
	if n == nil || n.node == nil {
		return ""
	}
	return n.node.Name
}
