package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/scenarios/report"
)

func newReportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report DIR",
		Short: "Write DIR/report.html from a run's outputs (summary.json, metrics.csv, events.jsonl)",
		Long: `report reads the outputs of "kubesim run --output-dir DIR" and writes
DIR/report.html: one self-contained page (no external scripts, styles or
fonts) with the scenario, seed and version, the summary as a table, and inline
SVG plots of pending pods and of cpu and memory request and usage
utilization, with the timeline's actions and faults marked.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := report.Write(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "wrote", path)
			return nil
		},
	}
}
