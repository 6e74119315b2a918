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

// rolesOf returns the roles the scan recorded host path p under.
func rolesOf(s *Snapshot, p string) []string {
	var out []string
	for _, f := range s.Files {
		if f.Path == p {
			out = append(out, f.Role)
		}
	}
	return out
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
	assert.Contains(t, rolesOf(s, "/etc/kubernetes/pki/ca.crt"), RoleKubeletClientCA, "the client CA comes from the kubelet configuration")
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
	var u unit
	u.parse("[Service]\nEnvironment=\"A=--x=1 --y=2\" B=--z\nExecStart=/usr/bin/kubelet\nExecStart=\nExecStart=-/usr/bin/kubelet $A ${B} \\\n  --v=2\n")
	assert.Equal(t, []string{"/usr/bin/kubelet", "--x=1", "--y=2", "--z", "--v=2"}, u.command(u.env),
		"the last ExecStart, its systemd prefix stripped, variables expanded")
}

// root returns a node root with /etc/passwd and the files given (path: content, mode 0644).
func nodeRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	write(t, root, "/etc/passwd", 0o644, "root:x:0:0::/root:/bin/sh\n")
	for p, c := range files {
		write(t, root, p, 0o644, c)
	}
	return root
}

const kubeadmDropin = `[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`

// The kubelet's flags are what systemd would run: main unit by directory priority, drop-ins
// of all directories ordered by name, environment known before ExecStart is expanded, and
// EnvironmentFile= over Environment=.
func TestKubeletCommandLine(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    []string
		notWant []string
		cmdLine bool
	}{
		{"a later drop-in in another directory overrides ExecStart", map[string]string{
			"/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": kubeadmDropin,
			"/etc/systemd/system/kubelet.service.d/20-override.conf":    "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --hostname-override=x\n",
		}, []string{"--hostname-override=x"}, []string{"--kubeconfig=/etc/kubernetes/kubelet.conf"}, true},
		{"an environment set in a later drop-in reaches ExecStart", map[string]string{
			"/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": kubeadmDropin,
			"/etc/systemd/system/kubelet.service.d/20-extra.conf":       "[Service]\nEnvironment=\"KUBELET_EXTRA_ARGS=--anonymous-auth=true\"\n",
		}, []string{"--anonymous-auth=true", "--config=/var/lib/kubelet/config.yaml"}, nil, true},
		{"EnvironmentFile wins over a later Environment", map[string]string{
			"/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": kubeadmDropin,
			"/etc/default/kubelet":                                "KUBELET_EXTRA_ARGS=--read-only-port=10255\n",
			"/etc/systemd/system/kubelet.service.d/20-extra.conf": "[Service]\nEnvironment=\"KUBELET_EXTRA_ARGS=--read-only-port=0\"\n",
		}, []string{"--read-only-port=10255"}, []string{"--read-only-port=0"}, true},
		{"a same-named drop-in in /etc hides the packaged one", map[string]string{
			"/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": kubeadmDropin,
			"/etc/systemd/system/kubelet.service.d/10-kubeadm.conf":     "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --v=4\n",
		}, []string{"--v=4"}, []string{"--config=/var/lib/kubelet/config.yaml"}, true},
		{"the unit in /etc wins over the packaged unit", map[string]string{
			"/etc/systemd/system/kubelet.service":     "[Service]\nExecStart=/usr/local/bin/kubelet --v=1\n",
			"/usr/lib/systemd/system/kubelet.service": "[Service]\nExecStart=/usr/bin/kubelet --v=9\n",
		}, []string{"--v=1"}, []string{"--v=9"}, true},
		{"no unit: environment files only", map[string]string{
			"/var/lib/kubelet/kubeadm-flags.env": "KUBELET_KUBEADM_ARGS=\"--v=2\"\n",
		}, []string{"--v=2"}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Read(context.Background(), nodeRoot(t, tc.files), "n1")
			require.NoError(t, err)
			for _, w := range tc.want {
				assert.Contains(t, s.KubeletArgs, w)
			}
			for _, w := range tc.notWant {
				assert.NotContains(t, s.KubeletArgs, w)
			}
			assert.Equal(t, tc.cmdLine, s.KubeletCommandLine)
		})
	}
}

