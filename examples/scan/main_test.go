package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/report"
)

// runScan runs the command with args and stdin and returns its exit code and output.
func runScan(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// scanJSON runs the command with -o json added and decodes the report.
func scanJSON(t *testing.T, stdin string, args ...string) (int, *report.Report, string) {
	t.Helper()
	code, stdout, stderr := runScan(t, stdin, append(args, "-o", "json")...)
	require.NotEmpty(t, stdout, "no report on stdout; stderr: %s", stderr)
	rep, err := report.ReadJSON(strings.NewReader(stdout))
	require.NoError(t, err, "stdout is not a JSON report:\n%s", stdout)
	return code, rep, stderr
}

// verdict returns the status of check id on the object "Kind namespace/name" (or
// "Kind name"), or "" when there is no such result.
func verdict(rep *report.Report, id, object string) check.Status {
	for _, r := range rep.Results {
		if r.CheckID == id && r.Object != nil && r.Object.String() == object {
			return r.Status
		}
	}
	return ""
}

// noKubeconfig makes the environment one with no kubeconfig and no in-cluster config.
func noKubeconfig(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--nope"}, "flag provided but not defined: -nope"},
		{"positional argument", []string{"examples/demo"}, `unexpected argument "examples/demo"`},
		{"bad output format", []string{"-f", "testdata/app", "-o", "yaml"}, `-o "yaml"`},
		{"bad severity", []string{"--fail-on", "severe"}, `unknown severity "severe"`},
		{"files and kubeconfig", []string{"-f", "testdata/app", "--kubeconfig", "x"}, "use one or the other"},
		{"negative parallelism", []string{"--parallelism", "-1"}, "--parallelism -1"},
		{"negative timeout", []string{"--timeout", "-1s"}, "must not be negative"},
		{"empty benchmark in list", []string{"-b", "a,,b"}, "empty value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runScan(t, "", tt.args...)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
			assert.Contains(t, stderr, "-h' for usage")
		})
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-h")
	require.Equal(t, exitOK, code)
	assert.Empty(t, stderr)
	assert.Equal(t, usage, stdout)
	newFlagSet(&options{}).VisitAll(func(f *flag.Flag) {
		form := "--" + f.Name
		if len(f.Name) == 1 {
			form = "-" + f.Name
		}
		assert.Regexp(t, `(?m)^  (-[a-z], )?`+form+`[ ,\n]`, usage, "usage does not document %s", form)
	})
}

func TestUnknownBenchmarkListsValidOnes(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "testdata/app", "-b", "no-such-benchmark")
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout, "nothing may be scanned")
	assert.Contains(t, stderr, `unknown benchmark "no-such-benchmark"`)
	for _, name := range kspm.BenchmarkNames() {
		assert.Contains(t, stderr, name)
	}
}

func TestUnknownCheckListsValidOnes(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "testdata/app", "--checks", "testdata/checks.yaml",
		"--check", "test:replicas,test:nope")
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `unknown check "test:nope"`)
	valid := stderr[strings.Index(stderr, "have: "):]
	assert.Contains(t, valid, "test:replicas")
	assert.Contains(t, valid, "test:configmap-password")
}

func TestNoChecksIsAnError(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "testdata/app", "--checks", "testdata/no-checks.yaml")
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "no checks selected")
}

func TestBadCheckFileNamesFileAndLine(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "testdata/app", "--checks", "testdata/bad-checks.yaml")
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "testdata/bad-checks.yaml:9")
	assert.Contains(t, stderr, "test:broken")
}

func TestNoInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no kubeconfig anywhere", nil, []string{"no kubeconfig", "-f"}},
		{"kubeconfig file missing", []string{"--kubeconfig", "testdata/does-not-exist"},
			[]string{"no kubeconfig", "testdata/does-not-exist does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noKubeconfig(t)
			args := append([]string{"--checks", "testdata/checks.yaml"}, tt.args...)
			code, stdout, stderr := runScan(t, "", args...)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "want one line, got:\n%s", stderr)
			assert.True(t, strings.HasPrefix(stderr, progName+": nothing to scan: "), stderr)
			for _, w := range tt.want {
				assert.Contains(t, stderr, w)
			}
			assert.NotContains(t, stderr, "goroutine")
		})
	}
}

func TestMissingPath(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "testdata/app", "-f", "testdata/no-such-dir",
		"--checks", "testdata/checks.yaml")
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout, "a path that does not exist stops the scan before it starts")
	assert.Contains(t, stderr, "testdata/no-such-dir")
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
}

