package helm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"

	"github.com/kspm-dev/kspm/inventory"
)

// ErrRenderLimit is wrapped by the error of a render that a limit stopped (see the package
// documentation, section Limits): a template function asked to build a value larger than
// one document, template functions that produced more than an input's worth of data
// together, memory in use that grew past WithMaxRenderMemory, or a ctx that ended.
var ErrRenderLimit = errors.New("render limit")

// Limits of a render (see the package documentation).
const (
	// maxFuncString is the largest string one call of repeat, indent, nindent, randAlpha*,
	// printf, print, println, html, js or urlquery may build: one document's worth, as no larger document is loaded.
	maxFuncString = inventory.DefaultMaxDocumentBytes
	// maxFuncList is the most numbers until, untilStep and seq may count: every TCP port.
	maxFuncList = 1 << 16
	// maxFuncOutput is the most the template functions of one render may produce together.
	maxFuncOutput = inventory.DefaultMaxInputBytes
	// DefaultMaxRenderMemory is how much the memory in use may grow while a chart renders
	// unless WithMaxRenderMemory says otherwise: 2 GiB.
	DefaultMaxRenderMemory = 2 << 30
	// memoryPoll is how often the memory in use is looked at while a chart renders.
	memoryPoll = 10 * time.Millisecond
)

// notGuarded are the functions of Sprig's map that are not replaced: those the Helm engine
// defines itself (its own toJson, include, tpl, required, fail, lookup; getHostByName, which
// it disables; env and expandenv, which it removes) must stay the engine's.
var notGuarded = map[string]bool{
	"env": true, "expandenv": true, "getHostByName": true, "fail": true, "required": true,
	"include": true, "tpl": true, "lookup": true,
	"toToml": true, "mustToToml": true, "fromToml": true, "toYaml": true, "mustToYaml": true,
	"toYamlPretty": true, "fromYaml": true, "fromYamlArray": true, "toJson": true,
	"mustToJson": true, "fromJson": true, "fromJsonArray": true, "mustToDuration": true,
}

// guard watches one render: every Sprig function (and text/template's built-ins that build a
// string: printf, print, println, html, js, urlquery) the templates call goes through it, and fails once a limit is passed, which ends the render with that error.
type guard struct {
	ctx       context.Context
	maxMemory int64        // < 1: memory is not watched
	produced  int64        // bytes the functions returned so far (the render is one goroutine)
	stop      atomic.Value // error: why the render must stop
}

func newGuard(ctx context.Context, maxMemory int64) *guard {
	return &guard{ctx: ctx, maxMemory: maxMemory}
}

// watch looks at the memory in use until done is closed, and stops the render when it grew
// by more than g.maxMemory since watch was called.
func (g *guard) watch(done <-chan struct{}) {
	if g.maxMemory < 1 {
		return
	}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	inUse := func() int64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(min(sample[0].Value.Uint64(), math.MaxInt64))
	}
	start := inUse()
	tick := time.NewTicker(memoryPoll)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if grown := inUse() - start; grown > g.maxMemory {
				g.stop.CompareAndSwap(nil, fmt.Errorf("%w: the memory in use grew by %d MiB while rendering, more than the limit of %d MiB",
					ErrRenderLimit, grown>>20, g.maxMemory>>20))
				return
			}
		}
	}
}

// check panics (which the template engine turns into the error of the call, and that ends the
// render) when the render must stop.
func (g *guard) check() {
	if err, _ := g.stop.Load().(error); err != nil {
		panic(err)
	}
	if err := g.ctx.Err(); err != nil {
		panic(fmt.Errorf("%w: %w", ErrRenderLimit, err))
	}
}

// fail stops the render with err.
func (g *guard) fail(format string, args ...any) {
	err := fmt.Errorf("%w: "+format, append([]any{ErrRenderLimit}, args...)...)
	g.stop.CompareAndSwap(nil, err)
	panic(err)
}

