package dns

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// PodMode is the kubernetes plugin's "pods" setting: how it answers
// <a-b-c-d>.<namespace>.pod.<domain> queries.
type PodMode string

// Pod modes (CoreDNS plugin/kubernetes/README.md).
const (
	// PodsDisabled answers every pod query NXDOMAIN. It is the plugin's
	// default when the Corefile has no "pods" line.
	PodsDisabled PodMode = "disabled"
	// PodsInsecure answers any well-formed address with itself, without
	// checking that a pod has it (kube-dns compatibility). The Corefile of
	// kubeadm and cluster/addons/dns/coredns sets it.
	PodsInsecure PodMode = "insecure"
	// PodsVerified answers only when a pod in that namespace has the IP.
	PodsVerified PodMode = "verified"
)

// Zone defaults (CoreDNS plugin/kubernetes/README.md and the SOA it builds
// in plugin/kubernetes/kubernetes.go).
const (
	// DefaultClusterDomain is the kubelet's and kubeadm's clusterDomain.
	DefaultClusterDomain = "cluster.local"
	// DefaultTTLSeconds is the plugin's "ttl" default.
	DefaultTTLSeconds uint32 = 5
	// MaxTTLSeconds is the largest "ttl" the plugin accepts.
	MaxTTLSeconds uint32 = 3600
	// soaTTLCapSeconds caps the TTL of the SOA record itself: CoreDNS gives
	// it min(ttl, 300) and MINIMUM = ttl, so the RFC 2308 negative TTL of
	// an NXDOMAIN or NODATA answer is min(ttl, 300).
	soaTTLCapSeconds uint32 = 300
)

// ZoneConfig configures a Zone: the kubernetes plugin block of a Corefile.
type ZoneConfig struct {
	// Domain is the cluster domain, without trailing dot.
	Domain string
	// TTLSeconds is the TTL of every record ("ttl"); nil means
	// DefaultTTLSeconds. 0 is allowed, as upstream.
	TTLSeconds *uint32
	// Pods is the "pods" mode; "" means PodsDisabled, the plugin default.
	Pods PodMode
}

// SetDefaults fills unset fields with the plugin's defaults.
func (c *ZoneConfig) SetDefaults() {
	if c.Domain == "" {
		c.Domain = DefaultClusterDomain
	}
	if c.TTLSeconds == nil {
		ttl := DefaultTTLSeconds
		c.TTLSeconds = &ttl
	}
	if c.Pods == "" {
		c.Pods = PodsDisabled
	}
}

// Validate checks a defaulted config; errors name the field.
func (c *ZoneConfig) Validate() error {
	d := strings.TrimSuffix(c.Domain, ".")
	if d == "" || !validWireName([]byte(d+".")) {
		return fmt.Errorf("domain: %q is not a valid DNS name", c.Domain)
	}
	if c.TTLSeconds != nil && *c.TTLSeconds > MaxTTLSeconds {
		return fmt.Errorf("ttlSeconds: %d exceeds the maximum %d", *c.TTLSeconds, MaxTTLSeconds)
	}
	switch c.Pods {
	case PodsDisabled, PodsInsecure, PodsVerified:
	default:
		return fmt.Errorf("pods: %q is not one of disabled, insecure, verified", c.Pods)
	}
	return nil
}

// AddonZoneConfig is the kubernetes block of the Corefile that kubeadm and
// cluster/addons/dns/coredns/coredns.yaml.base deploy: "pods insecure" and
// "ttl 30" (the same Corefile has "cache 30" in front of it, see
// AddonServerCacheConfig).
func AddonZoneConfig() ZoneConfig {
	ttl := uint32(30)
	return ZoneConfig{Domain: DefaultClusterDomain, TTLSeconds: &ttl, Pods: PodsInsecure}
}

// Zone holds the cluster's DNS records as CoreDNS's kubernetes plugin serves
// them, built incrementally from Service, EndpointSlice and pod events. It
// precomputes every record set on update, so a lookup of an existing name is
// one map access and allocates nothing.
type Zone struct {
	cfg       ZoneConfig
	ttl       uint32
	negTTL    uint32
	origin    string // "cluster.local."
	svcSuffix string // "svc.cluster.local."
	podSuffix string // "pod.cluster.local."

	names    map[string]*node
	services map[objKey]*svcState
	slices   map[objKey]*sliceState
	pods     map[objKey]string // pod → status.podIP
	podIPs   map[objKey]int    // (namespace, podIP) → number of pods
}

type objKey struct{ ns, name string }

// svcState is a Service and the slices that name it. svc is nil while only
// slices are known (they may arrive first).
type svcState struct {
	svc    *Service
	slices map[string]*sliceState
	owned  []string // the names this Service put in Zone.names
}

type sliceState struct {
	ns, name, service string
	ports             []epPort
	endpoints         []epAddr
}

type epPort struct {
	name, proto string
	port        int32 // -1: the slice has no ports (CoreDNS's sentinel)
}

type epAddr struct {
	addr  netip.Addr
	label string // endpointLabel
	ready bool
}

