package cis

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// kubeletConfig is one kubelet configuration to judge, with the object results go on.
type kubeletConfig struct {
	obj *inventory.Object
	// fields is the KubeletConfiguration as generic data.
	fields map[string]any
	// live reports a running kubelet's /configz, where every default is already applied and
	// a missing field holds its zero value (the v1beta1 fields are omitempty). In a file a
	// missing field takes the v1beta1 default.
	live bool
	// noFile reports a kubelet started without --config (seen by a node scan): fields
	// hold only its --config-dir drop-ins, and the command-line defaults, which differ from
	// the file defaults for anonymous authentication, authorization and the read-only port,
	// were filled in.
	noFile bool
	// prefix is the field path of the configuration within obj ("data.kubelet" for the
	// ConfigMap).
	prefix string
	// flags are the kubelet command-line flags applied over a configuration file, and
	// fromFlag the fields they set (a flag's value is final: the file defaults that replace
	// zero values do not apply to it).
	flags    []string
	fromFlag map[string]bool
	// asWritten are the fields a --config-dir drop-in set that the kubelet takes as written,
	// without the file defaults (kubelets before 1.32).
	asWritten map[string]bool
	// unknown says why the configuration is not known (a node scan could not read it).
	unknown string
	// alts are other readings of the configuration, each with why it may be the one in
	// force: a verdict stands only when every reading gives it.
	alts []kubeletAlt
}

// kubeletAlt is another reading of a kubelet's configuration fields.
type kubeletAlt struct {
	fields    map[string]any
	fromFlag  map[string]bool
	asWritten map[string]bool
	why       string
}

// judgeKubelet applies rule to every reading of kc: when they disagree, the verdict is not
// evaluated.
func judgeKubelet(kc kubeletConfig, rule kubeletRule) verdict {
	v := rule(kc)
	for _, alt := range kc.alts {
		other := kc
		other.fields, other.fromFlag, other.asWritten, other.alts = alt.fields, alt.fromFlag, alt.asWritten, nil
		if w := rule(other); w.status != v.status {
			return unknownf(v.flag, "%s; read one way: %s (%s), the other: %s (%s)", alt.why, v.status, v.msg, w.status, w.msg)
		}
	}
	return v
}

// applyFlags takes the configuration with the kubelet's flags applied.
func (kc *kubeletConfig) applyFlags(f kubeletFlags) {
	kc.fields, kc.flags, kc.fromFlag = f.fields, f.applied, f.fromFlag
	if f.alt != nil {
		kc.alts = append(kc.alts, *f.alt)
	}
	if f.problem != "" && kc.unknown == "" {
		kc.unknown = f.problem
	}
}

// dropinsBefore132 accounts for the kubelet's version when --config-dir drop-ins set
// fields (cmd/kubelet/app/server.go, mergeKubeletConfigurations). From 1.32 the kubelet
// merges the drop-ins into the v1beta1 form and applies the v1beta1 defaults to the result,
// so a drop-in's zero value or null is defaulted like the file's: the reading kc already
// has. Before 1.32 it merged them into its internal form, already defaulted: a drop-in's
// value stands as written and a null changes nothing. The version comes from the node's
// Node object; when it is not known, both readings are judged. The node's objects are those
// view (from the configuration) sees.
func (kc *kubeletConfig) dropinsBefore132(view inventory.View, node string, m map[string]any) {
	nf := view.Get(inventory.KindNodeFiles, "", node)
	if nf == nil {
		return
	}
	nfm, err := nf.Map()
	if err != nil {
		return
	}
	spec, _ := nfm["spec"].(map[string]any)
	list, _ := spec["kubeletConfigDropinFields"].([]any)
	if len(list) == 0 {
		return
	}
	minor, known := kubeletMinor(view, node)
	if known && minor >= 32 {
		return
	}
	base := m
	if before, ok := spec["kubeletConfigBefore132"].(map[string]any); ok {
		base = before
	}
	if kc.noFile {
		base = withoutFileDefaults(base)
	}
	f := withKubeletFlags(view, node, base)
	written := map[string]bool{}
	var names []string
	for _, it := range list {
		if s, ok := it.(string); ok && !f.fromFlag[s] {
			written[s] = true
			names = append(names, s)
		}
	}
	if known {
		kc.fields, kc.fromFlag, kc.asWritten = f.fields, f.fromFlag, written
		return
	}
	kc.alts = append(kc.alts, kubeletAlt{fields: f.fields, fromFlag: f.fromFlag, asWritten: written,
		why: fmt.Sprintf("the kubelet's version is not known (no Node object %s): its --config-dir drop-ins set %s, "+
			"which kubelets from 1.32 default like the file's values and older ones take as written", node, strings.Join(names, ", "))})
}

