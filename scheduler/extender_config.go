package scheduler

import "time"

// ExtenderConfig configures an HTTP scheduler extender
// (pkg/scheduler/apis/config/v1 Extender): kube-scheduler POSTs
// ExtenderArgs to urlPrefix/filterVerb etc. and reads the result.
type ExtenderConfig struct {
	_ struct{} `unmodeled:"tlsConfig,enableHTTPS,managedResources"`

	URLPrefix        string         `yaml:"urlPrefix"`
	FilterVerb       string         `yaml:"filterVerb,omitempty"`
	PreemptVerb      string         `yaml:"preemptVerb,omitempty"`
	PrioritizeVerb   string         `yaml:"prioritizeVerb,omitempty"`
	Weight           int64          `yaml:"weight,omitempty"`
	BindVerb         string         `yaml:"bindVerb,omitempty"`
	HTTPTimeout      *time.Duration `yaml:"httpTimeout,omitempty"`
	NodeCacheCapable bool           `yaml:"nodeCacheCapable,omitempty"`
	Ignorable        bool           `yaml:"ignorable,omitempty"`
}
