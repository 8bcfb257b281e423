package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model/manifest"
)

// SweepKind is the kind of a sweep file.
const SweepKind = "Sweep"

// Sweep is a capacity planner's grid of what-if runs: a base scenario,
// variations of any of its fields, and seeds.
type Sweep struct {
	APIVersion string       `yaml:"apiVersion"`
	Kind       string       `yaml:"kind"`
	Metadata   ScenarioMeta `yaml:"metadata"`
	Spec       SweepSpec    `yaml:"spec"`
}

// SweepSpec defines the runs.
type SweepSpec struct {
	// Scenario is a scenario file relative to the sweep file, or a
	// built-in scenario's name.
	Scenario string `yaml:"scenario"`
	// Seeds is how many seeds each variation runs with (1, 2, ...), or
	// SeedList names them.
	Seeds    int      `yaml:"seeds,omitempty"`
	SeedList []uint64 `yaml:"seedList,omitempty"`
	// Vary lists the fields to vary; Mode grid takes every combination,
	// list takes the i-th value of every entry together.
	Vary []Variation `yaml:"vary"`
	Mode string      `yaml:"mode,omitempty"`
}

// Variation sets one scenario field, by path, to each of its values:
// spec.cluster.nodePools[0].count, spec.cluster.nodePools[1].machine.
type Variation struct {
	Path   string      `yaml:"path"`
	Name   string      `yaml:"name,omitempty"`
	Values []yaml.Node `yaml:"values"`
}

// SweepRun is one run of a sweep.
type SweepRun struct {
	Index     int               // position in the sweep, stable
	Variation int               // which variation
	Seed      uint64            // the run's seed
	Settings  map[string]string // path (or name) -> value, for tables
	ID        string            // run-<variation>-seed-<seed>
}

// LoadedSweep is a validated sweep with its runs enumerated.
type LoadedSweep struct {
	Sweep    *Sweep
	Runs     []SweepRun
	base     *yaml.Node
	baseFile string
	baseDir  string
	fsys     fs.FS
	display  func(string) string
	values   [][]*yaml.Node // per variation: the value node of each vary entry
	names    []string
	strict   bool
}

