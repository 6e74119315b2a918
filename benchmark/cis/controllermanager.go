package cis

import "github.com/kspm-dev/kspm/check"

// controllerManagerControls are section 1.3.
func controllerManagerControls() []control {
	return flagControls(kubeControllerManager, []flagControl{
		{id: "1.3.1", title: "Terminated pod garbage collection threshold set", level: l1, cisManual: true, severity: check.Low,
			what: "passes when --terminated-pod-gc-threshold is set (unset keeps the default of 12500 terminated pods)",
			fix:  "set --terminated-pod-gc-threshold to a value suited to the cluster (e.g. 10)",
			rule: isSet("terminated-pod-gc-threshold")},
		{id: "1.3.2", title: "Controller manager profiling disabled", level: l1, severity: check.Low,
			what: "--profiling=false passes; unset fails (the default is true)",
			fix:  "set --profiling=false",
			rule: boolIs("profiling", false, true)},
		{id: "1.3.3", title: "Controllers use individual service account credentials", level: l1, severity: check.Medium,
			what: "--use-service-account-credentials=true passes; unset fails (the default is false)",
			fix:  "set --use-service-account-credentials=true",
			rule: boolIs("use-service-account-credentials", true, false)},
		{id: "1.3.4", title: "Service account token signing key file set", level: l1, severity: check.Medium,
			what: "passes when --service-account-private-key-file is set",
			fix:  "set --service-account-private-key-file to the key that signs service account tokens",
			rule: isSet("service-account-private-key-file")},
		{id: "1.3.5", title: "Root CA file injected into service account tokens", level: l1, severity: check.Medium,
			what: "passes when --root-ca-file is set",
			fix:  "set --root-ca-file to the cluster CA certificate",
			rule: isSet("root-ca-file")},
		{id: "1.3.6", title: "Kubelet serving cert rotation gate not disabled", level: l1, severity: check.Medium,
			what: "passes unless --feature-gates sets RotateKubeletServerCertificate=false, or AllBeta=false without " +
				"naming the gate (it is beta in Kubernetes 1.37)",
			fix:  "remove RotateKubeletServerCertificate=false from --feature-gates (with AllBeta=false, add RotateKubeletServerCertificate=true)",
			rule: gateNotFalse("RotateKubeletServerCertificate")},
		{id: "1.3.7", title: "Controller manager binds to loopback only", level: l1, severity: check.Medium,
			what: "passes when --bind-address is a loopback address; unset fails (the default 0.0.0.0 listens on every interface)",
			fix:  "set --bind-address=127.0.0.1",
			rule: loopbackOnly("bind-address", "0.0.0.0")},
	})
}
