package services

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// KubernetesServiceKey is the Service that owns the first address of the
// primary range (pkg/controlplane/controller/kubernetesservice: the
// apiserver creates default/kubernetes with clusterIP = the CIDR's first
// usable address).
const KubernetesServiceKey = "default/kubernetes"

// Allocator holds the ClusterIP ranges and the node port range of one
// cluster and applies the Service REST storage's allocation rules
// (pkg/registry/core/service/storage/alloc.go) at create, update and
// delete. It is not safe for concurrent use; a run is single-threaded.
type Allocator struct {
	ips   []*IPRange // primary family first
	ports *PortRange
	rnd   *sim.Rand

	// kubeIP, the primary range's first address, is taken at construction
	// and never returned to the pool; kubeIPHeld says whether
	// default/kubernetes currently holds it.
	kubeIP     netip.Addr
	kubeIPHeld bool

	// healthCheck holds the healthCheckNodePort of each LoadBalancer
	// Service with externalTrafficPolicy Local, by namespace/name:
	// model.ServiceSpec does not carry the field yet.
	healthCheck map[string]int32
}

// New builds the allocators of cfg. All dynamic choices draw from rnd, so
// the same seed and the same sequence of calls give the same values; give
// it its own stream (kernel.Rand("apiserver/service-allocator")).
func New(cfg Config, rnd *sim.Rand) (*Allocator, error) {
	if rnd == nil {
		return nil, fmt.Errorf("services: nil random stream")
	}
	cfg = cfg.withDefaults()
	prefixes, err := parseServiceCIDRs(cfg.ServiceCIDRs)
	if err != nil {
		return nil, err
	}
	a := &Allocator{rnd: rnd, healthCheck: map[string]int32{}}
	for _, p := range prefixes {
		r, err := newIPRange(p)
		if err != nil {
			return nil, err
		}
		a.ips = append(a.ips, r)
	}
	if a.ports, err = NewPortRange(cfg.NodePortRange); err != nil {
		return nil, err
	}
	a.kubeIP = a.ips[0].IndexedIP(0)
	if err := a.ips[0].Allocate(a.kubeIP); err != nil {
		return nil, err
	}
	return a, nil
}

// ClusterIPRanges returns the ClusterIP ranges, primary first.
func (a *Allocator) ClusterIPRanges() []*IPRange { return slices.Clone(a.ips) }

// NodePortRange returns the node port range.
func (a *Allocator) NodePortRange() *PortRange { return a.ports }

// KubernetesServiceIP is the address reserved for default/kubernetes.
func (a *Allocator) KubernetesServiceIP() netip.Addr { return a.kubeIP }

// HealthCheckNodePort returns the healthCheckNodePort allocated to the
// Service namespace/name, 0 if it has none.
func (a *Allocator) HealthCheckNodePort(namespace, name string) int32 {
	m := model.ObjectMeta{Namespace: namespace, Name: name}
	return a.healthCheck[m.Key()]
}

// RangeUsage is one range's fill, for tests and metrics.
type RangeUsage struct {
	Range      string // "10.96.0.0/12", "30000-32767"
	Size       uint64 // allocatable values
	StaticBand uint64 // values in the lower (static) band
	Used       uint64 // includes the reserved default/kubernetes address
	Free       uint64
}

// Snapshot is the fill of every range.
type Snapshot struct {
	ClusterIPs []RangeUsage // primary family first
	NodePorts  RangeUsage
}

// Snapshot returns the current fill.
func (a *Allocator) Snapshot() Snapshot {
	var s Snapshot
	for _, r := range a.ips {
		s.ClusterIPs = append(s.ClusterIPs, RangeUsage{Range: r.CIDR().String(), Size: r.Size(),
			StaticBand: r.StaticBandSize(), Used: r.Used(), Free: r.Free()})
	}
	p := a.ports
	s.NodePorts = RangeUsage{Range: p.String(), Size: p.Size(), StaticBand: p.StaticBandSize(), Used: p.Used(), Free: p.Free()}
	return s
}

