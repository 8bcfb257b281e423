package dns

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// glibc resolver defaults and bounds (resolv/resolv.h, res_init.c).
const (
	// DefaultNdots is glibc's ndots without an option (res_init: 1).
	DefaultNdots = 1
	// MaxNdots is RES_MAXNDOTS: larger ndots values are taken as 15.
	MaxNdots = 15
	// DefaultAttempts is RES_DFLRETRY: each nameserver is tried twice.
	DefaultAttempts = 2
	// MaxAttempts is RES_MAXRETRY.
	MaxAttempts = 5
	// DefaultTimeout is RES_TIMEOUT: 5 s per try.
	DefaultTimeout = 5 * time.Second
	// MaxTimeout is RES_MAXRETRANS: 30 s.
	MaxTimeout = 30 * time.Second
	// maxInternedNames bounds a Resolver's table of query names; it is
	// cleared when full.
	maxInternedNames = 4096
)

// ResolverOptions are the resolv.conf options the stub resolver acts on.
type ResolverOptions struct {
	// Ndots: a name with at least this many dots is tried as is first.
	Ndots int
	// Timeout and Attempts are how long glibc waits for each datagram and
	// how many times it tries each nameserver; the simulator uses them to
	// cost lost packets. Rotate spreads queries over the nameservers.
	Timeout  sim.Duration
	Attempts int
	Rotate   bool
}

// ParseOptions applies resolv.conf options in order, later ones winning,
// as glibc's res_setoptions: ndots:n (capped at 15), timeout:n seconds
// (capped at 30), attempts:n (capped at 5), rotate. Other options are
// ignored; a value that is not a number counts as 0 (atoi); a negative
// one is taken as 0.
func ParseOptions(options []string) ResolverOptions {
	o := ResolverOptions{Ndots: DefaultNdots, Timeout: DefaultTimeout, Attempts: DefaultAttempts}
	for _, opt := range options {
		name, val, _ := strings.Cut(opt, ":")
		switch name {
		case "ndots":
			o.Ndots = min(atoi(val), MaxNdots)
		case "timeout":
			o.Timeout = min(sim.Duration(atoi(val))*time.Second, MaxTimeout)
		case "attempts":
			o.Attempts = min(atoi(val), MaxAttempts)
		case "rotate":
			o.Rotate = true
		}
	}
	return o
}

// atoi reads leading decimal digits as C's atoi does; no digits, or a
// minus sign, give 0. Values are capped well above every bound used.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		n = min(n*10+int(s[i]-'0'), 1<<20)
	}
	return n
}

// Outcome is how a resolution ended: glibc's h_errno after res_search.
type Outcome uint8

// Outcomes.
const (
	// Success: a query got NOERROR with a non-empty answer section.
	Success Outcome = iota
	// HostNotFound: the name does not exist (NXDOMAIN).
	HostNotFound
	// NoData: the name exists, without records of the type.
	NoData
	// TryAgain: a server failed or refused (SERVFAIL, REFUSED: res_send
	// gives up on every server and res_query reports TRY_AGAIN) and nothing
	// better was found.
	TryAgain
	// NoRecovery: the name cannot be put in a query, or an rcode glibc has
	// no retry for.
	NoRecovery
)

// String names the outcome as netdb.h does.
func (o Outcome) String() string {
	switch o {
	case Success:
		return "NETDB_SUCCESS"
	case HostNotFound:
		return "HOST_NOT_FOUND"
	case NoData:
		return "NO_DATA"
	case TryAgain:
		return "TRY_AGAIN"
	case NoRecovery:
		return "NO_RECOVERY"
	}
	return "UNKNOWN"
}

// Query is one query a resolution sent (or would have sent).
type Query struct {
	// Name is the fully qualified name asked, canonical.
	Name string
	Type Type
	// Rcode and Answers (answer-section records, CNAMEs included) are the
	// response's.
	Rcode   Rcode
	Answers int
	// From is where the answer came from; SourceClientCache means no packet
	// left the client.
	From Source
	// Sends is the number of datagrams the client sent for this query: 1;
	// Attempts × nameservers for SERVFAIL and REFUSED, which glibc's
	// res_send retries on every server before giving up; 0 when the name
	// could not be encoded or the client cache answered.
	Sends int
	// Unencodable: the name has a label over 63 or more than 253
	// characters, so res_nmkquery failed and nothing was sent.
	Unencodable bool
}

// Result is a resolution: the queries in the order they were sent, the
// outcome, and the answer that ended it (the successful one, else the last
// one received).
type Result struct {
	Queries []Query
	Outcome Outcome
	Answer  Answer
}

// RoundTrips is the number of datagrams sent over the network.
func (r *Result) RoundTrips() int {
	n := 0
	for i := range r.Queries {
		n += r.Queries[i].Sends
	}
	return n
}

// Addrs appends the answer's addresses to dst.
func (r *Result) Addrs(dst []netip.Addr) []netip.Addr {
	if r.Outcome != Success {
		return dst
	}
	for i := range r.Answer.Records {
		if t := r.Answer.Records[i].Type; t == TypeA || t == TypeAAAA {
			dst = append(dst, r.Answer.Records[i].Addr)
		}
	}
	return dst
}

// Resolver is a client's stub resolver: glibc's res_search over one
// resolv.conf, sending every query to one Nameserver (the first nameserver
// of the file; failing over to the others on timeouts is the caller's
// model). It is not safe for concurrent use; a simulation is
// single-threaded anyway.
type Resolver struct {
	conf   ResolvConf
	opts   ResolverOptions
	search []string // canonical domains with trailing dot; "." is the root
	ns     Nameserver
	nsN    int // nameserver count, for retry costs

	buf   []byte
	names map[string]string
}

