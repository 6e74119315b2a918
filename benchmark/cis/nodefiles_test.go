package cis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

type nodeFile struct {
	role, path, typ, mode, user, group, err string
}

func nodeFilesObj(node string, controlPlane bool, extra map[string]any, files ...nodeFile) *unstructured.Unstructured {
	var list []any
	for _, f := range files {
		typ := f.typ
		if typ == "" {
			typ = "file"
		}
		uid, gid := int64(1000), int64(1000)
		if f.user == "root" {
			uid = 0
		}
		if f.group == "root" {
			gid = 0
		}
		m := map[string]any{"role": f.role, "path": f.path, "exists": true, "type": typ,
			"mode": f.mode, "user": f.user, "group": f.group, "uid": uid, "gid": gid}
		if f.err != "" {
			m["error"] = f.err
		}
		list = append(list, m)
	}
	spec := map[string]any{"node": node, "root": "/host", "controlPlane": controlPlane, "files": list,
		"searched": map[string]any{}}
	for k, v := range extra {
		spec[k] = v
	}
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion("kspm.dev/v1alpha1")
	u.SetKind("NodeFiles")
	u.SetName(node)
	return u
}

func TestNodeFileControls(t *testing.T) {
	for _, c := range nodeFileControls() {
		fc, ok := fileControlByID(c.id)
		if !ok {
			continue // 1.2.28 and 4.2.7 are tested below
		}
		t.Run(c.id, func(t *testing.T) {
			p := "/etc/kubernetes/some-file"
			if fc.match != nil {
				p = "/etc/kubernetes/pki/x" + map[bool]string{true: ".crt", false: ".key"}[fc.match("a.crt")]
			}
			typ := "file"
			if fc.roles[0] == inventory.NodeFileEtcdDataDir {
				typ = "dir"
			}
			good := nodeFile{role: fc.roles[0], path: p, typ: typ, mode: "0600", user: "root", group: "root"}
			bad := good
			if fc.maxMode != 0 {
				good.mode = "0400"
				bad.mode = "0666"
			} else {
				if fc.owner == "etcd:etcd" {
					good.user, good.group = "etcd", "etcd"
				}
				bad.user = "alice"
			}
			fs := run(t, c.id, newInv(t, nodeFilesObj("cp1", true, nil, good)))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)
			assert.Equal(t, "cp1", fs[0].Object.Name())

			fs = run(t, c.id, newInv(t, nodeFilesObj("cp1", true, nil, good, bad)))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)
			assert.Equal(t, "spec.files[1]", fs[0].Field)

			// Nothing found: a worker the scan recognised as one, a node whose layout it did not
			// recognise, and a node with a control plane no layout accounts for.
			fs = run(t, c.id, newInv(t, nodeFilesObj("w1", false, workerLayout(inventory.NodeLayoutKubeadm))))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusNotApplicable, fs[0].Status, fs[0].Message)
			assert.Contains(t, fs[0].Message, "node layout: kubeadm worker")

			fs = run(t, c.id, newInv(t, nodeFilesObj("n1", false, nil)))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
			assert.Contains(t, fs[0].Message, "node layout not recognised")

			fs = run(t, c.id, newInv(t, nodeFilesObj("n1", false, map[string]any{
				"layouts":      workerLayout(inventory.NodeLayoutKubeadm)["layouts"],
				"unrecognised": []any{"a kube-apiserver process (pid 7) runs outside any pod"}})))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
			assert.Contains(t, fs[0].Message, "pid 7")
		})
	}
}

// workerLayout is the spec.layouts of a node scan that recognised layout with the node as a
// worker.
func workerLayout(layout string) map[string]any {
	return map[string]any{"layouts": []any{map[string]any{"name": layout, "nodeRole": inventory.NodeRoleWorker,
		"evidence": []any{"/etc/kubernetes/kubelet.conf", "/etc/kubernetes/manifests holds no control-plane manifest"}}}}
}

func fileControlByID(id string) (fileControl, bool) {
	// Rebuild the table's entry from the control's check: the judge is a method value, so
	// look the control up through its metadata instead.
	for _, fc := range fileControlTable() {
		if fc.id == id {
			return fc, true
		}
	}
	return fileControl{}, false
}

