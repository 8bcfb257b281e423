package model

// Service is a core/v1 Service. Modeled: type, selector, ports, clusterIP
// (None = headless), externalName, session affinity and its timeout,
// traffic policies, topology-aware routing annotation/field.
type Service struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       ServiceSpec   `yaml:"spec,omitempty"`
	Status     ServiceStatus `yaml:"status,omitempty"`
}

// ServiceSpec is the modeled part of a Service's spec.
type ServiceSpec struct {
	_ unmodeled `unmodeled:"ipFamilies,ipFamilyPolicy,externalIPs,loadBalancerIP,loadBalancerSourceRanges,loadBalancerClass,allocateLoadBalancerNodePorts,healthCheckNodePort,publishNotReadyAddresses"`

	Type                  ServiceType            `yaml:"type,omitempty"`
	Selector              map[string]string      `yaml:"selector,omitempty"`
	Ports                 []ServicePort          `yaml:"ports,omitempty"`
	ClusterIP             string                 `yaml:"clusterIP,omitempty"`
	ClusterIPs            []string               `yaml:"clusterIPs,omitempty"`
	ExternalName          string                 `yaml:"externalName,omitempty"`
	SessionAffinity       ServiceAffinity        `yaml:"sessionAffinity,omitempty"`
	SessionAffinityConfig *SessionAffinityConfig `yaml:"sessionAffinityConfig,omitempty"`
	ExternalTrafficPolicy ServiceTrafficPolicy   `yaml:"externalTrafficPolicy,omitempty"`
	InternalTrafficPolicy *ServiceTrafficPolicy  `yaml:"internalTrafficPolicy,omitempty"`
	TrafficDistribution   *string                `yaml:"trafficDistribution,omitempty"`
}

// ServicePort is one port of a Service.
type ServicePort struct {
	_ unmodeled `unmodeled:"appProtocol"`

	Name       string      `yaml:"name,omitempty"`
	Protocol   Protocol    `yaml:"protocol,omitempty"`
	Port       int32       `yaml:"port"`
	TargetPort IntOrString `yaml:"targetPort,omitempty"`
	NodePort   int32       `yaml:"nodePort,omitempty"`
}

// SessionAffinityConfig holds the ClientIP affinity timeout.
type SessionAffinityConfig struct {
	ClientIP *ClientIPConfig `yaml:"clientIP,omitempty"`
}

// ClientIPConfig holds timeoutSeconds (default 10800).
type ClientIPConfig struct {
	TimeoutSeconds *int32 `yaml:"timeoutSeconds,omitempty"`
}

// ServiceStatus holds the load balancer ingress points.
type ServiceStatus struct {
	_ unmodeled `unmodeled:"conditions"`

	LoadBalancer LoadBalancerStatus `yaml:"loadBalancer,omitempty"`
}

// LoadBalancerStatus lists ingress points.
type LoadBalancerStatus struct {
	Ingress []LoadBalancerIngress `yaml:"ingress,omitempty"`
}

// LoadBalancerIngress is one ingress point.
type LoadBalancerIngress struct {
	_ unmodeled `unmodeled:"ports,ipMode"`

	IP       string `yaml:"ip,omitempty"`
	Hostname string `yaml:"hostname,omitempty"`
}

// Service enumerations.
type (
	ServiceType          string
	ServiceAffinity      string
	ServiceTrafficPolicy string
)

// Service enumeration values.
const (
	ServiceTypeClusterIP    ServiceType = "ClusterIP"
	ServiceTypeNodePort     ServiceType = "NodePort"
	ServiceTypeLoadBalancer ServiceType = "LoadBalancer"
	ServiceTypeExternalName ServiceType = "ExternalName"

	ServiceAffinityNone     ServiceAffinity = "None"
	ServiceAffinityClientIP ServiceAffinity = "ClientIP"

	ServiceTrafficPolicyCluster ServiceTrafficPolicy = "Cluster"
	ServiceTrafficPolicyLocal   ServiceTrafficPolicy = "Local"

	// ClusterIPNone makes a Service headless.
	ClusterIPNone = "None"
	// DefaultClientIPServiceAffinitySeconds is upstream's default timeout (3 h).
	DefaultClientIPServiceAffinitySeconds int32 = 10800
)

