package yamldoc

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kspm-dev/kspm/internal/jsonenc"
)

// Limits on what one document may expand to, against alias bombs ("billion laughs").
const (
	maxDepth       = 5000
	aliasAllowance = 100_000 // nodes written through aliases beyond 10 per node written directly
)

// AppendJSON appends the JSON form of the parsed YAML node n to dst. Node lines in errors
// are those of n (relative to the text n was parsed from).
//
// Scalars are read the way sigs.k8s.io/yaml (and so kubectl) reads them, following YAML 1.1
// rather than the YAML 1.2 rules the parser applies: unquoted yes/no/on/off/y/n are
// booleans, 0777 is octal, 1_000 is an integer, ~ is null, .inf has no JSON form (an error).
// Quoted and block scalars are strings. An explicit tag (!!str, !!int, ...) decides the type;
// other tags are ignored. Non-string keys become strings ("1", "true"); null and collection
// keys are errors. Merge keys ("<<") are applied, keys written in the mapping taking
// precedence over merged ones and earlier merged mappings over later ones.
//
// A key written more than once in one mapping takes its last value, as in sigs.k8s.io/yaml's
// YAMLToJSON, which kubectl, Helm and the API server (for a YAML request body) use: the value
// is replaced whole, a mapping is not merged with an earlier one. Each repetition is returned
// in dups. Otherwise key order is kept.
func AppendJSON(dst []byte, n *yaml.Node) (out []byte, dups []Duplicate, err error) {
	c := converter{}
	out, err = c.value(dst, n, n, 0)
	return out, c.dups, err
}

// Duplicate is a key written again in a mapping that has it already (the value written last
// is the one used).
type Duplicate struct {
	// Key is the key node written again; Prev is the key as written before it.
	Key, Prev *yaml.Node
	// Name is the key as a JSON object key.
	Name string
}

// Locate finds the node of n whose JSON text, as AppendJSON writes it, holds byte offset off
// (the innermost one), as reported by a JSON decoder's type error. It returns the key of the
// field (or the element itself, for an element of a sequence), the value, and the field
// path, e.g. "spec.containers[0].ports[0].containerPort". key is nil when off is outside the
// text.
func Locate(n *yaml.Node, off int) (key, value *yaml.Node, path string) {
	c := converter{track: &tracker{off: off}}
	if _, err := c.value(nil, n, n, 0); err != nil {
		return nil, nil, ""
	}
	return c.track.key, c.track.value, c.track.path
}

// Lookup returns the key node of the field at path (e.g. "spec.containers[0].foo", as in a
// strict JSON decoder's unknown-field error) in the mapping n, or nil when there is none.
// Keys that contain dots are matched whole.
func Lookup(n *yaml.Node, path string) *yaml.Node {
	at := n
	for path != "" {
		n = deref(n)
		if n == nil {
			return nil
		}
		if path[0] == '[' {
			i := strings.IndexByte(path, ']')
			if i < 0 || n.Kind != yaml.SequenceNode {
				return nil
			}
			idx, err := strconv.Atoi(path[1:i])
			if err != nil || idx < 0 || idx >= len(n.Content) {
				return nil
			}
			n = n.Content[idx]
			at = n
			path = strings.TrimPrefix(path[i+1:], ".")
			continue
		}
		if n.Kind != yaml.MappingNode {
			return nil
		}
		c := converter{}
		pairs, err := c.pairs(n, 0)
		if err != nil {
			return nil
		}
		var best *pair
		for i := range pairs {
			if hasField(path, pairs[i].key) && (best == nil || len(pairs[i].key) > len(best.key)) {
				best = &pairs[i]
			}
		}
		if best == nil {
			return nil
		}
		at, n = best.k, best.v
		path = strings.TrimPrefix(path[len(best.key):], ".")
	}
	return at
}

// Value is a scalar read the way AppendJSON reads it.
type Value struct {
	// Kind is one of "string", "null", "bool", "int", "float".
	Kind string
	// Text is the scalar's text as written (decoded, for quoted scalars).
	Text string
}

// ScalarValue resolves a scalar node (following aliases) as AppendJSON would; ok is false
// for collections.
func ScalarValue(n *yaml.Node) (v Value, ok bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return Value{}, false
	}
	s, err := resolve(n)
	if err != nil {
		return Value{Kind: "string", Text: n.Value}, true
	}
	kinds := [...]string{kString: "string", kNull: "null", kBool: "bool", kInt: "int", kUint: "int", kFloat: "float"}
	return Value{Kind: kinds[s.kind], Text: n.Value}, true
}

