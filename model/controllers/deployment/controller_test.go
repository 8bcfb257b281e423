package deployment

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/model/controllers/replicaset"
	"github.com/kubesim/kubesim/sim"
)

// cluster is an API server with the ReplicaSet and Deployment controllers
// and a stand-in for the scheduler and kubelets: a new pod is bound 500 ms
// after it appears and becomes Running and Ready readyAfter later (never
// when readyAfter is 0); a pod marked for deletion is removed 1 s later.
type cluster struct {
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
}

func newCluster(t *testing.T, readyAfter time.Duration) *cluster {
	t.Helper()
	k := sim.NewKernel(11)
	s := apiserver.New(k, DefaultStart)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	replicaset.New(k, s.NewClient, replicaset.DefaultConfig()).Start()
	New(k, s.NewClient, DefaultConfig()).Start()
	c := &cluster{k: k, s: s, rec: rec}
	terminating := map[string]bool{}
	s.Watch("Pod", func(ev model.WatchEvent) {
		if ev.Object == nil {
			return
		}
		p := ev.Object.(*model.Pod)
		switch {
		case ev.Type == model.Added && p.Spec.NodeName == "" && p.DeletionTimestamp == nil:
			name, uid := p.Name, p.UID
			k.AfterFunc(500*time.Millisecond, func(sim.Time) {
				if cur, err := s.Get("Pod", "default", name); err != nil || cur.GetObjectMeta().UID != uid || cur.GetObjectMeta().DeletionTimestamp != nil {
					return
				}
				_ = s.Bind("default", name, "node-1")
				if readyAfter == 0 {
					return
				}
				k.AfterFunc(readyAfter, func(sim.Time) {
					cur, err := s.Get("Pod", "default", name)
					if err != nil || cur.GetObjectMeta().UID != uid || cur.GetObjectMeta().DeletionTimestamp != nil {
						return
					}
					np := model.DeepCopy(cur.(*model.Pod))
					now := s.Now()
					np.Status.Phase = model.PodRunning
					np.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
					_, _ = s.Update(np)
				})
			})
		case ev.Type == model.Modified && p.DeletionTimestamp != nil && !terminating[p.UID]:
			terminating[p.UID] = true
			name := p.Name
			k.AfterFunc(time.Second, func(sim.Time) {
				_ = s.DeleteWith("Pod", "default", name, model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)})
			})
		}
	})
	return c
}

func (c *cluster) run(to time.Duration) { c.k.Run(sim.Time(to)) }

func (c *cluster) deployment(t *testing.T) *model.Deployment {
	o, err := c.s.Get("Deployment", "default", "web")
	require.NoError(t, err)
	return o.(*model.Deployment)
}

func (c *cluster) replicaSets(t *testing.T) []*model.ReplicaSet {
	objs, err := c.s.List("ReplicaSet")
	require.NoError(t, err)
	out := make([]*model.ReplicaSet, len(objs))
	for i, o := range objs {
		out[i] = o.(*model.ReplicaSet)
	}
	return out
}

func (c *cluster) update(t *testing.T, f func(d *model.Deployment)) {
	d := model.DeepCopy(c.deployment(t))
	f(d)
	_, err := c.s.Update(d)
	require.NoError(t, err)
}

func (c *cluster) messages(kind string) []string {
	var out []string
	for _, e := range c.rec.Kinds(kind) {
		out = append(out, fmt.Sprint(e.Field("message")))
	}
	return out
}

func webDeployment(replicas int32) *model.Deployment {
	labels := map[string]string{"app": "web"}
	return &model.Deployment{ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: model.DeploymentSpec{Replicas: model.Ptr(replicas), Selector: &model.LabelSelector{MatchLabels: labels},
			Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: labels},
				Spec: model.PodSpec{Containers: []model.Container{{Name: "c", Image: "img:1"}}}}}}
}

func condition(d *model.Deployment, t string) model.DeploymentCondition {
	c := GetCondition(&d.Status, t)
	if c == nil {
		return model.DeploymentCondition{}
	}
	return *c
}

