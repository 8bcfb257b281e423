package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// webApp is a web Deployment of replicas pods requesting cpu, behind a
// Service web (svcSpec adds lines to the Service's spec).
func webApp(replicas int, cpu, svcSpec string) string {
	return fmt.Sprintf(`    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: default}
      spec:
        replicas: %d
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers: [{name: web, image: "web:1", ports: [{name: http, containerPort: 8080}], resources: {requests: {cpu: %s}}}]
    - apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default}
      spec:
%s        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
`, replicas, cpu, svcSpec)
}

var webService = webApp(3, "100m", "        clusterIP: 10.96.0.20\n")

func clientDeployment(name, role string) string {
	return `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ` + name + `, namespace: default}
      spec:
        replicas: 2
        selector: {matchLabels: {role: ` + role + `}}
        template:
          metadata: {labels: {role: ` + role + `}}
          spec:
            containers: [{name: c, image: "client:1", resources: {requests: {cpu: 50m}}}]
`
}

// A NetworkPolicy selecting the web pods admits only the frontend pods;
// the other clients' connections are dropped and time out.
func TestNetworkPolicyDeniesTraffic(t *testing.T) {
	r, _ := runScenario(t, storageBase+`  workloads:
  - inline:
`+webService+clientDeployment("frontend", "frontend")+clientDeployment("batch", "batch")+`    - apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: web-from-frontend, namespace: default}
      spec:
        podSelector: {matchLabels: {app: web}}
        ingress:
        - from: [{podSelector: {matchLabels: {role: frontend}}}]
          ports: [{port: http}]
  traffic:
  - {name: frontend, to: default/web, rate: 20, from: {selector: {role: frontend}}, start: 30s, retries: 0}
  - {name: batch, to: default/web, rate: 20, from: {selector: {role: batch}}, start: 30s, retries: 0}
`)
	s := r.Summary.Requests
	require.NotNil(t, s)
	require.Len(t, s.Clients, 2)
	byName := map[string]int{}
	for i, c := range s.Clients {
		byName[c.Client] = i
	}
	fe, batch := s.Clients[byName["frontend"]], s.Clients[byName["batch"]]
	assert.Greater(t, fe.Total, int64(4000))
	assert.Equal(t, 1.0, fe.SuccessRate, "frontend pods are admitted")
	assert.Greater(t, batch.Total, int64(4000))
	assert.Equal(t, 0.0, batch.SuccessRate, "every batch connection is denied")
	assert.Equal(t, batch.Failed, s.Services[0].Failures["timeout: denied by NetworkPolicy"])
}

const zonedBase = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: zoned}
spec:
  seed: 3
  duration: 6m
  controlPlane: {store: ideal}
  cluster:
    nodePools:
    - {name: n, count: 3, machine: m5.xlarge, zones: [a, b, c]}
  workloads:
  - inline:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: default}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            topologySpreadConstraints:
            - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
            containers: [{name: web, image: "web:1", ports: [{name: http, containerPort: 8080}], resources: {requests: {cpu: 100m}}}]
    - apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default}
      spec:
        clusterIP: 10.96.0.20
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
  traffic:
  - {name: from-b, to: default/web, rate: 50, from: {zone: b}, start: 30s, retries: 0}
  - {name: from-c, to: default/web, rate: 50, from: {zone: c}, start: 30s, retries: 0}
`

// A partition between zones a and b cuts exactly those paths: clients in
// zone b fail on the endpoint in zone a (a third of their requests), the
// clients of zone c do not notice.
func TestPartitionCutsOnlyTheNamedPaths(t *testing.T) {
	r, rec := runScenario(t, zonedBase+`  timeline:
  - {at: 2m, partition: {a: {zone: a}, b: {zone: b}, for: 2m}}
`)
	s := r.Summary.Requests
	require.NotNil(t, s)
	clients := map[string]int{}
	for i, c := range s.Clients {
		clients[c.Client] = i
	}
	fromB, fromC := s.Clients[clients["from-b"]], s.Clients[clients["from-c"]]
	assert.Equal(t, int64(0), fromC.Failed, "zone c reaches every endpoint")
	// About a third of zone b's requests during the 2 minutes: 50/s × 120 s / 3.
	assert.InDelta(t, 2000, fromB.Failed, 300)
	require.Len(t, s.Services[0].FailureWindows, 1)
	w := s.Services[0].FailureWindows[0]
	assert.InDelta(t, 120, w.Start, 1.1)
	assert.InDelta(t, 240, w.End, 1.1)
	require.Len(t, rec.Kinds("Partition"), 1)
	require.Len(t, rec.Kinds("Healed"), 1)
}

// A zone cut off from the control plane: its kubelets cannot report, so
// the node controller marks its nodes NotReady and their pods not ready;
// the other zones' kube-proxies stop using the zone's endpoint even
// though it still serves. On healing the nodes are Ready again.
func TestPartitionFromControlPlane(t *testing.T) {
	r, rec := runScenario(t, zonedBase+`  timeline:
  - {at: 2m, partition: {a: {zone: a}, b: {controlPlane: true}, for: 2m}}
