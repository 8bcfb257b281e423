package endpointslice

import "github.com/kubesim/kubesim/model"

// deletionExpected marks a slice the controller deleted and expects to
// see disappear.
const deletionExpected = -1

// tracker is upstream's EndpointSliceTracker: the generation of every
// slice the controller wrote, per Service, so that it can tell its own
// writes from others' and notice when its informer cache lags behind.
type tracker struct {
	byService map[string]map[string]int64 // service key -> slice UID -> generation
}

func newTracker() *tracker { return &tracker{byService: map[string]map[string]int64{}} }

func sliceServiceKey(s *model.EndpointSlice) string {
	return s.Namespace + "/" + s.Labels[LabelServiceName]
}

// Has reports whether the slice is tracked.
func (t *tracker) Has(s *model.EndpointSlice) bool {
	_, ok := t.byService[sliceServiceKey(s)][s.UID]
	return ok
}

// ShouldSync reports whether a slice event is news: an untracked slice or
// a generation newer than the controller's own write.
func (t *tracker) ShouldSync(s *model.EndpointSlice) bool {
	g, ok := t.byService[sliceServiceKey(s)][s.UID]
	return !ok || s.Generation > g
}

// StaleSlices reports whether the cached slices are older than what the
// controller wrote: an older generation, a slice it deleted still listed,
// or a slice it wrote missing.
func (t *tracker) StaleSlices(svcKey string, slices []*model.EndpointSlice) bool {
	gens, ok := t.byService[svcKey]
	if !ok {
		return false
	}
	seen := map[string]bool{}
	for _, s := range slices {
		seen[s.UID] = true
		if g, ok := gens[s.UID]; ok && (g == deletionExpected || g > s.Generation) {
			return true
		}
	}
	for uid, g := range gens {
		if g != deletionExpected && !seen[uid] {
			return true
		}
	}
	return false
}

// Update records a slice the controller wrote.
func (t *tracker) Update(s *model.EndpointSlice) {
	k := sliceServiceKey(s)
	if t.byService[k] == nil {
		t.byService[k] = map[string]int64{}
	}
	t.byService[k][s.UID] = s.Generation
}

// ExpectDeletion records a slice the controller deleted.
func (t *tracker) ExpectDeletion(s *model.EndpointSlice) {
	k := sliceServiceKey(s)
	if t.byService[k] == nil {
		t.byService[k] = map[string]int64{}
	}
	t.byService[k][s.UID] = deletionExpected
}

// HandleDeletion forgets a deleted slice and reports whether the deletion
// was expected.
func (t *tracker) HandleDeletion(s *model.EndpointSlice) bool {
	k := sliceServiceKey(s)
	g, ok := t.byService[k][s.UID]
	if ok {
		delete(t.byService[k], s.UID)
		if len(t.byService[k]) == 0 {
			delete(t.byService, k)
		}
	}
	return !ok || g == deletionExpected
}

// DeleteService forgets a Service's slices.
func (t *tracker) DeleteService(svcKey string) { delete(t.byService, svcKey) }