// LoadSweepFile reads and validates a sweep file, its scenario, and every
// variation (each must produce a valid scenario).
func LoadSweepFile(file string, strict bool, library func(name string) (fs.FS, string, bool)) (*LoadedSweep, manifest.Diagnostics) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, manifest.Diagnostics{{File: file, Severity: manifest.Error, Message: err.Error()}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, manifest.Diagnostics{{File: file, Severity: manifest.Error, Message: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(root.Content) == 0 {
		return nil, manifest.Diagnostics{{File: file, Severity: manifest.Error, Message: "empty sweep file"}}
	}
	d := manifest.NewDecoder(file, strict)
	sw := &Sweep{}
	d.Decode(&root, sw, "")
	if sw.APIVersion != APIVersion {
		d.ErrorAt("apiVersion", "must be %s, got %q", APIVersion, sw.APIVersion)
	}
	if sw.Kind != SweepKind {
		d.ErrorAt("kind", "must be %s, got %q", SweepKind, sw.Kind)
	}
	if sw.Spec.Scenario == "" {
		d.ErrorAt("spec.scenario", "required: a scenario file or a built-in scenario's name")
	}
	if len(sw.Spec.Vary) == 0 {
		d.ErrorAt("spec.vary", "at least one variation is required")
	}
	if d.Diags.HasErrors() {
		return nil, d.Diags
	}
	ls := &LoadedSweep{Sweep: sw, strict: strict}
	var osp manifest.OSPaths
	scenPath := filepath.Join(filepath.Dir(file), sw.Spec.Scenario)
	var sdata []byte
	if st, err := os.Stat(scenPath); err == nil && !st.IsDir() {
		fp, _ := osp.ToFS(scenPath)
		ls.fsys, ls.baseFile, ls.baseDir, ls.display = osp.FS(), osp.Display(fp), path.Dir(fp), osp.Display
		sdata, err = os.ReadFile(scenPath)
		if err != nil {
			d.ErrorAt("spec.scenario", "%v", err)
			return nil, d.Diags
		}
	} else if library != nil {
		lfs, p, ok := library(sw.Spec.Scenario)
		if !ok {
			d.ErrorAt("spec.scenario", "%s: no such file or built-in scenario", sw.Spec.Scenario)
			return nil, d.Diags
		}
		ls.fsys, ls.baseFile, ls.baseDir, ls.display = lfs, "library/"+p, path.Dir(p), func(s string) string { return "library/" + s }
		sdata, _ = fs.ReadFile(lfs, p)
	}
	var base yaml.Node
	if err := yaml.Unmarshal(sdata, &base); err != nil || len(base.Content) == 0 {
		d.ErrorAt("spec.scenario", "%s: invalid YAML", sw.Spec.Scenario)
		return nil, d.Diags
	}
	ls.base = base.Content[0]

	// Enumerate the variations.
	mode := sw.Spec.Mode
	switch mode {
	case "", "grid":
		mode = "grid"
	case "list":
	default:
		d.ErrorAt("spec.mode", "must be grid or list, got %q", mode)
		return nil, d.Diags
	}
	for i, v := range sw.Spec.Vary {
		p := fmt.Sprintf("spec.vary[%d]", i)
		if v.Path == "" {
			d.ErrorAt(p+".path", "required, e.g. spec.cluster.nodePools[0].count")
		}
		if len(v.Values) == 0 {
			d.ErrorAt(p+".values", "at least one value is required")
		}
		if mode == "list" && len(v.Values) != len(sw.Spec.Vary[0].Values) {
			d.ErrorAt(p+".values", "list mode needs the same number of values in every entry (%d here, %d in the first)", len(v.Values), len(sw.Spec.Vary[0].Values))
		}
		name := v.Name
		if name == "" {
			name = v.Path
		}
		ls.names = append(ls.names, name)
	}
	if d.Diags.HasErrors() {
		return nil, d.Diags
	}
	if mode == "list" {
		for j := range sw.Spec.Vary[0].Values {
			var combo []*yaml.Node
			for i := range sw.Spec.Vary {
				combo = append(combo, &sw.Spec.Vary[i].Values[j])
			}
			ls.values = append(ls.values, combo)
		}
	} else {
		ls.values = [][]*yaml.Node{nil}
		for i := range sw.Spec.Vary {
			var next [][]*yaml.Node
			for _, prefix := range ls.values {
				for j := range sw.Spec.Vary[i].Values {
					next = append(next, append(append([]*yaml.Node(nil), prefix...), &sw.Spec.Vary[i].Values[j]))
				}
			}
			ls.values = next
		}
	}
	seeds := sw.Spec.SeedList
	if len(seeds) == 0 {
		n := sw.Spec.Seeds
		if n <= 0 {
			n = 1
		}
		for s := 1; s <= n; s++ {
			seeds = append(seeds, uint64(s))
		}
	}
	// Validate every variation up front: a typo in a path fails now, not
	// after hours of runs.
	for vi, combo := range ls.values {
		l, diags := ls.scenario(vi)
		if l == nil {
			for _, dg := range diags.Errors() {
				d.Diags = append(d.Diags, manifest.Diagnostic{File: file, Severity: manifest.Error,
					Message: fmt.Sprintf("variation %d (%s): %s", vi, ls.describe(combo), dg.String())})
			}
			continue
		}
		for _, seed := range seeds {
			r := SweepRun{Index: len(ls.Runs), Variation: vi, Seed: seed, Settings: map[string]string{},
				ID: fmt.Sprintf("run-%04d-seed-%d", vi, seed)}
			for i, n := range combo {
				r.Settings[ls.names[i]] = n.Value
			}
			ls.Runs = append(ls.Runs, r)
		}
	}
	if d.Diags.HasErrors() {
		return nil, d.Diags
	}
	return ls, d.Diags
}

func (ls *LoadedSweep) describe(combo []*yaml.Node) string {
	var parts []string
	for i, n := range combo {
		parts = append(parts, ls.names[i]+"="+n.Value)
	}
	return strings.Join(parts, ", ")
}

// Names returns the varied settings' names in order.
func (ls *LoadedSweep) Names() []string { return ls.names }

// scenario builds variation vi's scenario: the base YAML with each path set.
func (ls *LoadedSweep) scenario(vi int) (*Loaded, manifest.Diagnostics) {
	doc := cloneNode(ls.base)
	for i, val := range ls.values[vi] {
		if err := setPath(doc, ls.Sweep.Spec.Vary[i].Path, val); err != nil {
			return nil, manifest.Diagnostics{{File: ls.baseFile, Severity: manifest.Error, Message: fmt.Sprintf("vary %s: %v", ls.Sweep.Spec.Vary[i].Path, err)}}
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(doc); err != nil {
		return nil, manifest.Diagnostics{{File: ls.baseFile, Severity: manifest.Error, Message: err.Error()}}
	}
	_ = enc.Close()
	src := &source{fsys: ls.fsys, dir: ls.baseDir, display: ls.display}
	return load(src, ls.baseFile, buf.Bytes(), LoadOptions{Strict: ls.strict})
}

func cloneNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = cloneNode(x)
	}
	return &c
}

// setPath replaces the node at a dotted path with [i] indexes, creating
// missing mapping keys.
func setPath(root *yaml.Node, p string, val *yaml.Node) error {
	parts, err := splitPath(p)
	if err != nil {
		return err
	}
	n := root
	for i, part := range parts {
		last := i == len(parts)-1
		if idx, isIndex := part.(int); isIndex {
			if n.Kind != yaml.SequenceNode {
				return fmt.Errorf("%s is not a list", pathPrefix(parts[:i]))
			}
			if idx >= len(n.Content) {
				return fmt.Errorf("%s has %d items, no index %d", pathPrefix(parts[:i]), len(n.Content), idx)
			}
			if last {
				n.Content[idx] = cloneNode(val)
				return nil
			}
			n = n.Content[idx]
			continue
		}
		key := part.(string)
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s is not a mapping", pathPrefix(parts[:i]))
		}
		found := false
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == key {
				if last {
					n.Content[j+1] = cloneNode(val)
					return nil
				}
				n = n.Content[j+1]
				found = true
				break
			}
		}
		if !found {
			child := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if last {
				child = cloneNode(val)
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, child)
			if last {
				return nil
			}
			n = child
		}
	}
	return nil
}

