package check

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

// Finding is one verdict a check reports through its Pass.
type Finding struct {
	// Status is the verdict.
	Status Status
	// Object is what the verdict is about; nil for a verdict about the whole cluster.
	Object *inventory.Object
	// Field is the field path the verdict concerns, e.g.
	// "spec.template.spec.containers[0].securityContext.privileged".
	Field string
	// Message explains the verdict; for NotEvaluated and NotApplicable it is the reason.
	Message string
	// Err is the error of an error finding, for errors.Is and errors.As (optional; Message
	// holds its text).
	Err error
	// Admission names the binding of an admission policy check's verdict (see
	// Result.Admission); nil for other checks.
	Admission *Admission
}

// Pass is the only contact between a check and the runner: the inventory and parameters go
// in, findings come out through Report. A Pass is used by one check run at a time.
//
// Besides Report, there is one method per status a check reports, all shaped alike: the
// object first (nil for the whole cluster), then, for Fail only, the field path at fault,
// then the message (for NotEvaluated and NotApplicable, the reason); each has an f variant
// that formats the message (Passf, Failf, NotEvaluatedf, NotApplicablef). Error takes the
// error itself.
type Pass struct {
	// Inventory is the snapshot being scanned. It is shared: do not modify it.
	Inventory *inventory.Inventory
	// Check is the metadata of the check being run.
	Check Meta
	// Params are the check's parameters: for a check that declares Meta.Params, its defaults
	// overridden by the caller's values, of the declared types; otherwise as the caller set
	// them (nil for none).
	Params map[string]any

	sink func(Finding)
	// scoped is set for a run over targets only (see Dependencies): targets are the objects
	// to report about and templates the pod templates they hold.
	scoped    bool
	targets   []*inventory.Object
	templates []inventory.PodTemplate
}

// NewPass returns a pass for a check run that hands each finding to report. Runners and test
// helpers use it; checks receive their pass ready-made.
func NewPass(inv *inventory.Inventory, meta Meta, params map[string]any, report func(Finding)) *Pass {
	return &Pass{Inventory: inv, Check: meta, Params: params, sink: report}
}

// NewPassFor returns a pass for a run of a check over some objects of inv only, targets, in
// inventory order (see Dependencies.Affected); templates are the pod templates they hold
// (Inventory.PodTemplateOf of each), which a driver computes once for every check it runs.
// Drivers use it (package monitor); checks receive their pass ready-made.
func NewPassFor(inv *inventory.Inventory, meta Meta, params map[string]any, targets []*inventory.Object,
	templates []inventory.PodTemplate, report func(Finding)) *Pass {
	return &Pass{Inventory: inv, Check: meta, Params: params, sink: report,
		scoped: true, targets: targets, templates: templates}
}

// Targets returns the objects the run is for, and true, in a run over some objects only (see
// Dependencies.Affected); nil and false in a run over the whole inventory.
func (p *Pass) Targets() ([]*inventory.Object, bool) { return p.targets, p.scoped }

// PodTemplates returns the pod templates the run evaluates: every one of the inventory
// (Inventory.PodTemplates), or, in a run for targets, those the targets hold. The slice is
// shared: do not modify it.
func (p *Pass) PodTemplates() []inventory.PodTemplate {
	if p.scoped {
		return p.templates
	}
	return p.Inventory.PodTemplates()
}

// Objects returns the objects of kind gk the run evaluates: Inventory.ByKind(gk), or, in a
// run for targets, the targets of kind gk, in inventory order. The slice is shared: do not
// modify it.
func (p *Pass) Objects(gk schema.GroupKind) []*inventory.Object {
	if !p.scoped {
		return p.Inventory.ByKind(gk)
	}
	var out []*inventory.Object
	for _, o := range p.targets {
		if o.GroupKind() == gk {
			out = append(out, o)
		}
	}
	return out
}

