package kubelet

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/model/hardware"
	"github.com/kubesim/kubesim/sim"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// env is one node with its kubelet on an ideal API server.
type env struct {
	k   *sim.Kernel
	s   *apiserver.Server
	m   *hardware.SimMachine
	kl  *Kubelet
	rec *sim.Recorder
	// exits are the machine's exit reports, in order.
	exits []hardware.ContainerStatus
}

func at(d time.Duration) time.Time { return start.Add(d) }

func newEnv(t *testing.T, cfg Config, images ...string) *env {
	t.Helper()
	k := sim.NewKernel(1)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	s := apiserver.New(k, start)
	node := &model.Node{ObjectMeta: model.ObjectMeta{Name: "n1", Labels: map[string]string{"zone": "a"}},
		Status: model.NodeStatus{Capacity: model.ResourceList{
			model.ResourceCPU: model.MustParseQuantity("4"), model.ResourceMemory: model.MustParseQuantity("8Gi"),
			model.ResourcePods: model.MustParseQuantity("110"), model.ResourceEphemeralStorage: model.MustParseQuantity("100Gi"),
		}}}
	var imgs []model.ContainerImage
	for _, img := range images {
		imgs = append(imgs, model.ContainerImage{Names: []string{img}, SizeBytes: 10 << 20})
	}
	m := hardware.NewSimMachine(k, "n1", node.Status.Capacity, hardware.Profile{Images: imgs})
	cfg.Start = start
	if cfg.JitterFactor == 0 {
		cfg.JitterFactor = -1
	}
	if cfg.SandboxLatency == nil {
		cfg.SandboxLatency = model.Seconds(500 * time.Millisecond)
	}
	if cfg.ContainerCreateLatency == nil {
		cfg.ContainerCreateLatency = model.Seconds(time.Second)
	}
	kl := New(k, s.NewClient, node, m, nil, cfg)
	e := &env{k: k, s: s, m: m, kl: kl, rec: rec}
	m.SetExitHandler(func(st hardware.ContainerStatus) {
		e.exits = append(e.exits, st)
		kl.onExit(st)
	})
	return e
}

func (e *env) run(d time.Duration) { e.k.Run(sim.Time(d)) }

// createBound creates a pod and binds it to n1 at the current instant.
func (e *env) createBound(t *testing.T, p *model.Pod) {
	t.Helper()
	_, err := e.s.Create(p)
	require.NoError(t, err)
	require.NoError(t, e.s.Bind("default", p.Name, "n1"))
}

func (e *env) pod(t *testing.T, name string) *model.Pod {
	t.Helper()
	o, err := e.s.Get("Pod", "default", name)
	require.NoError(t, err)
	return o.(*model.Pod)
}

// events lists "kind@seconds container message" for one object.
func (e *env) events(object string, kinds ...string) []string {
	want := map[string]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	var out []string
	for _, ev := range e.rec.Events {
		if ev.Object != object || (len(kinds) > 0 && !want[ev.Kind]) {
			continue
		}
		s := fmt.Sprintf("%s@%g", ev.Kind, ev.T.Seconds())
		if c, ok := ev.Field("container").(string); ok {
			s += " " + c
		}
		out = append(out, s)
	}
	return out
}

func webPod(name string, behavior string) *model.Pod {
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Annotations: map[string]string{}},
		Spec: model.PodSpec{Containers: []model.Container{{Name: "web", Image: "web:1",
			Resources: model.ResourceRequirements{Requests: model.ResourceList{
				model.ResourceCPU: model.MustParseQuantity("500m"), model.ResourceMemory: model.MustParseQuantity("256Mi")}}}}}}
	if behavior != "" {
		p.Annotations[model.BehaviorAnnotation] = behavior
	}
	return p
}

