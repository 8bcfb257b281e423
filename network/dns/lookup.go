package dns

import (
	"strings"

	"github.com/kubesim/kubesim/model"
)

// Lookup answers a query the way CoreDNS's kubernetes plugin does for its
// zone. qname should be canonical (lower case, trailing dot); other forms
// are canonicalized at the cost of an allocation.
//
//   - A stored name answers from its precomputed records; a type it has no
//     records of is NODATA (NOERROR, empty answer). An ExternalName Service
//     answers A and AAAA with its CNAME alone: following the alias is the
//     Server's job.
//   - The apex, svc.<domain>, pod.<domain> and <ns>.svc.<domain> are
//     NODATA (every namespace is exposed when the Corefile lists none).
//   - Pod names <ip-with-dashes>.<ns>.pod.<domain> follow the pod mode.
//   - Every other name in the zone is NXDOMAIN; names outside the zone are
//     REFUSED (the Server never sends them here).
//
// Lookups of stored names allocate nothing.
func (z *Zone) Lookup(qname string, qtype Type) Answer {
	if !isCanonical(qname) {
		qname = Canonical(qname)
	}
	if n := z.names[qname]; n != nil {
		return z.nodeAnswer(n, qtype)
	}
	return z.lookupSlow(qname, qtype)
}

func (z *Zone) nodeAnswer(n *node, qtype Type) Answer {
	a := Answer{Rcode: RcodeSuccess, NegativeTTL: z.negTTL, From: SourceZone}
	switch qtype {
	case TypeA:
		a.Records = n.a
	case TypeAAAA:
		a.Records = n.aaaa
	case TypeSRV:
		a.Records = n.srv
		a.Extra = n.extra
	case TypeCNAME:
		a.Records = n.cname
		return a
	}
	if len(a.Records) == 0 && (qtype == TypeA || qtype == TypeAAAA) {
		a.CNAMEs = n.cname
	}
	return a
}

func (z *Zone) nodata() Answer {
	return Answer{Rcode: RcodeSuccess, NegativeTTL: z.negTTL, From: SourceZone}
}

func (z *Zone) nxdomain() Answer {
	return Answer{Rcode: RcodeNXDomain, NegativeTTL: z.negTTL, From: SourceZone}
}

// lookupSlow handles names that are not stored, following CoreDNS's
// parseRequest (plugin/kubernetes/parse.go): relative to the zone, the last
// label is "svc" or "pod", then the namespace, then the service (or pod);
// one more label is an endpoint, two more are port and protocol (a leading
// underscore stripped), more is NXDOMAIN.
func (z *Zone) lookupSlow(qname string, qtype Type) Answer {
	if !z.Contains(qname) {
		return Answer{Rcode: RcodeRefused, From: SourceZone}
	}
	rel := strings.TrimSuffix(qname[:len(qname)-len(z.origin)], ".")
	if rel == "" || rel == "svc" || rel == "pod" {
		return z.nodata()
	}
	rest, kind := lastLabel(rel)
	if kind != "svc" && kind != "pod" {
		return z.nxdomain()
	}
	rest, ns := lastLabel(rest)
	if rest == "" {
		if kind == "pod" && z.cfg.Pods == PodsDisabled {
			return z.nxdomain()
		}
		return z.nodata()
	}
	prefix, svc := lastLabel(rest)
	var endpoint, port, proto string
	if prefix != "" {
		r2, l := lastLabel(prefix)
		if r2 == "" {
			endpoint = l
		} else {
			r3, l2 := lastLabel(r2)
			if r3 != "" {
				return z.nxdomain()
			}
			if l != "" && l[0] == '_' && l2 != "" && l2[0] == '_' && kind == "svc" {
				// Already the stored form of a port name, and not stored:
				// unless the Service is an ExternalName, it has no such port.
				if st := z.services[objKey{ns, svc}]; st == nil || st.svc == nil || st.svc.Type != model.ServiceTypeExternalName {
					return z.nxdomain()
				}
			}
			proto, port = stripUnderscore(l), stripUnderscore(l2)
		}
	}
	if kind == "pod" {
		// findPods looks at the namespace and the first label only.
		return z.lookupPod(qname, ns, svc, qtype)
	}
	if prefix == "" || endpoint != "" {
		// A service or endpoint name that is not stored does not exist.
		return z.nxdomain()
	}
	st := z.services[objKey{ns, svc}]
	if st == nil || st.svc == nil || port == "" || proto == "" {
		// Empty port or protocol labels are wildcards upstream; kubesim
		// does not model that form and answers NXDOMAIN.
		return z.nxdomain()
	}
	base := qname[len(prefix)+1:]
	var n *node
	if st.svc.Type == model.ServiceTypeExternalName {
		// CoreDNS ignores port and protocol for an ExternalName Service.
		n = z.names[base]
	} else {
		// Port labels written without underscores match as well.
		n = z.names["_"+port+"._"+proto+"."+base]
	}
	if n == nil {
		return z.nxdomain()
	}
	renamed := &node{
		a: withOwner(n.a, qname), aaaa: withOwner(n.aaaa, qname),
		cname: withOwner(n.cname, qname), srv: withOwner(n.srv, qname), extra: n.extra,
	}
	return z.nodeAnswer(renamed, qtype)
}

func stripUnderscore(s string) string {
	if s != "" && s[0] == '_' {
		return s[1:]
	}
	return s
}

// lookupPod answers <podname>.<ns>.pod.<domain> (CoreDNS findPods): with
// exactly three dashes and no "--" the name is an IPv4 address with dots
// dashed, otherwise an IPv6 address with colons dashed. "insecure" answers
// any address that parses; "verified" only one a pod in ns has as
// status.podIP; "disabled" nothing. SRV gives port 0 and the pod name as
// target, as CoreDNS's SRV does for a host without a port.
func (z *Zone) lookupPod(qname, ns, podname string, qtype Type) Answer {
	if z.cfg.Pods == PodsDisabled {
		return z.nxdomain()
	}
	var ipStr string
	if strings.Count(podname, "-") == 3 && !strings.Contains(podname, "--") {
		ipStr = strings.ReplaceAll(podname, "-", ".")
	} else {
		ipStr = strings.ReplaceAll(podname, "-", ":")
	}
	if z.cfg.Pods == PodsVerified && z.podIPs[objKey{ns, ipStr}] == 0 {
		return z.nxdomain()
	}
	addr, ok := parseIP(ipStr)
	if !ok {
		return z.nxdomain()
	}
	a := z.nodata()
	t := TypeAAAA
	if addr.Is4() {
		t = TypeA
	}
	switch qtype {
	case t:
		a.Records = []RR{{Name: qname, Type: t, TTL: z.ttl, Addr: addr}}
	case TypeSRV:
		target := podname + "." + ns + "." + z.podSuffix
		a.Records = []RR{{Name: qname, Type: TypeSRV, TTL: z.ttl, Weight: 100, Target: target}}
		a.Extra = []RR{{Name: target, Type: t, TTL: z.ttl, Addr: addr}}
	}
	return a
}
