package scheduler

import (
	"fmt"
	"os"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model/manifest"
)

// ConfigAPIVersion is the KubeSchedulerConfiguration version kubesim reads.
const ConfigAPIVersion = "kubescheduler.config.k8s.io/v1"

// Configuration is a KubeSchedulerConfiguration
// (pkg/scheduler/apis/config/v1, kube-scheduler's --config file). Fields
// that only concern a real process (leader election, health and metrics
// endpoints, feature gates) are accepted and ignored.
type Configuration struct {
	_ struct{} `unmodeled:"leaderElection,healthzBindAddress,metricsBindAddress,enableProfiling,enableContentionProfiling,delayCacheUntilActive"`

	APIVersion               string           `yaml:"apiVersion"`
	Kind                     string           `yaml:"kind"`
	Parallelism              *int32           `yaml:"parallelism,omitempty"`
	PercentageOfNodesToScore *int32           `yaml:"percentageOfNodesToScore,omitempty"`
	PodInitialBackoffSeconds *int64           `yaml:"podInitialBackoffSeconds,omitempty"`
	PodMaxBackoffSeconds     *int64           `yaml:"podMaxBackoffSeconds,omitempty"`
	ClientConnection         ClientConnection `yaml:"clientConnection,omitempty"`
	Profiles                 []Profile        `yaml:"profiles,omitempty"`
	Extenders                []ExtenderConfig `yaml:"extenders,omitempty"`
}

// ClientConnection holds the scheduler's API client limits.
type ClientConnection struct {
	_ struct{} `unmodeled:"kubeconfig,acceptContentTypes,contentType"`

	QPS   *float64 `yaml:"qps,omitempty"`
	Burst *int32   `yaml:"burst,omitempty"`
}

// Profile is one scheduling profile, selected by a pod's schedulerName.
type Profile struct {
	SchedulerName            string         `yaml:"schedulerName,omitempty"`
	PercentageOfNodesToScore *int32         `yaml:"percentageOfNodesToScore,omitempty"`
	Plugins                  *Plugins       `yaml:"plugins,omitempty"`
	PluginConfig             []PluginConfig `yaml:"pluginConfig,omitempty"`
}

// Plugins lists enabled and disabled plugins per extension point.
type Plugins struct {
	PreEnqueue PluginSet `yaml:"preEnqueue,omitempty"`
	QueueSort  PluginSet `yaml:"queueSort,omitempty"`
	PreFilter  PluginSet `yaml:"preFilter,omitempty"`
	Filter     PluginSet `yaml:"filter,omitempty"`
	PostFilter PluginSet `yaml:"postFilter,omitempty"`
	PreScore   PluginSet `yaml:"preScore,omitempty"`
	Score      PluginSet `yaml:"score,omitempty"`
	Reserve    PluginSet `yaml:"reserve,omitempty"`
	Permit     PluginSet `yaml:"permit,omitempty"`
	PreBind    PluginSet `yaml:"preBind,omitempty"`
	Bind       PluginSet `yaml:"bind,omitempty"`
	PostBind   PluginSet `yaml:"postBind,omitempty"`
	MultiPoint PluginSet `yaml:"multiPoint,omitempty"`
}

// PluginSet enables and disables plugins; "*" disables all defaults.
type PluginSet struct {
	Enabled  []PluginRef `yaml:"enabled,omitempty"`
	Disabled []PluginRef `yaml:"disabled,omitempty"`
}

// PluginRef names a plugin and, for score plugins, its weight.
type PluginRef struct {
	Name   string `yaml:"name"`
	Weight *int32 `yaml:"weight,omitempty"`
}

// PluginConfig carries one plugin's args, decoded into its Args type.
type PluginConfig struct {
	Name string    `yaml:"name"`
	Args yaml.Node `yaml:"args,omitempty"`
}

// Upstream defaults (pkg/scheduler/apis/config/v1/defaults.go).
const (
	DefaultParallelism              = 16
	DefaultPercentageOfNodesToScore = 0
	DefaultPodInitialBackoffSeconds = 1
	DefaultPodMaxBackoffSeconds     = 10
	DefaultClientQPS                = 50
	DefaultClientBurst              = 100
)

