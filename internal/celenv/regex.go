package celenv

import (
	"regexp"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/overloads"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/interpreter"
)

// CachedMatches is a program option that makes calls of matches whose pattern is not a
// constant (e.g. x.matches(params.pattern)) compile each distinct pattern once per run (per
// Meter: up to 256 patterns) instead of on every call. cel-go compiles constant patterns when
// it plans the program, and others on every evaluation, which dominates checks that match
// every key of an object against a parameter. Results and errors are those of the standard
// matches; the meter charges a compilation exactly when one happens (see Metered).
func CachedMatches() cel.ProgramOption {
	return cel.CustomDecoratorV2(func(i interpreter.InterpretableV2) (interpreter.InterpretableV2, error) {
		call, ok := i.(interpreter.InterpretableCall)
		if !ok || call.Function() != overloads.Matches || len(call.Args()) != 2 {
			return i, nil
		}
		if o := call.OverloadID(); o != overloads.Matches && o != overloads.MatchesString {
			return i, nil
		}
		if _, constant := call.Args()[1].(interpreter.InterpretableConst); constant {
			return i, nil
		}
		return &matchesCall{InterpretableCall: call, str: call.Args()[0], pattern: call.Args()[1]}, nil
	})
}

// matchesCall is a matches call that compiles its patterns through the meter's cache. It
// keeps the call's ID, function, overload and arguments, so cost tracking sees the original
// call.
type matchesCall struct {
	interpreter.InterpretableCall
	str, pattern interpreter.InterpretableV2
}

// Exec evaluates the call as cel-go evaluates a strict binary function.
func (m *matchesCall) Exec(frame *interpreter.ExecutionFrame) ref.Val {
	l := m.str.Exec(frame)
	if types.IsError(l) {
		return l
	}
	r := m.pattern.Exec(frame)
	if types.IsError(r) {
		return r
	}
	var unk *types.Unknown
	unk, _ = types.MaybeMergeUnknowns(l, unk)
	unk, _ = types.MaybeMergeUnknowns(r, unk)
	if unk != nil {
		return unk
	}
	s, sOK := l.(types.String)
	p, pOK := r.(types.String)
	if sOK && pOK {
		re, err := compileRegex(meterOf(frame), string(p))
		if err != nil {
			return types.LabelErrNode(m.ID(), types.WrapErr(err))
		}
		return types.Bool(re.MatchString(string(s)))
	}
	if l.Type().HasTrait(traits.MatcherType) {
		return types.LabelErrNode(m.ID(), l.(traits.Matcher).Match(r))
	}
	if l.Type().HasTrait(traits.ReceiverType) {
		return types.LabelErrNode(m.ID(), l.(traits.Receiver).Receive(m.Function(), m.OverloadID(), []ref.Val{r}))
	}
	return types.NewErrWithNodeID(m.ID(), "no such overload: %s", m.Function())
}

// Eval implements interpreter.Interpretable.
func (m *matchesCall) Eval(vars interpreter.Activation) ref.Val {
	return m.Exec(interpreter.AsFrame(vars))
}

// compileRegex compiles pattern, or returns it compiled from the meter's cache (m may be
// nil: no cache). The meter keeps what it sized when it charged the call (see
// Meter.regex); a pattern it has room for is kept compiled, so that the compilation it
// charged happens once.
func compileRegex(m *Meter, pattern string) (*regexp.Regexp, error) {
	if m != nil {
		if info, ok := m.regexes[pattern]; ok && info.re != nil {
			return info.re, nil
		}
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	if m != nil {
		if info, ok := m.regexes[pattern]; ok {
			info.re = re
			m.regexes[pattern] = info
		}
	}
	return re, nil
}
