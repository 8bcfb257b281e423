package main

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/scenarios/library"
)

func newScenariosCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List and show the built-in scenarios",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, n := range library.Names() {
				first, _, _ := strings.Cut(library.Summary(n), "\n")
				fmt.Fprintf(cmd.OutOrStdout(), "%-28s %s\n", n, first)
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in scenario",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, ok := library.Path(args[0])
			if !ok {
				return fmt.Errorf("no built-in scenario %q (built-in: %s)", args[0], strings.Join(library.Names(), ", "))
			}
			data, err := fs.ReadFile(library.FS(), p)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	})
	return cmd
}
