package report_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/report"
)

// renderMarkdown renders GitHub-flavoured Markdown as GitHub would (tables, strikethrough,
// autolinks), raw HTML let through, so that any HTML the document carries shows up, and
// parses the result.
func renderMarkdown(t *testing.T, md []byte) *html.Node {
	t.Helper()
	var out bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	require.NoError(t, gm.Convert(md, &out))
	doc, err := html.Parse(&out)
	require.NoError(t, err)
	return doc
}

// elements returns the elements of n of atom a, in document order.
func elements(n *html.Node, a atom.Atom) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.DataAtom == a {
			out = append(out, c)
		}
	}
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// tableRows returns the body rows of each table of doc, as their cells' text.
func tableRows(doc *html.Node) [][][]string {
	var out [][][]string
	for _, table := range elements(doc, atom.Table) {
		head := len(elements(elements(table, atom.Thead)[0], atom.Th))
		var rows [][]string
		for _, body := range elements(table, atom.Tbody) {
			for _, tr := range elements(body, atom.Tr) {
				var cells []string
				for _, td := range elements(tr, atom.Td) {
					cells = append(cells, textOf(td))
				}
				if len(cells) != head {
					panic(fmt.Sprintf("a row of %d cells under %d headings: %q", len(cells), head, cells))
				}
				rows = append(rows, cells)
			}
		}
		out = append(out, rows)
	}
	return out
}

// TestMarkdownHostileNames: object names, messages, sources and errors that carry HTML,
// Markdown and table syntax render as the text they are: no element from the input, no
// broken table, no @mention.
func TestMarkdownHostileNames(t *testing.T) {
	md := write(t, hostileFormatsReport(), report.FormatMarkdown, report.Options{MarkdownMaxBytes: -1})
	doc := renderMarkdown(t, md)
	for _, a := range []atom.Atom{atom.Img, atom.Script, atom.Em, atom.Del, atom.Code, atom.Iframe, atom.I, atom.B} {
		assert.Empty(t, elements(doc, a), "a <%s> element from the input", a)
	}
	for _, a := range elements(doc, atom.A) { // autolinks of URLs the text holds, and nothing else
		assert.Equal(t, textOf(a), attr(a, "href"))
		assert.True(t, strings.HasPrefix(attr(a, "href"), "https://"), attr(a, "href"))
	}
	var rows [][]string
	assert.NotPanics(t, func() {
		for _, table := range tableRows(doc) {
			rows = append(rows, table...)
		}
	}, "every row has as many cells as the table's heading")
	var cells []string
	for _, row := range rows {
		cells = append(cells, row...)
	}
	text := textOf(doc)
	for _, want := range []string{
		"Pod ns-<img src=x onerror=alert(1)>/<img src=x onerror=alert(1)>",
		"Pod ns-</script><script>alert(1)</script>/</script><script>alert(1)</script>",
		"Pod ns-a|b|c/a|b|c",
		"message `code` **bold** [link](javascript:alert(1)) ![img](https://evil.example/x.png) (spec.`code`",
		"Pod ns-line\\nbreak\\r\\nand CRLF/line\\nbreak\\r\\nand CRLF",
		"Pod ns-nul\\x00 bell\\a esc\\x1b[2J",
	} {
		assert.True(t, containsPrefix(cells, want), "no cell starts with %q", want)
	}
	assert.NotRegexp(t, `@octocat`, text, "an @mention")
	assert.Contains(t, text, "@\u200boctocat")
	assert.Contains(t, text, "bench<x>")
	assert.Contains(t, text, "<script>alert(1)</script>", "the coverage reason, as text")
	assert.Contains(t, text, "bad | <i>value</i>", "the load error, as text")
}

// TestMarkdownCap: the document keeps under the bound; what is left out is counted, by
// severity and status, in a closing line that says where to read it; the failures shown are
// the most severe.
func TestMarkdownCap(t *testing.T) {
	r, opts := fullDemoReport(t)
	listed := 0 // the results the document lists: failures, and statuses other than pass, manual, notApplicable
	for _, res := range r.Results {
		switch res.Status {
		case check.StatusPass, check.StatusManual, check.StatusNotApplicable:
		default:
			listed++
		}
	}
	require.Greater(t, listed, 500)
	left := regexp.MustCompile(`\*\*(\d+) results? left out\*\* of this comment to keep it under (\d+) bytes \(([^)]*)\); (.*)\.\n$`)
	for _, limit := range []int{1500, 8000, 30000, 0, 1 << 20, -1} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			o := opts
			o.MarkdownMaxBytes = limit
			if limit == 1500 {
				o.FullReport = "https://ci.example/job/1/artifacts"
			}
			md := write(t, r, report.FormatMarkdown, o)
			bound := limit
			if limit == 0 {
				bound = report.DefaultMarkdownMaxBytes
			}
			if bound > 0 {
				assert.LessOrEqual(t, len(md), bound)
			}
			doc := renderMarkdown(t, md)
			shown := 0
			tables := tableRows(doc)
			require.NotEmpty(t, tables)
			for _, rows := range tables[1:] { // the first is the compliance table
				shown += len(rows)
			}
			m := left.FindSubmatch(md)
			if shown == listed {
				assert.Nil(t, m, "nothing left out, nothing said")
				return
			}
			require.NotNil(t, m, "a closing line saying what was left out:\n%s", md[max(0, len(md)-400):])
			n, _ := strconv.Atoi(string(m[1]))
			assert.Equal(t, listed-shown, n, "left out + shown = listed")
			sum := 0
			for _, part := range strings.Split(string(m[3]), ", ") {
				k, err := strconv.Atoi(strings.Fields(part)[0])
				require.NoError(t, err)
				sum += k
			}
			assert.Equal(t, n, sum, "the parts add up")
			if limit == 1500 {
				assert.Contains(t, string(m[4]), "https://ci.example/job/1/artifacts")
			} else {
				assert.Contains(t, string(m[4]), "-o html")
			}
		})
	}
	// Shown first: the most severe failures.
	md := string(write(t, r, report.FormatMarkdown, opts))
	assert.Contains(t, md, "#### critical (")
	assert.Less(t, strings.Index(md, "#### critical ("), strings.Index(md, "#### high ("))
}
