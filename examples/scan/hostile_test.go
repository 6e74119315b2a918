package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The hostile input's Pod name, as loaded.
const hostilePod = "web\x1b[1A\x1b[2K\r\u202egnp.exe\a\n  pass"

// assertPrintable fails when text holds anything a terminal would not show as a visible
// character: control characters but the line feeds that end lines, DEL, C1 controls, format
// characters such as bidi overrides, invalid UTF-8.
func assertPrintable(t *testing.T, what, text string) {
	t.Helper()
	for i, r := range text {
		if r == '\n' || (unicode.IsPrint(r) && r != utf8.RuneError) {
			continue
		}
		start := max(0, i-40)
		t.Errorf("%s: unprintable %U at byte %d, after %q", what, r, i, text[start:i])
		return
	}
}

// TestHostileInputIsEscaped: names, values and messages from the input reach every text output
// escaped, visibly (so the reader sees that the input holds control characters), and JSON
// output stays valid and gives back the input's strings exactly.
func TestHostileInputIsEscaped(t *testing.T) {
	hostile := filepath.Join("testdata", "hostile")
	checks := filepath.Join(hostile, "checks.yaml")
	manifests := filepath.Join(hostile, "hostile.yaml")
	text := []struct {
		name string
		args []string
		want []string // visible escapes the output must hold
	}{
		{"scan", []string{"-f", manifests, "-b", "workloads,pss-restricted,rbac"},
			[]string{`Pod shop\x1b[2K/web\x1b[1A\x1b[2K\r\u202egnp.exe\a\n  pass`}},
		{"scan verbose remediation", []string{"-f", manifests, "-v", "--remediation", "--checks", checks, "-b", "all"},
			[]string{`web\x1b[1A`, `Pods say\x1b[2J\x1b[H\u202e whether`, `Set spec.hostNetwork.\x1b[2K`}},
		{"who-can", []string{"-f", manifests, "--who-can", "get", "pods", "-n", "shop\x1b[2K"},
			[]string{`User mallory\x1b[8m\u2066hidden\x7f`, `RoleBinding shop\x1b[2K/admins\x1b[2K`}},
		{"pss-what-if", []string{"-f", manifests, "--pss-what-if", "restricted"},
			[]string{`shop\x1b[2K`, `Pod shop\x1b[2K/web\x1b[1A`}},
		{"list", []string{"--list", "--checks", checks}, []string{`Pods say\x1b[2J\x1b[H\u202e whether`}},
	}
	for _, tt := range text {
		t.Run(tt.name, func(t *testing.T) {
			_, stdout, stderr := runScan(t, "", tt.args...)
			require.NotEmpty(t, stdout)
			assertPrintable(t, "stdout", stdout)
			assertPrintable(t, "stderr", stderr)
			for _, w := range tt.want {
				assert.Contains(t, stdout, w)
			}
			if strings.Contains(strings.Join(tt.args, " "), "-f") {
				assert.Contains(t, stderr, `Deployment shop\x1b[2K/broken\x1b[2K\r\t`, "the load error names the object, escaped")
			}
		})
	}

	t.Run("a file name", func(t *testing.T) {
		dir := t.TempDir()
		data, err := os.ReadFile(manifests)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "evil\x1b[2K\u202e.yaml"), data, 0o644))
		_, stdout, stderr := runScan(t, "", "-f", dir, "-b", "workloads")
		assertPrintable(t, "stdout", stdout)
		assertPrintable(t, "stderr", stderr)
		assert.Contains(t, stderr, `evil\x1b[2K\u202e.yaml`)
	})

	t.Run("a warning", func(t *testing.T) {
		dir := t.TempDir()
		doc := "apiVersion: v1\nkind: Pod\nmetadata: {name: \"p\\e[2K\"}\nspec:\n  containers: [{name: c, image: i}]\n  \"x\\e[8m\\u202e\": 1\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "w\x1b[2J.yaml"), []byte(doc), 0o644))
		_, stdout, stderr := runScan(t, "", "-f", dir, "-b", "workloads")
		assertPrintable(t, "stdout", stdout)
		assertPrintable(t, "stderr", stderr)
		assert.Contains(t, stderr, `kspm-scan: warning: `)
		assert.Contains(t, stderr, `w\x1b[2J.yaml:6: Pod p\x1b[2K: unknown field "spec.x\x1b[8m\u202e"`)
		assert.Contains(t, stdout, `w\x1b[2J.yaml:6: Pod p\x1b[2K: unknown field "spec.x\x1b[8m\u202e"`)
	})

	jsonModes := []struct {
		name string
		args []string
		want string // a string the document decodes to, exactly as the input has it
	}{
		{"scan", []string{"-f", manifests, "-b", "workloads", "-o", "json"}, hostilePod},
		{"who-can", []string{"-f", manifests, "--who-can", "get", "pods", "-o", "json"}, "mallory\x1b[8m\u2066hidden\x7f"},
		{"pss-what-if", []string{"-f", manifests, "--pss-what-if", "restricted", "-o", "json"}, hostilePod},
		{"list", []string{"--list", "--checks", checks, "-o", "json"}, "Pods say\x1b[2J\x1b[H\u202e whether they use the host network"},
	}
	for _, tt := range jsonModes {
		t.Run(tt.name+" json", func(t *testing.T) {
			_, stdout, stderr := runScan(t, "", tt.args...)
			require.True(t, json.Valid([]byte(stdout)), "valid JSON:\n%s", stdout)
			assertPrintable(t, "stdout", stdout)
			assertPrintable(t, "stderr", stderr)
			var doc any
			require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
			assert.Contains(t, jsonStrings(doc), tt.want)
		})
	}
}

// jsonStrings returns every string value of a decoded JSON document.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}