// IsYAML11Bool reports whether n is an unquoted scalar that YAML 1.1 (and so kubectl) reads
// as a boolean although YAML 1.2 reads it as a string: y, n, yes, no, on, off and their
// capitalisations.
func IsYAML11Bool(n *yaml.Node) bool {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Style != 0 {
		return false
	}
	switch strings.ToLower(n.Value) {
	case "y", "n", "yes", "no", "on", "off":
		return resolvePlain(n.Value).kind == kBool
	}
	return false
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

type converter struct {
	direct, viaAlias int
	aliases          []*yaml.Node // alias targets being expanded
	track            *tracker
	dups             []Duplicate // repeated keys
}

type tracker struct {
	off        int
	key, value *yaml.Node
	path       string
	stack      []string
}

// value writes n; holder is the node a located error points at (the key of a field).
func (c *converter) value(dst []byte, n, holder *yaml.Node, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, &Error{Line: n.Line, Msg: "document is nested too deeply"}
	}
	if len(c.aliases) > 0 {
		c.viaAlias++
		if c.viaAlias > aliasAllowance+10*c.direct {
			return dst, &Error{Line: n.Line, Msg: "document expands aliases excessively"}
		}
	} else {
		c.direct++
	}
	start := len(dst)
	var err error
	switch n.Kind {
	case 0: // what the parser returns for an empty document
		dst = append(dst, "null"...)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			dst = append(dst, "null"...)
		} else {
			dst, err = c.value(dst, n.Content[0], n.Content[0], depth+1)
		}
	case yaml.AliasNode:
		t := n.Alias
		if t == nil {
			return dst, &Error{Line: n.Line, Msg: fmt.Sprintf("unknown anchor %q", n.Value)}
		}
		for _, a := range c.aliases {
			if a == t {
				return dst, &Error{Line: n.Line, Msg: fmt.Sprintf("alias *%s refers to a node that contains it", n.Value)}
			}
		}
		c.aliases = append(c.aliases, t)
		dst, err = c.value(dst, t, holder, depth+1)
		c.aliases = c.aliases[:len(c.aliases)-1]
	case yaml.ScalarNode:
		dst, err = appendScalar(dst, n)
	case yaml.SequenceNode:
		dst = append(dst, '[')
		for i, e := range n.Content {
			if i > 0 {
				dst = append(dst, ',')
			}
			if c.track != nil {
				c.track.stack = append(c.track.stack, "["+strconv.Itoa(i)+"]")
			}
			dst, err = c.value(dst, e, e, depth+1)
			if c.track != nil {
				c.track.stack = c.track.stack[:len(c.track.stack)-1]
			}
			if err != nil {
				break
			}
		}
		dst = append(dst, ']')
	case yaml.MappingNode:
		dst, err = c.mapping(dst, n, depth)
	default:
		err = &Error{Line: n.Line, Msg: "unknown YAML node"}
	}
	if err != nil {
		return dst, err
	}
	if t := c.track; t != nil && t.key == nil && start < t.off && t.off <= len(dst) {
		t.key, t.value = holder, n
		t.path = strings.TrimPrefix(strings.Join(t.stack, ""), ".")
	}
	return dst, nil
}

type pair struct {
	key  string
	k, v *yaml.Node
}

