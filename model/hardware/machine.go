package hardware

import (
	"errors"
	"math/bits"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Machine is what a node's kubelet drives. Every report (an exit, a pull's
// end) arrives from inside a kernel event, never synchronously inside the
// call that caused it, so the kubelet cannot be re-entered.
type Machine interface {
	// Name is the node's name.
	Name() string
	// Capacity is the machine's cpu (millicores), memory and disk
	// (ephemeral storage) in bytes.
	Capacity() model.Resources
	// SetExitHandler registers the one function told about every
	// container exit, whatever its cause.
	SetExitHandler(h ExitHandler)

	// HasImage reports whether the image is in the machine's cache.
	HasImage(image string) bool
	// Images lists the cached images, sorted by name.
	Images() []model.ContainerImage
	// PullImage fetches an image into the cache; done runs when it is
	// there or the pull failed. Concurrent pulls of one image share one
	// transfer. An image already present only costs the registry round
	// trip (a pull policy of Always).
	PullImage(image string, sizeBytes int64, done func(PullResult))
	// RemoveImage deletes an image no running container uses (image
	// garbage collection) and reports whether it did.
	RemoveImage(image string) bool

	// StartContainer starts a container at once. It fails when the machine
	// is down, the ID is in use or the image is not cached.
	StartContainer(spec ContainerSpec) error
	// StopContainer sends SIGTERM and, if the container has not exited
	// when grace has passed, SIGKILL. A grace of 0 kills at once.
	StopContainer(id string, grace time.Duration) error
	// RemoveContainer forgets an exited container (its writable layer and
	// logs leave the disk).
	RemoveContainer(id string)
	// Container returns one container's state.
	Container(id string) (ContainerStatus, bool)
	// Containers lists every container the machine knows, running or
	// exited, sorted by ID.
	Containers() []ContainerStatus

	// ContainerStats reads one container's current use.
	ContainerStats(id string) (ContainerStats, bool)
	// Stats reads the node's current use.
	Stats() NodeStats

	// Crash cuts the power: every running container is lost at once, no
	// exit is reported, pulls in flight are abandoned.
	Crash()
	// Boot powers the machine on again after a crash. Containers that ran
	// before are listed as exited (255, Unknown); the image cache is kept.
	Boot()
	// Up reports whether the machine is powered on.
	Up() bool
}

// ExitHandler is told about a container's exit.
type ExitHandler func(st ContainerStatus)

// Errors a Machine returns.
var (
	ErrMachineDown         = errors.New("machine is down")
	ErrContainerExists     = errors.New("container ID already in use")
	ErrNoSuchContainer     = errors.New("no such container")
	ErrImageNotPresent     = errors.New("image is not present on the machine")
	ErrRegistryUnavailable = errors.New("registry unavailable")
)

// CPUUnbounded as a CPU demand means the container wants all the CPU it
// can get (a busy loop), up to its limit.
const CPUUnbounded int64 = -1

// Growth is a usage curve: Start bytes at start, growing by PerSecond
// bytes per second up to Max (0: no maximum).
type Growth struct {
	Start, PerSecond, Max int64
}

// At returns the use d after the start.
func (g Growth) At(d time.Duration) int64 {
	v := g.Start
	if g.PerSecond > 0 && d > 0 {
		v = satAdd(v, mulDiv(uint64(g.PerSecond), uint64(d), uint64(time.Second)))
	}
	if g.Max > 0 && v > g.Max {
		v = max(g.Max, g.Start)
	}
	return v
}

// crossing returns the first duration after the start at which the use
// exceeds limit, and whether it ever does.
func (g Growth) crossing(limit int64) (time.Duration, bool) {
	if g.Start > limit {
		return 0, true
	}
	if g.PerSecond <= 0 || (g.Max > 0 && g.Max <= limit) {
		return 0, false
	}
	// Smallest d with floor(PerSecond*d/1s) >= limit-Start+1.
	need := uint64(limit - g.Start + 1)
	return time.Duration(mulDivCeil(need, uint64(time.Second), uint64(g.PerSecond))), true
}

// Workload is a container's realized behaviour: every random choice has
// been made by the kubelet, so a machine runs it deterministically.
type Workload struct {
	// Forever: the container runs until stopped; RunFor is ignored.
	Forever bool
	// RunFor is how long it runs before exiting by itself.
	RunFor time.Duration
	// CPUWork, when positive, is the work to do in one-core time; the
	// container exits when it is done, whatever RunFor says.
	CPUWork time.Duration
	// CPUDemand is the CPU it wants, in millicores, or CPUUnbounded.
	CPUDemand int64
	// Memory and Disk are its use curves.
	Memory, Disk Growth
	// ExitCode is the code of an exit by itself (0: success).
	ExitCode int32
	// HandlesSIGTERM: it exits 0 ShutdownTime after SIGTERM; otherwise
	// SIGTERM kills it at once (exit 143).
	HandlesSIGTERM bool
	ShutdownTime   time.Duration
}

// ContainerSpec is what the kubelet asks a machine to run.
type ContainerSpec struct {
	// ID is unique on the machine.
	ID string
	// Pod is "namespace/name"; PodUID the pod's UID.
	Pod, PodUID string
	// Name is the container's name in the pod; Attempt counts its
	// restarts (CRI's attempt).
	Name    string
	Attempt int32
	Image   string
	// Requests and Limits: MilliCPU and Memory are used (0: none).
	Requests, Limits model.Resources
	// OOMScoreAdj is the kubelet's oom_score_adj for the container.
	OOMScoreAdj int
	Workload    Workload
}

// Exit reasons, as the container runtime reports them.
const (
	ReasonCompleted = "Completed"
	ReasonError     = "Error"
	ReasonOOMKilled = "OOMKilled"
	ReasonUnknown   = "Unknown"
)

// Exit codes of killed containers.
const (
	ExitSIGTERM int32 = 143
	ExitSIGKILL int32 = 137
	ExitUnknown int32 = 255
)

// ContainerStatus is a container's state on the machine.
type ContainerStatus struct {
	ID, Pod, PodUID, Name string
	Attempt               int32
	Image                 string
	Running               bool
	StartedAt, FinishedAt sim.Time
	ExitCode              int32
	// Reason is Completed, Error, OOMKilled or Unknown once exited.
	Reason string
	// SystemOOM: killed by the node's OOM killer, not its own limit.
	SystemOOM bool
}

// ContainerStats is a container's use at the instant it is read.
type ContainerStats struct {
	ID string
	// CPU is the current CPU rate in millicores; CPUTime the one-core time
	// used since start.
	CPU     int64
	CPUTime time.Duration
	// ThrottledTime is the time the CFS quota held the container back.
	ThrottledTime time.Duration
	// Memory is the working set, Disk the bytes written.
	Memory, Disk int64
}

// NodeStats is the node's use at the instant it is read.
type NodeStats struct {
	CPUCapacity, CPUUsage                        int64 // millicores
	MemoryCapacity, MemoryUsage, MemoryAvailable int64
	// Disk is the node filesystem (images share it: no separate imagefs).
	DiskCapacity, DiskUsage, DiskAvailable, ImageBytes int64
}

// PullResult is the outcome of PullImage.
type PullResult struct {
	Image string
	// Size is the image size; Bytes what was transferred.
	Size, Bytes int64
	// Requested is when the pull was asked for.
	Requested sim.Time
	Err       error
}

// mulDiv returns a*b/c rounded down, saturating at MaxInt64.
func mulDiv(a, b, c uint64) int64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 1<<63 - 1
	}
	q, _ := bits.Div64(hi, lo, c)
	if q > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(q)
}

// mulDivCeil returns a*b/c rounded up, saturating at MaxInt64.
func mulDivCeil(a, b, c uint64) int64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 1<<63 - 1
	}
	q, r := bits.Div64(hi, lo, c)
	if r != 0 {
		q++
	}
	if q > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(q)
}

func satAdd(a, b int64) int64 {
	s := a + b
	if b > 0 && s < a {
		return 1<<63 - 1
	}
	return s
}
