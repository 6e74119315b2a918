package yamldoc

import (
	"bytes"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Header is what FastJSON read of an object's identity: the values of the root mapping's
// keys apiVersion and kind, and of metadata's keys name and namespace, each when it is a
// string ("" when it is absent or not a string, as JSONString reads the JSON). Line is the
// 1-based line of data holding the root mapping's first key. Items reports whether the root
// mapping has the key items (whatever its value), which may make the object a list.
type Header struct {
	APIVersion, Kind, Name, Namespace string
	Line                              int
	Items                             bool
}

// FastJSON converts one YAML document (a Document's Data) to JSON without building a node
// tree, when the document is written in the plain layout that YAML writers (kubectl, Helm,
// sigs.k8s.io/yaml, go-yaml) and most people emit: a block mapping at the root; block
// mappings and block sequences (a sequence may sit at its key's indentation); plain,
// single-quoted and double-quoted one-line scalars; literal block scalars ("|", "|-",
// "|+"); flow collections written on one line ("[a, b]", "{a: 1}", "{}"); comments and blank
// lines. The result is byte for byte what AppendJSON writes for the parsed document, and h
// is read from it.
//
// ok is false whenever the document uses anything else (anchors, aliases, tags, merge keys,
// flow collections over several lines, folded or multi-line scalars, tabs, CR line ends, a
// duplicated key, a scalar with no JSON form) or is not well formed: the caller then parses
// it with a YAML parser, which also gives any error its line.
func FastJSON(dst, data []byte) (out []byte, h Header, ok bool) {
	if !fastSafeText(data) {
		return dst, h, false
	}
	p := fastParsers.Get().(*fastParser)
	*p = fastParser{data: data, dst: dst, next: 1, keys: p.keys[:0]}
	ok = p.document()
	out, h = p.dst, p.header
	clear(p.keys[:cap(p.keys)]) // drop the references to data
	*p = fastParser{keys: p.keys[:0]}
	fastParsers.Put(p)
	if !ok {
		return dst, Header{}, false
	}
	return out, h, true
}

// document writes the document: a block mapping at column 0 (an indented first line may be
// the rest of a "---" line, which the parser must see).
func (p *fastParser) document() bool {
	p.advance()
	if p.eof || p.indent != 0 {
		return false
	}
	if _, _, ok := splitKey(p.text); !ok {
		return false
	}
	p.header.Line = p.line
	p.role = roleRoot
	return p.mapping(p.indent, 0) && p.eof && !p.bad
}

// fastParsers keeps parsers, with their key stacks, for reuse.
var fastParsers = sync.Pool{New: func() any { return new(fastParser) }}

// fastSafeText reports whether data has no byte that the fast path leaves to the parser:
// tabs, CRs, other control characters, Unicode line breaks, and non-ASCII text that is
// invalid UTF-8 or not printable as YAML defines it.
func fastSafeText(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		// YAML's printable set, beyond ASCII: U+00A0..U+D7FF, U+E000..U+FFFD but the byte
		// order mark, and the supplementary planes. NEL, LS and PS, which go-yaml reads as
		// line breaks, are left to the parser too.
		if !(r >= 0xA0 && r <= 0xD7FF && r != 0x2028 && r != 0x2029 || r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF || r >= 0x10000) {
			return false
		}
		i += size
	}
	return true
}

const fastMaxDepth = 1000

// fastParser walks the content lines of a document. The current line is described by line,
// indent (its column), text (the line from that column on, without the line end) and next
// (the offset after its line end); eof is set when there is no further content line.
type fastParser struct {
	data []byte
	dst  []byte
	pos  int // offset of the line after the current one
	line int // 1-based line number of the current line
	next int // line number of the line at pos

	indent int
	text   []byte
	eof    bool
	bad    bool // a line the fast path does not read was met

	keys [][]byte // the keys of the mappings being written, innermost last

	header  Header
	role    mappingRole // of the next mapping to start
	capture *string     // where the next scalar goes when it is a string
}

// mappingRole says which mapping of an object a mapping is, for Header.
type mappingRole uint8

