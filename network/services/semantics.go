package services

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/kubesim/kubesim/model"
)

// MaxClientIPServiceAffinitySeconds is the longest ClientIP affinity
// timeout (pkg/apis/core/types.go, one day).
const MaxClientIPServiceAffinitySeconds int32 = 86400

// Predicates on a Service's type and policies (pkg/registry/core/service/
// storage/storage.go needsClusterIP, needsNodePort, needsHCNodePort;
// pkg/api/service/util.go ExternallyAccessible, NeedsHealthCheck).

func needsClusterIP(s *model.Service) bool { return s.Spec.Type != model.ServiceTypeExternalName }

func needsNodePort(s *model.Service) bool {
	return s.Spec.Type == model.ServiceTypeNodePort || s.Spec.Type == model.ServiceTypeLoadBalancer
}

// externallyAccessible: NodePort or LoadBalancer (or ClusterIP with
// externalIPs, which kubesim does not model).
func externallyAccessible(s *model.Service) bool { return needsNodePort(s) }

// NeedsHealthCheck reports whether svc gets a healthCheckNodePort: type
// LoadBalancer with externalTrafficPolicy Local.
func NeedsHealthCheck(svc *model.Service) bool {
	return svc.Spec.Type == model.ServiceTypeLoadBalancer && svc.Spec.ExternalTrafficPolicy == model.ServiceTrafficPolicyLocal
}

// isHeadless: clusterIPs is exactly ["None"].
func isHeadless(s *model.Service) bool {
	return len(s.Spec.ClusterIPs) == 1 && s.Spec.ClusterIPs[0] == model.ClusterIPNone
}

func sameClusterIPs(a, b *model.Service) bool {
	return a.Spec.ClusterIP == b.Spec.ClusterIP && slices.Equal(a.Spec.ClusterIPs, b.Spec.ClusterIPs)
}

func nodePortsOf(s *model.Service) []int32 {
	var out []int32
	for _, p := range s.Spec.Ports {
		if p.NodePort != 0 {
			out = append(out, p.NodePort)
		}
	}
	return out
}

// prepareCreate is the create half of normalizeClusterIPs
// (pkg/registry/core/service/storage/storage.go): a client that set only
// the singular clusterIP gets clusterIPs filled from it.
func prepareCreate(cur *model.Service) {
	s := &cur.Spec
	if s.ClusterIP != "" && len(s.ClusterIPs) == 0 {
		s.ClusterIPs = []string{s.ClusterIP}
	}
}

