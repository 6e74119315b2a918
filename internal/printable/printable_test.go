package printable

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"web-1", "web-1"},
		{`quotes " and \ stay`, `quotes " and \ stay`},
		{"日本語 é 😀", "日本語 é 😀"},
		{"erase\x1b[2K\x1b[1Aup", `erase\x1b[2K\x1b[1Aup`},
		{"cr\rlf\ntab\tbel\a", `cr\rlf\ntab\tbel\a`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1 csi \u009b31m", `c1 csi \u009b31m`},
		{"bidi \u202eexe.txt\u2066\u2069", `bidi \u202eexe.txt\u2066\u2069`},
		{"zero\u200bwidth\ufeff soft\u00adhyphen", `zero\u200bwidth\ufeff soft\u00adhyphen`},
		{"nbsp\u00a0line\u2028sep", `nbsp\u00a0line\u2028sep`},
		{"tag \U000e0041 private \U000f0000", `tag \U000e0041 private \U000f0000`},
		{"bad \xff\xc3 utf8", `bad \xff\xc3 utf8`},
		{"replacement \ufffd is printable", "replacement \ufffd is printable"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got := Escape(tt.in)
			assert.Equal(t, tt.want, got)
			for _, r := range got {
				assert.True(t, unicode.IsPrint(r), "%U left in %q", r, got)
			}
		})
	}
}

// TestEscapeEveryRune: no rune survives Escape unprintable, and printable ones are kept.
func TestEscapeEveryRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		s := string(r)
		got := Escape(s)
		if unicode.IsPrint(r) {
			if got != s {
				t.Fatalf("%U is printable, Escape gave %q", r, got)
			}
			continue
		}
		if got == s {
			t.Fatalf("%U is not escaped", r)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < ' ' || c >= 0x7f {
				t.Fatalf("%U escaped as %q", r, got)
			}
		}
	}
}

type stringer struct{}

func (stringer) String() string { return "str\x1b[2J" }

func TestFprintf(t *testing.T) {
	var b bytes.Buffer
	_, err := Fprintf(&b, "%s|%v|%q|%d|%5.1f|%t|%v|%s|%s|%-6s|\n", "a\x1bb", errors.New("e\rr"), "q\u202e",
		42, 1.25, true, stringer{}, Raw("\x1b[31mred\x1b[0m"), []string{"x\ny"}, "ab")
	require.NoError(t, err)
	assert.Equal(t, `a\x1bb|e\rr|"q\u202e"|42|  1.2|true|str\x1b[2J|`+"\x1b[31mred\x1b[0m"+`|[x\ny]|ab    |`+"\n", b.String(),
		"arguments escaped, the format and Raw values as written")
	b.Reset()
	_, err = Fprintf(&b, "%#q", "\U000e0041")
	require.NoError(t, err)
	assert.Equal(t, "`\\U000e0041`", b.String(), "a backquoted %#q is escaped too")
}

func TestEscapeJSON(t *testing.T) {
	values := []string{"plain", "ctl\x1b[2K\r\n\t", "del\x7f c1\u0085\u009b", "bidi\u202e\u2066", "zw\u200b\ufeff",
		"astral \U000e0041 \U0001f600", "quote\" back\\ slash", "日本"}
	for _, v := range values {
		t.Run(fmt.Sprintf("%q", v), func(t *testing.T) {
			data, err := json.MarshalIndent(map[string]any{"v": v, "list": []string{v}}, "", "\t")
			require.NoError(t, err)
			got := EscapeJSON(data)
			require.True(t, json.Valid(got), "%s", got)
			var back map[string]any
			require.NoError(t, json.Unmarshal(got, &back))
			assert.Equal(t, v, back["v"], "decodes to the same value")
			for _, r := range string(got) {
				assert.True(t, unicode.IsPrint(r) || r == '\n' || r == '\t', "%U left in %s", r, got)
			}
		})
	}
	plain := []byte(`{"a": "b"}`)
	assert.Same(t, &plain[0], &EscapeJSON(plain)[0], "nothing to escape: the same slice")
	assert.Equal(t, `"\ufffd"`, string(EscapeJSON([]byte("\"\xff\""))))
}

// TestNothingToEscapeAllocatesNothing: ordinary text, the common case, costs no copy.
func TestNothingToEscapeAllocatesNothing(t *testing.T) {
	s := "Deployment shop/web: container \"app\" runs privileged — 日本語 😀"
	data := []byte(`{"name": "` + s + `",` + "\n\t\"n\": 1}")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = Escape(s) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = EscapeJSON(data) }))
}