const (
	roleNone mappingRole = iota
	roleRoot
	roleMetadata
)

// advance moves to the next line that has content (not blank, not only a comment).
func (p *fastParser) advance() {
	for p.pos < len(p.data) {
		start, lineNo := p.pos, p.next
		end := len(p.data)
		if i := indexNewline(p.data[start:]); i >= 0 {
			end = start + i
			p.pos = end + 1
		} else {
			p.pos = end
		}
		p.next++
		n := 0
		for start+n < end && p.data[start+n] == ' ' {
			n++
		}
		if start+n == end || p.data[start+n] == '#' {
			continue
		}
		p.line, p.indent, p.text = lineNo, n, p.data[start+n:end]
		if n == 0 && (isMarker(p.text, '-') || isMarker(p.text, '.')) {
			p.bad = true // a document marker: the splitter should have cut here
		}
		return
	}
	p.eof, p.text = true, nil
}

func indexNewline(b []byte) int { return bytes.IndexByte(b, '\n') }

// splitKey splits "key: rest" into the key's JSON name and rest (with leading spaces
// removed). ok is false when text is not a mapping entry the fast path reads. key is a
// sub-slice of text unless the key needed decoding.
func splitKey(text []byte) (key, rest []byte, ok bool) {
	if len(text) == 0 {
		return nil, nil, false
	}
	var after []byte
	switch c := text[0]; {
	case c == '"' || c == '\'':
		s, n, ok := quoted(text)
		if !ok || n >= len(text) || text[n] != ':' || n > maxFastKey {
			return nil, nil, false
		}
		key, after = s, text[n+1:]
	case isIndicator(c) || c == '-' || c == '<':
		return nil, nil, false
	default:
		i := 0
		for ; i < len(text); i++ {
			if text[i] == ':' && (i+1 == len(text) || text[i+1] == ' ') {
				break
			}
			if text[i] == '#' && text[i-1] == ' ' {
				return nil, nil, false
			}
		}
		if i == len(text) || i > maxFastKey {
			return nil, nil, false
		}
		k, ok := plainKey(bytes.TrimRight(text[:i], " ")) // "key :" is "key"
		if !ok {
			return nil, nil, false
		}
		key, after = k, text[i+1:]
	}
	if len(after) > 0 && after[0] != ' ' {
		return nil, nil, false
	}
	for len(after) > 0 && after[0] == ' ' {
		after = after[1:]
	}
	return key, after, true
}

// maxFastKey bounds the length of a key: go-yaml rejects implicit keys longer than 1,024
// characters.
const maxFastKey = 1000

// plainKey returns a plain scalar key as a JSON object key, as keyString does.
func plainKey(b []byte) ([]byte, bool) {
	v, ok := resolvePlainBytes(b)
	if ok {
		return b, true // a string
	}
	switch v.kind {
	case kString:
		return b, true
	case kBool:
		return strconv.AppendBool(nil, v.b), true
	case kInt:
		return strconv.AppendInt(nil, v.i, 10), true
	case kUint:
		return strconv.AppendUint(nil, v.u, 10), true
	}
	return nil, false // null keys are errors; float keys are left to the parser
}

// resolvePlainBytes reads an unquoted scalar as resolvePlain does. isString is true, and v
// unset, when it is a string: most scalars are, and then nothing is converted.
func resolvePlainBytes(b []byte) (v scalar, isString bool) {
	if len(b) == 0 {
		return scalar{kind: kNull}, false
	}
	switch c := b[0]; {
	case c == 'y' || c == 'Y' || c == 'n' || c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F' || c == 'o' || c == 'O' || c == '~':
		switch string(b) { // no allocation: the conversion is only compared
		case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
			"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
			"~", "null", "Null", "NULL":
			return resolvePlain(string(b)), false
		}
		return scalar{}, true
	case c == '.' || c == '+' || c == '-' || c >= '0' && c <= '9':
		v := resolvePlain(string(b))
		return v, v.kind == kString
	}
	return scalar{}, true
}

// isIndicator reports whether c may not start a plain scalar (YAML's c-indicator, but '-',
// which callers handle).
func isIndicator(c byte) bool {
	switch c {
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return true
	}
	return false
}

