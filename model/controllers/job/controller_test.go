package job

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// fakeKubelet runs every pod it sees: Running and Ready after startDelay,
// then finished with the phase outcome returns after its run time (never
// when the phase is empty).
type fakeKubelet struct {
	k          *sim.Kernel
	s          *apiserver.Server
	startDelay time.Duration
	outcome    func(p *model.Pod) (time.Duration, model.PodPhase)
}

func (f *fakeKubelet) run() {
	f.s.Watch("Pod", func(ev model.WatchEvent) {
		if ev.Type == model.Modified {
			f.terminate(ev.Object.(*model.Pod))
			return
		}
		if ev.Type != model.Added {
			return
		}
		p := ev.Object.(*model.Pod)
		ns, name := p.Namespace, p.Name
		f.k.AfterFunc(f.startDelay, func(sim.Time) {
			o, err := f.s.Get("Pod", ns, name)
			if err != nil {
				return
			}
			cur := model.DeepCopy(o.(*model.Pod))
			now := f.k.Now().Wall(start)
			cur.Spec.NodeName = "n1"
			cur.Status.Phase = model.PodRunning
			cur.Status.StartTime = &now
			cur.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
			cur.Status.ContainerStatuses = []model.ContainerStatus{{Name: "c", Ready: true,
				State: model.ContainerState{Running: &model.ContainerStateRunning{StartedAt: &now}}}}
			_, err = f.s.Update(cur)
			if err != nil {
				panic(err)
			}
			d, phase := f.outcome(cur)
			if phase == "" {
				return
			}
			f.k.AfterFunc(d, func(sim.Time) {
				o, err := f.s.Get("Pod", ns, name)
				if err != nil {
					return
				}
				cur := model.DeepCopy(o.(*model.Pod))
				now := f.k.Now().Wall(start)
				cur.Status.Phase = phase
				code := int32(0)
				if phase == model.PodFailed {
					code = 1
				}
				cur.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionFalse, LastTransitionTime: &now})
				cur.Status.ContainerStatuses = []model.ContainerStatus{{Name: "c",
					State: model.ContainerState{Terminated: &model.ContainerStateTerminated{ExitCode: code, FinishedAt: &now}}}}
				if _, err := f.s.Update(cur); err != nil {
					panic(err)
				}
			})
		})
	})
}

// terminate finishes a graceful deletion: the containers are killed a
// second later (the pod fails unless it had finished) and the pod is
// deleted with grace 0.
func (f *fakeKubelet) terminate(p *model.Pod) {
	if p.DeletionTimestamp == nil || model.Deref(p.DeletionGracePeriodSeconds, 0) == 0 {
		return
	}
	ns, name := p.Namespace, p.Name
	f.k.AfterFunc(time.Second, func(sim.Time) {
		o, err := f.s.Get("Pod", ns, name)
		if err != nil {
			return
		}
		cur := model.DeepCopy(o.(*model.Pod))
		if !cur.IsTerminal() {
			now := f.k.Now().Wall(start)
			cur.Status.Phase = model.PodFailed
			cur.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionFalse, LastTransitionTime: &now})
			cur.Status.ContainerStatuses = []model.ContainerStatus{{Name: "c",
				State: model.ContainerState{Terminated: &model.ContainerStateTerminated{ExitCode: 137, FinishedAt: &now}}}}
			if _, err := f.s.Update(cur); err != nil {
				panic(err)
			}
		}
		_ = f.s.DeleteWith("Pod", ns, name, model.DeleteOptions{GracePeriodSeconds: model.Ptr[int64](0)})
	})
}

type env struct {
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
	c   *Controller
}

func newEnv(t *testing.T, outcome func(p *model.Pod) (time.Duration, model.PodPhase)) *env {
	t.Helper()
	k := sim.NewKernel(1)
	s := apiserver.New(k, start)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	(&fakeKubelet{k: k, s: s, startDelay: time.Second, outcome: outcome}).run()
	cfg := DefaultConfig()
	cfg.Start = start
	c := New(k, s.NewClient, cfg)
	c.Start()
	return &env{k: k, s: s, rec: rec, c: c}
}

