package cis

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/inventory"
)

// etcdControls are section 2. etcd also reads its flags from ETCD_* environment variables
// (ETCD_CLIENT_CERT_AUTH=true is --client-cert-auth=true); a flag on the command line wins.
func etcdControls() []control {
	cs := flagControls(etcd, []flagControl{
		{id: "2.1", title: "etcd serves clients with TLS cert and key", level: l1, severity: check.High,
			what: "passes when --cert-file and --key-file (or ETCD_CERT_FILE, ETCD_KEY_FILE) are set",
			fix:  "set --cert-file and --key-file to etcd's client-facing serving certificate and key",
			rule: isSet("cert-file", "key-file")},
		{id: "2.2", title: "etcd requires client certificate authentication", level: l1, severity: check.High,
			what: "--client-cert-auth=true passes; unset fails (the default is false)",
			fix:  "set --client-cert-auth=true",
			rule: boolIs("client-cert-auth", true, false)},
		{id: "2.3", title: "etcd does not use self-signed auto TLS", level: l1, severity: check.High,
			what: "passes when --auto-tls is unset or false",
			fix:  "remove --auto-tls=true and give etcd CA-signed certificates",
			rule: boolIs("auto-tls", false, false)},
		{id: "2.4", title: "etcd peer TLS cert and key configured", level: l1, severity: check.High,
			what: "passes when --peer-cert-file and --peer-key-file are set",
			fix:  "set --peer-cert-file and --peer-key-file to etcd's peer certificate and key",
			rule: isSet("peer-cert-file", "peer-key-file")},
		{id: "2.5", title: "etcd requires peer client certificate auth", level: l1, severity: check.High,
			what: "--peer-client-cert-auth=true passes; unset fails (the default is false)",
			fix:  "set --peer-client-cert-auth=true",
			rule: boolIs("peer-client-cert-auth", true, false)},
		{id: "2.6", title: "etcd peers do not use auto TLS", level: l1, severity: check.High,
			what: "passes when --peer-auto-tls is unset or false",
			fix:  "remove --peer-auto-tls=true and give etcd CA-signed peer certificates",
			rule: boolIs("peer-auto-tls", false, false)},
	})
	cs = append(cs, control{
		id: "2.7", title: "etcd uses a CA separate from the cluster CA", level: l2, cisManual: true, severity: check.Medium,
		what: "Reads etcd's --trusted-ca-file and kube-apiserver's --client-ca-file: unset fails, the same path " +
			"fails, different paths ask for review (whether the files hold different CAs is not visible)",
		remediation: "Give etcd its own CA (kubeadm: /etc/kubernetes/pki/etcd/ca.crt) and set --trusted-ca-file " +
			"in the etcd static pod manifest to it; never reuse the cluster CA.",
		kinds:   []schema.GroupKind{inventory.KindPod, inventory.KindNodeFiles},
		depends: componentDeps,
		run:     runEtcdCA,
	})
	return cs
}

func runEtcdCA(ctx context.Context, pass *check.Pass) error {
	clusterCAs := make(map[string]bool)
	unknownCA := ""
	for _, in := range findInstances(pass.Inventory, kubeAPIServer) {
		v, ok := in.flags.Lookup("client-ca-file")
		switch {
		case ok && v.Unknown && unknownCA == "":
			unknownCA = fmt.Sprintf("%s's --client-ca-file is not known: %s", in.obj, v.Why)
		case ok && v.Raw != "" && !v.Unknown:
			clusterCAs[v.Raw] = true
		}
	}
	return runComponent(etcd, func(fs *flags.Set) verdict {
		v := isSet("trusted-ca-file")(fs)
		if v.status != check.StatusPass {
			return v
		}
		ca, _ := fs.Lookup("trusted-ca-file")
		if clusterCAs[ca.Raw] {
			return failf("trusted-ca-file", "--trusted-ca-file=%s is the file kube-apiserver uses as --client-ca-file: "+
				"the cluster CA can issue etcd client certificates", ca.Raw)
		}
		if unknownCA != "" {
			return unknownf("trusted-ca-file", "--trusted-ca-file=%s, but whether it is the cluster CA cannot be told: %s",
				ca.Raw, unknownCA)
		}
		return verdict{check.StatusManual, "trusted-ca-file", fmt.Sprintf("--trusted-ca-file=%s differs from the cluster "+
			"CA file by path; check that it holds a different CA", ca.Raw)}
	})(ctx, pass)
}
