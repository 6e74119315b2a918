package report

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/kspm-dev/kspm/check"
)

// What a report says of its exceptions and baseline is worded here once, for every format:
// the text writer lays the lines out its own way, the others list governanceNotes.

// governanceNote is one line of what a report says of its exceptions and baseline.
type governanceNote struct {
	// Kind names what the line is about, as SARIF notification descriptors are named:
	// "exceptions", "exception-expired", "exception-unused", "annotation-exemptions",
	// "annotation-not-applied", "baseline", "baseline-warning".
	Kind string
	// Label starts a line about what needs acting on (a warning): "expired:", "unused:",
	// "not applied:", "warning:"; "" for a line that counts.
	Label string
	// Text is the line, its label aside.
	Text string
}

// governanceKinds describes each Kind of governanceNote (SARIF notification descriptors).
var governanceKinds = map[string]string{
	"exceptions":             "Failing results set aside by exceptions",
	"exception-expired":      "An exception past its expiry date: the failures it matched count again",
	"exception-unused":       "An exception in force that set nothing aside",
	"annotation-exemptions":  "Failing results set aside by annotations on the objects",
	"annotation-not-applied": "An annotation exemption that was not applied",
	"baseline":               "The comparison with a baseline report",
	"baseline-warning":       "A reason to doubt the comparison with the baseline report",
}

// governanceNotesMax bounds the notes of each kind governanceNotes lists; a last note says
// how many more there are.
const governanceNotesMax = 50

// exceptionsHeadline says how many failures the exceptions of x set aside.
func exceptionsHeadline(x *ExceptionsSummary) string {
	n := setAside(x)
	files := "no file"
	if len(x.Files) > 0 {
		files = strings.Join(x.Files, ", ")
	}
	return fmt.Sprintf("Exceptions (%s): %d %s set aside by %d %s", files, n, plural(n, "failure", "failures"),
		len(x.Applied), plural(len(x.Applied), "exception", "exceptions"))
}

// setAside returns the number of failing results the exceptions of x set aside.
func setAside(x *ExceptionsSummary) int {
	n := 0
	for _, u := range x.Applied {
		n += u.Results
	}
	return n
}

// exceptionUseText names the exception u: where it is written, its checks, owner and expiry.
func exceptionUseText(u ExceptionUse) string {
	s := u.Source
	if u.ID != "" {
		s += " (" + u.ID + ")"
	}
	return s + " " + strings.Join(u.Checks, ",") + ", owner " + u.Owner + ", expires " + u.Expires
}

// expiredText says what the expired exception u matched.
func expiredText(u ExceptionUse) string {
	return fmt.Sprintf("%s: %d matching %s count again", exceptionUseText(u), u.Results, plural(u.Results, "failure", "failures"))
}

// unusedText says why the exception u set nothing aside.
func unusedText(u ExceptionUse) string { return exceptionUseText(u) + ": " + u.Note }

// annotationsHeadline says what the annotation exemptions a did.
func annotationsHeadline(a *AnnotationExemptions) string {
	return fmt.Sprintf("Annotation exemptions: allowed; %d %s set aside by annotations on %d %s (owner: %s)",
		a.Results, plural(a.Results, "failure", "failures"), a.Objects, plural(a.Objects, "object", "objects"), check.AnnotationOwner)
}

// baselineHeadline counts the findings of the comparison b.
func baselineHeadline(b *BaselineSummary) string {
	src := cmp.Or(b.Source, "a report")
	if !b.GeneratedAt.IsZero() {
		src += ", generated " + b.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return fmt.Sprintf("Baseline (%s): %d new, %d still present, %d resolved, %d unconfirmed", src, b.New, b.Present, b.Resolved, b.Unconfirmed)
}

// governanceNotes returns what r says of its exceptions and baseline, line by line, in the
// order the text report shows it; nil when it applied neither. Input text is not escaped:
// each writer escapes for its format.
func governanceNotes(r *Report) []governanceNote {
	var notes []governanceNote
	// add adds the notes text(0), ..., text(n-1), at most governanceNotesMax of them and then
	// one that counts the rest: only the notes kept are worded.
	add := func(kind, label string, n int, text func(i int) string) {
		for i := range min(n, governanceNotesMax) {
			notes = append(notes, governanceNote{Kind: kind, Label: label, Text: text(i)})
		}
		if n > governanceNotesMax {
			notes = append(notes, governanceNote{Kind: kind, Label: label,
				Text: fmt.Sprintf("and %d more (the JSON report lists them all)", n-governanceNotesMax)})
		}
	}
	one := func(s string) func(int) string { return func(int) string { return s } }
	if x := r.Exceptions; x != nil {
		add("exceptions", "", 1, one(exceptionsHeadline(x)))
		add("exception-expired", "expired:", len(x.Expired), func(i int) string { return expiredText(x.Expired[i]) })
		add("exception-unused", "unused:", len(x.Unused), func(i int) string { return unusedText(x.Unused[i]) })
		if a := x.Annotations; a != nil {
			add("annotation-exemptions", "", 1, one(annotationsHeadline(a)))
			add("annotation-not-applied", "not applied:", len(a.Ignored), func(i int) string { return a.Ignored[i] })
		}
	}
	if b := r.Baseline; b != nil {
		add("baseline", "", 1, one(baselineHeadline(b)))
		add("baseline-warning", "warning:", len(b.Warnings), func(i int) string { return b.Warnings[i] })
	}
	return notes
}
