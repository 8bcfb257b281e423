package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/scenarios"
)

func newCompareCmd() *cobra.Command {
	var (
		configs []string
		seeds   int
		first   uint64
		workers int
		csvPath string
		output  string
		strict  bool
	)
	cmd := &cobra.Command{
		Use:   "compare SCENARIO --scheduler-config A --scheduler-config B ...",
		Short: "Compare scheduler policies on one scenario over many seeds",
		Long: `compare runs the scenario once per (policy, seed), in parallel across
cores. Seeds are paired: seed k gives every policy the same cluster and
workload. For every metric it prints each policy's mean with a 95%
confidence interval, and for every policy after the first the paired
difference to the first with the two-sided paired t-test's p-value.
--output writes one CSV row per run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(configs) < 2 {
				return &exitError{code: 2, err: fmt.Errorf("give at least two --scheduler-config (files or built-in profiles)")}
			}
			if seeds < 2 {
				return &exitError{code: 2, err: fmt.Errorf("--seeds must be at least 2 for confidence intervals, got %d", seeds)}
			}
			l, diags := loadScenario(args[0], strict)
			printDiagnostics(cmd.ErrOrStderr(), diags)
			if l == nil {
				return &exitError{code: 2, err: fmt.Errorf("%s: invalid scenario", args[0])}
			}
			var opts scenarios.CompareOptions
			names := map[string]bool{}
			for _, c := range configs {
				cfg, diags, _ := loadSchedulerConfig(c, strict)
				printDiagnostics(cmd.ErrOrStderr(), diags)
				if cfg == nil {
					return &exitError{code: 2, err: fmt.Errorf("%s: invalid scheduler configuration", c)}
				}
				name := strings.TrimSuffix(filepath.Base(c), filepath.Ext(c))
				for names[name] {
					name += "'"
				}
				names[name] = true
				opts.Policies = append(opts.Policies, scenarios.Policy{Name: name, Config: cfg})
			}
			for i := 0; i < seeds; i++ {
				opts.Seeds = append(opts.Seeds, first+uint64(i))
			}
			opts.Workers = workers
			if opts.Workers <= 0 {
				opts.Workers = runtime.NumCPU()
			}
			rows := scenarios.Compare(l, opts)
			failed := 0
			for _, r := range rows {
				if r.Err != "" {
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "run %s seed %d failed: %s\n", r.Policy, r.Seed, r.Err)
				}
			}
			var policyNames []string
			for _, p := range opts.Policies {
				policyNames = append(policyNames, p.Name)
			}
			stats := scenarios.Statistics(rows, policyNames)
			if csvPath != "" {
				if err := writeRunsCSV(csvPath, rows); err != nil {
					return err
				}
			}
			switch output {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				type js struct {
					Policy, Metric string
					N              int
					Mean, CI95     float64
					Diff, DiffCI95 float64
					PValue         *float64 `json:",omitempty"`
				}
				var out []js
				for _, s := range stats {
					j := js{s.Policy, s.Metric, s.N, s.Mean, s.CI95, s.Diff, s.DiffCI95, nil}
					if s.PValue == s.PValue { // not NaN
						p := s.PValue
						j.PValue = &p
					}
					out = append(out, j)
				}
				if err := enc.Encode(out); err != nil {
					return err
				}
			default:
				if err := printCompare(cmd.OutOrStdout(), stats, policyNames, len(opts.Seeds)); err != nil {
					return err
				}
			}
			if failed > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d of %d runs failed", failed, len(rows))}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&configs, "scheduler-config", nil, "a KubeSchedulerConfiguration file or built-in profile (repeat; the first is the baseline)")
	cmd.Flags().IntVar(&seeds, "seeds", 10, "number of seeds per policy")
	cmd.Flags().Uint64Var(&first, "first-seed", 1, "the first seed")
	cmd.Flags().IntVar(&workers, "workers", 0, "parallel runs (default: the number of cores)")
	cmd.Flags().StringVar(&csvPath, "output", "", "write one CSV row per run to this file")
	cmd.Flags().StringVarP(&output, "format", "o", "table", "table or json")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat unknown fields and unmodeled kinds as errors")
	return cmd
}

func printCompare(w io.Writer, stats []scenarios.MetricStats, policies []string, seeds int) error {
	fmt.Fprintf(w, "%d seeds per policy; mean ± 95%% CI; Δ = paired difference to %s (p: paired t-test)\n", seeds, policies[0])
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	header := []any{"metric"}
	for i, p := range policies {
		header = append(header, p)
		if i > 0 {
			header = append(header, "Δ "+p, "p")
		}
	}
	t.Header(header...)
	for _, metric := range scenarios.ComparedMetrics {
		row := []any{metric}
		for i, p := range policies {
			for _, s := range stats {
				if s.Policy != p || s.Metric != metric {
					continue
				}
				row = append(row, scenarios.FormatFloat(s.Mean)+" ± "+scenarios.FormatFloat(s.CI95))
				if i > 0 {
					row = append(row, fmt.Sprintf("%+.4g ± %s", s.Diff, scenarios.FormatFloat(s.DiffCI95)), scenarios.FormatFloat(s.PValue))
				}
			}
		}
		if err := t.Append(row...); err != nil {
			return err
		}
	}
	return t.Render()
}

// writeRunsCSV writes the per-run rows atomically (temporary file, then
// rename), so an interrupted compare leaves no partial file.
func writeRunsCSV(path string, rows []scenarios.RunRow) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(append(append([]string{"policy", "seed"}, scenarios.ComparedMetrics...), "error"))
	for _, r := range rows {
		rec := []string{r.Policy, strconv.FormatUint(r.Seed, 10)}
		for _, m := range scenarios.ComparedMetrics {
			if r.Err != "" {
				rec = append(rec, "")
				continue
			}
			rec = append(rec, strconv.FormatFloat(r.Metrics[m], 'g', -1, 64))
		}
		_ = w.Write(append(rec, r.Err))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
