// Package podtopologyspread re-implements kube-scheduler's PodTopologySpread
// plugin (pkg/scheduler/framework/plugins/podtopologyspread/{plugin,common,
// filtering,scoring}.go and helper/spread.go DefaultSelector, k8s 1.35) with
// its PodTopologySpreadArgs (defaults from apis/config/v1/defaults.go,
// validation from validation_pluginargs.go).
//
// # Filter (whenUnsatisfiable: DoNotSchedule)
//
// PreFilter counts, per constraint and per domain (value of the topology
// key), the pods matching the constraint's selector in the incoming pod's
// namespace and not terminating, over the nodes that carry every constraint
// key and pass the constraint's node inclusion policies (nodeAffinityPolicy
// Honor and nodeTaintsPolicy Ignore by default). Filter admits a node when,
// for every constraint, count(domain) + selfMatch - globalMin <= maxSkew,
// where globalMin is 0 while there are fewer domains than minDomains. A node
// missing a key is UnschedulableAndUnresolvable.
//
// # Score (whenUnsatisfiable: ScheduleAnyway, or the system defaults)
//
// Per constraint, weight = ln(domains + 2) (hostname: the number of scored
// nodes); a node scores Σ count·weight + (maxSkew − 1), rounded; Normalize
// maps s to 100·(max + min − s)/max; nodes missing a key score 0.
//
// # Defaulting
//
// A pod without constraints gets the default constraints (System: hostname
// maxSkew 3 and zone maxSkew 5, both ScheduleAnyway; List: args.
// defaultConstraints) with a selector made of the selectors of the Services
// in its namespace that select it, ANDed with the selector of its
// controlling ReplicaSet or StatefulSet (looked up by controller owner
// reference, as upstream); with no such selector the pod has no
// constraints.
//
// # Deviations and kept quirks
//
//   - ReplicationControllers are not modeled, so they never contribute to
//     the default selector.
//   - Upstream computes the two "critical paths" of each constraint by
//     iterating a Go map, so which of several equally-small domains is
//     recorded is random; here domains are visited in the order they are
//     first seen along the snapshot's node list. Only the minimum count is
//     used by Filter, so results match upstream; after preemption's
//     AddPod/RemovePod the kept paths can differ where upstream's are random.
//   - Kept as upstream 1.35: a constraint whose labelSelector is empty ({})
//     counts no existing pods (countPodsMatchSelector short-circuits on an
//     empty selector; fixed upstream after 1.35 by kubernetes#141340), while
//     AddPod/RemovePod and selfMatch still see it as match-all.
//   - matchLabelKeys are merged into the selector here (as the 1.35 plugin
//     does, gate MatchLabelKeysInPodTopologySpread on); the API server's own
//     1.34+ merge is idempotent with this.
//   - Events and hints are the SchedulerQueueingHints-enabled ones.
package podtopologyspread