// kubeletMinor returns the minor version of the kubelet on node, from its Node object (as
// view sees it).
func kubeletMinor(view inventory.View, node string) (int, bool) {
	o := view.Get(inventory.KindNode, "", node)
	if o == nil {
		return 0, false
	}
	n, ok := o.Object().(*corev1.Node)
	if !ok {
		return 0, false
	}
	v := strings.TrimPrefix(n.Status.NodeInfo.KubeletVersion, "v")
	major, rest, ok := strings.Cut(v, ".")
	if !ok || major != "1" {
		return 0, false
	}
	minor, _, _ := strings.Cut(rest, ".")
	i, err := strconv.Atoi(minor)
	return i, err == nil
}

// path returns the field path of a configuration field within the object.
func (kc kubeletConfig) path(field string) string {
	if kc.prefix == "" {
		return field
	}
	return kc.prefix + "." + field
}

// get returns the value at a dotted path.
func (kc kubeletConfig) get(field string) (any, bool) {
	var cur any = kc.fields
	for _, part := range strings.Split(field, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// kubeletRule judges one kubelet configuration.
type kubeletRule func(kc kubeletConfig) verdict

// kubeletControl is a control decided by the kubelet's configuration.
type kubeletControl struct {
	id, title string
	level     string
	cisManual bool
	severity  check.Severity
	what, fix string
	rule      kubeletRule
}

// strongKubeletCiphers are the TLS cipher suites 4.2.12 accepts.
var strongKubeletCiphers = []string{
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
}

// kubeletControls are section 4.2, except 4.2.7 (a command-line flag only: see the node
// file controls).
func kubeletControls() []control {
	kcs := []kubeletControl{
		{id: "4.2.1", title: "Kubelet rejects anonymous requests", level: l1, severity: check.High,
			what: "passes when authentication.anonymous.enabled is false (the configuration file default)",
			fix:  "set authentication.anonymous.enabled: false",
			rule: kubeletBool("authentication.anonymous.enabled", false, false)},
		{id: "4.2.2", title: "Kubelet authorization mode not AlwaysAllow", level: l1, severity: check.Critical,
			what: "passes when authorization.mode is not AlwaysAllow (the configuration file default is Webhook)",
			fix:  "set authorization.mode: Webhook",
			rule: kubeletAuthzMode},
		{id: "4.2.3", title: "Kubelet client CA file configured", level: l1, severity: check.High,
			what: "passes when authentication.x509.clientCAFile is set",
			fix:  "set authentication.x509.clientCAFile to the cluster CA certificate",
			rule: kubeletSet("authentication.x509.clientCAFile")},
		{id: "4.2.4", title: "Kubelet read-only port disabled", level: l1, cisManual: true, severity: check.High,
			what: "passes when readOnlyPort is 0 or absent (absent means 0 in a configuration file and in /configz)",
			fix:  "set readOnlyPort: 0 (and remove any --read-only-port flag)",
			rule: kubeletReadOnlyPort},
		{id: "4.2.5", title: "Kubelet streaming idle timeout not zero", level: l1, cisManual: true, severity: check.Medium,
			what: "fails when streamingConnectionIdleTimeout is 0 in the running kubelet or on its command line; in a " +
				"file, 0 or absent is replaced by the default 4h0m0s, and so is a 0 from a --config-dir drop-in on kubelets " +
				"from 1.32 (older ones keep it; without the node's Node object, whose kubelet version decides, such a 0 is not evaluated)",
			fix:  "set streamingConnectionIdleTimeout to a bounded value such as 4h0m0s",
			rule: kubeletIdleTimeout},
		{id: "4.2.6", title: "Kubelet manages iptables utility chains", level: l1, severity: check.Low,
			what: "passes when makeIPTablesUtilChains is true or absent (the default is true)",
			fix:  "set makeIPTablesUtilChains: true",
			rule: kubeletBool("makeIPTablesUtilChains", true, true)},
		{id: "4.2.8", title: "Kubelet event record QPS set appropriately", level: l2, cisManual: true, severity: check.Low,
			what: "passes when eventRecordQPS is 0 or more (absent means the default 50)",
			fix:  "set eventRecordQPS to a rate that keeps the events you need",
			rule: kubeletEventQPS},
		{id: "4.2.9", title: "Kubelet serving TLS cert and key set", level: l1, cisManual: true, severity: check.Medium,
			what: "passes when tlsCertFile and tlsPrivateKeyFile are set, or serverTLSBootstrap is true (the serving " +
				"certificate is then issued by the cluster CA); otherwise the kubelet serves a self-signed certificate. " +
				"A running kubelet reports the self-signed <cert-dir>/kubelet.crt it generated as tlsCertFile: that " +
				"path in /configz is not evaluated",
			fix:  "set tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true with a CSR approver",
			rule: kubeletServingCert},
		{id: "4.2.10", title: "Kubelet client certificate rotation enabled", level: l1, severity: check.Medium,
			what: "passes when rotateCertificates is true; absent fails (the default is false)",
			fix:  "set rotateCertificates: true",
			rule: kubeletBool("rotateCertificates", true, false)},
		{id: "4.2.11", title: "Kubelet serving certificate rotation not disabled", level: l1, cisManual: true, severity: check.Medium,
			what: "passes unless featureGates.RotateKubeletServerCertificate is false (or unset with AllBeta: false: " +
				"the gate is beta in Kubernetes 1.37)",
			fix:  "remove RotateKubeletServerCertificate: false from featureGates (with AllBeta: false, add RotateKubeletServerCertificate: true)",
			rule: kubeletGateNotFalse("RotateKubeletServerCertificate")},
		{id: "4.2.12", title: "Kubelet restricted to strong TLS cipher suites", level: l1, cisManual: true, severity: check.Medium,
			what: "passes when tlsCipherSuites is set and lists only strong ECDHE AEAD suites; absent fails",
			fix:  "set tlsCipherSuites to strong suites only (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
			rule: kubeletCiphers},
		{id: "4.2.13", title: "Kubelet pod PID limit set", level: l1, cisManual: true, severity: check.Medium,
			what: "passes when podPidsLimit is above 0; absent or -1 means unlimited and fails",
			fix:  "set podPidsLimit to a bound suited to the workloads (e.g. 4096)",
			rule: kubeletPodPids},
		{id: "4.2.14", title: "Kubelet applies RuntimeDefault seccomp by default", level: l1, cisManual: true, severity: check.Medium,
			what: "passes when seccompDefault is true; absent fails (the default is false)",
			fix:  "set seccompDefault: true",
			rule: kubeletBool("seccompDefault", true, false)},
	}
	out := make([]control, len(kcs))
	for i, kc := range kcs {
		out[i] = control{
			id: kc.id, title: kc.title, level: kc.level, cisManual: kc.cisManual, severity: kc.severity,
			what: "Reads each kubelet's configuration (live /configz per node; or a node scan's configuration file " +
				"with --config-dir drop-ins and the kubelet's flags applied over it, a kubelet without --config " +
				"taking its command-line defaults; or KubeletConfiguration files; or the kube-system/kubelet-config " +
				"ConfigMap): " + kc.what,
			remediation: "In the kubelet configuration file (kubeadm: /var/lib/kubelet/config.yaml on each node, and " +
				"the kube-system/kubelet-config ConfigMap for new nodes), " + kc.fix + "; then restart the kubelet. " +
				"Command-line flags override the file: remove conflicting ones.",
			kinds:   []schema.GroupKind{inventory.KindKubeletConfiguration, inventory.KindConfigMap},
			depends: kubeletDeps,
			run:     runKubelet(kc.rule),
		}
	}
	return out
}

// kubeletConfigs returns the kubelet configurations to judge: KubeletConfiguration objects
// (live or files), else the kubeadm ConfigMap. missing lists the nodes without a
// configuration of their own (live or from a node scan) when some nodes have one. errs are
// objects whose data cannot be parsed.
func kubeletConfigs(inv *inventory.Inventory) (cfgs []kubeletConfig, missing []*inventory.Object, errs []error) {
	covered := make(map[string]bool)
	for _, o := range inv.ByKind(inventory.KindKubeletConfiguration) {
		m, err := o.Map()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ann := o.Meta().GetAnnotations()
		source := ann[inventory.AnnotationKubeletConfigSource]
		isLive := source == inventory.KubeletConfigFromConfigz
		kc := kubeletConfig{obj: o, fields: m, live: isLive, unknown: ann[inventory.AnnotationKubeletConfigError]}
		node := ann[inventory.AnnotationNode]
		if node != "" {
			covered[node] = true
		}
		switch {
		case isLive:
		case source == inventory.KubeletConfigWithoutFile:
			// A kubelet without --config: the command-line defaults, then its flags.
			kc.noFile = true
			kc.fields = withoutFileDefaults(m)
			kc.applyFlags(withKubeletFlags(inv.From(o), node, kc.fields))
			kc.dropinsBefore132(inv.From(o), node, m)
		case node != "":
			// A node's configuration file: the kubelet's flags, when the scan saw them, win.
			kc.applyFlags(withKubeletFlags(inv.From(o), node, m))
			kc.dropinsBefore132(inv.From(o), node, m)
		}
		cfgs = append(cfgs, kc)
	}
	if len(covered) > 0 {
		for _, n := range inv.ByKind(inventory.KindNode) {
			if !covered[n.Name()] {
				missing = append(missing, n)
			}
		}
	}
	if len(cfgs) > 0 {
		return cfgs, missing, errs
	}
	// Every definition of the ConfigMap is a configuration to judge (manifests may hold several).
	for _, o := range inv.Variants(inventory.KindConfigMap, "kube-system", "kubelet-config") {
		cm, ok := o.Object().(*corev1.ConfigMap)
		if !ok {
			continue
		}
		data, ok := cm.Data["kubelet"]
		if !ok {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(data), &m); err != nil {
			errs = append(errs, fmt.Errorf("%s: data.kubelet is not a KubeletConfiguration: %w", o, err))
			continue
		}
		cfgs = append(cfgs, kubeletConfig{obj: o, fields: m, prefix: "data.kubelet"})
	}
	// Older kubeadm versions name the ConfigMap after the minor version (kubelet-config-1.23).
	if len(cfgs) == 0 {
		for _, o := range inv.InNamespace(inventory.KindConfigMap, "kube-system") {
			cm, ok := o.Object().(*corev1.ConfigMap)
			if !ok || !strings.HasPrefix(cm.Name, "kubelet-config-1.") {
				continue
			}
			var m map[string]any
			if err := yaml.Unmarshal([]byte(cm.Data["kubelet"]), &m); err != nil || m == nil {
				continue
			}
			cfgs = append(cfgs, kubeletConfig{obj: o, fields: m, prefix: "data.kubelet"})
		}
	}
	return cfgs, missing, errs
}

func runKubelet(rule kubeletRule) check.RunFunc {
	return func(ctx context.Context, pass *check.Pass) error {
		cfgs, missing, errs := kubeletConfigs(pass.Inventory)
		for _, err := range errs {
			pass.Report(check.Finding{Status: check.StatusNotEvaluated, Message: err.Error()})
		}
		started := distroKubelets(pass.Inventory)
		if len(cfgs) == 0 {
			for _, name := range slices.Sorted(maps.Keys(started)) {
				pass.NotEvaluated(started[name], distroKubeletReason(started[name]))
			}
			if len(errs) == 0 && len(started) == 0 {
				pass.NotEvaluated(nil, "no kubelet configuration in the input: fetch each node's live configuration "+
					"(/configz), give KubeletConfiguration files, or include the kube-system/kubelet-config ConfigMap")
			}
			return nil
		}
		for _, kc := range cfgs {
			if kc.unknown != "" {
				pass.NotEvaluated(kc.obj, "the node scan could not read the kubelet's configuration: "+kc.unknown)
				continue
			}
			v := judgeKubelet(kc, rule)
			switch {
			case kc.noFile && len(kc.flags) > 0:
				v.msg += " (the kubelet runs without a configuration file: its command-line defaults, then its flags " +
					strings.Join(kc.flags, " ") + ")"
			case kc.noFile:
				v.msg += " (the kubelet runs without a configuration file: its command-line defaults apply)"
			case len(kc.flags) > 0:
				v.msg += " (with the kubelet's flags " + strings.Join(kc.flags, " ") + " applied over the file)"
			case kc.prefix != "":
				v.msg += " (kubeadm's cluster-wide kubelet configuration: a node's own file or flags may differ)"
			}
			pass.Report(check.Finding{Status: v.status, Object: kc.obj, Field: kc.path(v.flag), Message: v.msg})
		}
		for _, n := range missing {
			if nf := started[n.Name()]; nf != nil {
				pass.NotEvaluated(n, distroKubeletReason(nf))
				continue
			}
			pass.NotEvaluated(n, "no kubelet configuration for this node: its live configuration (/configz) could "+
				"not be fetched and no node scan of it is in the input")
		}
		return nil
	}
}

// distroKubelets returns the node scans, by node, of nodes whose kubelet an RKE2 or k3s
// process starts.
func distroKubelets(inv *inventory.Inventory) map[string]*inventory.Object {
	out := map[string]*inventory.Object{}
	for _, n := range nodeScans(inv) {
		if str(n.spec, "kubeletStartedBy") != "" {
			out[n.obj.Name()] = n.obj
		}
	}
	return out
}

// distroKubeletReason says why a node scan of an RKE2 or k3s node does not give its
// kubelet's configuration.
func distroKubeletReason(nf *inventory.Object) string {
	by := ""
	if m, err := nf.Map(); err == nil {
		spec, _ := m["spec"].(map[string]any)
		by = layoutName(str(spec, "kubeletStartedBy"))
	}
	return by + " starts the kubelet on node " + nf.Name() + " with flags of its own, which are in no file and " +
		"override the configuration drop-ins: fetch the kubelet's live configuration (/configz, --kubelet-configz) to " +
		"judge it"
}

// Kubelet rule builders. def is the v1beta1 default, applied when a file omits the field;
// a live /configz omits only zero values (false, 0, "").

func kubeletBool(field string, want, def bool) kubeletRule {
	return func(kc kubeletConfig) verdict {
		v, ok := kc.get(field)
		if !ok {
			d := def
			how := "is absent from the configuration file; the default is"
			if kc.live {
				d, how = false, "is absent from the running configuration, which means"
			}
			if d == want {
				return passf(field, "%s %s %t", field, how, d)
			}
			return failf(field, "%s %s %t; want %t", field, how, d, want)
		}
		b, err := asBool(v)
		if err != nil {
			return failf(field, "%s: %v", field, err)
		}
		if b == want {
			return passf(field, "%s: %t", field, b)
		}
		return failf(field, "%s: %t; want %t", field, b, want)
	}
}

func asBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		return strconv.ParseBool(x)
	}
	return false, fmt.Errorf("%v is not a boolean", v)
}

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), nil
		}
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("%v is not an integer", v)
}

