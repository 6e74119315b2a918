package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// Output formats of -o.
const (
	formatTable = "table"
	formatJSON  = "json"
)

// Modes of --field-validation, named as the API server's fieldValidation parameter is.
const (
	fieldValidationWarn   = "warn"
	fieldValidationStrict = "strict"
)

// options are the parsed command line.
type options struct {
	files          []string                  // -f: manifest files and directories; "-" is standard input
	kubeconfig     string                    // --kubeconfig
	defaultNS      string                    // --default-namespace
	maxDocBytes    int64                     // --max-document-bytes
	maxInputBytes  int64                     // --max-input-bytes
	configz        bool                      // --kubelet-configz
	allowEmpty     bool                      // --allow-empty: an input with no object is not an error
	complete       bool                      // --complete: the manifests are the whole cluster
	fieldValid     string                    // --field-validation: warn or strict
	kubeContext    string                    // the one context to scan ("": the current one)
	contexts       []string                  // --context, as given: names, or comma-separated lists of names
	allContexts    bool                      // --all-contexts
	clusterPar     int                       // --cluster-parallelism: clusters loaded at once (0: defaultClusterParallelism)
	benchmarks     []string                  // -b: bundled benchmark names; "all" means every one
	checkIDs       []string                  // --check: run only these check IDs
	checkFiles     []string                  // --checks: CEL check files
	policies       []*inventory.Object       // the ValidatingAdmissionPolicies and bindings of --checks files (set by plan)
	paramFiles     []string                  // --params: parameters of checks, by check ID
	params         map[string]map[string]any // read from paramFiles by plan
	loaded         *loadedFiles              // what plan read from checkFiles and paramFiles, once: every later plan (a fleet's, per cluster) shares it
	list           bool                      // --list: list benchmarks and checks instead of scanning
	pssVersion     string                    // --pss-version
	clusterVersion string                    // --cluster-version
	format         string                    // -o
	failOn         check.Severity
	parallelism    int
	timeout        time.Duration // whole run: load and scan
	checkTimeout   time.Duration // each check
	verbose        bool
	remediation    bool

	whoCan whoCanOptions
	whatIf whatIfOptions
	reach  reachOptions
	helm   helmOptions
	// --exceptions, --allow-annotation-exemptions, --baseline.
	governance governanceOptions
	args       []string // positional arguments (who-can's RESOURCE, reach's TO)

	// Further modes add their flags here, a value to mode() and a case in run.
}

// mode is what the command does.
type mode int

const (
	// modeScan loads an inventory, runs checks and writes a report (the default).
	modeScan mode = iota
	// modeList lists the selected benchmarks and their checks; it loads nothing.
	modeList
	// modeWhoCan loads an inventory and lists who may make one request.
	modeWhoCan
	// modeWhatIf loads an inventory and tells which workloads a Pod Security level would reject.
	modeWhatIf
	// modeReach loads an inventory and tells whether one workload's pods may connect to another's.
	modeReach
)

// mode returns what the options ask the command to do.
func (o *options) mode() mode {
	if o.list {
		return modeList
	}
	if o.whoCan.verb != "" {
		return modeWhoCan
	}
	if o.whatIf.policy != "" {
		return modeWhatIf
	}
	if o.reach.from != "" {
		return modeReach
	}
	return modeScan
}

// listFlag is a repeatable string flag. With split set, each value is also split at commas,
// so "-b a,b" is "-b a -b b".
type listFlag struct {
	values *[]string
	split  bool
}

func (f listFlag) String() string {
	if f.values == nil {
		return ""
	}
	return strings.Join(*f.values, ",")
}

func (f listFlag) Set(v string) error {
	parts := []string{v}
	if f.split {
		parts = strings.Split(v, ",")
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return errors.New("empty value")
		}
		*f.values = append(*f.values, p)
	}
	return nil
}

// severityFlag parses --fail-on.
type severityFlag struct{ sev *check.Severity }

func (f severityFlag) String() string {
	if f.sev == nil {
		return ""
	}
	return string(*f.sev)
}