// DefaultPlugins returns the default profile's MultiPoint list, in order,
// with score weights (pkg/scheduler/apis/config/v1/default_plugins.go,
// 1.35; DynamicResources is not modeled).
func DefaultPlugins() *Plugins {
	w := func(n int32) *int32 { return &n }
	return &Plugins{MultiPoint: PluginSet{Enabled: []PluginRef{
		{Name: "SchedulingGates"},
		{Name: "PrioritySort"},
		{Name: "NodeUnschedulable"},
		{Name: "NodeName"},
		{Name: "TaintToleration", Weight: w(3)},
		{Name: "NodeAffinity", Weight: w(2)},
		{Name: "NodePorts"},
		{Name: "NodeResourcesFit", Weight: w(1)},
		{Name: "VolumeRestrictions"},
		{Name: "NodeVolumeLimits"},
		{Name: "VolumeBinding"},
		{Name: "VolumeZone"},
		{Name: "PodTopologySpread", Weight: w(2)},
		{Name: "InterPodAffinity", Weight: w(2)},
		{Name: "DefaultPreemption"},
		{Name: "NodeResourcesBalancedAllocation", Weight: w(1)},
		{Name: "ImageLocality", Weight: w(1)},
		{Name: "DefaultBinder"},
	}}}
}

// DefaultConfiguration returns the configuration kube-scheduler runs with
// when given none: one profile, default-scheduler.
func DefaultConfiguration() *Configuration {
	c := &Configuration{APIVersion: ConfigAPIVersion, Kind: "KubeSchedulerConfiguration"}
	c.SetDefaults()
	return c
}

// SetDefaults fills absent fields with upstream's defaults and merges each
// profile's plugins into the default set (upstream mergePlugins).
func (c *Configuration) SetDefaults() {
	if c.Parallelism == nil {
		c.Parallelism = ptr[int32](DefaultParallelism)
	}
	if c.PercentageOfNodesToScore == nil {
		c.PercentageOfNodesToScore = ptr[int32](DefaultPercentageOfNodesToScore)
	}
	if c.PodInitialBackoffSeconds == nil {
		c.PodInitialBackoffSeconds = ptr[int64](DefaultPodInitialBackoffSeconds)
	}
	if c.PodMaxBackoffSeconds == nil {
		c.PodMaxBackoffSeconds = ptr[int64](DefaultPodMaxBackoffSeconds)
	}
	if c.ClientConnection.QPS == nil {
		c.ClientConnection.QPS = ptr[float64](DefaultClientQPS)
	}
	if c.ClientConnection.Burst == nil {
		c.ClientConnection.Burst = ptr[int32](DefaultClientBurst)
	}
	if len(c.Profiles) == 0 {
		c.Profiles = []Profile{{}}
	}
	for i := range c.Profiles {
		p := &c.Profiles[i]
		if p.SchedulerName == "" {
			p.SchedulerName = "default-scheduler"
		}
		p.Plugins = mergePlugins(DefaultPlugins(), p.Plugins)
	}
}

func ptr[T any](v T) *T { return &v }

// mergePlugins merges custom plugin sets into the defaults extension point
// by extension point.
func mergePlugins(def, custom *Plugins) *Plugins {
	if custom == nil {
		return def
	}
	return &Plugins{
		PreEnqueue: mergePluginSet(def.PreEnqueue, custom.PreEnqueue),
		QueueSort:  mergePluginSet(def.QueueSort, custom.QueueSort),
		PreFilter:  mergePluginSet(def.PreFilter, custom.PreFilter),
		Filter:     mergePluginSet(def.Filter, custom.Filter),
		PostFilter: mergePluginSet(def.PostFilter, custom.PostFilter),
		PreScore:   mergePluginSet(def.PreScore, custom.PreScore),
		Score:      mergePluginSet(def.Score, custom.Score),
		Reserve:    mergePluginSet(def.Reserve, custom.Reserve),
		Permit:     mergePluginSet(def.Permit, custom.Permit),
		PreBind:    mergePluginSet(def.PreBind, custom.PreBind),
		Bind:       mergePluginSet(def.Bind, custom.Bind),
		PostBind:   mergePluginSet(def.PostBind, custom.PostBind),
		MultiPoint: mergePluginSet(def.MultiPoint, custom.MultiPoint),
	}
}

