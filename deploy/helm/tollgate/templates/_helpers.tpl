{{- define "tollgate.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tollgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tollgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tollgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tollgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "tollgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The config as mounted: the values' config, plus Redis state when a Redis URL is given. */}}
{{- define "tollgate.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- if and (or .Values.redis.url .Values.redis.existingSecret) (not (hasKey $config "state")) -}}
{{- $_ := set $config "state" (dict "kind" "redis" "url" "${TOLLGATE_REDIS_URL}" "onUnavailable" .Values.redis.onUnavailable) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
