package nodefs

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// RKE2 and k3s are configured the same way (their documentation, "Configuration Options"):
// a YAML file, /etc/rancher/<name>/config.yaml by default (--config or <NAME>_CONFIG_FILE
// moves it), then the drop-ins <config>.d/*.yaml in name order, the last value of a key
// winning and a key written with a trailing "+" appending to it; command-line flags (the
// systemd unit's ExecStart) win over the files, a repeatable flag on the command line
// replacing the whole list. The data directory is /var/lib/rancher/<name> unless data-dir
// says otherwise.

// distro is what the scan read of an RKE2 or k3s installation.
type distro struct {
	name    string // LayoutRKE2 or LayoutK3s
	dataDir string
	// config is the merged configuration: the files, then the command line.
	config      map[string]any
	configFiles []string
	// units are the systemd units found (rke2-server.service, k3s-agent.service, ...), and
	// unit the one whose command line was read.
	units []string
	unit  string
	// sub is the unit's subcommand: "server", "agent" or "".
	sub string
	// env holds the few variables of the unit's environment the scan uses.
	env map[string]string
	// problems say what could not be read.
	problems []string
}

// distroUnits are each distribution's systemd units, the server's first.
var distroUnits = map[string][]string{
	LayoutRKE2: {"rke2-server.service", "rke2-agent.service"},
	LayoutK3s:  {"k3s.service", "k3s-agent.service"},
}

// distroFlagsWithValue are the command-line flags of rke2 and k3s the scan reads that take
// a value (urfave/cli string and string-slice flags), with their short names.
var distroFlagsWithValue = map[string]string{
	"config": "config", "c": "config", "data-dir": "data-dir", "d": "data-dir",
	"kube-apiserver-arg": "kube-apiserver-arg", "kube-controller-manager-arg": "kube-controller-manager-arg",
	"kube-scheduler-arg": "kube-scheduler-arg", "etcd-arg": "etcd-arg", "kubelet-arg": "kubelet-arg",
	"kube-proxy-arg": "kube-proxy-arg", "datastore-endpoint": "datastore-endpoint",
	"server": "server", "s": "server", "write-kubeconfig": "write-kubeconfig", "o": "write-kubeconfig",
	"write-kubeconfig-mode": "write-kubeconfig-mode", "token": "token", "t": "token",
}

// distroBoolFlags are the boolean flags the scan reads: they never take the next word.
var distroBoolFlags = map[string]bool{
	"cluster-init": true, "secrets-encryption": true, "disable-apiserver": true,
	"disable-controller-manager": true, "disable-scheduler": true, "disable-etcd": true,
	"disable-kube-proxy": true, "disable-agent": true,
}

// distroListKeys are the repeatable settings the scan reads: a YAML string is a one-item
// list, and "key+" appends.
var distroListKeys = map[string]bool{
	"kube-apiserver-arg": true, "kube-controller-manager-arg": true, "kube-scheduler-arg": true,
	"etcd-arg": true, "kubelet-arg": true, "kube-proxy-arg": true,
}

// readDistro reads the installation of name (LayoutRKE2 or LayoutK3s) if the node has one:
// its systemd units, environment, configuration files and data directory. It returns nil
// when nothing of it is on the node.
func (r *reader) readDistro(name string) *distro {
	d := &distro{name: name, config: map[string]any{}, env: map[string]string{}}
	upper := strings.ToUpper(name)
	var cli map[string]any
	// The unit read is the first enabled one, else the first found (the server's).
	var applied []string
	for _, u := range distroUnits[name] {
		files, _ := r.units(u)
		if len(files) == 0 {
			continue
		}
		d.units = append(d.units, u)
		if d.unit == "" || !r.unitEnabled(d.unit) && r.unitEnabled(u) {
			d.unit, applied = u, files
		}
	}
	if d.unit != "" {
		var un unit
		for _, p := range applied {
			data, err := r.h.readFile(p, maxConfigSize)
			if err != nil {
				d.problems = append(d.problems, fmt.Sprintf("read %s: %v", p, err))
				continue
			}
			un.parse(string(data))
		}
		env := map[string]string{}
		for k, v := range un.env {
			env[k] = v
		}
		for _, p := range un.envFiles {
			data, err := r.h.readFile(p, maxConfigSize)
			if err != nil {
				if !isNotExist(err) {
					d.problems = append(d.problems, fmt.Sprintf("read %s: %v", p, err))
				}
				continue
			}
			parseEnvFile(string(data), env)
		}
		// Only the variables the scan uses are kept: the others hold secrets (the token).
		for _, k := range []string{"_CONFIG_FILE", "_DATA_DIR", "_URL", "_CLUSTER_INIT", "_DATASTORE_ENDPOINT"} {
			if v, ok := env[upper+k]; ok {
				d.env[k] = v
			}
		}
		d.sub, cli = parseDistroCommand(un.command(env))
	}

	configFile := "/etc/rancher/" + name + "/config.yaml"
	if v, ok := d.env["_CONFIG_FILE"]; ok && v != "" {
		configFile = v
	}
	if v, ok := cli["config"].(string); ok && v != "" {
		configFile = v
	}
	r.readDistroConfig(d, configFile)
	for k, v := range cli {
		d.config[k] = v // the command line wins, a list replacing the files' list
	}

	d.dataDir = "/var/lib/rancher/" + name
	if v := d.env["_DATA_DIR"]; v != "" {
		d.dataDir = v
	}
	if v := d.str("data-dir"); v != "" {
		d.dataDir = v
	}
	if !path.IsAbs(d.dataDir) {
		d.problems = append(d.problems, "the data directory "+d.dataDir+" is not an absolute path")
		d.dataDir = path.Join("/", d.dataDir)
	}
	if len(d.units) == 0 && len(d.configFiles) == 0 && !r.exists(d.dataDir) && !r.exists("/etc/rancher/"+name) {
		return nil
	}
	return d
}

