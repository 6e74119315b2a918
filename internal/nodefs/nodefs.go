package nodefs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/internal/flags"
)

// Roles say what a file is to Kubernetes; the node controls select files by role.
const (
	RoleAPIServerManifest           = "kube-apiserver-manifest"
	RoleControllerManagerManifest   = "kube-controller-manager-manifest"
	RoleSchedulerManifest           = "kube-scheduler-manifest"
	RoleEtcdManifest                = "etcd-manifest"
	RoleCNI                         = "cni"
	RoleEtcdDataDir                 = "etcd-data-dir"
	RoleAdminKubeconfig             = "admin-kubeconfig"
	RoleSuperAdminKubeconfig        = "super-admin-kubeconfig"
	RoleSchedulerKubeconfig         = "scheduler-kubeconfig"
	RoleControllerManagerKubeconfig = "controller-manager-kubeconfig"
	RolePKI                         = "pki"
	RoleKubeletService              = "kubelet-service"
	RoleKubeProxyKubeconfig         = "kube-proxy-kubeconfig"
	RoleKubeletKubeconfig           = "kubelet-kubeconfig"
	RoleKubeletClientCA             = "kubelet-client-ca"
	RoleKubeletConfig               = "kubelet-config"
	RoleEncryptionConfig            = "encryption-config"
	RoleAuditPolicy                 = "audit-policy"
)

// File is what was seen of one file.
type File struct {
	Role   string `json:"role"`
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	// Type is "file", "dir" or "other".
	Type string `json:"type,omitempty"`
	// Mode is the permission bits, with setuid, setgid and sticky, in octal ("0600").
	Mode string `json:"mode,omitempty"`
	UID  *int64 `json:"uid,omitempty"`
	GID  *int64 `json:"gid,omitempty"`
	// User and Group are the owner's names from the node's /etc/passwd and /etc/group.
	User  string `json:"user,omitempty"`
	Group string `json:"group,omitempty"`
	// Error says why the file could not be read, when it exists but stat failed.
	Error string `json:"error,omitempty"`
}

// Snapshot is what a node scan saw.
type Snapshot struct {
	Node string `json:"node"`
	Root string `json:"root"`
	// ControlPlane reports that a recognised layout runs control-plane components on the
	// node (static pod manifests, or an RKE2 or k3s server).
	ControlPlane bool `json:"controlPlane"`
	// Layouts are the ways of installing Kubernetes the scan recognised on the node (most
	// nodes have one), each with the evidence and the node's role in it.
	Layouts []Layout `json:"layouts,omitempty"`
	// Unrecognised lists signs of Kubernetes control-plane components that no recognised
	// layout accounts for (a kube-apiserver process outside any pod, a systemd unit, another
	// distribution's directory): what the scan did not find may be where it did not look.
	Unrecognised []string `json:"unrecognised,omitempty"`
	// Components are control-plane components whose flags are in configuration files rather
	// than a pod spec (k3s runs them inside its own process).
	Components []Component `json:"components,omitempty"`
	// EtcdConfig is etcd's configuration file (its --config-file, or k3s's embedded etcd's),
	// reduced to the flags it stands for.
	EtcdConfig *EtcdConfig `json:"etcdConfig,omitempty"`
	// StaticPods are the control-plane static pod manifests found, as read (not serialised:
	// the pods are the node's own objects, which a node scan may judge on the node).
	StaticPods []StaticPod `json:"-"`
	// KubeletStartedBy names the layout whose own process starts the kubelet (LayoutRKE2,
	// LayoutK3s): its flags are then that program's, not in any file.
	KubeletStartedBy string `json:"kubeletStartedBy,omitempty"`
	Files            []File `json:"files"`
	// Searched lists, per role, the paths looked at: a role with no existing file was
	// absent at every one of them.
	Searched map[string][]string `json:"searched"`
	// KubeletArgs are the kubelet's command-line flags as its systemd unit and environment
	// files give them; KubeletArgsFrom names those files (empty: none was found).
	KubeletArgs     []string `json:"kubeletArgs,omitempty"`
	KubeletArgsFrom []string `json:"kubeletArgsFrom,omitempty"`
	// KubeletCommandLine reports that the kubelet's command line was found (a systemd
	// ExecStart= that runs it): KubeletArgs are then all its flags. Otherwise they are what
	// environment files hold, and flags set elsewhere are not known.
	KubeletCommandLine bool `json:"kubeletCommandLine,omitempty"`
	// Encryption is the API server's encryption configuration, reduced to provider names.
	Encryption *Encryption `json:"encryption,omitempty"`
	// KubeletConfig is the kubelet's configuration file, parsed, with its --config-dir
	// drop-ins merged in (nil if not found); KubeletConfigSource says how to read it
	// (KubeletConfigFile or KubeletConfigNone).
	KubeletConfig       map[string]any `json:"-"`
	KubeletConfigSource string         `json:"kubeletConfigSource,omitempty"`
	// KubeletConfigDropins are the --config-dir files merged into KubeletConfig.
	KubeletConfigDropins []string `json:"kubeletConfigDropins,omitempty"`
	// KubeletConfigDropinFields are the fields (dotted paths, sorted) whose value the
	// drop-ins set, null included. From Kubernetes 1.32 the kubelet applies the v1beta1
	// defaults after merging the drop-ins, so a zero value or null there is defaulted as in
	// the file; before 1.32 it merged into its internal form after defaulting, so a drop-in's
	// zero value stands and a null changes nothing.
	KubeletConfigDropinFields []string `json:"kubeletConfigDropinFields,omitempty"`
	// KubeletConfigBefore132 is the configuration as kubelets before 1.32 merge the drop-ins
	// (a null changes nothing), when that differs from KubeletConfig.
	KubeletConfigBefore132 map[string]any `json:"kubeletConfigBefore132,omitempty"`
	// KubeletConfigError says why the kubelet's configuration is not completely known
	// (its --config file or a drop-in could not be read).
	KubeletConfigError string `json:"kubeletConfigError,omitempty"`
	// Errors are problems met while reading.
	Errors []string `json:"errors,omitempty"`
}