// prepareUpdate does what the Service REST storage and strategy do to an
// update before validating it, in upstream's order:
//
//  1. patchAllocatedValues (storage.go): a client that resubmits its
//     manifest without the allocated clusterIP(s) and nodePorts gets the
//     old values back, so the update does not read as a change.
//  2. normalizeClusterIPs (storage.go): keep clusterIP and clusterIPs in
//     step when an old client sets only the singular.
//  3. dropTypeDependentFields (strategy.go): when the type no longer uses
//     a field the user left unchanged, wipe it (clusterIPs going to
//     ExternalName, nodePorts going to ClusterIP/ExternalName,
//     externalTrafficPolicy going to an internal type, the load balancer
//     status going away from LoadBalancer). A changed value is kept so that
//     validation rejects it.
//
// healthCheckNodePort is not a model field; the Allocator keeps it.
func prepareUpdate(old, cur *model.Service) {
	s := &cur.Spec
	// 1. patchAllocatedValues
	if needsClusterIP(old) && needsClusterIP(cur) {
		if s.ClusterIP == "" {
			s.ClusterIP = old.Spec.ClusterIP
		}
		if len(s.ClusterIPs) == 0 && len(old.Spec.ClusterIPs) > 0 {
			s.ClusterIPs = slices.Clone(old.Spec.ClusterIPs)
		}
	}
	if needsNodePort(old) && needsNodePort(cur) {
		// Node ports present in both old and new cannot be patched in;
		// missing ones are found by port name.
		oldNP, curNP := nodePortsOf(old), nodePortsOf(cur)
		byName := map[string]int32{}
		for _, p := range old.Spec.Ports {
			byName[p.Name] = p.NodePort
		}
		for i := range s.Ports {
			p := &s.Ports[i]
			if p.NodePort != 0 {
				continue
			}
			v := byName[p.Name]
			if !(slices.Contains(oldNP, v) && slices.Contains(curNP, v)) {
				p.NodePort = v
			}
		}
	}
	// 2. normalizeClusterIPs, update half
	if len(old.Spec.ClusterIPs) > 0 && len(s.ClusterIPs) == 0 && old.Spec.ClusterIP == s.ClusterIP {
		s.ClusterIPs = slices.Clone(old.Spec.ClusterIPs)
	}
	if old.Spec.ClusterIP != s.ClusterIP {
		if old.Spec.ClusterIP != "" && s.ClusterIP == "" {
			if slices.Equal(old.Spec.ClusterIPs, s.ClusterIPs) {
				s.ClusterIPs = nil
			}
		} else if slices.Equal(old.Spec.ClusterIPs, s.ClusterIPs) {
			s.ClusterIPs = []string{s.ClusterIP}
		}
	}
	// 3. dropTypeDependentFields
	if needsClusterIP(old) && !needsClusterIP(cur) && sameClusterIPs(old, cur) {
		s.ClusterIP, s.ClusterIPs = "", nil
	}
	if needsNodePort(old) && !needsNodePort(cur) && isSuperset(nodePortsOf(old), nodePortsOf(cur)) {
		for i := range s.Ports {
			s.Ports[i].NodePort = 0
		}
	}
	if externallyAccessible(old) && !externallyAccessible(cur) && old.Spec.ExternalTrafficPolicy == s.ExternalTrafficPolicy {
		s.ExternalTrafficPolicy = ""
	}
	if s.Type != model.ServiceTypeLoadBalancer {
		cur.Status.LoadBalancer = model.LoadBalancerStatus{}
	}
}

// isSuperset: every value of b is in a (sameNodePorts: users may add,
// remove or modify ports as long as they add no net-new node port).
func isSuperset(a, b []int32) bool {
	for _, v := range b {
		if !slices.Contains(a, v) {
			return false
		}
	}
	return true
}