// TestRollingUpdateKeepsAvailability rolls a 10-replica Deployment
// (maxSurge 25% = 3, maxUnavailable 25% = 2) to a new image and checks at
// every pod change that at least 8 pods are ready and not terminating, and
// at every ReplicaSet change that the ReplicaSets ask for at most 13.
func TestRollingUpdateKeepsAvailability(t *testing.T) {
	c := newCluster(t, 2*time.Second)
	pods := map[string]*model.Pod{}
	armed := false
	minAvailable, maxAsked := int32(1<<30), int32(0)
	c.s.Watch("Pod", func(ev model.WatchEvent) {
		if ev.Object == nil {
			return
		}
		p := ev.Object.(*model.Pod)
		if ev.Type == model.Deleted {
			delete(pods, p.Name)
		} else {
			pods[p.Name] = p
		}
		if !armed {
			return
		}
		n := int32(0)
		for _, p := range pods {
			if p.IsReady() && p.DeletionTimestamp == nil {
				n++
			}
		}
		minAvailable = min(minAvailable, n)
		require.GreaterOrEqual(t, n, int32(8), "at %v only %d pods available", c.k.Now(), n)
	})
	c.s.Watch("ReplicaSet", func(ev model.WatchEvent) {
		if !armed || ev.Object == nil {
			return
		}
		total := int32(0)
		for _, rs := range c.replicaSets(t) {
			total += *rs.Spec.Replicas
		}
		maxAsked = max(maxAsked, total)
		require.LessOrEqual(t, total, int32(13), "at %v the ReplicaSets ask for %d pods", c.k.Now(), total)
	})

	_, err := c.s.Create(webDeployment(10))
	require.NoError(t, err)
	c.run(60 * time.Second)
	d := c.deployment(t)
	rss := c.replicaSets(t)
	require.Len(t, rss, 1)
	first := rss[0]
	hash := first.Labels[PodTemplateHashLabel]
	require.Equal(t, "web-"+hash, first.Name)
	require.Equal(t, hash, first.Spec.Selector.MatchLabels[PodTemplateHashLabel])
	require.Equal(t, d.UID, first.ControllerRef().UID)
	require.Equal(t, "1", first.Annotations[RevisionAnnotation])
	require.Equal(t, "10", first.Annotations[DesiredReplicasAnnotation])
	require.Equal(t, "13", first.Annotations[MaxReplicasAnnotation])
	require.Equal(t, "1", d.Annotations[RevisionAnnotation])
	require.Equal(t, model.DeploymentStatus{ObservedGeneration: 1, Replicas: 10, UpdatedReplicas: 10, ReadyReplicas: 10, AvailableReplicas: 10},
		model.DeploymentStatus{ObservedGeneration: d.Status.ObservedGeneration, Replicas: d.Status.Replicas, UpdatedReplicas: d.Status.UpdatedReplicas,
			ReadyReplicas: d.Status.ReadyReplicas, AvailableReplicas: d.Status.AvailableReplicas})
	require.Equal(t, MinimumReplicasAvailable, condition(d, ConditionAvailable).Reason)
	require.Equal(t, NewRSAvailableReason, condition(d, ConditionProgressing).Reason)
	require.Equal(t, []string{"Scaled up replica set " + first.Name + " to 10 from 0"}, c.messages("ScalingReplicaSet"))

	armed = true
	c.update(t, func(d *model.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "img:2" })
	c.run(300 * time.Second)

	d = c.deployment(t)
	rss = c.replicaSets(t)
	require.Len(t, rss, 2)
	var newRS, oldRS *model.ReplicaSet
	for _, rs := range rss {
		if rs.UID == first.UID {
			oldRS = rs
		} else {
			newRS = rs
		}
	}
	require.Equal(t, int32(0), *oldRS.Spec.Replicas)
	require.Equal(t, int32(10), *newRS.Spec.Replicas)
	require.Equal(t, "img:2", newRS.Spec.Template.Spec.Containers[0].Image)
	require.Equal(t, "2", newRS.Annotations[RevisionAnnotation])
	require.Equal(t, "1", oldRS.Annotations[RevisionAnnotation])
	require.Equal(t, "2", d.Annotations[RevisionAnnotation])
	require.Equal(t, int32(10), d.Status.UpdatedReplicas)
	require.Equal(t, int32(10), d.Status.AvailableReplicas)
	require.Equal(t, NewRSAvailableReason, condition(d, ConditionProgressing).Reason)
	require.Equal(t, int32(8), minAvailable, "the rollout used its whole unavailability budget")
	require.Equal(t, int32(13), maxAsked, "and its whole surge")
	msgs := c.messages("ScalingReplicaSet")
	require.Equal(t, "Scaled up replica set "+newRS.Name+" to 3 from 0", msgs[1], "the first step surges by 3")
	require.Equal(t, "Scaled down replica set "+oldRS.Name+" to 8 from 10", msgs[2], "then gives up 2 old pods")
	require.Equal(t, "Scaled down replica set "+oldRS.Name+" to 0 from "+lastFrom(msgs, oldRS.Name), msgs[len(msgs)-1])
	for _, e := range c.rec.Kinds("ScalingReplicaSet") {
		require.Equal(t, "deployment-controller", e.Source)
		require.Equal(t, "default/web", e.Object)
	}
}

