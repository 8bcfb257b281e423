package model

import (
	"errors"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/sim"
)

// BehaviorAnnotation is the pod annotation that declares how the pod's
// containers behave: YAML or JSON text holding either one Behavior for
// every container, or {containers: {NAME: Behavior, ...}} per container.
const BehaviorAnnotation = "kubesim.io/behavior"

// Behavior is how a container behaves once started: how long it runs, the
// CPU and memory it uses, when it becomes ready, how it fails. Kubernetes
// manifests do not say this, so a scenario declares it per image (a
// BehaviorResolver) or a pod per container (BehaviorAnnotation).
//
// Every field is optional; the zero Behavior is the default: the container
// serves forever, is ready at once, uses what it requests and never fails.
// Distributions are in seconds for times, millicores for cpu.
type Behavior struct {
	// RunFor is how long the container runs before it exits by itself;
	// nil: it serves until stopped.
	RunFor *DistSpec `yaml:"runFor,omitempty"`
	// CPUWork is CPU-seconds of work: the container exits when it has done
	// it, at whatever CPU share it gets (processor sharing). When set it
	// decides completion instead of RunFor, and the container's CPU demand
	// defaults to busy.
	CPUWork *DistSpec `yaml:"cpuWork,omitempty"`
	// CPU is the CPU the container wants while it runs: "request" (the
	// default), "busy" (all it can get, up to its limit), a quantity
	// ("500m") or a distribution in millicores sampled at each start.
	CPU *CPUSpec `yaml:"cpu,omitempty"`
	// Memory is the container's memory use over time (default: its
	// memory request, flat).
	Memory *Growth `yaml:"memory,omitempty"`
	// Disk is what the container writes to the node's filesystem
	// (ephemeral storage: logs, writable layer); default none.
	Disk *Growth `yaml:"disk,omitempty"`
	// EmptyDir names the pod's emptyDir volume that Disk's writes go to
	// instead of the writable layer: they count against its sizeLimit, and
	// for medium Memory (tmpfs) against the container's memory.
	EmptyDir string `yaml:"emptyDir,omitempty"`
	// ReadyAfter is how long after a start the startup and readiness probes
	// begin to succeed; nil: at once.
	ReadyAfter *DistSpec `yaml:"readyAfter,omitempty"`
	// FailureRatio is the probability, as an integer ratio "num/den", that
	// an exit by itself is a failure (exit code ExitCode); default never.
	FailureRatio *Ratio `yaml:"failureRatio,omitempty"`
	// ExitCode of a failed exit; default 1.
	ExitCode *int32 `yaml:"exitCode,omitempty"`
	// LivenessFailsAfter is how long after a start the liveness probe
	// begins to fail (a hang); readiness fails from then on too. nil: never.
	LivenessFailsAfter *DistSpec `yaml:"livenessFailsAfter,omitempty"`
	// ShutdownTime is how long the container takes to exit after SIGTERM.
	// A container that declares it handles SIGTERM and exits 0 (or is
	// killed at the end of the grace period); one that does not dies of
	// the signal at once (exit 143).
	ShutdownTime *DistSpec `yaml:"shutdownTime,omitempty"`
	// ImageSizeBytes is the size of the container's image, for pulls and
	// disk use ("100Mi" or a number of bytes); default 100Mi.
	ImageSizeBytes *Quantity `yaml:"imageSizeBytes,omitempty"`
	// ServiceTime is the time to serve one request, for traffic.
	ServiceTime *DistSpec `yaml:"serviceTime,omitempty"`
}

// DefaultImageSizeBytes is the image size assumed when a behaviour names none.
const DefaultImageSizeBytes int64 = 100 << 20

// ImageSize returns ImageSizeBytes, or the default.
func (b *Behavior) ImageSize() int64 {
	if b == nil || b.ImageSizeBytes == nil {
		return DefaultImageSizeBytes
	}
	return b.ImageSizeBytes.Value()
}

// FailureExitCode returns ExitCode, or 1.
func (b *Behavior) FailureExitCode() int32 {
	if b == nil || b.ExitCode == nil {
		return 1
	}
	return *b.ExitCode
}

