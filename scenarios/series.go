package scenarios

import (
	"bufio"
	"fmt"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// DefaultMetricsInterval is how often the time series is sampled.
const DefaultMetricsInterval = 10 * time.Second

// Sample is one row of metrics.csv: the cluster at one instant.
type Sample struct {
	T              sim.Time
	Nodes          int
	ReadyNodes     int
	PodsPending    int // not yet bound
	PodsBound      int // bound, not finished
	PodsRunning    int
	PodsSucceeded  int
	PodsFailed     int
	CPURequested   int64 // millicores, bound unfinished pods
	CPUAllocatable int64
	MemRequested   int64 // bytes
	MemAllocatable int64
	// CPUUsed and MemUsed are what the machines of Ready nodes actually
	// use (sampled from the simulated hardware).
	CPUUsed int64
	MemUsed int64
	// RequestsOK and RequestsFailed are the traffic's requests that
	// finished in the interval ending at T.
	RequestsOK, RequestsFailed int64
}

// CPUUsageUtilization is used over allocatable cpu.
func (s Sample) CPUUsageUtilization() float64 { return ratio(s.CPUUsed, s.CPUAllocatable) }

// MemUsageUtilization is used over allocatable memory.
func (s Sample) MemUsageUtilization() float64 { return ratio(s.MemUsed, s.MemAllocatable) }

// CPUUtilization is requested over allocatable cpu (0 with no nodes).
func (s Sample) CPUUtilization() float64 { return ratio(s.CPURequested, s.CPUAllocatable) }

// MemUtilization is requested over allocatable memory.
func (s Sample) MemUtilization() float64 { return ratio(s.MemRequested, s.MemAllocatable) }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// clusterState keeps running totals from the watches so sampling is O(1).
type clusterState struct {
	pods  map[string]*model.Pod
	nodes map[string]*model.Node
	cur   Sample
}

func newClusterState() *clusterState {
	return &clusterState{pods: map[string]*model.Pod{}, nodes: map[string]*model.Node{}}
}

func (c *clusterState) account(p *model.Pod, sign int) {
	switch {
	case p.Status.Phase == model.PodSucceeded:
		c.cur.PodsSucceeded += sign
		return
	case p.Status.Phase == model.PodFailed:
		c.cur.PodsFailed += sign
		return
	case p.Spec.NodeName == "":
		c.cur.PodsPending += sign
		return
	}
	c.cur.PodsBound += sign
	if p.Status.Phase == model.PodRunning {
		c.cur.PodsRunning += sign
	}
	r := model.PodRequests(p, false)
	c.cur.CPURequested += int64(sign) * r.MilliCPU
	c.cur.MemRequested += int64(sign) * r.Memory
}

func (c *clusterState) onPod(ev model.WatchEvent) {
	p, ok := ev.Object.(*model.Pod)
	if !ok {
		return
	}
	k := p.Key()
	if old, had := c.pods[k]; had {
		c.account(old, -1)
		delete(c.pods, k)
	}
	if ev.Type != model.Deleted {
		c.pods[k] = p
		c.account(p, +1)
	}
}

func (c *clusterState) nodeAccount(n *model.Node, sign int) {
	c.cur.Nodes += sign
	if n.IsReady() {
		c.cur.ReadyNodes += sign
	}
	c.cur.CPUAllocatable += int64(sign) * n.Status.Allocatable.Cpu()
	c.cur.MemAllocatable += int64(sign) * n.Status.Allocatable.Memory()
}

func (c *clusterState) onNode(ev model.WatchEvent) {
	n, ok := ev.Object.(*model.Node)
	if !ok {
		return
	}
	if old, had := c.nodes[n.Name]; had {
		c.nodeAccount(old, -1)
		delete(c.nodes, n.Name)
	}
	if ev.Type != model.Deleted {
		c.nodes[n.Name] = n
		c.nodeAccount(n, +1)
	}
}

// seriesHeader is metrics.csv's header.
var seriesHeader = []string{"t_seconds", "nodes", "ready_nodes", "pods_pending", "pods_bound", "pods_running",
	"pods_succeeded", "pods_failed", "cpu_requested_millicores", "cpu_allocatable_millicores", "cpu_request_utilization",
	"memory_requested_bytes", "memory_allocatable_bytes", "memory_request_utilization",
	"cpu_used_millicores", "cpu_usage_utilization", "memory_used_bytes", "memory_usage_utilization",
	"requests_ok", "requests_failed"}

func (s Sample) csvRow() []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []string{f(s.T.Seconds()), i(int64(s.Nodes)), i(int64(s.ReadyNodes)), i(int64(s.PodsPending)), i(int64(s.PodsBound)),
		i(int64(s.PodsRunning)), i(int64(s.PodsSucceeded)), i(int64(s.PodsFailed)), i(s.CPURequested), i(s.CPUAllocatable),
		f(s.CPUUtilization()), i(s.MemRequested), i(s.MemAllocatable), f(s.MemUtilization()),
		i(s.CPUUsed), f(s.CPUUsageUtilization()), i(s.MemUsed), f(s.MemUsageUtilization()),
		i(s.RequestsOK), i(s.RequestsFailed)}
}

func writeSeriesCSV(w *bufio.Writer, rows []Sample) error {
	if _, err := fmt.Fprintln(w, joinCSV(seriesHeader)); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := fmt.Fprintln(w, joinCSV(r.csvRow())); err != nil {
			return err
		}
	}
	return nil
}

func joinCSV(fields []string) string {
	out := ""
	for i, f := range fields {
		if i > 0 {
			out += ","
		}
		out += f
	}
	return out
}

// UtilizationSummary averages the request utilization over the run's samples.
// The request figures are requested over allocatable; the usage figures
// what the simulated machines used over allocatable.
type UtilizationSummary struct {
	CPUMean      float64 `json:"cpuMean"`
	CPUMax       float64 `json:"cpuMax"`
	MemMean      float64 `json:"memoryMean"`
	MemMax       float64 `json:"memoryMax"`
	CPUUsageMean float64 `json:"cpuUsageMean"`
	MemUsageMean float64 `json:"memoryUsageMean"`
	Interval     float64 `json:"intervalSeconds"`
}

func summarizeSeries(rows []Sample, interval time.Duration) UtilizationSummary {
	var u UtilizationSummary
	u.Interval = interval.Seconds()
	if len(rows) == 0 {
		return u
	}
	for _, r := range rows {
		c, m := r.CPUUtilization(), r.MemUtilization()
		u.CPUMean += c
		u.MemMean += m
		u.CPUUsageMean += r.CPUUsageUtilization()
		u.MemUsageMean += r.MemUsageUtilization()
		u.CPUMax = max(u.CPUMax, c)
		u.MemMax = max(u.MemMax, m)
	}
	n := float64(len(rows))
	r6 := func(v float64) float64 { return float64(int64(v*1e6+0.5)) / 1e6 }
	u.CPUMean, u.MemMean = r6(u.CPUMean/n), r6(u.MemMean/n)
	u.CPUUsageMean, u.MemUsageMean = r6(u.CPUUsageMean/n), r6(u.MemUsageMean/n)
	u.CPUMax, u.MemMax = r6(u.CPUMax), r6(u.MemMax)
	return u
}
