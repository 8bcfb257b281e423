package hardware

import (
	"math"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Registry is where machines pull images from. Switching it off makes
// every pull fail, including those in flight (a registry outage).
type Registry struct {
	down     bool
	machines []*SimMachine
}

// NewRegistry returns a registry that is up.
func NewRegistry() *Registry { return &Registry{} }

// Available reports whether pulls can succeed.
func (r *Registry) Available() bool { return !r.down }

// SetAvailable switches the registry on or off; switching it off fails
// every transfer in flight on every machine pulling from it.
func (r *Registry) SetAvailable(up bool) {
	r.down = !up
	if r.down {
		for _, m := range r.machines {
			m.failTransfers(ErrRegistryUnavailable)
		}
	}
}

func (r *Registry) attach(m *SimMachine) { r.machines = append(r.machines, m) }

type pull struct {
	image     string
	size      int64
	left      float64 // bytes still to transfer
	waiters   []pullWaiter
	latency   sim.Timer
	transfers bool
}

type pullWaiter struct {
	requested sim.Time
	done      func(PullResult)
}

// HasImage reports whether image is cached.
func (m *SimMachine) HasImage(image string) bool {
	_, ok := m.images[image]
	return ok
}

func (m *SimMachine) addImage(names []string, size int64) {
	img := &cachedImage{names: append([]string(nil), names...), size: size}
	for _, n := range names {
		m.images[n] = img
	}
}

// imageSet returns each cached image once, sorted by first name.
func (m *SimMachine) imageSet() []*cachedImage {
	seen := map[*cachedImage]bool{}
	var out []*cachedImage
	for _, n := range model.SortedKeys(m.images) {
		img := m.images[n]
		if !seen[img] {
			seen[img] = true
			out = append(out, img)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].names[0] < out[j].names[0] })
	return out
}

// Images lists the cached images sorted by first name.
func (m *SimMachine) Images() []model.ContainerImage {
	set := m.imageSet()
	out := make([]model.ContainerImage, len(set))
	for i, img := range set {
		out[i] = model.ContainerImage{Names: append([]string(nil), img.names...), SizeBytes: img.size}
	}
	return out
}

// RemoveImage deletes an image no running container uses.
func (m *SimMachine) RemoveImage(image string) bool {
	img, ok := m.images[image]
	if !ok {
		return false
	}
	for _, c := range m.running {
		if m.images[c.spec.Image] == img {
			return false
		}
	}
	for _, n := range img.names {
		delete(m.images, n)
	}
	return true
}

// PullImage fetches image: after the profile's PullLatency (the registry
// round trip), the bytes flow at the machine's bandwidth, shared equally
// with the other transfers in flight.
func (m *SimMachine) PullImage(image string, sizeBytes int64, done func(PullResult)) {
	now := m.k.Now()
	w := pullWaiter{requested: now, done: done}
	if !m.up {
		m.k.After(0, sim.HandlerFunc(func(sim.Time) {
			done(PullResult{Image: image, Size: sizeBytes, Requested: now, Err: ErrMachineDown})
		}))
		return
	}
	if p, ok := m.pulls[image]; ok {
		p.waiters = append(p.waiters, w)
		return
	}
	p := &pull{image: image, size: max(sizeBytes, 0), left: float64(max(sizeBytes, 0)), waiters: []pullWaiter{w}}
	m.pulls[image] = p
	p.latency = m.k.After(m.profile.PullLatency, sim.HandlerFunc(func(t sim.Time) {
		switch {
		case m.registry.down:
			m.endPull(p, 0, ErrRegistryUnavailable)
		case m.HasImage(image):
			m.endPull(p, 0, nil) // up to date: only the manifest was fetched
		case p.size == 0:
			m.addImage([]string{image}, 0)
			m.endPull(p, 0, nil)
		default:
			m.advancePulls(t)
			p.transfers = true
			m.active = append(m.active, p)
			m.planPulls()
		}
	}))
}

// pullRate is each transfer's rate in bytes per second.
func (m *SimMachine) pullRate() float64 {
	bw := m.profile.NetworkBandwidth
	if d := m.profile.DiskBandwidth; d > 0 && d < bw {
		bw = d
	}
	return float64(bw) / float64(len(m.active))
}

func (m *SimMachine) advancePulls(now sim.Time) {
	if len(m.active) > 0 && now > m.pullAt {
		moved := float64(m.pullRate() * now.Sub(m.pullAt).Seconds())
		for _, p := range m.active {
			p.left = float64(p.left - moved)
		}
	}
	m.pullAt = now
}

func (m *SimMachine) planPulls() {
	m.k.Cancel(m.pullT)
	m.pullT = sim.Timer{}
	if len(m.active) == 0 {
		return
	}
	least := math.Inf(1)
	for _, p := range m.active {
		least = min(least, p.left)
	}
	d := time.Duration(math.Ceil(float64(max(least, 0) / m.pullRate() * 1e9)))
	m.pullT = m.k.After(d, sim.HandlerFunc(func(now sim.Time) {
		m.advancePulls(now)
		var done []*pull
		keep := m.active[:0]
		for _, p := range m.active {
			if p.left < 1 {
				done = append(done, p)
			} else {
				keep = append(keep, p)
			}
		}
		m.active = keep
		for _, p := range done {
			m.addImage([]string{p.image}, p.size)
			m.endPull(p, p.size, nil)
		}
		m.planPulls()
	}))
}

// endPull tells every waiter how the pull ended.
func (m *SimMachine) endPull(p *pull, bytes int64, err error) {
	if m.pulls[p.image] == p {
		delete(m.pulls, p.image)
	}
	for _, w := range p.waiters {
		w.done(PullResult{Image: p.image, Size: p.size, Bytes: bytes, Requested: w.requested, Err: err})
	}
}

// failTransfers fails every transfer in flight (registry outage).
func (m *SimMachine) failTransfers(err error) {
	if len(m.active) == 0 {
		return
	}
	m.advancePulls(m.k.Now())
	failed := m.active
	m.active = nil
	m.planPulls()
	for _, p := range failed {
		delete(m.pulls, p.image)
		m.k.After(0, sim.HandlerFunc(func(sim.Time) { m.endPull(p, 0, err) }))
	}
}

// abandonPulls drops every pull without telling anyone (power loss).
func (m *SimMachine) abandonPulls() {
	for _, img := range model.SortedKeys(m.pulls) {
		m.k.Cancel(m.pulls[img].latency)
	}
	m.pulls = map[string]*pull{}
	m.active = nil
	m.k.Cancel(m.pullT)
	m.pullT = sim.Timer{}
}
