package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestExitStatusOfEveryMode holds every mode of the command to the README's exit-status table:
// a clean input exits 0 (or 1 for what --fail-on and --pss-what-if define), input with a load
// error exits 2 naming the file and line on stderr while the answer is still written, and an
// empty input exits 2 naming the input unless --allow-empty says it is expected. --list loads
// nothing, so its status does not depend on the input.
func TestExitStatusOfEveryMode(t *testing.T) {
	clean := filepath.Join("testdata", "modes", "clean")
	broken := filepath.Join("testdata", "modes", "broken")
	brokenFile := filepath.Join(broken, "admin.yaml") + ":11"
	emptyDir := t.TempDir()

	// An input is the -f arguments and standard input.
	type input struct {
		name  string
		args  []string
		stdin string
	}
	inputs := []input{
		{"clean", []string{"-f", clean}, ""},
		{"load error", []string{"-f", clean, "-f", broken}, ""},
		{"empty directory", []string{"-f", emptyDir}, ""},
		{"empty stdin", []string{"-f", "-"}, ""},
	}
	// want is the outcome of one mode on one input: the exit code, what stderr must name
	// (nothing when empty: stderr must then be empty), and whether stdout holds an answer.
	type want struct {
		code   int
		stderr []string
		answer bool
	}
	ok := want{code: exitOK, answer: true}
	loadError := want{code: exitError, stderr: []string{"load error: " + brokenFile}, answer: true}
	empty := map[string]want{
		"empty directory": {code: exitError, stderr: []string{"nothing to scan", "no object", emptyDir, "--allow-empty"}},
		"empty stdin":     {code: exitError, stderr: []string{"nothing to scan", "no object", "standard input", "--allow-empty"}},
	}
	loadingModes := func(ok want) map[string]want {
		return map[string]want{"clean": ok, "load error": loadError,
			"empty directory": empty["empty directory"], "empty stdin": empty["empty stdin"]}
	}
	allowEmpty := func(ok want) map[string]want {
		return map[string]want{"clean": ok, "load error": loadError, "empty directory": ok, "empty stdin": ok}
	}
	same := func(w want) map[string]want {
		return map[string]want{"clean": w, "load error": w, "empty directory": w, "empty stdin": w}
	}
	timeout := want{code: exitError, stderr: []string{"(--timeout 1ns)"}}
	badChecks := want{code: exitError, stderr: []string{filepath.Join("testdata", "bad-checks.yaml") + ":9"}}
	listed := want{code: exitOK, answer: true}

	modes := []struct {
		name string
		args []string
		want map[string]want
	}{
		{"scan", nil, loadingModes(ok)},
		{"scan json", []string{"-o", "json"}, loadingModes(ok)},
		{"scan fail-on", []string{"--fail-on", "critical"}, loadingModes(ok)},
		{"scan allow-empty", []string{"--allow-empty"}, allowEmpty(ok)},
		{"who-can", []string{"--who-can", "get", "pods"}, loadingModes(ok)},
		{"who-can json", []string{"--who-can", "get", "pods", "-o", "json"}, loadingModes(ok)},
		{"who-can allow-empty", []string{"--who-can", "get", "pods", "--allow-empty"}, allowEmpty(ok)},
		{"pss-what-if", []string{"--pss-what-if", "restricted"}, loadingModes(ok)},
		{"pss-what-if json", []string{"--pss-what-if", "restricted", "-o", "json"}, loadingModes(ok)},
		{"pss-what-if allow-empty", []string{"--pss-what-if", "restricted", "--allow-empty"}, allowEmpty(ok)},
		{"list", []string{"--list"}, same(listed)},
		{"list json", []string{"--list", "-o", "json"}, same(listed)},
		{"checks with a bad file", []string{"--checks", filepath.Join("testdata", "bad-checks.yaml")}, same(badChecks)},
		{"scan timeout", []string{"--timeout", "1ns"}, same(timeout)},
		{"who-can timeout", []string{"--who-can", "get", "pods", "--timeout", "1ns"}, same(timeout)},
		{"pss-what-if timeout", []string{"--pss-what-if", "restricted", "--timeout", "1ns"}, same(timeout)},
	}
	for _, m := range modes {
		for _, in := range inputs {
			w, found := m.want[in.name]
			if !found {
				t.Fatalf("%s: no expectation for input %s", m.name, in.name)
			}
			t.Run(m.name+"/"+in.name, func(t *testing.T) {
				args := append(append([]string{}, in.args...), m.args...)
				code, stdout, stderr := runScan(t, in.stdin, args...)
				assert.Equal(t, w.code, code, "exit status; stderr:\n%s", stderr)
				if len(w.stderr) == 0 {
					assert.Empty(t, stderr)
				}
				for _, s := range w.stderr {
					assert.Contains(t, stderr, s)
				}
				if w.answer {
					assert.NotEmpty(t, stdout, "the answer is written")
				} else {
					assert.Empty(t, stdout, "no answer is written")
				}
				assert.NotContains(t, stderr, "goroutine")
				for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
					if l != "" {
						assert.True(t, strings.HasPrefix(l, progName+": "), "every stderr line names the program: %q", l)
					}
				}
			})
		}
	}
}

// TestAnswersAfterALoadError: who-can and what-if over an input with a document that did not
// load say that their answer may be incomplete because of it (not that the input holds no
// such object), name the file on stderr and exit 2.
func TestAnswersAfterALoadError(t *testing.T) {
	broken := filepath.Join("testdata", "modes", "broken")
	where := filepath.Join(broken, "admin.yaml") + ":11"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"who-can nobody", []string{"--who-can", "escalate", "clusterroles"},
			[]string{"nobody", "The answer may be incomplete", "clusterrolebindings incomplete", "failed to load: " + where}},
		{"who-can json", []string{"--who-can", "escalate", "clusterroles", "-o", "json"},
			[]string{`"grants": []`, `"incomplete": "RBAC objects not completely known: `, "failed to load: " + where}},
		{"pss-what-if", []string{"--pss-what-if", "restricted"},
			[]string{"shop ", "The assessment may be incomplete", "Deployment incomplete", "failed to load: " + where}},
		{"pss-what-if json", []string{"--pss-what-if", "restricted", "-o", "json"},
			[]string{`"status": "notEvaluated"`, "failed to load: " + where}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", append([]string{"-f", filepath.Join("testdata", "modes", "clean"), "-f", broken}, tt.args...)...)
			assert.Equal(t, exitError, code)
			assert.Contains(t, stderr, "load error: "+where)
			for _, w := range tt.want {
				assert.Contains(t, stdout, w)
			}
			assert.NotContains(t, stdout, "in the input", "absence is not the reason")
		})
	}
}