func kubeletSet(field string) kubeletRule {
	return func(kc kubeletConfig) verdict {
		v, ok := kc.get(field)
		if s, isStr := v.(string); !ok || !isStr || strings.TrimSpace(s) == "" {
			return failf(field, "%s is not set", field)
		}
		return passf(field, "%s: %v", field, v)
	}
}

func kubeletAuthzMode(kc kubeletConfig) verdict {
	const field = "authorization.mode"
	v, ok := kc.get(field)
	if !ok {
		if kc.live {
			return failf(field, "%s is absent from the running configuration", field)
		}
		return passf(field, "%s is absent; the configuration file default is Webhook", field)
	}
	if s, _ := v.(string); s == "AlwaysAllow" {
		return failf(field, "%s: AlwaysAllow", field)
	}
	return passf(field, "%s: %v", field, v)
}

func kubeletReadOnlyPort(kc kubeletConfig) verdict {
	const field = "readOnlyPort"
	v, ok := kc.get(field)
	if !ok {
		return passf(field, "%s is absent, which means 0 (disabled)", field)
	}
	n, err := asInt(v)
	if err != nil {
		return failf(field, "%s: %v", field, err)
	}
	if n == 0 {
		return passf(field, "%s: 0", field)
	}
	return failf(field, "%s: %d serves the kubelet API without authentication", field, n)
}

