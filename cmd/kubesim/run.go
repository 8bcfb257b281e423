package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/sim"
)

func newRunCmd() *cobra.Command {
	var (
		seed      string
		outputDir string
		strict    bool
		output    string
		schedCfg  string
		cpuProf   string
		memProf   string
	)
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run a scenario (a file, or a built-in name such as quickstart)",
		Long: `run builds the cluster a scenario describes, runs its workloads and
timeline in simulated time, and prints a summary. With --output-dir it writes
events.jsonl (the journal), state.yaml (every object at the end) and
summary.json. The same scenario, seed and kubesim version always produce
byte-identical events.jsonl and state.yaml.

Exit codes: 0 ok, 1 error, 2 bad input (invalid scenario or flags),
3 an assertion of spec.assert failed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, diags := loadScenario(args[0], strict)
			printDiagnostics(cmd.ErrOrStderr(), diags)
			if l == nil {
				return &exitError{code: 2, err: fmt.Errorf("%s: invalid scenario", args[0])}
			}
			var opts scenarios.RunOptions
			opts.OutputDir = outputDir
			if seed != "" {
				s, err := strconv.ParseUint(seed, 10, 64)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--seed: expected a non-negative integer, got %q", seed)}
				}
				opts.Seed = &s
			}
			if schedCfg != "" {
				cfg, diags, _ := loadSchedulerConfig(schedCfg, strict)
				printDiagnostics(cmd.ErrOrStderr(), diags)
				if cfg == nil {
					return &exitError{code: 2, err: fmt.Errorf("%s: invalid scheduler configuration", schedCfg)}
				}
				opts.SchedulerConfig = cfg
			}
			if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				opts.Progress = runProgress(f, l.Scenario.Spec.Duration)
			}
			wallStart := time.Now()
			r, err := scenarios.Start(l, opts)
			if err != nil {
				return err
			}
			stopProfiles, err := startProfiles(cpuProf, memProf)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "seed=%d scenario=%s (reproduce with: kubesim run %s --seed %d)\n",
				r.Summary.Seed, l.Scenario.Name(), args[0], r.Summary.Seed)
			r.Execute()
			if err := stopProfiles(); err != nil {
				return err
			}
			if err := r.Finish(time.Since(wallStart)); err != nil {
				return err
			}
			var perr error
			switch output {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				perr = enc.Encode(r.Summary)
			case "table", "":
				perr = printSummary(cmd.OutOrStdout(), &r.Summary, outputDir)
			default:
				return &exitError{code: 2, err: fmt.Errorf("-o: expected table or json, got %q", output)}
			}
			if perr != nil {
				return perr
			}
			if n := r.Summary.FailedAssertions(); n > 0 {
				return &exitError{code: 3, err: fmt.Errorf("%d of %d assertions failed", n, len(r.Summary.Assertions))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&seed, "seed", "", "run seed (overrides spec.seed)")
	cmd.Flags().StringVar(&outputDir, "output-dir", "", "directory for events.jsonl, state.yaml and summary.json")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat unknown fields and unmodeled kinds as errors")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "summary format: table or json")
	cmd.Flags().StringVar(&schedCfg, "scheduler-config", "", "a KubeSchedulerConfiguration file or built-in profile, replacing the scenario's")
	cmd.Flags().StringVar(&cpuProf, "cpuprofile", "", "write a pprof CPU profile of the run to this file")
	cmd.Flags().StringVar(&memProf, "memprofile", "", "write a pprof heap profile, taken when the run ends, to this file")
	return cmd
}

// runProgress draws simulated time and events per wall second on a
// terminal.
func runProgress(w *os.File, total time.Duration) func(sim.Time, uint64) {
	bar := progressbar.NewOptions64(int64(total/time.Second), progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("simulated s"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond))
	start := time.Now()
	return func(now sim.Time, events uint64) {
		rate := float64(events) / max(time.Since(start).Seconds(), 1e-9)
		bar.Describe(fmt.Sprintf("simulated s (%.0f events/s)", rate))
		_ = bar.Set64(int64(time.Duration(now) / time.Second))
	}
}

func printSummary(w io.Writer, s *scenarios.Summary, dir string) error {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("run summary", "value")
	rows := [][]any{
		{"scenario", s.Scenario},
		{"seed", s.Seed},
		{"scenario hash", s.ScenarioHash[:16]},
		{"simulated", (time.Duration(s.SimulatedSeconds * float64(time.Second))).String()},
		{"wall time", fmt.Sprintf("%.3fs", s.WallSeconds)},
		{"events", s.Events},
		{"nodes", s.Nodes},
	}
	if s.StopReason != "" && s.StopReason != "duration" {
		rows = append(rows, []any{"stopped by", s.StopReason})
	}
	for _, k := range model.SortedKeys(s.PodsByPhase) {
		rows = append(rows, []any{"pods " + k, s.PodsByPhase[k]})
	}
	if sc := s.Scheduler; sc != nil {
		rows = append(rows, []any{"scheduled", sc.Scheduled}, []any{"failed scheduling attempts", sc.FailedAttempts})
		if sc.Preemptions > 0 {
			rows = append(rows, []any{"preemptions (victims)", fmt.Sprintf("%d (%d)", sc.Preemptions, sc.Victims)})
		}
		rows = append(rows, []any{"pending at end", sc.PendingAtEnd})
	}
	if s.ApplyErrors > 0 {
		rows = append(rows, []any{"apply errors", s.ApplyErrors})
	}
	if rq := s.Requests; rq != nil {
		rows = append(rows, []any{"requests (failed)", fmt.Sprintf("%d (%d)", rq.Total, rq.Failed)},
			[]any{"request success rate", fmt.Sprintf("%.4f", rq.SuccessRate)})
		for _, svc := range rq.Services {
			rows = append(rows, []any{"latency " + svc.Service, fmt.Sprintf("p50 %s, p99 %s",
				scenarios.FormatFloat(svc.Latency.P50)+"s", scenarios.FormatFloat(svc.Latency.P99)+"s")})
		}
		if rq.LongestFailureWindowSeconds > 0 {
			rows = append(rows, []any{"longest failure window", fmt.Sprintf("%.1fs", rq.LongestFailureWindowSeconds)})
		}
		for _, rec := range rq.Recoveries {
			rows = append(rows, []any{"recovery after " + rec.Action, fmt.Sprintf("%.1fs (%d failed requests)", rec.RecoveredAfterSeconds, rec.FailedRequests)})
		}
	}
	for _, kp := range s.KubeProxy {
		rows = append(rows, []any{"kube-proxy " + kp.Mode + " syncs", fmt.Sprintf("%d on %d nodes, p99 %ss, max %ss", kp.Syncs, kp.Nodes,
			scenarios.FormatFloat(kp.SyncDuration.P99), scenarios.FormatFloat(kp.SyncDuration.Max))})
	}
	for _, a := range s.Assertions {
		verdict := "ok"
		if !a.OK {
			verdict = "FAILED"
		}
		rows = append(rows, []any{"assert " + a.Expr, verdict + " (" + scenarios.FormatAssertionValue(a) + ")"})
	}
	rows = append(rows, []any{"not simulated yet", fmt.Sprint(s.NotSimulated)})
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	if dir != "" {
		fmt.Fprintf(w, "outputs in %s: events.jsonl state.yaml metrics.csv metrics.om trace.json summary.json\n", dir)
	}
	return nil
}
