//go:build unix

package helm_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/internal/testio"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/helm"
)

// A Chart.yaml that is a FIFO is an error naming it, and Detect does not wait for a writer.
func TestDetectChartFileFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "Chart.yaml"), 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	r, err := helm.New()
	require.NoError(t, err)
	_, err = r.Detect(dir)
	assert.ErrorContains(t, err, "not a regular file")
}

// hostileChart copies the web chart to a new directory and lets change put a hostile file in
// it; it returns the chart's directory.
func hostileChart(t *testing.T, change func(t *testing.T, dir string)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "web")
	copyDir(t, "testdata/web", dir)
	change(t, dir)
	return dir
}

// A chart directory holding a FIFO, a device, an over-limit file or a symbolic link loop
// fails to render at once, with an error naming the file, instead of hanging or reading
// without end; so do values files that are not regular or too large.
func TestRenderHostileFiles(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		opts   []helm.Option
		want   string
	}{
		{name: "FIFO template", change: func(t *testing.T, dir string) { testio.MakeFIFO(t, filepath.Join(dir, "templates", "x.yaml")) },
			want: "chart web: templates/x.yaml: not a regular file (mode p"},
		{name: "FIFO .helmignore", change: func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, ".helmignore")))
			testio.MakeFIFO(t, filepath.Join(dir, ".helmignore"))
		},
			want: "chart web: .helmignore: not a regular file (mode p"},
		{name: "FIFO values.yaml", change: func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, "values.yaml")))
			testio.MakeFIFO(t, filepath.Join(dir, "values.yaml"))
		}, want: "chart web: values.yaml: not a regular file (mode p"},
		{name: "symbolic link to /dev/zero", change: func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "templates", "zero.yaml")))
		}, want: "chart web: templates/zero.yaml: not a regular file (mode Dc"},
		{name: "10 GiB template", change: func(t *testing.T, dir string) { testio.Sparse(t, filepath.Join(dir, "templates", "x.yaml"), 10<<30) },
			want: "chart web: templates/x.yaml: 10737418240 bytes: the files of a chart may hold 104857600 bytes together (Helm's limit)"},
		{name: "files over the limit together", change: func(t *testing.T, dir string) {
			testio.Sparse(t, filepath.Join(dir, "files-a.bin"), 60<<20)
			testio.Sparse(t, filepath.Join(dir, "files-b.bin"), 60<<20)
		}, want: "chart web: files-b.bin: 62914560 bytes: the files of a chart may hold 104857600 bytes together"},
		{name: "symbolic link loop", change: func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink("..", filepath.Join(dir, "templates", "up")))
		}, want: "chart web: templates/up: a symbolic link loop"},
		{name: "FIFO values file", change: func(t *testing.T, dir string) { testio.MakeFIFO(t, filepath.Join(dir, "..", "values.yaml")) },
			opts: []helm.Option{helm.WithValuesFile("VALUES")}, want: "values file VALUES: not a regular file (mode p"},
		{name: "values file over the limit", change: func(t *testing.T, dir string) {
			testio.Sparse(t, filepath.Join(dir, "..", "values.yaml"), inventory.DefaultMaxInputBytes+1)
		}, opts: []helm.Option{helm.WithValuesFile("VALUES")}, want: "values file VALUES: larger than the limit of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := hostileChart(t, tt.change)
			values := filepath.Join(filepath.Dir(dir), "values.yaml")
			var opts []helm.Option
			want := tt.want
			if len(tt.opts) > 0 {
				opts = append(opts, helm.WithValuesFile(values))
				want = strings.Replace(want, "VALUES", values, 1)
			}
			done := make(chan error, 1)
			go func() {
				_, err := render(t, dir, opts...)
				done <- err
			}()
			select {
			case err := <-done:
				assert.ErrorContains(t, err, want)
			case <-time.After(10 * time.Second):
				t.Fatal("Render did not return: it waits on the file")
			}
		})
	}
}
