package helm_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/helm"
)

// doc is what a test looks at in one rendered document.
type doc struct {
	File      string
	Line      int
	Kind      string
	Name      string
	Namespace string
}

// docs summarises rendered documents, in order (warnings left out).
func docs(t *testing.T, out []inventory.Rendered) []doc {
	t.Helper()
	var got []doc
	for _, o := range out {
		if o.Warning != nil {
			continue
		}
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		require.NoError(t, yaml.Unmarshal(o.Data, &head), "%s:%d", o.File, o.Line)
		got = append(got, doc{o.File, o.Line, head.Kind, head.Metadata.Name, head.Metadata.Namespace})
	}
	return got
}

func newRenderer(t *testing.T, opts ...helm.Option) *helm.Renderer {
	t.Helper()
	r, err := helm.New(opts...)
	require.NoError(t, err)
	return r
}

func render(t *testing.T, dir string, opts ...helm.Option) ([]inventory.Rendered, error) {
	t.Helper()
	return newRenderer(t, opts...).Render(context.Background(), dir)
}

func TestDetect(t *testing.T) {
	malformed := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(malformed, "Chart.yaml"), []byte("name: x\nversion: [1\n"), 0o644))
	tests := []struct {
		dir     string
		want    inventory.Detection
		wantErr string
	}{
		{"testdata/web", inventory.Root, ""},
		{"testdata/legacy-v1", inventory.Root, ""},
		{"testdata/missing-dep", inventory.Root, ""}, // rendering it fails, detecting it does not
		{"testdata/library", inventory.Part, ""},
		{"testdata/web/templates", inventory.NotRoot, ""},
		{"testdata/values", inventory.NotRoot, ""},
		{malformed, inventory.NotRoot, "Chart.yaml: error converting YAML to JSON: yaml: line 2"},
	}
	r := newRenderer(t)
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, err := r.Detect(tt.dir)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestRender checks what the web chart renders to with default values: its manifests in
// Helm's install order, then its hook; each document with the template it comes from and the
// line it starts on there. NOTES.txt, a template that renders to nothing, a partial, a hook
// of an event Helm does not know and crds/ give nothing.
func TestRender(t *testing.T) {
	out, err := render(t, "testdata/web")
	require.NoError(t, err)
	assert.Equal(t, []doc{
		{"web/charts/sub/templates/serviceaccount.yaml", 1, "ServiceAccount", "release-name-sub", ""},
		{"web/templates/service.yaml", 13, "ConfigMap", "release-name-web-ports", ""},
		{"web/templates/service.yaml", 4, "Service", "release-name-web", ""},
		{"web/templates/deployment.yaml", 1, "Deployment", "release-name-web", "default"},
		// A document of comments only, as helm template prints it (it holds no object).
		{"web/templates/service.yaml", 1, "", "", ""},
		{"web/templates/hook-job.yaml", 1, "Job", "release-name-web-migrate", ""},
	}, docs(t, out))
	assert.Equal(t, []string{"web/Chart.yaml: skipping unknown hooks hookTypes=crd-install"}, warnings(out),
		"what Helm logs is a warning on the chart")
}

// warnings returns the warnings among rendered output, as "file: warning".
func warnings(out []inventory.Rendered) []string {
	var got []string
	for _, o := range out {
		if o.Warning != nil {
			got = append(got, o.File+": "+o.Warning.Error())
		}
	}
	return got
}

// TestRenderValues checks values files, --set, the release name and namespace, and a
// subchart disabled by its condition.
func TestRenderValues(t *testing.T) {
	tests := []struct {
		name string
		opts []helm.Option
		// want: the Deployment's replicas, image, hostNetwork, name and namespace
		replicas    float64
		image       string
		hostNetwork bool
		deployment  string
		namespace   string
		subchart    bool
	}{
		{"defaults", nil, 1, "nginx:1.27", false, "release-name-web", "default", true},
		{"values file", []helm.Option{helm.WithValuesFile("testdata/values/override.yaml")},
			3, "nginx:1.28", false, "release-name-web", "default", true},
		{"set after the values file", []helm.Option{helm.WithSet("replicaCount=5,hostNetwork=true"),
			helm.WithValuesFile("testdata/values/override.yaml")}, 5, "nginx:1.28", true, "release-name-web", "default", true},
		{"later set wins", []helm.Option{helm.WithSet("image.tag=a"), helm.WithSet("image.tag=b")},
			1, "nginx:b", false, "release-name-web", "default", true},
		{"condition", []helm.Option{helm.WithSet("sub.enabled=false")}, 1, "nginx:1.27", false, "release-name-web", "default", false},
		{"release and namespace", []helm.Option{helm.WithReleaseName("shop"), helm.WithNamespace("prod")},
			1, "nginx:1.27", false, "shop-web", "prod", true},
		{"empty namespace", []helm.Option{helm.WithNamespace("prod"), helm.WithNamespace("")},
			1, "nginx:1.27", false, "release-name-web", "default", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := render(t, "testdata/web", tt.opts...)
			require.NoError(t, err)
			var dep map[string]any
			subchart := false
			for _, o := range out {
				switch o.File {
				case "web/templates/deployment.yaml":
					require.NoError(t, yaml.Unmarshal(o.Data, &dep))
				case "web/charts/sub/templates/serviceaccount.yaml":
					subchart = true
				}
			}
			require.NotNil(t, dep)
			spec := dep["spec"].(map[string]any)
			pod := spec["template"].(map[string]any)["spec"].(map[string]any)
			meta := dep["metadata"].(map[string]any)
			assert.Equal(t, tt.replicas, spec["replicas"])
			assert.Equal(t, tt.image, pod["containers"].([]any)[0].(map[string]any)["image"])
			assert.Equal(t, tt.hostNetwork, pod["hostNetwork"])
			assert.Equal(t, tt.deployment, meta["name"])
			assert.Equal(t, tt.namespace, meta["namespace"])
			assert.Equal(t, tt.subchart, subchart, "the subchart's ServiceAccount")
		})
	}
}

