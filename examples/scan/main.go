// Command scan is kspm's standalone scanner. It loads an inventory from manifests (-f) or
// a live cluster (--kubeconfig), runs bundled benchmarks (-b) and custom CEL checks
// (--checks) over it, and writes a report as a table, JSON, SARIF, JUnit XML, Markdown, HTML
// or CSV (-o).
//
//	go run ./examples/scan -f examples/demo
//	go run ./examples/scan -f examples/demo -b pss-restricted -o json
//	go run ./examples/scan --kubeconfig ~/.kube/config --context prod --fail-on high
//	go run ./examples/scan -f examples/demo --checks examples/cel-checks/images.yaml
//
// Run it with -h for every flag and the exit codes. It uses only kspm's public API, so it
// doubles as an example of wiring the library: load → select → scan → write.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/kustomize"
	"github.com/kspm-dev/kspm/report"
)

// progName prefixes messages on stderr.
const progName = "kspm-scan"

// Exit codes.
const (
	exitOK     = 0 // the scan ran; --fail-on (if any) was not reached
	exitFailOn = 1 // a failing result reached the --fail-on severity
	exitError  = 2 // usage error, nothing to scan, no checks, or load errors (not warnings)
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command: it parses args, reads standard input from stdin when a path
// is "-", writes the report or listing to stdout and messages to stderr, and returns the
// exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		report.Fprintf(stderr, "%s: %v\nRun '%s -h' for usage.\n", progName, err, progName)
		return exitError
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}

	bms, err := plan(o)
	if err != nil {
		report.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitError
	}
	if o.mode() == modeList {
		if bms, err = listAdmission(o, bms); err == nil {
			err = writeList(stdout, bms, o.format)
		}
		if err != nil {
			report.Fprintf(stderr, "%s: %v\n", progName, err)
			return exitError
		}
		return exitOK
	}

	if err := prepareGovernance(ctx, o, time.Now()); err != nil {
		report.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitError
	}

	var prog *progress
	if isTerminal(stderr) {
		prog = newProgress(stderr)
	}
	if o.severalContexts() {
		// --context a,b or --all-contexts: a fleet, unless the names come to one context.
		contexts, err := selectContexts(ctx, o)
		if err != nil {
			report.Fprintf(stderr, "%s: %v\n", progName, err)
			return exitError
		}
		if len(contexts) > 1 || o.allContexts {
			return runFleet(ctx, o, contexts, bms, stdout, stderr, prog)
		}
		o.kubeContext = contexts[0].Name
	}
	inv, err := load(ctx, o, stdin, prog)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && o.timeout > 0 {
			err = fmt.Errorf("%w (--timeout %s)", err, o.timeout)
		}
		report.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitError
	}
	// Every mode that reads input treats it alike: an input that holds no object is nothing
	// to scan (unless --allow-empty), and load errors are named on stderr after the answer,
	// which covers what did load, and make the exit status 2; warnings are named after them
	// and leave the exit status as it is.
	if inv.Len() == 0 && !o.allowEmpty {
		reportLoad(stderr, inv)
		report.Fprintf(stderr, "%s: nothing to scan: no object loaded from %s (pass --allow-empty if that is expected)\n",
			progName, describeInput(o, inv))
		return exitError
	}
	code := runMode(ctx, o, inv, bms, stdout, stderr, prog)
	if reportLoad(stderr, inv) > 0 {
		return exitError
	}
	return code
}

// runMode answers the question of o's mode over inv and returns the exit status it sets:
// the report of a scan, the who-can answer or the what-if assessment.
func runMode(ctx context.Context, o *options, inv *inventory.Inventory, bms []benchmark.Benchmark,
	stdout, stderr io.Writer, prog *progress) int {
	switch o.mode() {
	case modeWhoCan:
		req, _ := o.whoCan.request(o.args) // checked by parseArgs
		if err := whoCan(stdout, inv, req, o.format); err != nil {
			report.Fprintf(stderr, "%s: %v\n", progName, err)
			return exitError
		}
		return exitOK
	case modeWhatIf:
		code, err := whatIf(ctx, stdout, inv, o)
		if err != nil {
			report.Fprintf(stderr, "%s: %v\n", progName, err)
		}
		return code
	case modeReach:
		code, err := reach(stdout, inv, o.reach, o.format)
		if err != nil {
			report.Fprintf(stderr, "%s: %v\n", progName, err)
		}
		return code
	}

	bms, err := clusterBenchmarks(o, inv, bms)
	if err != nil {
		report.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitError
	}
	if o.format == formatJSON {
		// The JSON report is written as its results are made: a scan of 100,000 objects never
		// holds its million results.
		sum, err := scanToJSON(ctx, stdout, inv, bms, o, prog)
		if err != nil {
			report.Fprintf(stderr, "%s: %v\n", progName, err)
			return exitError
		}
		reportGovernance(stderr, o, inv, bms)
		return failOnCode(failSeverity(sum, o), o)
	}
	rep, err := scan(ctx, inv, bms, o, prog)
	if err != nil {
		report.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitError
	}
	if err := write(stdout, rep, bms, o); err != nil {
		report.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitError
	}
	reportGovernance(stderr, o, inv, bms)
	return exitCode(rep, o)
}

