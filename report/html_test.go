package report_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/report"
)

// TestHTMLEscapesInput: names, messages, sources, errors and coverage reasons that carry
// markup stay text; the page's only script is its own, no element loads anything, and the
// Content-Security-Policy allows nothing from elsewhere.
func TestHTMLEscapesInput(t *testing.T) {
	out := write(t, hostileFormatsReport(), report.FormatHTML, report.Options{})
	for i, r := range string(out) {
		require.True(t, r == '\n' || unicode.IsPrint(r), "%U at %d", r, i)
	}
	doc, err := html.Parse(bytes.NewReader(out))
	require.NoError(t, err)

	assert.Len(t, elements(doc, atom.Script), 1, "the page's own script only")
	for _, a := range []atom.Atom{atom.Img, atom.Iframe, atom.Link, atom.Object, atom.Embed, atom.Base, atom.Form, atom.Audio, atom.Video} {
		assert.Empty(t, elements(doc, a), "<%s>", a)
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			assert.False(t, strings.HasPrefix(a.Key, "on"), "event handler %s=%q on <%s>", a.Key, a.Val, n.Data)
			assert.NotEqual(t, "src", a.Key, "<%s src=%q>", n.Data, a.Val)
			if a.Key == "href" {
				assert.True(t, strings.HasPrefix(a.Val, "https://"), "href %q", a.Val)
			}
		}
	}
	var csp string
	for _, m := range elements(doc, atom.Meta) {
		if strings.EqualFold(attr(m, "http-equiv"), "Content-Security-Policy") {
			csp = attr(m, "content")
		}
	}
	assert.Contains(t, csp, "default-src 'none'")
	assert.Regexp(t, `script-src 'sha256-[A-Za-z0-9+/=]+'`, csp)
	assert.Regexp(t, `style-src 'sha256-[A-Za-z0-9+/=]+'`, csp)
	assert.NotContains(t, csp, "http")
	assert.NotContains(t, csp, "unsafe")

	var cells []string
	for _, td := range elements(doc, atom.Td) {
		cells = append(cells, textOf(td))
	}
	for _, want := range []string{
		"Pod ns-<img src=x onerror=alert(1)>/<img src=x onerror=alert(1)>",
		"Pod ns-</script><script>alert(1)</script>/</script><script>alert(1)</script>",
		"Pod ns-nul\\x00 bell\\a esc\\x1b[2J",
		"Pod ns-{{.Title}} ${x} %s/{{.Title}} ${x} %s",
	} {
		assert.True(t, containsPrefix(cells, want), "no cell starts with %q", want)
	}
	text := textOf(doc)
	assert.Contains(t, text, "<script>alert(1)</script>", "the coverage reason, as text")
	assert.Contains(t, text, "bad | <i>value</i>", "the load error, as text")
	assert.Contains(t, text, "<b>src</b>", "the source, as text")
}

// TestHTMLContent: the page holds the compliance of each benchmark and section, both charts,
// a row per result, and the remediation of each failing check.
func TestHTMLContent(t *testing.T) {
	r, opts := goldenReport(t)
	doc, err := html.Parse(bytes.NewReader(write(t, r, report.FormatHTML, opts)))
	require.NoError(t, err)
	rows := 0
	for _, tr := range elements(doc, atom.Tr) {
		if attr(tr, "data-i") != "" {
			rows++
		}
	}
	assert.Equal(t, len(r.Results), rows)
	charts := 0
	for _, svg := range elements(doc, atom.Svg) {
		if strings.Contains(attr(svg, "class"), "chart") {
			charts++
			assert.NotEmpty(t, named(svg, "rect"))
		}
	}
	assert.Equal(t, 2, charts)
	text := textOf(doc)
	for _, b := range report.BenchmarkSummaries(r, opts.Benchmarks) {
		assert.Contains(t, text, b.Total.Compliance())
		for _, s := range b.Sections {
			assert.Contains(t, text, s.Section)
		}
	}
	failing := make(map[string]bool)
	for _, res := range r.Results {
		if res.Status == check.StatusFail {
			failing[res.CheckID] = true
		}
	}
	var dts []string
	for _, dt := range elements(doc, atom.Dt) {
		dts = append(dts, strings.Fields(textOf(dt))[0])
	}
	assert.Len(t, dts, len(failing), "a remediation per failing check")
	for _, id := range dts {
		assert.True(t, failing[id], id)
	}
}

