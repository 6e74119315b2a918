package nodefs

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/internal/flags"
)

// Sources of Snapshot.KubeletConfig.
const (
	// KubeletConfigFile: the file named by the kubelet's --config (or, when the kubelet's
	// command line was not found, the kubeadm default /var/lib/kubelet/config.yaml), with
	// the --config-dir drop-ins merged in. Absent fields take the v1beta1 defaults.
	KubeletConfigFile = "file"
	// KubeletConfigNone: the kubelet runs without --config. Absent fields take the
	// kubelet's command-line defaults, which differ from the file defaults (anonymous
	// authentication on, authorization AlwaysAllow, read-only port 10255); KubeletConfig
	// holds only the --config-dir drop-ins, if any.
	KubeletConfigNone = "none"
)

// systemdUnitDirs are the directories systemd loads units from, highest priority first.
var systemdUnitDirs = []string{
	"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system", "/lib/systemd/system",
}

var kubeletEnvFiles = []string{"/var/lib/kubelet/kubeadm-flags.env", "/etc/default/kubelet", "/etc/sysconfig/kubelet"}

const defaultKubeletConfig = "/var/lib/kubelet/config.yaml"

// kubeletUnits returns the kubelet's systemd unit files in the order systemd applies them
// (see units), recording where they were looked for.
func (r *reader) kubeletUnits() (applied, every []string) {
	for _, dir := range systemdUnitDirs {
		p := dir + "/kubelet.service"
		r.s.Searched[RoleKubeletService] = appendUnique(r.s.Searched[RoleKubeletService], p, p+".d")
	}
	applied, every = r.units("kubelet.service")
	for _, p := range every {
		r.s.Files = append(r.s.Files, r.describe(RoleKubeletService, p))
	}
	return applied, every
}

// units returns the systemd unit files of the unit name in the order systemd applies them:
// the main unit from the highest-priority directory that has one, then the drop-ins
// (name.d/*.conf) of every directory sorted by file name, a name in a higher-priority
// directory hiding the same name in a lower one. every lists all unit files that exist,
// shadowed ones included.
func (r *reader) units(name string) (applied, every []string) {
	var main string
	dropins := map[string]string{}
	for _, dir := range systemdUnitDirs {
		p := dir + "/" + name
		if fi, err := r.h.stat(p); err == nil && fi.Mode().IsRegular() {
			every = append(every, p)
			if main == "" {
				main = p
			}
		}
		entries, err := r.h.readDir(p + ".d")
		if err != nil {
			if !isNotExist(err) {
				r.errorf("read directory %s.d: %v", p, err)
			}
			continue
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".conf") {
				continue
			}
			dp := path.Join(p+".d", e.Name())
			every = append(every, dp)
			if _, seen := dropins[e.Name()]; !seen {
				dropins[e.Name()] = dp
			}
		}
	}
	if main != "" {
		applied = append(applied, main)
	}
	names := make([]string, 0, len(dropins))
	for n := range dropins {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		applied = append(applied, dropins[n])
	}
	return applied, every
}

