package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJSONReportAfterProgress: on a terminal the JSON report starts after the progress line
// is erased, not on it.
func TestJSONReportAfterProgress(t *testing.T) {
	o, err := parseArgs([]string{"-f", "../demo", "-b", "pss-baseline", "-o", "json"})
	require.NoError(t, err)
	bms, err := plan(o)
	require.NoError(t, err)
	inv, err := load(context.Background(), o, strings.NewReader(""), nil)
	require.NoError(t, err)

	// stdout and stderr on one terminal: one buffer.
	var term bytes.Buffer
	prog := newProgress(&term)
	_, err = scanToJSON(context.Background(), &term, inv, bms, o, prog)
	require.NoError(t, err)
	out := term.String()
	start := strings.Index(out, "{\n")
	require.Positive(t, start, "a progress line, then the report")
	assert.True(t, strings.HasSuffix(out[:start], "\r\033[K"), "the progress line is erased before the report: %q", out[:start])
	assert.NotContains(t, out[start:], "scanning:", "no progress inside the report")
}
