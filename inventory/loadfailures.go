package inventory

import (
	"errors"
	"fmt"
	"strings"
)

// loadFailures is what an inventory knows of the input that failed to load: per kind, the
// documents of that kind that did not become objects, and the documents (or files) whose kind
// could not be read at all. Coverage reads it: such a kind is Incomplete, not Loaded or
// Absent, so that "there are none" or "these are all" is never concluded from a partial load.
type loadFailures struct {
	byKind  map[string][]Source // by kind name (see failedKinds)
	unknown []Source
}

// failuresOf sorts the errors of a load into load failures. A *SourceError is a document
// (or file) that did not load, unless it wraps ErrUnknownField, ErrDuplicateKey (errors
// under WithStrictFieldValidation) or ErrDuplicate (the object loaded then) or is a notAnObjectError (it was read, and is no object of any kind). Other
// errors (*ListError) are about kinds whose coverage the loader records itself.
func failuresOf(errs []error) loadFailures {
	var f loadFailures
	for _, err := range errs {
		var (
			se  *SourceError
			nao notAnObjectError
		)
		if !errors.As(err, &se) || errors.Is(err, ErrUnknownField) || errors.Is(err, ErrDuplicateKey) || errors.Is(err, ErrDuplicate) || errors.As(err, &nao) {
			continue
		}
		kinds := failedKinds(se)
		if len(kinds) == 0 {
			f.unknown = append(f.unknown, se.Source)
			continue
		}
		if f.byKind == nil {
			f.byKind = make(map[string][]Source)
		}
		for _, k := range kinds {
			f.byKind[k] = append(f.byKind[k], se.Source)
		}
	}
	return f
}

// failedKinds returns the names of the kinds the failed document of se may have held, or nil
// when its kind could not be read. The loaders name the object of an error as "Kind",
// "Kind name" or "Kind namespace/name" (docHeader.describe, Ref.String). A kind is matched by
// name, whatever its group: an error cannot say the group, and counting a failure against a
// kind of another group too only ever makes coverage more cautious. A List that failed as a
// whole could have held anything; the items of a "PodList" are Pods.
func failedKinds(se *SourceError) []string {
	kind, _, _ := strings.Cut(se.Object, " ")
	switch {
	case kind == "" || kind == "List":
		return nil
	case isListKindName(kind):
		return []string{kind, strings.TrimSuffix(kind, "List")}
	}
	return []string{kind}
}

// apply returns c, made Incomplete when the input that failed to load may have held objects
// of its kind. Kinds already known to be incomplete (forbidden, failed) or known to have no
// objects (not served) are left as they are.
func (f loadFailures) apply(c Coverage) Coverage {
	switch c.State {
	case Listed, Loaded, Absent:
	default:
		return c
	}
	var reasons []string
	if srcs := f.byKind[c.Kind]; len(srcs) > 0 {
		reasons = append(reasons, fmt.Sprintf("%d %s failed to load: %s",
			len(srcs), nounOf(len(srcs), "document", "documents"), listSources(srcs)))
	}
	if srcs := f.unknown; len(srcs) > 0 {
		reasons = append(reasons, fmt.Sprintf("%d %s whose kind could not be read failed to load: %s",
			len(srcs), nounOf(len(srcs), "document", "documents"), listSources(srcs)))
	}
	if len(reasons) == 0 {
		return c
	}
	c.State, c.NoneInInput = Incomplete, false
	c.Reason = strings.Join(reasons, "; ")
	return c
}

// listSources names up to three sources, then how many more there are.
func listSources(srcs []Source) string {
	const shown = 3
	var b strings.Builder
	for i, s := range srcs[:min(len(srcs), shown)] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(describeSource(s))
	}
	if n := len(srcs) - shown; n > 0 {
		fmt.Fprintf(&b, " and %d more", n)
	}
	return b.String()
}

func nounOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// notAnObjectError is the problem of a document that was read but is no Kubernetes object:
// not a mapping, or without a kind (a Helm values file, a Chart.yaml, a component's own
// configuration). The API server would take it for no object, so it hides none: unlike a
// document that could not be read, it leaves every kind's coverage as it is.
type notAnObjectError struct{ msg string }

func (e notAnObjectError) Error() string { return e.msg }

func notAnObject(msg string) error { return notAnObjectError{msg} }
