package cis

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Fake node roots of each layout, read by the node scan and judged end to end: the scan's
// objects and the static pods the node's kubelet runs, as examples/node-scan builds its
// inventory.

// nodeRoot writes files (host path -> mode and content) under a new root. Directories are
// given with a trailing slash and no content. The node's account files name the test's user
// and group root, so that files the test creates are owned by root:root as the node sees it.
func nodeRoot(t *testing.T, files map[string]nodeEntry) string {
	t.Helper()
	root := t.TempDir()
	uid, gid := strconv.Itoa(os.Getuid()), strconv.Itoa(os.Getgid())
	putFile(t, root, "/etc/passwd", 0o644, "root:x:"+uid+":"+gid+"::/root:/bin/sh\n")
	putFile(t, root, "/etc/group", 0o644, "root:x:"+gid+":\n")
	for p, e := range files {
		if p[len(p)-1] == '/' {
			require.NoError(t, os.MkdirAll(filepath.Join(root, p), 0o755))
			require.NoError(t, os.Chmod(filepath.Join(root, p), e.mode))
			continue
		}
		putFile(t, root, p, e.mode, e.content)
	}
	return root
}

type nodeEntry struct {
	mode    os.FileMode
	content string
}

// scanNode reads root as examples/node-scan does.
func scanNode(t *testing.T, root, node string) *inventory.Inventory {
	t.Helper()
	objs, err := inventory.ReadNodeFiles(context.Background(), root, node)
	require.NoError(t, err)
	b := inventory.NewBuilder(inventory.ModeManifests)
	for _, o := range objs {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	pods, err := inventory.ReadNodeStaticPods(context.Background(), root, node)
	require.NoError(t, err)
	for _, p := range pods {
		require.NoError(t, b.Add(p.Object, p.Source))
	}
	return b.Build()
}

// layoutCase is the expected verdict of one control on a node.
type layoutCase struct {
	id   string
	want check.Status
	// msg is a part of the message.
	msg string
	// kind, when set, is the kind of the object the result is on.
	kind string
}

func checkLayout(t *testing.T, inv *inventory.Inventory, layout string, cases []layoutCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			fs := run(t, tc.id, inv)
			require.Len(t, fs, 1, "%v", fs)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
			assert.Contains(t, fs[0].Message, tc.msg)
			if layout != "" {
				assert.Contains(t, fs[0].Message, layout, "the message says which layout was recognised")
			}
			if tc.kind != "" {
				assert.Equal(t, tc.kind, fs[0].Object.GroupKind().Kind)
			}
		})
	}
}

const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: kube-system}\nspec: {containers: [{name: c, command: [%s]}]}\n"

// manifest returns a static pod manifest running command (its first word is the program).
func manifest(name string, command ...string) string {
	out := "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: kube-system}\nspec:\n  containers:\n  - name: c\n    command:\n"
	for _, c := range command {
		out += "    - " + c + "\n"
	}
	return out
}

