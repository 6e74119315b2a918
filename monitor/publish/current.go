package publish

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/monitor"
	"github.com/kspm-dev/kspm/report"
)

// Source is what a publisher reads from the monitor it publishes, at the first update it is
// given: *monitor.Monitor.
type Source interface {
	// Report returns the current results.
	Report() (*report.Report, error)
}

// keyOf returns the monitor's key of result r, the n-th of its check about its object at its
// field.
func keyOf(r check.Result, n int) monitor.Key {
	k := monitor.Key{CheckID: r.CheckID, Field: r.Field, N: n}
	if o := r.Object; o != nil {
		k.Group = groupOf(o.APIVersion)
		k.Kind, k.Namespace, k.Name = o.Kind, o.Namespace, o.Name
	}
	return k
}

// groupOf returns the group of an apiVersion ("apps/v1", "v1", or "apps/" for an object the
// monitor knows only by kind).
func groupOf(apiVersion string) string {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return ""
	}
	return gv.Group
}

// keysOf returns the key of each of results, listed as a report lists them (by check, and
// each check's results about one object in the runner's order): the N of a result is its
// rank among the results before it of its check, object and field, as the monitor counts it.
func keysOf(results []check.Result) []monitor.Key {
	seen := make(map[monitor.Key]int, len(results))
	out := make([]monitor.Key, len(results))
	for i, r := range results {
		k := keyOf(r, 0)
		out[i] = keyOf(r, seen[k])
		seen[k]++
	}
	return out
}

// current returns the current results when the first update u is given: those of src's
// report, and the notEvaluated stand-ins u's deltas carry (a delta's result after that the
// report does not hold can only be one: the report lists every other current result).
func current(src Source, u monitor.Update) (map[monitor.Key]check.Result, error) {
	if src == nil {
		return nil, fmt.Errorf("publish: the first update needs the monitor's report: no source")
	}
	rep, err := src.Report()
	if err != nil {
		return nil, fmt.Errorf("publish: the monitor's report: %w", err)
	}
	keys := keysOf(rep.Results)
	out := make(map[monitor.Key]check.Result, len(rep.Results))
	for i, r := range rep.Results {
		out[keys[i]] = r
	}
	for _, d := range u.Deltas {
		if d.After == nil {
			continue
		}
		if _, ok := out[d.Key]; !ok {
			out[d.Key] = *d.After
		}
	}
	return out, nil
}
