package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// defaultClusterParallelism is how many clusters a fleet scan loads at once unless
// --cluster-parallelism says otherwise.
const defaultClusterParallelism = 4

// maxListedContexts bounds the context names an error lists.
const maxListedContexts = 20

// errOneCluster is the usage error of a mode that answers for one cluster given several.
var errOneCluster = errors.New("--who-can, --pss-what-if and --reach answer for one cluster: name one --context")

// errFleetFormat is the usage error of a report format other than the fleet's (text, or the
// fleet JSON document) given with several clusters.
var errFleetFormat = errors.New("several clusters are reported as text or as one JSON fleet document (-o json); " +
	"-o sarif, junit, markdown, html and csv write one cluster's report: name one --context")

// errGovernanceOneCluster is the usage error of exceptions or a baseline given with several
// clusters: a baseline is one cluster's report, and what an exceptions file set aside (or
// left unused) is told of one scan.
var errGovernanceOneCluster = errors.New("--exceptions, --baseline and --allow-annotation-exemptions apply to one " +
	"cluster's report: name one --context")

// contextsFlag is --context: repeatable, each value kept as given ("" is the current context,
// as it always was); selectContexts splits values at commas.
type contextsFlag struct{ values *[]string }

func (f contextsFlag) String() string {
	if f.values == nil {
		return ""
	}
	return strings.Join(*f.values, ",")
}

func (f contextsFlag) Set(v string) error {
	*f.values = append(*f.values, v)
	return nil
}

// severalContexts reports whether the command line may name several clusters: --all-contexts,
// --context given twice, or a --context value with a comma (which may yet be one context's
// name: see selectContexts).
func (o *options) severalContexts() bool {
	return o.allContexts || len(o.contexts) > 1 || (len(o.contexts) == 1 && strings.Contains(o.contexts[0], ","))
}

// validateContexts checks --context, --all-contexts and --cluster-parallelism, and sets the
// one context to scan when --context names one.
func validateContexts(o *options) error {
	switch {
	case o.clusterPar < 0:
		return fmt.Errorf("--cluster-parallelism %d: want a positive number", o.clusterPar)
	case o.allContexts && len(o.contexts) > 0:
		return errors.New("--all-contexts scans every context of the kubeconfig: it does not go with --context")
	case o.clusterPar > 0 && len(o.contexts) == 0 && !o.allContexts:
		return errors.New("--cluster-parallelism applies to several clusters: use it with --context a,b or --all-contexts")
	case len(o.contexts) > 1 && o.mode() != modeScan && o.mode() != modeList:
		return errOneCluster
	case o.allContexts:
		if err := fleetUsage(o); err != nil {
			return err
		}
	}
	if len(o.contexts) == 1 && !o.severalContexts() {
		o.kubeContext = o.contexts[0]
	}
	return nil
}