func TestLayoutKubeadmControlPlane(t *testing.T) {
	root := nodeRoot(t, map[string]nodeEntry{
		"/etc/kubernetes/manifests/kube-apiserver.yaml":          {0o600, manifest("kube-apiserver", "kube-apiserver", "--anonymous-auth=false")},
		"/etc/kubernetes/manifests/kube-controller-manager.yaml": {0o644, manifest("kube-controller-manager", "kube-controller-manager", "--profiling=false")},
		"/etc/kubernetes/manifests/kube-scheduler.yaml":          {0o600, manifest("kube-scheduler", "kube-scheduler", "--profiling=false")},
		"/etc/kubernetes/manifests/etcd.yaml": {0o600, `apiVersion: v1
kind: Pod
metadata: {name: etcd, namespace: kube-system}
spec:
  containers:
  - name: etcd
    command: [etcd, --data-dir=/var/lib/etcd, --client-cert-auth=true, --auto-tls=true]
    volumeMounts: [{name: data, mountPath: /var/lib/etcd}]
  volumes: [{name: data, hostPath: {path: /var/lib/etcd}}]
`},
		"/var/lib/etcd/":                      {0o700, ""},
		"/etc/kubernetes/admin.conf":          {0o600, "x"},
		"/etc/kubernetes/scheduler.conf":      {0o644, "x"},
		"/etc/systemd/system/kubelet.service": {0o600, "[Service]\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml\n"},
		"/var/lib/kubelet/config.yaml":        {0o600, "kind: KubeletConfiguration\nstaticPodPath: /etc/kubernetes/manifests\n"},
	})
	checkLayout(t, scanNode(t, root, "cp1"), "node layout: kubeadm control-plane", []layoutCase{
		{"1.1.1", check.StatusPass, "kube-apiserver.yaml", ""},
		{"1.1.2", check.StatusPass, "root:root", ""},
		{"1.1.3", check.StatusFail, "mode 0644", ""},
		{"1.1.11", check.StatusPass, "/var/lib/etcd", ""},
		{"1.1.13", check.StatusPass, "admin.conf", ""},
		{"1.1.15", check.StatusFail, "scheduler.conf has mode 0644", ""},
		{"4.1.1", check.StatusPass, "kubelet.service", ""},
		{"4.1.9", check.StatusPass, "/var/lib/kubelet/config.yaml", ""},
	})
	// The components' flags, from the static pods the kubelet runs.
	checkLayout(t, scanNode(t, root, "cp1"), "", []layoutCase{
		{"1.2.1", check.StatusPass, "--anonymous-auth=false", "Pod"},
		{"1.2.15", check.StatusFail, "--profiling is not set", "Pod"},
		{"1.3.2", check.StatusPass, "--profiling=false", "Pod"},
		{"1.4.1", check.StatusPass, "--profiling=false", "Pod"},
		{"1.4.2", check.StatusFail, "--bind-address is not set", "Pod"},
		{"2.2", check.StatusPass, "--client-cert-auth=true", "Pod"},
		{"2.3", check.StatusFail, "--auto-tls=true", "Pod"},
	})
}

func TestLayoutKubeadmWorker(t *testing.T) {
	root := nodeRoot(t, map[string]nodeEntry{
		"/etc/kubernetes/manifests/":          {0o755, ""},
		"/etc/kubernetes/kubelet.conf":        {0o644, "x"},
		"/etc/systemd/system/kubelet.service": {0o600, "[Service]\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=/etc/kubernetes/kubelet.conf\n"},
		"/var/lib/kubelet/config.yaml":        {0o600, "kind: KubeletConfiguration\nstaticPodPath: /etc/kubernetes/manifests\n"},
	})
	checkLayout(t, scanNode(t, root, "w1"), "node layout: kubeadm worker", []layoutCase{
		{"1.1.1", check.StatusNotApplicable, "not a control-plane node", ""},
		{"1.1.11", check.StatusNotApplicable, "not a control-plane node", ""},
		{"4.1.5", check.StatusFail, "kubelet.conf has mode 0644", ""},
		{"4.1.9", check.StatusPass, "config.yaml", ""},
	})
	fs := run(t, "1.2.1", scanNode(t, root, "w1"))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message, "the API server runs somewhere: unknown, not absent")
	assert.Contains(t, fs[0].Message, "worker nodes only")
}

