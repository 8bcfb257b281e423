// Package report turns a run's output directory (summary.json,
// metrics.csv, events.jsonl) into report.html: one self-contained page
// (no external scripts, styles, fonts or images) with the run's identity,
// its summary as a table and inline SVG plots drawn with gonum.org/v1/plot.
// The same directory always gives the same bytes.
package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Fault is one timeline action or fault from events.jsonl.
type Fault struct {
	Seconds float64
	Kind    string
	Source  string
	Object  string
}

// Input is what a report is made of.
type Input struct {
	// Summary is summary.json, decoded generically so every field shows.
	Summary map[string]any
	// Columns are metrics.csv's header; Rows its values by column.
	Columns []string
	Rows    [][]float64
	// Faults are the timeline's actions and faults, in time order.
	Faults []Fault
}

// skipped timeline kinds: nothing happened.
var skipped = map[string]bool{"ActionSkipped": true, "ActionFailed": true, "FailedCreate": true, "FailedDelete": true}

// Load reads a run directory. events.jsonl is optional (no fault marks
// without it).
func Load(dir string) (*Input, error) {
	in := &Input{}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&in.Summary); err != nil {
		return nil, fmt.Errorf("summary.json: %w", err)
	}
	f, err := os.Open(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("metrics.csv: %w", err)
	}
	if len(recs) == 0 {
		return nil, errors.New("metrics.csv: empty")
	}
	in.Columns = recs[0]
	for i, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for j, s := range rec {
			if row[j], err = strconv.ParseFloat(s, 64); err != nil {
				return nil, fmt.Errorf("metrics.csv:%d: column %s: %w", i+2, in.Columns[j], err)
			}
		}
		in.Rows = append(in.Rows, row)
	}
	in.Faults, err = readFaults(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		return nil, err
	}
	return in, nil
}

func readFaults(path string) ([]Fault, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 64<<20)
	var out []Fault
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"source":"timeline[`)) {
			continue
		}
		var e struct {
			T      int64  `json:"t"`
			Kind   string `json:"kind"`
			Source string `json:"source"`
			Object string `json:"object"`
		}
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("events.jsonl:%d: %w", n, err)
		}
		if skipped[e.Kind] || !strings.HasPrefix(e.Source, "timeline[") {
			continue
		}
		out = append(out, Fault{Seconds: float64(e.T) / 1e9, Kind: e.Kind, Source: e.Source, Object: e.Object})
	}
	return out, sc.Err()
}

// Write renders DIR/report.html from the run in DIR and returns its path.
func Write(dir string) (string, error) {
	in, err := Load(dir)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := Render(&buf, in); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "report.html")
	tmp, err := os.CreateTemp(dir, ".report.html.*.tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// series names a metrics.csv column to plot.
type series struct {
	column, label string
	color         color.RGBA
}

var (
	pendingPlot = []series{{"pods_pending", "pending pods", color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}}}
	utilPlot    = []series{
		{"cpu_request_utilization", "cpu requested", color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}},
		{"cpu_usage_utilization", "cpu used", color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}},
		{"memory_request_utilization", "memory requested", color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}},
		{"memory_usage_utilization", "memory used", color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}},
	}
	requestsPlot = []series{
		{"requests_ok", "succeeded", color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}},
		{"requests_failed", "failed", color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}},
	}
	faultColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// Render writes the report page.
