package kubelet

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hardware"
	"github.com/kubesim/kubesim/sim"
)

// instant is a config without sandbox and creation latency.
func instant() Config {
	return Config{SandboxLatency: model.Constant(0), ContainerCreateLatency: model.Constant(0)}
}

func TestCrashLoopBackOff(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	e.createBound(t, webPod("crash", `{runFor: 1s, failureRatio: "1/1", exitCode: 2}`))
	e.run(20 * time.Minute)
	var starts []float64
	for _, ev := range e.rec.Kinds("Started") {
		starts = append(starts, ev.T.Seconds())
	}
	// Each instance runs 1 s. The first restart is at once (no back-off
	// entry yet); then the delays after each exit are 10, 20, 40, 80, 160,
	// 300, 300 s.
	require.Equal(t, []float64{0, 1, 12, 33, 74, 155, 316, 617, 918}, starts[:9])
	got := e.pod(t, "crash")
	cs := got.Status.ContainerStatuses[0]
	require.Equal(t, model.PodRunning, got.Status.Phase, "restartPolicy Always: Running while it restarts")
	require.Equal(t, int32(2), cs.LastTerminationState.Terminated.ExitCode)
	require.Equal(t, "Error", cs.LastTerminationState.Terminated.Reason)
	require.GreaterOrEqual(t, cs.RestartCount, int32(8))
	backoffs := e.rec.Kinds("BackOff")
	require.NotEmpty(t, backoffs)
	require.Equal(t, "Back-off restarting failed container web in pod crash_default("+got.UID+")", backoffs[0].Field("message"))
	require.Equal(t, 2.0, backoffs[0].T.Seconds())
}

func TestCrashLoopWaitingState(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	e.createBound(t, webPod("crash", `{runFor: 1s, failureRatio: "1/1"}`))
	e.run(5 * time.Second) // second exit at 2 s, back-off until 12 s
	cs := e.pod(t, "crash").Status.ContainerStatuses[0]
	require.Equal(t, "CrashLoopBackOff", cs.State.Waiting.Reason)
	require.True(t, strings.HasPrefix(cs.State.Waiting.Message, "back-off 10s restarting failed container=web pod=crash_default("), cs.State.Waiting.Message)
	require.Equal(t, int32(1), cs.RestartCount)
	require.False(t, e.pod(t, "crash").IsReady())
}

func TestProbeThresholds(t *testing.T) {
	for _, tt := range []struct {
		name     string
		probe    func(c *model.Container)
		behavior string
		want     []string // Unhealthy and Killing events (a prefix of them)
	}{
		{"liveness kills after failureThreshold consecutive failures",
			func(c *model.Container) {
				c.LivenessProbe = &model.Probe{TCPSocket: &model.TCPSocketAction{Port: model.FromInt32(80)}, PeriodSeconds: 10, FailureThreshold: 3}
			}, "{livenessFailsAfter: 25s}",
			[]string{"Unhealthy@30 web", "Unhealthy@40 web", "Unhealthy@50 web", "Killing@50 web"}},
		{"liveness threshold 1",
			func(c *model.Container) {
				c.LivenessProbe = &model.Probe{Exec: &model.ExecAction{Command: []string{"true"}}, PeriodSeconds: 5, FailureThreshold: 1}
			}, "{livenessFailsAfter: 12s}",
			[]string{"Unhealthy@15 web", "Killing@15 web"}},
		{"readiness needs successThreshold successes",
			func(c *model.Container) {
				c.ReadinessProbe = &model.Probe{HTTPGet: &model.HTTPGetAction{Port: model.FromInt32(80)}, PeriodSeconds: 10, SuccessThreshold: 3}
			}, "{readyAfter: 5s}",
			[]string{"Unhealthy@0 web"}},
		{"startup probe failing kills",
			func(c *model.Container) {
				c.StartupProbe = &model.Probe{HTTPGet: &model.HTTPGetAction{Port: model.FromInt32(80)}, PeriodSeconds: 10, FailureThreshold: 2}
			}, "{readyAfter: 1h}",
			[]string{"Unhealthy@0 web", "Unhealthy@10 web", "Killing@10 web"}},
		{"initial delay skips probes",
			func(c *model.Container) {
				c.ReadinessProbe = &model.Probe{HTTPGet: &model.HTTPGetAction{Port: model.FromInt32(80)}, PeriodSeconds: 10, InitialDelaySeconds: 15}
			}, "{readyAfter: 5s}",
			nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, instant(), "web:1")
			e.kl.Start()
			p := webPod("p", tt.behavior)
			tt.probe(&p.Spec.Containers[0])
			e.createBound(t, p)
			e.run(55 * time.Second)
			got := e.events("default/p", "Unhealthy", "Killing")
			require.GreaterOrEqual(t, len(got), len(tt.want))
			require.Equal(t, tt.want, got[:len(tt.want)])
			if tt.name == "readiness needs successThreshold successes" {
				// Successes at 10, 20, 30: ready at the third.
				require.Equal(t, at(30*time.Second), *e.pod(t, "p").Status.Condition(model.PodReady).LastTransitionTime)
			}
			if tt.name == "initial delay skips probes" {
				require.Equal(t, at(20*time.Second), *e.pod(t, "p").Status.Condition(model.PodReady).LastTransitionTime)
			}
			if len(tt.want) > 0 && strings.HasPrefix(tt.want[len(tt.want)-1], "Killing") {
				kill := e.rec.Kinds("Killing")[0]
				require.Contains(t, kill.Field("message"), "Container web failed")
				require.Contains(t, kill.Field("message"), "probe, will be restarted")
				require.GreaterOrEqual(t, e.pod(t, "p").Status.ContainerStatuses[0].RestartCount, int32(1), "restarted after the kill")
			}
		})
	}
}