func TestJSONReport(t *testing.T) {
	code, rep, stderr := scanJSON(t, "", "-f", "testdata/app", "--checks", "testdata/checks.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr)
	assert.Equal(t, report.SchemaVersion, rep.SchemaVersion)
	assert.Equal(t, []string{customBenchmark}, rep.Benchmarks, "only the custom checks run when -b is not given")
	assert.Equal(t, 4, rep.Inventory.Objects)
	assert.Empty(t, rep.Inventory.Errors)

	assert.Equal(t, check.StatusFail, verdict(rep, "test:replicas", "Deployment web/single"))
	assert.Equal(t, check.StatusPass, verdict(rep, "test:replicas", "Deployment web/pair"))
	assert.Equal(t, check.StatusFail, verdict(rep, "test:configmap-password", "ConfigMap web/settings"))
	for _, r := range rep.Results {
		require.NotNil(t, r.Object)
		require.NotNil(t, r.Object.Source, "%s has no source", r.Object)
		assert.Contains(t, []string{"app.yaml", "config.json"}, filepath.Base(r.Object.Source.File))
		assert.Positive(t, r.Object.Source.Line)
	}
	assert.Equal(t, 2, rep.Summary.ByStatus[check.StatusFail])
	assert.Equal(t, 1, rep.Summary.FailedBySeverity[check.High])
}

func TestTableReport(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "testdata/app", "--checks", "testdata/checks.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "test:replicas")
	assert.Contains(t, stdout, "web/single")
	assert.NotContains(t, stdout, "\033[", "no colour when stdout is not a terminal")
	assert.NotContains(t, stdout, "web/pair", "passes are listed only with -v")

	code, stdout, _ = runScan(t, "", "-f", "testdata/app", "--checks", "testdata/checks.yaml", "-v")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "web/pair")
}

func TestFailOn(t *testing.T) {
	// testdata/app fails test:replicas (high) and test:configmap-password (low).
	tests := []struct {
		failOn string
		want   int
	}{
		{"", exitOK},
		{"none", exitOK},
		{"critical", exitOK},
		{"high", exitFailOn},
		{"HIGH", exitFailOn},
		{"medium", exitFailOn},
		{"low", exitFailOn},
		{"info", exitFailOn},
	}
	for _, tt := range tests {
		t.Run(tt.failOn, func(t *testing.T) {
			args := []string{"-f", "testdata/app", "--checks", "testdata/checks.yaml", "-o", "json"}
			if tt.failOn != "" {
				args = append(args, "--fail-on", tt.failOn)
			}
			code, stdout, stderr := runScan(t, "", args...)
			assert.Equal(t, tt.want, code, stderr)
			assert.NotEmpty(t, stdout, "the report is written whatever the exit code")
		})
	}

	t.Run("only the selected checks count", func(t *testing.T) {
		code, _, stderr := runScan(t, "", "-f", "testdata/app", "--checks", "testdata/checks.yaml",
			"--check", "test:configmap-password", "--fail-on", "medium")
		assert.Equal(t, exitOK, code, stderr)
	})
}

func TestMalformedManifest(t *testing.T) {
	code, rep, stderr := scanJSON(t, "", "-f", "testdata/broken", "--checks", "testdata/checks.yaml",
		"--fail-on", "critical")
	assert.Equal(t, exitError, code, "load errors exit 2")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	require.Len(t, lines, 1, stderr)
	assert.Contains(t, lines[0], "load error: ")
	assert.Contains(t, lines[0], filepath.Join("testdata", "broken", "broken.yaml")+":")

	require.Len(t, rep.Inventory.Errors, 1)
	assert.Contains(t, rep.Inventory.Errors[0], "broken.yaml:")
	// Every well-formed document was scanned, including those around the broken one.
	assert.Equal(t, check.StatusPass, verdict(rep, "test:replicas", "Deployment web/good"))
	assert.Equal(t, check.StatusFail, verdict(rep, "test:replicas", "Deployment web/before"))
	assert.Equal(t, check.StatusPass, verdict(rep, "test:replicas", "Deployment web/after"))
	assert.Equal(t, check.Status(""), verdict(rep, "test:replicas", "Deployment web/malformed"))
}