func (c *converter) mapping(dst []byte, n *yaml.Node, depth int) ([]byte, error) {
	if hasMerge(n) {
		return c.mappingPairs(dst, n, depth)
	}
	// The common case, a mapping without merge keys or repeated keys, is written as it is
	// read; a repeated key sends it back to be written from its effective pairs.
	start := len(dst)
	var saved tracker
	if c.track != nil {
		saved = *c.track
		saved.stack = slices.Clone(c.track.stack)
	}
	ndups := len(c.dups)
	restart := func() ([]byte, error) {
		if c.track != nil {
			*c.track = saved
		}
		c.dups = c.dups[:ndups]
		return c.mappingPairs(dst[:start], n, depth)
	}
	// Keys seen so far, for duplicates: a list while short, then a map.
	var small [16]seenKey
	keys := small[:0]
	var seen map[string]*yaml.Node
	dst = append(dst, '{')
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		key, err := keyString(k)
		if err != nil {
			return dst, err
		}
		if seen != nil {
			if _, dup := seen[key]; dup {
				return restart()
			}
			seen[key] = k
		} else {
			for _, p := range keys {
				if p.key == key {
					return restart()
				}
			}
			if len(keys) < len(small) {
				keys = append(keys, seenKey{key, k})
			} else {
				seen = make(map[string]*yaml.Node, len(n.Content)/2)
				for _, p := range keys {
					seen[p.key] = p.k
				}
				seen[key] = k
			}
		}
		if dst, err = c.member(dst, i/2, key, k, n.Content[i+1], depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// mappingPairs writes the mapping n from its effective pairs (see pairs).
func (c *converter) mappingPairs(dst []byte, n *yaml.Node, depth int) ([]byte, error) {
	pairs, err := c.pairs(n, depth)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '{')
	for i, p := range pairs {
		if dst, err = c.member(dst, i, p.key, p.k, p.v, depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

type seenKey struct {
	key string
	k   *yaml.Node
}

// member writes the i-th member of an object.
func (c *converter) member(dst []byte, i int, key string, k, v *yaml.Node, depth int) ([]byte, error) {
	if i > 0 {
		dst = append(dst, ',')
	}
	dst = appendString(dst, key)
	dst = append(dst, ':')
	if c.track != nil {
		c.track.stack = append(c.track.stack, "."+key)
	}
	dst, err := c.value(dst, v, k, depth+1)
	if c.track != nil {
		c.track.stack = c.track.stack[:len(c.track.stack)-1]
	}
	return dst, err
}

// duplicate records that the key k repeats prev.
func (c *converter) duplicate(key string, k, prev *yaml.Node) {
	c.dups = append(c.dups, Duplicate{Key: k, Prev: prev, Name: key})
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == "!!merge" && k.Value == "<<"
}

func hasMerge(n *yaml.Node) bool {
	for i := 0; i < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			return true
		}
	}
	return false
}

// pairs returns the effective key-value pairs of the mapping n, merges applied as
// sigs.k8s.io/yaml (go-yaml v2), and so kubectl, applies them: in the order they are
// written, each key or merge overriding what came before it (a merge written after a key
// replaces its value, a key written again replaces its earlier value), and among the
// mappings of one merge list the first wins. A key written again outside merges is recorded
// (see converter.dups).
func (c *converter) pairs(n *yaml.Node, depth int) ([]pair, error) {
	if depth > maxDepth {
		return nil, &Error{Line: n.Line, Msg: "merge keys are nested too deeply"}
	}
	var out []pair
	at := make(map[string]int) // key → index in out
	explicit := make(map[string]*yaml.Node)
	set := func(p pair) {
		if i, ok := at[p.key]; ok {
			out[i] = p
			return
		}
		at[p.key] = len(out)
		out = append(out, p)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			merged, err := c.merged(v, depth)
			if err != nil {
				return nil, err
			}
			for _, p := range merged {
				set(p)
			}
			continue
		}
		key, err := keyString(k)
		if err != nil {
			return nil, err
		}
		if prev, dup := explicit[key]; dup {
			c.duplicate(key, k, prev)
		}
		explicit[key] = k
		set(pair{key, k, v})
	}
	return out, nil
}

// merged returns the pairs that the value m of a merge key brings: those of a mapping, or
// of a list of mappings where the first mapping holding a key gives its value.
func (c *converter) merged(m *yaml.Node, depth int) ([]pair, error) {
	one := func(m *yaml.Node) ([]pair, error) {
		src := deref(m)
		if src == nil || src.Kind != yaml.MappingNode {
			return nil, &Error{Line: m.Line, Msg: "merge key << needs a mapping or a list of mappings"}
		}
		return c.pairs(src, depth+1)
	}
	s := deref(m)
	if s == nil || s.Kind != yaml.SequenceNode {
		return one(m)
	}
	var out []pair
	seen := make(map[string]bool)
	for _, e := range s.Content {
		ps, err := one(e)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !seen[p.key] {
				seen[p.key] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// keyString returns a mapping key as a JSON object key, as sigs.k8s.io/yaml converts it.
func keyString(k *yaml.Node) (string, error) {
	k = deref(k)
	if k == nil || k.Kind != yaml.ScalarNode {
		line := 0
		if k != nil {
			line = k.Line
		}
		return "", &Error{Line: line, Msg: "mapping key is not a scalar"}
	}
	s, err := resolve(k)
	if err != nil {
		return "", err
	}
	switch s.kind {
	case kString:
		return s.s, nil
	case kBool:
		return strconv.FormatBool(s.b), nil
	case kInt:
		return strconv.FormatInt(s.i, 10), nil
	case kUint:
		return strconv.FormatUint(s.u, 10), nil
	case kFloat:
		switch {
		case math.IsInf(s.f, 1):
			return ".inf", nil
		case math.IsInf(s.f, -1):
			return "-.inf", nil
		case math.IsNaN(s.f):
			return ".nan", nil
		}
		return strconv.FormatFloat(s.f, 'g', -1, 32), nil
	}
	return "", &Error{Line: k.Line, Msg: "mapping key is null"}
}

type scalarKind uint8

const (
	kString scalarKind = iota
	kNull
	kBool
	kInt
	kUint
	kFloat
)

type scalar struct {
	kind scalarKind
	s    string
	b    bool
	i    int64
	u    uint64
	f    float64
}

func appendScalar(dst []byte, n *yaml.Node) ([]byte, error) {
	s, err := resolve(n)
	if err != nil {
		return dst, err
	}
	switch s.kind {
	case kNull:
		return append(dst, "null"...), nil
	case kBool:
		return strconv.AppendBool(dst, s.b), nil
	case kInt:
		return strconv.AppendInt(dst, s.i, 10), nil
	case kUint:
		return strconv.AppendUint(dst, s.u, 10), nil
	case kFloat:
		if math.IsInf(s.f, 0) || math.IsNaN(s.f) {
			return dst, &Error{Line: n.Line, Msg: fmt.Sprintf("%s has no JSON form", n.Value)}
		}
		return appendFloat(dst, s.f), nil
	}
	return appendString(dst, s.s), nil
}

// resolve reads a scalar node's value.
func resolve(n *yaml.Node) (scalar, error) {
	if n.Style&yaml.TaggedStyle == 0 {
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return scalar{kind: kString, s: n.Value}, nil
		}
		return resolvePlain(n.Value), nil
	}
	switch n.Tag {
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(n.Value)
		if err != nil {
			return scalar{}, &Error{Line: n.Line, Msg: "!!binary value is not valid base64"}
		}
		return scalar{kind: kString, s: string(b)}, nil
	case "!!timestamp":
		if isTimestamp(n.Value) {
			return scalar{kind: kString, s: n.Value}, nil
		}
	case "!!null", "!!bool", "!!int", "!!float":
		s := resolvePlain(n.Value)
		k := s.kind
		if k == kUint {
			k = kInt
		}
		if k == taggedKinds[n.Tag] {
			return s, nil
		}
		if n.Tag == "!!float" && k == kInt {
			if s.kind == kUint {
				return scalar{kind: kFloat, f: float64(s.u)}, nil
			}
			return scalar{kind: kFloat, f: float64(s.i)}, nil
		}
	default: // !!str and tags YAML does not define: the text as written
		return scalar{kind: kString, s: n.Value}, nil
	}
	return scalar{}, &Error{Line: n.Line, Msg: fmt.Sprintf("the value is not a valid %s", n.Tag)}
}

var taggedKinds = map[string]scalarKind{"!!null": kNull, "!!bool": kBool, "!!int": kInt, "!!float": kFloat}

// resolvePlain reads an unquoted, untagged scalar as YAML 1.1 (go-yaml v2) does.
func resolvePlain(s string) scalar {
	if s == "" {
		return scalar{kind: kNull}
	}
	switch c := s[0]; {
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		switch s {
		case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
			return scalar{kind: kBool, b: true}
		case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
			return scalar{kind: kBool, b: false}
		case "~", "null", "Null", "NULL":
			return scalar{kind: kNull}
		}
	case c == '.':
		switch s {
		case ".nan", ".NaN", ".NAN":
			return scalar{kind: kFloat, f: math.NaN()}
		case ".inf", ".Inf", ".INF":
			return scalar{kind: kFloat, f: math.Inf(1)}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return scalar{kind: kFloat, f: f}
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		switch s {
		case "+.inf", "+.Inf", "+.INF":
			return scalar{kind: kFloat, f: math.Inf(1)}
		case "-.inf", "-.Inf", "-.INF":
			return scalar{kind: kFloat, f: math.Inf(-1)}
		}
		plain := s
		if strings.IndexByte(s, '_') >= 0 {
			plain = strings.ReplaceAll(s, "_", "")
		}
		integer := mayBeInteger(plain)
		if integer {
			if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
				return scalar{kind: kInt, i: i}
			}
			if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
				return scalar{kind: kUint, u: u}
			}
		}
		if isYAMLFloat(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return scalar{kind: kFloat, f: f}
			}
		}
		if rest, ok := strings.CutPrefix(plain, "0b"); ok && integer {
			if u, err := strconv.ParseUint(rest, 2, 64); err == nil {
				return scalar{kind: kUint, u: u}
			}
		}
	}
	return scalar{kind: kString, s: s}
}

// mayBeInteger reports whether s, after one sign, holds only what an integer strconv reads
// may hold: digits, hexadecimal digits, the base letters x and o, underscores. Values that
// start with a digit and are strings ("100m", "128Mi", "1.2.3", "10s") fail that test, and
// are not parsed as integers: a failed parse allocates its error.
func mayBeInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == 'x' || c == 'X' || c == 'o' || c == 'O' || c == '_') {
			return false
		}
	}
	return true
}

