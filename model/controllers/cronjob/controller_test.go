package cronjob

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

var start = time.Date(2026, 1, 5, 9, 0, 30, 0, time.UTC)

type env struct {
	k   *sim.Kernel
	s   *apiserver.Server
	rec *sim.Recorder
	c   *Controller
}

func newEnv() *env {
	k := sim.NewKernel(1)
	s := apiserver.New(k, start)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	cfg := DefaultConfig()
	cfg.Start = start
	return &env{k: k, s: s, rec: rec, c: New(k, s.NewClient, cfg)}
}

func newCronJob(name, schedule string, policy model.ConcurrencyPolicy) *model.CronJob {
	return &model.CronJob{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "default"}, Spec: model.CronJobSpec{
		Schedule: schedule, ConcurrencyPolicy: policy,
		JobTemplate: model.JobTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: map[string]string{"cron": name}},
			Spec: model.JobSpec{Template: model.PodTemplateSpec{Spec: model.PodSpec{RestartPolicy: model.RestartPolicyNever,
				Containers: []model.Container{{Name: "c", Image: "busybox:1"}}}}}}}}
}

func (e *env) jobNames() []string {
	objs, _ := e.s.List("Job")
	var out []string
	for _, o := range objs {
		out = append(out, o.GetObjectMeta().Name)
	}
	return out
}

func (e *env) cronJob(t *testing.T, name string) *model.CronJob {
	o, err := e.s.Get("CronJob", "default", name)
	require.NoError(t, err)
	return o.(*model.CronJob)
}

// minuteName is the Job name for the schedule time start+m minutes,
// rounded down to the minute.
func minuteName(cj string, m int) string {
	at := start.Truncate(time.Minute).Add(time.Duration(m) * time.Minute)
	return fmt.Sprintf("%s-%d", cj, at.Unix()/60)
}

func TestCronJobAllow(t *testing.T) {
	e := newEnv()
	e.c.Start()
	_, err := e.s.Create(newCronJob("every", "* * * * *", model.AllowConcurrent))
	require.NoError(t, err)
	e.k.Run(sim.Time(3*time.Minute + 40*time.Second))

	require.Equal(t, []string{minuteName("every", 1), minuteName("every", 2), minuteName("every", 3), minuteName("every", 4)}, e.jobNames())
	cj := e.cronJob(t, "every")
	require.Len(t, cj.Status.Active, 4)
	require.Equal(t, start.Truncate(time.Minute).Add(4*time.Minute), *cj.Status.LastScheduleTime)
	created := e.rec.Kinds("SuccessfulCreate")
	require.Len(t, created, 4)
	// The first run is at 09:01:00 (30 s after the start) plus the 100 ms
	// requeue padding and the API write's commit latency.
	require.Equal(t, Source, created[0].Source)
	require.GreaterOrEqual(t, time.Duration(created[0].T), 30*time.Second+nextScheduleDelta)
	require.Less(t, time.Duration(created[0].T), 30*time.Second+nextScheduleDelta+10*time.Millisecond)
	o, _ := e.s.Get("Job", "default", minuteName("every", 1))
	j := o.(*model.Job)
	require.Equal(t, "every", j.Labels["cron"])
	require.Equal(t, "2026-01-05T09:01:00Z", j.Annotations[AnnotationScheduledTimestamp])
	require.Equal(t, "CronJob", j.ControllerRef().Kind)
}

func TestCronJobForbid(t *testing.T) {
	e := newEnv()
	e.c.Start()
	_, err := e.s.Create(newCronJob("forbid", "* * * * *", model.ForbidConcurrent))
	require.NoError(t, err)
	e.k.Run(sim.Time(3*time.Minute + 40*time.Second))
	require.Equal(t, []string{minuteName("forbid", 1)}, e.jobNames(), "the first Job never finishes")
	require.Len(t, e.rec.Kinds("JobAlreadyActive"), 3)
}

func TestCronJobReplace(t *testing.T) {
	e := newEnv()
	e.c.Start()
	_, err := e.s.Create(newCronJob("replace", "* * * * *", model.ReplaceConcurrent))
	require.NoError(t, err)
	e.k.Run(sim.Time(3*time.Minute + 40*time.Second))
	require.Equal(t, []string{minuteName("replace", 4)}, e.jobNames())
	require.Len(t, e.rec.Kinds("SuccessfulDelete"), 3)
	require.Len(t, e.cronJob(t, "replace").Status.Active, 1)
}

