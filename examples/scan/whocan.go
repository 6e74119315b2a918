package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/authz"
	"github.com/kspm-dev/kspm/report"
)

// whoCanOptions are the flags of the who-can mode.
type whoCanOptions struct {
	verb           string // --who-can VERB (RESOURCE is the one positional argument)
	resource       string
	subresource    string // --subresource
	name           string // --name
	nonResourceURL string // --non-resource-url PATH (instead of RESOURCE)
	namespace      string // -n, --namespace
}

// addWhoCanFlags binds the who-can flags to w.
func addWhoCanFlags(fs *flag.FlagSet, w *whoCanOptions) {
	fs.StringVar(&w.verb, "who-can", "", "")
	fs.StringVar(&w.subresource, "subresource", "", "")
	fs.StringVar(&w.name, "name", "", "")
	fs.StringVar(&w.nonResourceURL, "non-resource-url", "", "")
	fs.StringVar(&w.namespace, "n", "", "")
	fs.StringVar(&w.namespace, "namespace", "", "")
}

// whoCanUsage is the usage section of the who-can mode.
const whoCanUsage = `Who can (instead of a scan):
  --who-can VERB RESOURCE list the subjects allowed VERB on RESOURCE (spelled as kubectl
                          spells it: pods, deployments.apps, pods/exec, *), with the binding,
                          role and rule that allow it
  --subresource NAME      with --who-can: the subresource (e.g. exec, log, scale)
  --name NAME             with --who-can: one object (rules restricted by resourceNames)
  --non-resource-url PATH with --who-can VERB: a non-resource URL (e.g. /metrics) instead of
                          RESOURCE
  -n, --namespace NS      with --who-can: in this namespace only, as the API server decides;
                          without it, grants cluster-wide and those of RoleBindings for the
                          request in their namespace (never for cluster-scoped resources,
                          but for bind on clusterroles and a Namespace's own object). With
                          --pss-what-if: the namespaces to assess (comma-separated)
`

// request checks the who-can arguments (args are the positional ones) and returns the request.
func (w *whoCanOptions) request(args []string) (authz.Request, error) {
	if w.nonResourceURL != "" {
		if len(args) > 0 || w.subresource != "" || w.name != "" || w.namespace != "" {
			return authz.Request{}, errors.New("--non-resource-url takes no RESOURCE, --subresource, --name or --namespace")
		}
		if !strings.HasPrefix(w.nonResourceURL, "/") {
			return authz.Request{}, fmt.Errorf("--non-resource-url %q: want a path starting with /", w.nonResourceURL)
		}
		return authz.NonResourceRequest(w.verb, w.nonResourceURL), nil
	}
	if len(args) != 1 {
		return authz.Request{}, errors.New("--who-can VERB RESOURCE: want one RESOURCE (or --non-resource-url PATH)")
	}
	w.resource = args[0]
	req, err := authz.ParseRequest(w.verb, args[0])
	if err != nil {
		return authz.Request{}, fmt.Errorf("--who-can: %w", err)
	}
	if w.subresource != "" {
		if req.Subresource != "" {
			return authz.Request{}, fmt.Errorf("--subresource %q: %s already names subresource %q", w.subresource, args[0], req.Subresource)
		}
		req.Subresource = w.subresource
	}
	req = req.Named(w.name)
	if w.namespace == "" {
		return req, nil
	}
	// The request as the API server would build it in that namespace: refuse one it never
	// authorizes there rather than answer for attributes no request carries.
	in, ok := req.Within(w.namespace)
	if !ok {
		return authz.Request{}, fmt.Errorf("-n %q: the API server never authorizes %s in that namespace "+
			"(requests on a cluster-scoped resource carry none; a Namespace's own are made in it): omit -n", w.namespace, req)
	}
	return in, nil
}

// whoCan answers the who-can question over inv and writes the grants as a table or as JSON
// {"grants": [...], "incomplete": "..."}.
func whoCan(out io.Writer, inv *inventory.Inventory, req authz.Request, format string) error {
	e := authz.New(inv)
	var grants []authz.Grant
	if req.Namespace != "" || !req.ResourceRequest {
		grants = e.WhoCan(req)
	} else {
		grants = e.WhoCanAnywhere(req)
	}
	incomplete := e.Incomplete()
	if format == formatJSON {
		if grants == nil {
			grants = []authz.Grant{}
		}
		return writeJSON(out, struct {
			Request    authz.Request `json:"request"`
			Grants     []authz.Grant `json:"grants"`
			Incomplete string        `json:"incomplete,omitempty"`
		}{req, grants, incomplete})
	}
	// Names come from the input: report.Fprintf escapes them.
	report.Fprintf(out, "Who can %s:\n", req)
	if len(grants) == 0 {
		fmt.Fprintln(out, "  nobody")
	} else {
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SUBJECT\tSCOPE\tBINDING\tROLE\tRULE")
		for _, g := range grants {
			report.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", g.Subject, g.Scope(), g.Binding, g.Role, g.Rule)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if incomplete != "" {
		report.Fprintf(out, "\nThe answer may be incomplete: %s.\n", incomplete)
	}
	return nil
}