// StaticPod is a static pod manifest: its host path and content.
type StaticPod struct {
	Path string
	Data []byte
}

// Encryption is an EncryptionConfiguration without its secrets.
type Encryption struct {
	Path      string              `json:"path"`
	Resources []EncryptedResource `json:"resources,omitempty"`
	Error     string              `json:"error,omitempty"`
	// Off, when set, says why the API server runs without an encryption configuration.
	Off string `json:"off,omitempty"`
}

// EncryptedResource is one entry of an EncryptionConfiguration: the resources and the names
// of their providers, in order (the first encrypts new data).
type EncryptedResource struct {
	Resources []string `json:"resources"`
	Providers []string `json:"providers"`
}

const (
	maxConfigSize = 1 << 20
)

// maxWalk bounds the entries read under one directory (a variable for tests).
var maxWalk = 5000

var kubeProxyKubeconfigs = []string{
	"/etc/kubernetes/proxy.conf", "/etc/kubernetes/proxy.kubeconfig", "/etc/kubernetes/kube-proxy.kubeconfig",
	"/var/lib/kube-proxy/kubeconfig", "/var/lib/kube-proxy/kubeconfig.conf",
}

// Read scans the node filesystem mounted at root.
func Read(ctx context.Context, root, node string) (*Snapshot, error) {
	h := host{root: root}
	if _, err := h.stat("/"); err != nil {
		return nil, fmt.Errorf("node root %s: %w", root, err)
	}
	r := &reader{h: h, s: &Snapshot{Node: node, Root: root, Searched: map[string][]string{}}}
	r.loadAccounts()
	distros := []*distro{r.readDistro(LayoutRKE2), r.readDistro(LayoutK3s)}
	distros = slices.DeleteFunc(distros, func(d *distro) bool { return d == nil })
	kubeadm := r.kubeadmEvidence()
	// The kubelet run by systemd: kubeadm's, or the one to look for when no layout is known.
	systemdKubelet := len(kubeadm) > 0 || len(distros) == 0
	if systemdKubelet {
		r.kubelet()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pods := map[string]*corev1.Pod{}
	var layouts []Layout
	if systemdKubelet {
		l := r.kubeadmLayout(kubeadm, pods)
		if len(kubeadm) > 0 || len(l.Components) > 0 {
			layouts = append(layouts, *l)
		}
	}
	for _, d := range distros {
		layouts = append(layouts, *r.distroLayout(d, pods))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.unrecognised(layouts, len(distros) > 0)
	r.s.Layouts = layouts
	for _, l := range layouts {
		r.s.ControlPlane = r.s.ControlPlane || l.NodeRole == NodeControlPlane
	}
	r.dirFiles(RoleCNI, "/etc/cni/net.d", false)
	r.dirFiles(RoleCNI, "/var/lib/cni/networks", true)
	if pod := pods["etcd"]; pod != nil {
		r.etcdDataDir(pod)
	}
	if systemdKubelet {
		r.first(RoleAdminKubeconfig, "/etc/kubernetes/admin.conf")
		r.first(RoleSuperAdminKubeconfig, "/etc/kubernetes/super-admin.conf")
		r.first(RoleSchedulerKubeconfig, "/etc/kubernetes/scheduler.conf")
		r.first(RoleControllerManagerKubeconfig, "/etc/kubernetes/controller-manager.conf")
		r.dirFiles(RolePKI, "/etc/kubernetes/pki", true)
		r.first(RoleKubeProxyKubeconfig, kubeProxyKubeconfigs...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if pod := pods["kube-apiserver"]; pod != nil {
		switch p, state := componentFlag(pod, "kube-apiserver", "encryption-provider-config", ""); state {
		case flagSet:
			r.encryption(pod, p)
		case flagUnknown:
			r.s.Encryption = &Encryption{Error: "--encryption-provider-config is not visible in the manifest " +
				"(no kube-apiserver container, or the value comes from a reference)"}
		}
		if p, state := componentFlag(pod, "kube-apiserver", "audit-policy-file", ""); state == flagSet {
			if hp := HostPathOf(pod, "kube-apiserver", p); hp != "" {
				r.first(RoleAuditPolicy, hp)
			}
		}
	} else if r.hasManifest(RoleAPIServerManifest) {
		r.s.Encryption = &Encryption{Error: "the kube-apiserver manifest cannot be read"}
	}
	return r.s, nil
}

// hasManifest reports whether a file of role was found.
func (r *reader) hasManifest(role string) bool {
	for _, f := range r.s.Files {
		if f.Role == role && f.Exists {
			return true
		}
	}
	return false
}

type reader struct {
	h      host
	s      *Snapshot
	users  map[int64]string
	groups map[int64]string
	// kubeletConfigPath is the kubelet's --config file, when it has one.
	kubeletConfigPath string
}

func (r *reader) errorf(format string, args ...any) {
	r.s.Errors = append(r.s.Errors, fmt.Sprintf(format, args...))
}

// loadAccounts reads user and group names from the node's /etc/passwd and /etc/group.
func (r *reader) loadAccounts() {
	r.users = parseIDs(r.h, "/etc/passwd")
	r.groups = parseIDs(r.h, "/etc/group")
}

func parseIDs(h host, p string) map[int64]string {
	out := map[int64]string{}
	data, err := h.readFile(p, maxConfigSize)
	if err != nil {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if id, err := strconv.ParseInt(fields[2], 10, 64); err == nil {
			if _, dup := out[id]; !dup {
				out[id] = fields[0]
			}
		}
	}
	return out
}

// describe stats host path p as a file of role.
func (r *reader) describe(role, p string) File {
	f := File{Role: role, Path: p}
	fi, err := r.h.stat(p)
	if err != nil {
		if !isNotExist(err) {
			f.Exists = true
			f.Error = err.Error()
		}
		return f
	}
	f.Exists = true
	switch {
	case fi.Mode().IsRegular():
		f.Type = "file"
	case fi.IsDir():
		f.Type = "dir"
	default:
		f.Type = "other"
	}
	f.Mode = fmt.Sprintf("%04o", permBits(fi.Mode()))
	if uid, gid, ok := owner(fi); ok {
		f.UID, f.GID = &uid, &gid
		f.User, f.Group = r.users[uid], r.groups[gid]
		if f.User == "" && uid == 0 {
			f.User = "root"
		}
		if f.Group == "" && gid == 0 {
			f.Group = "root"
		}
	}
	return f
}

func isNotExist(err error) bool {
	return err != nil && (errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "not a directory"))
}

// permBits returns the Unix permission bits of m, with setuid, setgid and sticky.
func permBits(m fs.FileMode) uint32 {
	bits := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		bits |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		bits |= 0o1000
	}
	return bits
}

// first records the first of paths that exists as the file of role; when none does, it
// records the role as searched at paths.
func (r *reader) first(role string, paths ...string) (File, bool) {
	r.s.Searched[role] = appendUnique(r.s.Searched[role], paths...)
	for _, p := range paths {
		if f := r.describe(role, p); f.Exists {
			r.s.Files = append(r.s.Files, f)
			return f, true
		}
	}
	return File{}, false
}

// dirFiles records dir and the files in it (recursively when deep) as files of role.
func (r *reader) dirFiles(role, dir string, deep bool) {
	r.s.Searched[role] = appendUnique(r.s.Searched[role], dir)
	d := r.describe(role, dir)
	if !d.Exists {
		return
	}
	r.s.Files = append(r.s.Files, d)
	n := 0
	var walk func(p string)
	walk = func(p string) {
		entries, err := r.h.readDir(p)
		if err != nil {
			r.errorf("read directory %s: %v", p, err)
			// The directory's files are unknown: record that, so that controls over them
			// cannot pass on the files that were seen.
			r.s.Files = append(r.s.Files, File{Role: role, Path: p, Exists: true, Type: "dir",
				Error: "cannot list the directory: " + err.Error()})
			return
		}
		for _, e := range entries {
			if n++; n > maxWalk {
				return
			}
			child := path.Join(p, e.Name())
			f := r.describe(role, child)
			r.s.Files = append(r.s.Files, f)
			if deep && f.Type == "dir" && e.Type()&fs.ModeSymlink == 0 {
				walk(child)
			}
		}
	}
	walk(dir)
	if n > maxWalk {
		msg := fmt.Sprintf("more than %d entries; the rest were not read", maxWalk)
		r.errorf("%s: %s", dir, msg)
		r.s.Files = append(r.s.Files, File{Role: role, Path: dir, Exists: true, Type: "dir", Error: msg})
	}
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, l := range list {
			found = found || l == it
		}
		if !found {
			list = append(list, it)
		}
	}
	return list
}

// readPod parses a static pod manifest.
func (r *reader) readPod(p string) *corev1.Pod {
	data, err := r.h.readFile(p, maxConfigSize)
	if err != nil {
		r.errorf("read %s: %v", p, err)
		return nil
	}
	var pod corev1.Pod
	if err := yaml.Unmarshal(data, &pod); err != nil {
		r.errorf("parse %s: %v", p, err)
		return nil
	}
	return &pod
}

// etcdDataDir records etcd's data directory: --data-dir (or ETCD_DATA_DIR), by default
// "<name>.etcd" in its working directory, mapped to the node path its hostPath volume
// mounts. When the directory cannot be known, that is recorded as an error.
func (r *reader) etcdDataDir(pod *corev1.Pod) {
	unknown := func(why string) {
		r.s.Files = append(r.s.Files, File{Role: RoleEtcdDataDir, Path: "(etcd --data-dir)", Exists: true, Error: why})
	}
	var dir string
	switch cfg, state := componentFlag(pod, "etcd", "config-file", "ETCD_"); state {
	case flagUnknown:
		unknown("etcd's --config-file, from which it would read its settings, is not visible in the manifest")
		return
	case flagSet:
		// etcd then reads its settings, the data directory included, from that file only.
		hp := HostPathOf(pod, "etcd", cfg)
		if hp == "" {
			unknown("etcd reads its settings from --config-file=" + cfg + ", which is not mounted from the node")
			return
		}
		ec := r.readEtcdConfig(hp)
		r.s.EtcdConfig = ec
		if ec.Error != "" {
			unknown("etcd reads its settings from --config-file=" + cfg + ", which cannot be read: " + ec.Error)
			return
		}
		dir = etcdArg(ec.Args, "data-dir")
		if dir == "" {
			name := etcdArg(ec.Args, "name")
			if name == "" {
				name = "default"
			}
			dir = name + ".etcd"
		}
	default:
		d, state := componentFlag(pod, "etcd", "data-dir", "ETCD_")
		switch state {
		case flagUnknown:
			unknown("the etcd container or its --data-dir is not visible in the manifest")
			return
		case flagNotSet:
			name, st := componentFlag(pod, "etcd", "name", "ETCD_")
			if st == flagUnknown {
				unknown("etcd's --name, which names its default data directory, is not visible in the manifest")
				return
			}
			if name == "" {
				name = "default"
			}
			d = name + ".etcd"
		}
		dir = d
	}
	if !path.IsAbs(dir) {
		wd := "/"
		for _, c := range pod.Spec.Containers {
			if _, found := flags.Locate(c.Command, c.Args, nil, "etcd"); found && c.WorkingDir != "" {
				wd = c.WorkingDir
			}
		}
		if !path.IsAbs(wd) {
			unknown("etcd's data directory " + dir + " is relative to a working directory that is not known")
			return
		}
		dir = path.Join(wd, dir)
	}
	if hp := HostPathOf(pod, "etcd", dir); hp != "" {
		r.first(RoleEtcdDataDir, hp)
	}
}

// States of a flag in componentFlag.
const (
	flagNotSet = iota
	flagSet
	flagUnknown // the container was not found, or the value is not in the manifest
)

// componentFlag returns a flag of the container running binary in pod.
func componentFlag(pod *corev1.Pod, binary, name, envPrefix string) (string, int) {
	for _, c := range pod.Spec.Containers {
		env := make(map[string]flags.EnvVar, len(c.Env))
		for _, e := range c.Env {
			env[e.Name] = flags.EnvVar{Name: e.Name, Value: e.Value, Unknown: e.ValueFrom != nil}
		}
		toks, found := flags.Locate(c.Command, c.Args, env, binary)
		if !found {
			continue
		}
		fs := flags.ParseTokens(toks, flags.SpecFor(binary))
		if envPrefix != "" {
			env := make([]flags.EnvVar, 0, len(c.Env))
			for _, e := range c.Env {
				env = append(env, flags.EnvVar{Name: e.Name, Value: e.Value, Unknown: e.ValueFrom != nil})
			}
			fs.AddEnv(env, envPrefix)
		}
		v, ok := fs.Lookup(name)
		switch {
		case len(fs.Problems()) > 0:
			return "", flagUnknown // the component would not start with this command line
		case ok && v.Unknown:
			return "", flagUnknown
		case ok && v.Raw != "":
			return v.Raw, flagSet
		case len(fs.Hidden()) > 0:
			return "", flagUnknown // words not visible may set it
		}
		return "", flagNotSet
	}
	return "", flagUnknown
}

// HostPathOf maps path p inside the container of pod running binary to the node path it is
// mounted from, or "" when it does not come from a hostPath volume.
func HostPathOf(pod *corev1.Pod, binary, p string) string {
	for _, c := range pod.Spec.Containers {
		if _, found := flags.Locate(c.Command, c.Args, nil, binary); !found {
			continue
		}
		best, bestLen := "", -1
		for _, m := range c.VolumeMounts {
			mp := path.Clean(m.MountPath)
			rel, ok := strings.CutPrefix(path.Clean(p), mp)
			if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) || len(mp) <= bestLen {
				continue
			}
			for _, v := range pod.Spec.Volumes {
				if v.Name == m.Name && v.HostPath != nil {
					best, bestLen = path.Join(v.HostPath.Path, m.SubPath, rel), len(mp)
				}
			}
		}
		return best
	}
	return ""
}

