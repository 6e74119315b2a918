package yamldoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Error is a problem in a document's text at a 1-based line: a JSON structure error, or a
// YAML node that has no JSON form.
type Error struct {
	Line int
	Msg  string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Member is one member of a JSON object.
type Member struct {
	Key string
	// KeyLine is the line of the key.
	KeyLine int
	// Value is the member's value: its text (a sub-slice of the input) and line.
	Value Document
}

// SplitJSON returns the top-level values of a stream of JSON values (one value, or several
// separated by white space), each with the line it starts on. It checks only the structure
// (brackets, strings); the values' own syntax is checked when they are decoded. On a
// structural error it returns the values before it and the error.
func SplitJSON(data []byte) ([]Document, error) {
	s := scanner{data: data, line: 1}
	if bytes.HasPrefix(data, bom) {
		s.pos = len(bom)
	}
	var out []Document
	for {
		s.skipSpace()
		if s.pos >= len(s.data) {
			return out, nil
		}
		v, err := s.value()
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

// JSONMembers returns the members of the JSON object in d.Data, in order.
func JSONMembers(d Document) ([]Member, error) {
	s := scanner{data: d.Data, line: d.Line}
	s.skipSpace()
	if !s.consume('{') {
		return nil, s.errorf("expected an object")
	}
	var out []Member
	for first := true; ; first = false {
		s.skipSpace()
		if s.consume('}') {
			return out, nil
		}
		if !first {
			if !s.consume(',') {
				return out, s.errorf("expected ',' or '}' after an object member")
			}
			s.skipSpace()
		}
		keyLine := s.line
		if s.pos < len(s.data) && s.data[s.pos] != '"' {
			if err := s.noComment(); err != nil {
				return out, err
			}
			return out, &Error{Line: keyLine, Msg: "object key is not a string"}
		}
		k, err := s.value()
		if err != nil {
			return out, err
		}
		key, err := jsonString(k.Data)
		if err != nil {
			return out, &Error{Line: keyLine, Msg: err.Error()}
		}
		s.skipSpace()
		if !s.consume(':') {
			return out, s.errorf("expected ':' after object key")
		}
		s.skipSpace()
		v, err := s.value()
		if err != nil {
			return out, err
		}
		out = append(out, Member{Key: key, KeyLine: keyLine, Value: v})
	}
}

// JSONElements returns the elements of the JSON array in d.Data, in order.
func JSONElements(d Document) ([]Document, error) {
	s := scanner{data: d.Data, line: d.Line}
	s.skipSpace()
	if !s.consume('[') {
		return nil, s.errorf("expected an array")
	}
	var out []Document
	for first := true; ; first = false {
		s.skipSpace()
		if s.consume(']') {
			return out, nil
		}
		if !first {
			if !s.consume(',') {
				return out, s.errorf("expected ',' or ']' after an array element")
			}
			s.skipSpace()
		}
		v, err := s.value()
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

// JSONString decodes a JSON string literal; ok is false when d is not one.
func JSONString(d Document) (s string, ok bool) {
	if len(d.Data) == 0 || d.Data[0] != '"' {
		return "", false
	}
	s, err := jsonString(d.Data)
	return s, err == nil
}

func jsonString(lit []byte) (string, error) {
	if bytes.IndexByte(lit, '\\') < 0 && len(lit) >= 2 {
		return string(lit[1 : len(lit)-1]), nil
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
}

// LineAt returns the line of byte offset off of d.Data.
func LineAt(d Document, off int) int {
	off = min(max(off, 0), len(d.Data))
	return d.Line + bytes.Count(d.Data[:off], []byte{'\n'})
}

// JSONLookup returns the line of the field at path (e.g. "spec.containers[0].image") in
// the JSON object d; with last set, the line of the last of several members with the path's
// final key (the one a duplicate-field error is about). ok is false when the path is not
// found.
func JSONLookup(d Document, path string, last bool) (line int, ok bool) {
	cur := d
	line = d.Line
	for path != "" {
		if path[0] == '[' {
			i := strings.IndexByte(path, ']')
			if i < 0 {
				return 0, false
			}
			idx, err := strconv.Atoi(path[1:i])
			if err != nil {
				return 0, false
			}
			elems, err := JSONElements(cur)
			if err != nil || idx < 0 || idx >= len(elems) {
				return 0, false
			}
			cur, line = elems[idx], elems[idx].Line
			path = strings.TrimPrefix(path[i+1:], ".")
			continue
		}
		members, err := JSONMembers(cur)
		if err != nil {
			return 0, false
		}
		best := -1
		bestLen := 0
		for i, m := range members {
			if hasField(path, m.Key) && (len(m.Key) > bestLen || (last && len(m.Key) == bestLen)) {
				best, bestLen = i, len(m.Key)
			}
		}
		if best < 0 {
			return 0, false
		}
		m := members[best]
		cur, line = m.Value, m.KeyLine
		path = strings.TrimPrefix(path[len(m.Key):], ".")
	}
	return line, true
}

// hasField reports whether path starts with the field key, followed by the end, "." or "[".
func hasField(path, key string) bool {
	if !strings.HasPrefix(path, key) {
		return false
	}
	rest := path[len(key):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// scanner walks JSON text structurally, counting lines.
type scanner struct {
	data []byte
	pos  int
	line int
}

func (s *scanner) errorf(format string, args ...any) error {
	return &Error{Line: s.line, Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\n':
			s.line++
		case ' ', '\t', '\r':
		default:
			return
		}
		s.pos++
	}
}

func (s *scanner) consume(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// value skips one value starting at s.pos and returns it.
func (s *scanner) value() (Document, error) {
	start, line := s.pos, s.line
	if s.pos >= len(s.data) {
		return Document{}, s.errorf("unexpected end of JSON input")
	}
	switch c := s.data[s.pos]; c {
	case '"':
		if err := s.skipString(); err != nil {
			return Document{}, err
		}
	case '{', '[':
		if err := s.skipContainer(); err != nil {
			return Document{}, err
		}
	case '}', ']', ',', ':':
		return Document{}, s.errorf("unexpected %q", c)
	default:
		if err := s.noComment(); err != nil {
			return Document{}, err
		}
		for s.pos < len(s.data) && !isDelimiter(s.data[s.pos]) {
			s.pos++
		}
		switch lit := string(s.data[start:s.pos]); {
		case lit == "true", lit == "false", lit == "null", c == '-', c >= '0' && c <= '9':
			// A number's own syntax is checked when it is decoded.
		default:
			return Document{}, &Error{Line: line, Msg: fmt.Sprintf("invalid character %q: not the start of a JSON value", c)}
		}
	}
	return Document{Data: s.data[start:s.pos], Line: line, ContentLine: line}, nil
}

// noComment returns an error when a comment ("#", "//", "/*") starts at s.pos.
func (s *scanner) noComment() error {
	if s.pos < len(s.data) && (s.data[s.pos] == '#' || s.data[s.pos] == '/') {
		return s.errorf("invalid character %q: JSON has no comments", s.data[s.pos])
	}
	return nil
}

func (s *scanner) skipString() error {
	line := s.line
	for s.pos++; s.pos < len(s.data); s.pos++ {
		switch s.data[s.pos] {
		case '\\':
			s.pos++
		case '\n':
			s.line++
		case '"':
			s.pos++
			return nil
		}
	}
	return &Error{Line: line, Msg: "unterminated string"}
}

func (s *scanner) skipContainer() error {
	var stack []byte
	line := s.line
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case '"':
			if err := s.skipString(); err != nil {
				return err
			}
			continue
		case '{', '[':
			stack = append(stack, c)
		case '}', ']':
			open := byte('{')
			if c == ']' {
				open = '['
			}
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return s.errorf("unexpected %q", c)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				s.pos++
				return nil
			}
		case '\n':
			s.line++
		}
		s.pos++
	}
	return &Error{Line: line, Msg: "unterminated " + map[byte]string{'{': "object", '[': "array"}[stack[0]]}
}

// isDelimiter reports whether c ends a JSON number or literal.
func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ':', '"', '{', '[', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