// funcs returns the functions that replace the engine's: Sprig's, each checking the guard
// before the call and counting what it returns, those that build a value from a count
// refusing a count over the limits, printf refusing a width or precision over them, and
// text/template's other built-ins that build a string refusing arguments that would build
// one over them.
func (g *guard) funcs() template.FuncMap {
	base := sprig.TxtFuncMap()
	fm := template.FuncMap{}
	for name, fn := range base {
		if !notGuarded[name] {
			fm[name] = g.wrap(fn)
		}
	}
	fm["repeat"] = g.wrap(func(count int, str string) string {
		g.stringSize("repeat", float64(count)*float64(len(str)))
		return strings.Repeat(str, count)
	})
	until := base["until"]
	fm["until"] = g.wrap(func(count int) []int {
		g.listSize("until", math.Abs(float64(count)))
		return until.(func(int) []int)(count)
	})
	untilStep := base["untilStep"]
	fm["untilStep"] = g.wrap(func(start, stop, step int) []int {
		if step != 0 {
			g.listSize("untilStep", (float64(stop)-float64(start))/float64(step))
		}
		return untilStep.(func(int, int, int) []int)(start, stop, step)
	})
	seq := base["seq"]
	fm["seq"] = g.wrap(func(params ...int) string {
		switch len(params) {
		case 1:
			g.listSize("seq", math.Abs(float64(params[0])-1))
		case 2:
			g.listSize("seq", math.Abs(float64(params[1])-float64(params[0])))
		case 3:
			if params[1] != 0 {
				g.listSize("seq", math.Abs((float64(params[2])-float64(params[0]))/float64(params[1])))
			}
		}
		return seq.(func(...int) string)(params...)
	})
	for _, name := range []string{"indent", "nindent"} {
		orig := base[name]
		fm[name] = g.wrap(func(spaces int, v string) string {
			g.stringSize(name, float64(len(v))+float64(spaces)*float64(strings.Count(v, "\n")+1))
			return orig.(func(int, string) string)(spaces, v)
		})
	}
	for _, name := range []string{"randAlphaNum", "randAlpha", "randAscii", "randNumeric"} {
		orig := base[name]
		fm[name] = g.wrap(func(count int) string {
			g.stringSize(name, float64(count))
			return orig.(func(int) string)(count)
		})
	}
	randBytes := base["randBytes"]
	fm["randBytes"] = g.wrap(func(count int) (string, error) {
		g.stringSize("randBytes", float64(count)*4/3)
		return randBytes.(func(int) (string, error))(count)
	})
	fm["printf"] = g.wrap(func(format string, args ...any) string {
		g.stringSize("printf", float64(len(format))+float64(printfWidth(format, args)))
		return fmt.Sprintf(format, args...)
	})
	// text/template's other built-ins that build a string, each at most growth times its
	// arguments: a template that feeds one's result back to it ({{ $s = print $s $s }} in a
	// range) would otherwise double a string without ever calling a guarded function.
	for name, b := range map[string]struct {
		fn     func(...any) string
		growth float64
	}{
		"print": {fmt.Sprint, 1}, "println": {fmt.Sprintln, 1},
		"html": {template.HTMLEscaper, 6}, "js": {template.JSEscaper, 6}, "urlquery": {template.URLQueryEscaper, 3},
	} {
		fm[name] = g.wrap(func(args ...any) string {
			size := float64(len(args)) // the spaces and newline print and println add
			for _, a := range args {
				size += float64(sizeOf(reflect.ValueOf(a)))
			}
			g.stringSize(name, b.growth*size)
			return b.fn(args...)
		})
	}
	return fm
}

// stringSize stops the render when fn would build a string of size bytes, over the limit.
func (g *guard) stringSize(fn string, size float64) {
	if size > maxFuncString {
		g.fail("%s would build a string of %.0f bytes, more than the limit of %d", fn, size, maxFuncString)
	}
}

// listSize stops the render when fn would count n numbers, over the limit.
func (g *guard) listSize(fn string, n float64) {
	if n > maxFuncList {
		g.fail("%s would count %.0f numbers, more than the limit of %d", fn, n, maxFuncList)
	}
}

// wrap returns fn, of any function type, checking the guard before each call and counting
// the size of its first result.
func (g *guard) wrap(fn any) any {
	v := reflect.ValueOf(fn)
	t := v.Type()
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		g.check()
		var out []reflect.Value
		if t.IsVariadic() {
			out = v.CallSlice(args)
		} else {
			out = v.Call(args)
		}
		if len(out) > 0 {
			g.produced += sizeOf(out[0])
			if g.produced > maxFuncOutput {
				g.fail("the template functions produced more than the limit of %d bytes", int64(maxFuncOutput))
			}
		}
		return out
	}).Interface()
}

// sizeOf estimates the bytes v holds at its top level: a string's length, a list's items.
func sizeOf(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return 0
		}
		return sizeOf(v.Elem())
	case reflect.String:
		return int64(v.Len())
	case reflect.Slice, reflect.Array:
		n := int64(v.Len()) * int64(v.Type().Elem().Size())
		if v.Type().Elem().Kind() == reflect.String {
			for i := range v.Len() {
				n += int64(v.Index(i).Len())
			}
		}
		return n
	case reflect.Map:
		return int64(v.Len()) * 32
	}
	return 0
}

// printfWidth returns the sum of the widths and precisions format asks for (what printed
// values are padded to), taking those given by '*' from args.
func printfWidth(format string, args []any) int64 {
	var total int64
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) {
			c := format[i]
			switch {
			case c == '%' && format[i-1] == '%':
			case strings.IndexByte("+-# 0.", c) >= 0:
				i++
				continue
			case c == '[': // an explicit argument index
				if end := strings.IndexByte(format[i:], ']'); end > 0 {
					var n int
					if _, err := fmt.Sscanf(format[i+1:i+end], "%d", &n); err == nil {
						arg = n - 1
					}
					i += end + 1
					continue
				}
			case c == '*':
				if arg >= 0 && arg < len(args) {
					if n, ok := args[arg].(int); ok {
						total += min(max(int64(n), -int64(n)), math.MaxInt32)
					}
				}
				arg++
				i++
				continue
			case c >= '0' && c <= '9':
				var n int64
				for i < len(format) && format[i] >= '0' && format[i] <= '9' {
					n = min(n*10+int64(format[i]-'0'), math.MaxInt32)
					i++
				}
				total += n
				continue
			default:
				arg++ // a verb takes an argument
			}
			break
		}
	}
	return total
}