// Report hands a finding to the runner. A finding a report could not hold, one whose Status
// is not one of the defined statuses, is reported instead as an error finding about the same
// object whose message begins "invalid finding:" and names the status: a mistake in a check
// shows as an error result, never as a report that report.ReadJSON and the schema refuse.
// StatusExcepted is such a mistake too: only an exception sets a failure aside.
func (p *Pass) Report(f Finding) {
	if !f.Status.Valid() || f.Status == StatusExcepted {
		msg := fmt.Sprintf("invalid finding: unknown status %q (want one of %s)", f.Status, statusList())
		if f.Status == StatusExcepted {
			msg = fmt.Sprintf("invalid finding: status %q is given by exceptions, not by checks (want one of %s)", f.Status, statusList())
		}
		if f.Message != "" {
			msg += "; its message: " + f.Message
		}
		f = Finding{Status: StatusError, Object: f.Object, Field: f.Field, Message: msg}
	}
	p.report(f)
}

// report hands f to the runner with its message bounded (MaxMessageLength).
func (p *Pass) report(f Finding) {
	f.Message = truncateMessage(f.Message)
	p.sink(f)
}

// statusList names the statuses a check may report, for messages.
func statusList() string {
	names := make([]string, 0, len(Statuses()))
	for _, s := range Statuses() {
		if s != StatusExcepted {
			names = append(names, string(s))
		}
	}
	return strings.Join(names, ", ")
}

// Pass reports that obj complies.
func (p *Pass) Pass(obj *inventory.Object, msg string) {
	p.report(Finding{Status: StatusPass, Object: obj, Message: msg})
}

// Passf is Pass with a formatted message.
func (p *Pass) Passf(obj *inventory.Object, format string, args ...any) {
	p.Pass(obj, fmt.Sprintf(format, args...))
}

// Fail reports that obj does not comply, at the field path field.
func (p *Pass) Fail(obj *inventory.Object, field, msg string) {
	p.report(Finding{Status: StatusFail, Object: obj, Field: field, Message: msg})
}

// Failf is Fail with a formatted message.
func (p *Pass) Failf(obj *inventory.Object, field, format string, args ...any) {
	p.Fail(obj, field, fmt.Sprintf(format, args...))
}

// NotEvaluated reports that obj could not be evaluated, and why.
func (p *Pass) NotEvaluated(obj *inventory.Object, reason string) {
	p.report(Finding{Status: StatusNotEvaluated, Object: obj, Message: reason})
}

// NotEvaluatedf is NotEvaluated with a formatted reason.
func (p *Pass) NotEvaluatedf(obj *inventory.Object, format string, args ...any) {
	p.NotEvaluated(obj, fmt.Sprintf(format, args...))
}

// NotApplicable reports that the check does not apply to obj, and why.
func (p *Pass) NotApplicable(obj *inventory.Object, reason string) {
	p.report(Finding{Status: StatusNotApplicable, Object: obj, Message: reason})
}

// NotApplicablef is NotApplicable with a formatted reason.
func (p *Pass) NotApplicablef(obj *inventory.Object, format string, args ...any) {
	p.NotApplicable(obj, fmt.Sprintf(format, args...))
}

// Error reports that evaluating obj failed. A nil err is a mistake in the check: the error
// result then says so ("invalid finding: Error called with a nil error").
func (p *Pass) Error(obj *inventory.Object, err error) {
	msg := "invalid finding: Error called with a nil error"
	if err != nil {
		msg = err.Error()
	}
	p.report(Finding{Status: StatusError, Object: obj, Message: msg, Err: err})
}

// MaxMessageLength is the longest message a finding may carry, in bytes: messages quote
// input (names, images, addresses, what a CEL message expression made), and a pass cuts a
// longer one at a character boundary and marks it, whatever check, Go or CEL, reported it.
const MaxMessageLength = 4096

// truncateMessage cuts a message longer than MaxMessageLength at a character boundary, and
// says so.
func truncateMessage(s string) string {
	if len(s) <= MaxMessageLength {
		return s
	}
	const mark = " … (message truncated)"
	cut := MaxMessageLength - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