`)
	var notReady, ready int
	for _, e := range rec.Kinds("NodeNotReady") {
		if e.Source == "node-controller" && e.Object == "n-0" {
			notReady++
			assert.InDelta(t, 170, e.T.Seconds(), 11, "50 s grace period after the cut")
		}
	}
	for _, e := range rec.Kinds("NodeReady") {
		if e.Object == "n-0" && e.T.Seconds() > 240 {
			ready++
		}
	}
	assert.Equal(t, 1, notReady)
	assert.GreaterOrEqual(t, ready, 1, "Ready again after the heal")
	assert.Equal(t, int64(0), r.Summary.Requests.Failed, "the endpoint kept serving: no request failed")
}

// zone-outage: requests fail only between the outage and the moment every
// client node's kube-proxy has removed the dead zone's endpoints from its
// programmed rules (a ProxyRulesSynced event in the journal).
func TestZoneOutageFailureWindow(t *testing.T) {
	l := loadLibrary(t, "zone-outage")
	var r *Run
	var outage sim.Time
	dead := map[string]bool{}        // endpoint keys in the lost zone
	removed := map[string]sim.Time{} // client node -> when its rules dropped them
	clientNodes := map[string]bool{}
	sub := func(e *sim.Event) {
		switch e.Kind {
		case "ZoneOutage":
			outage = e.T
			for ip, p := range r.data.pods {
				if p.Labels["app"] == "web" && r.data.topo.Zone(p.Spec.NodeName) == e.Object {
					dead[ip+":8080"] = true
				}
				if p.Labels["app"] == "client" {
					clientNodes[p.Spec.NodeName] = true
				}
			}
		case "ProxyRulesSynced":
			node := e.Object
			if outage == 0 || !clientNodes[node] || removed[node] != 0 {
				return
			}
			keys, _ := r.data.proxiers[node].Programmed("default/web:http")
			for _, k := range keys {
				if dead[k] {
					return
				}
			}
			removed[node] = e.T
		}
	}
	r, err := Start(l, RunOptions{Subscribers: []sim.Subscriber{sub}})
	require.NoError(t, err)
	r.Execute()
	require.NotZero(t, outage)
	require.Len(t, dead, 3, "three web pods lived in the lost zone")
	require.Len(t, removed, len(clientNodes), "every client node dropped them")
	var last sim.Time
	for _, at := range removed {
		last = max(last, at)
	}
	gone := last.Sub(outage)
	assert.Greater(t, gone, 50*time.Second, "not before the node-monitor grace period")
	assert.Less(t, gone, 65*time.Second)

	s := r.Summary.Requests
	require.NotNil(t, s)
	windows := s.Services[0].FailureWindows
	require.NotEmpty(t, windows)
	assert.Greater(t, s.Failed, int64(100))
	for _, w := range windows {
		assert.GreaterOrEqual(t, w.Start, outage.Seconds(), "no failure before the outage")
		assert.LessOrEqual(t, w.End, last.Seconds(), "no request sent after the endpoints were removed failed")
	}
	assert.Greater(t, s.SuccessRate, 0.99)
	require.Len(t, s.Recoveries, 1)
	assert.Equal(t, "timeline[0] zoneOutage", s.Recoveries[0].Action)
	assert.Equal(t, s.Failed, s.Recoveries[0].FailedRequests)
	assert.InDelta(t, windows[len(windows)-1].End-outage.Seconds(), s.Recoveries[0].RecoveredAfterSeconds, 1e-5)
}

// kube-proxy-modes: with 2,000 Services, the iptables clients' requests
// are slower (KUBE-SERVICES is walked linearly) and the iptables nodes'
// syncs longer (full rewrites) than nftables' and IPVS's.
func TestKubeProxyModes(t *testing.T) {
	r, rec := runLibrary(t, "kube-proxy-modes")
	s := r.Summary.Requests
	require.NotNil(t, s)
	p50 := map[string]float64{}
	for _, c := range s.Clients {
		assert.Equal(t, 1.0, c.SuccessRate, c.Client)
		p50[c.Client] = c.Latency.P50
	}
	assert.Greater(t, p50["iptables"], p50["nftables"])
	assert.Greater(t, p50["iptables"], p50["ipvs"])
	longest := map[string]float64{}
	for _, k := range r.Summary.KubeProxy {
		longest[k.Mode] = k.SyncDuration.Max
		assert.Equal(t, 3, k.Nodes, k.Mode)
		assert.Greater(t, k.FullSyncs, 30, "a full resync every 30 s on each of 3 nodes")
	}
	// A full iptables resync at the end writes 3 rules per service port
	// and per endpoint: about (2,001 × 3 + 20,030 × 3) × 30 µs ≈ 2 s.
	assert.InDelta(t, 2.0, longest["iptables"], 0.2)
	assert.Greater(t, longest["iptables"], longest["ipvs"])
	assert.Greater(t, longest["ipvs"], longest["nftables"])
	assert.NotEmpty(t, rec.Kinds("ProxyRulesSynced"), "syncs driven by changes are journaled")
	assert.Equal(t, 2001, r.API.Count("Service"))
}

const coreDNS = `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: coredns, namespace: kube-system}
      spec:
        replicas: 2
        selector: {matchLabels: {k8s-app: kube-dns}}
        template:
          metadata: {labels: {k8s-app: kube-dns}}
          spec:
            containers:
            - name: coredns
              image: "coredns:1.12"
              ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]
              resources: {requests: {cpu: 100m, memory: 70Mi}}
    - apiVersion: v1
      kind: Service
      metadata: {name: kube-dns, namespace: kube-system}
      spec:
        selector: {k8s-app: kube-dns}
        ports: [{name: dns, port: 53, protocol: UDP, targetPort: 53}, {name: dns-tcp, port: 53, targetPort: 53}]
