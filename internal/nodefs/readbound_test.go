//go:build unix

package nodefs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadFileIsBoundedAndNeverBlocks: a host file over the size limit is an error, not its
// first megabyte read as if it were the whole file (a cut configuration reads as different
// settings), and a FIFO where a configuration file should be is an error, not a read that
// blocks the node scan for ever.
func TestReadFileIsBoundedAndNeverBlocks(t *testing.T) {
	root := t.TempDir()
	big := "readOnlyPort: 0\n" + strings.Repeat("#", maxConfigSize)
	write(t, root, "/etc/big.yaml", 0o600, big)
	write(t, root, "/etc/small.yaml", 0o600, "readOnlyPort: 0\n")
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "etc", "pipe.yaml"), 0o600))
	t.Cleanup(func() { // let a read blocked on the FIFO return
		if f, err := os.OpenFile(filepath.Join(root, "etc", "pipe.yaml"), os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = f.Close()
		}
	})
	h := host{root: root}

	data, err := h.readFile("/etc/small.yaml", maxConfigSize)
	require.NoError(t, err)
	assert.Equal(t, "readOnlyPort: 0\n", string(data))

	_, err = h.readFile("/etc/big.yaml", maxConfigSize)
	require.Error(t, err, "a file over the limit must not be read in part")
	assert.Contains(t, err.Error(), "larger than the limit of 1048576 bytes")

	done := make(chan error, 1)
	go func() { _, err := h.readFile("/etc/pipe.yaml", maxConfigSize); done <- err }()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not a regular file")
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}

	// End to end: a kubelet configuration over the limit is an error of the snapshot, never a
	// configuration read from its first megabyte.
	write(t, root, "/usr/lib/systemd/system/kubelet.service", 0o644,
		"[Service]\nExecStart=/usr/bin/kubelet --config=/etc/big.yaml\n")
	s, err := Read(context.Background(), root, "n")
	require.NoError(t, err)
	assert.Contains(t, s.KubeletConfigError, "larger than the limit")
	assert.Nil(t, s.KubeletConfig)
}

// TestKubeletEnvironmentFileUnreadable: an environment file of the kubelet's unit that exists
// but cannot be read may carry any flag, so the kubelet's configuration is not known; one
// that does not exist (EnvironmentFile=-PATH) carries none.
func TestKubeletEnvironmentFileUnreadable(t *testing.T) {
	root := testRoot(t)
	s, err := Read(context.Background(), root, "n")
	require.NoError(t, err)
	require.Empty(t, s.KubeletConfigError, "the kubeadm flags file is read; /etc/default/kubelet does not exist")
	require.NotNil(t, s.KubeletConfig)

	require.NoError(t, os.Remove(filepath.Join(root, "var/lib/kubelet/kubeadm-flags.env")))
	write(t, root, "/var/lib/kubelet/kubeadm-flags.env", 0o644, "KUBELET_KUBEADM_ARGS=\"--read-only-port=10255\"\n"+strings.Repeat("#", maxConfigSize))
	s, err = Read(context.Background(), root, "n")
	require.NoError(t, err)
	assert.Contains(t, s.KubeletConfigError, "environment file /var/lib/kubelet/kubeadm-flags.env cannot be read")
	assert.Nil(t, s.KubeletConfig, "flags it may carry override the configuration file")
}