func splitPath(p string) ([]any, error) {
	var out []any
	for _, seg := range strings.Split(p, ".") {
		for seg != "" {
			i := strings.IndexByte(seg, '[')
			if i < 0 {
				out = append(out, seg)
				break
			}
			if i > 0 {
				out = append(out, seg[:i])
			}
			j := strings.IndexByte(seg, ']')
			if j < i {
				return nil, fmt.Errorf("bad path %q: unclosed [", p)
			}
			n, err := strconv.Atoi(seg[i+1 : j])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad path %q: index %q is not a non-negative integer", p, seg[i+1:j])
			}
			out = append(out, n)
			seg = seg[j+1:]
		}
	}
	if len(out) == 0 {
		return nil, errors.New("empty path")
	}
	return out, nil
}

func pathPrefix(parts []any) string {
	var b strings.Builder
	for _, p := range parts {
		switch x := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", x)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(x)
		}
	}
	if b.Len() == 0 {
		return "the document"
	}
	return b.String()
}

// SweepResult is one run's result file (runs/<id>.json). It holds no wall
// time, so the same run always writes the same bytes.
type SweepResult struct {
	ID          string            `json:"id"`
	Index       int               `json:"index"`
	Variation   int               `json:"variation"`
	Seed        uint64            `json:"seed"`
	Settings    map[string]string `json:"settings"`
	CostPerHour float64           `json:"costPerHour"`
	Cost        float64           `json:"cost"`
	Error       string            `json:"error,omitempty"`
	Summary     *Summary          `json:"summary,omitempty"`
}

// Shard selects the runs of shard i of n: those whose index ≡ i (mod n).
func Shard(runs []SweepRun, i, n int) []SweepRun {
	var out []SweepRun
	for _, r := range runs {
		if r.Index%n == i {
			out = append(out, r)
		}
	}
	return out
}

// RunSweep runs the given runs (skipping those with a result file already
// when resume is set), in parallel, writing runs/<id>.json atomically for
// each; a failing or panicking run is recorded with its error and the
// others go on. progress is called after each run.
func (ls *LoadedSweep) RunSweep(dir string, runs []SweepRun, workers int, resume bool, progress func(done int, r *SweepResult)) ([]SweepResult, error) {
	runDir := filepath.Join(dir, "runs")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	var todo []SweepRun
	for _, r := range runs {
		if resume {
			if _, err := os.Stat(filepath.Join(runDir, r.ID+".json")); err == nil {
				continue
			}
		}
		todo = append(todo, r)
	}
	results := make([]SweepResult, len(todo))
	var mu sync.Mutex
	done := 0
	errs := RunParallel(len(todo), workers, func(i int) error {
		r := todo[i]
		res := &results[i]
		*res = SweepResult{ID: r.ID, Index: r.Index, Variation: r.Variation, Seed: r.Seed, Settings: r.Settings}
		if err := runJob(i, func(int) error { return ls.runOne(r, res) }); err != nil {
			res.Error = err.Error()
			res.Summary = nil
		}
		// Each run's file is written as soon as it is done, so an
		// interrupted sweep resumes where it stopped.
		werr := writeJSONAtomic(filepath.Join(runDir, res.ID+".json"), res)
		mu.Lock()
		done++
		if progress != nil {
			progress(done, res)
		}
		mu.Unlock()
		return werr
	})
	return results, errors.Join(errs...)
}