func kubeletIdleTimeout(kc kubeletConfig) verdict {
	const field = "streamingConnectionIdleTimeout"
	v, ok := kc.get(field)
	var d time.Duration
	if ok {
		s, isStr := v.(string)
		var err error
		if d, err = time.ParseDuration(s); !isStr || err != nil {
			return failf(field, "%s: %v is not a duration", field, v)
		}
	}
	switch {
	case d != 0:
		return passf(field, "%s: %s", field, d)
	case kc.live:
		return failf(field, "%s is 0 in the running kubelet: streaming connections never time out", field)
	case kc.fromFlag[field]:
		return failf(field, "--streaming-connection-idle-timeout=0 on the command line: the flag is applied after "+
			"the file defaults, so streaming connections never time out")
	case kc.asWritten[field]:
		return failf(field, "%s is 0 in a --config-dir drop-in, which kubelets before 1.32 take as written: "+
			"streaming connections never time out", field)
	default:
		return passf(field, "%s is 0 or absent in the file, which the kubelet replaces with the default 4h0m0s", field)
	}
}

func kubeletEventQPS(kc kubeletConfig) verdict {
	const field = "eventRecordQPS"
	v, ok := kc.get(field)
	if !ok {
		if kc.live {
			return passf(field, "%s is absent from the running configuration, which means 0 (no limit)", field)
		}
		return passf(field, "%s is absent; the default is 50", field)
	}
	n, err := asInt(v)
	if err != nil {
		return failf(field, "%s: %v", field, err)
	}
	if n < 0 {
		return failf(field, "%s: %d is negative", field, n)
	}
	return passf(field, "%s: %d", field, n)
}

