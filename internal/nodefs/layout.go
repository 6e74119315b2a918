package nodefs

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/internal/flags"
)

// Layouts the scan recognises (Layout.Name). Their paths come from their own documentation:
//
//   - kubeadm: the kubelet run by systemd (kubelet.service and its drop-ins, kubeadm-flags.env),
//     /etc/kubernetes (kubeconfigs, pki) and static pods in /etc/kubernetes/manifests or the
//     kubelet's staticPodPath.
//   - RKE2 (docs.rke2.io, CIS self-assessment guide): /etc/rancher/rke2/config.yaml and
//     config.yaml.d, data under /var/lib/rancher/rke2 (data-dir): static pods in
//     agent/pod-manifests, server/cred/*.kubeconfig, server/tls, server/db/etcd (whose
//     config file etcd reads with --config-file), agent/kubelet.kubeconfig,
//     agent/client-ca.crt, agent/kubeproxy.kubeconfig; the rke2 process starts the kubelet.
//   - k3s (docs.k3s.io, CIS self-assessment guide): /etc/rancher/k3s/config.yaml and
//     config.yaml.d, data under /var/lib/rancher/k3s; kube-apiserver, the controller
//     manager, the scheduler, the kubelet and (with an etcd datastore) etcd run inside the
//     k3s process, with the flags k3s chooses and those of kube-apiserver-arg and the like.
const (
	LayoutKubeadm = "kubeadm"
	LayoutRKE2    = "rke2"
	LayoutK3s     = "k3s"
)

// Roles of a node in its layout (Layout.NodeRole).
const (
	NodeControlPlane = "control-plane"
	NodeWorker       = "worker"
)

// Layout is a way of installing Kubernetes that the scan recognised on the node.
type Layout struct {
	// Name is LayoutKubeadm, LayoutRKE2 or LayoutK3s.
	Name string `json:"name"`
	// NodeRole is NodeControlPlane, NodeWorker, or "" when the scan cannot tell (Why says
	// why).
	NodeRole string `json:"nodeRole,omitempty"`
	Why      string `json:"why,omitempty"`
	// Evidence lists what identified the layout and the node's role (paths, units).
	Evidence []string `json:"evidence,omitempty"`
	// Components are the control-plane components the layout runs on this node.
	Components []string `json:"components,omitempty"`
	// DataDir and ConfigFiles are an RKE2 or k3s installation's data directory and the
	// configuration files read.
	DataDir     string   `json:"dataDir,omitempty"`
	ConfigFiles []string `json:"configFiles,omitempty"`
	// Datastore is what a k3s or RKE2 server keeps the cluster in: "etcd" (embedded),
	// "external etcd", "sqlite", "mysql", "postgres", "nats" ("" when not known).
	Datastore string `json:"datastore,omitempty"`
	// Absent maps a file role to why the layout has no such file on this node by design
	// (k3s has no static pod manifests: its components run inside its process).
	Absent map[string]string `json:"absent,omitempty"`
}

// Component is a control-plane component whose flags are in configuration files rather
// than a pod spec.
type Component struct {
	// Name is the component: kube-apiserver, kube-controller-manager, kube-scheduler, etcd.
	Name   string `json:"name"`
	Layout string `json:"layout"`
	// Args are the flags known to be given, in the order the component receives them.
	Args []Arg `json:"args,omitempty"`
	// From names the files the flags were read from.
	From []string `json:"from,omitempty"`
	// Unset, when not empty, says why a flag that is not in Args is not known either: the
	// layout passes values of its own that no file holds. NotSet lists flags known to be
	// absent all the same.
	Unset  string   `json:"unset,omitempty"`
	NotSet []string `json:"notSet,omitempty"`
	// Error says why the component's flags cannot be known at all.
	Error string `json:"error,omitempty"`
}

// Arg is one flag given to a component.
type Arg struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
	// Unknown marks a value the layout chooses itself, which no file holds.
	Unknown bool `json:"unknown,omitempty"`
	// From says which setting gave the flag (e.g. "kube-apiserver-arg").
	From string `json:"from,omitempty"`
}

// EtcdConfig is etcd's configuration file reduced to the flags it stands for. etcd reads
// nothing else when it is given one: its other flags and environment are ignored.
type EtcdConfig struct {
	Path  string `json:"path"`
	Args  []Arg  `json:"args,omitempty"`
	Error string `json:"error,omitempty"`
}

