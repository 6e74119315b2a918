package inventory_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory"
)

// TestFromKubeconfigSaysWhatIsWrong checks that a kubeconfig that names no cluster to scan
// gets an error naming the file and what is missing from it, not "none found".
func TestFromKubeconfigSaysWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
	t.Setenv("HOME", dir)
	t.Setenv("KUBECONFIG", filepath.Join(dir, "missing"))
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	const clusters = "clusters:\n- name: a\n  cluster: {server: \"https://a.example:6443\"}\n- name: noserver\n  cluster: {insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: t}\n"
	tests := []struct {
		name, file, content, context string
		want                         string
	}{
		{"empty file", "empty", "", "", "is empty: it defines no clusters, users or contexts"},
		{"no contexts", "nocontexts", "apiVersion: v1\nkind: Config\n" + clusters, "", "defines no contexts (a context names the cluster and user to use; clusters: a, noserver)"},
		{"no current context", "nocurrent", "apiVersion: v1\nkind: Config\n" + clusters +
			"contexts:\n- name: one\n  context: {cluster: a, user: u}\n- name: two\n  context: {cluster: a, user: u}\n", "",
			"sets no current-context: name one with --context (contexts: one, two)"},
		{"cluster without a server", "noserver", "apiVersion: v1\nkind: Config\n" + clusters +
			"contexts:\n- name: c\n  context: {cluster: noserver, user: u}\ncurrent-context: c\n", "",
			`context "c": cluster "noserver" has no server`},
		{"context naming a cluster it does not define", "nocluster", "apiVersion: v1\nkind: Config\n" + clusters +
			"contexts:\n- name: c\n  context: {cluster: gone, user: u}\n", "c",
			`context "c": cluster "gone" is not defined`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(tt.file, tt.content)
			_, err := inventory.FromKubeconfig(t.Context(), p, tt.context)
			require.ErrorIs(t, err, inventory.ErrNoKubeconfig)
			assert.Contains(t, err.Error(), p+" "+tt.want)
			assert.NotContains(t, err.Error(), "none found")
		})
	}
	t.Run("through $KUBECONFIG", func(t *testing.T) {
		p := write("env", "apiVersion: v1\nkind: Config\n"+clusters)
		t.Setenv("KUBECONFIG", p)
		_, err := inventory.FromKubeconfig(t.Context(), "", "")
		require.ErrorIs(t, err, inventory.ErrNoKubeconfig)
		assert.Contains(t, err.Error(), p+" defines no contexts")
	})
	t.Run("not a kubeconfig", func(t *testing.T) {
		p := write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
		_, err := inventory.FromKubeconfig(t.Context(), p, "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), p)
		assert.Contains(t, err.Error(), `"Pod"`)
	})
}

// TestFromKubeconfigReadsWithABoundAndTheContext checks that the kubeconfig is read with a
// size limit and stops when ctx is done, and that a kubeconfig read this way still finds
// files it names relative to itself.
func TestFromKubeconfigReadsWithABoundAndTheContext(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Run("/dev/zero", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip(err)
		}
		_, err := inventory.FromKubeconfig(t.Context(), "/dev/zero", "")
		require.ErrorIs(t, err, inventory.ErrTooLarge)
		assert.Contains(t, err.Error(), "/dev/zero")
	})
	t.Run("FIFO with no writer", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo")
		inventory.MakeFIFO(t, fifo)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := inventory.FromKubeconfig(ctx, fifo, "")
		require.ErrorIs(t, err, inventory.ErrNotRead, "refused, not waited on")
		assert.Contains(t, err.Error(), fifo)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
	t.Run("relative paths", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "config")
		require.NoError(t, os.WriteFile(p, []byte("apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: \"https://a.example:6443\", certificate-authority: missing-ca.crt}\n"+
			"users:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: a, user: u}\ncurrent-context: c\n"), 0o600))
		_, err := inventory.FromKubeconfig(t.Context(), p, "")
		require.Error(t, err, "the CA file does not exist")
		assert.Contains(t, err.Error(), filepath.Join(dir, "missing-ca.crt"), "looked for beside the kubeconfig")
	})
}