func kubeletServingCert(kc kubeletConfig) verdict {
	bootstrap := false
	if v, ok := kc.get("serverTLSBootstrap"); ok {
		if b, err := asBool(v); err == nil && b {
			bootstrap = true
		}
	}
	cert := kubeletSet("tlsCertFile")(kc)
	key := kubeletSet("tlsPrivateKeyFile")(kc)
	if cert.status == check.StatusPass && key.status == check.StatusPass {
		if kc.live && !bootstrap {
			c, _ := kc.get("tlsCertFile")
			k, _ := kc.get("tlsPrivateKeyFile")
			cs, ks := fmt.Sprint(c), fmt.Sprint(k)
			if path.Base(cs) == "kubelet.crt" && path.Base(ks) == "kubelet.key" && path.Dir(cs) == path.Dir(ks) {
				// Without a configured certificate the kubelet generates a self-signed one
				// as <cert-dir>/kubelet.crt and reports that path in its running configuration.
				return unknownf("tlsCertFile", "tlsCertFile: %s is where the kubelet writes the self-signed certificate it "+
					"generates when none is configured; the running configuration cannot tell the two apart "+
					"(check the node's configuration file)", cs)
			}
		}
		return passf("tlsCertFile", "%s; %s", cert.msg, key.msg)
	}
	if bootstrap {
		return passf("serverTLSBootstrap", "serverTLSBootstrap: true (the serving certificate is requested from the cluster CA)")
	}
	if cert.status != check.StatusPass {
		return failf("tlsCertFile", "tlsCertFile is not set and serverTLSBootstrap is not true: the kubelet serves a self-signed certificate")
	}
	return failf("tlsPrivateKeyFile", "tlsPrivateKeyFile is not set")
}

