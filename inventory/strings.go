package inventory

import "strings"

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func cutFirst(s, sep string) (before, after string, ok bool) { return strings.Cut(s, sep) }

// groupOnly strips a version from "group/version" (or returns "" for the core "v1").
func groupOnly(gv string) string {
	if g, _, ok := strings.Cut(gv, "/"); ok {
		return g
	}
	if strings.HasPrefix(gv, "v") && strings.IndexAny(gv, ".") < 0 {
		return "" // "v1"
	}
	return gv
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
