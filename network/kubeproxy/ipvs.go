package kubeproxy

import (
	"fmt"

	"github.com/kubesim/kubesim/sim"
)

// IPVSScheduler names a Linux IPVS scheduling module (ipvsadm -s).
type IPVSScheduler string

// The schedulers modeled, each after net/netfilter/ipvs/ip_vs_<name>.c.
const (
	IPVSRoundRobin              IPVSScheduler = "rr"
	IPVSWeightedRoundRobin      IPVSScheduler = "wrr"
	IPVSLeastConnection         IPVSScheduler = "lc"
	IPVSWeightedLeastConnection IPVSScheduler = "wlc"
	IPVSSourceHashing           IPVSScheduler = "sh"
	IPVSDestinationHashing      IPVSScheduler = "dh"
	IPVSShortestExpectedDelay   IPVSScheduler = "sed"
	IPVSNeverQueue              IPVSScheduler = "nq"
)

// IPVSSchedulers lists the modeled schedulers.
func IPVSSchedulers() []IPVSScheduler {
	return []IPVSScheduler{IPVSRoundRobin, IPVSWeightedRoundRobin, IPVSLeastConnection,
		IPVSWeightedLeastConnection, IPVSSourceHashing, IPVSDestinationHashing,
		IPVSShortestExpectedDelay, IPVSNeverQueue}
}

// IPVSOptions configure a virtual server.
type IPVSOptions struct {
	// Scheduler; "" means rr, kube-proxy's default (--ipvs-scheduler).
	Scheduler IPVSScheduler
	// Persistence is the ClientIP affinity timeout (kube-proxy sets the
	// virtual server persistent with the service's timeoutSeconds); 0
	// means none.
	Persistence sim.Duration
	// SHFallback and SHPort are the sh flags sh-fallback and sh-port
	// (IP_VS_SVC_F_SCHED_SH_FALLBACK/_PORT). kube-proxy sets neither.
	SHFallback bool
	SHPort     bool
}

// RealServer is one destination of a virtual server.
type RealServer struct {
	Key string
	// Weight: 0 quiesces the server (no new connections, existing ones
	// stay); kube-proxy uses 1, and 0 while an endpoint drains.
	Weight int32
	// ActiveConns and InactConns are the kernel's activeconns and
	// inactconns: established TCP connections, and the rest (handshaking,
	// closing, TIME_WAIT, UDP).
	ActiveConns int32
	InactConns  int32
}

// ipvsTabBits is IP_VS_SH_TAB_BITS and IP_VS_DH_TAB_BITS (default 8): the
// sh and dh tables have 256 buckets.
const (
	ipvsTabBits = 8
	ipvsTabSize = 1 << ipvsTabBits
	ipvsTabMask = ipvsTabSize - 1
)

// VirtualServer is one IPVS virtual service (address, port, protocol) with
// its real servers, in the kernel's list order, and its scheduler state.
//
// Connection accounting follows the kernel's TCP state machine: Choose
// binds a new connection to the chosen server, counted inactive as in
// SYN_RECV; Connect moves it to active (ESTABLISHED); Close back to
// inactive (FIN_WAIT, TIME_WAIT); Expire removes an inactive one when its
// timer fires. A UDP connection stays inactive until it expires.
//
// Not modeled: upper/lower connection thresholds (the OVERLOAD flag;
// kube-proxy sets none), the other schedulers (mh, lblc, lblcr, fo, ovf).
type VirtualServer struct {
	opts    IPVSOptions
	dests   []RealServer
	pos     map[string]int
	persist *AffinityTable

	// rr: the last chosen server, -1 = the list head (svc->sched_data).
	rrLast int
	// wrr: struct ip_vs_wrr_mark; cl is an index, -1 = the list head.
	wrrCL, wrrCW, wrrMW, wrrDI int
	// sh, dh: bucket -> server index, -1 = empty.
	table [ipvsTabSize]int32
}

