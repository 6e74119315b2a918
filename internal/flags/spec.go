package flags

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
	"sync"
)

// data holds one file per component: every flag the component defines, whether it takes a
// value, and its shorthand; the head of each file says where its list comes from.
//
//go:embed data/*.txt
var data embed.FS

// Components are the programs SpecFor knows.
var Components = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy", "kubelet", "etcd"}

var (
	specsOnce sync.Once
	specs     map[string]Spec
	specsErr  error
)

// SpecFor returns the Spec of component (one of Components). For any other name it returns
// a pflag Spec that knows no flag: every flag written without "=" and followed by a word that
// looks like a flag is then read both ways (see Parse).
func SpecFor(component string) Spec {
	specsOnce.Do(func() { specs, specsErr = loadSpecs() })
	if specsErr != nil {
		panic(specsErr) // the embedded lists are checked by the package tests
	}
	if s, ok := specs[component]; ok {
		return s
	}
	return Spec{Component: component}
}

// KubeletSpec returns the Spec of the kubelet's command line.
func KubeletSpec() Spec { return SpecFor("kubelet") }

func loadSpecs() (map[string]Spec, error) {
	out := make(map[string]Spec, len(Components))
	for _, c := range Components {
		f, err := data.Open("data/" + c + ".txt")
		if err != nil {
			return nil, fmt.Errorf("flag list of %s: %w", c, err)
		}
		s, err := parseSpec(c, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out[c] = s
	}
	return out, nil
}

// parseSpec reads a flag list: "# parser pflag|goflag" once, then one flag a line as
// "name arg|noarg [shorthand]"; "#" starts a comment.
func parseSpec(component string, r interface{ Read([]byte) (int, error) }) (Spec, error) {
	s := Spec{Component: component, Arg: map[string]bool{}, NoArg: map[string]bool{}, Shorthand: map[byte]string{}}
	parser := ""
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if p, ok := strings.CutPrefix(text, "# parser "); ok {
			parser = strings.TrimSpace(p)
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) < 2 || len(f) > 3 {
			return Spec{}, fmt.Errorf("flag list of %s, line %d: want \"name arg|noarg [shorthand]\", got %q", component, line, text)
		}
		name := f[0]
		if s.Arg[name] || s.NoArg[name] {
			return Spec{}, fmt.Errorf("flag list of %s, line %d: --%s listed twice", component, line, name)
		}
		switch f[1] {
		case "arg":
			s.Arg[name] = true
		case "noarg":
			s.NoArg[name] = true
		default:
			return Spec{}, fmt.Errorf("flag list of %s, line %d: kind %q is neither arg nor noarg", component, line, f[1])
		}
		if len(f) == 3 {
			if len(f[2]) != 1 {
				return Spec{}, fmt.Errorf("flag list of %s, line %d: shorthand %q is not one letter", component, line, f[2])
			}
			s.Shorthand[f[2][0]] = name
		}
	}
	if err := sc.Err(); err != nil {
		return Spec{}, fmt.Errorf("flag list of %s: %w", component, err)
	}
	switch parser {
	case "pflag":
	case "goflag":
		s.GoFlag = true
		if len(s.Shorthand) > 0 {
			return Spec{}, fmt.Errorf("flag list of %s: Go's flag package has no shorthands", component)
		}
	default:
		return Spec{}, fmt.Errorf("flag list of %s: no \"# parser pflag|goflag\" line", component)
	}
	return s, nil
}
