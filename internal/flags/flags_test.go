package flags

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSpec = Spec{
	Component: "kube-apiserver",
	NoArg:     set("profiling", "anonymous-auth", "version", "help"),
	Arg: set("bind-address", "token-auth-file", "audit-log-path", "feature-gates", "enable-admission-plugins",
		"disable-admission-plugins", "authorization-mode", "kubelet-client-certificate", "cert-file", "v"),
	Shorthand: map[byte]string{'v': "v", 'h': "help"},
}

var goSpec = Spec{Component: "etcd", GoFlag: true, NoArg: set("client-cert-auth", "version"), Arg: set("cert-file", "name")}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		flag     string
		wantSet  bool
		wantRaw  string
		wantBare bool
	}{
		{"equals form", []string{"--bind-address=127.0.0.1"}, "bind-address", true, "127.0.0.1", false},
		{"space form", []string{"--bind-address", "0.0.0.0", "--v=2"}, "bind-address", true, "0.0.0.0", false},
		{"space form takes a flag-like next word", []string{"--token-auth-file", "--v=2"}, "token-auth-file", true, "--v=2", false},
		{"bare boolean does not eat the next word", []string{"--profiling", "false"}, "profiling", true, "", true},
		{"boolean with value", []string{"--profiling=False"}, "profiling", true, "False", false},
		{"scalar flag given twice keeps the last", []string{"--bind-address=127.0.0.1", "--bind-address=0.0.0.0"}, "bind-address", true, "0.0.0.0", false},
		{"value containing equals", []string{"--feature-gates=A=true,B=false"}, "feature-gates", true, "A=true,B=false", false},
		{"empty value", []string{"--token-auth-file="}, "token-auth-file", true, "", false},
		{"absent", []string{"--other=1"}, "bind-address", false, "", false},
		{"after -- is not a flag", []string{"--", "--bind-address=0.0.0.0"}, "bind-address", false, "", false},
		{"positional words are skipped", []string{"serve", "--bind-address=1.2.3.4"}, "bind-address", true, "1.2.3.4", false},
		{"substring of another flag is not a match", []string{"--kubelet-client-certificate=/a"}, "client-certificate", false, "", false},
		{"a lone dash is a value (stdout)", []string{"--audit-log-path", "-", "--v=2"}, "audit-log-path", true, "-", false},
		{"underscores are dashes for pflag", []string{"--token_auth_file=/t"}, "token-auth-file", true, "/t", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Parse(tc.args, testSpec)
			v, ok := s.Lookup(tc.flag)
			assert.Equal(t, tc.wantSet, ok)
			assert.Equal(t, tc.wantRaw, v.Raw)
			assert.Equal(t, tc.wantBare, v.Bare)
		})
	}
}

// Kubernetes components normalise "_" to "-" in flag names (cli.Run sets pflag's
// WordSepNormalizeFunc): --token_auth_file is --token-auth-file.
func TestParseWordSep(t *testing.T) {
	spec := testSpec
	s := Parse([]string{"--anonymous-auth=false", "--anonymous_auth", "--token_auth_file", "/t", "--enable-admission-plugins=A", "--enable_admission_plugins=B"}, spec)
	v, ok := s.Lookup("anonymous-auth")
	require.True(t, ok)
	assert.True(t, v.Bare, "the later --anonymous_auth wins and is a bare boolean")
	assert.Equal(t, "anonymous-auth", v.Name)
	v, ok = s.Lookup("token-auth-file")
	require.True(t, ok)
	assert.Equal(t, "/t", v.Raw)
	items, _, _ := s.List("enable-admission-plugins")
	assert.Equal(t, []string{"A", "B"}, items)
	assert.False(t, s.Has("token_auth_file"))
}