// Admit applies the Service allocation rules to a create (old == nil) or
// an update (old is the stored object), mutating cur: it normalises
// clusterIP/clusterIPs, restores allocated values a client left out,
// wipes fields the new type no longer uses, validates (Validate), then
// allocates or keeps clusterIP(s), nodePorts and the healthCheckNodePort,
// releasing what the update gave up. It is all or nothing: on error no
// allocation or release has happened and cur must be discarded. Errors are
// *model.StatusError, Invalid for a bad request, InternalError for a full
// range, worded as upstream's.
//
// cur must already be defaulted (model.SetDefaults). Call Admit last
// among the checks of a write (after model.Validate): a write refused
// after Admit succeeded must be undone with Release (create) or a reverse
// Admit(cur, old) (update).
func (a *Allocator) Admit(old, cur *model.Service) error {
	if old == nil {
		prepareCreate(cur)
	} else {
		prepareUpdate(old, cur)
	}
	if errs := Validate(old, cur); len(errs) > 0 {
		return invalidError(cur, errs)
	}
	tx := &txn{key: cur.Key()}
	var err error
	if old == nil {
		err = a.allocateCreate(tx, cur)
	} else {
		err = a.allocateUpdate(tx, old, cur)
	}
	if err != nil {
		a.revert(tx)
		return err
	}
	a.commit(tx)
	return nil
}

// Release frees everything svc holds, at delete (releaseAllocatedResources):
// its cluster IPs unless it is headless or ExternalName, its node ports,
// and its healthCheckNodePort. Pass the stored object; releasing values
// that were never allocated to svc would free another Service's.
func (a *Allocator) Release(svc *model.Service) {
	if needsClusterIP(svc) && !isHeadless(svc) {
		ips := svc.Spec.ClusterIPs
		if len(ips) == 0 && svc.Spec.ClusterIP != "" {
			ips = []string{svc.Spec.ClusterIP}
		}
		for _, s := range ips {
			if ip, ok := parseServiceIP(s); ok {
				a.releaseIP(ip)
			}
		}
	}
	for _, np := range nodePortsOf(svc) {
		a.ports.Release(np)
	}
	k := svc.Key()
	if np, ok := a.healthCheck[k]; ok {
		a.ports.Release(np)
		delete(a.healthCheck, k)
	}
}

// txn records one Admit's effects: allocations to undo on failure, and
// releases and bookkeeping deferred until success (upstream's
// metaTransaction and PortAllocationOperation).
type txn struct {
	key         string
	ips         []netip.Addr // allocated here
	ports       []int32      // allocated here
	kubeIPTaken bool         // default/kubernetes took the reserved address
	releaseIPs  []netip.Addr // to release on commit
	releasePort []int32      // to release on commit
	setHC       int32        // new healthCheckNodePort to record
	dropHC      bool         // forget (and release) the recorded one
}

func (a *Allocator) commit(tx *txn) {
	for _, ip := range tx.releaseIPs {
		a.releaseIP(ip)
	}
	for _, p := range tx.releasePort {
		a.ports.Release(p)
	}
	if tx.dropHC {
		if np, ok := a.healthCheck[tx.key]; ok {
			a.ports.Release(np)
			delete(a.healthCheck, tx.key)
		}
	}
	if tx.setHC != 0 {
		a.healthCheck[tx.key] = tx.setHC
	}
}

func (a *Allocator) revert(tx *txn) {
	for _, ip := range tx.ips {
		a.releaseIP(ip)
	}
	for _, p := range tx.ports {
		a.ports.Release(p)
	}
	if tx.kubeIPTaken {
		a.kubeIPHeld = false
	}
}

func (a *Allocator) rangeFor(f IPFamily) *IPRange {
	for _, r := range a.ips {
		if r.family == f {
			return r
		}
	}
	return nil
}

// releaseIP returns ip to its range; the reserved address only goes back
// to reserved.
func (a *Allocator) releaseIP(ip netip.Addr) {
	ip = ip.Unmap()
	if ip == a.kubeIP {
		a.kubeIPHeld = false
		return
	}
	if r := a.rangeFor(familyOf(ip)); r != nil {
		r.Release(ip)
	}
}

// allocateIP reserves a requested address; the reserved first address goes
// to default/kubernetes only.
func (a *Allocator) allocateIP(tx *txn, r *IPRange, ip netip.Addr) error {
	ip = ip.Unmap()
	if ip == a.kubeIP {
		if tx.key != KubernetesServiceKey || a.kubeIPHeld {
			return ErrIPAllocated
		}
		a.kubeIPHeld, tx.kubeIPTaken = true, true
		return nil
	}
	if err := r.Allocate(ip); err != nil {
		return err
	}
	tx.ips = append(tx.ips, ip)
	return nil
}

