package cis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// kubeletFile returns a KubeletConfiguration object from YAML, as a manifest file gives it.
func kubeletFile(t *testing.T, name, doc string) *unstructured.Unstructured {
	t.Helper()
	var m map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(doc), &m))
	if m == nil {
		m = map[string]any{}
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetAPIVersion("kubelet.config.k8s.io/v1beta1")
	u.SetKind("KubeletConfiguration")
	u.SetName(name)
	return u
}

// kubeletLive returns a KubeletConfiguration as /configz gives it for node.
func kubeletLive(t *testing.T, node, doc string) *unstructured.Unstructured {
	u := kubeletFile(t, node, doc)
	u.SetAnnotations(map[string]string{inventory.AnnotationNode: node,
		inventory.AnnotationKubeletConfigSource: inventory.KubeletConfigFromConfigz})
	return u
}

const hardenedKubelet = `
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
authorization: {mode: Webhook}
readOnlyPort: 0
streamingConnectionIdleTimeout: 4h0m0s
makeIPTablesUtilChains: true
eventRecordQPS: 5
tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key
rotateCertificates: true
featureGates: {RotateKubeletServerCertificate: true}
tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
podPidsLimit: 4096
seccompDefault: true
`

func TestKubeletControls(t *testing.T) {
	tests := []struct {
		id   string
		fail string // YAML merged over the hardened configuration
	}{
		{"4.2.1", "authentication: {anonymous: {enabled: true}, x509: {clientCAFile: /ca.crt}}"},
		{"4.2.2", "authorization: {mode: AlwaysAllow}"},
		{"4.2.3", "authentication: {anonymous: {enabled: false}, x509: {}}"},
		{"4.2.4", "readOnlyPort: 10255"},
		{"4.2.6", "makeIPTablesUtilChains: false"},
		{"4.2.8", "eventRecordQPS: -1"},
		{"4.2.9", "tlsCertFile: ''"},
		{"4.2.10", "rotateCertificates: false"},
		{"4.2.11", "featureGates: {RotateKubeletServerCertificate: false}"},
		{"4.2.12", "tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_3DES_EDE_CBC_SHA]"},
		{"4.2.13", "podPidsLimit: -1"},
		{"4.2.14", "seccompDefault: false"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			fs := run(t, tc.id, newInv(t, kubeletFile(t, "node-config", hardenedKubelet)))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusPass, fs[0].Status, fs[0].Message)
			assert.Equal(t, "node-config", fs[0].Object.Name())

			bad := kubeletFile(t, "node-config", hardenedKubelet)
			var patch map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(tc.fail), &patch))
			for k, v := range patch {
				bad.Object[k] = v
			}
			fs = run(t, tc.id, newInv(t, bad))
			require.Len(t, fs, 1)
			assert.Equal(t, check.StatusFail, fs[0].Status, fs[0].Message)
			assert.NotEmpty(t, fs[0].Field)
		})
	}
	// 4.2.5 cannot fail from a file: the kubelet replaces 0 with 4h. It fails live.
	t.Run("4.2.5", func(t *testing.T) {
		fs := run(t, "4.2.5", newInv(t, kubeletLive(t, "n1", "streamingConnectionIdleTimeout: 4h0m0s")))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
		fs = run(t, "4.2.5", newInv(t, kubeletLive(t, "n1", "streamingConnectionIdleTimeout: 0s")))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status)
		fs = run(t, "4.2.5", newInv(t, kubeletFile(t, "f", "streamingConnectionIdleTimeout: 0s")))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
		assert.Contains(t, fs[0].Message, "4h0m0s")
	})
}