// NewVirtualServer returns a virtual server without real servers.
func NewVirtualServer(opts IPVSOptions) (*VirtualServer, error) {
	if opts.Scheduler == "" {
		opts.Scheduler = IPVSRoundRobin
	}
	known := false
	for _, s := range IPVSSchedulers() {
		known = known || s == opts.Scheduler
	}
	if !known {
		return nil, fmt.Errorf("kubeproxy: unknown IPVS scheduler %q", opts.Scheduler)
	}
	v := &VirtualServer{opts: opts, pos: map[string]int{}, rrLast: -1, wrrCL: -1}
	if opts.Persistence > 0 {
		v.persist = NewAffinityTable(opts.Persistence, ExpireAtTimeout)
	}
	v.changed()
	return v, nil
}

// Scheduler returns the scheduler in use.
func (v *VirtualServer) Scheduler() IPVSScheduler { return v.opts.Scheduler }

// Persistence returns the persistence table, nil if not persistent.
func (v *VirtualServer) Persistence() *AffinityTable { return v.persist }

// Dests returns the real servers in kernel list order. The slice is the
// server's own: read it, do not keep or modify it.
func (v *VirtualServer) Dests() []RealServer { return v.dests }

// Dest returns the real server with key.
func (v *VirtualServer) Dest(key string) (RealServer, bool) {
	i, ok := v.pos[key]
	if !ok {
		return RealServer{}, false
	}
	return v.dests[i], true
}

// AddDest adds a real server. Like the kernel (list_add_rcu in
// __ip_vs_update_dest) it goes to the head of the list, so servers added
// in order a, b, c are listed c, b, a.
func (v *VirtualServer) AddDest(key string, weight int32) error {
	if _, dup := v.pos[key]; dup {
		return fmt.Errorf("kubeproxy: real server %q already exists", key)
	}
	if weight < 0 {
		return fmt.Errorf("kubeproxy: real server %q: negative weight %d", key, weight)
	}
	v.dests = append(v.dests, RealServer{})
	copy(v.dests[1:], v.dests)
	v.dests[0] = RealServer{Key: key, Weight: weight}
	if v.rrLast >= 0 { // rr's pointer names a server, which moved down one
		v.rrLast++
	}
	v.reindex()
	v.changed()
	return nil
}

// RemoveDest deletes a real server and reports whether it existed. Its
// connections are forgotten.
func (v *VirtualServer) RemoveDest(key string) bool {
	d, ok := v.pos[key]
	if !ok {
		return false
	}
	v.dests = append(v.dests[:d], v.dests[d+1:]...)
	// ip_vs_rr_del_dest: a pointer to the deleted server moves to its
	// predecessor (or the head).
	if v.rrLast >= d {
		v.rrLast--
	}
	v.reindex()
	if v.persist != nil {
		v.persist.RetainEndpoints(v.pos)
	}
	v.changed()
	return true
}

// SetWeight changes a real server's weight and reports whether it exists.
func (v *VirtualServer) SetWeight(key string, weight int32) bool {
	d, ok := v.pos[key]
	if !ok || weight < 0 {
		return false
	}
	v.dests[d].Weight = weight
	v.changed()
	return true
}

// SetEndpoints syncs the real servers with keys the way kube-proxy's
// syncEndpoint does with graceful termination: a new key is added with
// weight 1 (in keys order, each to the list head; upstream iterates an
// unordered set); a key that is draining (weight 0) is deleted and added
// again; a server whose key is gone is deleted if it has no connections,
// else quiesced to weight 0 until RemoveDrained deletes it.
func (v *VirtualServer) SetEndpoints(keys []string) {
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	for i := len(v.dests) - 1; i >= 0; i-- {
		d := v.dests[i]
		if want[d.Key] {
			continue
		}
		if d.ActiveConns+d.InactConns == 0 {
			v.RemoveDest(d.Key)
		} else if d.Weight != 0 {
			v.SetWeight(d.Key, 0)
		}
	}
	for _, k := range keys {
		if d, ok := v.Dest(k); ok {
			if d.Weight != 0 {
				continue
			}
			v.RemoveDest(k)
		}
		_ = v.AddDest(k, 1) // cannot fail: k is absent and 1 >= 0
	}
}

