package framework

import "fmt"

// Args are a plugin's typed arguments (the pluginConfig entry of a
// KubeSchedulerConfiguration): defaulted, then validated, then handed to
// the plugin's factory.
type Args interface {
	SetDefaults()
	Validate() error
}

// Registration is how a plugin is built: its factory and, when it takes
// arguments, a constructor for the zero value of its Args type.
type Registration struct {
	Factory PluginFactory
	// NewArgs returns a fresh Args value to decode pluginConfig into; nil
	// when the plugin takes no arguments.
	NewArgs func() Args
}

// Registry maps plugin names to registrations. Research policies register
// themselves with Register before the scheduler is built.
type Registry map[string]Registration

// Register adds a plugin; registering a name twice is an error.
func (r Registry) Register(name string, reg Registration) error {
	if _, ok := r[name]; ok {
		return fmt.Errorf("plugin %q is already registered", name)
	}
	r[name] = reg
	return nil
}

// Merge adds every plugin of o.
func (r Registry) Merge(o Registry) error {
	for name, reg := range o {
		if err := r.Register(name, reg); err != nil {
			return err
		}
	}
	return nil
}

// DefaultArgs returns the defaulted Args of a plugin, or nil.
func (r Registry) DefaultArgs(name string) Args {
	reg, ok := r[name]
	if !ok || reg.NewArgs == nil {
		return nil
	}
	a := reg.NewArgs()
	a.SetDefaults()
	return a
}