// isEntryText reports whether text (a line from its indentation on) starts a block sequence
// entry.
func isEntryText(text []byte) bool {
	return len(text) > 0 && text[0] == '-' && (len(text) == 1 || text[1] == ' ')
}

// mapping writes the block mapping whose keys are at column col; the current line is its
// first entry.
func (p *fastParser) mapping(col, depth int) bool {
	if depth > fastMaxDepth {
		return false
	}
	role := p.role
	p.role, p.capture = roleNone, nil
	p.dst = append(p.dst, '{')
	base := len(p.keys)
	ok := p.entries(col, depth, role, base)
	p.keys = p.keys[:base]
	return ok
}

// entries writes the entries of a mapping (see mapping); the keys written so far are
// p.keys[base:].
func (p *fastParser) entries(col, depth int, role mappingRole, base int) bool {
	var seen map[string]bool
	for first := true; ; first = false {
		key, rest, ok := splitKey(p.text)
		if !ok || !p.addKey(key, base, &seen) {
			return false
		}
		if !first {
			p.dst = append(p.dst, ',')
		}
		p.dst = appendString(p.dst, key)
		p.dst = append(p.dst, ':')
		switch role {
		case roleRoot:
			switch string(key) {
			case "apiVersion":
				p.capture = &p.header.APIVersion
			case "kind":
				p.capture = &p.header.Kind
			case "metadata":
				p.role = roleMetadata
			case "items":
				p.header.Items = true
			}
		case roleMetadata:
			switch string(key) {
			case "name":
				p.capture = &p.header.Name
			case "namespace":
				p.capture = &p.header.Namespace
			}
		}
		ok = p.value(rest, col, true, depth)
		p.capture, p.role = nil, roleNone
		if !ok {
			return false
		}
		switch {
		case p.eof || p.indent < col:
			p.dst = append(p.dst, '}')
			return true
		case p.indent > col || isEntryText(p.text):
			return false
		}
	}
}

// addKey adds key to the keys of the mapping being written, p.keys[base:] (and *seen, a set
// that takes over once there are many, so that a large mapping is checked in linear time);
// it reports false when the mapping has the key already (the parser then reports it).
func (p *fastParser) addKey(key []byte, base int, seen *map[string]bool) bool {
	if *seen != nil {
		if (*seen)[string(key)] {
			return false
		}
		(*seen)[string(key)] = true
		return true
	}
	for _, k := range p.keys[base:] {
		if bytes.Equal(k, key) {
			return false
		}
	}
	p.keys = append(p.keys, key)
	if len(p.keys)-base > 32 {
		*seen = make(map[string]bool, 64)
		for _, k := range p.keys[base:] {
			(*seen)[string(k)] = true
		}
	}
	return true
}

// sequence writes the block sequence whose dashes are at column col; the current line is
// its first entry.
func (p *fastParser) sequence(col, depth int) bool {
	if depth > fastMaxDepth {
		return false
	}
	p.role, p.capture = roleNone, nil
	p.dst = append(p.dst, '[')
	for first := true; ; first = false {
		if !first {
			p.dst = append(p.dst, ',')
		}
		rest := p.text[1:]
		inner := col + 1
		for len(rest) > 0 && rest[0] == ' ' {
			rest = rest[1:]
			inner++
		}
		switch {
		case len(rest) == 0 || rest[0] == '#':
			if !p.value(nil, col, false, depth) {
				return false
			}
		case isEntryText(rest):
			return false // "- - x": left to the parser
		default:
			if _, _, isKey := splitKey(rest); isKey {
				p.text, p.indent = rest, inner
				if !p.mapping(inner, depth+1) {
					return false
				}
			} else if !p.value(rest, col, false, depth) {
				return false
			}
		}
		switch {
		case p.eof || p.indent < col:
			p.dst = append(p.dst, ']')
			return true
		case p.indent > col:
			return false
		case !isEntryText(p.text):
			// A key at the column of the dashes: the sequence was a mapping value written
			// at its key's indentation, and the mapping goes on.
			p.dst = append(p.dst, ']')
			return true
		}
	}
}