// kubelet reads the kubelet's unit files, flags and configuration file.
func (r *reader) kubelet() {
	applied, _ := r.kubeletUnits()
	var u unit
	var from []string
	for _, p := range applied {
		data, err := r.h.readFile(p, maxConfigSize)
		if err != nil {
			r.errorf("read %s: %v", p, err)
			continue
		}
		from = append(from, p)
		u.parse(string(data))
	}
	env := map[string]string{}
	for k, v := range u.env {
		env[k] = v
	}
	// unreadable names an environment file that exists but could not be read: the flags it
	// may carry are not known, so neither is the kubelet's configuration.
	unreadable := ""
	for _, p := range u.envFiles {
		// EnvironmentFile= settings override Environment= ones, whatever their order.
		data, err := r.h.readFile(p, maxConfigSize)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				unreadable = cmp.Or(unreadable, fmt.Sprintf("the kubelet's environment file %s cannot be read: %v", p, err))
			}
			continue
		}
		from = append(from, p)
		parseEnvFile(string(data), env)
	}
	var args []string
	commandLine := false
	if exec := u.command(env); len(exec) > 0 {
		if toks, found := flags.Locate(exec, nil, nil, "kubelet"); found {
			commandLine = true
			for _, t := range toks {
				args = append(args, t.Text)
			}
		}
	}
	if len(applied) == 0 {
		// No unit: the environment files kubeadm and distributions write still carry flags.
		for _, p := range kubeletEnvFiles {
			data, err := r.h.readFile(p, maxConfigSize)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				unreadable = cmp.Or(unreadable, fmt.Sprintf("the kubelet's environment file %s cannot be read: %v", p, err))
			}
			if err == nil {
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
	r.s.KubeletArgs, r.s.KubeletArgsFrom, r.s.KubeletCommandLine = args, from, commandLine
	fs := flags.Parse(args, flags.KubeletSpec())
	// The kubelet opens a relative path from its working directory.
	abs := func(p string) string {
		if p == "" || path.IsAbs(p) {
			return p
		}
		return path.Join(cmp.Or(u.workDir, "/"), p)
	}
	rejected := unreadable
	if p := fs.Problems(); len(p) > 0 && rejected == "" {
		rejected = "the kubelet would not start with its command line: " + p[0]
	}

	kubeconfig := "/etc/kubernetes/kubelet.conf"
	if v, ok := fs.Lookup("kubeconfig"); ok && v.Unknown {
		r.unknownFile(RoleKubeletKubeconfig, v.Raw, "the kubelet's --kubeconfig is not known: "+v.Why)
	} else {
		if ok && v.Raw != "" {
			kubeconfig = abs(v.Raw)
		}
		r.first(RoleKubeletKubeconfig, kubeconfig)
	}

	cfgPath, source := defaultKubeletConfig, KubeletConfigFile
	if v, ok := fs.Lookup("config"); ok && v.Unknown {
		rejected = cmp.Or(rejected, "the kubelet's --config is not known: "+v.Why)
	} else if ok && v.Raw != "" {
		cfgPath = abs(v.Raw)
	} else if commandLine {
		// The kubelet's command line has no --config: it reads no configuration file,
		// whatever lies at the default path.
		cfgPath, source = "", KubeletConfigNone
	}
	if v, ok := fs.Lookup("config-dir"); ok && v.Unknown {
		rejected = cmp.Or(rejected, "the kubelet's --config-dir is not known: "+v.Why)
	}
	if rejected != "" {
		r.s.KubeletConfigError = rejected
		return
	}
	var cfg map[string]any
	if cfgPath != "" {
		if f, ok := r.first(RoleKubeletConfig, cfgPath); ok && f.Type == "file" {
			cfg = r.readKubeletConfig(f.Path)
			r.kubeletConfigPath = cfgPath
		} else if commandLine {
			r.s.KubeletConfigError = "the kubelet's --config file " + cfgPath + " cannot be read"
		}
	} else {
		cfg = map[string]any{}
	}
	if v, ok := fs.Lookup("config-dir"); ok && v.Raw != "" && cfg != nil {
		if !r.mergeDropins(cfg, abs(v.Raw)) {
			cfg = nil
		}
	}
	if cfg != nil {
		r.s.KubeletConfig, r.s.KubeletConfigSource = cfg, source
	}

	ca := ""
	if auth, ok := cfg["authentication"].(map[string]any); ok {
		if x509, ok := auth["x509"].(map[string]any); ok {
			ca, _ = x509["clientCAFile"].(string)
			switch {
			case ca == "" || path.IsAbs(ca):
			case slices.Contains(r.s.KubeletConfigDropinFields, "authentication.x509.clientCAFile"):
				// A drop-in's relative path is not resolved (loadDropinConfigFileIntoJSON):
				// the kubelet opens it from its working directory.
				ca = path.Join(cmp.Or(u.workDir, "/"), ca)
			case source == KubeletConfigFile:
				// The kubelet resolves the file's relative paths against its directory.
				ca = path.Join(path.Dir(cfgPath), ca)
			}
		}
	}
	if v, ok := fs.Lookup("client-ca-file"); ok && v.Unknown {
		r.unknownFile(RoleKubeletClientCA, v.Raw, "the kubelet's --client-ca-file is not known: "+v.Why)
		return
	} else if ok && v.Raw != "" {
		ca = abs(v.Raw)
	}
	if ca != "" {
		r.first(RoleKubeletClientCA, ca)
	}
}

// unknownFile records that the file of role cannot be known (why), so that a control over
// the role's files does not pass on some other file. p is the path one reading gives.
func (r *reader) unknownFile(role, p, why string) {
	r.s.Files = append(r.s.Files, File{Role: role, Path: p, Exists: true, Error: why})
}

// readKubeletConfig parses a kubelet configuration file; nil when it cannot be read.
func (r *reader) readKubeletConfig(p string) map[string]any {
	data, err := r.h.readFile(p, maxConfigSize)
	if err != nil {
		r.s.KubeletConfigError = "read " + p + ": " + err.Error()
		return nil
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		r.s.KubeletConfigError = "parse " + p + ": " + err.Error()
		return nil
	}
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// mergeDropins merges the kubelet's --config-dir drop-ins into cfg as the kubelet does
// (cmd/kubelet/app/server.go, mergeKubeletConfigurations): filepath.WalkDir over the
// directory, in lexical order, into subdirectories but not through a symbolic link to one
// (nor into a --config-dir that is a symbolic link), only the *.conf files, each a
// v1beta1 KubeletConfiguration applied as a JSON merge patch. It records the fields the
// drop-ins set and, when a drop-in holds a null, the merge of kubelets before 1.32, where a
// null changes nothing (see Snapshot.KubeletConfigDropinFields). A drop-in the kubelet
// would refuse (unreadable, empty, not a KubeletConfiguration) makes the configuration
// unknown, as the kubelet would not start.
func (r *reader) mergeDropins(cfg map[string]any, dir string) bool {
	legacy := deepCopy(cfg)
	nulls := false
	fields := map[string]bool{}
	fail := func(format string, args ...any) bool {
		r.s.KubeletConfigError = fmt.Sprintf(format, args...)
		return false
	}
	apply := func(p string) bool {
		data, err := r.h.readFile(p, maxConfigSize)
		if err != nil {
			return fail("the kubelet cannot read its drop-in %s (it would not start): %v", p, err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return fail("parse the kubelet's drop-in %s: %v", p, err)
		}
		if m["apiVersion"] != "kubelet.config.k8s.io/v1beta1" || m["kind"] != "KubeletConfiguration" {
			return fail("the kubelet's drop-in %s is not a kubelet.config.k8s.io/v1beta1 KubeletConfiguration: the kubelet would not start", p)
		}
		r.s.KubeletConfigDropins = append(r.s.KubeletConfigDropins, p)
		mergePatch(cfg, m)
		nulls = mergeKeepingNulls(legacy, m) || nulls
		leafPaths(m, "", fields)
		return true
	}
	var walk func(p string) bool
	walk = func(p string) bool {
		entries, err := r.h.readDir(p)
		if err != nil {
			return fail("read the kubelet's --config-dir %s: %v", p, err)
		}
		for _, e := range entries { // os.ReadDir sorts by name, as WalkDir does
			child := path.Join(p, e.Name())
			switch {
			case e.IsDir(): // not a symbolic link to a directory: WalkDir does not follow those
				if !walk(child) {
					return false
				}
			case path.Ext(e.Name()) == ".conf":
				if !apply(child) {
					return false
				}
			}
		}
		return true
	}
	fi, err := r.h.lstat(dir)
	switch {
	case err != nil:
		return fail("read the kubelet's --config-dir %s: %v", dir, err)
	case fi.IsDir():
		if !walk(dir) {
			return false
		}
	case path.Ext(dir) == ".conf":
		// WalkDir does not descend into a root that is a symbolic link: it is one entry.
		if !apply(dir) {
			return false
		}
	}
	for f := range fields {
		r.s.KubeletConfigDropinFields = append(r.s.KubeletConfigDropinFields, f)
	}
	sort.Strings(r.s.KubeletConfigDropinFields)
	if nulls {
		r.s.KubeletConfigBefore132 = legacy
	}
	return true
}

// leafPaths adds the dotted paths of the values m sets (nested objects walked) to out.
func leafPaths(m map[string]any, prefix string, out map[string]bool) {
	for k, v := range m {
		if prefix == "" && (k == "apiVersion" || k == "kind") {
			continue
		}
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			leafPaths(sub, prefix+k+".", out)
			continue
		}
		out[prefix+k] = true
	}
}

// mergeKeepingNulls merges patch into target as kubelets before 1.32 did: like mergePatch,
// except that a null changes nothing. It reports whether patch holds a null.
func mergeKeepingNulls(target, patch map[string]any) bool {
	nulls := false
	for k, v := range patch {
		if k == "apiVersion" || k == "kind" {
			continue
		}
		switch pv := v.(type) {
		case nil:
			nulls = true
		case map[string]any:
			tv, ok := target[k].(map[string]any)
			if !ok {
				tv = map[string]any{}
				target[k] = tv
			}
			nulls = mergeKeepingNulls(tv, pv) || nulls
		default:
			target[k] = v
		}
	}
	return nulls
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			out[k] = deepCopy(sub)
		} else {
			out[k] = v
		}
	}
	return out
}

