package cronjob

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

func topOfTheHour() time.Time { return time.Date(2016, 5, 19, 10, 0, 0, 0, time.UTC) }

func after(d time.Duration) time.Time { return topOfTheHour().Add(d) }

func ptrTime(t time.Time) *time.Time { return &t }

func cronJob(schedule string, created time.Time, last *time.Time, deadline *int64) *model.CronJob {
	return &model.CronJob{ObjectMeta: model.ObjectMeta{Name: "mycronjob", Namespace: "default", CreationTimestamp: &created},
		Spec:   model.CronJobSpec{Schedule: schedule, StartingDeadlineSeconds: deadline},
		Status: model.CronJobStatus{LastScheduleTime: last}}
}

// Cases from upstream utils_test.go TestMostRecentScheduleTime.
func TestMostRecentScheduleTime(t *testing.T) {
	oneMinute, tenSeconds := int64(60), int64(10)
	cases := []struct {
		name         string
		cj           *model.CronJob
		includeSDS   bool
		now          time.Time
		wantEarliest time.Time
		wantRecent   *time.Time
		wantMissed   missedSchedules
		wantErr      bool
	}{
		{"now before next schedule", cronJob("0 * * * *", topOfTheHour(), nil, nil), false,
			after(30 * time.Second), topOfTheHour(), nil, noneMissed, false},
		{"now just after next schedule", cronJob("0 * * * *", topOfTheHour(), nil, nil), false,
			after(61 * time.Minute), topOfTheHour(), ptrTime(after(60 * time.Minute)), noneMissed, false},
		{"missed 5 schedules", cronJob("0 * * * *", after(10*time.Second), nil, nil), false,
			after(301 * time.Minute), after(10 * time.Second), ptrTime(after(300 * time.Minute)), fewMissed, false},
		{"complex schedule", cronJob("30 6-16/4 * * 1-5", topOfTheHour(), ptrTime(after(30*time.Minute)), nil), false,
			after(24*time.Hour + 31*time.Minute), after(30 * time.Minute), ptrTime(after(24*time.Hour + 30*time.Minute)), fewMissed, false},
		{"another complex schedule", cronJob("30 10,11,12 * * 1-5", topOfTheHour(), ptrTime(after(30*time.Minute)), nil), false,
			after(30*time.Hour + 30*time.Minute), after(30 * time.Minute), nil, fewMissed, false},
		{"complex schedule with longer diff between executions", cronJob("30 6-16/4 * * 1-5", topOfTheHour(), ptrTime(after(30*time.Minute)), nil), false,
			after(96*time.Hour + 31*time.Minute), after(30 * time.Minute), ptrTime(after(96*time.Hour + 30*time.Minute)), fewMissed, false},
		{"complex schedule with shorter diff between executions", cronJob("30 6-16/4 * * 1-5", topOfTheHour(), nil, nil), false,
			after(24*time.Hour + 31*time.Minute), topOfTheHour(), ptrTime(after(24*time.Hour + 30*time.Minute)), fewMissed, false},
		{"@every schedule", cronJob("@every 1h", after(-59*time.Minute), ptrTime(after(time.Minute)), &tenSeconds), false,
			after(7 * 24 * time.Hour), after(time.Minute), ptrTime(after(6*24*time.Hour + 23*time.Hour + time.Minute)), manyMissed, false},
		{"rogue cronjob", cronJob("59 23 31 2 *", after(10*time.Second), nil, nil), false,
			after(time.Hour), time.Time{}, nil, noneMissed, true},
		{"earliestTime being CreationTimestamp and LastScheduleTime", cronJob("0 * * * *", topOfTheHour(), ptrTime(topOfTheHour()), nil), false,
			after(30 * time.Second), topOfTheHour(), nil, noneMissed, false},
		{"earliestTime being LastScheduleTime", cronJob("*/5 * * * *", topOfTheHour(), ptrTime(after(30*time.Minute)), nil), false,
			after(31 * time.Minute), after(30 * time.Minute), nil, noneMissed, false},
		{"earliestTime being LastScheduleTime (within StartingDeadlineSeconds)", cronJob("*/5 * * * *", topOfTheHour(), ptrTime(after(30*time.Minute)), &oneMinute), false,
			after(31 * time.Minute), after(30 * time.Minute), nil, noneMissed, false},
		{"earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)", cronJob("*/5 * * * *", topOfTheHour(), ptrTime(after(30*time.Minute)), &oneMinute), true,
			after(32 * time.Minute), after(31 * time.Minute), nil, noneMissed, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sched, err := cron.ParseStandard(tc.cj.Spec.Schedule)
			require.NoError(t, err)
			earliest, recent, missed, err := mostRecentScheduleTime(tc.cj, tc.now, sched, tc.includeSDS)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.True(t, tc.wantEarliest.Equal(earliest), "earliest %v", earliest)
			if tc.wantRecent == nil {
				require.Nil(t, recent)
			} else {
				require.NotNil(t, recent)
				require.True(t, tc.wantRecent.Equal(*recent), "recent %v", *recent)
			}
			require.Equal(t, tc.wantMissed, missed)
		})
	}
}

