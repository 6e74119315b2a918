// Package printable makes text that comes from the input safe to show on a terminal. Object
// names, field values, file names, check titles written in user CEL files and errors that
// quote them can hold control characters (ESC sequences that move the cursor, erase lines or
// retitle the window; CR and BEL), bidi overrides and other format characters that reorder
// or hide text (the Trojan Source class), or invalid UTF-8. Escape writes each such rune as a
// visible Go escape (\x1b, \r, \u202e), so that the reader sees that the input holds it, and
// Fprintf does so for every argument of a format; EscapeJSON does it for JSON documents.
//
// A rune is printable as unicode.IsPrint defines it: letters, marks, numbers, punctuation,
// symbols and the ASCII space. Everything else is escaped, line feeds and tabs included: a
// value that holds one must not break a line or a table row.
package printable

import (
	"fmt"
	"io"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Escape returns s with every rune that is not printable written as a Go escape: \a \b \f
// \n \r \t \v, \xNN for other ASCII control characters and for each byte of invalid UTF-8,
// \uNNNN or \UNNNNNNNN for the others. Printable text, backslashes and quotes included, is
// left as it is, so that Escape(s) == s for ordinary names and messages.
func Escape(s string) string {
	b, changed := rewrite(s, nil, func(b []byte, r rune, c byte, invalid bool) []byte {
		if invalid {
			return append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
		}
		start := len(b)
		b = strconv.AppendQuoteRune(b, r) // '\x1b', '\u202e': the escape in quotes
		copy(b[start:], b[start+1:len(b)-1])
		return b[:len(b)-2]
	})
	if !changed {
		return s
	}
	return string(b)
}

const hex = "0123456789abcdef"

// rewrite returns s with every rune that is neither printable nor kept by keep (nil: none)
// replaced by what esc appends for it; invalid is set, and c is the byte, for a byte of
// invalid UTF-8. It returns changed false, and no bytes, when there is nothing to replace.
func rewrite[T string | []byte](s T, keep func(rune) bool, esc func(b []byte, r rune, c byte, invalid bool) []byte) (out []byte, changed bool) {
	first := firstToEscape(s, keep)
	if first < 0 {
		return nil, false
	}
	b := make([]byte, 0, len(s)+32)
	b = append(b, s[:first]...)
	for i := first; i < len(s); {
		start := i
		for i < len(s) && s[i] >= ' ' && s[i] < 0x7f {
			i++
		}
		b = append(b, s[start:i]...)
		if i == len(s) {
			break
		}
		r, size, ok := next(s, i, keep)
		if ok {
			b = append(b, s[i:i+size]...)
		} else {
			b = esc(b, r, s[i], r == utf8.RuneError && size == 1)
		}
		i += size
	}
	return b, true
}

// firstToEscape returns the index of the first rune of s that rewrite replaces, or -1.
func firstToEscape[T string | []byte](s T, keep func(rune) bool) int {
	for i := 0; i < len(s); {
		if c := s[i]; c >= ' ' && c < 0x7f { // printable ASCII, most of any text: no call
			i++
			continue
		}
		_, size, ok := next(s, i, keep)
		if !ok {
			return i
		}
		i += size
	}
	return -1
}

// next decodes the rune of s at i and reports whether it stays as it is.
func next[T string | []byte](s T, i int, keep func(rune) bool) (r rune, size int, ok bool) {
	if c := s[i]; c < utf8.RuneSelf {
		r, size = rune(c), 1
	} else {
		// At most utf8.UTFMax bytes: the conversion of a []byte does not allocate.
		r, size = utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			return r, size, false
		}
	}
	return r, size, printable(r) || (keep != nil && keep(r))
}

func printable(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= ' ' && r != 0x7f
	}
	return unicode.IsPrint(r)
}

// Raw is text the program composed itself, such as colour escapes around text already
// escaped: Fprintf writes it as it is.
type Raw string

// Fprintf formats as fmt.Fprintf does, then escapes the text of every argument (see Escape)
// but numbers, booleans and Raw values. The format is the program's own and is written as it
// is. Use it for every line that shows a value from the input.
func Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return fmt.Fprintf(w, format, escapeArgs(args)...)
}

func escapeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		var text string
		switch a := a.(type) {
		case Raw, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr,
			float32, float64, nil:
			out[i] = a
			continue
		case string:
			text = a
		case error:
			text = a.Error()
		case fmt.Stringer:
			text = a.String()
		default:
			out[i] = escapedArg{a}
			continue
		}
		// Text with nothing to escape, the common case, is formatted as it is (whatever the
		// verb, a string formats as the error or Stringer it came from).
		if firstToEscape(text, nil) >= 0 {
			out[i] = escapedArg{a}
		} else {
			out[i] = text
		}
	}
	return out
}

// escapedArg formats its value as the verb asks, then escapes the result.
type escapedArg struct{ v any }

func (a escapedArg) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, Escape(fmt.Sprintf(fmt.FormatString(f, verb), a.v)))
}

// EscapeJSON returns the JSON document data with every rune that is not printable written as
// a \u escape (a surrogate pair beyond U+FFFF), and each byte of invalid UTF-8 as \ufffd, as
// encoding/json writes it. JSON encoders escape control characters but leave DEL, C1 controls
// and format characters such as bidi overrides raw; the result decodes to the same values
// and shows safely on a terminal. The JSON whitespace (space, tab, line feed, carriage return)
// is left alone: in valid JSON it only appears between tokens. data is returned as it is when
// nothing needs escaping.
func EscapeJSON(data []byte) []byte {
	b, changed := rewrite(data, jsonSpace, func(b []byte, r rune, _ byte, invalid bool) []byte {
		switch {
		case invalid:
			return append(b, `\ufffd`...)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			return appendU(appendU(b, r1), r2)
		}
		return appendU(b, r)
	})
	if !changed {
		return data
	}
	return b
}

func jsonSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}