func TestOOMKilledReported(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	p := webPod("leak", "{memory: {start: 100Mi, rampPerSecond: 10Mi}}")
	p.Spec.Containers[0].Resources.Requests[model.ResourceMemory] = model.MustParseQuantity("100Mi")
	p.Spec.Containers[0].Resources.Limits = model.ResourceList{model.ResourceMemory: model.MustParseQuantity("200Mi")}
	e.createBound(t, p)
	e.run(15 * time.Second)
	require.Equal(t, []string{"OOMKilled@11 web"}, e.events("default/leak", "OOMKilled"))
	cs := e.pod(t, "leak").Status.ContainerStatuses[0]
	require.Equal(t, "OOMKilled", cs.LastTerminationState.Terminated.Reason)
	require.Equal(t, int32(137), cs.LastTerminationState.Terminated.ExitCode)
	require.Equal(t, int32(1), cs.RestartCount)
}

func TestImagePullBackOffAndRegistryOutage(t *testing.T) {
	e := newEnv(t, instant())
	e.kl.Start()
	e.m.Registry().SetAvailable(false)
	p := webPod("web", "{imageSizeBytes: 100M}")
	e.createBound(t, p)
	e.run(25 * time.Second)
	// Failure at 0; retried when the 10 s back-off ends; failure; the pod
	// worker's sync 10 s later finds the 20 s back-off running.
	require.Equal(t, []string{"Pulling@0 web", "Failed@0 web", "Failed@0 web", "Pulling@10 web", "Failed@10 web", "Failed@10 web",
		"BackOff@20 web", "Failed@20 web"}, e.events("default/web", "Pulling", "Failed", "BackOff", "Pulled"))
	cs := e.pod(t, "web").Status.ContainerStatuses[0]
	require.Equal(t, "ImagePullBackOff", cs.State.Waiting.Reason)
	require.Equal(t, `Back-off pulling image "web:1"`, cs.State.Waiting.Message)

	e.m.Registry().SetAvailable(true)
	e.run(40 * time.Second)
	require.Equal(t, []string{"Pulling@30 web", "Pulled@31 web", "Started@31 web"}, e.events("default/web", "Pulling", "Pulled", "Started")[2:])
	pulled := e.rec.Kinds("Pulled")[0]
	require.Equal(t, `Successfully pulled image "web:1" in 1s (1s including waiting). Image size: 100000000 bytes.`, pulled.Field("message"))
	require.True(t, e.m.HasImage("web:1"))
	require.Equal(t, model.PodRunning, e.pod(t, "web").Status.Phase)
}