func newJob(name string, parallelism, completions *int32) *model.Job {
	return &model.Job{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default"}, Spec: model.JobSpec{
		Parallelism: parallelism, Completions: completions,
		Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: map[string]string{"app": name}},
			Spec: model.PodSpec{RestartPolicy: model.RestartPolicyNever, Containers: []model.Container{{Name: "c", Image: "busybox:1"}}}}}}
}

func (e *env) job(t *testing.T, name string) *model.Job {
	t.Helper()
	o, err := e.s.Get("Job", "default", name)
	require.NoError(t, err)
	return o.(*model.Job)
}

func (e *env) pods(prefix string) []*model.Pod {
	objs, _ := e.s.List("Pod")
	var out []*model.Pod
	for _, o := range objs {
		if strings.HasPrefix(o.GetObjectMeta().Name, prefix) {
			out = append(out, o.(*model.Pod))
		}
	}
	return out
}

func condTypes(j *model.Job) []string {
	var out []string
	for _, c := range j.Status.Conditions {
		if c.Status == model.ConditionTrue {
			out = append(out, c.Type)
		}
	}
	return out
}

func (e *env) times(kind string) []time.Duration {
	var out []time.Duration
	for _, ev := range e.rec.Kinds(kind) {
		out = append(out, time.Duration(ev.T))
	}
	return out
}

func TestJobRunsToCompletion(t *testing.T) {
	e := newEnv(t, func(*model.Pod) (time.Duration, model.PodPhase) { return 10 * time.Second, model.PodSucceeded })
	_, err := e.s.Create(newJob("pi", model.Ptr[int32](2), model.Ptr[int32](3)))
	require.NoError(t, err)
	e.k.Run(sim.Time(5 * time.Minute))

	j := e.job(t, "pi")
	require.Equal(t, []string{ConditionSuccessCriteriaMet, ConditionComplete}, condTypes(j))
	require.Equal(t, int32(3), j.Status.Succeeded)
	require.Equal(t, int32(0), j.Status.Failed)
	require.Equal(t, int32(0), j.Status.Active)
	require.NotNil(t, j.Status.StartTime)
	require.NotNil(t, j.Status.CompletionTime)
	require.Equal(t, ReasonCompletionsReached, findCondition(j.Status.Conditions, ConditionComplete).Reason)
	require.Len(t, e.rec.Kinds("SuccessfulCreate"), 3)
	require.Len(t, e.rec.Kinds("Completed"), 1)
	for _, ev := range e.rec.Kinds("SuccessfulCreate") {
		require.Equal(t, Source, ev.Source)
		require.Equal(t, "default/pi", ev.Object)
	}
	pods := e.pods("pi-")
	require.Len(t, pods, 3)
	p := pods[0]
	require.Equal(t, "pi", p.Labels[LabelJobName])
	require.Equal(t, j.UID, p.Labels[LabelControllerUID])
	require.Equal(t, "Job", p.ControllerRef().Kind)
	// Two pods at once, the third after one of them succeeded (~11 s,
	// plus the 1 s sync batching).
	// Slow start: batches of 1 then 1.
	ct := e.times("SuccessfulCreate")
	require.Equal(t, []time.Duration{time.Millisecond, 2 * time.Millisecond}, ct[:2])
	require.Greater(t, ct[2], ct[1]+11*time.Second)
	require.Less(t, ct[2], ct[1]+14*time.Second)
}

func TestJobBackoffLimitExceeded(t *testing.T) {
	e := newEnv(t, func(*model.Pod) (time.Duration, model.PodPhase) { return 0, model.PodFailed })
	j := newJob("fail", nil, nil)
	j.Spec.BackoffLimit = model.Ptr[int32](3)
	_, err := e.s.Create(j)
	require.NoError(t, err)
	e.k.Run(sim.Time(10 * time.Minute))

	got := e.job(t, "fail")
	require.Equal(t, []string{ConditionFailureTarget, ConditionFailed}, condTypes(got))
	require.Equal(t, ReasonBackoffLimitExceeded, findCondition(got.Status.Conditions, ConditionFailed).Reason)
	require.Equal(t, int32(4), got.Status.Failed, "backoffLimit 3: the fourth failure fails the Job")
	require.Len(t, e.rec.Kinds(ReasonBackoffLimitExceeded), 1)
	// Replacements wait 10 s, 20 s, 40 s after each failure (the pods fail
	// 1 s after creation).
	ct := e.times("SuccessfulCreate")
	require.Len(t, ct, 4)
	gaps := []time.Duration{ct[1] - ct[0], ct[2] - ct[1], ct[3] - ct[2]}
	for i, want := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second} {
		require.GreaterOrEqual(t, gaps[i], want+time.Second, "gap %d", i)
		require.Less(t, gaps[i], want+3*time.Second, "gap %d", i)
	}
}