// An empty configuration file is judged by the v1beta1 defaults; an empty live configuration
// by zero values (its fields are omitempty).
func TestKubeletDefaults(t *testing.T) {
	tests := []struct {
		id         string
		file, live check.Status
	}{
		{"4.2.1", check.StatusPass, check.StatusPass},
		{"4.2.2", check.StatusPass, check.StatusFail},
		{"4.2.3", check.StatusFail, check.StatusFail},
		{"4.2.4", check.StatusPass, check.StatusPass},
		{"4.2.6", check.StatusPass, check.StatusFail},
		{"4.2.8", check.StatusPass, check.StatusPass},
		{"4.2.9", check.StatusFail, check.StatusFail},
		{"4.2.10", check.StatusFail, check.StatusFail},
		{"4.2.11", check.StatusPass, check.StatusPass},
		{"4.2.12", check.StatusFail, check.StatusFail},
		{"4.2.13", check.StatusFail, check.StatusFail},
		{"4.2.14", check.StatusFail, check.StatusFail},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			fs := run(t, tc.id, newInv(t, kubeletFile(t, "f", "")))
			require.Len(t, fs, 1)
			assert.Equal(t, tc.file, fs[0].Status, "file: "+fs[0].Message)
			fs = run(t, tc.id, newInv(t, kubeletLive(t, "n1", "")))
			require.Len(t, fs, 1)
			assert.Equal(t, tc.live, fs[0].Status, "live: "+fs[0].Message)
		})
	}
}

func TestKubeletSources(t *testing.T) {
	t.Run("no data", func(t *testing.T) {
		fs := run(t, "4.2.1", newInv(t))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
	})
	t.Run("kubeadm ConfigMap", func(t *testing.T) {
		cm := &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "kubelet-config", Namespace: "kube-system"},
			Data:       map[string]string{"kubelet": "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n"},
		}
		fs := run(t, "4.2.4", newInv(t, cm))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status)
		assert.Equal(t, "data.kubelet.readOnlyPort", fs[0].Field)
		assert.Equal(t, "ConfigMap", fs[0].Object.Kind())
	})
	t.Run("broken ConfigMap", func(t *testing.T) {
		cm := &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "kubelet-config", Namespace: "kube-system"},
			Data:       map[string]string{"kubelet": "readOnlyPort: [unclosed"},
		}
		fs := run(t, "4.2.4", newInv(t, cm))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status)
		assert.Contains(t, fs[0].Message, "kube-system/kubelet-config")
	})
	t.Run("live per node, unfetched node not evaluated", func(t *testing.T) {
		node := func(name string) *corev1.Node {
			return &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: name}}
		}
		inv := newInv(t, node("n1"), node("n2"), node("n3"),
			kubeletLive(t, "n1", "readOnlyPort: 0"), kubeletLive(t, "n2", "readOnlyPort: 10255"))
		fs := run(t, "4.2.4", inv)
		require.Len(t, fs, 3)
		assert.Equal(t, []check.Status{check.StatusPass, check.StatusFail, check.StatusNotEvaluated}, statuses(fs))
		assert.Equal(t, "n3", fs[2].Object.Name())
		assert.Equal(t, "Node", fs[2].Object.Kind())
	})
	t.Run("JSON numbers from configz", func(t *testing.T) {
		obj, err := inventory.ParseConfigz("n1", []byte(`{"kubeletconfig":{"podPidsLimit":4096,"readOnlyPort":10255}}`))
		require.NoError(t, err)
		fs := run(t, "4.2.13", newInv(t, obj))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
		fs = run(t, "4.2.4", newInv(t, obj))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusFail, fs[0].Status)
	})
	t.Run("serverTLSBootstrap", func(t *testing.T) {
		fs := run(t, "4.2.9", newInv(t, kubeletFile(t, "f", "serverTLSBootstrap: true")))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusPass, fs[0].Status)
	})
}

// The kubelet's command-line flags, seen by a node scan, override its configuration file.
func TestKubeletFlagsOverrideFile(t *testing.T) {
	file := kubeletFile(t, "n1", "readOnlyPort: 0\nrotateCertificates: true\nfeatureGates: {Foo: true}\n")
	file.SetAnnotations(map[string]string{inventory.AnnotationNode: "n1",
		inventory.AnnotationKubeletConfigSource: inventory.KubeletConfigFromFile})
	nf := nodeFilesObj("n1", false, map[string]any{
		"kubeletArgs":     []any{"--read-only-port=10255", "--rotate-certificates=false", "--feature-gates=RotateKubeletServerCertificate=false"},
		"kubeletArgsFrom": []any{"/var/lib/kubelet/kubeadm-flags.env"},
	})
	inv := newInv(t, file, nf)
	for _, id := range []string{"4.2.4", "4.2.10", "4.2.11"} {
		fs := run(t, id, inv)
		require.Len(t, fs, 1, id)
		assert.Equal(t, check.StatusFail, fs[0].Status, id)
		assert.Contains(t, fs[0].Message, "flags", id)
	}
	// The file object itself is not modified.
	m, err := inv.ByKind(inventory.KindKubeletConfiguration)[0].Map()
	require.NoError(t, err)
	assert.EqualValues(t, 0, m["readOnlyPort"])
}