// controlPlaneComponents are the components the CIS control-plane sections judge.
var controlPlaneComponents = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"}

// roleOfComponent maps a control-plane component to its static pod manifest's role.
var roleOfComponent = map[string]string{
	"kube-apiserver": RoleAPIServerManifest, "kube-controller-manager": RoleControllerManagerManifest,
	"kube-scheduler": RoleSchedulerManifest, "etcd": RoleEtcdManifest,
}

const kubeadmManifests = "/etc/kubernetes/manifests"

// kubeadmEvidence returns the files that show a kubeadm-style node: the kubelet run by
// systemd, kubeadm's kubeconfigs and state.
func (r *reader) kubeadmEvidence() []string {
	var out []string
	for _, p := range []string{
		"/etc/kubernetes/kubelet.conf", "/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf",
		"/var/lib/kubelet/config.yaml", "/var/lib/kubelet/kubeadm-flags.env",
	} {
		if r.exists(p) {
			out = append(out, p)
		}
	}
	if applied, _ := r.units("kubelet.service"); len(applied) > 0 {
		out = append(out, applied[0])
	}
	if has, _ := r.staticPodsIn(kubeadmManifests); len(has) > 0 {
		out = append(out, kubeadmManifests)
	}
	return out
}

// staticPodsIn lists the control-plane static pod manifests in dir without recording them:
// the components found, and the files that could not be read as pods.
func (r *reader) staticPodsIn(dir string) (found map[string][]string, unreadable []string) {
	found = map[string][]string{}
	entries, err := r.h.readDir(dir)
	if err != nil {
		return found, nil
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || e.IsDir() {
			continue // the kubelet skips hidden files and directories
		}
		p := path.Join(dir, name)
		if c := canonicalManifest(name); c != "" {
			found[c] = append(found[c], p)
			continue
		}
		if name == "kube-proxy.yaml" || name == "kube-proxy.yml" {
			found["kube-proxy"] = append(found["kube-proxy"], p)
			continue
		}
		data, err := r.h.readFile(p, maxConfigSize)
		if err != nil {
			unreadable = append(unreadable, p+": "+err.Error())
			continue
		}
		var pod corev1.Pod
		if err := yaml.Unmarshal(data, &pod); err != nil || pod.Kind != "Pod" {
			if err == nil {
				err = fmt.Errorf("not a Pod (kind %q)", pod.Kind)
			}
			unreadable = append(unreadable, p+": "+err.Error())
			continue
		}
		if c := podComponent(&pod); c != "" {
			found[c] = append(found[c], p)
		}
	}
	return found, unreadable
}

// staticKubeProxy keeps the kube-proxy static pods found in dir (RKE2 runs kube-proxy so)
// for a scan on the node; they have no file role.
func (r *reader) staticKubeProxy(found map[string][]string) {
	files := found["kube-proxy"]
	sort.Strings(files)
	for _, p := range files {
		data, err := r.h.readFile(p, maxConfigSize)
		if err != nil {
			r.errorf("read %s: %v", p, err)
			continue
		}
		r.s.StaticPods = append(r.s.StaticPods, StaticPod{Path: p, Data: data})
	}
}

// canonicalManifest returns the component a static pod manifest is named after (kubeadm's
// and RKE2's names), or "".
func canonicalManifest(name string) string {
	for _, c := range controlPlaneComponents {
		for _, ext := range []string{".yaml", ".yml", ".manifest", ".json"} {
			if name == c+ext {
				return c
			}
		}
	}
	return ""
}

// podComponent returns the control-plane component a pod runs, by the program its
// containers start or its component label, or "".
func podComponent(pod *corev1.Pod) string {
	for _, c := range controlPlaneComponents {
		for _, ctr := range pod.Spec.Containers {
			if _, found := flags.Locate(ctr.Command, ctr.Args, nil, c); found {
				return c
			}
		}
	}
	for _, c := range controlPlaneComponents {
		if pod.Labels["component"] == c {
			return c
		}
	}
	for _, ctr := range pod.Spec.Containers {
		if _, found := flags.Locate(ctr.Command, ctr.Args, nil, "kube-proxy"); found {
			return "kube-proxy"
		}
	}
	return ""
}