// value writes the value of a mapping entry or sequence entry at column n (the key's or the
// dash's), whose text after the key or dash is rest. After it, the current line is the
// first line after the value.
func (p *fastParser) value(rest []byte, n int, mappingValue bool, depth int) bool {
	if len(rest) == 0 || rest[0] == '#' {
		p.advance()
		switch {
		case p.eof:
		case p.indent > n:
			return p.node(depth + 1)
		case mappingValue && p.indent == n && isEntryText(p.text):
			return p.sequence(n, depth+1)
		}
		p.dst = append(p.dst, "null"...)
		return true
	}
	var ok bool
	switch rest[0] {
	case '|':
		return p.literal(rest, n)
	case '"', '\'':
		var s []byte
		var end int
		if s, end, ok = quoted(rest); ok && onlyComment(rest[end:]) {
			p.str(s)
		} else {
			ok = false
		}
	case '{', '[':
		var end int
		if end, ok = p.flow(rest, 0, depth+1); ok {
			ok = onlyComment(rest[end:])
		}
	default:
		ok = p.plain(rest)
	}
	if !ok {
		return false
	}
	p.advance()
	// A more indented line would continue a multi-line scalar, or be an error.
	return p.eof || p.indent <= n
}

// node writes the block node starting at the current line.
func (p *fastParser) node(depth int) bool {
	if isEntryText(p.text) {
		return p.sequence(p.indent, depth)
	}
	if _, _, ok := splitKey(p.text); ok {
		return p.mapping(p.indent, depth)
	}
	return false
}

// flow writes the one-line flow collection ("[...]" or "{...}") that starts at s[i], and
// returns the offset after it. Its scalars are plain or quoted; an entry of a flow mapping
// is "key: value". Anything else (a collection over several lines, "{a}", "[a: b]",
// an empty entry, a comment) is left to the parser.
func (p *fastParser) flow(s []byte, i, depth int) (end int, ok bool) {
	if depth > fastMaxDepth {
		return 0, false
	}
	role := p.role
	p.role, p.capture = roleNone, nil
	base := len(p.keys)
	end, ok = p.flowEntries(s, i, depth, role, base)
	p.keys = p.keys[:base]
	return end, ok
}

// flowEntries writes the flow collection at s[i] (see flow); the keys written so far are
// p.keys[base:].
func (p *fastParser) flowEntries(s []byte, i, depth int, role mappingRole, base int) (end int, ok bool) {
	open := s[i]
	closing := open + 2 // ']' or '}'
	p.dst = append(p.dst, open)
	i = skipSpaces(s, i+1)
	if i < len(s) && s[i] == closing {
		p.dst = append(p.dst, closing)
		return i + 1, true
	}
	var seen map[string]bool
	for first := true; ; first = false {
		if !first {
			p.dst = append(p.dst, ',')
		}
		if open == '{' {
			key, n, ok := flowKey(s, i)
			if !ok || !p.addKey(key, base, &seen) {
				return 0, false
			}
			p.dst = appendString(p.dst, key)
			p.dst = append(p.dst, ':')
			if role == roleMetadata {
				switch string(key) {
				case "name":
					p.capture = &p.header.Name
				case "namespace":
					p.capture = &p.header.Namespace
				}
			}
			i = skipSpaces(s, n)
		}
		if i, ok = p.flowValue(s, i, depth); !ok {
			return 0, false
		}
		p.capture = nil
		i = skipSpaces(s, i)
		switch {
		case i < len(s) && s[i] == closing:
			p.dst = append(p.dst, closing)
			return i + 1, true
		case i < len(s) && s[i] == ',':
			i = skipSpaces(s, i+1)
			if i >= len(s) || s[i] == ',' || s[i] == closing {
				return 0, false // an empty entry or a trailing comma
			}
		default:
			return 0, false
		}
	}
}