// nextIP reserves a dynamic address; default/kubernetes gets the reserved
// first address of the primary range while it is free.
func (a *Allocator) nextIP(tx *txn, r *IPRange) (netip.Addr, error) {
	if r == a.ips[0] && tx.key == KubernetesServiceKey && !a.kubeIPHeld {
		a.kubeIPHeld, tx.kubeIPTaken = true, true
		return a.kubeIP, nil
	}
	ip, err := r.AllocateNext(a.rnd)
	if err != nil {
		return netip.Addr{}, err
	}
	tx.ips = append(tx.ips, ip)
	return ip, nil
}

func (a *Allocator) allocatePort(tx *txn, port int32) error {
	if err := a.ports.Allocate(port); err != nil {
		return err
	}
	tx.ports = append(tx.ports, port)
	return nil
}

func (a *Allocator) nextPort(tx *txn) (int32, error) {
	p, err := a.ports.AllocateNext(a.rnd)
	if err != nil {
		return 0, err
	}
	tx.ports = append(tx.ports, p)
	return p, nil
}

// allocateCreate: cluster IPs, then node ports, then the health check node
// port (alloc.go allocateCreate, txnAllocNodePorts).
func (a *Allocator) allocateCreate(tx *txn, svc *model.Service) error {
	if err := a.allocateClusterIPs(tx, svc); err != nil {
		return err
	}
	if needsNodePort(svc) {
		if err := a.initNodePorts(tx, svc); err != nil {
			return err
		}
	}
	if NeedsHealthCheck(svc) {
		return a.allocateHealthCheck(tx, svc)
	}
	return nil
}

// allocateClusterIPs gives a Service its cluster IP (alloc.go
// allocClusterIPs): none for ExternalName or headless; the requested one,
// which must be in a configured range and free; else a dynamic one from
// the primary range. With ipFamilies and ipFamilyPolicy unmodeled a
// Service is single-stack: its family is its requested IP's, or the
// primary.
func (a *Allocator) allocateClusterIPs(tx *txn, svc *model.Service) error {
	s := &svc.Spec
	if !needsClusterIP(svc) || isHeadless(svc) {
		return nil
	}
	if len(s.ClusterIPs) == 0 {
		ip, err := a.nextIP(tx, a.ips[0])
		if err != nil {
			return internalError(svc, "failed to allocate a serviceIP: %v", err)
		}
		s.ClusterIP = ip.String()
		s.ClusterIPs = []string{s.ClusterIP}
		return nil
	}
	want, _ := parseServiceIP(s.ClusterIPs[0]) // validated
	fam := familyOf(want)
	r := a.rangeFor(fam)
	if r == nil {
		return invalidError(svc, []model.FieldError{invalid("spec.clusterIPs[0]", s.ClusterIPs,
			fmt.Sprintf("%s is not configured on this cluster", fam))})
	}
	if err := a.allocateIP(tx, r, want); err != nil {
		return invalidError(svc, []model.FieldError{invalid("spec.clusterIPs", s.ClusterIPs,
			fmt.Sprintf("failed to allocate IP %v: %v", s.ClusterIPs[0], err))})
	}
	return nil
}

// initNodePorts gives every port of a new NodePort or LoadBalancer Service
// a node port (alloc.go initNodePorts; allocateLoadBalancerNodePorts is
// not modeled and defaults to true). Ports with the same port number share
// one node port, so 53/TCP and 53/UDP may name the same nodePort or get
// the same dynamic one; two different port numbers requesting one nodePort
// fail as upstream does ("provided port is already allocated").
func (a *Allocator) initNodePorts(tx *txn, svc *model.Service) error {
	ports := svc.Spec.Ports
	byPort := map[int32]int32{} // service port -> node port; looked up only
	for i := range ports {
		p := &ports[i]
		path := fmt.Sprintf("spec.ports[%d].nodePort", i)
		have := byPort[p.Port]
		switch {
		case have == 0:
			if np := requestedNodePort(p.Port, ports); np != 0 {
				if err := a.allocatePort(tx, np); err != nil {
					return invalidError(svc, []model.FieldError{invalid(path, np, err.Error())})
				}
				p.NodePort = np
			} else {
				np, err := a.nextPort(tx)
				if err != nil {
					return internalError(svc, "failed to allocate a nodePort: %v", err)
				}
				p.NodePort = np
			}
			byPort[p.Port] = p.NodePort
		case p.NodePort == 0:
			p.NodePort = have
		case p.NodePort != have:
			if err := a.allocatePort(tx, p.NodePort); err != nil {
				return invalidError(svc, []model.FieldError{invalid(path, p.NodePort, err.Error())})
			}
		}
	}
	return nil
}

