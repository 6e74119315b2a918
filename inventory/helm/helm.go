package helm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
	"helm.sh/helm/v4/pkg/strvals"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/internal/liblog"
	"github.com/kspm-dev/kspm/internal/regularfile"
	"github.com/kspm-dev/kspm/inventory"
)

// Defaults of `helm template`.
const (
	// DefaultReleaseName is the release name `helm template` renders with when given none.
	DefaultReleaseName = "release-name"
	// DefaultNamespace is the release namespace `helm template` renders with when neither
	// --namespace nor a kubeconfig context names one.
	DefaultNamespace = "default"
)

// chartFile is the file that makes a directory a chart.
const chartFile = "Chart.yaml"

// notesSuffix ends the name of the template Helm renders as the release notes, not as a
// manifest.
const notesSuffix = "NOTES.txt"

// ErrMissingDependency is wrapped by the error of a chart that declares a dependency that is
// not in its charts/ directory: `helm dependency build` (a download) would be needed first.
var ErrMissingDependency = errors.New("dependency not in charts/ (run helm dependency build)")

// Renderer renders Helm charts as `helm template` does (see the package documentation). It
// implements inventory.Renderer. A Renderer is safe for concurrent use: LoadManifests renders
// the charts it finds in parallel.
type Renderer struct {
	release     string
	namespace   string
	valuesFiles []string
	sets        []string
	kubeVersion string              // as given to WithKubeVersion
	kube        *common.KubeVersion // kubeVersion parsed by New; nil for Helm's default
	maxMemory   int64               // WithMaxRenderMemory
}

var _ inventory.Renderer = (*Renderer)(nil)

// An Option configures a Renderer (see New).
type Option interface{ apply(*Renderer) }

type optionFunc func(*Renderer)

func (f optionFunc) apply(r *Renderer) { f(r) }

// WithValuesFile adds a values file, as `helm template -f FILE` does: later files override
// earlier ones, and every file overrides the chart's values.yaml. A relative path is relative
// to the working directory, not to the chart. The file is read each time a chart is
// rendered; one that cannot be read or parsed fails the render.
func WithValuesFile(file string) Option {
	return optionFunc(func(r *Renderer) { r.valuesFiles = append(r.valuesFiles, file) })
}

// WithSet sets values as `helm template --set KEY=VALUE[,KEY=VALUE]` does, with Helm's syntax
// (a.b=c for nested keys, a[0]=x for lists, {x,y} for a list value, \, to escape a comma).
// Sets apply after every values file, in order.
func WithSet(keyValues string) Option {
	return optionFunc(func(r *Renderer) { r.sets = append(r.sets, keyValues) })
}

// WithReleaseName sets the release name (.Release.Name); the default is DefaultReleaseName.
func WithReleaseName(name string) Option {
	return optionFunc(func(r *Renderer) { r.release = name })
}

// WithNamespace sets the release namespace (.Release.Namespace), as `helm template -n NS`
// does; the default (and what "" means) is DefaultNamespace. Like Helm, the renderer does
// not write it into objects that a template leaves without one: that is
// inventory.WithDefaultNamespace's job.
func WithNamespace(ns string) Option {
	return optionFunc(func(r *Renderer) {
		r.namespace = ns
		if ns == "" {
			r.namespace = DefaultNamespace
		}
	})
}

// WithKubeVersion sets the Kubernetes version templates see in .Capabilities.KubeVersion and
// that the chart's kubeVersion constraint is checked against, as `helm template
// --kube-version` does (e.g. "v1.30.0" or "1.30"). The default is Helm's: in a program, the
// version of the client-go it is built with (v1.37 for client-go v0.37); in a test binary,
// where Helm cannot read that, v1.20.
func WithKubeVersion(v string) Option {
	return optionFunc(func(r *Renderer) { r.kubeVersion = v })
}

// WithMaxRenderMemory sets how much the memory in use may grow while a chart renders before
// the render is stopped with an error wrapping ErrRenderLimit; n < 1 stops watching it. The
// default is DefaultMaxRenderMemory. The memory in use is the program's: what other
// goroutines allocate meanwhile counts too (see the package documentation, section Limits).
func WithMaxRenderMemory(n int64) Option {
	return optionFunc(func(r *Renderer) { r.maxMemory = n })
}

// New returns a Renderer with opts applied. It fails when an option is invalid: a release
// name Helm refuses, a --set that does not parse, a Kubernetes version that is not one.
// Values files are read when a chart is rendered.
func New(opts ...Option) (*Renderer, error) {
	r := &Renderer{release: DefaultReleaseName, namespace: DefaultNamespace, maxMemory: DefaultMaxRenderMemory}
	for _, o := range opts {
		if o != nil {
			o.apply(r)
		}
	}
	if err := chartutil.ValidateReleaseName(r.release); err != nil {
		return nil, fmt.Errorf("helm: release name %q: %w", r.release, err)
	}
	if r.kubeVersion != "" {
		kv, err := common.ParseKubeVersion(r.kubeVersion)
		if err != nil {
			return nil, fmt.Errorf("helm: Kubernetes version %q: %w", r.kubeVersion, err)
		}
		r.kube = kv
	}
	for _, s := range r.sets {
		if err := strvals.ParseInto(s, map[string]any{}); err != nil {
			return nil, fmt.Errorf("helm: --set %q: %w", s, err)
		}
	}
	return r, nil
}

