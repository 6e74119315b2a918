package kustomize_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/kustomize"
)

// write writes files (path → content) under dir.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

func load(t *testing.T, paths ...string) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.LoadManifests(context.Background(), paths, inventory.WithRenderer(kustomize.New()))
	require.NoError(t, err)
	return inv
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    inventory.Detection
		wantErr string
	}{
		{name: "kustomization.yaml", files: map[string]string{"kustomization.yaml": "resources: [a.yaml]\n"}, want: inventory.Root},
		{name: "kustomization.yml", files: map[string]string{"kustomization.yml": "resources: [a.yaml]\n"}, want: inventory.Root},
		{name: "Kustomization", files: map[string]string{"Kustomization": "kind: Kustomization\n"}, want: inventory.Root},
		{name: "empty file", files: map[string]string{"kustomization.yaml": ""}, want: inventory.Root},
		{name: "component", files: map[string]string{"kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"}, want: inventory.Part},
		{name: "plain manifests", files: map[string]string{"deploy.yaml": "kind: Deployment\n", "sub/kustomization.yaml": "{}\n"}, want: inventory.NotRoot},
		{name: "a directory named Kustomization", files: map[string]string{"Kustomization/x.yaml": "kind: Pod\n"}, want: inventory.NotRoot},
		{name: "malformed", files: map[string]string{"kustomization.yaml": "resources:\n  - a.yaml\n - b.yaml\n"},
			wantErr: "kustomization.yaml:3: "},
		{name: "not a mapping", files: map[string]string{"kustomization.yml": "# list\n- a.yaml\n"},
			wantErr: "kustomization.yml:2: not a kustomization"},
		{name: "two files", files: map[string]string{"kustomization.yaml": "{}\n", "kustomization.yml": "{}\n"},
			wantErr: "several kustomization files: kustomization.yaml, kustomization.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.files)
			got, err := kustomize.New().Detect(dir)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDetectUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: file permissions do not stop reads")
	}
	dir := t.TempDir()
	write(t, dir, map[string]string{"kustomization.yaml": "{}\n"})
	require.NoError(t, os.Chmod(filepath.Join(dir, "kustomization.yaml"), 0))
	_, err := kustomize.New().Detect(dir)
	assert.ErrorContains(t, err, "read kustomization.yaml")
}

// TestRenderOverlay builds testdata/overlay (a base with a generator, a patch, a component,
// a namespace and a name prefix) and checks what loads and where each object says it came
// from.
func TestRenderOverlay(t *testing.T) {
	inv := load(t, "testdata/overlay")
	require.Empty(t, inv.Errors())
	require.Empty(t, inv.Warnings())

	root := "kustomize:testdata/overlay"
	got := map[string]inventory.Source{}
	for _, o := range inv.Objects() {
		got[o.Kind()+" "+o.Namespace()+"/"+o.Name()] = o.Source()
		_, has := o.Meta().GetAnnotations()["config.kubernetes.io/origin"]
		assert.False(t, has, "%s: the origin annotation kspm asked for is removed", o)
	}
	assert.Equal(t, map[string]inventory.Source{
		"Deployment prod/prod-web":                    {File: "base/app.yaml", Line: 2, Root: root},
		"Service prod/prod-web":                       {File: "base/app.yaml", Line: 25, Root: root},
		"NetworkPolicy prod/prod-deny-ingress":        {File: "component/deny-ingress.yaml", Line: 1, Root: root},
		"ConfigMap prod/prod-web-settings-4kg7tm8gh7": {File: "base/kustomization.yaml", Line: 6, Root: root},
		"ConfigMap prod/prod-web-extra-6g6gd9868f":    {File: "base/kustomization.yaml", Line: 9, Root: root},
	}, got)

	// The overlay's patch is applied.
	deps := inv.Deployments()
	require.Len(t, deps, 1)
	sc := deps[0].Spec.Template.Spec.Containers[0].SecurityContext
	require.NotNil(t, sc)
	require.NotNil(t, sc.Privileged)
	assert.True(t, *sc.Privileged)
}