func (f severityFlag) Set(v string) error {
	if strings.EqualFold(v, "none") {
		*f.sev = ""
		return nil
	}
	s, err := check.ParseSeverity(v)
	if err != nil {
		return fmt.Errorf("unknown severity %q: want none, critical, high, medium, low or info", v)
	}
	*f.sev = s
	return nil
}

// errHelp is returned by parseArgs for -h and --help.
var errHelp = flag.ErrHelp

// newFlagSet returns the command's flags bound to o. Flags have a short and a long name
// where both are useful; the flag package accepts one or two dashes for either.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parseArgs reports errors itself
	fs.Usage = func() {}

	files := listFlag{values: &o.files}
	fs.Var(files, "f", "")
	fs.Var(files, "file", "")
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "")
	fs.StringVar(&o.defaultNS, "default-namespace", "", "")
	fs.Int64Var(&o.maxDocBytes, "max-document-bytes", inventory.DefaultMaxDocumentBytes, "")
	fs.Int64Var(&o.maxInputBytes, "max-input-bytes", inventory.DefaultMaxInputBytes, "")
	fs.BoolVar(&o.configz, "kubelet-configz", false, "")
	fs.BoolVar(&o.allowEmpty, "allow-empty", false, "")
	fs.BoolVar(&o.complete, "complete", false, "")
	fs.StringVar(&o.fieldValid, "field-validation", fieldValidationWarn, "")
	fs.Var(contextsFlag{&o.contexts}, "context", "")
	fs.BoolVar(&o.allContexts, "all-contexts", false, "")
	fs.IntVar(&o.clusterPar, "cluster-parallelism", 0, "")

	benchmarks := listFlag{values: &o.benchmarks, split: true}
	fs.Var(benchmarks, "b", "")
	fs.Var(benchmarks, "benchmark", "")
	fs.Var(listFlag{values: &o.checkIDs, split: true}, "check", "")
	fs.Var(listFlag{values: &o.checkFiles}, "checks", "")
	fs.Var(listFlag{values: &o.paramFiles}, "params", "")
	fs.BoolVar(&o.list, "list", false, "")
	fs.StringVar(&o.pssVersion, "pss-version", "latest", "")
	fs.StringVar(&o.clusterVersion, "cluster-version", "", "")

	fs.StringVar(&o.format, "o", formatTable, "")
	fs.StringVar(&o.format, "output", formatTable, "")
	fs.Var(severityFlag{&o.failOn}, "fail-on", "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.BoolVar(&o.verbose, "verbose", false, "")
	fs.BoolVar(&o.remediation, "remediation", false, "")

	fs.IntVar(&o.parallelism, "parallelism", 0, "")
	fs.DurationVar(&o.timeout, "timeout", 0, "")
	fs.DurationVar(&o.checkTimeout, "check-timeout", 0, "")
	addWhoCanFlags(fs, &o.whoCan)
	addWhatIfFlags(fs, &o.whatIf)
	addReachFlags(fs, &o.reach)
	addHelmFlags(fs, &o.helm)
	fs.Var(listFlag{values: &o.governance.exceptionFiles}, "exceptions", "")
	fs.BoolVar(&o.governance.annotations, "allow-annotation-exemptions", false, "")
	fs.StringVar(&o.governance.baselineFile, "baseline", "", "")
	return fs
}

// usage is the text of -h. Every flag of newFlagSet appears in it (a test checks).
const usage = scanUsage + "\nExceptions and baseline:\n" + governanceUsage + "\n" + helmUsage + "\n" + whoCanUsage + "\n" + whatIfUsage + "\n" + reachUsage

