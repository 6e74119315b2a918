package celenv

import (
	"math"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"sync/atomic"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/overloads"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/interpreter"
	"k8s.io/apiserver/pkg/cel/library"
)

// kspm meters CEL evaluations itself instead of using cel-go's runtime cost tracker, whose cost
// per unit is not bounded: its bookkeeping grows with the length of a comprehension (a
// 10,000-element loop costs 60,000 units and 120 ms, 70 times the untracked time), and it
// charges a call dispatched at run time (any call on a field of object, which is dyn) one unit
// whatever its operands, so that s + s on a megabyte string costs 1 and a few nested
// concatenations exhaust memory. The meter here charges:
//
//   - 1 unit for each evaluation of a variable or field path (plus 1 per field selected), of a
//     comprehension, of a list or map literal (plus 1 per element) and of each call;
//   - for each call, before the function runs, the size of its operands: a string or bytes
//     costs 1 unit per 10 bytes, a list or map 1 unit per element (not for operations that
//     do not traverse a container: size, indexing, list concatenation, optional
//     accessors); operations that compare or print whole values (==, !=, in, sort,
//     distinct, the sets functions, join, format, json.encode, flatten) cost the deep size of
//     their operands, and sort, distinct and the sets functions a multiple of it; matches and
//     the regex functions cost the string's length times the size of the pattern's program,
//     plus the compilation of the pattern when the call compiles it; replace and
//     regex.replace are refused before they run when the largest string they could build
//     would exceed the limit;
//   - for a call of one of the Kubernetes libraries (url, quantity, ip, cidr, semver, format,
//     lists, find and findAll), after the call, what those libraries' own cost estimator
//     charges it in the API server (library.CostEstimator);
//   - after the call, the size of its result.
//
// The unit therefore stands for a bounded amount of work and memory: see docs/CEL.md for the
// measured time per unit.

// Meter is the cost account of one evaluation. It lives in the Activation, and the program
// options of Metered find it there, so that one compiled program can be evaluated
// concurrently with separate accounts. The zero Meter has no limit and never interrupts.
type Meter struct {
	limit uint64
	cost  uint64
	done  <-chan struct{}
	poll  uint64    // cost at which done is next polled
	vals  []ref.Val // the operands of the calls being evaluated, innermost last
	// regexes holds the regular expressions met since the meter was made (Reset keeps them,
	// so they last a check's run): their program sizes, and their compiled forms once
	// matches compiled them.
	regexes map[string]regexInfo
}

// regexInfo is what the meter knows of a regular expression.
type regexInfo struct {
	size uint64 // estimated instructions of its program
	re   *regexp.Regexp
}

// maxRegexes bounds Meter.regexes; past it, each regular expression is sized and compiled
// (and its compilation charged) again on every call.
const maxRegexes = 256

// regex returns what the meter knows of pattern, sizing it on first sight.
func (m *Meter) regex(pattern string) regexInfo {
	if info, ok := m.regexes[pattern]; ok {
		return info
	}
	info := regexInfo{size: regexSize(pattern)}
	if len(m.regexes) < maxRegexes {
		if m.regexes == nil {
			m.regexes = make(map[string]regexInfo)
		}
		m.regexes[pattern] = info
	}
	return info
}

// regexSize estimates the number of instructions of the program of a regular expression, to
// which the time of compiling it and of matching a string with it are proportional (a counted
// repetition multiplies the size of what it repeats). A pattern that does not parse counts
// its length: compiling it fails as fast.
func regexSize(pattern string) uint64 {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return uint64(len(pattern))
	}
	return progSize(re)
}