// NewResolver returns a resolver for conf sending queries to ns.
func NewResolver(conf ResolvConf, ns Nameserver) *Resolver {
	r := &Resolver{conf: conf, opts: ParseOptions(conf.Options), ns: ns, nsN: max(1, len(conf.Nameservers)), names: map[string]string{}}
	for _, s := range conf.Searches {
		if s == "" || s == "." {
			r.search = append(r.search, ".")
			continue
		}
		r.search = append(r.search, Canonical(s))
	}
	return r
}

// Options returns the parsed resolver options.
func (r *Resolver) Options() ResolverOptions { return r.opts }

// Search returns a copy of the search list, canonical ("." for the root).
func (r *Resolver) Search() []string { return slices.Clone(r.search) }

// Resolve looks name up with glibc's res_search (resolv/res_query.c
// __res_context_search, resolv.conf(5)) and writes the result to out,
// reusing out's Queries slice:
//
//   - a name ending in '.' is queried once, as is;
//   - a name with at least ndots dots is queried as is first; on failure
//     the search list follows;
//   - otherwise each search domain is appended in turn, and the name as is
//     comes last (unless the root is in the search list);
//   - the first NOERROR response with a non-empty answer section ends it;
//     NXDOMAIN, NODATA and SERVFAIL go on to the next candidate; REFUSED
//     (or a name too long to encode) stops the search list, and only the
//     as-is query, if not tried yet, remains;
//   - if all fail the outcome is that of the first as-is query when it was
//     tried first, else NO_DATA if any search query got NODATA, else
//     TRY_AGAIN if any got SERVFAIL, else the last query's.
//
// Each candidate counts as one query of qtype (glibc's getaddrinfo with
// AF_UNSPEC sends A and AAAA together per candidate; call Resolve per
// family to model it). Once the resolver has seen a name, resolving it
// again allocates nothing.
func (r *Resolver) Resolve(now sim.Time, name string, qtype Type, out *Result) {
	out.Queries = out.Queries[:0]
	out.Answer = Answer{}
	out.Outcome = NoRecovery
	if name == "" {
		return
	}
	dots := strings.Count(name, ".")
	trailing := name[len(name)-1] == '.'

	savedSet := false
	var saved Outcome
	triedAsIs := false
	if dots >= r.opts.Ndots || trailing {
		o, ok := r.query(now, name, ".", qtype, out)
		if ok || trailing {
			out.Outcome = o
			return
		}
		saved, savedSet, triedAsIs = o, true, true
	}

	gotNoData, gotServFail, rootOnList := false, false, false
	last := NoRecovery
	if !trailing {
		for _, d := range r.search {
			if d == "." {
				rootOnList = true
			}
			o, ok := r.query(now, name, d, qtype, out)
			if ok {
				out.Outcome = o
				return
			}
			last = o
			done := false
			switch o {
			case NoData:
				gotNoData = true
			case HostNotFound:
			case TryAgain:
				if out.Answer.Rcode == RcodeServFail {
					gotServFail = true
					break
				}
				done = true
			default:
				done = true
			}
			if done {
				break
			}
		}
	}
	if !triedAsIs && !rootOnList {
		o, ok := r.query(now, name, ".", qtype, out)
		if ok {
			out.Outcome = o
			return
		}
		last = o
	}
	switch {
	case savedSet:
		out.Outcome = saved
	case gotNoData:
		out.Outcome = NoData
	case gotServFail:
		out.Outcome = TryAgain
	default:
		out.Outcome = last
	}
}

// query sends name+domain and records it; ok reports success.
func (r *Resolver) query(now sim.Time, name, domain string, qtype Type, out *Result) (Outcome, bool) {
	b := appendLower(r.buf[:0], name)
	if b[len(b)-1] != '.' {
		b = append(b, '.')
	}
	if domain != "." {
		b = append(b, domain...)
	}
	r.buf = b
	qname := r.intern(b)
	q := Query{Name: qname, Type: qtype}
	if !validWireName(b) {
		// res_nmkquery cannot encode it: NO_RECOVERY, nothing sent.
		q.Unencodable = true
		out.Queries = append(out.Queries, q)
		return NoRecovery, false
	}
	a := r.ns.Lookup(now, qname, qtype)
	q.Rcode, q.Answers, q.From = a.Rcode, len(a.CNAMEs)+len(a.Records), a.From
	switch {
	case a.From == SourceClientCache:
		q.Sends = 0
	case a.Rcode == RcodeServFail || a.Rcode == RcodeRefused:
		q.Sends = r.opts.Attempts * r.nsN
	default:
		q.Sends = 1
	}
	out.Queries = append(out.Queries, q)
	out.Answer = a
	switch {
	case a.Answered():
		return Success, true
	case a.Rcode == RcodeNXDomain:
		return HostNotFound, false
	case a.Rcode == RcodeSuccess:
		return NoData, false
	case a.Rcode == RcodeServFail || a.Rcode == RcodeRefused:
		return TryAgain, false
	}
	return NoRecovery, false
}

// intern returns a string equal to b, reusing the one made the last time.
func (r *Resolver) intern(b []byte) string {
	if s, ok := r.names[string(b)]; ok {
		return s
	}
	if len(r.names) >= maxInternedNames {
		clear(r.names)
	}
	s := string(b)
	r.names[s] = s
	return s
}
