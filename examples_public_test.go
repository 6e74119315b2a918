package kspm_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExamplesUseThePublicAPI: the programs under examples/ are what users copy, so their
// code (tests aside) imports no package of kspm's internal/ tree, which users cannot import.
func TestExamplesUseThePublicAPI(t *testing.T) {
	files, err := filepath.Glob("examples/*/*.go")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	fset := token.NewFileSet()
	read := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		file, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		require.NoError(t, err)
		read++
		for _, imp := range file.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			assert.False(t, strings.HasPrefix(path, "github.com/kspm-dev/kspm/internal"),
				"%s imports %s: examples use only the public API", f, path)
		}
	}
	assert.Greater(t, read, 5, "the examples' programs were read")
}
