package nodefs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// write creates host file p under root with mode and content.
func write(t *testing.T, root, p string, mode os.FileMode, content string) {
	t.Helper()
	full := filepath.Join(root, p)
	require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(t, os.WriteFile(full, []byte(content), mode))
	require.NoError(t, os.Chmod(full, mode))
}

const apiserverManifest = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    command:
    - kube-apiserver
    - --encryption-provider-config=/etc/kubernetes/enc/enc.yaml
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    volumeMounts:
    - {name: enc, mountPath: /etc/kubernetes/enc, readOnly: true}
    - {name: audit, mountPath: /etc/kubernetes/audit/policy.yaml, readOnly: true}
  volumes:
  - {name: enc, hostPath: {path: /srv/enc}}
  - {name: audit, hostPath: {path: /srv/audit-policy.yaml, type: File}}
`

const etcdManifest = `apiVersion: v1
kind: Pod
metadata: {name: etcd, namespace: kube-system}
spec:
  containers:
  - name: etcd
    command: [etcd, --data-dir=/var/lib/etcd]
    volumeMounts: [{name: data, mountPath: /var/lib/etcd}]
  volumes: [{name: data, hostPath: {path: /data/etcd}}]
`

func testRoot(t *testing.T) string {
	root := t.TempDir()
	uid, gid := os.Getuid(), os.Getgid()
	write(t, root, "/etc/passwd", 0o644, "root:x:0:0::/root:/bin/sh\netcd:x:"+itoa(uid)+":"+itoa(gid)+"::/:/bin/false\n")
	write(t, root, "/etc/group", 0o644, "root:x:0:\netcd:x:"+itoa(gid)+":\n")
	write(t, root, "/etc/kubernetes/manifests/kube-apiserver.yaml", 0o644, apiserverManifest)
	write(t, root, "/etc/kubernetes/manifests/etcd.yaml", 0o600, etcdManifest)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "/data/etcd/member"), 0o700))
	write(t, root, "/srv/enc/enc.yaml", 0o600, `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc:
      keys: [{name: key1, secret: c2VjcmV0LWtleS1tYXRlcmlhbA==}]
  - identity: {}
