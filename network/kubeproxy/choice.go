package kubeproxy

import (
	"net/netip"

	"github.com/kubesim/kubesim/sim"
)

// Flow is what a chooser sees of a new connection to a service port.
type Flow struct {
	// Src is the client address: the session-affinity key and the input of
	// IPVS source hashing.
	Src netip.Addr
	// SrcPort is hashed by IPVS sh only with IPVSOptions.SHPort.
	SrcPort uint16
	// Dst is the service address the client dialled (cluster IP, node IP,
	// load-balancer IP): the input of IPVS destination hashing.
	Dst netip.Addr
}

// Choice is the outcome of choosing an endpoint for one new connection.
type Choice struct {
	// Index is the endpoint's position in the chooser's endpoint list
	// (IPVS: the kernel's real-server list), -1 if none was chosen.
	Index int
	// Key is the chosen endpoint's key, "" if none.
	Key string
	// Steps is the linear work the data path did, for latency models:
	// iptables rules traversed, nftables rules evaluated (affinity rules
	// plus one numgen verdict-map lookup), IPVS real servers examined by
	// the scheduler (0 on a persistence hit, which is one hash lookup),
	// userspace dial attempts (1 per NextEndpoint).
	Steps int
	// Affine reports that session affinity chose the endpoint.
	Affine bool
}

// None reports whether no endpoint was chosen (the proxier rejects or
// drops the connection).
func (c Choice) None() bool { return c.Index < 0 }

var noChoice = Choice{Index: -1}

// Chooser picks an endpoint for each new connection of one service port.
// Implementations are single-threaded state machines; only SetEndpoints
// allocates, Choose never does once its tables have grown.
type Chooser interface {
	// SetEndpoints replaces the endpoint list (by Key, in the order the
	// proxier writes its rules) after an EndpointSlice change.
	SetEndpoints(keys []string)
	// Choose picks the endpoint for a new connection f at virtual time now.
	Choose(f Flow, now sim.Time) Choice
}

// Compile-time conformance checks.
var (
	_ Chooser = (*IPTablesChooser)(nil)
	_ Chooser = (*NFTablesChooser)(nil)
	_ Chooser = (*VirtualServer)(nil)
	_ Chooser = (*UserspaceRR)(nil)
)

// endpointList is the ordered endpoint keys of a chooser and their
// positions, so an affinity entry (a key) maps back to a rule position.
type endpointList struct {
	keys []string
	pos  map[string]int
}

func (l *endpointList) set(keys []string) {
	l.keys = append(l.keys[:0], keys...)
	if l.pos == nil {
		l.pos = make(map[string]int, len(keys))
	} else {
		clear(l.pos)
	}
	for i, k := range l.keys {
		if _, dup := l.pos[k]; !dup {
			l.pos[k] = i
		}
	}
}

func (l *endpointList) choice(i, steps int, affine bool) Choice {
	return Choice{Index: i, Key: l.keys[i], Steps: steps, Affine: affine}
}
