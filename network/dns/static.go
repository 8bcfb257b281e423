package dns

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kubesim/kubesim/sim"
)

// StaticZone is a fixed set of records standing for the world outside the
// cluster (the upstream resolver the cluster DNS forwards to, or a node's
// resolver under dnsPolicy Default). A name with records, or with records
// below it (an empty non-terminal), exists; every other name is NXDOMAIN.
// Answers do not follow CNAMEs: the Server does that.
type StaticZone struct {
	names  map[string]*node
	negTTL uint32
}

// NewStaticZone returns an empty zone whose NXDOMAIN and NODATA answers
// carry negativeTTL seconds (the SOA minimum of the zones it stands for).
func NewStaticZone(negativeTTL uint32) *StaticZone {
	return &StaticZone{names: map[string]*node{".": {}}, negTTL: negativeTTL}
}

// Add adds a record: A with an IPv4 Addr, AAAA with an IPv6 one, CNAME or
// SRV with a Target. A name with a CNAME can have no other record (RFC 1034
// §3.6.2).
func (z *StaticZone) Add(rr RR) error {
	rr.Name = Canonical(rr.Name)
	if !validWireName([]byte(rr.Name)) {
		return fmt.Errorf("name %q is not a valid DNS name", rr.Name)
	}
	switch rr.Type {
	case TypeA:
		if !rr.Addr.Is4() {
			return fmt.Errorf("%s A: address %v is not IPv4", rr.Name, rr.Addr)
		}
	case TypeAAAA:
		if !rr.Addr.Is6() || rr.Addr.Is4In6() {
			return fmt.Errorf("%s AAAA: address %v is not IPv6", rr.Name, rr.Addr)
		}
	case TypeCNAME, TypeSRV:
		if rr.Target == "" {
			return fmt.Errorf("%s %s: no target", rr.Name, rr.Type)
		}
		rr.Target = Canonical(rr.Target)
	default:
		return fmt.Errorf("%s: type %s is not modeled", rr.Name, rr.Type)
	}
	old := z.names[rr.Name]
	n := &node{}
	if old != nil {
		*n = *old
	}
	hasOther := len(n.a)+len(n.aaaa)+len(n.srv) > 0
	if (rr.Type == TypeCNAME && (hasOther || len(n.cname) > 0)) || (rr.Type != TypeCNAME && len(n.cname) > 0) {
		return fmt.Errorf("%s: a CNAME cannot coexist with other records", rr.Name)
	}
	// Copy on write: answers already handed out keep their slices.
	switch rr.Type {
	case TypeA:
		n.a = sortAddrs(append(slices.Clone(n.a), rr))
	case TypeAAAA:
		n.aaaa = sortAddrs(append(slices.Clone(n.aaaa), rr))
	case TypeCNAME:
		n.cname = clip([]RR{rr})
	case TypeSRV:
		s := append(slices.Clone(n.srv), rr)
		slices.SortFunc(s, func(a, b RR) int {
			return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Target, b.Target), cmp.Compare(a.Port, b.Port))
		})
		n.srv = clip(s)
	}
	z.names[rr.Name] = n
	// Register the ancestors as empty non-terminals.
	for i := 0; i < len(rr.Name)-1; i++ {
		if rr.Name[i] == '.' {
			if _, ok := z.names[rr.Name[i+1:]]; !ok {
				z.names[rr.Name[i+1:]] = &node{}
			}
		}
	}
	return nil
}

// Lookup answers from the records: NOERROR with the records of the type
// (or the name's CNAME), NODATA, or NXDOMAIN. It allocates nothing.
func (z *StaticZone) Lookup(_ sim.Time, qname string, qtype Type) Answer {
	if !isCanonical(qname) {
		qname = Canonical(qname)
	}
	n := z.names[qname]
	if n == nil {
		return Answer{Rcode: RcodeNXDomain, NegativeTTL: z.negTTL, From: SourceUpstream}
	}
	a := Answer{Rcode: RcodeSuccess, NegativeTTL: z.negTTL, From: SourceUpstream}
	switch qtype {
	case TypeA:
		a.Records = n.a
	case TypeAAAA:
		a.Records = n.aaaa
	case TypeSRV:
		a.Records = n.srv
	case TypeCNAME:
		return Answer{Rcode: RcodeSuccess, Records: n.cname, NegativeTTL: z.negTTL, From: SourceUpstream}
	}
	if len(a.Records) == 0 {
		a.CNAMEs = n.cname
	}
	return a
}