func TestKubeletConfigSource(t *testing.T) {
	unit := "[Service]\nExecStart=/usr/bin/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf\n"
	stale := "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\n"

	t.Run("no --config: the file at the default path is not used", func(t *testing.T) {
		s, err := Read(context.Background(), nodeRoot(t, map[string]string{
			"/usr/lib/systemd/system/kubelet.service": unit,
			"/var/lib/kubelet/config.yaml":            stale,
		}), "n1")
		require.NoError(t, err)
		assert.Equal(t, KubeletConfigNone, s.KubeletConfigSource)
		assert.Empty(t, s.KubeletConfig)
		assert.NotNil(t, s.KubeletConfig)
	})
	t.Run("command line not found: the default path is assumed", func(t *testing.T) {
		s, err := Read(context.Background(), nodeRoot(t, map[string]string{"/var/lib/kubelet/config.yaml": stale}), "n1")
		require.NoError(t, err)
		assert.Equal(t, KubeletConfigFile, s.KubeletConfigSource)
		assert.Equal(t, int64(0), toInt(s.KubeletConfig["readOnlyPort"]))
	})
	t.Run("--config-dir drop-ins are merged in lexical order", func(t *testing.T) {
		s, err := Read(context.Background(), nodeRoot(t, map[string]string{
			"/usr/lib/systemd/system/kubelet.service": "[Service]\nExecStart=/usr/bin/kubelet --config=/etc/kubelet/config.yaml --config-dir=/etc/kubelet/conf.d\n",
			"/etc/kubelet/config.yaml":                "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\nauthentication: {anonymous: {enabled: false}, x509: {clientCAFile: ca.crt}}\n",
			"/etc/kubelet/conf.d/10-a.conf":           "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication: {anonymous: {enabled: true}}\nreadOnlyPort: 10255\n",
			"/etc/kubelet/conf.d/sub/20-b.conf":       "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10250\n",
			"/etc/kubelet/conf.d/30-ignored.yaml":     "readOnlyPort: 1\n",
			"/etc/kubelet/ca.crt":                     "cert",
		}), "n1")
		require.NoError(t, err)
		assert.Equal(t, KubeletConfigFile, s.KubeletConfigSource)
		assert.Equal(t, int64(10250), toInt(s.KubeletConfig["readOnlyPort"]))
		auth := s.KubeletConfig["authentication"].(map[string]any)
		assert.Equal(t, true, auth["anonymous"].(map[string]any)["enabled"])
		assert.Equal(t, "ca.crt", auth["x509"].(map[string]any)["clientCAFile"], "a drop-in merges, it does not replace")
		assert.Equal(t, []string{"/etc/kubelet/conf.d/10-a.conf", "/etc/kubelet/conf.d/sub/20-b.conf"}, s.KubeletConfigDropins)
		assert.Equal(t, RoleKubeletClientCA, byPath(s)["/etc/kubelet/ca.crt"].Role, "a relative clientCAFile is read next to the configuration file")
	})
	t.Run("an unreadable --config is an error, not an absent configuration", func(t *testing.T) {
		s, err := Read(context.Background(), nodeRoot(t, map[string]string{
			"/usr/lib/systemd/system/kubelet.service": "[Service]\nExecStart=/usr/bin/kubelet --config=/etc/kubelet/missing.yaml\n",
		}), "n1")
		require.NoError(t, err)
		assert.Nil(t, s.KubeletConfig)
		assert.Contains(t, s.KubeletConfigError, "/etc/kubelet/missing.yaml")
	})
}

// A directory whose entries cannot all be read leaves an error entry for its role, so that
// a control over its files cannot pass on the part that was seen.
func TestDirectoryNotFullyRead(t *testing.T) {
	old := maxWalk
	maxWalk = 2
	t.Cleanup(func() { maxWalk = old })
	s, err := Read(context.Background(), nodeRoot(t, map[string]string{
		"/etc/kubernetes/pki/a.crt": "a", "/etc/kubernetes/pki/b.crt": "b", "/etc/kubernetes/pki/c.crt": "c",
	}), "n1")
	require.NoError(t, err)
	var errs []string
	for _, f := range s.Files {
		if f.Role == RolePKI && f.Error != "" {
			errs = append(errs, f.Path+": "+f.Error)
		}
	}
	assert.Equal(t, []string{"/etc/kubernetes/pki: more than 2 entries; the rest were not read"}, errs)
}