`

// Clients resolve the Service's name through the kube-dns Service first:
// while the DNS pods are gone, lookups and so requests fail; once they are
// back, requests succeed again.
func TestDNSResolutionThroughCoreDNS(t *testing.T) {
	r, _ := runScenario(t, storageBase+`  workloads:
  - inline:
`+webService+clientDeployment("frontend", "frontend")+coreDNS+`  traffic:
  - {name: frontend, to: default/web, host: web, rate: 20, from: {selector: {role: frontend}}, start: 30s, retries: 0}
  timeline:
  - {at: 2m, scale: {kind: Deployment, namespace: kube-system, name: coredns, replicas: 0}}
  - {at: 3m, scale: {kind: Deployment, namespace: kube-system, name: coredns, replicas: 2}}
`)
	s := r.Summary.Requests
	require.NotNil(t, s)
	svc := s.Services[0]
	assert.Greater(t, svc.Succeeded, int64(3000))
	require.NotEmpty(t, svc.FailureWindows)
	for _, w := range svc.FailureWindows {
		assert.GreaterOrEqual(t, w.Start, 120.0)
		assert.LessOrEqual(t, w.End, 190.0)
	}
	var dnsFailures int64
	for reason, n := range svc.Failures {
		if strings.HasPrefix(reason, "dns: ") {
			dnsFailures += n
		}
	}
	assert.Equal(t, svc.Failed, dnsFailures, "%v", svc.Failures)
	// A lookup is one query (web.default.svc.cluster.local, the first
	// search domain) there and back: requests are slower than the bare
	// service path by one round trip.
	assert.Greater(t, svc.Latency.P50, 0.0105)
}

func exposedWeb(typ string) string {
	return `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: default}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            affinity:
              podAntiAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
            containers: [{name: web, image: "web:1", ports: [{name: http, containerPort: 8080}], resources: {requests: {cpu: 100m}}}]
    - apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default}
      spec:
        type: ` + typ + `
        externalTrafficPolicy: Local
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
`
}

const threeNodes = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: external}
spec:
  seed: 3
  duration: 4m
  controlPlane: {store: ideal}
  cluster:
    nodePools:
    - {name: n, count: 3, machine: m5.xlarge}
  workloads:
  - inline:
`

