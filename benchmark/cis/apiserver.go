package cis

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/inventory"
)

// flagControl is a control decided by one component's command-line flags.
type flagControl struct {
	id, title string
	level     string
	cisManual bool
	severity  check.Severity
	// what says what passes; fix is the change to make in the component's manifest.
	what, fix string
	rule      flagRule
}

func (fc flagControl) control(c *component) control {
	return control{
		id: fc.id, title: fc.title, level: fc.level, cisManual: fc.cisManual, severity: fc.severity,
		what: fmt.Sprintf("Reads the command line of the %s pods in kube-system (or static pod manifests; a "+
			"look-alike elsewhere is reported as not evaluated), or the flags a node scan read from k3s's "+
			"configuration (%s-arg; a flag it does not give is k3s's own choice, not evaluated): %s", c.name, c.name, fc.what),
		remediation: fmt.Sprintf("In the %s static pod manifest (%s on each control-plane node), %s; the kubelet "+
			"restarts the component when the file changes. On RKE2 and k3s, which write or embed the component, "+
			"give the flag with %s-arg in /etc/rancher/rke2/config.yaml or /etc/rancher/k3s/config.yaml and restart "+
			"the service.", c.name, c.manifest, fc.fix, c.name),
		kinds:   []schema.GroupKind{inventory.KindPod, inventory.KindNodeFiles},
		depends: componentDeps,
		run:     runComponent(c, fc.rule),
	}
}

func flagControls(c *component, fcs []flagControl) []control {
	out := make([]control, len(fcs))
	for i, fc := range fcs {
		out[i] = fc.control(c)
	}
	return out
}

// strongAPIServerCiphers are the TLS cipher suites 1.2.29 accepts.
var strongAPIServerCiphers = []string{
	"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
}

var authzFlags = []string{"authorization-mode"}