// EndpointSlice is a discovery.k8s.io/v1 EndpointSlice. Modeled: address
// type, endpoints with their conditions, node, zone and hints, and ports.
type EndpointSlice struct {
	TypeMeta    `yaml:",inline"`
	ObjectMeta  `yaml:"metadata,omitempty"`
	AddressType string         `yaml:"addressType"`
	Endpoints   []Endpoint     `yaml:"endpoints"`
	Ports       []EndpointPort `yaml:"ports,omitempty"`
}

// Endpoint is one backend of a slice.
type Endpoint struct {
	_ unmodeled `unmodeled:"deprecatedTopology"`

	Addresses  []string           `yaml:"addresses"`
	Conditions EndpointConditions `yaml:"conditions,omitempty"`
	Hostname   *string            `yaml:"hostname,omitempty"`
	TargetRef  *ObjectReference   `yaml:"targetRef,omitempty"`
	NodeName   *string            `yaml:"nodeName,omitempty"`
	Zone       *string            `yaml:"zone,omitempty"`
	Hints      *EndpointHints     `yaml:"hints,omitempty"`
}

// EndpointConditions are ready, serving and terminating.
type EndpointConditions struct {
	Ready       *bool `yaml:"ready,omitempty"`
	Serving     *bool `yaml:"serving,omitempty"`
	Terminating *bool `yaml:"terminating,omitempty"`
}

// EndpointHints are topology-aware routing hints.
type EndpointHints struct {
	ForZones []ForZone `yaml:"forZones,omitempty"`
	ForNodes []ForNode `yaml:"forNodes,omitempty"`
}

// ForZone names a zone a hint is for.
type ForZone struct {
	Name string `yaml:"name"`
}

// ForNode names a node a hint is for.
type ForNode struct {
	Name string `yaml:"name"`
}

// EndpointPort is a port of a slice.
type EndpointPort struct {
	_ unmodeled `unmodeled:"appProtocol"`

	Name     *string   `yaml:"name,omitempty"`
	Protocol *Protocol `yaml:"protocol,omitempty"`
	Port     *int32    `yaml:"port,omitempty"`
}

// NetworkPolicy is a networking.k8s.io/v1 NetworkPolicy: the pod selector,
// policy types and the ingress and egress rules.
type NetworkPolicy struct {
	TypeMeta   `yaml:",inline"`
	ObjectMeta `yaml:"metadata,omitempty"`
	Spec       NetworkPolicySpec `yaml:"spec,omitempty"`
}

// NetworkPolicySpec selects pods and lists allowed traffic.
type NetworkPolicySpec struct {
	PodSelector LabelSelector              `yaml:"podSelector"`
	Ingress     []NetworkPolicyIngressRule `yaml:"ingress,omitempty"`
	Egress      []NetworkPolicyEgressRule  `yaml:"egress,omitempty"`
	PolicyTypes []string                   `yaml:"policyTypes,omitempty"`
}

// NetworkPolicyIngressRule allows traffic from peers on ports.
type NetworkPolicyIngressRule struct {
	Ports []NetworkPolicyPort `yaml:"ports,omitempty"`
	From  []NetworkPolicyPeer `yaml:"from,omitempty"`
}

// NetworkPolicyEgressRule allows traffic to peers on ports.
type NetworkPolicyEgressRule struct {
	Ports []NetworkPolicyPort `yaml:"ports,omitempty"`
	To    []NetworkPolicyPeer `yaml:"to,omitempty"`
}

// NetworkPolicyPort is a protocol, port and optional end port.
type NetworkPolicyPort struct {
	Protocol *Protocol    `yaml:"protocol,omitempty"`
	Port     *IntOrString `yaml:"port,omitempty"`
	EndPort  *int32       `yaml:"endPort,omitempty"`
}

// NetworkPolicyPeer is a pod/namespace selector pair or an IP block.
type NetworkPolicyPeer struct {
	PodSelector       *LabelSelector `yaml:"podSelector,omitempty"`
	NamespaceSelector *LabelSelector `yaml:"namespaceSelector,omitempty"`
	IPBlock           *IPBlock       `yaml:"ipBlock,omitempty"`
}

// IPBlock is a CIDR with exceptions.
type IPBlock struct {
	CIDR   string   `yaml:"cidr"`
	Except []string `yaml:"except,omitempty"`
}

// ServiceAllocator assigns a Service's cluster IPs and node ports when the
// API server admits it and frees them when it is deleted, as the Service
// REST storage's IP and port allocators do upstream
// (pkg/registry/core/service/storage). Admit fills cur (old is nil on
// create) or refuses it with an error naming the field.
type ServiceAllocator interface {
	Admit(old, cur *Service) error
	Release(svc *Service)
}
