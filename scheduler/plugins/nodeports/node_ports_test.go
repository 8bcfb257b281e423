package nodeports

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// newPod is upstream node_ports_test.go newPod: "PROTO/IP/PORT" host ports
// on one container.
func newPod(host string, hostPortInfos ...string) *model.Pod {
	var ports []model.ContainerPort
	for _, info := range hostPortInfos {
		parts := strings.Split(info, "/")
		port, _ := strconv.Atoi(parts[2])
		ports = append(ports, model.ContainerPort{HostIP: parts[1], HostPort: int32(port), Protocol: model.Protocol(parts[0])})
	}
	p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "p", Namespace: "default"}}
	p.Spec.NodeName = host
	p.Spec.Containers = []model.Container{{Name: "c", Ports: ports}}
	return p
}

func nodeInfo(pods ...*model.Pod) *framework.NodeInfo {
	ni := framework.NewNodeInfo(pods...)
	ni.SetNode(&model.Node{ObjectMeta: model.ObjectMeta{Name: "m1"}})
	return ni
}

// Cases from upstream node_ports_test.go TestNodePorts.
func TestNodePorts(t *testing.T) {
	conflict := framework.NewStatus(framework.Unschedulable, ErrReason)
	tests := []struct {
		name          string
		pod           *model.Pod
		nodeInfo      *framework.NodeInfo
		wantPreFilter *framework.Status
		wantFilter    *framework.Status
	}{
		{name: "skip filter", pod: &model.Pod{}, nodeInfo: nodeInfo(), wantPreFilter: framework.NewStatus(framework.Skip)},
		{name: "other port", pod: newPod("m1", "UDP/127.0.0.1/8080"), nodeInfo: nodeInfo(newPod("m1", "UDP/127.0.0.1/9090"))},
		{name: "same udp port", pod: newPod("m1", "UDP/127.0.0.1/8080"), nodeInfo: nodeInfo(newPod("m1", "UDP/127.0.0.1/8080")), wantFilter: conflict},
		{name: "same tcp port", pod: newPod("m1", "TCP/127.0.0.1/8080"), nodeInfo: nodeInfo(newPod("m1", "TCP/127.0.0.1/8080")), wantFilter: conflict},
		{name: "different host ip", pod: newPod("m1", "TCP/127.0.0.1/8080"), nodeInfo: nodeInfo(newPod("m1", "TCP/127.0.0.2/8080"))},
		{name: "different protocol", pod: newPod("m1", "UDP/127.0.0.1/8080"), nodeInfo: nodeInfo(newPod("m1", "TCP/127.0.0.1/8080"))},
		{name: "second udp port conflict", pod: newPod("m1", "UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"),
			nodeInfo: nodeInfo(newPod("m1", "UDP/127.0.0.1/8080")), wantFilter: conflict},
		{name: "first tcp port conflict", pod: newPod("m1", "TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"),
			nodeInfo: nodeInfo(newPod("m1", "TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081")), wantFilter: conflict},
		{name: "first tcp port conflict due to 0.0.0.0 hostIP", pod: newPod("m1", "TCP/0.0.0.0/8001"),
			nodeInfo: nodeInfo(newPod("m1", "TCP/127.0.0.1/8001")), wantFilter: conflict},
		{name: "TCP hostPort conflict due to 0.0.0.0 hostIP", pod: newPod("m1", "TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"),
			nodeInfo: nodeInfo(newPod("m1", "TCP/127.0.0.1/8001")), wantFilter: conflict},
		{name: "second tcp port conflict to 0.0.0.0 hostIP", pod: newPod("m1", "TCP/127.0.0.1/8001"),
			nodeInfo: nodeInfo(newPod("m1", "TCP/0.0.0.0/8001")), wantFilter: conflict},
		{name: "second different protocol", pod: newPod("m1", "UDP/127.0.0.1/8001"), nodeInfo: nodeInfo(newPod("m1", "TCP/0.0.0.0/8001"))},
		{name: "UDP hostPort conflict due to 0.0.0.0 hostIP", pod: newPod("m1", "UDP/127.0.0.1/8001"),
			nodeInfo: nodeInfo(newPod("m1", "TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001")), wantFilter: conflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := New(nil, nil)
			pl := p.(*NodePorts)
			state := framework.NewCycleState()
			_, s := pl.PreFilter(state, tc.pod, nil)
			assert.Equal(t, tc.wantPreFilter, s)
			if s.IsSkip() {
				return
			}
			assert.Equal(t, tc.wantFilter, pl.Filter(state, tc.pod, tc.nodeInfo))
		})
	}
}