func TestEncryptionNotVisible(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		want     string
	}{
		{"manifest does not parse", "kind: Pod\nspec: [", "cannot be read"},
		{"flag from a reference", `apiVersion: v1
kind: Pod
spec:
  containers:
  - name: kube-apiserver
    command: [kube-apiserver, "--encryption-provider-config=$(ENC)"]
    env: [{name: ENC, valueFrom: {configMapKeyRef: {name: x, key: y}}}]
`, "not visible"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Read(context.Background(), nodeRoot(t, map[string]string{
				"/etc/kubernetes/manifests/kube-apiserver.yaml": tc.manifest,
			}), "cp1")
			require.NoError(t, err)
			require.NotNil(t, s.Encryption)
			assert.Contains(t, s.Encryption.Error, tc.want)
		})
	}
}

func TestEtcdDataDirDefaults(t *testing.T) {
	manifest := func(cmd string) string {
		return `apiVersion: v1
kind: Pod
spec:
  containers:
  - name: etcd
    command: ` + cmd + `
    volumeMounts: [{name: data, mountPath: /var/lib/etcd}, {name: root, mountPath: /work}]
  volumes: [{name: data, hostPath: {path: /data/etcd}}, {name: root, hostPath: {path: /srv/etcd-root}}]
`
	}
	tests := []struct {
		name, cmd, wantPath, wantErr string
	}{
		{"no --data-dir: <name>.etcd in the working directory, not /var/lib/etcd", "[etcd, --name=m1]", "", ""},
		{"config file hides the data directory", "[etcd, --config-file=/etc/etcd.yaml]", "(etcd --data-dir)", "config-file"},
		{"explicit data-dir", "[etcd, --data-dir=/var/lib/etcd/sub]", "/data/etcd/sub", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := nodeRoot(t, map[string]string{"/etc/kubernetes/manifests/etcd.yaml": manifest(tc.cmd)})
			require.NoError(t, os.MkdirAll(filepath.Join(root, "/data/etcd/sub"), 0o700))
			s, err := Read(context.Background(), root, "cp1")
			require.NoError(t, err)
			var got []File
			for _, f := range s.Files {
				if f.Role == RoleEtcdDataDir {
					got = append(got, f)
				}
			}
			if tc.wantPath == "" {
				assert.Empty(t, got, "m1.etcd in / is not on a hostPath volume")
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, tc.wantPath, got[0].Path)
			assert.Contains(t, got[0].Error, tc.wantErr)
		})
	}
}

// The kubelet's flags are read as its pflag flag set reads them: a flag that takes a value
// takes the next word whatever it looks like.
func TestKubeletFlagsNextWord(t *testing.T) {
	file := "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\n"
	read := func(t *testing.T, exec string) *Snapshot {
		s, err := Read(context.Background(), nodeRoot(t, map[string]string{
			"/usr/lib/systemd/system/kubelet.service": "[Service]\nExecStart=/usr/bin/kubelet " + exec + "\n",
			"/etc/kubelet/config.yaml":                file,
		}), "n1")
		require.NoError(t, err)
		return s
	}
	t.Run("--config taken as another flag's value", func(t *testing.T) {
		s := read(t, "--tls-cert-file --config=/etc/kubelet/config.yaml")
		assert.Equal(t, KubeletConfigNone, s.KubeletConfigSource, "the kubelet runs without --config")
		assert.Empty(t, s.KubeletConfigError)
	})
	t.Run("--config after a flag kspm does not know", func(t *testing.T) {
		s := read(t, "--not-a-kubelet-flag --config=/etc/kubelet/config.yaml")
		assert.Nil(t, s.KubeletConfig)
		assert.Contains(t, s.KubeletConfigError, "not-a-kubelet-flag")
	})
	t.Run("a command line the kubelet rejects", func(t *testing.T) {
		s := read(t, "-config=/etc/kubelet/config.yaml")
		assert.Nil(t, s.KubeletConfig)
		assert.Contains(t, s.KubeletConfigError, "would not start")
	})
	t.Run("--kubeconfig after a flag kspm does not know", func(t *testing.T) {
		s := read(t, "--config=/etc/kubelet/config.yaml --not-a-kubelet-flag --kubeconfig=/etc/kubelet/kubeconfig")
		f, ok := byPath(s)["/etc/kubelet/kubeconfig"]
		require.True(t, ok, "the file is listed")
		assert.Equal(t, RoleKubeletKubeconfig, f.Role)
		assert.Contains(t, f.Error, "not-a-kubelet-flag")
	})
}

