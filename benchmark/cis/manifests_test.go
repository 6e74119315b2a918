package cis

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Static pod manifests and a KubeletConfiguration file scanned as manifests.
func TestStaticPodManifests(t *testing.T) {
	inv, err := inventory.LoadManifests(context.Background(), []string{"testdata/kubeadm"})
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	tests := []struct {
		id   string
		want check.Status
		obj  string
	}{
		{"1.2.1", check.StatusFail, "kube-apiserver"},
		{"1.2.2", check.StatusFail, "kube-apiserver"},
		{"1.2.7", check.StatusPass, "kube-apiserver"},
		{"1.2.10", check.StatusFail, "kube-apiserver"},
		{"1.2.15", check.StatusFail, "kube-apiserver"},
		{"1.4.1", check.StatusPass, "kube-scheduler"},
		{"1.4.2", check.StatusFail, "kube-scheduler"},
		{"1.3.2", check.StatusNotEvaluated, ""}, // no controller manager in the input: its configuration is unknown
		{"2.2", check.StatusPass, "etcd"},
		{"2.3", check.StatusFail, "etcd"},
		{"4.2.1", check.StatusFail, "worker-kubelet"},
		{"4.2.4", check.StatusFail, "worker-kubelet"},
		{"4.2.10", check.StatusPass, "worker-kubelet"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			fs := run(t, tc.id, inv)
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
			if tc.obj != "" {
				require.NotNil(t, fs[0].Object)
				assert.Equal(t, tc.obj, fs[0].Object.Name())
				assert.NotNil(t, fs[0].Object.Ref().Source, "manifest results carry their file and line")
			}
		})
	}
}
