package netpolicy

import (
	"net/netip"
	"strconv"

	"github.com/kubesim/kubesim/model"
)

// Pod is a pod as policy evaluation sees it.
type Pod struct {
	Namespace string
	Name      string
	Labels    map[string]string
	// IP is the pod's address, matched by ipBlock peers; zero if unknown.
	IP netip.Addr
	// Ports are the container ports of the pod's containers (and sidecar
	// init containers): the destination's named ports resolve here.
	Ports []model.ContainerPort
	// HostNetwork pods share the node's network namespace; NetworkPolicy
	// does not apply to them (upstream API documentation), so they are
	// never isolated.
	HostNetwork bool
}

// PodFromModel extracts the fields evaluation reads from a model pod. An
// unparsable status.podIP leaves IP zero.
func PodFromModel(p *model.Pod) Pod {
	out := Pod{
		Namespace:   p.Namespace,
		Name:        p.Name,
		Labels:      p.Labels,
		HostNetwork: p.Spec.HostNetwork,
	}
	if ip, err := netip.ParseAddr(p.Status.PodIP); err == nil {
		out.IP = ip.Unmap()
	}
	for i := range p.Spec.InitContainers {
		if c := &p.Spec.InitContainers[i]; c.IsSidecar() {
			out.Ports = append(out.Ports, c.Ports...)
		}
	}
	for i := range p.Spec.Containers {
		out.Ports = append(out.Ports, p.Spec.Containers[i].Ports...)
	}
	return out
}

// Peer is one end of a connection: a pod, or an address that is not a pod
// (a client outside the cluster, a node, an external service).
type Peer struct {
	// Pod is nil for a non-pod end.
	Pod *Pod
	// IP is the address the other end sees; for a pod, zero means Pod.IP.
	IP netip.Addr
}

// PodPeer returns the peer for pod p at its own address.
func PodPeer(p *Pod) Peer { return Peer{Pod: p} }

// IPPeer returns a non-pod peer at ip.
func IPPeer(ip netip.Addr) Peer { return Peer{IP: ip} }

func (p Peer) addr() netip.Addr {
	if p.IP.IsValid() {
		return p.IP.Unmap()
	}
	if p.Pod != nil {
		return p.Pod.IP.Unmap()
	}
	return netip.Addr{}
}

// Connection is a new connection from Src to Dst's Port.
type Connection struct {
	Src, Dst Peer
	Port     int32
	// Protocol defaults to TCP.
	Protocol model.Protocol
}

// Reason says why a direction was allowed or denied.
type Reason uint8

const (
	// NotAPod: the end is not a pod (or is a host-network pod): no policy
	// applies to it. Allowed.
	NotAPod Reason = iota
	// NotIsolated: no policy selects the pod for this direction. Allowed.
	NotIsolated
	// AllowedByPolicy: a rule of a policy selecting the pod matched.
	// Allowed; Decision.Policy and Decision.Rule name the first match.
	AllowedByPolicy
	// NoPolicyAllowed: policies select the pod for this direction and no
	// rule of any of them matched. Denied.
	NoPolicyAllowed
)

func (r Reason) String() string {
	switch r {
	case NotAPod:
		return "not a pod: no policy applies"
	case NotIsolated:
		return "no policy selects the pod"
	case AllowedByPolicy:
		return "allowed by policy"
	case NoPolicyAllowed:
		return "no policy allowed"
	}
	return "unknown"
}

// Decision is the outcome for one direction at one end.
type Decision struct {
	Allowed bool
	Reason  Reason
	// Policy is "namespace/name" of the first allowing policy (policies in
	// name order, rules in list order), "" unless Reason is AllowedByPolicy.
	Policy string
	// Rule is the index of the allowing rule in that policy's ingress or
	// egress list, -1 unless Reason is AllowedByPolicy.
	Rule int
}

func (d Decision) String() string {
	if d.Reason == AllowedByPolicy {
		return "allowed by " + d.Policy + " rule " + strconv.Itoa(d.Rule)
	}
	if d.Allowed {
		return "allowed: " + d.Reason.String()
	}
	return "denied: " + d.Reason.String()
}

// Verdict is the decision for a connection: egress at the source, ingress
// at the destination; the connection is allowed only if both allow it.
type Verdict struct {
	Allowed bool
	Egress  Decision
	Ingress Decision
}

func (v Verdict) String() string {
	return "egress " + v.Egress.String() + "; ingress " + v.Ingress.String()
}
