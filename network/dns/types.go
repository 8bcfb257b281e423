package dns

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/sim"
)

// Type is a DNS resource record type (RFC 1035 §3.2.2, RFC 3596, RFC 2782).
// Only the types cluster DNS serves for Services and pods are modeled.
type Type uint16

// The modeled record types, with their IANA numbers.
const (
	TypeA     Type = 1
	TypeCNAME Type = 5
	TypeAAAA  Type = 28
	TypeSRV   Type = 33
)

// String returns the type's mnemonic ("A", "SRV", ...).
func (t Type) String() string {
	switch t {
	case TypeA:
		return "A"
	case TypeCNAME:
		return "CNAME"
	case TypeAAAA:
		return "AAAA"
	case TypeSRV:
		return "SRV"
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// Rcode is a DNS response code (RFC 1035 §4.1.1).
type Rcode uint8

// The response codes the model produces.
const (
	// RcodeSuccess (NOERROR): the name exists. With no answer records
	// this is NODATA (RFC 2308 §2.2): the name exists, not with this type.
	RcodeSuccess Rcode = 0
	// RcodeServFail: the server could not answer (no upstream, CNAME
	// loop). glibc retries the search list with the next domain.
	RcodeServFail Rcode = 2
	// RcodeNXDomain: the name does not exist (RFC 2308 §2.1). glibc
	// continues with the next search domain.
	RcodeNXDomain Rcode = 3
	// RcodeRefused: the server refuses the query. glibc stops walking the
	// search list (res_query.c: "anything else implies that we're done").
	RcodeRefused Rcode = 5
)

// String returns the code's mnemonic.
func (r Rcode) String() string {
	switch r {
	case RcodeSuccess:
		return "NOERROR"
	case RcodeServFail:
		return "SERVFAIL"
	case RcodeNXDomain:
		return "NXDOMAIN"
	case RcodeRefused:
		return "REFUSED"
	}
	return "RCODE" + strconv.Itoa(int(r))
}

// RR is one resource record. Names are fully qualified, lower case, with
// the trailing dot ("web.shop.svc.cluster.local.").
type RR struct {
	Name string
	Type Type
	// TTL in seconds, as on the wire.
	TTL uint32
	// Addr is the address of an A or AAAA record.
	Addr netip.Addr
	// Target is the canonical name of a CNAME or the target of an SRV.
	Target string
	// Priority, Weight and Port are the SRV fields (RFC 2782).
	Priority, Weight, Port uint16
}

// String formats the record in zone-file presentation form, as dig prints it.
func (r RR) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	b.WriteByte('\t')
	b.WriteString(strconv.FormatUint(uint64(r.TTL), 10))
	b.WriteString("\tIN\t")
	b.WriteString(r.Type.String())
	b.WriteByte('\t')
	switch r.Type {
	case TypeA, TypeAAAA:
		b.WriteString(r.Addr.String())
	case TypeCNAME:
		b.WriteString(r.Target)
	case TypeSRV:
		b.WriteString(strconv.Itoa(int(r.Priority)))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(int(r.Weight)))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(int(r.Port)))
		b.WriteByte(' ')
		b.WriteString(r.Target)
	}
	return b.String()
}

// Source says which layer produced an answer, so that a simulator can
// charge the right network path for a query.
type Source uint8

// Answer sources.
const (
	// SourceZone: the cluster DNS server answered authoritatively from its
	// zone (one round trip client → cluster DNS).
	SourceZone Source = iota + 1
	// SourceUpstream: the cluster DNS server forwarded the query to its
	// upstream (CoreDNS "forward . /etc/resolv.conf"): one more round trip
	// cluster DNS → upstream.
	SourceUpstream
	// SourceServerCache: a cache inside the cluster DNS server answered
	// (CoreDNS "cache 30"): one round trip, no forwarding.
	SourceServerCache
	// SourceNodeCache: a node-local cache answered (NodeLocal DNSCache):
	// one round trip to the node-local agent only.
	SourceNodeCache
	// SourceClientCache: the client's own cache answered: no packet.
	SourceClientCache
)

// String names the source.
func (s Source) String() string {
	switch s {
	case SourceZone:
		return "zone"
	case SourceUpstream:
		return "upstream"
	case SourceServerCache:
		return "server-cache"
	case SourceNodeCache:
		return "node-cache"
	case SourceClientCache:
		return "client-cache"
	}
	return "none"
}

// Answer is a response to one query. Its slices are shared with the zone
// or cache that produced them and must not be modified; the zone replaces
// rather than mutates them on updates, so an Answer stays valid (and
// unchanged) after later updates.
type Answer struct {
	Rcode Rcode
	// CNAMEs are the aliases followed from the query name, in order.
	CNAMEs []RR
	// Records are the records of the query type at the end of the chain.
	Records []RR
	// Extra is the additional section: the addresses of SRV targets.
	Extra []RR
	// NegativeTTL is the RFC 2308 §5 negative-caching TTL of an NXDOMAIN or
	// NODATA answer: min(SOA TTL, SOA MINIMUM) of the zone's SOA, in seconds.
	NegativeTTL uint32
	// From is the layer that produced the answer.
	From Source
	// Age is how long the answer has sat in caches on its way here; caches
	// downstream subtract it from the TTL (CoreDNS decrements cached TTLs
	// the same way).
	Age sim.Duration
}

// Answered reports whether the answer section is non-empty with NOERROR:
// what glibc's res_query counts as success (rcode NOERROR and ancount > 0).
// A CNAME whose target has no record of the type still counts.
func (a *Answer) Answered() bool {
	return a.Rcode == RcodeSuccess && len(a.CNAMEs)+len(a.Records) > 0
}

// NoData reports an RFC 2308 NODATA answer: NOERROR, empty answer section.
func (a *Answer) NoData() bool {
	return a.Rcode == RcodeSuccess && len(a.CNAMEs)+len(a.Records) == 0
}

// TTL is the answer's remaining lifetime: for an answered query the least
// TTL of its answer records, for NXDOMAIN and NODATA the negative TTL, for
// other codes zero; less Age, never below zero.
func (a *Answer) TTL() sim.Duration {
	var secs uint32
	switch {
	case a.Answered():
		secs = ^uint32(0)
		for i := range a.CNAMEs {
			secs = min(secs, a.CNAMEs[i].TTL)
		}
		for i := range a.Records {
			secs = min(secs, a.Records[i].TTL)
		}
	case a.Rcode == RcodeSuccess || a.Rcode == RcodeNXDomain:
		secs = a.NegativeTTL
	}
	d := sim.Duration(secs)*1e9 - a.Age
	return max(d, 0)
}

// Nameserver answers queries. The cluster DNS [Server], a [StaticZone]
// upstream and a [CachingNameserver] in front of either implement it, and
// a [Resolver] sends its queries to one. Implementations are deterministic:
// the same queries at the same times give the same answers.
type Nameserver interface {
	// Lookup answers the query (qname canonical: lower case, trailing dot).
	Lookup(now sim.Time, qname string, qtype Type) Answer
}