// The kubelet merges its --config-dir drop-ins as cmd/kubelet/app/server.go
// mergeKubeletConfigurations does: filepath.WalkDir in lexical order, which does not follow a
// symbolic link to a directory (nor a --config-dir that is one), only *.conf files, each a
// KubeletConfiguration (loadDropinConfigFileIntoJSON fails on an empty file or one without
// apiVersion and kind).
func TestKubeletDropins(t *testing.T) {
	const head = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
	unit := "[Service]\nExecStart=/usr/bin/kubelet --config=/etc/kubelet/config.yaml --config-dir=/etc/kubelet/conf.d\n"
	read := func(t *testing.T, files map[string]string, links map[string]string) *Snapshot {
		t.Helper()
		files["/usr/lib/systemd/system/kubelet.service"] = unit
		files["/etc/kubelet/config.yaml"] = head + "readOnlyPort: 0\nstreamingConnectionIdleTimeout: 1h0m0s\nauthentication: {anonymous: {enabled: true}}\n"
		root := nodeRoot(t, files)
		for link, target := range links {
			require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, link)), 0o755))
			require.NoError(t, os.Symlink(target, filepath.Join(root, link)))
		}
		s, err := Read(context.Background(), root, "n1")
		require.NoError(t, err)
		return s
	}
	t.Run("the fields drop-ins set are listed, zero values and nulls included", func(t *testing.T) {
		s := read(t, map[string]string{
			"/etc/kubelet/conf.d/10-a.conf": head + "streamingConnectionIdleTimeout: 0s\nreadOnlyPort: 10255\n",
			"/etc/kubelet/conf.d/20-b.conf": head + "authentication: {anonymous: {enabled: null}}\nreadOnlyPort: 0\n",
		}, nil)
		require.Empty(t, s.KubeletConfigError)
		assert.Equal(t, "0s", s.KubeletConfig["streamingConnectionIdleTimeout"])
		assert.Equal(t, []string{"authentication.anonymous.enabled", "readOnlyPort", "streamingConnectionIdleTimeout"}, s.KubeletConfigDropinFields)
		_, has := s.KubeletConfig["authentication"].(map[string]any)["anonymous"].(map[string]any)["enabled"]
		assert.False(t, has, "a null removes the field (kubelet 1.32 and later)")
		require.NotNil(t, s.KubeletConfigBefore132)
		assert.Equal(t, true, s.KubeletConfigBefore132["authentication"].(map[string]any)["anonymous"].(map[string]any)["enabled"],
			"before 1.32 the kubelet merged into its internal form, where a null changes nothing")
		assert.Equal(t, "0s", s.KubeletConfigBefore132["streamingConnectionIdleTimeout"])
	})
	t.Run("no null: no second reading", func(t *testing.T) {
		s := read(t, map[string]string{"/etc/kubelet/conf.d/10-a.conf": head + "readOnlyPort: 10255\n"}, nil)
		assert.Nil(t, s.KubeletConfigBefore132)
		assert.Equal(t, []string{"readOnlyPort"}, s.KubeletConfigDropinFields)
	})
	t.Run("a symbolic link to a directory is not walked", func(t *testing.T) {
		s := read(t, map[string]string{
			"/etc/kubelet/conf.d/10-a.conf": head + "readOnlyPort: 10250\n",
			"/etc/kubelet/other/20-b.conf":  head + "readOnlyPort: 10255\n",
		}, map[string]string{"/etc/kubelet/conf.d/sub": "../other"})
		require.Empty(t, s.KubeletConfigError)
		assert.Equal(t, int64(10250), toInt(s.KubeletConfig["readOnlyPort"]))
		assert.Equal(t, []string{"/etc/kubelet/conf.d/10-a.conf"}, s.KubeletConfigDropins)
	})
	t.Run("a --config-dir that is a symbolic link is not walked", func(t *testing.T) {
		s := read(t, map[string]string{"/etc/kubelet/real.d/10-a.conf": head + "readOnlyPort: 10255\n"},
			map[string]string{"/etc/kubelet/conf.d": "real.d"})
		require.Empty(t, s.KubeletConfigError)
		assert.Equal(t, int64(0), toInt(s.KubeletConfig["readOnlyPort"]))
		assert.Empty(t, s.KubeletConfigDropins)
	})
	t.Run("a .conf symbolic link to a file is read", func(t *testing.T) {
		s := read(t, map[string]string{"/etc/kubelet/shared/port.yaml": head + "readOnlyPort: 10255\n"},
			map[string]string{"/etc/kubelet/conf.d/10-port.conf": "../shared/port.yaml"})
		require.Empty(t, s.KubeletConfigError)
		assert.Equal(t, int64(10255), toInt(s.KubeletConfig["readOnlyPort"]))
	})
	for name, content := range map[string]string{
		"an empty drop-in":                  "",
		"a drop-in without apiVersion/kind": "readOnlyPort: 10255\n",
		"a drop-in of another kind":         "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: CredentialProviderConfig\n",
	} {
		t.Run(name+" stops the kubelet", func(t *testing.T) {
			s := read(t, map[string]string{"/etc/kubelet/conf.d/10-a.conf": content}, nil)
			assert.Nil(t, s.KubeletConfig)
			assert.Contains(t, s.KubeletConfigError, "10-a.conf")
		})
	}
}

