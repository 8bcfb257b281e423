package dns

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

// TestPodResolvConf follows the kubelet's GetPodDNS per dnsPolicy.
func TestPodResolvConf(t *testing.T) {
	host := ResolvConf{
		Nameservers: []string{"10.0.0.2", "10.0.0.3"},
		Searches:    []string{"us-east-1.compute.internal", "corp.example"},
		Options:     []string{"timeout:2", "attempts:3"},
	}
	kubelet := KubeletDNS{ClusterDNS: []string{"10.96.0.10"}, ClusterDomain: "cluster.local", Host: &host}
	clusterSearch := []string{"shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "us-east-1.compute.internal", "corp.example"}
	two := "2"

	tests := []struct {
		desc    string
		kubelet KubeletDNS
		pod     PodDNS
		want    ResolvConf
		events  []string
	}{
		{"ClusterFirst", kubelet, PodDNS{Namespace: "shop", DNSPolicy: model.DNSClusterFirst},
			ResolvConf{Nameservers: []string{"10.96.0.10"}, Searches: clusterSearch, Options: []string{"ndots:5"}}, nil},
		{"unset policy is ClusterFirst", kubelet, PodDNS{Namespace: "shop"},
			ResolvConf{Nameservers: []string{"10.96.0.10"}, Searches: clusterSearch, Options: []string{"ndots:5"}}, nil},
		{"ClusterFirst with hostNetwork falls back to Default", kubelet, PodDNS{Namespace: "shop", DNSPolicy: model.DNSClusterFirst, HostNetwork: true},
			host, nil},
		{"ClusterFirstWithHostNet", kubelet, PodDNS{Namespace: "shop", DNSPolicy: model.DNSClusterFirstWithHostNet, HostNetwork: true},
			ResolvConf{Nameservers: []string{"10.96.0.10"}, Searches: clusterSearch, Options: []string{"ndots:5"}}, nil},
		{"Default", kubelet, PodDNS{Namespace: "shop", DNSPolicy: model.DNSDefault}, host, nil},
		{"Default without a node resolv.conf", KubeletDNS{ClusterDNS: []string{"10.96.0.10"}, ClusterDomain: "cluster.local",
			NodeIPs: []netip.Addr{netip.MustParseAddr("10.0.1.5"), netip.MustParseAddr("fd00::5")}},
			PodDNS{Namespace: "shop", DNSPolicy: model.DNSDefault},
			ResolvConf{Nameservers: []string{"127.0.0.1", "::1"}, Searches: []string{"."}}, nil},
		{"None takes dnsConfig only", kubelet, PodDNS{Namespace: "shop", DNSPolicy: model.DNSNone, DNSConfig: &PodDNSConfig{
			Nameservers: []string{"1.1.1.1"}, Searches: []string{"my.dns.search.suffix"},
			Options: []PodDNSConfigOption{{Name: "ndots", Value: &two}, {Name: "edns0"}}}},
			ResolvConf{Nameservers: []string{"1.1.1.1"}, Searches: []string{"my.dns.search.suffix"}, Options: []string{"ndots:2", "edns0"}}, nil},
		{"ClusterFirst merges dnsConfig", kubelet, PodDNS{Namespace: "shop", DNSPolicy: model.DNSClusterFirst, DNSConfig: &PodDNSConfig{
			Nameservers: []string{"10.96.0.10", "1.1.1.1"}, Searches: []string{"cluster.local", "extra.example"},
			Options: []PodDNSConfigOption{{Name: "ndots", Value: &two}, {Name: "single-request-reopen"}}}},
			ResolvConf{Nameservers: []string{"10.96.0.10", "1.1.1.1"}, Searches: append(append([]string(nil), clusterSearch...), "extra.example"),
				Options: []string{"ndots:2", "single-request-reopen"}}, nil},
		{"no cluster DNS: Default, with an event", KubeletDNS{ClusterDomain: "cluster.local", Host: &host},
			PodDNS{Namespace: "shop", DNSPolicy: model.DNSClusterFirst}, host, []string{"MissingClusterDNS"}},
		{"more than 3 nameservers are cut", kubelet, PodDNS{Namespace: "shop", DNSPolicy: model.DNSClusterFirst, DNSConfig: &PodDNSConfig{
			Nameservers: []string{"1.1.1.1", "8.8.8.8", "9.9.9.9"}}},
			ResolvConf{Nameservers: []string{"10.96.0.10", "1.1.1.1", "8.8.8.8"}, Searches: clusterSearch, Options: []string{"ndots:5"}},
			[]string{"DNSConfigForming"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			got, events := tc.kubelet.PodResolvConf(tc.pod)
			assert.Equal(t, tc.want, got)
			var reasons []string
			for _, e := range events {
				reasons = append(reasons, e.Reason)
			}
			assert.Equal(t, tc.events, reasons)
		})
	}
	// The node's configuration is not modified.
	assert.Equal(t, []string{"us-east-1.compute.internal", "corp.example"}, host.Searches)
}

func TestPodResolvConfSearchLimits(t *testing.T) {
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprintf("d%d.example", i))
	}
	kubelet := KubeletDNS{ClusterDNS: []string{"10.96.0.10"}, ClusterDomain: "cluster.local", Host: &ResolvConf{Searches: many}}
	got, events := kubelet.PodResolvConf(PodDNS{Namespace: "shop"})
	assert.Len(t, got.Searches, MaxDNSSearchPaths)
	assert.Equal(t, "shop.svc.cluster.local", got.Searches[0])
	assert.Equal(t, "d28.example", got.Searches[31])
	require.Len(t, events, 1)
	assert.Equal(t, "DNSConfigForming", events[0].Reason)

	// A domain over 253 characters is dropped.
	long := strings.Repeat("a", 254)
	kubelet.Host = &ResolvConf{Searches: []string{long, "ok.example"}}
	got, events = kubelet.PodResolvConf(PodDNS{Namespace: "shop"})
	assert.Equal(t, []string{"shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "ok.example"}, got.Searches)
	assert.Len(t, events, 1)

	// A line over 2048 characters loses whole domains from the end.
	var wide []string
	for i := range 10 {
		wide = append(wide, fmt.Sprintf("%03d.%s", i, strings.Repeat("b", 240)))
	}
	kubelet.Host = &ResolvConf{Searches: wide}
	got, _ = kubelet.PodResolvConf(PodDNS{Namespace: "shop"})
	line := strings.Join(got.Searches, " ")
	assert.LessOrEqual(t, len(line), MaxDNSSearchListChars)
	// The cluster domains take 52 characters, each wide one 244 and a
	// space: 3 + 8 domains make 2014 characters, a ninth would pass 2048.
	assert.Len(t, got.Searches, 3+8)
}

func TestParseResolvConf(t *testing.T) {
	c, err := ParseResolvConf(`# generated
nameserver 10.0.0.2
search old.example
search us-east-1.compute.internal. corp.example
options ndots:2
nameserver 10.0.0.3
options timeout:1 rotate
domain ignored.example
`)
	require.NoError(t, err)
	assert.Equal(t, ResolvConf{
		Nameservers: []string{"10.0.0.2", "10.0.0.3"},
		Searches:    []string{"us-east-1.compute.internal", "corp.example"},
		Options:     []string{"timeout:1", "rotate"},
	}, c)
	_, err = ParseResolvConf("nameserver\n")
	assert.Error(t, err)

	assert.Equal(t, "search a.example b.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:5\n",
		ResolvConf{Nameservers: []string{"10.96.0.10", "1.1.1.1"}, Searches: []string{"a.example", "b.example"}, Options: []string{"ndots:5"}}.String())
}

func TestPodDNSFromModel(t *testing.T) {
	p := &model.Pod{}
	p.Namespace = "shop"
	p.Spec.DNSPolicy = model.DNSClusterFirstWithHostNet
	p.Spec.HostNetwork = true
	assert.Equal(t, PodDNS{Namespace: "shop", DNSPolicy: model.DNSClusterFirstWithHostNet, HostNetwork: true}, PodDNSFromModel(p))
}
