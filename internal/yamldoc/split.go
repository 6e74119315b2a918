// Package yamldoc splits YAML and JSON streams into documents without parsing them, keeping
// the line each document starts on, and converts parsed YAML to JSON the way Kubernetes
// clients (kubectl, sigs.k8s.io/yaml) read manifests.
//
// Splitting is textual so that the documents of one large file can be parsed in parallel.
// It follows the YAML 1.2 rule that a line starting with "---" or "..." followed by a space,
// a tab or the end of the line is a document marker wherever it appears: such a line cannot
// be the content of a block scalar (block scalar content is indented under its key) nor of
// any other node.
package yamldoc

import (
	"bytes"
	"unicode/utf8"
)

// Document is one document of a stream.
type Document struct {
	// Data is the document's text, a sub-slice of the input. A document opened by a "---"
	// marker starts right after the marker, on the marker's line.
	Data []byte
	// Line is the 1-based line of the input on which Data starts.
	Line int
	// ContentLine is the 1-based line of the document's first content: the first line that
	// is not blank and not only a comment.
	ContentLine int
}

var bom = []byte("\ufeff")

// Split returns the documents of a YAML stream that have content, in order. It handles a
// byte order mark at the start, "---" markers with content or comments after them, "..."
// document end markers, directives ("%YAML 1.2") before a marker, and CRLF line ends.
// Documents holding only blank lines and comments are left out.
func Split(data []byte) []Document {
	var docs []Document
	pos := 0
	if bytes.HasPrefix(data, bom) {
		pos = len(bom)
	}
	// The stream starts with a bare document (one without a "---" marker).
	cur := Document{Line: 1}
	curStart := pos
	open, explicit := true, false
	finish := func(end int) {
		if open && cur.ContentLine > 0 {
			cur.Data = data[curStart:end]
			docs = append(docs, cur)
		}
		open = false
	}
	for lineNo := 1; pos < len(data); lineNo++ {
		next := len(data)
		end := next
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end = pos + i
			next = end + 1
		}
		line := data[pos:end]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		markerLine := bytes.TrimPrefix(line, bom) // concatenated files may carry their BOM
		switch {
		case isMarker(markerLine, '-'):
			finish(pos)
			cur = Document{Line: lineNo}
			curStart = pos + (len(line) - len(markerLine)) + 3
			open, explicit = true, true
			if hasContent(markerLine[3:]) {
				cur.ContentLine = lineNo
			}
		case isMarker(markerLine, '.'):
			finish(pos)
		case !open:
			// After "...": blank lines, comments and directives until a bare document starts.
			if hasContent(line) && line[0] != '%' {
				cur = Document{Line: lineNo, ContentLine: lineNo}
				curStart = pos
				open, explicit = true, false
			}
		case cur.ContentLine == 0 && hasContent(line):
			// A directive before the first "---" belongs to the next document, not this one;
			// a bare document cannot start with '%'.
			if !(line[0] == '%' && !explicit) {
				cur.ContentLine = lineNo
			}
		}
		pos = next
	}
	finish(len(data))
	return docs
}

// isMarker reports whether line is a document marker made of three c: "---" or "...".
func isMarker(line []byte, c byte) bool {
	return len(line) >= 3 && line[0] == c && line[1] == c && line[2] == c &&
		(len(line) == 3 || line[3] == ' ' || line[3] == '\t')
}

// hasContent reports whether line holds something other than blanks and a comment.
func hasContent(line []byte) bool {
	for _, c := range line {
		switch c {
		case ' ', '\t', '\r':
			continue
		case '#':
			return false
		default:
			return true
		}
	}
	return false
}

// indent returns the number of leading spaces of line, and whether the first non-space
// character is a tab (which YAML does not allow in indentation).
func indent(line []byte) (n int, tab bool) {
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n, n < len(line) && line[n] == '\t'
}

