package report_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/kspm-dev/kspm/report"
)

func BenchmarkWriteFormats(b *testing.B) {
	t := &testing.T{}
	r, opts := fullDemoReport(t)
	b.Run("json", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			report.WriteJSON(&buf, r)
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
	for _, f := range report.Formats() {
		b.Run(string(f), func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				report.Write(&buf, r, f, opts)
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
	_ = io.Discard
}