// requestedNodePort is the first nodePort requested by a port with this
// port number (alloc.go findRequestedNodePort).
func requestedNodePort(port int32, ports []model.ServicePort) int32 {
	for _, p := range ports {
		if p.Port == port && p.NodePort != 0 {
			return p.NodePort
		}
	}
	return 0
}

// allocateHealthCheck gives a LoadBalancer/Local Service its health check
// node port (alloc.go allocHealthCheckNodePort; a requested value cannot be
// expressed yet, so it is always dynamic).
func (a *Allocator) allocateHealthCheck(tx *txn, svc *model.Service) error {
	np, err := a.nextPort(tx)
	if err != nil {
		// Upstream prints the zero value it failed to fill.
		return internalError(svc, "failed to allocate a HealthCheck NodePort 0: %v", err)
	}
	tx.setHC = np
	return nil
}

// allocateUpdate: cluster IPs, node ports, health check node port
// (alloc.go allocateUpdate, updateClusterIPs, txnUpdateNodePorts,
// updateNodePorts, updateHealthCheckNodePort).
func (a *Allocator) allocateUpdate(tx *txn, old, cur *model.Service) error {
	// Cluster IPs. Dual-stack upgrades and downgrades cannot be expressed
	// (validation refuses a second IP), so three cases remain.
	switch {
	case !needsClusterIP(old) && needsClusterIP(cur):
		if err := a.allocateClusterIPs(tx, cur); err != nil {
			return err
		}
	case isHeadless(old):
	case needsClusterIP(old) && !needsClusterIP(cur):
		for _, s := range old.Spec.ClusterIPs {
			if ip, ok := parseServiceIP(s); ok {
				tx.releaseIPs = append(tx.releaseIPs, ip)
			}
		}
	}

	// Node ports.
	if needsNodePort(old) && !needsNodePort(cur) {
		tx.releasePort = append(tx.releasePort, nodePortsOf(old)...)
	}
	if needsNodePort(cur) {
		if err := a.updateNodePorts(tx, old, cur); err != nil {
			return err
		}
	}

	// Health check node port.
	switch needed, needs := NeedsHealthCheck(old), NeedsHealthCheck(cur); {
	case !needed && needs:
		return a.allocateHealthCheck(tx, cur)
	case needed && !needs:
		tx.dropHC = true
	}
	return nil
}

// updateNodePorts: a requested nodePort the old object did not hold is
// allocated (once, even when several ports of different protocols name
// it); a missing one is allocated dynamically, one per port; old node
// ports no longer named are released on success.
func (a *Allocator) updateNodePorts(tx *txn, old, cur *model.Service) error {
	oldNP := nodePortsOf(old)
	var taken []int32
	for i := range cur.Spec.Ports {
		p := &cur.Spec.Ports[i]
		if p.NodePort != 0 {
			if !slices.Contains(oldNP, p.NodePort) && !slices.Contains(taken, p.NodePort) {
				if err := a.allocatePort(tx, p.NodePort); err != nil {
					return invalidError(cur, []model.FieldError{invalid(fmt.Sprintf("spec.ports[%d].nodePort", i), p.NodePort, err.Error())})
				}
				taken = append(taken, p.NodePort)
			}
			continue
		}
		np, err := a.nextPort(tx)
		if err != nil {
			return internalError(cur, "failed to allocate a nodePort: %v", err)
		}
		p.NodePort = np
	}
	curNP := nodePortsOf(cur)
	for _, np := range oldNP {
		if !slices.Contains(curNP, np) {
			tx.releasePort = append(tx.releasePort, np)
		}
	}
	return nil
}
