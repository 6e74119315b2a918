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

const rke2APIServer = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system, labels: {component: kube-apiserver, tier: control-plane}}
spec:
  containers:
  - name: kube-apiserver
    command: [kube-apiserver]
    args:
    - --anonymous-auth=false
    - --encryption-provider-config=/var/lib/rancher/rke2/server/cred/encryption-config.json
    volumeMounts:
    - {name: file0, mountPath: /var/lib/rancher/rke2/server/cred/encryption-config.json, readOnly: true}
  volumes:
  - {name: file0, hostPath: {path: /var/lib/rancher/rke2/server/cred/encryption-config.json, type: File}}
`

const rke2Etcd = `apiVersion: v1
kind: Pod
metadata: {name: etcd, namespace: kube-system, labels: {component: etcd, tier: control-plane}}
spec:
  containers:
  - name: etcd
    command: [etcd]
    args: [--config-file=/var/lib/rancher/rke2/server/db/etcd/config]
    volumeMounts:
    - {name: dir0, mountPath: /var/lib/rancher/rke2/server/db/etcd}
  volumes:
  - {name: dir0, hostPath: {path: /var/lib/rancher/rke2/server/db/etcd, type: DirectoryOrCreate}}
`

const etcdConfigFile = `advertise-client-urls: https://10.0.0.1:2379
client-transport-security:
  cert-file: /var/lib/rancher/rke2/server/tls/etcd/server-client.crt
  client-cert-auth: true
  key-file: /var/lib/rancher/rke2/server/tls/etcd/server-client.key
  trusted-ca-file: /var/lib/rancher/rke2/server/tls/etcd/server-ca.crt
data-dir: /var/lib/rancher/rke2/server/db/etcd
election-timeout: 5000
log-outputs: [stderr]
name: server-0-a61e699a
peer-transport-security:
  cert-file: /var/lib/rancher/rke2/server/tls/etcd/peer-server-client.crt
  client-cert-auth: true
  key-file: /var/lib/rancher/rke2/server/tls/etcd/peer-server-client.key
  trusted-ca-file: /var/lib/rancher/rke2/server/tls/etcd/peer-ca.crt
