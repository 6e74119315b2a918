package celenv

import (
	"regexp"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/overloads"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/interpreter"
)

// maxCachedPatterns bounds the compiled patterns one matches call keeps. Patterns usually come
// from params and are the same for every object; past the bound, patterns are compiled per
// call as cel-go does.
const maxCachedPatterns = 64

// CachedMatches is a program option that makes calls of matches whose pattern is not a
// constant (e.g. x.matches(params.pattern)) compile each distinct pattern once instead of on
// every call. cel-go compiles constant patterns when it plans the program, and others on every
// evaluation, which dominates checks that match every key of an object against a parameter.
// Results, errors and evaluation cost are those of the standard matches.
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

// matchesCall is a matches call with a cache of compiled patterns. It keeps the call's ID,
// function, overload and arguments, so cost tracking sees the original call.
type matchesCall struct {
	interpreter.InterpretableCall
	str, pattern interpreter.InterpretableV2

	mu    sync.RWMutex
	cache map[string]*regexp.Regexp
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
		re, err := m.compile(string(p))
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

func (m *matchesCall) compile(pattern string) (*regexp.Regexp, error) {
	m.mu.RLock()
	re, ok := m.cache[pattern]
	m.mu.RUnlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.cache == nil {
		m.cache = make(map[string]*regexp.Regexp)
	}
	if len(m.cache) < maxCachedPatterns {
		m.cache[pattern] = re
	}
	m.mu.Unlock()
	return re, nil
}