func TestSerializedPulls(t *testing.T) {
	for _, serialize := range []bool{true, false} {
		cfg := instant()
		cfg.SerializeImagePulls = model.Ptr(serialize)
		e := newEnv(t, cfg)
		e.kl.Start()
		a := webPod("a", "{imageSizeBytes: 100M}")
		b := webPod("b", "{imageSizeBytes: 100M}")
		b.Spec.Containers[0].Image = "other:1"
		e.createBound(t, a)
		e.createBound(t, b)
		e.run(time.Minute)
		if serialize {
			require.Equal(t, []string{"Pulled@1 web"}, e.events("default/a", "Pulled"))
			require.Equal(t, []string{"Pulled@2 web"}, e.events("default/b", "Pulled"), "waits for the first pull")
			require.Equal(t, `Successfully pulled image "other:1" in 1s (2s including waiting). Image size: 100000000 bytes.`,
				e.rec.Kinds("Pulled")[1].Field("message"))
		} else {
			require.Equal(t, []string{"Pulled@2 web"}, e.events("default/a", "Pulled"), "both pulls share the bandwidth")
			require.Equal(t, []string{"Pulled@2 web"}, e.events("default/b", "Pulled"))
		}
	}
}

func TestAdmissionRejects(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	big := webPod("big", "")
	big.Spec.Containers[0].Resources.Requests[model.ResourceCPU] = model.MustParseQuantity("5")
	e.createBound(t, big)
	sel := webPod("sel", "")
	sel.Spec.NodeSelector = map[string]string{"zone": "b"}
	e.createBound(t, sel)
	e.run(time.Second)
	got := e.pod(t, "big")
	require.Equal(t, model.PodFailed, got.Status.Phase)
	require.Equal(t, "OutOfcpu", got.Status.Reason)
	require.Equal(t, "Pod was rejected: Node didn't have enough resource: cpu, requested: 5000, used: 0, capacity: 4000", got.Status.Message)
	got = e.pod(t, "sel")
	require.Equal(t, "NodeAffinity", got.Status.Reason)
	require.Equal(t, model.PodFailed, got.Status.Phase)
	require.Len(t, e.rec.Kinds("OutOfcpu"), 1)
	require.Empty(t, e.m.Containers())
}

func TestGracefulTermination(t *testing.T) {
	for _, tt := range []struct {
		name     string
		behavior string
		preStop  int64
		exitAt   time.Duration // after the delete at 10 s
		code     int32
	}{
		{"SIGKILL at grace expiry", "{shutdownTime: 1m}", 0, 30 * time.Second, 137},
		{"exits on SIGTERM", "{shutdownTime: 3s}", 0, 3 * time.Second, 0},
		{"preStop sleep then SIGKILL", "{shutdownTime: 1m}", 5, 30 * time.Second, 137},
		{"preStop sleep then exit", "{shutdownTime: 3s}", 5, 8 * time.Second, 0},
		{"preStop longer than grace keeps 2 s", "{shutdownTime: 1m}", 40, 32 * time.Second, 137},
		{"no SIGTERM handler", "", 0, 0, 143},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, instant(), "web:1")
			e.kl.Start()
			p := webPod("web", tt.behavior)
			if tt.preStop > 0 {
				p.Spec.Containers[0].Lifecycle = &model.Lifecycle{PreStop: &model.LifecycleHandler{Sleep: &model.SleepAction{Seconds: tt.preStop}}}
			}
			e.createBound(t, p)
			e.run(10 * time.Second)
			var last *model.Pod
			e.s.Watch("Pod", func(ev model.WatchEvent) {
				if ev.Type == model.Added || ev.Type == model.Modified {
					last = ev.Object.(*model.Pod)
				}
			})
			require.NoError(t, e.s.Delete("Pod", "default", "web")) // graceful: the API server waits for the kubelet
			e.run(10*time.Second + tt.exitAt - time.Millisecond)
			require.Equal(t, model.PodRunning, e.pod(t, "web").Status.Phase, "still terminating")
			e.run(2 * time.Minute)
			require.Equal(t, []string{"Killing@10 web"}, e.events("default/web", "Killing"))
			_, err := e.s.Get("Pod", "default", "web")
			require.True(t, model.IsNotFound(err), "the kubelet deleted the pod for good")
			require.Empty(t, e.m.Containers(), "its containers are removed")
			want := model.PodFailed
			if tt.code == 0 {
				want = model.PodSucceeded
			}
			require.Equal(t, want, last.Status.Phase, "the final status before the delete")
			exits := e.exits
			require.Len(t, exits, 1)
			require.Equal(t, sim.Time(10*time.Second+tt.exitAt), exits[0].FinishedAt)
			require.Equal(t, tt.code, exits[0].ExitCode)
		})
	}
}

