package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubesim/kubesim/scenarios"
)

func runtimeCPUs() int       { return runtime.NumCPU() }
func sortStrings(s []string) { sort.Strings(s) }

func newSweepJobCmd() *cobra.Command {
	var (
		shards, parallelism, cpus, backoff int
		image, claim, name                 string
	)
	cmd := &cobra.Command{
		Use:   "k8s-job FILE",
		Short: "Print a Kubernetes Indexed Job that runs a sweep sharded over a real cluster",
		Long: `k8s-job prints a batch/v1 Job in Indexed completion mode: completion index
I runs 'kubesim sweep FILE --shard /N', writing into its own directory on a
shared results volume. Put the sweep file (and its scenario and manifests)
in a ConfigMap, give the Job a ReadWriteMany claim for results, apply, and
when it completes run 'kubesim sweep merge /results/shard-*'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ls, diags := scenarios.LoadSweepFile(args[0], false, libraryScenario)
			printDiagnostics(cmd.ErrOrStderr(), diags)
			if ls == nil {
				return &exitError{code: 2, err: fmt.Errorf("%s: invalid sweep", args[0])}
			}
			if shards < 1 {
				return &exitError{code: 2, err: fmt.Errorf("--shards must be at least 1")}
			}
			if parallelism <= 0 || parallelism > shards {
				parallelism = shards
			}
			if name == "" {
				name = "kubesim-sweep-" + dnsLabel(ls.Sweep.Metadata.Name)
			}
			fmt.Fprint(cmd.OutOrStdout(), IndexedJobManifest(name, filepath.Base(args[0]), image, claim, shards, parallelism, cpus, backoff, len(ls.Runs)))
			return nil
		},
	}
	cmd.Flags().IntVar(&shards, "shards", 4, "number of shards (Job completions)")
	cmd.Flags().IntVar(&parallelism, "parallelism", 0, "shards running at once (default: all)")
	cmd.Flags().IntVar(&cpus, "cpus", 2, "cores per shard (also its --workers)")
	cmd.Flags().IntVar(&backoff, "backoff-limit-per-index", 2, "retries of a failed shard")
	cmd.Flags().StringVar(&image, "image", "kubesim:latest", "the kubesim container image (built from the repo's Dockerfile)")
	cmd.Flags().StringVar(&claim, "results-claim", "kubesim-results", "a ReadWriteMany PersistentVolumeClaim for the results")
	cmd.Flags().StringVar(&name, "name", "", "the Job's name (default: kubesim-sweep-<sweep name>)")
	return cmd
}

func dnsLabel(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		out = "sweep"
	}
	if len(out) > 40 {
		out = out[:40]
	}
	return out
}

// IndexedJobManifest renders the Job.
func IndexedJobManifest(name, sweepFile, image, claim string, shards, parallelism, cpus, backoff, runs int) string {
	return fmt.Sprintf(`# Runs the sweep %[2]s (%[9]d runs) as %[5]d shards on a Kubernetes cluster.
#   kubectl create configmap %[1]s --from-file=<dir with the sweep, its scenario and manifests>
#   kubectl apply -f this-file.yaml
#   kubectl wait --for=condition=complete job/%[1]s --timeout=24h
# then, from a pod that mounts the results claim:
#   kubesim sweep merge /results/shard-* --output-dir /results/merged
apiVersion: batch/v1
kind: Job
metadata:
  name: %[1]s
  labels:
    app.kubernetes.io/name: kubesim
    app.kubernetes.io/component: sweep
spec:
  completionMode: Indexed
  completions: %[5]d
  parallelism: %[6]d
  backoffLimitPerIndex: %[8]d
  template:
    metadata:
      labels:
        app.kubernetes.io/name: kubesim
        app.kubernetes.io/component: sweep
    spec:
      restartPolicy: Never
      containers:
      - name: kubesim
        image: %[3]s
        command:
        - kubesim
        - sweep
        - /sweep/%[2]s
        - --shard
        - /%[5]d
        - --workers
        - "%[7]d"
        - --resume
        - --output-dir
        - /results/shard-$(JOB_COMPLETION_INDEX)
        resources:
          requests:
            cpu: "%[7]d"
            memory: 2Gi
          limits:
            memory: 4Gi
        volumeMounts:
        - name: sweep
          mountPath: /sweep
          readOnly: true
        - name: results
          mountPath: /results
      volumes:
      - name: sweep
        configMap:
          name: %[1]s
      - name: results
        persistentVolumeClaim:
          claimName: %[4]s
`, name, sweepFile, image, claim, shards, parallelism, cpus, backoff, runs)
}