// selectContexts returns the contexts to scan: with --all-contexts every context of the
// kubeconfig, by name; else those --context names, in the order given, each once. A value
// that is the whole name of a context is that context (a name may hold a comma); any other
// is a comma-separated list of names. A name the kubeconfig does not hold is an error that
// lists those it holds.
func selectContexts(ctx context.Context, o *options) ([]inventory.KubeconfigContext, error) {
	all, err := inventory.KubeconfigContexts(ctx, o.kubeconfig)
	if errors.Is(err, inventory.ErrNoKubeconfig) {
		return nil, fmt.Errorf("nothing to scan: %w", err)
	}
	if err != nil {
		return nil, err
	}
	if o.allContexts {
		return all, nil
	}
	byName := make(map[string]inventory.KubeconfigContext, len(all))
	for _, c := range all {
		byName[c.Name] = c
	}
	var (
		out     []inventory.KubeconfigContext
		unknown []string
		seen    = map[string]bool{}
	)
	for _, v := range o.contexts {
		names := []string{v}
		if _, whole := byName[v]; !whole {
			names = strings.Split(v, ",")
		}
		for _, name := range names {
			c, ok := byName[name]
			switch {
			case name == "" || seen[name]:
			case !ok:
				unknown = append(unknown, fmt.Sprintf("%q", name))
			default:
				out = append(out, c)
			}
			seen[name] = true
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("--context %s: no such context in the kubeconfig (it has: %s)",
			strings.Join(unknown, ", "), contextNames(all))
	}
	switch {
	case len(out) == 0:
		return nil, errors.New("--context names no context")
	case len(out) > 1:
		if err := fleetUsage(o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fleetUsage returns the usage error of what o asks that does not go with several clusters
// (a mode answering for one, exceptions or a baseline, a report format of one cluster), or
// nil. --list reads no cluster and goes with any.
func fleetUsage(o *options) error {
	switch {
	case o.mode() != modeScan && o.mode() != modeList:
		return errOneCluster
	case o.governance.set():
		return errGovernanceOneCluster
	case o.format != formatTable && o.format != formatJSON:
		return errFleetFormat
	}
	return nil
}

// contextNames lists the names of contexts, quoted, at most maxListedContexts of them.
func contextNames(contexts []inventory.KubeconfigContext) string {
	var names []string
	for i, c := range contexts {
		if i == maxListedContexts {
			names = append(names, fmt.Sprintf("and %d more", len(contexts)-i))
			break
		}
		names = append(names, fmt.Sprintf("%q", c.Name))
	}
	return strings.Join(names, ", ")
}

// clusterLoad is the load of one context's cluster (see startLoads).
type clusterLoad struct {
	done chan struct{} // closed when inv and err are set
	inv  *inventory.Inventory
	err  error
	sem  chan struct{}
	slot bool // the load holds a slot of sem
}

// wait waits for the load to end and returns its inventory or its error.
func (l *clusterLoad) wait() (*inventory.Inventory, error) {
	<-l.done
	return l.inv, l.err
}

// release drops the inventory and frees the load's slot, for the next cluster's load.
func (l *clusterLoad) release() {
	l.inv = nil
	if l.slot {
		l.slot = false
		<-l.sem
	}
}

// startLoads starts loading the cluster of each context, in the order of contexts, at most
// --cluster-parallelism at a time: a load takes a slot before it starts, and its release,
// once its report is written, frees it. So no more clusters than that are held in memory at
// once, and the report being written is always of a cluster whose load has started. Once
// ctx is done, the loads not started end with its error.
func startLoads(ctx context.Context, o *options, contexts []inventory.KubeconfigContext) []*clusterLoad {
	n := o.clusterPar
	if n == 0 {
		n = defaultClusterParallelism
	}
	sem := make(chan struct{}, n)
	loads := make([]*clusterLoad, len(contexts))
	for i := range loads {
		loads[i] = &clusterLoad{done: make(chan struct{}), sem: sem}
	}
	go func() {
		for i, l := range loads {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for _, rest := range loads[i:] {
					rest.err = ctx.Err()
					close(rest.done)
				}
				return
			}
			l.slot = true
			go func() {
				defer close(l.done)
				l.inv, l.err = loadContext(ctx, o, contexts[i])
			}()
		}
	}()
	return loads
}

// loadContext loads the cluster of context c.
func loadContext(ctx context.Context, o *options, c inventory.KubeconfigContext) (*inventory.Inventory, error) {
	cfg, err := c.Config()
	if err != nil {
		return nil, err
	}
	inv, err := inventory.FromConfig(ctx, cfg, clusterLoadOptions(o)...)
	if err != nil {
		return nil, fmt.Errorf("load cluster: %w", err)
	}
	return inv, nil
}

// fleetOutput writes the clusters of a fleet scan, one at a time, in order.
type fleetOutput interface {
	// scanned scans inv, the cluster of c, with bms and writes its report. The error is the
	// cluster's: its report could not be made (it is then written as not scanned) or written.
	scanned(ctx context.Context, c inventory.KubeconfigContext, inv *inventory.Inventory, bms []benchmark.Benchmark,
		o *options, prog *progress) error
	// notScanned writes that the cluster of c could not be scanned, and why.
	notScanned(c inventory.KubeconfigContext, why error)
	// broken returns the error that keeps the output from being completed, or nil.
	broken() error
	// close ends the output with the fleet's summary, which it returns.
	close() (report.FleetSummary, error)
}

// runFleet scans the cluster of each of contexts and writes a report per cluster, then a
// summary over them (as text, or as one JSON fleet document), and returns the exit status:
// exitError when a cluster could not be scanned or had load errors, else --fail-on's over
// every cluster. The clusters are loaded concurrently (see startLoads) and scanned one at a
// time, in order; a cluster that cannot be scanned is named and the others go on.
func runFleet(ctx context.Context, o *options, contexts []inventory.KubeconfigContext, bms []benchmark.Benchmark,
	stdout, stderr io.Writer, prog *progress) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out fleetOutput
	if o.format == formatJSON {
		w := stdout
		if prog != nil {
			w = clearingWriter{w, prog}
		}
		out = &jsonFleet{fw: report.NewFleetWriter(w, report.Tool{Name: "kspm", Version: kspm.Version})}
	} else {
		out = &textFleet{w: stdout, o: o}
	}
	code := exitOK
	for i, l := range startLoads(ctx, o, contexts) {
		c := contexts[i]
		if out.broken() != nil { // nothing more can be written: let the other loads end
			cancel()
			_, _ = l.wait()
			l.release()
			continue
		}
		who := fmt.Sprintf("%s: context %q", progName, c.Name)
		if prog != nil {
			prog.status(fmt.Sprintf("context %d/%d: listing objects from the cluster…", i+1, len(contexts)))
		}
		inv, err := l.wait()
		if prog != nil {
			prog.clear()
		}
		if err == nil && inv.Len() == 0 && !o.allowEmpty {
			reportLoadAs(stderr, who, inv)
			err = fmt.Errorf("nothing to scan: no object loaded from %s (pass --allow-empty if that is expected)",
				describeInput(o, inv))
		}
		if err == nil {
			oc := *o // the cluster's version may change the plan: see clusterBenchmarks
			var cbms []benchmark.Benchmark
			if cbms, err = clusterBenchmarks(&oc, inv, bms); err == nil {
				err = out.scanned(ctx, c, inv, cbms, &oc, prog)
			} else {
				out.notScanned(c, err)
			}
			if reportLoadAs(stderr, who, inv) > 0 {
				code = exitError
			}
		} else {
			err = scanError(err, o)
			out.notScanned(c, err)
		}
		l.release()
		if err != nil && out.broken() == nil {
			report.Fprintf(stderr, "%s: not scanned: %v\n", who, err)
			code = exitError
		}
	}
	sum, err := out.close()
	if err != nil {
		report.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitError
	}
	if code != exitOK {
		return code
	}
	return failOnCode(sum.Total.MaxFailedSeverity(), o)
}

// jsonFleet writes a fleet as one JSON document (report.FleetWriter), each cluster's report
// written as it is made (kspm.ScanJSON).
type jsonFleet struct{ fw *report.FleetWriter }

func (j *jsonFleet) scanned(ctx context.Context, c inventory.KubeconfigContext, inv *inventory.Inventory,
	bms []benchmark.Benchmark, o *options, prog *progress) error {
	return j.fw.Scanned(c.Name, c.Server, len(inv.Errors()), func(w io.Writer) (report.Summary, error) {
		return scanToJSON(ctx, w, inv, bms, o, prog)
	})
}

func (j *jsonFleet) notScanned(c inventory.KubeconfigContext, why error) {
	_ = j.fw.NotScanned(c.Name, c.Server, why) // an error is the writer's: broken returns it
}

func (j *jsonFleet) broken() error { return j.fw.Err() }

func (j *jsonFleet) close() (report.FleetSummary, error) { return j.fw.Close(time.Now()) }

// textFleet writes a fleet as text: each cluster's report under a heading naming its
// context, then a table of the counts of every cluster.
type textFleet struct {
	w    io.Writer
	o    *options
	n    int // clusters written
	sum  report.FleetSummary
	werr error
}

// heading starts the section of the cluster of c.
func (t *textFleet) heading(c inventory.KubeconfigContext) {
	if t.werr != nil {
		return
	}
	if t.n > 0 {
		if _, t.werr = fmt.Fprintln(t.w); t.werr != nil {
			return
		}
	}
	t.n++
	server := ""
	if c.Server != "" {
		server = " (" + c.Server + ")"
	}
	// Context names and servers come from the kubeconfig: %q and Fprintf escape them.
	_, t.werr = report.Fprintf(t.w, "=== context %q%s ===\n", c.Name, server)
}

func (t *textFleet) scanned(ctx context.Context, c inventory.KubeconfigContext, inv *inventory.Inventory,
	bms []benchmark.Benchmark, o *options, prog *progress) error {
	t.heading(c)
	rep, err := scan(ctx, inv, bms, o, prog)
	if err != nil {
		t.notScannedBody(c, err)
		return err
	}
	if t.werr == nil {
		t.werr = write(t.w, rep, bms, o)
	}
	t.sum.Add(c.Name, rep.Summary, len(inv.Errors()), nil)
	return t.werr
}

func (t *textFleet) notScanned(c inventory.KubeconfigContext, why error) {
	t.heading(c)
	t.notScannedBody(c, why)
}

// notScannedBody says, under the heading of the cluster of c, that it could not be scanned.
func (t *textFleet) notScannedBody(c inventory.KubeconfigContext, why error) {
	t.sum.Add(c.Name, report.Summary{}, 0, why)
	if t.werr == nil {
		_, t.werr = report.Fprintf(t.w, "not scanned: %v\n", why)
	}
}

func (t *textFleet) broken() error { return t.werr }

// close writes the table of every cluster's counts: failures by severity, notEvaluated and
// error results, load errors.
func (t *textFleet) close() (report.FleetSummary, error) {
	if t.werr != nil {
		return t.sum, t.werr
	}
	s := t.sum
	tw := tabwriter.NewWriter(t.w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nFleet: %d clusters, %d scanned, %d not scanned\n", s.Clusters, s.Clusters-s.NotScanned, s.NotScanned)
	fmt.Fprint(tw, "  CONTEXT\t")
	for _, sev := range check.Severities() {
		fmt.Fprintf(tw, "%s\t", strings.ToUpper(string(sev)))
	}
	fmt.Fprint(tw, "NOT EVALUATED\tERRORS\tLOAD ERRORS\n")
	row := func(name string, c report.FleetCounts) {
		report.Fprintf(tw, "  %s\t", name)
		for _, sev := range check.Severities() {
			fmt.Fprintf(tw, "%d\t", c.FailedBySeverity[sev])
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\n", c.NotEvaluated, c.Errors, c.LoadErrors)
	}
	for _, c := range s.ByCluster {
		if c.Error == "" {
			row(fmt.Sprintf("%q", c.Context), c.Counts)
			continue
		}
		// No counts, and the error after them: the last cell of a line, which tabwriter does
		// not align, so that it widens no column.
		report.Fprintf(tw, "  %s\t"+strings.Repeat("-\t", len(check.Severities())+3)+"not scanned: %s\n",
			fmt.Sprintf("%q", c.Context), c.Error)
	}
	row("TOTAL", s.Total)
	return s, tw.Flush()
}
