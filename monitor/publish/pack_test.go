package publish

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/monitor"
)

// scopeWith returns a scope holding, for each object named, n failing results.
func scopeWith(objects map[string]int) *scope {
	s := &scope{results: map[monitor.Key]*entry{}, assign: map[unit]int{}}
	for name, n := range objects {
		for i := range n {
			r := privileged("shop", name, check.StatusFail)
			r.Field = fmt.Sprintf("spec.containers[%d]", i)
			s.add(r)
		}
	}
	return s
}

func (s *scope) add(r check.Result) monitor.Key {
	k := keyOf(r, 0)
	p := &Reports{cfg: config{results: allResults}}
	s.results[k] = p.entry(r, t0, func(string) (int64, bool) { return 0, false })
	return k
}

// layout returns, for each part, the objects whose results it holds, with their count.
func layout(parts []part) []string {
	var out []string
	for _, p := range parts {
		s := fmt.Sprintf("%d:", p.index)
		last, n := "", 0
		flush := func() {
			if n > 0 {
				s += fmt.Sprintf(" %s×%d", last, n)
			}
		}
		for _, r := range p.results {
			if name := r.Subjects[0].Name; name != last {
				flush()
				last, n = name, 0
			}
			n++
		}
		flush()
		out = append(out, s)
	}
	return out
}

func TestPackKeepsObjectsTogetherAndInPlace(t *testing.T) {
	s := scopeWith(map[string]int{"a": 2, "b": 2, "c": 2, "d": 1})
	assert.Equal(t, []string{"0: a×2 b×2", "1: c×2 d×1"}, layout(s.pack(4, MaxPartBytes)))

	// a grows past what part 0 can hold with b: one of them stays (the first in order), the
	// other goes to the first part with room (a new one); c and d are not touched.
	s.add(privileged("shop", "a", check.StatusFail))
	assert.Equal(t, []string{"0: a×3", "1: c×2 d×1", "2: b×2"}, layout(s.pack(4, MaxPartBytes)))

	// A new object goes where there is room, the others stay.
	s.add(privileged("shop", "e", check.StatusFail))
	assert.Equal(t, []string{"0: a×3 e×1", "1: c×2 d×1", "2: b×2"}, layout(s.pack(4, MaxPartBytes)))
}

func TestPackRepacksSparseParts(t *testing.T) {
	s := scopeWith(map[string]int{"a": 2, "b": 2, "c": 2, "d": 2})
	require.Equal(t, []string{"0: a×2 b×2", "1: c×2 d×2"}, layout(s.pack(4, MaxPartBytes)))
	for k, e := range s.results {
		if e.base.name == "a" || e.base.name == "b" || e.base.name == "c" {
			delete(s.results, k)
		}
	}
	// Part 0 is empty and part 1 holds 2: what is left fits in one part, renamed part 0.
	assert.Equal(t, []string{"0: d×2"}, layout(s.pack(4, MaxPartBytes)))
}

func TestPackSplitsAnObjectWithTooManyResults(t *testing.T) {
	s := scopeWith(map[string]int{"big": 7, "small": 1})
	assert.Equal(t, []string{"0: big×3", "1: big×3", "2: big×1 small×1"}, layout(s.pack(3, MaxPartBytes)))
	assert.Equal(t, []string{"0: big×3", "1: big×3", "2: big×1 small×1"}, layout(s.pack(3, MaxPartBytes)), "stable")
}

func TestPackBoundsBytes(t *testing.T) {
	s := scopeWith(map[string]int{"a": 1, "b": 1, "c": 1})
	size := 0
	for _, e := range s.results {
		size = max(size, e.size)
	}
	parts := s.pack(100, 2*size)
	assert.Equal(t, []string{"0: a×1 b×1", "1: c×1"}, layout(parts))
}
