package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestScanInputLimits checks that the size limit flags reach the loader: an input over a
// limit is a load error naming it and the limit (exit 2), and 0 lifts the limit.
func TestScanInputLimits(t *testing.T) {
	const ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n"
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"input over the limit", []string{"--max-input-bytes", "10"}, exitError, "-: read: larger than the limit of 10 bytes for one input"},
		{"document over the limit", []string{"--max-document-bytes", "10"}, exitError, "-:1: document of 53 bytes: larger than the limit of 10 bytes for one document"},
		{"no limits", []string{"--max-input-bytes", "0", "--max-document-bytes", "0"}, exitOK, ""},
		{"negative", []string{"--max-input-bytes", "-1"}, exitError, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runScan(t, ns, append([]string{"-f", "-", "-b", "pss-baseline"}, tt.args...)...)
			assert.Equal(t, tt.wantCode, code, stderr)
			if tt.wantErr != "" {
				assert.Contains(t, stderr, tt.wantErr)
				if tt.wantCode == exitError && strings.Contains(tt.wantErr, "limit") {
					assert.Contains(t, stderr, "--max-document-bytes and --max-input-bytes", "the message names the flags")
				}
			} else {
				assert.False(t, strings.Contains(stderr, "load error"), stderr)
			}
		})
	}
}