func TestRegistersNodeAndHeartbeats(t *testing.T) {
	e := newEnv(t, Config{})
	e.kl.Start()
	e.run(65 * time.Second)
	o, err := e.s.Get("Node", "", "n1")
	require.NoError(t, err)
	n := o.(*model.Node)
	require.True(t, n.IsReady())
	require.Equal(t, "kubelet is posting ready status", n.Status.Condition(model.NodeReady).Message)
	require.Equal(t, model.ConditionFalse, n.Status.Condition(model.NodeMemoryPressure).Status)
	require.Equal(t, []string{"NodeReady@0.001"}, e.events("n1"))
	o, err = e.s.Get("Lease", model.NamespaceNodeLease, "n1")
	require.NoError(t, err)
	l := o.(*model.Lease)
	require.Equal(t, int32(40), *l.Spec.LeaseDurationSeconds)
	require.Equal(t, at(60*time.Second), *l.Spec.RenewTime, "renewed every 10 s")
	// Unchanged status is not posted again before the 5-minute report.
	require.Equal(t, at(0), *n.Status.Condition(model.NodeReady).LastHeartbeatTime)
	e.run(5*time.Minute + 15*time.Second)
	o, _ = e.s.Get("Node", "", "n1")
	require.Equal(t, at(5*time.Minute+10*time.Second), *o.(*model.Node).Status.Condition(model.NodeReady).LastHeartbeatTime)

	// A stopped kubelet renews nothing.
	e.kl.Stop()
	e.run(10 * time.Minute)
	o, _ = e.s.Get("Lease", model.NamespaceNodeLease, "n1")
	require.Equal(t, at(5*time.Minute+10*time.Second), *o.(*model.Lease).Spec.RenewTime)
}

func TestPodGoesPendingRunningReady(t *testing.T) {
	e := newEnv(t, Config{}, "web:1")
	e.kl.Start()
	e.run(time.Second)
	p := webPod("web", "{readyAfter: 5s}")
	p.Spec.Containers[0].ReadinessProbe = &model.Probe{HTTPGet: &model.HTTPGetAction{Port: model.FromInt32(80)}}
	e.createBound(t, p)

	e.run(2 * time.Second)
	got := e.pod(t, "web")
	require.Equal(t, model.PodPending, got.Status.Phase)
	require.Equal(t, at(time.Second), *got.Status.StartTime)
	require.NotEmpty(t, got.Status.PodIP)
	require.Equal(t, "ContainerCreating", got.Status.ContainerStatuses[0].State.Waiting.Reason)

	e.run(3 * time.Second)
	got = e.pod(t, "web")
	require.Equal(t, model.PodRunning, got.Status.Phase)
	require.Equal(t, at(2500*time.Millisecond), *got.Status.ContainerStatuses[0].State.Running.StartedAt)
	require.False(t, got.IsReady(), "the readiness probe fails until readyAfter")

	e.run(20 * time.Second)
	got = e.pod(t, "web")
	require.True(t, got.IsReady())
	// Probes tick every 10 s from the start (2.5 s): ready at the tick after 7.5 s.
	require.Equal(t, at(12500*time.Millisecond), *got.Status.Condition(model.PodReady).LastTransitionTime)
	require.Equal(t, at(12500*time.Millisecond), *got.Status.Condition(model.ContainersReady).LastTransitionTime)
	require.Equal(t, at(1500*time.Millisecond), *got.Status.Condition(PodReadyToStartContainers).LastTransitionTime)
	require.Equal(t, model.ConditionTrue, got.Status.Condition(model.PodInitialized).Status)
	require.Equal(t, model.ConditionTrue, got.Status.Condition(model.PodScheduled).Status, "the scheduler's condition is kept")
	require.Equal(t, []string{"Pulled@1.5 web", "Created@2.5 web", "Started@2.5 web", "Unhealthy@2.5 web"},
		e.events("default/web", "Pulled", "Created", "Started", "Unhealthy", "Killing"))
	require.Equal(t, []string{"PodStatus@2.5", "PodStatus@12.5"}, e.events("default/web", "PodStatus"))
}

func TestJobPodSucceeds(t *testing.T) {
	e := newEnv(t, Config{}, "web:1")
	e.kl.Start()
	p := webPod("job", "{runFor: 5s}")
	p.Spec.RestartPolicy = model.RestartPolicyNever
	e.createBound(t, p)
	e.run(time.Minute)
	got := e.pod(t, "job")
	require.Equal(t, model.PodSucceeded, got.Status.Phase)
	term := got.Status.ContainerStatuses[0].State.Terminated
	require.NotNil(t, term)
	require.Equal(t, int32(0), term.ExitCode)
	require.Equal(t, "Completed", term.Reason)
	require.Equal(t, at(6500*time.Millisecond), *term.FinishedAt)
	require.Equal(t, "PodCompleted", got.Status.Condition(model.PodReady).Reason)
	// The exit is noticed at the next PLEG relist (1 s grid from the kubelet's start).
	require.Equal(t, []string{"Started@1.5 web", "Completed@7 web"}, e.events("default/job", "Started", "Completed"))
	require.Equal(t, []string{"PodStatus@1.5", "PodStatus@7"}, e.events("default/job", "PodStatus"))
}
