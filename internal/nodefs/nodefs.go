package nodefs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
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
	// ControlPlane reports that the node has control-plane static pod manifests.
	ControlPlane bool   `json:"controlPlane"`
	Files        []File `json:"files"`
	// Searched lists, per role, the paths looked at: a role with no existing file was
	// absent at every one of them.
	Searched map[string][]string `json:"searched"`
	// KubeletArgs are the kubelet's command-line flags as its systemd unit and environment
	// files give them; KubeletArgsFrom names those files (empty: none was found).
	KubeletArgs     []string `json:"kubeletArgs,omitempty"`
	KubeletArgsFrom []string `json:"kubeletArgsFrom,omitempty"`
	// Encryption is the API server's encryption configuration, reduced to provider names.
	Encryption *Encryption `json:"encryption,omitempty"`
	// KubeletConfig is the kubelet's configuration file, parsed (nil if not found).
	KubeletConfig map[string]any `json:"-"`
	// Errors are problems met while reading.
	Errors []string `json:"errors,omitempty"`
}

// Encryption is an EncryptionConfiguration without its secrets.
type Encryption struct {
	Path      string              `json:"path"`
	Resources []EncryptedResource `json:"resources,omitempty"`
	Error     string              `json:"error,omitempty"`
}

// EncryptedResource is one entry of an EncryptionConfiguration: the resources and the names
// of their providers, in order (the first encrypts new data).
type EncryptedResource struct {
	Resources []string `json:"resources"`
	Providers []string `json:"providers"`
}

const (
	maxConfigSize = 1 << 20
	maxWalk       = 5000
)

var kubeletUnitPaths = []string{
	"/etc/systemd/system/kubelet.service", "/lib/systemd/system/kubelet.service",
	"/usr/lib/systemd/system/kubelet.service", "/etc/systemd/system/kubelet.service.d",
	"/lib/systemd/system/kubelet.service.d", "/usr/lib/systemd/system/kubelet.service.d",
}

var kubeletEnvFiles = []string{"/var/lib/kubelet/kubeadm-flags.env", "/etc/default/kubelet", "/etc/sysconfig/kubelet"}

var kubeProxyKubeconfigs = []string{
	"/etc/kubernetes/proxy.conf", "/etc/kubernetes/proxy.kubeconfig", "/etc/kubernetes/kube-proxy.kubeconfig",
	"/var/lib/kube-proxy/kubeconfig", "/var/lib/kube-proxy/kubeconfig.conf",
}

// manifestNames maps each control-plane component to its static pod manifest role.
var manifestNames = []struct{ role, name string }{
	{RoleAPIServerManifest, "kube-apiserver"}, {RoleControllerManagerManifest, "kube-controller-manager"},
	{RoleSchedulerManifest, "kube-scheduler"}, {RoleEtcdManifest, "etcd"},
}

