package exception

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// Annotations of an exemption written on the object itself (see WithAnnotationExemptions).
const (
	// AnnotationExempt lists the check IDs or globs the object is exempt from, comma-separated.
	AnnotationExempt = "kspm.dev/exempt"
	// AnnotationReason says why; an exemption without a reason is not applied.
	AnnotationReason = "kspm.dev/exempt-reason"
	// maxAnnotationReason bounds the reason taken from an annotation, in bytes.
	maxAnnotationReason = 1024
)

// dateLayout is how an expiry date is written.
const dateLayout = "2006-01-02"

// Option configures a Matcher (and Apply).
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	annotations bool
	inv         *inventory.Inventory
}

// WithAnnotationExemptions applies the exemptions written on objects (AnnotationExempt and
// AnnotationReason), after the exceptions of the Set. They are off by default: whoever may
// edit an object could silence its findings. The report says they were allowed and what
// they set aside (report.ExceptionsSummary.Annotations).
func WithAnnotationExemptions() Option {
	return optionFunc(func(c *config) { c.annotations = true })
}

// WithInventory gives Apply the inventory the report's results are about, where it reads the
// labels that exceptions select on and the annotations of exemptions (a result's object is
// looked up by kind, namespace, name and source). Without it, an exception with a label
// selector matches nothing and annotations are not read.
func WithInventory(inv *inventory.Inventory) Option {
	return optionFunc(func(c *config) { c.inv = inv })
}

// fieldErr is a problem with field (and element index, or -1) of an Entry.
type fieldErr struct {
	field string
	index int
	err   error
}

// compiled is an Entry ready to match, and what it did.
type compiled struct {
	entry     *Entry
	checks    []glob
	objects   []objectMatcher
	until     time.Time // the first instant it no longer applies
	exception *check.Exception
	stats     stats
}

// stats counts what an exception matched.
type stats struct {
	applied  int // failures set aside
	shadowed int // failures set aside by an earlier exception
	expired  int // failures matched after expiry
	unseen   int // notEvaluated and error results matched
	others   int // other results matched: passes, notApplicable, manual
	noLabels int // results whose object's labels could not be read
}

type objectMatcher struct {
	kind, namespace, name glob
	hasKind, hasNS        bool
	hasName               bool
	labels                labels.Selector // nil: none
}

// matchesEverything reports whether o selects every object.
func (o *objectMatcher) matchesEverything() bool {
	return (!o.hasKind || o.kind.any) && (!o.hasNS || o.namespace.any) && (!o.hasName || o.name.any) && o.labels == nil
}