func Render(w io.Writer, in *Input) error {
	pending, err := in.plot("Pending pods", "pods", pendingPlot)
	if err != nil {
		return err
	}
	util, err := in.plot("Utilization of allocatable", "fraction", utilPlot)
	if err != nil {
		return err
	}
	// Runs with traffic plot the requests of each interval.
	requests := ""
	if _, traffic := in.Summary["requests"]; traffic && in.column("requests_ok") >= 0 {
		if requests, err = in.plot("Requests per interval", "requests", requestsPlot); err != nil {
			return err
		}
	}
	e := html.EscapeString
	str := func(k string) string { return e(scalar(in.Summary[k])) }
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	fmt.Fprintf(&b, "<title>kubesim report: %s (seed %s)</title>\n", str("scenario"), str("seed"))
	b.WriteString(`<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; font-size: 90%; }
td.n { text-align: right; font-family: monospace; }
figure { margin: 1em 0; }
svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
`)
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>seed <b>%s</b> · kubesim %s · scenario hash <code>%s</code> · start %s · %s simulated seconds (%s)</p>\n",
		str("scenario"), str("seed"), str("kubesimVersion"), str("scenarioHash"), str("start"), str("simulatedSeconds"), str("stopReason"))
	fmt.Fprintf(&b, "<p>Reproduce with <code>kubesim run %s --seed %s</code>.</p>\n", str("scenario"), str("seed"))
	b.WriteString("<h2>Time series</h2>\n<figure>\n")
	b.WriteString(pending)
	b.WriteString("</figure>\n<figure>\n")
	b.WriteString(util)
	b.WriteString("</figure>\n")
	if requests != "" {
		b.WriteString("<figure>\n")
		b.WriteString(requests)
		b.WriteString("</figure>\n")
	}
	if len(in.Faults) > 0 {
		b.WriteString("<h2>Timeline</h2>\n<p>Marked in red on the plots.</p>\n<table>\n<tr><th>t (s)</th><th>kind</th><th>object</th><th>source</th></tr>\n")
		for _, f := range in.Faults {
			fmt.Fprintf(&b, "<tr><td class=\"n\">%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				strconv.FormatFloat(f.Seconds, 'f', 3, 64), e(f.Kind), e(f.Object), e(f.Source))
		}
		b.WriteString("</table>\n")
	}
	b.WriteString("<h2>Summary</h2>\n<table>\n<tr><th>field</th><th>value</th></tr>\n")
	var rows [][2]string
	flatten("", in.Summary, &rows)
	for _, r := range rows {
		fmt.Fprintf(&b, "<tr><td>%s</td><td class=\"n\">%s</td></tr>\n", e(r[0]), e(r[1]))
	}
	b.WriteString("</table>\n</body>\n</html>\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// scalar formats a JSON scalar (nil as empty).
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// flatten lists the summary's leaves as dotted paths, keys sorted. The
// wall time is left out: it is the one thing that differs between reruns.
func flatten(prefix string, v any, out *[][2]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if prefix == "" && k == "wallSeconds" {
				continue
			}
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x[k], out)
		}
	case []any:
		simple := true
		parts := make([]string, len(x))
		for i, el := range x {
			switch el.(type) {
			case map[string]any, []any:
				simple = false
			}
			parts[i] = scalar(el)
		}
		if simple {
			*out = append(*out, [2]string{prefix, strings.Join(parts, "; ")})
			return
		}
		for i, el := range x {
			flatten(prefix+"["+strconv.Itoa(i)+"]", el, out)
		}
	default:
		*out = append(*out, [2]string{prefix, scalar(v)})
	}
}

// plot draws the named columns against simulated minutes, with the faults
// as vertical red lines, and returns the SVG element.
func (in *Input) plot(title, ylabel string, ss []series) (string, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "simulated minutes"
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())

	tcol := in.column("t_seconds")
	ymax := 0.0
	for _, s := range ss {
		c := in.column(s.column)
		if c < 0 || tcol < 0 {
			continue
		}
		pts := make(plotter.XYs, len(in.Rows))
		for i, r := range in.Rows {
			pts[i] = plotter.XY{X: r[tcol] / 60, Y: r[c]}
			ymax = max(ymax, r[c])
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return "", fmt.Errorf("plot %s: %w", s.column, err)
		}
		l.Color = s.color
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.label, l)
	}
	if ymax == 0 {
		ymax = 1
	}
	p.Y.Min = 0
	p.Y.Max = ymax * 1.1
	for i, f := range in.Faults {
		l, err := plotter.NewLine(plotter.XYs{{X: f.Seconds / 60, Y: 0}, {X: f.Seconds / 60, Y: ymax}})
		if err != nil {
			return "", err
		}
		l.Color = faultColor
		l.Width = vg.Points(1)
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		if i == 0 {
			p.Legend.Add("timeline action / fault", l)
		}
	}
	c := vgsvg.New(8*vg.Inch, 4*vg.Inch)
	dc := draw.New(c)
	// The legend goes in a strip under the plot, so it never covers a line.
	leg := p.Legend
	p.Legend = plot.NewLegend()
	strip := vg.Points(float64(13 * (len(ss) + 1)))
	p.Draw(draw.Crop(dc, 0, 0, strip, 0))
	leg.Top, leg.Left = true, true
	leg.XOffs = vg.Points(60)
	_, height := c.Size()
	leg.Draw(draw.Crop(dc, 0, 0, 0, -(height - strip)))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	return inlineSVG(buf.String()), nil
}

// inlineSVG strips the XML prologue and the unused xlink namespace so the
// element embeds in HTML with no URL but the SVG namespace.
func inlineSVG(s string) string {
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	s = strings.Replace(s, `xmlns:xlink="http://www.w3.org/1999/xlink"`, "", 1)
	return s
}

func (in *Input) column(name string) int {
	for i, c := range in.Columns {
		if c == name {
			return i
		}
	}
	return -1
}
