package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/scenarios/library"
	"github.com/kubesim/kubesim/scheduler"
)

func newExplainCmd() *cobra.Command {
	var (
		manifests []string
		podRef    string
		cfgFile   string
		output    string
		seed      uint64
		strict    bool
	)
	cmd := &cobra.Command{
		Use:   "explain --manifests PATH... --pod NAMESPACE/NAME",
		Short: "Show why the scheduler places a pod where it does",
		Long: `explain loads nodes, pods (those with a nodeName count as running there),
volumes and the other objects from manifests, runs one scheduling cycle for
the named pending pod and prints, for every node, the filter verdict (with
the rejecting plugin and its reasons) and every score plugin's raw,
normalized and weighted score. Every feasible node is scored, also where
kube-scheduler would skip scoring. With -o json the output is the stable
form documented in docs/scheduling.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(manifests) == 0 || podRef == "" {
				return &exitError{code: 2, err: fmt.Errorf("--manifests and --pod are required")}
			}
			ns, name, ok := strings.Cut(podRef, "/")
			if !ok {
				ns, name = "default", podRef
			}
			objs, diags := manifest.DecodePaths(manifests, manifest.Options{Strict: strict})
			printDiagnostics(cmd.ErrOrStderr(), diags)
			if diags.HasErrors() {
				return &exitError{code: 2, err: fmt.Errorf("invalid manifests")}
			}
			admitted, errs := scenarios.Admit(objs, scenarios.DefaultStart)
			for _, e := range errs {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", e)
			}
			var opts scheduler.Options
			if cfgFile != "" {
				cfg, diags, file := loadSchedulerConfig(cfgFile, strict)
				printDiagnostics(cmd.ErrOrStderr(), diags)
				if cfg == nil {
					return &exitError{code: 2, err: fmt.Errorf("%s: invalid scheduler configuration", cfgFile)}
				}
				opts.Config, opts.ConfigFile = cfg, file
			}
			ex, err := scheduler.Explain(admitted, ns, name, opts, seed)
			if err != nil {
				return err
			}
			switch output {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(ex)
			case "table", "":
				return printExplanation(cmd.OutOrStdout(), ex)
			default:
				return &exitError{code: 2, err: fmt.Errorf("-o: expected table or json, got %q", output)}
			}
		},
	}
	cmd.Flags().StringSliceVar(&manifests, "manifests", nil, "manifest files, directories or globs (repeatable)")
	cmd.Flags().StringVar(&podRef, "pod", "", "the pending pod, NAMESPACE/NAME")
	cmd.Flags().StringVar(&cfgFile, "scheduler-config", "", "a KubeSchedulerConfiguration file or a built-in profile ("+strings.Join(library.SchedulerConfigs(), ", ")+")")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the tie-break stream")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat unknown fields and unmodeled kinds as errors")
	return cmd
}

// loadSchedulerConfig reads a configuration file, or a built-in profile.
func loadSchedulerConfig(arg string, strict bool) (*scheduler.Configuration, manifest.Diagnostics, string) {
	if _, err := os.Stat(arg); err != nil {
		if p, ok := library.SchedulerConfigPath(arg); ok {
			data, _ := fs.ReadFile(library.FS(), p)
			cfg, diags := scheduler.ParseConfiguration("library/"+p, data, strict)
			return cfg, diags, "library/" + p
		}
	}
	cfg, diags := scheduler.LoadConfiguration(arg, strict)
	return cfg, diags, arg
}

func printExplanation(w io.Writer, ex *scheduler.Explanation) error {
	fmt.Fprintf(w, "pod %s (profile %s): %s", ex.Pod, ex.Profile, ex.Result)
	if ex.SelectedNode != "" {
		fmt.Fprintf(w, " on %s", ex.SelectedNode)
	}
	fmt.Fprintln(w)
	if ex.Message != "" {
		fmt.Fprintln(w, ex.Message)
	}
	var plugins []string
	seen := map[string]bool{}
	for _, n := range ex.Nodes {
		for p := range n.Scores {
			if !seen[p] {
				seen[p] = true
				plugins = append(plugins, p)
			}
		}
	}
	sort.Strings(plugins)
	nodes := append([]scheduler.NodeExplanation(nil), ex.Nodes...)
	sort.SliceStable(nodes, func(i, j int) bool {
		fi, fj := nodes[i].Filter.Status == "Success", nodes[j].Filter.Status == "Success"
		if fi != fj {
			return fi
		}
		if fi && nodes[i].TotalScore != nodes[j].TotalScore {
			return nodes[i].TotalScore > nodes[j].TotalScore
		}
		return nodes[i].Name < nodes[j].Name
	})
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	header := []any{"node", "filter", "total"}
	for _, p := range plugins {
		header = append(header, p)
	}
	t.Header(header...)
	for _, n := range nodes {
		name := n.Name
		if name == ex.SelectedNode {
			name = "* " + name
		}
		filter := n.Filter.Status
		if n.Filter.Status != "Success" {
			filter = fmt.Sprintf("%s: %s", n.Filter.Plugin, strings.Join(n.Filter.Reasons, "; "))
		}
		row := []any{name, filter, ""}
		if n.Filter.Status == "Success" {
			row[2] = n.TotalScore
		}
		for _, p := range plugins {
			s, ok := n.Scores[p]
			switch {
			case !ok:
				row = append(row, "")
			case s.Skipped:
				row = append(row, "skip")
			default:
				row = append(row, fmt.Sprintf("%d (raw %d)", s.Weighted, s.Raw))
			}
		}
		if err := t.Append(row...); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if pr := ex.Preemption; pr != nil && pr.Attempted {
		fmt.Fprintf(w, "preemption: %s", pr.Status)
		if pr.NominatedNode != "" {
			fmt.Fprintf(w, ", would nominate %s evicting %s", pr.NominatedNode, strings.Join(pr.Victims, ", "))
		}
		fmt.Fprintln(w)
	}
	for _, n := range ex.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	return nil
}