// rke2Root is an RKE2 server as its CIS self-assessment guide shows one.
func rke2Root(t *testing.T) string {
	return nodeRoot(t, map[string]nodeEntry{
		"/etc/rancher/rke2/config.yaml":                      {0o600, "profile: cis\n"},
		"/usr/local/lib/systemd/system/rke2-server.service":  {0o644, "[Service]\nExecStart=/usr/local/bin/rke2 server\n"},
		"/etc/systemd/system/multi-user.target.wants/x.keep": {0o644, ""},
		"/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml": {0o600, `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    command: [kube-apiserver]
    args: [--anonymous-auth=false, --encryption-provider-config=/var/lib/rancher/rke2/server/cred/encryption-config.json]
    volumeMounts: [{name: f, mountPath: /var/lib/rancher/rke2/server/cred/encryption-config.json}]
  volumes: [{name: f, hostPath: {path: /var/lib/rancher/rke2/server/cred/encryption-config.json, type: File}}]
`},
		"/var/lib/rancher/rke2/agent/pod-manifests/kube-controller-manager.yaml": {0o600,
			manifest("kube-controller-manager", "kube-controller-manager", "--profiling=true")},
		"/var/lib/rancher/rke2/agent/pod-manifests/kube-scheduler.yaml": {0o644,
			manifest("kube-scheduler", "kube-scheduler", "--profiling=false", "--bind-address=127.0.0.1")},
		"/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml": {0o600, `apiVersion: v1
kind: Pod
metadata: {name: etcd, namespace: kube-system}
spec:
  containers:
  - name: etcd
    command: [etcd]
    args: [--config-file=/var/lib/rancher/rke2/server/db/etcd/config]
    volumeMounts: [{name: d, mountPath: /var/lib/rancher/rke2/server/db/etcd}]
  volumes: [{name: d, hostPath: {path: /var/lib/rancher/rke2/server/db/etcd}}]
`},
		"/var/lib/rancher/rke2/server/db/etcd/": {0o700, ""},
		"/var/lib/rancher/rke2/server/db/etcd/config": {0o600, "data-dir: /var/lib/rancher/rke2/server/db/etcd\n" +
			"client-transport-security: {cert-file: /s.crt, key-file: /s.key, client-cert-auth: true}\n" +
			"peer-transport-security: {cert-file: /p.crt, key-file: /p.key, client-cert-auth: false}\n"},
		"/var/lib/rancher/rke2/server/cred/admin.kubeconfig":       {0o600, "x"},
		"/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig":   {0o600, "x"},
		"/var/lib/rancher/rke2/server/cred/controller.kubeconfig":  {0o644, "x"},
		"/var/lib/rancher/rke2/server/cred/encryption-config.json": {0o600, `{"kind":"EncryptionConfiguration","resources":[{"resources":["secrets"],"providers":[{"aescbc":{}},{"identity":{}}]}]}`},
		"/var/lib/rancher/rke2/server/tls/server-ca.crt":           {0o644, "x"},
		"/var/lib/rancher/rke2/server/tls/server-ca.key":           {0o644, "x"},
		"/var/lib/rancher/rke2/agent/kubelet.kubeconfig":           {0o600, "x"},
		"/var/lib/rancher/rke2/agent/client-ca.crt":                {0o600, "x"},
		"/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig":         {0o600, "x"},
		"/etc/rancher/rke2/rke2.yaml":                              {0o600, "x"},
	})
}

func TestLayoutRKE2Server(t *testing.T) {
	inv := scanNode(t, rke2Root(t), "server-0")
	checkLayout(t, inv, "node layout: RKE2 control-plane", []layoutCase{
		{"1.1.1", check.StatusPass, "/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml", ""},
		{"1.1.5", check.StatusFail, "kube-scheduler.yaml has mode 0644", ""},
		{"1.1.11", check.StatusPass, "/var/lib/rancher/rke2/server/db/etcd", ""},
		{"1.1.12", check.StatusFail, "is owned by root:root", ""},
		{"1.1.13", check.StatusPass, "admin.kubeconfig", ""},
		{"1.1.17", check.StatusFail, "controller.kubeconfig has mode 0644", ""},
		{"1.1.20", check.StatusPass, "server-ca.crt", ""},
		{"1.1.21", check.StatusFail, "server-ca.key has mode 0644", ""},
		{"1.2.28", check.StatusPass, "aescbc", ""},
		{"4.1.1", check.StatusNotApplicable, "RKE2 starts the kubelet", ""},
		{"4.1.5", check.StatusPass, "/var/lib/rancher/rke2/agent/kubelet.kubeconfig", ""},
		{"4.1.9", check.StatusNotApplicable, "no --config file", ""},
		{"4.2.7", check.StatusNotApplicable, "--hostname-override", ""},
	})
	checkLayout(t, inv, "", []layoutCase{
		{"1.2.1", check.StatusPass, "--anonymous-auth=false", "Pod"},
		{"1.2.15", check.StatusFail, "--profiling is not set", "Pod"},
		{"1.3.2", check.StatusFail, "--profiling=true", "Pod"},
		{"1.4.2", check.StatusPass, "--bind-address=127.0.0.1", "Pod"},
		// etcd reads only its --config-file, which the node scan read where the pod mounts it.
		{"2.2", check.StatusPass, "from its --config-file /var/lib/rancher/rke2/server/db/etcd/config", "Pod"},
		{"2.4", check.StatusPass, "--peer-cert-file=/p.crt", "Pod"},
		{"2.5", check.StatusFail, "--peer-client-cert-auth=false", "Pod"},
		{"2.3", check.StatusPass, "defaults to false", "Pod"},
	})
	fs := run(t, "4.2.1", inv)
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
	assert.Contains(t, fs[0].Message, "RKE2 starts the kubelet on node server-0 with flags of its own")
}

