// Package resourcequota is the resource quota controller of
// kube-controller-manager re-implemented for kubesim (Kubernetes 1.35):
//
//   - pkg/controller/resourcequota/resource_quota_controller.go: two work
//     queues (quotas whose status lacks the hard limits or a computable
//     usage go to the priority queue), five workers per queue
//     (--concurrent-resource-quota-syncs), quota updates that matter only
//     when spec.hard changes, the full recalculation of every quota each
//     --resource-quota-sync-period (5 min), replenishment (a change of a
//     watched object queues the namespace's quotas whose status.hard tracks
//     a resource of its kind: deletions, pods that stop being charged,
//     services that change type, claims whose request changes), and
//     syncResourceQuota (status.hard = spec.hard, status.used = the old
//     usage updated with the computed one, masked to the hard resources,
//     written with the status subresource when anything changed);
//   - pkg/quota/v1/evaluator/core: the pod evaluator (pods, count/pods,
//     cpu and requests.cpu, memory and requests.memory, limits.cpu,
//     limits.memory, ephemeral storage, requests.<extended>; effective
//     requests and limits with init containers, sidecars and overhead;
//     terminal pods and pods terminating past their deletion time plus
//     grace are free; the Terminating, NotTerminating, BestEffort,
//     NotBestEffort, PriorityClass and CrossNamespacePodAffinity scopes),
//     the service evaluator (services, services.nodeports,
//     services.loadbalancers), the claim evaluator (persistentvolumeclaims,
//     requests.storage and the <class>.storageclass.storage.k8s.io/
//     variants) and the object-count evaluators (count/<resource>[.<group>]
//     for every modeled namespaced kind; configmaps, secrets,
//     resourcequotas);
//   - pkg/quota/v1/resources.go: CalculateUsage (every tracked resource
//     defaults to zero).
//
// # Usage
//
//	c := resourcequota.New(k, server.NewClient, resourcequota.DefaultConfig())
//	c.Start()
//
// The controller watches quotas and every namespaced kind through its own
// client (20 qps, burst 30). It records no journal events (upstream
// records none); its output is the quotas' status.
//
// # Deviations
//
//   - kubesim's quota admission computes usage from the store and does not
//     charge status.used, so creations also replenish the namespace's
//     quotas (upstream's admission increments status.used itself and the
//     monitors ignore additions).
//   - The quota monitors' event queue is folded into the controller: a
//     replenishment queues the quotas directly.
//   - scopeSelector is not modeled; the PriorityClass scope matches pods
//     with any priorityClassName (the Exists operator). Scoped quotas
//     count no objects of kinds other than pods, as upstream's evaluators
//     match no scope.
//   - hugepages-* resources and status.allocatedResources of claims are
//     not modeled.
package resourcequota
