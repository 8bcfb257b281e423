package kubeproxy

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// DefaultAffinityTimeout is the ClientIP affinity timeout when the service
// does not set one (upstream v1.DefaultClientIPServiceAffinitySeconds, 3 h).
const DefaultAffinityTimeout = time.Duration(model.DefaultClientIPServiceAffinitySeconds) * time.Second

// ServicePortInfo is the part of a service port that endpoint selection
// reads (upstream BaseServicePortInfo, pkg/proxy/serviceport.go).
type ServicePortInfo struct {
	// InternalPolicyLocal: internalTrafficPolicy is Local, so cluster-IP
	// traffic only goes to endpoints on the client's node.
	InternalPolicyLocal bool
	// ExternallyAccessible: the port is reachable from outside the cluster
	// (a node port, a load-balancer IP or external IPs).
	ExternallyAccessible bool
	// ExternalPolicyLocal: externalTrafficPolicy is Local and the port is
	// externally accessible (upstream apiservice.ExternalPolicyLocal).
	ExternalPolicyLocal bool
	// AffinityTimeout is the ClientIP session affinity timeout; 0 means the
	// service has no session affinity.
	AffinityTimeout sim.Duration
}

// UsesClusterEndpoints reports whether some traffic to the port follows the
// Cluster policy (upstream BaseServicePortInfo.UsesClusterEndpoints): when
// internalTrafficPolicy is Cluster, or whenever the port is externally
// accessible, even with externalTrafficPolicy Local, because pods of this
// node reaching the external address are short-circuited to the Cluster
// endpoints.
func (s ServicePortInfo) UsesClusterEndpoints() bool {
	return !s.InternalPolicyLocal || s.ExternallyAccessible
}

// UsesLocalEndpoints reports whether some traffic to the port follows the
// Local policy (upstream BaseServicePortInfo.UsesLocalEndpoints).
func (s ServicePortInfo) UsesLocalEndpoints() bool {
	return s.InternalPolicyLocal || (s.ExternallyAccessible && s.ExternalPolicyLocal)
}

// NewServicePortInfo reads port of svc. Upstream decides external
// accessibility per port from the allocated node port, load-balancer IPs and
// external IPs; kubesim may not allocate node ports, so a NodePort or
// LoadBalancer service counts as externally accessible by its type as well
// (the apiserver always allocates one for them unless
// allocateLoadBalancerNodePorts is false, which is not modeled).
func NewServicePortInfo(svc *model.Service, port *model.ServicePort) ServicePortInfo {
	var info ServicePortInfo
	if p := svc.Spec.InternalTrafficPolicy; p != nil && *p == model.ServiceTrafficPolicyLocal {
		info.InternalPolicyLocal = true
	}
	switch svc.Spec.Type {
	case model.ServiceTypeNodePort, model.ServiceTypeLoadBalancer:
		info.ExternallyAccessible = true
	}
	if port != nil && port.NodePort != 0 {
		info.ExternallyAccessible = true
	}
	for _, ing := range svc.Status.LoadBalancer.Ingress {
		if ing.IP != "" {
			info.ExternallyAccessible = true
		}
	}
	info.ExternalPolicyLocal = info.ExternallyAccessible &&
		svc.Spec.ExternalTrafficPolicy == model.ServiceTrafficPolicyLocal
	info.AffinityTimeout = AffinityTimeout(svc)
	return info
}

// AffinityTimeout returns the service's ClientIP affinity timeout
// (sessionAffinityConfig.clientIP.timeoutSeconds, default 10800 s), or 0 if
// sessionAffinity is not ClientIP.
func AffinityTimeout(svc *model.Service) sim.Duration {
	if svc.Spec.SessionAffinity != model.ServiceAffinityClientIP {
		return 0
	}
	if c := svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil && *c.ClientIP.TimeoutSeconds > 0 {
		return time.Duration(*c.ClientIP.TimeoutSeconds) * time.Second
	}
	return DefaultAffinityTimeout
}
