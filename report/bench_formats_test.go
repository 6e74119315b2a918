package report_test

import (
	"bytes"
	"testing"

	"github.com/kspm-dev/kspm/report"
)

// BenchmarkWrite writes the demo scan of every default benchmark (2,000 results) in each
// format, JSON first as the reference.
func BenchmarkWrite(b *testing.B) {
	r, opts := fullDemoReport(b)
	b.Run("json", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := report.WriteJSON(&buf, r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
	for _, f := range report.Formats() {
		b.Run(string(f), func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := report.Write(&buf, r, f, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}
