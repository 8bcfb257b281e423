package scenarios

import (
	"bufio"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/sim"
)

// trace.json is the run as a Chrome trace (Trace Event Format, object
// form), which Perfetto and chrome://tracing open: one process per node
// with a pod's life on it (first container Started to its terminal phase,
// the node's crash, or the end of the run) as a complete slice on the
// lowest free lane, so slices on one lane never overlap; a "cluster"
// process with the timeline's actions and faults and NodeNotReady as
// instants, and counters of pending pods and cpu request utilization.

// clusterPid is the trace's "cluster" process; nodes follow from 2.
const clusterPid = 1

// traceEvent is one Trace Event Format record; ts and dur are in µs.
type traceEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   json.Number    `json:"ts"`
	Dur  json.Number    `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

type traceNode struct {
	name  string
	pid   int
	lanes []bool // busy lanes
	named int    // lanes given a thread_name so far
}

type traceSlice struct {
	pod   string
	node  *traceNode
	lane  int
	start sim.Time
	open  bool
}

// traceBuilder collects the trace from the journal as the run goes.
type traceBuilder struct {
	nodes   map[string]*traceNode
	order   []*traceNode
	open    map[string]*traceSlice // pod -> its open slice
	slices  []*traceSlice          // open slices, in opening order
	events  []traceEvent           // X and i events, in the order they ended or happened
	threads []traceEvent           // thread_name metadata
}

// newTrace makes the run's trace builder and returns its journal
// subscriber.
func (r *Run) newTrace() sim.Subscriber {
	r.trace = &traceBuilder{nodes: map[string]*traceNode{}, open: map[string]*traceSlice{}}
	return r.trace.observe
}

// usec formats simulated nanoseconds as microseconds.
func usec(ns int64) json.Number {
	b := strconv.AppendInt(nil, ns/1000, 10)
	if f := ns % 1000; f != 0 {
		s := strconv.FormatInt(f+1000, 10)[1:]
		b = append(b, '.')
		b = append(b, strings.TrimRight(s, "0")...)
	}
	return json.Number(b)
}

func (tb *traceBuilder) node(name string) *traceNode {
	n := tb.nodes[name]
	if n == nil {
		n = &traceNode{name: name, pid: clusterPid + 1 + len(tb.order)}
		tb.nodes[name] = n
		tb.order = append(tb.order, n)
	}
	return n
}

func (tb *traceBuilder) observe(e *sim.Event) {
	switch {
	case e.Kind == "RegisteredNode":
		tb.node(e.Object)
	case e.Kind == "Started" && strings.HasPrefix(e.Source, "kubelet/"):
		n := tb.node(strings.TrimPrefix(e.Source, "kubelet/"))
		if s := tb.open[e.Object]; s != nil {
			if s.node == n {
				return // another container, or a restart
			}
			tb.close(s, e.T, "moved")
		}
		tb.start(e.Object, n, e.T)
	case e.Kind == "PodStatus" && strings.HasPrefix(e.Source, "kubelet/"):
		phase, _ := e.Field("phase").(string)
		if s := tb.open[e.Object]; s != nil && (phase == "Succeeded" || phase == "Failed") &&
			s.node.name == strings.TrimPrefix(e.Source, "kubelet/") {
			tb.close(s, e.T, phase)
		}
	}
	if strings.HasPrefix(e.Source, "timeline[") || e.Kind == "NodeNotReady" && !strings.Contains(e.Object, "/") {
		args := map[string]any{"object": e.Object, "source": e.Source}
		for _, f := range e.Fields {
			if f.Key != "message" {
				args[f.Key] = traceArg(f.Value)
			}
		}
		tb.events = append(tb.events, traceEvent{Name: e.Kind, Cat: "fault", Ph: "i", Ts: usec(int64(e.T)), Pid: clusterPid, S: "g", Args: args})
	}
	if e.Kind == "NodeCrash" {
		if n := tb.nodes[e.Object]; n != nil {
			for _, s := range append([]*traceSlice(nil), tb.slices...) {
				if s.node == n {
					tb.close(s, e.T, "NodeCrash")
				}
			}
		}
	}
}

// traceArg keeps JSON-friendly values and formats the rest.
func traceArg(v any) any {
	switch x := v.(type) {
	case string, bool, int, int32, int64, uint64, float64:
		return x
	case []string:
		return strings.Join(x, ",")
	case interface{ String() string }:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (tb *traceBuilder) start(pod string, n *traceNode, t sim.Time) {
	lane := 0
	for lane < len(n.lanes) && n.lanes[lane] {
		lane++
	}
	if lane == len(n.lanes) {
		n.lanes = append(n.lanes, false)
	}
	n.lanes[lane] = true
	for n.named <= lane {
		tb.threads = append(tb.threads, traceEvent{Name: "thread_name", Ph: "M", Ts: "0", Pid: n.pid, Tid: n.named,
			Args: map[string]any{"name": "lane " + strconv.Itoa(n.named)}})
		n.named++
	}
	s := &traceSlice{pod: pod, node: n, lane: lane, start: t, open: true}
	tb.open[pod] = s
	tb.slices = append(tb.slices, s)
}

func (tb *traceBuilder) close(s *traceSlice, t sim.Time, end string) {
	s.open = false
	delete(tb.open, s.pod)
	for i, o := range tb.slices {
		if o == s {
			tb.slices = append(tb.slices[:i], tb.slices[i+1:]...)
			break
		}
	}
	s.node.lanes[s.lane] = false
	tb.events = append(tb.events, traceEvent{Name: s.pod, Cat: "pod", Ph: "X", Ts: usec(int64(s.start)),
		Dur: usec(int64(t - s.start)), Pid: s.node.pid, Tid: s.lane, Args: map[string]any{"node": s.node.name, "end": end}})
}

// writeTrace closes the slices still open at now and writes trace.json.
func (tb *traceBuilder) write(w *bufio.Writer, now sim.Time, rows []Sample, s *Summary) error {
	for len(tb.slices) > 0 {
		tb.close(tb.slices[0], now, "running at end")
	}
	evs := []traceEvent{
		{Name: "process_name", Ph: "M", Ts: "0", Pid: clusterPid, Args: map[string]any{"name": "cluster"}},
		{Name: "process_sort_index", Ph: "M", Ts: "0", Pid: clusterPid, Args: map[string]any{"sort_index": 0}},
	}
	for _, n := range tb.order {
		evs = append(evs, traceEvent{Name: "process_name", Ph: "M", Ts: "0", Pid: n.pid, Args: map[string]any{"name": "node " + n.name}},
			traceEvent{Name: "process_sort_index", Ph: "M", Ts: "0", Pid: n.pid, Args: map[string]any{"sort_index": n.pid}})
	}
	evs = append(evs, tb.threads...)
	for _, row := range rows {
		ts := usec(int64(row.T))
		evs = append(evs,
			traceEvent{Name: "pending pods", Cat: "metrics", Ph: "C", Ts: ts, Pid: clusterPid, Args: map[string]any{"pending": row.PodsPending}},
			traceEvent{Name: "cpu request utilization", Cat: "metrics", Ph: "C", Ts: ts, Pid: clusterPid,
				Args: map[string]any{"utilization": json.Number(strconv.FormatFloat(row.CPUUtilization(), 'f', 6, 64))}})
	}
	evs = append(evs, tb.events...)
	doc := struct {
		TraceEvents     []traceEvent   `json:"traceEvents"`
		DisplayTimeUnit string         `json:"displayTimeUnit"`
		OtherData       map[string]any `json:"otherData"`
	}{evs, "ms", map[string]any{"scenario": s.Scenario, "seed": strconv.FormatUint(s.Seed, 10), "scenarioHash": s.ScenarioHash,
		"version": s.KubesimVersion, "start": s.Start}}
	enc := json.NewEncoder(w)
	return enc.Encode(doc)
}

// writeTimelineOutputs writes metrics.om and trace.json.
func (r *Run) writeTimelineOutputs() error {
	if err := r.out.writeFile("metrics.om", func(w *bufio.Writer) error {
		return writeOpenMetrics(w, r.series, r.start, r.Summary.Scenario, r.Summary.Seed)
	}); err != nil {
		return err
	}
	if r.trace == nil {
		return nil
	}
	return r.out.writeFile("trace.json", func(w *bufio.Writer) error {
		return r.trace.write(w, r.Kernel.Now(), r.series, &r.Summary)
	})
}