// Name returns "helm".
func (*Renderer) Name() string { return "helm" }

// Detect says that a directory holding a Chart.yaml is a Root, unless the chart is a library
// chart, which is a Part. A Chart.yaml that cannot be read or is not YAML is an error.
func (*Renderer) Detect(dir string) (inventory.Detection, error) {
	md, err := readChartfile(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return inventory.NotRoot, nil
	}
	if err != nil {
		return inventory.NotRoot, err
	}
	if md.Type == "library" {
		return inventory.Part, nil
	}
	return inventory.Root, nil
}

// readChartfile reads dir's Chart.yaml as Helm's loader does.
func readChartfile(dir string) (*chart.Metadata, error) {
	data, err := regularfile.Read(filepath.Join(dir, chartFile), inventory.DefaultMaxDocumentBytes)
	if err != nil {
		return nil, err
	}
	md := new(chart.Metadata)
	if err := yaml.Unmarshal(data, md); err != nil {
		return nil, fmt.Errorf("%s: %w", chartFile, err)
	}
	return md, nil
}

// Render renders the chart at dir as `helm template` would (see the package documentation)
// and returns one Rendered per document, in the order `helm template` prints them: the
// manifests sorted by kind for installation, then the hooks; then the warnings, about the
// chart's Chart.yaml: what Helm logged while loading and rendering it (values it could not
// merge, conditions that are not booleans, ...), a chart marked deprecated, each symbolic link
// followed. On error it returns the warnings only.
func (r *Renderer) Render(ctx context.Context, dir string) ([]inventory.Rendered, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The render runs on a goroutine of its own, so that Render returns when ctx is done even
	// while a template runs (the engine looks at no context); the render then stops at its
	// next template function call (see guard), or runs to its end unseen.
	type result struct {
		out    []inventory.Rendered
		notes  []string
		err    error
		logged []string
	}
	done := make(chan result, 1)
	go func() {
		var res result
		res.logged = liblog.Capture(func() { res.out, res.notes, res.err = r.renderDir(ctx, dir) })
		done <- res
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("chart %q: rendering stopped: %w: %w", dir, ErrRenderLimit, ctx.Err())
	}
	out, notes, err, logged := res.out, res.notes, res.err, res.logged
	chartYAML := chartFile
	if abs, aerr := filepath.Abs(dir); aerr == nil {
		chartYAML = filepath.Base(abs) + "/" + chartFile
	}
	var warnings []inventory.Rendered
	for _, n := range append(notes, logged...) {
		warnings = append(warnings, inventory.Rendered{File: chartYAML, Warning: errors.New(n)})
	}
	if err != nil {
		return warnings, err
	}
	return append(out, warnings...), nil
}

// renderDir loads and renders the chart at dir, and returns what Render returns besides
// Helm's log: the documents, and notes to warn about.
func (r *Renderer) renderDir(ctx context.Context, dir string) ([]inventory.Rendered, []string, error) {
	ch, notes, err := loadChart(dir)
	if err != nil {
		return nil, notes, err
	}
	if ch.Metadata.Deprecated {
		notes = append(notes, "the chart is deprecated (its Chart.yaml sets deprecated: true)")
	}
	out, err := r.render(ctx, ch)
	if err != nil {
		return nil, notes, fmt.Errorf("chart %s: %w", ch.Name(), err)
	}
	return out, notes, nil
}

// loadChart loads the chart at dir as `helm template` does (see loadDir), and checks what it
// checks before rendering: that the chart is of an API version it renders, installable, and
// has its dependencies in charts/. It returns notes on the symbolic links it followed.
func loadChart(dir string) (*chart.Chart, []string, error) {
	md, err := readChartfile(dir)
	if err != nil {
		return nil, nil, err
	}
	switch md.APIVersion {
	case chart.APIVersionV1, chart.APIVersionV2, "":
	default:
		return nil, nil, fmt.Errorf("chart %s: apiVersion %q: helm template renders charts of apiVersion v1 and v2", md.Name, md.APIVersion)
	}
	ch, notes, err := loadDir(dir)
	if err != nil {
		if md.Name != "" {
			return nil, notes, fmt.Errorf("chart %s: %w", md.Name, err)
		}
		return nil, notes, err
	}
	switch t := ch.Metadata.Type; t {
	case "", "application":
	default:
		return nil, notes, fmt.Errorf("chart %s: a chart of type %s is not rendered alone", ch.Name(), t)
	}
	if err := checkDependencies(ch); err != nil {
		return nil, notes, fmt.Errorf("chart %s: %w", ch.Name(), err)
	}
	if err := checkSchemaRefs(ch); err != nil {
		return nil, notes, fmt.Errorf("chart %s: %w", ch.Name(), err)
	}
	return ch, notes, nil
}