// Outside clients through node ports with externalTrafficPolicy Local:
// the node without a web pod drops what it receives, a third of the
// requests. Through a load balancer, whose health checks take that node
// out of rotation, nothing fails once the balancer is up.
func TestExternalTrafficPolicyLocal(t *testing.T) {
	np, _ := runScenario(t, threeNodes+exposedWeb("NodePort")+`  traffic:
  - {name: outside, to: default/web, rate: 50, from: {external: true}, start: 1m, retries: 0}
`)
	s := np.Summary.Requests
	assert.InDelta(t, 1.0/3, 1-s.SuccessRate, 0.03)
	assert.Equal(t, s.Failed, s.Services[0].Failures["timeout: no route"], "%v", s.Services[0].Failures)

	lb, rec := runScenario(t, threeNodes+exposedWeb("LoadBalancer")+`  traffic:
  - {name: outside, to: default/web, rate: 50, from: {external: true}, start: 1m, retries: 0}
`)
	s = lb.Summary.Requests
	assert.Equal(t, 1.0, s.SuccessRate, "%v", s.Services[0].Failures)
	require.Len(t, rec.Kinds("LoadBalancerProvisioned"), 1)
	healthy := map[string]bool{}
	for _, e := range rec.Kinds("LoadBalancerBackendHealthy") {
		healthy[e.Field("node").(string)] = true
	}
	assert.Len(t, healthy, 2, "only the nodes with a web pod pass the health check")
	for _, o := range lb.API.Objects() {
		if svc, ok := o.(*model.Service); ok && svc.Name == "web" {
			assert.NotZero(t, svc.Spec.Ports[0].NodePort, "a node port was allocated")
		}
	}
}

// trafficDistribution PreferClose: the EndpointSlice controller hints each
// endpoint for its zone, and every kube-proxy keeps its zone's traffic in
// the zone: zone b's clients only ever reach zone b's pod.
func TestTrafficDistributionPreferClose(t *testing.T) {
	body := strings.Replace(zonedBase, "        clusterIP: 10.96.0.20\n", "        clusterIP: 10.96.0.20\n        trafficDistribution: PreferClose\n", 1)
	body = strings.Replace(body, "  - {name: from-c, to: default/web, rate: 50, from: {zone: c}, start: 30s, retries: 0}\n", "", 1)
	r, _ := runScenario(t, body)
	s := r.Summary.Requests
	require.NotNil(t, s)
	require.Len(t, s.Services[0].Endpoints, 1, "one endpoint served every request")
	ip, _, _ := strings.Cut(s.Services[0].Endpoints[0].Endpoint, ":")
	pod := r.data.pods[ip]
	require.NotNil(t, pod)
	assert.Equal(t, "b", r.data.topo.Zone(pod.Spec.NodeName))
	assert.Equal(t, 1.0, s.SuccessRate)
}

// Traffic drives CPU: each request in service keeps a core busy, so 100
// requests/s of 10 ms each are one core of demand spread over the web
// pods. The HPA, reading what the machines report, scales the Deployment
// until each pod averages about half its 200m request: 1000m / 100m = 10
// pods. Requests keep succeeding throughout.
func TestTrafficDrivesTheHPA(t *testing.T) {
	r, _ := runScenario(t, `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: load}
spec:
  seed: 2
  duration: 10m
  controlPlane: {store: ideal}
  cluster:
    nodePools:
    - {name: a, count: 4, machine: m5.xlarge}
  behaviors:
  - {image: "web:*", cpu: 1m, serviceTime: 10ms}
  workloads:
  - inline:
`+webApp(2, "200m", "")+`    - apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web, namespace: default}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        minReplicas: 2
        maxReplicas: 20
        metrics:
        - type: Resource
          resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  traffic:
  - {to: default/web, rate: 100, arrival: constant, start: 30s}
`)
	var replicas int32
	for _, o := range r.API.Objects() {
		if d, ok := o.(*model.Deployment); ok && d.Name == "web" {
			replicas = *d.Spec.Replicas
		}
	}
	assert.GreaterOrEqual(t, replicas, int32(8))
	assert.LessOrEqual(t, replicas, int32(12))
	assert.Greater(t, r.Summary.Requests.SuccessRate, 0.999)
}

