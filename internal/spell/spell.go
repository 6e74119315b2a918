// Package spell suggests what a misspelt name was meant to be.
package spell

import "strings"

// Distance returns the optimal string alignment distance of a and b, counting bytes: the
// insertions, deletions, substitutions and swaps of two adjacent bytes that turn one into
// the other, each substring edited once.
func Distance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Closest returns the candidate that s is most likely a misspelling of: one equal to it but
// for case, else the one nearest to it, ignoring case, within two edits; "" when there is
// none, or when two are equally near.
func Closest(s string, candidates []string) string {
	best, bestDist, tie := "", 3, false
	lower := strings.ToLower(s)
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return c
		}
		switch d := Distance(strings.ToLower(c), lower); {
		case d < bestDist:
			best, bestDist, tie = c, d, false
		case d == bestDist:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}
