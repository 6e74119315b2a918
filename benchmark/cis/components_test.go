package cis

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/inventory"
)

// hardened command lines pass every flag control of their component.
var hardened = map[*component][]string{
	kubeAPIServer: {"kube-apiserver",
		"--advertise-address=10.0.0.10", "--allow-privileged=true", "--anonymous-auth=false",
		"--authorization-mode=Node,RBAC", "--client-ca-file=/etc/kubernetes/pki/ca.crt",
		"--enable-admission-plugins=NodeRestriction,DenyServiceExternalIPs,EventRateLimit,AlwaysPullImages,ImagePolicyWebhook",
		"--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt", "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
		"--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key", "--etcd-servers=https://127.0.0.1:2379",
		"--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
		"--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
		"--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
		"--profiling=false", "--audit-log-path=/var/log/kubernetes/audit.log", "--audit-log-maxage=30",
		"--audit-log-maxbackup=10", "--audit-log-maxsize=100", "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
		"--service-account-lookup=true", "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
		"--tls-cert-file=/etc/kubernetes/pki/apiserver.crt", "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
		"--encryption-provider-config=/etc/kubernetes/enc/enc.yaml",
		"--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"--service-account-extend-token-expiration=false",
	},
	kubeControllerManager: {"kube-controller-manager",
		"--bind-address=127.0.0.1", "--profiling=false", "--use-service-account-credentials=true",
		"--service-account-private-key-file=/etc/kubernetes/pki/sa.key", "--root-ca-file=/etc/kubernetes/pki/ca.crt",
		"--terminated-pod-gc-threshold=10", "--feature-gates=RotateKubeletServerCertificate=true",
		"--kubeconfig=/etc/kubernetes/controller-manager.conf", "--leader-elect=true",
	},
	kubeScheduler: {"kube-scheduler",
		"--bind-address=127.0.0.1", "--profiling=false", "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true",
	},
	etcd: {"etcd",
		"--advertise-client-urls=https://10.0.0.10:2379", "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
		"--client-cert-auth=true", "--data-dir=/var/lib/etcd", "--key-file=/etc/kubernetes/pki/etcd/server.key",
		"--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt", "--peer-client-cert-auth=true",
		"--peer-key-file=/etc/kubernetes/pki/etcd/peer.key", "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
		"--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
	},
}

// without returns args without the flags named.
func without(args []string, names ...string) []string {
	return slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		for _, n := range names {
			if a == "--"+n || strings.HasPrefix(a, "--"+n+"=") {
				return true
			}
		}
		return false
	})
}

// with returns args with extra flags appended (a later scalar flag wins).
func with(args []string, extra ...string) []string { return append(slices.Clone(args), extra...) }

type flagCase struct {
	id   string
	comp *component
	// fail turns the hardened command line into a failing one.
	fail []string
	// want is the status of the failing case (fail unless the control asks for review).
	want check.Status
	// passWant is the status of the hardened case (pass unless the control asks for review).
	passWant check.Status
}