// isYAMLFloat matches [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func isYAMLFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// isTimestamp reports whether s is a timestamp in one of the forms go-yaml v2 reads.
func isTimestamp(s string) bool {
	for _, layout := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// appendFloat formats f as encoding/json does.
func appendFloat(dst []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// "1e-07" to "1e-7", as encoding/json writes it.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendString appends s as a JSON string, as encoding/json writes it.
func appendString[T string | []byte](dst []byte, s T) []byte { return jsonenc.AppendString(dst, s) }

// CheckExcept checks that the mapping n converts to JSON (see AppendJSON), except for the
// value of the key skip: a List's own fields are checked this way, its items one by one.
// It returns the repeated keys, as AppendJSON does.
func CheckExcept(n *yaml.Node, skip string) ([]Duplicate, error) {
	if n = deref(n); n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	c := converter{}
	pairs, err := c.pairs(n, 0)
	if err != nil {
		return nil, err
	}
	var scratch []byte
	for _, p := range pairs {
		if p.key == skip {
			continue
		}
		if scratch, err = c.value(scratch[:0], p.v, p.k, 1); err != nil {
			return nil, err
		}
	}
	return c.dups, nil
}

// Get returns the value of key in the mapping n (merge keys applied; of a key written more
// than once, the last value), or nil.
func Get(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	if hasMerge(n) {
		c := converter{}
		pairs, err := c.pairs(n, 0)
		if err != nil {
			return nil
		}
		for _, p := range pairs {
			if p.key == key {
				return p.v
			}
		}
		return nil
	}
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			if s, err := keyString(k); err == nil && s == key {
				v = n.Content[i+1] // the last one written wins
			}
		}
	}
	return v
}

// PathOf returns the field path of the mapping key k within n, as Lookup reads it (e.g.
// "spec.containers[0].env"), or "" when k is not a key written in n. Aliases are not
// followed: a key inside an anchored node is found where the anchor is written.
func PathOf(n, k *yaml.Node) string {
	var stack []string
	var find func(n *yaml.Node, depth int) bool
	find = func(n *yaml.Node, depth int) bool {
		if n == nil || depth > maxDepth {
			return false
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if find(c, depth+1) {
					return true
				}
			}
		case yaml.SequenceNode:
			for i, e := range n.Content {
				stack = append(stack, "["+strconv.Itoa(i)+"]")
				if find(e, depth+1) {
					return true
				}
				stack = stack[:len(stack)-1]
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key, err := keyString(n.Content[i])
				if err != nil {
					key = n.Content[i].Value
				}
				stack = append(stack, "."+key)
				if n.Content[i] == k || find(n.Content[i+1], depth+1) {
					return true
				}
				stack = stack[:len(stack)-1]
			}
		}
		return false
	}
	if !find(n, 0) {
		return ""
	}
	return strings.TrimPrefix(strings.Join(stack, ""), ".")
}
