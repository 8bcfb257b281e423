package netpolicy

import (
	"net/netip"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expectations follow the field documentation of networking.k8s.io/v1
// (k8s.io/api/networking/v1/types.go).

func sel(kv ...string) *model.LabelSelector {
	s := &model.LabelSelector{MatchLabels: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.MatchLabels[kv[i]] = kv[i+1]
	}
	return s
}

func np(ns, name string, podSel *model.LabelSelector, mutate func(*model.NetworkPolicySpec)) *model.NetworkPolicy {
	p := &model.NetworkPolicy{Spec: model.NetworkPolicySpec{PodSelector: *podSel}}
	p.Namespace, p.Name = ns, name
	if mutate != nil {
		mutate(&p.Spec)
	}
	return p
}

func ns(name string, kv ...string) *model.Namespace {
	n := &model.Namespace{}
	n.Name = name
	n.Labels = sel(kv...).MatchLabels
	return n
}

func tcp(port int32) model.NetworkPolicyPort {
	v := model.FromInt32(port)
	return model.NetworkPolicyPort{Port: &v}
}

func proto(p model.Protocol, port int32) model.NetworkPolicyPort {
	v := model.FromInt32(port)
	return model.NetworkPolicyPort{Protocol: &p, Port: &v}
}

func named(name string) model.NetworkPolicyPort {
	v := model.FromString(name)
	return model.NetworkPolicyPort{Port: &v}
}

func portRange(from, to int32) model.NetworkPolicyPort {
	v := model.FromInt32(from)
	return model.NetworkPolicyPort{Port: &v, EndPort: &to}
}

func ipBlock(cidr string, except ...string) model.NetworkPolicyPeer {
	return model.NetworkPolicyPeer{IPBlock: &model.IPBlock{CIDR: cidr, Except: except}}
}

func podPeer(s *model.LabelSelector) model.NetworkPolicyPeer {
	return model.NetworkPolicyPeer{PodSelector: s}
}

func nsPeer(s *model.LabelSelector) model.NetworkPolicyPeer {
	return model.NetworkPolicyPeer{NamespaceSelector: s}
}

func bothPeer(pods, nss *model.LabelSelector) model.NetworkPolicyPeer {
	return model.NetworkPolicyPeer{PodSelector: pods, NamespaceSelector: nss}
}

func ingress(peers []model.NetworkPolicyPeer, ports ...model.NetworkPolicyPort) func(*model.NetworkPolicySpec) {
	return func(s *model.NetworkPolicySpec) {
		s.Ingress = append(s.Ingress, model.NetworkPolicyIngressRule{From: peers, Ports: ports})
	}
}

func egress(peers []model.NetworkPolicyPeer, ports ...model.NetworkPolicyPort) func(*model.NetworkPolicySpec) {
	return func(s *model.NetworkPolicySpec) {
		s.Egress = append(s.Egress, model.NetworkPolicyEgressRule{To: peers, Ports: ports})
	}
}

func types(t ...string) func(*model.NetworkPolicySpec) {
	return func(s *model.NetworkPolicySpec) { s.PolicyTypes = t }
}

func all(fs ...func(*model.NetworkPolicySpec)) func(*model.NetworkPolicySpec) {
	return func(s *model.NetworkPolicySpec) {
		for _, f := range fs {
			f(s)
		}
	}
}

func peers(p ...model.NetworkPolicyPeer) []model.NetworkPolicyPeer { return p }

// The cluster: namespaces prod (env=prod) and dev (env=dev), monitoring
// (team=ops); pods web, db, cache in prod, web in dev, prom in monitoring.
var (
	prodWeb = Pod{Namespace: "prod", Name: "web", Labels: map[string]string{"app": "web"}, IP: netip.MustParseAddr("10.244.1.10"),
		Ports: []model.ContainerPort{{Name: "http", ContainerPort: 8080}, {Name: "metrics", ContainerPort: 9090}}}
	prodDB = Pod{Namespace: "prod", Name: "db", Labels: map[string]string{"app": "db"}, IP: netip.MustParseAddr("10.244.1.11"),
		Ports: []model.ContainerPort{{Name: "pg", ContainerPort: 5432}, {Name: "dns", ContainerPort: 53, Protocol: model.ProtocolUDP}}}
	prodCache = Pod{Namespace: "prod", Name: "cache", Labels: map[string]string{"app": "cache"}, IP: netip.MustParseAddr("10.244.2.12")}
	devWeb    = Pod{Namespace: "dev", Name: "web", Labels: map[string]string{"app": "web"}, IP: netip.MustParseAddr("10.244.3.10")}
	prom      = Pod{Namespace: "monitoring", Name: "prom", Labels: map[string]string{"app": "prom"}, IP: netip.MustParseAddr("10.244.4.10")}
	hostPod   = Pod{Namespace: "prod", Name: "agent", Labels: map[string]string{"app": "db"}, IP: netip.MustParseAddr("192.168.0.5"), HostNetwork: true}
	external  = netip.MustParseAddr("203.0.113.7")
)

func namespaces() []*model.Namespace {
	return []*model.Namespace{ns("prod", "env", "prod"), ns("dev", "env", "dev"), ns("monitoring", "team", "ops")}
}

func conn(src, dst Peer, port int32) Connection { return Connection{Src: src, Dst: dst, Port: port} }

func TestIngress(t *testing.T) {
	toDB := func(src Peer, port int32) Connection { return conn(src, PodPeer(&prodDB), port) }
	tests := []struct {
		name     string
		policies []*model.NetworkPolicy
		c        Connection
		want     Decision
	}{
		{"no policy: allowed, not isolated", nil,
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: NotIsolated, Rule: -1}},
		{"policy in another namespace does not select", []*model.NetworkPolicy{np("dev", "deny", sel(), nil)},
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: NotIsolated, Rule: -1}},
		{"policy selecting other pods does not isolate", []*model.NetworkPolicy{np("prod", "deny", sel("app", "web"), nil)},
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: NotIsolated, Rule: -1}},
		{"empty podSelector, no rules: default deny", []*model.NetworkPolicy{np("prod", "deny", sel(), nil)},
			toDB(PodPeer(&prodWeb), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"egress rules without policyTypes also isolate ingress", []*model.NetworkPolicy{
			np("prod", "eg", sel("app", "db"), egress(nil))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"policyTypes Egress only: ingress rules ignored, not isolated", []*model.NetworkPolicy{
			np("prod", "eg", sel("app", "db"), all(types(PolicyTypeEgress), ingress(peers(podPeer(sel("app", "nobody"))))))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: NotIsolated, Rule: -1}},
		{"empty rule allows everyone on every port", []*model.NetworkPolicy{np("prod", "open", sel("app", "db"), ingress(nil))},
			toDB(IPPeer(external), 1), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/open", Rule: 0}},
		{"ports without from: any source on the port", []*model.NetworkPolicy{np("prod", "p", sel("app", "db"), ingress(nil, tcp(5432)))},
			toDB(IPPeer(external), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/p", Rule: 0}},
		{"ports without from: other port denied", []*model.NetworkPolicy{np("prod", "p", sel("app", "db"), ingress(nil, tcp(5432)))},
			toDB(PodPeer(&prodWeb), 5433), Decision{Reason: NoPolicyAllowed, Rule: -1}},

		// podSelector alone: the policy's namespace only.
		{"podSelector: same-namespace pod allowed", []*model.NetworkPolicy{np("prod", "web-db", sel("app", "db"), ingress(peers(podPeer(sel("app", "web")))))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/web-db", Rule: 0}},
		{"podSelector: matching pod of another namespace denied", []*model.NetworkPolicy{np("prod", "web-db", sel("app", "db"), ingress(peers(podPeer(sel("app", "web")))))},
			toDB(PodPeer(&devWeb), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"podSelector: non-matching pod denied", []*model.NetworkPolicy{np("prod", "web-db", sel("app", "db"), ingress(peers(podPeer(sel("app", "web")))))},
			toDB(PodPeer(&prodCache), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"podSelector: external address denied", []*model.NetworkPolicy{np("prod", "web-db", sel("app", "db"), ingress(peers(podPeer(sel()))))},
			toDB(IPPeer(external), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"podSelector: host-network pod is not a pod peer", []*model.NetworkPolicy{np("prod", "all-pods", sel("app", "db"), ingress(peers(podPeer(sel()))))},
			toDB(PodPeer(&hostPod), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},

		// namespaceSelector alone: every pod of matching namespaces.
		{"namespaceSelector: any pod of a matching namespace", []*model.NetworkPolicy{np("prod", "from-ops", sel("app", "db"), ingress(peers(nsPeer(sel("team", "ops")))))},
			toDB(PodPeer(&prom), 9187), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/from-ops", Rule: 0}},
		{"namespaceSelector: pod of a non-matching namespace", []*model.NetworkPolicy{np("prod", "from-ops", sel("app", "db"), ingress(peers(nsPeer(sel("team", "ops")))))},
			toDB(PodPeer(&devWeb), 9187), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"namespaceSelector: the policy's own namespace only if it matches", []*model.NetworkPolicy{np("prod", "from-ops", sel("app", "db"), ingress(peers(nsPeer(sel("team", "ops")))))},
			toDB(PodPeer(&prodWeb), 9187), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"namespaceSelector {}: every namespace", []*model.NetworkPolicy{np("prod", "all-ns", sel("app", "db"), ingress(peers(nsPeer(sel()))))},
			toDB(PodPeer(&devWeb), 1), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/all-ns", Rule: 0}},
		{"namespaceSelector {}: not external addresses", []*model.NetworkPolicy{np("prod", "all-ns", sel("app", "db"), ingress(peers(nsPeer(sel()))))},
			toDB(IPPeer(external), 1), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"namespaceSelector on kubernetes.io/metadata.name", []*model.NetworkPolicy{np("prod", "by-name", sel("app", "db"), ingress(peers(nsPeer(sel(model.LabelMetadataName, "dev")))))},
			toDB(PodPeer(&devWeb), 1), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/by-name", Rule: 0}},

		// Both: matching pods in matching namespaces.
		{"both: matching pod in matching namespace", []*model.NetworkPolicy{np("prod", "dev-web", sel("app", "db"), ingress(peers(bothPeer(sel("app", "web"), sel("env", "dev")))))},
			toDB(PodPeer(&devWeb), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/dev-web", Rule: 0}},
		{"both: matching pod in another namespace", []*model.NetworkPolicy{np("prod", "dev-web", sel("app", "db"), ingress(peers(bothPeer(sel("app", "web"), sel("env", "dev")))))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"both: other pod in matching namespace", []*model.NetworkPolicy{np("prod", "ops-web", sel("app", "db"), ingress(peers(bothPeer(sel("app", "web"), sel("team", "ops")))))},
			toDB(PodPeer(&prom), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},

		// ipBlock.
		{"ipBlock: external address in cidr", []*model.NetworkPolicy{np("prod", "lb", sel("app", "db"), ingress(peers(ipBlock("203.0.113.0/24", "203.0.113.128/25"))))},
			toDB(IPPeer(external), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/lb", Rule: 0}},
		{"ipBlock: address in except", []*model.NetworkPolicy{np("prod", "lb", sel("app", "db"), ingress(peers(ipBlock("203.0.113.0/24", "203.0.113.0/29"))))},
			toDB(IPPeer(external), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"ipBlock: address outside cidr", []*model.NetworkPolicy{np("prod", "lb", sel("app", "db"), ingress(peers(ipBlock("198.51.100.0/24"))))},
			toDB(IPPeer(external), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"ipBlock: applies to pod addresses (kubesim's choice)", []*model.NetworkPolicy{np("prod", "podnet", sel("app", "db"), ingress(peers(ipBlock("10.244.1.0/24"))))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/podnet", Rule: 0}},
		{"ipBlock: pod address outside cidr", []*model.NetworkPolicy{np("prod", "podnet", sel("app", "db"), ingress(peers(ipBlock("10.244.1.0/24"))))},
			toDB(PodPeer(&prodCache), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"ipBlock: IPv6 block never matches IPv4", []*model.NetworkPolicy{np("prod", "v6", sel("app", "db"), ingress(peers(ipBlock("::/0"))))},
			toDB(IPPeer(external), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"ipBlock: 0.0.0.0/0 matches any IPv4", []*model.NetworkPolicy{np("prod", "any", sel("app", "db"), ingress(peers(ipBlock("0.0.0.0/0"))))},
			toDB(IPPeer(external), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/any", Rule: 0}},
		{"peers are ORed", []*model.NetworkPolicy{np("prod", "or", sel("app", "db"), ingress(peers(podPeer(sel("app", "cache")), ipBlock("203.0.113.0/24"))))},
			toDB(IPPeer(external), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/or", Rule: 0}},

		// Ports.
		{"numeric port, protocol defaults to TCP", []*model.NetworkPolicy{np("prod", "pg", sel("app", "db"), ingress(nil, tcp(5432)))},
			Connection{Src: PodPeer(&prodWeb), Dst: PodPeer(&prodDB), Port: 5432, Protocol: model.ProtocolUDP}, Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"UDP port", []*model.NetworkPolicy{np("prod", "dns", sel("app", "db"), ingress(nil, proto(model.ProtocolUDP, 53)))},
			Connection{Src: PodPeer(&prodWeb), Dst: PodPeer(&prodDB), Port: 53, Protocol: model.ProtocolUDP}, Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/dns", Rule: 0}},
		{"protocol without port: every port of it", []*model.NetworkPolicy{np("prod", "udp", sel("app", "db"), ingress(nil, model.NetworkPolicyPort{Protocol: ptr(model.ProtocolUDP)}))},
			Connection{Src: PodPeer(&prodWeb), Dst: PodPeer(&prodDB), Port: 40000, Protocol: model.ProtocolUDP}, Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/udp", Rule: 0}},
		{"endPort range: low bound", []*model.NetworkPolicy{np("prod", "r", sel("app", "db"), ingress(nil, portRange(32000, 32768)))},
			toDB(PodPeer(&prodWeb), 32000), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/r", Rule: 0}},
		{"endPort range: high bound inclusive", []*model.NetworkPolicy{np("prod", "r", sel("app", "db"), ingress(nil, portRange(32000, 32768)))},
			toDB(PodPeer(&prodWeb), 32768), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/r", Rule: 0}},
		{"endPort range: above", []*model.NetworkPolicy{np("prod", "r", sel("app", "db"), ingress(nil, portRange(32000, 32768)))},
			toDB(PodPeer(&prodWeb), 32769), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"named port: destination's container port", []*model.NetworkPolicy{np("prod", "n", sel("app", "db"), ingress(nil, named("pg")))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/n", Rule: 0}},
		{"named port: other number", []*model.NetworkPolicy{np("prod", "n", sel("app", "db"), ingress(nil, named("pg")))},
			toDB(PodPeer(&prodWeb), 5433), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"named port: name the destination lacks", []*model.NetworkPolicy{np("prod", "n", sel("app", "db"), ingress(nil, named("http")))},
			toDB(PodPeer(&prodWeb), 8080), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"named port: protocol must match the container port", []*model.NetworkPolicy{np("prod", "n", sel("app", "db"), ingress(nil, named("dns")))},
			Connection{Src: PodPeer(&prodWeb), Dst: PodPeer(&prodDB), Port: 53, Protocol: model.ProtocolTCP}, Decision{Reason: NoPolicyAllowed, Rule: -1}},

		// Union of policies and of rules.
		{"union: second policy allows", []*model.NetworkPolicy{
			np("prod", "a-web", sel("app", "db"), ingress(peers(podPeer(sel("app", "web"))))),
			np("prod", "b-cache", sel("app", "db"), ingress(peers(podPeer(sel("app", "cache")))))},
			toDB(PodPeer(&prodCache), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/b-cache", Rule: 0}},
		{"union: deny-all does not subtract", []*model.NetworkPolicy{
			np("prod", "deny-all", sel(), nil),
			np("prod", "web-db", sel("app", "db"), ingress(peers(podPeer(sel("app", "web")))))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/web-db", Rule: 0}},
		{"union: second rule allows", []*model.NetworkPolicy{np("prod", "two", sel("app", "db"),
			all(ingress(peers(podPeer(sel("app", "web"))), tcp(80)), ingress(peers(podPeer(sel("app", "web"))), tcp(5432))))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/two", Rule: 1}},
		{"rule needs both peer and port", []*model.NetworkPolicy{np("prod", "two", sel("app", "db"),
			all(ingress(peers(podPeer(sel("app", "web"))), tcp(80)), ingress(peers(podPeer(sel("app", "cache"))), tcp(5432))))},
			toDB(PodPeer(&prodWeb), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},

		{"host-network destination is never isolated", []*model.NetworkPolicy{np("prod", "deny", sel(), nil)},
			conn(PodPeer(&prodWeb), PodPeer(&hostPod), 22), Decision{Allowed: true, Reason: NotAPod, Rule: -1}},
		{"external destination: ingress not applicable", []*model.NetworkPolicy{np("prod", "deny", sel(), nil)},
			conn(PodPeer(&prodWeb), IPPeer(external), 443), Decision{Allowed: true, Reason: NotAPod, Rule: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := NewEvaluator(tc.policies, namespaces())
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev.Ingress(tc.c))
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestEgress(t *testing.T) {
	fromWeb := func(dst Peer, port int32) Connection { return conn(PodPeer(&prodWeb), dst, port) }
	egressOnly := types(PolicyTypeEgress)
	tests := []struct {
		name     string
		policies []*model.NetworkPolicy
		c        Connection
		want     Decision
	}{
		{"no policy", nil, fromWeb(IPPeer(external), 443), Decision{Allowed: true, Reason: NotIsolated, Rule: -1}},
		{"ingress-only policy does not isolate egress", []*model.NetworkPolicy{np("prod", "deny", sel(), nil)},
			fromWeb(IPPeer(external), 443), Decision{Allowed: true, Reason: NotIsolated, Rule: -1}},
		{"policyTypes Egress without rules: deny all egress", []*model.NetworkPolicy{np("prod", "deny-eg", sel(), egressOnly)},
			fromWeb(PodPeer(&prodDB), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"egress to same-namespace pods", []*model.NetworkPolicy{np("prod", "to-db", sel("app", "web"), egress(peers(podPeer(sel("app", "db"))), tcp(5432)))},
			fromWeb(PodPeer(&prodDB), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/to-db", Rule: 0}},
		{"egress to external denied by pod-only rule", []*model.NetworkPolicy{np("prod", "to-db", sel("app", "web"), egress(peers(podPeer(sel("app", "db"))), tcp(5432)))},
			fromWeb(IPPeer(external), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"egress DNS to kube-system-like namespace", []*model.NetworkPolicy{np("prod", "dns", sel(), all(egressOnly,
			egress(peers(nsPeer(sel(model.LabelMetadataName, "monitoring"))), proto(model.ProtocolUDP, 53))))},
			Connection{Src: PodPeer(&prodWeb), Dst: PodPeer(&prom), Port: 53, Protocol: model.ProtocolUDP},
			Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/dns", Rule: 0}},
		{"egress ipBlock with except", []*model.NetworkPolicy{np("prod", "net", sel("app", "web"), egress(peers(ipBlock("0.0.0.0/0", "10.0.0.0/8"))))},
			fromWeb(PodPeer(&prodDB), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"egress ipBlock to the internet", []*model.NetworkPolicy{np("prod", "net", sel("app", "web"), egress(peers(ipBlock("0.0.0.0/0", "10.0.0.0/8"))))},
			fromWeb(IPPeer(external), 443), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/net", Rule: 0}},
		{"egress named port resolves on the destination pod", []*model.NetworkPolicy{np("prod", "n", sel("app", "web"), egress(nil, named("pg")))},
			fromWeb(PodPeer(&prodDB), 5432), Decision{Allowed: true, Reason: AllowedByPolicy, Policy: "prod/n", Rule: 0}},
		{"egress named port never matches a non-pod", []*model.NetworkPolicy{np("prod", "n", sel("app", "web"), egress(nil, named("pg")))},
			fromWeb(IPPeer(external), 5432), Decision{Reason: NoPolicyAllowed, Rule: -1}},
		{"external source: egress not applicable", []*model.NetworkPolicy{np("prod", "deny-eg", sel(), egressOnly)},
			conn(IPPeer(external), PodPeer(&prodDB), 5432), Decision{Allowed: true, Reason: NotAPod, Rule: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := NewEvaluator(tc.policies, namespaces())
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev.Egress(tc.c))
		})
	}
}

func TestEvaluateNeedsBothDirections(t *testing.T) {
	policies := []*model.NetworkPolicy{
		np("prod", "db-in", sel("app", "db"), ingress(peers(podPeer(sel("app", "web"))), tcp(5432))),
		np("prod", "web-out", sel("app", "web"), all(types(PolicyTypeEgress), egress(peers(podPeer(sel("app", "cache")))))),
	}
	ev, err := NewEvaluator(policies, namespaces())
	require.NoError(t, err)
	v := ev.Evaluate(conn(PodPeer(&prodWeb), PodPeer(&prodDB), 5432))
	assert.False(t, v.Allowed)
	assert.True(t, v.Ingress.Allowed)
	assert.False(t, v.Egress.Allowed)
	assert.Equal(t, "egress denied: no policy allowed; ingress allowed by prod/db-in rule 0", v.String())

	v = ev.Evaluate(conn(PodPeer(&prodWeb), PodPeer(&prodCache), 6379))
	assert.True(t, v.Allowed)
	assert.Equal(t, "egress allowed by prod/web-out rule 0; ingress allowed: no policy selects the pod", v.String())

	in, out := ev.Isolation(&prodWeb)
	assert.False(t, in)
	assert.True(t, out)
	in, out = ev.Isolation(&prodDB)
	assert.True(t, in)
	assert.False(t, out)
}

func TestSetNamespaceRelabels(t *testing.T) {
	policies := []*model.NetworkPolicy{np("prod", "from-ops", sel("app", "db"), ingress(peers(nsPeer(sel("team", "ops")))))}
	ev, err := NewEvaluator(policies, namespaces())
	require.NoError(t, err)
	c := conn(PodPeer(&devWeb), PodPeer(&prodDB), 5432)
	assert.False(t, ev.Ingress(c).Allowed)
	ev.SetNamespace(ns("dev", "team", "ops"))
	assert.True(t, ev.Ingress(c).Allowed)
	ev.DeleteNamespace("dev")
	assert.False(t, ev.Ingress(c).Allowed)
}

func TestCompileErrors(t *testing.T) {
	bad := model.LabelSelectorOperator("Like")
	tests := []struct {
		name string
		p    *model.NetworkPolicy
		want string
	}{
		{"bad pod selector", np("prod", "p", &model.LabelSelector{MatchExpressions: []model.LabelSelectorRequirement{{Key: "a", Operator: bad}}}, nil),
			"networkpolicy prod/p: spec.podSelector:"},
		{"bad policy type", np("prod", "p", sel(), types("Sideways")), "spec.policyTypes[0]: unsupported value"},
		{"empty peer", np("prod", "p", sel(), ingress(peers(model.NetworkPolicyPeer{}))), "spec.ingress[0].from[0]: must specify a peer"},
		{"ipBlock with selector", np("prod", "p", sel(), egress(peers(model.NetworkPolicyPeer{PodSelector: sel(), IPBlock: &model.IPBlock{CIDR: "10.0.0.0/8"}}))),
			"spec.egress[0].to[0].ipBlock: may not be specified"},
		{"bad cidr", np("prod", "p", sel(), ingress(peers(ipBlock("10.0.0.0/33")))), "spec.ingress[0].from[0].ipBlock.cidr:"},
		{"except outside cidr", np("prod", "p", sel(), ingress(peers(ipBlock("10.0.0.0/16", "10.1.0.0/24")))), "spec.ingress[0].from[0].ipBlock.except[0]:"},
		{"except equal to cidr", np("prod", "p", sel(), ingress(peers(ipBlock("10.0.0.0/16", "10.0.0.0/16")))), "ipBlock.except[0]:"},
		{"endPort with named port", np("prod", "p", sel(), ingress(nil, model.NetworkPolicyPort{Port: ptr(model.FromString("http")), EndPort: ptr(int32(90))})),
			"spec.ingress[0].ports[0].endPort: may not be specified when port is a named port"},
		{"endPort below port", np("prod", "p", sel(), ingress(nil, portRange(90, 80))), "ports[0].endPort: 80 must be between port 90"},
		{"endPort without port", np("prod", "p", sel(), ingress(nil, model.NetworkPolicyPort{EndPort: ptr(int32(90))})), "endPort: may not be specified when port is not specified"},
		{"bad protocol", np("prod", "p", sel(), ingress(nil, proto("ICMP", 1))), "ports[0].protocol: unsupported value"},
		{"port out of range", np("prod", "p", sel(), ingress(nil, tcp(70000))), "ports[0].port: 70000 must be between"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewEvaluator([]*model.NetworkPolicy{tc.p}, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPodFromModel(t *testing.T) {
	always := model.ContainerRestartPolicyAlways
	p := &model.Pod{Spec: model.PodSpec{
		InitContainers: []model.Container{
			{Name: "init", Ports: []model.ContainerPort{{Name: "x", ContainerPort: 1}}},
			{Name: "sidecar", RestartPolicy: &always, Ports: []model.ContainerPort{{Name: "proxy", ContainerPort: 15001}}},
		},
		Containers: []model.Container{{Name: "app", Ports: []model.ContainerPort{{Name: "http", ContainerPort: 8080}}}},
	}}
	p.Namespace, p.Name, p.Labels = "prod", "web", map[string]string{"app": "web"}
	p.Status.PodIP = "10.244.1.10"
	got := PodFromModel(p)
	assert.Equal(t, netip.MustParseAddr("10.244.1.10"), got.IP)
	assert.Equal(t, []model.ContainerPort{{Name: "proxy", ContainerPort: 15001}, {Name: "http", ContainerPort: 8080}}, got.Ports)
	p.Status.PodIP = ""
	assert.False(t, PodFromModel(p).IP.IsValid())
}

func benchEvaluator(tb testing.TB) *Evaluator {
	var policies []*model.NetworkPolicy
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		policies = append(policies, np("prod", name, sel("app", "db"),
			all(ingress(peers(podPeer(sel("app", "nobody-"+name)), nsPeer(sel("team", "x-"+name))), tcp(1)),
				ingress(peers(ipBlock("198.51.100.0/24", "198.51.100.0/28")), named("pg"), portRange(30000, 31000)))))
	}
	policies = append(policies, np("prod", "z-web", sel("app", "db"), ingress(peers(bothPeer(sel("app", "web"), sel("env", "prod"))), named("pg"))))
	ev, err := NewEvaluator(policies, namespaces())
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	ev := benchEvaluator(t)
	c := conn(PodPeer(&prodWeb), PodPeer(&prodDB), 5432)
	require.True(t, ev.Evaluate(c).Allowed)
	allocs := testing.AllocsPerRun(1000, func() { ev.Evaluate(c) })
	assert.Zero(t, allocs)
	denied := conn(IPPeer(external), PodPeer(&prodDB), 5432)
	require.False(t, ev.Evaluate(denied).Allowed)
	assert.Zero(t, testing.AllocsPerRun(1000, func() { ev.Evaluate(denied) }))
}

func BenchmarkEvaluate(b *testing.B) {
	ev := benchEvaluator(b)
	c := conn(PodPeer(&prodWeb), PodPeer(&prodDB), 5432)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ev.Evaluate(c)
	}
}
