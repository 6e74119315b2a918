package cis

import (
	"context"
	"fmt"
	"path"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/inventory"
)

// kubeProxyControls are section 4.3.
func kubeProxyControls() []control {
	return []control{{
		id: "4.3.1", title: "kube-proxy metrics endpoint bound to localhost", level: l1, severity: check.Medium,
		what: "Reads the --metrics-bind-address of the kube-proxy DaemonSet or static pods in kube-system, or metricsBindAddress " +
			"in the configuration file it loads with --config (a ConfigMap): passes for a loopback address or when unset (the " +
			"default is 127.0.0.1:10249), or without --config when --metrics-port=0 turns the metrics server off; on k3s, " +
			"which runs kube-proxy in its own process, the kube-proxy-arg a node scan read (unset: k3s's own choice, not " +
			"evaluated). No kube-proxy seen is not evaluated (it may run as a system service on the nodes), " +
			"not applicable only where Cilium's configuration in kube-system says it replaces kube-proxy. A kube-proxy " +
			"in another namespace is reported as not evaluated, never judged: anyone allowed to create DaemonSets or pods " +
			"there can make one",
		remediation: "Set metricsBindAddress: 127.0.0.1:10249 in the kube-proxy configuration (kubeadm: the " +
			"kube-system/kube-proxy ConfigMap, key config.conf), or --metrics-bind-address=127.0.0.1:10249, then " +
			"restart the kube-proxy pods.",
		kinds:   []schema.GroupKind{inventory.KindDaemonSet, inventory.KindPod, inventory.KindConfigMap, inventory.KindNodeFiles},
		depends: kubeProxyDeps,
		run:     runKubeProxyMetrics,
	}}
}

const kubeProxyDefaultMetrics = "127.0.0.1:10249"

func runKubeProxyMetrics(_ context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	found := false
	// Copies of kube-proxy outside kube-system: reported, not judged (see trustedPlace).
	var untrusted []*inventory.Object
	var why []string
	for _, o := range inv.ByKind(inventory.KindDaemonSet) {
		ds, ok := o.Object().(*appsv1.DaemonSet)
		if !ok {
			continue
		}
		spec := &ds.Spec.Template.Spec
		for i, ctr := range spec.Containers {
			toks, ok := flags.Locate(ctr.Command, ctr.Args, envOf(ctr), "kube-proxy")
			if !ok {
				continue
			}
			if !trustedPlace(inv, ds, nil) {
				untrusted = append(untrusted, o)
				why = append(why, distrust(o, "kube-proxy", nil))
				break
			}
			found = true
			fs := flags.ParseTokens(toks, flags.SpecFor("kube-proxy"))
			base := "spec.template.spec.containers[" + itoa(i) + "]"
			judgeKubeProxy(pass, inv, o, spec, ctr, fs, base)
			break
		}
	}
	// kube-proxy may also run as static pods (mirror pods in the API), outside any DaemonSet.
	for _, o := range inv.ByKind(inventory.KindPod) {
		pod, ok := o.Object().(*corev1.Pod)
		if !ok || metav1.GetControllerOfNoCopy(pod) != nil && !ownedByNode(pod) {
			continue
		}
		candidate, trusted, marks := componentCandidate(inv, pod)
		if !candidate {
			continue
		}
		spec := &pod.Spec
		for i, ctr := range spec.Containers {
			toks, ok := flags.Locate(ctr.Command, ctr.Args, envOf(ctr), "kube-proxy")
			if !ok {
				continue
			}
			if !trusted {
				untrusted = append(untrusted, o)
				why = append(why, distrust(o, "kube-proxy", marks))
				break
			}
			found = true
			fs := flags.ParseTokens(toks, flags.SpecFor("kube-proxy"))
			judgeKubeProxy(pass, inv, o, spec, ctr, fs, "spec.containers["+itoa(i)+"]")
			break
		}
	}
	// kube-proxy inside another program (k3s), as a node scan read its flags.
	for _, sc := range scannedComponents(inv, "kube-proxy") {
		found = true
		in := instance{obj: sc.obj, component: sc.index, flags: sc.flags}
		v := kubeProxyMetricsFlags(sc.flags)
		if cfg, ok := sc.flags.Lookup("config"); ok && !cfg.Unknown && cfg.Raw != "" {
			v = unknownf("config", "kube-proxy reads --config=%s, which the node scan does not read", cfg.Raw)
		}
		pass.Report(check.Finding{Status: v.status, Object: sc.obj, Field: in.field(v.flag), Message: v.msg + sc.note})
	}
	if !found {
		kubeProxyAbsent(pass, len(untrusted) > 0)
	}
	for i, o := range untrusted {
		pass.NotEvaluated(o, why[i])
	}
	return nil
}