// Cases from upstream utils_test.go TestNextScheduleTimeDuration.
func TestNextScheduleTimeDuration(t *testing.T) {
	cases := []struct {
		name string
		cj   *model.CronJob
		now  time.Time
		want time.Duration
	}{
		{"complex schedule skipping weekend", cronJob("30 6-16/4 * * 1-5", topOfTheHour(), ptrTime(after(30*time.Minute)), nil),
			after(24*time.Hour + 31*time.Minute), 3*time.Hour + 59*time.Minute + nextScheduleDelta},
		{"another complex schedule skipping weekend", cronJob("30 10,11,12 * * 1-5", topOfTheHour(), ptrTime(after(30*time.Minute)), nil),
			after(30*time.Hour + 30*time.Minute), 66*time.Hour + nextScheduleDelta},
		{"once a week cronjob, missed two runs", cronJob("0 12 * * 4", topOfTheHour(), ptrTime(after(2*time.Hour)), nil),
			after(19*24*time.Hour + time.Hour + 30*time.Minute), 48*time.Hour + 30*time.Minute + nextScheduleDelta},
		{"no previous run of a cronjob", cronJob("0 12 * * 5", topOfTheHour(), nil, nil),
			after(6 * time.Hour), 20*time.Hour + nextScheduleDelta},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sched, err := cron.ParseStandard(tc.cj.Spec.Schedule)
			require.NoError(t, err)
			require.Equal(t, tc.want, nextScheduleTimeDuration(tc.cj, tc.now, sched))
		})
	}
}

// Cases from upstream utils_test.go TestNextScheduleTime (hourly on the hour).
func TestNextScheduleTime(t *testing.T) {
	sched, err := cron.ParseStandard("0 * * * ?")
	require.NoError(t, err)
	T1, T2 := topOfTheHour(), after(time.Hour)
	got := func(cj *model.CronJob, now time.Time) *time.Time {
		s, _, _ := nextScheduleTime(cj, now, sched)
		return s
	}
	require.Nil(t, got(cronJob("", T1.Add(-10*time.Minute), nil, nil), T1.Add(-7*time.Minute)), "no start needed yet")
	require.Equal(t, T1, *got(cronJob("", T1.Add(-10*time.Minute), nil, nil), T1.Add(2*time.Second)), "one start needed")
	require.Nil(t, got(cronJob("", T1.Add(-10*time.Minute), &T1, nil), T1.Add(2*time.Minute)), "already started")
	require.Equal(t, T2, *got(cronJob("", T1.Add(-10*time.Minute), &T1, nil), T2.Add(5*time.Minute)))
	last := T1.Add(-time.Hour)
	require.Equal(t, T2, *got(cronJob("", T1.Add(-2*time.Hour), &last, nil), T2.Add(5*time.Minute)), "two starts needed: the latest runs")
	require.NotNil(t, got(cronJob("", T1.Add(-2*time.Hour), &last, nil), T2.Add(10*24*time.Hour)), "way behind, no deadline")
	deadline := int64(2 * 60 * 60)
	require.NotNil(t, got(cronJob("", T1.Add(-2*time.Hour), &last, &deadline), T2.Add(10*24*time.Hour)), "way behind, short deadline")
	rogue, err := cron.ParseStandard("59 23 31 2 *")
	require.NoError(t, err)
	s, _, err := nextScheduleTime(cronJob("", T1.Add(10*time.Second), nil, nil), T2, rogue)
	require.Nil(t, s)
	require.Error(t, err)
}