// RemoveDrained deletes the quiesced servers (weight 0) whose connections
// are all gone, as kube-proxy's graceful-termination manager does every
// minute, and returns how many it deleted.
func (v *VirtualServer) RemoveDrained() int {
	n := 0
	for i := len(v.dests) - 1; i >= 0; i-- {
		if d := v.dests[i]; d.Weight == 0 && d.ActiveConns+d.InactConns == 0 {
			v.RemoveDest(d.Key)
			n++
		}
	}
	return n
}

func (v *VirtualServer) reindex() {
	clear(v.pos)
	for i := range v.dests {
		v.pos[v.dests[i].Key] = i
	}
}

// changed runs the scheduler's add_dest/del_dest/upd_dest hook.
func (v *VirtualServer) changed() {
	switch v.opts.Scheduler {
	case IPVSWeightedRoundRobin:
		v.wrrDestChanged()
	case IPVSSourceHashing:
		v.shReassign()
	case IPVSDestinationHashing:
		v.dhReassign()
	}
}

// Connect marks one of key's connections established (inactive -> active).
func (v *VirtualServer) Connect(key string) bool {
	d, ok := v.pos[key]
	if !ok || v.dests[d].InactConns == 0 {
		return false
	}
	v.dests[d].InactConns--
	v.dests[d].ActiveConns++
	return true
}

// Close marks one of key's established connections closing (active ->
// inactive: FIN_WAIT, TIME_WAIT).
func (v *VirtualServer) Close(key string) bool {
	d, ok := v.pos[key]
	if !ok || v.dests[d].ActiveConns == 0 {
		return false
	}
	v.dests[d].ActiveConns--
	v.dests[d].InactConns++
	return true
}

// Expire removes one of key's inactive connections (its timer fired).
func (v *VirtualServer) Expire(key string) bool {
	d, ok := v.pos[key]
	if !ok || v.dests[d].InactConns == 0 {
		return false
	}
	v.dests[d].InactConns--
	return true
}

// Choose schedules a new connection. With persistence, a fresh template
// for the client wins if its server still has weight > 0 (kube-proxy sets
// net.ipv4.vs.expire_quiescent_template=1, so a template to a quiesced
// server is dropped); otherwise the scheduler picks and a template is
// recorded. The connection is bound to the server, counted inactive.
func (v *VirtualServer) Choose(f Flow, now sim.Time) Choice {
	if v.persist != nil {
		if key, ok := v.persist.Lookup(f.Src, now); ok {
			if i, ok := v.pos[key]; ok && v.dests[i].Weight > 0 {
				v.persist.Record(f.Src, key, now)
				v.dests[i].InactConns++
				return Choice{Index: i, Key: key, Affine: true}
			}
			v.persist.Forget(f.Src)
		}
	}
	i, steps := v.Schedule(f)
	if i < 0 {
		return Choice{Index: -1, Steps: steps}
	}
	key := v.dests[i].Key
	if v.persist != nil {
		v.persist.Record(f.Src, key, now)
	}
	v.dests[i].InactConns++
	return Choice{Index: i, Key: key, Steps: steps}
}

// Schedule runs the scheduler alone, without persistence or accounting,
// and returns the chosen server's index (-1: "no destination available")
// and the number of servers or buckets it examined.
func (v *VirtualServer) Schedule(f Flow) (index, steps int) {
	switch v.opts.Scheduler {
	case IPVSRoundRobin:
		return v.scheduleRR()
	case IPVSWeightedRoundRobin:
		return v.scheduleWRR()
	case IPVSLeastConnection:
		return v.scheduleLC()
	case IPVSWeightedLeastConnection:
		return v.scheduleWeightedLeast(lcOverhead)
	case IPVSShortestExpectedDelay:
		return v.scheduleWeightedLeast(sedOverhead)
	case IPVSNeverQueue:
		return v.scheduleNQ()
	case IPVSSourceHashing:
		return v.scheduleSH(f)
	case IPVSDestinationHashing:
		return v.scheduleDH(f)
	}
	return -1, 0
}
