package nodelifecycle

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// heartbeat renews a node's Lease every 10 s while alive.
type heartbeat struct {
	k     *sim.Kernel
	s     *apiserver.Server
	node  string
	alive bool
}

func (h *heartbeat) run() {
	var tick func(sim.Time)
	tick = func(sim.Time) {
		if h.alive {
			now := h.k.Now().Wall(start)
			o, err := h.s.Get("Lease", model.NamespaceNodeLease, h.node)
			if err != nil {
				_, err = h.s.Create(&model.Lease{ObjectMeta: model.ObjectMeta{Name: h.node, Namespace: model.NamespaceNodeLease},
					Spec: model.LeaseSpec{HolderIdentity: model.Ptr(h.node), LeaseDurationSeconds: model.Ptr[int32](40), RenewTime: &now}})
				if err != nil {
					panic(err)
				}
			} else {
				l := model.DeepCopy(o.(*model.Lease))
				l.Spec.RenewTime = &now
				if _, err := h.s.Update(l); err != nil {
					panic(err)
				}
			}
		}
		h.k.AfterFunc(10*time.Second, tick)
	}
	h.k.AfterFunc(0, tick)
}

// revive posts Ready=True again, as a restarted kubelet does.
func (h *heartbeat) revive() {
	h.alive = true
	o, _ := h.s.Get("Node", "", h.node)
	n := model.DeepCopy(o.(*model.Node))
	now := h.k.Now().Wall(start)
	for i := range n.Status.Conditions {
		c := &n.Status.Conditions[i]
		c.LastHeartbeatTime = &now
		if c.Type == model.NodeReady {
			c.Status, c.Reason, c.LastTransitionTime = model.ConditionTrue, "KubeletReady", &now
		} else {
			c.Status, c.Reason, c.LastTransitionTime = model.ConditionFalse, "KubeletHasSufficientMemory", &now
		}
	}
	if _, err := h.s.Update(n); err != nil {
		panic(err)
	}
}

type env struct {
	k     *sim.Kernel
	s     *apiserver.Server
	rec   *sim.Recorder
	beats map[string]*heartbeat
}

func newEnv(t *testing.T, zones map[string]string) *env {
	k := sim.NewKernel(1)
	s := apiserver.New(k, start)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	e := &env{k: k, s: s, rec: rec, beats: map[string]*heartbeat{}}
	for _, name := range model.SortedKeys(zones) {
		now := start
		_, err := s.Create(&model.Node{ObjectMeta: model.ObjectMeta{Name: name, Labels: map[string]string{model.LabelTopologyZone: zones[name]}},
			Status: model.NodeStatus{Conditions: []model.NodeCondition{{Type: model.NodeReady, Status: model.ConditionTrue,
				Reason: "KubeletReady", LastHeartbeatTime: &now, LastTransitionTime: &now}}}})
		require.NoError(t, err)
		h := &heartbeat{k: k, s: s, node: name, alive: true}
		h.run()
		e.beats[name] = h
	}
	cfg := DefaultConfig()
	cfg.Start = start
	New(k, s.NewClient, cfg).Start()
	return e
}

func (e *env) pod(t *testing.T, name, node string, tols ...model.Toleration) {
	o, err := e.s.Create(&model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default"}, Spec: model.PodSpec{
		Tolerations: tols, Containers: []model.Container{{Name: "c", Image: "x:1"}}}})
	require.NoError(t, err)
	require.NoError(t, e.s.Bind("default", name, node))
	o, _ = e.s.Get("Pod", "default", name)
	p := model.DeepCopy(o.(*model.Pod))
	now := e.k.Now().Wall(start)
	p.Status.Phase = model.PodRunning
	p.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
	_, err = e.s.Update(p)
	require.NoError(t, err)
}

func (e *env) node(t *testing.T, name string) *model.Node {
	o, err := e.s.Get("Node", "", name)
	require.NoError(t, err)
	return o.(*model.Node)
}

func (e *env) getPod(t *testing.T, name string) *model.Pod {
	o, err := e.s.Get("Pod", "default", name)
	require.NoError(t, err)
	return o.(*model.Pod)
}

func taintKeys(n *model.Node) []string {
	var out []string
	for _, t := range n.Spec.Taints {
		out = append(out, t.String())
	}
	return out
}