// kubeProxyAbsent reports 4.3.1 when no kube-proxy of the cluster's own is seen; others
// says copies outside kube-system were found (they are reported apart).
func kubeProxyAbsent(pass *check.Pass, others bool) {
	inv := pass.Inventory
	// No DaemonSet: the kubeadm ConfigMap alone still says what kube-proxy is given (each
	// definition of it, when manifests hold several).
	reported := false
	for _, cm := range inv.Variants(inventory.KindConfigMap, "kube-system", "kube-proxy") {
		if c, ok := cm.Object().(*corev1.ConfigMap); ok {
			if data, ok := c.Data["config.conf"]; ok {
				v := metricsFromConfig(data)
				pass.Report(check.Finding{Status: v.status, Object: cm, Field: "data[config.conf].metricsBindAddress", Message: v.msg})
				reported = true
			}
		}
	}
	if reported {
		return
	}
	for _, o := range inv.ByKind(inventory.KindNode) {
		if node, ok := o.Object().(*corev1.Node); ok && strings.Contains(node.Status.NodeInfo.KubeletVersion, "+k3s") {
			pass.NotEvaluated(nil, fmt.Sprintf("the cluster runs k3s (node %s), which runs kube-proxy inside its own "+
				"process on every node: run the node scan (examples/node-scan) on the nodes and include its output", o.Name()))
			return
		}
	}
	if len(inv.ByKind(inventory.KindNodeFiles)) > 0 && inv.Unseen(inventory.KindDaemonSet) != "" {
		pass.NotEvaluated(nil, "the node scans show no kube-proxy of their own (a static pod or one inside k3s): on "+
			"kubeadm it runs from a DaemonSet, which only a scan of the cluster sees")
		return
	}
	if reason := inv.Unseen(inventory.KindDaemonSet, inventory.KindPod); reason != "" {
		pass.NotEvaluated(nil, "cannot find kube-proxy: "+reason)
		return
	}
	if others {
		return
	}
	if cm, v := kubeProxyReplaced(inv); cm != nil {
		pass.NotApplicable(nil, "no kube-proxy runs: Cilium replaces it (ConfigMap "+cm.Namespace()+"/"+cm.Name()+
			", kube-proxy-replacement: "+v+")")
		return
	}
	// Not seen is not absent: kube-proxy may run as a system service on the nodes, which the
	// API does not show. Only the cluster's own word that it replaces kube-proxy makes the
	// control not applicable.
	pass.NotEvaluated(nil, "no kube-proxy DaemonSet or static pod is seen: if kube-proxy runs as a system service on "+
		"the nodes, scan them (examples/node-scan) and include the output; if the cluster replaces kube-proxy, "+
		"record an exception for this control")
}

// kubeProxyReplaced returns Cilium's configuration in kube-system when it replaces kube-proxy
// (kube-proxy-replacement "true", or "strict" before Cilium 1.14; "partial" and "probe" keep
// kube-proxy running), and the value it has; nil when manifests define that ConfigMap in
// several places that do not all say so (half the evidence is no evidence). Only kube-system
// is trusted: anyone allowed to write ConfigMaps elsewhere could silence the control.
func kubeProxyReplaced(inv *inventory.Inventory) (*inventory.Object, string) {
	var first *inventory.Object
	value := ""
	for _, o := range inv.Variants(inventory.KindConfigMap, metav1.NamespaceSystem, "cilium-config") {
		c, ok := o.Object().(*corev1.ConfigMap)
		if !ok {
			return nil, ""
		}
		switch v := strings.TrimSpace(c.Data["kube-proxy-replacement"]); v {
		case "true", "strict":
			if first == nil {
				first, value = o, v
			}
		default:
			return nil, ""
		}
	}
	return first, value
}

