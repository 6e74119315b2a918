package helm_test

// Tests against the helm CLI: kspm's in-process rendering must give what `helm template`
// gives. hack/test.sh builds the CLI (hack/build-helm.sh, at the go.mod version of
// helm.sh/helm/v4) and sets KSPM_HELM to it; without it these tests skip.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/helm"
)

// helmCLI returns the helm binary named by KSPM_HELM, or skips the test.
func helmCLI(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("KSPM_HELM")
	if bin == "" {
		t.Skip("KSPM_HELM is not set: hack/test.sh builds the helm CLI (hack/build-helm.sh) and sets it")
	}
	return bin
}

// runHelm runs the helm CLI with args, isolated from the user's helm and kubeconfig settings
// (so that its namespace is helm template's default), and returns its standard output.
func runHelm(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	stdout, _, err := runHelmStderr(t, bin, args...)
	return stdout, err
}

// runHelmStderr is runHelm, returning what the CLI logged on standard error too.
func runHelmStderr(t *testing.T, bin string, args ...string) (string, string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HELM_") && !strings.HasPrefix(kv, "KUBECONFIG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "KUBECONFIG="+filepath.Join(home, "no-kubeconfig"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"), "HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), stderr.String(), errors.New(strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), stderr.String(), nil
}

// cliLogLine matches a line the helm CLI logs: level=LEVEL msg=MESSAGE ATTRS.
var cliLogLine = regexp.MustCompile(`^level=\w+ msg=("(?:[^"\\]|\\.)*"|\S*)(.*)$`)

// cliWarnings returns the messages the helm CLI logged, as the renderer words its warnings:
// "message key=value ...".
func cliWarnings(t *testing.T, stderr string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line == "" {
			continue
		}
		m := cliLogLine.FindStringSubmatch(line)
		require.NotNil(t, m, "a log line of the CLI: %q", line)
		msg := m[1]
		if strings.HasPrefix(msg, `"`) {
			var err error
			msg, err = strconv.Unquote(msg)
			require.NoError(t, err)
		}
		out = append(out, msg+m[2])
	}
	return out
}

// cliKubeVersion returns the Kubernetes version the CLI renders with by default. The helm
// SDK assumes v1.20 in test binaries, so the in-process side of a comparison is told the
// CLI's version (in a program, both derive it from the same client-go).
func cliKubeVersion(t *testing.T, bin string) string {
	t.Helper()
	v, err := runHelm(t, bin, "version", "--template", "{{.KubeClientVersion}}")
	require.NoError(t, err)
	require.Regexp(t, `^v1\.\d+$`, v)
	return v + ".0"
}

// sourceHeader starts each document `helm template` prints.
var sourceHeader = regexp.MustCompile(`(?m)^---\n# Source: (.*)\n`)

// sourcedDoc is a document with the template it came from.
type sourcedDoc struct{ Source, Doc string }

// cliDocs splits `helm template` output into its documents.
func cliDocs(out string) []sourcedDoc {
	var docs []sourcedDoc
	heads := sourceHeader.FindAllStringSubmatchIndex(out, -1)
	for i, h := range heads {
		end := len(out)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		docs = append(docs, sourcedDoc{out[h[2]:h[3]], strings.TrimSpace(out[h[1]:end])})
	}
	return docs
}

// TestRenderMatchesHelmTemplate renders the test charts in process and with `helm template`
// and requires the same documents, from the same templates, in the same order; and that a
// chart fails in process where it fails with the CLI.
func TestRenderMatchesHelmTemplate(t *testing.T) {
	bin := helmCLI(t)
	kube := cliKubeVersion(t, bin)
	tests := []struct {
		name    string
		dir     string
		cli     []string
		opts    []helm.Option
		wantErr bool
	}{
		{name: "defaults", dir: "testdata/web"},
		{name: "values", dir: "testdata/web",
			cli: []string{"shop", "-n", "prod", "-f", "testdata/values/override.yaml", "--set", "replicaCount=5,hostNetwork=true",
				"--set", "sub.enabled=false"},
			opts: []helm.Option{helm.WithReleaseName("shop"), helm.WithNamespace("prod"), helm.WithValuesFile("testdata/values/override.yaml"),
				helm.WithSet("replicaCount=5,hostNetwork=true"), helm.WithSet("sub.enabled=false")}},
		{name: "apiVersion v1", dir: "testdata/legacy-v1"},
		{name: "demo chart", dir: "../../examples/demo/status-page"},
		{name: "what Helm logs", dir: "testdata/noisy", cli: []string{"-f", "testdata/values/noisy.yaml"},
			opts: []helm.Option{helm.WithValuesFile("testdata/values/noisy.yaml")}},
		{name: "failing template", dir: "testdata/failing", wantErr: true},
		{name: "missing dependency", dir: "testdata/missing-dep", wantErr: true},
		{name: "library", dir: "testdata/library", wantErr: true},
		{name: "bad values file", dir: "testdata/web", cli: []string{"-f", "testdata/values/bad.yaml"},
			opts: []helm.Option{helm.WithValuesFile("testdata/values/bad.yaml")}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"template"}, tt.cli...)
			if len(tt.cli) == 0 || strings.HasPrefix(tt.cli[0], "-") {
				args = append(args, helm.DefaultReleaseName)
			}
			args = append(args, tt.dir)
			out, logged, cliErr := runHelmStderr(t, bin, args...)
			got, err := render(t, tt.dir, append(tt.opts, helm.WithKubeVersion(kube))...)
			if tt.wantErr {
				assert.Error(t, cliErr, "helm template fails")
				assert.Error(t, err, "so does Render")
				return
			}
			require.NoError(t, cliErr)
			require.NoError(t, err)
			var docs []sourcedDoc
			var warned []string
			for _, o := range got {
				if o.Warning != nil {
					warned = append(warned, o.Warning.Error())
					continue
				}
				docs = append(docs, sourcedDoc{o.File, strings.TrimSpace(string(o.Data))})
			}
			assert.Equal(t, cliDocs(out), docs)
			assert.Equal(t, cliWarnings(t, logged), warned, "what the CLI logs is what Render warns")
		})
	}
}

