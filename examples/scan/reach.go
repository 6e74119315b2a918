package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/netreach"
	"github.com/kspm-dev/kspm/report"
)

// exitUnknown is the exit status of --reach when the answer depends on what the input does
// not show.
const exitUnknown = 3

// reachOptions are the flags of the reach mode.
type reachOptions struct {
	from string // --reach FROM (TO is the one positional argument)
	to   string
	port string // --port PORT[/PROTOCOL]
}

// addReachFlags binds the reach flags to r.
func addReachFlags(fs *flag.FlagSet, r *reachOptions) {
	fs.StringVar(&r.from, "reach", "", "")
	fs.StringVar(&r.port, "port", "", "")
}

// reachUsage is the usage section of the reach mode.
const reachUsage = `Reach (instead of a scan):
  --reach FROM TO         whether the pods of FROM may open a connection to those of TO, as
                          the NetworkPolicies decide, and which policies decide each direction
                          (egress from FROM, ingress to TO). FROM and TO are
                          NAMESPACE/KIND/NAME of a Pod or a workload (deployment, statefulset,
                          daemonset, replicaset, replicationcontroller, job, cronjob; short
                          names as kubectl's); a workload's template labels are its pods'.
  --port PORT[/PROTOCOL]  with --reach: the destination port, a number or a container port
                          name of TO, and TCP (default), UDP or SCTP
                          Exit status 0 when allowed, 1 when denied, 3 when the answer depends
                          on what the input cannot show (pod IPs for ipBlocks, labels set at
                          run time, host-network pods, policies of CNI plugins): it says what.
                          With -o json: {"allowed": ..., "certain": ..., "egress": ...,
                          "ingress": ...}; allowed is false only when the policies surely deny.
`

// ipBlockNote says how ipBlock rules are treated, in every answer.
const ipBlockNote = "pod IP addresses are unknown offline, so only 0.0.0.0/0 and ::/0 without except count as " +
	"holding a pod's address (over IPv4 and IPv6 respectively); any other block makes an answer it could change unknown"

// validateReach checks the reach flags once parsed (args are the positional ones).
func validateReach(o *options) error {
	r := &o.reach
	if r.from == "" {
		if r.port != "" {
			return errors.New("--port goes with --reach FROM TO")
		}
		return nil
	}
	if o.whoCan.verb != "" || o.whatIf.policy != "" {
		return errors.New("--reach, --who-can and --pss-what-if are separate modes: use one")
	}
	if len(o.args) != 1 {
		return errors.New("--reach FROM TO: want one TO (NAMESPACE/KIND/NAME)")
	}
	r.to = o.args[0]
	for _, ep := range []string{r.from, r.to} {
		if _, _, _, err := parseEndpoint(ep); err != nil {
			return err
		}
	}
	if r.port == "" {
		return errors.New("--reach FROM TO needs --port PORT[/PROTOCOL]")
	}
	if _, _, err := netreach.ParsePort(r.port); err != nil {
		return fmt.Errorf("--port: %w", err)
	}
	return nil
}

// endpointKinds are the kinds --reach takes, by the names kubectl accepts for them.
var endpointKinds = map[string]schema.GroupKind{
	"pod": inventory.KindPod, "pods": inventory.KindPod, "po": inventory.KindPod,
	"deployment": inventory.KindDeployment, "deployments": inventory.KindDeployment, "deploy": inventory.KindDeployment,
	"statefulset": inventory.KindStatefulSet, "statefulsets": inventory.KindStatefulSet, "sts": inventory.KindStatefulSet,
	"daemonset": inventory.KindDaemonSet, "daemonsets": inventory.KindDaemonSet, "ds": inventory.KindDaemonSet,
	"replicaset": inventory.KindReplicaSet, "replicasets": inventory.KindReplicaSet, "rs": inventory.KindReplicaSet,
	"replicationcontroller": inventory.KindReplicationController, "replicationcontrollers": inventory.KindReplicationController,
	"rc":  inventory.KindReplicationController,
	"job": inventory.KindJob, "jobs": inventory.KindJob,
	"cronjob": inventory.KindCronJob, "cronjobs": inventory.KindCronJob, "cj": inventory.KindCronJob,
}

// parseEndpoint parses NAMESPACE/KIND/NAME; KIND may name its API group (deployment.apps).
func parseEndpoint(s string) (ns string, gk schema.GroupKind, name string, err error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", gk, "", fmt.Errorf("%q: want NAMESPACE/KIND/NAME, e.g. shop/deployment/web", s)
	}
	kind, group, _ := strings.Cut(strings.ToLower(parts[1]), ".")
	gk, ok := endpointKinds[kind]
	if !ok || group != "" && group != gk.Group {
		return "", gk, "", fmt.Errorf("%q: %s is not a Pod or a workload kind (deployment, statefulset, daemonset, replicaset, "+
			"replicationcontroller, job, cronjob)", s, parts[1])
	}
	return parts[0], gk, parts[2], nil
}

