package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testRoot(t *testing.T) string {
	root := t.TempDir()
	put := func(p string, mode os.FileMode, content string) {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), mode))
		require.NoError(t, os.Chmod(full, mode))
	}
	put("/etc/kubernetes/manifests/kube-apiserver.yaml", 0o644,
		"apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver}\nspec: {containers: [{name: a, command: [kube-apiserver]}]}\n")
	put("/var/lib/kubelet/config.yaml", 0o600, "kind: KubeletConfiguration\nreadOnlyPort: 0\n")
	return root
}

func TestNodeScanJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-root", testRoot(t), "-node", "cp1", "-o", "json", "-fail"}, &out, &errOut)
	assert.Equal(t, 1, code, errOut.String())
	var rep struct {
		Results []struct {
			CheckID, Status string
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.CheckID] = r.Status
	}
	assert.Equal(t, "fail", got["cis:1.1.1"], "kube-apiserver manifest is 0644")
	assert.Equal(t, "pass", got["cis:4.1.9"])
	assert.Equal(t, "pass", got["cis:4.2.4"])
	// The API server's flags are judged from the static pod the node's kubelet runs.
	assert.Equal(t, "fail", got["cis:1.2.15"], "--profiling is not set in the manifest: it defaults to true")
	assert.Equal(t, "notApplicable", got["cis:1.4.1"], "no kube-scheduler manifest on this kubeadm control-plane node")
}

func TestNodeScanObjects(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-root", testRoot(t), "-node", "cp1", "-o", "objects"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	s := out.String()
	assert.Contains(t, s, "kind: NodeFiles")
	assert.Contains(t, s, "kind: KubeletConfiguration")
	assert.Equal(t, 2, strings.Count(s, "\n---\n")+boolInt(strings.HasPrefix(s, "---")), s)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestNodeScanBadRoot(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-root", filepath.Join(t.TempDir(), "none"), "-node", "n"}, &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut.String(), "none")
}

// TestHostileNamesAreEscaped: a node name or a path with control characters reaches stdout
// and stderr escaped.
func TestHostileNamesAreEscaped(t *testing.T) {
	printable := func(name, text string) {
		t.Helper()
		for i, r := range text {
			require.True(t, r == '\n' || unicode.IsPrint(r), "%s: %U at %d in\n%s", name, r, i, text)
		}
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-root", testRoot(t), "-node", "cp1\x1b[2K\u202e", "-o", "text"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	printable("stdout", out.String())
	assert.Contains(t, out.String(), `cp1\x1b[2K\u202e`)

	out.Reset()
	code = run(context.Background(), []string{"-root", filepath.Join(t.TempDir(), "none\x1b[2K"), "-node", "n"}, &out, &errOut)
	assert.Equal(t, 2, code)
	printable("stderr", errOut.String())
	assert.Contains(t, errOut.String(), `none\x1b[2K`)
}
