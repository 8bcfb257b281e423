package services

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/stretchr/testify/assert"
)

func TestValidate(t *testing.T) {
	timeout := func(sec int32) func(*model.Service) {
		return func(s *model.Service) {
			s.Spec.SessionAffinity = model.ServiceAffinityClientIP
			s.Spec.SessionAffinityConfig = &model.SessionAffinityConfig{ClientIP: &model.ClientIPConfig{TimeoutSeconds: model.Ptr(sec)}}
		}
	}
	tests := []struct {
		name   string
		typ    model.ServiceType
		ports  []model.ServicePort
		mutate func(*model.Service)
		want   []string
	}{
		{name: "plain ClusterIP", typ: model.ServiceTypeClusterIP},
		{name: "ClientIP default timeout", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.SessionAffinity = model.ServiceAffinityClientIP
			model.SetDefaults(s)
		}},
		{name: "timeout 1", typ: model.ServiceTypeClusterIP, mutate: timeout(1)},
		{name: "timeout 86400", typ: model.ServiceTypeClusterIP, mutate: timeout(86400)},
		{name: "timeout 0", typ: model.ServiceTypeClusterIP, mutate: timeout(0),
			want: []string{"spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400"}},
		{name: "timeout 86401", typ: model.ServiceTypeClusterIP, mutate: timeout(86401),
			want: []string{"spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400"}},
		{name: "ClientIP without config", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.SessionAffinity = model.ServiceAffinityClientIP
		}, want: []string{"spec.sessionAffinityConfig: Required value: when session affinity type is ClientIP"}},
		{name: "protocol", typ: model.ServiceTypeClusterIP, ports: []model.ServicePort{{Port: 80, Protocol: "ICMP"}},
			want: []string{`spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"`}},
		{name: "nodePort on ClusterIP", typ: model.ServiceTypeClusterIP, ports: []model.ServicePort{{Port: 80, NodePort: 30080}},
			want: []string{"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"}},
		{name: "externalTrafficPolicy on ClusterIP", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.ExternalTrafficPolicy = model.ServiceTrafficPolicyLocal
		}, want: []string{`spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services`}},
		{name: "externalTrafficPolicy value", typ: model.ServiceTypeNodePort, mutate: func(s *model.Service) {
			s.Spec.ExternalTrafficPolicy = "Nearest"
		}, want: []string{`spec.externalTrafficPolicy: Unsupported value: "Nearest": supported values: "Cluster", "Local"`}},
		{name: "externalTrafficPolicy missing", typ: model.ServiceTypeLoadBalancer, mutate: func(s *model.Service) {
			s.Spec.ExternalTrafficPolicy = ""
		}, want: []string{"spec.externalTrafficPolicy: Required value"}},
		{name: "internalTrafficPolicy value", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.InternalTrafficPolicy = model.Ptr(model.ServiceTrafficPolicy("Zone"))
		}, want: []string{`spec.internalTrafficPolicy: Unsupported value: "Zone": supported values: "Cluster", "Local"`}},
		{name: "internalTrafficPolicy missing", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.InternalTrafficPolicy = nil
		}, want: []string{"spec.internalTrafficPolicy: Required value: must be specified"}},
		{name: "nodePort twice, same protocol", typ: model.ServiceTypeNodePort,
			ports: []model.ServicePort{{Name: "a", Port: 80, NodePort: 30080}, {Name: "b", Port: 81, NodePort: 30080}},
			want:  []string{"spec.ports[1].nodePort: Duplicate value: 30080"}},
		{name: "nodePort twice, two protocols", typ: model.ServiceTypeNodePort,
			ports: []model.ServicePort{{Name: "a", Port: 53, NodePort: 30053}, {Name: "b", Port: 53, Protocol: model.ProtocolUDP, NodePort: 30053}}},
		{name: "port twice", typ: model.ServiceTypeClusterIP,
			ports: []model.ServicePort{{Name: "a", Port: 80}, {Name: "b", Port: 80}},
			want: []string{`spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, ` +
				`TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`}},
		{name: "port name twice", typ: model.ServiceTypeClusterIP,
			ports: []model.ServicePort{{Name: "http", Port: 80}, {Name: "http", Port: 81}},
			want:  []string{`spec.ports[1].name: Duplicate value: "http"`}},
		{name: "headless LoadBalancer", typ: model.ServiceTypeLoadBalancer, mutate: func(s *model.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "None", []string{"None"}
		}, want: []string{`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services`}},
		{name: "clusterIPs disagree", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.10", []string{"10.96.0.11"}
		}, want: []string{"spec.clusterIPs: Invalid value: []string{\"10.96.0.11\"}: first value must match `clusterIP`"}},
		{name: "clusterIPs alone", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.ClusterIPs = []string{"10.96.0.11"}
		}, want: []string{"spec.clusterIPs: Invalid value: []string{\"10.96.0.11\"}: must be empty when `clusterIP` is not specified"}},
		{name: "None not alone", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "None", []string{"None", "10.96.0.11"}
		}, want: []string{`spec.clusterIPs: Invalid value: []string{"None", "10.96.0.11"}: 'None' must be the first and only value`}},
		{name: "two IPv4", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.10", []string{"10.96.0.10", "10.96.0.11"}
		}, want: []string{`spec.clusterIPs: Invalid value: []string{"10.96.0.10", "10.96.0.11"}: may specify no more than one IP for each IP family`}},
		{name: "three IPs", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.10", []string{"10.96.0.10", "fd00::1", "10.96.0.12"}
		}, want: []string{`spec.clusterIPs: Invalid value: []string{"10.96.0.10", "fd00::1", "10.96.0.12"}: may only hold up to 2 values`}},
		{name: "zoned IP", typ: model.ServiceTypeClusterIP, mutate: func(s *model.Service) { s.Spec.ClusterIP = "fe80::1%eth0" },
			want: []string{`spec.clusterIPs[0]: Invalid value: "fe80::1%eth0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`}},
		{name: "ExternalName with IP", typ: model.ServiceTypeExternalName, mutate: func(s *model.Service) {
			s.Spec.ExternalName = "example.com"
			s.Spec.ClusterIP = "10.96.0.10"
		}, want: []string{"spec.clusterIPs: Forbidden: may not be set for ExternalName services"}},
		{name: "two errors", typ: model.ServiceTypeClusterIP, ports: []model.ServicePort{{Name: "a", Port: 80, NodePort: 30080}, {Name: "b", Port: 81, Protocol: "ICMP"}},
			want: []string{
				`spec.ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"`,
				"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
			}},
	}
	for _, tc := range tests {
		s := &model.Service{ObjectMeta: model.ObjectMeta{Namespace: "ns", Name: "s"}}
		s.Spec.Type = tc.typ
		s.Spec.Ports = tc.ports
		if s.Spec.Ports == nil && tc.typ != model.ServiceTypeExternalName {
			s.Spec.Ports = []model.ServicePort{{Port: 80}}
		}
		model.SetDefaults(s)
		if tc.mutate != nil {
			tc.mutate(s)
		}
		prepareCreate(s)
		var got []string
		for _, e := range Validate(nil, s) {
			got = append(got, e.Error())
		}
		assert.Equal(t, tc.want, got, tc.name)
	}
}