func TestValueBool(t *testing.T) {
	tests := []struct {
		v       Value
		want    bool
		wantErr bool
	}{
		{Value{Name: "p", Bare: true}, true, false},
		{Value{Name: "p", Raw: "true"}, true, false},
		{Value{Name: "p", Raw: "t"}, true, false},
		{Value{Name: "p", Raw: "1"}, true, false},
		{Value{Name: "p", Raw: "TRUE"}, true, false},
		{Value{Name: "p", Raw: "False"}, false, false},
		{Value{Name: "p", Raw: "0"}, false, false},
		{Value{Name: "p", Raw: "f"}, false, false},
		{Value{Name: "p", Raw: "no"}, false, true},
		{Value{Name: "p", Raw: ""}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.v.Raw, func(t *testing.T) {
			got, err := tc.v.Bool()
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestValueInt(t *testing.T) {
	n, err := Value{Name: "audit-log-maxage", Raw: " 30"}.Int()
	require.NoError(t, err)
	assert.Equal(t, int64(30), n)
	_, err = Value{Name: "audit-log-maxage", Raw: "30d"}.Int()
	assert.ErrorContains(t, err, "audit-log-maxage")
}

func TestList(t *testing.T) {
	s := Parse([]string{
		"--enable-admission-plugins=NodeRestriction, EventRateLimit",
		"--enable-admission-plugins", "AlwaysPullImages,,",
	}, testSpec)
	items, set, unknown := s.List("enable-admission-plugins")
	assert.True(t, set)
	assert.False(t, unknown)
	assert.Equal(t, []string{"NodeRestriction", "EventRateLimit", "AlwaysPullImages"}, items)

	_, set, _ = s.List("disable-admission-plugins")
	assert.False(t, set)
}

// List flags are read as pflag's StringSlice reads them: as one line of CSV, so quotes
// written into a pod spec's argument are removed, not kept in the item.
func TestListCSV(t *testing.T) {
	tests := []struct {
		raw  string
		want []string
	}{
		{`"AlwaysAdmit"`, []string{"AlwaysAdmit"}},
		{`"NodeRestriction,AlwaysAdmit"`, []string{"NodeRestriction,AlwaysAdmit"}},
		{`A,"B",C`, []string{"A", "B", "C"}},
		{`A, B`, []string{"A", "B"}},
		{``, nil},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			s := Parse([]string{"--enable-admission-plugins=" + tc.raw}, testSpec)
			items, set, _ := s.List("enable-admission-plugins")
			assert.True(t, set)
			assert.Equal(t, tc.want, items)
		})
	}
}

func TestMap(t *testing.T) {
	s := Parse([]string{"--feature-gates=RotateKubeletServerCertificate=false,Foo=true", "--feature-gates=RotateKubeletServerCertificate=true"}, testSpec)
	m, set, _ := s.Map("feature-gates")
	assert.True(t, set)
	assert.Equal(t, map[string]string{"RotateKubeletServerCertificate": "true", "Foo": "true"}, m)
}

func TestAddEnv(t *testing.T) {
	s := Parse([]string{"--cert-file=/a.crt"}, testSpec)
	s.AddEnv([]EnvVar{
		{Name: "ETCD_CLIENT_CERT_AUTH", Value: "true"},
		{Name: "ETCD_CERT_FILE", Value: "/ignored.crt"},
		{Name: "ETCD_PEER_AUTO_TLS", Value: "false"},
		{Name: "ETCD_PEER_AUTO_TLS", Value: "true"},
		{Name: "OTHER", Value: "x"},
		{Name: "ETCD_AUTO_TLS", Value: ""},
	}, "ETCD_")
	v, ok := s.Lookup("client-cert-auth")
	require.True(t, ok)
	b, err := v.Bool()
	require.NoError(t, err)
	assert.True(t, b)
	assert.Equal(t, "env ETCD_CLIENT_CERT_AUTH", v.Origin)

	v, _ = s.Lookup("cert-file")
	assert.Equal(t, "/a.crt", v.Raw, "the command line wins over the environment")

	v, _ = s.Lookup("peer-auto-tls")
	assert.Equal(t, "true", v.Raw, "a later duplicate variable wins")
	assert.False(t, s.Has("other"))
	assert.False(t, s.Has("auto-tls"), "etcd ignores an empty variable")
}

func TestExpand(t *testing.T) {
	env := map[string]EnvVar{
		"IP":     {Name: "IP", Value: "10.0.0.1"},
		"SECRET": {Name: "SECRET", Unknown: true},
	}
	tests := []struct {
		in          string
		want        string
		wantUnknown bool
	}{
		{"--advertise-address=$(IP)", "--advertise-address=10.0.0.1", false},
		{"--x=$$(IP)", "--x=$(IP)", false},
		{"--x=$(MISSING)", "--x=$(MISSING)", false},
		{"--x=$(SECRET)", "--x=", true},
		{"--x=$(", "--x=$(", false},
		{"plain", "plain", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, unknown := Expand(tc.in, env)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantUnknown, unknown)
		})
	}
}

