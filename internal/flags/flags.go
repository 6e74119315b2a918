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
	// Unknown reports a value that cannot be known: it refers to an environment variable
	// filled from a Secret, ConfigMap or field reference, or a shell expansion, or the
	// command line can be read in more than one way (see Parse). Why says which.
	Unknown bool
	// Why says why the value is Unknown.
	Why string
	// Index is the position of the flag's token in the argument list the set was parsed
	// from (-1 for values from the environment).
	Index int
	// valueAt is the position of the word that holds the value: Index, Index+1 for a value
	// taken from the next word, -1 for none.
	valueAt int
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
	vals     map[string][]Value
	order    []string
	hidden   []string
	problems []string
	// unset, when not empty, says why a flag that is not given is not known either, except
	// the flags in notSet.
	unset  string
	notSet map[string]bool
}

// UnsetUnknown makes every flag that the set does not hold read as not known, for why: the
// program that starts the component passes values of its own that no file shows (k3s runs
// kube-apiserver in its own process with flags it chooses, then those the user gives).
// Lookup then returns such a flag as an Unknown value, List and Map report it unknown, and
// Why returns why. Has still reports only the flags given. The flags named in notSet are
// known not to be given all the same.
func (s *Set) UnsetUnknown(why string, notSet ...string) {
	s.unset = why
	s.notSet = make(map[string]bool, len(notSet))
	for _, n := range notSet {
		s.notSet[n] = true
	}
}

// unsetWhy says why flag name, which the set does not hold, is not known ("" when it is
// known to be absent).
func (s *Set) unsetWhy(name string) string {
	if s.notSet[name] {
		return ""
	}
	return s.unset
}

// Hidden returns the origins of words whose text is not known and that are neither a flag nor
// a flag's value: they may expand to flags the set does not show (see ParseTokens).
func (s *Set) Hidden() []string { return s.hidden }

// Spec is how one component reads its command line: the flags it defines, which of them take
// a value, and which parser it uses. Build it with SpecFor.
type Spec struct {
	// Component names the program, for messages.
	Component string
	// NoArg lists the flags that never take the next word as their value: booleans, and any
	// flag with an implicit value (pflag's NoOptDefVal, the Go flag package's IsBoolFlag).
	NoArg map[string]bool
	// Arg lists the flags that take a value: written without "=", the next word, whatever it
	// looks like (--audit-log-path --profiling=false logs to a file named --profiling=false).
	Arg map[string]bool
	// Shorthand maps a pflag one-letter shorthand (-v) to its flag's name.
	Shorthand map[byte]string
	// GoFlag selects Go's flag package (etcd) instead of pflag (the Kubernetes components):
	// one or two dashes before a long name, no shorthands, parsing stops at the first word
	// that is not a flag, and "_" is not read as "-" (cli.Run installs pflag's
	// WordSepNormalizeFunc for the Kubernetes components, so --token_auth_file is
	// --token-auth-file there).
	GoFlag bool
}

// known reports how the spec knows name: arg (takes a value), noArg, or neither.
func (s Spec) known(name string) (arg, noArg bool) {
	return s.Arg[name], s.NoArg[name]
}

// step is what the parser makes of the word at one position.
type step struct {
	occs []Value
	// next are the positions parsing goes on from; more than one when the reading is in
	// doubt (a flag the spec does not know, followed by a word that looks like a flag).
	next []int
	// stop ends the flags: the words after are arguments.
	stop bool
	// doubt names the flag whose value is in doubt.
	doubt   string
	problem string
}

// flagLike reports a word a flag parser reads as a flag (or as "--").
func flagLike(w string) bool { return len(w) >= 2 && w[0] == '-' }

// Parse parses args (the words after the program name) as the component's own flag parser
// does (spf13/pflag for the Kubernetes components, Go's flag package for etcd):
//   - --flag=value and, for the Go flag package, -flag=value;
//   - --flag value: a flag that takes a value takes the next word whatever it looks like,
//     a flag without one (a boolean) never does;
//   - pflag shorthands: -v 2, -v=2, -v2, and -h;
//   - "--" ends the flags.
//
// A flag the spec does not know, written without "=" and followed by a word that looks like
// a flag, may or may not take that word: both readings are followed, and the occurrences
// that only some readings have, or whose value depends on the reading, are marked Unknown
// with the reason in Why. A later occurrence that every reading has still decides a scalar
// flag. What the component would reject (an unknown shorthand, bad flag syntax, a flag
// missing its value) is reported by Problems.
func Parse(args []string, spec Spec) *Set {
	s := &Set{}
	n := len(args)
	steps := make([]*step, n)
	reach := make([]bool, n+1)
	reach[0] = true
	doubtBy := "" // the latest flag whose reading is in doubt
	for i := 0; i < n; i++ {
		if !reach[i] {
			continue
		}
		st := parseAt(args, i, spec)
		steps[i] = st
		uncertain := false
		for j := 0; j < i; j++ {
			if steps[j] == nil || !reach[j] {
				continue
			}
			if steps[j].stop {
				uncertain = true
			}
			for _, k := range steps[j].next {
				if k > i {
					uncertain = true
				}
			}
		}
		for _, k := range st.next {
			if k <= n {
				reach[k] = true
			}
		}
		for _, v := range st.occs {
			switch {
			case uncertain:
				v.Unknown = true
				v.Why = fmt.Sprintf("%q may be the value of --%s, a flag kspm does not know for %s", args[i], doubtBy, spec.name())
			case st.doubt != "" && v.Name == st.doubt:
				v.Unknown = true
				v.Why = fmt.Sprintf("--%s is not a flag kspm knows for %s: whether it takes the next word %q as its value is not known",
					v.Name, spec.name(), args[i+1])
			}
			s.Add(v)
		}
		if st.doubt != "" {
			doubtBy = st.doubt
		}
		if st.problem != "" && !uncertain {
			s.problems = append(s.problems, st.problem)
		}
	}
	return s
}