// Cases from upstream utils_test.go TestByJobStartTime.
func TestSortByStartTime(t *testing.T) {
	now := time.Date(2018, 1, 1, 2, 3, 4, 5, time.UTC)
	later := time.Date(2019, 1, 1, 2, 3, 4, 5, time.UTC)
	job := func(name string, st *time.Time) *model.Job {
		return &model.Job{ObjectMeta: model.ObjectMeta{Name: name}, Status: model.JobStatus{StartTime: st}}
	}
	aNil, bNil := job("a", nil), job("b", nil)
	aSet, bSet := job("a", &now), job("b", &now)
	aLater := job("a", &later)
	cases := []struct {
		in, want []*model.Job
	}{
		{[]*model.Job{bNil, aNil}, []*model.Job{aNil, bNil}},
		{[]*model.Job{aNil, bSet}, []*model.Job{bSet, aNil}},
		{[]*model.Job{aSet, bNil}, []*model.Job{aSet, bNil}},
		{[]*model.Job{bSet, aSet}, []*model.Job{aSet, bSet}},
		{[]*model.Job{aLater, bSet}, []*model.Job{bSet, aLater}},
	}
	for _, tc := range cases {
		sortByStartTime(tc.in)
		require.Equal(t, tc.want, tc.in)
	}
}

// After upstream TestGetJobFromTemplate2: labels and annotations copied,
// the scheduled-timestamp annotation in the CronJob's time zone, the name
// in minutes since the epoch.
func TestJobFromTemplate(t *testing.T) {
	scheduled := topOfTheHour()
	for _, tc := range []struct {
		tz   *string
		want string
	}{
		{model.Ptr("UTC"), "2016-05-19T10:00:00Z"},
		{nil, "2016-05-19T10:00:00Z"},
		{model.Ptr("Europe/Rome"), "2016-05-19T12:00:00+02:00"},
	} {
		cj := &model.CronJob{ObjectMeta: model.ObjectMeta{Name: "mycronjob", Namespace: "snazzycats", UID: "1a2b3c"},
			Spec: model.CronJobSpec{Schedule: "* * * * ?", TimeZone: tc.tz, JobTemplate: model.JobTemplateSpec{
				ObjectMeta: model.ObjectMeta{Labels: map[string]string{"a": "b"}, Annotations: map[string]string{"x": "y"}},
				Spec:       model.JobSpec{ActiveDeadlineSeconds: model.Ptr[int64](1)}}}}
		j, err := jobFromTemplate(cj, scheduled)
		require.NoError(t, err)
		require.Equal(t, "mycronjob-24394200", j.Name, "scheduled time in minutes since the epoch")
		require.Equal(t, map[string]string{"a": "b"}, j.Labels)
		require.Len(t, j.Annotations, 2)
		require.Equal(t, tc.want, j.Annotations[AnnotationScheduledTimestamp])
		require.Equal(t, "CronJob", j.ControllerRef().Kind)
		require.Equal(t, int64(1), *j.Spec.ActiveDeadlineSeconds)
	}
}

func TestParseScheduleTimeZone(t *testing.T) {
	cj := &model.CronJob{Spec: model.CronJobSpec{Schedule: "0 9 * * *", TimeZone: model.Ptr("America/New_York")}}
	sched, err := ParseSchedule(cj)
	require.NoError(t, err)
	next := sched.Next(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	require.True(t, next.Equal(time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)), "09:00 in New York is 14:00 UTC in January: %v", next)
	_, err = ParseSchedule(&model.CronJob{Spec: model.CronJobSpec{Schedule: "not a schedule"}})
	require.Error(t, err)
	d, err := ParseSchedule(&model.CronJob{Spec: model.CronJobSpec{Schedule: "@daily"}})
	require.NoError(t, err)
	require.True(t, d.Next(topOfTheHour()).Equal(time.Date(2016, 5, 20, 0, 0, 0, 0, time.UTC)))
}