func judgeKubeProxy(pass *check.Pass, inv *inventory.Inventory, o *inventory.Object, spec *corev1.PodSpec, ctr corev1.Container, fs *flags.Set, base string) {
	if problems := fs.Problems(); len(problems) > 0 {
		pass.NotEvaluated(o, "kube-proxy would not start with this command line: "+problems[0])
		return
	}
	if hidden := fs.Hidden(); len(hidden) > 0 {
		pass.NotEvaluated(o, "the kube-proxy command line has words whose value is not visible ("+base+"."+hidden[0]+
			": a shell expansion or a Secret/ConfigMap reference) and may hold further flags")
		return
	}
	if cfg, ok := fs.Lookup("config"); ok && cfg.Raw != "" {
		// With --config, kube-proxy ignores its other flags and reads the file.
		cmName, key := configMapFor(spec, ctr, cfg.Raw)
		if cmName == "" {
			pass.NotEvaluated(o, "kube-proxy reads --config="+cfg.Raw+", which is not mounted from a ConfigMap")
			return
		}
		cm := inv.From(o).Get(inventory.KindConfigMap, o.Namespace(), cmName)
		if cm == nil {
			reason := "it is not in the input"
			if r := inv.Unseen(inventory.KindConfigMap); r != "" {
				reason = r
			}
			pass.NotEvaluated(o, "kube-proxy reads its configuration from ConfigMap "+o.Namespace()+"/"+cmName+": "+reason)
			return
		}
		c, _ := cm.Object().(*corev1.ConfigMap)
		data, ok := c.Data[key]
		if c == nil || !ok {
			pass.NotEvaluated(o, "ConfigMap "+o.Namespace()+"/"+cmName+" has no key "+key)
			return
		}
		v := metricsFromConfig(data)
		pass.Report(check.Finding{Status: v.status, Object: o, Field: base + ".args",
			Message: v.msg + " (in ConfigMap " + o.Namespace() + "/" + cmName + ", key " + key + ")"})
		return
	}
	v := kubeProxyMetricsFlags(fs)
	field := base + ".command"
	if val, ok := fs.Lookup("metrics-bind-address"); ok {
		field = base + "." + val.Origin
	}
	pass.Report(check.Finding{Status: v.status, Object: o, Field: field, Message: v.msg})
}

// kubeProxyMetricsFlags judges kube-proxy's metrics address from its flags (no --config):
// --metrics-bind-address, whose default port is --metrics-port, which turns the metrics
// server off when 0 (cmd/kube-proxy/app: Options.Complete, addressFromDeprecatedFlags).
func kubeProxyMetricsFlags(fs *flags.Set) verdict {
	const name = "metrics-port"
	v, ok, u := lookup(fs, name)
	if u != nil {
		// Off (0) or on a loopback address both pass: only a reachable address needs the port.
		if bind := loopbackOnly("metrics-bind-address", kubeProxyDefaultMetrics)(fs); bind.status == check.StatusPass {
			return bind
		}
		return *u
	}
	if ok {
		n, err := v.Int()
		if err != nil {
			return failf(name, "%v", err)
		}
		if n == 0 {
			return passf(name, "--metrics-port=0 turns the metrics server off")
		}
	}
	return loopbackOnly("metrics-bind-address", kubeProxyDefaultMetrics)(fs)
}

// ownedByNode reports a mirror pod, which its Node controls.
func ownedByNode(pod *corev1.Pod) bool {
	ref := metav1.GetControllerOfNoCopy(pod)
	return ref != nil && ref.Kind == "Node"
}

// configMapFor finds the ConfigMap volume that holds file in the container, and its key.
func configMapFor(spec *corev1.PodSpec, ctr corev1.Container, file string) (name, key string) {
	for _, m := range ctr.VolumeMounts {
		rel, ok := strings.CutPrefix(path.Clean(file), path.Clean(m.MountPath)+"/")
		if !ok {
			continue
		}
		if m.SubPath != "" {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name != m.Name || v.ConfigMap == nil {
				continue
			}
			key = rel
			for _, it := range v.ConfigMap.Items {
				if it.Path == rel {
					key = it.Key
				}
			}
			return v.ConfigMap.Name, key
		}
	}
	return "", ""
}

func metricsFromConfig(data string) verdict {
	var cfg struct {
		MetricsBindAddress string `json:"metricsBindAddress"`
	}
	if err := yaml.Unmarshal([]byte(data), &cfg); err != nil {
		return unknownf("", "the kube-proxy configuration cannot be parsed: %v", err)
	}
	if cfg.MetricsBindAddress == "" {
		return passf("", "metricsBindAddress is not set; it defaults to %s", kubeProxyDefaultMetrics)
	}
	if isLoopback(cfg.MetricsBindAddress) {
		return passf("", "metricsBindAddress: %s", cfg.MetricsBindAddress)
	}
	return failf("", "metricsBindAddress: %s listens beyond localhost", cfg.MetricsBindAddress)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