func flagCases() []flagCase {
	api, kcm, sch, ed := hardened[kubeAPIServer], hardened[kubeControllerManager], hardened[kubeScheduler], hardened[etcd]
	return []flagCase{
		{id: "1.2.1", comp: kubeAPIServer, fail: without(api, "anonymous-auth")},
		{id: "1.2.2", comp: kubeAPIServer, fail: with(api, "--token-auth-file=/etc/tokens.csv")},
		{id: "1.2.3", comp: kubeAPIServer, fail: with(without(api, "enable-admission-plugins"), "--enable-admission-plugins=NodeRestriction")},
		{id: "1.2.4", comp: kubeAPIServer, fail: without(api, "kubelet-client-key")},
		{id: "1.2.5", comp: kubeAPIServer, fail: without(api, "kubelet-certificate-authority")},
		{id: "1.2.6", comp: kubeAPIServer, fail: with(api, "--authorization-mode=AlwaysAllow,Node,RBAC")},
		{id: "1.2.7", comp: kubeAPIServer, fail: with(without(api, "authorization-mode"), "--authorization-mode=RBAC")},
		{id: "1.2.8", comp: kubeAPIServer, fail: with(without(api, "authorization-mode"), "--authorization-mode=Node,Webhook")},
		{id: "1.2.9", comp: kubeAPIServer, fail: with(api, "--disable-admission-plugins=EventRateLimit")},
		{id: "1.2.10", comp: kubeAPIServer, fail: with(api, "--enable-admission-plugins=AlwaysAdmit")},
		{id: "1.2.11", comp: kubeAPIServer, fail: with(without(api, "enable-admission-plugins"), "--enable-admission-plugins=NodeRestriction")},
		{id: "1.2.12", comp: kubeAPIServer, fail: with(api, "--disable-admission-plugins=ServiceAccount")},
		{id: "1.2.13", comp: kubeAPIServer, fail: with(api, "--disable-admission-plugins=PodSecurity,NamespaceLifecycle")},
		{id: "1.2.14", comp: kubeAPIServer, fail: without(api, "enable-admission-plugins")},
		{id: "1.2.15", comp: kubeAPIServer, fail: with(api, "--profiling")},
		{id: "1.2.16", comp: kubeAPIServer, fail: without(api, "audit-log-path")},
		{id: "1.2.17", comp: kubeAPIServer, fail: with(api, "--audit-log-maxage=7")},
		{id: "1.2.18", comp: kubeAPIServer, fail: without(api, "audit-log-maxbackup")},
		{id: "1.2.19", comp: kubeAPIServer, fail: with(api, "--audit-log-maxsize=50")},
		{id: "1.2.20", comp: kubeAPIServer, fail: with(api, "--request-timeout=300s"), want: check.StatusManual, passWant: check.StatusManual},
		{id: "1.2.21", comp: kubeAPIServer, fail: with(api, "--service-account-lookup=false")},
		{id: "1.2.22", comp: kubeAPIServer, fail: without(api, "service-account-key-file")},
		{id: "1.2.23", comp: kubeAPIServer, fail: without(api, "etcd-certfile")},
		{id: "1.2.24", comp: kubeAPIServer, fail: without(api, "tls-private-key-file")},
		{id: "1.2.25", comp: kubeAPIServer, fail: without(api, "client-ca-file")},
		{id: "1.2.26", comp: kubeAPIServer, fail: without(api, "etcd-cafile")},
		{id: "1.2.27", comp: kubeAPIServer, fail: without(api, "encryption-provider-config")},
		{id: "1.2.29", comp: kubeAPIServer, fail: with(api, "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA")},
		{id: "1.2.30", comp: kubeAPIServer, fail: without(api, "service-account-extend-token-expiration")},
		{id: "3.2.1", comp: kubeAPIServer, fail: without(api, "audit-policy-file")},
		{id: "5.5.1", comp: kubeAPIServer, fail: without(api, "enable-admission-plugins"), want: check.StatusManual},
		{id: "1.3.1", comp: kubeControllerManager, fail: without(kcm, "terminated-pod-gc-threshold")},
		{id: "1.3.2", comp: kubeControllerManager, fail: with(kcm, "--profiling=true")},
		{id: "1.3.3", comp: kubeControllerManager, fail: without(kcm, "use-service-account-credentials")},
		{id: "1.3.4", comp: kubeControllerManager, fail: without(kcm, "service-account-private-key-file")},
		{id: "1.3.5", comp: kubeControllerManager, fail: without(kcm, "root-ca-file")},
		{id: "1.3.6", comp: kubeControllerManager, fail: with(kcm, "--feature-gates=Foo=true,RotateKubeletServerCertificate=False")},
		{id: "1.3.7", comp: kubeControllerManager, fail: without(kcm, "bind-address")},
		{id: "1.4.1", comp: kubeScheduler, fail: with(sch, "--profiling=1")},
		{id: "1.4.2", comp: kubeScheduler, fail: with(sch, "--bind-address", "0.0.0.0")},
		{id: "2.1", comp: etcd, fail: without(ed, "key-file")},
		{id: "2.2", comp: etcd, fail: with(ed, "--client-cert-auth=false")},
		{id: "2.3", comp: etcd, fail: with(ed, "--auto-tls")},
		{id: "2.4", comp: etcd, fail: without(ed, "peer-cert-file")},
		{id: "2.5", comp: etcd, fail: without(ed, "peer-client-cert-auth")},
		{id: "2.6", comp: etcd, fail: with(ed, "--peer-auto-tls=true")},
		{id: "2.7", comp: etcd, fail: without(ed, "trusted-ca-file"), passWant: check.StatusManual},
	}
}

