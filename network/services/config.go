package services

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Defaults of the apiserver's Service allocation flags.
const (
	// DefaultServiceCIDR is kubeadm's default serviceSubnet
	// (cmd/kubeadm/app/apis/kubeadm/v1beta4/defaults.go DefaultServicesSubnet);
	// kube-apiserver's own flag default is 10.0.0.0/24
	// (pkg/kubeapiserver/options/options.go DefaultServiceIPCIDR), but every
	// kubeadm, kind and minikube cluster runs with this one.
	DefaultServiceCIDR = "10.96.0.0/12"
	// DefaultNodePortRange is --service-node-port-range's default
	// (pkg/kubeapiserver/options/options.go DefaultServiceNodePortRange:
	// base 30000, size 2768).
	DefaultNodePortRange = "30000-32767"
)

// IPFamily is an IP family as the Service API names it.
type IPFamily string

// IP families.
const (
	IPv4 IPFamily = "IPv4"
	IPv6 IPFamily = "IPv6"
)

// Config is the apiserver configuration the allocators are built from.
type Config struct {
	// ServiceCIDRs is --service-cluster-ip-range: one CIDR, or two of
	// different IP families for a dual-stack cluster. The first is the
	// primary family: services allocate from it unless they name an IP of
	// the other family, and its first address is the "kubernetes"
	// Service's. Empty means [DefaultServiceCIDR].
	ServiceCIDRs []string `yaml:"serviceCIDRs,omitempty"`
	// NodePortRange is --service-node-port-range, "min-max", "min+offset"
	// or a single port. Empty means DefaultNodePortRange.
	NodePortRange string `yaml:"nodePortRange,omitempty"`
}

// DefaultConfig returns the configuration with both defaults filled in.
func DefaultConfig() Config {
	return Config{ServiceCIDRs: []string{DefaultServiceCIDR}, NodePortRange: DefaultNodePortRange}
}

// withDefaults fills the empty fields of c.
func (c Config) withDefaults() Config {
	if len(c.ServiceCIDRs) == 0 {
		c.ServiceCIDRs = []string{DefaultServiceCIDR}
	}
	if c.NodePortRange == "" {
		c.NodePortRange = DefaultNodePortRange
	}
	return c
}

// parseServiceCIDRs checks --service-cluster-ip-range the way
// kube-apiserver's option validation does
// (cmd/kube-apiserver/app/options/validation.go validateClusterIPFlags): at
// most two CIDRs, and two must be of different families.
func parseServiceCIDRs(cidrs []string) ([]netip.Prefix, error) {
	if len(cidrs) > 2 {
		return nil, fmt.Errorf("--service-cluster-ip-range must not contain more than two entries, got %d", len(cidrs))
	}
	out := make([]netip.Prefix, 0, len(cidrs))
	for i, s := range cidrs {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("--service-cluster-ip-range[%d]: %q is not a valid CIDR: %v", i, s, err)
		}
		out = append(out, p.Masked())
	}
	if len(out) == 2 && familyOf(out[0].Addr()) == familyOf(out[1].Addr()) {
		return nil, fmt.Errorf("--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family")
	}
	return out, nil
}

// parsePortRange parses a port range the way k8s.io/apimachinery's
// net.ParsePortRange does: "min-max" (inclusive), "min+offset" (max =
// min+offset) or a single port. It returns the base and the size.
func parsePortRange(spec string) (base, size int, err error) {
	s := strings.TrimSpace(spec)
	bad := func(why string) (int, int, error) {
		return 0, 0, fmt.Errorf("invalid port range %q: %s", spec, why)
	}
	if s == "" {
		return bad("empty")
	}
	var lo, hi int
	switch {
	case strings.Contains(s, "-"):
		a, b, _ := strings.Cut(s, "-")
		if lo, err = strconv.Atoi(a); err != nil {
			return bad("bad low port")
		}
		if hi, err = strconv.Atoi(b); err != nil {
			return bad("bad high port")
		}
	case strings.Contains(s, "+"):
		a, b, _ := strings.Cut(s, "+")
		var off int
		if lo, err = strconv.Atoi(a); err != nil {
			return bad("bad base port")
		}
		if off, err = strconv.Atoi(b); err != nil || off < 0 {
			return bad("bad offset")
		}
		hi = lo + off
	default:
		if lo, err = strconv.Atoi(s); err != nil {
			return bad("not a port")
		}
		hi = lo
	}
	if lo < 1 || hi > 65535 {
		return bad("ports must be between 1 and 65535")
	}
	if hi < lo {
		return bad("high port is below low port")
	}
	return lo, hi - lo + 1, nil
}

// familyOf is the family of an address; an IPv4-mapped IPv6 address counts
// as IPv4, as netutils.IsIPv4 does.
func familyOf(a netip.Addr) IPFamily {
	if a.Unmap().Is4() {
		return IPv4
	}
	return IPv6
}