// A relative clientCAFile in the configuration file is resolved against the file's
// directory (configfiles.fsLoader.Load); in a drop-in it is not (LoadIntoJSON), so the
// kubelet opens it from its working directory.
func TestKubeletDropinRelativePath(t *testing.T) {
	const head = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
	for _, tc := range []struct{ name, unit, want string }{
		{"default working directory", "", "/ca.crt"},
		{"WorkingDirectory=", "WorkingDirectory=/var/lib/kubelet\n", "/var/lib/kubelet/ca.crt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Read(context.Background(), nodeRoot(t, map[string]string{
				"/usr/lib/systemd/system/kubelet.service": "[Service]\n" + tc.unit +
					"ExecStart=/usr/bin/kubelet --config=/etc/kubelet/config.yaml --config-dir=/etc/kubelet/conf.d\n",
				"/etc/kubelet/config.yaml":      head,
				"/etc/kubelet/conf.d/10-a.conf": head + "authentication: {x509: {clientCAFile: ca.crt}}\n",
				"/etc/kubelet/ca.crt":           "cert",
				"/ca.crt":                       "cert",
				"/var/lib/kubelet/ca.crt":       "cert",
			}), "n1")
			require.NoError(t, err)
			var got []string
			for _, f := range s.Files {
				if f.Role == RoleKubeletClientCA {
					got = append(got, f.Path)
				}
			}
			assert.Equal(t, []string{tc.want}, got)
		})
	}
}

// The kubelet opens relative paths given on its command line from its working directory:
// / for a systemd service, or the unit's WorkingDirectory=.
func TestKubeletRelativeFlagPaths(t *testing.T) {
	const head = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
	s, err := Read(context.Background(), nodeRoot(t, map[string]string{
		"/usr/lib/systemd/system/kubelet.service": "[Service]\nWorkingDirectory=/var/lib/kubelet\n" +
			"ExecStart=/usr/bin/kubelet --config=config.yaml --config-dir=conf.d --kubeconfig=kubeconfig\n",
		"/var/lib/kubelet/config.yaml":      head + "readOnlyPort: 0\n",
		"/var/lib/kubelet/conf.d/10-a.conf": head + "readOnlyPort: 10255\n",
		"/var/lib/kubelet/kubeconfig":       "kubeconfig",
		"/config.yaml":                      head + "readOnlyPort: 1\n",
	}), "n1")
	require.NoError(t, err)
	require.Empty(t, s.KubeletConfigError)
	assert.Equal(t, int64(10255), toInt(s.KubeletConfig["readOnlyPort"]))
	assert.Equal(t, []string{"/var/lib/kubelet/conf.d/10-a.conf"}, s.KubeletConfigDropins)
	assert.Equal(t, RoleKubeletKubeconfig, byPath(s)["/var/lib/kubelet/kubeconfig"].Role)
}