// Validate reports the fields that are out of range, with their paths
// relative to the behaviour.
func (b *Behavior) Validate() []error {
	var errs []error
	dist := func(name string, d *DistSpec) {
		if d != nil {
			if err := d.Dist().Validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	dist("runFor", b.RunFor)
	dist("cpuWork", b.CPUWork)
	dist("readyAfter", b.ReadyAfter)
	dist("livenessFailsAfter", b.LivenessFailsAfter)
	dist("shutdownTime", b.ShutdownTime)
	dist("serviceTime", b.ServiceTime)
	if b.CPU != nil && b.CPU.Dist != nil {
		dist("cpu", b.CPU.Dist)
	}
	for _, g := range []struct {
		name string
		g    *Growth
	}{{"memory", b.Memory}, {"disk", b.Disk}} {
		if g.g == nil {
			continue
		}
		for _, q := range []struct {
			name string
			q    *Quantity
		}{{"start", g.g.Start}, {"rampPerSecond", g.g.RampPerSecond}, {"max", g.g.Max}} {
			if q.q != nil && q.q.Sign() < 0 {
				errs = append(errs, fmt.Errorf("%s.%s: must not be negative", g.name, q.name))
			}
		}
	}
	if r := b.FailureRatio; r != nil && (r.Den == 0 || r.Num > r.Den) {
		errs = append(errs, fmt.Errorf("failureRatio: %s is not a probability (want num/den with num <= den)", r))
	}
	if b.ImageSizeBytes != nil && b.ImageSizeBytes.Sign() < 0 {
		errs = append(errs, errors.New("imageSizeBytes: must not be negative"))
	}
	return errs
}

// DistSpec is a distribution as scenarios write it (sim.Dist with a YAML
// form). Accepted:
//
//	5                                  constant (a bare number or duration)
//	30s                                constant, a duration in seconds
//	{constant: 5}
//	{uniform: {min: 1s, max: 3s}}
//	{exponential: {mean: 10}}
//	{normal: {mean: 1, stddev: 0.2, min: 0}}    optional min/max clamp
//	{lognormal: {mu: 0, sigma: 1}}
//	{empirical: {values: [1, 2, 5], weights: [3, 2, 1]}}
//
// Wherever a number is expected, a duration string ("250ms", "2m") stands
// for its value in seconds.
type DistSpec sim.Dist

// Dist returns the distribution.
func (d *DistSpec) Dist() sim.Dist { return sim.Dist(*d) }

// Constant returns a constant distribution.
func Constant(v float64) *DistSpec { return &DistSpec{Kind: sim.DistConstant, Value: v} }

// Seconds returns a constant distribution of d in seconds.
func Seconds(d time.Duration) *DistSpec { return Constant(d.Seconds()) }

// Sample draws one value from r; an invalid distribution samples its
// expected value (validation reports it separately).
func (d *DistSpec) Sample(r *sim.Rand) float64 {
	if d.Kind == sim.DistConstant {
		return d.Value
	}
	s, err := d.Dist().Sampler(r)
	if err != nil {
		return d.Dist().ExpectedValue()
	}
	return s.Sample()
}

// SampleDuration draws a value in seconds and returns it as a duration
// (negative samples are zero).
func (d *DistSpec) SampleDuration(r *sim.Rand) time.Duration {
	v := d.Sample(r)
	if !(v > 0) {
		return 0
	}
	if v >= math.MaxInt64/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(math.Round(v * 1e9))
}

// UnmarshalYAML reads any of the forms listed on DistSpec.
func (d *DistSpec) UnmarshalYAML(n *yaml.Node) error {
	n = derefAlias(n)
	if n.Kind == yaml.ScalarNode {
		v, err := distNumber(n)
		if err != nil {
			return err
		}
		*d = DistSpec{Kind: sim.DistConstant, Value: v}
		return nil
	}
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return fmt.Errorf("line %d: expected a distribution such as {constant: 5}, {uniform: {min: 1, max: 3}}, {exponential: {mean: 10}}, {normal: {mean: 1, stddev: 0.2}}, {lognormal: {mu: 0, sigma: 1}} or {empirical: {values: [1, 2]}}", n.Line)
	}
	kind := sim.DistKind(n.Content[0].Value)
	body := derefAlias(n.Content[1])
	out := DistSpec{Kind: kind}
	if kind == sim.DistConstant {
		v, err := distNumber(body)
		if err != nil {
			return err
		}
		out.Value = v
		*d = out
		return nil
	}
	fields := map[string]bool{}
	switch kind {
	case sim.DistUniform:
		fields["min"], fields["max"] = true, true
	case sim.DistExponential:
		fields["mean"], fields["min"], fields["max"] = true, false, false
	case sim.DistNormal:
		fields["mean"], fields["stddev"], fields["min"], fields["max"] = true, true, false, false
	case sim.DistLogNormal:
		fields["mu"], fields["sigma"], fields["min"], fields["max"] = true, true, false, false
	case sim.DistEmpirical:
		fields["values"], fields["weights"] = true, false
	default:
		return fmt.Errorf("line %d: unknown distribution %q (want constant, uniform, exponential, normal, lognormal or empirical)", n.Content[0].Line, kind)
	}
	if body.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s: expected a mapping of its parameters", body.Line, kind)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(body.Content); i += 2 {
		key, val := body.Content[i].Value, derefAlias(body.Content[i+1])
		if _, ok := fields[key]; !ok {
			return fmt.Errorf("line %d: %s has no parameter %q", body.Content[i].Line, kind, key)
		}
		seen[key] = true
		if key == "values" || key == "weights" {
			if val.Kind != yaml.SequenceNode {
				return fmt.Errorf("line %d: %s.%s: expected a list of numbers", val.Line, kind, key)
			}
			list := make([]float64, 0, len(val.Content))
			for _, c := range val.Content {
				v, err := distNumber(derefAlias(c))
				if err != nil {
					return err
				}
				list = append(list, v)
			}
			if key == "values" {
				out.Values = list
			} else {
				out.Weights = list
			}
			continue
		}
		v, err := distNumber(val)
		if err != nil {
			return err
		}
		switch key {
		case "min":
			out.Min = v
		case "max":
			out.Max = v
		case "mean":
			out.Mean = v
		case "stddev":
			out.StdDev = v
		case "mu":
			out.Mu = v
		case "sigma":
			out.Sigma = v
		}
	}
	for _, k := range SortedKeys(fields) {
		if fields[k] && !seen[k] {
			return fmt.Errorf("line %d: %s needs %q", body.Line, kind, k)
		}
	}
	if kind != sim.DistUniform && (seen["min"] || seen["max"]) {
		out.Clamp = true
		if !seen["max"] {
			out.Max = math.Inf(1)
		}
		if !seen["min"] {
			out.Min = math.Inf(-1)
		}
	}
	if err := out.Dist().Validate(); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = out
	return nil
}