func kubeletGateNotFalse(gate string) kubeletRule {
	return func(kc kubeletConfig) verdict {
		field := "featureGates." + gate
		v, ok := kc.get(field)
		if !ok {
			if all, set := kc.get("featureGates.AllBeta"); set {
				if b, err := asBool(all); err != nil || !b {
					return failf("featureGates.AllBeta", "featureGates sets AllBeta: %v, which turns off %s (a beta "+
						"feature in Kubernetes 1.37) as it is not set explicitly", all, gate)
				}
			}
			return passf(field, "feature gate %s is not set: it keeps its default (enabled)", gate)
		}
		b, err := asBool(v)
		if err != nil {
			return failf(field, "feature gate %s: %v", gate, err)
		}
		if !b {
			return failf(field, "feature gate %s: false", gate)
		}
		return passf(field, "feature gate %s: true", gate)
	}
}

func kubeletCiphers(kc kubeletConfig) verdict {
	const field = "tlsCipherSuites"
	v, ok := kc.get(field)
	list, isList := v.([]any)
	if !ok || !isList || len(list) == 0 {
		return failf(field, "%s is not set: the Go defaults apply, which include suites outside the strong list", field)
	}
	var bad []string
	for _, it := range list {
		s, _ := it.(string)
		if !slices.Contains(strongKubeletCiphers, s) {
			bad = append(bad, fmt.Sprint(it))
		}
	}
	if len(bad) > 0 {
		return failf(field, "%s includes weak or unlisted suites: %s", field, strings.Join(bad, ", "))
	}
	return passf(field, "%s lists only strong suites", field)
}

func kubeletPodPids(kc kubeletConfig) verdict {
	const field = "podPidsLimit"
	v, ok := kc.get(field)
	if !ok {
		return failf(field, "%s is absent: pods may create unlimited processes (default -1)", field)
	}
	n, err := asInt(v)
	if err != nil {
		return failf(field, "%s: %v", field, err)
	}
	if n <= 0 {
		return failf(field, "%s: %d means unlimited; want a positive limit", field, n)
	}
	return passf(field, "%s: %d", field, n)
}