// Validate returns the violations of the Service API rules that decide
// allocation and proxying and that model.Validate does not check
// (pkg/apis/core/validation/validation.go: ValidateService,
// validateServicePort, validateClientIPAffinityConfig,
// validateServiceExternalTrafficPolicy,
// validateServiceInternalTrafficFieldsValue,
// ValidateServiceClusterIPsRelatedFields, validateUpgradeDowngradeClusterIPs;
// and the SingleStack check of storage/alloc.go initIPFamilyFields, since
// ipFamilyPolicy is not modeled and so always defaults to SingleStack).
//
// old is nil on create. cur must be defaulted (model.SetDefaults) and
// prepared as Admit prepares it; Admit calls Validate itself.
func Validate(old, cur *model.Service) []model.FieldError {
	var errs []model.FieldError
	s := &cur.Spec

	// Ports: protocol, unique names.
	names := map[string]bool{}
	for i, p := range s.Ports {
		path := fmt.Sprintf("spec.ports[%d]", i)
		if p.Name != "" {
			if names[p.Name] {
				errs = append(errs, duplicate(path+".name", p.Name))
			}
			names[p.Name] = true
		}
		switch p.Protocol {
		case model.ProtocolTCP, model.ProtocolUDP, model.ProtocolSCTP:
		default:
			errs = append(errs, notSupported(path+".protocol", p.Protocol, "SCTP", "TCP", "UDP"))
		}
	}

	// Session affinity.
	switch s.SessionAffinity {
	case model.ServiceAffinityClientIP:
		errs = append(errs, validateClientIPAffinity(s.SessionAffinityConfig)...)
	case model.ServiceAffinityNone:
		if s.SessionAffinityConfig != nil {
			errs = append(errs, forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
		}
	}

	// Type-specific.
	switch s.Type {
	case model.ServiceTypeExternalName:
		if len(s.ClusterIPs) > 0 {
			errs = append(errs, forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
		}
	case model.ServiceTypeNodePort, model.ServiceTypeLoadBalancer:
		if isHeadless(cur) {
			errs = append(errs, invalid("spec.clusterIPs[0]", s.ClusterIPs[0],
				fmt.Sprintf("may not be set to 'None' for %s services", s.Type)))
		}
	case model.ServiceTypeClusterIP:
		for i, p := range s.Ports {
			if p.NodePort != 0 {
				errs = append(errs, forbidden(fmt.Sprintf("spec.ports[%d].nodePort", i), "may not be used when `type` is 'ClusterIP'"))
			}
		}
	}

	// Duplicate node ports and ports, by (protocol, number).
	type key struct {
		proto model.Protocol
		n     int32
	}
	var seenNP, seenPort []key
	for i, p := range s.Ports {
		path := fmt.Sprintf("spec.ports[%d]", i)
		if p.NodePort != 0 {
			k := key{p.Protocol, p.NodePort}
			if slices.Contains(seenNP, k) {
				errs = append(errs, duplicate(path+".nodePort", p.NodePort))
			}
			seenNP = append(seenNP, k)
		}
		k := key{p.Protocol, p.Port}
		if slices.Contains(seenPort, k) {
			// field.Duplicate(portPath, core.ServicePort{Protocol, Port}),
			// printed in Go syntax as upstream prints it.
			errs = append(errs, model.FieldError{Path: path, Message: fmt.Sprintf(
				`Duplicate value: core.ServicePort{Name:"", Protocol:%q, AppProtocol:(*string)(nil), Port:%d, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
				p.Protocol, p.Port)})
		}
		seenPort = append(seenPort, k)
	}

	// externalTrafficPolicy.
	if !externallyAccessible(cur) {
		if s.ExternalTrafficPolicy != "" {
			errs = append(errs, invalid("spec.externalTrafficPolicy", s.ExternalTrafficPolicy, "may only be set for externally-accessible services"))
		}
	} else {
		switch s.ExternalTrafficPolicy {
		case "":
			errs = append(errs, required("spec.externalTrafficPolicy", ""))
		case model.ServiceTrafficPolicyCluster, model.ServiceTrafficPolicyLocal:
		default:
			errs = append(errs, notSupported("spec.externalTrafficPolicy", s.ExternalTrafficPolicy, "Cluster", "Local"))
		}
	}

	// internalTrafficPolicy.
	if s.InternalTrafficPolicy == nil {
		if s.Type != model.ServiceTypeExternalName {
			errs = append(errs, required("spec.internalTrafficPolicy", "must be specified"))
		}
	} else {
		switch *s.InternalTrafficPolicy {
		case model.ServiceTrafficPolicyCluster, model.ServiceTrafficPolicyLocal:
		default:
			errs = append(errs, notSupported("spec.internalTrafficPolicy", *s.InternalTrafficPolicy, "Cluster", "Local"))
		}
	}

	errs = append(errs, validateClusterIPs(cur)...)
	if old != nil {
		errs = append(errs, validateClusterIPsUpdate(old, cur)...)
	}
	return errs
}

// validateClientIPAffinity: ClientIP affinity needs a timeout in
// (0, 86400] seconds.
func validateClientIPAffinity(c *model.SessionAffinityConfig) []model.FieldError {
	const when = "when session affinity type is ClientIP"
	switch {
	case c == nil:
		return []model.FieldError{required("spec.sessionAffinityConfig", when)}
	case c.ClientIP == nil:
		return []model.FieldError{required("spec.sessionAffinityConfig.clientIP", when)}
	case c.ClientIP.TimeoutSeconds == nil:
		return []model.FieldError{required("spec.sessionAffinityConfig.clientIP.timeoutSeconds", when)}
	}
	if t := *c.ClientIP.TimeoutSeconds; t <= 0 || t > MaxClientIPServiceAffinitySeconds {
		return []model.FieldError{invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t,
			fmt.Sprintf("must be greater than 0 and less than %d", MaxClientIPServiceAffinitySeconds))}
	}
	return nil
}

// parseServiceIP parses a clusterIPs entry; a zone is not an IP.
func parseServiceIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

// validateClusterIPs: ValidateServiceClusterIPsRelatedFields for the
// modeled fields, then the SingleStack rule of initIPFamilyFields.
func validateClusterIPs(svc *model.Service) []model.FieldError {
	s := &svc.Spec
	if s.Type == model.ServiceTypeExternalName {
		return nil
	}
	var errs []model.FieldError
	if s.ClusterIP != "" {
		if len(s.ClusterIPs) == 0 {
			errs = append(errs, required("spec.clusterIPs", ""))
		} else if s.ClusterIPs[0] != s.ClusterIP {
			errs = append(errs, invalid("spec.clusterIPs", s.ClusterIPs, "first value must match `clusterIP`"))
		}
	} else if len(s.ClusterIPs) != 0 {
		errs = append(errs, invalid("spec.clusterIPs", s.ClusterIPs, "must be empty when `clusterIP` is not specified"))
	}
	bad := false
	for i, ip := range s.ClusterIPs {
		if i == 0 && ip == model.ClusterIPNone {
			if len(s.ClusterIPs) > 1 {
				bad = true
				errs = append(errs, invalid("spec.clusterIPs", s.ClusterIPs, "'None' must be the first and only value"))
			}
			continue
		}
		if _, ok := parseServiceIP(ip); !ok {
			bad = true
			errs = append(errs, invalid(fmt.Sprintf("spec.clusterIPs[%d]", i), ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
		}
	}
	if len(s.ClusterIPs) > 2 {
		errs = append(errs, invalid("spec.clusterIPs", s.ClusterIPs, "may only hold up to 2 values"))
	}
	if bad {
		return errs
	}
	if len(s.ClusterIPs) == 2 {
		a, _ := parseServiceIP(s.ClusterIPs[0])
		b, _ := parseServiceIP(s.ClusterIPs[1])
		if familyOf(a) == familyOf(b) {
			errs = append(errs, invalid("spec.clusterIPs", s.ClusterIPs, "may specify no more than one IP for each IP family"))
		}
	}
	if len(errs) == 0 && len(s.ClusterIPs) == 2 {
		errs = append(errs, invalid("spec.ipFamilyPolicy", "SingleStack",
			"must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
	}
	return errs
}

// validateClusterIPsUpdate: validateUpgradeDowngradeClusterIPs; the primary
// cluster IP is immutable, outside changes to or from ExternalName.
func validateClusterIPsUpdate(old, cur *model.Service) []model.FieldError {
	if old.Spec.Type == model.ServiceTypeExternalName || cur.Spec.Type == model.ServiceTypeExternalName {
		return nil
	}
	if isHeadless(old) && isHeadless(cur) {
		return nil
	}
	o, n := old.Spec.ClusterIPs, cur.Spec.ClusterIPs
	var errs []model.FieldError
	switch {
	case len(o) == len(n):
		for i := range o {
			if o[i] != n[i] {
				errs = append(errs, invalid(fmt.Sprintf("spec.clusterIPs[%d]", i), n, "may not change once set"))
			}
		}
	case len(o) > len(n):
		if len(n) == 0 {
			errs = append(errs, invalid("spec.clusterIPs[0]", n, "primary clusterIP can not be unset"))
		} else if n[0] != o[0] {
			errs = append(errs, invalid("spec.clusterIPs[0]", n, "may not change once set"))
		}
	default:
		if len(o) > 0 && n[0] != o[0] {
			errs = append(errs, invalid("spec.clusterIPs[0]", n, "may not change once set"))
		}
	}
	return errs
}
