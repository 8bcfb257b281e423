package traffic

import (
	"fmt"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/network/kubeproxy"
	"github.com/kubesim/kubesim/sim"
)

// world is a cluster of one client node and endpoint pods on other nodes.
type world struct {
	slice    *model.EndpointSlice
	proxier  *kubeproxy.Proxier
	svc      *model.Service
	backends map[string]Backend
	latency  time.Duration
}

func (w *world) ClientSources(From) []Source {
	return []Source{{Node: "client", IP: netip.MustParseAddr("10.250.0.1")}}
}
func (w *world) Proxier(string) *kubeproxy.Proxier            { return w.proxier }
func (w *world) Service(string) (*model.Service, bool)        { return w.svc, true }
func (w *world) Endpoint(ip string) (Backend, bool)           { b, ok := w.backends[ip]; return b, ok }
func (w *world) Allowed(Source, string, int32) (bool, string) { return true, "" }
func (w *world) Entry(*model.Service, *sim.Rand) string       { return "client" }
func (w *world) Transmit(string, int64) time.Duration         { return 0 }
func (w *world) Resolve(Source, string) (netip.Addr, time.Duration, string) {
	return netip.MustParseAddr(w.svc.Spec.ClusterIP), 0, ""
}
func (w *world) Path(string, string) (time.Duration, bool) { return w.latency, true }

func newWorld(k *sim.Kernel, mode kubeproxy.Mode, endpoints int) *world {
	w := &world{backends: map[string]Backend{}, latency: 250 * time.Microsecond}
	w.svc = &model.Service{ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: model.ServiceSpec{ClusterIP: "10.96.0.10", Ports: []model.ServicePort{{Name: "http", Port: 80, Protocol: model.ProtocolTCP}}}}
	sl := &model.EndpointSlice{ObjectMeta: model.ObjectMeta{Name: "web-1", Namespace: "default",
		Labels: map[string]string{"kubernetes.io/service-name": "web"}}, AddressType: "IPv4",
		Ports: []model.EndpointPort{{Name: model.Ptr("http"), Protocol: model.Ptr(model.ProtocolTCP), Port: model.Ptr[int32](8080)}}}
	for i := range endpoints {
		ip := fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
		node := fmt.Sprintf("n%d", i)
		sl.Endpoints = append(sl.Endpoints, model.Endpoint{Addresses: []string{ip}, NodeName: &node,
			Conditions: model.EndpointConditions{Ready: model.Ptr(true)}})
		w.backends[ip] = Backend{Pod: "default/web-" + node, Node: node, NodeUp: true, Serving: true,
			ServiceTime: model.Seconds(5 * time.Millisecond), Workers: 4}
	}
	w.slice = sl
	w.proxier = kubeproxy.NewProxier(k, kubeproxy.Node{Name: "client"}, kubeproxy.Config{Mode: mode})
	w.proxier.Start()
	w.proxier.OnService(w.svc, true)
	w.proxier.OnEndpointSlice(sl, true)
	return w
}

func TestRequestsSucceedAndSpread(t *testing.T) {
	k := sim.NewKernel(3)
	w := newWorld(k, kubeproxy.ModeIPTables, 4)
	e, err := New(k, w, []Spec{{To: "default/web", Rate: 100, Start: time.Second}}, time.Minute)
	require.NoError(t, err)
	e.Start()
	k.Run(sim.Time(time.Minute))
	s := e.Summary()
	require.Len(t, s.Services, 1)
	assert.InDelta(t, 5900, s.Total, 300, "Poisson arrivals at 100/s for 59 s")
	assert.Equal(t, s.Total, s.Succeeded)
	assert.Equal(t, 1.0, s.SuccessRate)
	// 5 ms of service plus two 250 µs hops.
	assert.InDelta(t, 0.0055, s.Services[0].Latency.P50, 0.002)
	for _, ep := range s.Services[0].Endpoints {
		assert.InDelta(t, 0.25, ep.Share, 0.04, ep.Endpoint)
	}
}

// A dead endpoint's node makes its attempts time out; retries on new
// connections usually find a live one, so only requests whose every
// attempt hit dead endpoints fail.
func TestRetriesAroundDeadEndpoints(t *testing.T) {
	k := sim.NewKernel(3)
	w := newWorld(k, kubeproxy.ModeNFTables, 2)
	b := w.backends["10.1.0.1"]
	b.NodeUp = false
	w.backends["10.1.0.1"] = b
	cases := []struct {
		retries int
		fail    float64 // expected failure ratio: 2^-(retries+1)
	}{{0, 0.5}, {2, 0.125}}
	for _, tc := range cases {
		e, err := New(k, w, []Spec{{To: "default/web", Rate: 200, Retries: model.Ptr(tc.retries), Timeout: 100 * time.Millisecond, Start: time.Second}}, k.Now().Add(time.Minute).Sub(0))
		require.NoError(t, err)
		e.Start()
		k.Run(k.Now().Add(time.Minute + time.Second))
		s := e.Summary()
		assert.InDelta(t, tc.fail, 1-s.SuccessRate, 0.02, "retries %d", tc.retries)
		assert.Equal(t, s.Failed, s.Services[0].Failures["timeout: endpoint unreachable"], "%v", s.Services[0].Failures)
	}
}

