package publish

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/monitor"
)

// BenchmarkPublishOneChange measures what publishing one changed result costs Reports (in a
// dry run, so that no client's cost counts): the update and the write of its namespace's
// report. The namespace holds 100 findings whatever the cluster's size, so the cost should
// not grow with the number of results elsewhere.
func BenchmarkPublishOneChange(b *testing.B) {
	for _, total := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("results=%d", total), func(b *testing.B) {
			p, err := New(nil, WithDryRun(io.Discard), WithDelay(0))
			if err != nil {
				b.Fatal(err)
			}
			src := &fakeSource{}
			for i := range total {
				src.results = append(src.results, privileged(fmt.Sprintf("ns-%d", i/100), fmt.Sprintf("pod-%d", i), check.StatusFail))
			}
			p.Update(src, monitor.Update{Revision: 1, Time: t0, Initial: true})
			for p.queue.Len() > 0 {
				p.next(b.Context())
			}
			fail := src.results[0]
			notEval := fail
			notEval.Status, notEval.Message = check.StatusNotEvaluated, "pods forbidden"
			k := keyOf(fail, 0)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				before, after := &fail, &notEval
				if i%2 == 1 {
					before, after = after, before
				}
				i++
				p.Update(nil, monitor.Update{Revision: uint64(i + 1), Time: t0.Add(time.Duration(i) * time.Second),
					Deltas: []monitor.Delta{{Kind: monitor.Changed, Key: k, Before: before, After: after}}})
				for p.queue.Len() > 0 {
					p.next(b.Context())
				}
			}
		})
	}
}
