package flags

import (
	"path"
	"strings"
)

// Token is one word of a component's command line and where it came from.
type Token struct {
	// Text is the word after $(VAR) expansion.
	Text string
	// Origin locates the word in the container spec, e.g. "command[2]" or "args[0]".
	Origin string
	// Unknown reports that the word refers to a variable whose value the spec does not hold,
	// or, in a shell script, that the shell expands it at run time ($VAR, $(...), `...`).
	Unknown bool
	// Splits reports a shell word that begins with an unquoted expansion ($LOG): the shell
	// makes any number of words of it, none when it is empty, so the words around it cannot
	// be paired as flag and value ("--audit-log-path $LOG --profiling=false" is
	// "--audit-log-path --profiling=false" when LOG is empty).
	Splits bool
}

// EnvVar is a container environment variable as the parser sees it.
type EnvVar struct {
	Name  string
	Value string
	// Unknown reports a variable filled from a Secret, ConfigMap, field or resource reference.
	Unknown bool
}

// Expand replaces $(NAME) references in s with the values of env, as the kubelet does for a
// container's command and args: "$$" is a literal "$", and a reference to an undefined
// variable stays as written. unknown reports a reference to a variable whose value the pod
// spec does not hold.
func Expand(s string, env map[string]EnvVar) (out string, unknown bool) {
	if !strings.Contains(s, "$") {
		return s, false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteByte(c)
				continue
			}
			name := s[i+2 : i+2+end]
			if v, ok := env[name]; ok {
				if v.Unknown {
					unknown = true
				}
				b.WriteString(v.Value)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), unknown
}

var shellOperators = map[string]bool{";": true, "&&": true, "||": true, "|": true, "&": true}

var shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true, "busybox": true}

// hyperkubeNames maps the subcommand names of multi-call binaries (hyperkube) to components.
var hyperkubeNames = map[string]string{
	"apiserver": "kube-apiserver", "controller-manager": "kube-controller-manager",
	"scheduler": "kube-scheduler", "proxy": "kube-proxy",
}

// Locate finds the command line of binary (e.g. "kube-apiserver") in a container's command
// and args and returns the tokens after the program name. It looks through a shell wrapper
// ("sh -c 'exec kube-apiserver --flag=...'") and hyperkube-style multi-call binaries.
// found is false when binary is not named; callers that know the container runs the
// component anyway (by its labels) can use Args.
func Locate(command, args []string, env map[string]EnvVar, binary string) (toks []Token, found bool) {
	all := tokens(command, args, env)
	if len(all) >= 3 && shells[path.Base(all[0].Text)] {
		for i := 1; i+1 < len(all); i++ {
			if all[i].Text == "-c" {
				script := all[i+1]
				var words []Token
				for _, w := range shellWords(script.Text) {
					dynamic := strings.ContainsAny(w.text, "$`")
					words = append(words, Token{Text: w.text, Origin: script.Origin, Unknown: script.Unknown || dynamic, Splits: w.splits})
				}
				if t, ok := after(words, binary, true); ok {
					return t, true
				}
				break
			}
		}
	}
	return after(all, binary, false)
}

// Args returns the container's command and args as tokens, without a leading program name:
// the command's first word is dropped unless it is a flag.
func Args(command, args []string, env map[string]EnvVar) []Token {
	all := tokens(command, args, env)
	if len(all) > 0 && len(command) > 0 && !strings.HasPrefix(all[0].Text, "-") {
		all = all[1:]
	}
	return all
}

func tokens(command, args []string, env map[string]EnvVar) []Token {
	out := make([]Token, 0, len(command)+len(args))
	add := func(field string, words []string) {
		for i, w := range words {
			text, unknown := Expand(w, env)
			out = append(out, Token{Text: text, Origin: field + "[" + itoa(i) + "]", Unknown: unknown})
		}
	}
	add("command", command)
	add("args", args)
	return out
}

// launchers run the command line that follows them (with their own flags before it).
var launchers = map[string]bool{
	"exec": true, "env": true, "dumb-init": true, "tini": true, "tini-static": true, "nice": true,
	"ionice": true, "nohup": true, "setsid": true, "catatonit": true,
}

// launcherValueFlags are the launchers' flags that take the next word as their value (nice
// -n 10, ionice -c 2, env -u NAME, exec -a NAME, tini -p SIGNAL, dumb-init -r s:r): that word is
// not the command.
var launcherValueFlags = map[string]map[string]bool{
	"nice":        {"-n": true, "--adjustment": true},
	"ionice":      {"-c": true, "-n": true, "-p": true, "-P": true, "-u": true, "--class": true, "--classdata": true, "--pid": true, "--pgid": true, "--uid": true},
	"env":         {"-u": true, "--unset": true, "-C": true, "--chdir": true},
	"exec":        {"-a": true},
	"tini":        {"-p": true, "-e": true},
	"tini-static": {"-p": true, "-e": true},
	"dumb-init":   {"-r": true, "--rewrite": true},
}