// nodeKubelet returns a node scan's KubeletConfiguration for node (source file or none) and
// the node's NodeFiles object with the kubelet flags given.
func nodeKubelet(t *testing.T, node, source, doc string, args ...string) (*unstructured.Unstructured, *unstructured.Unstructured) {
	t.Helper()
	kc := kubeletFile(t, node, doc)
	kc.SetAnnotations(map[string]string{inventory.AnnotationNode: node, inventory.AnnotationKubeletConfigSource: source})
	list := make([]any, len(args))
	for i, a := range args {
		list[i] = a
	}
	nf := nodeFilesObj(node, false, map[string]any{
		"kubeletArgs": list, "kubeletArgsFrom": []any{"/usr/lib/systemd/system/kubelet.service"}, "kubeletCommandLine": true,
	})
	return kc, nf
}

func TestKubeletFlagsAndSources(t *testing.T) {
	const file, none = inventory.KubeletConfigFromFile, inventory.KubeletConfigWithoutFile
	tests := []struct {
		name   string
		id     string
		source string
		doc    string
		args   []string
		want   check.Status
		msg    string
	}{
		{"idle timeout 0 from a flag is not defaulted", "4.2.5", file, "streamingConnectionIdleTimeout: 4h0m0s",
			[]string{"--streaming-connection-idle-timeout=0"}, check.StatusFail, "flag"},
		{"idle timeout 0s in the file is defaulted", "4.2.5", file, "streamingConnectionIdleTimeout: 0s", nil, check.StatusPass, "4h0m0s"},
		{"underscore flag overrides the file", "4.2.4", file, "readOnlyPort: 0", []string{"--read_only_port=10255"}, check.StatusFail, "10255"},
		{"--rotate-server-certificates=false overrides serverTLSBootstrap", "4.2.9", file, "serverTLSBootstrap: true",
			[]string{"--rotate-server-certificates=false"}, check.StatusFail, "self-signed"},
		{"no --config: anonymous auth is on by default", "4.2.1", none, "", nil, check.StatusFail, "without a configuration file"},
		{"no --config: authorization defaults to AlwaysAllow", "4.2.2", none, "", nil, check.StatusFail, "AlwaysAllow"},
		{"no --config: the read-only port defaults to 10255", "4.2.4", none, "", nil, check.StatusFail, "10255"},
		{"no --config: flags decide", "4.2.1", none, "", []string{"--anonymous-auth=false"}, check.StatusPass, ""},
		{"no --config: Webhook from a flag", "4.2.2", none, "", []string{"--authorization-mode=Webhook"}, check.StatusPass, ""},
		{"no --config: read-only port closed by a flag", "4.2.4", none, "", []string{"--read-only-port", "0"}, check.StatusPass, ""},
		{"no --config: other defaults as in a file", "4.2.6", none, "", nil, check.StatusPass, ""},
		{"no --config: drop-ins still count", "4.2.1", none, "authentication: {anonymous: {enabled: false}}", nil, check.StatusPass, ""},
		{"AllBeta=false turns the beta gate off", "4.2.11", file, "featureGates: {AllBeta: false}", nil, check.StatusFail, "AllBeta"},
		{"AllBeta=false from a flag", "4.2.11", file, "featureGates: {Foo: true}", []string{"--feature-gates=AllBeta=false"}, check.StatusFail, "AllBeta"},
		{"an explicit gate wins over AllBeta", "4.2.11", file, "featureGates: {AllBeta: false, RotateKubeletServerCertificate: true}", nil, check.StatusPass, ""},
		{"a value flag takes a flag-like next word", "4.2.1", file, "authentication: {anonymous: {enabled: true}}",
			[]string{"--tls-cert-file", "--anonymous-auth=false"}, check.StatusFail, "enabled: true"},
		{"the flag-like word is the value", "4.2.9", file, "{}",
			[]string{"--tls-private-key-file=/k", "--tls-cert-file", "--anonymous-auth=false"}, check.StatusPass, "--anonymous-auth=false"},
		{"an unknown flag before a flag-like word", "4.2.1", file, "authentication: {anonymous: {enabled: true}}",
			[]string{"--not-a-kubelet-flag", "--anonymous-auth=false"}, check.StatusNotEvaluated, "not-a-kubelet-flag"},
		{"an unknown flag before a flag-like word that does not change the verdict", "4.2.1", file, "authentication: {anonymous: {enabled: false}}",
			[]string{"--not-a-kubelet-flag", "--anonymous-auth=false"}, check.StatusPass, ""},
		{"an unknown flag before a list flag", "4.2.12", file, "{}",
			[]string{"--not-a-kubelet-flag", "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, check.StatusNotEvaluated, "not-a-kubelet-flag"},
		{"the kubelet rejects an unknown shorthand", "4.2.1", file, "authentication: {anonymous: {enabled: true}}",
			[]string{"-anonymous-auth=false"}, check.StatusNotEvaluated, "would not start"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kc, nf := nodeKubelet(t, "n1", tc.source, tc.doc, tc.args...)
			fs := run(t, tc.id, newInv(t, kc, nf))
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
			assert.Contains(t, fs[0].Message, tc.msg)
		})
	}
}

func TestKubeletConfigUnreadable(t *testing.T) {
	kc, nf := nodeKubelet(t, "n1", inventory.KubeletConfigFromFile, "")
	kc.SetAnnotations(map[string]string{inventory.AnnotationNode: "n1", inventory.AnnotationKubeletConfigSource: inventory.KubeletConfigFromFile,
		inventory.AnnotationKubeletConfigError: "read /etc/kubelet/config.yaml: permission denied"})
	for _, id := range []string{"4.2.1", "4.2.4", "4.2.13"} {
		fs := run(t, id, newInv(t, kc, nf))
		require.Len(t, fs, 1)
		assert.Equal(t, check.StatusNotEvaluated, fs[0].Status, id)
		assert.Contains(t, fs[0].Message, "permission denied", id)
	}
}

// The running kubelet fills tlsCertFile with the self-signed certificate it generates when
// none is configured: /configz then shows a path, which is no evidence of a CA-signed one.
func TestKubeletLiveServingCert(t *testing.T) {
	tests := []struct {
		doc  string
		want check.Status
	}{
		{"tlsCertFile: /var/lib/kubelet/pki/kubelet.crt\ntlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key\n", check.StatusNotEvaluated},
		{"tlsCertFile: /etc/kubernetes/pki/kubelet-serving.crt\ntlsPrivateKeyFile: /etc/kubernetes/pki/kubelet-serving.key\n", check.StatusPass},
		{"serverTLSBootstrap: true\n", check.StatusPass},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			fs := run(t, "4.2.9", newInv(t, kubeletLive(t, "n1", tc.doc)))
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
		})
	}
	// In a file the same path is the operator's choice.
	fs := run(t, "4.2.9", newInv(t, kubeletFile(t, "f", tests[0].doc)))
	require.Len(t, fs, 1)
	assert.Equal(t, check.StatusPass, fs[0].Status)
}

