package exception

import (
	"strings"
	"unicode/utf8"
)

// glob is a compiled glob: * matches any run of characters, ? one character, and every other
// character itself (see the package documentation).
type glob struct {
	pattern string
	literal bool // no * or ?: the pattern is matched as it is
	any     bool // only *: every string matches
}

func newGlob(pattern string) glob {
	return glob{pattern: pattern, literal: !strings.ContainsAny(pattern, "*?"),
		any: pattern != "" && strings.Trim(pattern, "*") == ""}
}

// match reports whether s matches g, in time proportional to len(pattern)×len(s) at worst
// (no backtracking blow-up, whatever the pattern).
func (g glob) match(s string) bool {
	switch {
	case g.any:
		return true
	case g.literal:
		return s == g.pattern
	}
	p := g.pattern
	px, sx := 0, 0
	// Where to resume after a mismatch: just after the last * seen, with it taking one more
	// character of s. nextSx is 0 until a * is seen.
	nextPx, nextSx := 0, 0
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				nextPx, nextSx = px, sx+runeLen(s, sx)
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx += runeLen(s, sx)
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if 0 < nextSx && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

// runeLen returns the length of the rune at s[i:] (1 at the end of s, so that a * seen there
// cannot resume).
func runeLen(s string, i int) int {
	if i >= len(s) {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}
