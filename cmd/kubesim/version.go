package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/scenarios"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kubesim's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "kubesim %s (%s, %s/%s)\n", scenarios.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(cmd.OutOrStdout(), "models Kubernetes 1.35 behaviour; scenario format %s\n", scenarios.APIVersion)
			return nil
		},
	}
}
