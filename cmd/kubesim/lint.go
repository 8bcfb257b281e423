package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/scenarios/library"
)

func newLintCmd() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "lint FILE|DIR|NAME...",
		Short: "Validate scenarios and Kubernetes manifests",
		Long: `lint reads scenarios (kind: Scenario, including the manifests they
reference) and plain Kubernetes manifests (files, directories, globs), and
prints every problem as file:line:column: severity: field.path: message.
It exits non-zero if any error was found. --strict turns unknown fields and
unmodeled kinds into errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var all manifest.Diagnostics
			objects := 0
			var manifests []string
			for _, a := range args {
				_, statErr := os.Stat(a)
				_, builtin := library.Path(a)
				if (statErr != nil && builtin) || (statErr == nil && isScenarioFile(a)) {
					l, diags := loadScenario(a, strict)
					all = append(all, diags...)
					if l != nil {
						objects += len(l.Initial) + len(l.Nodes)
						for _, t := range l.Timeline {
							objects += len(t.Apply)
						}
					}
					continue
				}
				manifests = append(manifests, a)
			}
			if len(manifests) > 0 {
				objs, diags := manifest.DecodePaths(manifests, manifest.Options{Strict: strict})
				all = append(all, diags...)
				objects += len(objs)
			}
			printDiagnostics(cmd.ErrOrStderr(), all)
			errs := len(all.Errors())
			fmt.Fprintf(cmd.OutOrStdout(), "%d objects, %d errors, %d warnings\n", objects, errs, len(all)-errs)
			if errs > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d errors", errs)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "treat unknown fields and unmodeled kinds as errors")
	return cmd
}
