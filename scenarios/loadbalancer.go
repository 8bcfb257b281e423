package scenarios

import (
	"net/netip"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/network/traffic"
	"github.com/kubesim/kubesim/sim"
)

// The cloud load balancer's model: provisioned some time after the
// LoadBalancer Service appears, then health-checking every node's
// kube-proxy (or, with externalTrafficPolicy Local, the Service's
// healthCheckNodePort, which answers only on nodes with a local
// endpoint) every interval; a node leaves the rotation after
// unhealthyThreshold failed checks and returns after healthyThreshold
// good ones. These are typical cloud defaults (AWS NLB and GCP network
// load balancers are in this range).
const (
	lbProvisioningDelay  = 30 * time.Second
	lbCheckInterval      = 5 * time.Second
	lbUnhealthyThreshold = 2
	lbHealthyThreshold   = 2
)

// externalClientIP is the address outside clients come from.
var externalClientIP = netip.MustParseAddr("203.0.113.10")

type loadBalancer struct {
	svc     string
	ready   bool
	healthy map[string]bool
	streak  map[string]int // consecutive results contrary to the state
	timer   sim.Timer
}

// onLoadBalancer follows a Service's type: a LoadBalancer Service gets a
// load balancer after the provisioning delay.
func (d *dataPlane) onLoadBalancer(svc *model.Service, present bool) {
	key := model.Key(svc)
	lb, ok := d.lbs[key]
	if !present || svc.Spec.Type != model.ServiceTypeLoadBalancer {
		if ok {
			d.r.Kernel.Cancel(lb.timer)
			delete(d.lbs, key)
		}
		return
	}
	if ok {
		return
	}
	lb = &loadBalancer{svc: key, healthy: map[string]bool{}, streak: map[string]int{}}
	d.lbs[key] = lb
	lb.timer = d.r.Kernel.AfterFunc(lbProvisioningDelay, func(sim.Time) {
		lb.ready = true
		d.r.record("LoadBalancerProvisioned", "cloud", key)
		d.checkLB(lb)
	})
}

// checkLB runs one round of health checks and schedules the next.
func (d *dataPlane) checkLB(lb *loadBalancer) {
	svc, ok := d.services[lb.svc]
	if !ok {
		return
	}
	local := svc.Spec.ExternalTrafficPolicy == model.ServiceTrafficPolicyLocal
	for _, n := range d.r.Loaded.Nodes {
		name := n.Name
		p := d.proxiers[name]
		good := d.up(name) && p.Healthy() && (!local || p.HasLocalEndpoints(lb.svc))
		if _, reached := d.Path("", name); !reached {
			good = false
		}
		if good == lb.healthy[name] {
			lb.streak[name] = 0
			continue
		}
		lb.streak[name]++
		threshold := lbHealthyThreshold
		if !good {
			threshold = lbUnhealthyThreshold
		}
		if lb.streak[name] >= threshold {
			lb.healthy[name], lb.streak[name] = good, 0
			kind := "LoadBalancerBackendHealthy"
			if !good {
				kind = "LoadBalancerBackendUnhealthy"
			}
			d.r.record(kind, "cloud", lb.svc, sim.F("node", name))
		}
	}
	lb.timer = d.r.Kernel.AfterFunc(lbCheckInterval, func(sim.Time) { d.checkLB(lb) })
}

// Entry implements traffic.World: a NodePort Service is reached on a
// random node (the client does not know which are up), a LoadBalancer
// Service on a node its load balancer finds healthy.
func (d *dataPlane) Entry(svc *model.Service, r *sim.Rand) string {
	switch svc.Spec.Type {
	case model.ServiceTypeNodePort:
		nodes := d.r.Loaded.Nodes
		if len(nodes) == 0 {
			return ""
		}
		return nodes[r.IntN(len(nodes))].Name
	case model.ServiceTypeLoadBalancer:
		lb, ok := d.lbs[model.Key(svc)]
		if !ok || !lb.ready {
			return ""
		}
		var healthy []string
		for _, n := range d.r.Loaded.Nodes {
			if lb.healthy[n.Name] {
				healthy = append(healthy, n.Name)
			}
		}
		if len(healthy) == 0 {
			return ""
		}
		return healthy[r.IntN(len(healthy))]
	}
	return ""
}

var _ traffic.World = (*dataPlane)(nil)
