package cis

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// A node scan read from a directory feeds the node controls end to end.
func TestNodeScanEndToEnd(t *testing.T) {
	root := t.TempDir()
	put := func(p string, mode os.FileMode, content string) {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), mode))
		require.NoError(t, os.Chmod(full, mode))
	}
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
