package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"runtime"
	"strconv"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/jsonenc"
	"github.com/kspm-dev/kspm/internal/printable"
	"github.com/kspm-dev/kspm/inventory"
)

// WriteJSON streams the results array: a report of 100,000 objects holds about a million
// results, and encoding the whole document at once (then indenting it) would hold it in
// memory twice. The results are written by appendResult, which writes the same bytes as
// encoding/json with WriteJSON's settings, field for field; when check.Result or
// inventory.Ref gains a field appendResult does not know, resultFieldsKnown is false and
// each result is written by encoding/json instead.

// resultsPlaceholder is how the document with an empty results list shows it: a raw newline
// cannot occur inside a JSON string, so the match is structural.
var resultsPlaceholder = []byte("\n  \"results\": []")

// resultFieldsKnown reports whether check.Result, inventory.Ref and inventory.Source have
// exactly the fields (names, JSON tags, types) that appendResult writes.
var resultFieldsKnown = sameFields(reflect.TypeFor[check.Result](), []string{
	"CheckID string checkID", "Title string title", "Severity string severity", "Status string status",
	"Exception ptr exception,omitempty", "Baseline string baseline,omitempty",
	"Object ptr object,omitempty", "Message string message,omitempty", "Field string field,omitempty",
	"Admission ptr admission,omitempty", "Remediation string remediation,omitempty", "Section string section,omitempty", "Level string level,omitempty",
	"Err interface -", // not written
}) && sameFields(reflect.TypeFor[inventory.Ref](), []string{
	"APIVersion string apiVersion", "Kind string kind", "Namespace string namespace,omitempty",
	"Name string name", "UID string uid,omitempty", "Source ptr source,omitempty",
}) && sameFields(reflect.TypeFor[check.Admission](), []string{
	"Binding string binding", "ValidationActions slice validationActions,omitempty",
}) && sameFields(reflect.TypeFor[check.Exception](), []string{
	"From string exceptedFrom", "ID string id,omitempty", "Reason string reason", "Owner string owner",
	"Expires string expires,omitempty", "Source string source",
}) && sameFields(reflect.TypeFor[inventory.Source](), []string{
	"File string file,omitempty", "Line int line,omitempty", "Root string root,omitempty",
}) && !reflect.PointerTo(reflect.TypeFor[check.Severity]()).Implements(reflect.TypeFor[json.Marshaler]()) &&
	!reflect.PointerTo(reflect.TypeFor[check.Status]()).Implements(reflect.TypeFor[json.Marshaler]())

func sameFields(t reflect.Type, want []string) bool {
	if t.NumField() != len(want) {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name+" "+f.Type.Kind().String()+" "+f.Tag.Get("json") != want[i] {
			return false
		}
	}
	return true
}

// appendResults appends the elements of the results array, each on its own lines at the
// indentation of a top-level field's value, and the closing bracket. flush writes what it is
// given and returns it emptied; appendResults calls it whenever dst has grown large.
func appendResults(dst []byte, n int, read ResultReader, flush func([]byte) ([]byte, error)) ([]byte, error) {
	dst = append(dst, '[')
	var err error
	switch workers := runtime.GOMAXPROCS(0); {
	case !resultFieldsKnown:
		dst, err = appendResultsEncoded(dst, n, read, flush)
	case workers > 1 && n > 2*resultBlock:
		dst, err = appendResultsParallel(dst, n, read, workers, flush)
	default:
		var memo memberMemo
		for lo := 0; lo < n && err == nil; lo += resultBlock {
			dst = memo.appendResults(dst, read, lo, min(lo+resultBlock, n))
			dst, err = flush(dst)
		}
	}
	if err != nil {
		return dst, err
	}
	if n > 0 {
		dst = append(dst, "\n  "...)
	}
	return append(dst, ']'), nil
}

// resultBlock is how many results are encoded in one piece: about 700 KB of JSON.
const resultBlock = 1024

