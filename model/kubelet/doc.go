// Package kubelet is a node's kubelet in simulated time: it registers the
// node, posts its status and renews its Lease, and runs the pods bound to
// the node on a hardware.Machine.
//
// # Usage
//
//	m := hardware.NewSimMachine(k, node.Name, node.Status.Capacity, hardware.Profile{})
//	kl := kubelet.New(k, server.NewClient, node, m, scenarioBehaviors, kubelet.Config{Start: start})
//	kl.Start()   // register, heartbeat, run pods
//	kl.Stop()    // the kubelet process stops; containers keep running
//	kl.Restart() // a new process adopts the running containers
//	kl.Crash()   // the node dies: containers lost, nothing reported
//	kl.Recover() // the node boots; pods restart
//
// The kubelet talks to the API only through the asynchronous model.Client
// it opens with connect (QPS 50, burst 100). It uses two optional client
// capabilities when present: StatusUpdater (the status subresource) and
// FieldWatcher (a server-side spec.nodeName filter for its pod watch).
//
// # Pod lifecycle
//
// A pod bound to the node is admitted (resources against allocatable minus
// the admitted pods, pod count, node affinity and selector, host ports,
// NoExecute taints, node pressure) or rejected with phase Failed and
// upstream's reason (OutOfcpu, OutOfmemory, OutOfpods, NodeAffinity,
// NodePorts, TaintToleration, Evicted). An admitted pod gets its sandbox
// and IP, then its init containers run one at a time (a sidecar, an init
// container with restartPolicy Always, must be started before the next
// one runs and keeps running), then the app containers start. Each
// container start is: the image per its pull policy (pulls serialized by
// default, with a per-pod-and-image back-off of 10 s doubling to 300 s),
// the creation latency, the start on the machine. Probes follow the
// container's behaviour (model.Behavior): startup and readiness succeed
// from readyAfter, liveness fails from livenessFailsAfter. Exits are
// noticed at the next PLEG relist (1 s) and restarted per restartPolicy:
// the first restart at once, then CrashLoopBackOff delays of 10, 20, 40,
// 80, 160 and 300 s, the back-off forgotten after 10 minutes without a
// failure. Deleting a pod (deletionTimestamp, or the object vanishing)
// runs each container's preStop sleep, SIGTERM, and SIGKILL when the grace
// period ends (at least 2 s after preStop); the pod ends Succeeded or
// Failed, and the kubelet deletes it for good (grace period 0). The eviction manager checks memory.available < 100Mi,
// nodefs.available < 10% and imagefs.available < 15% every 10 s, reports
// MemoryPressure / DiskPressure (held 5 minutes after the last crossing),
// deletes unused images under disk pressure, and evicts at most one pod
// per round, ranked as upstream (use above request, priority, use minus
// request), with a 1 s grace period.
//
// # Journal
//
// Source "kubelet/<node>". Pod events (object namespace/name, fields
// container when it concerns one, then details, message last): Pulling,
// Pulled, Failed, BackOff, ErrImageNeverPull, Created, Started, Killing,
// Unhealthy, OOMKilled, Completed (a container exited 0 in a pod that does
// not restart it), Evicted, DeadlineExceeded, InvalidBehavior, the
// admission reasons above, and PodStatus (phase, ready, reason: each
// change of phase or readiness the kubelet writes). Node events (object
// the node): NodeReady, NodeNotReady.
//
// # Simplifications
//
// Probes tick from each container instance's start (upstream workers tick
// from their own creation and are also triggered on status changes); the
// pod worker retries when a back-off ends rather than on its next 10 s
// requeue; all containers of a terminating pod are stopped together; exec
// and HTTP preStop hooks take no time; image garbage collection runs only
// under disk pressure.
package kubelet