// A node whose kubelet configuration came from a node scan is not reported as lacking its
// live configuration.
func TestKubeletNodeCoveredByScan(t *testing.T) {
	node := func(name string) *corev1.Node {
		return &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: name}}
	}
	kc, nf := nodeKubelet(t, "n2", inventory.KubeletConfigFromFile, "readOnlyPort: 0")
	fs := run(t, "4.2.4", newInv(t, node("n1"), node("n2"), kubeletLive(t, "n1", "readOnlyPort: 0"), kc, nf))
	assert.Equal(t, []check.Status{check.StatusPass, check.StatusPass}, statuses(fs))

	// With node scans only, a node that was not scanned is not silently left out.
	fs = run(t, "4.2.4", newInv(t, node("n1"), node("n2"), kc, nf))
	require.Len(t, fs, 2)
	assert.Equal(t, []check.Status{check.StatusPass, check.StatusNotEvaluated}, statuses(fs))
	assert.Equal(t, "n1", fs[1].Object.Name())
}

// A node scan's configuration with --config-dir drop-ins: from Kubernetes 1.32 the kubelet
// applies the v1beta1 defaults after merging the drop-ins (mergeKubeletConfigurations calls
// SetDefaults_KubeletConfiguration on the merged result), so a drop-in's
// streamingConnectionIdleTimeout: 0s becomes 4h0m0s as in the file; before 1.32 it merged
// into the already-defaulted internal configuration and the zero stood. The kubelet's
// version comes from its Node object; without one, the verdicts that differ are not
// evaluated.
func TestKubeletDropinDefaults(t *testing.T) {
	const file = inventory.KubeletConfigFromFile
	node := func(version string) *corev1.Node {
		return &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: "n1"},
			Status: corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: version}}}
	}
	tests := []struct {
		name    string
		id      string
		doc     string
		dropin  []any          // kubeletConfigDropinFields
		before  map[string]any // kubeletConfigBefore132
		version string         // "" for no Node object
		want    check.Status
		msg     string
	}{
		{"drop-in zero, kubelet 1.33: defaulted", "4.2.5", "streamingConnectionIdleTimeout: 0s", []any{"streamingConnectionIdleTimeout"}, nil,
			"v1.33.2", check.StatusPass, "4h0m0s"},
		{"drop-in zero, kubelet 1.31: the zero stands", "4.2.5", "streamingConnectionIdleTimeout: 0s", []any{"streamingConnectionIdleTimeout"}, nil,
			"v1.31.4", check.StatusFail, "drop-in"},
		{"drop-in zero, kubelet version unknown", "4.2.5", "streamingConnectionIdleTimeout: 0s", []any{"streamingConnectionIdleTimeout"}, nil,
			"", check.StatusNotEvaluated, "1.32"},
		{"zero in the file itself is defaulted whatever the version", "4.2.5", "streamingConnectionIdleTimeout: 0s", []any{"readOnlyPort"}, nil,
			"", check.StatusPass, "4h0m0s"},
		{"drop-in null, kubelet 1.32: default", "4.2.1", "authentication: {anonymous: {}}", []any{"authentication.anonymous.enabled"},
			map[string]any{"authentication": map[string]any{"anonymous": map[string]any{"enabled": true}}}, "v1.32.0", check.StatusPass, ""},
		{"drop-in null, kubelet 1.30: the file's value stands", "4.2.1", "authentication: {anonymous: {}}", []any{"authentication.anonymous.enabled"},
			map[string]any{"authentication": map[string]any{"anonymous": map[string]any{"enabled": true}}}, "v1.30.1", check.StatusFail, "true"},
		{"drop-in null, version unknown", "4.2.1", "authentication: {anonymous: {}}", []any{"authentication.anonymous.enabled"},
			map[string]any{"authentication": map[string]any{"anonymous": map[string]any{"enabled": true}}}, "", check.StatusNotEvaluated, "1.32"},
		{"readings that agree still decide", "4.2.4", "readOnlyPort: 0\nstreamingConnectionIdleTimeout: 0s", []any{"streamingConnectionIdleTimeout"}, nil,
			"", check.StatusPass, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kc, nf := nodeKubelet(t, "n1", file, tc.doc)
			spec := nf.Object["spec"].(map[string]any)
			spec["kubeletConfigDropins"] = []any{"/etc/kubernetes/kubelet.conf.d/10-a.conf"}
			spec["kubeletConfigDropinFields"] = tc.dropin
			if tc.before != nil {
				spec["kubeletConfigBefore132"] = tc.before
			}
			objs := []runtime.Object{kc, nf}
			if tc.version != "" {
				objs = append(objs, node(tc.version))
			}
			fs := run(t, tc.id, newInv(t, objs...))
			require.Len(t, fs, 1)
			assert.Equal(t, tc.want, fs[0].Status, fs[0].Message)
			assert.Contains(t, fs[0].Message, tc.msg)
		})
	}
}