func TestUnreachableNodeIsTaintedAndPodsEvicted(t *testing.T) {
	e := newEnv(t, map[string]string{"n1": "a", "n2": "a", "n3": "a"})
	e.pod(t, "quick", "n1", model.Toleration{Key: model.TaintNodeUnreachable, Operator: model.TolerationOpExists,
		Effect: model.TaintEffectNoExecute, TolerationSeconds: model.Ptr[int64](10)})
	e.pod(t, "default", "n1")
	e.pod(t, "forever", "n1", model.Toleration{Operator: model.TolerationOpExists})
	e.pod(t, "elsewhere", "n2")
	e.k.Run(sim.Time(time.Minute))
	require.Empty(t, e.rec.Kinds("NodeNotReady"))

	// n1's kubelet dies at 60 s; its last lease renewal was at 60 s.
	e.beats["n1"].alive = false
	e.k.Run(sim.Time(2*time.Minute + 10*time.Second))
	n1 := e.node(t, "n1")
	ready := n1.Status.Condition(model.NodeReady)
	require.Equal(t, model.ConditionUnknown, ready.Status)
	require.Equal(t, "NodeStatusUnknown", ready.Reason)
	nnr := e.rec.Kinds("NodeNotReady")
	require.Equal(t, "n1", nnr[0].Object)
	require.Equal(t, Source, nnr[0].Source)
	// Seen renewed at a monitor pass in (60, 65] s, Unknown at the first
	// pass more than 50 s later.
	require.Greater(t, time.Duration(nnr[0].T), 110*time.Second)
	require.LessOrEqual(t, time.Duration(nnr[0].T), 121*time.Second)
	// The pass that writes Unknown still acts on the Ready=True it read;
	// the next one (5 s later) queues the node, tainted at the next
	// 100 ms tick.
	require.InDelta(t, float64(nnr[0].T.Add(5*time.Second+100*time.Millisecond)), float64(e.rec.Kinds("TaintedNode")[0].T), float64(2*time.Millisecond))
	require.ElementsMatch(t, []string{"node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"}, taintKeys(n1))
	require.Equal(t, model.ConditionFalse, e.getPod(t, "default").Status.Condition(model.PodReady).Status, "pods on the node are marked not ready")
	require.Equal(t, model.ConditionTrue, e.getPod(t, "elsewhere").Status.Condition(model.PodReady).Status)

	// The pod tolerating 10 s is deleted 10 s after the taint; the one
	// with the admission's 300 s default waits; the one tolerating
	// everything stays.
	var taintedAt sim.Time
	for _, ev := range e.rec.Kinds("TaintedNode") {
		if ev.Object == "n1" {
			taintedAt = ev.T
		}
	}
	require.NotZero(t, taintedAt)
	e.k.Run(sim.Time(2*time.Minute + 20*time.Second))
	ev := e.rec.Kinds("TaintManagerEviction")
	require.Len(t, ev, 1)
	require.Equal(t, "default/quick", ev[0].Object)
	require.Equal(t, TaintEvictionSource, ev[0].Source)
	require.Equal(t, "Marking for deletion Pod default/quick", ev[0].Field("message"))
	require.InDelta(t, float64(10*time.Second), float64(ev[0].T-taintedAt), float64(10*time.Millisecond))
	q := e.getPod(t, "quick")
	require.NotNil(t, q.DeletionTimestamp, "graceful deletion; the dead kubelet never confirms it")
	require.Equal(t, "DeletionByTaintManager", q.Status.Condition(model.DisruptionTarget).Reason)

	e.k.Run(sim.Time(8 * time.Minute))
	var marked []string
	for _, ev := range e.rec.Kinds("TaintManagerEviction") {
		marked = append(marked, ev.Object)
	}
	require.Equal(t, []string{"default/quick", "default/default"}, marked)
	require.Nil(t, e.getPod(t, "forever").DeletionTimestamp)

	// The kubelet comes back: taints go, the controller sees it Ready.
	e.beats["n1"].revive()
	e.k.Run(sim.Time(9 * time.Minute))
	require.Empty(t, e.node(t, "n1").Spec.Taints)
	require.Len(t, e.rec.Kinds("NodeReady"), 1)
}

func TestPartialDisruptionStopsTaintingSmallZone(t *testing.T) {
	e := newEnv(t, map[string]string{"a1": "a", "a2": "a", "a3": "a", "a4": "a", "b1": "b"})
	e.k.Run(sim.Time(time.Minute))
	for _, n := range []string{"a1", "a2", "a3"} {
		e.beats[n].alive = false
	}
	e.k.Run(sim.Time(5 * time.Minute))
	tainted := 0
	for _, n := range []string{"a1", "a2", "a3"} {
		require.Equal(t, model.ConditionUnknown, e.node(t, n).Status.Condition(model.NodeReady).Status)
		for _, tt := range e.node(t, n).Spec.Taints {
			if tt.Effect == model.TaintEffectNoExecute {
				tainted++
			}
		}
	}
	require.LessOrEqual(t, tainted, 1, "3 of 4 nodes down in a zone of 4 (<= 50): tainting stops")
	var states []any
	for _, ev := range e.rec.Kinds("ZoneStateChanged") {
		states = append(states, ev.Field("state"))
	}
	require.Contains(t, states, string(StatePartialDisruption))
}

func TestFullDisruptionRemovesTaints(t *testing.T) {
	e := newEnv(t, map[string]string{"a1": "a", "b1": "b"})
	e.k.Run(sim.Time(time.Minute))
	e.beats["a1"].alive = false
	e.k.Run(sim.Time(3 * time.Minute))
	require.Contains(t, taintKeys(e.node(t, "a1")), "node.kubernetes.io/unreachable:NoExecute")
	// Now every node in every zone stops: the controller assumes it is the
	// one cut off and removes the NoExecute taints.
	e.beats["b1"].alive = false
	e.k.Run(sim.Time(6 * time.Minute))
	for _, n := range []string{"a1", "b1"} {
		for _, tt := range e.node(t, n).Spec.Taints {
			require.NotEqual(t, model.TaintEffectNoExecute, tt.Effect, n)
		}
	}
	require.NotEmpty(t, e.rec.Kinds("MasterDisruptionMode"))
}
