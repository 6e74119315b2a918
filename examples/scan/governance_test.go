package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/report"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	return path
}

// appExceptions excepts the failing Deployment of testdata/app (test:replicas, high), with
// an expired exception and one that matches nothing.
func appExceptions(t *testing.T) string {
	future := time.Now().UTC().AddDate(1, 0, 0).Format("2006-01-02")
	return writeFile(t, "exceptions.yaml", `apiVersion: kspm.dev/v1alpha1
kind: Exceptions
exceptions:
- id: single-replica
  checks: ["test:replicas"]
  objects: [{kind: Deployment, namespace: web, name: "sing*"}]
  reason: "a batch worker\u001b[2J that tolerates downtime"
  owner: web-team
  expires: `+future+`
- id: old
  checks: ["test:configmap-*"]
  reason: r
  owner: o
  expires: 2020-01-01
- id: "stale\u001b]0;owned\u0007\u202e"
  checks: ["test:nothing"]
  reason: r
  owner: o
  expires: `+future+`
`)
}

func TestScanWithExceptions(t *testing.T) {
	exc := appExceptions(t)
	args := []string{"-f", "testdata/app", "--checks", "testdata/checks.yaml", "--exceptions", exc}

	t.Run("json", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, "", append(args, "--fail-on", "high")...)
		assert.Equal(t, exitOK, code, "the only high failure is excepted: %s", stderr)
		assert.Equal(t, check.StatusExcepted, verdict(rep, "test:replicas", "Deployment web/single"))
		assert.Equal(t, check.StatusFail, verdict(rep, "test:configmap-password", "ConfigMap web/settings"), "expired")
		var e *check.Exception
		for _, r := range rep.Results {
			if r.Status == check.StatusExcepted {
				e = r.Exception
			}
		}
		require.NotNil(t, e)
		assert.Equal(t, check.Exception{From: check.StatusFail, ID: "single-replica", Reason: "a batch worker\x1b[2J that tolerates downtime",
			Owner: "web-team", Expires: e.Expires, Source: exc + ":4"}, *e)
		require.NotNil(t, rep.Exceptions)
		assert.Len(t, rep.Exceptions.Applied, 1)
		assert.Len(t, rep.Exceptions.Expired, 1)
		assert.Len(t, rep.Exceptions.Unused, 1)
		assert.Contains(t, stderr, "warning: exception "+exc+":10 (old) expired on 2020-01-01: the 1 failure it matches count again")
		assert.Contains(t, stderr, "warning: exception "+exc+`:15 (stale\x1b]0;owned\a\u202e) set nothing aside: it matches no result`)
		assertPrintable(t, "stderr", stderr)

		code, _, _ = scanJSON(t, "", append(args, "--fail-on", "low")...)
		assert.Equal(t, exitFailOn, code, "the expired exception no longer hides the low failure")
	})
	t.Run("table", func(t *testing.T) {
		code, stdout, stderr := runScan(t, "", append(args, "--fail-on", "high")...)
		assert.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "excepted from fail by web-team until")
		assert.Contains(t, stdout, `a batch worker\x1b[2J that tolerates downtime`, "escaped")
		assert.NotContains(t, stdout, "\x1b[2J")
		assert.Contains(t, stdout, "Exceptions ("+exc+"): 1 failure set aside by 1 exception")
		assert.Contains(t, stdout, "expired: "+exc+":10 (old)")
		assert.Contains(t, stdout, "unused: "+exc+`:15 (stale\x1b]0;owned\a\u202e)`)
		assert.Contains(t, stderr, "set nothing aside")
		assertPrintable(t, "table", stdout)
		assertPrintable(t, "stderr", stderr)
	})
	t.Run("raw json", func(t *testing.T) {
		_, stdout, _ := runScan(t, "", append(args, "-o", "json")...)
		assertPrintable(t, "json", stdout)
		assert.Contains(t, stdout, `a batch worker\u001b[2J that tolerates downtime`)
	})
}

func TestScanWithBadExceptions(t *testing.T) {
	bad := writeFile(t, "bad.yaml", "apiVersion: kspm.dev/v1alpha1\nkind: Exceptions\nexceptions:\n- checks: ['*']\n  reason: r\n  owner: o\n  expires: 2099-01-01\n  scope: all\n")
	code, stdout, stderr := runScan(t, "", "-f", "testdata/app", "--checks", "testdata/checks.yaml", "--exceptions", bad)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, bad+`:8: exception: unknown field "scope"`)

	code, _, stderr = runScan(t, "", "-f", "testdata/app", "--exceptions", filepath.Join(t.TempDir(), "missing.yaml"))
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--exceptions: ")
	assert.Contains(t, stderr, "missing.yaml")

	code, _, stderr = runScan(t, "", "--list", "--exceptions", bad)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "apply to a scan")
}

