package kubeproxy

import (
	"slices"
	"sync"

	"github.com/kubesim/kubesim/model"
)

// EndpointCache shares the endpoint lists of service ports among the
// proxiers of one run: every node's kube-proxy computes the same list from
// the same EndpointSlices, so the simulator computes it once per set of
// slice objects and lets each proxier categorize it for its node. A list
// is reused while the slices a proxier holds are the very objects (by
// identity) it was computed from.
//
// The shared list breaks ties between copies of one endpoint in two
// slices (a transient state while slices are rebalanced) without
// preferring the proxier's own node, which EndpointsFromSlices does.
type EndpointCache struct {
	entries map[cacheKey]*cacheEntry
}

type cacheKey struct {
	service, port string
	protocol      model.Protocol
}

type cacheEntry struct {
	slices    []*model.EndpointSlice
	endpoints []Endpoint
	// With no topology hints and no Local policy the Cluster endpoints are
	// the same on every node: computed once, shared read-only.
	hinted      bool
	clusterDone bool
	clusterKeys []string
	hasAny      bool
}

// NewEndpointCache returns an empty cache.
func NewEndpointCache() *EndpointCache { return &EndpointCache{entries: map[cacheKey]*cacheEntry{}} }

// entry returns the cache entry of a service port for these slices,
// computing the endpoint list only when they changed.
func (c *EndpointCache) entry(service string, sl []*model.EndpointSlice, port string, protocol model.Protocol) *cacheEntry {
	k := cacheKey{service, port, protocol}
	if e, ok := c.entries[k]; ok && slices.Equal(e.slices, sl) {
		return e
	}
	eps := EndpointsFromSlices(sl, port, protocol, "")
	e := &cacheEntry{slices: slices.Clone(sl), endpoints: eps}
	for i := range eps {
		if len(eps[i].ZoneHints) > 0 || len(eps[i].NodeHints) > 0 {
			e.hinted = true
			break
		}
	}
	c.entries[k] = e
	return e
}

// sharedCluster returns the node-independent Cluster endpoint keys of an
// entry, for a port without Local policy and hints.
func (e *cacheEntry) sharedCluster(info ServicePortInfo, gates FeatureGates) ([]string, bool) {
	if !e.clusterDone {
		cats := CategorizeEndpoints(e.endpoints, info, Node{}, gates)
		e.clusterKeys, e.hasAny, e.clusterDone = Keys(cats.Cluster), cats.HasAnyEndpoints, true
	}
	return e.clusterKeys, e.hasAny
}

// thresholdCache memoizes the statistic thresholds of an n-endpoint
// chain, a pure function of n shared by every run in the process.
var thresholdCache sync.Map // int -> []uint32

// chainThresholds returns the thresholds of rules 0..n-2 of an n-endpoint
// chain; callers must not modify the result.
func chainThresholds(n int) []uint32 {
	if v, ok := thresholdCache.Load(n); ok {
		return v.([]uint32)
	}
	out := make([]uint32, 0, max(n-1, 0))
	for i := 0; i < n-1; i++ {
		th, err := StatisticThreshold(RuleProbability(i, n))
		if err != nil {
			panic(err) // ProbabilityString always parses
		}
		out = append(out, th)
	}
	thresholdCache.Store(n, out)
	return out
}