// unitEnabled reports whether systemd starts unit at boot (a link in a .wants directory of
// /etc/systemd/system).
func (r *reader) unitEnabled(unit string) bool {
	for _, target := range []string{"multi-user.target.wants", "default.target.wants", "graphical.target.wants"} {
		if _, err := r.h.lstat("/etc/systemd/system/" + target + "/" + unit); err == nil {
			return true
		}
	}
	return false
}

func (r *reader) exists(p string) bool {
	_, err := r.h.stat(p)
	return err == nil
}

// readDistroConfig reads the configuration file and its drop-ins into d.config.
func (r *reader) readDistroConfig(d *distro, file string) {
	files := []string{file}
	if entries, err := r.h.readDir(file + ".d"); err == nil {
		var names []string
		for _, e := range entries {
			if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			files = append(files, path.Join(file+".d", n))
		}
	} else if !isNotExist(err) {
		d.problems = append(d.problems, fmt.Sprintf("read directory %s.d: %v", file, err))
	}
	for _, p := range files {
		data, err := r.h.readFile(p, maxConfigSize)
		if err != nil {
			if !isNotExist(err) {
				d.problems = append(d.problems, fmt.Sprintf("read %s: %v", p, err))
			}
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			d.problems = append(d.problems, fmt.Sprintf("parse %s: %v", p, err))
			continue
		}
		d.configFiles = append(d.configFiles, p)
		mergeDistroConfig(d.config, m)
	}
}

// mergeDistroConfig merges one configuration file into cfg: a key replaces the value before
// it, a key ending in "+" appends to it.
func mergeDistroConfig(cfg, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // "a" before "a+": the replacement, then the appended items
	for _, k := range keys {
		v := m[k]
		base, appendTo := strings.CutSuffix(k, "+")
		if distroListKeys[base] {
			items := listOf(v)
			if appendTo {
				items = append(listOf(cfg[base]), items...)
			}
			cfg[base] = items
			continue
		}
		if appendTo {
			if prev, ok := cfg[base].(string); ok {
				if s, ok := v.(string); ok {
					cfg[base] = prev + s
					continue
				}
			}
		}
		cfg[base] = v
	}
}

// listOf returns a repeatable setting's items: a YAML list, or one string.
func listOf(v any) []string {
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...)
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			out = append(out, fmt.Sprint(it))
		}
		return out
	case string:
		return []string{x}
	case nil:
		return nil
	}
	return []string{fmt.Sprint(v)}
}

// parseDistroCommand reads the words of an rke2 or k3s command line: the subcommand and the
// flags the scan uses (a repeatable flag given several times accumulates).
func parseDistroCommand(words []string) (sub string, cli map[string]any) {
	cli = map[string]any{}
	if len(words) == 0 {
		return "", cli
	}
	rest := words[1:] // the program
	if len(rest) > 0 && (rest[0] == "server" || rest[0] == "agent") {
		sub, rest = rest[0], rest[1:]
	}
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(w, "-"), "=")
		if distroBoolFlags[name] {
			b := true
			if hasVal {
				b, _ = strconv.ParseBool(val)
			}
			cli[name] = b
			continue
		}
		canon, known := distroFlagsWithValue[name]
		if !hasVal {
			// A flag written without "=" takes the next word unless that word is a flag.
			if i+1 >= len(rest) || strings.HasPrefix(rest[i+1], "-") {
				continue
			}
			i++
			val = rest[i]
		}
		if !known {
			continue
		}
		if distroListKeys[canon] {
			prev, _ := cli[canon].([]string)
			cli[canon] = append(prev, val)
		} else {
			cli[canon] = val
		}
	}
	return sub, cli
}

// from names where the distribution's settings were read: its configuration files and unit.
func (d *distro) from() []string {
	out := append([]string(nil), d.configFiles...)
	if d.unit != "" {
		out = append(out, "systemd unit "+d.unit)
	}
	return out
}

