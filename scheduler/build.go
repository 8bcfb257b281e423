package scheduler

import (
	"fmt"
	"reflect"

	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// extension describes one extension point for multiPoint expansion.
type extension struct {
	name  string
	set   func(*Plugins) PluginSet
	iface reflect.Type
	add   func(f *Framework, p framework.Plugin)
}

var extensions = []extension{
	{"preEnqueue", func(p *Plugins) PluginSet { return p.PreEnqueue }, reflect.TypeFor[framework.PreEnqueuePlugin](),
		func(f *Framework, p framework.Plugin) {
			f.preEnqueue = append(f.preEnqueue, p.(framework.PreEnqueuePlugin))
		}},
	{"queueSort", func(p *Plugins) PluginSet { return p.QueueSort }, reflect.TypeFor[framework.QueueSortPlugin](),
		func(f *Framework, p framework.Plugin) {
			if f.queueSort == nil {
				f.queueSort = p.(framework.QueueSortPlugin)
			}
		}},
	{"preFilter", func(p *Plugins) PluginSet { return p.PreFilter }, reflect.TypeFor[framework.PreFilterPlugin](),
		func(f *Framework, p framework.Plugin) {
			f.preFilter = append(f.preFilter, p.(framework.PreFilterPlugin))
		}},
	{"filter", func(p *Plugins) PluginSet { return p.Filter }, reflect.TypeFor[framework.FilterPlugin](),
		func(f *Framework, p framework.Plugin) { f.filter = append(f.filter, p.(framework.FilterPlugin)) }},
	{"postFilter", func(p *Plugins) PluginSet { return p.PostFilter }, reflect.TypeFor[framework.PostFilterPlugin](),
		func(f *Framework, p framework.Plugin) {
			f.postFilter = append(f.postFilter, p.(framework.PostFilterPlugin))
		}},
	{"preScore", func(p *Plugins) PluginSet { return p.PreScore }, reflect.TypeFor[framework.PreScorePlugin](),
		func(f *Framework, p framework.Plugin) { f.preScore = append(f.preScore, p.(framework.PreScorePlugin)) }},
	{"score", func(p *Plugins) PluginSet { return p.Score }, reflect.TypeFor[framework.ScorePlugin](),
		func(f *Framework, p framework.Plugin) { f.score = append(f.score, p.(framework.ScorePlugin)) }},
	{"reserve", func(p *Plugins) PluginSet { return p.Reserve }, reflect.TypeFor[framework.ReservePlugin](),
		func(f *Framework, p framework.Plugin) { f.reserve = append(f.reserve, p.(framework.ReservePlugin)) }},
	{"permit", func(p *Plugins) PluginSet { return p.Permit }, reflect.TypeFor[framework.PermitPlugin](),
		func(f *Framework, p framework.Plugin) { f.permit = append(f.permit, p.(framework.PermitPlugin)) }},
	{"preBind", func(p *Plugins) PluginSet { return p.PreBind }, reflect.TypeFor[framework.PreBindPlugin](),
		func(f *Framework, p framework.Plugin) { f.preBind = append(f.preBind, p.(framework.PreBindPlugin)) }},
	{"bind", func(p *Plugins) PluginSet { return p.Bind }, reflect.TypeFor[framework.BindPlugin](),
		func(f *Framework, p framework.Plugin) { f.bind = append(f.bind, p.(framework.BindPlugin)) }},
	{"postBind", func(p *Plugins) PluginSet { return p.PostBind }, reflect.TypeFor[framework.PostBindPlugin](),
		func(f *Framework, p framework.Plugin) { f.postBind = append(f.postBind, p.(framework.PostBindPlugin)) }},
}

// newFramework instantiates a profile's plugins and wires them into each
// extension point: plugins named at a specific point keep their place
// first, then the multiPoint plugins that implement the point, then the
// remaining specific ones (upstream expandMultiPointPlugins); score weights
// come from the score list, else multiPoint, 0 meaning 1 (getScoreWeights).
func newFramework(p *Profile, reg framework.Registry, h *handle, file string) (*Framework, error) {
	f := &Framework{profileName: p.SchedulerName, handle: h, plugins: map[string]framework.Plugin{}, weights: map[string]int64{}}
	h.fwk = f
	pl := p.Plugins

	// Every plugin named anywhere is instantiated once, in first-seen order.
	var order []string
	seen := map[string]bool{}
	note := func(set PluginSet) {
		for _, e := range set.Enabled {
			if !seen[e.Name] {
				seen[e.Name] = true
				order = append(order, e.Name)
			}
		}
	}
	note(pl.MultiPoint)
	for _, e := range extensions {
		note(e.set(pl))
	}
	argsByName := map[string]*PluginConfig{}
	for i := range p.PluginConfig {
		argsByName[p.PluginConfig[i].Name] = &p.PluginConfig[i]
	}
	for _, name := range sortedKeys(argsByName) {
		if _, ok := reg[name]; !ok {
			return nil, fmt.Errorf("profile %q: pluginConfig for unknown plugin %q", p.SchedulerName, name)
		}
	}
	for _, name := range order {
		r, ok := reg[name]
		if !ok {
			return nil, fmt.Errorf("profile %q: plugin %q is not registered (known: %v)", p.SchedulerName, name, registryNames(reg))
		}
		var args framework.Args
		if r.NewArgs != nil {
			args = r.NewArgs()
			if pc, ok := argsByName[name]; ok && pc.Args.Kind != 0 {
				d := manifest.NewDecoder(file, true)
				d.Decode(&pc.Args, args, "pluginConfig["+name+"].args")
				if d.Diags.HasErrors() {
					return nil, d.Diags.Err()
				}
			}
			args.SetDefaults()
			if err := args.Validate(); err != nil {
				return nil, fmt.Errorf("profile %q: plugin %q args: %w", p.SchedulerName, name, err)
			}
		}
		var a any
		if args != nil {
			a = args
		}
		plugin, err := r.Factory(a, h)
		if err != nil {
			return nil, fmt.Errorf("profile %q: building plugin %q: %w", p.SchedulerName, name, err)
		}
		f.plugins[name] = plugin
		if ee, ok := plugin.(framework.EnqueueExtensions); ok {
			f.enqueue = append(f.enqueue, ee)
		}
	}

	for _, e := range extensions {
		set := e.set(pl)
		disabled := map[string]bool{}
		for _, d := range set.Disabled {
			disabled[d.Name] = true
		}
		specific := map[string]bool{}
		for _, en := range set.Enabled {
			specific[en.Name] = true
		}
		var overrides, multi []string
		if !disabled["*"] {
			mpDisabled := map[string]bool{}
			for _, d := range pl.MultiPoint.Disabled {
				mpDisabled[d.Name] = true
			}
			for _, en := range pl.MultiPoint.Enabled {
				plugin := f.plugins[en.Name]
				if !reflect.TypeOf(plugin).Implements(e.iface) || disabled[en.Name] {
					continue
				}
				if specific[en.Name] {
					overrides = append(overrides, en.Name)
					continue
				}
				for _, m := range multi {
					if m == en.Name {
						return nil, fmt.Errorf("profile %q: plugin %q already registered as %q", p.SchedulerName, en.Name, e.name)
					}
				}
				multi = append(multi, en.Name)
			}
		}
		var final []string
		final = append(final, overrides...)
		final = append(final, multi...)
		for _, en := range set.Enabled {
			isOverride := false
			for _, o := range overrides {
				if o == en.Name {
					isOverride = true
				}
			}
			if !isOverride {
				final = append(final, en.Name)
			}
		}
		for _, name := range final {
			plugin := f.plugins[name]
			if !reflect.TypeOf(plugin).Implements(e.iface) {
				return nil, fmt.Errorf("profile %q: plugin %q does not extend %s", p.SchedulerName, name, e.name)
			}
			e.add(f, plugin)
		}
	}
	for _, list := range [][]PluginRef{pl.Score.Enabled, pl.MultiPoint.Enabled} {
		for _, en := range list {
			if _, ok := f.plugins[en.Name].(framework.ScorePlugin); !ok {
				continue
			}
			if _, done := f.weights[en.Name]; done {
				continue
			}
			w := int64(1)
			if en.Weight != nil && *en.Weight != 0 {
				w = int64(*en.Weight)
			}
			if w < 0 || w > 100 {
				return nil, fmt.Errorf("profile %q: score weight of %q must be between 1 and 100, got %d", p.SchedulerName, en.Name, w)
			}
			f.weights[en.Name] = w
		}
	}
	if len(f.preFilter) > 64 || len(f.filter) > 64 || len(f.preScore) > 64 || len(f.score) > 64 {
		return nil, fmt.Errorf("profile %q: at most 64 plugins per extension point", p.SchedulerName)
	}
	f.preFilterToFilter = make([]int, len(f.preFilter))
	for i, pf := range f.preFilter {
		f.preFilterToFilter[i] = -1
		for j, fp := range f.filter {
			if fp.Name() == pf.Name() {
				f.preFilterToFilter[i] = j
			}
		}
	}
	f.preScoreToScore = make([]int, len(f.preScore))
	for i, ps := range f.preScore {
		f.preScoreToScore[i] = -1
		for j, sp := range f.score {
			if sp.Name() == ps.Name() {
				f.preScoreToScore[i] = j
			}
		}
	}
	if f.queueSort == nil {
		return nil, fmt.Errorf("profile %q: exactly one queueSort plugin is required", p.SchedulerName)
	}
	if len(f.bind) == 0 {
		return nil, fmt.Errorf("profile %q: at least one bind plugin is required", p.SchedulerName)
	}
	return f, nil
}

func registryNames(r framework.Registry) []string {
	return sortedKeys(r)
}