func TestNodeFileEdges(t *testing.T) {
	t.Run("no node data", func(t *testing.T) {
		fs := run(t, "1.1.1", newInv(t))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
	})
	t.Run("setuid bit is extra", func(t *testing.T) {
		fs := run(t, "4.1.9", newInv(t, nodeFilesObj("n", false, nil,
			nodeFile{role: inventory.NodeFileKubeletConfig, path: "/var/lib/kubelet/config.yaml", mode: "4600", user: "root", group: "root"})))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status)
	})
	t.Run("directories do not count for file modes", func(t *testing.T) {
		fs := run(t, "1.1.9", newInv(t, nodeFilesObj("n", false, nil,
			nodeFile{role: inventory.NodeFileCNI, path: "/etc/cni/net.d", typ: "dir", mode: "0755", user: "root", group: "root"},
			nodeFile{role: inventory.NodeFileCNI, path: "/etc/cni/net.d/10-calico.conflist", mode: "0600", user: "root", group: "root"})))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
	})
	t.Run("per node", func(t *testing.T) {
		kc := func(mode string) nodeFile {
			return nodeFile{role: inventory.NodeFileKubeletConfig, path: "/var/lib/kubelet/config.yaml", mode: mode, user: "root", group: "root"}
		}
		fs := run(t, "4.1.9", newInv(t, nodeFilesObj("n1", false, nil, kc("0600")), nodeFilesObj("n2", false, nil, kc("0644"))))
		require.Len(t, fs, 2)
		assert.Equal(t, []check.Status{check.StatusPass, check.StatusFail}, statuses(fs))
	})
}

func TestEncryptionProvider(t *testing.T) {
	manifest := nodeFile{role: inventory.NodeFileAPIServerManifest, path: "/etc/kubernetes/manifests/kube-apiserver.yaml", mode: "0600", user: "root", group: "root"}
	enc := func(providers ...any) map[string]any {
		return map[string]any{"encryption": map[string]any{"path": "/etc/kubernetes/enc/enc.yaml",
			"resources": []any{map[string]any{"resources": []any{"secrets"}, "providers": providers}}}}
	}
	tests := []struct {
		name  string
		extra map[string]any
		cp    bool
		want  check.Status
	}{
		{"aescbc first", enc("aescbc", "identity"), true, check.StatusPass},
		{"kms first", enc("kms", "identity"), true, check.StatusPass},
		{"identity first", enc("identity", "aescbc"), true, check.StatusFail},
		{"aesgcm is not listed", enc("aesgcm"), true, check.StatusFail},
		{"no configuration", nil, true, check.StatusFail},
		{"unreadable", map[string]any{"encryption": map[string]any{"path": "/x", "error": "not mounted"}}, true, check.StatusNotEvaluated},
		{"worker", workerLayout(inventory.NodeLayoutKubeadm), false, check.StatusNotApplicable},
		{"layout not recognised", nil, false, check.StatusNotEvaluated},
		// An entry for secrets wins over a wildcard entry before it, as the API server resolves them.
		{"exact entry wins", map[string]any{"encryption": map[string]any{"path": "/e", "resources": []any{
			map[string]any{"resources": []any{"secrets"}, "providers": []any{"identity"}},
			map[string]any{"resources": []any{"*.*"}, "providers": []any{"aescbc"}}}}}, true, check.StatusFail},
		// A wildcard before an entry it masks: the API server refuses the configuration.
		{"masked entry", map[string]any{"encryption": map[string]any{"path": "/e", "resources": []any{
			map[string]any{"resources": []any{"*."}, "providers": []any{"aescbc"}},
			map[string]any{"resources": []any{"secrets"}, "providers": []any{"identity"}}}}}, true, check.StatusNotEvaluated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var files []nodeFile
			if tc.cp {
				files = append(files, manifest)
			}
			fs := run(t, "1.2.28", newInv(t, nodeFilesObj("cp1", tc.cp, tc.extra, files...)))
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
		})
	}
}