// TestPreFilterDisabled: upstream TestPreFilterDisabled — Filter without
// PreFilter state is an error.
func TestPreFilterDisabled(t *testing.T) {
	p, _ := New(nil, nil)
	s := p.(*NodePorts).Filter(framework.NewCycleState(), &model.Pod{}, nodeInfo())
	assert.Equal(t, framework.Error, s.Code())
}

// TestHostPorts: the container part follows upstream node_ports_test.go
// TestGetContainerPorts (ports with hostPort > 0 in order, 8005 without one
// dropped); the init-container part follows the rule of upstream
// pkg/scheduler/util GetHostPorts (only restartable init containers, listed
// first; ordinary init containers do not hold ports while the pod runs).
func TestHostPorts(t *testing.T) {
	always := model.ContainerRestartPolicyAlways
	p := &model.Pod{}
	p.Spec.InitContainers = []model.Container{
		{Name: "init", Ports: []model.ContainerPort{{ContainerPort: 7000, HostPort: 7000}}},
		{Name: "sidecar", RestartPolicy: &always, Ports: []model.ContainerPort{{ContainerPort: 7001, HostPort: 7001}, {ContainerPort: 7002}}},
	}
	p.Spec.Containers = []model.Container{
		{Name: "a", Ports: []model.ContainerPort{{ContainerPort: 8001, HostPort: 8001, Protocol: model.ProtocolTCP}, {ContainerPort: 8002, HostPort: 8002, Protocol: model.ProtocolTCP}}},
		{Name: "b", Ports: []model.ContainerPort{{ContainerPort: 8003, HostPort: 8003, Protocol: model.ProtocolTCP}, {ContainerPort: 8005, Protocol: model.ProtocolTCP}}},
	}
	var got []int32
	for _, port := range HostPorts(p) {
		got = append(got, port.HostPort)
	}
	assert.Equal(t, []int32{7001, 8001, 8002, 8003}, got)
	assert.Nil(t, HostPorts(nil))
}

// Test_isSchedulableAfterPodDeleted: upstream node_ports_test.go
// Test_isSchedulableAfterPodDeleted.
func Test_isSchedulableAfterPodDeleted(t *testing.T) {
	withPort := func(node string, port int32) *model.Pod {
		p := &model.Pod{}
		p.Spec.NodeName = node
		p.Spec.Containers = []model.Container{{Name: "c"}}
		if port > 0 {
			p.Spec.Containers[0].Ports = []model.ContainerPort{{HostPort: port}}
		}
		return p
	}
	tests := []struct {
		name    string
		oldObj  model.Object
		want    framework.QueueingHint
		wantErr bool
	}{
		{name: "backoff-wrong-old-object", oldObj: &model.Node{}, want: framework.Queue, wantErr: true},
		{name: "skip-queue-on-unscheduled", oldObj: withPort("", 0), want: framework.QueueSkip},
		{name: "skip-queue-on-non-hostport", oldObj: withPort("fake-node", 0), want: framework.QueueSkip},
		{name: "skip-queue-on-unrelated-hostport", oldObj: withPort("fake-node", 8081), want: framework.QueueSkip},
		{name: "queue-on-released-hostport", oldObj: withPort("fake-node", 8080), want: framework.Queue},
	}
	p, _ := New(nil, nil)
	pl := p.(*NodePorts)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pl.isSchedulableAfterPodDeleted(withPort("", 8080), tc.oldObj, nil)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestEventsToRegister: upstream EventsToRegister with queueing hints on.
func TestEventsToRegister(t *testing.T) {
	p, _ := New(nil, nil)
	ev := p.(*NodePorts).EventsToRegister()
	require.Len(t, ev, 2)
	assert.Equal(t, framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Delete}, ev[0].Event)
	assert.Equal(t, framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add}, ev[1].Event)
}

func TestFilterDoesNotAllocate(t *testing.T) {
	p, _ := New(nil, nil)
	pl := p.(*NodePorts)
	pod := newPod("", "TCP/127.0.0.1/8080", "UDP/0.0.0.0/53")
	state := framework.NewCycleState()
	pl.PreFilter(state, pod, nil)
	ni := nodeInfo(newPod("m1", "TCP/127.0.0.1/9090"), newPod("m1", "UDP/10.0.0.1/54"))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = pl.Filter(state, pod, ni) }))
}
