package scenarios

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

// checkOpenMetrics is a small parser of the OpenMetrics 1.0 text subset
// metrics.om uses: every family declared (TYPE, then optional UNIT and
// HELP) before its samples, samples contiguous per family, names ending
// with the unit, timestamps increasing per series, # EOF last and once.
// It returns the number of samples per family.
func checkOpenMetrics(t *testing.T, text string) map[string]int {
	t.Helper()
	require.True(t, strings.HasSuffix(text, "# EOF\n"), "ends with # EOF")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	families := map[string]string{} // name -> type
	samples := map[string]int{}
	lastTS := map[string]float64{}
	cur := ""
	for i, line := range lines {
		if line == "# EOF" {
			require.Equal(t, len(lines)-1, i, "# EOF is the last line")
			continue
		}
		if strings.HasPrefix(line, "# ") {
			parts := strings.SplitN(line, " ", 4)
			require.GreaterOrEqual(t, len(parts), 4, "line %d: %q", i+1, line)
			name := parts[2]
			require.Regexp(t, `^[a-zA-Z_:][a-zA-Z0-9_:]*$`, name)
			switch parts[1] {
			case "TYPE":
				_, seen := families[name]
				require.False(t, seen, "family %s declared twice", name)
				require.Equal(t, "gauge", parts[3])
				families[name] = parts[3]
				cur = name
			case "UNIT":
				require.Equal(t, cur, name, "UNIT follows its TYPE")
				require.True(t, strings.HasSuffix(name, "_"+parts[3]), "%s ends with its unit", name)
			case "HELP":
				require.Equal(t, cur, name, "HELP follows its TYPE")
			default:
				t.Fatalf("line %d: unknown descriptor %q", i+1, line)
			}
			continue
		}
		// name{labels} value timestamp
		brace := strings.IndexByte(line, '{')
		require.Positive(t, brace, "line %d: %q", i+1, line)
		name := line[:brace]
		require.Equal(t, cur, name, "line %d: sample of %s outside its family", i+1, name)
		end := strings.IndexByte(line, '}')
		require.Regexp(t, `^(\w+="(\\.|[^"\\])*",?)*$`, line[brace+1:end])
		series := line[:end+1]
		fields := strings.Fields(line[end+1:])
		require.Len(t, fields, 2, "line %d: value and timestamp", i+1)
		_, err := strconv.ParseFloat(fields[0], 64)
		require.NoError(t, err)
		ts, err := strconv.ParseFloat(fields[1], 64)
		require.NoError(t, err)
		if prev, ok := lastTS[series]; ok {
			require.Greater(t, ts, prev, "line %d: timestamps increase per series", i+1)
		}
		lastTS[series] = ts
		samples[name]++
	}
	return samples
}

type traceDoc struct {
	TraceEvents []struct {
		Name string         `json:"name"`
		Ph   string         `json:"ph"`
		Ts   float64        `json:"ts"`
		Dur  *float64       `json:"dur"`
		Pid  int            `json:"pid"`
		Tid  int            `json:"tid"`
		Args map[string]any `json:"args"`
	} `json:"traceEvents"`
	DisplayTimeUnit string            `json:"displayTimeUnit"`
	OtherData       map[string]string `json:"otherData"`
}

// checkTrace parses trace.json and checks that complete slices never
// overlap on one (pid, tid). It returns the count of events per phase.
func checkTrace(t *testing.T, data []byte) (traceDoc, map[string]int) {
	t.Helper()
	var doc traceDoc
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Equal(t, "ms", doc.DisplayTimeUnit)
	phases := map[string]int{}
	type lane struct{ pid, tid int }
	type span struct{ from, to float64 }
	spans := map[lane][]span{}
	for _, e := range doc.TraceEvents {
		phases[e.Ph]++
		if e.Ph == "X" {
			require.NotNil(t, e.Dur, "X event %s has a dur", e.Name)
			require.GreaterOrEqual(t, *e.Dur, 0.0)
			l := lane{e.Pid, e.Tid}
			for _, s := range spans[l] {
				require.False(t, e.Ts < s.to && s.from < e.Ts+*e.Dur,
					"%s [%v,%v] overlaps [%v,%v] on pid %d tid %d", e.Name, e.Ts, e.Ts+*e.Dur, s.from, s.to, e.Pid, e.Tid)
			}
			spans[l] = append(spans[l], span{e.Ts, e.Ts + *e.Dur})
		}
	}
	return doc, phases
}