// NewZone returns an empty zone; cfg is defaulted and validated.
func NewZone(cfg ZoneConfig) (*Zone, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	origin := Canonical(cfg.Domain)
	z := &Zone{
		cfg:       cfg,
		ttl:       *cfg.TTLSeconds,
		negTTL:    min(*cfg.TTLSeconds, soaTTLCapSeconds),
		origin:    origin,
		svcSuffix: "svc." + origin,
		podSuffix: "pod." + origin,
		names:     map[string]*node{},
		services:  map[objKey]*svcState{},
		slices:    map[objKey]*sliceState{},
		pods:      map[objKey]string{},
		podIPs:    map[objKey]int{},
	}
	return z, nil
}

// Config returns the zone's defaulted configuration.
func (z *Zone) Config() ZoneConfig { return z.cfg }

// Origin returns the zone apex, canonical ("cluster.local.").
func (z *Zone) Origin() string { return z.origin }

// Contains reports whether the canonical name lies in the zone.
func (z *Zone) Contains(qname string) bool { return isSubdomain(qname, z.origin) }

// Len returns the number of precomputed names (service, port and endpoint
// names; pod names are answered without being stored).
func (z *Zone) Len() int { return len(z.names) }

// UpsertService adds or replaces a Service.
func (z *Zone) UpsertService(s Service) {
	k := objKey{s.Namespace, s.Name}
	st := z.services[k]
	if st == nil {
		st = &svcState{slices: map[string]*sliceState{}}
		z.services[k] = st
	}
	cp := s
	cp.ClusterIPs = append([]string(nil), s.ClusterIPs...)
	cp.Ports = append([]ServicePort(nil), s.Ports...)
	st.svc = &cp
	z.rebuild(st)
}

// DeleteService removes a Service and its names; its slices are kept until
// deleted, as an informer would.
func (z *Zone) DeleteService(namespace, name string) {
	k := objKey{namespace, name}
	st := z.services[k]
	if st == nil {
		return
	}
	st.svc = nil
	z.rebuild(st)
	if len(st.slices) == 0 {
		delete(z.services, k)
	}
}

// UpsertEndpointSlice adds or replaces an EndpointSlice. The slice is filed
// under the Service its kubernetes.io/service-name label names. Endpoints
// count as ready when conditions.ready is unset or true (CoreDNS
// endpointsliceReady: nil means unknown, taken as ready). Addresses that are
// not IPs (the deprecated FQDN address type) are ignored.
func (z *Zone) UpsertEndpointSlice(s *model.EndpointSlice) {
	k := objKey{s.Namespace, s.Name}
	z.removeSlice(k)
	ss := &sliceState{ns: s.Namespace, name: s.Name, service: s.Labels[LabelServiceName]}
	if len(s.Ports) == 0 {
		ss.ports = []epPort{{port: -1}}
	}
	for _, p := range s.Ports {
		ep := epPort{port: -1}
		if p.Name != nil {
			ep.name = strings.ToLower(*p.Name)
		}
		if p.Protocol != nil {
			ep.proto = protoLabel(*p.Protocol)
		} else {
			ep.proto = protoLabel("")
		}
		if p.Port != nil {
			ep.port = *p.Port
		}
		ss.ports = append(ss.ports, ep)
	}
	for _, e := range s.Endpoints {
		ready := e.Conditions.Ready == nil || *e.Conditions.Ready
		hostname := ""
		if e.Hostname != nil {
			hostname = *e.Hostname
		}
		for _, a := range e.Addresses {
			addr, ok := parseIP(a)
			if !ok {
				continue
			}
			ss.endpoints = append(ss.endpoints, epAddr{addr: addr, label: endpointLabel(hostname, a), ready: ready})
		}
	}
	z.slices[k] = ss
	sk := objKey{ss.ns, ss.service}
	st := z.services[sk]
	if st == nil {
		st = &svcState{slices: map[string]*sliceState{}}
		z.services[sk] = st
	}
	st.slices[ss.name] = ss
	z.rebuild(st)
}

// DeleteEndpointSlice removes an EndpointSlice.
func (z *Zone) DeleteEndpointSlice(namespace, name string) { z.removeSlice(objKey{namespace, name}) }

func (z *Zone) removeSlice(k objKey) {
	ss := z.slices[k]
	if ss == nil {
		return
	}
	delete(z.slices, k)
	sk := objKey{ss.ns, ss.service}
	st := z.services[sk]
	if st == nil {
		return
	}
	delete(st.slices, ss.name)
	z.rebuild(st)
	if st.svc == nil && len(st.slices) == 0 {
		delete(z.services, sk)
	}
}

// UpsertPod records a pod's IP for "pods verified" (status.podIP; a pod
// without an IP is not indexed).
func (z *Zone) UpsertPod(p *model.Pod) {
	k := objKey{p.Namespace, p.Name}
	z.DeletePod(p.Namespace, p.Name)
	if p.Status.PodIP == "" {
		return
	}
	z.pods[k] = p.Status.PodIP
	z.podIPs[objKey{p.Namespace, p.Status.PodIP}]++
}

// DeletePod forgets a pod.
func (z *Zone) DeletePod(namespace, name string) {
	k := objKey{namespace, name}
	ip, ok := z.pods[k]
	if !ok {
		return
	}
	delete(z.pods, k)
	ik := objKey{namespace, ip}
	if z.podIPs[ik] <= 1 {
		delete(z.podIPs, ik)
	} else {
		z.podIPs[ik]--
	}
}
