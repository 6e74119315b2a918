package credential

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// InConfigMap returns the literal credentials a ConfigMap's data holds, key by key in key
// order, with Field "data[KEY]" or "binaryData[KEY]" and a Message that begins with the key
// and never holds a value:
//   - a key whose value is one line is judged as a variable of that name (see Literal):
//     DB_PASSWORD: hunter2, or a URL with a password under any name;
//   - a key whose value is several lines is a file: a PEM private key anywhere in it, and each
//     line that assigns a value (key: value, key = value, "key": "value", export KEY=value,
//     as YAML, JSON, properties, INI, TOML and .env files write them) is judged as a variable
//     named by the assigned key (spring.datasource.password, db.password); any other line is
//     judged for what it holds whatever its name (see Shape);
//   - binaryData holding a PEM private key.
func InConfigMap(data map[string]string, binaryData map[string][]byte) []Found {
	var found []Found
	for _, k := range sortedKeys(data) {
		field := "data[" + k + "]"
		v := data[k]
		if !strings.Contains(strings.TrimSpace(v), "\n") {
			if why, ok := Literal(k, v); ok {
				found = append(found, Found{field, fmt.Sprintf("key %q holds %s", k, why)})
			} else if name, val, ok := assignment(v); ok {
				if why, ok := Literal(name, val); ok {
					found = append(found, Found{field, fmt.Sprintf("key %q sets %s to %s", k, name, why)})
				}
			}
			continue
		}
		if privateKey.MatchString(v) {
			found = append(found, Found{field, fmt.Sprintf("key %q holds %s", k, PrivateKey)})
			continue
		}
		for i, line := range strings.Split(v, "\n") {
			if name, val, ok := assignment(line); ok {
				if why, ok := Literal(name, val); ok {
					found = append(found, Found{field, fmt.Sprintf("key %q sets %s on line %d to %s", k, name, i+1, why)})
				}
			} else if why, ok := Literal("", line); ok {
				found = append(found, Found{field, fmt.Sprintf("key %q, line %d, holds %s", k, i+1, why)})
			}
		}
	}
	for _, k := range sortedKeys(binaryData) {
		if b := binaryData[k]; utf8.Valid(b) && privateKey.Match(b) {
			found = append(found, Found{"binaryData[" + k + "]", fmt.Sprintf("key %q holds %s", k, PrivateKey)})
		}
	}
	return found
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// assignmentLine matches a line of a configuration file that assigns a value to a key: an
// optional "export " or YAML list dash, the key (quoted or not), ":" or "=", the value.
var assignmentLine = regexp.MustCompile(`^\s*(?:export\s+|-\s+)?(?:"([^"]+)"|'([^']+)'|([A-Za-z_][A-Za-z0-9_.\-]*))\s*[:=]\s*(.*)$`)

// assignment splits a line that assigns a value into the key and the value, unquoted, with a
// trailing comma (JSON) or comment (" # ...", " ; ...") removed. A value that opens a
// structure or a block ({, [, YAML's | and >, an alias or a tag) assigns nothing itself.
func assignment(line string) (key, value string, ok bool) {
	m := assignmentLine.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	key = m[1] + m[2] + m[3]
	value = strings.TrimSpace(m[4])
	if q := value; len(q) >= 2 && (q[0] == '"' || q[0] == '\'') {
		if end := strings.IndexByte(q[1:], q[0]); end >= 0 {
			return key, q[1 : end+1], true
		}
	}
	if i := strings.Index(value, " #"); i >= 0 {
		value = strings.TrimSpace(value[:i])
	}
	value = strings.TrimSuffix(value, ",")
	if value != "" && strings.ContainsRune("{[|>&*!", rune(value[0])) {
		return key, "", true
	}
	return key, value, true
}