func progSize(re *syntax.Regexp) uint64 {
	switch re.Op {
	case syntax.OpLiteral:
		return uint64(len(re.Rune))
	case syntax.OpConcat, syntax.OpAlternate:
		n := uint64(len(re.Sub))
		for _, sub := range re.Sub {
			n = sat(n, progSize(sub))
		}
		return n
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		return sat(1, progSize(re.Sub[0]))
	case syntax.OpCapture:
		return sat(2, progSize(re.Sub[0]))
	case syntax.OpRepeat:
		times := re.Max
		if times < 0 {
			times = re.Min + 1
		}
		return sat(1, satMul(uint64(max(times, 1)), progSize(re.Sub[0])))
	}
	return 1
}

// Costs of regular expressions, in units per instruction of their program: compiling one
// takes about 150 to 250 ns per instruction, matching up to a few ns per byte and instruction.
const (
	regexCompileBase = 3
	regexCompileCost = 5
)

// pollEvery is how many units of work pass between two polls of the done channel: a few
// microseconds of evaluation.
const pollEvery = 256

// Reset starts a new evaluation: no cost spent, limit units allowed, and an interruption as
// soon as done closes (nil: never).
func (m *Meter) Reset(limit uint64, done <-chan struct{}) {
	clear(m.vals)
	*m = Meter{limit: limit, done: done, poll: pollEvery, vals: m.vals[:0], regexes: m.regexes}
}

// Cost returns the units spent since Reset.
func (m *Meter) Cost() uint64 { return m.cost }

// charge adds n units, and stops the evaluation (by a panic that cel-go's Eval turns into an
// interpreter.EvalCancelledError) when the limit is passed or done has closed.
func (m *Meter) charge(n uint64) {
	if m.cost > math.MaxUint64-n {
		m.cost = math.MaxUint64
	} else {
		m.cost += n
	}
	if m.cost > m.limit {
		panic(interpreter.EvalCancelledError{Cause: interpreter.CostLimitExceeded, Message: "cost limit exceeded"})
	}
	if m.done != nil && m.cost >= m.poll {
		m.poll = m.cost + pollEvery
		select {
		case <-m.done:
			panic(interpreter.EvalCancelledError{Cause: interpreter.ContextCancelled, Message: "evaluation interrupted"})
		default:
		}
	}
}

// remaining returns how many units may still be spent.
func (m *Meter) remaining() uint64 {
	if m.cost >= m.limit {
		return 0
	}
	return m.limit - m.cost
}

// meterOf returns the meter of the evaluation that activation a belongs to, or nil when it has
// none (constant folding while a program is planned).
func meterOf(a interpreter.Activation) *Meter {
	for a != nil {
		switch v := a.(type) {
		case *Activation:
			return &v.Meter
		case *interpreter.ExecutionFrame:
			a = v.Activation
		default:
			a = a.Parent()
		}
	}
	return nil
}

// Metered is the program option that meters evaluations (see Meter). A program built with it
// must be evaluated with an *Activation whose Meter was Reset.
func Metered() cel.ProgramOption {
	return cel.CustomDecoratorV2(meterNode)
}

// meterNode wraps a planned node in its metered form. cel-go plans children before their
// parent and runs this decorator first on each node, so a call's operands are final (and
// metered) when the call is wrapped.
func meterNode(i interpreter.InterpretableV2) (interpreter.InterpretableV2, error) {
	switch n := i.(type) {
	case *meteredCall, *meteredAttr, *meteredNode:
		return i, nil // a node planned again after a qualifier was added
	case interpreter.InterpretableConst:
		return i, nil
	case interpreter.InterpretableAttribute:
		return &meteredAttr{InterpretableAttribute: n}, nil
	case interpreter.InterpretableCall:
		return meterCall(n)
	case interpreter.InterpretableConstructor:
		elems := n.InitVals()
		allConst := true
		for _, e := range elems {
			if _, ok := e.(interpreter.InterpretableConst); !ok {
				allConst = false
				break
			}
		}
		if allConst {
			return i, nil // cel-go builds it once, at planning
		}
		return &meteredNode{InterpretableV2: i, cost: 1 + uint64(len(elems))}, nil
	}
	return &meteredNode{InterpretableV2: i, cost: 1}, nil
}

