// Package hardware is the layer under the kubelet: the machine a node runs
// on. The kubelet decides what runs (admission, images, restarts, probes,
// eviction); the Machine runs it and says what happened.
//
// # The Machine interface
//
// A Machine starts a container from a ContainerSpec (its image, cpu and
// memory requests and limits, its OOM score adjustment, and the Workload
// the kubelet realized from the container's behaviour: run time or CPU
// work, CPU demand, memory and disk curves, exit code, SIGTERM handling),
// stops it with a grace period (SIGTERM, then SIGKILL when the grace period
// ends), pulls images into its image cache, and reports:
//
//   - exits, through the ExitHandler, always from inside a kernel event
//     and never synchronously inside the call that caused them;
//   - pull completions, through the callback given to PullImage, likewise;
//   - usage, on demand: ContainerStats and Stats read the current CPU,
//     memory and disk use, as the kubelet reads cgroup and filesystem
//     statistics (cAdvisor).
//
// Crash loses every container at once without any report, as a power cut
// does; Boot brings the machine back with its image cache intact and its
// containers exited (exit code 255, reason Unknown, as a runtime shows them
// after a reboot).
//
// # Implementations
//
// SimMachine (NewSimMachine) is the simulated machine. CPU is processor
// sharing with cgroup semantics: every running container gets a share of
// the cores proportional to its cpu.weight (from its cpu request through
// cpu.shares, 2..262144, as the kubelet computes them), capped by its CFS
// quota (from its cpu limit) and by what it wants; what capped containers
// leave is shared among the others (weighted max-min fairness). Containers
// with CPU work progress at their current share, and their completion times
// are recomputed whenever the set of running containers or their demands
// change: event-driven, no time steps. Time spent capped by the quota while
// wanting more is counted as throttled time. Memory follows each
// container's curve; a container whose use exceeds its memory limit is
// OOM-killed (exit 137, reason OOMKilled), and when the node's total use
// would exceed its memory, the kernel's OOM killer kills the container with
// the highest badness (use plus oom_score_adj × capacity / 1000). Images are
// pulled over the node's network bandwidth, shared equally by concurrent
// pulls, from a Registry that can be switched off (pulls fail).
//
// A real-host implementation (package hardware/host, to come) will
// implement the same interface by running each container as a process
// (kubesim's burn workload) under cgroup limits: cpu.weight and cpu.max
// from the same requests and limits, memory.max from the memory limit,
// exits and OOM kills read from the cgroup and delivered through the wall
// clock's inbox, so that the kubelet above cannot tell the two apart.
package hardware