func TestOpenMetricsAndTrace(t *testing.T) {
	dir := t.TempDir()
	r := runTo(t, loadLibrary(t, "quickstart"), dir, nil)

	om, err := os.ReadFile(filepath.Join(dir, "metrics.om"))
	require.NoError(t, err)
	samples := checkOpenMetrics(t, string(om))
	require.Len(t, samples, len(omFamilies))
	for name, n := range samples {
		require.Equal(t, len(r.series), n, name)
	}
	// The first sample is at spec.start + 10 s.
	first := r.start.Unix() + 10
	require.Contains(t, string(om), `kubesim_nodes{scenario="quickstart",seed="42"} 8 `+strconv.FormatInt(first, 10)+".000\n")

	data, err := os.ReadFile(filepath.Join(dir, "trace.json"))
	require.NoError(t, err)
	doc, phases := checkTrace(t, data)
	for _, ph := range []string{"M", "X", "i", "C"} {
		require.Positive(t, phases[ph], "phase %s present", ph)
	}
	require.Equal(t, "42", doc.OtherData["seed"])
	require.Equal(t, r.Summary.ScenarioHash, doc.OtherData["scenarioHash"])
	require.Equal(t, Version, doc.OtherData["version"])
	names := map[string]bool{}
	for _, e := range doc.TraceEvents {
		if e.Ph == "M" && e.Name == "process_name" {
			names[e.Args["name"].(string)] = true
		}
	}
	require.True(t, names["cluster"])
	require.True(t, names["node web-0"])

	// Same seed, same bytes.
	dir2 := t.TempDir()
	runTo(t, loadLibrary(t, "quickstart"), dir2, nil)
	for _, f := range []string{"metrics.om", "trace.json"} {
		a, _ := os.ReadFile(filepath.Join(dir, f))
		b, err := os.ReadFile(filepath.Join(dir2, f))
		require.NoError(t, err)
		require.Equal(t, string(a), string(b), f)
	}
}

func TestTraceNodeCrash(t *testing.T) {
	tb := &traceBuilder{nodes: map[string]*traceNode{}, open: map[string]*traceSlice{}}
	ev := func(ts int64, kind, source, object string) {
		tb.observe(&sim.Event{T: sim.Time(ts), Kind: kind, Source: source, Object: object})
	}
	ev(0, "RegisteredNode", "cluster", "n1")
	ev(1000, "Started", "kubelet/n1", "default/a")
	ev(1000, "Started", "kubelet/n1", "default/a") // second container
	ev(2000, "Started", "kubelet/n1", "default/b")
	ev(3000, "NodeCrash", "timeline[0]", "n1")
	ev(4000, "Started", "kubelet/n1", "default/c")
	var sb strings.Builder
	w := bufio.NewWriter(&sb)
	require.NoError(t, tb.write(w, 5000, nil, &Summary{Scenario: "x", Seed: 1}))
	require.NoError(t, w.Flush())
	doc, phases := checkTrace(t, []byte(sb.String()))
	require.Equal(t, 3, phases["X"])
	require.Equal(t, 1, phases["i"])
	lanes := map[string]int{}
	for _, e := range doc.TraceEvents {
		if e.Ph == "X" {
			lanes[e.Name] = e.Tid
			if e.Name == "default/a" {
				require.Equal(t, 1.0, e.Ts)
				require.Equal(t, 2.0, *e.Dur)
				require.Equal(t, "NodeCrash", e.Args["end"])
			}
		}
	}
	require.Equal(t, map[string]int{"default/a": 0, "default/b": 1, "default/c": 0}, lanes)
}