// finishJobs marks every Job Complete 10 s after it appears, as a Job
// controller would.
func finishJobs(e *env) {
	e.s.Watch("Job", func(ev model.WatchEvent) {
		if ev.Type != model.Added {
			return
		}
		ns, name := ev.Object.GetObjectMeta().Namespace, ev.Object.GetObjectMeta().Name
		startAt := e.k.Now().Wall(start)
		e.k.AfterFunc(10*time.Second, func(sim.Time) {
			o, err := e.s.Get("Job", ns, name)
			if err != nil {
				return
			}
			j := model.DeepCopy(o.(*model.Job))
			now := e.k.Now().Wall(start)
			j.Status.StartTime = &startAt
			j.Status.CompletionTime = &now
			j.Status.Succeeded = 1
			j.Status.Conditions = []model.JobCondition{{Type: "Complete", Status: model.ConditionTrue, LastTransitionTime: &now}}
			if _, err := e.s.Update(j); err != nil {
				panic(err)
			}
		})
	})
}

func TestCronJobHistoryLimit(t *testing.T) {
	e := newEnv()
	finishJobs(e)
	e.c.Start()
	cj := newCronJob("hist", "* * * * *", model.ForbidConcurrent)
	cj.Spec.SuccessfulJobsHistoryLimit = model.Ptr[int32](2)
	_, err := e.s.Create(cj)
	require.NoError(t, err)
	e.k.Run(sim.Time(5*time.Minute + 40*time.Second))
	// Jobs 1-5 finished (2 kept), job 6 is still running.
	require.Equal(t, []string{minuteName("hist", 4), minuteName("hist", 5), minuteName("hist", 6)}, e.jobNames(), "the oldest finished Jobs are deleted")
	got := e.cronJob(t, "hist")
	require.Len(t, got.Status.Active, 1)
	require.Equal(t, start.Truncate(time.Minute).Add(5*time.Minute+10*time.Second+101*time.Millisecond), *got.Status.LastSuccessfulTime, "job 5 created at 09:05:00.101, done 10 s later")
	require.Len(t, e.rec.Kinds("SawCompletedJob"), 5)
	require.Len(t, e.rec.Kinds("SuccessfulDelete"), 3)
}

func TestCronJobSuspend(t *testing.T) {
	e := newEnv()
	e.c.Start()
	cj := newCronJob("sus", "* * * * *", model.AllowConcurrent)
	cj.Spec.Suspend = model.Ptr(true)
	_, err := e.s.Create(cj)
	require.NoError(t, err)
	e.k.Run(sim.Time(5 * time.Minute))
	require.Empty(t, e.jobNames())
}

func TestCronJobMissedSchedules(t *testing.T) {
	e := newEnv()
	_, err := e.s.Create(newCronJob("hourly", "0 * * * *", model.AllowConcurrent))
	require.NoError(t, err)
	deadline := newCronJob("late", "0 * * * *", model.AllowConcurrent)
	deadline.Spec.StartingDeadlineSeconds = model.Ptr[int64](10)
	_, err = e.s.Create(deadline)
	require.NoError(t, err)
	_, err = e.s.Create(newCronJob("minutely", "* * * * *", model.ForbidConcurrent))
	require.NoError(t, err)
	// The controller starts 3 h late (at 12:00:30): three hourly starts
	// and 180 minutely ones were missed.
	e.k.Run(sim.Time(3 * time.Hour))
	e.c.Start()
	e.k.Run(sim.Time(3*time.Hour + 10*time.Second))
	twelve := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	require.ElementsMatch(t, []string{fmt.Sprintf("hourly-%d", twelve.Unix()/60), fmt.Sprintf("minutely-%d", twelve.Unix()/60)}, e.jobNames(),
		"only the most recent missed start runs; the late one is past its deadline")
	// startingDeadlineSeconds moves the earliest start considered to
	// now - 10 s, so the missed starts are simply skipped.
	require.Empty(t, e.rec.Kinds("MissSchedule"))
	many := e.rec.Kinds("TooManyMissedTimes")
	require.Len(t, many, 1)
	require.Equal(t, "default/minutely", many[0].Object)
}

func TestCronJobTimeZone(t *testing.T) {
	e := newEnv()
	e.c.Start()
	cj := newCronJob("ny", "0 9 * * *", model.AllowConcurrent)
	cj.Spec.TimeZone = model.Ptr("America/New_York")
	_, err := e.s.Create(cj)
	require.NoError(t, err)
	e.k.Run(sim.Time(6 * time.Hour))
	at := time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)
	require.Equal(t, []string{fmt.Sprintf("ny-%d", at.Unix()/60)}, e.jobNames())
	o, _ := e.s.Get("Job", "default", fmt.Sprintf("ny-%d", at.Unix()/60))
	require.Equal(t, "2026-01-05T09:00:00-05:00", o.GetObjectMeta().Annotations[AnnotationScheduledTimestamp])
}
