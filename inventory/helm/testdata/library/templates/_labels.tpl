{{- define "library.labels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