// flowKey reads the key of a flow mapping entry at s[i] and the ": " after it; n is the
// offset after the colon.
func flowKey(s []byte, i int) (key []byte, n int, ok bool) {
	if i >= len(s) {
		return nil, 0, false
	}
	if c := s[i]; c == '"' || c == '\'' {
		key, n, ok = quoted(s[i:])
		n += i
	} else {
		j := i
		for j < len(s) && !(s[j] == ':' && j+1 < len(s) && s[j+1] == ' ') {
			if isFlowStop(s[j]) || s[j] == '#' && s[j-1] == ' ' {
				return nil, 0, false
			}
			j++
		}
		if j == len(s) || j-i > maxFastKey || isIndicator(s[i]) || s[i] == '-' || s[i] == '<' {
			return nil, 0, false
		}
		key, ok = plainKey(bytes.TrimRight(s[i:j], " "))
		n = j
	}
	if !ok || n+1 >= len(s) || s[n] != ':' || s[n+1] != ' ' {
		return nil, 0, false
	}
	return key, n + 1, true
}

// flowValue writes the flow node at s[i]: a collection, or a plain or quoted scalar.
func (p *fastParser) flowValue(s []byte, i, depth int) (end int, ok bool) {
	if i >= len(s) {
		return 0, false
	}
	switch c := s[i]; {
	case c == '[' || c == '{':
		return p.flow(s, i, depth+1)
	case c == '"' || c == '\'':
		v, n, ok := quoted(s[i:])
		if !ok {
			return 0, false
		}
		p.str(v)
		return i + n, true
	case isIndicator(c) || c == '-' && (i+1 == len(s) || s[i+1] == ' '):
		return 0, false
	}
	// A plain scalar: up to a flow indicator, or a colon (a key, which a sequence of
	// single-pair mappings would have), or a comment.
	j := i
	for j < len(s) && !isFlowStop(s[j]) {
		if s[j] == ':' && (j+1 == len(s) || s[j+1] == ' ' || isFlowStop(s[j+1])) || s[j] == '#' && s[j-1] == ' ' {
			return 0, false
		}
		j++
	}
	end = j
	for j > i && s[j-1] == ' ' {
		j--
	}
	if j == i || !p.plainValue(s[i:j]) {
		return 0, false
	}
	return end, true
}

// isFlowStop reports whether c ends a plain scalar in a flow collection. The parser the
// API machinery uses (libyaml's, in go.yaml.in/yaml) also ends one at '?', so "[0?]" is a
// syntax error there: the fast path stops at it and leaves such a document to the parser.
func isFlowStop(c byte) bool {
	return c == ',' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}'
}

