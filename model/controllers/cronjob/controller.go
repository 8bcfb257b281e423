package cronjob

import (
	"fmt"
	"strings"
	"time"

	_ "time/tzdata" // spec.timeZone must resolve the same on every machine

	"github.com/robfig/cron/v3"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Source is the component name the CronJob controller reports as.
const Source = "cronjob-controller"

// Config holds the CronJob controller's settings.
type Config struct {
	// Start is the wall date of simulated time zero; schedules are
	// evaluated against it.
	Start time.Time
	// ConcurrentCronJobSyncs is --concurrent-cron-job-syncs (5).
	ConcurrentCronJobSyncs int
	// QPS and Burst are kube-controller-manager's client limits (20, 30).
	QPS   float64
	Burst int
}

// DefaultConfig returns upstream's defaults; Start is left zero.
func DefaultConfig() Config {
	return Config{ConcurrentCronJobSyncs: 5, QPS: 20, Burst: 30}
}

// Controller is the CronJob controller (cronjob_controllerv2.go).
type Controller struct {
	k        *sim.Kernel
	cfg      Config
	client   model.Client
	cronjobs *model.Informer
	jobs     *model.Informer
	queue    *model.WorkQueue
	work     *ctrlutil.Workers
}

// New returns a CronJob controller; Start begins its watches.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	c := &Controller{k: k, cfg: cfg, client: connect(Source, cfg.QPS, cfg.Burst)}
	c.cronjobs = model.NewInformer(k, c.client, "CronJob", 0)
	c.jobs = model.NewInformer(k, c.client, "Job", 0)
	c.work = &ctrlutil.Workers{Defer: k, Max: max(cfg.ConcurrentCronJobSyncs, 1), Sync: c.sync}
	c.queue = model.NewWorkQueue(k, model.DefaultControllerRateLimiter(), c.work.Pump)
	c.work.Queue = c.queue
	c.cronjobs.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.queue.Add(model.Key(o)) },
		OnUpdate: c.updateCronJob,
		OnDelete: func(o model.Object) { c.queue.Add(model.Key(o)) },
	})
	onJob := func(o model.Object) {
		if cj := c.owner(o.(*model.Job)); cj != nil {
			c.queue.Add(model.Key(cj))
		}
	}
	c.jobs.AddEventHandler(model.ResourceEventHandler{
		OnAdd: onJob,
		OnUpdate: func(oldObj, newObj model.Object) {
			old, cur := oldObj.(*model.Job), newObj.(*model.Job)
			if old.ResourceVersion == cur.ResourceVersion {
				return
			}
			if or, cr := old.ControllerRef(), cur.ControllerRef(); or != nil && (cr == nil || or.UID != cr.UID) {
				onJob(old)
			}
			onJob(cur)
		},
		OnDelete: onJob,
	})
	return c
}

// Start begins watching CronJobs and Jobs.
func (c *Controller) Start() {
	c.cronjobs.Start()
	c.jobs.Start()
}

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) record(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Source, Object: object, Fields: fields})
}

// owner resolves a Job's controller reference to a cached CronJob.
func (c *Controller) owner(j *model.Job) *model.CronJob {
	if o, ok := ctrlutil.ResolveControllerRef(c.cronjobs, j, "CronJob"); ok {
		return o.(*model.CronJob)
	}
	return nil
}

// updateCronJob requeues for the next schedule time when the schedule or
// time zone changed, and at once otherwise.
func (c *Controller) updateCronJob(oldObj, newObj model.Object) {
	old, cur := oldObj.(*model.CronJob), newObj.(*model.CronJob)
	if old.Spec.Schedule != cur.Spec.Schedule || model.Deref(old.Spec.TimeZone, "") != model.Deref(cur.Spec.TimeZone, "") ||
		(old.Spec.TimeZone == nil) != (cur.Spec.TimeZone == nil) {
		sched, err := ParseSchedule(cur)
		if err != nil {
			c.record("UnParseableCronJobSchedule", cur.Key(), sim.F("schedule", cur.Spec.Schedule))
			return
		}
		c.queue.AddAfter(cur.Key(), nextScheduleTimeDuration(cur, c.now(), sched))
		return
	}
	c.queue.Add(cur.Key())
}

