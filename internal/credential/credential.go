package credential

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Why a value is a literal credential, as messages end: "sets X to <why>".
const (
	// NamedLiteral: the value is literal and the variable's name says it holds a credential.
	NamedLiteral = "a literal value, and its name says it holds a credential"
	// PrivateKey: the value holds a PEM private key, whatever the variable's name.
	PrivateKey = "a literal private key"
	// URLPassword: the value holds a URL whose user information has a password.
	URLPassword = "a URL with a literal password"
	// ConnectionPassword: the value is a connection string (key=value pairs separated by
	// semicolons, as ADO.NET and ODBC write them) with a literal Password or Pwd.
	ConnectionPassword = "a connection string with a literal password"
	// KnownToken: the value holds a token in a format a provider gives its credentials
	// (GitHub, GitLab, Slack, Stripe live keys, Google API keys, npm, SendGrid) or a JSON Web
	// Token, whatever the variable's name.
	KnownToken = "a token in a known credential format"
)

// Literal reports whether value, the literal value of the environment variable name, is a
// credential, and why (one of the reasons above). A value that is empty, masked (only
// asterisks), refers to other variables ($(VAR), which the kubelet expands) or to a template
// (${VAR}, {{ ... }}, <placeholder>), or that is a boolean, a file path, a URL without a
// password or the name of a Secret object, is not one: the variable holds where or whether
// a credential is, not the credential. An empty name asks only what the value holds
// whatever its name (see Shape).
func Literal(name, value string) (why string, ok bool) {
	v := strings.TrimSpace(value)
	if v == "" || isReference(v) || strings.Trim(v, "*") == "" {
		return "", false
	}
	if why, ok := Shape(v); ok {
		return why, true
	}
	noun, ok := namedNoun(name)
	if !ok || isBoolean(v) || isPath(v) || isURL(v) || (noun == "secret" && isSecretName(v)) {
		return "", false
	}
	return NamedLiteral, true
}

// Shape reports whether v holds a credential whatever name it is given, and why: a PEM
// private key (PrivateKey), a URL with a password (URLPassword), a connection string with a
// password (ConnectionPassword) or a token in a known format (KnownToken). Unlike Literal it
// does not ask whether v as a whole refers to something else: each URL or connection string
// password is judged on its own.
func Shape(v string) (why string, ok bool) {
	// Each pattern is tried only when v holds the text any match of it holds: most values
	// hold none, and a substring search is many times cheaper than a regular expression.
	switch {
	case strings.Contains(v, "PRIVATE KEY") && privateKey.MatchString(v):
		return PrivateKey, true
	case urlPassword(v):
		return URLPassword, true
	case connectionPassword(v):
		return ConnectionPassword, true
	case mayHoldKnownToken(v) && knownToken.MatchString(v):
		return KnownToken, true
	}
	return "", false
}

// knownTokenLiterals are the texts that begin the alternatives of knownToken: a match of it
// holds one of them.
var knownTokenLiterals = []string{"gh", "github_pat_", "glpat-", "xox", "k_live_", "AIza", "npm_", "SG.", "eyJ"}

func mayHoldKnownToken(v string) bool {
	return slices.ContainsFunc(knownTokenLiterals, func(lit string) bool { return strings.Contains(v, lit) })
}

// Named reports whether the name of an environment variable says it holds a credential: its
// last word is a credential (DB_PASSWORD, clientSecret, GITHUB_TOKEN, SMTP_PASS) or is "key"
// after a word that makes it one (API_KEY, AWS_SECRET_ACCESS_KEY, encryptionKey). A name
// whose last word says what else it holds (PASSWORD_FILE, TOKEN_URL, SECRET_NAME,
// AWS_ACCESS_KEY_ID, TOKEN_TTL) is not one.
func Named(name string) bool {
	_, ok := namedNoun(name)
	return ok
}

// credentialNouns are last words that make a name a credential's.
var credentialNouns = []string{
	"password", "passwd", "passphrase", "secret", "token", "credential", "credentials", "creds",
	"apikey", "accesskey", "secretkey", "privatekey", "authtoken", "accesstoken", "clientsecret",
	"bearer",
}

// shortNouns are credential words only after another word: alone, PASS and PWD are
// something else (PWD is the shell's working directory).
var shortNouns = []string{"pass", "pwd", "pat"}

// keyQualifiers are words that, before "key", make it a credential rather than a lookup key
// (CACHE_KEY, SORT_KEY, PARTITION_KEY).
var keyQualifiers = []string{
	"api", "secret", "access", "private", "encryption", "encrypt", "crypt", "cipher", "signing", "sign",
	"master", "auth", "hmac", "session", "app", "jwt", "storage", "account", "shared", "license",
	"ssh", "rsa", "aes", "gpg", "pgp", "subscription", "service", "client",
}