const scanUsage = `Usage: kspm-scan [flags]

Scans Kubernetes objects for security misconfigurations and writes a report.

Input (one of):
  -f, --file PATH         manifest file or directory (recursive); "-" reads standard input;
                          repeatable. YAML (multi-document), JSON and kind: List are read.
                          A directory with a kustomization file is built as kustomize build
                          would, from local files only (not descended into as manifests).
  --default-namespace NS  with -f: the namespace of objects written without one, as
                          kubectl apply -n NS sets it (default: default)
  --complete              with -f: the manifests are the whole cluster: a kind with no
                          object in them has none, so checks that need "there are none"
                          (RBAC, NetworkPolicy per namespace, references that name
                          nothing) give a verdict instead of notEvaluated
  --field-validation MODE with -f: warn (default) reads manifests as the API server does
                          for Helm, Argo CD and client-go: an unknown field or a key
                          written twice is a warning; strict, as kubectl apply validates:
                          they are errors (exit 2). Either way the object is checked
  --max-document-bytes N  with -f: the largest document read, in bytes; a larger List is
                          read item by item (default 8388608, 8 MiB; 0: no limit)
  --max-input-bytes N     with -f: the most read from one file or standard input, in bytes
                          (default 268435456, 256 MiB; 0: no limit)
  --kubeconfig PATH       scan the live cluster of this kubeconfig (default: $KUBECONFIG,
                          then ~/.kube/config, then the in-cluster configuration)
  --context NAME          kubeconfig context (default: the current context); repeatable or
                          comma-separated (a name the kubeconfig holds whole is one
                          context) to scan several clusters: a report per cluster, then a
                          summary over them; JSON output is one fleet document
  --all-contexts          scan the cluster of every context of the kubeconfig, as a fleet
  --cluster-parallelism N with several contexts: clusters loaded at once (default 4); each
                          loaded cluster is held in memory until its report is written,
                          one report at a time, in the order of the contexts
  --kubelet-configz       with a cluster: also read each node's live kubelet configuration
                          (GET nodes/NAME/proxy/configz; needs get on nodes/proxy) for the
                          CIS kubelet controls
  --allow-empty           an input that holds no object is expected: answer for it rather
                          than exit 2

What to run:
  -b, --benchmark NAME    bundled benchmark; repeatable or comma-separated; "all" selects
                          every bundled benchmark but cis-2.0 (cis-1.12's controls again;
                          name it to run it) and org (example organisation policies whose
                          parameters are the demo's). Default: the same, unless --checks is
                          given, in which case only the custom checks run. admission-policies
                          applies the input's ValidatingAdmissionPolicies (and those of
                          --checks) to every object, as the API server would to its creation:
                          one check per policy, vap:NAME
  --checks FILE           YAML file of CEL checks (kind: CheckList) and/or
                          ValidatingAdmissionPolicies with their bindings, whose verdicts on
                          the input it reports (what a new policy would reject); repeatable
  --check ID              run only the checks with these IDs (from the selected benchmarks
                          and --checks files); repeatable or comma-separated
  --params FILE           parameters of checks: a YAML or JSON mapping of check ID to its
                          parameters, e.g. "org:allowed-registries: {registries: [r.corp]}";
                          repeatable (a check set in two files is an error)
  --pss-version VERSION   Pod Security Standards version for pss-* benchmarks: latest or v1.N
                          (default latest)
  --cluster-version v1.N  the Kubernetes version of the scanned cluster: "latest" Pod Security
                          policies then mean that version's, as its admission controller
                          reads them (default: the newest policies kspm knows)
  --list                  list the selected benchmarks and their checks (ID, severity,
                          title) and exit

Output:
  -o, --output FORMAT     table or json (default table), or for a scan: sarif (code
                          scanning), junit (CI test reports), markdown (a pull request
                          comment, at most 65,000 bytes), html (one self-contained page) or
                          csv. Their source paths are relative to the working directory
  -v, --verbose           table: list passing results too, with field paths and sources
  --remediation           table: add the remediation of every failed check
  --fail-on SEVERITY      exit 1 when a result fails with this severity or a higher one:
                          critical, high, medium, low, info or none (default none)

Run:
  --parallelism N         checks run at once (default: number of CPUs)
  --timeout DURATION      bound the whole run, loading included (e.g. 5m; default none)
  --check-timeout DURATION
                          bound each check; an overrun check gets an error result

Exit status:
  0  the scan ran (and --fail-on was not reached)
  1  a failing result reached the --fail-on severity (with several contexts: in any cluster;
     excepted results are not failing; under --baseline, only new failures count)
  2  usage error, nothing to scan (no input, or an input with no object and no
     --allow-empty), no checks selected, --timeout reached, or errors while loading the
     input (the report is still written for what loaded; errors are named on stderr).
     The same holds for --who-can, --pss-what-if and --reach; --list reads no input.
     With several contexts: any cluster that could not be scanned (unreachable, credentials
     rejected, nothing readable) or had load errors; the other clusters are still scanned
     and reported.
  3  with --reach: the answer depends on what the input cannot show (it says what)
  Warnings and notices about input that loaded (an unknown field dropped, a key written
  twice, a removed API version, a file that is no Kubernetes object) are named on stderr
  and in the report, and never change the exit status.
`