// SplitItems splits a large List document without parsing it: it finds the block sequence
// that is the value of the top-level key "items" and returns one Document per element (each
// element's text starts with its "-" and parses as a one-element sequence), and head, the
// document's text with that sequence removed (so "items" is null in it).
//
// It only recognises the plain layout that YAML writers emit (an unquoted "items:" key at
// the document's indentation, followed by "-" entries); ok is false for anything else, and
// the caller must then parse the document whole. A caller must also treat a parse failure of
// head or of an element as "not ok": a multi-line flow collection written with less
// indentation than YAML asks for can make the textual split wrong, and parsing tells.
func SplitItems(doc Document) (head []byte, items []Document, ok bool) {
	data := doc.Data
	top := -1      // indentation of the document's top-level keys
	itemsEnd := -1 // offset just after the "items:" line
	seqIndent := -1
	seqEnd := -1
	itemStart := -1 // offset of the current element's first line
	closeItem := func(end int) {
		if itemStart >= 0 {
			items[len(items)-1].Data = data[itemStart:end]
			itemStart = -1
		}
	}
	openItem := func(start, line int) {
		items = append(items, Document{Line: line, ContentLine: line})
		itemStart = start
	}
	lineNo := doc.Line
	for pos := 0; pos < len(data); lineNo++ {
		next := len(data)
		end := next
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end = pos + i
			next = end + 1
		}
		line := data[pos:end]
		if !hasContent(line) {
			pos = next
			continue
		}
		n, tab := indent(line)
		if tab || (pos == 0 && n > 0) {
			// A first line that is indented may be what follows a "---" marker: its
			// indentation cannot be told.
			return nil, nil, false
		}
		switch {
		case top < 0:
			top = n
			if isItemsKey(line[n:]) {
				itemsEnd = next
			}
		case itemsEnd < 0:
			if n == top && isItemsKey(line[n:]) {
				itemsEnd = next
			}
		case seqIndent < 0:
			if n < top || !isEntry(line[n:]) {
				return nil, nil, false
			}
			seqIndent = n
			openItem(pos, lineNo)
		case seqEnd < 0:
			switch {
			case n > seqIndent:
				// Inside the current element.
			case n == seqIndent && isEntry(line[n:]):
				closeItem(pos)
				openItem(pos, lineNo)
			case n == top:
				closeItem(pos)
				seqEnd = pos
			default:
				return nil, nil, false
			}
		case n < top:
			return nil, nil, false
		}
		pos = next
	}
	if itemsEnd < 0 || seqIndent < 0 {
		return nil, nil, false
	}
	if seqEnd < 0 {
		closeItem(len(data))
		seqEnd = len(data)
	}
	head = make([]byte, 0, itemsEnd+len(data)-seqEnd)
	head = append(head, data[:itemsEnd]...)
	head = append(head, data[seqEnd:]...)
	return head, items, true
}

// isItemsKey reports whether s (a line without its indentation) is "items:" with nothing
// but a comment after it.
func isItemsKey(s []byte) bool {
	rest, found := bytes.CutPrefix(s, []byte("items:"))
	return found && !hasContent(rest)
}

// isEntry reports whether s (a line without its indentation) starts a block sequence entry.
func isEntry(s []byte) bool {
	return len(s) > 0 && s[0] == '-' && (len(s) == 1 || s[1] == ' ' || s[1] == '\r' || s[1] == '\t')
}

// InvalidChar returns the offset of the first character of data that a YAML stream may not
// hold, as go-yaml's reader checks it: a control character other than tab, line feed,
// carriage return and next line (U+0085), a surrogate, U+FFFE or U+FFFF, or bytes that are
// not UTF-8 (r is then utf8.RuneError). go-yaml reports these without a line.
func InvalidChar(data []byte) (off int, r rune, found bool) {
	for off < len(data) {
		c := data[off]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f || c == '\t' || c == '\n' || c == '\r' {
				off++
				continue
			}
			return off, rune(c), true
		}
		r, size := utf8.DecodeRune(data[off:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return off, utf8.RuneError, true
		case r == 0x85, r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000:
			off += size
		default:
			return off, r, true
		}
	}
	return 0, 0, false
}

// TabIndentLine returns the first line of data, counting from 1, at or after line from,
// that has content after an indentation holding a tab.
func TabIndentLine(data []byte, from int) (line int, found bool) {
	line = 1
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		if line >= from && tabColumn(data[:end]) > 0 {
			return line, true
		}
		data = data[min(end+1, len(data)):]
		line++
	}
	return 0, false
}

// AliasLine returns the first line of data, counting from 1, that refers to the anchor name
// ("*name") outside quotes and comments: where go-yaml's "unknown anchor" error, which
// has no line, is about.
func AliasLine(data []byte, name string) (line int, found bool) {
	line, _, found = aliasPos(data, name)
	return line, found
}

// aliasPos returns the line and column, counting from 1, of the first alias of the anchor
// name in data (see AliasLine).
func aliasPos(data []byte, name string) (line, col int, found bool) {
	line = 1
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		if i := aliasIndex(data[:end], name); i >= 0 {
			return line, 1 + utf8.RuneCount(data[:i]), true
		}
		data = data[min(end+1, len(data)):]
		line++
	}
	return 0, 0, false
}

// aliasIndex returns the offset in line s of the "*" of the alias *name outside quotes and
// comments, or -1.
func aliasIndex(s []byte, name string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return -1
		case c == '*' && (i == 0 || bytes.IndexByte([]byte(" \t[{,:-?"), s[i-1]) >= 0):
			rest := s[i+1:]
			if bytes.HasPrefix(rest, []byte(name)) {
				if len(rest) == len(name) || bytes.IndexByte([]byte(" \t\r,]}"), rest[len(name)]) >= 0 {
					return i
				}
			}
		}
	}
	return -1
}