// mergePatch applies patch to target as a JSON merge patch (RFC 7386): objects merge
// recursively, null removes a field, anything else replaces it.
func mergePatch(target, patch map[string]any) {
	for k, v := range patch {
		if k == "apiVersion" || k == "kind" {
			continue
		}
		switch pv := v.(type) {
		case nil:
			delete(target, k)
		case map[string]any:
			tv, ok := target[k].(map[string]any)
			if !ok {
				tv = map[string]any{}
				target[k] = tv
			}
			mergePatch(tv, pv)
		default:
			target[k] = v
		}
	}
}

// unit is what the kubelet's systemd unit files say, read in the order systemd applies them.
type unit struct {
	env      map[string]string // Environment= settings
	envFiles []string          // EnvironmentFile= paths, in order
	exec     []string          // the last ExecStart= (an empty one resets), words unexpanded
	workDir  string            // WorkingDirectory= ("" for the default, /)
}

// parse reads one unit file or drop-in.
func (u *unit) parse(text string) {
	if u.env == nil {
		u.env = map[string]string{}
	}
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if n := len(lines); n > 0 && strings.HasSuffix(lines[n-1], "\\") {
			lines[n-1] = strings.TrimSuffix(lines[n-1], "\\") + " " + line
			continue
		}
		lines = append(lines, line)
	}
	for _, line := range lines {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "Environment":
			if val == "" {
				u.env = map[string]string{} // an empty assignment resets the list
				continue
			}
			for _, w := range flags.ShellWords(val) {
				if k, v, ok := strings.Cut(w, "="); ok {
					u.env[k] = v
				}
			}
		case "WorkingDirectory":
			u.workDir = strings.TrimPrefix(val, "-")
			if !path.IsAbs(u.workDir) {
				u.workDir = "" // ~ (the user's home) is not known here
			}
		case "EnvironmentFile":
			if val == "" {
				u.envFiles = nil
				continue
			}
			u.envFiles = append(u.envFiles, strings.TrimPrefix(val, "-"))
		case "ExecStart":
			u.exec = nil
			if val == "" {
				continue
			}
			words := flags.ShellWords(val)
			// Strip systemd's executable prefixes (-, @, :, +, !, !!).
			if len(words) > 0 {
				words[0] = strings.TrimLeft(words[0], "-@:+!")
			}
			u.exec = words
		}
	}
}

// command returns the ExecStart words with $VAR and ${VAR} expanded from env.
func (u *unit) command(env map[string]string) []string {
	var out []string
	for _, w := range u.exec {
		out = append(out, expandUnitWord(w, env)...)
	}
	return out
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