// clusterBenchmarks returns bms as they apply to inv: planned again for a live cluster's
// version (which decides what "latest" Pod Security policies mean there) unless
// --cluster-version is given, which it then records in o; with admission-policies, the
// policies of inv and --checks.
func clusterBenchmarks(o *options, inv *inventory.Inventory, bms []benchmark.Benchmark) ([]benchmark.Benchmark, error) {
	if v := minorVersion(inv.ServerVersion()); v != "" && o.clusterVersion == "" {
		o.clusterVersion = v
		var err error
		if bms, err = plan(o); err != nil {
			return nil, err
		}
	}
	return withAdmission(o, inv, bms)
}

// reportLoad names on stderr each error met while loading inv, then each warning (a notice
// for a document that is no Kubernetes object), and the permissions a cluster refused, and
// returns the number of load errors: warnings do not count, they are about input that loaded.
func reportLoad(stderr io.Writer, inv *inventory.Inventory) int {
	return reportLoadAs(stderr, progName, inv)
}

// reportLoadAs is reportLoad with each line starting with who (the program's name, and in a
// fleet the context's).
func reportLoadAs(stderr io.Writer, who string, inv *inventory.Inventory) int {
	loadErrs := inv.Errors()
	tooLarge := false
	for _, e := range loadErrs {
		report.Fprintf(stderr, "%s: load error: %v\n", who, e)
		tooLarge = tooLarge || errors.Is(e, inventory.ErrTooLarge)
	}
	for _, w := range inv.Warnings() {
		what := "warning"
		if errors.Is(w, inventory.ErrNotObject) {
			what = "notice"
		}
		report.Fprintf(stderr, "%s: %s: %v\n", who, what, w)
	}
	if tooLarge {
		report.Fprintf(stderr, "%s: the size limits are set with --max-document-bytes and --max-input-bytes (0 lifts a limit)\n", who)
	}
	if missing := missingPermissions(inv); len(missing) > 0 {
		report.Fprintf(stderr, "%s: missing permissions: %s; the checks that need them are notEvaluated "+
			"(examples/deploy/rbac.yaml grants what a full scan reads)\n", who, strings.Join(missing, ", "))
	}
	return len(loadErrs)
}

// describeInput names what inv was read from, for messages: the -f paths ("standard input"
// for "-"), or the cluster.
func describeInput(o *options, inv *inventory.Inventory) string {
	if len(o.files) == 0 {
		if src := inv.Sources(); len(src) > 0 {
			return "the cluster at " + strings.Join(src, ", ")
		}
		return "the cluster"
	}
	names := make([]string, len(o.files))
	for i, f := range o.files {
		names[i] = f
		if f == "-" {
			names[i] = "standard input"
		}
	}
	return strings.Join(names, ", ")
}

// missingPermissions lists, as "VERB RESOURCE[.GROUP]", what the cluster refused to the scan.
func missingPermissions(inv *inventory.Inventory) []string {
	var out []string
	for _, c := range inv.CoverageAll() {
		if c.State != inventory.Forbidden {
			continue
		}
		k, ok := inventory.LookupKind(c.GroupKind())
		switch {
		case !ok && c.GroupKind() == inventory.KindKubeletConfiguration:
			out = append(out, "get nodes/proxy")
		case !ok:
			out = append(out, "list "+c.GroupKind().String())
		case k.Group == "":
			out = append(out, "list "+k.Resource)
		default:
			out = append(out, "list "+k.Resource+"."+k.Group)
		}
	}
	return out
}