// regexOptimizations are the rewrites of calls whose pattern is a constant into calls of the
// pattern compiled once: cel-go's for matches, the Kubernetes regex library's for find and
// findAll (which the library registers as program options that run after the meter, and so
// would never see the call).
var regexOptimizations = map[string]*interpreter.RegexOptimization{
	overloads.Matches: interpreter.MatchesRegexOptimization,
	"find":            library.FindRegexOptimization,
	"findAll":         library.FindAllRegexOptimization,
}

// meterCall wraps a call. The wrapper is not an InterpretableCall, so cel-go's later
// decorators cannot replace it with an unmetered node; the rewrites of theirs that matter
// are kept: a call they would fold into a constant (a conversion of a constant, membership
// in a constant list) is left to them, and a matches, find or findAll call with a constant
// pattern gets its pattern compiled once, here.
func meterCall(call interpreter.InterpretableCall) (interpreter.InterpretableV2, error) {
	args := call.Args()
	fn := call.Function()
	if len(args) == 2 && call.OverloadID() == overloads.InList {
		if _, ok := args[1].(interpreter.InterpretableConst); ok {
			return call, nil
		}
	}
	if len(args) == 1 && overloads.IsTypeConversionFunction(fn) {
		if _, ok := args[0].(interpreter.InterpretableConst); ok {
			return call, nil
		}
	}
	if opt := regexOptimizations[fn]; opt != nil && len(args) >= 2 {
		if c, ok := args[opt.RegexIndex].(interpreter.InterpretableConst); ok {
			if p, ok := c.Value().(types.String); ok {
				o, err := opt.Factory(call, string(p))
				if err != nil {
					return nil, err
				}
				call = o
			}
		}
	}
	w := &meteredCall{inner: call, id: call.ID(), fn: fn, kind: costKindOf(fn), consts: make([]ref.Val, len(args)),
		from: make([]argSource, len(args)), overload: call.OverloadID()}
	w.k8s = isK8sCall(fn, w.overload)
	last := -1
	for idx, a := range args {
		switch a := a.(type) {
		case interpreter.InterpretableConst:
			w.consts[idx] = a.Value()
			w.from[idx] = fromConst
		case capturer:
			a.captureFor(w)
			w.from[idx] = fromStack
			w.captured++
			last = idx
		default:
			w.from[idx] = fromNowhere
		}
	}
	if last >= 0 {
		args[last].(capturer).markLast()
	}
	return w, nil
}

// capturer is a metered node that can hand its value to the call it is an operand of.
type capturer interface {
	captureFor(*meteredCall)
	markLast()
}

// capture is the part of a metered node that hands its value to its call: it pushes the value
// on the meter's operand stack, and the last captured operand of a call has the call's
// operands admitted (charged) before the function runs.
type capture struct {
	parent *meteredCall
	last   bool
}

func (c *capture) captureFor(p *meteredCall) { c.parent = p }
func (c *capture) markLast()                 { c.last = true }

func (c *capture) done(m *Meter, v ref.Val) {
	if c.parent == nil {
		return
	}
	m.vals = append(m.vals, v)
	if c.last {
		c.parent.admit(m)
	}
}

// meteredNode is a node charged a fixed cost per evaluation: a comprehension, a logical
// operator, a list or map literal.
type meteredNode struct {
	interpreter.InterpretableV2
	cost uint64
	capture
}

func (n *meteredNode) Exec(frame *interpreter.ExecutionFrame) ref.Val {
	m := meterOf(frame)
	if m == nil {
		return n.InterpretableV2.Exec(frame)
	}
	h := len(m.vals)
	m.charge(n.cost)
	v := n.InterpretableV2.Exec(frame)
	m.vals = m.vals[:h]
	n.done(m, v)
	return v
}

func (n *meteredNode) Eval(a interpreter.Activation) ref.Val { return n.Exec(interpreter.AsFrame(a)) }

