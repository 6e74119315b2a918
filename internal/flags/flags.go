package flags

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// Value is one occurrence of a flag on a command line.
type Value struct {
	// Name is the flag's name without dashes.
	Name string
	// Raw is the value as written; "" for a bare flag.
	Raw string
	// Bare reports a flag given without a value (--profiling).
	Bare bool
	// Unknown reports a value that cannot be known from the pod spec: it refers to an
	// environment variable filled from a Secret, ConfigMap or field reference.
	Unknown bool
	// Index is the position of the flag's token in the argument list the set was parsed
	// from (-1 for values from the environment).
	Index int
	// Origin says where the value came from, e.g. "args" or "env ETCD_CLIENT_CERT_AUTH".
	Origin string
}

// Bool parses v as a boolean flag: a bare flag is true, otherwise the value is parsed as
// strconv.ParseBool does (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), which
// is how both pflag and Go's flag package read boolean flags.
func (v Value) Bool() (bool, error) {
	if v.Bare {
		return true, nil
	}
	b, err := strconv.ParseBool(v.Raw)
	if err != nil {
		return false, fmt.Errorf("--%s=%q is not a boolean", v.Name, v.Raw)
	}
	return b, nil
}

// Int parses v as an integer flag.
func (v Value) Int() (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v.Raw), 0, 64)
	if err != nil {
		return 0, fmt.Errorf("--%s=%q is not an integer", v.Name, v.Raw)
	}
	return n, nil
}

// Set is the parsed flags of one command line. The zero Set is empty and usable.
type Set struct {
	vals   map[string][]Value
	order  []string
	hidden []string
}

// Hidden returns the origins of words whose text is not known and that are neither a flag nor
// a flag's value: they may expand to flags the set does not show (see ParseTokens).
func (s *Set) Hidden() []string { return s.hidden }

// Spec tells the parser which flags are boolean. A boolean flag never takes the next token
// as its value (--profiling false leaves "false" as a stray argument, as pflag does); any
// other flag written without "=" takes the next token when it does not start with "-".
type Spec struct {
	Bools map[string]bool
	// WordSep reads "_" in flag names as "-" (--token_auth_file is --token-auth-file), as
	// the Kubernetes components do (cli.Run installs pflag's WordSepNormalizeFunc). etcd's
	// Go flag parser does not.
	WordSep bool
}

// KubeletSpec returns the Spec of the kubelet's command line: its boolean flags, and "_"
// read as "-".
func KubeletSpec() Spec {
	bools := map[string]bool{}
	for _, n := range []string{
		"anonymous-auth", "authentication-token-webhook", "make-iptables-util-chains", "rotate-certificates",
		"rotate-server-certificates", "seccomp-default", "register-node", "register-schedulable", "fail-swap-on",
		"protect-kernel-defaults", "serialize-image-pulls", "enable-server", "enable-debugging-handlers",
		"enable-controller-attach-detach", "cgroups-per-qos", "exit-on-lock-contention", "kernel-memcg-notification",
		"keep-terminated-pod-volumes", "enable-load-reader", "localstorage-capacity-isolation", "fail-cgroupv1",
		"cpu-cfs-quota", "logtostderr", "alsologtostderr", "add-dir-header", "skip-headers",
		"one-output", "skip-log-headers", "version", "help",
	} {
		bools[n] = true
	}
	return Spec{Bools: bools, WordSep: true}
}

// Parse parses args (the tokens after the program name). Single-dash long flags
// (-client-cert-auth, as Go's flag package accepts) are read like double-dash ones;
// parsing stops at "--".
func Parse(args []string, spec Spec) *Set {
	s := &Set{}
	for i := 0; i < len(args); i++ {
		tok := args[i]
		if tok == "--" {
			break
		}
		if len(tok) < 2 || tok[0] != '-' {
			continue // positional argument: components take none that matter here
		}
		body := strings.TrimPrefix(strings.TrimPrefix(tok, "-"), "-")
		if body == "" || body[0] == '-' || body[0] == '=' {
			continue
		}
		name, val, hasEq := strings.Cut(body, "=")
		if spec.WordSep {
			name = strings.ReplaceAll(name, "_", "-")
		}
		v := Value{Name: name, Raw: val, Index: i, Origin: "args"}
		switch {
		case hasEq:
		case spec.Bools[name]:
			v.Bare = true
		case i+1 < len(args) && (!strings.HasPrefix(args[i+1], "-") || args[i+1] == "-"):
			// A lone "-" is a value (standard output), never a flag.
			i++
			v.Raw = args[i]
		default:
			v.Bare = true
		}
		s.Add(v)
	}
	return s
}