func TestForceDeletion(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	e.createBound(t, webPod("web", "{shutdownTime: 1m}"))
	e.run(10 * time.Second)
	// Grace 0 removes the object at once: the kubelet still stops the
	// containers, with the grace period the deleted object carries: 0 (the
	// minimum 2 s between SIGTERM and SIGKILL) when the API server marks it
	// before removing it, as upstream's does, else the pod's 30 s.
	require.NoError(t, e.s.DeleteWith("Pod", "default", "web", model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)}))
	e.run(time.Minute)
	require.Equal(t, []string{"Killing@10 web"}, e.events("default/web", "Killing"))
	require.Len(t, e.exits, 1)
	require.Contains(t, []sim.Time{sim.Time(12 * time.Second), sim.Time(40 * time.Second)}, e.exits[0].FinishedAt)
	require.Equal(t, hardware.ExitSIGKILL, e.exits[0].ExitCode)
	require.Empty(t, e.m.Containers())
}

func TestEvictionUnderMemoryPressure(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	hog := webPod("hog", "{memory: {start: 7000Mi}}")
	hog.Spec.Containers[0].Resources.Requests = nil // BestEffort
	ok := webPod("ok", "{memory: {start: 200Mi}}")
	greedy := webPod("greedy", "{memory: {start: 900Mi}}") // Burstable, over its 256Mi request
	e.createBound(t, hog)
	e.createBound(t, ok)
	e.createBound(t, greedy)
	e.run(15 * time.Second)
	require.Equal(t, []string{"Evicted@10", "Killing@10 web"}, e.events("default/hog", "Evicted", "Killing"))
	got := e.pod(t, "hog")
	require.Equal(t, model.PodFailed, got.Status.Phase)
	require.Equal(t, "Evicted", got.Status.Reason)
	require.True(t, strings.HasPrefix(got.Status.Message, "The node was low on resource: memory. Threshold quantity: 100Mi, available: "), got.Status.Message)
	require.Contains(t, got.Status.Message, "Container web was using 7168000Ki, request is 0, has larger consumption of memory.")
	require.Equal(t, "TerminationByKubelet", got.Status.Condition(model.DisruptionTarget).Reason)
	require.Equal(t, model.PodRunning, e.pod(t, "greedy").Status.Phase, "one pod per round; pressure is gone after it")

	o, _ := e.s.Get("Node", "", "n1")
	n := o.(*model.Node)
	require.Equal(t, model.ConditionTrue, n.Status.Condition(model.NodeMemoryPressure).Status)
	require.True(t, hasTaint(n, model.TaintNodeMemoryPressure))
	// BestEffort pods are refused while the node reports memory pressure.
	be := webPod("late", "")
	be.Spec.Containers[0].Resources.Requests = nil
	e.createBound(t, be)
	e.run(20 * time.Second)
	require.Equal(t, "Evicted", e.pod(t, "late").Status.Reason)
	require.Equal(t, "Pod was rejected: The node had condition: [MemoryPressure]. ", e.pod(t, "late").Status.Message)

	// The condition holds for the transition period after the last crossing.
	e.run(5*time.Minute + 30*time.Second)
	o, _ = e.s.Get("Node", "", "n1")
	n = o.(*model.Node)
	require.Equal(t, model.ConditionFalse, n.Status.Condition(model.NodeMemoryPressure).Status)
	require.False(t, hasTaint(n, model.TaintNodeMemoryPressure))
}

func hasTaint(n *model.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}

func TestInitContainersAndSidecar(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	always := model.ContainerRestartPolicyAlways
	p := webPod("p", `{containers: {setup: {runFor: 3s}, proxy: {readyAfter: 4s}}}`)
	p.Spec.InitContainers = []model.Container{
		{Name: "setup", Image: "web:1"},
		{Name: "proxy", Image: "web:1", RestartPolicy: &always,
			StartupProbe: &model.Probe{HTTPGet: &model.HTTPGetAction{Port: model.FromInt32(15000)}, PeriodSeconds: 1, FailureThreshold: 30}},
	}
	e.createBound(t, p)
	e.run(2 * time.Second)
	got := e.pod(t, "p")
	require.Equal(t, model.PodPending, got.Status.Phase)
	require.Equal(t, "containers with incomplete status: [setup proxy]", got.Status.Condition(model.PodInitialized).Message)
	require.Equal(t, "PodInitializing", got.Status.ContainerStatuses[0].State.Waiting.Reason)
	e.run(time.Minute)
	// setup runs 0-3 s (noticed at 3 s), then proxy starts and passes its
	// startup probe at 7 s, then web starts.
	require.Equal(t, []string{"Started@0 setup", "Started@3 proxy", "Started@7 web"}, e.events("default/p", "Started"))
	got = e.pod(t, "p")
	require.Equal(t, model.PodRunning, got.Status.Phase)
	require.True(t, got.IsReady())
	require.Equal(t, at(7*time.Second), *got.Status.Condition(model.PodInitialized).LastTransitionTime)
	require.NotNil(t, got.Status.InitContainerStatuses[1].State.Running, "the sidecar keeps running")
}