func TestFlagControls(t *testing.T) {
	for _, tc := range flagCases() {
		t.Run(tc.id, func(t *testing.T) {
			passWant, failWant := tc.passWant, tc.want
			if passWant == "" {
				passWant = check.StatusPass
			}
			if failWant == "" {
				failWant = check.StatusFail
			}
			good := run(t, tc.id, newInv(t, staticPod(tc.comp.name, "cp1", hardened[tc.comp]...)))
			require.Len(t, good, 1)
			assert.Equal(t, passWant, good[0].Status, good[0].Message)
			require.NotNil(t, good[0].Object)
			assert.Equal(t, tc.comp.name+"-cp1", good[0].Object.Name())

			bad := run(t, tc.id, newInv(t, staticPod(tc.comp.name, "cp1", tc.fail...)))
			require.Len(t, bad, 1)
			assert.Equal(t, failWant, bad[0].Status, bad[0].Message)
			assert.True(t, strings.HasPrefix(bad[0].Field, "spec.containers[0]."), bad[0].Field)
		})
	}
}

// Every control-plane flag control has a case above.
func TestFlagControlsCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range flagCases() {
		covered[tc.id] = true
	}
	for _, fcs := range [][]control{apiServerControls(), controllerManagerControls(), schedulerControls(), etcdControls()} {
		for _, c := range fcs {
			assert.True(t, covered[c.id], "no pass/fail case for %s", c.id)
		}
	}
}

// flagForm is a command line of one component and the verdict of one control over it.
type flagForm struct {
	name string
	id   string
	comp *component
	args []string
	want check.Status
	msg  string
}

// checkFlagForms runs each case's control over a static pod running its command line.
func checkFlagForms(t *testing.T, tests []flagForm) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := run(t, tc.id, newInv(t, staticPod(tc.comp.name, "cp1", tc.args...)))
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
			assert.Contains(t, fs[0].Message, tc.msg)
		})
	}
}

