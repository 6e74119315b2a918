// Package jsonenc appends JSON strings exactly as encoding/json writes them with HTML escaping
// off, without reflection, for the hot paths that write JSON by hand (the manifest loader's
// YAML-to-JSON conversion, the report's streamed results).
package jsonenc

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// AppendString appends s to dst as a JSON string: '"' and '\\' escaped, control characters as
// \b \f \n \r \t or \u00XX, invalid UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func AppendString[T string | []byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look: most strings are plain ASCII.
		for i+8 <= len(s) && plain8(load8(s, i)) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		// Only a rune's bytes are converted: a short conversion the compiler keeps off the heap.
		c, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const (
	ones = 0x0101010101010101 // 0x01 in every byte
	high = 0x8080808080808080 // 0x80 in every byte
)

// load8 returns the eight bytes of s from i, the first in the low byte.
func load8[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plain8 reports whether none of the eight bytes of w is one AppendString writes otherwise
// than as itself, or may: a control character (below 0x20), '"', '\\', or a byte of a
// multi-byte rune (0x80 and above). Each test is the exact "some byte is" test of the
// classic word tricks: a byte below n sets its high bit in (w - n*ones) &^ w, a zero byte
// (of w XOR the byte sought) likewise, and no borrow reaches a byte's high bit unless a
// lower byte already set one.
func plain8(w uint64) bool {
	quote, backslash := w^('"'*ones), w^('\\'*ones)
	control := (w - 0x20*ones) &^ w
	return (control|(quote-ones)&^quote|(backslash-ones)&^backslash|w)&high == 0
}

// BelowDEL reports whether every byte of s is below 0x7f (DEL): ASCII letters, digits,
// punctuation, space and control characters, none of which AppendString leaves unescaped
// unless it is printable.
func BelowDEL[T string | []byte](s T) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// A byte of 0x7f or more sets its high bit in w+ones or in w; below, none carries.
		if w := load8(s, i); (w+ones|w)&high != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x7f {
			return false
		}
	}
	return true
}
