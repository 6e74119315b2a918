package credential

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// shapeByPatterns and isReferenceByPattern are Shape and isReference without the substring
// tests that spare running the patterns: what they must agree with.
func shapeByPatterns(v string) (string, bool) {
	urlPass := false
	for _, m := range userinfoPassword.FindAllStringSubmatch(v, -1) {
		if p := m[1]; !isReference(p) && strings.Trim(p, "*") != "" {
			urlPass = true
		}
	}
	switch {
	case privateKey.MatchString(v):
		return PrivateKey, true
	case urlPass:
		return URLPassword, true
	case connectionPassword(v):
		return ConnectionPassword, true
	case knownToken.MatchString(v):
		return KnownToken, true
	}
	return "", false
}

func isReferenceByPattern(v string) bool {
	return kubeletRef.MatchString(v) || isReference(v)
}

// prefilterPieces are texts whose combinations come near and into every pattern.
var prefilterPieces = []string{"-----BEGIN RSA PRIVATE KEY-----", "--- BEGIN PRIVATE KEY ---", "PRIVATE KEY", "BEGIN ",
	"postgres://", "user:", "p@ss", "@", "://", ":", "$(", "$(VAR)", "$$(", "$(A_1.b)", ")", "${X}",
	"ghp_", "ghs_abcdefghijklmnopqrstuvwxyz0123456789", "github_pat_", "glpat-", "xoxb-", "sk_live_", "rk_live_",
	"AIza", "npm_", "SG.", "eyJ", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.", "0123456789abcdefghijABCDEFGHIJ",
	"_-", ".", ";", "Password=", "pwd=x", " ", "\n", "gh", "g", "h", "x", "é"}

// TestShapePrefilters: the substring tests change no answer of Shape or isReference.
func TestShapePrefilters(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 100_000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(prefilterPieces[rng.IntN(len(prefilterPieces))])
		}
		if !samePrefiltered(t, b.String()) {
			t.FailNow()
		}
	}
}

// samePrefiltered reports whether Shape and isReference answer for v as their patterns do,
// and reports an error when they do not.
func samePrefiltered(t *testing.T, v string) bool {
	t.Helper()
	gotWhy, got := Shape(v)
	wantWhy, want := shapeByPatterns(v)
	if got != want || gotWhy != wantWhy {
		t.Errorf("Shape(%q) = %q, %v; the patterns say %q, %v", v, gotWhy, got, wantWhy, want)
		return false
	}
	if got, want := isReference(v), isReferenceByPattern(v); got != want {
		t.Errorf("isReference(%q) = %v; the pattern says %v", v, got, want)
		return false
	}
	return true
}

func FuzzShapePrefilters(f *testing.F) {
	for _, p := range prefilterPieces {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, v string) { samePrefiltered(t, v) })
}

// BenchmarkLiteral judges values as the synthetic cluster's containers and ConfigMaps hold
// them.
func BenchmarkLiteral(b *testing.B) {
	vars := [][2]string{{"MODE", "prod"}, {"PORT", "8080"}, {"LOG_LEVEL", "info"}, {"FEATURES", "a,b,c"},
		{"server", ""}, {"port", "8080"}, {"timeout", "42s"}, {"level", "info"}, {"format", "json"},
		{"upstream", "http://svc-03.team-0042.svc:80"}, {"DB_PASSWORD", "hunter2"}}
	for b.Loop() {
		for _, v := range vars {
			Literal(v[0], v[1])
		}
	}
}
