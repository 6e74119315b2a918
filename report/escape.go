package report

import (
	"io"

	"github.com/kspm-dev/kspm/internal/printable"
)

// Escape returns s with every rune a terminal would not show as a visible character written
// as a Go escape: control characters (ESC sequences, CR, LF, tab, BEL) as \x1b, \r, \n, \t,
// \a; format characters such as bidi overrides as \u202e; invalid UTF-8 as \xNN. Printable
// text is left as it is. Object names, values and errors come from the input and may hold
// such runes to hide or rewrite what is shown: WriteText escapes them, and programs that
// print them themselves should use Escape or Fprintf.
func Escape(s string) string { return printable.Escape(s) }

// Fprintf formats as fmt.Fprintf does, with the text of every argument (but numbers and
// booleans) escaped as Escape does. The format is written as it is.
func Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return printable.Fprintf(w, format, args...)
}

// EscapeJSON returns the JSON document data with every rune that is not printable (DEL, C1
// controls, bidi overrides and other format characters, which JSON encoders leave raw)
// written as a \u escape; it decodes to the same values. WriteJSON applies it.
func EscapeJSON(data []byte) []byte { return printable.EscapeJSON(data) }