`

const encryptionConfig = `{"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1","resources":[{"resources":["secrets"],"providers":[{"aescbc":{"keys":[{"name":"k","secret":"c2VjcmV0"}]}},{"identity":{}}]}]}`

// rke2Server writes an RKE2 server's files as its CIS self-assessment guide lists them.
func rke2Server(t *testing.T, root string) {
	w := func(p string, mode os.FileMode, content string) { write(t, root, p, mode, content) }
	w("/etc/rancher/rke2/config.yaml", 0o600, "token: s3cr3t-token\nprofile: cis\n")
	w("/usr/local/lib/systemd/system/rke2-server.service", 0o644, "[Service]\nExecStart=/usr/local/bin/rke2 server\n")
	w("/usr/local/lib/systemd/system/rke2-agent.service", 0o644, "[Service]\nExecStart=/usr/local/bin/rke2 agent\n")
	w("/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml", 0o600, rke2APIServer)
	w("/var/lib/rancher/rke2/agent/pod-manifests/kube-scheduler.yaml", 0o644,
		"apiVersion: v1\nkind: Pod\nmetadata: {name: kube-scheduler, namespace: kube-system}\nspec: {containers: [{name: s, command: [kube-scheduler], args: [--profiling=false]}]}\n")
	w("/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml", 0o600, rke2Etcd)
	w("/var/lib/rancher/rke2/agent/pod-manifests/kube-proxy.yaml", 0o600,
		"apiVersion: v1\nkind: Pod\nmetadata: {name: kube-proxy}\nspec: {containers: [{name: p, command: [kube-proxy]}]}\n")
	w("/var/lib/rancher/rke2/server/db/etcd/config", 0o600, etcdConfigFile)
	w("/var/lib/rancher/rke2/server/cred/admin.kubeconfig", 0o600, "client-key-data: PRIVATE")
	w("/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig", 0o644, "client-key-data: PRIVATE")
	w("/var/lib/rancher/rke2/server/cred/controller.kubeconfig", 0o600, "client-key-data: PRIVATE")
	w("/var/lib/rancher/rke2/server/cred/encryption-config.json", 0o600, encryptionConfig)
	w("/var/lib/rancher/rke2/server/tls/server-ca.crt", 0o644, "cert")
	w("/var/lib/rancher/rke2/server/tls/server-ca.key", 0o600, "PRIVATE KEY")
	w("/var/lib/rancher/rke2/agent/kubelet.kubeconfig", 0o600, "client-key-data: PRIVATE")
	w("/var/lib/rancher/rke2/agent/client-ca.crt", 0o600, "cert")
	w("/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig", 0o600, "client-key-data: PRIVATE")
	w("/etc/rancher/rke2/rke2.yaml", 0o600, "client-key-data: PRIVATE")
}

func TestRKE2Server(t *testing.T) {
	root := t.TempDir()
	rke2Server(t, root)
	s, err := Read(context.Background(), root, "server-0")
	require.NoError(t, err)

	require.Len(t, s.Layouts, 1, "no kubeadm files: RKE2 only")
	l := s.Layouts[0]
	assert.Equal(t, LayoutRKE2, l.Name)
	assert.Equal(t, NodeControlPlane, l.NodeRole)
	assert.Equal(t, "/var/lib/rancher/rke2", l.DataDir)
	assert.Equal(t, "etcd", l.Datastore)
	assert.ElementsMatch(t, []string{"kube-apiserver", "kube-scheduler", "etcd"}, l.Components)
	assert.Contains(t, l.Absent, RoleKubeletService)
	assert.Contains(t, l.Absent, RoleKubeletConfig)
	assert.True(t, s.ControlPlane)
	assert.Empty(t, s.Unrecognised)
	assert.Equal(t, LayoutRKE2, s.KubeletStartedBy)

	files := byPath(s)
	for p, role := range map[string]string{
		"/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml": RoleAPIServerManifest,
		"/var/lib/rancher/rke2/agent/pod-manifests/kube-scheduler.yaml": RoleSchedulerManifest,
		"/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml":           RoleEtcdManifest,
		"/var/lib/rancher/rke2/server/db/etcd":                          RoleEtcdDataDir,
		"/var/lib/rancher/rke2/server/cred/admin.kubeconfig":            RoleAdminKubeconfig,
		"/etc/rancher/rke2/rke2.yaml":                                   RoleAdminKubeconfig,
		"/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig":        RoleSchedulerKubeconfig,
		"/var/lib/rancher/rke2/server/cred/controller.kubeconfig":       RoleControllerManagerKubeconfig,
		"/var/lib/rancher/rke2/server/tls/server-ca.key":                RolePKI,
		"/var/lib/rancher/rke2/agent/kubelet.kubeconfig":                RoleKubeletKubeconfig,
		"/var/lib/rancher/rke2/agent/client-ca.crt":                     RoleKubeletClientCA,
		"/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig":              RoleKubeProxyKubeconfig,
	} {
		assert.Contains(t, rolesOf(s, p), role, p)
	}
	assert.Equal(t, "0644", files["/var/lib/rancher/rke2/agent/pod-manifests/kube-scheduler.yaml"].Mode)
	assert.NotContains(t, rolesOf(s, "/var/lib/rancher/rke2/agent/pod-manifests/kube-proxy.yaml"), RoleAPIServerManifest)
	assert.NotContains(t, s.Searched, RoleKubeletService, "RKE2 has no kubelet unit to look for")

	require.NotNil(t, s.EtcdConfig, "etcd's --config-file is read through its hostPath")
	assert.Equal(t, "/var/lib/rancher/rke2/server/db/etcd/config", s.EtcdConfig.Path)
	assert.Equal(t, "true", etcdArg(s.EtcdConfig.Args, "client-cert-auth"))
	assert.Equal(t, "/var/lib/rancher/rke2/server/tls/etcd/peer-ca.crt", etcdArg(s.EtcdConfig.Args, "peer-trusted-ca-file"))
	assert.Equal(t, "stderr", etcdArg(s.EtcdConfig.Args, "log-outputs"))

	require.NotNil(t, s.Encryption)
	assert.Empty(t, s.Encryption.Error)
	assert.Equal(t, []string{"aescbc", "identity"}, s.Encryption.Resources[0].Providers)

	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "s3cr3t", "the distribution's token never leaves the node")
	assert.NotContains(t, string(out), "PRIVATE")
	assert.NotContains(t, string(out), "c2VjcmV0")
}

func TestRKE2Agent(t *testing.T) {
	root := t.TempDir()
	write(t, root, "/usr/local/lib/systemd/system/rke2-agent.service", 0o644, "[Service]\nExecStart=/usr/local/bin/rke2 agent\n")
	write(t, root, "/var/lib/rancher/rke2/agent/pod-manifests/kube-proxy.yaml", 0o600,
		"apiVersion: v1\nkind: Pod\nmetadata: {name: kube-proxy}\nspec: {containers: [{name: p, command: [kube-proxy]}]}\n")
	write(t, root, "/var/lib/rancher/rke2/agent/kubelet.kubeconfig", 0o644, "x")
	s, err := Read(context.Background(), root, "agent-0")
	require.NoError(t, err)
	require.Len(t, s.Layouts, 1)
	assert.Equal(t, NodeWorker, s.Layouts[0].NodeRole)
	assert.False(t, s.ControlPlane)
	assert.Equal(t, "0644", byPath(s)["/var/lib/rancher/rke2/agent/kubelet.kubeconfig"].Mode)
}

// k3sServer writes a k3s server's configuration: the unit the install script writes, a
// config file and a drop-in.
func k3sServer(t *testing.T, root string, config string) {
	w := func(p string, mode os.FileMode, content string) { write(t, root, p, mode, content) }
	w("/etc/systemd/system/k3s.service", 0o644, "[Service]\nEnvironmentFile=-/etc/systemd/system/k3s.service.env\n"+
		"ExecStart=/usr/local/bin/k3s \\\n    server \\\n\t'--kube-apiserver-arg' 'audit-log-path=/var/log/audit.log' \\\n")
	w("/etc/systemd/system/k3s.service.env", 0o600, "K3S_TOKEN=s3cr3t-token\n")
	w("/etc/rancher/k3s/config.yaml", 0o600, config)
	w("/var/lib/rancher/k3s/server/cred/admin.kubeconfig", 0o600, "client-key-data: PRIVATE")
	w("/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig", 0o600, "client-key-data: PRIVATE")
	w("/var/lib/rancher/k3s/server/cred/controller.kubeconfig", 0o600, "client-key-data: PRIVATE")
	w("/var/lib/rancher/k3s/server/tls/client-ca.crt", 0o644, "cert")
	w("/var/lib/rancher/k3s/agent/kubelet.kubeconfig", 0o600, "x")
	w("/var/lib/rancher/k3s/agent/client-ca.crt", 0o600, "cert")
	w("/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig", 0o600, "x")
	w("/var/lib/rancher/k3s/agent/etc/cni/net.d/10-flannel.conflist", 0o600, "{}")
	w("/etc/rancher/k3s/k3s.yaml", 0o644, "client-key-data: PRIVATE")
}

func TestK3sServerSQLite(t *testing.T) {
	root := t.TempDir()
	k3sServer(t, root, "write-kubeconfig-mode: \"0644\"\nkube-apiserver-arg:\n- anonymous-auth=false\n- enable-admission-plugins+=EventRateLimit\n")
	write(t, root, "/etc/rancher/k3s/config.yaml.d/50-hardening.yaml", 0o600, "kube-apiserver-arg+:\n- profiling=false\nkube-scheduler-arg: bind-address=127.0.0.1\n")
	write(t, root, "/var/lib/rancher/k3s/server/db/state.db", 0o600, "sqlite")
	s, err := Read(context.Background(), root, "k3s-0")
	require.NoError(t, err)

	require.Len(t, s.Layouts, 1)
	l := s.Layouts[0]
	assert.Equal(t, LayoutK3s, l.Name)
	assert.Equal(t, NodeControlPlane, l.NodeRole)
	assert.Equal(t, "sqlite", l.Datastore)
	assert.Equal(t, []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler"}, l.Components)
	assert.Equal(t, []string{"/etc/rancher/k3s/config.yaml", "/etc/rancher/k3s/config.yaml.d/50-hardening.yaml"}, l.ConfigFiles)
	for _, role := range []string{RoleAPIServerManifest, RoleEtcdManifest, RoleKubeletService, RoleKubeletConfig, RoleEtcdDataDir} {
		assert.Contains(t, l.Absent, role)
	}
	assert.Contains(t, l.Absent[RoleEtcdDataDir], "sqlite")

	require.Len(t, s.Components, 4)
	assert.Equal(t, "kube-proxy", s.Components[3].Name, "every k3s node runs kube-proxy in its process")
	api := s.Components[0]
	assert.Equal(t, "kube-apiserver", api.Name)
	assert.NotEmpty(t, api.Unset)
	// The unit's command line replaces the files' kube-apiserver-arg list, as k3s does for a
	// repeatable flag given on the command line.
	assert.Equal(t, []Arg{{Name: "audit-log-path", Value: "/var/log/audit.log", From: "kube-apiserver-arg"}}, api.Args)
	assert.Equal(t, []string{"encryption-provider-config"}, api.NotSet)
	require.NotNil(t, s.Encryption)
	assert.Contains(t, s.Encryption.Off, "secrets-encryption")
	sched := s.Components[2]
	assert.Equal(t, []Arg{{Name: "bind-address", Value: "127.0.0.1", From: "kube-scheduler-arg"}}, sched.Args)

	assert.Contains(t, rolesOf(s, "/etc/rancher/k3s/k3s.yaml"), RoleAdminKubeconfig)
	assert.Contains(t, rolesOf(s, "/var/lib/rancher/k3s/agent/etc/cni/net.d/10-flannel.conflist"), RoleCNI)
	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "s3cr3t")
}

func TestK3sServerEtcd(t *testing.T) {
	root := t.TempDir()
	k3sServer(t, root, "cluster-init: true\nsecrets-encryption: true\n")
	// Without the unit's own kube-apiserver-arg, the files' list stands.
	write(t, root, "/etc/systemd/system/k3s.service", 0o644, "[Service]\nExecStart=/usr/local/bin/k3s server\n")
	write(t, root, "/etc/rancher/k3s/config.yaml.d/10-args.yaml", 0o600,
		"kube-apiserver-arg:\n- anonymous-auth=false\n- enable-admission-plugins+=EventRateLimit\n- audit-policy-file=/etc/rancher/k3s/audit.yaml\n")
	write(t, root, "/etc/rancher/k3s/audit.yaml", 0o644, "kind: Policy\n")
	write(t, root, "/var/lib/rancher/k3s/server/db/etcd/config", 0o600,
		"data-dir: /var/lib/rancher/k3s/server/db/etcd\nclient-transport-security: {client-cert-auth: true, cert-file: /c.crt, key-file: /c.key}\n")
	write(t, root, "/var/lib/rancher/k3s/server/cred/encryption-config.json", 0o600, encryptionConfig)
	s, err := Read(context.Background(), root, "k3s-0")
	require.NoError(t, err)

	l := s.Layouts[0]
	assert.Equal(t, "etcd", l.Datastore)
	assert.Equal(t, []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"}, l.Components)
	assert.NotContains(t, l.Absent, RoleEtcdDataDir)
	assert.Contains(t, rolesOf(s, "/var/lib/rancher/k3s/server/db/etcd"), RoleEtcdDataDir)
	assert.Contains(t, rolesOf(s, "/etc/rancher/k3s/audit.yaml"), RoleAuditPolicy)

	api := s.Components[0]
	assert.Equal(t, []Arg{
		{Name: "anonymous-auth", Value: "false", From: "kube-apiserver-arg"},
		{Name: "audit-policy-file", Value: "/etc/rancher/k3s/audit.yaml", From: "kube-apiserver-arg"},
		{Name: "enable-admission-plugins", Unknown: true, From: "the distribution's own value"},
		{Name: "enable-admission-plugins", Value: "EventRateLimit", From: "kube-apiserver-arg"},
		{Name: "encryption-provider-config", Value: "/var/lib/rancher/k3s/server/cred/encryption-config.json", From: "secrets-encryption"},
	}, api.Args)
	require.NotNil(t, s.Encryption)
	assert.Empty(t, s.Encryption.Error)
	assert.Equal(t, "/var/lib/rancher/k3s/server/cred/encryption-config.json", s.Encryption.Path)

	etcd := s.Components[3]
	assert.Equal(t, "etcd", etcd.Name)
	assert.Empty(t, etcd.Unset, "etcd reads only its configuration file: what it does not set is etcd's default")
	assert.Equal(t, "true", etcdArg(etcd.Args, "client-cert-auth"))
}

func TestK3sAgent(t *testing.T) {
	root := t.TempDir()
	write(t, root, "/etc/systemd/system/k3s-agent.service", 0o644, "[Service]\nExecStart=/usr/local/bin/k3s agent\n")
	write(t, root, "/var/lib/rancher/k3s/agent/kubelet.kubeconfig", 0o600, "x")
	s, err := Read(context.Background(), root, "w")
	require.NoError(t, err)
	require.Len(t, s.Layouts, 1)
	assert.Equal(t, NodeWorker, s.Layouts[0].NodeRole)
	require.Len(t, s.Components, 1)
	assert.Equal(t, "kube-proxy", s.Components[0].Name)
}

func TestDistroDataDir(t *testing.T) {
	root := t.TempDir()
	write(t, root, "/etc/rancher/k3s/config.yaml", 0o600, "data-dir: /srv/k3s\n")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "/srv/k3s/server/tls"), 0o700))
	s, err := Read(context.Background(), root, "k")
	require.NoError(t, err)
	require.Len(t, s.Layouts, 1)
	assert.Equal(t, "/srv/k3s", s.Layouts[0].DataDir)
	assert.Equal(t, NodeControlPlane, s.Layouts[0].NodeRole)
	assert.Contains(t, rolesOf(s, "/srv/k3s/server/tls"), RolePKI)
}

func TestKubeadmRoles(t *testing.T) {
	t.Run("control plane", func(t *testing.T) {
		s, err := Read(context.Background(), testRoot(t), "cp")
		require.NoError(t, err)
		require.Len(t, s.Layouts, 1)
		assert.Equal(t, LayoutKubeadm, s.Layouts[0].Name)
		assert.Equal(t, NodeControlPlane, s.Layouts[0].NodeRole)
		assert.ElementsMatch(t, []string{"kube-apiserver", "etcd"}, s.Layouts[0].Components)
	})
	t.Run("worker: the kubelet's static pod directory is empty", func(t *testing.T) {
		root := t.TempDir()
		write(t, root, "/etc/kubernetes/kubelet.conf", 0o600, "x")
		write(t, root, "/var/lib/kubelet/config.yaml", 0o600, "kind: KubeletConfiguration\nstaticPodPath: /etc/kubernetes/manifests\n")
		require.NoError(t, os.MkdirAll(filepath.Join(root, "/etc/kubernetes/manifests"), 0o755))
		s, err := Read(context.Background(), root, "w")
		require.NoError(t, err)
		require.Len(t, s.Layouts, 1)
		assert.Equal(t, NodeWorker, s.Layouts[0].NodeRole)
		assert.Empty(t, s.Unrecognised)
	})
	t.Run("the kubelet's own static pod directory is read", func(t *testing.T) {
		root := t.TempDir()
		write(t, root, "/etc/systemd/system/kubelet.service", 0o644, "[Service]\nExecStart=/usr/bin/kubelet --config=/etc/kubelet/config.yaml\n")
		write(t, root, "/etc/kubelet/config.yaml", 0o600, "kind: KubeletConfiguration\nstaticPodPath: pods\n")
		write(t, root, "/etc/kubelet/pods/apiserver.yml", 0o644, apiserverManifest)
		s, err := Read(context.Background(), root, "cp")
		require.NoError(t, err)
		require.Len(t, s.Layouts, 1)
		assert.Equal(t, NodeControlPlane, s.Layouts[0].NodeRole)
		assert.Equal(t, []string{RoleAPIServerManifest}, rolesOf(s, "/etc/kubelet/pods/apiserver.yml"),
			"a manifest under another name is known by the program it runs")
	})
	t.Run("without the kubelet's command line its static pod directory is not known", func(t *testing.T) {
		// --pod-manifest-path may be on the command line the scan did not find.
		root := t.TempDir()
		write(t, root, "/var/lib/kubelet/config.yaml", 0o600, "kind: KubeletConfiguration\n")
		s, err := Read(context.Background(), root, "n")
		require.NoError(t, err)
		require.Len(t, s.Layouts, 1)
		assert.Empty(t, s.Layouts[0].NodeRole)
	})
	t.Run("role not known", func(t *testing.T) {
		root := t.TempDir()
		write(t, root, "/etc/kubernetes/admin.conf", 0o600, "x")
		s, err := Read(context.Background(), root, "n")
		require.NoError(t, err)
		require.Len(t, s.Layouts, 1)
		assert.Empty(t, s.Layouts[0].NodeRole)
		assert.NotEmpty(t, s.Layouts[0].Why)
	})
}

func TestUnrecognised(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  string
	}{
		"another rancher distribution": {map[string]string{"/var/lib/rancher/rke/ssl/kube-ca.pem": "x"}, "/var/lib/rancher/rke"},
		"a control-plane process outside any pod": {map[string]string{
			"/proc/4242/comm": "kube-apiserver\n", "/proc/4242/cgroup": "0::/system.slice/docker-1.scope\n",
			"/proc/77/comm": "etcd\n", "/proc/77/cgroup": "0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-1.scope\n",
		}, "kube-apiserver process (pid 4242)"},
		"a systemd unit":  {map[string]string{"/etc/systemd/system/kube-apiserver.service": "[Service]\nExecStart=/usr/local/bin/kube-apiserver\n"}, "systemd unit"},
		"MicroK8s":        {map[string]string{"/var/snap/microk8s/current/args/kube-apiserver": "--anonymous-auth=false\n"}, "MicroK8s"},
		"unreadable file": {map[string]string{"/etc/kubernetes/manifests/apiserver.yaml": "{not yaml"}, "static pod manifest"},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			for p, c := range tc.files {
				write(t, root, p, 0o644, c)
			}
			s, err := Read(context.Background(), root, "n")
			require.NoError(t, err)
			require.Len(t, s.Unrecognised, 1, "%v", s.Unrecognised)
			assert.Contains(t, s.Unrecognised[0], tc.want)
			assert.False(t, s.ControlPlane)
		})
	}
	t.Run("a static pod's process is the kubelet's, not a sign", func(t *testing.T) {
		root := testRoot(t)
		write(t, root, "/proc/10/comm", 0o644, "kube-apiserver\n")
		write(t, root, "/proc/10/cgroup", 0o644, "0::/system.slice/x\n")
		write(t, root, "/proc/11/comm", 0o644, "etcd\n")
		s, err := Read(context.Background(), root, "cp")
		require.NoError(t, err)
		assert.Empty(t, s.Unrecognised, "kube-apiserver and etcd are the manifests' pods")
	})
}

func TestComponentArgs(t *testing.T) {
	own := func(n string) Arg { return Arg{Name: n, Unknown: true, From: "the distribution's own value"} }
	a := func(n, v string) Arg { return Arg{Name: n, Value: v, From: "x"} }
	assert.Equal(t, []Arg{
		a("anonymous-auth", "false"),
		a("audit-log-path", "/a"), a("audit-log-path", "/b"),
		a("enable-admission-plugins", "A"), own("enable-admission-plugins"),
		own("feature-gates"), a("feature-gates", "X=true"), a("feature-gates", "Y=true"),
		a("profiling", "true"),
	}, componentArgs([]string{
		"--profiling", "audit-log-path=/a", "audit-log-path=/b", "feature-gates+=X=true", "feature-gates+=Y=true",
		"enable-admission-plugins-=A", "anonymous-auth=false",
	}, "x"))
}

func TestParseDistroCommand(t *testing.T) {
	sub, cli := parseDistroCommand([]string{"/usr/local/bin/k3s", "server", "--cluster-init", "-c", "/etc/k3s.yaml",
		"--kube-apiserver-arg", "a=1", "--kube-apiserver-arg=b=2", "--node-label", "x=y", "--disable-etcd=false", "--token", "T"})
	assert.Equal(t, "server", sub)
	assert.Equal(t, true, cli["cluster-init"])
	assert.Equal(t, false, cli["disable-etcd"])
	assert.Equal(t, "/etc/k3s.yaml", cli["config"])
	assert.Equal(t, []string{"a=1", "b=2"}, cli["kube-apiserver-arg"])
	assert.NotContains(t, cli, "node-label")
}

func TestMergeDistroConfig(t *testing.T) {
	cfg := map[string]any{}
	mergeDistroConfig(cfg, map[string]any{"kube-apiserver-arg": []any{"a=1"}, "write-kubeconfig-mode": "0600"})
	mergeDistroConfig(cfg, map[string]any{"kube-apiserver-arg+": "b=2", "write-kubeconfig-mode": "0644"})
	assert.Equal(t, []string{"a=1", "b=2"}, cfg["kube-apiserver-arg"])
	assert.Equal(t, "0644", cfg["write-kubeconfig-mode"])
	mergeDistroConfig(cfg, map[string]any{"kube-apiserver-arg": []any{"c=3"}})
	assert.Equal(t, []string{"c=3"}, cfg["kube-apiserver-arg"], "a key without + replaces the list")
}

func TestDatastoreKind(t *testing.T) {
	for in, want := range map[string]string{
		"https://etcd-1:2379": "etcd", "postgres://u:p@db/k3s": "postgres", "postgresql://db": "postgres",
		"mysql://u:p@tcp(db)/k3s": "mysql", "u:p@tcp(db)/k3s": "mysql", "sqlite:///var/db": "sqlite", "nats://n": "nats",
	} {
		assert.Equal(t, want, datastoreKind(in), in)
	}
}
