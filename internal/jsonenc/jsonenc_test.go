package jsonenc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestAppendStringIsEncodingJSON compares with encoding/json (HTML escaping off) byte for byte.
func TestAppendStringIsEncodingJSON(t *testing.T) {
	cases := []string{"", "plain", `q"uote\back`, "ctl\x00\x01\x08\x0c\n\r\t\x1f", "<&>", "é ü 日本",
		"bad\xffutf8\xc3", "line\u2028sep\u2029", "emoji 😀", string([]byte{0xed, 0xa0, 0x80})}
	// Every byte that needs a look, at every place in and around the eight bytes read at once.
	for _, special := range []string{"\x00", "\x1f", "\x7f", `"`, `\`, "é", "\u2028", "\xff", " ", "!", "#", "[", "]"} {
		for at := range 18 {
			cases = append(cases, strings.Repeat("a", at)+special+strings.Repeat("b", 17-at))
		}
	}
	for _, s := range cases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		w := bytes.TrimSuffix(want.Bytes(), []byte("\n"))
		if got := AppendString(nil, s); !bytes.Equal(got, w) {
			t.Errorf("%q: got %s, want %s", s, got, w)
		}
		if got := AppendString(nil, []byte(s)); !bytes.Equal(got, w) {
			t.Errorf("%q as bytes: got %s, want %s", s, got, w)
		}
	}
}

func TestBelowDEL(t *testing.T) {
	for b := range 256 {
		for at := range 18 {
			s := strings.Repeat("a", at) + string([]byte{byte(b)}) + strings.Repeat("~", 17-at)
			if got, want := BelowDEL(s), b < 0x7f; got != want {
				t.Errorf("%q: got %v, want %v", s, got, want)
			}
			if got, want := BelowDEL([]byte(s)), b < 0x7f; got != want {
				t.Errorf("%q as bytes: got %v, want %v", s, got, want)
			}
		}
	}
	if !BelowDEL("") {
		t.Error(`"": got false`)
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("a\"b\\c\x00\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("%q: got %s, want %s", s, got, want.Bytes())
		}
	})
}

// BenchmarkAppendString writes strings of a report's results: a file path, a message with
// quotes, a field path.
func BenchmarkAppendString(b *testing.B) {
	strs := []string{"/work/clusters/prod/teams/team-0042/apps/svc-03/deployment.yaml",
		`container "app" pulls image "registry.example.com/team/app:1.2.3" only when the node lacks it (imagePullPolicy IfNotPresent)`,
		"spec.template.spec.containers[0].securityContext.runAsNonRoot", "Deployment", "apps/v1"}
	n := 0
	for _, s := range strs {
		n += len(s)
	}
	b.SetBytes(int64(n))
	var dst []byte
	for b.Loop() {
		dst = dst[:0]
		for _, s := range strs {
			dst = AppendString(dst, s)
		}
	}
}