// appendResultsParallel encodes blocks of results on workers goroutines and writes them in
// order with flush: the report of a large scan holds a million results, and encoding them is
// most of writing it. At most 2×workers blocks are encoded ahead of the one being written.
func appendResultsParallel(dst []byte, n int, read ResultReader, workers int, flush func([]byte) ([]byte, error)) ([]byte, error) {
	dst, err := flush(dst)
	if err != nil {
		return dst, err
	}
	type block struct {
		lo, hi int
		buf    []byte
		done   chan struct{}
	}
	// The buffers of the blocks under way: a block starts when one is free, and the writer
	// frees it once written. The channels hold as many blocks as there are buffers.
	ahead := 2 * workers
	free := make(chan []byte, ahead)
	for range ahead {
		free <- make([]byte, 0, resultBlock*1024) // the size of most blocks' JSON
	}
	order := make(chan *block, ahead) // blocks in results order, for the writer
	work := make(chan *block, ahead)  // the same blocks, for the encoders
	stop := make(chan struct{})
	go func() {
		defer close(work)
		defer close(order)
		for lo := 0; lo < n; lo += resultBlock {
			b := &block{lo: lo, hi: min(lo+resultBlock, n), done: make(chan struct{})}
			select {
			case b.buf = <-free:
			case <-stop:
				return
			}
			order <- b
			work <- b
		}
	}()
	for range workers {
		go func() {
			var memo memberMemo
			for b := range work {
				select {
				case <-stop:
				default:
					b.buf = memo.appendResults(b.buf[:0], read, b.lo, b.hi)
				}
				close(b.done)
			}
		}()
	}
	for b := range order {
		<-b.done
		if err != nil {
			continue // draining, so that every goroutine ends
		}
		if b.buf, err = flush(b.buf); err != nil {
			close(stop)
			continue
		}
		free <- b.buf
	}
	return dst, err
}

// appendResultsEncoded is appendResults with encoding/json, for a check.Result that
// appendResult does not know (see resultFieldsKnown).
func appendResultsEncoded(dst []byte, n int, read ResultReader, flush func([]byte) ([]byte, error)) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	var err error
	for lo := 0; lo < n && err == nil; lo += resultBlock {
		i := lo
		read(lo, min(lo+resultBlock, n), func(r *check.Result) {
			if err != nil {
				return
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			i++
			dst = append(dst, "\n    "...)
			buf.Reset()
			if err = enc.Encode(r); err == nil {
				dst = append(dst, printable.EscapeJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))...)
			}
		})
		if err == nil {
			dst, err = flush(dst)
		}
	}
	return dst, err
}

// appendResults appends the results lo to hi-1 of read as elements of the results array: each
// after a comma, unless it is the array's first, and on its own lines.
func (m *memberMemo) appendResults(dst []byte, read ResultReader, lo, hi int) []byte {
	i := lo
	read(lo, hi, func(r *check.Result) {
		if i > 0 {
			dst = append(dst, ',')
		}
		i++
		dst = append(dst, "\n    "...)
		dst = m.appendResult(dst, r)
	})
	return dst
}

// memberMemo remembers how the last result's members that are the same for every result of
// a check (title, remediation, ...) were written: results come grouped by check, so most are
// written again as they were, without escaping them again.
type memberMemo struct {
	last check.Result
	head []byte // checkID, title and severity, as written for last
	tail []byte // remediation, section and level, as written for last
}