func TestKubeletRestartAdoptsContainers(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	e.createBound(t, webPod("web", ""))
	e.run(30 * time.Second)
	e.kl.Stop()
	e.run(60 * time.Second)
	e.kl.Start()
	e.run(90 * time.Second)
	got := e.pod(t, "web")
	require.True(t, got.IsReady())
	require.Equal(t, int32(0), got.Status.ContainerStatuses[0].RestartCount, "the running container was adopted")
	require.Len(t, e.rec.Kinds("Started"), 1)
}

func TestCrashAndRecover(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	e.createBound(t, webPod("web", ""))
	e.run(30 * time.Second)
	e.kl.Crash()
	e.run(2 * time.Minute)
	o, _ := e.s.Get("Lease", model.NamespaceNodeLease, "n1")
	require.Equal(t, at(30*time.Second), *o.(*model.Lease).Spec.RenewTime, "a dead node renews nothing")
	require.True(t, e.pod(t, "web").IsReady(), "nothing was reported")
	e.kl.Recover()
	e.run(3 * time.Minute)
	got := e.pod(t, "web")
	cs := got.Status.ContainerStatuses[0]
	require.NotNil(t, cs.State.Running)
	require.Equal(t, int32(1), cs.RestartCount)
	require.Equal(t, "Unknown", cs.LastTerminationState.Terminated.Reason)
	require.Equal(t, int32(255), cs.LastTerminationState.Terminated.ExitCode)
	require.True(t, got.IsReady())
}

func TestRuntimeDownMakesNodeNotReady(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	e.run(5 * time.Second)
	e.kl.SetRuntimeReady(false)
	e.run(10 * time.Second)
	o, _ := e.s.Get("Node", "", "n1")
	n := o.(*model.Node)
	require.False(t, n.IsReady())
	require.Equal(t, "container runtime is down", n.Status.Condition(model.NodeReady).Message)
	e.createBound(t, webPod("web", ""))
	e.run(30 * time.Second)
	require.Empty(t, e.rec.Kinds("Started"), "no container starts while the runtime is down")
	e.kl.SetRuntimeReady(true)
	e.run(40 * time.Second)
	require.Equal(t, []string{"NodeReady@0.001", "NodeNotReady@5.001", "NodeReady@30.001"}, e.events("n1"))
	require.Len(t, e.rec.Kinds("Started"), 1)
}

func TestOrphansCleanedAfterRestart(t *testing.T) {
	e := newEnv(t, instant(), "web:1")
	e.kl.Start()
	e.createBound(t, webPod("web", ""))
	e.run(5 * time.Second)
	e.kl.Stop()
	require.NoError(t, e.s.DeleteWith("Pod", "default", "web", model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)}))
	e.run(10 * time.Second)
	require.Len(t, e.m.Containers(), 1, "nobody stops the container while the kubelet is down")
	e.kl.Start()
	e.run(30 * time.Second)
	require.Empty(t, e.m.Containers())
}

func TestSameSeedSameJournal(t *testing.T) {
	run := func() []string {
		cfg := Config{JitterFactor: DefaultJitterFactor} // default latencies: random
		e := newEnv(t, cfg, "web:1")
		e.kl.Start()
		for i := range 5 {
			p := webPod(fmt.Sprintf("p%d", i), `{runFor: {exponential: {mean: 20}}, failureRatio: "1/2", readyAfter: {uniform: {min: 1, max: 5}}}`)
			p.Spec.Containers[0].ReadinessProbe = &model.Probe{HTTPGet: &model.HTTPGetAction{Port: model.FromInt32(80)}, PeriodSeconds: 3}
			e.createBound(t, p)
		}
		e.run(10 * time.Minute)
		var out []string
		for _, ev := range e.rec.Events {
			out = append(out, string(ev.AppendJSON(nil)))
		}
		return out
	}
	a, b := run(), run()
	require.Greater(t, len(a), 50)
	require.Equal(t, a, b)
}
