// Command kubesim is the command-line interface of kubesim, a deterministic
// discrete-event simulator of Kubernetes clusters. The commands are thin:
// the work happens in package scenarios and below.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		var ee *exitError
		code := 1
		if errors.As(err, &ee) {
			code = ee.code
		}
		if err.Error() != "" {
			fmt.Fprintln(os.Stderr, "kubesim:", err)
		}
		os.Exit(code)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "kubesim",
		Short: "Deterministic discrete-event simulator of Kubernetes clusters",
		Long: `kubesim simulates Kubernetes clusters in virtual time with the real
algorithms (scheduler, controllers, kube-proxy, etcd Raft). The same seed and
scenario always give byte-identical outputs.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newVersionCmd(), newLintCmd(), newRunCmd(), newExplainCmd(), newCompareCmd(), newSweepCmd(), newScenariosCmd(), newReportCmd())
	return root
}
