package scheduler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Extender calls an HTTP scheduler extender with kube-scheduler's wire
// protocol (k8s.io/kube-scheduler/extender/v1): ExtenderArgs in, an
// ExtenderFilterResult, a HostPriorityList or an ExtenderBindingResult out.
// An extender in any language can thus be compared without rebuilding
// kubesim.
//
// The call happens on the real network, synchronously; the simulation's
// determinism then rests on the extender answering the same request the
// same way. Each call costs ExtenderCallCost of simulated time. Preemption
// verbs are not called (kubesim's DefaultPreemption runs without extender
// vetoes).
type Extender struct {
	cfg    ExtenderConfig
	client *http.Client
}

// ExtenderCallCost is the simulated time one extender call adds to a
// scheduling cycle.
const ExtenderCallCost = time.Millisecond

// DefaultExtenderTimeout is upstream's httpTimeout default.
const DefaultExtenderTimeout = 30 * time.Second

// NewExtender builds a client for one configured extender.
func NewExtender(cfg ExtenderConfig) (*Extender, error) {
	if cfg.URLPrefix == "" {
		return nil, fmt.Errorf("extender: urlPrefix is required")
	}
	if cfg.Weight < 0 {
		return nil, fmt.Errorf("extender %s: weight must be positive", cfg.URLPrefix)
	}
	if cfg.PrioritizeVerb != "" && cfg.Weight == 0 {
		return nil, fmt.Errorf("extender %s: weight must be positive when prioritizeVerb is set", cfg.URLPrefix)
	}
	timeout := DefaultExtenderTimeout
	if cfg.HTTPTimeout != nil {
		timeout = *cfg.HTTPTimeout
	}
	return &Extender{cfg: cfg, client: &http.Client{Timeout: timeout}}, nil
}

// Name identifies the extender in messages.
func (e *Extender) Name() string { return e.cfg.URLPrefix }

// Ignorable reports whether failures of this extender are tolerated.
func (e *Extender) Ignorable() bool { return e.cfg.Ignorable }

// extenderArgs is ExtenderArgs on the wire.
type extenderArgs struct {
	Pod       any       `json:"pod"`
	Nodes     *nodeList `json:"nodes,omitempty"`
	NodeNames *[]string `json:"nodenames,omitempty"`
}

type nodeList struct {
	Items []any `json:"items"`
}

type extenderFilterResult struct {
	Nodes *struct {
		Items []struct{ Metadata struct{ Name string } }
	} `json:"nodes,omitempty"`
	NodeNames                  *[]string         `json:"nodenames,omitempty"`
	FailedNodes                map[string]string `json:"failedNodes,omitempty"`
	FailedAndUnresolvableNodes map[string]string `json:"failedAndUnresolvableNodes,omitempty"`
	Error                      string            `json:"error,omitempty"`
}

type hostPriority struct {
	Host  string `json:"host"`
	Score int64  `json:"score"`
}

type extenderBindingArgs struct {
	PodName      string `json:"podName"`
	PodNamespace string `json:"podNamespace"`
	PodUID       string `json:"podUID"`
	Node         string `json:"node"`
}

type extenderBindingResult struct {
	Error string `json:"error,omitempty"`
}

// toWire renders an object as Kubernetes JSON (camelCase fields, as the
// YAML form), which is what extenders parse.
func toWire(o any) (any, error) {
	b, err := yaml.Marshal(o)
	if err != nil {
		return nil, err
	}
	var m any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func (e *Extender) args(pod *model.Pod, nodes []*framework.NodeInfo) (*extenderArgs, error) {
	wp, err := toWire(pod)
	if err != nil {
		return nil, err
	}
	a := &extenderArgs{Pod: wp}
	if e.cfg.NodeCacheCapable {
		names := make([]string, len(nodes))
		for i, n := range nodes {
			names[i] = n.Name()
		}
		a.NodeNames = &names
		return a, nil
	}
	a.Nodes = &nodeList{}
	for _, n := range nodes {
		wn, err := toWire(n.Node())
		if err != nil {
			return nil, err
		}
		a.Nodes.Items = append(a.Nodes.Items, wn)
	}
	return a, nil
}

func (e *Extender) send(verb string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	url := strings.TrimRight(e.cfg.URLPrefix, "/") + "/" + verb
	resp, err := e.client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("extender %s: %w", e.Name(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("extender %s: %w", e.Name(), err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("extender %s: %s returned HTTP %d", e.Name(), verb, resp.StatusCode)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("extender %s: decoding %s result: %w", e.Name(), verb, err)
	}
	return nil
}

// Filter returns the nodes the extender accepts and the statuses of those
// it rejects.
func (e *Extender) Filter(pod *model.Pod, nodes []*framework.NodeInfo) ([]*framework.NodeInfo, map[string]*framework.Status, error) {
	if e.cfg.FilterVerb == "" {
		return nodes, nil, nil
	}
	a, err := e.args(pod, nodes)
	if err != nil {
		return nil, nil, err
	}
	var res extenderFilterResult
	if err := e.send(e.cfg.FilterVerb, a, &res); err != nil {
		return nil, nil, err
	}
	if res.Error != "" {
		return nil, nil, fmt.Errorf("extender %s: %s", e.Name(), res.Error)
	}
	keep := map[string]bool{}
	if res.NodeNames != nil {
		for _, n := range *res.NodeNames {
			keep[n] = true
		}
	} else if res.Nodes != nil {
		for _, it := range res.Nodes.Items {
			keep[it.Metadata.Name] = true
		}
	}
	var out []*framework.NodeInfo
	for _, n := range nodes {
		if keep[n.Name()] {
			out = append(out, n)
		}
	}
	failed := map[string]*framework.Status{}
	for _, n := range sortedKeys(res.FailedNodes) {
		failed[n] = framework.NewStatus(framework.Unschedulable, res.FailedNodes[n]).WithPlugin(e.Name())
	}
	for _, n := range sortedKeys(res.FailedAndUnresolvableNodes) {
		failed[n] = framework.NewStatus(framework.UnschedulableAndUnresolvable, res.FailedAndUnresolvableNodes[n]).WithPlugin(e.Name())
	}
	return out, failed, nil
}

// Prioritize returns the extender's weighted scores per node name, scaled
// from its 0..10 range to the framework's 0..100 (upstream
// prioritizeNodes: score·weight·MaxNodeScore/MaxExtenderPriority).
func (e *Extender) Prioritize(pod *model.Pod, nodes []*framework.NodeInfo) (map[string]int64, error) {
	if e.cfg.PrioritizeVerb == "" {
		return nil, nil
	}
	a, err := e.args(pod, nodes)
	if err != nil {
		return nil, err
	}
	var list []hostPriority
	if err := e.send(e.cfg.PrioritizeVerb, a, &list); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, hp := range list {
		out[hp.Host] += hp.Score * e.cfg.Weight * (framework.MaxNodeScore / framework.MaxExtenderPriority)
	}
	return out, nil
}

// IsBinder reports whether the extender binds pods.
func (e *Extender) IsBinder() bool { return e.cfg.BindVerb != "" }

// Bind asks the extender to bind the pod.
func (e *Extender) Bind(pod *model.Pod, node string) error {
	var res extenderBindingResult
	if err := e.send(e.cfg.BindVerb, &extenderBindingArgs{PodName: pod.Name, PodNamespace: pod.Namespace, PodUID: pod.UID, Node: node}, &res); err != nil {
		return err
	}
	if res.Error != "" {
		return fmt.Errorf("extender %s: %s", e.Name(), res.Error)
	}
	return nil
}