// copyApp copies testdata/app into a new directory and returns it.
func copyApp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"app.yaml", "config.json"} {
		data, err := os.ReadFile(filepath.Join("testdata/app", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return dir
}

// TestScanWithBaseline: the workflow of the README: a report kept as the baseline, then, the
// manifests changed in place, only new failures fail the build.
func TestScanWithBaseline(t *testing.T) {
	dir := copyApp(t)
	args := []string{"-f", dir, "--checks", "testdata/checks.yaml", "--fail-on", "low"}
	// The baseline: a scan of the manifests, as -o json writes it.
	code, stdout, stderr := runScan(t, "", append(args, "-o", "json")...)
	require.Equal(t, exitFailOn, code, stderr)
	baseline := writeFile(t, "baseline.json", stdout)

	t.Run("nothing new", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, "", append(args, "--baseline", baseline)...)
		assert.Equal(t, exitOK, code, "the failures are all in the baseline: %s", stderr)
		require.NotNil(t, rep.Baseline)
		assert.Equal(t, 2, rep.Baseline.Present)
		assert.Zero(t, rep.Baseline.New)
		assert.Contains(t, stderr, "baseline "+baseline+": 0 new, 2 still present, 0 resolved, 0 unconfirmed")
		assert.NotContains(t, stderr, "warning")
		for _, r := range rep.Results {
			if r.Status == check.StatusFail {
				assert.Equal(t, check.BaselinePresent, r.Baseline)
			}
		}
	})
	t.Run("a new failure, one resolved", func(t *testing.T) {
		// The ConfigMap's password is gone; a new Deployment runs one replica.
		app, err := os.ReadFile(filepath.Join(dir, "app.yaml"))
		require.NoError(t, err)
		lonely := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: lonely, namespace: web}\nspec:\n  replicas: 1\n" +
			"  selector: {matchLabels: {app: lonely}}\n  template:\n    metadata: {labels: {app: lonely}}\n" +
			"    spec: {containers: [{name: app, image: registry.example.com/lonely:1.0}]}\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(lonely+"---\n"+string(app)), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"),
			[]byte(`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "web"}, "data": {"LOG_LEVEL": "info"}}`), 0o644))
		code, rep, stderr := scanJSON(t, "", append(args, "--baseline", baseline)...)
		assert.Equal(t, exitFailOn, code, stderr)
		assert.Equal(t, 1, rep.Baseline.New)
		assert.Equal(t, 1, rep.Baseline.Present, "the object moved down its file: the same finding")
		assert.Equal(t, 1, rep.Baseline.Resolved)
		assert.Equal(t, map[check.Severity]int{check.High: 1}, rep.Summary.NewFailedBySeverity)
		assert.Equal(t, check.BaselineNew, baselineMark(rep, "Deployment web/lonely"))
		assert.Equal(t, check.BaselinePresent, baselineMark(rep, "Deployment web/single"))

		code, text, _ := runScan(t, "", append(args, "--baseline", baseline)...)
		assert.Equal(t, exitFailOn, code)
		assert.Contains(t, text, "runs 1 replica(s) [new since the baseline]")
		assert.Contains(t, text, "Resolved (1):\n      test:configmap-password  ConfigMap web/settings")

		code, _, _ = runScan(t, "", "-f", dir, "--checks", "testdata/checks.yaml", "--baseline", baseline, "-o", "json", "--fail-on", "critical")
		assert.Equal(t, exitOK, code, "the new failure is high")
	})
	t.Run("other inputs", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, "", "-f", "testdata/app", "--checks", "testdata/checks.yaml", "--baseline", baseline)
		assert.Equal(t, exitOK, code)
		assert.Equal(t, 2, rep.Baseline.Present, "the same files read from elsewhere: the same findings")
		assert.Zero(t, rep.Baseline.New)
		assert.Contains(t, stderr, "warning: baseline: the baseline read other inputs")
	})
	t.Run("not a report", func(t *testing.T) {
		for name, body := range map[string]string{
			"yaml":       "apiVersion: v1\nkind: Pod\n",
			"other":      `{"schemaVersion": "kspm.dev/report/v9", "results": []}`,
			"exceptions": "apiVersion: kspm.dev/v1alpha1\nkind: Exceptions\nexceptions: []\n",
			"truncated":  stdout[:len(stdout)/2],
		} {
			path := writeFile(t, name+".json", body)
			code, out, stderr := runScan(t, "", append(args, "--baseline", path)...)
			assert.Equal(t, exitError, code, name)
			assert.Empty(t, out, name)
			assert.Contains(t, stderr, "--baseline: baseline "+path+": ", name)
		}
		code, _, stderr := runScan(t, "", "-f", "testdata/app", "--baseline", t.TempDir())
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "not a regular file")
	})
}

// baselineMark returns the baseline mark of the failing result about object.
func baselineMark(rep *report.Report, object string) string {
	for _, r := range rep.Results {
		if r.Status == check.StatusFail && r.Object != nil && r.Object.String() == object {
			return r.Baseline
		}
	}
	return ""
}