// Without the node scan's reading of its --config-file, the etcd pod's settings are not
// visible: not evaluated, as before.
func TestLayoutRKE2EtcdConfigOnlyWithNodeScan(t *testing.T) {
	root := rke2Root(t)
	pods, err := inventory.ReadNodeStaticPods(context.Background(), root, "server-0")
	require.NoError(t, err)
	b := inventory.NewBuilder(inventory.ModeManifests)
	for _, p := range pods {
		require.NoError(t, b.Add(p.Object, p.Source))
	}
	fs := run(t, "2.2", b.Build())
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
	assert.Contains(t, fs[0].Message, "--config-file")
}

func TestLayoutRKE2Agent(t *testing.T) {
	root := nodeRoot(t, map[string]nodeEntry{
		"/usr/local/lib/systemd/system/rke2-agent.service": {0o644, "[Service]\nExecStart=/usr/local/bin/rke2 agent\n"},
		"/var/lib/rancher/rke2/agent/kubelet.kubeconfig":   {0o640, "x"},
		"/var/lib/rancher/rke2/agent/client-ca.crt":        {0o600, "x"},
	})
	checkLayout(t, scanNode(t, root, "agent-0"), "node layout: RKE2 worker", []layoutCase{
		{"1.1.1", check.StatusNotApplicable, "not a control-plane node (RKE2 worker", ""},
		{"4.1.5", check.StatusFail, "kubelet.kubeconfig has mode 0640", ""},
		{"4.1.7", check.StatusPass, "client-ca.crt", ""},
		{"4.1.1", check.StatusNotApplicable, "RKE2 starts the kubelet", ""},
	})
}

// k3sRoot is a k3s server: its unit as the install script writes it, a configuration file
// and the data directory.
func k3sRoot(t *testing.T, config string, extra map[string]nodeEntry) string {
	files := map[string]nodeEntry{
		"/etc/systemd/system/k3s.service":                        {0o644, "[Service]\nExecStart=/usr/local/bin/k3s \\\n    server \\\n"},
		"/etc/rancher/k3s/config.yaml":                           {0o600, config},
		"/var/lib/rancher/k3s/server/cred/admin.kubeconfig":      {0o600, "x"},
		"/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig":  {0o600, "x"},
		"/var/lib/rancher/k3s/server/cred/controller.kubeconfig": {0o600, "x"},
		"/var/lib/rancher/k3s/server/tls/client-ca.crt":          {0o644, "x"},
		"/var/lib/rancher/k3s/agent/kubelet.kubeconfig":          {0o600, "x"},
		"/var/lib/rancher/k3s/agent/client-ca.crt":               {0o600, "x"},
		"/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig":        {0o600, "x"},
		"/etc/rancher/k3s/k3s.yaml":                              {0o644, "x"},
	}
	for p, e := range extra {
		files[p] = e
	}
	return nodeRoot(t, files)
}

