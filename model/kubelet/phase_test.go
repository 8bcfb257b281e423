package kubelet

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func running() *model.ContainerStatus {
	return &model.ContainerStatus{State: model.ContainerState{Running: &model.ContainerStateRunning{}}}
}

func waiting() *model.ContainerStatus {
	return &model.ContainerStatus{State: model.ContainerState{Waiting: &model.ContainerStateWaiting{Reason: "ContainerCreating"}}}
}

func exited(code int32) *model.ContainerStatus {
	return &model.ContainerStatus{State: model.ContainerState{Terminated: &model.ContainerStateTerminated{ExitCode: code}}}
}

// restarting is waiting (CrashLoopBackOff) after an exit.
func restarting(code int32) *model.ContainerStatus {
	return &model.ContainerStatus{State: model.ContainerState{Waiting: &model.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		LastTerminationState: model.ContainerState{Terminated: &model.ContainerStateTerminated{ExitCode: code}}}
}

// Cases after upstream's TestPodPhaseWithRestart*, TestPodPhaseWithInitContainers
// and the sidecar cases of pkg/kubelet/kubelet_pods_test.go.
func TestGetPhase(t *testing.T) {
	sidecar := model.ContainerRestartPolicyAlways
	for _, tt := range []struct {
		name        string
		policy      model.RestartPolicy
		init        []string // names; "s:" prefix makes a sidecar
		initStatus  map[string]containerView
		status      map[string]containerView
		terminal    bool
		initialized bool
		want        model.PodPhase
	}{
		{"all running", model.RestartPolicyAlways, nil, nil,
			map[string]containerView{"a": {Status: running()}, "b": {Status: running()}}, false, true, model.PodRunning},
		{"one not started yet", model.RestartPolicyAlways, nil, nil,
			map[string]containerView{"a": {Status: running()}}, false, true, model.PodPending},
		{"one waiting", model.RestartPolicyAlways, nil, nil,
			map[string]containerView{"a": {Status: running()}, "b": {Status: waiting()}}, false, true, model.PodPending},
		{"all stopped, Always restarts", model.RestartPolicyAlways, nil, nil,
			map[string]containerView{"a": {Status: exited(0)}, "b": {Status: exited(1)}}, false, true, model.PodRunning},
		{"all succeeded, OnFailure", model.RestartPolicyOnFailure, nil, nil,
			map[string]containerView{"a": {Status: exited(0)}, "b": {Status: exited(0)}}, false, true, model.PodSucceeded},
		{"a failure, OnFailure restarts", model.RestartPolicyOnFailure, nil, nil,
			map[string]containerView{"a": {Status: exited(0)}, "b": {Status: exited(1)}}, false, true, model.PodRunning},
		{"a failure, Never", model.RestartPolicyNever, nil, nil,
			map[string]containerView{"a": {Status: exited(0)}, "b": {Status: exited(1)}}, false, true, model.PodFailed},
		{"crash looping counts as stopped", model.RestartPolicyAlways, nil, nil,
			map[string]containerView{"a": {Status: restarting(1)}, "b": {Status: running()}}, false, true, model.PodRunning},
		{"terminal with failures", model.RestartPolicyAlways, nil, nil,
			map[string]containerView{"a": {Status: exited(0)}, "b": {Status: exited(137)}}, true, true, model.PodFailed},
		{"terminal all zero", model.RestartPolicyAlways, nil, nil,
			map[string]containerView{"a": {Status: exited(0)}, "b": {Status: exited(0)}}, true, true, model.PodSucceeded},
		{"init running", model.RestartPolicyAlways, []string{"i"}, map[string]containerView{"i": {Status: running()}},
			map[string]containerView{"a": {Status: waiting()}, "b": {Status: waiting()}}, false, false, model.PodPending},
		{"init failed, Never", model.RestartPolicyNever, []string{"i"}, map[string]containerView{"i": {Status: exited(1)}},
			map[string]containerView{"a": {Status: waiting()}, "b": {Status: waiting()}}, false, false, model.PodFailed},
		{"init failed, Always retries", model.RestartPolicyAlways, []string{"i"}, map[string]containerView{"i": {Status: restarting(1)}},
			map[string]containerView{"a": {Status: waiting()}, "b": {Status: waiting()}}, false, false, model.PodPending},
		{"init done", model.RestartPolicyAlways, []string{"i"}, map[string]containerView{"i": {Status: exited(0)}},
			map[string]containerView{"a": {Status: running()}, "b": {Status: running()}}, false, true, model.PodRunning},
		{"sidecar not started", model.RestartPolicyAlways, []string{"s:side"}, map[string]containerView{"side": {Status: running()}},
			map[string]containerView{"a": {Status: waiting()}, "b": {Status: waiting()}}, false, false, model.PodPending},
		{"sidecar started, app running", model.RestartPolicyAlways, []string{"s:side"}, map[string]containerView{"side": {Status: running(), Started: true}},
			map[string]containerView{"a": {Status: running()}, "b": {Status: running()}}, false, true, model.PodRunning},
		{"sidecar restarting after init", model.RestartPolicyAlways, []string{"s:side"}, map[string]containerView{"side": {Status: waiting()}},
			map[string]containerView{"a": {Status: running()}, "b": {Status: running()}}, false, true, model.PodRunning},
		{"job done, sidecar still running", model.RestartPolicyNever, []string{"s:side"}, map[string]containerView{"side": {Status: running(), Started: true}},
			map[string]containerView{"a": {Status: exited(0)}, "b": {Status: exited(0)}}, false, true, model.PodSucceeded},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := model.PodSpec{RestartPolicy: tt.policy, Containers: []model.Container{{Name: "a"}, {Name: "b"}}}
			for _, n := range tt.init {
				c := model.Container{Name: n}
				if len(n) > 2 && n[:2] == "s:" {
					c.Name, c.RestartPolicy = n[2:], &sidecar
				}
				spec.InitContainers = append(spec.InitContainers, c)
			}
			require.Equal(t, tt.want, getPhase(&spec, tt.initStatus, tt.status, tt.terminal, tt.initialized))
		})
	}
}