func TestLocate(t *testing.T) {
	tests := []struct {
		name      string
		command   []string
		args      []string
		binary    string
		wantFound bool
		wantFirst string
		wantOrig  string
		wantLen   int
	}{
		{"kubeadm style", []string{"kube-apiserver", "--a=1", "--b=2"}, nil, "kube-apiserver", true, "--a=1", "command[1]", 2},
		{"absolute path and args", []string{"/usr/local/bin/kube-apiserver"}, []string{"--a=1"}, "kube-apiserver", true, "--a=1", "args[0]", 1},
		{"shell wrapper", []string{"/bin/sh", "-c", "exec kube-scheduler --profiling=false && echo done"}, nil, "kube-scheduler", true, "--profiling=false", "command[2]", 1},
		{"hyperkube", []string{"/hyperkube", "apiserver", "--a=1"}, nil, "kube-apiserver", true, "--a=1", "command[2]", 1},
		{"other binary", []string{"etcd-wrapper", "--a=1"}, nil, "etcd", false, "", "", 0},
		{"name as a flag value is not the binary", []string{"foo", "--name=etcd"}, nil, "etcd", false, "", "", 0},
		{"path argument of another program is not the binary", []string{"etcdctl", "snapshot", "restore", "--data-dir", "/var/lib/etcd", "--name=x"}, nil, "etcd", false, "", "", 0},
		{"flag whose value ends in the binary name", []string{"backup", "--data-dir=/var/lib/etcd", "--x=1"}, nil, "etcd", false, "", "", 0},
		{"path in a shell script of another program", []string{"/bin/sh", "-c", "tar czf /backup/etcd.tgz /var/lib/etcd --x=1"}, nil, "etcd", false, "", "", 0},
		{"init wrapper", []string{"/usr/bin/dumb-init", "--", "/usr/local/bin/etcd", "--a=1"}, nil, "etcd", true, "--a=1", "command[3]", 1},
		{"binary in args after an entrypoint-less command", nil, []string{"kube-apiserver", "--a=1"}, "kube-apiserver", true, "--a=1", "args[1]", 1},
		{"after a shell operator", []string{"sh", "-c", "set -e; exec kube-scheduler --p=1"}, nil, "kube-scheduler", true, "--p=1", "command[2]", 1},
		{"environment assignment before the binary", []string{"sh", "-c", "GODEBUG=x=1 kube-scheduler --p=1"}, nil, "kube-scheduler", true, "--p=1", "command[2]", 1},
		{"a launcher flag's value is not the command", []string{"nice", "-n", "10", "kube-apiserver", "--a=1"}, nil, "kube-apiserver", true, "--a=1", "command[4]", 1},
		{"exec -a in a shell script", []string{"sh", "-c", "exec -a apiserver /usr/local/bin/kube-apiserver --a=1"}, nil, "kube-apiserver", true, "--a=1", "command[2]", 1},
		{"env -u", []string{"env", "-u", "HTTP_PROXY", "etcd", "--a=1"}, nil, "etcd", true, "--a=1", "command[4]", 1},
		{"ionice -c", []string{"ionice", "-c", "2", "-n", "0", "etcd", "--a=1"}, nil, "etcd", true, "--a=1", "command[6]", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks, found := Locate(tc.command, tc.args, nil, tc.binary)
			assert.Equal(t, tc.wantFound, found)
			require.Len(t, toks, tc.wantLen)
			if tc.wantLen > 0 {
				assert.Equal(t, tc.wantFirst, toks[0].Text)
				assert.Equal(t, tc.wantOrig, toks[0].Origin)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	toks := Args(nil, []string{"--profiling=false"}, nil)
	require.Len(t, toks, 1)
	assert.Equal(t, "--profiling=false", toks[0].Text)
	toks = Args([]string{"/entry"}, []string{"--x"}, nil)
	require.Len(t, toks, 1)
	assert.Equal(t, "args[0]", toks[0].Origin)
}

func TestParseTokensUnknown(t *testing.T) {
	env := map[string]EnvVar{"MODE": {Name: "MODE", Unknown: true}}
	toks, found := Locate([]string{"kube-apiserver", "--authorization-mode", "$(MODE)", "--profiling=false"}, nil, env, "kube-apiserver")
	require.True(t, found)
	s := ParseTokens(toks, testSpec)
	v, ok := s.Lookup("authorization-mode")
	require.True(t, ok)
	assert.True(t, v.Unknown)
	assert.Equal(t, "command[1]", v.Origin)
	_, _, unknown := s.List("authorization-mode")
	assert.True(t, unknown)
	v, _ = s.Lookup("profiling")
	assert.False(t, v.Unknown)
	assert.Equal(t, "command[3]", v.Origin)
}

// In a shell script the shell expands $VAR, $(...) and `...` at run time: a flag value built
// so is unknown, and a word built so that is not a flag's value may hold flags of its own.
func TestShellExpansionHidden(t *testing.T) {
	toks, found := Locate([]string{"/bin/sh", "-c", "exec kube-apiserver --profiling=false --token-auth-file $TOKENS $EXTRA_ARGS"}, nil, nil, "kube-apiserver")
	require.True(t, found)
	s := ParseTokens(toks, testSpec)
	v, ok := s.Lookup("token-auth-file")
	require.True(t, ok)
	assert.True(t, v.Unknown)
	v, _ = s.Lookup("profiling")
	assert.False(t, v.Unknown)
	assert.Equal(t, []string{"command[2]", "command[2]"}, s.Hidden(), "$TOKENS may be empty, $EXTRA_ARGS may hold flags")

	// An argument filled from a Secret, standing alone, may be a flag.
	env := map[string]EnvVar{"EXTRA": {Name: "EXTRA", Unknown: true}}
	toks, _ = Locate([]string{"kube-apiserver", "--profiling=false", "$(EXTRA)"}, nil, env, "kube-apiserver")
	assert.Equal(t, []string{"command[2]"}, ParseTokens(toks, testSpec).Hidden())

	toks, _ = Locate([]string{"kube-apiserver", "--profiling=false"}, nil, nil, "kube-apiserver")
	assert.Empty(t, ParseTokens(toks, testSpec).Hidden())

	// The shell splits an unquoted expansion into any number of words, none when it is
	// empty: "--audit-log-path $LOG --profiling=false" may be "--audit-log-path
	// --profiling=false". Quoted, it is one word.
	toks, _ = Locate([]string{"/bin/sh", "-c", "exec kube-apiserver --audit-log-path $LOG --profiling=false"}, nil, nil, "kube-apiserver")
	assert.Equal(t, []string{"command[2]"}, ParseTokens(toks, testSpec).Hidden())
	toks, _ = Locate([]string{"/bin/sh", "-c", `exec kube-apiserver --audit-log-path "$LOG" --profiling=false`}, nil, nil, "kube-apiserver")
	s = ParseTokens(toks, testSpec)
	assert.Empty(t, s.Hidden())
	v, _ = s.Lookup("audit-log-path")
	assert.True(t, v.Unknown)
	toks, _ = Locate([]string{"/bin/sh", "-c", `exec kube-apiserver --audit-log-path=/var/log/$NODE.log --profiling=false`}, nil, nil, "kube-apiserver")
	s = ParseTokens(toks, testSpec)
	assert.Empty(t, s.Hidden(), "an expansion inside a flag word never empties it")
	v, _ = s.Lookup("audit-log-path")
	assert.True(t, v.Unknown)
}

func TestShellWords(t *testing.T) {
	assert.Equal(t, []string{"exec", "etcd", "--name=a b", "--x=it's", ";", "echo"},
		ShellWords(`exec etcd "--name=a b" '--x=it'"'"'s'; echo`))
	assert.Equal(t, []string{"a", "&&", "b", "|", "c"}, ShellWords("a && b | c"))
	assert.Equal(t, []string{"a\\b", "c"}, ShellWords(`"a\\b" c`))
}

// A flag that takes a value takes the next word whatever it looks like (pflag's
// parseLongArg and parseSingleShortArg, Go's flag.parseOne); a flag without one never does.
func TestParseNextWord(t *testing.T) {
	type want struct {
		raw     string
		bare    bool
		unknown bool
	}
	tests := []struct {
		name     string
		spec     Spec
		args     []string
		flags    map[string]want // flags expected, by name; nil value: absent
		absent   []string
		problems int
	}{
		{"value flag takes a flag-like word", testSpec, []string{"--audit-log-path", "--profiling=false"},
			map[string]want{"audit-log-path": {raw: "--profiling=false"}}, []string{"profiling"}, 0},
		{"value flag takes a lone dash", testSpec, []string{"--audit-log-path", "-", "--profiling=false"},
			map[string]want{"audit-log-path": {raw: "-"}, "profiling": {raw: "false"}}, nil, 0},
		{"value flag takes --", testSpec, []string{"--audit-log-path", "--", "--profiling=false"},
			map[string]want{"audit-log-path": {raw: "--"}, "profiling": {raw: "false"}}, nil, 0},
		{"boolean leaves the next flag", testSpec, []string{"--profiling", "--audit-log-path=/a"},
			map[string]want{"profiling": {bare: true}, "audit-log-path": {raw: "/a"}}, nil, 0},
		{"implicit-value flag leaves the next flag", testSpec, []string{"--version", "--profiling=false"},
			map[string]want{"version": {bare: true}, "profiling": {raw: "false"}}, nil, 0},
		{"empty value", testSpec, []string{"--audit-log-path=", "--profiling=false"},
			map[string]want{"audit-log-path": {raw: ""}, "profiling": {raw: "false"}}, nil, 0},
		{"value flag at the end needs a value", testSpec, []string{"--audit-log-path"},
			map[string]want{"audit-log-path": {bare: true}}, nil, 1},
		{"shorthand with the next word", testSpec, []string{"-v", "2", "--profiling=false"},
			map[string]want{"v": {raw: "2"}, "profiling": {raw: "false"}}, nil, 0},
		{"shorthand takes a flag-like word", testSpec, []string{"-v", "--profiling=false"},
			map[string]want{"v": {raw: "--profiling=false"}}, []string{"profiling"}, 0},
		{"shorthand with =", testSpec, []string{"-v=3"}, map[string]want{"v": {raw: "3"}}, nil, 0},
		{"shorthand run together", testSpec, []string{"-v4"}, map[string]want{"v": {raw: "4"}}, nil, 0},
		{"shorthand cluster", testSpec, []string{"-hv5"}, map[string]want{"help": {bare: true}, "v": {raw: "5"}}, nil, 0},
		{"single-dash long flag is an unknown shorthand to pflag", testSpec, []string{"-profiling=false"},
			nil, []string{"profiling"}, 1},
		{"bad flag syntax", testSpec, []string{"---profiling=false"}, nil, []string{"profiling"}, 1},
		{"-- ends the flags", testSpec, []string{"--", "--profiling=false"}, nil, []string{"profiling"}, 0},
		{"unknown flag before a plain word takes it", testSpec, []string{"--unknown", "x", "--profiling=false"},
			map[string]want{"unknown": {raw: "x"}, "profiling": {raw: "false"}}, nil, 0},
		{"unknown flag before a flag-like word: both readings", testSpec, []string{"--unknown", "--profiling=false"},
			map[string]want{"unknown": {raw: "--profiling=false", unknown: true}, "profiling": {raw: "false", unknown: true}}, nil, 0},
		{"a later occurrence every reading has decides", testSpec, []string{"--unknown", "--profiling=true", "--profiling=false"},
			map[string]want{"profiling": {raw: "false"}}, nil, 0},
		{"doubt runs on through a value flag", testSpec, []string{"--unknown", "--audit-log-path", "--profiling=false", "--v=2"},
			map[string]want{"audit-log-path": {raw: "--profiling=false", unknown: true}, "profiling": {raw: "false", unknown: true}, "v": {raw: "2"}}, nil, 0},
		{"unknown flag before --", testSpec, []string{"--unknown", "--", "--profiling=false"},
			map[string]want{"profiling": {raw: "false", unknown: true}}, nil, 0},
		{"go flag: single dash", goSpec, []string{"-client-cert-auth=true", "-name", "-x"},
			map[string]want{"client-cert-auth": {raw: "true"}, "name": {raw: "-x"}}, nil, 0},
		{"go flag: value flag takes a flag-like word", goSpec, []string{"--cert-file", "--client-cert-auth=true"},
			map[string]want{"cert-file": {raw: "--client-cert-auth=true"}}, []string{"client-cert-auth"}, 0},
		{"go flag: boolean leaves the next word", goSpec, []string{"-client-cert-auth", "-cert-file=/c"},
			map[string]want{"client-cert-auth": {bare: true}, "cert-file": {raw: "/c"}}, nil, 0},
		{"go flag: parsing stops at an argument", goSpec, []string{"serve", "--client-cert-auth=true"},
			nil, []string{"client-cert-auth"}, 1},
		{"go flag: trailing argument", goSpec, []string{"--client-cert-auth=true", "2>&1"},
			map[string]want{"client-cert-auth": {raw: "true"}}, nil, 0},
		{"go flag: no word separator normalisation", goSpec, []string{"--client_cert_auth=true"},
			map[string]want{"client_cert_auth": {raw: "true"}}, []string{"client-cert-auth"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Parse(tc.args, tc.spec)
			for name, w := range tc.flags {
				v, ok := s.Lookup(name)
				require.True(t, ok, "--%s", name)
				assert.Equal(t, w.raw, v.Raw, "--%s", name)
				assert.Equal(t, w.bare, v.Bare, "--%s bare", name)
				assert.Equal(t, w.unknown, v.Unknown, "--%s unknown: %s", name, v.Why)
				if w.unknown {
					assert.Regexp(t, `kspm (does not know|knows)`, v.Why)
				}
			}
			for _, name := range tc.absent {
				assert.False(t, s.Has(name), "--%s", name)
			}
			assert.Len(t, s.Problems(), tc.problems, "%v", s.Problems())
		})
	}
}

// The bundled flag lists load, and say what the components' own flag sets say.
func TestSpecFor(t *testing.T) {
	tests := []struct {
		component  string
		goFlag     bool
		arg, noArg []string
		shorthandV string
	}{
		{"kube-apiserver", false, []string{"audit-log-path", "token-auth-file", "authorization-mode", "v"},
			[]string{"profiling", "anonymous-auth", "version", "help", "logtostderr"}, "v"},
		{"kube-controller-manager", false, []string{"root-ca-file", "bind-address"}, []string{"profiling", "use-service-account-credentials"}, "v"},
		{"kube-scheduler", false, []string{"bind-address", "config"}, []string{"profiling"}, "v"},
		{"kube-proxy", false, []string{"metrics-bind-address", "config"}, []string{"profiling", "masquerade-all"}, "v"},
		{"kubelet", false, []string{"config", "config-dir", "read-only-port", "streaming-connection-idle-timeout"},
			[]string{"anonymous-auth", "rotate-certificates", "make-iptables-util-chains", "keep-terminated-pod-volumes"}, "v"},
		{"etcd", true, []string{"cert-file", "data-dir", "config-file"}, []string{"client-cert-auth", "peer-client-cert-auth", "auto-tls", "config"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.component, func(t *testing.T) {
			s := SpecFor(tc.component)
			assert.Equal(t, tc.component, s.Component)
			assert.Equal(t, tc.goFlag, s.GoFlag)
			for _, n := range tc.arg {
				assert.True(t, s.Arg[n], "--%s takes a value", n)
			}
			for _, n := range tc.noArg {
				assert.True(t, s.NoArg[n], "--%s takes none", n)
			}
			assert.Equal(t, tc.shorthandV, s.Shorthand['v'])
		})
	}
	unknown := SpecFor("kube-nothing")
	assert.Empty(t, unknown.Arg)
	assert.Equal(t, "kube-nothing", unknown.Component)
}

func TestParseSpecErrors(t *testing.T) {
	for _, text := range []string{
		"a arg\n",                        // no parser line
		"# parser pflag\na\n",            // no kind
		"# parser pflag\na maybe\n",      // bad kind
		"# parser pflag\na arg\na arg\n", // twice
		"# parser pflag\na arg vv\n",     // long shorthand
		"# parser goflag\na arg v\n",     // shorthand for Go's flag package
		"# parser cobra\na arg\n",        // unknown parser
	} {
		_, err := parseSpec("x", strings.NewReader(text))
		assert.Error(t, err, text)
	}
	s, err := parseSpec("x", strings.NewReader("# parser pflag\n# comment\n\na arg v\nb noarg\n"))
	require.NoError(t, err)
	assert.Equal(t, Spec{Component: "x", Arg: set("a"), NoArg: set("b"), Shorthand: map[byte]string{'v': "a"}}, s)
}

// A set whose unset flags are not known (k3s passes flags of its own) reports every flag it
// does not hold as unknown, and the flags it holds as given.
func TestUnsetUnknown(t *testing.T) {
	s := Parse([]string{"--profiling=false", "--enable-admission-plugins=NodeRestriction"}, SpecFor("kube-apiserver"))
	s.UnsetUnknown("k3s sets it", "encryption-provider-config")

	v, ok := s.Lookup("profiling")
	require.True(t, ok)
	assert.False(t, v.Unknown)
	assert.Equal(t, "false", v.Raw)

	v, ok = s.Lookup("anonymous-auth")
	require.True(t, ok)
	assert.True(t, v.Unknown)
	assert.Equal(t, "k3s sets it", v.Why)
	assert.Equal(t, "k3s sets it", s.Why("anonymous-auth"))
	assert.False(t, s.Has("anonymous-auth"))

	items, set, unknown := s.List("enable-admission-plugins")
	assert.Equal(t, []string{"NodeRestriction"}, items)
	assert.True(t, set)
	assert.False(t, unknown)
	_, set, unknown = s.List("disable-admission-plugins")
	assert.True(t, set)
	assert.True(t, unknown)
	_, set, unknown = s.Map("feature-gates")
	assert.True(t, set)
	assert.True(t, unknown)

	_, ok = s.Lookup("encryption-provider-config")
	assert.False(t, ok, "a flag known not to be given is absent")

	plain := Parse(nil, SpecFor("kube-apiserver"))
	_, ok = plain.Lookup("anonymous-auth")
	assert.False(t, ok, "without UnsetUnknown an absent flag is absent")
}
