package helm_test

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/engine"

	"github.com/kspm-dev/kspm/inventory/helm"
)

// bombChart writes a chart named bomb whose only template is tpl, and returns its directory.
func bombChart(t *testing.T, tpl string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bomb")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: bomb\nversion: 0.1.0\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", "cm.yaml"), []byte(tpl), 0o600))
	return dir
}

// allocated returns the bytes the program has allocated so far.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// Templates that would build values of hundreds of MB, or loop for ever, fail with an error
// naming the chart and the limit, having allocated a bounded amount. Each bomb is sized so
// that, undefended, it holds at most a few hundred MB at once (measured: up to 1 GiB
// allocated in all): a regression fails the allocation bound rather than exhausting the
// machine.
func TestRenderLimits(t *testing.T) {
	tests := []struct {
		name, tpl string
		opts      []helm.Option
		want      string
		maxAlloc  uint64 // MiB; 0: 100
	}{
		{"repeat", `{{ repeat 20000000 "x" }}`, nil, "repeat would build a string of 20000000 bytes", 0},
		{"until", `{{ range until 3000000 }}x{{ end }}`, nil, "until would count 3000000 numbers", 0},
		{"untilStep", `{{ range untilStep 0 3000000 1 }}x{{ end }}`, nil, "untilStep would count 3000000 numbers", 0},
		{"seq", `{{ seq 1 1000000 }}`, nil, "seq would count", 0},
		{"indent", `{{ "a\nb\nc" | indent 10000000 }}`, nil, "indent would build a string of 30000005 bytes", 0},
		{"randAlphaNum", `{{ randAlphaNum 10000000 }}`, nil, "randAlphaNum would build", 0},
		{"printf widths", `{{ printf "%999999d%999999d%999999d%999999d%999999d%999999d%999999d%999999d%999999d%999999d" 1 2 3 4 5 6 7 8 9 10 }}`, nil, "printf would build", 0},
		{"print doubling a string", `{{ $s := repeat 1000000 "x" }}{{ range until 5 }}{{ $s = print $s $s }}{{ end }}`, nil,
			"print would build a string of 16000002 bytes", 0},
		{"html escaping a string again", `{{ $s := repeat 1000000 "<" }}{{ range until 3 }}{{ $s = html $s }}{{ end }}`, nil,
			"html would build a string of 24000006 bytes", 0},
		{"functions produce more than an input", `{{ range until 100 }}{{ $s := repeat 8000000 "x" }}{{ end }}`, nil, "the template functions produced more than the limit", 300},
		{"memory grows through the output", `{{ $big := repeat 4000000 "x" }}{{ range until 40 }}{{ $big }}{{ $_ := add 1 1 }}{{ end }}`,
			[]helm.Option{helm.WithMaxRenderMemory(32 << 20)}, "the memory in use grew by", 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := bombChart(t, tt.tpl)
			runtime.GC()
			before := allocated()
			start := time.Now()
			_, err := render(t, dir, tt.opts...)
			spent := allocated() - before
			require.Error(t, err)
			assert.Contains(t, err.Error(), "chart bomb")
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "render limit")
			maxAlloc := cmp.Or(tt.maxAlloc, 100)
			assert.Less(t, spent>>20, maxAlloc, "allocated %d MiB", spent>>20)
			assert.Less(t, time.Since(start), 20*time.Second)
		})
	}
}

// A render that would run for ever returns when ctx is done, with an error naming the chart,
// and the render itself stops at its next template function call rather than running on.
func TestRenderStopsWithTheContext(t *testing.T) {
	dir := bombChart(t, `{{ range until 65536 }}{{ range until 65536 }}{{ $_ := add 1 1 }}{{ end }}{{ end }}`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newRenderer(t).Render(ctx, dir)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, helm.ErrRenderLimit)
	assert.Contains(t, err.Error(), dir)
	assert.Less(t, time.Since(start), 5*time.Second)
	rendering := func() bool {
		buf := make([]byte, 4<<20)
		return strings.Contains(string(buf[:runtime.Stack(buf, true)]), "helm/v4/pkg/engine.Engine.render")
	}
	assert.Eventually(t, func() bool { return !rendering() }, 5*time.Second, 10*time.Millisecond, "the abandoned render goes on")
}

// The guarded functions render as Helm's own: the same template gives the same text with the
// guard and with a plain engine.
func TestGuardedFunctionsRenderAsHelm(t *testing.T) {
	tpl := `{{ define "body" }}a: {{ repeat 3 "ab" }}
b: {{ until 4 | toJson }} {{ until -3 | toJson }}
c: {{ untilStep 1 10 3 | toJson }} {{ untilStep 10 1 -4 | toJson }} {{ untilStep 1 10 0 | toJson }}
d: {{ seq 5 }} / {{ seq 3 -1 }} / {{ seq 0 2 9 }} / {{ seq 9 -3 0 }}
e: |
{{ "x\ny" | indent 4 }}
f: {{ "x" | nindent 2 }}
g: {{ printf "%05d|%-4s|%.2f|%*d|%[1]d|%%" 7 "ab" 3.14159 6 42 }}
h: {{ randAlphaNum 12 | len }} {{ randBytes 9 | len }}
i: {{ dict "k" (list 1 2) | toJson }} {{ "a,b" | splitList "," | join "-" }} {{ .Values.x | default "d" | quote }}
j: {{ print 1 2 "a" nil }} {{ println "x" 3 | trim }} {{ html "<a&'\"" 7 }} {{ js "<'x'>" }} {{ urlquery "a b&c" 1 }}
{{ end }}apiVersion: v1
kind: ConfigMap
metadata:
  name: funcs
data:
  v: |
{{ include "body" . | indent 4 }}
`
	dir := bombChart(t, tpl)
	out, err := render(t, dir)
	require.NoError(t, err)
	require.NotEmpty(t, out)

	ch := &chart.Chart{Metadata: &chart.Metadata{Name: "bomb", APIVersion: "v2", Version: "0.1.0"},
		Templates: []*common.File{{Name: "templates/cm.yaml", Data: []byte(tpl)}}}
	vals := common.Values{"Values": map[string]any{}, "Release": map[string]any{}, "Chart": map[string]any{}, "Capabilities": map[string]any{}}
	want, err := engine.Engine{}.RenderWithContext(context.Background(), ch, vals)
	require.NoError(t, err)
	assert.Equal(t, want["bomb/templates/cm.yaml"], string(out[0].Data))
}