// Add records one more occurrence of a flag.
func (s *Set) Add(v Value) {
	if s.vals == nil {
		s.vals = make(map[string][]Value)
	}
	if _, ok := s.vals[v.Name]; !ok {
		s.order = append(s.order, v.Name)
	}
	s.vals[v.Name] = append(s.vals[v.Name], v)
}

// Has reports whether the flag was given at least once.
func (s *Set) Has(name string) bool { return len(s.vals[name]) > 0 }

// Lookup returns the effective value of a scalar flag: its last occurrence.
func (s *Set) Lookup(name string) (Value, bool) {
	vs := s.vals[name]
	if len(vs) == 0 {
		return Value{}, false
	}
	return vs[len(vs)-1], true
}

// All returns every occurrence of the flag in order.
func (s *Set) All(name string) []Value { return s.vals[name] }

// Names returns the names of the flags given, in first-seen order.
func (s *Set) Names() []string { return append([]string(nil), s.order...) }

// List returns the items of a list flag (pflag's StringSlice): every occurrence's value read
// as one line of CSV, as pflag reads it (quotes removed, a quoted item may hold commas),
// accumulated in order, with surrounding spaces and empty items dropped. unknown reports that
// some occurrence's value cannot be known.
func (s *Set) List(name string) (items []string, set, unknown bool) {
	vs := s.vals[name]
	for _, v := range vs {
		if v.Unknown {
			unknown = true
		}
		items = append(items, splitCSV(v.Raw)...)
	}
	return items, len(vs) > 0, unknown
}

// splitCSV splits a StringSlice value as pflag does (encoding/csv), falling back to a plain
// comma split for a value that is not valid CSV.
func splitCSV(raw string) []string {
	if !strings.Contains(raw, `"`) {
		return SplitList(raw)
	}
	fields, err := csv.NewReader(strings.NewReader(raw)).Read()
	if err != nil {
		return SplitList(raw)
	}
	var out []string
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Map returns a key=value map flag (like --feature-gates): every occurrence's pairs merged,
// a later key overriding an earlier one. Keys keep their case.
func (s *Set) Map(name string) (m map[string]string, set, unknown bool) {
	vs := s.vals[name]
	m = make(map[string]string)
	for _, v := range vs {
		if v.Unknown {
			unknown = true
		}
		for _, item := range SplitList(v.Raw) {
			k, val, _ := strings.Cut(item, "=")
			m[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
	}
	return m, len(vs) > 0, unknown
}

// SplitList splits a comma-separated list, trimming spaces and dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// AddEnv adds flags given as environment variables with prefix, the way etcd reads
// ETCD_CLIENT_CERT_AUTH=true as --client-cert-auth=true: the name after the prefix is
// lower-cased with underscores turned into dashes. A flag already given on the command line
// wins, as it does in etcd (which refuses to start when both are set).
func (s *Set) AddEnv(env []EnvVar, prefix string) {
	onCommandLine := make(map[string]bool, len(s.order))
	for _, n := range s.order {
		onCommandLine[n] = true
	}
	for _, e := range env {
		rest, ok := strings.CutPrefix(e.Name, prefix)
		if !ok || rest == "" {
			continue
		}
		name := strings.ReplaceAll(strings.ToLower(rest), "_", "-")
		if onCommandLine[name] {
			continue
		}
		if e.Value == "" && !e.Unknown {
			continue // etcd ignores a variable set to the empty string
		}
		// A later duplicate of the same variable overrides an earlier one, as in a pod spec.
		s.Add(Value{Name: name, Raw: e.Value, Unknown: e.Unknown, Index: -1, Origin: "env " + e.Name})
	}
}
