package cis

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// A node scan read from a directory feeds the node controls end to end.
func TestNodeScanEndToEnd(t *testing.T) {
	root := t.TempDir()
	put := func(p string, mode os.FileMode, content string) { putFile(t, root, p, mode, content) }
	put("/etc/kubernetes/manifests/kube-scheduler.yaml", 0o644,
		"apiVersion: v1\nkind: Pod\nmetadata: {name: kube-scheduler}\nspec: {containers: [{name: s, command: [kube-scheduler]}]}\n")
	put("/var/lib/kubelet/config.yaml", 0o600, "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n")
	put("/etc/systemd/system/kubelet.service", 0o644, "[Service]\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml\n")

	objs, err := inventory.ReadNodeFiles(context.Background(), root, "cp1")
	require.NoError(t, err)
	require.Len(t, objs, 2)
	rt := make([]runtime.Object, len(objs))
	for i, o := range objs {
		rt[i] = o
	}
	inv := newInv(t, rt...)

	tests := []struct {
		id   string
		want check.Status
	}{
		{"1.1.5", check.StatusFail},          // scheduler manifest 0644
		{"1.1.1", check.StatusNotApplicable}, // no kube-apiserver manifest on this node
		{"4.1.9", check.StatusPass},          // config.yaml 0600
		{"4.1.1", check.StatusFail},          // unit file 0644
		{"4.2.7", check.StatusPass},
		{"4.2.4", check.StatusFail}, // the KubeletConfiguration read from the node
		{"1.1.13", check.StatusNotApplicable},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			fs := run(t, tc.id, inv)
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
			assert.Equal(t, "cp1", fs[0].Object.Name())
		})
	}
}

// A kubelet whose unit runs it without --config ignores /var/lib/kubelet/config.yaml: it runs
// on its command-line defaults (anonymous authentication on, AlwaysAllow, read-only port
// 10255) and its flags, and a drop-in in a later unit directory counts.
func TestNodeScanKubeletWithoutConfig(t *testing.T) {
	root := t.TempDir()
	put := func(p, content string) { putFile(t, root, p, 0o600, content) }
	put("/var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"+
		"authentication: {anonymous: {enabled: false}}\nauthorization: {mode: Webhook}\nreadOnlyPort: 0\n")
	put("/usr/lib/systemd/system/kubelet.service", "[Service]\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n")
	put("/etc/systemd/system/kubelet.service.d/20-extra.conf", "[Service]\nEnvironment=\"KUBELET_EXTRA_ARGS=--read-only-port=0\"\n")

	objs, err := inventory.ReadNodeFiles(context.Background(), root, "w1")
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, inventory.KubeletConfigWithoutFile, objs[1].GetAnnotations()[inventory.AnnotationKubeletConfigSource])
	inv := newInv(t, objs[0], objs[1])
	for id, want := range map[string]check.Status{
		"4.2.1": check.StatusFail, // anonymous authentication on by default
		"4.2.2": check.StatusFail, // AlwaysAllow by default
		"4.2.4": check.StatusPass, // closed by the flag from the drop-in's environment
	} {
		fs := run(t, id, inv)
		require.Len(t, fs, 1, id)
		assert.Equal(t, want, fs[0].Status, "%s: %s", id, fs[0].Message)
	}
}

// A configuration file the scan cannot read leaves the kubelet controls not evaluated, not
// judged on the cluster's ConfigMap.
func TestNodeScanKubeletConfigUnreadable(t *testing.T) {
	root := t.TempDir()
	unit := filepath.Join(root, "/usr/lib/systemd/system/kubelet.service")
	require.NoError(t, os.MkdirAll(filepath.Dir(unit), 0o755))
	require.NoError(t, os.WriteFile(unit, []byte("[Service]\nExecStart=/usr/bin/kubelet --config=/etc/kubelet/missing.yaml\n"), 0o600))
	objs, err := inventory.ReadNodeFiles(context.Background(), root, "w1")
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Contains(t, objs[1].GetAnnotations()[inventory.AnnotationKubeletConfigError], "missing.yaml")
	fs := run(t, "4.2.1", newInv(t, objs[0], objs[1]))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
}

// A node scan with --config-dir drop-ins, end to end: the drop-in's 0 and null are judged by
// the kubelet's version on the node's Node object.
func TestNodeScanDropinsEndToEnd(t *testing.T) {
	root := t.TempDir()
	put := func(p, content string) { putFile(t, root, p, 0o600, content) }
	const head = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
	put("/var/lib/kubelet/config.yaml", head+"authentication: {anonymous: {enabled: true}}\n")
	put("/etc/kubernetes/kubelet.conf.d/10-a.conf", head+"streamingConnectionIdleTimeout: 0s\nauthentication: {anonymous: {enabled: null}}\n")
	put("/etc/systemd/system/kubelet.service",
		"[Service]\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --config-dir=/etc/kubernetes/kubelet.conf.d\n")
	objs, err := inventory.ReadNodeFiles(context.Background(), root, "n1")
	require.NoError(t, err)
	for _, tc := range []struct {
		version         string
		idle, anonymous check.Status
	}{
		{"v1.34.1", check.StatusPass, check.StatusPass},
		{"v1.31.9", check.StatusFail, check.StatusFail},
		{"", check.StatusNotEvaluated, check.StatusNotEvaluated},
	} {
		t.Run(tc.version, func(t *testing.T) {
			rt := []runtime.Object{}
			for _, o := range objs {
				rt = append(rt, o)
			}
			if tc.version != "" {
				rt = append(rt, &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: "n1"},
					Status: corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: tc.version}}})
			}
			inv := newInv(t, rt...)
			for id, want := range map[string]check.Status{"4.2.5": tc.idle, "4.2.1": tc.anonymous} {
				fs := run(t, id, inv)
				require.Len(t, fs, 1, id)
				assert.Equal(t, want, fs[0].Status, "%s: %s", id, fs[0].Message)
			}
		})
	}
}

// putFile writes a file of a node's filesystem under root.
func putFile(t *testing.T, root, p string, mode os.FileMode, content string) {
	t.Helper()
	full := filepath.Join(root, p)
	require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(t, os.WriteFile(full, []byte(content), mode))
	require.NoError(t, os.Chmod(full, mode))
}