// Outside clients through an ingress controller: the cloud load balancer
// sends them to the controller's pods, which proxy to the web Service
// from their own nodes. While the controller has no pods, requests fail.
func TestIngressEntry(t *testing.T) {
	r, _ := runScenario(t, threeNodes+webApp(3, "100m", "")+`    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ingress, namespace: default}
      spec:
        replicas: 2
        selector: {matchLabels: {app: ingress}}
        template:
          metadata: {labels: {app: ingress}}
          spec:
            containers: [{name: nginx, image: "ingress-nginx:1", ports: [{name: http, containerPort: 80}], resources: {requests: {cpu: 100m}}}]
    - apiVersion: v1
      kind: Service
      metadata: {name: ingress, namespace: default}
      spec:
        type: LoadBalancer
        selector: {app: ingress}
        ports: [{name: http, port: 80, targetPort: http}]
  traffic:
  - {name: outside, to: default/web, via: default/ingress, rate: 40, from: {external: true}, start: 1m, retries: 0}
  timeline:
  - {at: 2m, scale: {kind: Deployment, name: ingress, replicas: 0}}
  - {at: 3m, scale: {kind: Deployment, name: ingress, replicas: 2}}
`)
	s := r.Summary.Requests
	require.NotNil(t, s)
	svc := s.Services[0]
	assert.Greater(t, svc.Succeeded, int64(3000))
	require.NotEmpty(t, svc.FailureWindows)
	for _, w := range svc.FailureWindows {
		assert.GreaterOrEqual(t, w.Start, 120.0)
		assert.LessOrEqual(t, w.End, 200.0)
	}
	// Two hops into the cluster (one cross-zone to the entry node), the
	// ingress pod's 200 µs, then the web pod's 10 ms.
	assert.Greater(t, svc.Latency.P50, 0.0112)
}

// NodeLocal DNSCache masks a short CoreDNS outage: names a node looked up
// in the last 30 s still resolve from its cache, so requests keep
// succeeding for a while after the DNS pods are gone.
func TestNodeLocalDNSCacheMasksDNSOutage(t *testing.T) {
	body := func(cache bool) string {
		network := ""
		if cache {
			network = "  network: {nodeLocalDNSCache: true}\n"
		}
		return storageBase + network + `  workloads:
  - inline:
` + webService + clientDeployment("frontend", "frontend") + coreDNS + `  traffic:
  - {name: frontend, to: default/web, host: web, rate: 20, from: {selector: {role: frontend}}, start: 30s, retries: 0}
  timeline:
  - {at: 2m, scale: {kind: Deployment, namespace: kube-system, name: coredns, replicas: 0}}
  - {at: 3m, scale: {kind: Deployment, namespace: kube-system, name: coredns, replicas: 2}}
`
	}
	firstFailure := func(cache bool) float64 {
		r, _ := runScenario(t, body(cache))
		w := r.Summary.Requests.Services[0].FailureWindows
		require.NotEmpty(t, w)
		return w[0].Start
	}
	without, with := firstFailure(false), firstFailure(true)
	assert.Less(t, without, 125.0, "without a cache lookups fail as soon as the pods are gone")
	assert.Greater(t, with, without+10, "the node caches answer for up to 30 s more")
}

// Racks fill within each zone, round robin.
func TestPoolRacks(t *testing.T) {
	l, diags := LoadBytes(fstest.MapFS{}, ".", "s.yaml", []byte(`apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: racks}
spec:
  duration: 1m
  cluster:
    nodePools:
    - {name: n, count: 6, machine: m5.large, zones: [a, b], racks: [r1, r2]}
`), LoadOptions{})
	require.False(t, diags.HasErrors(), "%v", diags)
	got := map[string]string{}
	for _, n := range l.Nodes {
		got[n.Name] = n.Labels[model.LabelTopologyZone] + "/" + n.Labels["kubesim.io/rack"]
	}
	assert.Equal(t, map[string]string{"n-0": "a/r1", "n-1": "b/r1", "n-2": "a/r2", "n-3": "b/r2", "n-4": "a/r1", "n-5": "b/r1"}, got)
}

func TestNetworkValidation(t *testing.T) {
	cases := map[string]string{
		"unknown node":       "  timeline:\n  - {at: 1m, partition: {a: {nodes: [nope]}, b: {controlPlane: true}}}\n",
		"unknown rack":       "  timeline:\n  - {at: 1m, partition: {a: {rack: r9}, b: {controlPlane: true}}}\n",
		"empty group":        "  timeline:\n  - {at: 1m, partition: {a: {}, b: {controlPlane: true}}}\n",
		"loss above one":     "  timeline:\n  - {at: 1m, linkDegrade: {a: {nodes: [n-0]}, b: {nodes: [n-1]}, loss: 2, for: 1m}}\n",
		"bad mode":           "  kubeProxy: {mode: ebpf}\n",
		"scheduler w/o ipvs": "  kubeProxy: {mode: iptables, ipvsScheduler: lc}\n",
		"traffic no rate":    "  traffic:\n  - {to: default/web}\n",
		"traffic bad to":     "  traffic:\n  - {to: web, rate: 1}\n",
		"via inside":         "  traffic:\n  - {to: default/web, rate: 1, via: default/ing}\n",
		"unknown pool":       "  traffic:\n  - {to: default/web, rate: 1, from: {pool: nope}}\n",
	}
	requireInvalid(t, cases)
}
