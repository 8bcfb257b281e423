package scenarios

import (
	"bufio"
	"strconv"
	"strings"
	"time"
)

// omFamily is one gauge of metrics.om: a column of metrics.csv.
type omFamily struct {
	name, unit, help string
	value            func(Sample) string
}

// omFamilies are metrics.om's metric families, in metrics.csv's column
// order. OpenMetrics requires a family's name to end with its unit.
var omFamilies = func() []omFamily {
	i := func(f func(Sample) int64) func(Sample) string {
		return func(s Sample) string { return strconv.FormatInt(f(s), 10) }
	}
	r := func(f func(Sample) float64) func(Sample) string {
		return func(s Sample) string { return strconv.FormatFloat(f(s), 'f', 6, 64) }
	}
	return []omFamily{
		{"kubesim_nodes", "", "Nodes in the cluster.", i(func(s Sample) int64 { return int64(s.Nodes) })},
		{"kubesim_ready_nodes", "", "Nodes whose Ready condition is True.", i(func(s Sample) int64 { return int64(s.ReadyNodes) })},
		{"kubesim_pods_pending", "", "Pods not yet bound to a node.", i(func(s Sample) int64 { return int64(s.PodsPending) })},
		{"kubesim_pods_bound", "", "Pods bound to a node and not finished.", i(func(s Sample) int64 { return int64(s.PodsBound) })},
		{"kubesim_pods_running", "", "Pods in phase Running.", i(func(s Sample) int64 { return int64(s.PodsRunning) })},
		{"kubesim_pods_succeeded", "", "Pods in phase Succeeded.", i(func(s Sample) int64 { return int64(s.PodsSucceeded) })},
		{"kubesim_pods_failed", "", "Pods in phase Failed.", i(func(s Sample) int64 { return int64(s.PodsFailed) })},
		{"kubesim_cpu_requested_millicores", "millicores", "CPU requested by bound unfinished pods.", i(func(s Sample) int64 { return s.CPURequested })},
		{"kubesim_cpu_allocatable_millicores", "millicores", "Allocatable CPU of all nodes.", i(func(s Sample) int64 { return s.CPUAllocatable })},
		{"kubesim_cpu_request_utilization_ratio", "ratio", "CPU requested over allocatable.", r(Sample.CPUUtilization)},
		{"kubesim_memory_requested_bytes", "bytes", "Memory requested by bound unfinished pods.", i(func(s Sample) int64 { return s.MemRequested })},
		{"kubesim_memory_allocatable_bytes", "bytes", "Allocatable memory of all nodes.", i(func(s Sample) int64 { return s.MemAllocatable })},
		{"kubesim_memory_request_utilization_ratio", "ratio", "Memory requested over allocatable.", r(Sample.MemUtilization)},
		{"kubesim_cpu_used_millicores", "millicores", "CPU used by the simulated machines of Ready nodes.", i(func(s Sample) int64 { return s.CPUUsed })},
		{"kubesim_cpu_usage_utilization_ratio", "ratio", "CPU used over allocatable.", r(Sample.CPUUsageUtilization)},
		{"kubesim_memory_used_bytes", "bytes", "Memory used by the simulated machines of Ready nodes.", i(func(s Sample) int64 { return s.MemUsed })},
		{"kubesim_memory_usage_utilization_ratio", "ratio", "Memory used over allocatable.", r(Sample.MemUsageUtilization)},
		{"kubesim_requests_ok", "", "Traffic requests that succeeded in the interval.", i(func(s Sample) int64 { return s.RequestsOK })},
		{"kubesim_requests_failed", "", "Traffic requests that failed in the interval.", i(func(s Sample) int64 { return s.RequestsFailed })},
	}
}()

// writeOpenMetrics writes the time series as OpenMetrics 1.0 text for
// backfilling (promtool tsdb create-blocks-from openmetrics): one gauge
// family per metrics.csv column, each sample stamped with start plus its
// simulated time, in seconds, and labelled with the scenario and seed.
func writeOpenMetrics(w *bufio.Writer, rows []Sample, start time.Time, scenario string, seed uint64) error {
	labels := `{scenario="` + omEscape(scenario) + `",seed="` + strconv.FormatUint(seed, 10) + `"}`
	base := start.UnixNano()
	var buf []byte
	for _, f := range omFamilies {
		buf = append(buf[:0], "# TYPE "+f.name+" gauge\n"...)
		if f.unit != "" {
			buf = append(buf, "# UNIT "+f.name+" "+f.unit+"\n"...)
		}
		buf = append(buf, "# HELP "+f.name+" "+f.help+"\n"...)
		if _, err := w.Write(buf); err != nil {
			return err
		}
		for _, s := range rows {
			buf = append(buf[:0], f.name...)
			buf = append(buf, labels...)
			buf = append(buf, ' ')
			buf = append(buf, f.value(s)...)
			buf = append(buf, ' ')
			buf = appendUnixSeconds(buf, base+int64(s.T))
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
	}
	_, err := w.WriteString("# EOF\n")
	return err
}

// appendUnixSeconds appends ns since the epoch as seconds with
// millisecond precision (what Prometheus keeps), without going through a
// float.
func appendUnixSeconds(b []byte, ns int64) []byte {
	ms := ns / 1e6
	if ns < 0 && ns%1e6 != 0 {
		ms--
	}
	sec, frac := ms/1000, ms%1000
	if frac < 0 {
		sec, frac = sec-1, frac+1000
	}
	b = strconv.AppendInt(b, sec, 10)
	b = append(b, '.')
	f := strconv.Itoa(int(frac))
	b = append(b, "000"[len(f):]...)
	return append(b, f...)
}

// omEscape escapes a label value.
func omEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