func TestFlagDefaultsAndForms(t *testing.T) {
	api := hardened[kubeAPIServer]
	checkFlagForms(t, []flagForm{
		{"anonymous-auth bare flag is true", "1.2.1", kubeAPIServer, with(api, "--anonymous-auth"), check.StatusFail, "true"},
		{"anonymous-auth=0", "1.2.1", kubeAPIServer, with(api, "--anonymous-auth=0"), check.StatusPass, ""},
		{"anonymous-auth in authentication-config is not visible", "1.2.1", kubeAPIServer,
			with(without(api, "anonymous-auth"), "--authentication-config=/etc/kubernetes/authn.yaml"), check.StatusNotEvaluated, "authn.yaml"},
		{"authorization-mode unset defaults to AlwaysAllow", "1.2.6", kubeAPIServer, without(api, "authorization-mode"), check.StatusFail, "AlwaysAllow"},
		{"authorization-mode empty also means AlwaysAllow", "1.2.6", kubeAPIServer, with(without(api, "authorization-mode"), "--authorization-mode="), check.StatusFail, "AlwaysAllow"},
		{"authorization-mode empty has no Node", "1.2.7", kubeAPIServer, with(without(api, "authorization-mode"), "--authorization-mode="), check.StatusFail, "AlwaysAllow"},
		{"underscores read as dashes", "1.2.2", kubeAPIServer, with(api, "--token_auth_file=/etc/kubernetes/tokens.csv"), check.StatusFail, "token-auth-file"},
		{"underscore spelling given later wins", "1.2.1", kubeAPIServer, with(api, "--anonymous_auth=true"), check.StatusFail, "want false"},
		{"underscore admission list accumulates", "1.2.10", kubeAPIServer, with(api, "--enable_admission_plugins=AlwaysAdmit"), check.StatusFail, "AlwaysAdmit"},
		{"quoted list value read as pflag's CSV", "1.2.10", kubeAPIServer, with(without(api, "enable-admission-plugins"), `--enable-admission-plugins="AlwaysAdmit"`), check.StatusFail, "AlwaysAdmit is on"},
		{"a non-boolean flag without a value is still set", "1.2.2", kubeAPIServer, with(api, "--token-auth-file", "--v=2"), check.StatusFail, "token-auth-file"},
		{"etcd does not read underscores as dashes", "2.2", etcd, with(without(hardened[etcd], "client-cert-auth"), "--client_cert_auth=true"), check.StatusFail, "not set"},
		{"authorization-config hides the authorizers", "1.2.6", kubeAPIServer,
			with(without(api, "authorization-mode"), "--authorization-config=/etc/kubernetes/authz.yaml"), check.StatusNotEvaluated, ""},
		{"authorization-mode space form", "1.2.8", kubeAPIServer, with(without(api, "authorization-mode"), "--authorization-mode", "Node,RBAC"), check.StatusPass, ""},
		{"RBAC is not matched by substring", "1.2.8", kubeAPIServer, with(without(api, "authorization-mode"), "--authorization-mode=Node,NotRBAC"), check.StatusFail, ""},
		{"repeated list flag accumulates", "1.2.14", kubeAPIServer,
			with(without(api, "enable-admission-plugins"), "--enable-admission-plugins=EventRateLimit", "--enable-admission-plugins=NodeRestriction"), check.StatusPass, ""},
		{"legacy admission-control replaces the defaults", "1.2.13", kubeAPIServer,
			with(without(api, "enable-admission-plugins"), "--admission-control=NodeRestriction,ServiceAccount"), check.StatusFail, "admission-control"},
		{"profiling=False", "1.2.15", kubeAPIServer, with(api, "--profiling=False"), check.StatusPass, ""},
		{"profiling unset defaults to true", "1.2.15", kubeAPIServer, without(api, "profiling"), check.StatusFail, "defaults to true"},
		{"profiling given twice keeps the last", "1.2.15", kubeAPIServer, with(api, "--profiling=true", "--profiling=false"), check.StatusPass, ""},
		{"profiling not a boolean", "1.2.15", kubeAPIServer, with(api, "--profiling=nope"), check.StatusFail, "not a boolean"},
		{"maxage not an integer", "1.2.17", kubeAPIServer, with(api, "--audit-log-maxage=30d"), check.StatusFail, "not an integer"},
		{"service-account-lookup unset defaults to true", "1.2.21", kubeAPIServer, without(api, "service-account-lookup"), check.StatusPass, ""},
		{"external token signer", "1.2.22", kubeAPIServer,
			with(without(api, "service-account-key-file"), "--service-account-signing-endpoint=/run/signer.sock"), check.StatusPass, "external signer"},
		{"cipher suites unset", "1.2.29", kubeAPIServer, without(api, "tls-cipher-suites"), check.StatusFail, "not set"},
		{"controller manager bind ::1", "1.3.7", kubeControllerManager, with(hardened[kubeControllerManager], "--bind-address=::1"), check.StatusPass, ""},
		{"feature gate absent", "1.3.6", kubeControllerManager, without(hardened[kubeControllerManager], "feature-gates"), check.StatusPass, ""},
		{"AllBeta=false turns the beta gate off", "1.3.6", kubeControllerManager,
			with(without(hardened[kubeControllerManager], "feature-gates"), "--feature-gates=AllBeta=false"), check.StatusFail, "AllBeta"},
		{"an explicit gate wins over AllBeta=false", "1.3.6", kubeControllerManager,
			with(without(hardened[kubeControllerManager], "feature-gates"), "--feature-gates=AllBeta=false", "--feature-gates=RotateKubeletServerCertificate=true"), check.StatusPass, ""},
		{"scheduler config file hides profiling", "1.4.1", kubeScheduler,
			with(without(hardened[kubeScheduler], "profiling"), "--config=/etc/kubernetes/scheduler-config.yaml"), check.StatusNotEvaluated, "enableProfiling"},
		{"scheduler bind unset", "1.4.2", kubeScheduler, without(hardened[kubeScheduler], "bind-address"), check.StatusFail, "every interface"},
		{"etcd single-dash flag", "2.2", etcd, with(without(hardened[etcd], "client-cert-auth"), "-client-cert-auth=true"), check.StatusPass, ""},
		{"etcd config file", "2.2", etcd, with(hardened[etcd], "--config-file=/etc/etcd/etcd.yaml"), check.StatusNotEvaluated, "config-file"},
	})
}