func (s Spec) name() string {
	if s.Component == "" {
		return "this program"
	}
	return s.Component
}

// parseAt reads the word at position i.
func parseAt(args []string, i int, spec Spec) *step {
	tok := args[i]
	if tok == "--" {
		st := &step{stop: true}
		if spec.GoFlag && i+1 < len(args) {
			st.problem = fmt.Sprintf("%s takes no arguments, but words follow \"--\"", spec.name())
		}
		return st
	}
	if len(tok) < 2 || tok[0] != '-' {
		if !spec.GoFlag {
			// pflag reads on past an argument; the Kubernetes components reject non-empty
			// arguments, but a shell wrapper's redirections (2>&1) land here too.
			return &step{next: []int{i + 1}}
		}
		st := &step{stop: true}
		for _, w := range args[i+1:] {
			if flagLike(w) {
				st.problem = fmt.Sprintf("%s stops reading flags at %q, which is not a flag", spec.name(), tok)
				break
			}
		}
		return st
	}
	if !spec.GoFlag && tok[1] != '-' {
		return parseShort(args, i, spec)
	}
	body := strings.TrimPrefix(tok[1:], "-")
	if body == "" || body[0] == '-' || body[0] == '=' {
		st := &step{next: []int{i + 1}, problem: fmt.Sprintf("%s rejects %q: bad flag syntax", spec.name(), tok)}
		if spec.GoFlag {
			st.next, st.stop = nil, true
		}
		return st
	}
	name, val, hasEq := strings.Cut(body, "=")
	if !spec.GoFlag {
		name = strings.ReplaceAll(name, "_", "-")
	}
	v := Value{Name: name, Raw: val, Index: i, valueAt: i, Origin: "args"}
	arg, noArg := spec.known(name)
	next := i + 1
	st := &step{}
	switch {
	case hasEq:
	case noArg:
		v.Bare, v.valueAt = true, -1
	case i+1 >= len(args):
		v.Bare, v.valueAt = true, -1
		if arg {
			st.problem = fmt.Sprintf("%s rejects --%s: the flag needs a value", spec.name(), name)
		}
	case arg || !flagLike(args[i+1]):
		// A flag the spec does not know followed by a plain word: as a boolean it would leave
		// an argument the component rejects, so it is read as the flag's value.
		v.Raw, v.valueAt = args[i+1], i+1
		next = i + 2
	default:
		v.Raw, v.valueAt = args[i+1], i+1
		st.doubt = name
		st.next = []int{i + 1, i + 2}
		st.occs = []Value{v}
		return st
	}
	st.occs = []Value{v}
	st.next = []int{next}
	return st
}

// parseShort reads a pflag shorthand word: -v 2, -v=2, -v2, -h, or several letters (-hv2).
func parseShort(args []string, i int, spec Spec) *step {
	tok := args[i]
	st := &step{next: []int{i + 1}}
	rest := tok[1:]
	if strings.HasPrefix(rest, "test.") {
		return st // pflag skips Go test flags
	}
	for rest != "" {
		c := rest[0]
		name, ok := spec.Shorthand[c]
		if !ok {
			st.problem = fmt.Sprintf("%s rejects %q: unknown shorthand flag %q", spec.name(), tok, string(c))
			return st
		}
		v := Value{Name: name, Index: i, valueAt: i, Origin: "args"}
		_, noArg := spec.known(name)
		switch {
		case len(rest) > 2 && rest[1] == '=':
			v.Raw, rest = rest[2:], ""
		case noArg:
			v.Bare, v.valueAt, rest = true, -1, rest[1:]
		case len(rest) > 1:
			v.Raw, rest = rest[1:], ""
		case i+1 < len(args):
			v.Raw, v.valueAt, rest = args[i+1], i+1, ""
			st.next = []int{i + 2}
		default:
			v.Bare, v.valueAt, rest = true, -1, ""
			st.problem = fmt.Sprintf("%s rejects -%s: the flag needs a value", spec.name(), string(c))
		}
		st.occs = append(st.occs, v)
	}
	return st
}

// Problems returns why the component would reject its command line, if it would (an
// unknown shorthand flag, bad flag syntax, a flag missing its value).
func (s *Set) Problems() []string { return s.problems }

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
		if why := s.unsetWhy(name); why != "" {
			return Value{Name: name, Unknown: true, Why: why, Index: -1, valueAt: -1}, true
		}
		return Value{}, false
	}
	return vs[len(vs)-1], true
}

// Why returns why some occurrence of the flag is Unknown ("" when none is).
func (s *Set) Why(name string) string {
	if len(s.vals[name]) == 0 {
		return s.unsetWhy(name)
	}
	for _, v := range s.vals[name] {
		if v.Unknown {
			return v.Why
		}
	}
	return ""
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
	if len(vs) == 0 && s.unsetWhy(name) != "" {
		return nil, true, true
	}
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
	if len(vs) == 0 && s.unsetWhy(name) != "" {
		return m, true, true
	}
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
		v := Value{Name: name, Raw: e.Value, Unknown: e.Unknown, Index: -1, valueAt: -1, Origin: "env " + e.Name}
		if e.Unknown {
			v.Why = "it is set from " + e.Name + ", which comes from a Secret, ConfigMap or field reference that is not visible"
		}
		s.Add(v)
	}
}