func TestScanWithAnnotationExemptions(t *testing.T) {
	dir := t.TempDir()
	app, err := os.ReadFile("testdata/app/app.yaml")
	require.NoError(t, err)
	annotated := strings.Replace(string(app), "  name: single\n", "  name: single\n  annotations:\n    kspm.dev/exempt: test:replicas\n    kspm.dev/exempt-reason: batch worker\n", 1)
	require.NotEqual(t, string(app), annotated)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(annotated), 0o644))
	args := []string{"-f", dir, "--checks", "testdata/checks.yaml", "--fail-on", "high"}

	code, rep, _ := scanJSON(t, "", args...)
	assert.Equal(t, exitFailOn, code, "off by default")
	assert.Nil(t, rep.Exceptions)

	code, rep, stderr := scanJSON(t, "", append(args, "--allow-annotation-exemptions")...)
	assert.Equal(t, exitOK, code, stderr)
	require.NotNil(t, rep.Exceptions)
	require.NotNil(t, rep.Exceptions.Annotations, "the report says annotation exemptions were allowed")
	assert.Equal(t, 1, rep.Exceptions.Annotations.Results)
	assert.Equal(t, check.StatusExcepted, verdict(rep, "test:replicas", "Deployment web/single"))
	assert.Contains(t, stderr, "annotation exemptions allowed: 1 failure set aside by annotations on 1 object")

	_, text, _ := runScan(t, "", append(args, "--allow-annotation-exemptions")...)
	assert.Contains(t, text, "excepted from fail by "+check.AnnotationOwner)
	assert.Contains(t, text, "Annotation exemptions: allowed; 1 failure set aside")
}

// TestBaselineWhateverTheSpelling: a repository scanned with its manifests named
// "manifests", "./manifests", by absolute path, or as "." from within, matches a baseline
// made with any of them; the variants of one object in two files stay two findings.
func TestBaselineWhateverTheSpelling(t *testing.T) {
	checks, err := filepath.Abs("testdata/checks.yaml")
	require.NoError(t, err)
	app, err := os.ReadFile("testdata/app/app.yaml")
	require.NoError(t, err)
	repo := t.TempDir()
	manifests := filepath.Join(repo, "manifests")
	for _, variant := range []string{"dev", "prod"} { // Deployment web/single in each
		require.NoError(t, os.MkdirAll(filepath.Join(manifests, variant), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(manifests, variant, "app.yaml"), app, 0o644))
	}
	t.Chdir(repo)
	scan := func(t *testing.T, dir, input string, extra ...string) (int, *report.Report, string) {
		t.Chdir(dir)
		return scanJSON(t, "", append([]string{"-f", input, "--checks", checks}, extra...)...)
	}
	code, stdout, stderr := runScan(t, "", "-f", "manifests", "--checks", checks, "-o", "json")
	require.Equal(t, exitOK, code, stderr)
	baseline := writeFile(t, "baseline.json", stdout)
	spellings := []struct{ name, dir, input string }{
		{"relative", repo, "manifests"},
		{"dot slash", repo, "./manifests"},
		{"absolute", repo, manifests},
		{"absolute from elsewhere", t.TempDir(), manifests},
		{"relative from elsewhere", filepath.Join(repo, "manifests", "dev"), "../../manifests"},
		{"dot from within", manifests, "."},
	}
	for _, sp := range spellings {
		t.Run(sp.name, func(t *testing.T) {
			code, rep, stderr := scan(t, sp.dir, sp.input, "--baseline", baseline)
			require.Equal(t, exitOK, code, stderr)
			require.NotNil(t, rep.Baseline)
			assert.Equal(t, 2, rep.Baseline.Present, "web/single in dev and in prod")
			assert.Zero(t, rep.Baseline.New)
			assert.Zero(t, rep.Baseline.Resolved)
			assert.NotContains(t, stderr, "other inputs")
		})
	}
	t.Run("one variant fixed", func(t *testing.T) {
		fixed := strings.Replace(string(app), "replicas: 1", "replicas: 3", 1)
		require.NoError(t, os.WriteFile(filepath.Join(manifests, "prod", "app.yaml"), []byte(fixed), 0o644))
		for _, sp := range spellings {
			code, rep, stderr := scan(t, sp.dir, sp.input, "--baseline", baseline)
			require.Equal(t, exitOK, code, stderr)
			assert.Equal(t, 1, rep.Baseline.Present, sp.name)
			require.Len(t, rep.Baseline.ResolvedFindings, 1, sp.name)
			f := rep.Baseline.ResolvedFindings[0]
			require.NotNil(t, f.Object)
			require.NotNil(t, f.Object.Source)
			assert.Equal(t, "manifests/prod/app.yaml", f.Object.Source.File, "%s: the prod variant is the one resolved", sp.name)
		}
	})
}
