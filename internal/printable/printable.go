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
	i := firstUnprintable(s)
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '\\', 'x', hex[s[i]>>4], hex[s[i]&0xf])
		case printable(r):
			b = append(b, s[i:i+size]...)
		default:
			start := len(b)
			b = strconv.AppendQuoteRune(b, r) // '\x1b', '\u202e': the escape in quotes
			copy(b[start:], b[start+1:len(b)-1])
			b = b[:len(b)-2]
		}
		i += size
	}
	return string(b)
}

const hex = "0123456789abcdef"

func printable(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= ' ' && r != 0x7f
	}
	return unicode.IsPrint(r)
}

// firstUnprintable returns the index of the first rune of s that Escape changes, or -1.
func firstUnprintable(s string) int {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < ' ' || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !unicode.IsPrint(r) {
			return i
		}
		i += size
	}
	return -1
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

// Sprintf is Fprintf into a string.
func Sprintf(format string, args ...any) string {
	return fmt.Sprintf(format, escapeArgs(args)...)
}

func escapeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch a.(type) {
		case Raw, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr,
			float32, float64, nil:
			out[i] = a
		default:
			out[i] = escapedArg{a}
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
	i := firstUnprintableJSON(data)
	if i < 0 {
		return data
	}
	b := make([]byte, 0, len(data)+32)
	b = append(b, data[:i]...)
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case printable(r) || jsonSpace(r):
			b = append(b, data[i:i+size]...)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			b = appendU(appendU(b, r1), r2)
		default:
			b = appendU(b, r)
		}
		i += size
	}
	return b
}

func jsonSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func firstUnprintableJSON(data []byte) int {
	for i := 0; i < len(data); {
		if c := data[i]; c < utf8.RuneSelf {
			if (c < ' ' || c == 0x7f) && !jsonSpace(rune(c)) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && size == 1) || !unicode.IsPrint(r) {
			return i
		}
		i += size
	}
	return -1
}

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}