// MarshalYAML writes the mapping form.
func (d DistSpec) MarshalYAML() (any, error) {
	p := map[string]any{}
	switch d.Kind {
	case sim.DistConstant:
		return map[string]any{"constant": d.Value}, nil
	case sim.DistUniform:
		p["min"], p["max"] = d.Min, d.Max
	case sim.DistExponential:
		p["mean"] = d.Mean
	case sim.DistNormal:
		p["mean"], p["stddev"] = d.Mean, d.StdDev
	case sim.DistLogNormal:
		p["mu"], p["sigma"] = d.Mu, d.Sigma
	case sim.DistEmpirical:
		p["values"] = d.Values
		if len(d.Weights) > 0 {
			p["weights"] = d.Weights
		}
	}
	if d.Clamp && d.Kind != sim.DistUniform {
		if !math.IsInf(d.Min, 0) {
			p["min"] = d.Min
		}
		if !math.IsInf(d.Max, 0) {
			p["max"] = d.Max
		}
	}
	return map[string]any{string(d.Kind): p}, nil
}

func derefAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// distNumber reads a number, or a duration string as seconds.
func distNumber(n *yaml.Node) (float64, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("line %d: expected a number or a duration such as 30s", n.Line)
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsNaN(v) {
			return 0, fmt.Errorf("line %d: expected a number, got %q", n.Line, n.Value)
		}
		return v, nil
	case "!!str":
		dur, err := time.ParseDuration(strings.TrimSpace(n.Value))
		if err != nil {
			return 0, fmt.Errorf("line %d: expected a number or a duration such as 30s, got %q", n.Line, n.Value)
		}
		return dur.Seconds(), nil
	}
	return 0, fmt.Errorf("line %d: expected a number or a duration such as 30s, got %q", n.Line, n.Value)
}