func TestJobActiveDeadline(t *testing.T) {
	e := newEnv(t, func(*model.Pod) (time.Duration, model.PodPhase) { return 0, "" })
	j := newJob("slow", model.Ptr[int32](2), model.Ptr[int32](4))
	j.Spec.ActiveDeadlineSeconds = model.Ptr[int64](30)
	_, err := e.s.Create(j)
	require.NoError(t, err)
	e.k.Run(sim.Time(5 * time.Minute))

	got := e.job(t, "slow")
	require.Equal(t, []string{ConditionFailureTarget, ConditionFailed}, condTypes(got))
	require.Equal(t, ReasonDeadlineExceeded, findCondition(got.Status.Conditions, ConditionFailed).Reason)
	require.Equal(t, int32(2), got.Status.Failed, "the active pods deleted at the deadline count as failed")
	require.Equal(t, int32(0), got.Status.Active)
	require.Empty(t, e.pods("slow-"))
	ev := e.rec.Kinds(ReasonDeadlineExceeded)
	require.Len(t, ev, 1)
	require.GreaterOrEqual(t, time.Duration(ev[0].T), 30*time.Second)
	require.Less(t, time.Duration(ev[0].T), 34*time.Second, "Failed waits for the terminating pods to go")
	require.Len(t, e.rec.Kinds("SuccessfulDelete"), 2)
	ft := findCondition(got.Status.Conditions, ConditionFailureTarget).LastTransitionTime
	require.Equal(t, start.Add(30*time.Second), *ft, "FailureTarget is set at the deadline")
}

func TestJobIndexed(t *testing.T) {
	e := newEnv(t, func(*model.Pod) (time.Duration, model.PodPhase) { return 5 * time.Second, model.PodSucceeded })
	j := newJob("idx", model.Ptr[int32](3), model.Ptr[int32](3))
	j.Spec.CompletionMode = model.Ptr(model.IndexedCompletion)
	_, err := e.s.Create(j)
	require.NoError(t, err)
	e.k.Run(sim.Time(2 * time.Minute))

	got := e.job(t, "idx")
	require.Equal(t, []string{ConditionSuccessCriteriaMet, ConditionComplete}, condTypes(got))
	require.Equal(t, "0-2", got.Status.CompletedIndexes)
	require.Equal(t, int32(3), got.Status.Succeeded)
	var ix []string
	for _, p := range e.pods("idx-") {
		ix = append(ix, p.Annotations[AnnotationCompletionIndex])
		require.Equal(t, p.Annotations[AnnotationCompletionIndex], p.Labels[AnnotationCompletionIndex])
		require.True(t, strings.HasPrefix(p.Name, "idx-"+p.Annotations[AnnotationCompletionIndex]+"-"), p.Name)
	}
	sort.Strings(ix)
	require.Equal(t, []string{"0", "1", "2"}, ix)
}