`)
	write(t, root, "/srv/audit-policy.yaml", 0o600, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n")
	write(t, root, "/etc/kubernetes/pki/ca.crt", 0o644, "cert")
	write(t, root, "/etc/kubernetes/pki/ca.key", 0o640, "PRIVATE KEY MATERIAL")
	write(t, root, "/etc/kubernetes/pki/etcd/ca.key", 0o600, "PRIVATE KEY MATERIAL")
	write(t, root, "/etc/kubernetes/admin.conf", 0o600, "client-key-data: PRIVATE")
	write(t, root, "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", 0o644, `[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/etc/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`)
	write(t, root, "/var/lib/kubelet/kubeadm-flags.env", 0o644, `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --hostname-override=node-a"`+"\n")
	write(t, root, "/etc/kubelet/config.yaml", 0o600, "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\nauthentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n")
	// A symbolic link with an absolute target must resolve inside the root, not on this machine.
	require.NoError(t, os.MkdirAll(filepath.Join(root, "/etc/cni/net.d"), 0o755))
	write(t, root, "/opt/cni/10-net.conflist", 0o644, "{}")
	require.NoError(t, os.Symlink("/opt/cni/10-net.conflist", filepath.Join(root, "/etc/cni/net.d/10-net.conflist")))
	require.NoError(t, os.Symlink("/etc/shadow-outside", filepath.Join(root, "/etc/cni/net.d/dangling")))
	return root
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func byPath(s *Snapshot) map[string]File {
	m := map[string]File{}
	for _, f := range s.Files {
		m[f.Path] = f
	}
	return m
}

func TestRead(t *testing.T) {
	root := testRoot(t)
	s, err := Read(context.Background(), root, "cp1")
	require.NoError(t, err)
	files := byPath(s)

	assert.True(t, s.ControlPlane)
	assert.Equal(t, "0644", files["/etc/kubernetes/manifests/kube-apiserver.yaml"].Mode)
	assert.Equal(t, RoleAPIServerManifest, files["/etc/kubernetes/manifests/kube-apiserver.yaml"].Role)
	assert.Equal(t, "0600", files["/etc/kubernetes/manifests/etcd.yaml"].Mode)
	assert.Equal(t, "0640", files["/etc/kubernetes/pki/ca.key"].Mode)
	assert.Equal(t, RolePKI, files["/etc/kubernetes/pki/etcd/ca.key"].Role, "the PKI directory is walked recursively")

	dataDir := files["/data/etcd"]
	assert.Equal(t, RoleEtcdDataDir, dataDir.Role, "etcd --data-dir is mapped to its hostPath")
	assert.Equal(t, "dir", dataDir.Type)
	assert.Equal(t, "0700", dataDir.Mode)
	if os.Getuid() != 0 {
		assert.Equal(t, "etcd", dataDir.User, "names come from the node's /etc/passwd")
	}

	cni := files["/etc/cni/net.d/10-net.conflist"]
	assert.True(t, cni.Exists)
	assert.Equal(t, "0644", cni.Mode, "the absolute symlink target is read inside the root")
	assert.False(t, files["/etc/cni/net.d/dangling"].Exists, "a link leading outside the root's files does not exist")

	assert.Equal(t, RoleKubeletConfig, files["/etc/kubelet/config.yaml"].Role, "kubelet --config from the systemd drop-in")
	assert.Equal(t, []string{"/etc/kubernetes/kubelet.conf"}, s.Searched[RoleKubeletKubeconfig], "--kubeconfig from the drop-in")
	assert.NotContains(t, files, "/etc/kubernetes/kubelet.conf", "absent files are recorded as searched")
	assert.Equal(t, RoleKubeletClientCA, files["/etc/kubernetes/pki/ca.crt"].Role, "the client CA comes from the kubelet configuration")
	assert.Contains(t, s.KubeletArgs, "--hostname-override=node-a")
	assert.Contains(t, s.KubeletArgs, "--config=/etc/kubelet/config.yaml")
	assert.Equal(t, int64(0), toInt(s.KubeletConfig["readOnlyPort"]))

	require.NotNil(t, s.Encryption)
	assert.Equal(t, "/srv/enc/enc.yaml", s.Encryption.Path)
	require.Len(t, s.Encryption.Resources, 1)
	assert.Equal(t, []string{"aescbc", "identity"}, s.Encryption.Resources[0].Providers)
	assert.Equal(t, RoleAuditPolicy, files["/srv/audit-policy.yaml"].Role)

	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "c2VjcmV0", "encryption keys never leave the node")
	assert.NotContains(t, string(out), "PRIVATE")

	assert.Contains(t, s.Searched[RoleSchedulerKubeconfig], "/etc/kubernetes/scheduler.conf")
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	}
	return -1
}

func TestReadBadRoot(t *testing.T) {
	_, err := Read(context.Background(), filepath.Join(t.TempDir(), "missing"), "n")
	assert.Error(t, err)
}

func TestResolveLoop(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.Symlink("/b", filepath.Join(root, "a")))
	require.NoError(t, os.Symlink("/a", filepath.Join(root, "b")))
	_, err := host{root: root}.resolve("/a")
	assert.ErrorIs(t, err, errLoop)
}

func TestParseUnit(t *testing.T) {
	env := map[string]string{}
	exec := parseUnit("[Service]\nEnvironment=\"A=--x=1 --y=2\" B=--z\nExecStart=/usr/bin/kubelet\nExecStart=\nExecStart=/usr/bin/kubelet $A ${B} \\\n  --v=2\n", env, nil, func(string) {})
	assert.Equal(t, []string{"/usr/bin/kubelet", "--x=1", "--y=2", "--z", "--v=2"}, exec)
}
