// Package nodeports is the NodePorts filter plugin, re-implemented from
// kube-scheduler 1.35's pkg/scheduler/framework/plugins/nodeports/node_ports.go
// (with pkg/scheduler/util GetHostPorts).
//
// PreFilter collects the pod's host ports (hostPort > 0) of its containers
// and of its restartable (sidecar) init containers, and returns Skip when
// there are none. Filter rejects a node where one of them conflicts with a
// port in use (framework.HostPortInfo.CheckConflict: same protocol and
// port, and the same host IP or either side 0.0.0.0) as Unschedulable
// "node(s) didn't have free ports for the requested pod ports".
//
// Deliberate deviations: none. The node side is NodeInfo.UsedPorts as the
// framework maintains it.
package nodeports