func TestWindows(t *testing.T) {
	sec := func(f float64) sim.Time { return sim.Time(f * 1e9) }
	got := Windows([]sim.Time{sec(10), sec(10.5), sec(11.2), sec(20), sec(20.9)}, time.Second)
	assert.Equal(t, []Window{{Start: 10, End: 11.2, Requests: 3}, {Start: 20, End: 20.9, Requests: 2}}, got)
}

// BenchmarkRequests100Endpoints: simulated requests per wall second, one
// service with 100 endpoints, iptables mode.
func BenchmarkRequests100Endpoints(b *testing.B) {
	k := sim.NewKernel(3)
	w := newWorld(k, kubeproxy.ModeIPTables, 100)
	k.Run(sim.Time(time.Second))
	rate := 10000.0
	d := time.Duration(float64(b.N) / rate * 1e9)
	e, err := New(k, w, []Spec{{To: "default/web", Rate: rate, Start: time.Second}}, time.Second+d)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	e.Start()
	k.Run(sim.Time(2*time.Second + d))
	b.StopTimer()
	s := e.Summary()
	b.ReportMetric(float64(s.Total)/b.Elapsed().Seconds(), "requests/s")
}

// Closed loop: N users each alternate a request (≈5.5 ms here) and a
// fixed 100 ms think time, so throughput is N / 0.1055 s.
func TestClosedLoopUsers(t *testing.T) {
	k := sim.NewKernel(3)
	w := newWorld(k, kubeproxy.ModeNFTables, 4)
	e, err := New(k, w, []Spec{{To: "default/web", Users: 10, ThinkTime: model.Seconds(100 * time.Millisecond), Start: time.Second}}, 61*time.Second)
	require.NoError(t, err)
	e.Start()
	k.Run(sim.Time(61 * time.Second))
	s := e.Summary()
	assert.InDelta(t, 60*10/0.1055, float64(s.Total), 150)
}

// Diurnal arrivals follow the curve: with period 60 s and amplitude 1 the
// first half-period carries (1 + 2/π) / (1 − 2/π) times the second's.
func TestDiurnalArrival(t *testing.T) {
	k := sim.NewKernel(3)
	w := newWorld(k, kubeproxy.ModeNFTables, 4)
	e, err := New(k, w, []Spec{{To: "default/web", Rate: 200, Arrival: "diurnal", Period: time.Minute, Amplitude: 1}}, time.Minute)
	require.NoError(t, err)
	e.Start()
	k.Run(sim.Time(time.Minute + time.Second))
	st := e.stats["default/web"]
	var first, second int64
	for sec, b := range st.buckets {
		if sec < 30 {
			first += b.ok + b.failed
		} else {
			second += b.ok + b.failed
		}
	}
	want := (1 + 2/math.Pi) / (1 - 2/math.Pi)
	assert.InDelta(t, want, float64(first)/float64(second), 0.35)
	assert.InDelta(t, 12000, float64(first+second), 400, "the mean rate over a whole period")
}

// IPVS least-connection sees the connections the traffic holds: with one
// endpoint slow (500 ms per request, 10 workers: 20 requests/s at most),
// round robin keeps sending it a quarter of 200 requests/s, while lc,
// counting its open connections, sends it only what it can take.
func TestIPVSLeastConnectionFollowsLoad(t *testing.T) {
	success := func(sched kubeproxy.IPVSScheduler) float64 {
		k := sim.NewKernel(3)
		w := newWorld(k, kubeproxy.ModeIPVS, 4)
		slow := w.backends["10.1.0.1"]
		slow.ServiceTime = model.Seconds(500 * time.Millisecond)
		slow.Workers = 10
		w.backends["10.1.0.1"] = slow
		w.proxier = kubeproxy.NewProxier(k, kubeproxy.Node{Name: "client"}, kubeproxy.Config{Mode: kubeproxy.ModeIPVS, IPVSScheduler: sched})
		w.proxier.Start()
		w.proxier.OnService(w.svc, true)
		w.proxier.OnEndpointSlice(w.slice, true)
		e, err := New(k, w, []Spec{{To: "default/web", Rate: 200, Start: time.Second, Retries: model.Ptr(0)}}, 61*time.Second)
		require.NoError(t, err)
		e.Start()
		k.Run(sim.Time(62 * time.Second))
		return e.Summary().SuccessRate
	}
	rr, lc := success(kubeproxy.IPVSRoundRobin), success(kubeproxy.IPVSLeastConnection)
	// Its queue grows without bound (50 requests/s in, 20 out), so soon
	// every request sent to it waits past the timeout: a quarter fail.
	assert.InDelta(t, 0.75, rr, 0.03, "round robin overloads the slow endpoint")
	assert.Greater(t, lc, 0.999, "least connection steers around it")
}