// staticPods records the control-plane static pod manifests in dir as the files of their
// roles, keeps the first pod of each component in pods, and returns the components found.
// unreadable lists the files of dir that could not be read as pods.
func (r *reader) staticPods(dir string, pods map[string]*corev1.Pod) (components, unreadable []string) {
	for _, c := range controlPlaneComponents {
		role := roleOfComponent[c]
		r.s.Searched[role] = appendUnique(r.s.Searched[role], path.Join(dir, c+".yaml"))
	}
	found, unreadable := r.staticPodsIn(dir)
	r.staticKubeProxy(found)
	for _, c := range controlPlaneComponents {
		files := found[c]
		sort.Strings(files)
		for _, p := range files {
			f := r.describe(roleOfComponent[c], p)
			r.s.Files = append(r.s.Files, f)
			data, err := r.h.readFile(p, maxConfigSize)
			if err != nil {
				r.errorf("read %s: %v", p, err)
				continue
			}
			r.s.StaticPods = append(r.s.StaticPods, StaticPod{Path: p, Data: data})
			if pods[c] == nil {
				if pod := r.readPod(p); pod != nil {
					pods[c] = pod
				}
			}
		}
		if len(files) > 0 {
			components = append(components, c)
		}
	}
	return components, unreadable
}

// kubeletStaticPodDir returns the kubelet's static pod directory from its flags and
// configuration, as far as the scan read them: known is false when they were not read (the
// kubelet's command line, which may set --pod-manifest-path, was not found).
func (r *reader) kubeletStaticPodDir() (dir string, known bool) {
	if !r.s.KubeletCommandLine {
		return "", false
	}
	fs := flags.Parse(r.s.KubeletArgs, flags.KubeletSpec())
	if v, ok := fs.Lookup("pod-manifest-path"); ok {
		if v.Unknown {
			return "", false
		}
		return v.Raw, true
	}
	if r.s.KubeletConfig == nil || r.s.KubeletConfigError != "" {
		return "", false
	}
	p, _ := r.s.KubeletConfig["staticPodPath"].(string)
	if p != "" && !path.IsAbs(p) && r.kubeletConfigPath != "" {
		p = path.Join(path.Dir(r.kubeletConfigPath), p)
	}
	return p, true
}

// kubeadmLayout records the static pods of a kubeadm-style node (kubeadm's directory and
// the kubelet's staticPodPath) and returns its layout.
func (r *reader) kubeadmLayout(evidence []string, pods map[string]*corev1.Pod) *Layout {
	l := &Layout{Name: LayoutKubeadm, Evidence: evidence}
	dirs := []string{kubeadmManifests}
	kubeletDir, known := r.kubeletStaticPodDir()
	if kubeletDir != "" && path.Clean(kubeletDir) != kubeadmManifests {
		dirs = append(dirs, path.Clean(kubeletDir))
	}
	var unreadable []string
	for _, dir := range dirs {
		comps, bad := r.staticPods(dir, pods)
		l.Components = appendUnique(l.Components, comps...)
		unreadable = append(unreadable, bad...)
	}
	for _, u := range unreadable {
		r.s.Unrecognised = append(r.s.Unrecognised, "the static pod manifest "+u)
	}
	switch {
	case len(l.Components) > 0:
		l.NodeRole = NodeControlPlane
		l.Evidence = appendUnique(l.Evidence, dirs...)
	case len(unreadable) > 0:
		l.Why = "a file in the kubelet's static pod directory could not be read"
	case known && kubeletDir == "":
		l.NodeRole = NodeWorker
		l.Evidence = append(l.Evidence, "the kubelet runs no static pods (no staticPodPath, no --pod-manifest-path)")
	case known:
		l.NodeRole = NodeWorker
		l.Evidence = append(l.Evidence, "the kubelet's static pod directory "+kubeletDir+" holds no control-plane manifest")
	case r.exists(kubeadmManifests):
		l.NodeRole = NodeWorker
		l.Evidence = append(l.Evidence, kubeadmManifests+" holds no control-plane manifest")
	default:
		l.Why = "the kubelet's static pod directory is not known (its configuration was not read) and " +
			kubeadmManifests + " does not exist"
	}
	return l
}