// Read scans the node filesystem mounted at root.
func Read(ctx context.Context, root, node string) (*Snapshot, error) {
	h := host{root: root}
	if _, err := h.stat("/"); err != nil {
		return nil, fmt.Errorf("node root %s: %w", root, err)
	}
	r := &reader{h: h, s: &Snapshot{Node: node, Root: root, Searched: map[string][]string{}}}
	r.loadAccounts()
	manifests := map[string]*corev1.Pod{}
	for _, m := range manifestNames {
		base := "/etc/kubernetes/manifests/" + m.name
		if f, ok := r.first(m.role, base+".yaml", base+".manifest", base+".json"); ok {
			r.s.ControlPlane = true
			if pod := r.readPod(f.Path); pod != nil {
				manifests[m.name] = pod
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.dirFiles(RoleCNI, "/etc/cni/net.d", false)
	r.dirFiles(RoleCNI, "/var/lib/cni/networks", true)
	if pod := manifests["etcd"]; pod != nil {
		dir := "/var/lib/etcd"
		if v, ok := componentFlag(pod, "etcd", "data-dir", "ETCD_"); ok {
			dir = v
		}
		if hp := hostPathOf(pod, "etcd", dir); hp != "" {
			r.first(RoleEtcdDataDir, hp)
		}
	}
	r.first(RoleAdminKubeconfig, "/etc/kubernetes/admin.conf")
	r.first(RoleSuperAdminKubeconfig, "/etc/kubernetes/super-admin.conf")
	r.first(RoleSchedulerKubeconfig, "/etc/kubernetes/scheduler.conf")
	r.first(RoleControllerManagerKubeconfig, "/etc/kubernetes/controller-manager.conf")
	r.dirFiles(RolePKI, "/etc/kubernetes/pki", true)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.kubelet()
	r.first(RoleKubeProxyKubeconfig, kubeProxyKubeconfigs...)
	if pod := manifests["kube-apiserver"]; pod != nil {
		if p, ok := componentFlag(pod, "kube-apiserver", "encryption-provider-config", ""); ok {
			r.encryption(pod, p)
		}
		if p, ok := componentFlag(pod, "kube-apiserver", "audit-policy-file", ""); ok {
			if hp := hostPathOf(pod, "kube-apiserver", p); hp != "" {
				r.first(RoleAuditPolicy, hp)
			}
		}
	}
	return r.s, nil
}

type reader struct {
	h      host
	s      *Snapshot
	users  map[int64]string
	groups map[int64]string
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
		r.errorf("%s: more than %d entries; the rest were not read", dir, maxWalk)
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

// componentFlag returns a flag of the container running binary in pod.
func componentFlag(pod *corev1.Pod, binary, name, envPrefix string) (string, bool) {
	for _, c := range pod.Spec.Containers {
		toks, found := flags.Locate(c.Command, c.Args, nil, binary)
		if !found {
			continue
		}
		fs := flags.ParseTokens(toks, flags.Spec{})
		if envPrefix != "" {
			env := make([]flags.EnvVar, 0, len(c.Env))
			for _, e := range c.Env {
				env = append(env, flags.EnvVar{Name: e.Name, Value: e.Value, Unknown: e.ValueFrom != nil})
			}
			fs.AddEnv(env, envPrefix)
		}
		if v, ok := fs.Lookup(name); ok && v.Raw != "" && !v.Unknown {
			return v.Raw, true
		}
		return "", false
	}
	return "", false
}

// hostPathOf maps path p inside the container running binary to the node path it is mounted
// from, or "" when it does not come from a hostPath volume.
func hostPathOf(pod *corev1.Pod, binary, p string) string {
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

// kubelet reads the kubelet's unit files, flags and configuration file.
func (r *reader) kubelet() {
	env := map[string]string{}
	var exec []string
	var from []string
	r.s.Searched[RoleKubeletService] = appendUnique(r.s.Searched[RoleKubeletService], kubeletUnitPaths...)
	var units []string
	for _, p := range kubeletUnitPaths {
		if strings.HasSuffix(p, ".d") {
			entries, err := r.h.readDir(p)
			if err != nil {
				continue
			}
			var names []string
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".conf") {
					names = append(names, e.Name())
				}
			}
			sort.Strings(names)
			for _, n := range names {
				units = append(units, path.Join(p, n))
			}
			continue
		}
		if f := r.describe(RoleKubeletService, p); f.Exists && f.Type == "file" {
			units = append(units, p)
		}
	}
	for _, p := range units {
		f := r.describe(RoleKubeletService, p)
		r.s.Files = append(r.s.Files, f)
		data, err := r.h.readFile(p, maxConfigSize)
		if err != nil {
			continue
		}
		from = append(from, p)
		exec = parseUnit(string(data), env, exec, func(envFile string) {
			if data, err := r.h.readFile(envFile, maxConfigSize); err == nil {
				from = append(from, envFile)
				parseEnvFile(string(data), env)
			}
		})
	}
	var args []string
	if len(exec) > 0 {
		if toks, found := flags.Locate(exec, nil, nil, "kubelet"); found {
			for _, t := range toks {
				args = append(args, t.Text)
			}
		}
	}
	if len(units) == 0 {
		// No unit: the environment files kubeadm and distributions write still carry flags.
		for _, p := range kubeletEnvFiles {
			if data, err := r.h.readFile(p, maxConfigSize); err == nil {
				from = append(from, p)
				e := map[string]string{}
				parseEnvFile(string(data), e)
				keys := make([]string, 0, len(e))
				for k := range e {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					args = append(args, flags.ShellWords(e[k])...)
				}
			}
		}
	}
	r.s.KubeletArgs, r.s.KubeletArgsFrom = args, from
	fs := flags.Parse(args, flags.Spec{})
	cfgPath := "/var/lib/kubelet/config.yaml"
	if v, ok := fs.Lookup("config"); ok && v.Raw != "" {
		cfgPath = v.Raw
	}
	kubeconfig := "/etc/kubernetes/kubelet.conf"
	if v, ok := fs.Lookup("kubeconfig"); ok && v.Raw != "" {
		kubeconfig = v.Raw
	}
	r.first(RoleKubeletKubeconfig, kubeconfig)
	if f, ok := r.first(RoleKubeletConfig, cfgPath); ok && f.Type == "file" {
		if data, err := r.h.readFile(f.Path, maxConfigSize); err == nil {
			var m map[string]any
			if err := yaml.Unmarshal(data, &m); err != nil {
				r.errorf("parse %s: %v", f.Path, err)
			} else {
				r.s.KubeletConfig = m
			}
		}
	}
	ca := ""
	if auth, ok := r.s.KubeletConfig["authentication"].(map[string]any); ok {
		if x509, ok := auth["x509"].(map[string]any); ok {
			ca, _ = x509["clientCAFile"].(string)
		}
	}
	if v, ok := fs.Lookup("client-ca-file"); ok && v.Raw != "" {
		ca = v.Raw
	}
	if ca != "" {
		r.first(RoleKubeletClientCA, ca)
	}
}

// parseUnit reads a systemd unit: Environment= and EnvironmentFile= fill env, and the last
// ExecStart= (an empty one resets) is returned as words with $VAR and ${VAR} expanded.
func parseUnit(unit string, env map[string]string, exec []string, envFile func(string)) []string {
	var lines []string
	for _, line := range strings.Split(unit, "\n") {
		line = strings.TrimSpace(line)
		if n := len(lines); n > 0 && strings.HasSuffix(lines[n-1], "\\") {
			lines[n-1] = strings.TrimSuffix(lines[n-1], "\\") + " " + line
			continue
		}
		lines = append(lines, line)
	}
	for _, line := range lines {
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "Environment":
			for _, w := range flags.ShellWords(val) {
				if k, v, ok := strings.Cut(w, "="); ok {
					env[k] = v
				}
			}
		case "EnvironmentFile":
			envFile(strings.TrimPrefix(strings.TrimSpace(val), "-"))
		case "ExecStart":
			val = strings.TrimSpace(val)
			if val == "" {
				exec = nil
				continue
			}
			exec = nil
			for _, w := range flags.ShellWords(val) {
				exec = append(exec, expandUnitWord(w, env)...)
			}
		}
	}
	return exec
}

// expandUnitWord expands systemd variables in one word: "$VAR" alone splits into words,
// "${VAR}" is replaced in place.
func expandUnitWord(w string, env map[string]string) []string {
	if strings.HasPrefix(w, "$") && !strings.HasPrefix(w, "${") {
		return strings.Fields(env[w[1:]])
	}
	for {
		i := strings.Index(w, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(w[i:], '}')
		if j < 0 {
			break
		}
		w = w[:i] + env[w[i+2:i+j]] + w[i+j+1:]
	}
	if w == "" {
		return nil
	}
	return []string{w}
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
	enc := &Encryption{Path: p}
	r.s.Encryption = enc
	hp := hostPathOf(pod, "kube-apiserver", p)
	if hp == "" {
		enc.Error = "the file is not mounted from the node (no hostPath volume holds it)"
		return
	}
	enc.Path = hp
	f, ok := r.first(RoleEncryptionConfig, hp)
	if !ok {
		enc.Error = "the file does not exist on the node"
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
