package admission_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/benchmark/admission"
)

// TestLoadFileHostile: a --checks file is input: nesting and aliases that would exhaust the
// stack or memory are an error naming the file and line, in bounded time.
func TestLoadFileHostile(t *testing.T) {
	head := "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\nspec:\n  x: "
	laughs := "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: b}\n" +
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		laughs += n + ": &" + n + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
		prev = n
	}
	tests := []struct {
		name, content string
	}{
		{"deep flow nesting", head + strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20) + "\n"},
		{"deep block nesting", head + "\n" + deepBlock(2000)},
		{"aliases that expand a billion times", laughs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content)
			start := time.Now()
			_, _, err := admission.LoadFile(path)
			require.Error(t, err)
			t.Log(len(tt.content), err.Error()[:min(300, len(err.Error()))])
			assert.Contains(t, err.Error(), path+":")
			assert.Less(t, time.Since(start), 10*time.Second)
		})
	}
}

func deepBlock(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i+4))
		b.WriteString("k:\n")
	}
	return b.String()
}
