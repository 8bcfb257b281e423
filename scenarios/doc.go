// Package scenarios is kubesim's product layer: the Scenario format, loading
// and validating it with precise diagnostics, building a cluster from it,
// running it on the kernel, and writing the run's outputs.
//
// It sits above every simulation package: cmd → scenarios → {model/...,
// scheduler, network, storage} → model → sim. Nothing below imports it.
package scenarios