// apiServerControls are section 1.2 and the API server flags of sections 3.2 and 5.5.
func apiServerControls() []control {
	return flagControls(kubeAPIServer, []flagControl{
		{id: "1.2.1", title: "API server rejects anonymous requests", level: l1, cisManual: true, severity: check.High,
			what: "--anonymous-auth=false passes; unset fails (the default is true). With --authentication-config " +
				"and no flag, the setting is in that file and is not evaluated",
			fix:  "set --anonymous-auth=false (or disable anonymous access in the --authentication-config file)",
			rule: unlessFile("authentication-config", []string{"anonymous-auth"}, boolIs("anonymous-auth", false, true))},
		{id: "1.2.2", title: "API server has no static token file", level: l1, severity: check.High,
			what: "passes when --token-auth-file is not set",
			fix:  "remove --token-auth-file and use certificates, OIDC or webhook token authentication instead",
			rule: notSet("token-auth-file")},
		{id: "1.2.3", title: "DenyServiceExternalIPs admission plugin enabled", level: l1, cisManual: true, severity: check.Medium,
			what: "passes when the DenyServiceExternalIPs admission plugin runs",
			fix:  "add DenyServiceExternalIPs to --enable-admission-plugins",
			rule: pluginOn("DenyServiceExternalIPs")},
		{id: "1.2.4", title: "API server uses client cert+key towards kubelets", level: l1, severity: check.High,
			what: "passes when --kubelet-client-certificate and --kubelet-client-key are both set",
			fix:  "set --kubelet-client-certificate and --kubelet-client-key to the API server's kubelet client certificate and key",
			rule: isSet("kubelet-client-certificate", "kubelet-client-key")},
		{id: "1.2.5", title: "API server verifies kubelet serving certs with a CA", level: l1, severity: check.High,
			what: "passes when --kubelet-certificate-authority is set",
			fix:  "set --kubelet-certificate-authority to the CA that signs the kubelets' serving certificates",
			rule: isSet("kubelet-certificate-authority")},
		{id: "1.2.6", title: "API server authorization never AlwaysAllow", level: l1, severity: check.Critical,
			what: "passes when --authorization-mode does not include AlwaysAllow; unset fails (the default is AlwaysAllow). " +
				"Authorizers configured with --authorization-config are not visible and are not evaluated",
			fix:  "set --authorization-mode to Node,RBAC (never AlwaysAllow)",
			rule: unlessFile("authorization-config", authzFlags, listLacks("authorization-mode", "AlwaysAllow", []string{"AlwaysAllow"}))},
		{id: "1.2.7", title: "API server authorization includes Node authorizer", level: l1, severity: check.High,
			what: "passes when --authorization-mode includes Node",
			fix:  "add Node to --authorization-mode (e.g. --authorization-mode=Node,RBAC)",
			rule: unlessFile("authorization-config", authzFlags, listHas("authorization-mode", "Node", []string{"AlwaysAllow"}))},
		{id: "1.2.8", title: "API server authorization includes RBAC", level: l1, severity: check.High,
			what: "passes when --authorization-mode includes RBAC",
			fix:  "add RBAC to --authorization-mode (e.g. --authorization-mode=Node,RBAC)",
			rule: unlessFile("authorization-config", authzFlags, listHas("authorization-mode", "RBAC", []string{"AlwaysAllow"}))},
		{id: "1.2.9", title: "EventRateLimit admission plugin enabled", level: l1, cisManual: true, severity: check.Low,
			what: "passes when the EventRateLimit admission plugin runs",
			fix:  "add EventRateLimit to --enable-admission-plugins and give its limits in --admission-control-config-file",
			rule: pluginOn("EventRateLimit")},
		{id: "1.2.10", title: "AlwaysAdmit admission plugin not enabled", level: l1, severity: check.High,
			what: "passes when the AlwaysAdmit admission plugin does not run",
			fix:  "remove AlwaysAdmit from --enable-admission-plugins",
			rule: pluginOff("AlwaysAdmit")},
		{id: "1.2.11", title: "AlwaysPullImages admission plugin enabled", level: l1, cisManual: true, severity: check.Medium,
			what: "passes when the AlwaysPullImages admission plugin runs",
			fix:  "add AlwaysPullImages to --enable-admission-plugins",
			rule: pluginOn("AlwaysPullImages")},
		{id: "1.2.12", title: "ServiceAccount admission plugin not disabled", level: l2, severity: check.Medium,
			what: "passes when the ServiceAccount admission plugin runs (it is on by default)",
			fix:  "remove ServiceAccount from --disable-admission-plugins",
			rule: pluginOn("ServiceAccount")},
		{id: "1.2.13", title: "NamespaceLifecycle admission plugin not disabled", level: l2, severity: check.Medium,
			what: "passes when the NamespaceLifecycle admission plugin runs (it is on by default)",
			fix:  "remove NamespaceLifecycle from --disable-admission-plugins",
			rule: pluginOn("NamespaceLifecycle")},
		{id: "1.2.14", title: "NodeRestriction admission plugin enabled", level: l2, severity: check.High,
			what: "passes when the NodeRestriction admission plugin runs",
			fix:  "add NodeRestriction to --enable-admission-plugins",
			rule: pluginOn("NodeRestriction")},
		{id: "1.2.15", title: "API server profiling endpoint disabled", level: l1, severity: check.Low,
			what: "--profiling=false passes; unset fails (the default is true)",
			fix:  "set --profiling=false",
			rule: boolIs("profiling", false, true)},
		{id: "1.2.16", title: "API server audit log path configured", level: l1, severity: check.Medium,
			what: "passes when --audit-log-path is set",
			fix:  "set --audit-log-path to a file on a mounted volume (e.g. /var/log/kubernetes/audit/audit.log)",
			rule: isSet("audit-log-path")},
		{id: "1.2.17", title: "Audit logs retained at least 30 days", level: l1, severity: check.Low,
			what: "passes when --audit-log-maxage is at least 30 (unset means 0: no age limit is kept)",
			fix:  "set --audit-log-maxage=30 or more",
			rule: intAtLeast("audit-log-maxage", 30, 0)},
		{id: "1.2.18", title: "At least 10 rotated audit log files kept", level: l1, severity: check.Low,
			what: "passes when --audit-log-maxbackup is at least 10",
			fix:  "set --audit-log-maxbackup=10 or more",
			rule: intAtLeast("audit-log-maxbackup", 10, 0)},
		{id: "1.2.19", title: "Audit log rotated at 100 MB or more", level: l1, severity: check.Low,
			what: "passes when --audit-log-maxsize is at least 100",
			fix:  "set --audit-log-maxsize=100 or more",
			rule: intAtLeast("audit-log-maxsize", 100, 0)},
		{id: "1.2.20", title: "API server request timeout set appropriately", level: l1, cisManual: true, severity: check.Low,
			what: "reports the --request-timeout in effect (default 60s) for review",
			fix:  "set --request-timeout to a value suited to the cluster, only when the default 60s does not fit",
			rule: requestTimeout},
		{id: "1.2.21", title: "Service account token lookup against etcd enabled", level: l1, severity: check.Medium,
			what: "passes when --service-account-lookup is true or unset (the default is true)",
			fix:  "remove --service-account-lookup=false (or set it to true)",
			rule: boolIs("service-account-lookup", true, true)},
		{id: "1.2.22", title: "Service account verification key file set", level: l1, severity: check.Medium,
			what: "passes when --service-account-key-file is set, or tokens are signed by an external signer " +
				"(--service-account-signing-endpoint)",
			fix:  "set --service-account-key-file to the public key(s) that verify service account tokens",
			rule: serviceAccountKey},
		{id: "1.2.23", title: "API server uses client cert+key towards etcd", level: l1, severity: check.High,
			what: "passes when --etcd-certfile and --etcd-keyfile are both set",
			fix:  "set --etcd-certfile and --etcd-keyfile to the API server's etcd client certificate and key",
			rule: isSet("etcd-certfile", "etcd-keyfile")},
		{id: "1.2.24", title: "API server serving TLS cert and key set", level: l1, severity: check.High,
			what: "passes when --tls-cert-file and --tls-private-key-file are both set",
			fix:  "set --tls-cert-file and --tls-private-key-file to the API server's serving certificate and key",
			rule: isSet("tls-cert-file", "tls-private-key-file")},
		{id: "1.2.25", title: "API server client CA file set", level: l1, severity: check.High,
			what: "passes when --client-ca-file is set",
			fix:  "set --client-ca-file to the CA that signs client certificates",
			rule: isSet("client-ca-file")},
		{id: "1.2.26", title: "API server etcd CA file set", level: l1, severity: check.High,
			what: "passes when --etcd-cafile is set",
			fix:  "set --etcd-cafile to the CA that signs etcd's serving certificate",
			rule: isSet("etcd-cafile")},
		{id: "1.2.27", title: "Encryption at rest configuration file set", level: l1, cisManual: true, severity: check.High,
			what: "passes when --encryption-provider-config is set",
			fix:  "write an EncryptionConfiguration (aescbc, secretbox or kms for secrets) and set --encryption-provider-config to it",
			rule: isSet("encryption-provider-config")},
		{id: "1.2.29", title: "API server restricted to strong TLS cipher suites", level: l1, cisManual: true, severity: check.Medium,
			what: "passes when --tls-cipher-suites is set and lists only ECDHE/TLS 1.3 AEAD suites; unset fails",
			fix:  "set --tls-cipher-suites to strong AEAD suites only (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)",
			rule: subsetOf("tls-cipher-suites", strongAPIServerCiphers)},
		{id: "1.2.30", title: "Service account token expiry extension disabled", level: l1, severity: check.Medium,
			what: "--service-account-extend-token-expiration=false passes; unset fails (the default is true)",
			fix:  "set --service-account-extend-token-expiration=false once no workload relies on legacy token lifetimes",
			rule: boolIs("service-account-extend-token-expiration", false, true)},
		{id: "3.2.1", title: "API server audit policy file configured", level: l1, cisManual: true, severity: check.Medium,
			what: "passes when --audit-policy-file is set",
			fix:  "write an audit Policy and set --audit-policy-file to it (with --audit-log-path or an audit webhook)",
			rule: isSet("audit-policy-file")},
		{id: "5.5.1", title: "Image provenance via ImagePolicyWebhook", level: l2, cisManual: true, severity: check.Medium,
			what: "passes when the ImagePolicyWebhook admission plugin runs; otherwise asks for review of " +
				"equivalent controls (e.g. a policy engine that verifies image signatures)",
			fix:  "enable ImagePolicyWebhook with its configuration, or enforce image provenance with a policy engine",
			rule: imagePolicy},
	})
}

// requestTimeout reports the request timeout for review: the control asks for judgement.
func requestTimeout(fs *flags.Set) verdict {
	v, ok, u := lookup(fs, "request-timeout")
	if u != nil {
		return *u
	}
	if !ok {
		return verdict{check.StatusManual, "request-timeout", "--request-timeout is not set (default 60s): review whether it fits"}
	}
	return verdict{check.StatusManual, "request-timeout", fmt.Sprintf("--request-timeout=%s: review whether it fits", v.Raw)}
}

func serviceAccountKey(fs *flags.Set) verdict {
	if v, ok := fs.Lookup("service-account-signing-endpoint"); ok && v.Raw != "" && !fs.Has("service-account-key-file") {
		return passf("service-account-signing-endpoint", "service account tokens are signed and verified by the external signer at %s", v.Raw)
	}
	return isSet("service-account-key-file")(fs)
}

func imagePolicy(fs *flags.Set) verdict {
	v := pluginOn("ImagePolicyWebhook")(fs)
	if v.status == check.StatusFail {
		v.status = check.StatusManual
		v.msg += "; review whether image provenance is enforced another way (e.g. a signature-verifying policy engine)"
	}
	return v
}
