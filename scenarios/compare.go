package scenarios

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/kubesim/kubesim/scheduler"
)

// Policy is one scheduler configuration under comparison.
type Policy struct {
	Name   string
	Config *scheduler.Configuration // nil: the scenario's own
}

// CompareOptions set up a policy comparison.
type CompareOptions struct {
	Policies []Policy
	// Seeds are shared by every policy: seed k gives every policy the same
	// workload and cluster (paired runs).
	Seeds   []uint64
	Workers int
}

// RunRow is one (policy, seed) run's figures.
type RunRow struct {
	Policy  string
	Seed    uint64
	Metrics map[string]float64
	Err     string
}

// ComparedMetrics are the figures compared across policies, in report order.
var ComparedMetrics = []string{
	"scheduling_latency_mean_s", "scheduling_latency_p99_s", "startup_latency_p99_s",
	"unscheduled_at_end", "time_pending_mean_s", "cpu_utilization_mean", "memory_utilization_mean",
	"failed_attempts", "preemptions", "victims", "makespan_s",
}

func rowMetrics(s *Summary) map[string]float64 {
	m := map[string]float64{
		"scheduling_latency_mean_s": s.Pods.SchedulingLatency.Mean,
		"scheduling_latency_p99_s":  s.Pods.SchedulingLatency.P99,
		"startup_latency_p99_s":     s.Pods.StartupLatency.P99,
		"unscheduled_at_end":        float64(s.Pods.UnscheduledAtEnd.Count),
		"time_pending_mean_s":       s.Pods.UnscheduledAtEnd.Mean,
		"cpu_utilization_mean":      s.Utilization.CPUMean,
		"memory_utilization_mean":   s.Utilization.MemMean,
		"makespan_s":                s.Makespan,
	}
	if sc := s.Scheduler; sc != nil {
		m["failed_attempts"] = float64(sc.FailedAttempts)
		m["preemptions"] = float64(sc.Preemptions)
		m["victims"] = float64(sc.Victims)
	}
	return m
}

// Compare runs every (policy, seed) pair of a loaded scenario, in
// parallel, and returns the rows in (policy, seed) order. A failing run is
// recorded with its error; the others go on.
func Compare(l *Loaded, opts CompareOptions) []RunRow {
	n := len(opts.Policies) * len(opts.Seeds)
	rows := make([]RunRow, n)
	errs := RunParallel(n, opts.Workers, func(i int) error {
		p := opts.Policies[i/len(opts.Seeds)]
		seed := opts.Seeds[i%len(opts.Seeds)]
		rows[i] = RunRow{Policy: p.Name, Seed: seed}
		r, err := Start(l, RunOptions{Seed: &seed, SchedulerConfig: p.Config})
		if err != nil {
			return err
		}
		r.Execute()
		rows[i].Metrics = rowMetrics(&r.Summary)
		return nil
	})
	for i, err := range errs {
		if err != nil {
			rows[i].Err = err.Error()
		}
	}
	return rows
}

// MetricStats is one metric of one policy over the seeds: mean with its
// 95% confidence interval (Student's t), and the paired difference to the
// baseline policy (the first) with the two-sided paired t-test's p-value.
type MetricStats struct {
	Policy   string
	Metric   string
	N        int
	Mean     float64
	CI95     float64 // half-width
	Diff     float64 // mean of (policy - baseline) per seed
	DiffCI95 float64
	PValue   float64 // NaN for the baseline itself
}

// Statistics computes MetricStats for every policy and metric from rows;
// runs that failed on a seed drop that seed from the paired comparison.
func Statistics(rows []RunRow, policies []string) []MetricStats {
	bySeed := map[string]map[uint64]map[string]float64{}
	for _, r := range rows {
		if r.Err != "" {
			continue
		}
		if bySeed[r.Policy] == nil {
			bySeed[r.Policy] = map[uint64]map[string]float64{}
		}
		bySeed[r.Policy][r.Seed] = r.Metrics
	}
	if len(policies) == 0 {
		return nil
	}
	base := policies[0]
	var out []MetricStats
	for _, p := range policies {
		seeds := sortedSeeds(bySeed[p])
		for _, metric := range ComparedMetrics {
			var xs, ds []float64
			for _, s := range seeds {
				v := bySeed[p][s][metric]
				xs = append(xs, v)
				if b, ok := bySeed[base][s]; ok {
					ds = append(ds, v-b[metric])
				}
			}
			ms := MetricStats{Policy: p, Metric: metric, N: len(xs), PValue: math.NaN()}
			ms.Mean, ms.CI95 = meanCI(xs)
			if p != base {
				ms.Diff, ms.DiffCI95 = meanCI(ds)
				ms.PValue = pairedTTest(ds)
			}
			out = append(out, ms)
		}
	}
	return out
}

func sortedSeeds(m map[uint64]map[string]float64) []uint64 {
	out := make([]uint64, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// meanCI returns the mean and the half-width of its 95% confidence
// interval, t(0.975, n-1)·s/√n (0 for fewer than 2 values).
func meanCI(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	if len(xs) == 1 {
		return xs[0], 0
	}
	m, sd := stat.MeanStdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975)
	return m, t * sd / math.Sqrt(float64(len(xs)))
}

// pairedTTest is the two-sided p-value of the paired t-test on the
// differences ds (H0: mean difference 0). Identical runs give p = 1.
func pairedTTest(ds []float64) float64 {
	n := len(ds)
	if n < 2 {
		return math.NaN()
	}
	m, sd := stat.MeanStdDev(ds, nil)
	if sd == 0 {
		if m == 0 {
			return 1
		}
		return 0
	}
	t := m / (sd / math.Sqrt(float64(n)))
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}
	return 2 * (1 - dist.CDF(math.Abs(t)))
}

// FormatFloat renders a statistic for tables.
func FormatFloat(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.4g", v)
}