// distroLayout records the files of an RKE2 or k3s installation and returns its layout.
func (r *reader) distroLayout(d *distro, pods map[string]*corev1.Pod) *Layout {
	D := d.dataDir
	l := &Layout{Name: d.name, DataDir: D, ConfigFiles: d.configFiles, Absent: map[string]string{}}
	l.Evidence = append(l.Evidence, d.configFiles...)
	for _, u := range d.units {
		l.Evidence = append(l.Evidence, "systemd unit "+u)
	}
	for _, p := range []string{D + "/server", D + "/agent"} {
		if r.exists(p) {
			l.Evidence = append(l.Evidence, p)
		}
	}
	for _, p := range d.problems {
		r.errorf("%s: %s", d.name, p)
	}
	program := map[string]string{LayoutRKE2: "RKE2", LayoutK3s: "k3s"}[d.name]

	// The kubelet, which every RKE2 and k3s node runs from the rke2 or k3s process.
	r.s.KubeletStartedBy = d.name
	l.Absent[RoleKubeletService] = program + " starts the kubelet from its own process: there is no kubelet service file " +
		"(its flags come from " + program + "'s configuration, kubelet-arg)"
	items := d.list("kubelet-arg")
	kubeconfig := D + "/agent/kubelet.kubeconfig"
	if v, ok := kubeletArg(items, "kubeconfig"); ok {
		kubeconfig = v
	}
	r.first(RoleKubeletKubeconfig, kubeconfig)
	ca := D + "/agent/client-ca.crt"
	if v, ok := kubeletArg(items, "client-ca-file"); ok {
		ca = v
	}
	r.first(RoleKubeletClientCA, ca)
	if v, ok := kubeletArg(items, "config"); ok && v != "" {
		r.first(RoleKubeletConfig, v)
	} else {
		l.Absent[RoleKubeletConfig] = program + " gives the kubelet no --config file: its settings are " + program +
			"'s flags and the drop-ins in " + D + "/agent/etc/kubelet.conf.d"
	}
	if d.flag("disable-kube-proxy", "") {
		l.Absent[RoleKubeProxyKubeconfig] = "kube-proxy is disabled (disable-kube-proxy)"
	} else {
		r.first(RoleKubeProxyKubeconfig, D+"/agent/kubeproxy.kubeconfig")
		if d.name == LayoutK3s {
			// Every k3s node runs kube-proxy in its process; recorded after the server's
			// components.
			defer func() {
				r.s.Components = append(r.s.Components, Component{Name: "kube-proxy", Layout: LayoutK3s, From: d.from(),
					Args:  componentArgs(d.list("kube-proxy-arg"), "kube-proxy-arg"),
					Unset: k3sUnset("kube-proxy")})
			}()
		}
	}
	if d.name == LayoutK3s {
		r.dirFiles(RoleCNI, D+"/agent/etc/cni/net.d", false)
	}

	server := r.exists(D + "/server")
	switch d.name {
	case LayoutRKE2:
		comps, bad := r.staticPods(D+"/agent/pod-manifests", pods)
		for _, u := range bad {
			r.s.Unrecognised = append(r.s.Unrecognised, "the static pod manifest "+u)
		}
		l.Components = comps
		if len(comps) > 0 {
			server = true
		}
	}
	switch {
	case server:
		l.NodeRole = NodeControlPlane
	case r.exists(D+"/agent") || d.sub == "agent":
		l.NodeRole = NodeWorker
		l.Evidence = append(l.Evidence, program+" agent: no "+D+"/server")
		return l
	default:
		l.Why = "neither " + D + "/server nor " + D + "/agent exists: " + program + " has not run on this node"
		return l
	}

	// A server.
	if d.name == LayoutK3s {
		for _, c := range controlPlaneComponents {
			l.Absent[roleOfComponent[c]] = "k3s runs " + c + " inside the k3s process: there is no static pod manifest"
		}
	}
	disabled := map[string]bool{
		"kube-apiserver": d.flag("disable-apiserver", ""), "kube-controller-manager": d.flag("disable-controller-manager", ""),
		"kube-scheduler": d.flag("disable-scheduler", ""), "etcd": d.flag("disable-etcd", ""),
	}
	flagOf := map[string]string{"kube-apiserver": "disable-apiserver", "kube-controller-manager": "disable-controller-manager",
		"kube-scheduler": "disable-scheduler", "etcd": "disable-etcd"}
	for _, c := range controlPlaneComponents {
		if disabled[c] {
			l.Absent[roleOfComponent[c]] = c + " is disabled on this server (" + flagOf[c] + ")"
		}
	}
	endpoint := d.str("datastore-endpoint")
	if endpoint == "" {
		endpoint = d.env["_DATASTORE_ENDPOINT"]
	}
	switch {
	case endpoint != "":
		l.Datastore = datastoreKind(endpoint)
		if l.Datastore == "etcd" {
			l.Datastore = "external etcd"
		}
	case disabled["etcd"]:
	case d.name == LayoutRKE2 || d.flag("cluster-init", "_CLUSTER_INIT") || r.exists(D+"/server/db/etcd"):
		l.Datastore = "etcd"
	case r.exists(D + "/server/db/state.db"):
		l.Datastore = "sqlite"
	}
	switch {
	case disabled["etcd"]:
		l.Absent[RoleEtcdDataDir] = "etcd is disabled on this server (disable-etcd)"
	case l.Datastore == "external etcd":
		l.Absent[RoleEtcdDataDir] = program + " uses an external etcd (datastore-endpoint): its data is on the etcd hosts"
	case l.Datastore != "" && l.Datastore != "etcd":
		l.Absent[RoleEtcdDataDir] = program + " keeps the cluster in " + l.Datastore + " (kine), not etcd"
	}

	cred := D + "/server/cred"
	kubeconfig = "/etc/rancher/" + d.name + "/" + d.name + ".yaml"
	if v := d.str("write-kubeconfig"); v != "" {
		kubeconfig = v
	}
	r.first(RoleAdminKubeconfig, cred+"/admin.kubeconfig")
	r.first(RoleAdminKubeconfig, kubeconfig)
	r.first(RoleSchedulerKubeconfig, cred+"/scheduler.kubeconfig")
	r.first(RoleControllerManagerKubeconfig, cred+"/controller.kubeconfig")
	r.dirFiles(RolePKI, D+"/server/tls", true)

	if d.name == LayoutK3s {
		r.k3sComponents(d, l, disabled)
	}
	return l
}

