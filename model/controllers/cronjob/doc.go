// Package cronjob is the CronJob controller, re-implemented from
// kube-controller-manager (Kubernetes 1.35)
// pkg/controller/cronjob/cronjob_controllerv2.go and utils.go:
//
//   - schedules parsed by github.com/robfig/cron/v3 ParseStandard (five
//     fields, @hourly/@daily/... descriptors, @every), with spec.timeZone
//     applied as a "TZ=" prefix (time zone data is embedded so runs agree
//     across machines);
//   - mostRecentScheduleTime: the latest schedule at or before now since
//     lastScheduleTime (or creation), bounded by startingDeadlineSeconds;
//     more than 100 missed starts records TooManyMissedTimes; a schedule
//     that can never fire (31 February) is InvalidSchedule;
//   - concurrencyPolicy Allow, Forbid (JobAlreadyActive) and Replace
//     (running Jobs deleted with background propagation), suspend,
//     successful/failed history limits (oldest by start time deleted);
//   - Jobs named "<cronjob>-<scheduled time in minutes since the epoch>",
//     with the batch.kubernetes.io/cronjob-scheduled-timestamp annotation;
//   - requeue at the next schedule time plus 100 ms.
//
// The kernel's time zero stands for Config.Start, the scenario's wall date.
//
// Journal events (source "cronjob-controller"): SuccessfulCreate,
// FailedCreate, SuccessfulDelete, FailedDelete, SawCompletedJob,
// MissingJob, UnexpectedJob, JobAlreadyActive, MissSchedule,
// TooManyMissedTimes, InvalidSchedule, UnparseableSchedule,
// UnsupportedSchedule, UnknownTimeZone, FailedGet.
//
// Deviation: the CronJob status is written with a full update; upstream
// uses the status subresource.
package cronjob