func TestHostnameOverride(t *testing.T) {
	args := func(a ...any) map[string]any {
		return map[string]any{"kubeletArgs": a, "kubeletArgsFrom": []any{"/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"},
			"kubeletCommandLine": true}
	}
	fs := run(t, "4.2.7", newInv(t, nodeFilesObj("n", false, args("--config=/var/lib/kubelet/config.yaml"))))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)
	fs = run(t, "4.2.7", newInv(t, nodeFilesObj("n", false, args("--hostname-override", "foo"))))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status)
	fs = run(t, "4.2.7", newInv(t, nodeFilesObj("n", false, nil)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
	fs = run(t, "4.2.7", newInv(t, nodeFilesObj("n", false, args("--hostname_override=foo"))))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status, "the kubelet reads _ as -")
	fs = run(t, "4.2.7", newInv(t, nodeFilesObj("n", false, args("--tls-cert-file", "--hostname-override=foo"))))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status, "--tls-cert-file takes the next word: %s", fs[0].Message)
	fs = run(t, "4.2.7", newInv(t, nodeFilesObj("n", false, args("--not-a-kubelet-flag", "--hostname-override=foo"))))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "not-a-kubelet-flag")
	fs = run(t, "4.2.7", newInv(t, nodeFilesObj("n", false, args("-hostname-override=foo"))))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "would not start")

	// Flags from environment files only: the unit that runs the kubelet was not found, so
	// flags it sets itself are not known.
	envOnly := map[string]any{"kubeletArgs": []any{"--v=2"}, "kubeletArgsFrom": []any{"/var/lib/kubelet/kubeadm-flags.env"}}
	fs = run(t, "4.2.7", newInv(t, nodeFilesObj("n", false, envOnly)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
}

// A file entry with an error (a directory that could not be listed or was only partly read,
// a file that could not be stat'ed) keeps its role's control from passing, whatever the
// role's filters.
func TestNodeFilesPartlyRead(t *testing.T) {
	pki := func(p, mode, err string) nodeFile {
		return nodeFile{role: inventory.NodeFilePKI, path: p, typ: "file", mode: mode, user: "root", group: "root", err: err}
	}
	marker := pki("/etc/kubernetes/pki", "", "more than 5000 entries; the rest were not read")
	marker.typ = "dir"
	for _, id := range []string{"1.1.19", "1.1.20", "1.1.21"} {
		fs := run(t, id, newInv(t, nodeFilesObj("cp1", true, nil,
			pki("/etc/kubernetes/pki/ca.crt", "0644", ""), pki("/etc/kubernetes/pki/ca.key", "0600", ""), marker)))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, id+": "+fs[0].Message)
	}
	cni := nodeFile{role: inventory.NodeFileCNI, path: "/etc/cni/net.d", typ: "dir", err: "cannot list the directory: permission denied"}
	fs := run(t, "1.1.9", newInv(t, nodeFilesObj("n", false, nil, cni)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
}

// Ownership: UID and GID 0 are root whatever the node's account files call them; other IDs
// are judged by name.
func TestOwnership(t *testing.T) {
	file := func(user, group string, uid, gid int64) map[string]any {
		return map[string]any{"role": inventory.NodeFileKubeletConfig, "path": "/var/lib/kubelet/config.yaml", "exists": true,
			"type": "file", "mode": "0600", "user": user, "group": group, "uid": uid, "gid": gid}
	}
	tests := []struct {
		name string
		f    map[string]any
		want check.Status
	}{
		{"root by name and ID", file("root", "root", 0, 0), check.StatusPass},
		{"ID 0 under another name", file("toor", "wheel", 0, 0), check.StatusPass},
		{"no names, IDs 0", map[string]any{"role": inventory.NodeFileKubeletConfig, "path": "/var/lib/kubelet/config.yaml",
			"exists": true, "type": "file", "mode": "0600", "uid": int64(0), "gid": int64(0)}, check.StatusPass},
		{"unnamed non-root ID", map[string]any{"role": inventory.NodeFileKubeletConfig, "path": "/var/lib/kubelet/config.yaml",
			"exists": true, "type": "file", "mode": "0600", "uid": int64(1001), "gid": int64(0)}, check.StatusFail},
		{"another user", file("kube", "root", 999, 0), check.StatusFail},
		{"owner unknown", map[string]any{"role": inventory.NodeFileKubeletConfig, "path": "/var/lib/kubelet/config.yaml",
			"exists": true, "type": "file", "mode": "0600"}, check.StatusNotEvaluated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nf := nodeFilesObj("n", false, nil)
			nf.Object["spec"].(map[string]any)["files"] = []any{tc.f}
			fs := run(t, "4.1.10", newInv(t, nf))
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
		})
	}
}

// Every file role a control reads is named in words for its description and remediation.
func TestFileRolesDescribed(t *testing.T) {
	for _, fc := range fileControlTable() {
		for _, r := range fc.roles {
			assert.NotEmpty(t, roleFiles[r], "%s: role %s", fc.id, r)
		}
	}
}