// chromium returns the path of a Chromium or Chrome binary: KSPM_CHROMIUM, else the first
// found on PATH, else "".
func chromium() string {
	if p := os.Getenv("KSPM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runChromium runs headless Chromium on a page with args and returns its standard output.
func runChromium(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, "file://"+page)...) // page may end in #fragment
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "chromium %s: %s", strings.Join(args, " "), stderr.String())
	return stdout.Bytes()
}

// screenshotPath is the screenshot of the HTML report in the README, written by
// TestHTMLInBrowser under -update.
const screenshotPath = "../docs/html-report.png"

// TestHTMLInBrowser renders the HTML report of the demo scan in headless Chromium: its
// script runs (the results that did not pass are shown, the passing ones hidden), its
// charts and table are in the page, and a screenshot of it is not blank but shows the
// charts' colours. Under -update it writes the screenshot the README shows. Skipped when no
// Chromium is installed (hack/install-chromium.sh installs Debian's).
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium found (set KSPM_CHROMIUM, or run hack/install-chromium.sh): the HTML report is not rendered in a browser")
	}
	r, opts := fullDemoReport(t)
	page := filepath.Join(t.TempDir(), "report.html")
	require.NoError(t, os.WriteFile(page, write(t, r, report.FormatHTML, opts), 0o644))

	// The DOM once the script ran.
	dom, err := html.Parse(bytes.NewReader(runChromium(t, bin, page, "--dump-dom")))
	require.NoError(t, err)
	body := elements(dom, atom.Body)[0]
	assert.Equal(t, "true", attr(body, "data-ready"), "the script ran to its end")
	rows, hidden, passed := 0, 0, 0
	for _, tr := range elements(dom, atom.Tr) {
		if attr(tr, "data-i") == "" {
			continue
		}
		rows++
		if _, ok := attrOK(tr, "hidden"); ok {
			hidden++
		}
	}
	for _, res := range r.Results {
		if res.Status == check.StatusPass {
			passed++
		}
	}
	assert.Equal(t, len(r.Results), rows, "a row per result")
	assert.Equal(t, passed, hidden, "passing results hidden at first")
	for n := range dom.Descendants() {
		if n.Type == html.ElementNode && attr(n, "id") == "f-shown" {
			assert.Equal(t, strconv.Itoa(rows-passed), textOf(n), "the count of rows shown")
		}
	}
	charts := 0
	for _, svg := range elements(dom, atom.Svg) {
		if strings.Contains(attr(svg, "class"), "chart") && len(named(svg, "rect")) > 10 {
			charts++
		}
	}
	assert.Equal(t, 2, charts, "both charts, with their bars")

	// Filters and sort set by the page's address: rbac's critical failures, by check ID.
	dom, err = html.Parse(bytes.NewReader(runChromium(t, bin, page+"#status=fail&severity=critical&benchmark=rbac&sort=2", "--dump-dom")))
	require.NoError(t, err)
	var shown []string
	for _, tr := range elements(dom, atom.Tr) {
		if _, hidden := attrOK(tr, "hidden"); attr(tr, "data-i") != "" && !hidden {
			assert.Equal(t, "fail", attr(tr, "data-status"))
			assert.Equal(t, "critical", attr(tr, "data-severity"))
			shown = append(shown, textOf(elements(elements(tr, atom.Td)[2], atom.Code)[0]))
		}
	}
	rbac := make(map[string]bool)
	for _, b := range opts.Benchmarks {
		for _, m := range b.Checks {
			rbac[m.ID] = rbac[m.ID] || b.Name == "rbac"
		}
	}
	var want []string
	for _, res := range r.Results {
		if res.Status == check.StatusFail && res.Severity == check.Critical && rbac[res.CheckID] {
			want = append(want, res.CheckID)
		}
	}
	require.NotEmpty(t, want)
	assert.False(t, slices.IsSorted(want), "the report's order is not already sorted")
	slices.Sort(want)
	assert.Equal(t, want, shown, "rbac's critical failures, sorted by check")

	// A screenshot: not blank, and the charts' red and green are drawn.
	shot := filepath.Join(t.TempDir(), "shot.png")
	runChromium(t, bin, page, "--screenshot="+shot, "--window-size=1200,1500")
	f, err := os.Open(shot)
	require.NoError(t, err)
	img, err := png.Decode(f)
	f.Close()
	require.NoError(t, err)
	red, green, white, all := 0, 0, 0, 0
	fail, pass := color.RGBA{0xc6, 0x28, 0x28, 0xff}, color.RGBA{0x2e, 0x7d, 0x32, 0xff}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			all++
			switch {
			case near(c, fail):
				red++
			case near(c, pass):
				green++
			case c.R > 0xf0 && c.G > 0xf0 && c.B > 0xf0:
				white++
			}
		}
	}
	assert.Greater(t, red, 2000, "failed bars drawn")
	assert.Greater(t, green, 2000, "passed bars drawn")
	assert.Less(t, white, all*95/100, "the page is not blank")

	if *update {
		writeScreenshot(t, img)
	}
}

