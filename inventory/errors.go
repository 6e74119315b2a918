package inventory

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SourceError is a problem with one document or object of the input. It names the file and
// line (or, for API objects, the object) so the user can find it.
type SourceError struct {
	// Source is the file and line of the document or object (empty for API objects).
	Source Source
	// Object names the object when it is known, e.g. "Deployment shop/web".
	Object string
	// Err is the problem.
	Err error
}

// Error implements error.
func (e *SourceError) Error() string {
	var where string
	switch {
	case e.Source.File != "" && e.Object != "":
		where = e.Source.String() + ": " + e.Object
	case e.Source.File != "":
		where = e.Source.String()
	default:
		where = e.Object
	}
	if where == "" {
		return e.Err.Error()
	}
	return where + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *SourceError) Unwrap() error { return e.Err }

// ListError is a failure to list one kind from an API server.
type ListError struct {
	// Kind is the kind that could not be listed.
	Kind schema.GroupKind
	// State is the kind's coverage as a result: Forbidden, NotServed or Failed.
	State State
	// Err is the API server's (or the transport's) error.
	Err error
}

// Error implements error.
func (e *ListError) Error() string {
	return fmt.Sprintf("list %s: %v", kindPlural(e.Kind), e.Err)
}

// Unwrap returns the underlying error.
func (e *ListError) Unwrap() error { return e.Err }

// ErrNoInput is returned when a loader is given nothing to read.
var ErrNoInput = errors.New("no input")

// ErrNotRead is wrapped by the error recorded for an entry of a directory walk that is not
// read: a symbolic link that leads nowhere or to itself, or a file named like a manifest that
// is not a regular file (a FIFO, socket or device). The rest of the walk goes on.
var ErrNotRead = errors.New("not read")

// ErrUnknownKind is wrapped by the error recorded for a manifest whose kind its API group
// does not have, when the group is one the Kubernetes API server serves itself (apps/v1
// Deploymnet, v1 pod, apps/v1 Pod): the API server would reject it, so it is not loaded.
var ErrUnknownKind = errors.New("unknown kind")

// ErrTooLarge is wrapped by the error recorded for an input or a document larger than the
// manifest loader's limits (see WithMaxInputBytes and WithMaxDocumentBytes), and by the
// error FromKubeconfig returns for a kubeconfig file of more than 32 MiB.
var ErrTooLarge = errors.New("too large")