// lastFrom extracts the "from" count of the last message about rs.
func lastFrom(msgs []string, rs string) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i], " "+rs+" to 0 from ") {
			return msgs[i][strings.LastIndex(msgs[i], " ")+1:]
		}
	}
	return "?"
}

func TestRecreateStopsOldPodsFirst(t *testing.T) {
	c := newCluster(t, time.Second)
	d := webDeployment(3)
	d.Spec.Strategy = model.DeploymentStrategy{Type: model.RecreateDeploymentStrategyType}
	_, err := c.s.Create(d)
	require.NoError(t, err)
	c.run(30 * time.Second)
	first := c.replicaSets(t)[0]
	alive := map[string]string{} // pod -> its template hash
	c.s.Watch("Pod", func(ev model.WatchEvent) {
		if ev.Object == nil {
			return
		}
		p := ev.Object.(*model.Pod)
		if ev.Type == model.Deleted {
			delete(alive, p.Name)
			return
		}
		if ev.Type == model.Added && p.Labels[PodTemplateHashLabel] != first.Labels[PodTemplateHashLabel] {
			for name, h := range alive {
				require.NotEqual(t, first.Labels[PodTemplateHashLabel], h, "new pod %s created while old pod %s exists", p.Name, name)
			}
		}
		alive[p.Name] = p.Labels[PodTemplateHashLabel]
	})
	c.update(t, func(d *model.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "img:2" })
	c.run(120 * time.Second)
	got := c.deployment(t)
	require.Equal(t, int32(3), got.Status.UpdatedReplicas)
	require.Equal(t, int32(3), got.Status.AvailableReplicas)
	require.Contains(t, c.messages("ScalingReplicaSet"), "Scaled down replica set "+first.Name+" to 0 from 3")
}

func TestProgressDeadlineExceeded(t *testing.T) {
	c := newCluster(t, 0) // pods never become ready
	d := webDeployment(2)
	d.Spec.ProgressDeadlineSeconds = model.Ptr[int32](30)
	_, err := c.s.Create(d)
	require.NoError(t, err)
	c.run(90 * time.Second)
	got := c.deployment(t)
	cond := condition(got, ConditionProgressing)
	require.Equal(t, model.ConditionFalse, cond.Status)
	require.Equal(t, TimedOutReason, cond.Reason)
	require.Equal(t, `ReplicaSet "`+c.replicaSets(t)[0].Name+`" has timed out progressing.`, cond.Message)
	require.Equal(t, model.ConditionFalse, condition(got, ConditionAvailable).Status)
	ev := c.rec.Kinds(TimedOutReason)
	require.Len(t, ev, 1)
	// The controller looked again one second after the deadline.
	require.GreaterOrEqual(t, time.Duration(ev[0].T), 30*time.Second)
	require.Less(t, time.Duration(ev[0].T), 33*time.Second)
}