// k3sComponents records the components a k3s server runs in its process, with the flags its
// configuration gives them, and the files those flags name.
func (r *reader) k3sComponents(d *distro, l *Layout, disabled map[string]bool) {
	D := d.dataDir
	from := d.from()
	for _, c := range []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler"} {
		if disabled[c] {
			continue
		}
		comp := Component{Name: c, Layout: LayoutK3s, From: from,
			Args:  componentArgs(d.list(c+"-arg"), c+"-arg"),
			Unset: k3sUnset(c)}
		if c == "kube-apiserver" {
			r.k3sAPIServer(d, &comp)
		}
		l.Components = append(l.Components, c)
		r.s.Components = append(r.s.Components, comp)
	}
	if l.Datastore != "etcd" || disabled["etcd"] {
		return
	}
	ec := r.readEtcdConfig(D + "/server/db/etcd/config")
	r.s.EtcdConfig = ec
	comp := Component{Name: "etcd", Layout: LayoutK3s, From: []string{ec.Path}, Args: ec.Args}
	if ec.Error != "" {
		comp.Error = "k3s's etcd configuration " + ec.Path + " cannot be read: " + ec.Error
	}
	l.Components = append(l.Components, "etcd")
	r.s.Components = append(r.s.Components, comp)
	dir := etcdArg(ec.Args, "data-dir")
	if dir == "" {
		dir = D + "/server/db/etcd"
	}
	r.first(RoleEtcdDataDir, dir)
}

// k3sUnset says why a flag of component c that k3s's configuration does not give is not
// known.
func k3sUnset(c string) string {
	return "k3s chooses it when " + c + "-arg does not give it, and no file holds k3s's choice (k3s only logs it, as " +
		"\"Running " + c + "\"): give the flag with " + c + "-arg to have it judged"
}

