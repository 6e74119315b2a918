package cis

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/internal/nodefs"
	"github.com/kspm-dev/kspm/inventory"
)

// component is a control-plane program whose pods the control-plane controls inspect.
type component struct {
	name     string // binary and label value, e.g. "kube-apiserver"
	manifest string // kubeadm's static pod manifest
	// envPrefix, when set, makes environment variables with that prefix count as flags
	// (etcd reads ETCD_CLIENT_CERT_AUTH as --client-cert-auth).
	envPrefix string
	// configFlag names a flag whose file, when given, replaces the other flags (etcd's
	// --config-file): the pod spec then does not show the settings.
	configFlag string

	instances memo[foundInstances]
}

var (
	kubeAPIServer = &component{
		name:     "kube-apiserver",
		manifest: "/etc/kubernetes/manifests/kube-apiserver.yaml",
	}
	kubeControllerManager = &component{
		name:     "kube-controller-manager",
		manifest: "/etc/kubernetes/manifests/kube-controller-manager.yaml",
	}
	kubeScheduler = &component{
		name:     "kube-scheduler",
		manifest: "/etc/kubernetes/manifests/kube-scheduler.yaml",
	}
	etcd = &component{
		name:       "etcd",
		manifest:   "/etc/kubernetes/manifests/etcd.yaml",
		envPrefix:  "ETCD_",
		configFlag: "config-file",
	}
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// instance is one running (or, in manifest mode, declared) copy of a component: a pod, or
// a component a node scan found running inside another program (k3s).
type instance struct {
	obj *inventory.Object
	// pod and container are the pod that runs the component (nil for a node scan's
	// component, which is entry component of the NodeFiles object's spec.components).
	pod       *corev1.Pod
	container int
	component int
	flags     *flags.Set
	// opaque, when set, says why the component's flags are not visible (a container
	// labelled as the component runs a program of its own that starts it).
	opaque string
	// distrust, when set, says why the pod is not taken as the cluster's component.
	distrust string
	// configField, when set, is where the pod names the file its flags were read from (etcd's
	// --config-file, read by a node scan); note says where the flags came from.
	configField string
	note        string
}

// field returns the field path of flag in the instance's pod: where it was set, or the
// container's command when it is not set. For a node scan's component it is the flag's
// entry in spec.components[i].args.
func (in instance) field(flag string) string {
	if in.pod == nil {
		base := fmt.Sprintf("spec.components[%d]", in.component)
		if v, ok := in.flags.Lookup(flag); ok && v.Origin != "" {
			return base + "." + v.Origin
		}
		return base + ".args"
	}
	if in.configField != "" {
		return in.configField
	}
	base := fmt.Sprintf("spec.containers[%d]", in.container)
	if flag != "" {
		if v, ok := in.flags.Lookup(flag); ok {
			if strings.HasPrefix(v.Origin, "env ") {
				return base + ".env"
			}
			return base + "." + v.Origin
		}
	}
	if len(in.pod.Spec.Containers[in.container].Command) == 0 {
		return base + ".args"
	}
	return base + ".command"
}

const (
	annotationMirror       = "kubernetes.io/config.mirror"
	annotationConfigSource = "kubernetes.io/config.source"
)

// Where the cluster's own components run.
//
// kubeadm-style static pods are mirrored into kube-system, where in a sane cluster only
// cluster administrators may create pods. The marks a static pod carries elsewhere prove
// nothing: the API server accepts the kubernetes.io/config.mirror and config.source
// annotations and an owner reference to a Node from any user allowed to create pods in the
// namespace (pod validation asks only that a mirror pod sets spec.nodeName; NodeRestriction
// restricts what kubelets create, not what other users create). So a pod is taken as the
// cluster's component only in kube-system, or, in manifests, in a static pod manifest
// written without a namespace (the kubelet and LoadManifests put it in default). A pod
// elsewhere that looks like one is reported, never judged: its flags would let anyone who may
// create pods make a control pass.

// trustedPlace reports whether an object with meta (and, for a pod, the static pod marks)
// is where only administrators put the cluster's components: kube-system; in manifests
// also an object written without a namespace (namespace "" or default), unless it was
// listed from an API server (it has a UID, creation time or resource version, or the marks
// the kubelet puts on mirror pods), where namespace default is open to users.
func trustedPlace(inv *inventory.Inventory, meta metav1.Object, marks []string) bool {
	switch ns := meta.GetNamespace(); {
	case ns == "kube-system":
		return true
	case inv.Mode() != inventory.ModeManifests || ns != "" && ns != metav1.NamespaceDefault:
		return false
	}
	created := meta.GetCreationTimestamp()
	listed := meta.GetUID() != "" || !created.IsZero() || meta.GetResourceVersion() != ""
	return len(marks) == 0 && !listed
}

// staticMarks returns the marks of a static pod that pod carries: the mirror and config
// source annotations and an owner reference to a Node.
func staticMarks(pod *corev1.Pod) []string {
	var marks []string
	if _, ok := pod.Annotations[annotationMirror]; ok {
		marks = append(marks, "annotation "+annotationMirror)
	}
	if pod.Annotations[annotationConfigSource] == "file" {
		marks = append(marks, "annotation "+annotationConfigSource+": file")
	}
	for _, ref := range pod.OwnerReferences {
		if ref.Kind == "Node" {
			marks = append(marks, "an owner reference to Node "+ref.Name)
		}
	}
	return marks
}

// componentCandidate reports whether pod may be a component pod, and whether it is where
// only administrators put pods. Candidates are the pods in kube-system, pods with the marks
// of a static pod (returned in marks), and (in manifests) bare pods that nothing controls,
// such as a static pod manifest read from disk.
func componentCandidate(inv *inventory.Inventory, pod *corev1.Pod) (candidate, trusted bool, marks []string) {
	if pod.Namespace == "kube-system" {
		return true, true, nil
	}
	marks = staticMarks(pod)
	bare := inv.Mode() == inventory.ModeManifests && len(pod.OwnerReferences) == 0
	if len(marks) == 0 && !bare {
		return false, false, nil
	}
	return true, trustedPlace(inv, pod, marks), marks
}

// distrust says why o, which looks like c, is not taken as the cluster's c; marks are the
// static pod marks it carries.
func distrust(o *inventory.Object, c string, marks []string) string {
	how := "anyone allowed to create " + o.GroupKind().Kind + "s there can make one like it"
	if len(marks) > 0 {
		how = "the API server accepts the marks of a static pod it carries (" + strings.Join(marks, ", ") +
			") from anyone allowed to create Pods there"
	}
	return fmt.Sprintf("%s looks like %s but is in namespace %s, not kube-system: %s, so it is not taken as "+
		"the cluster's %s and its flags are not judged", o, c, o.Namespace(), how, c)
}

// findInstances returns the pods that run the cluster's c, each with its parsed flags,
// ordered as the inventory orders pods. The result is shared: do not modify it.
func findInstances(inv *inventory.Inventory, c *component) []instance {
	return c.found(inv).trusted
}

// foundInstances are the pods that run a component, split by whether they are the
// cluster's own.
type foundInstances struct {
	trusted []instance
	// untrusted look like the component's pods but are not where only administrators
	// put pods; each has its reason in distrust.
	untrusted []instance
}

func (c *component) found(inv *inventory.Inventory) foundInstances {
	return c.instances.get(inv, func(inv *inventory.Inventory) foundInstances { return scanInstances(inv, c) })
}

func scanInstances(inv *inventory.Inventory, c *component) foundInstances {
	var out foundInstances
	for _, o := range inv.ByKind(inventory.KindPod) {
		pod, ok := o.Object().(*corev1.Pod)
		if !ok {
			continue
		}
		candidate, trusted, marks := componentCandidate(inv, pod)
		if !candidate {
			continue
		}
		in, ok := matchComponent(o, pod, c)
		if !ok {
			continue
		}
		if !trusted {
			in.distrust = distrust(o, c.name, marks)
			out.untrusted = append(out.untrusted, in)
			continue
		}
		if c.configFlag != "" {
			in = withConfigFile(inv, in, c)
		}
		out.trusted = append(out.trusted, in)
	}
	// Components a node scan found inside another program (k3s): node data the operator gave.
	for _, sc := range scannedComponents(inv, c.name) {
		out.trusted = append(out.trusted, instance{obj: sc.obj, component: sc.index, flags: sc.flags, note: sc.note, opaque: sc.error})
	}
	return out
}

// argsFlags builds the flag set of a node scan's list of args ({name, value, unknown}):
// unset, when not empty, says why flags not listed are not known, except notSet.
func argsFlags(list any, component, unset string, notSet ...string) *flags.Set {
	fs := &flags.Set{}
	args, _ := list.([]any)
	for j, a := range args {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		name := str(m, "name")
		if component != etcd.name {
			name = strings.ReplaceAll(name, "_", "-") // pflag's word separator normalisation
		}
		v := flags.Value{Name: name, Raw: str(m, "value"), Index: j, Origin: fmt.Sprintf("args[%d]", j)}
		if unknown, _ := m["unknown"].(bool); unknown {
			v.Unknown = true
			v.Why = "the distribution adds a value of its own, which is in no file, to the one its configuration gives"
		}
		fs.Add(v)
	}
	if unset != "" {
		fs.UnsetUnknown(unset, notSet...)
	}
	return fs
}

// withConfigFile replaces the flags of a pod that reads its settings from a file (etcd's
// --config-file) with that file's, when a node scan of the pod's node read it where the pod
// mounts it from.
func withConfigFile(inv *inventory.Inventory, in instance, c *component) instance {
	v, ok := in.flags.Lookup(c.configFlag)
	if !ok || v.Unknown || v.Raw == "" {
		return in
	}
	nf := nodeFilesOf(inv, in.pod)
	if nf == nil {
		return in
	}
	m, err := nf.Map()
	if err != nil {
		return in
	}
	spec, _ := m["spec"].(map[string]any)
	ec, _ := spec["etcdConfig"].(map[string]any)
	hp := nodefs.HostPathOf(in.pod, c.name, v.Raw)
	if ec == nil || hp == "" || str(ec, "path") != hp {
		return in
	}
	field := in.field(c.configFlag)
	if e := str(ec, "error"); e != "" {
		in.opaque = fmt.Sprintf("%s reads its settings from --%s=%s, which the node scan of %s could not read: %s",
			c.name, c.configFlag, v.Raw, nf.Name(), e)
		return in
	}
	in.flags = argsFlags(ec["args"], c.name, "")
	in.configField = field
	in.note = fmt.Sprintf(" (from its --%s %s, read by the node scan of %s)", c.configFlag, hp, nf.Name())
	return in
}

// nodeFilesOf returns the node scan of the node pod runs on: its spec.nodeName (a mirror
// pod), or, for a static pod manifest read from files, the inventory's only node scan.
func nodeFilesOf(inv *inventory.Inventory, pod *corev1.Pod) *inventory.Object {
	if pod.Spec.NodeName != "" {
		return inv.Get(inventory.KindNodeFiles, "", pod.Spec.NodeName)
	}
	if all := inv.ByKind(inventory.KindNodeFiles); inv.Mode() == inventory.ModeManifests && len(all) == 1 {
		return all[0]
	}
	return nil
}

func matchComponent(o *inventory.Object, pod *corev1.Pod, c *component) (instance, bool) {
	spec := flags.SpecFor(c.name)
	for i, ctr := range pod.Spec.Containers {
		env := envOf(ctr)
		if toks, found := flags.Locate(ctr.Command, ctr.Args, env, c.name); found {
			return newInstance(o, pod, i, toks, spec, c, ctr), true
		}
	}
	labelled := pod.Labels["component"] == c.name || pod.Labels["k8s-app"] == c.name ||
		pod.Labels["app.kubernetes.io/name"] == c.name
	if !labelled || len(pod.Spec.Containers) == 0 {
		return instance{}, false
	}
	// Labelled as the component, with the binary started by the image's entrypoint: pick
	// the container named after the component, else the only one.
	idx := -1
	for i, ctr := range pod.Spec.Containers {
		if ctr.Name == c.name || strings.TrimPrefix(c.name, "kube-") == ctr.Name {
			idx = i
			break
		}
	}
	if idx < 0 {
		if len(pod.Spec.Containers) != 1 {
			return instance{}, false
		}
		idx = 0
	}
	ctr := pod.Spec.Containers[idx]
	in := newInstance(o, pod, idx, flags.Args(ctr.Command, ctr.Args, envOf(ctr)), spec, c, ctr)
	if len(ctr.Command) > 0 {
		// Not the image's entrypoint but some program that does not name the component:
		// the flags it passes on are not in the pod spec.
		in.opaque = fmt.Sprintf("the pod is labelled %s but its container runs %s, which does not name %s: "+
			"the flags it starts %s with are not visible", c.name, ctr.Command[0], c.name, c.name)
	}
	return in, true
}

func newInstance(o *inventory.Object, pod *corev1.Pod, idx int, toks []flags.Token, spec flags.Spec, c *component, ctr corev1.Container) instance {
	fs := flags.ParseTokens(toks, spec)
	if c.envPrefix != "" {
		fs.AddEnv(envList(ctr), c.envPrefix)
	}
	in := instance{obj: o, pod: pod, container: idx, flags: fs}
	if problems := fs.Problems(); len(problems) > 0 {
		in.opaque = fmt.Sprintf("%s would not start with this command line: %s", c.name, problems[0])
	} else if hidden := fs.Hidden(); len(hidden) > 0 {
		in.opaque = fmt.Sprintf("the %s command line has words whose value is not visible (spec.containers[%d].%s: "+
			"a shell expansion or a Secret/ConfigMap reference) and may hold further flags", c.name, idx, hidden[0])
	}
	return in
}

func envList(ctr corev1.Container) []flags.EnvVar {
	out := make([]flags.EnvVar, 0, len(ctr.Env))
	for _, e := range ctr.Env {
		out = append(out, flags.EnvVar{Name: e.Name, Value: e.Value, Unknown: e.ValueFrom != nil})
	}
	return out
}

func envOf(ctr corev1.Container) map[string]flags.EnvVar {
	if len(ctr.Env) == 0 {
		return nil
	}
	m := make(map[string]flags.EnvVar, len(ctr.Env))
	for _, e := range envList(ctr) {
		m[e.Name] = e
	}
	return m
}

// verdict is the outcome of a rule over one component's flags.
type verdict struct {
	status check.Status
	flag   string // the flag the verdict is about, for the field path
	msg    string
}

func passf(flag, format string, args ...any) verdict {
	return verdict{check.StatusPass, flag, fmt.Sprintf(format, args...)}
}

func failf(flag, format string, args ...any) verdict {
	return verdict{check.StatusFail, flag, fmt.Sprintf(format, args...)}
}

func unknownf(flag, format string, args ...any) verdict {
	return verdict{check.StatusNotEvaluated, flag, fmt.Sprintf(format, args...)}
}

// flagRule judges a component's flags.
type flagRule func(fs *flags.Set) verdict

// absentReason returns the status and reason to report when no pod runs c.
func absentReason(inv *inventory.Inventory, c *component) (check.Status, string) {
	// What node scans say comes first: they read the node itself.
	if status, reason := absentOnNodes(inv, c); reason != "" {
		return status, reason
	}
	if reason := inv.Unseen(inventory.KindPod); reason != "" {
		return check.StatusNotEvaluated, fmt.Sprintf("cannot find the %s pod: %s", c.name, reason)
	}
	if c == etcd && len(findInstances(inv, kubeAPIServer)) > 0 {
		if inv.Mode() == inventory.ModeManifests {
			return check.StatusNotEvaluated, "no etcd pod in the input although kube-apiserver is there: etcd is " +
				"external or its manifest was not included"
		}
		return check.StatusNotEvaluated, "no etcd pod found although kube-apiserver pods exist: etcd runs " +
			"outside the cluster's pods (external etcd); evaluate it on the etcd hosts"
	}
	where := "in kube-system"
	if inv.Mode() == inventory.ModeManifests {
		where = "in the input"
	}
	// A managed control plane runs the component where kspm cannot see it: its configuration
	// is unknown, not absent, so the control could not be evaluated (never notApplicable,
	// which would read as "nothing to check").
	return check.StatusNotEvaluated, fmt.Sprintf("no %s pod %s: managed control plane or not visible, so its "+
		"configuration cannot be read (the provider's own benchmark covers a managed control plane)", c.name, where)
}

// absentOnNodes says what the node scans and the Node objects in inv tell about a component
// no pod runs: a control plane the scans could not account for, a static pod whose manifest
// is not in the input, a layout that runs the component outside any pod (k3s), or one that
// has no such component (k3s without etcd). It returns "" when they tell nothing.
func absentOnNodes(inv *inventory.Inventory, c *component) (check.Status, string) {
	var unknown, absent, k3sServers, workers []string
	for _, n := range nodeScans(inv) {
		o := n.obj
		if w := n.workerEvidence(); w != "" && len(n.unrecognised) == 0 {
			workers = append(workers, fmt.Sprintf("%s (%s)", o.Name(), w))
		} else {
			workers = append(workers, "")
		}
		if len(n.unrecognised) > 0 {
			unknown = append(unknown, fmt.Sprintf("node %s shows what no recognised layout accounts for: %s", o.Name(),
				strings.Join(n.unrecognised, "; ")))
			continue
		}
		for _, l := range n.layouts {
			if l.role != inventory.NodeRoleControlPlane {
				continue
			}
			role := map[string]string{kubeAPIServer.name: inventory.NodeFileAPIServerManifest,
				kubeControllerManager.name: inventory.NodeFileControllerManagerManifest,
				kubeScheduler.name:         inventory.NodeFileSchedulerManifest, etcd.name: inventory.NodeFileEtcdManifest}[c.name]
			switch {
			case slices.Contains(l.components, c.name) && l.name != inventory.NodeLayoutK3s:
				unknown = append(unknown, fmt.Sprintf("the node scan of %s found %s's static pod manifest (%s), but the pod "+
					"is not in the input: scan the manifest or the cluster with it", o.Name(), c.name, layoutName(l.name)))
			case l.name == inventory.NodeLayoutK3s && c == etcd && l.datastore == "external etcd":
				unknown = append(unknown, fmt.Sprintf("k3s on node %s uses an external etcd (datastore-endpoint): evaluate "+
					"etcd on its hosts", o.Name()))
			case l.name == inventory.NodeLayoutK3s && l.absent[role] != "" && !strings.Contains(l.absent[role], "inside the k3s process"):
				absent = append(absent, fmt.Sprintf("node %s: %s", o.Name(), l.absent[role]))
			case l.name == inventory.NodeLayoutK3s && c == etcd && l.datastore != "" && l.datastore != "etcd":
				absent = append(absent, fmt.Sprintf("k3s on node %s keeps the cluster in %s (kine), not etcd", o.Name(), l.datastore))
			case l.name == inventory.NodeLayoutK3s:
				k3sServers = append(k3sServers, o.Name())
			case l.absent[role] != "":
				absent = append(absent, fmt.Sprintf("node %s: %s", o.Name(), l.absent[role]))
			case c != etcd:
				// etcd may run elsewhere for a control plane that has none (external etcd):
				// the checks below say so.
				absent = append(absent, fmt.Sprintf("node %s is a %s control-plane node without a %s static pod manifest",
					o.Name(), layoutName(l.name), c.name))
			}
		}
	}
	switch {
	case len(unknown) > 0:
		return check.StatusNotEvaluated, strings.Join(unknown, "; ")
	case len(k3sServers) > 0:
		return check.StatusNotEvaluated, fmt.Sprintf("the node scan of the k3s server %s does not show how %s runs there",
			strings.Join(k3sServers, ", "), c.name)
	case len(absent) > 0:
		return check.StatusNotApplicable, strings.Join(absent, "; ")
	}
	// Nodes of a distribution that runs the control plane outside any pod, without a node scan.
	for _, o := range inv.ByKind(inventory.KindNode) {
		node, ok := o.Object().(*corev1.Node)
		if !ok {
			continue
		}
		if v := node.Status.NodeInfo.KubeletVersion; strings.Contains(v, "+k3s") {
			return check.StatusNotEvaluated, fmt.Sprintf("the cluster runs k3s (node %s, kubelet %s), which runs %s inside "+
				"the k3s server process, not in a pod: run the node scan (examples/node-scan) on the k3s servers and "+
				"include its output", o.Name(), v, c.name)
		}
	}
	if len(workers) > 0 && !slices.Contains(workers, "") && len(inv.ByKind(inventory.KindNode)) == 0 {
		// The control plane runs somewhere else (or is managed): its configuration is unknown.
		return check.StatusNotEvaluated, "the node scans are of worker nodes only, so the control plane was not seen: " +
			strings.Join(workers, "; ")
	}
	return check.StatusNotEvaluated, ""
}

// runComponent returns a check body that applies rule to every pod running c.
func runComponent(c *component, rule flagRule) check.RunFunc {
	return func(ctx context.Context, pass *check.Pass) error {
		found := c.found(pass.Inventory)
		if len(found.trusted) == 0 && len(found.untrusted) == 0 {
			status, reason := absentReason(pass.Inventory, c)
			pass.Report(check.Finding{Status: status, Message: reason})
			return nil
		}
		for _, in := range found.trusted {
			if err := ctx.Err(); err != nil {
				return err
			}
			v := judge(in, c, rule)
			pass.Report(check.Finding{Status: v.status, Object: in.obj, Field: in.field(v.flag), Message: v.msg + in.note})
		}
		for _, in := range found.untrusted {
			pass.NotEvaluated(in.obj, in.distrust)
		}
		return nil
	}
}

func judge(in instance, c *component, rule flagRule) verdict {
	if in.opaque != "" {
		return unknownf("", "%s", in.opaque)
	}
	if c.configFlag != "" {
		if v, ok := in.flags.Lookup(c.configFlag); ok {
			return unknownf(c.configFlag, "%s reads its settings from --%s=%s, which replaces its flags; "+
				"the file is not visible in the pod spec", c.name, c.configFlag, v.Raw)
		}
	}
	return rule(in.flags)
}

// Rule builders. Each states the flag it reads and how an unset flag is judged.

// lookup returns the flag's last value, or notEvaluated when the value is not knowable.
func lookup(fs *flags.Set, name string) (flags.Value, bool, *verdict) {
	v, ok := fs.Lookup(name)
	if ok && v.Unknown {
		u := unknownf(name, "--%s is not known: %s", name, v.Why)
		return v, ok, &u
	}
	return v, ok, nil
}

// boolIs passes when the boolean flag is want; def is the component's default when unset.
func boolIs(name string, want, def bool) flagRule {
	return func(fs *flags.Set) verdict {
		v, ok, u := lookup(fs, name)
		if u != nil {
			return *u
		}
		if !ok {
			if def == want {
				return passf(name, "--%s is not set; it defaults to %t", name, def)
			}
			return failf(name, "--%s is not set and defaults to %t; want %t", name, def, want)
		}
		b, err := v.Bool()
		if err != nil {
			return failf(name, "%v", err)
		}
		if b == want {
			return passf(name, "--%s=%s", name, display(v))
		}
		return failf(name, "--%s=%s; want %t", name, display(v), want)
	}
}

func display(v flags.Value) string {
	if v.Bare {
		return "true (bare flag)"
	}
	return v.Raw
}

// isSet passes when every named flag is set to a non-empty value.
func isSet(names ...string) flagRule {
	return func(fs *flags.Set) verdict {
		var got []string
		for _, name := range names {
			v, ok, u := lookup(fs, name)
			if u != nil {
				return *u
			}
			if !ok || strings.TrimSpace(v.Raw) == "" {
				return failf(name, "--%s is not set", name)
			}
			got = append(got, "--"+name+"="+v.Raw)
		}
		return passf(names[0], "%s", strings.Join(got, " "))
	}
}

// notSet passes when the flag is absent (or given an empty value).
func notSet(name string) flagRule {
	return func(fs *flags.Set) verdict {
		v, ok, u := lookup(fs, name)
		if u != nil {
			return *u
		}
		if ok && v.Bare {
			// A non-boolean flag written without a value takes the next word as its value.
			return failf(name, "--%s is set", name)
		}
		if ok && strings.TrimSpace(v.Raw) != "" {
			return failf(name, "--%s=%s is set", name, v.Raw)
		}
		return passf(name, "--%s is not set", name)
	}
}

// listHas passes when the list flag contains item (exact item, not a substring). def is the
// list in effect when the flag is unset.
func listHas(name, item string, def []string) flagRule {
	return listRule(name, item, def, true)
}

// listLacks passes when the list flag does not contain item.
func listLacks(name, item string, def []string) flagRule {
	return listRule(name, item, def, false)
}

func listRule(name, item string, def []string, want bool) flagRule {
	return func(fs *flags.Set) verdict {
		items, ok, unknown := fs.List(name)
		if unknown {
			return unknownf(name, "--%s is not known: %s", name, fs.Why(name))
		}
		desc := "--" + name + "=" + strings.Join(items, ",")
		switch {
		case !ok:
			items = def
			desc = fmt.Sprintf("--%s is not set (default %q)", name, strings.Join(def, ","))
		case len(items) == 0 && def != nil:
			// An empty list is no list: the component falls back to its default
			// (kube-apiserver: --authorization-mode= means AlwaysAllow).
			items = def
			desc = fmt.Sprintf("--%s is empty (default %q)", name, strings.Join(def, ","))
		}
		has := contains(items, item)
		switch {
		case has == want && want:
			return passf(name, "%s includes %s", desc, item)
		case has == want:
			return passf(name, "%s does not include %s", desc, item)
		case want:
			return failf(name, "%s does not include %s", desc, item)
		default:
			return failf(name, "%s includes %s", desc, item)
		}
	}
}

func contains(items []string, item string) bool {
	for _, it := range items {
		if it == item {
			return true
		}
	}
	return false
}

// intAtLeast passes when the integer flag is at least min; def applies when unset.
func intAtLeast(name string, min, def int64) flagRule {
	return func(fs *flags.Set) verdict {
		v, ok, u := lookup(fs, name)
		if u != nil {
			return *u
		}
		if !ok {
			if def >= min {
				return passf(name, "--%s is not set; it defaults to %d", name, def)
			}
			return failf(name, "--%s is not set (default %d); want at least %d", name, def, min)
		}
		n, err := v.Int()
		if err != nil {
			return failf(name, "%v", err)
		}
		if n >= min {
			return passf(name, "--%s=%d", name, n)
		}
		return failf(name, "--%s=%d; want at least %d", name, n, min)
	}
}

// loopbackOnly passes when the address flag is a loopback address; def applies when unset.
func loopbackOnly(name, def string) flagRule {
	return func(fs *flags.Set) verdict {
		v, ok, u := lookup(fs, name)
		if u != nil {
			return *u
		}
		if !ok {
			if isLoopback(def) {
				return passf(name, "--%s is not set; it defaults to %s", name, def)
			}
			return failf(name, "--%s is not set: the component listens on %s (every interface); want 127.0.0.1", name, def)
		}
		if isLoopback(v.Raw) {
			return passf(name, "--%s=%s", name, v.Raw)
		}
		return failf(name, "--%s=%s is not a loopback address; want 127.0.0.1", name, v.Raw)
	}
}

// subsetOf passes when the list flag is set and holds only allowed items.
func subsetOf(name string, allowed []string) flagRule {
	return func(fs *flags.Set) verdict {
		items, ok, unknown := fs.List(name)
		if unknown {
			return unknownf(name, "--%s is not known: %s", name, fs.Why(name))
		}
		if !ok || len(items) == 0 {
			return failf(name, "--%s is not set: the Go defaults apply, which include suites outside the strong list", name)
		}
		var bad []string
		for _, it := range items {
			if !contains(allowed, it) {
				bad = append(bad, it)
			}
		}
		if len(bad) > 0 {
			return failf(name, "--%s includes weak or unlisted suites: %s", name, strings.Join(bad, ", "))
		}
		return passf(name, "--%s lists only strong suites", name)
	}
}

// gateNotFalse passes unless the feature gate is set to false in --feature-gates.
func gateNotFalse(gate string) flagRule {
	return func(fs *flags.Set) verdict {
		const name = "feature-gates"
		m, ok, unknown := fs.Map(name)
		if unknown {
			return unknownf(name, "--%s is not known: %s", name, fs.Why(name))
		}
		val, has := m[gate]
		if !ok || !has {
			if all, set := m["AllBeta"]; set {
				if b, err := strconv.ParseBool(all); err != nil || !b {
					return failf(name, "--feature-gates sets AllBeta=%s, which turns off %s (a beta feature in "+
						"Kubernetes 1.37) as it is not set explicitly", all, gate)
				}
			}
			return passf(name, "feature gate %s is not set: it keeps its default (enabled)", gate)
		}
		b, err := strconv.ParseBool(val)
		if err != nil {
			return failf(name, "feature gate %s=%q is not a boolean", gate, val)
		}
		if !b {
			return failf(name, "feature gate %s=false", gate)
		}
		return passf(name, "feature gate %s=true", gate)
	}
}

// unlessFile returns notEvaluated when the settings rule reads come from a file named by
// flag and the flags rule reads are not set.
func unlessFile(fileFlag string, ruleFlags []string, rule flagRule) flagRule {
	return func(fs *flags.Set) verdict {
		if v, ok := fs.Lookup(fileFlag); ok && v.Raw != "" {
			set := false
			for _, f := range ruleFlags {
				set = set || fs.Has(f)
			}
			if !set {
				return unknownf(fileFlag, "the setting lives in the file --%s=%s, which is not visible in the pod spec", fileFlag, v.Raw)
			}
		}
		return rule(fs)
	}
}
