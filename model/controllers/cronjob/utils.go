package cronjob

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
)

// nextScheduleDelta pads every requeue, for clock skew (upstream 100 ms).
const nextScheduleDelta = 100 * time.Millisecond

// AnnotationScheduledTimestamp records a Job's scheduled time in the
// CronJob's time zone (CronJobsScheduledAnnotation, on since 1.32).
const AnnotationScheduledTimestamp = "batch.kubernetes.io/cronjob-scheduled-timestamp"

// missedSchedules classifies how many starts were missed.
type missedSchedules int

const (
	noneMissed missedSchedules = iota
	fewMissed
	manyMissed
)

func (m missedSchedules) String() string {
	switch m {
	case noneMissed:
		return "none"
	case fewMissed:
		return "few"
	case manyMissed:
		return "many"
	}
	return fmt.Sprintf("unknown(%d)", int(m))
}

// formatSchedule prefixes the schedule with "TZ=<spec.timeZone> " when a
// valid time zone is set and the schedule names none itself.
func formatSchedule(cj *model.CronJob) (string, bool) {
	if strings.Contains(cj.Spec.Schedule, "TZ") {
		return cj.Spec.Schedule, true // unsupported, warned about
	}
	if cj.Spec.TimeZone != nil {
		if _, err := time.LoadLocation(*cj.Spec.TimeZone); err != nil {
			return cj.Spec.Schedule, false
		}
		return "TZ=" + *cj.Spec.TimeZone + " " + cj.Spec.Schedule, false
	}
	return cj.Spec.Schedule, false
}

// ParseSchedule parses a CronJob's schedule as upstream does:
// cron.ParseStandard (five fields, or @hourly/@daily/... descriptors, or
// @every) with spec.timeZone applied.
func ParseSchedule(cj *model.CronJob) (cron.Schedule, error) {
	s, _ := formatSchedule(cj)
	return cron.ParseStandard(s)
}

// mostRecentScheduleTime returns the earliest time considered (last
// schedule, creation, or now - startingDeadlineSeconds when asked), the
// most recent schedule time at or before now (nil if none), how many were
// missed, and an error for a schedule that cannot fire (31 February).
func mostRecentScheduleTime(cj *model.CronJob, now time.Time, schedule cron.Schedule, includeStartingDeadline bool) (time.Time, *time.Time, missedSchedules, error) {
	var earliest time.Time
	if cj.CreationTimestamp != nil {
		earliest = *cj.CreationTimestamp
	}
	missed := noneMissed
	if cj.Status.LastScheduleTime != nil {
		earliest = *cj.Status.LastScheduleTime
	}
	if includeStartingDeadline && cj.Spec.StartingDeadlineSeconds != nil {
		deadline := now.Add(-time.Duration(*cj.Spec.StartingDeadlineSeconds) * time.Second)
		if deadline.After(earliest) {
			earliest = deadline
		}
	}
	t1 := schedule.Next(earliest)
	t2 := schedule.Next(t1)
	if now.Before(t1) {
		return earliest, nil, missed, nil
	}
	if now.Before(t2) {
		return earliest, &t1, missed, nil
	}
	between := int64(t2.Sub(t1).Round(time.Second).Seconds())
	if between < 1 {
		return earliest, nil, missed, errors.New("time difference between two schedules is less than 1 second")
	}
	elapsed := int64(now.Sub(t1).Seconds())
	n := elapsed/between + 1
	var mostRecent time.Time
	potentialEarliest := t1.Add(time.Duration((n-1-1)*between) * time.Second)
	for t := schedule.Next(potentialEarliest); !t.After(now); t = schedule.Next(t) {
		mostRecent = t
	}
	switch {
	case n > 100:
		missed = manyMissed
	case n > 0:
		missed = fewMissed
	}
	if mostRecent.IsZero() {
		return earliest, nil, missed, nil
	}
	return earliest, &mostRecent, missed, nil
}