func TestEtcdEnvironment(t *testing.T) {
	pod := staticPod("etcd", "cp1", without(hardened[etcd], "client-cert-auth", "peer-auto-tls")...)
	pod.Spec.Containers[0].Env = []corev1.EnvVar{
		{Name: "ETCD_CLIENT_CERT_AUTH", Value: "true"},
		{Name: "ETCD_PEER_AUTO_TLS", Value: "true"},
	}
	fs := run(t, "2.2", newInv(t, pod))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)
	assert.Equal(t, "spec.containers[0].env", fs[0].Field)

	fs = run(t, "2.6", newInv(t, pod))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status)

	pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "ETCD_CLIENT_CERT_AUTH", ValueFrom: &corev1.EnvVarSource{
		ConfigMapKeyRef: &corev1.ConfigMapKeySelector{Key: "auth"}}}}
	fs = run(t, "2.2", newInv(t, pod))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
}

func TestEtcdCAShared(t *testing.T) {
	ed := with(without(hardened[etcd], "trusted-ca-file"), "--trusted-ca-file=/etc/kubernetes/pki/ca.crt")
	fs := run(t, "2.7", newInv(t, staticPod("etcd", "cp1", ed...), staticPod("kube-apiserver", "cp1", hardened[kubeAPIServer]...)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status)
}

func TestHAOneResultPerInstance(t *testing.T) {
	inv := newInv(t,
		staticPod("kube-apiserver", "cp1", hardened[kubeAPIServer]...),
		staticPod("kube-apiserver", "cp2", without(hardened[kubeAPIServer], "profiling")...),
		staticPod("kube-apiserver", "cp3", hardened[kubeAPIServer]...),
	)
	fs := run(t, "1.2.15", inv)
	require.Len(t, fs, 3)
	assert.Equal(t, []check.Status{check.StatusPass, check.StatusFail, check.StatusPass}, statuses(fs))
	assert.Equal(t, "kube-apiserver-cp2", fs[1].Object.Name())
}

func TestComponentAbsent(t *testing.T) {
	podKind := kindInfo(t, "Pod")
	tests := []struct {
		name string
		inv  *inventory.Inventory
		id   string
		want check.Status
		msg  string
	}{
		{"managed control plane", clusterInv(t, []inventory.KindInfo{podKind}), "1.2.15", check.StatusNotEvaluated, "managed control plane"},
		{"pods forbidden", func() *inventory.Inventory {
			b := inventory.NewBuilder(inventory.ModeCluster)
			b.SetCoverage(inventory.Coverage{Kind: "Pod", State: inventory.Forbidden, Reason: "pods is forbidden"})
			return b.Build()
		}(), "1.2.15", check.StatusNotEvaluated, "forbidden"},
		{"no pods in manifests", newInv(t), "1.3.2", check.StatusNotEvaluated, "no Pod"},
		{"external etcd", clusterInv(t, []inventory.KindInfo{podKind}, staticPod("kube-apiserver", "cp1", hardened[kubeAPIServer]...)),
			"2.1", check.StatusNotEvaluated, "external etcd"},
		{"a backup pod naming the etcd data directory is not etcd", clusterInv(t, []inventory.KindInfo{podKind},
			staticPod("kube-apiserver", "cp1", hardened[kubeAPIServer]...),
			func() *corev1.Pod {
				p := staticPod("etcd-backup", "cp1", "etcdctl", "snapshot", "save", "/backup/snap.db", "--data-dir", "/var/lib/etcd")
				p.Annotations = nil
				return p
			}()),
			"2.2", check.StatusNotEvaluated, "external etcd"},
		{"managed control plane with a log shipper reading /var/log/kube-apiserver", clusterInv(t, []inventory.KindInfo{podKind},
			func() *corev1.Pod {
				p := staticPod("fluent-bit", "n1", "/fluent-bit/bin/fluent-bit", "-i", "tail", "-p", "path=/var/log/kube-apiserver", "-o", "stdout")
				p.Annotations = nil
				return p
			}()),
			"1.2.2", check.StatusNotEvaluated, "managed control plane"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := run(t, tc.id, tc.inv)
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status)
			assert.Nil(t, fs[0].Object)
			assert.Contains(t, fs[0].Message, tc.msg)
		})
	}
}

