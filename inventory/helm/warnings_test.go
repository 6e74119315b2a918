package helm_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/internal/testio"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/helm"
)

// What Helm logs while loading and rendering a chart (a requirements.yaml in a v2 chart,
// values it cannot merge) is a warning of that chart's render, on its Chart.yaml, and
// nothing reaches standard error or the log, while charts render in parallel.
func TestRenderWarnings(t *testing.T) {
	noisy := []string{
		`Warning: Dependencies are handled in Chart.yaml since apiVersion "v2". We recommend migrating dependencies to Chart.yaml.`,
		"warning: skipped value for noisy.image: Not a table.",
		"warning: skipped value for noisy.image: Not a table.", // Helm merges values twice, and says it twice
	}
	r := newRenderer(t, helm.WithValuesFile("testdata/values/noisy.yaml"))
	dirs := []string{"testdata/noisy", "testdata/web", "testdata/legacy-v1"}
	want := map[string][]string{
		"testdata/noisy":     noisy,
		"testdata/web":       {"skipping unknown hooks hookTypes=crd-install"},
		"testdata/legacy-v1": nil,
	}
	got := make([][]string, 12)
	out := testio.CaptureStderr(t, func() {
		var wg sync.WaitGroup
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rendered, err := r.Render(context.Background(), dirs[i%len(dirs)])
				if !assert.NoError(t, err) {
					return
				}
				for _, o := range rendered {
					if o.Warning != nil {
						assert.Equal(t, filepath.Base(dirs[i%len(dirs)])+"/Chart.yaml", o.File)
						got[i] = append(got[i], o.Warning.Error())
					}
				}
			}()
		}
		wg.Wait()
	})
	assert.Empty(t, out, "nothing on standard error or in the log")
	for i := range got {
		assert.Equal(t, want[dirs[i%len(dirs)]], got[i], dirs[i%len(dirs)])
	}
}

// A chart marked deprecated, and each symbolic link a chart's walk follows, are warnings, as
// helm template logs them; the warnings of a chart that fails to render are kept.
func TestRenderNotes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "web")
	copyDir(t, "testdata/web", dir)
	appendFile(t, filepath.Join(dir, "Chart.yaml"), "deprecated: true\n")
	require.NoError(t, os.Rename(filepath.Join(dir, "templates", "deployment.yaml"), filepath.Join(dir, "deployment.tpl")))
	require.NoError(t, os.Symlink(filepath.Join("..", "deployment.tpl"), filepath.Join(dir, "templates", "deployment.yaml")))

	out, err := render(t, dir)
	require.NoError(t, err)
	assert.Contains(t, docs(t, out), doc{"web/templates/deployment.yaml", 1, "Deployment", "release-name-web", "default"},
		"the link's target is read under the link's name")
	assert.Equal(t, []string{
		"web/Chart.yaml: templates/deployment.yaml: a symbolic link to " + filepath.Join(dir, "deployment.tpl") +
			", whose content is read as the chart's",
		"web/Chart.yaml: the chart is deprecated (its Chart.yaml sets deprecated: true)",
		"web/Chart.yaml: skipping unknown hooks hookTypes=crd-install",
	}, warnings(out))

	writeFile(t, filepath.Join(dir, "templates", "broken.yaml"), "{{ fail \"broken\" }}\n")
	out, err = render(t, dir)
	assert.ErrorContains(t, err, "broken")
	assert.Len(t, warnings(out), 2, "the link and the deprecation")
	assert.Empty(t, docs(t, out))

	inv, err := inventory.LoadManifests(context.Background(), []string{dir}, inventory.WithRenderer(newRenderer(t)))
	require.NoError(t, err)
	assert.Len(t, inv.Errors(), 1)
	assert.Len(t, inv.Warnings(), 2)
}