func TestLayoutK3sServerSQLite(t *testing.T) {
	root := k3sRoot(t, "write-kubeconfig-mode: \"0644\"\n"+
		"kube-apiserver-arg: [anonymous-auth=false, profiling=true]\n"+
		"kube-controller-manager-arg: [profiling=false]\n"+
		"kube-scheduler-arg: [bind-address=0.0.0.0]\n",
		map[string]nodeEntry{"/var/lib/rancher/k3s/server/db/state.db": {0o600, "x"}})
	inv := scanNode(t, root, "k3s-0")
	checkLayout(t, inv, "node layout: k3s control-plane", []layoutCase{
		{"1.1.1", check.StatusNotApplicable, "k3s runs kube-apiserver inside the k3s process", ""},
		{"1.1.7", check.StatusNotApplicable, "no static pod manifest", ""},
		{"1.1.11", check.StatusNotApplicable, "k3s keeps the cluster in sqlite", ""},
		{"1.1.12", check.StatusNotApplicable, "k3s runs etcd inside its own process", ""},
		{"1.1.13", check.StatusFail, "/etc/rancher/k3s/k3s.yaml has mode 0644", ""},
		{"1.1.15", check.StatusPass, "scheduler.kubeconfig", ""},
		{"1.1.19", check.StatusPass, "root:root", ""},
		{"1.2.28", check.StatusFail, "k3s runs without secrets-encryption", ""},
		{"4.1.1", check.StatusNotApplicable, "k3s starts the kubelet", ""},
		{"4.1.5", check.StatusPass, "/var/lib/rancher/k3s/agent/kubelet.kubeconfig", ""},
		{"4.2.7", check.StatusNotApplicable, "k3s starts the kubelet", ""},
	})
	// The embedded components' flags, from k3s's configuration: what it does not give is
	// k3s's own choice, which no file holds.
	checkLayout(t, inv, "k3s runs", []layoutCase{
		{"1.2.1", check.StatusPass, "--anonymous-auth=false", "NodeFiles"},
		{"1.2.15", check.StatusFail, "--profiling=true", "NodeFiles"},
		{"1.2.16", check.StatusNotEvaluated, "k3s chooses it when kube-apiserver-arg does not give it", "NodeFiles"},
		{"1.2.27", check.StatusFail, "--encryption-provider-config is not set", "NodeFiles"},
		{"1.3.2", check.StatusPass, "--profiling=false", "NodeFiles"},
		{"1.4.2", check.StatusFail, "--bind-address=0.0.0.0", "NodeFiles"},
		{"1.4.1", check.StatusNotEvaluated, "--profiling is not known", "NodeFiles"},
	})
	checkLayout(t, inv, "", []layoutCase{{"2.2", check.StatusNotApplicable, "k3s on node k3s-0 keeps the cluster in sqlite", ""}})
	fs := run(t, "1.2.1", inv)
	assert.Equal(t, "spec.components[0].args[0]", fs[0].Field, "the flag's place in the node scan")
}

func TestLayoutK3sServerEtcd(t *testing.T) {
	root := k3sRoot(t, "cluster-init: true\nsecrets-encryption: true\nkube-apiserver-arg: [audit-log-path=/var/log/k3s-audit.log]\n",
		map[string]nodeEntry{
			"/var/lib/rancher/k3s/server/db/etcd/": {0o700, ""},
			"/var/lib/rancher/k3s/server/db/etcd/config": {0o600, "data-dir: /var/lib/rancher/k3s/server/db/etcd\n" +
				"client-transport-security: {cert-file: /c.crt, key-file: /c.key, client-cert-auth: true, auto-tls: true}\n"},
			"/var/lib/rancher/k3s/server/cred/encryption-config.json": {0o600,
				`{"kind":"EncryptionConfiguration","resources":[{"resources":["secrets"],"providers":[{"identity":{}},{"aescbc":{}}]}]}`},
		})
	inv := scanNode(t, root, "k3s-0")
	checkLayout(t, inv, "node layout: k3s control-plane", []layoutCase{
		{"1.1.11", check.StatusPass, "/var/lib/rancher/k3s/server/db/etcd", ""},
		{"1.1.12", check.StatusNotApplicable, "as root", ""},
		{"1.2.28", check.StatusFail, "the first provider for secrets is identity", ""},
	})
	checkLayout(t, inv, "", []layoutCase{
		{"1.2.16", check.StatusPass, "--audit-log-path=/var/log/k3s-audit.log", "NodeFiles"},
		{"1.2.27", check.StatusPass, "/var/lib/rancher/k3s/server/cred/encryption-config.json", "NodeFiles"},
		{"2.2", check.StatusPass, "--client-cert-auth=true", "NodeFiles"},
		{"2.3", check.StatusFail, "--auto-tls=true", "NodeFiles"},
		{"2.4", check.StatusFail, "--peer-cert-file is not set", "NodeFiles"},
	})
}

func TestLayoutK3sAgent(t *testing.T) {
	root := nodeRoot(t, map[string]nodeEntry{
		"/etc/systemd/system/k3s-agent.service":         {0o644, "[Service]\nExecStart=/usr/local/bin/k3s agent\n"},
		"/var/lib/rancher/k3s/agent/kubelet.kubeconfig": {0o600, "x"},
	})
	checkLayout(t, scanNode(t, root, "w"), "node layout: k3s worker", []layoutCase{
		{"1.1.1", check.StatusNotApplicable, "not a control-plane node (k3s worker", ""},
		{"1.1.13", check.StatusNotApplicable, "not a control-plane node", ""},
		{"4.1.5", check.StatusPass, "kubelet.kubeconfig", ""},
	})
}