// meteredAttr is a variable or field path, charged 1 plus 1 per field selected. It stays an
// InterpretableAttribute, as the planner extends attributes with further qualifiers.
type meteredAttr struct {
	interpreter.InterpretableAttribute
	quals atomic.Int32 // number of qualifiers + 1, once known
	capture
}

func (n *meteredAttr) cost() uint64 {
	c := n.quals.Load()
	if c == 0 {
		c = 1
		if q, ok := n.Attr().(interface {
			Qualifiers() []interpreter.Qualifier
		}); ok {
			c += int32(len(q.Qualifiers()))
		}
		n.quals.Store(c)
	}
	return uint64(c)
}

func (n *meteredAttr) Exec(frame *interpreter.ExecutionFrame) ref.Val {
	m := meterOf(frame)
	if m == nil {
		return n.InterpretableAttribute.Exec(frame)
	}
	h := len(m.vals)
	m.charge(n.cost())
	v := n.InterpretableAttribute.Exec(frame)
	m.vals = m.vals[:h]
	n.done(m, v)
	return v
}

func (n *meteredAttr) Eval(a interpreter.Activation) ref.Val { return n.Exec(interpreter.AsFrame(a)) }

// costKind says how a function's operands and result are charged.
type costKind uint8

const (
	kindDefault      costKind = iota // operand sizes, result size
	kindShallow                      // strings only: the function does not traverse containers
	kindDeep                         // deep operand sizes: it compares or prints whole values
	kindIn                           // the deep size of a list, the key's size for a map
	kindEncode                       // json.encode: 4 × the deep size, which serializing takes
	kindSort                         // deep size × log n
	kindDistinct                     // deep size × n
	kindSets                         // deep size of one × length of the other
	kindRegex                        // string size × pattern size
	kindReplace                      // refused when its largest possible result exceeds the limit
	kindRegexReplace                 // same, for regex.replace
)

func costKindOf(fn string) costKind {
	switch fn {
	case overloads.Size, operators.Index, operators.OptIndex, operators.OptSelect, operators.Add,
		operators.LogicalNot, operators.NotStrictlyFalse, operators.Negate,
		"orValue", "or", "hasValue", "value", "optional.of", "optional.ofNonZeroValue", "optional.none",
		overloads.TypeConvertDyn, overloads.TypeConvertType, "first", "last", "list", "get":
		return kindShallow
	case operators.Equals, operators.NotEquals, "join", "format", "flatten", overloads.TypeConvertString, "strings.quote":
		return kindDeep
	case operators.In:
		return kindIn
	case "json.encode":
		return kindEncode
	case "sort", "@sortByAssociatedKeys":
		return kindSort
	case "distinct":
		return kindDistinct
	case "sets.contains", "sets.equivalent", "sets.intersects":
		return kindSets
	case overloads.Matches, "regex.extract", "regex.extractAll", "find", "findAll":
		return kindRegex
	case "replace":
		return kindReplace
	case "regex.replace":
		return kindRegexReplace
	}
	return kindDefault
}

// meteredCall is a function call. Its operands are charged when the last of them has been
// evaluated, before the function runs, and its result after.
type meteredCall struct {
	inner    interpreter.InterpretableV2
	id       int64
	fn       string
	kind     costKind
	overload string
	k8s      bool        // a function of the Kubernetes libraries: their estimate is added
	consts   []ref.Val   // constant operands by position
	from     []argSource // where each operand's value is found
	captured int         // number of operands that push their values
	capture
}

// argSource says where a call finds the value of an operand when it charges it.
type argSource uint8

const (
	fromConst   argSource = iota // a constant, known when the program is planned
	fromStack                    // a metered node, which pushes its value
	fromNowhere                  // a node cel-go rewrote after metering (e.g. a set membership test); its value is a bool
)

func (c *meteredCall) ID() int64 { return c.id }

