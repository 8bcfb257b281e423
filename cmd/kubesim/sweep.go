package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/scenarios/library"
)

func libraryScenario(name string) (fs.FS, string, bool) {
	p, ok := library.Path(name)
	return library.FS(), p, ok
}

func newSweepCmd() *cobra.Command {
	var (
		outDir  string
		workers int
		resume  bool
		shard   string
		strict  bool
	)
	cmd := &cobra.Command{
		Use:   "sweep FILE",
		Short: "Run a grid of what-if variations of a scenario (capacity planning)",
		Long: `sweep runs every variation × seed of a Sweep file in parallel, writing
one result file per run (runs/<id>.json, atomically) and results.csv, and
prints a table with the cluster's cost when machine profiles carry a price.
--resume skips runs whose result exists. --shard I/N runs only shard I of N
(runs whose index ≡ I mod N); --shard /N takes I from JOB_COMPLETION_INDEX
(Kubernetes Indexed Jobs) or SLURM_ARRAY_TASK_ID. 'kubesim sweep merge'
combines shard outputs into the unsharded result.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ls, diags := scenarios.LoadSweepFile(args[0], strict, libraryScenario)
			printDiagnostics(cmd.ErrOrStderr(), diags)
			if ls == nil {
				return &exitError{code: 2, err: fmt.Errorf("%s: invalid sweep", args[0])}
			}
			runs := ls.Runs
			if shard != "" {
				i, n, err := parseShard(shard)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				runs = scenarios.Shard(runs, i, n)
				fmt.Fprintf(cmd.ErrOrStderr(), "shard %d/%d: %d of %d runs\n", i, n, len(runs), len(ls.Runs))
			}
			if workers <= 0 {
				workers = runtimeCPUs()
			}
			progress := newProgress(cmd.ErrOrStderr(), len(runs))
			results, err := ls.RunSweep(outDir, runs, workers, resume, progress)
			if err != nil {
				return err
			}
			all, err := scenarios.ReadSweepResults([]string{outDir})
			if err != nil {
				return err
			}
			if err := scenarios.WriteResultsCSV(filepath.Join(outDir, "results.csv"), ls.Names(), all); err != nil {
				return err
			}
			if err := printSweepTable(cmd.OutOrStdout(), ls.Names(), all); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "results in %s (runs/*.json, results.csv)\n", outDir)
			failed := 0
			for _, r := range results {
				if r.Error != "" {
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "run %s failed: %s\n", r.ID, firstLine(r.Error))
				}
			}
			if failed > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d of %d runs failed", failed, len(results))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&outDir, "output-dir", "sweep-out", "directory for runs/*.json and results.csv")
	cmd.Flags().IntVar(&workers, "workers", 0, "parallel runs (default: the number of cores)")
	cmd.Flags().BoolVar(&resume, "resume", false, "skip runs whose result file exists")
	cmd.Flags().StringVar(&shard, "shard", "", "I/N: run only shard I of N (/N: I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat unknown fields and unmodeled kinds as errors")
	cmd.AddCommand(newSweepMergeCmd(), newSweepJobCmd())
	return cmd
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func parseShard(s string) (int, int, error) {
	is, ns, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return 0, 0, fmt.Errorf("--shard: expected I/N with N >= 1, got %q", s)
	}
	if is == "" {
		for _, env := range []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"} {
			if v := os.Getenv(env); v != "" {
				is = v
				break
			}
		}
		if is == "" {
			return 0, 0, fmt.Errorf("--shard /%d: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set", n)
		}
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard: index %q is not in [0, %d)", is, n)
	}
	return i, n, nil
}

// newProgress draws a bar when stderr is a terminal and prints a plain
// line per run otherwise (CI logs, Jobs, Slurm).
func newProgress(w io.Writer, total int) func(int, *scenarios.SweepResult) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("runs"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		return func(done int, _ *scenarios.SweepResult) { _ = bar.Set(done) }
	}
	return func(done int, r *scenarios.SweepResult) {
		status := "ok"
		if r.Error != "" {
			status = "FAILED"
		}
		fmt.Fprintf(w, "[%d/%d] %s %s\n", done, total, r.ID, status)
	}
}

func printSweepTable(w io.Writer, names []string, results []scenarios.SweepResult) error {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	header := []any{"run"}
	for _, n := range names {
		header = append(header, n)
	}
	header = append(header, "seed", "$/hour", "scheduled", "unscheduled", "sched p99 (s)", "cpu util")
	traffic := false
	for _, r := range results {
		traffic = traffic || (r.Summary != nil && r.Summary.Requests != nil)
	}
	if traffic {
		header = append(header, "requests ok", "request p99 (s)")
	}
	header = append(header, "error")
	t.Header(header...)
	for _, r := range results {
		row := []any{r.ID}
		for _, n := range names {
			row = append(row, r.Settings[n])
		}
		row = append(row, r.Seed, fmt.Sprintf("%.2f", r.CostPerHour))
		if s := r.Summary; s != nil {
			sched := int64(0)
			if s.Scheduler != nil {
				sched = s.Scheduler.Scheduled
			}
			row = append(row, sched, s.Pods.UnscheduledAtEnd.Count, scenarios.FormatFloat(s.Pods.SchedulingLatency.P99),
				fmt.Sprintf("%.3f", s.Utilization.CPUMean))
			if traffic {
				ok, p99 := "", ""
				if rq := s.Requests; rq != nil {
					worst := 0.0
					for _, svc := range rq.Services {
						worst = max(worst, svc.Latency.P99)
					}
					ok, p99 = fmt.Sprintf("%.4f", rq.SuccessRate), scenarios.FormatFloat(worst)
				}
				row = append(row, ok, p99)
			}
			row = append(row, "")
		} else {
			row = append(row, "", "", "", "")
			if traffic {
				row = append(row, "", "")
			}
			row = append(row, firstLine(r.Error))
		}
		if err := t.Append(row...); err != nil {
			return err
		}
	}
	return t.Render()
}

func newSweepMergeCmd() *cobra.Command {
	var outDir, sweepFile string
	cmd := &cobra.Command{
		Use:   "merge DIR...",
		Short: "Combine the outputs of sweep shards",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			all, err := scenarios.ReadSweepResults(args)
			if err != nil {
				return err
			}
			var names []string
			if sweepFile != "" {
				ls, diags := scenarios.LoadSweepFile(sweepFile, false, libraryScenario)
				printDiagnostics(cmd.ErrOrStderr(), diags)
				if ls == nil {
					return &exitError{code: 2, err: fmt.Errorf("%s: invalid sweep", sweepFile)}
				}
				names = ls.Names()
			} else if len(all) > 0 {
				for k := range all[0].Settings {
					names = append(names, k)
				}
				sortStrings(names)
			}
			if err := os.MkdirAll(filepath.Join(outDir, "runs"), 0o755); err != nil {
				return err
			}
			for i := range all {
				if err := scenarios.WriteResultJSON(filepath.Join(outDir, "runs", all[i].ID+".json"), &all[i]); err != nil {
					return err
				}
			}
			if err := scenarios.WriteResultsCSV(filepath.Join(outDir, "results.csv"), names, all); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "merged %d runs from %d directories into %s\n", len(all), len(args), outDir)
			return printSweepTable(cmd.OutOrStdout(), names, all)
		},
	}
	cmd.Flags().StringVar(&outDir, "output-dir", "sweep-merged", "directory for the merged runs/*.json and results.csv")
	cmd.Flags().StringVar(&sweepFile, "sweep", "", "the sweep file (for the order of the settings' columns)")
	return cmd
}
