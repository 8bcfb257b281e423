package daemonset

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// fakeNodeAgents binds each new pod to the node its affinity names (the
// scheduler's job), makes it Running and Ready a second later, and
// finishes graceful deletions a second after they start.
func fakeNodeAgents(k *sim.Kernel, s *apiserver.Server) {
	s.Watch("Pod", func(ev model.WatchEvent) {
		p, ok := ev.Object.(*model.Pod)
		if !ok {
			return
		}
		ns, name := p.Namespace, p.Name
		switch {
		case ev.Type == model.Added:
			node, err := targetNodeName(p)
			if err != nil {
				return
			}
			k.AfterFunc(time.Millisecond, func(sim.Time) {
				if s.Bind(ns, name, node) != nil {
					return
				}
				k.AfterFunc(time.Second, func(sim.Time) {
					o, err := s.Get("Pod", ns, name)
					if err != nil || o.GetObjectMeta().DeletionTimestamp != nil {
						return
					}
					cur := model.DeepCopy(o.(*model.Pod))
					now := k.Now().Wall(start)
					cur.Status.Phase = model.PodRunning
					cur.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
					if _, err := s.Update(cur); err != nil {
						panic(err)
					}
				})
			})
		case ev.Type == model.Modified && p.DeletionTimestamp != nil && model.Deref(p.DeletionGracePeriodSeconds, 0) > 0:
			k.AfterFunc(time.Second, func(sim.Time) {
				_ = s.DeleteWith("Pod", ns, name, model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)})
			})
		}
	})
}

type env struct {
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
}

func newEnv(t *testing.T, nodes ...*model.Node) *env {
	k := sim.NewKernel(1)
	s := apiserver.New(k, start)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	for _, n := range nodes {
		_, err := s.Create(n)
		require.NoError(t, err)
	}
	fakeNodeAgents(k, s)
	cfg := DefaultConfig()
	cfg.Start = start
	New(k, s.NewClient, cfg).Start()
	return &env{k: k, s: s, rec: rec}
}

func (e *env) podsByNode() map[string][]*model.Pod {
	objs, _ := e.s.List("Pod")
	out := map[string][]*model.Pod{}
	for _, o := range objs {
		p := o.(*model.Pod)
		out[p.Spec.NodeName] = append(out[p.Spec.NodeName], p)
	}
	return out
}

func (e *env) ds(t *testing.T) *model.DaemonSet {
	o, err := e.s.Get("DaemonSet", "default", "agent")
	require.NoError(t, err)
	return o.(*model.DaemonSet)
}

func TestDaemonSetRunsOnEligibleNodes(t *testing.T) {
	e := newEnv(t, newNode("n1", nil), newNode("n2", nil),
		newNode("gpu", nil, model.Taint{Key: "gpu", Effect: model.TaintEffectNoSchedule}),
		newNode("cordoned", nil, model.Taint{Key: model.TaintNodeUnschedulable, Effect: model.TaintEffectNoSchedule}))
	ds := newDS("agent")
	ds.UID = ""
	_, err := e.s.Create(ds)
	require.NoError(t, err)
	e.k.Run(sim.Time(10 * time.Second))

	byNode := e.podsByNode()
	require.Len(t, byNode["n1"], 1)
	require.Len(t, byNode["n2"], 1)
	require.Len(t, byNode["cordoned"], 1, "daemons tolerate unschedulable")
	require.Empty(t, byNode["gpu"])
	p := byNode["n1"][0]
	require.Equal(t, "DaemonSet", p.ControllerRef().Kind)
	require.Equal(t, ComputeHash(&e.ds(t).Spec.Template), p.Labels[LabelRevisionHash])
	require.Equal(t, "n1", p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchFields[0].Values[0])
	st := e.ds(t).Status
	require.Equal(t, int32(3), st.DesiredNumberScheduled)
	require.Equal(t, int32(3), st.CurrentNumberScheduled)
	require.Equal(t, int32(3), st.NumberReady)
	require.Equal(t, int32(3), st.NumberAvailable)
	require.Equal(t, int32(3), st.UpdatedNumberScheduled)
	require.Equal(t, e.ds(t).Generation, st.ObservedGeneration)
	require.Len(t, e.rec.Kinds("SuccessfulCreate"), 3)
	require.Equal(t, Source, e.rec.Kinds("SuccessfulCreate")[0].Source)

	// A new node gets a pod; a NoExecute taint evicts it.
	_, err = e.s.Create(newNode("n3", nil))
	require.NoError(t, err)
	e.k.Run(sim.Time(20 * time.Second))
	require.Len(t, e.podsByNode()["n3"], 1)
	o, _ := e.s.Get("Node", "", "n1")
	n1 := model.DeepCopy(o.(*model.Node))
	n1.Spec.Taints = []model.Taint{{Key: "drain", Effect: model.TaintEffectNoExecute}}
	_, err = e.s.Update(n1)
	require.NoError(t, err)
	e.k.Run(sim.Time(30 * time.Second))
	require.Empty(t, e.podsByNode()["n1"])
	require.Equal(t, int32(3), e.ds(t).Status.DesiredNumberScheduled)
}

func TestDaemonSetRollingUpdate(t *testing.T) {
	e := newEnv(t, newNode("n1", nil), newNode("n2", nil), newNode("n3", nil))
	ds := newDS("agent")
	ds.UID = ""
	_, err := e.s.Create(ds)
	require.NoError(t, err)
	e.k.Run(sim.Time(10 * time.Second))

	upd := model.DeepCopy(e.ds(t))
	upd.Spec.Template.Spec.Containers[0].Image = "agent:2"
	_, err = e.s.Update(upd)
	require.NoError(t, err)
	newHash := ComputeHash(&upd.Spec.Template)
	// Track availability: with maxUnavailable 1 at most one node lacks an
	// available pod at any time.
	worst := 3
	e.k.StopWhen("", func() bool {
		avail := 0
		for _, pods := range e.podsByNode() {
			for _, p := range pods {
				if p.DeletionTimestamp == nil && p.IsReady() {
					avail++
					break
				}
			}
		}
		worst = min(worst, avail)
		return false
	})
	e.k.Run(sim.Time(2 * time.Minute))

	for node, pods := range e.podsByNode() {
		require.Len(t, pods, 1, node)
		require.Equal(t, newHash, pods[0].Labels[LabelRevisionHash], node)
	}
	require.Equal(t, 2, worst, "maxUnavailable 1")
	require.Equal(t, int32(3), e.ds(t).Status.UpdatedNumberScheduled)
	require.Len(t, e.rec.Kinds("SuccessfulDelete"), 3)
	dels := e.rec.Kinds("SuccessfulDelete")
	require.Greater(t, dels[1].T, dels[0].T+sim.Time(time.Second), "one node at a time")
}
