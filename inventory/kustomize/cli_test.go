package kustomize_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/kustomize"
)

// corpusDir is the shared kustomize corpus, relative to this package (../shared from the
// repository root).
const corpusDir = "../../../shared/corpus/kustomize"

// TestMatchesKustomizeCLI checks, for the roots of testdata and every root listed in the
// shared corpus's roots.txt, that the directory built in process holds the same objects as
// `kustomize build DIR` output read as a manifest, and that a scan with the scanner's
// default benchmarks gives both the same verdicts: the same (check, status, object) multiset.
// It needs the kustomize CLI of the same api version (hack/build-kustomize.sh), named by
// KSPM_KUSTOMIZE.
func TestMatchesKustomizeCLI(t *testing.T) {
	bin := os.Getenv("KSPM_KUSTOMIZE")
	if bin == "" {
		t.Skip("KSPM_KUSTOMIZE is not set: hack/test.sh builds the kustomize CLI (hack/build-kustomize.sh) and sets it")
	}
	bms, err := kspm.SelectBenchmarks(kspm.DefaultBenchmarkNames())
	require.NoError(t, err)

	roots := []string{"testdata/base", "testdata/overlay"}
	if list, err := os.Open(filepath.Join(corpusDir, "roots.txt")); err != nil {
		t.Logf("the shared kustomize corpus is absent (%v): only testdata's roots are compared", err)
	} else {
		sc := bufio.NewScanner(list)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				roots = append(roots, filepath.Join(corpusDir, l))
			}
		}
		require.NoError(t, sc.Err())
		require.NoError(t, list.Close())
	}
	for _, dir := range roots {
		t.Run(strings.TrimPrefix(dir, corpusDir+"/"), func(t *testing.T) {
			ctx := context.Background()
			out, err := exec.CommandContext(ctx, bin, "build", dir).Output()
			require.NoError(t, err, "kustomize build %s", dir)
			built := filepath.Join(t.TempDir(), "build.yaml")
			require.NoError(t, os.WriteFile(built, out, 0o644))
			cli, err := inventory.LoadManifests(ctx, []string{built})
			require.NoError(t, err)
			require.Empty(t, cli.Errors())
			require.NotZero(t, cli.Len())

			in, err := inventory.LoadManifests(ctx, []string{dir}, inventory.WithRenderer(kustomize.New()))
			require.NoError(t, err)
			require.Empty(t, in.Errors())
			assert.Equal(t, objects(t, cli), objects(t, in), "the objects")

			want, err := kspm.Scan(ctx, cli, bms)
			require.NoError(t, err)
			got, err := kspm.Scan(ctx, in, bms)
			require.NoError(t, err)
			assert.Equal(t, verdicts(want.Results), verdicts(got.Results), "the verdicts")
			for _, o := range in.Objects() {
				assert.NotEmpty(t, o.Source().File, "%s has a source file", o)
			}
		})
	}
}

// objects returns the objects of inv, as their content by "Kind namespace/name".
func objects(t *testing.T, inv *inventory.Inventory) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, o := range inv.Objects() {
		m, err := o.Map()
		require.NoError(t, err)
		out[o.String()] = m
	}
	return out
}

// verdicts counts results by check, status and object (kind, namespace, name).
func verdicts(rs []check.Result) map[string]int {
	out := map[string]int{}
	for _, r := range rs {
		obj := ""
		if r.Object != nil {
			obj = r.Object.Kind + " " + r.Object.Namespace + "/" + r.Object.Name
		}
		out[fmt.Sprintf("%s %s %s", r.CheckID, r.Status, obj)]++
	}
	return out
}