// appendResult writes r as encoding/json does with the indentation of a results element.
func (m *memberMemo) appendResult(dst []byte, r *check.Result) []byte {
	const in = "\n      " // a member of a result
	dst = append(dst, '{')
	if m.head == nil || r.CheckID != m.last.CheckID || r.Title != m.last.Title || r.Severity != m.last.Severity {
		m.head = appendMember(m.head[:0], in, "checkID", r.CheckID, false)
		m.head = appendMember(m.head, ","+in, "title", r.Title, false)
		m.head = appendMember(m.head, ","+in, "severity", string(r.Severity), false)
		m.last.CheckID, m.last.Title, m.last.Severity = r.CheckID, r.Title, r.Severity
	}
	dst = append(dst, m.head...)
	dst = appendMember(dst, ","+in, "status", string(r.Status), false)
	if e := r.Exception; e != nil {
		const in2 = "\n        " // a member of the exception
		dst = append(dst, ","+in+`"exception": {`...)
		dst = appendMember(dst, in2, "exceptedFrom", string(e.From), false)
		dst = appendMember(dst, ","+in2, "id", e.ID, true)
		dst = appendMember(dst, ","+in2, "reason", e.Reason, false)
		dst = appendMember(dst, ","+in2, "owner", e.Owner, false)
		dst = appendMember(dst, ","+in2, "expires", e.Expires, true)
		dst = appendMember(dst, ","+in2, "source", e.Source, false)
		dst = append(dst, in+"}"...)
	}
	dst = appendMember(dst, ","+in, "baseline", r.Baseline, true)
	if o := r.Object; o != nil {
		const in2 = "\n        " // a member of the object
		dst = append(dst, ","+in+`"object": {`...)
		dst = appendMember(dst, in2, "apiVersion", o.APIVersion, false)
		dst = appendMember(dst, ","+in2, "kind", o.Kind, false)
		dst = appendMember(dst, ","+in2, "namespace", o.Namespace, true)
		dst = appendMember(dst, ","+in2, "name", o.Name, false)
		dst = appendMember(dst, ","+in2, "uid", o.UID, true)
		if s := o.Source; s != nil {
			const in3 = "\n          " // a member of the source
			dst = append(dst, ","+in2+`"source": {`...)
			sep := in3
			if s.File != "" {
				dst = appendMember(dst, sep, "file", s.File, false)
				sep = "," + in3
			}
			if s.Line != 0 {
				dst = append(dst, sep+`"line": `...)
				dst = strconv.AppendInt(dst, int64(s.Line), 10)
				sep = "," + in3
			}
			if s.Root != "" {
				dst = appendMember(dst, sep, "root", s.Root, false)
			}
			if s.File != "" || s.Line != 0 || s.Root != "" {
				dst = append(dst, in2...)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, "\n      }"...)
	}
	dst = appendMember(dst, ","+in, "message", r.Message, true)
	dst = appendMember(dst, ","+in, "field", r.Field, true)
	if a := r.Admission; a != nil {
		const in2, in3 = "\n        ", "\n          " // a member of the admission, an action
		dst = append(dst, ","+in+`"admission": {`...)
		dst = appendMember(dst, in2, "binding", a.Binding, false)
		if len(a.ValidationActions) > 0 {
			dst = append(dst, ","+in2+`"validationActions": [`...)
			for i, v := range a.ValidationActions {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, in3...)
				dst = appendJSONString(dst, v)
			}
			dst = append(dst, in2+"]"...)
		}
		dst = append(dst, in+"}"...)
	}
	if m.tail == nil || r.Remediation != m.last.Remediation || r.Section != m.last.Section || r.Level != m.last.Level {
		m.tail = appendMember(m.tail[:0], ","+in, "remediation", r.Remediation, true)
		m.tail = appendMember(m.tail, ","+in, "section", r.Section, true)
		m.tail = appendMember(m.tail, ","+in, "level", r.Level, true)
		m.tail = append(m.tail, "\n    }"...)
		m.last.Remediation, m.last.Section, m.last.Level = r.Remediation, r.Section, r.Level
	}
	return append(dst, m.tail...)
}

// appendMember writes sep, then "key": value; with omitEmpty, nothing for an empty value.
func appendMember(dst []byte, sep, key, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return dst
	}
	dst = append(dst, sep...)
	dst = append(dst, '"')
	dst = append(dst, key...)
	dst = append(dst, `": `...)
	return appendJSONString(dst, value)
}

// appendJSONString writes s as encoding/json does without HTML escaping, then escapes the
// runes encoding/json leaves raw and that are not printable (see printable.EscapeJSON).
func appendJSONString(dst []byte, s string) []byte {
	start := len(dst)
	dst = jsonenc.AppendString(dst, s)
	// ASCII below DEL is printable once encoded: only the rest may need more.
	if !jsonenc.BelowDEL(s) {
		if esc := printable.EscapeJSON(dst[start:]); len(esc) != len(dst)-start { // escaping lengthens
			dst = append(dst[:start], esc...)
		}
	}
	return dst
}