func TestComponentDiscovery(t *testing.T) {
	// A static pod manifest read from disk without a namespace, found by its command.
	bare := staticPod("kube-scheduler", "x", "/usr/local/bin/kube-scheduler", "--profiling=false")
	bare.Namespace, bare.Labels, bare.Annotations = "", nil, nil
	fs := run(t, "1.4.1", newInv(t, bare))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)

	// Found by its label, flags in args, entrypoint from the image.
	labelled := staticPod("kube-scheduler", "cp1")
	labelled.Spec.Containers[0].Args = []string{"--profiling=true"}
	fs = run(t, "1.4.1", newInv(t, labelled))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusFail, fs[0].Status)
	assert.Equal(t, "spec.containers[0].args[0]", fs[0].Field)

	// Labelled as the component but started by a script of its own: the flags are not visible.
	scripted := staticPod("kube-apiserver", "cp1", "/opt/start-apiserver.sh")
	fs = run(t, "1.2.2", newInv(t, scripted))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "/opt/start-apiserver.sh")

	// A shell wrapper that adds flags built at run time: what they are is not visible.
	dynamic := staticPod("kube-apiserver", "cp1", "/bin/sh", "-c", "exec kube-apiserver --authorization-mode=Node,RBAC $EXTRA_FLAGS")
	fs = run(t, "1.2.2", newInv(t, dynamic))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)

	// A shell wrapper.
	wrapped := staticPod("kube-scheduler", "cp1", "/bin/sh", "-c", "exec /usr/local/bin/kube-scheduler --profiling=false --bind-address=127.0.0.1")
	fs = run(t, "1.4.2", newInv(t, wrapped))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)

	// In a cluster, a user's etcd in another namespace, controlled by a StatefulSet, is not the cluster's.
	app := staticPod("etcd", "n1", "etcd", "--client-cert-auth=false")
	app.Namespace, app.Annotations = "shop", nil
	app.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "etcd", UID: "u1", Controller: ptrTo(true)}}
	fs = run(t, "2.2", clusterInv(t, []inventory.KindInfo{kindInfo(t, "Pod")}, app))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
	assert.Contains(t, fs[0].Message, "no etcd pod in kube-system", "the user's etcd is not taken for the cluster's")
}

func ptrTo[T any](v T) *T { return &v }

// A flag that takes a value takes the next word whatever it looks like, as pflag and Go's
// flag package read it: in "--audit-log-path --profiling=false" the API server logs to a file
// named --profiling=false and profiling stays on. A flag kspm does not know followed by a
// flag-like word may or may not take it: what depends on that word is not evaluated.
func TestFlagNextWord(t *testing.T) {
	api := without(hardened[kubeAPIServer], "profiling", "audit-log-path")
	kcm := without(hardened[kubeControllerManager], "profiling", "root-ca-file")
	ec := without(hardened[etcd], "client-cert-auth", "cert-file")
	checkFlagForms(t, []flagForm{
		{"value flag takes a flag-like next word", "1.2.15", kubeAPIServer,
			with(api, "--audit-log-path", "--profiling=false"), check.StatusFail, "defaults to true"},
		{"the flag-like word is the value", "1.2.16", kubeAPIServer,
			with(api, "--audit-log-path", "--profiling=false"), check.StatusPass, "--profiling=false"},
		{"underscore spelling of a value flag", "1.2.15", kubeAPIServer,
			with(api, "--audit_log_path", "--profiling=false"), check.StatusFail, "defaults to true"},
		{"a boolean flag never takes the next word", "1.2.15", kubeAPIServer,
			with(api, "--enable-aggregator-routing", "--profiling=false"), check.StatusPass, ""},
		{"a flag with an implicit value never takes the next word", "1.2.15", kubeAPIServer,
			with(api, "--version", "--profiling=false"), check.StatusPass, ""},
		{"unknown flag before a flag-like word", "1.2.15", kubeAPIServer,
			with(api, "--not-a-kube-flag", "--profiling=false"), check.StatusNotEvaluated, "not-a-kube-flag"},
		{"unknown flag before a plain word", "1.2.15", kubeAPIServer,
			with(api, "--not-a-kube-flag", "x", "--profiling=false"), check.StatusPass, ""},
		{"a later certain occurrence decides", "1.2.15", kubeAPIServer,
			with(api, "--not-a-kube-flag", "--profiling=true", "--profiling=false"), check.StatusPass, ""},
		{"controller manager", "1.3.2", kubeControllerManager,
			with(kcm, "--root-ca-file", "--profiling=false"), check.StatusFail, "defaults to true"},
		{"etcd (Go flag package)", "2.2", etcd,
			with(ec, "--cert-file", "--client-cert-auth=true"), check.StatusFail, "not set"},
		{"etcd single-dash value flag", "2.2", etcd,
			with(ec, "-cert-file", "-client-cert-auth=true"), check.StatusFail, "not set"},
		{"pflag reads -profiling as shorthands and rejects it", "1.2.15", kubeAPIServer,
			with(api, "-profiling=false"), check.StatusNotEvaluated, "would not start"},
		{"shorthand -v takes the next word", "1.2.15", kubeAPIServer,
			with(api, "-v", "--profiling=false"), check.StatusFail, "defaults to true"},
		{"an unquoted shell expansion may be no word at all", "1.2.15", kubeAPIServer,
			[]string{"/bin/sh", "-c", "exec " + strings.Join(api, " ") + " --audit-log-path $LOG --profiling=false"}, check.StatusNotEvaluated, "not visible"},
		{"a launcher flag's value is not the command", "1.2.15", kubeAPIServer,
			append([]string{"nice", "-n", "10"}, with(api, "--profiling=false")...), check.StatusPass, ""},
	})
}

