package inventory

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"
)

// The kubeconfig files of $KUBECONFIG, read by kspm with bounds, merge as client-go merges
// them when it reads them itself: same clusters, users, contexts, current context and
// preferences, each from the file client-go takes it from.
func TestMergeKubeconfigsAsClientGo(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
		return p
	}
	a := write("a", `apiVersion: v1
kind: Config
clusters:
- {name: shared, cluster: {server: "https://a.example", certificate-authority: ca-a.crt}}
- {name: only-a, cluster: {server: "https://only-a.example"}}
users:
- {name: u, user: {token: from-a}}
contexts:
- {name: c, context: {cluster: shared, user: u, namespace: ns-a}}
`)
	b := write("b", `apiVersion: v1
kind: Config
preferences: {colors: true}
current-context: c
clusters:
- {name: shared, cluster: {server: "https://b.example"}}
- {name: only-b, cluster: {server: "https://only-b.example"}}
users:
- {name: u, user: {token: from-b}}
- {name: v, user: {token: v}}
contexts:
- {name: c, context: {cluster: only-b, user: v}}
- {name: d, context: {cluster: only-b, user: v}}
`)
	c := write("c", "apiVersion: v1\nkind: Config\ncurrent-context: d\n")
	missing := filepath.Join(dir, "missing")
	t.Setenv("KUBECONFIG", a+string(os.PathListSeparator)+missing+string(os.PathListSeparator)+b+string(os.PathListSeparator)+c)

	want, err := clientcmd.NewDefaultClientConfigLoadingRules().Load()
	require.NoError(t, err)
	rules, err := newBoundedRules(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{a, b, c}, rules.found)
	got, err := rules.Load()
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, "c", got.CurrentContext)
	assert.Equal(t, "from-a", got.AuthInfos["u"].Token)
	assert.Equal(t, filepath.Join(dir, "ca-a.crt"), got.Clusters["shared"].CertificateAuthority)
}