func (c *meteredCall) Exec(frame *interpreter.ExecutionFrame) ref.Val {
	m := meterOf(frame)
	if m == nil {
		return c.inner.Exec(frame)
	}
	h := len(m.vals)
	m.charge(1)
	if c.captured == 0 {
		c.admit(m)
	}
	v := c.inner.Exec(frame)
	if c.k8s && len(m.vals)-h == c.captured { // every operand was evaluated: the function ran
		var buf [4]ref.Val
		if args, ok := c.args(m, buf[:]); ok {
			m.charge(k8sCallCost(c.fn, c.overload, args, v))
		}
	}
	if c.kind != kindShallow {
		m.charge(weight(v, true))
	}
	m.vals = m.vals[:h]
	c.done(m, v)
	return v
}

func (c *meteredCall) Eval(a interpreter.Activation) ref.Val { return c.Exec(interpreter.AsFrame(a)) }

// args returns the call's operands once all are known: the captured values on top of m's
// stack merged with the constants. ok is false when some operand was not evaluated.
func (c *meteredCall) args(m *Meter, buf []ref.Val) ([]ref.Val, bool) {
	if len(m.vals) < c.captured {
		return nil, false
	}
	top := m.vals[len(m.vals)-c.captured:]
	out := buf[:0]
	k := 0
	for i, from := range c.from {
		switch from {
		case fromConst:
			out = append(out, c.consts[i])
		case fromStack:
			out = append(out, top[k])
			k++
		default:
			out = append(out, types.NullValue)
		}
	}
	return out, true
}

// admit charges the call's operands before the function runs.
func (c *meteredCall) admit(m *Meter) {
	var buf [4]ref.Val
	args, ok := c.args(m, buf[:])
	if !ok || len(args) == 0 {
		return
	}
	limit := m.remaining() + 1 // a size past this is enough to stop the evaluation
	var cost uint64
	switch c.kind {
	case kindShallow:
		for _, a := range args {
			cost = sat(cost, stringWeight(a))
		}
	case kindDefault:
		for _, a := range args {
			cost = sat(cost, weight(a, true))
		}
	case kindDeep:
		for _, a := range args {
			cost = sat(cost, deepWeight(a, limit))
		}
	case kindEncode:
		for _, a := range args {
			cost = sat(cost, satMul(deepWeight(a, limit), 4))
		}
	case kindIn:
		if len(args) == 2 {
			cost = deepWeight(args[0], limit)
			if _, isMap := args[1].(traits.Mapper); !isMap {
				cost = sat(cost, deepWeight(args[1], limit))
			}
		}
	case kindSort, kindDistinct:
		w := deepWeight(args[0], limit)
		n := uint64(size(args[0]))
		f := n
		if c.kind == kindSort {
			f = uint64(bits.Len64(n))
		}
		cost = satMul(w, max(f, 1))
	case kindSets:
		if len(args) == 2 {
			cost = sat(satMul(deepWeight(args[0], limit), max(uint64(size(args[1])), 1)), deepWeight(args[1], limit))
		}
	case kindRegex, kindRegexReplace:
		// Matching takes time proportional to the string's length times the size of the
		// pattern's program. cel-go's regex functions compile their pattern on every call;
		// matches compiles a literal pattern once, when the program is planned, and others on
		// their first use in a run (CachedMatches keeps them).
		if len(args) < 2 {
			break
		}
		p, _ := args[1].(types.String)
		info := m.regex(string(p))
		s := uint64(strLen(args[0]))
		cost = satMul(s+1, info.size+1) / 10
		compiledOnce := c.from[1] == fromConst && regexOptimizations[c.fn] != nil
		if !compiledOnce && !(c.fn == overloads.Matches && info.re != nil) {
			cost = sat(cost, sat(regexCompileBase, satMul(regexCompileCost, info.size)))
		}
		if c.kind == kindRegexReplace && len(args) >= 3 {
			// regex.replace(s, re, repl[, n]): up to len(s)+1 matches each become repl,
			// whose group references (at most len(repl)/2) each expand to at most len(s)
			// bytes in all.
			repl := uint64(strLen(args[2]))
			cost = sat(cost, sat(s, sat(satMul(s+1, repl), satMul(repl/2, s)))/10)
		}
	case kindReplace:
		// s.replace(old, new[, n]): each of up to len(s)/len(old)+1 matches becomes new.
		if len(args) >= 3 {
			s, old, nw := uint64(strLen(args[0])), uint64(strLen(args[1])), uint64(strLen(args[2]))
			cost = sat(s, satMul(s/max(old, 1)+1, nw)) / 10
		}
	}
	if cost > 0 {
		m.charge(cost)
	}
}

