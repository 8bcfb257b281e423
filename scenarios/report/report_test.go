package report_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/scenarios/library"
	"github.com/kubesim/kubesim/scenarios/report"
)

func runQuickstart(t *testing.T, dir string) {
	t.Helper()
	p, ok := library.Path("quickstart")
	require.True(t, ok)
	l, diags := scenarios.LoadFS(library.FS(), p, nil, scenarios.LoadOptions{})
	require.False(t, diags.HasErrors(), "%v", diags)
	r, err := scenarios.Start(l, scenarios.RunOptions{OutputDir: dir})
	require.NoError(t, err)
	r.Execute()
	require.NoError(t, r.Finish(0))
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	runQuickstart(t, dir)
	path, err := report.Write(dir)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "report.html"), path)
	a, err := os.ReadFile(path)
	require.NoError(t, err)
	page := string(a)

	require.Equal(t, 2, strings.Count(page, "<svg"), "two inline plots")
	require.Contains(t, page, "<h1>quickstart</h1>")
	require.Contains(t, page, "seed <b>42</b>")
	require.Contains(t, page, scenarios.Version)
	require.Contains(t, page, "<td>pods.startupLatency.p99</td>")
	require.NotContains(t, page, "wallSeconds", "the wall time would break byte-identity across reruns")
	// The timeline's actions are listed and marked.
	require.Contains(t, page, "<td>Applied</td>")
	require.Contains(t, page, "timeline action / fault")

	// Self-contained: no URL but the SVG namespace, no external resources.
	urls := regexp.MustCompile(`https?://[^"'\s<>)]*`).FindAllString(page, -1)
	for _, u := range urls {
		require.Equal(t, "http://www.w3.org/2000/svg", u)
	}
	for _, bad := range []string{"<script", "<link", "@import", "src="} {
		require.NotContains(t, page, bad)
	}

	// Same run, same bytes.
	_, err = report.Write(dir)
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, page, string(b))

	// A rerun of the seed gives the same report too.
	dir2 := t.TempDir()
	runQuickstart(t, dir2)
	_, err = report.Write(dir2)
	require.NoError(t, err)
	c, err := os.ReadFile(filepath.Join(dir2, "report.html"))
	require.NoError(t, err)
	require.Equal(t, page, string(c))
}

func TestReportMissingInputs(t *testing.T) {
	_, err := report.Write(t.TempDir())
	require.Error(t, err)
}
