package inventory_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory"
)

// threeContexts is a kubeconfig of three contexts: two clusters, one of them reached as two
// users, and a context whose cluster is not defined.
const threeContexts = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: "https://prod.example:6443"}
- name: staging
  cluster: {server: "https://staging.example:6443"}
users:
- name: admin
  user: {token: admin-token}
- name: viewer
  user: {token: viewer-token}
contexts:
- name: staging
  context: {cluster: staging, user: admin}
- name: prod-view
  context: {cluster: prod, user: viewer}
- name: prod
  context: {cluster: prod, user: admin}
- name: gone
  context: {cluster: deleted, user: admin}
current-context: prod-view
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestKubeconfigContexts(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	dir := t.TempDir()
	p := writeFile(t, dir, "config", threeContexts)
	ctxs, err := inventory.KubeconfigContexts(t.Context(), p)
	require.NoError(t, err)
	var got []string
	for _, c := range ctxs {
		got = append(got, fmt.Sprintf("%s %s %s %s %v", c.Name, c.Cluster, c.Server, c.User, c.Current))
	}
	assert.Equal(t, []string{
		"gone deleted  admin false",
		"prod prod https://prod.example:6443 admin false",
		"prod-view prod https://prod.example:6443 viewer true",
		"staging staging https://staging.example:6443 admin false",
	}, got, "sorted by name, whatever the file's order")

	tokens := map[string]string{}
	for _, c := range ctxs[1:] {
		cfg, err := c.Config()
		require.NoError(t, err, c.Name)
		assert.Equal(t, c.Server, cfg.Host, c.Name)
		tokens[c.Name] = cfg.BearerToken
	}
	assert.Equal(t, map[string]string{"prod": "admin-token", "prod-view": "viewer-token", "staging": "admin-token"}, tokens,
		"each context's own user, not the current context's")

	_, err = ctxs[0].Config()
	require.ErrorIs(t, err, inventory.ErrNoKubeconfig)
	assert.Contains(t, err.Error(), p+` context "gone": cluster "deleted" is not defined`)

	_, err = inventory.KubeconfigContext{Name: "prod"}.Config()
	assert.ErrorContains(t, err, "does not come from KubeconfigContexts")
}

func TestKubeconfigContextsErrors(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("HOME", dir)
	tests := []struct {
		name, content string
		want          string
	}{
		{"empty", "", "is empty"},
		{"no contexts", "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: \"https://a.example\"}\n", "defines no contexts"},
		{"not YAML", "clusters: [", "load kubeconfig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.name, tt.content)
			_, err := inventory.KubeconfigContexts(t.Context(), p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), p)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := inventory.KubeconfigContexts(t.Context(), filepath.Join(dir, "missing"))
		require.ErrorIs(t, err, inventory.ErrNoKubeconfig)
	})
	t.Run("none at the usual places", func(t *testing.T) {
		t.Setenv("KUBECONFIG", filepath.Join(dir, "missing"))
		_, err := inventory.KubeconfigContexts(t.Context(), "")
		require.ErrorIs(t, err, inventory.ErrNoKubeconfig)
		assert.Contains(t, err.Error(), "in-cluster configuration has no contexts")
	})
	t.Run("a context with an empty name", func(t *testing.T) {
		p := writeFile(t, dir, "emptyname", strings.Replace(threeContexts, "contexts:\n",
			"contexts:\n- name: \"\"\n  context: {cluster: staging, user: admin}\n", 1))
		ctxs, err := inventory.KubeconfigContexts(t.Context(), p)
		require.NoError(t, err)
		require.Equal(t, "", ctxs[0].Name)
		_, err = ctxs[0].Config()
		assert.ErrorContains(t, err, "empty name cannot be selected", "not the current context under that name")
	})
}

// With no path, the files of $KUBECONFIG are merged as kubectl merges them: the first file
// that defines an entry wins, and relative file names resolve beside the file that holds them.
func TestKubeconfigContextsOfKubeconfigVariable(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	dir := t.TempDir()
	a := writeFile(t, dir, "a", "apiVersion: v1\nkind: Config\nclusters:\n- name: one\n  cluster: {server: \"https://one.example\"}\n"+
		"users:\n- name: u\n  user: {token: a}\ncontexts:\n- name: one\n  context: {cluster: one, user: u}\ncurrent-context: one\n")
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o700))
	b := writeFile(t, sub, "b", "apiVersion: v1\nkind: Config\nclusters:\n- name: two\n  cluster: {server: \"https://two.example\", certificate-authority: ca.crt}\n"+
		"users:\n- name: u\n  user: {token: b}\ncontexts:\n- name: one\n  context: {cluster: two, user: u}\n- name: two\n  context: {cluster: two, user: u}\ncurrent-context: two\n")
	t.Setenv("KUBECONFIG", a+string(os.PathListSeparator)+b)
	ctxs, err := inventory.KubeconfigContexts(t.Context(), "")
	require.NoError(t, err)
	require.Len(t, ctxs, 2)
	assert.Equal(t, "https://one.example", ctxs[0].Server, "the first file's context one")
	assert.True(t, ctxs[0].Current, "the first file's current-context")
	_, err = ctxs[1].Config()
	require.Error(t, err, "no CA file")
	assert.Contains(t, err.Error(), filepath.Join(sub, "ca.crt"), "looked for beside the file naming it")
	assert.Contains(t, err.Error(), `context "two"`)
}

// A tool scanning several clusters reads the kubeconfig once and loads each cluster from its
// context's configuration.
func TestKubeconfigContextsLoadEachCluster(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	srv := httptest.NewTLSServer(newAPIServer(t, 2))
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	// Context "current" points at a closed port, "test" at the server.
	dead := httptest.NewServer(nil)
	dead.Close()
	ctxs, err := inventory.KubeconfigContexts(t.Context(), writeKubeconfig(t, dead.URL, srv.URL, caPEM))
	require.NoError(t, err)
	require.Len(t, ctxs, 2)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for _, c := range ctxs {
		cfg, err := c.Config()
		require.NoError(t, err)
		inv, err := inventory.FromConfig(ctx, cfg, inventory.WithPageSize(2), inventory.WithKinds(inventory.KindNamespace))
		if c.Name == "current" {
			assert.ErrorContains(t, err, "cannot reach the API server at "+dead.URL)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, []string{srv.URL}, inv.Sources())
		assert.Equal(t, 2, inv.Len())
	}
}
