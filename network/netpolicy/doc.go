// Package netpolicy evaluates Kubernetes NetworkPolicy (networking.k8s.io/v1)
// the way CNI plugins enforce it, following the API documentation in
// k8s.io/api/networking/v1/types.go. It is pure and deterministic.
//
// # Usage
//
// Compile the cluster's policies and namespaces once, then ask about
// connections; a decision allocates nothing:
//
//	ev, err := netpolicy.NewEvaluator(policies, namespaces)
//	web := netpolicy.PodFromModel(webPod)
//	db := netpolicy.PodFromModel(dbPod)
//	v := ev.Evaluate(netpolicy.Connection{
//		Src: netpolicy.PodPeer(&web), Dst: netpolicy.PodPeer(&db),
//		Port: 5432, Protocol: model.ProtocolTCP,
//	})
//	if !v.Allowed { ... v.String() explains which side denied and why ... }
//
// Recompile when a policy changes; SetNamespace updates namespace labels.
//
// # Semantics
//
//   - A connection must pass egress at the source pod and ingress at the
//     destination pod. An end that is not a pod (an external client, a
//     node, a host-network pod) is never restricted.
//   - A pod is isolated for a direction once some policy in its namespace
//     selects it (spec.podSelector; empty = every pod of the namespace)
//     with that policy type. Without spec.policyTypes a policy has Ingress,
//     plus Egress if it has egress rules. Unisolated pods allow everything.
//   - An isolated pod allows what any rule of any selecting policy allows
//     (union; policies never deny). The Decision names the first allowing
//     policy in namespace/name order and the rule's index.
//   - A rule matches when the port matches one of its ports (none listed =
//     all) and the far end one of its peers (none listed = everyone,
//     external addresses included).
//   - Peers: podSelector alone = matching pods in the policy's namespace;
//     namespaceSelector alone = every pod in matching namespaces; both =
//     matching pods in matching namespaces; ipBlock = addresses in cidr
//     but in no except. kubesim applies ipBlock to pod addresses too, as
//     Calico and kube-router do (the API leaves it to the plugin).
//   - Ports: protocol defaults to TCP; no port = every port of the
//     protocol; a number, or the range port..endPort inclusive; a name
//     matches the destination pod's container port of that name, number
//     and protocol (never a non-pod destination).
//   - Namespaces carry their kubernetes.io/metadata.name label, so
//     namespaceSelector can select by name.
//
// Not modeled: traffic from a node to its own pods (most plugins always
// allow it), policies on Services' virtual IPs (evaluation is after
// kube-proxy's DNAT: pass the chosen endpoint), and the AdminNetworkPolicy
// API.
package netpolicy