// A control plane from a layout the scan does not know: not evaluated, never "not
// applicable".
func TestLayoutUnknown(t *testing.T) {
	for name, files := range map[string]map[string]nodeEntry{
		"kube-apiserver process outside any pod": {
			"/proc/812/comm": {0o644, "kube-apiserver\n"}, "/proc/812/cgroup": {0o644, "0::/system.slice/docker-4f.scope\n"},
		},
		"another Rancher distribution": {"/var/lib/rancher/rke/ssl/kube-apiserver.pem": {0o600, "x"}},
		"component systemd unit": {
			"/etc/systemd/system/kube-apiserver.service": {0o644, "[Service]\nExecStart=/usr/local/bin/kube-apiserver\n"},
			"/etc/systemd/system/kubelet.service":        {0o644, "[Service]\nExecStart=/usr/local/bin/kubelet --config=/etc/kubelet.yaml\n"},
			"/etc/kubelet.yaml":                          {0o600, "kind: KubeletConfiguration\n"},
		},
		"nothing recognised": {"/srv/readme": {0o644, "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			inv := scanNode(t, nodeRoot(t, files), "n1")
			for _, id := range []string{"1.1.1", "1.1.13", "1.1.19", "1.2.28", "1.2.1"} {
				fs := run(t, id, inv)
				require.Len(t, fs, 1, id)
				assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, "%s: %s", id, fs[0].Message)
			}
		})
	}
}

// 2.7 compares etcd's CA with the API server's: when the API server's --client-ca-file is
// k3s's own choice, the comparison cannot be made, and "the paths differ" would be a claim
// nothing supports.
func TestLayoutK3sEtcdCAUnknown(t *testing.T) {
	root := k3sRoot(t, "cluster-init: true\n", map[string]nodeEntry{
		"/var/lib/rancher/k3s/server/db/etcd/config": {0o600, "client-transport-security: {trusted-ca-file: /var/lib/rancher/k3s/server/tls/etcd/server-ca.crt}\n"},
	})
	fs := run(t, "2.7", scanNode(t, root, "k3s-0"))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "--client-ca-file is not known")
}

// kube-proxy: inside k3s, from kube-proxy-arg; a static pod on RKE2; a DaemonSet on kubeadm,
// which a node scan does not see.
func TestLayoutKubeProxy(t *testing.T) {
	t.Run("k3s, given", func(t *testing.T) {
		root := k3sRoot(t, "kube-proxy-arg: [metrics-bind-address=0.0.0.0:10249, metrics-port=10249]\n", nil)
		fs := run(t, "4.3.1", scanNode(t, root, "k3s-0"))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)
		assert.Contains(t, fs[0].Message, "k3s runs kube-proxy inside its own process")

		// On a loopback address the metrics port does not matter.
		root = k3sRoot(t, "kube-proxy-arg: [metrics-bind-address=127.0.0.1:10249]\n", nil)
		fs = run(t, "4.3.1", scanNode(t, root, "k3s-0"))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)

		root = k3sRoot(t, "kube-proxy-arg: [metrics-bind-address=0.0.0.0:10249]\n", nil)
		fs = run(t, "4.3.1", scanNode(t, root, "k3s-0"))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, "k3s may turn the metrics server off: %s", fs[0].Message)
	})
	t.Run("k3s, k3s's own", func(t *testing.T) {
		fs := run(t, "4.3.1", scanNode(t, k3sRoot(t, "", nil), "k3s-0"))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	})
	t.Run("RKE2 static pod", func(t *testing.T) {
		root := rke2Root(t)
		putFile(t, root, "/var/lib/rancher/rke2/agent/pod-manifests/kube-proxy.yaml", 0o600,
			manifest("kube-proxy", "kube-proxy", "--metrics-bind-address=127.0.0.1:10249"))
		fs := run(t, "4.3.1", scanNode(t, root, "server-0"))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)
	})
	t.Run("kubeadm", func(t *testing.T) {
		root := nodeRoot(t, map[string]nodeEntry{"/etc/kubernetes/kubelet.conf": {0o600, "x"}, "/etc/kubernetes/manifests/": {0o755, ""}})
		fs := run(t, "4.3.1", scanNode(t, root, "w1"))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
		assert.Contains(t, fs[0].Message, "DaemonSet")
	})
}