// nextScheduleTimeDuration is how long until the sync after the next
// schedule time, plus nextScheduleDelta.
func nextScheduleTimeDuration(cj *model.CronJob, now time.Time, schedule cron.Schedule) time.Duration {
	earliest, mostRecent, missed, err := mostRecentScheduleTime(cj, now, schedule, false)
	if err != nil {
		mostRecent = &now
	} else if mostRecent == nil {
		if missed == noneMissed {
			mostRecent = &earliest
		} else {
			mostRecent = &now
		}
	}
	return schedule.Next(*mostRecent).Add(nextScheduleDelta).Sub(now)
}

// nextScheduleTime returns the schedule time to run now, if any, within
// startingDeadlineSeconds.
func nextScheduleTime(cj *model.CronJob, now time.Time, schedule cron.Schedule) (*time.Time, missedSchedules, error) {
	_, mostRecent, missed, err := mostRecentScheduleTime(cj, now, schedule, true)
	if mostRecent == nil || mostRecent.After(now) {
		return nil, missed, err
	}
	return mostRecent, missed, err
}

// JobName is "<cronjob>-<scheduled time in minutes since the epoch>".
func JobName(cj *model.CronJob, scheduled time.Time) string {
	return fmt.Sprintf("%s-%d", cj.Name, scheduled.Unix()/60)
}

// jobFromTemplate makes the Job for one scheduled time (getJobFromTemplate2).
func jobFromTemplate(cj *model.CronJob, scheduled time.Time) (*model.Job, error) {
	labels := map[string]string{}
	for k, v := range cj.Spec.JobTemplate.Labels {
		labels[k] = v
	}
	annotations := map[string]string{}
	for k, v := range cj.Spec.JobTemplate.Annotations {
		annotations[k] = v
	}
	loc, err := time.LoadLocation(model.Deref(cj.Spec.TimeZone, ""))
	if err != nil {
		return nil, err
	}
	annotations[AnnotationScheduledTimestamp] = scheduled.In(loc).Format(time.RFC3339)
	created := scheduled
	return &model.Job{
		ObjectMeta: model.ObjectMeta{
			Name:              JobName(cj, scheduled),
			Namespace:         cj.Namespace,
			Labels:            labels,
			Annotations:       annotations,
			CreationTimestamp: &created,
			OwnerReferences:   []model.OwnerReference{ctrlutil.NewControllerRef(cj, "batch/v1", "CronJob")},
		},
		Spec: model.DeepCopy(cj.Spec.JobTemplate.Spec),
	}, nil
}

func inActiveList(cj *model.CronJob, uid string) bool {
	for _, r := range cj.Status.Active {
		if r.UID == uid {
			return true
		}
	}
	return false
}

func inActiveListByName(cj *model.CronJob, namespace, name string) bool {
	for _, r := range cj.Status.Active {
		if r.Name == name && r.Namespace == namespace {
			return true
		}
	}
	return false
}

func deleteFromActiveList(cj *model.CronJob, uid string) {
	out := []model.ObjectReference{}
	for _, r := range cj.Status.Active {
		if r.UID != uid {
			out = append(out, r)
		}
	}
	cj.Status.Active = out
}

// finishedStatus returns the type of a Job's true Complete or Failed
// condition.
func finishedStatus(j *model.Job) (string, bool) {
	for _, c := range j.Status.Conditions {
		if (c.Type == "Complete" || c.Type == "Failed") && c.Status == model.ConditionTrue {
			return c.Type, true
		}
	}
	return "", false
}

func isJobSucceeded(j *model.Job) bool {
	t, ok := finishedStatus(j)
	return ok && t == "Complete"
}

// sortByStartTime orders Jobs oldest first, Jobs without a start time
// last, names breaking ties (upstream byJobStartTime).
func sortByStartTime(jobs []*model.Job) {
	sort.SliceStable(jobs, func(i, j int) bool {
		a, b := jobs[i].Status.StartTime, jobs[j].Status.StartTime
		if a == nil && b != nil {
			return false
		}
		if a != nil && b == nil {
			return true
		}
		if a == nil || a.Equal(*b) {
			return jobs[i].Name < jobs[j].Name
		}
		return a.Before(*b)
	})
}

func jobRef(j *model.Job) model.ObjectReference {
	return model.ObjectReference{Kind: "Job", Namespace: j.Namespace, Name: j.Name, UID: j.UID,
		APIVersion: "batch/v1", ResourceVersion: j.ResourceVersion}
}