// TestSourceLineAsPlainLoad checks that an object built from a file gets the line the
// manifest loader gives the same document read as a plain file.
func TestSourceLineAsPlainLoad(t *testing.T) {
	plain, err := inventory.LoadManifests(context.Background(), []string{"testdata/base/app.yaml"})
	require.NoError(t, err)
	built := load(t, "testdata/base")
	for _, o := range plain.Objects() {
		b := built.Get(o.GroupKind(), o.Namespace(), o.Name())
		require.NotNil(t, b, o.String())
		assert.Equal(t, o.Source().Line, b.Source().Line, o.String())
		assert.Equal(t, "base/app.yaml", b.Source().File)
	}
}

// TestWalk loads the testdata folder: each root is built on its own (the base and the
// overlay are both variants), the component is a warning, the remote base an error naming
// it, and no file under a root is read as a plain manifest.
func TestWalk(t *testing.T) {
	inv := load(t, "testdata")
	var names []string
	for _, o := range inv.Objects() {
		names = append(names, o.Kind()+" "+o.Namespace()+"/"+o.Name()+" "+o.Source().Root)
	}
	assert.ElementsMatch(t, []string{
		"ConfigMap default/web-settings-4kg7tm8gh7 kustomize:testdata/base",
		"ConfigMap default/web-extra-6g6gd9868f kustomize:testdata/base",
		"Deployment default/web kustomize:testdata/base",
		"Service default/web kustomize:testdata/base",
		"ConfigMap prod/prod-web-settings-4kg7tm8gh7 kustomize:testdata/overlay",
		"ConfigMap prod/prod-web-extra-6g6gd9868f kustomize:testdata/overlay",
		"Deployment prod/prod-web kustomize:testdata/overlay",
		"Service prod/prod-web kustomize:testdata/overlay",
		"NetworkPolicy prod/prod-deny-ingress kustomize:testdata/overlay",
	}, names)
	require.Len(t, inv.Warnings(), 1)
	assert.ErrorContains(t, inv.Warnings()[0], filepath.Join("testdata", "component")+": kustomize: not rendered alone")
	require.Len(t, inv.Errors(), 1)
	err := inv.Errors()[0]
	assert.ErrorIs(t, err, kustomize.ErrRemote)
	assert.ErrorContains(t, err, filepath.Join("testdata", "remote", "kustomization.yaml")+
		`: resources: "https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.8.2"`)
}

