package defaultbinder

import (
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Name is the plugin's name in profiles and registries.
const Name = "DefaultBinder"

// Plugin binds pods through the API client.
type Plugin struct {
	h framework.Handle
}

var _ framework.BindPlugin = (*Plugin)(nil)

// New returns the plugin; it takes no arguments.
func New(_ any, h framework.Handle) (framework.Plugin, error) { return &Plugin{h: h}, nil }

// Name returns Name.
func (*Plugin) Name() string { return Name }

// Bind posts the pod's binding to nodeName and reports when the API server
// answers; an API error becomes an Error status (the pod is forgotten and
// retried).
func (pl *Plugin) Bind(_ *framework.CycleState, pod *model.Pod, nodeName string, done func(*framework.Status)) {
	pl.h.Client().Bind(pod.Namespace, pod.Name, nodeName, func(err error) { done(framework.AsStatus(err)) })
}
