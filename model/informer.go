package model

import (
	"sort"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// ResourceEventHandler receives an informer's notifications (client-go
// cache.ResourceEventHandlerFuncs). Nil functions are skipped. Objects are
// the informer's cached copies: read, never mutate.
type ResourceEventHandler struct {
	OnAdd    func(obj Object)
	OnUpdate func(oldObj, newObj Object)
	OnDelete func(obj Object)
}

// Informer keeps a local cache of one kind from a list-then-watch and
// tells handlers about changes (client-go SharedIndexInformer). When the
// watch breaks (an Error event, e.g. 410 Gone) it lists and watches again
// and reconciles its cache: objects that vanished meanwhile are reported
// deleted, changed ones updated. Every resync period it reports every
// cached object as updated to itself, as client-go does, so controllers
// re-check their world.
type Informer struct {
	k        *sim.Kernel
	client   Client
	kind     string
	resync   time.Duration
	objects  map[string]Object
	handlers []ResourceEventHandler
	synced   bool
	relist   map[string]bool // keys seen during a relist replay
	relists  int
}

// NewInformer returns an informer for kind; resync 0 disables resyncs.
func NewInformer(k *sim.Kernel, c Client, kind string, resync time.Duration) *Informer {
	return &Informer{k: k, client: c, kind: kind, resync: resync, objects: map[string]Object{}}
}

// AddEventHandler registers h; add handlers before Start.
func (i *Informer) AddEventHandler(h ResourceEventHandler) { i.handlers = append(i.handlers, h) }

// Start begins the list-then-watch.
func (i *Informer) Start() {
	i.client.Watch(i.kind, i.onEvent)
	if i.resync > 0 {
		var tick sim.HandlerFunc
		tick = func(sim.Time) {
			for _, k := range sortedKeys(i.objects) {
				o := i.objects[k]
				for _, h := range i.handlers {
					if h.OnUpdate != nil {
						h.OnUpdate(o, o)
					}
				}
			}
			i.k.After(i.resync, tick)
		}
		i.k.After(i.resync, tick)
	}
}

// HasSynced reports whether the initial list has been delivered.
func (i *Informer) HasSynced() bool { return i.synced }

// Relists returns how many times the informer had to list again.
func (i *Informer) Relists() int { return i.relists }

// Get returns a cached object.
func (i *Informer) Get(namespace, name string) (Object, bool) {
	k := name
	if namespace != "" {
		k = namespace + "/" + name
	}
	o, ok := i.objects[k]
	return o, ok
}

// List returns the cached objects sorted by key.
func (i *Informer) List() []Object {
	out := make([]Object, 0, len(i.objects))
	for _, k := range sortedKeys(i.objects) {
		out = append(out, i.objects[k])
	}
	return out
}

// Len returns the number of cached objects.
func (i *Informer) Len() int { return len(i.objects) }

func (i *Informer) onEvent(ev WatchEvent) {
	switch ev.Type {
	case Error:
		i.relists++
		i.relist = map[string]bool{}
		i.client.Watch(i.kind, i.onEvent)
	case Synced:
		if i.relist != nil {
			// Objects that did not come back were deleted while the watch was down.
			var gone []string
			for k := range i.objects {
				if !i.relist[k] {
					gone = append(gone, k)
				}
			}
			sort.Strings(gone)
			for _, k := range gone {
				o := i.objects[k]
				delete(i.objects, k)
				i.deleted(o)
			}
			i.relist = nil
		}
		i.synced = true
	case Added, Modified:
		k := Key(ev.Object)
		if i.relist != nil {
			i.relist[k] = true
		}
		old, had := i.objects[k]
		i.objects[k] = ev.Object
		if !had {
			for _, h := range i.handlers {
				if h.OnAdd != nil {
					h.OnAdd(ev.Object)
				}
			}
			return
		}
		if i.relist != nil && old.GetObjectMeta().ResourceVersion == ev.Object.GetObjectMeta().ResourceVersion {
			return // unchanged across the relist
		}
		for _, h := range i.handlers {
			if h.OnUpdate != nil {
				h.OnUpdate(old, ev.Object)
			}
		}
	case Deleted:
		k := Key(ev.Object)
		if _, had := i.objects[k]; !had {
			return
		}
		delete(i.objects, k)
		i.deleted(ev.Object)
	}
}

func (i *Informer) deleted(o Object) {
	for _, h := range i.handlers {
		if h.OnDelete != nil {
			h.OnDelete(o)
		}
	}
}