// lookupEndpoint returns the object NAMESPACE/KIND/NAME names. Every lookup of an object the
// command line names goes through here. An object the input defines in several places
// (variants) is an error naming them: the answer differs between them, and the name does not
// say which one is meant.
func lookupEndpoint(inv *inventory.Inventory, s string) (*inventory.Object, error) {
	ns, gk, name, err := parseEndpoint(s)
	if err != nil {
		return nil, err
	}
	vs := inv.Variants(gk, ns, name)
	switch len(vs) {
	case 0:
		return nil, fmt.Errorf("%s: no %s %s/%s in the input", s, gk.Kind, ns, name)
	case 1:
		return vs[0], nil
	}
	places := make([]string, len(vs))
	for i, o := range vs {
		places[i] = o.Source().String()
	}
	return nil, fmt.Errorf("%s: the input defines %s %s/%s %d times (%s): name one of them with -f to ask about it",
		s, gk.Kind, ns, name, len(vs), strings.Join(places, ", "))
}

// reachAnswer is the JSON of --reach -o json.
type reachAnswer struct {
	From inventory.Ref `json:"from"`
	To   inventory.Ref `json:"to"`
	Port netreach.Port `json:"port"`
	// Allowed is false only when the NetworkPolicies surely deny the connection.
	Allowed bool `json:"allowed"`
	// Certain says whether the answer holds whatever the input cannot show.
	Certain bool `json:"certain"`
	// Verdict is the three-valued answer: yes, no or unknown.
	Verdict netreach.Verdict         `json:"verdict"`
	Egress  netreach.DirectionAnswer `json:"egress"`
	Ingress netreach.DirectionAnswer `json:"ingress"`
	// Unknown says what an unknown verdict depends on.
	Unknown []string `json:"unknown"`
	// IPBlocks says how ipBlock rules are treated.
	IPBlocks string `json:"ipBlocks"`
}

// reach answers the reach question over inv, writes it as text or JSON and returns the exit
// status.
func reach(out io.Writer, inv *inventory.Inventory, r reachOptions, format string) (int, error) {
	e := netreach.New(inv)
	var pods [2]netreach.Pod
	for i, s := range []string{r.from, r.to} {
		o, err := lookupEndpoint(inv, s)
		if err != nil {
			return exitError, err
		}
		if pods[i], err = e.PodFor(o); err != nil {
			return exitError, err
		}
	}
	port, err := netreach.ResolvePort(pods[1], r.port)
	if err != nil {
		return exitError, fmt.Errorf("--port: %w", err)
	}
	a := e.Reach(pods[0], pods[1], port)
	code := map[netreach.Verdict]int{netreach.Yes: exitOK, netreach.No: exitFailOn, netreach.Unknown: exitUnknown}[a.Allowed]
	if format == formatJSON {
		unknown := a.Unknown
		if unknown == nil {
			unknown = []string{}
		}
		return code, writeJSON(out, reachAnswer{From: a.From, To: a.To, Port: a.Port, Allowed: a.Allowed != netreach.No,
			Certain: a.Allowed != netreach.Unknown, Verdict: a.Allowed, Egress: a.Egress, Ingress: a.Ingress,
			Unknown: unknown, IPBlocks: ipBlockNote})
	}
	verdict := map[netreach.Verdict]string{netreach.Yes: "allowed", netreach.No: "denied", netreach.Unknown: "unknown"}
	// Names come from the input: report.Fprintf escapes them.
	report.Fprintf(out, "%s → %s on %s: %s\n", a.From, a.To, a.Port, verdict[a.Allowed])
	for _, d := range []netreach.DirectionAnswer{a.Egress, a.Ingress} {
		dir := "egress from"
		if d.Direction == netreach.Ingress {
			dir = "ingress to"
		}
		iso := map[netreach.Verdict]string{netreach.Yes: "isolated", netreach.No: "not isolated (no NetworkPolicy selects it)",
			netreach.Unknown: "perhaps isolated"}[d.Isolated]
		report.Fprintf(out, "\n%s %s: %s, %s\n", strings.ToUpper(dir[:1])+dir[1:], d.Pod, iso, verdict[d.Allowed])
		if len(d.Policies) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  POLICY\tSELECTS\tALLOWS\tRULES")
		for _, p := range d.Policies {
			rules := "-"
			if len(p.Rules) > 0 {
				rules = strings.Trim(strings.ReplaceAll(fmt.Sprint(p.Rules), " ", ", #"), "[]")
				rules = "#" + rules
			}
			report.Fprintf(tw, "  %s/%s\t%s\t%s\t%s\n", p.Policy.Namespace, p.Policy.Name, p.Selects, p.Allows, rules)
		}
		if err := tw.Flush(); err != nil {
			return exitError, err
		}
	}
	if len(a.Unknown) > 0 {
		fmt.Fprintln(out, "\nUnknown, because:")
		for _, u := range a.Unknown {
			report.Fprintf(out, "  - %s\n", u)
		}
	}
	fmt.Fprintf(out, "\nipBlock rules: %s.\n", ipBlockNote)
	return code, nil
}
