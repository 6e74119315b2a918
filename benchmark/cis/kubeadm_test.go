package cis

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// kubeadmDefaults are the command lines kubeadm writes (v1.3x) without any hardening.
var kubeadmDefaults = map[string][]string{
	"kube-apiserver": {"kube-apiserver", "--advertise-address=10.0.0.10", "--allow-privileged=true",
		"--authorization-mode=Node,RBAC", "--client-ca-file=/etc/kubernetes/pki/ca.crt",
		"--enable-admission-plugins=NodeRestriction", "--enable-bootstrap-token-auth=true",
		"--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt", "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
		"--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key", "--etcd-servers=https://127.0.0.1:2379",
		"--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
		"--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
		"--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
		"--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
		"--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
		"--requestheader-allowed-names=front-proxy-client", "--secure-port=6443",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=/etc/kubernetes/pki/sa.pub",
		"--service-account-signing-key-file=/etc/kubernetes/pki/sa.key", "--service-cluster-ip-range=10.96.0.0/12",
		"--tls-cert-file=/etc/kubernetes/pki/apiserver.crt", "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key"},
	"kube-controller-manager": {"kube-controller-manager", "--allocate-node-cidrs=true",
		"--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf", "--bind-address=127.0.0.1",
		"--client-ca-file=/etc/kubernetes/pki/ca.crt", "--cluster-name=kubernetes",
		"--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt", "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
		"--controllers=*,bootstrapsigner,tokencleaner", "--kubeconfig=/etc/kubernetes/controller-manager.conf",
		"--leader-elect=true", "--root-ca-file=/etc/kubernetes/pki/ca.crt",
		"--service-account-private-key-file=/etc/kubernetes/pki/sa.key", "--use-service-account-credentials=true"},
	"kube-scheduler": {"kube-scheduler", "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
		"--bind-address=127.0.0.1", "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true"},
	"etcd": {"etcd", "--advertise-client-urls=https://10.0.0.10:2379", "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
		"--client-cert-auth=true", "--data-dir=/var/lib/etcd", "--key-file=/etc/kubernetes/pki/etcd/server.key",
		"--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379", "--name=cp1",
		"--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt", "--peer-client-cert-auth=true",
		"--peer-key-file=/etc/kubernetes/pki/etcd/peer.key", "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
		"--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt"},
}

// A stock kubeadm control plane, listed from its API server with node data: every control
// gets a verdict, none errors, and the known kubeadm gaps fail.
func TestKubeadmCluster(t *testing.T) {
	var objs []runtime.Object
	for comp, args := range kubeadmDefaults {
		objs = append(objs, staticPod(comp, "cp1", args...))
	}
	nodeObj := &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: "cp1"}}
	ns := namespace("shop", nil)
	sa := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}}
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, o := range append(objs, nodeObj, ns, sa, deployment("shop", "web", nil),
		kubeletLive(t, "cp1", "authentication: {anonymous: {enabled: false}, x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}}\n"+
			"authorization: {mode: Webhook}\nrotateCertificates: true\nstreamingConnectionIdleTimeout: 4h0m0s\n"+
			"makeIPTablesUtilChains: true\neventRecordQPS: 50\npodPidsLimit: -1\nseccompDefault: false\n"),
		nodeFilesObj("cp1", true, nil,
			nodeFile{role: inventory.NodeFileAPIServerManifest, path: "/etc/kubernetes/manifests/kube-apiserver.yaml", mode: "0600", user: "root", group: "root"},
			nodeFile{role: inventory.NodeFileKubeletConfig, path: "/var/lib/kubelet/config.yaml", mode: "0644", user: "root", group: "root"}),
	) {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, k := range inventory.OtherNetworkPolicyKinds() { // no CNI policy kinds: what discovery shows
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.NotServed})
	}
	inv := b.Build()

	byStatus := map[check.Status][]string{}
	verdicts := map[string]check.Status{}
	for _, id := range controlIDs {
		fs := run(t, id, inv)
		require.NotEmpty(t, fs, id)
		v := controlVerdict(fs)
		verdicts[id] = v
		byStatus[v] = append(byStatus[v], id)
		for _, f := range fs {
			assert.NotEqual(t, check.StatusError, f.Status, "%s: %s", id, f.Message)
		}
	}
	var lines []string
	for s, ids := range byStatus {
		lines = append(lines, fmt.Sprintf("%-14s %3d  %s", s, len(ids), strings.Join(ids, " ")))
	}
	sort.Strings(lines)
	t.Logf("kubeadm defaults, controls by verdict:\n%s", strings.Join(lines, "\n"))

	for id, want := range map[string]check.Status{
		"1.2.1": check.StatusFail, "1.2.5": check.StatusFail, "1.2.15": check.StatusFail, "1.2.16": check.StatusFail,
		"1.2.6": check.StatusPass, "1.2.7": check.StatusPass, "1.2.14": check.StatusPass, "1.2.24": check.StatusPass,
		"1.3.2": check.StatusFail, "1.3.7": check.StatusPass, "1.4.1": check.StatusFail, "2.2": check.StatusPass,
		"2.7": check.StatusManual, "4.2.1": check.StatusPass, "4.2.13": check.StatusFail, "4.1.9": check.StatusFail,
		"1.1.1": check.StatusPass, "3.1.1": check.StatusManual, "4.3.1": check.StatusNotEvaluated, // no kube-proxy in the fixture
		"5.1.5": check.StatusFail, "5.2.1": check.StatusFail, "5.3.2": check.StatusFail,
	} {
		assert.Equal(t, want, verdicts[id], id)
	}
}

// controlVerdict folds a control's results: fail if any failed, then notEvaluated, error,
// manual, pass, notApplicable.
func controlVerdict(fs []check.Finding) check.Status {
	seen := map[check.Status]bool{}
	for _, f := range fs {
		seen[f.Status] = true
	}
	for _, s := range []check.Status{check.StatusFail, check.StatusError, check.StatusNotEvaluated, check.StatusManual, check.StatusPass} {
		if seen[s] {
			return s
		}
	}
	return check.StatusNotApplicable
}