// mergePluginSet keeps the default order, drops disabled defaults
// (everything for "*"), replaces re-configured defaults in place and
// appends the remaining custom plugins (upstream v1 mergePluginSet).
func mergePluginSet(def, custom PluginSet) PluginSet {
	disabled := map[string]bool{}
	for _, p := range custom.Disabled {
		disabled[p.Name] = true
	}
	customIdx := map[string]int{}
	for i, p := range custom.Enabled {
		customIdx[p.Name] = i
	}
	replaced := map[int]bool{}
	var enabled []PluginRef
	if !disabled["*"] {
		for _, p := range def.Enabled {
			if disabled[p.Name] {
				continue
			}
			if i, ok := customIdx[p.Name]; ok {
				p = custom.Enabled[i]
				replaced[i] = true
			}
			enabled = append(enabled, p)
		}
	}
	for i, p := range custom.Enabled {
		if !replaced[i] {
			enabled = append(enabled, p)
		}
	}
	return PluginSet{Enabled: enabled, Disabled: custom.Disabled}
}

// LoadConfiguration reads a KubeSchedulerConfiguration file, reporting
// problems with file, line and field path.
func LoadConfiguration(file string, strict bool) (*Configuration, manifest.Diagnostics) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, manifest.Diagnostics{{File: file, Severity: manifest.Error, Message: err.Error()}}
	}
	return ParseConfiguration(file, data, strict)
}

// ParseConfiguration decodes a KubeSchedulerConfiguration.
func ParseConfiguration(name string, data []byte, strict bool) (*Configuration, manifest.Diagnostics) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, manifest.Diagnostics{{File: name, Severity: manifest.Error, Message: "invalid YAML: " + err.Error()}}
	}
	if len(root.Content) == 0 {
		return nil, manifest.Diagnostics{{File: name, Severity: manifest.Error, Message: "empty scheduler configuration"}}
	}
	return DecodeConfiguration(name, &root, "", strict)
}

// DecodeConfiguration decodes a configuration from a YAML node (also used
// for a scenario's inline scheduler config).
func DecodeConfiguration(file string, n *yaml.Node, path string, strict bool) (*Configuration, manifest.Diagnostics) {
	d := manifest.NewDecoder(file, strict)
	c := &Configuration{}
	d.Decode(n, c, path)
	join := func(f string) string {
		if path == "" {
			return f
		}
		return path + "." + f
	}
	if c.APIVersion != ConfigAPIVersion {
		d.ErrorAt(join("apiVersion"), "must be %s, got %q", ConfigAPIVersion, c.APIVersion)
	}
	if c.Kind != "KubeSchedulerConfiguration" {
		d.ErrorAt(join("kind"), "must be KubeSchedulerConfiguration, got %q", c.Kind)
	}
	if d.Diags.HasErrors() {
		return nil, d.Diags
	}
	c.SetDefaults()
	validateConfiguration(c, d, join)
	if d.Diags.HasErrors() {
		return nil, d.Diags
	}
	return c, d.Diags
}

// validateConfiguration follows upstream ValidateKubeSchedulerConfiguration
// for the fields kubesim uses.
func validateConfiguration(c *Configuration, d *manifest.Decoder, join func(string) string) {
	if *c.Parallelism <= 0 {
		d.ErrorAt(join("parallelism"), "should be an integer value greater than zero")
	}
	if p := *c.PercentageOfNodesToScore; p < 0 || p > 100 {
		d.ErrorAt(join("percentageOfNodesToScore"), "not in valid range [0-100]")
	}
	if *c.PodInitialBackoffSeconds <= 0 {
		d.ErrorAt(join("podInitialBackoffSeconds"), "must be greater than 0")
	}
	if *c.PodMaxBackoffSeconds < *c.PodInitialBackoffSeconds {
		d.ErrorAt(join("podMaxBackoffSeconds"), "must be greater than or equal to PodInitialBackoffSeconds")
	}
	if *c.ClientConnection.QPS <= 0 || *c.ClientConnection.Burst <= 0 {
		d.ErrorAt(join("clientConnection"), "qps and burst must be positive")
	}
	names := map[string]bool{}
	for i, p := range c.Profiles {
		pp := join(fmt.Sprintf("profiles[%d]", i))
		if names[p.SchedulerName] {
			d.ErrorAt(pp+".schedulerName", "duplicate profile %q", p.SchedulerName)
		}
		names[p.SchedulerName] = true
		if v := p.PercentageOfNodesToScore; v != nil && (*v < 0 || *v > 100) {
			d.ErrorAt(pp+".percentageOfNodesToScore", "not in valid range [0-100]")
		}
		seen := map[string]bool{}
		for j, pc := range p.PluginConfig {
			if seen[pc.Name] {
				d.ErrorAt(fmt.Sprintf("%s.pluginConfig[%d].name", pp, j), "duplicate pluginConfig for plugin %q", pc.Name)
			}
			seen[pc.Name] = true
		}
	}
}
