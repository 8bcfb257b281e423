package framework

// StateKey names a piece of cycle state; plugins use their own name plus a
// suffix ("PreFilterNodeResourcesFit").
type StateKey string

// StateData is what a plugin stores in the cycle state. Clone is used when
// preemption simulates removing pods.
type StateData interface {
	Clone() StateData
}

// CycleState carries plugin data from one extension point to the next
// within a single scheduling cycle. It is not shared between cycles.
type CycleState struct {
	data map[StateKey]StateData
	// SkipFilterPlugins and SkipScorePlugins hold the plugins whose
	// PreFilter/PreScore returned Skip for this pod.
	SkipFilterPlugins map[string]bool
	SkipScorePlugins  map[string]bool
	// The same as bit masks over the profile's plugin order, which the
	// runtime checks per node without hashing names.
	PreFilterSkipMask, FilterSkipMask, ScoreSkipMask uint64
}

// NewCycleState returns an empty state.
func NewCycleState() *CycleState {
	return &CycleState{data: make(map[StateKey]StateData, 8)}
}

// Read returns the data stored under key.
func (c *CycleState) Read(key StateKey) (StateData, bool) {
	d, ok := c.data[key]
	return d, ok
}

// Write stores data under key.
func (c *CycleState) Write(key StateKey, d StateData) { c.data[key] = d }

// Delete removes key.
func (c *CycleState) Delete(key StateKey) { delete(c.data, key) }

// Clone deep-copies the state (each StateData by its Clone).
func (c *CycleState) Clone() *CycleState {
	if c == nil {
		return nil
	}
	n := &CycleState{data: make(map[StateKey]StateData, len(c.data))}
	for k, v := range c.data {
		n.data[k] = v.Clone()
	}
	n.SkipFilterPlugins = cloneSet(c.SkipFilterPlugins)
	n.SkipScorePlugins = cloneSet(c.SkipScorePlugins)
	n.PreFilterSkipMask, n.FilterSkipMask, n.ScoreSkipMask = c.PreFilterSkipMask, c.FilterSkipMask, c.ScoreSkipMask
	return n
}

func cloneSet(m map[string]bool) map[string]bool {
	if m == nil {
		return nil
	}
	o := make(map[string]bool, len(m))
	for k, v := range m {
		o[k] = v
	}
	return o
}