// checkDependencies returns an error naming every dependency of ch that is not among its
// subcharts, as Helm refuses to render such a chart.
func checkDependencies(ch *chart.Chart) error {
	have := map[string]bool{}
	for _, sub := range ch.Dependencies() {
		have[sub.Name()] = true
	}
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if d == nil || have[d.Name] {
			continue
		}
		m := d.Name
		if d.Version != "" {
			m += " " + d.Version
		}
		if d.Repository != "" {
			m += " from " + d.Repository
		}
		missing = append(missing, m)
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrMissingDependency, strings.Join(missing, ", "))
	}
	return nil
}

// values returns the values given by the options: the values files merged in order, then
// the sets, as `helm template -f ... --set ...` merges them.
func (r *Renderer) values() (map[string]any, error) {
	base := map[string]any{}
	for _, f := range r.valuesFiles {
		data, err := regularfile.Read(f, inventory.DefaultMaxInputBytes)
		var pe *fs.PathError
		switch {
		case errors.As(err, &pe):
			return nil, fmt.Errorf("values file: %w", err) // names the file
		case err != nil:
			return nil, fmt.Errorf("values file %s: %w", f, err)
		}
		vals, err := loader.LoadValues(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("values file %s: %w", f, err)
		}
		base = loader.MergeMaps(base, vals)
	}
	for _, s := range r.sets {
		if err := strvals.ParseInto(s, base); err != nil {
			return nil, fmt.Errorf("--set %q: %w", s, err)
		}
	}
	return base, nil
}

// render renders ch as `helm template` does once the chart is loaded.
func (r *Renderer) render(ctx context.Context, ch *chart.Chart) ([]inventory.Rendered, error) {
	vals, err := r.values()
	if err != nil {
		return nil, err
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, fmt.Errorf("dependencies: %w", err)
	}
	caps := common.DefaultCapabilities.Copy()
	if r.kube != nil {
		caps.KubeVersion = *r.kube
	}
	release := common.ReleaseOptions{Name: r.release, Namespace: r.namespace, Revision: 1, IsInstall: true}
	top, err := util.ToRenderValuesWithSchemaValidation(ch, vals, release, caps, false)
	if err != nil {
		return nil, err
	}
	if kv := ch.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("kubeVersion %q: the chart does not support Kubernetes %s", kv, caps.KubeVersion.Version)
	}
	g := newGuard(ctx, r.maxMemory)
	watched := make(chan struct{})
	go g.watch(watched)
	e := engine.Engine{CustomTemplateFuncs: g.funcs()}
	files, err := e.RenderWithContext(ctx, ch, top)
	close(watched)
	if err != nil {
		return nil, err
	}
	var size int64
	for _, f := range files {
		if size += int64(len(f)); size > inventory.DefaultMaxInputBytes {
			return nil, fmt.Errorf("%w: the templates rendered more than the limit of %d bytes", ErrRenderLimit, int64(inventory.DefaultMaxInputBytes))
		}
	}
	for name := range files {
		if strings.HasSuffix(name, notesSuffix) {
			delete(files, name)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, err
	}

	lines := documentLines(files)
	out := make([]inventory.Rendered, 0, len(manifests)+len(hooks))
	for _, m := range manifests {
		out = append(out, inventory.Rendered{File: m.Name, Line: lines.take(m.Name, m.Content), Data: []byte(m.Content)})
	}
	for _, h := range hooks {
		out = append(out, inventory.Rendered{File: h.Path, Line: lines.take(h.Path, h.Manifest), Data: []byte(h.Manifest)})
	}
	return out, nil
}

// lineIndex holds, for each template and each document text it rendered, the lines where
// that text starts in the template's output, first first.
type lineIndex map[string]map[string][]int

// documentLines indexes the documents of each rendered template as Helm splits them (on
// lines starting with "---"; see releaseutil.SplitManifests), by the line each starts on.
func documentLines(files map[string]string) lineIndex {
	idx := lineIndex{}
	for name, content := range files {
		if strings.HasPrefix(path.Base(name), "_") || strings.TrimSpace(content) == "" {
			continue // partials and empty output: no document (as SortManifests skips them)
		}
		docs := releaseutil.SplitManifests(content)
		keys := make([]string, 0, len(docs))
		for k := range docs {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		byText := map[string][]int{}
		off := 0
		for _, k := range keys {
			d := docs[k]
			i := strings.Index(content[off:], d)
			if i < 0 {
				continue // cannot happen: a document is a substring of its template's output
			}
			off += i
			byText[d] = append(byText[d], 1+strings.Count(content[:off], "\n"))
			off += len(d)
		}
		idx[name] = byText
	}
	return idx
}

// take returns the line of the first document of template name with text doc not taken
// yet, or 0 when there is none.
func (idx lineIndex) take(name, doc string) int {
	lines := idx[name][doc]
	if len(lines) == 0 {
		return 0
	}
	idx[name][doc] = lines[1:]
	return lines[0]
}