// TestCorpusVerdictsMatchHelmTemplate scans each chart of ../shared/corpus/charts, with its
// default values and with each of its ci/*.yaml, twice with kspm's default benchmarks: the
// chart directory rendered in process, and `helm template release-name DIR [-f ci/x.yaml]`
// output read as manifests. Both must give the same verdicts: (check, status, object).
func TestCorpusVerdictsMatchHelmTemplate(t *testing.T) {
	bin := helmCLI(t)
	const corpus = "../../../shared/corpus/charts"
	charts, _ := filepath.Glob(filepath.Join(corpus, "*", "Chart.yaml"))
	if len(charts) == 0 {
		t.Skipf("no charts under %s (the shared corpus is not beside the repository)", corpus)
	}
	kube := cliKubeVersion(t, bin)
	bms, err := kspm.SelectBenchmarks(kspm.DefaultBenchmarkNames())
	require.NoError(t, err)
	ctx := context.Background()

	verdicts := func(t *testing.T, inv *inventory.Inventory) map[string]int {
		t.Helper()
		rep, err := kspm.Scan(ctx, inv, bms)
		require.NoError(t, err)
		got := map[string]int{}
		for _, r := range rep.Results {
			obj := "-"
			if r.Object != nil {
				obj = r.Object.String()
			}
			got[r.CheckID+" "+string(r.Status)+" "+obj]++
		}
		return got
	}

	for _, c := range charts {
		dir := filepath.Dir(c)
		variants := []string{""}
		ci, _ := filepath.Glob(filepath.Join(dir, "ci", "*.yaml"))
		variants = append(variants, ci...)
		for _, values := range variants {
			name := filepath.Base(dir) + "/default values"
			if values != "" {
				name = filepath.Base(dir) + "/" + filepath.Base(values)
			}
			t.Run(name, func(t *testing.T) {
				args := []string{"template", helm.DefaultReleaseName, dir}
				opts := []helm.Option{helm.WithKubeVersion(kube)}
				if values != "" {
					args = append(args, "-f", values)
					opts = append(opts, helm.WithValuesFile(values))
				}
				out, logged, err := runHelmStderr(t, bin, args...)
				require.NoError(t, err)
				file := filepath.Join(t.TempDir(), "rendered.yaml")
				require.NoError(t, os.WriteFile(file, []byte(out), 0o644))
				fromCLI, err := inventory.LoadManifests(ctx, []string{file})
				require.NoError(t, err)
				require.Empty(t, fromCLI.Errors())

				fromDir, err := inventory.LoadManifests(ctx, []string{dir}, inventory.WithRenderer(newRenderer(t, opts...)))
				require.NoError(t, err)
				require.Empty(t, fromDir.Errors())
				require.NotZero(t, fromDir.Len())
				assert.Equal(t, fromCLI.Len(), fromDir.Len(), "objects")
				for _, o := range fromDir.Objects() {
					assert.Equal(t, "helm:"+filepath.ToSlash(dir), o.Source().Root)
					assert.Positive(t, o.Source().Line, "%s %s", o.Kind(), o.Name())
				}

				var warned []string
				for _, w := range fromDir.Warnings() {
					var se *inventory.SourceError
					if errors.As(w, &se) && se.Source.Root != "" {
						warned = append(warned, strings.TrimPrefix(se.Err.Error(), "helm: "))
					}
				}
				assert.Equal(t, cliWarnings(t, logged), warned, "what the CLI logs is what the scan warns")

				want := verdicts(t, fromCLI)
				require.NotEmpty(t, want)
				assert.Equal(t, want, verdicts(t, fromDir))
			})
		}
	}
}
