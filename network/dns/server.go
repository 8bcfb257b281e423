package dns

import (
	"github.com/kubesim/kubesim/sim"
)

// maxCNAMEHops bounds how many aliases the Server follows for one query.
// CoreDNS detects loops (plugin/backend_lookup.go); kubesim also bounds the
// chain, and answers SERVFAIL past the bound or on a loop.
const maxCNAMEHops = 8

// Server is the cluster DNS server (CoreDNS with the kubernetes plugin, as
// the kube-dns Service fronts it): authoritative for the zone, forwarding
// every other name to its upstream ("forward . /etc/resolv.conf"). It follows
// CNAMEs: an ExternalName alias is resolved in the zone when it points into
// it and through the upstream otherwise, and the client gets the whole
// chain in one response, as CoreDNS's A/AAAA lookups return it.
type Server struct {
	zone     *Zone
	upstream Nameserver
}

// NewServer returns a server for zone. upstream answers names outside the
// zone; nil means there is no forwarder, and such names get SERVFAIL (the
// CoreDNS plugin chain ends without an answer: plugin.NextOrFailure).
func NewServer(zone *Zone, upstream Nameserver) *Server {
	return &Server{zone: zone, upstream: upstream}
}

// Zone returns the server's zone.
func (s *Server) Zone() *Zone { return s.zone }

// Lookup answers one query. From is SourceZone unless the answer (or part
// of its CNAME chain) came through the upstream, then SourceUpstream.
func (s *Server) Lookup(now sim.Time, qname string, qtype Type) Answer {
	if !isCanonical(qname) {
		qname = Canonical(qname)
	}
	a := s.lookupOne(now, qname, qtype)
	if qtype == TypeCNAME || qtype == TypeSRV {
		return a
	}
	// An answer that is a CNAME without records of the type needs its
	// target looked up; the target's own answer may be another such alias.
	unresolved := func(x *Answer) bool {
		return x.Rcode == RcodeSuccess && len(x.Records) == 0 && len(x.CNAMEs) > 0
	}
	for hops, pending := 0, unresolved(&a); pending; hops++ {
		target := a.CNAMEs[len(a.CNAMEs)-1].Target
		if hops >= maxCNAMEHops || target == qname || ownsAny(a.CNAMEs, target) {
			return Answer{Rcode: RcodeServFail, From: a.From}
		}
		next := s.lookupOne(now, target, qtype)
		pending = unresolved(&next)
		chain := a.CNAMEs
		if len(next.CNAMEs) > 0 {
			chain = make([]RR, 0, len(a.CNAMEs)+len(next.CNAMEs))
			chain = append(append(chain, a.CNAMEs...), next.CNAMEs...)
		}
		from := a.From
		if next.From == SourceUpstream {
			from = SourceUpstream
		}
		a = next
		a.CNAMEs = chain
		a.From = from
		a.Age = 0
	}
	return a
}

func ownsAny(rrs []RR, name string) bool {
	for i := range rrs {
		if rrs[i].Name == name {
			return true
		}
	}
	return false
}

// lookupOne answers qname without following aliases.
func (s *Server) lookupOne(now sim.Time, qname string, qtype Type) Answer {
	if s.zone.Contains(qname) {
		return s.zone.Lookup(qname, qtype)
	}
	if s.upstream == nil {
		return Answer{Rcode: RcodeServFail, From: SourceZone}
	}
	a := s.upstream.Lookup(now, qname, qtype)
	a.From = SourceUpstream
	return a
}
