package dns

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// Limits the kubelet applies to a pod's resolv.conf (Kubernetes 1.35,
// pkg/apis/core/validation: MaxDNSNameservers, and, ExpandedDNSConfig being
// GA, MaxDNSSearchPaths and MaxDNSSearchListChars; a search domain longer
// than DNS1123SubdomainMaxLength is dropped).
const (
	MaxDNSNameservers     = 3
	MaxDNSSearchPaths     = 32
	MaxDNSSearchListChars = 2048
	maxSearchDomainLen    = 253
)

// ResolvConf is a resolv.conf: what the kubelet hands the runtime for a pod
// sandbox (runtimeapi.DNSConfig), and what a node's /etc/resolv.conf holds.
type ResolvConf struct {
	Nameservers []string
	Searches    []string
	// Options are "name" or "name:value" ("ndots:5").
	Options []string
}

// String writes the file as containerd does for a sandbox: the search line,
// one nameserver line per server, the options line.
func (c ResolvConf) String() string {
	var b strings.Builder
	if len(c.Searches) > 0 {
		b.WriteString("search " + strings.Join(c.Searches, " ") + "\n")
	}
	for _, ns := range c.Nameservers {
		b.WriteString("nameserver " + ns + "\n")
	}
	if len(c.Options) > 0 {
		b.WriteString("options " + strings.Join(c.Options, " ") + "\n")
	}
	return b.String()
}