// jobsFor returns the cached Jobs whose controller reference names the
// CronJob, sorted by name.
func (c *Controller) jobsFor(cj *model.CronJob) []*model.Job {
	var out []*model.Job
	for _, o := range c.jobs.List() {
		j := o.(*model.Job)
		if j.Namespace != cj.Namespace {
			continue
		}
		if ref := j.ControllerRef(); ref != nil && ref.Name == cj.Name {
			out = append(out, j)
		}
	}
	return out
}

// sync is upstream ControllerV2.sync: clean up finished Jobs beyond the
// history limits, reconcile the active list and start the Job due now,
// write the status once, and requeue for the next schedule.
func (c *Controller) sync(key string, done func(error)) {
	ns, name, _ := strings.Cut(key, "/")
	o, ok := c.cronjobs.Get(ns, name)
	if !ok {
		done(nil)
		return
	}
	cj := model.DeepCopy(o.(*model.CronJob))
	jobs := c.jobsFor(cj)
	c.cleanupFinishedJobs(cj, jobs, func(cleanupChanged bool) {
		s := &syncState{cj: cj, jobs: jobs, now: c.now()}
		c.syncCronJob(s, func(syncErr error) {
			finish := func() {
				if s.requeueAfter != nil {
					c.queue.AddAfter(key, *s.requeueAfter)
					done(nil)
					return
				}
				done(syncErr)
			}
			if !cleanupChanged && !s.updateStatus {
				finish()
				return
			}
			c.client.Update(s.cj, func(_ model.Object, err error) {
				if err != nil {
					done(err)
					return
				}
				finish()
			})
		})
	})
}

type syncState struct {
	cj           *model.CronJob
	jobs         []*model.Job
	now          time.Time
	updateStatus bool
	requeueAfter *time.Duration
}

// each runs step for 0..n-1 in order, each step calling next to go on or
// stop(err) to end early; end runs after the last step.
func each(n int, step func(i int, next func(), stop func(error)), end func(error)) {
	var run func(i int)
	run = func(i int) {
		if i >= n {
			end(nil)
			return
		}
		step(i, func() { run(i + 1) }, end)
	}
	run(0)
}

// syncCronJob reconciles the CronJob with its Jobs and starts the Job due
// now, if any (upstream syncCronJob).
func (c *Controller) syncCronJob(s *syncState, done func(error)) {
	children := map[string]bool{}
	for _, j := range s.jobs {
		children[j.UID] = true
	}
	each(len(s.jobs), func(i int, next func(), stop func(error)) {
		j := s.jobs[i]
		cj := s.cj
		found := inActiveList(cj, j.UID)
		_, finished := finishedStatus(j)
		switch {
		case !found && !finished:
			// A running Job the status does not list: re-read the CronJob.
			c.client.Get("CronJob", cj.Namespace, cj.Name, func(o model.Object, err error) {
				if err != nil {
					stop(err)
					return
				}
				fresh := o.(*model.CronJob)
				if inActiveList(fresh, j.UID) {
					s.cj = model.DeepCopy(fresh)
				} else {
					c.record("UnexpectedJob", cj.Key(), sim.F("job", j.Name))
				}
				next()
			})
			return
		case found && finished:
			t, _ := finishedStatus(j)
			deleteFromActiveList(cj, j.UID)
			c.record("SawCompletedJob", cj.Key(), sim.F("job", j.Name), sim.F("status", t))
			s.updateStatus = true
		case isJobSucceeded(j):
			if cj.Status.LastSuccessfulTime == nil && j.Status.CompletionTime != nil {
				t := *j.Status.CompletionTime
				cj.Status.LastSuccessfulTime = &t
				s.updateStatus = true
			}
			if j.Status.CompletionTime != nil && cj.Status.LastSuccessfulTime != nil && j.Status.CompletionTime.After(*cj.Status.LastSuccessfulTime) {
				t := *j.Status.CompletionTime
				cj.Status.LastSuccessfulTime = &t
				s.updateStatus = true
			}
		}
		next()
	}, func(err error) {
		if err != nil {
			done(err)
			return
		}
		c.reconcileMissingActive(s, children, done)
	})
}

