package jsonenc

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAppendStringIsEncodingJSON compares with encoding/json (HTML escaping off) byte for byte.
func TestAppendStringIsEncodingJSON(t *testing.T) {
	cases := []string{"", "plain", `q"uote\back`, "ctl\x00\x01\x08\x0c\n\r\t\x1f", "<&>", "é ü 日本",
		"bad\xffutf8\xc3", "line\u2028sep\u2029", "emoji 😀", string([]byte{0xed, 0xa0, 0x80})}
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
