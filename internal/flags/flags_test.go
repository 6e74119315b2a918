package flags

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSpec = Spec{Bools: map[string]bool{"profiling": true, "anonymous-auth": true, "client-cert-auth": true}}

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
		{"space form before another flag is bare", []string{"--token-auth-file", "--v=2"}, "token-auth-file", true, "", true},
		{"bare boolean does not eat the next word", []string{"--profiling", "false"}, "profiling", true, "", true},
		{"boolean with value", []string{"--profiling=False"}, "profiling", true, "False", false},
		{"single dash long flag (Go flag package)", []string{"-client-cert-auth=true"}, "client-cert-auth", true, "true", false},
		{"scalar flag given twice keeps the last", []string{"--bind-address=127.0.0.1", "--bind-address=0.0.0.0"}, "bind-address", true, "0.0.0.0", false},
		{"value containing equals", []string{"--feature-gates=A=true,B=false"}, "feature-gates", true, "A=true,B=false", false},
		{"empty value", []string{"--token-auth-file="}, "token-auth-file", true, "", false},
		{"absent", []string{"--other=1"}, "bind-address", false, "", false},
		{"after -- is not a flag", []string{"--", "--bind-address=0.0.0.0"}, "bind-address", false, "", false},
		{"positional words are skipped", []string{"serve", "--bind-address=1.2.3.4"}, "bind-address", true, "1.2.3.4", false},
		{"substring of another flag is not a match", []string{"--kubelet-client-certificate=/a"}, "client-certificate", false, "", false},
		{"a lone dash is a value (stdout)", []string{"--audit-log-path", "-", "--v=2"}, "audit-log-path", true, "-", false},
		{"underscores are not dashes without WordSep", []string{"--token_auth_file=/t"}, "token-auth-file", false, "", false},
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
	spec := Spec{Bools: map[string]bool{"anonymous-auth": true}, WordSep: true}
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
	assert.Equal(t, []string{"command[2]"}, s.Hidden(), "$EXTRA_ARGS")

	// An argument filled from a Secret, standing alone, may be a flag.
	env := map[string]EnvVar{"EXTRA": {Name: "EXTRA", Unknown: true}}
	toks, _ = Locate([]string{"kube-apiserver", "--profiling=false", "$(EXTRA)"}, nil, env, "kube-apiserver")
	assert.Equal(t, []string{"command[2]"}, ParseTokens(toks, testSpec).Hidden())

	toks, _ = Locate([]string{"kube-apiserver", "--profiling=false"}, nil, nil, "kube-apiserver")
	assert.Empty(t, ParseTokens(toks, testSpec).Hidden())
}

func TestShellWords(t *testing.T) {
	assert.Equal(t, []string{"exec", "etcd", "--name=a b", "--x=it's", ";", "echo"},
		ShellWords(`exec etcd "--name=a b" '--x=it'"'"'s'; echo`))
	assert.Equal(t, []string{"a", "&&", "b", "|", "c"}, ShellWords("a && b | c"))
	assert.Equal(t, []string{"a\\b", "c"}, ShellWords(`"a\\b" c`))
}