// TestRemote checks that every kind of reference kustomize would download is refused before
// anything is built, naming the reference and the kustomization that holds it, however deep.
func TestRemote(t *testing.T) {
	const local = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n"
	tests := []struct {
		name  string
		files map[string]string
		ref   string // the reference the error names
		in    string // the kustomization file that holds it
	}{
		{name: "resource URL", files: map[string]string{"root/kustomization.yaml": "resources:\n- https://example.com/cm.yaml\n"},
			ref: "https://example.com/cm.yaml", in: "root/kustomization.yaml"},
		{name: "git base, github.com path", files: map[string]string{"root/kustomization.yaml": "resources:\n- github.com/org/repo//deploy?ref=v1\n"},
			ref: "github.com/org/repo//deploy?ref=v1", in: "root/kustomization.yaml"},
		{name: "git base, scp-like", files: map[string]string{"root/kustomization.yaml": "bases:\n- git@gitlab.example:org/repo.git//base\n"},
			ref: "git@gitlab.example:org/repo.git//base", in: "root/kustomization.yaml"},
		{name: "git base, ssh", files: map[string]string{"root/kustomization.yaml": "resources:\n- ssh://git@host/org/repo\n"},
			ref: "ssh://git@host/org/repo", in: "root/kustomization.yaml"},
		{name: "git base, git:: prefix", files: map[string]string{"root/kustomization.yaml": "resources:\n- git::HTTPS://host/org/repo.git\n"},
			ref: "git::HTTPS://host/org/repo.git", in: "root/kustomization.yaml"},
		{name: "git base, file://", files: map[string]string{"root/kustomization.yml": "resources:\n- file:///srv/repo//base\n"},
			ref: "file:///srv/repo//base", in: "root/kustomization.yml"},
		{name: "component", files: map[string]string{"root/Kustomization": "components:\n- https://github.com/org/repo/components/x\n"},
			ref: "https://github.com/org/repo/components/x", in: "root/Kustomization"},
		{name: "in a local base", files: map[string]string{
			"root/kustomization.yaml": "resources:\n- ../base\n", "base/kustomization.yaml": "resources:\n- ../lib\n",
			"lib/kustomization.yaml": "resources:\n- cm.yaml\n- http://example.com/x.yaml\n", "lib/cm.yaml": local},
			ref: "http://example.com/x.yaml", in: "lib/kustomization.yaml"},
		{name: "patch file", files: map[string]string{"root/kustomization.yaml": "resources: [cm.yaml]\npatches:\n- path: https://example.com/p.yaml\n", "root/cm.yaml": local},
			ref: "https://example.com/p.yaml", in: "root/kustomization.yaml"},
		{name: "strategic merge patch", files: map[string]string{"root/kustomization.yaml": "resources: [cm.yaml]\npatchesStrategicMerge:\n- https://example.com/p.yaml\n", "root/cm.yaml": local},
			ref: "https://example.com/p.yaml", in: "root/kustomization.yaml"},
		{name: "json6902 patch", files: map[string]string{"root/kustomization.yaml": "resources: [cm.yaml]\npatchesJson6902:\n- path: https://example.com/p.json\n  target: {kind: ConfigMap, name: local}\n", "root/cm.yaml": local},
			ref: "https://example.com/p.json", in: "root/kustomization.yaml"},
		{name: "replacements", files: map[string]string{"root/kustomization.yaml": "resources: [cm.yaml]\nreplacements:\n- path: https://example.com/r.yaml\n", "root/cm.yaml": local},
			ref: "https://example.com/r.yaml", in: "root/kustomization.yaml"},
		{name: "crds", files: map[string]string{"root/kustomization.yaml": "crds:\n- https://example.com/crd.json\n"},
			ref: "https://example.com/crd.json", in: "root/kustomization.yaml"},
		{name: "configurations", files: map[string]string{"root/kustomization.yaml": "configurations:\n- https://example.com/c.yaml\n"},
			ref: "https://example.com/c.yaml", in: "root/kustomization.yaml"},
		{name: "openapi", files: map[string]string{"root/kustomization.yaml": "openapi:\n  path: https://example.com/schema.json\n"},
			ref: "https://example.com/schema.json", in: "root/kustomization.yaml"},
		{name: "configMapGenerator file with key", files: map[string]string{"root/kustomization.yaml": "configMapGenerator:\n- name: x\n  files:\n  - conf=https://example.com/a.conf\n"},
			ref: "https://example.com/a.conf", in: "root/kustomization.yaml"},
		{name: "secretGenerator env", files: map[string]string{"root/kustomization.yaml": "secretGenerator:\n- name: x\n  env: https://example.com/a.env\n"},
			ref: "https://example.com/a.env", in: "root/kustomization.yaml"},
		{name: "transformer file", files: map[string]string{
			"root/kustomization.yaml": "resources: [cm.yaml]\ntransformers:\n- patch.yaml\n", "root/cm.yaml": local,
			"root/patch.yaml": "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\npath: https://example.com/p.yaml\ntarget:\n  kind: ConfigMap\n"},
			ref: "https://example.com/p.yaml", in: "root/patch.yaml"},
		{name: "inline generator", files: map[string]string{
			"root/kustomization.yaml": "generators:\n- |\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n  metadata:\n    name: g\n  envs:\n  - https://example.com/a.env\n"},
			ref: "https://example.com/a.env", in: "root/kustomization.yaml"},
		{name: "generator kustomization", files: map[string]string{
			"root/kustomization.yaml":     "generators:\n- gen\n",
			"root/gen/kustomization.yaml": "resources:\n- cm-gen.yaml\n",
			"root/gen/cm-gen.yaml":        "apiVersion: builtin\nkind: ReplacementTransformer\nmetadata:\n  name: r\nreplacements:\n- path: http://example.com/r.yaml\n"},
			ref: "http://example.com/r.yaml", in: "root/gen/cm-gen.yaml"},
		{name: "validator repository", files: map[string]string{"root/kustomization.yaml": "validators:\n- github.com/org/validators\n"},
			ref: "github.com/org/validators", in: "root/kustomization.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.files)
			// Were kustomize to try, it would find no git to clone with.
			t.Setenv("PATH", t.TempDir())
			out, err := kustomize.New().Render(context.Background(), filepath.Join(dir, "root"))
			require.ErrorIs(t, err, kustomize.ErrRemote)
			assert.Contains(t, err.Error(), filepath.Join(dir, tt.in)+": ")
			assert.Contains(t, err.Error(), `"`+tt.ref+`"`)
			assert.Empty(t, out)
		})
	}
}