// parseArgs parses the command line. It returns errHelp for -h or --help.
func parseArgs(args []string) (*options, error) {
	o := &options{}
	fs := newFlagSet(o)
	// Positional arguments may come between flags ("--who-can get secrets -n shop"): parse
	// again after each one.
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		o.args = append(o.args, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if o.whoCan.verb == "" && o.reach.from == "" && len(o.args) > 0 {
		return nil, fmt.Errorf("unexpected argument %q (name manifests with -f PATH)", o.args[0])
	}
	if err := validateReach(o); err != nil {
		return nil, err
	}
	if o.whoCan.verb != "" {
		if _, err := o.whoCan.request(o.args); err != nil {
			return nil, err
		}
	}
	if err := validateWhatIf(o); err != nil {
		return nil, err
	}
	if err := validateHelm(o); err != nil {
		return nil, err
	}
	if o.governance.set() && o.mode() != modeScan {
		return nil, errGovernanceMode
	}
	switch {
	case o.format == formatTable, o.format == formatJSON:
	case slices.Contains(report.Formats(), report.Format(o.format)):
		if o.mode() != modeScan {
			return nil, fmt.Errorf("-o %s writes the report of a scan: --list, --who-can, --pss-what-if and --reach write %s or %s",
				o.format, formatTable, formatJSON)
		}
	default:
		return nil, fmt.Errorf("-o %q: want %s, %s, sarif, junit, markdown, html or csv", o.format, formatTable, formatJSON)
	}
	if o.configz && len(o.files) > 0 {
		return nil, errors.New("--kubelet-configz reads a cluster's nodes: it does not go with -f")
	}
	if o.defaultNS != "" && len(o.files) == 0 {
		return nil, errors.New("--default-namespace applies to manifests: use it with -f")
	}
	if o.fieldValid != fieldValidationWarn && o.fieldValid != fieldValidationStrict {
		return nil, fmt.Errorf("--field-validation %q: want %s or %s", o.fieldValid, fieldValidationWarn, fieldValidationStrict)
	}
	if o.fieldValid == fieldValidationStrict && len(o.files) == 0 {
		return nil, errors.New("--field-validation applies to manifests: use it with -f")
	}
	if o.complete && len(o.files) == 0 {
		return nil, errors.New("--complete declares manifests the whole cluster: use it with -f")
	}
	if len(o.files) > 0 && (o.kubeconfig != "" || len(o.contexts) > 0 || o.allContexts) {
		return nil, errors.New("-f reads manifests; --kubeconfig and --context read a cluster: use one or the other")
	}
	if err := validateContexts(o); err != nil {
		return nil, err
	}
	if o.parallelism < 0 {
		return nil, fmt.Errorf("--parallelism %d: want a positive number", o.parallelism)
	}
	if o.timeout < 0 || o.checkTimeout < 0 {
		return nil, errors.New("--timeout and --check-timeout must not be negative")
	}
	if o.maxDocBytes < 0 || o.maxInputBytes < 0 {
		return nil, errors.New("--max-document-bytes and --max-input-bytes must not be negative (0: no limit)")
	}
	return o, nil
}