func TestValidateHeadlessUpdate(t *testing.T) {
	// A headless Service stays headless; becoming headless is a change of
	// the cluster IP.
	old := &model.Service{ObjectMeta: model.ObjectMeta{Namespace: "ns", Name: "s"}}
	old.Spec.Ports = []model.ServicePort{{Port: 80}}
	old.Spec.ClusterIP, old.Spec.ClusterIPs = "None", []string{"None"}
	model.SetDefaults(old)
	cur := model.DeepCopy(old)
	cur.Spec.ClusterIP, cur.Spec.ClusterIPs = "", nil
	prepareUpdate(old, cur)
	assert.Equal(t, []string{"None"}, cur.Spec.ClusterIPs)
	assert.Empty(t, Validate(old, cur))

	old2 := model.DeepCopy(old)
	old2.Spec.ClusterIP, old2.Spec.ClusterIPs = "10.96.0.10", []string{"10.96.0.10"}
	cur2 := model.DeepCopy(old2)
	cur2.Spec.ClusterIP, cur2.Spec.ClusterIPs = "None", nil
	prepareUpdate(old2, cur2)
	var got []string
	for _, e := range Validate(old2, cur2) {
		got = append(got, e.Error())
	}
	assert.Equal(t, []string{`spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set`}, got)
}
