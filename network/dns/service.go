package dns

import (
	"net/netip"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// LabelServiceName is the EndpointSlice label naming the slice's Service
// (discovery.k8s.io/v1 LabelServiceName). The zone files a slice under the
// Service it names, as CoreDNS's object.EndpointSliceToEndpoints does.
const LabelServiceName = "kubernetes.io/service-name"

// Service is what the zone needs of a core/v1 Service. It is the zone's own
// input rather than *model.Service because model.ServiceSpec does not model
// publishNotReadyAddresses; ServiceFromModel fills the rest.
type Service struct {
	Namespace string
	Name      string
	Type      model.ServiceType
	// ClusterIPs are spec.clusterIPs (spec.clusterIP when that is empty);
	// "None" first makes the Service headless.
	ClusterIPs []string
	// ExternalName is the target of an ExternalName Service.
	ExternalName string
	Ports        []ServicePort
	// PublishNotReadyAddresses puts not-ready endpoints in DNS. Upstream
	// the EndpointSlice controller does it, by marking every endpoint of
	// such a Service ready (staging/src/k8s.io/endpointslice/utils.go,
	// podToEndpoint); kubesim's controller does not model the field, so
	// the zone applies it itself, with the same result.
	PublishNotReadyAddresses bool
}

// ServicePort is one port of a Service.
type ServicePort struct {
	Name     string
	Protocol model.Protocol
	Port     int32
}

// ServiceFromModel converts a model Service. PublishNotReadyAddresses stays
// false: the model has no such field.
func ServiceFromModel(s *model.Service) Service {
	out := Service{
		Namespace:    s.Namespace,
		Name:         s.Name,
		Type:         s.Spec.Type,
		ExternalName: s.Spec.ExternalName,
	}
	if len(s.Spec.ClusterIPs) > 0 {
		out.ClusterIPs = append([]string(nil), s.Spec.ClusterIPs...)
	} else if s.Spec.ClusterIP != "" {
		out.ClusterIPs = []string{s.Spec.ClusterIP}
	}
	for _, p := range s.Spec.Ports {
		out.Ports = append(out.Ports, ServicePort{Name: p.Name, Protocol: p.Protocol, Port: p.Port})
	}
	return out
}

// Headless reports whether the Service has clusterIP None (CoreDNS
// object.Service.Headless: the first cluster IP is "None").
func (s *Service) Headless() bool {
	return len(s.ClusterIPs) > 0 && s.ClusterIPs[0] == model.ClusterIPNone
}

// protoLabel is the protocol as it appears in an SRV name: lower case, TCP
// when unset (the API default).
func protoLabel(p model.Protocol) string {
	if p == "" {
		return "tcp"
	}
	return strings.ToLower(string(p))
}

// parseIP parses an address the way CoreDNS classifies hosts
// (msg.Service.HostType: net.ParseIP, IPv4 when To4 succeeds): zones are
// rejected and IPv4-mapped IPv6 addresses count as IPv4.
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// endpointLabel is the per-endpoint name under its Service: the endpoint's
// hostname when set, else its address with '.' or ':' replaced by '-'
// (CoreDNS plugin/kubernetes endpointHostname, endpoint_pod_names off).
func endpointLabel(hostname, addr string) string {
	if hostname != "" {
		return strings.ToLower(hostname)
	}
	if strings.Contains(addr, ".") {
		return strings.ReplaceAll(addr, ".", "-")
	}
	return strings.ToLower(strings.ReplaceAll(addr, ":", "-"))
}
