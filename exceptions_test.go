package kspm_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/exception"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// scanExceptions are exceptions over the generated cluster: by check glob, by name and
// namespace globs, by label selector, one expired and one matching nothing.
const scanExceptions = `apiVersion: kspm.dev/v1alpha1
kind: Exceptions
exceptions:
- id: helm-apps
  checks: ["workloads:*", "pss:*"]
  objects: [{labels: "app.kubernetes.io/managed-by=Helm"}]
  reason: charts are fixed upstream
  owner: platform
  expires: 2026-12-31
- id: rbac-ns
  checks: ["rbac:*"]
  objects: [{namespace: "team-001?"}]
  reason: r
  owner: o
  expires: 2026-12-31
- id: expired
  checks: ["network:*"]
  reason: r
  owner: o
  expires: 2026-01-01
- id: nothing
  checks: [no-such-check]
  reason: r
  owner: o
  expires: 2026-12-31
`

// TestScanAppliesExceptionsAndBaseline: Scan and ScanJSON with exceptions and a baseline
// give the report that applying them to the plain report with the library's functions gives
// (exception.Apply, then report.ApplyBaseline), and ScanJSON writes it byte for byte as
// report.WriteJSON writes Scan's, at any parallelism.
func TestScanAppliesExceptionsAndBaseline(t *testing.T) {
	set, err := exception.Parse([]byte(scanExceptions), "exceptions.yaml")
	require.NoError(t, err)
	bms, err := kspm.SelectBenchmarks(kspm.DefaultBenchmarkNames())
	require.NoError(t, err)
	at := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	clock := kspm.WithClock(func() time.Time { return at })

	// The baseline: a smaller cluster of the same generator, so that some findings are new.
	oldInv, err := inventory.New(synth.Generate(7, 2000)...)
	require.NoError(t, err)
	old, err := kspm.Scan(context.Background(), oldInv, bms, clock)
	require.NoError(t, err)
	var oldJSON bytes.Buffer
	require.NoError(t, report.WriteJSON(&oldJSON, old))
	base, err := report.ReadBaseline(&oldJSON, "old.json", 0)
	require.NoError(t, err)

	inv, err := inventory.New(synth.Generate(7, 2500)...)
	require.NoError(t, err)
	plain, err := kspm.Scan(context.Background(), inv, bms, clock)
	require.NoError(t, err)
	excepted, _, err := exception.Apply(plain, set, at, exception.WithInventory(inv))
	require.NoError(t, err)
	want := report.ApplyBaseline(excepted, base)
	var wantJSON bytes.Buffer
	require.NoError(t, report.WriteJSON(&wantJSON, want))

	s := want.Exceptions
	require.Len(t, s.Applied, 2, "%+v", s)
	assert.Greater(t, s.Applied[0].Results, 100)
	assert.Greater(t, s.Applied[1].Results, 0)
	require.Len(t, s.Expired, 1)
	assert.Greater(t, s.Expired[0].Results, 0)
	require.Len(t, s.Unused, 1)
	assert.Equal(t, s.Applied[0].Results+s.Applied[1].Results, want.Summary.ByStatus[check.StatusExcepted])
	assert.Greater(t, want.Baseline.New, 0)
	assert.Greater(t, want.Baseline.Present, 0)
	assert.NotEmpty(t, want.Summary.NewFailedBySeverity)
	assert.Less(t, want.Summary.FailedBySeverity[check.High], plain.Summary.FailedBySeverity[check.High])

	for _, parallelism := range []int{1, 3} {
		t.Run(fmt.Sprintf("parallelism=%d", parallelism), func(t *testing.T) {
			var (
				m *exception.Matcher
				c *report.Comparison
			)
			opts := func() []kspm.Option { // a matcher and a comparison are for one scan
				var err error
				m, err = exception.NewMatcher(set, at)
				require.NoError(t, err)
				c = base.Compare()
				return []kspm.Option{kspm.WithParallelism(parallelism), clock, kspm.WithExceptions(m), kspm.WithBaseline(c)}
			}
			rep, err := kspm.Scan(context.Background(), inv, bms, opts()...)
			require.NoError(t, err)
			var got bytes.Buffer
			require.NoError(t, report.WriteJSON(&got, rep))
			require.True(t, bytes.Equal(wantJSON.Bytes(), got.Bytes()), "Scan's report differs from the library's functions'")

			got.Reset()
			sum, err := kspm.ScanJSON(context.Background(), &got, inv, bms, opts()...)
			require.NoError(t, err)
			assert.Equal(t, want.Summary, sum)
			assert.Equal(t, want.Summary.MaxNewFailedSeverity(), sum.MaxNewFailedSeverity())
			require.True(t, bytes.Equal(wantJSON.Bytes(), got.Bytes()), "ScanJSON's report differs from Scan's")
			assert.Equal(t, want.Exceptions, m.Summary(), "what the matcher says after the report is streamed")
			assert.Equal(t, want.Baseline, c.Summary(want))
		})
	}
}
