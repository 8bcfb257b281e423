// Package interpodaffinity re-implements kube-scheduler's InterPodAffinity
// plugin (k8s 1.35: pkg/scheduler/framework/plugins/interpodaffinity
// plugin.go, filtering.go and scoring.go, with the arguments of
// pkg/scheduler/apis/config/v1/defaults.go SetDefaults_InterPodAffinityArgs
// and validation_pluginargs.go ValidateInterPodAffinityArgs).
//
// # Extension points
//
//	PreFilter → three topology-pair counters: existing pods whose required
//	            anti-affinity matches the pod; existing pods matching all of
//	            the pod's required affinity terms; existing pods matching
//	            each of its required anti-affinity terms. Skip when all three
//	            are irrelevant. The incoming pod's namespaceSelectors are
//	            unrolled into namespace sets from the Namespace objects.
//	AddPod/RemovePod → keep the counters right while preemption simulates
//	            evictions (PreFilterExtensions)
//	Filter    → "node(s) didn't match pod affinity rules"
//	            (UnschedulableAndUnresolvable), "node(s) didn't match pod
//	            anti-affinity rules" and "node(s) didn't satisfy existing pods
//	            anti-affinity rules" (Unschedulable). The first pod of a group
//	            that is affine to itself passes when nothing matches yet.
//	PreScore  → per topology key and value, the summed weights of matching
//	            preferred terms in both directions plus hardPodAffinityWeight
//	            for existing pods' required affinity terms the pod matches
//	Score     → the sum over the node's topology labels
//	NormalizeScore → 100*(s-min)/(max-min) over the scored nodes
//
// Filter and Score do not allocate.
//
// # Deliberate deviations
//
//   - Counting is sequential (upstream fans out over 16 goroutines and merges
//     per-node results); the counters are sums, so results are identical.
//   - When the pod's affinity cannot be parsed, the reason is built from
//     kubesim's label-selector errors, whose field paths read
//     "matchExpressions[0].values[0]" where upstream's read
//     "values[0][key]".
//   - Queueing hints are 1.35's: the two late-2025 fixes (requeue when the
//     pending pod's own labels change, kubernetes#135394, and when a
//     deleted pod's anti-affinity matched the pending pod,
//     kubernetes#135325) landed after the 1.35 freeze and are not included.
package interpodaffinity