// TestLocalLookalikes checks that local references that look a little like remote ones are
// built.
func TestLocalLookalikes(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"root/kustomization.yaml":       "resources:\n- github.com.yaml\n- ../https-base\nconfigMapGenerator:\n- name: urls\n  literals:\n  - site=https://example.com\n",
		"root/github.com.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n",
		"https-base/kustomization.yaml": "resources:\n- sa.yaml\ncommonAnnotations:\n  docs: https://example.com/docs\n",
		"https-base/sa.yaml":            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n",
	})
	out, err := kustomize.New().Render(context.Background(), filepath.Join(dir, "root"))
	require.NoError(t, err)
	assert.Len(t, out, 3)
}

// TestUserOriginAnnotations checks that origin annotations the user asked for stay, as in
// `kustomize build` output, while sources are found all the same.
func TestUserOriginAnnotations(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"app/kustomization.yaml": "resources:\n- sa.yaml\nbuildMetadata: [originAnnotations]\n",
		"app/sa.yaml":            "# a comment\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n",
	})
	inv := load(t, filepath.Join(dir, "app"))
	require.Empty(t, inv.Errors())
	sa := inv.Get(inventory.KindServiceAccount, "default", "sa")
	require.NotNil(t, sa)
	assert.Equal(t, "path: sa.yaml\n", sa.Meta().GetAnnotations()["config.kubernetes.io/origin"])
	assert.Equal(t, inventory.Source{File: "app/sa.yaml", Line: 2, Root: "kustomize:" + filepath.ToSlash(filepath.Join(dir, "app"))}, sa.Source())
}

// TestBuildErrors checks that what kustomize refuses is an error naming the root, and that
// nothing of it loads.
func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{name: "missing resource", files: map[string]string{"root/kustomization.yaml": "resources:\n- nowhere.yaml\n"}, wantErr: "nowhere.yaml"},
		{name: "unknown field", files: map[string]string{"root/kustomization.yaml": "resourcez:\n- a.yaml\n"}, wantErr: "resourcez"},
		{name: "file outside the root", files: map[string]string{"root/kustomization.yaml": "resources:\n- ../cm.yaml\n",
			"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"}, wantErr: "is not in or below"},
		{name: "helm chart", files: map[string]string{"root/kustomization.yaml": "helmCharts:\n- name: web\n  repo: https://charts.example\n"}, wantErr: "--enable-helm"},
		{name: "exec plugin", files: map[string]string{"root/kustomization.yaml": "transformers:\n- t.yaml\n",
			"root/t.yaml": "apiVersion: example.com/v1\nkind: Mine\nmetadata:\n  name: m\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./run.sh\n"},
			wantErr: "plugin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.files)
			inv := load(t, filepath.Join(dir, "root"))
			assert.Zero(t, inv.Len())
			require.Len(t, inv.Errors(), 1)
			msg := inv.Errors()[0].Error()
			assert.True(t, strings.HasPrefix(msg, filepath.Join(dir, "root")+": kustomize: build "), msg)
			assert.Contains(t, msg, tt.wantErr)
		})
	}
}

// TestRemoteInLargeKustomization: a base whose kustomization file is larger than a document
// may be (padded with a comment) is looked at for remote references all the same: kustomize
// reads it, so a URL in it would be fetched.
func TestRemoteInLargeKustomization(t *testing.T) {
	var fetched atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetched.Add(1)
		_, _ = io.WriteString(w, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\n")
	}))
	defer srv.Close()
	ref := srv.URL + "/cm.yaml"
	padding := "#" + strings.Repeat("x", inventory.DefaultMaxDocumentBytes) + "\n"
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"root/kustomization.yaml": "resources:\n- ../base\n",
		"base/kustomization.yaml": padding + "resources:\n- " + ref + "\n",
	})
	out, err := kustomize.New().Render(context.Background(), filepath.Join(dir, "root"))
	assert.Zero(t, fetched.Load(), "nothing is downloaded")
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "base", "kustomization.yaml"))
	assert.Empty(t, out)
}
