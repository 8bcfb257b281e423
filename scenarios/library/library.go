// Package library embeds kubesim's built-in scenarios and the manifests
// they use, so `kubesim run quickstart` works from a bare binary.
package library

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.yaml manifests schedulers
var files embed.FS

// FS returns the library's files.
func FS() fs.FS { return files }

// Names lists the built-in scenarios (file names without .yaml), sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

// Path returns the file of a built-in scenario and whether it exists.
func Path(name string) (string, bool) {
	p := path.Clean(strings.TrimSuffix(name, ".yaml") + ".yaml")
	if _, err := fs.Stat(files, p); err != nil || strings.Contains(p, "/") {
		return "", false
	}
	return p, true
}

// Summary returns the first comment block of a scenario file: who it is
// for, what it shows and how long it takes.
func Summary(name string) string {
	p, ok := Path(name)
	if !ok {
		return ""
	}
	data, _ := fs.ReadFile(files, p)
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		lines = append(lines, strings.TrimSpace(strings.TrimPrefix(l, "#")))
	}
	return strings.Join(lines, "\n")
}

// SchedulerConfigs lists the built-in scheduler profiles (files under
// schedulers/ without .yaml), sorted.
func SchedulerConfigs() []string {
	entries, _ := fs.ReadDir(files, "schedulers")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

// SchedulerConfigPath returns the embedded path of a built-in profile.
func SchedulerConfigPath(name string) (string, bool) {
	p := path.Join("schedulers", strings.TrimSuffix(name, ".yaml")+".yaml")
	if strings.Contains(name, "/") {
		return "", false
	}
	if _, err := fs.Stat(files, p); err != nil {
		return "", false
	}
	return p, true
}