// namedNoun returns the credential noun a variable's name ends with, if it ends with one.
func namedNoun(name string) (string, bool) {
	words := splitWords(name)
	if len(words) == 0 {
		return "", false
	}
	last := words[len(words)-1]
	switch {
	case slices.Contains(credentialNouns, last):
		return last, true
	case slices.Contains(shortNouns, last) && len(words) > 1:
		return last, true
	case last == "key" && len(words) > 1 && slices.Contains(keyQualifiers, words[len(words)-2]):
		return last, true
	case last == "base" && len(words) > 2 && words[len(words)-2] == "key" && words[len(words)-3] == "secret":
		return "secret", true // Rails' SECRET_KEY_BASE
	}
	return "", false
}

// splitWords splits a variable name into lower-case words at every character that is not a
// letter or a digit, and at case changes: "AWS_SECRET_ACCESS_KEY" and "awsSecretAccessKey"
// both give aws, secret, access, key; "APIKey" gives api, key.
func splitWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// privateKey matches the armour of a PEM private key (RSA, EC, OPENSSH, ENCRYPTED, ...),
// with the three or more dashes some writers use.
var privateKey = regexp.MustCompile(`-{3,}\s*BEGIN [A-Z0-9 ]*PRIVATE KEY\s*-{3,}`)

// userinfoPassword finds scheme://user:password@ and captures the password.
var userinfoPassword = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@`)

// urlPassword reports whether v holds a URL whose user information carries a literal password.
func urlPassword(v string) bool {
	if !strings.Contains(v, "://") || !strings.Contains(v, "@") { // in every match
		return false
	}
	for _, m := range userinfoPassword.FindAllStringSubmatch(v, -1) {
		if p := m[1]; !isReference(p) && strings.Trim(p, "*") != "" {
			return true
		}
	}
	return false
}

// connectionPasswordRe finds Password= or Pwd= in a connection string and captures the value.
var connectionPasswordRe = regexp.MustCompile(`(?i)(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]*)`)

// connectionPassword reports whether v is a connection string (it holds a semicolon) with a
// literal password.
func connectionPassword(v string) bool {
	if !strings.Contains(v, ";") {
		return false
	}
	for _, m := range connectionPasswordRe.FindAllStringSubmatch(v, -1) {
		p := strings.Trim(strings.TrimSpace(m[1]), `'"`)
		if p != "" && !isReference(p) && strings.Trim(p, "*") != "" {
			return true
		}
	}
	return false
}

// knownToken matches tokens whose format says they are credentials: GitHub tokens
// (ghp_, gho_, ghu_, ghs_, ghr_ and fine-grained github_pat_), GitLab personal access tokens,
// Slack tokens, Stripe live secret and restricted keys, Google API keys, npm tokens, SendGrid
// API keys, and JSON Web Tokens (a header and a payload that are base64url JSON objects, and
// a signature).
var knownToken = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,}|glpat-[A-Za-z0-9_-]{20,}|` +
	`xox[abposr]-[A-Za-z0-9-]{10,}|[rs]k_live_[A-Za-z0-9]{20,}|AIza[A-Za-z0-9_-]{35}|npm_[A-Za-z0-9]{36}|` +
	`SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})`)

// kubeletRef matches a reference the kubelet expands, $(VAR_NAME), but not the escape $$(.
var kubeletRef = regexp.MustCompile(`(^|[^$])\$\([A-Za-z_][A-Za-z0-9_.-]*\)`)

// isReference reports whether v refers to other variables or to a template instead of
// holding a value itself: any $(VAR) (the credential is then the other variable's), or a
// value that is wholly ${VAR}, {{ ... }} or <placeholder>.
func isReference(v string) bool {
	if strings.Contains(v, "$(") && kubeletRef.MatchString(v) { // "$(" is in every match
		return true
	}
	wrapped := func(open, close string) bool {
		return strings.HasPrefix(v, open) && strings.HasSuffix(v, close) && len(v) > len(open)+len(close)
	}
	return wrapped("${", "}") || wrapped("{{", "}}") || wrapped("<", ">")
}

func isBoolean(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null", "nil":
		return true
	}
	return false
}

// path matches a file path of at least two components: /run/secrets/db, ./conf/token,
// ~/.aws/credentials, file:///etc/key.
var path = regexp.MustCompile(`^(file://|~|\.{1,2})?/[\w.@+-]+(/[\w.@+-]*)+$`)

func isPath(v string) bool { return path.MatchString(v) }

// url matches a URL with a scheme and a host and no white space.
var url = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^\s/]+(/\S*)?$`)

func isURL(v string) bool { return url.MatchString(v) }

// secretName matches what can only be the name of a Kubernetes Secret: a DNS subdomain of
// several parts that mentions "secret" (web-tls-secret, db.secrets).
var secretName = regexp.MustCompile(`^[a-z0-9]+([-.][a-z0-9]+)+$`)

func isSecretName(v string) bool {
	return secretName.MatchString(v) && strings.Contains(v, "secret")
}