// writeScreenshot writes img as the README's screenshot, small enough to keep in the
// repository: its 256 most frequent colours, each other pixel taken to the nearest of them.
func writeScreenshot(t *testing.T, img image.Image) {
	t.Helper()
	b := img.Bounds()
	counts := make(map[color.RGBA]int)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	colors := make([]color.RGBA, 0, len(counts))
	for c := range counts {
		colors = append(colors, c)
	}
	slices.SortFunc(colors, func(a, b color.RGBA) int {
		if d := counts[b] - counts[a]; d != 0 {
			return d
		}
		return int(a.R)<<16 + int(a.G)<<8 + int(a.B) - (int(b.R)<<16 + int(b.G)<<8 + int(b.B))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range colors[:min(256, len(colors))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(image.Rect(0, 0, b.Dx(), b.Dy()), pal)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.SetColorIndex(x, y, uint8(pal.Index(img.At(b.Min.X+x, b.Min.Y+y))))
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	require.NoError(t, enc.Encode(&buf, out))
	require.Less(t, buf.Len(), 200<<10, "the screenshot is too large for the repository")
	require.NoError(t, os.WriteFile(screenshotPath, buf.Bytes(), 0o644))
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int { return max(int(x), int(y)) - min(int(x), int(y)) }
	return d(a.R, b.R) < 12 && d(a.G, b.G) < 12 && d(a.B, b.B) < 12
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// named returns the elements of n named name (SVG elements have no atom).
func named(n *html.Node, name string) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.Data == name {
			out = append(out, c)
		}
	}
	return out
}

// TestHTMLMaxRows: past the bound, the table keeps the results that most need attention, in
// report order, and says how many it left out.
func TestHTMLMaxRows(t *testing.T) {
	r, opts := goldenReport(t)
	var wantKept []string
	for _, res := range r.Results {
		if res.Status == check.StatusFail && (res.Severity == check.Critical || res.Severity == check.High) {
			wantKept = append(wantKept, res.CheckID+" "+objectLabel(&res))
		}
	}
	require.NotEmpty(t, wantKept)
	opts.HTMLMaxRows = len(wantKept)
	doc, err := html.Parse(bytes.NewReader(write(t, r, report.FormatHTML, opts)))
	require.NoError(t, err)
	var kept []string
	for _, tr := range elements(doc, atom.Tr) {
		if attr(tr, "data-i") != "" {
			tds := elements(tr, atom.Td)
			kept = append(kept, textOf(elements(tds[2], atom.Code)[0])+" "+textOf(tds[4]))
		}
	}
	assert.Equal(t, wantKept, kept, "the critical and high failures, in report order")
	assert.Contains(t, textOf(doc), fmt.Sprintf("%d of the %d results are left out of this table", len(r.Results)-len(wantKept), len(r.Results)))

	opts.HTMLMaxRows = -1
	assert.NotContains(t, string(write(t, r, report.FormatHTML, opts)), "left out of this table")
}

func objectLabel(r *check.Result) string {
	if r.Object == nil {
		return ""
	}
	return r.Object.String()
}