// runOne runs one variation and seed into res.
func (ls *LoadedSweep) runOne(r SweepRun, res *SweepResult) error {
	l, diags := ls.scenario(r.Variation)
	if l == nil {
		return diags.Err()
	}
	seed := r.Seed
	run, err := Start(l, RunOptions{Seed: &seed})
	if err != nil {
		return err
	}
	run.Execute()
	s := run.Summary
	s.WallSeconds = 0
	res.Summary = &s
	res.CostPerHour = l.CostPerHour()
	res.Cost = res.CostPerHour * s.SimulatedSeconds / 3600
	return nil
}

// CostPerHour is the hourly price of the cluster's nodes.
func (l *Loaded) CostPerHour() float64 {
	prices := l.Scenario.PoolPrices()
	total := 0.0
	for _, p := range l.Scenario.Spec.Cluster.NodePools {
		total += prices[p.Name] * float64(p.Count)
	}
	return total
}

func writeJSONAtomic(file string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), file)
}

// ReadSweepResults reads every runs/*.json under the given output
// directories (shards), de-duplicated by run ID, sorted by run index.
func ReadSweepResults(dirs []string) ([]SweepResult, error) {
	byID := map[string]SweepResult{}
	for _, d := range dirs {
		files, err := filepath.Glob(filepath.Join(d, "runs", "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var r SweepResult
			if err := json.Unmarshal(data, &r); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			byID[r.ID] = r
		}
	}
	out := make([]SweepResult, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, nil
}

// ResultsCSVHeader and the rows give results.csv: one line per run.
var sweepMetrics = []string{"scheduled", "unscheduled_at_end", "scheduling_latency_p99_s", "cpu_utilization_mean", "memory_utilization_mean",
	"request_success_rate", "request_latency_p99_s"}

// WriteResultsCSV writes results.csv atomically: settings, seed, cost and
// the main figures of every run, in run order.
func WriteResultsCSV(file string, names []string, results []SweepResult) error {
	var b strings.Builder
	b.WriteString("id,seed")
	for _, n := range names {
		b.WriteString("," + csvQuote(n))
	}
	b.WriteString(",cost_per_hour,cost")
	for _, m := range sweepMetrics {
		b.WriteString("," + m)
	}
	b.WriteString(",error\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range results {
		b.WriteString(r.ID + "," + strconv.FormatUint(r.Seed, 10))
		for _, n := range names {
			b.WriteString("," + csvQuote(r.Settings[n]))
		}
		b.WriteString("," + f(r.CostPerHour) + "," + f(r.Cost))
		vals := make([]string, len(sweepMetrics))
		if s := r.Summary; s != nil {
			sched := int64(0)
			if s.Scheduler != nil {
				sched = s.Scheduler.Scheduled
			}
			vals = []string{strconv.FormatInt(sched, 10), strconv.Itoa(s.Pods.UnscheduledAtEnd.Count),
				f(s.Pods.SchedulingLatency.P99), f(s.Utilization.CPUMean), f(s.Utilization.MemMean), "", ""}
			if rq := s.Requests; rq != nil {
				// The worst Service's p99: what the slowest client saw.
				p99 := 0.0
				for _, svc := range rq.Services {
					p99 = max(p99, svc.Latency.P99)
				}
				vals[5], vals[6] = f(rq.SuccessRate), f(p99)
			}
		}
		for _, v := range vals {
			b.WriteString("," + v)
		}
		b.WriteString("," + csvQuote(r.Error) + "\n")
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	_ = tmp.Chmod(0o644)
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), file)
}

func csvQuote(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// WriteResultJSON writes one run's result file atomically (sweep merge).
func WriteResultJSON(file string, r *SweepResult) error { return writeJSONAtomic(file, r) }