// after returns the tokens after the word that names binary. Only a word in command position
// counts: the first word, or one that follows launchers (exec, env, dumb-init, tini ...),
// their flags, VAR=value assignments or, in a shell script, a shell operator. A path given to
// some other program (etcdctl --data-dir /var/lib/etcd) is not the binary. In a shell script,
// the command line ends at a shell operator.
func after(toks []Token, binary string, shell bool) ([]Token, bool) {
	commandPos := true
	launcher := ""
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		base := path.Base(t.Text)
		match := false
		if commandPos && !strings.HasPrefix(t.Text, "-") {
			match = base == binary
			if !match && i+1 < len(toks) && (base == "hyperkube" || base == "kubernetes") {
				next := toks[i+1].Text
				if next == binary || hyperkubeNames[next] == binary {
					i++
					match = true
				}
			}
		}
		if !match {
			switch {
			case shell && shellOperators[t.Text]:
				commandPos, launcher = true, ""
			case strings.HasPrefix(t.Text, "-"):
				// a launcher's own flag (or "--"): the command may still follow
				if launcherValueFlags[launcher][t.Text] {
					i++ // the flag's value
				}
			case isAssignment(t.Text):
			case launchers[base]:
				commandPos, launcher = true, base
			default:
				commandPos, launcher = false, ""
			}
			continue
		}
		rest := toks[i+1:]
		if shell {
			for j, r := range rest {
				if shellOperators[r.Text] {
					rest = rest[:j]
					break
				}
			}
		}
		return rest, true
	}
	return nil, false
}

// isAssignment reports an environment assignment word such as GODEBUG=x=1.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, c := range name {
		if c != '_' && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ShellWords splits a shell command line into words, honouring single and double quotes and
// backslash escapes. Shell operators (; && || | &) are their own words, and an unquoted new
// line reads as ";".
func ShellWords(s string) []string {
	ws := shellWords(s)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.text
	}
	return out
}

// shellWord is one word of a shell command line.
type shellWord struct {
	text string
	// splits reports a word that begins with an unquoted $ or `: an expansion the shell
	// splits into words (see Token.Splits).
	splits bool
}

func shellWords(s string) []shellWord {
	var (
		words  []shellWord
		cur    strings.Builder
		in     bool // a word is being built
		splits bool
		quote  byte
	)
	flush := func() {
		if in {
			words = append(words, shellWord{text: cur.String(), splits: splits})
			cur.Reset()
			in, splits = false, false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case quote == '"':
			switch {
			case c == '"':
				quote = 0
			case c == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0:
				i++
				cur.WriteByte(s[i])
			default:
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote = c
			in = true
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' {
				cur.WriteByte(s[i])
				in = true
			}
		case c == '\n':
			flush()
			words = append(words, shellWord{text: ";"}) // a new line starts a new command
		case c == ' ' || c == '\t':
			flush()
		case c == ';' || c == '|' || c == '&':
			flush()
			op := string(c)
			if i+1 < len(s) && (s[i+1] == '|' || s[i+1] == '&') && s[i+1] == c {
				op += string(c)
				i++
			}
			words = append(words, shellWord{text: op})
		default:
			if !in && (c == '$' || c == '`') {
				splits = true
			}
			cur.WriteByte(c)
			in = true
		}
	}
	flush()
	return words
}

// ParseTokens parses tokens like Parse and records each value's origin. A word whose text
// is not known that is neither a flag nor a flag's value may stand for flags of its own
// ($EXTRA_ARGS in a shell script, an argument filled from a Secret): it is reported by
// Hidden.
func ParseTokens(toks []Token, spec Spec) *Set {
	texts := make([]string, len(toks))
	for i, t := range toks {
		texts[i] = t.Text
	}
	s := Parse(texts, spec)
	used := make([]bool, len(toks))
	for _, name := range s.order {
		vs := s.vals[name]
		for i := range vs {
			idx := vs[i].Index
			used[idx] = true
			vs[i].Origin = toks[idx].Origin
			// A value taken from the next word ("--flag value") has that word's state.
			at := vs[i].valueAt
			if at < 0 {
				at = idx
			}
			used[at] = true
			if toks[at].Unknown && !vs[i].Unknown {
				vs[i].Unknown = true
				vs[i].Why = "its value comes from a shell expansion or a Secret, ConfigMap or field reference, which is not visible"
			}
		}
	}
	for i, t := range toks {
		if t.Splits || t.Unknown && !used[i] {
			s.hidden = append(s.hidden, t.Origin)
		}
	}
	return s
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