// Every flag of the hardened command lines is one the component's flag list knows.
func TestHardenedFlagsKnown(t *testing.T) {
	for c, args := range hardened {
		in, ok := matchComponent(nil, staticPod(c.name, "cp1", args...), c)
		require.True(t, ok, c.name)
		assert.Empty(t, in.opaque, c.name)
		assert.Empty(t, in.flags.Problems(), c.name)
		spec := flags.SpecFor(c.name)
		for _, n := range in.flags.Names() {
			assert.True(t, spec.Arg[n] || spec.NoArg[n], "%s --%s", c.name, n)
		}
	}
}

// decoyPod returns a pod that carries the marks of a static pod of component (the
// kubernetes.io/config.mirror and config.source annotations, an owner reference to its Node)
// in namespace ns: the API server accepts every one of these marks from any user allowed to
// create pods there (NodeRestriction restricts kubelets only), so they prove nothing.
func decoyPod(component, ns string, command ...string) *corev1.Pod {
	p := staticPod(component, "worker-1", command...)
	p.Namespace = ns
	p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "worker-1", UID: "u-worker-1", Controller: ptrTo(true)}}
	return p
}

// Each static pod mark alone, outside kube-system.
func decoyMarks() map[string]func(*corev1.Pod) {
	return map[string]func(*corev1.Pod){
		"mirror annotation": func(p *corev1.Pod) {
			p.OwnerReferences = nil
			p.Annotations = map[string]string{annotationMirror: "abc"}
		},
		"config.source annotation": func(p *corev1.Pod) {
			p.OwnerReferences = nil
			p.Annotations = map[string]string{annotationConfigSource: "file"}
		},
		"Node owner": func(p *corev1.Pod) { p.Annotations = nil },
		"all marks":  func(*corev1.Pod) {},
	}
}

// A pod outside kube-system that looks like a control-plane component is not the cluster's
// component: on a managed control plane (no component pod in kube-system) a tenant's decoy
// with hardened flags must not make the control pass.
func TestDecoyComponentAlone(t *testing.T) {
	podKind := kindInfo(t, "Pod")
	for mark, mutate := range decoyMarks() {
		for _, mode := range []inventory.Mode{inventory.ModeCluster, inventory.ModeManifests} {
			t.Run(mark+"/"+string(mode), func(t *testing.T) {
				for _, tc := range flagCases() {
					d := decoyPod(tc.comp.name, "tenant", hardened[tc.comp]...)
					mutate(d)
					inv := clusterInv(t, []inventory.KindInfo{podKind}, d)
					if mode == inventory.ModeManifests {
						inv = newInv(t, d)
					}
					fs := run(t, tc.id, inv)
					require.Len(t, fs, 1, tc.id)
					assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, "%s: %s", tc.id, fs[0].Message)
					require.NotNil(t, fs[0].Object, tc.id)
					assert.Equal(t, "tenant", fs[0].Object.Namespace(), tc.id)
					assert.Contains(t, fs[0].Message, "not kube-system", tc.id)
				}
			})
		}
	}
}