// TestRenderLegacyChart renders an apiVersion v1 chart whose dependency (a library chart of
// shared templates) is declared in requirements.yaml and vendored in charts/.
func TestRenderLegacyChart(t *testing.T) {
	out, err := render(t, "testdata/legacy-v1")
	require.NoError(t, err)
	assert.Equal(t, []doc{{"legacy-v1/templates/daemonset.yaml", 1, "DaemonSet", "release-name-agent", ""}}, docs(t, out))
	assert.Contains(t, string(out[0].Data), "app.kubernetes.io/instance: release-name", "the library's template is used")
}

// TestRenderSubchartArchive checks that a subchart vendored as a .tgz (as helm dependency
// build leaves it) renders as the same subchart unpacked.
func TestRenderSubchartArchive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "web")
	copyDir(t, "testdata/web", dir)
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "charts", "sub")))
	tgz(t, "testdata/web/charts/sub", "sub", filepath.Join(dir, "charts", "sub-0.1.0.tgz"))

	want, err := render(t, "testdata/web")
	require.NoError(t, err)
	got, err := render(t, dir)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	require.NoError(t, os.Remove(filepath.Join(dir, "charts", "sub-0.1.0.tgz")))
	_, err = render(t, dir)
	require.ErrorIs(t, err, helm.ErrMissingDependency, "without it, the dependency is missing")
	assert.ErrorContains(t, err, "sub 0.1.0 from https://charts.example.com")
}

func TestRenderErrors(t *testing.T) {
	tmp := t.TempDir()
	kubeVersion := filepath.Join(tmp, "kube-version")
	copyDir(t, "testdata/legacy-v1", kubeVersion)
	appendFile(t, filepath.Join(kubeVersion, "Chart.yaml"), "kubeVersion: \">=1.31.0-0\"\n")
	v3 := filepath.Join(tmp, "v3")
	copyDir(t, "testdata/failing", v3)
	writeFile(t, filepath.Join(v3, "Chart.yaml"), "apiVersion: v3\nname: v3\nversion: 0.1.0\n")
	schema := filepath.Join(tmp, "schema")
	copyDir(t, "testdata/legacy-v1", schema)
	writeFile(t, filepath.Join(schema, "values.schema.json"), `{"properties": {"privileged": {"type": "string"}}}`)
	noName := filepath.Join(tmp, "no-name")
	copyDir(t, "testdata/failing", noName)
	writeFile(t, filepath.Join(noName, "Chart.yaml"), "apiVersion: v2\nversion: 0.1.0\n")

	tests := []struct {
		name string
		dir  string
		opts []helm.Option
		want []string
	}{
		{"missing dependency", "testdata/missing-dep", nil,
			[]string{"chart missing-dep: ", "redis 1.2.3 from https://charts.example.com", "helm dependency build"}},
		{"failing template", "testdata/failing", nil,
			[]string{"chart failing: ", "failing/templates/pod.yaml:8:", "image.tag is required"}},
		{"missing values file", "testdata/web", []helm.Option{helm.WithValuesFile("testdata/values/absent.yaml")},
			[]string{"chart web: values file: open testdata/values/absent.yaml: no such file"}},
		{"bad values file", "testdata/web", []helm.Option{helm.WithValuesFile("testdata/values/bad.yaml")},
			[]string{"chart web: values file testdata/values/bad.yaml: ", "line 2"}},
		{"library chart", "testdata/library", nil, []string{"chart library: a chart of type library is not rendered alone"}},
		{"kubeVersion", kubeVersion, []helm.Option{helm.WithKubeVersion("v1.30.2")},
			[]string{`chart legacy-v1: kubeVersion ">=1.31.0-0": the chart does not support Kubernetes v1.30.2`}},
		{"values schema", schema, nil, []string{"chart legacy-v1: values don't meet the specifications of the schema", "privileged"}},
		{"apiVersion v3", v3, nil, []string{`chart v3: apiVersion "v3": helm template renders charts of apiVersion v1 and v2`}},
		{"no name", noName, nil, []string{"chart.metadata.name is required"}},
		{"no chart", "testdata/values", nil, []string{"Chart.yaml: no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := render(t, tt.dir, tt.opts...)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.ErrorContains(t, err, w)
			}
			assert.Empty(t, out, "helm template prints nothing for a chart it cannot render")
		})
	}

	// The same chart renders with a Kubernetes version it accepts.
	_, err := render(t, kubeVersion, helm.WithKubeVersion("1.31"))
	assert.NoError(t, err)
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		opt  helm.Option
		want string
	}{
		{"release name", helm.WithReleaseName("Not_A_Name"), `helm: release name "Not_A_Name": invalid release name`},
		{"empty release name", helm.WithReleaseName(""), `helm: release name "": no name provided`},
		{"set", helm.WithSet("a[x]=1"), `helm: --set "a[x]=1": `},
		{"kube version", helm.WithKubeVersion("latest"), `helm: Kubernetes version "latest": could not parse "latest" as version`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := helm.New(tt.opt)
			assert.ErrorContains(t, err, tt.want)
			assert.Nil(t, r)
		})
	}
	r, err := helm.New(nil, helm.WithSet("a.b[0]=1,c={x,y}"), helm.WithReleaseName("ok-1"))
	require.NoError(t, err)
	assert.Equal(t, "helm", r.Name())
}