// reconcileMissingActive drops active references whose Job is gone (read
// live to avoid trusting a lagging cache), then schedules.
func (c *Controller) reconcileMissingActive(s *syncState, children map[string]bool, done func(error)) {
	active := append([]model.ObjectReference(nil), s.cj.Status.Active...)
	each(len(active), func(i int, next func(), stop func(error)) {
		ref := active[i]
		if children[ref.UID] {
			next()
			return
		}
		c.client.Get("Job", ref.Namespace, ref.Name, func(_ model.Object, err error) {
			switch {
			case model.IsNotFound(err):
				c.record("MissingJob", s.cj.Key(), sim.F("job", ref.Name))
				deleteFromActiveList(s.cj, ref.UID)
				s.updateStatus = true
			case err != nil:
				stop(err)
				return
			}
			next()
		})
	}, func(err error) {
		if err != nil {
			done(err)
			return
		}
		c.schedule(s, done)
	})
}

func (c *Controller) schedule(s *syncState, done func(error)) {
	cj, now := s.cj, s.now
	if cj.DeletionTimestamp != nil {
		done(nil)
		return
	}
	if cj.Spec.TimeZone != nil {
		if _, err := time.LoadLocation(*cj.Spec.TimeZone); err != nil {
			c.record("UnknownTimeZone", cj.Key(), sim.F("timeZone", *cj.Spec.TimeZone), sim.F("error", err.Error()))
			done(nil)
			return
		}
	}
	if cj.Spec.Suspend != nil && *cj.Spec.Suspend {
		done(nil)
		return
	}
	formatted, unsupportedTZ := formatSchedule(cj)
	if unsupportedTZ {
		c.record("UnsupportedSchedule", cj.Key(), sim.F("schedule", cj.Spec.Schedule))
	}
	sched, err := cron.ParseStandard(formatted)
	if err != nil {
		c.record("UnparseableSchedule", cj.Key(), sim.F("schedule", cj.Spec.Schedule), sim.F("error", err.Error()))
		done(nil)
		return
	}
	requeue := func() {
		d := nextScheduleTimeDuration(cj, now, sched)
		s.requeueAfter = &d
		done(nil)
	}
	scheduled, missed, err := nextScheduleTime(cj, now, sched)
	if scheduled != nil && missed == manyMissed {
		c.record("TooManyMissedTimes", cj.Key(), sim.F("message", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"))
	}
	if err != nil {
		c.record("InvalidSchedule", cj.Key(), sim.F("schedule", cj.Spec.Schedule), sim.F("error", err.Error()))
		done(nil)
		return
	}
	if scheduled == nil {
		requeue()
		return
	}
	if cj.Spec.StartingDeadlineSeconds != nil && scheduled.Add(time.Duration(*cj.Spec.StartingDeadlineSeconds)*time.Second).Before(now) {
		c.record("MissSchedule", cj.Key(), sim.F("scheduledTime", scheduled.UTC().Format(time.RFC1123Z)))
		requeue()
		return
	}
	if inActiveListByName(cj, cj.Namespace, JobName(cj, *scheduled)) ||
		(cj.Status.LastScheduleTime != nil && cj.Status.LastScheduleTime.Equal(*scheduled)) {
		requeue()
		return
	}
	if cj.Spec.ConcurrencyPolicy == model.ForbidConcurrent && len(cj.Status.Active) > 0 {
		c.record("JobAlreadyActive", cj.Key(), sim.F("message", "Not starting job because prior execution is running and concurrency policy is Forbid"))
		requeue()
		return
	}
	create := func() { c.createJob(s, *scheduled, sched, done) }
	if cj.Spec.ConcurrencyPolicy != model.ReplaceConcurrent {
		create()
		return
	}
	active := append([]model.ObjectReference(nil), cj.Status.Active...)
	each(len(active), func(i int, next func(), stop func(error)) {
		ref := active[i]
		c.client.Get("Job", ref.Namespace, ref.Name, func(o model.Object, err error) {
			if err != nil {
				c.record("FailedGet", cj.Key(), sim.F("error", err.Error()))
				stop(err)
				return
			}
			c.deleteJob(cj, o.(*model.Job), func(ok bool) {
				if !ok {
					stop(fmt.Errorf("could not replace job %s/%s", ref.Namespace, ref.Name))
					return
				}
				s.updateStatus = true
				next()
			})
		})
	}, func(err error) {
		if err != nil {
			done(err)
			return
		}
		create()
	})
}

func (c *Controller) createJob(s *syncState, scheduled time.Time, sched cron.Schedule, done func(error)) {
	cj := s.cj
	req, err := jobFromTemplate(cj, scheduled)
	if err != nil {
		done(err)
		return
	}
	added := func(j *model.Job) {
		cj.Status.Active = append(cj.Status.Active, jobRef(j))
		t := scheduled
		cj.Status.LastScheduleTime = &t
		s.updateStatus = true
		d := nextScheduleTimeDuration(cj, s.now, sched)
		s.requeueAfter = &d
		done(nil)
	}
	c.client.Create(req, func(o model.Object, err error) {
		switch {
		case model.IsAlreadyExists(err):
			// Created earlier but the status update was lost: adopt it
			// into the active list if this CronJob controls it.
			c.client.Get("Job", req.Namespace, req.Name, func(o model.Object, err error) {
				if err != nil {
					done(err)
					return
				}
				j := o.(*model.Job)
				ref := j.ControllerRef()
				if ref == nil || ref.UID != cj.UID || inActiveList(cj, j.UID) {
					done(nil)
					return
				}
				added(j)
			})
		case err != nil:
			c.record("FailedCreate", cj.Key(), sim.F("error", err.Error()))
			done(err)
		default:
			c.record("SuccessfulCreate", cj.Key(), sim.F("job", o.GetObjectMeta().Name),
				sim.F("scheduledTime", scheduled.UTC().Format(time.RFC3339)))
			added(o.(*model.Job))
		}
	})
}

// deleteJob deletes a Job with background propagation and drops it from
// the active list.
func (c *Controller) deleteJob(cj *model.CronJob, j *model.Job, done func(bool)) {
	c.client.DeleteWith("Job", j.Namespace, j.Name, model.DeleteOptions{PropagationPolicy: model.Ptr(model.DeletePropagationBackground)}, func(err error) {
		if err != nil {
			c.record("FailedDelete", cj.Key(), sim.F("job", j.Name), sim.F("error", err.Error()))
			done(false)
			return
		}
		deleteFromActiveList(cj, j.UID)
		c.record("SuccessfulDelete", cj.Key(), sim.F("job", j.Name))
		done(true)
	})
}

// cleanupFinishedJobs deletes the oldest finished Jobs beyond
// successfulJobsHistoryLimit and failedJobsHistoryLimit.
func (c *Controller) cleanupFinishedJobs(cj *model.CronJob, jobs []*model.Job, done func(changed bool)) {
	if cj.Spec.FailedJobsHistoryLimit == nil && cj.Spec.SuccessfulJobsHistoryLimit == nil {
		done(false)
		return
	}
	var succeeded, failed []*model.Job
	for _, j := range jobs {
		if t, ok := finishedStatus(j); ok {
			if t == "Complete" {
				succeeded = append(succeeded, j)
			} else {
				failed = append(failed, j)
			}
		}
	}
	var victims []*model.Job
	pick := func(list []*model.Job, limit *int32) {
		if limit == nil {
			return
		}
		n := len(list) - int(*limit)
		if n <= 0 {
			return
		}
		sortByStartTime(list)
		victims = append(victims, list[:n]...)
	}
	pick(succeeded, cj.Spec.SuccessfulJobsHistoryLimit)
	pick(failed, cj.Spec.FailedJobsHistoryLimit)
	changed := false
	each(len(victims), func(i int, next func(), _ func(error)) {
		c.deleteJob(cj, victims[i], func(ok bool) {
			changed = changed || ok
			next()
		})
	}, func(error) { done(changed) })
}