// A decoy beside the real kube-system component neither hides the real one's failure nor adds
// a pass or a failure of its own.
func TestDecoyBesideRealComponent(t *testing.T) {
	podKind := kindInfo(t, "Pod")
	for _, tc := range flagCases() {
		t.Run(tc.id, func(t *testing.T) {
			failWant := tc.want
			if failWant == "" {
				failWant = check.StatusFail
			}
			realPod := staticPod(tc.comp.name, "cp1", tc.fail...)
			good := decoyPod(tc.comp.name, "tenant", hardened[tc.comp]...)
			fs := run(t, tc.id, clusterInv(t, []inventory.KindInfo{podKind}, realPod, good))
			require.Len(t, fs, 2)
			assert.Equal(t, []check.Status{failWant, check.StatusNotEvaluated}, statuses(fs), fs[0].Message)
			assert.Equal(t, "kube-system", fs[0].Object.Namespace())

			passWant := tc.passWant
			if passWant == "" {
				passWant = check.StatusPass
			}
			realPod = staticPod(tc.comp.name, "cp1", hardened[tc.comp]...)
			bad := decoyPod(tc.comp.name, "tenant", tc.fail...)
			fs = run(t, tc.id, clusterInv(t, []inventory.KindInfo{podKind}, realPod, bad))
			require.Len(t, fs, 2)
			assert.Equal(t, []check.Status{passWant, check.StatusNotEvaluated}, statuses(fs), fs[1].Message)
		})
	}
}

// Controls that read one component to judge another take only the real one's word.
func TestDecoyDoesNotFeedOtherControls(t *testing.T) {
	podKind := kindInfo(t, "Pod")
	// A decoy API server does not make etcd look external on a managed control plane.
	fs := run(t, "2.1", clusterInv(t, []inventory.KindInfo{podKind}, decoyPod("kube-apiserver", "tenant", hardened[kubeAPIServer]...)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, fs[0].Message)
	assert.Contains(t, fs[0].Message, "managed control plane", "not taken for external etcd")

	// Nor does its --client-ca-file make the real etcd's CA look shared with the cluster's.
	decoyAPI := decoyPod("kube-apiserver", "tenant", with(hardened[kubeAPIServer], "--client-ca-file=/etc/kubernetes/pki/etcd/ca.crt")...)
	fs = run(t, "2.7", clusterInv(t, []inventory.KindInfo{podKind},
		staticPod("kube-apiserver", "cp1", hardened[kubeAPIServer]...), staticPod("etcd", "cp1", hardened[etcd]...), decoyAPI))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusManual, fs[0].Status, fs[0].Message)
}

// In manifests, a static pod manifest written without a namespace (namespace default once
// loaded, as the kubelet also places it) is the component; a pod in default that was listed
// from an API server (it has a UID, or the marks the kubelet puts on mirror pods) is not:
// there, namespace default is open to users.
func TestManifestsDefaultNamespace(t *testing.T) {
	args := hardened[kubeScheduler]
	written := staticPod("kube-scheduler", "cp1", args...)
	written.Namespace, written.Annotations = "default", nil
	fs := run(t, "1.4.1", newInv(t, written))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)

	listed := written.DeepCopy()
	listed.UID = "3f6b1c2d-0003-4e5f-a6b7-000000000001"
	mirrored := staticPod("kube-scheduler", "cp1", args...)
	mirrored.Namespace = "default"
	for name, p := range map[string]*corev1.Pod{"listed": listed, "mirror marks": mirrored} {
		fs = run(t, "1.4.1", newInv(t, p))
		require.Len(t, fs, 1, name)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, "%s: %s", name, fs[0].Message)
		assert.Contains(t, fs[0].Message, "namespace default, not kube-system", name)
	}
}