// CPUMode says where a container's CPU demand comes from.
type CPUMode string

// CPU demand modes.
const (
	// CPURequest: the container wants its cpu request (the default).
	CPURequest CPUMode = "request"
	// CPUBusy: the container wants all the CPU it can get, up to its limit.
	CPUBusy CPUMode = "busy"
	// CPUDist: the container wants Dist millicores, sampled per start.
	CPUDist CPUMode = "dist"
)

// CPUSpec is a container's CPU demand: "request", "busy", a quantity
// ("250m", 2) or a distribution in millicores.
type CPUSpec struct {
	Mode CPUMode
	Dist *DistSpec
}

// UnmarshalYAML reads the forms listed on CPUSpec.
func (c *CPUSpec) UnmarshalYAML(n *yaml.Node) error {
	n = derefAlias(n)
	if n.Kind == yaml.ScalarNode {
		switch n.Value {
		case string(CPURequest), string(CPUBusy):
			*c = CPUSpec{Mode: CPUMode(n.Value)}
			return nil
		}
		q, err := ParseQuantity(strings.TrimSpace(n.Value))
		if err != nil {
			return fmt.Errorf("line %d: cpu: expected request, busy, a quantity such as 500m or a distribution in millicores, got %q", n.Line, n.Value)
		}
		*c = CPUSpec{Mode: CPUDist, Dist: Constant(float64(q.MilliValue()))}
		return nil
	}
	var d DistSpec
	if err := d.UnmarshalYAML(n); err != nil {
		return err
	}
	*c = CPUSpec{Mode: CPUDist, Dist: &d}
	return nil
}

// MarshalYAML writes the mode or the distribution.
func (c CPUSpec) MarshalYAML() (any, error) {
	if c.Mode == CPUDist && c.Dist != nil {
		return c.Dist.MarshalYAML()
	}
	return string(c.Mode), nil
}

// Growth is a usage that starts at a value and grows linearly, optionally
// up to a maximum: memory or disk use over a container's life.
type Growth struct {
	// Start is the use at start; default for memory: the memory request.
	Start *Quantity `yaml:"start,omitempty"`
	// RampPerSecond is how much the use grows per second; default 0.
	RampPerSecond *Quantity `yaml:"rampPerSecond,omitempty"`
	// Max caps the growth; default none.
	Max *Quantity `yaml:"max,omitempty"`
}

// Ratio is a probability written as an integer ratio, "num/den"
// ("3/100"); a bare 0 or 1 is allowed. Probabilities never go through
// floating point, so runs do not depend on float parsing.
type Ratio struct {
	Num, Den uint64
}

// ParseRatio reads "num/den", "0" or "1".
func ParseRatio(s string) (Ratio, error) {
	s = strings.TrimSpace(s)
	num, den, found := strings.Cut(s, "/")
	if !found {
		den = "1"
	}
	n, err1 := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
	d, err2 := strconv.ParseUint(strings.TrimSpace(den), 10, 64)
	if err1 != nil || err2 != nil || d == 0 || n > d {
		return Ratio{}, fmt.Errorf("expected a probability as num/den such as 3/100 (num <= den, den > 0), got %q", s)
	}
	return Ratio{Num: n, Den: d}, nil
}

func (r Ratio) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// Chance draws true with probability Num/Den from rnd.
func (r Ratio) Chance(rnd *sim.Rand) bool { return rnd.Chance(r.Num, r.Den) }

// UnmarshalYAML reads "num/den".
func (r *Ratio) UnmarshalYAML(n *yaml.Node) error {
	n = derefAlias(n)
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a probability as num/den such as 3/100", n.Line)
	}
	v, err := ParseRatio(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*r = v
	return nil
}

// MarshalYAML writes "num/den".
func (r Ratio) MarshalYAML() (any, error) { return r.String(), nil }

// BehaviorResolver finds the behaviour a scenario declares for an image.
type BehaviorResolver interface {
	// BehaviorFor returns the behaviour of containers running image, or
	// nil when the scenario declares none.
	BehaviorFor(image string) *Behavior
}