func TestJobBackoffLimitPerIndex(t *testing.T) {
	// Index 0 always fails, index 1 succeeds.
	e := newEnv(t, func(p *model.Pod) (time.Duration, model.PodPhase) {
		if p.Annotations[AnnotationCompletionIndex] == "0" {
			return 0, model.PodFailed
		}
		return 0, model.PodSucceeded
	})
	j := newJob("per", model.Ptr[int32](2), model.Ptr[int32](2))
	j.Spec.CompletionMode = model.Ptr(model.IndexedCompletion)
	j.Spec.BackoffLimitPerIndex = model.Ptr[int32](1)
	_, err := e.s.Create(j)
	require.NoError(t, err)
	e.k.Run(sim.Time(5 * time.Minute))

	got := e.job(t, "per")
	require.Equal(t, []string{ConditionFailureTarget, ConditionFailed}, condTypes(got))
	require.Equal(t, ReasonFailedIndexes, findCondition(got.Status.Conditions, ConditionFailed).Reason)
	require.Equal(t, "1", got.Status.CompletedIndexes)
	require.Equal(t, int32(2), got.Status.Failed)
	var counts []string
	for _, p := range e.pods("per-0-") {
		counts = append(counts, p.Annotations[AnnotationIndexFailureCount])
	}
	sort.Strings(counts)
	require.Equal(t, []string{"0", "1"}, counts, "the replacement carries the index's failure count")
}

func TestJobSuspendAndResume(t *testing.T) {
	e := newEnv(t, func(*model.Pod) (time.Duration, model.PodPhase) { return 10 * time.Second, model.PodSucceeded })
	j := newJob("sus", nil, nil)
	j.Spec.Suspend = model.Ptr(true)
	_, err := e.s.Create(j)
	require.NoError(t, err)
	e.k.Run(sim.Time(30 * time.Second))
	got := e.job(t, "sus")
	require.Empty(t, e.pods("sus-"))
	require.Equal(t, []string{ConditionSuspended}, condTypes(got))
	require.Nil(t, got.Status.StartTime)

	resume := model.DeepCopy(got)
	resume.Spec.Suspend = model.Ptr(false)
	_, err = e.s.Update(resume)
	require.NoError(t, err)
	e.k.Run(sim.Time(2 * time.Minute))
	got = e.job(t, "sus")
	require.Equal(t, model.ConditionFalse, findCondition(got.Status.Conditions, ConditionSuspended).Status)
	require.Contains(t, condTypes(got), ConditionComplete)
	require.Len(t, e.rec.Kinds("Suspended"), 1)
	require.Len(t, e.rec.Kinds("Resumed"), 1)
	require.True(t, got.Status.StartTime.After(start.Add(29*time.Second)), "startTime is set on resume")
}

func TestTTLAfterFinished(t *testing.T) {
	e := newEnv(t, func(*model.Pod) (time.Duration, model.PodPhase) { return 5 * time.Second, model.PodSucceeded })
	j := newJob("ttl", nil, nil)
	j.Spec.TTLSecondsAfterFinished = model.Ptr[int32](60)
	_, err := e.s.Create(j)
	require.NoError(t, err)
	e.k.Run(sim.Time(5 * time.Minute))
	o, err := e.s.Get("Job", "default", "ttl")
	require.NoError(t, err, "no garbage collector here to finish the foreground deletion")
	require.NotNil(t, o.GetObjectMeta().DeletionTimestamp)
	require.Contains(t, o.GetObjectMeta().Finalizers, model.FinalizerForegroundDeletion)
	done := e.rec.Kinds("Completed")[0].T
	del := e.rec.Kinds("SuccessfulDelete")
	require.Len(t, del, 1)
	require.Equal(t, TTLSource, del[0].Source)
	require.GreaterOrEqual(t, time.Duration(del[0].T-done), 60*time.Second)
	require.Less(t, time.Duration(del[0].T-done), 61*time.Second)
}

func TestJobCountsDeletedRunningPodAsFailed(t *testing.T) {
	e := newEnv(t, func(*model.Pod) (time.Duration, model.PodPhase) { return 0, "" })
	_, err := e.s.Create(newJob("evict", nil, nil))
	require.NoError(t, err)
	e.k.Run(sim.Time(10 * time.Second))
	pods := e.pods("evict-")
	require.Len(t, pods, 1)
	require.NoError(t, e.s.Delete("Pod", "default", pods[0].Name))
	e.k.Run(sim.Time(time.Minute))
	got := e.job(t, "evict")
	require.Equal(t, int32(1), got.Status.Failed, "a pod deleted while running counts as failed")
	require.Len(t, e.pods("evict-"), 1, "and is replaced after the backoff")
	require.Equal(t, int32(1), got.Status.Active)
}
