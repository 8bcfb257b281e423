package netpolicy

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"

	"github.com/kubesim/kubesim/model"
)

// Policy types (networking.k8s.io/v1 PolicyType).
const (
	PolicyTypeIngress = "Ingress"
	PolicyTypeEgress  = "Egress"
)

// policy is a compiled NetworkPolicy.
type policy struct {
	key       string // namespace/name, for explanations
	namespace string
	pods      model.Selector
	ingress   bool // isolates selected pods for ingress
	egress    bool // isolates selected pods for egress
	inRules   []rule
	outRules  []rule
}

// rule is a compiled ingress or egress rule: it matches when the peer
// matches any of peers (none = every peer) and the port any of ports (none
// = every port).
type rule struct {
	peers []peer
	ports []port
}

type peerKind uint8

const (
	// peerPods: pods matching pods in the policy's namespace.
	peerPods peerKind = iota
	// peerNamespacePods: pods matching pods in namespaces matching
	// namespaces (pods is the empty selector for namespaceSelector alone).
	peerNamespacePods
	// peerIPBlock: addresses in cidr and in no except.
	peerIPBlock
)

type peer struct {
	kind       peerKind
	pods       model.Selector
	namespaces model.Selector
	cidr       netip.Prefix
	except     []netip.Prefix
}

// port is a compiled NetworkPolicyPort.
type port struct {
	protocol model.Protocol
	all      bool   // no port: every port of protocol
	named    string // a named port of the destination pod
	from, to int32  // numeric port, or the range port..endPort
}

// Evaluator decides NetworkPolicy for connections. It is compiled once
// from the cluster's policies and namespaces; decisions do not allocate.
// It is not safe for concurrent mutation (SetNamespace) and use.
type Evaluator struct {
	byNamespace map[string][]*policy // each list in name order
	nsLabels    map[string]map[string]string
}

