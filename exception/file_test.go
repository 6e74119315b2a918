package exception_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/exception"
)

const header = "apiVersion: kspm.dev/v1alpha1\nkind: Exceptions\nexceptions:\n"

func TestParse(t *testing.T) {
	set, err := exception.Parse([]byte(header+`- id: legacy
  checks: [workloads:run-as-non-root, "pss:*"]
  objects:
  - kind: Deployment
    namespace: billing
    name: "legacy-*"
    labels: "team=billing,tier in (batch)"
  - namespace: batch
  reason: vendor image runs as root
  owner: billing-team@example.com
  expires: 2026-06-30
- checks: ["vap:*/deny-*"]
  reason: |
    two lines
    of reason
  owner: sec
  expires: "2026-01-01"
---
apiVersion: kspm.dev/v1alpha1
kind: Exceptions
exceptions:
- checks: [cis:5.1.1]
  reason: r
  owner: o
  expires: 2027-12-31
`), "exc.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"exc.yaml"}, set.Files)
	require.Len(t, set.Entries, 3)
	assert.Equal(t, exception.Entry{ID: "legacy", Checks: []string{"workloads:run-as-non-root", "pss:*"},
		Objects: []exception.Objects{{Kind: "Deployment", Namespace: "billing", Name: "legacy-*", Labels: "team=billing,tier in (batch)"},
			{Namespace: "batch"}},
		Reason: "vendor image runs as root", Owner: "billing-team@example.com", Expires: "2026-06-30", Source: "exc.yaml:4"}, set.Entries[0])
	assert.Equal(t, "two lines\nof reason\n", set.Entries[1].Reason)
	assert.Equal(t, "2026-01-01", set.Entries[1].Expires)
	assert.Equal(t, "exc.yaml:15", set.Entries[1].Source)
	assert.Equal(t, "exc.yaml:25", set.Entries[2].Source)
	assert.Nil(t, set.Entries[2].Objects, "objects left out: every result of the checks")
}

func TestParseErrors(t *testing.T) {
	entry := func(body string) string { return header + body }
	ok := "  reason: r\n  owner: o\n  expires: 2026-06-30\n"
	tests := []struct {
		name  string
		input string
		want  []string // each a problem of the error, with its file:line
	}{
		{"unknown field, with a suggestion", entry("- checks: [a]\n  expirse: 2026-06-30\n  reason: r\n  owner: o\n"),
			[]string{`exc.yaml:5: exception: unknown field "expirse" (did you mean "expires"?)`, "exc.yaml:4: no expires"}},
		{"unknown field in objects", entry("- checks: [a]\n  objects:\n  - kind: Pod\n    selector: app=x\n" + ok),
			[]string{`exc.yaml:7: objects: unknown field "selector"`}},
		{"unknown top-level field", "apiVersion: kspm.dev/v1alpha1\nkind: Exceptions\nitems: []\nexceptions: []\n",
			[]string{`exc.yaml:3: Exceptions: unknown field "items"`}},
		{"repeated field", entry("- checks: [a]\n  owner: x\n" + ok), []string{`exc.yaml:7: exception: field "owner" repeated (first at line 5)`}},
		{"missing reason and owner", entry("- checks: [a]\n  expires: 2026-06-30\n"),
			[]string{"exc.yaml:4: no reason", "exc.yaml:4: no owner"}},
		{"blank reason", entry("- checks: [a]\n  reason: '  '\n  owner: o\n  expires: 2026-06-30\n"), []string{"exc.yaml:5: no reason"}},
		{"no checks", entry("- reason: r\n  owner: o\n  expires: 2026-06-30\n"), []string{"exc.yaml:4: no checks"}},
		{"empty check", entry("- checks: [a, '']\n" + ok), []string{"exc.yaml:4: checks: an empty check ID"}},
		{"checks not a list", entry("- checks: a\n" + ok), []string{`exc.yaml:4: checks: want a list of strings, got "a"`}},
		{"check not a string", entry("- checks: [{a: b}]\n" + ok), []string{"exc.yaml:4: checks: want a string, got a mapping"}},
		{"reason not a string", entry("- checks: [a]\n  reason: [x]\n  owner: o\n  expires: 2026-06-30\n"),
			[]string{"exc.yaml:5: reason: want a string, got a list"}},
		{"not a date", entry("- checks: [a]\n  reason: r\n  owner: o\n  expires: next year\n"),
			[]string{`exc.yaml:7: expires "next year": want a date, YYYY-MM-DD`}},
		{"no such day", entry("- checks: [a]\n  reason: r\n  owner: o\n  expires: 2026-02-30\n"), []string{`expires "2026-02-30"`}},
		{"a time, not a date", entry("- checks: [a]\n  reason: r\n  owner: o\n  expires: 2026-02-03T10:00:00Z\n"),
			[]string{`exc.yaml:7: expires "2026-02-03T10:00:00Z": want a date`}},
		{"bad selector", entry("- checks: [a]\n  objects:\n  - labels: 'team in (a'\n" + ok), []string{"exc.yaml:6: objects: labels \"team in (a\""}},
		{"empty object", entry("- checks: [a]\n  objects:\n  - {}\n" + ok), []string{"exc.yaml:6: objects: no kind, namespace, name or labels"}},
		{"empty objects", entry("- checks: [a]\n  objects: []\n" + ok), []string{"exc.yaml:5: objects: an empty list selects nothing"}},
		{"every check, every object", entry("- checks: ['*']\n" + ok), []string{"exc.yaml:4: the exception covers every object of every check"}},
		{"every check, objects of any kind anywhere", entry("- checks: [a, '**']\n  objects:\n  - kind: Pod\n  - namespace: '*'\n" + ok),
			[]string{"exc.yaml:4: the exception covers every object of every check"}},
		{"duplicate id", entry("- id: x\n  checks: [a]\n" + ok + "- id: x\n  checks: [b]\n" + ok),
			[]string{`exc.yaml:9: id "x": also the id of the exception at line 4`}},
		{"anchor", entry("- checks: &c [a]\n" + ok + "- checks: *c\n" + ok), []string{"exc.yaml:4: anchors and aliases are not allowed"}},
		{"wrong kind", "apiVersion: kspm.dev/v1alpha1\nkind: CheckList\nexceptions: []\n", []string{`exc.yaml:1: apiVersion "kspm.dev/v1alpha1", kind "CheckList": want apiVersion kspm.dev/v1alpha1, kind Exceptions`}},
		{"no version", "kind: Exceptions\nexceptions: []\n", []string{`apiVersion "", kind "Exceptions"`}},
		{"not a mapping", "- a\n", []string{"exc.yaml:1: Exceptions: want a mapping, got a list"}},
		{"no exceptions field", "apiVersion: kspm.dev/v1alpha1\nkind: Exceptions\n", []string{"exc.yaml:1: no exceptions field"}},
		{"entry not a mapping", entry("- just a string\n"), []string{`exc.yaml:4: exception: want a mapping, got "just a string"`}},
		{"empty file", "", []string{"exc.yaml: no Exceptions document"}},
		{"syntax error", entry("- checks: [a\n" + ok), []string{"exc.yaml:", "parse YAML"}},
		{"deep YAML", header + "- checks: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", []string{"exc.yaml", "parse YAML", "depth"}},
		{"too long a reason", entry("- checks: [a]\n  reason: " + strings.Repeat("x", 5000) + "\n  owner: o\n  expires: 2026-06-30\n"),
			[]string{"exc.yaml:5: reason: longer than 4096 bytes"}},
		{"too large", header + strings.Repeat("# padding\n", exception.MaxFileSize/10+1), []string{"exc.yaml: ", "more than an exceptions file may hold"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := exception.Parse([]byte(tt.input), "exc.yaml")
			require.Error(t, err)
			assert.Nil(t, set)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			var fe *exception.FileError
			assert.True(t, errors.As(err, &fe), "a *FileError: %v", err)
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := exception.Parse([]byte(header+"- checks: [a]\n  reasn: r\n- checks: [b]\n  owner: o\n"), "exc.yaml")
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.GreaterOrEqual(t, len(lines), 3, "%v", err)
	assert.Contains(t, err.Error(), `exc.yaml:5: exception: unknown field "reasn"`)
	assert.Contains(t, err.Error(), "exc.yaml:6:")
}

func TestParseTooManyEntries(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range exception.MaxEntries + 1 {
		fmt.Fprintf(&b, "- {checks: [c%d], reason: r, owner: o, expires: 2026-06-30}\n", i)
	}
	_, err := exception.Parse([]byte(b.String()), "exc.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("exc.yaml:%d: more than %d exceptions", exception.MaxEntries+4, exception.MaxEntries))
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "exceptions.yaml")
	require.NoError(t, os.WriteFile(path, []byte(header+"- {checks: [a], reason: r, owner: o, expires: 2026-06-30}\n"), 0o644))
	set, err := exception.Load(context.Background(), path)
	require.NoError(t, err)
	assert.Equal(t, path+":4", set.Entries[0].Source)

	big := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(big, make([]byte, exception.MaxFileSize+1), 0o644))
	_, err = exception.Load(context.Background(), big)
	require.Error(t, err)
	assert.Contains(t, err.Error(), big)

	_, err = exception.Load(context.Background(), filepath.Join(dir, "missing.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)

	_, err = exception.Load(context.Background(), dir)
	require.Error(t, err, "a directory is not an exceptions file")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = exception.Load(ctx, path)
	require.ErrorIs(t, err, context.Canceled)
}