// parseEnvFile reads KEY=VALUE lines (values may be quoted).
func parseEnvFile(data string, env map[string]string) {
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		env[strings.TrimSpace(k)] = v
	}
}

// encryption reads the API server's encryption configuration, keeping only provider names.
func (r *reader) encryption(pod *corev1.Pod, p string) {
	hp := HostPathOf(pod, "kube-apiserver", p)
	if hp == "" {
		r.s.Encryption = &Encryption{Path: p, Error: "the file is not mounted from the node (no hostPath volume holds it)"}
		return
	}
	r.encryptionFile(hp, p)
}

// encryptionFile reads the encryption configuration at host path hp (p as the API server
// names it), keeping only provider names.
func (r *reader) encryptionFile(hp, p string) {
	enc := &Encryption{Path: hp}
	r.s.Encryption = enc
	f, ok := r.first(RoleEncryptionConfig, hp)
	if !ok {
		enc.Error = "the file " + p + " does not exist on the node"
		return
	}
	data, err := r.h.readFile(f.Path, maxConfigSize)
	if err != nil {
		enc.Error = err.Error()
		return
	}
	var cfg struct {
		Resources []struct {
			Resources []string         `json:"resources"`
			Providers []map[string]any `json:"providers"`
		} `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		enc.Error = "not a valid EncryptionConfiguration: " + err.Error()
		return
	}
	for _, res := range cfg.Resources {
		er := EncryptedResource{Resources: res.Resources}
		for _, prov := range res.Providers {
			names := make([]string, 0, len(prov))
			for k := range prov {
				names = append(names, k)
			}
			sort.Strings(names)
			er.Providers = append(er.Providers, strings.Join(names, "+"))
		}
		enc.Resources = append(enc.Resources, er)
	}
}
