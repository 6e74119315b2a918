package yamldoc

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// resolveNumberByParsing is resolvePlain's reading of a scalar that starts with a sign or a
// digit, trying every parse without mayBeInteger: what resolvePlain must agree with.
func resolveNumberByParsing(s string) scalar {
	plain := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return scalar{kind: kInt, i: i}
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return scalar{kind: kUint, u: u}
	}
	if isYAMLFloat(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return scalar{kind: kFloat, f: f}
		}
	}
	if rest, ok := strings.CutPrefix(plain, "0b"); ok {
		if u, err := strconv.ParseUint(rest, 2, 64); err == nil {
			return scalar{kind: kUint, u: u}
		}
	}
	return scalar{kind: kString, s: s}
}

func sameScalar(a, b scalar) bool {
	return a.kind == b.kind && a.b == b.b && a.i == b.i && a.u == b.u && a.s == b.s &&
		(a.f == b.f || math.IsNaN(a.f) && math.IsNaN(b.f))
}

// TestResolvePlainNumbers: skipping the integer parses for values that cannot be integers
// changes no value read.
func TestResolvePlainNumbers(t *testing.T) {
	pieces := []string{"0", "1", "7", "9", "0x", "0X", "0o", "0O", "0b", "0B", "_", "a", "f", "F", "g", "m", "Mi", "e", "E",
		"+", "-", ".", "s", "i", "18446744073709551615", "9223372036854775808", "1e3", "٣", " "}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 200_000 {
		var b strings.Builder
		b.WriteString([]string{"", "+", "-", "0", "1", "9"}[rng.IntN(6)])
		for range 1 + rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if c := s[0]; !(c == '+' || c == '-' || c >= '0' && c <= '9') || strings.Contains(s, "inf") {
			continue
		}
		if got, want := resolvePlain(s), resolveNumberByParsing(s); !sameScalar(got, want) {
			t.Fatalf("resolvePlain(%q) = %+v, parsing gives %+v", s, got, want)
		}
	}
}