// weight is the shallow size of v in units: a string or bytes costs 1 per 10 bytes, a list
// or map 1 per element when containers count.
func weight(v ref.Val, containers bool) uint64 {
	switch x := v.(type) {
	case types.String:
		return uint64(len(x)+9) / 10
	case types.Bytes:
		return uint64(len(x)+9) / 10
	case traits.Sizer:
		if containers {
			return uint64(size(x))
		}
	}
	return 0
}

func stringWeight(v ref.Val) uint64 { return weight(v, false) }

func strLen(v ref.Val) int {
	switch x := v.(type) {
	case types.String:
		return len(x)
	case types.Bytes:
		return len(x)
	}
	return 0
}

func size(v any) int64 {
	if s, ok := v.(traits.Sizer); ok {
		if n, ok := s.Size().(types.Int); ok && n > 0 {
			return int64(n)
		}
	}
	return 0
}

// deepWeight is the size of v counting every element of nested lists and maps and every 10
// bytes of the strings in them. It stops counting past limit, so that its own work is
// bounded by what the evaluation may still spend.
func deepWeight(v ref.Val, limit uint64) uint64 {
	var w uint64
	deepVal(v, &w, limit)
	return w
}

func deepVal(v ref.Val, w *uint64, limit uint64) {
	if *w > limit {
		return
	}
	switch x := v.(type) {
	case types.String, types.Bytes:
		*w = sat(*w, weight(x, false)+1)
		return
	case traits.Lister:
		if native, ok := x.Value().([]any); ok {
			deepNative(native, w, limit)
			return
		}
		n := size(x)
		*w = sat(*w, 1)
		for i := int64(0); i < n && *w <= limit; i++ {
			deepVal(x.Get(types.Int(i)), w, limit)
		}
		return
	case traits.Mapper:
		if native, ok := x.Value().(map[string]any); ok {
			deepNative(native, w, limit)
			return
		}
		*w = sat(*w, 1)
		for it := x.Iterator(); it.HasNext() == types.True && *w <= limit; {
			k := it.Next()
			deepVal(k, w, limit)
			if val, found := x.Find(k); found {
				deepVal(val, w, limit)
			}
		}
		return
	case *types.Optional:
		if x.HasValue() {
			deepVal(x.GetValue(), w, limit)
		}
		return
	}
	*w = sat(*w, 1)
}

// deepNative is deepVal for the Go values object maps are made of.
func deepNative(v any, w *uint64, limit uint64) {
	if *w > limit {
		return
	}
	switch x := v.(type) {
	case string:
		*w = sat(*w, uint64(len(x)+9)/10+1)
	case []any:
		*w = sat(*w, 1)
		for _, e := range x {
			if *w > limit {
				return
			}
			deepNative(e, w, limit)
		}
	case map[string]any:
		*w = sat(*w, 1)
		for k, e := range x {
			if *w > limit {
				return
			}
			*w = sat(*w, uint64(len(k)+9)/10)
			deepNative(e, w, limit)
		}
	case ref.Val:
		deepVal(x, w, limit)
	default:
		*w = sat(*w, 1)
	}
}

func sat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}
