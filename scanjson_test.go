package kspm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/synth"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// TestScanJSONWritesWhatScanAndWriteJSONWrite: the report ScanJSON streams is, byte for byte,
// the one report.WriteJSON writes for Scan's report, with every default benchmark over a
// generated cluster (tens of thousands of results: many blocks of them) and at any
// parallelism.
func TestScanJSONWritesWhatScanAndWriteJSONWrite(t *testing.T) {
	inv, err := inventory.New(synth.Generate(7, 2500)...)
	require.NoError(t, err)
	bms, err := kspm.SelectBenchmarks(kspm.DefaultBenchmarkNames())
	require.NoError(t, err)
	at := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, parallelism := range []int{1, 2, 5} {
		t.Run(fmt.Sprintf("parallelism=%d", parallelism), func(t *testing.T) {
			opts := []kspm.Option{kspm.WithParallelism(parallelism), kspm.WithClock(func() time.Time { return at })}
			rep, err := kspm.Scan(context.Background(), inv, bms, opts...)
			require.NoError(t, err)
			require.Greater(t, len(rep.Results), 10_000)
			var want, got bytes.Buffer
			require.NoError(t, report.WriteJSON(&want, rep))

			sum, err := kspm.ScanJSON(context.Background(), &got, inv, bms, opts...)
			require.NoError(t, err)
			assert.Equal(t, rep.Summary, sum)
			assert.Equal(t, rep.MaxFailedSeverity(), sum.MaxFailedSeverity())
			require.Equal(t, want.Len(), got.Len())
			require.True(t, bytes.Equal(want.Bytes(), got.Bytes()), "ScanJSON's report differs from Scan's")
		})
	}
}

// TestScanJSONErrors: ScanJSON fails as Scan does, writing nothing, and returns the error
// writing the report.
func TestScanJSONErrors(t *testing.T) {
	inv := pods(t, 3)
	bm := benchmark.Benchmark{Name: "b", Checks: []check.Check{passAll("t:a")}}
	t.Run("as Scan", func(t *testing.T) {
		var out bytes.Buffer
		_, err := kspm.ScanJSON(context.Background(), &out, inv, nil)
		assert.ErrorIs(t, err, kspm.ErrNoChecks)
		_, err = kspm.ScanJSON(context.Background(), &out, inv, []benchmark.Benchmark{bm}, kspm.WithParams("t:nope", nil))
		assert.ErrorIs(t, err, kspm.ErrUnknownCheck)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = kspm.ScanJSON(ctx, &out, inv, []benchmark.Benchmark{bm})
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, out.Len(), "nothing is written when the scan fails")
	})
	t.Run("writing", func(t *testing.T) {
		_, err := kspm.ScanJSON(context.Background(), errWriter{}, inv, []benchmark.Benchmark{bm})
		assert.ErrorContains(t, err, "disk full")
	})
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
