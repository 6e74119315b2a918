package credential_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kspm-dev/kspm/internal/credential"
)

func TestInConfigMap(t *testing.T) {
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"
	data := map[string]string{
		"DB_PASSWORD":   "hunter2",
		"LOG_LEVEL":     "info",
		"CACHE_URL":     "redis://:hunter2@cache:6379/0",
		"PASSWORD_FILE": "/run/secrets/db",
		"db.properties": "password=hunter2",
		"application.yaml": `server:
  port: 8080
datasource:
  url: jdbc:postgresql://db/app
  username: app
  password: "hunter2" # set by ops
  passwordFile: /etc/db/password
  token: ${TOKEN}
  secret: |
    multi-line
  apiKey: ""
# password: commented-out
broker: amqp://guest:guest@rabbit:5672/
`,
		"grafana.ini":   "[security]\nadmin_user = admin\nadmin_password = admin\n;secret_key = commented\n",
		"settings.json": "{\n  \"auth\": {\n    \"clientSecret\": \"s3cr3t\",\n    \"clientId\": \"web\"\n  }\n}\n",
		".env":          "export API_TOKEN=abc123\nDEBUG=true\n",
		"tls.key":       pem,
		"nginx.conf":    "server {\n  listen 80;\n  location / { proxy_pass http://app; }\n}\n",
	}
	binary := map[string][]byte{"key.pem": []byte(pem), "logo.png": {0x89, 'P', 'N', 'G', 0xff}}
	found := credential.InConfigMap(data, binary)
	var got []string
	for _, f := range found {
		got = append(got, f.Field+": "+f.Message)
	}
	assert.Equal(t, []string{
		`data[.env]: key ".env" sets API_TOKEN on line 1 to ` + credential.NamedLiteral,
		`data[CACHE_URL]: key "CACHE_URL" holds ` + credential.URLPassword,
		`data[DB_PASSWORD]: key "DB_PASSWORD" holds ` + credential.NamedLiteral,
		`data[application.yaml]: key "application.yaml" sets password on line 6 to ` + credential.NamedLiteral,
		`data[application.yaml]: key "application.yaml" sets broker on line 13 to ` + credential.URLPassword,
		`data[db.properties]: key "db.properties" sets password to ` + credential.NamedLiteral,
		`data[grafana.ini]: key "grafana.ini" sets admin_password on line 3 to ` + credential.NamedLiteral,
		`data[settings.json]: key "settings.json" sets clientSecret on line 3 to ` + credential.NamedLiteral,
		`data[tls.key]: key "tls.key" holds ` + credential.PrivateKey,
		`binaryData[key.pem]: key "key.pem" holds ` + credential.PrivateKey,
	}, got)
	for _, f := range found {
		for _, v := range []string{"hunter2", "s3cr3t", "abc123", "guest", "MIIEow"} {
			assert.NotContains(t, f.Message, v)
		}
	}
	assert.Empty(t, credential.InConfigMap(map[string]string{"a": "b", "config.yaml": "level: info\nsecretName: web-tls-secret\n"}, nil))
}

func TestInArgs(t *testing.T) {
	found := credential.InArgs(
		[]string{"sh", "-c", "exec app --db-password=hunter2 --verbose"},
		[]string{"--token", "abc123", "--password-file", "/run/pw", "--api-key", "--next", "postgres://u:p4ss@db/app",
			"--password=$(DB_PASSWORD)", "-secret=s3cr3t", "--token", "--x=ghp_" + "0123456789abcdef0123456789abcdef0123"})
	var got []string
	for _, f := range found {
		got = append(got, f.Field+": "+f.Message)
	}
	assert.Equal(t, []string{
		"command[2]: passes --db-password with " + credential.NamedLiteral,
		"args[0]: passes --token with " + credential.NamedLiteral,
		"args[6]: passes " + credential.URLPassword,
		"args[8]: passes --secret with " + credential.NamedLiteral,
		"args[10]: passes --x with " + credential.KnownToken,
	}, got)
	for _, f := range found {
		for _, v := range []string{"hunter2", "abc123", "p4ss", "s3cr3t", "0123456789abcdef"} {
			assert.NotContains(t, f.Message, v)
		}
	}
}