// TestLoadManifests loads a directory holding two charts, a library chart and a plain
// manifest with the renderer: the chart's objects come from its templates (with the template, the
// line and the chart as their source), its files are not read as manifests, and the library
// chart is a warning.
func TestLoadManifests(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "testdata/web", filepath.Join(dir, "web"))
	copyDir(t, "testdata/library", filepath.Join(dir, "library"))
	copyDir(t, "testdata/legacy-v1", filepath.Join(dir, "agents", "legacy-v1")) // rendered beside web
	writeFile(t, filepath.Join(dir, "namespace.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")

	inv, err := inventory.LoadManifests(context.Background(), []string{dir},
		inventory.WithRenderer(newRenderer(t, helm.WithNamespace("shop"))), inventory.WithDefaultNamespace("shop"))
	require.NoError(t, err)
	assert.Empty(t, inv.Errors())
	root := "helm:" + filepath.ToSlash(filepath.Join(dir, "web"))
	require.Len(t, inv.Warnings(), 2)
	assert.ErrorContains(t, inv.Warnings()[0], filepath.Join(dir, "library")+": helm: not rendered alone")
	assert.EqualError(t, inv.Warnings()[1], "web/Chart.yaml ("+root+"): helm: skipping unknown hooks hookTypes=crd-install")

	got := map[string]inventory.Source{}
	for _, o := range inv.Objects() {
		got[o.Kind()+" "+o.Namespace()+"/"+o.Name()] = o.Source()
	}
	assert.Equal(t, map[string]inventory.Source{
		"Namespace /shop":                       {File: filepath.Join(dir, "namespace.yaml"), Line: 1},
		"Deployment shop/release-name-web":      {File: "web/templates/deployment.yaml", Line: 1, Root: root},
		"Service shop/release-name-web":         {File: "web/templates/service.yaml", Line: 4, Root: root},
		"ConfigMap shop/release-name-web-ports": {File: "web/templates/service.yaml", Line: 13, Root: root},
		"Job shop/release-name-web-migrate":     {File: "web/templates/hook-job.yaml", Line: 1, Root: root},
		"ServiceAccount shop/release-name-sub":  {File: "web/charts/sub/templates/serviceaccount.yaml", Line: 1, Root: root},
		"DaemonSet shop/release-name-agent": {File: "legacy-v1/templates/daemonset.yaml", Line: 1,
			Root: "helm:" + filepath.ToSlash(filepath.Join(dir, "agents", "legacy-v1"))},
	}, got)

	// A chart that fails is an error against its directory; the rest loads.
	copyDir(t, "testdata/failing", filepath.Join(dir, "failing"))
	inv, err = inventory.LoadManifests(context.Background(), []string{dir}, inventory.WithRenderer(newRenderer(t)))
	require.NoError(t, err)
	require.Len(t, inv.Errors(), 1)
	assert.ErrorContains(t, inv.Errors()[0], filepath.Join(dir, "failing")+": helm: chart failing: execution error at (failing/templates/pod.yaml:8:")
	assert.Len(t, inv.Objects(), 7)
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	}))
}

// tgz packs the directory from as a chart archive whose entries are under prefix/.
func tgz(t *testing.T, from, prefix, to string) {
	t.Helper()
	f, err := os.Create(to)
	require.NoError(t, err)
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	require.NoError(t, filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: prefix + "/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)),
			Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	}))
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	require.NoError(t, os.WriteFile(name, []byte(data), 0o644))
}

func appendFile(t *testing.T, name, data string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(data)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
