package credential_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kspm-dev/kspm/internal/credential"
)

func TestLiteral(t *testing.T) {
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"
	tests := []struct {
		name, value string
		want        string // "" for not a credential
	}{
		// Credential names with literal values.
		{"DB_PASSWORD", "hunter2", credential.NamedLiteral},
		{"password", "abc123", credential.NamedLiteral},
		{"POSTGRES_PASSWORD", "123456", credential.NamedLiteral},
		{"MYSQL_ROOT_PASSWORD", "root", credential.NamedLiteral},
		{"SMTP_PASS", "x", credential.NamedLiteral},
		{"DB_PWD", "pw", credential.NamedLiteral},
		{"ADMIN_PASSPHRASE", "correct horse", credential.NamedLiteral},
		{"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", credential.NamedLiteral},
		{"AWS_SESSION_TOKEN", "FwoGZXIvYXdzE", credential.NamedLiteral},
		{"GITHUB_TOKEN", "ghp_abc", credential.NamedLiteral},
		{"GITLAB_PAT", "glpat-abc", credential.NamedLiteral},
		{"apiKey", "k-1", credential.NamedLiteral},
		{"APIKEY", "k-1", credential.NamedLiteral},
		{"StripeAPIKey", "sk_test_1", credential.NamedLiteral},
		{"OPENAI_API_KEY", "sk-abc", credential.NamedLiteral},
		{"AZURE_STORAGE_ACCOUNT_KEY", "abc==", credential.NamedLiteral},
		{"AZURE_CLIENT_SECRET", "abc", credential.NamedLiteral},
		{"client_secret", "s3cr3t", credential.NamedLiteral},
		{"JWT_SECRET", "mysecretpassword", credential.NamedLiteral},
		{"SECRET", "hunter2", credential.NamedLiteral},
		{"SECRET_KEY", "django-insecure-abc", credential.NamedLiteral},
		{"SECRET_KEY_BASE", "abc", credential.NamedLiteral},
		{"ENCRYPTION_KEY", "0123456789abcdef", credential.NamedLiteral},
		{"OCI_CLI_KEY_CONTENT", pem, credential.PrivateKey},
		{"CREDENTIALS", "user:pass", credential.NamedLiteral},
		{"REDIS_AUTH_TOKEN", "abc", credential.NamedLiteral},
		{"api-token", "abc", credential.NamedLiteral},
		{"SECRET_BLAH", "secretsquirrels", ""}, // last word "blah": kube-linter fires on any "secret"; its name says nothing of what it holds
		// Values that say what they are, whatever the name.
		{"the_good_stuff", "---BEGIN OPENSSH PRIVATE KEY---\nxxxxx\n---END  OPENSSH PRIVATE KEY---", credential.PrivateKey},
		{"TLS_KEY", pem, credential.PrivateKey},
		{"DATABASE_URL", "postgres://app:hunter2@db:5432/app", credential.URLPassword},
		{"CACHE", "redis://:hunter2@cache:6379/0", credential.URLPassword},
		{"BROKERS", "amqp://guest:guest@rabbit:5672/, amqp://x@y", credential.URLPassword},
		{"DB_PASSWORD", "postgres://u:p@db/app", credential.URLPassword},
		// Names that mention a credential but hold something else.
		{"PASSWORD_FILE", "/run/secrets/db", ""},
		{"DB_PASSWORD_PATH", "/etc/db/password", ""},
		{"TOKEN_URL", "https://auth.example.com/token", ""},
		{"TOKEN_TTL", "1h", ""},
		{"SECRET_NAME", "db-credentials", ""},
		{"SECRET_KEY_REF", "db", ""},
		{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", ""},
		{"MAX_TOKENS", "4096", ""},
		{"PASSWORD_MIN_LENGTH", "12", ""},
		{"AWS_SHARED_CREDENTIALS_FILE", "/home/app/.aws/credentials", ""},
		{"CACHE_KEY", "v1", ""},
		{"SORT_KEY", "name", ""},
		{"KEY", "value", ""},
		{"PWD", "/app", ""},
		{"PASS", "1", ""},
		{"BYPASS", "true", ""},
		{"greeting", "hello", ""},
		{"BLAH", "secretsquirrels", ""},
		{"user_name", "postgres", ""},
		// Credential names whose value is no credential.
		{"VAULT_TOKEN", "", ""},
		{"DB_PASSWORD", "   ", ""},
		{"DB_PASSWORD", "$(POSTGRES_PASSWORD)", ""},
		{"DSN_PASSWORD", "prefix-$(SUFFIX)", ""},
		{"API_TOKEN", "${API_TOKEN}", ""},
		{"SESSION_SECRET", "{{ .Values.sessionSecret }}", ""},
		{"DB_PASSWORD", "<password>", ""},
		{"REQUIRE_PASSWORD", "true", ""},
		{"DISABLE_TOKEN", "False", ""},
		{"GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json", ""},
		{"CLIENT_KEY", "./certs/client.key", ""},
		{"KUBE_TOKEN", "file:///var/run/secrets/kubernetes.io/serviceaccount/token", ""},
		{"OIDC_TOKEN", "https://issuer.example.com", ""},
		{"TLS_SECRET", "web-tls-secret", ""},
		{"WEBHOOK_SECRET", "app.secrets", ""},
		{"DATABASE_URL", "postgres://app@db:5432/app", ""},
		{"DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db:5432/app", ""},
		{"DATABASE_URL", "postgres://app:****@db:5432/app", ""},
		// The escape $$( is literal text, not a reference.
		{"DB_PASSWORD", "$$(not-a-ref)", credential.NamedLiteral},
		// Masks are not values.
		{"DB_PASSWORD", "********", ""},
		// Connection strings, whatever the name.
		{"ConnectionStrings__Default", "Server=db;Database=app;User Id=sa;Password=hunter2;", credential.ConnectionPassword},
		{"DSN", "Driver={ODBC};Server=db;Uid=app;Pwd='p4ss'", credential.ConnectionPassword},
		{"DSN", "Server=db;Database=app;Integrated Security=true", ""},
		{"DSN", "Server=db;Password=$(DB_PASSWORD)", ""},
		{"DSN", "Server=db;Password=;", ""},
		{"NOTE", "password=hunter2", ""}, // one pair, no connection string; the name says nothing
		// Tokens whose format says what they are, whatever the name.
		{"GH", "ghp_" + strings.Repeat("a1", 18), credential.KnownToken},
		{"GITHUB_TOKEN", "ghp_" + strings.Repeat("a1", 18), credential.KnownToken},
		{"CI", "glpat-abcdefghij0123456789", credential.KnownToken},
		{"HOOK", "xoxb-1234567890-abcdefghij", credential.KnownToken},
		{"PAYMENTS", "sk_live_" + strings.Repeat("x", 24), credential.KnownToken},
		{"PAYMENTS", "sk_test_" + strings.Repeat("x", 24), ""}, // a test key: only its name would say
		{"MAPS", "AIza" + strings.Repeat("B", 35), credential.KnownToken},
		{"AUTH", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl", credential.KnownToken},
		{"GH", "ghp_short", ""},
		{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			why, ok := credential.Literal(tt.name, tt.value)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, why)
		})
	}
}

func TestNamed(t *testing.T) {
	for name, want := range map[string]bool{
		"DB_PASSWORD": true, "clientSecret": true, "X-Api-Key": true, "AWS_SECRET_ACCESS_KEY": true, "token": true,
		"PASSWORD_FILE": false, "TOKEN_URL": false, "AWS_ACCESS_KEY_ID": false, "": false, "__": false, "PWD": false,
	} {
		assert.Equal(t, want, credential.Named(name), name)
	}
}

func TestShape(t *testing.T) {
	for v, want := range map[string]string{
		"-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----": credential.PrivateKey,
		"amqp://u:p@rabbit/":                 credential.URLPassword,
		"see $(HOME) and amqp://u:p@rabbit/": credential.URLPassword, // a reference elsewhere hides nothing
		"Server=a;Password=b":                credential.ConnectionPassword,
		"hunter2":                            "",
		"amqp://u:$(P)@rabbit":               "",
	} {
		why, ok := credential.Shape(v)
		assert.Equal(t, want != "", ok, v)
		assert.Equal(t, want, why, v)
	}
}
