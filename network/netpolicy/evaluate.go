package netpolicy

import (
	"net/netip"

	"github.com/kubesim/kubesim/model"
)

// Evaluate decides c: egress at the source, ingress at the destination.
func (e *Evaluator) Evaluate(c Connection) Verdict {
	v := Verdict{Egress: e.Egress(c), Ingress: e.Ingress(c)}
	v.Allowed = v.Egress.Allowed && v.Ingress.Allowed
	return v
}

// Ingress decides c at its destination: allowed unless the destination pod
// is selected by some policy with policy type Ingress, and then only if a
// rule of one of those policies admits the source on the port (the union of
// all selecting policies).
func (e *Evaluator) Ingress(c Connection) Decision {
	dst := c.Dst.Pod
	if dst == nil || dst.HostNetwork {
		return Decision{Allowed: true, Reason: NotAPod, Rule: -1}
	}
	return e.decide(dst, true, c.Src, c)
}

// Egress decides c at its source: allowed unless the source pod is selected
// by some policy with policy type Egress, and then only if a rule of one of
// those policies admits the destination on the port.
func (e *Evaluator) Egress(c Connection) Decision {
	src := c.Src.Pod
	if src == nil || src.HostNetwork {
		return Decision{Allowed: true, Reason: NotAPod, Rule: -1}
	}
	return e.decide(src, false, c.Dst, c)
}

// Isolation reports whether some policy selects pod for ingress and for
// egress (the pod is then default-deny in that direction).
func (e *Evaluator) Isolation(pod *Pod) (ingress, egress bool) {
	if pod.HostNetwork {
		return false, false
	}
	for _, p := range e.byNamespace[pod.Namespace] {
		if p.pods.Matches(pod.Labels) {
			ingress = ingress || p.ingress
			egress = egress || p.egress
		}
	}
	return ingress, egress
}

// decide evaluates the policies of subject's namespace for one direction;
// other is the far end. Policies are in name order and rules in list order,
// so the reported match is deterministic.
func (e *Evaluator) decide(subject *Pod, ingress bool, other Peer, c Connection) Decision {
	proto := c.Protocol
	if proto == "" {
		proto = model.ProtocolTCP
	}
	isolated := false
	for _, p := range e.byNamespace[subject.Namespace] {
		if (ingress && !p.ingress) || (!ingress && !p.egress) || !p.pods.Matches(subject.Labels) {
			continue
		}
		isolated = true
		rules := p.outRules
		if ingress {
			rules = p.inRules
		}
		for i := range rules {
			if e.ruleMatches(&rules[i], p.namespace, other, c.Dst.Pod, c.Port, proto) {
				return Decision{Allowed: true, Reason: AllowedByPolicy, Policy: p.key, Rule: i}
			}
		}
	}
	if !isolated {
		return Decision{Allowed: true, Reason: NotIsolated, Rule: -1}
	}
	return Decision{Allowed: false, Reason: NoPolicyAllowed, Rule: -1}
}

// ruleMatches: the port matches one of the rule's ports (or it has none)
// and the far end one of its peers (or it has none).
func (e *Evaluator) ruleMatches(r *rule, policyNS string, other Peer, dst *Pod, portNum int32, proto model.Protocol) bool {
	if len(r.ports) > 0 {
		ok := false
		for i := range r.ports {
			if portMatches(&r.ports[i], dst, portNum, proto) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.peers) == 0 {
		return true
	}
	for i := range r.peers {
		if e.peerMatches(&r.peers[i], policyNS, other) {
			return true
		}
	}
	return false
}

// peerMatches applies one NetworkPolicyPeer to the far end.
//
// ipBlock is matched against the far end's address whether or not it is a
// pod: this is what Calico and kube-router do, and the API leaves it open
// (ipBlock is meant for cluster-external addresses, and whether NAT happens
// before or after policy is implementation-defined). A podSelector or
// namespaceSelector never matches a non-pod end, nor a host-network pod
// (its traffic carries the node's address and identity).
func (e *Evaluator) peerMatches(p *peer, policyNS string, other Peer) bool {
	if p.kind == peerIPBlock {
		return ipBlockMatches(p, other.addr())
	}
	pod := other.Pod
	if pod == nil || pod.HostNetwork {
		return false
	}
	switch p.kind {
	case peerPods:
		return pod.Namespace == policyNS && p.pods.Matches(pod.Labels)
	case peerNamespacePods:
		return p.namespaces.Matches(e.nsLabels[pod.Namespace]) && p.pods.Matches(pod.Labels)
	}
	return false
}

func ipBlockMatches(p *peer, a netip.Addr) bool {
	if !a.IsValid() || !p.cidr.Contains(a) {
		return false
	}
	for _, ex := range p.except {
		if ex.Contains(a) {
			return false
		}
	}
	return true
}

// portMatches applies one NetworkPolicyPort to the connection's destination
// port. A named port matches when the destination pod has a container port
// of that name, the connection's protocol and number; it never matches a
// destination that is not a pod.
func portMatches(p *port, dst *Pod, portNum int32, proto model.Protocol) bool {
	if p.protocol != proto {
		return false
	}
	switch {
	case p.all:
		return true
	case p.named != "":
		if dst == nil {
			return false
		}
		for i := range dst.Ports {
			cp := &dst.Ports[i]
			cproto := cp.Protocol
			if cproto == "" {
				cproto = model.ProtocolTCP
			}
			if cp.Name == p.named && cp.ContainerPort == portNum && cproto == proto {
				return true
			}
		}
		return false
	}
	return portNum >= p.from && portNum <= p.to
}