func TestOOMScoreAdj(t *testing.T) {
	const capacity = 10 << 30
	pod := func(req, lim model.ResourceList) *model.Pod {
		return &model.Pod{Spec: model.PodSpec{Containers: []model.Container{{Name: "c",
			Resources: model.ResourceRequirements{Requests: req, Limits: lim}}}}}
	}
	q := model.MustParseQuantity
	for _, tt := range []struct {
		name string
		pod  *model.Pod
		want int
	}{
		{"guaranteed", pod(model.ResourceList{"cpu": q("1"), "memory": q("1Gi")}, model.ResourceList{"cpu": q("1"), "memory": q("1Gi")}), -997},
		{"besteffort", pod(nil, nil), 1000},
		{"burstable 10%", pod(model.ResourceList{"memory": q("1Gi")}, nil), 900},
		{"burstable tiny request", pod(model.ResourceList{"cpu": q("100m")}, nil), 999},
		{"burstable over capacity", pod(model.ResourceList{"memory": q("20Gi")}, model.ResourceList{"memory": q("30Gi")}), 3},
	} {
		require.Equal(t, tt.want, OOMScoreAdj(tt.pod, &tt.pod.Spec.Containers[0], capacity), tt.name)
	}
}

func TestRankForEviction(t *testing.T) {
	mk := func(key string, usage, request int64, prio int32) evictionCandidate {
		return evictionCandidate{ps: &podState{key: key}, usage: usage, request: request, priority: prio}
	}
	c := []evictionCandidate{
		mk("guaranteed", 100, 100, 0),   // within its request
		mk("small-over", 150, 100, 0),   // over by 50
		mk("big-over", 400, 100, 0),     // over by 300
		mk("besteffort", 80, 0, 0),      // over by 80 (request 0)
		mk("high-prio", 900, 100, 1000), // over, but higher priority
		mk("low-under", 10, 100, -5),    // under its request, lowest priority
	}
	rankPods(c)
	var got []string
	for _, x := range c {
		got = append(got, x.ps.key)
	}
	require.Equal(t, []string{"big-over", "besteffort", "small-over", "high-prio", "low-under", "guaranteed"}, got)
}
