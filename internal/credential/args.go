package credential

import (
	"fmt"
	"strings"
)

// InArgs returns the literal credentials a container's command line passes, with Field
// "command[i]" or "args[i]" and a Message that names the flag, never its value. Each word
// (a shell script given as one argument is split at white space) is judged:
//   - --NAME=VALUE and -NAME=VALUE as the variable NAME set to VALUE (see Literal);
//   - --NAME VALUE, when NAME says it holds a credential and VALUE is not itself a flag;
//   - any other word for what it holds whatever its name (see Shape): a URL with a password,
//     a private key, a token in a known format.
func InArgs(command, args []string) []Found {
	var found []Found
	for _, list := range []struct {
		name  string
		words []string
	}{{"command", command}, {"args", args}} {
		for i := 0; i < len(list.words); i++ {
			field := fmt.Sprintf("%s[%d]", list.name, i)
			words := strings.Fields(list.words[i])
			if len(words) == 1 && i+1 < len(list.words) && namedFlag(words[0]) && !strings.HasPrefix(list.words[i+1], "-") {
				words = append(words, list.words[i+1]) // --token VALUE, as two arguments
				i++
			}
			if f, ok := inWords(words); ok {
				found = append(found, Found{field, f})
			}
		}
	}
	return found
}

// namedFlag reports whether w is a flag without a value whose name says it takes a
// credential (--password, -token).
func namedFlag(w string) bool {
	flag, ok := strings.CutPrefix(w, "-")
	flag = strings.TrimPrefix(flag, "-")
	return ok && !strings.Contains(flag, "=") && Named(flag)
}

// inWords returns why the first of words that passes a credential does, as a message.
func inWords(words []string) (string, bool) {
	for j, w := range words {
		flag, isFlag := strings.CutPrefix(w, "-")
		flag = strings.TrimPrefix(flag, "-")
		if isFlag {
			if name, value, ok := strings.Cut(flag, "="); ok {
				if why, ok := Literal(name, value); ok {
					return fmt.Sprintf("passes --%s with %s", name, why), true
				}
				continue
			}
			if j+1 < len(words) && namedFlag(w) && !strings.HasPrefix(words[j+1], "-") {
				if why, ok := Literal(flag, words[j+1]); ok {
					return fmt.Sprintf("passes --%s with %s", flag, why), true
				}
			}
			continue
		}
		if why, ok := Literal("", w); ok {
			return "passes " + why, true
		}
	}
	return "", false
}