func skipSpaces(s []byte, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// onlyComment reports whether s holds nothing but spaces and a comment (which needs a space
// before its '#').
func onlyComment(s []byte) bool {
	for i, c := range s {
		switch {
		case c == ' ':
		case c == '#' && i > 0:
			return true
		default:
			return false
		}
	}
	return true
}

// plain writes the one-line plain scalar that rest starts, up to a comment.
func (p *fastParser) plain(rest []byte) bool {
	if isIndicator(rest[0]) || rest[0] == '-' && (len(rest) == 1 || rest[1] == ' ') {
		return false
	}
	end := len(rest)
	for i := 1; i < len(rest); i++ {
		if rest[i] == '#' && rest[i-1] == ' ' {
			end = i
			break
		}
		if rest[i] == ':' && (i+1 == len(rest) || rest[i+1] == ' ') {
			return false
		}
	}
	for end > 0 && rest[end-1] == ' ' {
		end--
	}
	if rest[end-1] == ':' {
		return false
	}
	return p.plainValue(rest[:end])
}

// plainValue writes the plain scalar text, resolved as resolvePlain does.
func (p *fastParser) plainValue(text []byte) bool {
	s, isString := resolvePlainBytes(text)
	if isString {
		p.str(text)
		return true
	}
	switch s.kind {
	case kNull:
		p.dst = append(p.dst, "null"...)
	case kBool:
		p.dst = strconv.AppendBool(p.dst, s.b)
	case kInt:
		p.dst = strconv.AppendInt(p.dst, s.i, 10)
	case kUint:
		p.dst = strconv.AppendUint(p.dst, s.u, 10)
	case kFloat:
		if s.f != s.f || s.f > 1.7976931348623157e308 || s.f < -1.7976931348623157e308 {
			return false // NaN and infinities have no JSON form: the slow path reports it
		}
		p.dst = appendFloat(p.dst, s.f)
	default:
		p.str([]byte(s.s))
	}
	return true
}

// str writes a string scalar, and keeps it for the header when it is wanted there.
func (p *fastParser) str(s []byte) {
	p.dst = appendString(p.dst, s)
	if p.capture != nil {
		*p.capture = string(s)
		p.capture = nil
	}
}

// quoted reads the one-line quoted scalar at the start of s; n is the offset after its
// closing quote. Double-quoted scalars may use the escapes \\ \" \b \f \n \r \t and \uXXXX
// (not a surrogate); any other escape (go-yaml v3 rejects \\/) is left to the parser.
func quoted(s []byte) (v []byte, n int, ok bool) {
	q := s[0]
	var buf []byte
	start := 1
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && q == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				buf = append(buf, s[start:i+1]...)
				i++
				start = i + 1
				continue
			}
		case c == q:
		case c == '\\' && q == '"':
			if i+1 >= len(s) {
				return nil, 0, false
			}
			buf = append(buf, s[start:i]...)
			var r rune = -1
			switch s[i+1] {
			case '\\', '"':
				buf = append(buf, s[i+1])
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				if i+6 > len(s) {
					return nil, 0, false
				}
				u, err := strconv.ParseUint(string(s[i+2:i+6]), 16, 32)
				if err != nil || u >= 0xD800 && u <= 0xDFFF {
					return nil, 0, false
				}
				r = rune(u)
			default:
				return nil, 0, false
			}
			if r >= 0 {
				buf = utf8.AppendRune(buf, r)
				i += 4
			}
			i++
			start = i + 1
			continue
		default:
			continue
		}
		// The closing quote.
		if buf == nil {
			return s[1:i], i + 1, true
		}
		return append(buf, s[start:i]...), i + 1, true
	}
	return nil, 0, false // not closed on this line
}

// literal writes a literal block scalar whose header ("|", "|-" or "|+") is rest, the value
// of a node at column n.
func (p *fastParser) literal(rest []byte, n int) bool {
	var chomp byte
	switch {
	case len(rest) == 1:
	case rest[1] == '-' || rest[1] == '+':
		chomp = rest[1]
		rest = rest[1:]
	}
	for _, c := range rest[1:] {
		if c != ' ' {
			return false // an indentation indicator or a comment: left to the parser
		}
	}
	// Raw lines from pos on: leading blank lines, then content at indentation m.
	var b []byte
	m := -1
	blanks := 0
	pos, lineNo := p.pos, p.next
lines:
	for pos < len(p.data) {
		start := pos
		end := len(p.data)
		if i := indexNewline(p.data[start:]); i >= 0 {
			end = start + i
		} else {
			return false // the last line has no line end: left to the parser
		}
		k := 0
		for start+k < end && p.data[start+k] == ' ' {
			k++
		}
		switch {
		case start+k == end && m < 0 && k > 0:
			return false // a leading blank line with spaces: it may set the indentation
		case start+k == end && k <= m || k == 0 && start == end:
			blanks++ // an empty line
		default: // content (a line of spaces beyond the indentation is content too)
			if m < 0 {
				if k <= n {
					return false // an empty scalar: left to the parser
				}
				m = k
			}
			if k < m {
				break lines
			}
			for ; blanks > 0; blanks-- {
				b = append(b, '\n')
			}
			b = append(b, p.data[start+m:end]...)
			b = append(b, '\n')
		}
		pos = end + 1
		lineNo++
	}
	if m < 0 {
		return false
	}
	// b holds every content line with its line end; blanks counts the trailing blank lines.
	switch chomp {
	case '-':
		b = b[:len(b)-1]
	case '+':
		for ; blanks > 0; blanks-- {
			b = append(b, '\n')
		}
	}
	p.str(b)
	// Continue at the first line after the scalar.
	p.pos, p.next = pos, lineNo
	p.advance()
	return true
}