// str returns a string setting.
func (d *distro) str(key string) string {
	switch v := d.config[key].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// flag returns a boolean setting; env is the variable that also sets it ("" for none).
func (d *distro) flag(key, env string) bool {
	if v, ok := d.config[key]; ok {
		switch x := v.(type) {
		case bool:
			return x
		case string:
			b, _ := strconv.ParseBool(x)
			return b
		}
		return false
	}
	if env != "" {
		b, _ := strconv.ParseBool(d.env[env])
		return b
	}
	return false
}

// list returns a repeatable setting's items.
func (d *distro) list(key string) []string { return listOf(d.config[key]) }

// datastoreKind says what a datastore-endpoint points at, never the endpoint itself (it may
// hold a password): "etcd" for an external etcd, else "mysql", "postgres", "sqlite" or "nats".
func datastoreKind(endpoint string) string {
	scheme, _, ok := strings.Cut(endpoint, "://")
	if !ok {
		// Kine reads an endpoint without a scheme as a MySQL DSN (user:pass@tcp(host)/db).
		return "mysql"
	}
	switch scheme {
	case "http", "https":
		return "etcd"
	case "postgresql":
		return "postgres"
	}
	return scheme
}

// componentArgs turns the items of a k3s <component>-arg setting into the flags k3s passes
// (pkg/util/args.go, GetArgs): "name=value" replaces k3s's own value for the flag, a second
// "name=value" adds an occurrence, "name+=value" comes after k3s's own value and
// "name-=value" before it; an item without "=" is "name=true". k3s's own values are not in
// any file: they are Unknown args.
func componentArgs(items []string, from string) []Arg {
	byName := map[string][]Arg{}
	var names []string
	for _, it := range items {
		name, val, hasVal := strings.Cut(strings.TrimPrefix(it, "--"), "=")
		if !hasVal {
			val = "true"
		}
		mode := ""
		switch {
		case strings.HasSuffix(name, "+"):
			mode, name = "+", strings.TrimRight(name, "+-")
		case strings.HasSuffix(name, "-"):
			mode, name = "-", strings.TrimRight(name, "+-")
		}
		prev, seen := byName[name]
		if !seen {
			names = append(names, name)
		}
		a := Arg{Name: name, Value: val, From: from}
		own := Arg{Name: name, Unknown: true, From: "the distribution's own value"}
		switch {
		case mode == "+" && !seen:
			byName[name] = []Arg{own, a}
		case mode == "-" && !seen:
			byName[name] = []Arg{a, own}
		case mode == "-":
			byName[name] = append([]Arg{a}, prev...)
		default:
			byName[name] = append(prev, a)
		}
	}
	sort.Strings(names) // k3s passes the flags sorted by name
	var out []Arg
	for _, n := range names {
		out = append(out, byName[n]...)
	}
	return out
}

// etcdConfigArgs reduces an etcd configuration file (etcd's --config-file, a YAML file whose
// keys are its flags' names, with the TLS settings under client-transport-security and
// peer-transport-security) to the flags it stands for. Nested settings other than the TLS
// ones are left out.
func etcdConfigArgs(m map[string]any) []Arg {
	var out []Arg
	add := func(name string, v any) {
		switch x := v.(type) {
		case map[string]any:
			return
		case []any:
			parts := make([]string, 0, len(x))
			for _, it := range x {
				parts = append(parts, fmt.Sprint(it))
			}
			out = append(out, Arg{Name: name, Value: strings.Join(parts, ",")})
		case nil:
		case float64:
			out = append(out, Arg{Name: name, Value: strconv.FormatFloat(x, 'f', -1, 64)})
		default:
			out = append(out, Arg{Name: name, Value: fmt.Sprint(x)})
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		prefix := ""
		switch k {
		case "client-transport-security":
		case "peer-transport-security":
			prefix = "peer-"
		default:
			add(k, m[k])
			continue
		}
		sec, _ := m[k].(map[string]any)
		subs := make([]string, 0, len(sec))
		for s := range sec {
			subs = append(subs, s)
		}
		sort.Strings(subs)
		for _, s := range subs {
			add(prefix+s, sec[s])
		}
	}
	return out
}

// readEtcdConfig reads etcd's configuration file at host path p.
func (r *reader) readEtcdConfig(p string) *EtcdConfig {
	ec := &EtcdConfig{Path: p}
	data, err := r.h.readFile(p, maxConfigSize)
	if err != nil {
		ec.Error = err.Error()
		return ec
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		ec.Error = "not an etcd configuration file: " + err.Error()
		return ec
	}
	ec.Args = etcdConfigArgs(m)
	return ec
}

// etcdArg returns the value of flag name in args ("" when absent).
func etcdArg(args []Arg, name string) string {
	v := ""
	for _, a := range args {
		if a.Name == name {
			v = a.Value
		}
	}
	return v
}

// kubeletArg returns the value a kubelet-arg item gives flag name, and whether one does.
func kubeletArg(items []string, name string) (string, bool) {
	val, found := "", false
	for _, it := range items {
		n, v, _ := strings.Cut(strings.TrimPrefix(it, "--"), "=")
		if strings.TrimRight(n, "+-") == name {
			val, found = v, true
		}
	}
	return val, found
}