// ParseResolvConf reads a resolv.conf the way the kubelet reads the node's
// (pkg/kubelet/network/dns/dns.go parseResolvConf): "nameserver" lines
// accumulate, the last "search" line wins (a trailing dot stripped from each
// domain), the last "options" line wins, '#' lines are comments, anything
// else is ignored. A "nameserver" line without an address is an error.
func ParseResolvConf(text string) (ResolvConf, error) {
	c := ResolvConf{}
	var errs []string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) < 2 {
				errs = append(errs, fmt.Sprintf("line %d: nameserver list is empty", i+1))
				continue
			}
			c.Nameservers = append(c.Nameservers, f[1])
		case "search":
			c.Searches = c.Searches[:0]
			for _, s := range f[1:] {
				if s = strings.TrimSuffix(s, "."); s != "" {
					c.Searches = append(c.Searches, s)
				}
			}
		case "options":
			c.Options = append([]string(nil), f[1:]...)
		}
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("resolv.conf: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// PodDNSConfig is core/v1 PodDNSConfig (pod.spec.dnsConfig), which the
// model does not have.
type PodDNSConfig struct {
	Nameservers []string
	Searches    []string
	Options     []PodDNSConfigOption
}

// PodDNSConfigOption is one resolver option; Value nil means a bare name.
type PodDNSConfigOption struct {
	Name  string
	Value *string
}

// PodDNS is what the kubelet's DNS configurer reads of a pod.
type PodDNS struct {
	Namespace   string
	DNSPolicy   model.DNSPolicy
	HostNetwork bool
	DNSConfig   *PodDNSConfig
}

// PodDNSFromModel takes the pod's namespace, dnsPolicy and hostNetwork;
// DNSConfig stays nil because model.PodSpec does not model dnsConfig.
func PodDNSFromModel(p *model.Pod) PodDNS {
	return PodDNS{Namespace: p.Namespace, DNSPolicy: p.Spec.DNSPolicy, HostNetwork: p.Spec.HostNetwork}
}

// KubeletDNS is a node's kubelet DNS configuration.
type KubeletDNS struct {
	// ClusterDNS is --cluster-dns / clusterDNS: the kube-dns Service IPs.
	ClusterDNS []string
	// ClusterDomain is --cluster-domain / clusterDomain ("cluster.local").
	ClusterDomain string
	// Host is the node's resolv.conf (--resolv-conf, parsed); nil when the
	// flag is the empty string.
	Host *ResolvConf
	// NodeIPs decide the loopback nameservers used when Host is nil.
	NodeIPs []netip.Addr
}

// ConfigEvent is a Warning event the kubelet records while forming a pod's
// DNS configuration.
type ConfigEvent struct {
	// Reason is DNSConfigForming or MissingClusterDNS, as upstream.
	Reason  string
	Message string
}

// PodResolvConf forms a pod's resolv.conf as the kubelet's GetPodDNS does:
//
//   - None: empty, then dnsConfig alone;
//   - ClusterFirst (and ClusterFirstWithHostNet, and an unknown policy,
//     which upstream logs and treats as ClusterFirst): nameservers are the
//     cluster DNS IPs only; search is <ns>.svc.<domain> svc.<domain>
//     <domain> then the node's search domains, duplicates dropped; options
//     are exactly ndots:5 (the node's options are not kept). Without
//     cluster DNS IPs it falls back to Default with a MissingClusterDNS
//     event. Without a cluster domain the node's search list is kept;
//   - ClusterFirst with hostNetwork: Default;
//   - Default: the node's resolv.conf; if there is none, a loopback
//     nameserver per node IP family and search ".";
//
// then dnsConfig is appended (nameservers and searches de-duplicated, first
// kept; options merged by name, the pod's value winning) and the limits
// applied: at most 3 nameservers, at most 32 search domains, none longer
// than 253 characters, and a search line of at most 2048 characters (whole
// domains cut from the end). Each limit hit adds a DNSConfigForming event.
//
// Upstream merges options through a map, so their order is random; kubesim
// keeps the node's order, replaces in place, and appends new names in the
// pod's order. glibc reads options in order and later ones override, so
// only duplicated names (which the merge removes) could tell the difference.
func (k *KubeletDNS) PodResolvConf(pod PodDNS) (ResolvConf, []ConfigEvent) {
	var events []ConfigEvent
	var c ResolvConf
	if k.Host != nil {
		c = ResolvConf{
			Nameservers: append([]string(nil), k.Host.Nameservers...),
			Searches:    append([]string(nil), k.Host.Searches...),
			Options:     append([]string(nil), k.Host.Options...),
		}
	}
	cluster := true
	switch pod.DNSPolicy {
	case model.DNSNone:
		c = ResolvConf{}
		cluster = false
	case model.DNSDefault:
		cluster = false
	case model.DNSClusterFirst, "":
		// "" is the API default, ClusterFirst.
		cluster = !pod.HostNetwork
	}
	if cluster && len(k.ClusterDNS) == 0 {
		msg := fmt.Sprintf("kubelet does not have ClusterDNS IP configured and cannot create Pod using %q policy. Falling back to %q policy.", model.DNSClusterFirst, model.DNSDefault)
		events = append(events, ConfigEvent{Reason: "MissingClusterDNS", Message: msg})
		cluster = false
	}
	switch {
	case cluster:
		c.Nameservers = append([]string(nil), k.ClusterDNS...)
		if k.ClusterDomain != "" {
			c.Searches = omitDuplicates(append([]string{
				pod.Namespace + ".svc." + k.ClusterDomain,
				"svc." + k.ClusterDomain,
				k.ClusterDomain,
			}, c.Searches...))
		}
		c.Options = []string{"ndots:5"}
	case pod.DNSPolicy != model.DNSNone && k.Host == nil:
		c.Nameservers = nil
		for _, ip := range k.NodeIPs {
			if ip.Is6() && !ip.Is4In6() {
				c.Nameservers = append(c.Nameservers, "::1")
			} else {
				c.Nameservers = append(c.Nameservers, "127.0.0.1")
			}
		}
		if len(c.Nameservers) == 0 {
			c.Nameservers = []string{"127.0.0.1"}
		}
		c.Searches = []string{"."}
	}
	if d := pod.DNSConfig; d != nil {
		c.Nameservers = omitDuplicates(append(c.Nameservers, d.Nameservers...))
		c.Searches = omitDuplicates(append(c.Searches, d.Searches...))
		c.Options = mergeOptions(c.Options, d.Options)
	}
	c, events = fitLimits(c, events)
	return c, events
}

func omitDuplicates(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func mergeOptions(existing []string, pod []PodDNSConfigOption) []string {
	out := append([]string(nil), existing...)
	name := func(o string) string {
		if i := strings.IndexByte(o, ':'); i >= 0 {
			return o[:i]
		}
		return o
	}
	out = omitDuplicatesBy(out, name)
	for _, o := range pod {
		v := o.Name
		if o.Value != nil && *o.Value != "" {
			v += ":" + *o.Value
		}
		replaced := false
		for i := range out {
			if name(out[i]) == o.Name {
				out[i] = v
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, v)
		}
	}
	return out
}

// omitDuplicatesBy keeps one option per name: the last value, at the place
// of the first (a map keeps the last write upstream).
func omitDuplicatesBy(s []string, key func(string) string) []string {
	idx := map[string]int{}
	var out []string
	for _, v := range s {
		if i, ok := idx[key(v)]; ok {
			out[i] = v
			continue
		}
		idx[key(v)] = len(out)
		out = append(out, v)
	}
	return out
}

func fitLimits(c ResolvConf, events []ConfigEvent) (ResolvConf, []ConfigEvent) {
	if len(c.Nameservers) > MaxDNSNameservers {
		c.Nameservers = c.Nameservers[:MaxDNSNameservers]
		events = append(events, ConfigEvent{Reason: "DNSConfigForming", Message: "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: " + strings.Join(c.Nameservers, " ")})
	}
	exceeded := false
	if len(c.Searches) > MaxDNSSearchPaths {
		c.Searches = c.Searches[:MaxDNSSearchPaths]
		exceeded = true
	}
	kept := c.Searches[:0]
	for _, s := range c.Searches {
		if len(s) > maxSearchDomainLen {
			exceeded = true
			continue
		}
		kept = append(kept, s)
	}
	c.Searches = kept
	if n := len(strings.Join(c.Searches, " ")); n > MaxDNSSearchListChars {
		cut := 0
		for i := len(c.Searches) - 1; i >= 0; i-- {
			n -= len(c.Searches[i]) + 1
			cut++
			if n <= MaxDNSSearchListChars {
				break
			}
		}
		c.Searches = c.Searches[:len(c.Searches)-cut]
		exceeded = true
	}
	if exceeded {
		events = append(events, ConfigEvent{Reason: "DNSConfigForming", Message: "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: " + strings.Join(c.Searches, " ")})
	}
	return c, events
}