// compile checks e and makes its matcher; it reports every problem.
func compile(e *Entry) (*compiled, []fieldErr) {
	var errs []fieldErr
	bad := func(field string, index int, format string, args ...any) {
		errs = append(errs, fieldErr{field, index, fmt.Errorf(format, args...)})
	}
	c := &compiled{entry: e}
	if len(e.Checks) == 0 {
		bad("checks", -1, "no checks: name the check IDs (or globs) the exception covers")
	}
	everyCheck := false
	for i, p := range e.Checks {
		if strings.TrimSpace(p) == "" {
			bad("checks", i, "checks: an empty check ID")
			continue
		}
		g := newGlob(p)
		everyCheck = everyCheck || g.any
		c.checks = append(c.checks, g)
	}
	for _, f := range []struct{ name, value string }{{"reason", e.Reason}, {"owner", e.Owner}} {
		if strings.TrimSpace(f.value) == "" {
			bad(f.name, -1, "no %s: an exception says why, and who answers for it", f.name)
		}
	}
	if e.Expires == "" {
		bad("expires", -1, "no expires: an exception has an end date (YYYY-MM-DD, the last day it applies)")
	} else if day, err := time.Parse(dateLayout, e.Expires); err != nil {
		bad("expires", -1, "expires %q: want a date, YYYY-MM-DD", e.Expires)
	} else {
		c.until = day.AddDate(0, 0, 1) // midnight UTC after the last day
	}
	everyObject := len(e.Objects) == 0
	for i, o := range e.Objects {
		m := objectMatcher{kind: newGlob(o.Kind), namespace: newGlob(o.Namespace), name: newGlob(o.Name),
			hasKind: o.Kind != "", hasNS: o.Namespace != "", hasName: o.Name != ""}
		if o.Labels != "" {
			sel, err := labels.Parse(o.Labels)
			if err != nil {
				bad("objects", i, "objects: labels %q: %v", o.Labels, err)
				continue
			}
			m.labels = sel
		}
		if !m.hasKind && !m.hasNS && !m.hasName && m.labels == nil {
			bad("objects", i, "objects: no kind, namespace, name or labels (leave objects out to cover every object)")
			continue
		}
		everyObject = everyObject || m.matchesEverything()
		c.objects = append(c.objects, m)
	}
	if everyCheck && everyObject && len(errs) == 0 {
		bad("checks", -1, "the exception covers every object of every check: name the checks, or objects that are not all of them")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	c.exception = &check.Exception{From: check.StatusFail, ID: e.ID, Reason: e.Reason, Owner: e.Owner,
		Expires: e.Expires, Source: e.Source}
	return c, nil
}

// Matcher applies a Set to results one at a time (Except), in report order, and sums up
// (Summary). It is not safe for concurrent use.
type Matcher struct {
	set        *Set
	cfg        config
	now        time.Time
	entries    []*compiled
	candidates map[string][]*compiled // by check ID, the entries whose checks match it
	// Annotation exemptions: by object, the exception applied (nil: none applies); the
	// objects that set a result aside, and the exemptions not applied.
	annotated  map[*inventory.Object]*check.Exception
	annObjects map[*inventory.Object]bool
	annResults int
	ignored    []string
	ignoredObj map[*inventory.Object]bool
}

// NewMatcher returns a Matcher of set (nil: none, for annotation exemptions alone) at time
// now: the exceptions whose expiry day (UTC) ended before now do not apply. It checks every
// entry as Parse does; a problem is an error naming the entry's Source.
func NewMatcher(set *Set, now time.Time, opts ...Option) (*Matcher, error) {
	m := &Matcher{set: set, now: now, candidates: map[string][]*compiled{},
		annotated: map[*inventory.Object]*check.Exception{}, annObjects: map[*inventory.Object]bool{},
		ignoredObj: map[*inventory.Object]bool{}}
	for _, o := range opts {
		o.apply(&m.cfg)
	}
	if set == nil {
		return m, nil
	}
	if len(set.Entries) > MaxEntries {
		return nil, fmt.Errorf("exceptions: %d, more than %d", len(set.Entries), MaxEntries)
	}
	var errs []error
	for i := range set.Entries {
		e := &set.Entries[i]
		c, ferrs := compile(e)
		for _, fe := range ferrs {
			errs = append(errs, fmt.Errorf("exception %s: %w", cmp.Or(e.Source, fmt.Sprintf("#%d", i)), fe.err))
		}
		if c != nil {
			m.entries = append(m.entries, c)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

func (c *compiled) expired(now time.Time) bool { return !now.Before(c.until) }

// candidatesFor returns the entries whose checks match id, in order.
func (m *Matcher) candidatesFor(id string) []*compiled {
	if cs, ok := m.candidates[id]; ok {
		return cs
	}
	var cs []*compiled
	for _, c := range m.entries {
		if slices.ContainsFunc(c.checks, func(g glob) bool { return g.match(id) }) {
			cs = append(cs, c)
		}
	}
	m.candidates[id] = cs
	return cs
}

// Except applies the exceptions to r, the result of the check about obj (the object judged,
// or nil when it is not at hand: then an exception with a label selector does not match it,
// nor does an exemption written on the object): a failing result that an exception in force
// matches gets status excepted and the exception (shared by the results it sets aside: do
// not modify it). An excepted result is first given back its status, so that applying
// exceptions again, or other ones, starts afresh. It reports whether r is excepted.
func (m *Matcher) Except(r *check.Result, obj *inventory.Object) bool {
	if r.Status == check.StatusExcepted && r.Exception != nil {
		r.Status, r.Exception = r.Exception.From, nil
	}
	var winner *compiled
	for _, c := range m.candidatesFor(r.CheckID) {
		if !c.matchesObject(r, obj) {
			continue
		}
		switch {
		case r.Status == check.StatusNotEvaluated || r.Status == check.StatusError:
			c.stats.unseen++
		case r.Status != check.StatusFail:
			c.stats.others++
		case c.expired(m.now):
			c.stats.expired++
		case winner != nil:
			c.stats.shadowed++
		default:
			winner = c
			c.stats.applied++
		}
	}
	if winner != nil {
		r.Status, r.Exception = check.StatusExcepted, winner.exception
		return true
	}
	if r.Status == check.StatusFail && m.cfg.annotations && obj != nil {
		if e := m.annotation(r.CheckID, obj); e != nil {
			r.Status, r.Exception = check.StatusExcepted, e
			m.annResults++
			m.annObjects[obj] = true
			return true
		}
	}
	return false
}

// matchesObject reports whether r's object is one c selects; it counts a selector on labels
// that could not be read.
func (c *compiled) matchesObject(r *check.Result, obj *inventory.Object) bool {
	if len(c.objects) == 0 {
		return true
	}
	ref := r.Object
	if ref == nil {
		return false
	}
	for i := range c.objects {
		o := &c.objects[i]
		if o.hasKind && !o.kind.match(ref.Kind) || o.hasNS && !o.namespace.match(ref.Namespace) ||
			o.hasName && !o.name.match(ref.Name) {
			continue
		}
		if o.labels != nil {
			if obj == nil {
				c.stats.noLabels++
				continue
			}
			if !o.labels.Matches(labels.Set(obj.Meta().GetLabels())) {
				continue
			}
		}
		return true
	}
	return false
}

// annotation returns the exemption obj's annotations give check id, or nil.
func (m *Matcher) annotation(id string, obj *inventory.Object) *check.Exception {
	ann := obj.Meta().GetAnnotations()
	list, ok := ann[AnnotationExempt]
	if !ok {
		return nil
	}
	covers := false
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" && newGlob(p).match(id) {
			covers = true
			break
		}
	}
	if !covers {
		return nil
	}
	if e, ok := m.annotated[obj]; ok {
		return e
	}
	reason := strings.TrimSpace(ann[AnnotationReason])
	if reason == "" {
		m.annotated[obj] = nil
		if !m.ignoredObj[obj] {
			m.ignoredObj[obj] = true
			m.ignored = append(m.ignored, fmt.Sprintf("%s: %s without %s", describeObject(obj), AnnotationExempt, AnnotationReason))
		}
		return nil
	}
	if len(reason) > maxAnnotationReason {
		reason = strings.ToValidUTF8(reason[:maxAnnotationReason], "") + "…"
	}
	e := &check.Exception{From: check.StatusFail, Reason: reason, Owner: check.AnnotationOwner,
		Source: "annotation " + AnnotationExempt + " on " + describeObject(obj)}
	m.annotated[obj] = e
	return e
}

// describeObject names obj and, for manifests, where it was read: "Deployment shop/web
// (deploy/web.yaml:3)".
func describeObject(obj *inventory.Object) string {
	s := obj.String()
	if src := obj.Source().String(); src != "" {
		s += " (" + src + ")"
	}
	return s
}

// Summary returns what the exceptions did to the results given to Except so far: those that
// set failures aside, those expired, and those in force that set nothing aside, with why.
func (m *Matcher) Summary() *report.ExceptionsSummary {
	s := &report.ExceptionsSummary{}
	if m.set != nil {
		s.Files = slices.Clone(m.set.Files)
	}
	for _, c := range m.entries {
		e := c.entry
		u := report.ExceptionUse{ID: e.ID, Source: e.Source, Checks: slices.Clone(e.Checks), Owner: e.Owner, Expires: e.Expires}
		switch {
		case c.expired(m.now):
			u.Results = c.stats.expired
			s.Expired = append(s.Expired, u)
		case c.stats.applied > 0:
			u.Results = c.stats.applied
			s.Applied = append(s.Applied, u)
		default:
			u.Note = c.stats.unusedNote()
			s.Unused = append(s.Unused, u)
		}
	}
	if m.cfg.annotations {
		a := &report.AnnotationExemptions{Results: m.annResults, Objects: len(m.annObjects), Ignored: m.ignored}
		s.Annotations = a
	}
	return s
}

// unusedNote says why an exception in force set nothing aside.
func (st *stats) unusedNote() string {
	var parts []string
	if st.shadowed > 0 {
		parts = append(parts, fmt.Sprintf("the %d %s it matches %s set aside by an earlier exception",
			st.shadowed, plural(st.shadowed, "failure", "failures"), plural(st.shadowed, "is", "are")))
	}
	if st.unseen > 0 {
		parts = append(parts, fmt.Sprintf("it matches %d notEvaluated or error %s, which no exception sets aside",
			st.unseen, plural(st.unseen, "result", "results")))
	}
	if st.noLabels > 0 {
		parts = append(parts, fmt.Sprintf("the labels of %d %s it would select on could not be read",
			st.noLabels, plural(st.noLabels, "object", "objects")))
	}
	if st.others > 0 && len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("it matches %d %s, none failing", st.others, plural(st.others, "result", "results")))
	}
	if len(parts) == 0 {
		return "it matches no result"
	}
	return strings.Join(parts, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Apply returns a copy of rep with the exceptions of set applied at time now (see Matcher):
// failing results they match are excepted, and the copy's Exceptions says what each
// exception did; that summary is also returned. rep is not modified. Without WithInventory,
// exceptions with a label selector match nothing and annotations are not read (the summary
// says so). The error is NewMatcher's.
func Apply(rep *report.Report, set *Set, now time.Time, opts ...Option) (*report.Report, *report.ExceptionsSummary, error) {
	m, err := NewMatcher(set, now, opts...)
	if err != nil {
		return nil, nil, err
	}
	out := *rep
	out.Results = slices.Clone(rep.Results)
	for i := range out.Results {
		r := &out.Results[i]
		m.Except(r, m.lookup(r.Object))
	}
	out.Checks = report.CheckSummaries(out.Results)
	out.Summary = report.Summarize(out.Results)
	s := m.Summary()
	if m.cfg.annotations && m.cfg.inv == nil {
		s.Annotations.Ignored = append(s.Annotations.Ignored, "annotations were not read: no inventory was given with the report")
	}
	out.Exceptions = s
	return &out, s, nil
}

// lookup returns the object of the inventory given (WithInventory) that ref names, or nil:
// of several definitions (variants), the one read from ref's source.
func (m *Matcher) lookup(ref *inventory.Ref) *inventory.Object {
	if m.cfg.inv == nil || ref == nil {
		return nil
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: ref.Kind}
	for _, o := range m.cfg.inv.Variants(gk, ref.Namespace, ref.Name) {
		src := o.Source()
		if ref.Source == nil && src.File == "" || ref.Source != nil && *ref.Source == src {
			return o
		}
	}
	return nil
}