// ImageBehavior is one scenario entry: containers whose image matches
// Image (a path.Match glob such as "nginx:*" or "*/batch-*") behave so.
// A pattern without a tag or digest also matches the image without its
// tag or digest ("nginx" matches "nginx:1.25").
type ImageBehavior struct {
	Image    string `yaml:"image"`
	Behavior `yaml:",inline"`
}

// ImageBehaviors is a BehaviorResolver over a list: the first entry that
// matches wins.
type ImageBehaviors []ImageBehavior

// BehaviorFor returns the first matching entry's behaviour.
func (l ImageBehaviors) BehaviorFor(image string) *Behavior {
	bare := imageWithoutTag(image)
	for i := range l {
		pat := l[i].Image
		if ok, _ := path.Match(pat, image); ok {
			return &l[i].Behavior
		}
		if !strings.ContainsAny(pat[strings.LastIndex(pat, "/")+1:], ":@") {
			if ok, _ := path.Match(pat, bare); ok {
				return &l[i].Behavior
			}
		}
	}
	return nil
}

// imageWithoutTag strips ":tag" and "@digest" from an image reference.
func imageWithoutTag(image string) string {
	if at := strings.IndexByte(image, '@'); at >= 0 {
		image = image[:at]
	}
	slash := strings.LastIndexByte(image, '/')
	if colon := strings.LastIndexByte(image, ':'); colon > slash {
		image = image[:colon]
	}
	return image
}

// BehaviorSource says which level a resolved behaviour came from.
type BehaviorSource string

// Behaviour sources, from most to least specific.
const (
	BehaviorFromAnnotation BehaviorSource = "annotation"
	BehaviorFromScenario   BehaviorSource = "scenario"
	BehaviorFromDefault    BehaviorSource = "default"
)

// PodBehaviors is a parsed BehaviorAnnotation.
type PodBehaviors struct {
	// All applies to every container not named in Containers.
	All *Behavior
	// Containers holds per-container behaviours by container name.
	Containers map[string]*Behavior
}

// For returns the annotation's behaviour for a container, or nil.
func (p *PodBehaviors) For(container string) *Behavior {
	if p == nil {
		return nil
	}
	if b, ok := p.Containers[container]; ok {
		return b
	}
	return p.All
}

// ParseBehaviorAnnotation reads the annotation text: one behaviour for all
// containers, or {containers: {NAME: behaviour}}. Unknown fields are
// errors. Empty text gives nil.
func ParseBehaviorAnnotation(text string) (*PodBehaviors, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		return nil, fmt.Errorf("%s: %w", BehaviorAnnotation, err)
	}
	doc := derefAlias(&root)
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = derefAlias(doc.Content[0])
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: expected a mapping (a behaviour, or {containers: {name: behaviour}})", BehaviorAnnotation)
	}
	perContainer := false
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == "containers" {
			perContainer = true
		}
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	out := &PodBehaviors{}
	var errs []error
	if perContainer {
		var v struct {
			Containers map[string]*Behavior `yaml:"containers"`
		}
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", BehaviorAnnotation, err)
		}
		out.Containers = v.Containers
		for _, name := range SortedKeys(v.Containers) {
			if b := v.Containers[name]; b != nil {
				for _, err := range b.Validate() {
					errs = append(errs, fmt.Errorf("containers.%s.%w", name, err))
				}
			}
		}
	} else {
		var b Behavior
		if err := dec.Decode(&b); err != nil {
			return nil, fmt.Errorf("%s: %w", BehaviorAnnotation, err)
		}
		out.All = &b
		errs = append(errs, b.Validate()...)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", BehaviorAnnotation, errors.Join(errs...))
	}
	return out, nil
}

// ResolveBehavior returns the behaviour of one container of pod: the pod's
// annotation (parsed, may be nil) wins, then the scenario's resolver (may
// be nil) by image, then the default. A whole behaviour is taken from the
// first level that declares one; levels are not merged field by field.
func ResolveBehavior(annotation *PodBehaviors, resolver BehaviorResolver, c *Container) (Behavior, BehaviorSource) {
	if b := annotation.For(c.Name); b != nil {
		return *b, BehaviorFromAnnotation
	}
	if resolver != nil {
		if b := resolver.BehaviorFor(c.Image); b != nil {
			return *b, BehaviorFromScenario
		}
	}
	return Behavior{}, BehaviorFromDefault
}
