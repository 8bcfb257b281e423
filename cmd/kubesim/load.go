package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/scenarios/library"
)

// loadScenario reads a scenario file, or a built-in one by name.
func loadScenario(arg string, strict bool) (*scenarios.Loaded, manifest.Diagnostics) {
	opts := scenarios.LoadOptions{Strict: strict}
	if _, err := os.Stat(arg); err != nil {
		if p, ok := library.Path(arg); ok {
			return scenarios.LoadFS(library.FS(), p, func(s string) string { return "library/" + s }, opts)
		}
		if !strings.ContainsAny(arg, "/.") {
			return nil, manifest.Diagnostics{{File: arg, Severity: manifest.Error,
				Message: fmt.Sprintf("no such file, and no built-in scenario of that name (built-in: %s)", strings.Join(library.Names(), ", "))}}
		}
	}
	return scenarios.LoadFile(arg, opts)
}

// isScenarioFile reports whether a YAML file is a kubesim Scenario rather
// than Kubernetes manifests.
func isScenarioFile(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var head struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&head); err != nil {
		return false
	}
	return head.APIVersion == scenarios.APIVersion && head.Kind == scenarios.Kind
}

func printDiagnostics(w io.Writer, diags manifest.Diagnostics) {
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
	}
}