// k3sAPIServer completes kube-apiserver's flags with those k3s derives from its own
// options, and reads the files they name: with secrets-encryption, k3s passes
// --encryption-provider-config=<data-dir>/server/cred/encryption-config.json, and without it
// no such flag (pkg/daemons/control/server.go).
func (r *reader) k3sAPIServer(d *distro, comp *Component) {
	value := func(name string) (string, bool) {
		v, ok := "", false
		for _, a := range comp.Args {
			if a.Name == name {
				v, ok = a.Value, !a.Unknown
			}
		}
		return v, ok
	}
	enc, given := value("encryption-provider-config")
	switch {
	case given:
	case d.flag("secrets-encryption", ""):
		enc = d.dataDir + "/server/cred/encryption-config.json"
		comp.Args = append(comp.Args, Arg{Name: "encryption-provider-config", Value: enc, From: "secrets-encryption"})
		sort.SliceStable(comp.Args, func(i, j int) bool { return comp.Args[i].Name < comp.Args[j].Name })
	default:
		comp.NotSet = append(comp.NotSet, "encryption-provider-config")
		r.s.Encryption = &Encryption{Off: "k3s runs without secrets-encryption (not set in its configuration) and " +
			"kube-apiserver-arg gives no --encryption-provider-config: Secrets are stored unencrypted"}
	}
	if enc != "" {
		r.encryptionFile(enc, enc)
	}
	if p, ok := value("audit-policy-file"); ok && p != "" {
		r.first(RoleAuditPolicy, p)
	}
}

// unrecognised records signs of control-plane components that no recognised layout
// accounts for.
func (r *reader) unrecognised(layouts []Layout, distroFound bool) {
	accounted := map[string]bool{}
	for _, l := range layouts {
		for _, c := range l.Components {
			accounted[c] = true
		}
	}
	add := func(s string) { r.s.Unrecognised = append(r.s.Unrecognised, s) }
	if !distroFound {
		for _, dir := range []string{"/var/lib/rancher", "/etc/rancher"} {
			entries, err := r.h.readDir(dir)
			if err != nil {
				continue
			}
			for _, e := range entries {
				// /etc/rancher/node holds the node password RKE2 and k3s agents share.
				if e.IsDir() && !(dir == "/etc/rancher" && e.Name() == "node") {
					add("the directory " + path.Join(dir, e.Name()) + " belongs to a Rancher distribution other than RKE2 and k3s, " +
						"the ones the scan knows")
				}
			}
		}
	}
	for _, m := range []struct{ path, what string }{
		{"/var/snap/microk8s", "MicroK8s"}, {"/var/lib/k0s", "k0s"},
	} {
		if r.exists(m.path) {
			add(m.what + " (" + m.path + ") is installed: its layout is not one the scan knows")
		}
	}
	for _, c := range controlPlaneComponents {
		if accounted[c] {
			continue
		}
		if applied, _ := r.units(c + ".service"); len(applied) > 0 {
			add(c + " runs from the systemd unit " + applied[0] + ", which no recognised layout accounts for")
		}
	}
	r.processes(accounted, add)
}

// commComponents maps a process name (/proc/<pid>/comm, at most 15 bytes) to the
// control-plane component it is.
var commComponents = map[string]string{
	"kube-apiserver": "kube-apiserver", "kube-controller": "kube-controller-manager",
	"kube-scheduler": "kube-scheduler", "etcd": "etcd",
}

// maxProcesses bounds the processes looked at (a variable for tests).
var maxProcesses = 1 << 16

// processes reports the control-plane processes visible in the node's /proc that run
// outside any pod (their cgroup is not under kubepods: a static pod's process is, and its
// manifest is what the scan reads) and that no recognised layout accounts for.
func (r *reader) processes(accounted map[string]bool, add func(string)) {
	entries, err := r.h.readDir("/proc")
	if err != nil {
		return
	}
	seen := map[string]bool{}
	n := 0
	for _, e := range entries {
		pid := e.Name()
		if _, err := strconv.Atoi(pid); err != nil {
			continue
		}
		if n++; n > maxProcesses {
			r.errorf("/proc: more than %d processes, the rest were not looked at for control-plane components", maxProcesses)
			return
		}
		comm, err := r.h.readFile("/proc/"+pid+"/comm", 256)
		if err != nil {
			continue
		}
		c := commComponents[strings.TrimSpace(string(comm))]
		if c == "" || accounted[c] || seen[c] {
			continue
		}
		if cg, err := r.h.readFile("/proc/"+pid+"/cgroup", 64<<10); err == nil && strings.Contains(string(cg), "kubepods") {
			continue
		}
		seen[c] = true
		add(fmt.Sprintf("a %s process (pid %s) runs outside any pod, and no recognised layout accounts for it", c, pid))
	}
}