// TestLoadWarnings: what the API server would store with a warning is scanned as stored,
// named on stderr as a warning (a file that is no Kubernetes object as a notice), listed
// under inventory.warnings, and leaves the exit status as it is.
func TestLoadWarnings(t *testing.T) {
	code, rep, stderr := scanJSON(t, "", "-f", "testdata/lenient", "-b", "workloads", "--fail-on", "critical")
	assert.Equal(t, exitFailOn, code, "the privileged DaemonSet fails; warnings do not make it 2\n%s", stderr)
	assert.Empty(t, rep.Inventory.Errors)
	dir := filepath.Join("testdata", "lenient")
	wantWarnings := []string{
		filepath.Join(dir, "agent.yaml") + ":2: DaemonSet ops/agent: extensions/v1beta1 DaemonSet is not served since Kubernetes 1.16; read as apps/v1 DaemonSet",
		filepath.Join(dir, "app-config.yaml") + ":2: not a Kubernetes object (neither apiVersion nor kind): skipped",
		filepath.Join(dir, "web.yaml") + `:20: Deployment ops/web: field "spec.template.spec.containers[0].securityContext" written again (first at line 18); the last value is used`,
		filepath.Join(dir, "web.yaml") + `:22: Deployment ops/web: unknown field "spec.template.spec.containers[0].securityContex": dropped, as the API server drops it`,
	}
	assert.Equal(t, wantWarnings, rep.Inventory.Warnings)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	assert.Equal(t, []string{
		"kspm-scan: warning: " + wantWarnings[0],
		"kspm-scan: notice: " + wantWarnings[1],
		"kspm-scan: warning: " + wantWarnings[2],
		"kspm-scan: warning: " + wantWarnings[3],
	}, lines)
	assert.Equal(t, check.StatusFail, verdict(rep, "workloads:privileged", "DaemonSet ops/agent"), "the removed-version DaemonSet is evaluated")
	assert.Equal(t, check.StatusPass, verdict(rep, "workloads:privileged", "Deployment ops/web"), "the last securityContext is the one used")

	code, _, stderr = runScan(t, "", "-f", "testdata/lenient", "-b", "workloads")
	assert.Equal(t, exitOK, code, stderr)
}

func TestStdin(t *testing.T) {
	manifest, err := os.ReadFile("testdata/app/app.yaml")
	require.NoError(t, err)
	code, rep, stderr := scanJSON(t, string(manifest), "-f", "-", "--checks", "testdata/checks.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 3, rep.Inventory.Objects)
	assert.Equal(t, check.StatusFail, verdict(rep, "test:replicas", "Deployment web/single"))
	for _, r := range rep.Results {
		if r.Object == nil { // a check whose kinds stdin does not hold says so
			assert.Equal(t, check.StatusNotApplicable, r.Status, r.CheckID)
			assert.Contains(t, r.Message, "nothing to evaluate")
			continue
		}
		require.NotNil(t, r.Object.Source)
		assert.Equal(t, "-", r.Object.Source.File)
	}

	t.Run("with files", func(t *testing.T) {
		code, rep, stderr := scanJSON(t, string(manifest), "-f", "-", "-f", "testdata/broken/good.yaml",
			"--checks", "testdata/checks.yaml")
		require.Equal(t, exitOK, code, stderr)
		assert.Equal(t, check.StatusFail, verdict(rep, "test:replicas", "Deployment web/single"))
		assert.Equal(t, check.StatusPass, verdict(rep, "test:replicas", "Deployment web/good"))
	})
}

func TestList(t *testing.T) {
	t.Run("bundled", func(t *testing.T) {
		if len(kspm.BenchmarkNames()) == 0 {
			t.Skip("no bundled benchmark")
		}
		code, stdout, stderr := runScan(t, "", "--list")
		require.Equal(t, exitOK, code, stderr)
		bms, err := kspm.Benchmarks()
		require.NoError(t, err)
		for _, b := range bms {
			assert.Contains(t, stdout, b.Name+": ")
			for _, c := range b.Checks {
				assert.Contains(t, stdout, c.Meta().ID)
			}
		}
	})
	t.Run("custom", func(t *testing.T) {
		code, stdout, stderr := runScan(t, "", "--list", "--checks", "testdata/checks.yaml")
		require.Equal(t, exitOK, code, stderr)
		assert.Regexp(t, `test:replicas\s+high\s+Deployments run at least two replicas`, stdout)
		assert.Regexp(t, `test:configmap-password\s+low\s+ConfigMaps hold no passwords`, stdout)
	})
	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := runScan(t, "", "--list", "--checks", "testdata/checks.yaml", "-o", "json")
		require.Equal(t, exitOK, code, stderr)
		var l listing
		require.NoError(t, json.Unmarshal([]byte(stdout), &l))
		require.Len(t, l.Benchmarks, 1)
		assert.Equal(t, customBenchmark, l.Benchmarks[0].Name)
		require.Len(t, l.Benchmarks[0].Checks, 2)
		assert.Equal(t, listedCheck{ID: "test:replicas", Severity: check.High,
			Title: "Deployments run at least two replicas"}, l.Benchmarks[0].Checks[0])
	})
}

