package queuesort

import (
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Name is the plugin's name in profiles and registries.
const Name = "PrioritySort"

// Plugin orders the active queue by priority, then by queue timestamp.
type Plugin struct{}

var _ framework.QueueSortPlugin = (*Plugin)(nil)

// New returns the plugin; it takes no arguments.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &Plugin{}, nil }

// Name returns Name.
func (*Plugin) Name() string { return Name }

// Less reports whether a goes before b: higher priority (spec.priority, 0
// when unset), or equal priority and an earlier Timestamp.
func (*Plugin) Less(a, b *framework.QueuedPodInfo) bool {
	p1 := a.Pod.PriorityValue()
	p2 := b.Pod.PriorityValue()
	return p1 > p2 || (p1 == p2 && a.Timestamp.Before(b.Timestamp))
}