func TestRevisionHistoryLimitAndRollback(t *testing.T) {
	c := newCluster(t, time.Second)
	d := webDeployment(2)
	d.Spec.RevisionHistoryLimit = model.Ptr[int32](1)
	_, err := c.s.Create(d)
	require.NoError(t, err)
	c.run(30 * time.Second)
	v1 := c.replicaSets(t)[0].Name
	for i, img := range []string{"img:2", "img:3"} {
		c.update(t, func(d *model.Deployment) { d.Spec.Template.Spec.Containers[0].Image = img })
		c.run(time.Duration(90*(i+1)) * time.Second)
	}
	rss := c.replicaSets(t)
	require.Len(t, rss, 2, "revisionHistoryLimit 1 keeps one old ReplicaSet")
	var names []string
	for _, rs := range rss {
		require.NotEqual(t, v1, rs.Name, "the oldest revision was cleaned up")
		names = append(names, rs.Annotations[RevisionAnnotation])
	}
	require.ElementsMatch(t, []string{"2", "3"}, names)

	// Roll back to the previous revision (img:2): its ReplicaSet comes back
	// as revision 4 and remembers it was 2.
	c.update(t, func(d *model.Deployment) { d.Annotations[RollbackToAnnotation] = "0" })
	c.run(300 * time.Second)
	got := c.deployment(t)
	require.Equal(t, "img:2", got.Spec.Template.Spec.Containers[0].Image)
	require.NotContains(t, got.Annotations, RollbackToAnnotation)
	require.Equal(t, "4", got.Annotations[RevisionAnnotation])
	require.Len(t, c.rec.Kinds(RollbackDone), 1)
	for _, rs := range c.replicaSets(t) {
		if rs.Spec.Template.Spec.Containers[0].Image == "img:2" {
			require.Equal(t, "4", rs.Annotations[RevisionAnnotation])
			require.Equal(t, "2", rs.Annotations[RevisionHistoryAnnotation])
			require.Equal(t, int32(2), *rs.Spec.Replicas)
		}
	}
}

func TestPausedThenScaledThenResumed(t *testing.T) {
	c := newCluster(t, time.Second)
	_, err := c.s.Create(webDeployment(4))
	require.NoError(t, err)
	c.run(30 * time.Second)
	first := c.replicaSets(t)[0]
	c.update(t, func(d *model.Deployment) {
		d.Spec.Paused = true
		d.Spec.Template.Spec.Containers[0].Image = "img:2"
	})
	c.run(60 * time.Second)
	require.Len(t, c.replicaSets(t), 1, "no rollout while paused")
	require.Equal(t, PausedDeployReason, condition(c.deployment(t), ConditionProgressing).Reason)

	// Scaling still works while paused.
	c.update(t, func(d *model.Deployment) { d.Spec.Replicas = model.Ptr[int32](6) })
	c.run(90 * time.Second)
	require.Contains(t, c.messages("ScalingReplicaSet"), "Scaled up replica set "+first.Name+" to 6 from 4")

	c.update(t, func(d *model.Deployment) { d.Spec.Paused = false })
	c.run(300 * time.Second)
	got := c.deployment(t)
	require.Len(t, c.replicaSets(t), 2)
	require.Equal(t, int32(6), got.Status.UpdatedReplicas)
	require.Equal(t, NewRSAvailableReason, condition(got, ConditionProgressing).Reason)
	require.Len(t, c.rec.Kinds(ResumedDeployReason), 1)
}

func TestDeploymentRunsAreDeterministic(t *testing.T) {
	run := func() []string {
		c := newCluster(t, time.Second)
		_, err := c.s.Create(webDeployment(5))
		require.NoError(t, err)
		c.run(20 * time.Second)
		c.update(t, func(d *model.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "img:2" })
		c.run(120 * time.Second)
		var out []string
		for _, e := range c.rec.Events {
			out = append(out, string(e.AppendJSON(nil)))
		}
		return out
	}
	a := run()
	require.Greater(t, len(a), 20)
	require.Equal(t, a, run())
}