func TestBenchmarkNames(t *testing.T) {
	all := append(kspm.DefaultBenchmarkNames(), "admission-policies")
	require.NotContains(t, all, "cis-2.0", "cis-2.0 repeats cis-1.12's controls: not in the default set")
	files := []string{"checks.yaml"}
	tests := []struct {
		name string
		opts options
		want []string
	}{
		{"default is every bundled benchmark but aliases", options{}, all},
		{"check files alone", options{checkFiles: files}, nil},
		{"check files with --check search bundled too", options{checkFiles: files, checkIDs: []string{"x"}}, all},
		{"all", options{benchmarks: []string{"all"}, checkFiles: files}, all},
		{"all twice", options{benchmarks: []string{"all", "all"}}, all},
		{"names given twice run once", options{benchmarks: []string{"x", "y", "x"}}, []string{"x", "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, benchmarkNames(&tt.opts))
		})
	}
}

func TestCustomCheckMayNotReuseBundledID(t *testing.T) {
	bms, err := kspm.Benchmarks()
	require.NoError(t, err)
	if len(bms) == 0 || len(bms[0].Checks) == 0 {
		t.Skip("no bundled benchmark")
	}
	id := bms[0].Checks[0].Meta().ID
	file := filepath.Join(t.TempDir(), "dup.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`apiVersion: kspm.dev/v1alpha1
kind: CheckList
checks:
- id: `+id+`
  title: Shadows a bundled check
  severity: low
  remediation: Rename it.
  kinds: [Namespace]
  expression: "true"
`), 0o600))
	code, stdout, stderr := runScan(t, "", "-f", "testdata/app", "-b", bms[0].Name, "--checks", file)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "check ID "+id+" is already used by benchmark "+bms[0].Name)
}

func TestExitCode(t *testing.T) {
	failing := &report.Report{Results: []check.Result{
		{CheckID: "a", Severity: check.Medium, Status: check.StatusFail},
		{CheckID: "b", Severity: check.Critical, Status: check.StatusError},
	}}
	tests := []struct {
		name   string
		failOn check.Severity
		want   int
	}{
		{"no threshold", "", exitOK},
		{"below threshold; an error result is not a failure", check.High, exitOK},
		{"at threshold", check.Medium, exitFailOn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, exitCode(failing, &options{failOn: tt.failOn}))
		})
	}
	// Load errors win over --fail-on.
	code, _, _ := runScan(t, "", "-f", "testdata/broken", "--checks", "testdata/checks.yaml", "--fail-on", "low")
	assert.Equal(t, exitError, code)
}

// TestCELCheckExamples loads every check file of examples/cel-checks, then runs them on the
// demo inventory and checks verdicts the demo was built to produce.
func TestCELCheckExamples(t *testing.T) {
	files, err := filepath.Glob("../cel-checks/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	args := []string{"-f", "../demo"}
	for _, f := range files {
		t.Run("load "+filepath.Base(f), func(t *testing.T) {
			cs, err := check.LoadCELFile(f)
			require.NoError(t, err)
			require.NotEmpty(t, cs)
			require.NoError(t, check.Validate(cs))
			for _, c := range cs {
				assert.True(t, strings.HasPrefix(c.Meta().ID, "custom:"), c.Meta().ID)
				assert.NotEmpty(t, c.Meta().Description, c.Meta().ID)
			}
		})
		args = append(args, "--checks", f)
	}

	code, rep, stderr := scanJSON(t, "", args...)
	require.Equal(t, exitOK, code, stderr)
	tests := []struct {
		check, object string
		want          check.Status
	}{
		{"custom:allowed-registries", "Deployment payments/ledger-api", check.StatusPass},
		{"custom:allowed-registries", "Pod kube-system/kube-apiserver-cp-1", check.StatusPass},
		{"custom:allowed-registries", "DaemonSet legacy/log-shipper", check.StatusFail},
		{"custom:allowed-registries", "Deployment shop/cart", check.StatusFail},
		{"custom:memory-limits", "Deployment shop/frontend", check.StatusPass},
		{"custom:memory-limits", "Deployment shop/cart", check.StatusFail},
		{"custom:memory-limits", "Job dev/schema-migrate", check.StatusFail},
		{"custom:namespace-resourcequota", "Namespace payments", check.StatusPass},
		{"custom:namespace-resourcequota", "Namespace legacy", check.StatusFail},
		{"custom:namespace-resourcequota", "Namespace kube-system", ""},
		{"custom:ingress-tls", "Ingress shop/storefront", check.StatusPass},
		{"custom:ingress-tls", "Ingress legacy/legacy-app", check.StatusFail},
		{"custom:configmap-credentials", "ConfigMap legacy/legacy-app-config", check.StatusFail},
		{"custom:configmap-credentials", "ConfigMap shop/frontend-config", check.StatusPass},
		{"custom:configmap-credentials", "ConfigMap kube-system/kubelet-config", check.StatusPass},
	}
	for _, tt := range tests {
		t.Run(tt.check+" "+tt.object, func(t *testing.T) {
			assert.Equal(t, tt.want, verdict(rep, tt.check, tt.object))
		})
	}
	for _, r := range rep.Results {
		assert.NotEqual(t, check.StatusError, r.Status, "%s on %v: %s", r.CheckID, r.Object, r.Message)
	}
	for _, r := range rep.Results {
		if r.CheckID == "custom:allowed-registries" && r.Object.String() == "Deployment shop/cart" {
			assert.Equal(t, "images from registries not approved: ghcr.io/acme/cart:latest, docker.io/library/redis:7.2", r.Message)
		}
		if r.CheckID == "custom:configmap-credentials" && r.Status == check.StatusFail {
			assert.Equal(t, "keys that look like credentials: DB_PASSWORD", r.Message)
		}
	}
}

// TestDemo runs the README's first command: every bundled benchmark over the demo.
func TestDemo(t *testing.T) {
	if len(kspm.BenchmarkNames()) == 0 {
		t.Skip("no bundled benchmark")
	}
	code, rep, stderr := scanJSON(t, "", "-f", "../demo")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr)
	assert.Empty(t, rep.Inventory.Errors)
	assert.Equal(t, defaultBenchmarkNames(), rep.Benchmarks, "the demo holds admission policies too")
	assert.Equal(t, check.StatusFail, verdict(rep, "vap:no-latest-tag", "Deployment shop/cart"))
	assert.Equal(t, check.StatusFail, verdict(rep, "vap:load-balancers", "Service monitoring/grafana"))
	assert.Positive(t, rep.Summary.ByStatus[check.StatusFail], "the demo is built to fail checks")
	assert.Positive(t, rep.Summary.ByStatus[check.StatusPass], "and to pass some")
	assert.Zero(t, rep.Summary.ByStatus[check.StatusError], "no check may error on the demo")

	code, stdout, stderr := runScan(t, "", "-f", "../demo")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "legacy/log-shipper")
}

func TestDefaultNamespace(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sa.yaml"), []byte("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default}\n"), 0o644))
	for _, tt := range []struct {
		args   []string
		wantNS string
	}{
		{nil, "default"},
		{[]string{"--default-namespace", "argocd"}, "argocd"},
	} {
		args := append([]string{"-f", dir, "-b", "workloads", "-v"}, tt.args...)
		code, rep, stderr := scanJSON(t, "", args...)
		require.Equal(t, exitOK, code, stderr)
		var found bool
		for _, r := range rep.Results {
			if r.Object != nil && r.Object.Kind == "ServiceAccount" {
				found = true
				assert.Equal(t, tt.wantNS, r.Object.Namespace)
			}
		}
		assert.True(t, found, "workloads:default-sa-automount reports on the default ServiceAccount")
	}
	code, _, stderr := runScan(t, "", "--default-namespace", "x")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "use it with -f")
}

func TestPSSWhatIf(t *testing.T) {
	code, stdout, stderr := runScan(t, "", "-f", "../demo", "--pss-what-if", "restricted", "-n", "payments,shop")
	require.Equal(t, exitFailOn, code, "workloads would be rejected: exit 1 (stderr: %s)", stderr)
	assert.Contains(t, stdout, `enforce "restricted:latest"`)
	assert.Regexp(t, `(?m)^payments\s+restricted:latest\s+\d+\s+[1-9]`, stdout, "payments has a rejected workload")
	assert.Contains(t, stdout, "Deployment payments/payment-gateway")
	assert.NotContains(t, stdout, "legacy/", "only the namespaces asked about")

	code, rep, stderr := scanJSON(t, "", "-f", "../demo", "--pss-what-if", "baseline:v1.30", "-n", "shop")
	require.Equal(t, exitOK, code, stderr)
	require.NotEmpty(t, rep.Results)
	for _, r := range rep.Results {
		assert.Equal(t, "pss:what-if", r.CheckID)
		require.NotNil(t, r.Object)
		assert.Equal(t, "shop", r.Object.Namespace)
	}

	code, _, stderr = runScan(t, "", "-f", "../demo", "--pss-what-if", "strict")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `invalid Pod Security Standards level "strict"`)
	code, _, stderr = runScan(t, "", "-f", "../demo", "--pss-what-if", "baseline", "--who-can", "get", "pods")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "separate modes")
}

func TestClusterVersion(t *testing.T) {
	code, rep, stderr := scanJSON(t, "", "-f", "../demo", "-b", "pss-restricted", "--cluster-version", "v1.29")
	require.Equal(t, exitOK, code, stderr)
	require.NotEmpty(t, rep.Results)
	code, _, stderr = runScan(t, "", "-f", "../demo", "-b", "pss-restricted", "--cluster-version", "1.29")
	assert.Equal(t, exitError, code, "a cluster version is v1.N")
	assert.Contains(t, stderr, "cluster version")
}

func TestMinorVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.37.2": "v1.37", "v1.29.10-eks-1a2b": "v1.29", "v1.30": "v1.30",
		"": "", "v0.0.0-master+$Format:%H$": "", "v1.": "", "1.30.1": "",
	} {
		assert.Equal(t, want, minorVersion(in), in)
	}
}

func TestMessagesNameTheFlag(t *testing.T) {
	code, _, stderr := runScan(t, "", "-f", "../demo", "--fail-on", "bogus")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "want none, critical, high, medium, low or info")
	code, _, stderr = runScan(t, "", "-f", "../demo", "--timeout", "1ns")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "(--timeout 1ns)", "a timeout while loading names the flag too")
}

// TestCompleteFlag: --complete declares the manifests the whole cluster, so a namespace with
// no NetworkPolicy in them fails instead of being notEvaluated; it applies to manifests only.
func TestCompleteFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want check.Status
	}{
		{nil, check.StatusNotEvaluated},
		{[]string{"--complete"}, check.StatusFail},
	} {
		args := append([]string{"-f", "testdata/app", "--check", "network:namespace-default-deny"}, tt.args...)
		code, rep, stderr := scanJSON(t, "", args...)
		require.Equal(t, exitOK, code, stderr)
		require.NotEmpty(t, rep.Results)
		for _, r := range rep.Results {
			assert.Equal(t, tt.want, r.Status, "%v: %s", tt.args, r.Message)
		}
	}
	code, _, stderr := runScan(t, "", "--complete", "--kubeconfig", "/nonexistent")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "use it with -f")
}

// TestFieldValidationStrict: --field-validation strict makes what kubectl apply would refuse
// (an unknown field, a key written twice) a load error, exit 2, while the object is still
// scanned as stored; a mode that is neither warn nor strict is a usage error.
func TestFieldValidationStrict(t *testing.T) {
	code, rep, stderr := scanJSON(t, "", "-f", "testdata/lenient", "-b", "workloads", "--field-validation", "strict")
	assert.Equal(t, exitError, code, stderr)
	dir := filepath.Join("testdata", "lenient")
	assert.Equal(t, []string{
		filepath.Join(dir, "web.yaml") + `:20: Deployment ops/web: field "spec.template.spec.containers[0].securityContext" written again (first at line 18); the last value is used`,
		filepath.Join(dir, "web.yaml") + `:22: Deployment ops/web: unknown field "spec.template.spec.containers[0].securityContex": dropped, as the API server drops it`,
	}, rep.Inventory.Errors)
	assert.Equal(t, []string{
		filepath.Join(dir, "agent.yaml") + ":2: DaemonSet ops/agent: extensions/v1beta1 DaemonSet is not served since Kubernetes 1.16; read as apps/v1 DaemonSet",
		filepath.Join(dir, "app-config.yaml") + ":2: not a Kubernetes object (neither apiVersion nor kind): skipped",
	}, rep.Inventory.Warnings)
	assert.Equal(t, check.StatusPass, verdict(rep, "workloads:privileged", "Deployment ops/web"), "the object is scanned as stored")

	code, _, stderr = runScan(t, "", "-f", "testdata/lenient", "--field-validation", "Ignore")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, `--field-validation "Ignore": want warn or strict`)
}