// load reads the inventory from the manifests of -f or, without -f, from the cluster of the
// kubeconfig. Problems with single documents or kinds do not fail the load: they are in the
// inventory's Errors.
func load(ctx context.Context, o *options, stdin io.Reader, prog *progress) (*inventory.Inventory, error) {
	if prog != nil {
		defer prog.clear()
	}
	if len(o.files) > 0 {
		if prog != nil {
			prog.status("loading manifests…")
		}
		// The loader's errors name what they are about ("load manifests: stat PATH: ...").
		opts := []inventory.ManifestOption{inventory.WithStdin(stdin),
			inventory.WithMaxDocumentBytes(o.maxDocBytes), inventory.WithMaxInputBytes(o.maxInputBytes)}
		// Kustomization directories are built, as `kustomize build DIR` would.
		opts = append(opts, inventory.WithRenderer(kustomize.New()))
		if o.defaultNS != "" {
			opts = append(opts, inventory.WithDefaultNamespace(o.defaultNS))
		}
		if o.complete {
			opts = append(opts, inventory.WithCompleteInput())
		}
		if o.fieldValid == fieldValidationStrict {
			opts = append(opts, inventory.WithStrictFieldValidation())
		}
		// Charts among the paths are rendered (--helm-* flags; checked by parseArgs).
		charts, err := newHelmRenderer(o)
		if err != nil {
			return nil, err
		}
		opts = append(opts, inventory.WithRenderer(charts))
		return inventory.LoadManifests(ctx, o.files, opts...)
	}
	if prog != nil {
		prog.status("listing objects from the cluster…")
	}
	inv, err := inventory.FromKubeconfig(ctx, o.kubeconfig, o.kubeContext, clusterLoadOptions(o)...)
	if errors.Is(err, inventory.ErrNoKubeconfig) {
		// The error says where it looked and what to pass instead.
		return nil, fmt.Errorf("nothing to scan: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("load cluster: %w", err)
	}
	return inv, nil
}

// clusterLoadOptions are the options of a cluster's load. Namespace default's other
// namespaced resources are listed (one discovery, then one list per resource type, in
// default only) so that workloads:default-namespace can pass on what it saw.
func clusterLoadOptions(o *options) []inventory.ClusterOption {
	copts := []inventory.ClusterOption{inventory.WithDefaultNamespaceListing()}
	if o.configz {
		copts = append(copts, inventory.WithKubeletConfigz(0))
	}
	return copts
}

// scan runs the benchmarks over inv.
func scan(ctx context.Context, inv *inventory.Inventory, bms []benchmark.Benchmark, o *options, prog *progress) (*report.Report, error) {
	if prog != nil {
		defer prog.clear()
	}
	rep, err := kspm.Scan(ctx, inv, bms, scanOptions(o, prog)...)
	if err != nil {
		return nil, scanError(err, o)
	}
	return rep, nil
}

// scanToJSON runs the benchmarks over inv and writes the JSON report to w (kspm.ScanJSON).
func scanToJSON(ctx context.Context, w io.Writer, inv *inventory.Inventory, bms []benchmark.Benchmark, o *options, prog *progress) (report.Summary, error) {
	if prog != nil {
		defer prog.clear()
		w = clearingWriter{w, prog} // the report follows the progress line, not on it
	}
	sum, err := kspm.ScanJSON(ctx, w, inv, bms, scanOptions(o, prog)...)
	if err != nil {
		return sum, scanError(err, o)
	}
	return sum, nil
}

// clearingWriter clears the progress line before each write to w.
type clearingWriter struct {
	w    io.Writer
	prog *progress
}

func (c clearingWriter) Write(p []byte) (int, error) {
	c.prog.clear()
	return c.w.Write(p)
}

func scanOptions(o *options, prog *progress) []kspm.Option {
	opts := []kspm.Option{kspm.WithParallelism(o.parallelism), kspm.WithCheckTimeout(o.checkTimeout)}
	for id, p := range o.params {
		opts = append(opts, kspm.WithParams(id, p))
	}
	if prog != nil {
		opts = append(opts, kspm.WithProgress(prog.update))
	}
	return append(opts, governanceScanOptions(o)...)
}

// scanError names --timeout in the error of a scan it ended.
func scanError(err error, o *options) error {
	if errors.Is(err, context.DeadlineExceeded) && o.timeout > 0 {
		return fmt.Errorf("%w (--timeout %s)", err, o.timeout)
	}
	return err
}

// write writes the report of the benchmarks bms as text, or in a format of report.Write with
// source paths relative to the working directory (-o json is written by scanToJSON).
func write(w io.Writer, rep *report.Report, bms []benchmark.Benchmark, o *options) error {
	if f := report.Format(o.format); slices.Contains(report.Formats(), f) {
		opts := report.Options{BaseDir: "."}
		for _, b := range bms {
			opts.Benchmarks = append(opts.Benchmarks, report.NewBenchmark(b.Name, b.Title, b.Checks))
		}
		return report.Write(w, rep, f, opts)
	}
	return report.WriteText(w, rep, report.TextOptions{
		Color:       useColor(w),
		Verbose:     o.verbose,
		Remediation: o.remediation,
	})
}

// exitCode returns exitFailOn when a failing result of rep (under --baseline, a new one)
// reaches --fail-on, else exitOK. (Load errors make any mode exit with exitError; run sees
// to that.)
func exitCode(rep *report.Report, o *options) int {
	if o.governance.comparison == nil {
		return failOnCode(rep.MaxFailedSeverity(), o)
	}
	return failOnCode(report.Summarize(rep.Results).MaxNewFailedSeverity(), o)
}

// failOnCode returns exitFailOn when maxFailed, the most severe severity of a failing
// result, reaches --fail-on, else exitOK.
func failOnCode(maxFailed check.Severity, o *options) int {
	if o.failOn != "" && maxFailed.Rank() >= o.failOn.Rank() {
		return exitFailOn
	}
	return exitOK
}

// minorVersion returns "v1.N" of a server version such as "v1.37.2-eks-1", or "".
func minorVersion(v string) string {
	rest, ok := strings.CutPrefix(v, "v1.")
	if !ok {
		return ""
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 {
		return ""
	}
	return "v1." + rest[:n]
}