// NewEvaluator compiles policies and namespaces. A policy the API server
// would reject (bad selector, peer with no or too many fields, bad CIDR,
// endPort misuse, unknown protocol or policy type) is an error naming the
// policy and field; nothing is compiled then.
func NewEvaluator(policies []*model.NetworkPolicy, namespaces []*model.Namespace) (*Evaluator, error) {
	e := &Evaluator{byNamespace: map[string][]*policy{}, nsLabels: map[string]map[string]string{}}
	for _, ns := range namespaces {
		e.SetNamespace(ns)
	}
	var errs []error
	for _, np := range policies {
		p, err := compilePolicy(np)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e.byNamespace[p.namespace] = append(e.byNamespace[p.namespace], p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, list := range e.byNamespace {
		sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
	}
	return e, nil
}

// SetNamespace adds or updates a namespace's labels. The namespace's
// kubernetes.io/metadata.name label is added if missing, as the API server
// does. Connections involving pods of an unknown namespace see it without
// labels.
func (e *Evaluator) SetNamespace(ns *model.Namespace) {
	labels := make(map[string]string, len(ns.Labels)+1)
	for k, v := range ns.Labels {
		labels[k] = v
	}
	labels[model.LabelMetadataName] = ns.Name
	e.nsLabels[ns.Name] = labels
}

// DeleteNamespace forgets a namespace's labels.
func (e *Evaluator) DeleteNamespace(name string) { delete(e.nsLabels, name) }

func compilePolicy(np *model.NetworkPolicy) (*policy, error) {
	p := &policy{key: np.Namespace + "/" + np.Name, namespace: np.Namespace}
	fail := func(path string, err error) (*policy, error) {
		return nil, fmt.Errorf("networkpolicy %s: spec.%s: %w", p.key, path, err)
	}
	sel, err := model.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if err != nil {
		return fail("podSelector", err)
	}
	p.pods = sel
	// policyTypes defaulting (SetDefaults_NetworkPolicy): Ingress always,
	// Egress when egress rules exist.
	if len(np.Spec.PolicyTypes) == 0 {
		p.ingress = true
		p.egress = len(np.Spec.Egress) != 0
	}
	for i, t := range np.Spec.PolicyTypes {
		switch t {
		case PolicyTypeIngress:
			p.ingress = true
		case PolicyTypeEgress:
			p.egress = true
		default:
			return fail(fmt.Sprintf("policyTypes[%d]", i), fmt.Errorf("unsupported value %q", t))
		}
	}
	for i := range np.Spec.Ingress {
		r, err := compileRule(np.Spec.Ingress[i].From, np.Spec.Ingress[i].Ports, fmt.Sprintf("ingress[%d]", i), "from")
		if err != nil {
			return nil, fmt.Errorf("networkpolicy %s: spec.%w", p.key, err)
		}
		p.inRules = append(p.inRules, r)
	}
	for i := range np.Spec.Egress {
		r, err := compileRule(np.Spec.Egress[i].To, np.Spec.Egress[i].Ports, fmt.Sprintf("egress[%d]", i), "to")
		if err != nil {
			return nil, fmt.Errorf("networkpolicy %s: spec.%w", p.key, err)
		}
		p.outRules = append(p.outRules, r)
	}
	return p, nil
}

func compileRule(peers []model.NetworkPolicyPeer, ports []model.NetworkPolicyPort, path, peersField string) (rule, error) {
	var r rule
	for i := range peers {
		pp, field, err := compilePeer(&peers[i])
		if err != nil {
			return r, fmt.Errorf("%s.%s[%d]%s: %w", path, peersField, i, field, err)
		}
		r.peers = append(r.peers, pp)
	}
	for i := range ports {
		pt, field, err := compilePort(&ports[i])
		if err != nil {
			return r, fmt.Errorf("%s.ports[%d].%s: %w", path, i, field, err)
		}
		r.ports = append(r.ports, pt)
	}
	return r, nil
}

// compilePeer returns the compiled peer, or the offending field (".x",
// "" for the peer itself) and the error.
func compilePeer(in *model.NetworkPolicyPeer) (peer, string, error) {
	var out peer
	hasSel := in.PodSelector != nil || in.NamespaceSelector != nil
	switch {
	case in.IPBlock != nil && hasSel:
		return out, ".ipBlock", errors.New("may not be specified with podSelector or namespaceSelector")
	case in.IPBlock != nil:
		out.kind = peerIPBlock
		cidr, err := netip.ParsePrefix(in.IPBlock.CIDR)
		if err != nil {
			return out, ".ipBlock.cidr", err
		}
		out.cidr = cidr.Masked()
		for i, s := range in.IPBlock.Except {
			ex, err := netip.ParsePrefix(s)
			if err != nil {
				return out, fmt.Sprintf(".ipBlock.except[%d]", i), err
			}
			ex = ex.Masked()
			// Validation: an except must lie strictly within the cidr.
			if ex.Addr().Is4() != out.cidr.Addr().Is4() || ex.Bits() <= out.cidr.Bits() || !out.cidr.Contains(ex.Addr()) {
				return out, fmt.Sprintf(".ipBlock.except[%d]", i), fmt.Errorf("%q must be a strict subset of cidr %q", s, in.IPBlock.CIDR)
			}
			out.except = append(out.except, ex)
		}
		return out, "", nil
	case !hasSel:
		return out, "", errors.New("must specify a peer (podSelector, namespaceSelector or ipBlock)")
	}
	// A nil podSelector beside a namespaceSelector means every pod there
	// (the zero Selector matches everything).
	if in.PodSelector != nil {
		sel, err := model.LabelSelectorAsSelector(in.PodSelector)
		if err != nil {
			return out, ".podSelector", err
		}
		out.pods = sel
	}
	if in.NamespaceSelector == nil {
		out.kind = peerPods
		return out, "", nil
	}
	sel, err := model.LabelSelectorAsSelector(in.NamespaceSelector)
	if err != nil {
		return out, ".namespaceSelector", err
	}
	out.kind = peerNamespacePods
	out.namespaces = sel
	return out, "", nil
}

// compilePort returns the compiled port, or the offending field and the
// error.
func compilePort(in *model.NetworkPolicyPort) (port, string, error) {
	out := port{protocol: model.ProtocolTCP}
	if in.Protocol != nil && *in.Protocol != "" {
		switch *in.Protocol {
		case model.ProtocolTCP, model.ProtocolUDP, model.ProtocolSCTP:
			out.protocol = *in.Protocol
		default:
			return out, "protocol", fmt.Errorf("unsupported value %q", *in.Protocol)
		}
	}
	if in.Port == nil {
		if in.EndPort != nil {
			return out, "endPort", errors.New("may not be specified when port is not specified")
		}
		out.all = true
		return out, "", nil
	}
	if in.Port.Type == model.IntOrStringString {
		if in.EndPort != nil {
			return out, "endPort", errors.New("may not be specified when port is a named port")
		}
		if in.Port.StrVal == "" {
			return out, "port", errors.New("a named port must not be empty")
		}
		out.named = in.Port.StrVal
		return out, "", nil
	}
	out.from, out.to = in.Port.IntVal, in.Port.IntVal
	if out.from < 1 || out.from > 65535 {
		return out, "port", fmt.Errorf("%d must be between 1 and 65535", out.from)
	}
	if in.EndPort != nil {
		if *in.EndPort < out.from || *in.EndPort > 65535 {
			return out, "endPort", fmt.Errorf("%d must be between port %d and 65535", *in.EndPort, out.from)
		}
		out.to = *in.EndPort
	}
	return out, "", nil
}
