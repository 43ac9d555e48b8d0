"""The configuration readers: lines, literal values, what is never guessed."""

from __future__ import annotations

import pytest

from infralint.formats.commands import (
    dockerfile_launches,
    parse_launch,
    procfile_launches,
    split_shell,
)
from infralint.formats.nginx import read_nginx
from infralint.formats.terraform import Module, TerraformSyntaxError, read_terraform
from infralint.formats.values import Ref, Unresolved, parse_duration
from infralint.formats.yaml_docs import TEMPLATE_SPLICES, TEMPLATE_VALUE, TemplatedFile, YamlSyntaxError, is_template_value, read_yaml

TF = """\
variable "timeout" {
  default = 45
}
variable "no_default" {}
locals {
  paths = ["/ws/*", local.extra]
  extra = "/socket"
  computed = "${var.timeout}s"
}
resource "google_compute_backend_service" "api" {
  timeout_sec = var.timeout
  other       = var.no_default
  backend {
    group = google_compute_region_network_endpoint_group.neg.id
  }
  negative = -3
  flag     = true
  items    = { a = 1, "b" = "x" }
}
"""


def test_terraform_blocks_have_start_and_end_lines_and_attribute_lines():
    parsed = read_terraform(TF, "main.tf")
    backend = parsed.resources("google_compute_backend_service")[0]
    assert (backend.line, backend.end_line) == (10, 19)
    assert backend.line_of("timeout_sec") == 11
    assert backend.children("backend")[0].line == 13
    assert backend.get("timeout_sec") == Ref(("var", "timeout"))
    assert backend.get("negative") == -3 and backend.get("flag") is True
    assert backend.get("items") == {"a": 1, "b": "x"}
    assert backend.children("backend")[0].get("group") == Ref(("google_compute_region_network_endpoint_group", "neg", "id"))


def test_terraform_module_resolves_variable_defaults_and_literal_locals_only():
    module = Module([read_terraform(TF, "main.tf")])
    backend = module.files[0].resources("google_compute_backend_service")[0]
    assert module.resolve(backend.get("timeout_sec")) == 45
    assert isinstance(module.resolve(backend.get("other")), Unresolved)  # no default: never guessed
    assert module.resolve(Ref(("local", "paths"))) == ["/ws/*", "/socket"]
    assert isinstance(module.resolve(Ref(("local", "computed"))), Unresolved)  # a template


def test_terraform_syntax_error_is_reported_not_raised_further():
    with pytest.raises(TerraformSyntaxError):
        read_terraform('resource "x" {\n  a = \n', "bad.tf")


def test_yaml_mappings_know_their_key_lines():
    documents = read_yaml("a: 1\nb:\n  c: [1, 2]\n  d: {e: f}\n---\nkind: Pod\n", "x.yaml")
    first = documents[0]
    assert first.line_of("b") == 2 and first.map("b").line_of("d") == 4
    assert documents[1]["kind"] == "Pod" and documents[1].line == 6


HELM = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      {{- if .Values.serviceAccount }}
      serviceAccountName: {{ .Values.serviceAccount | quote }}
      {{- else }}
      automountServiceAccountToken: false
      {{- end }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            {{- include "app.env" . | nindent 12 }}
            - name: "UVICORN_TIMEOUT_KEEP_ALIVE"
              value: "61"
            {{- range $name, $url := .Values.extra }}
            - name: EXTRA_{{ $name }}
              value: {{ $url }}
            {{- end }}
{{/* a comment
   over two lines */}}
"""


def test_helm_templates_read_with_expressions_opaque_and_lines_kept():
    document = read_yaml(HELM, "chart/templates/deployment.yaml")[0]
    assert document["kind"] == "Deployment" and document.map("spec").line_of("replicas") == 7
    assert is_template_value(document.map("spec")["replicas"])
    container = document.map("spec").map("template").map("spec").list("containers")[0]
    assert container.line_of("env") == 18 and container["image"] == f"{TEMPLATE_VALUE}:{TEMPLATE_VALUE}"
    env = container["env"]
    assert env[0] == {"name": "UVICORN_TIMEOUT_KEEP_ALIVE", "value": "61"} and env[0].line == 20
    assert env[1]["name"] == f"EXTRA_{TEMPLATE_VALUE}"
    # the include lines splice YAML nobody can see: recorded, never taken for a complete list
    assert document[TEMPLATE_SPLICES] == [5, 19]


def test_jinja_manifests_read_the_same_way():
    text = "{%- set apps = {\n  'a': 1,\n} -%}\n---\napplications:\n  - name: {{ app }}\n    {% if x %}\n    memory: 1G\n    {% endif %}\n    routes:\n      {%- for r in routes %}\n      - route: {{ r }}\n      {%- endfor %}\n"
    document = read_yaml(text, "manifest.yml.j2")[0]
    app = document["applications"][0]
    assert app.line_of("memory") == 8 and app["routes"] == [{"route": TEMPLATE_VALUE}]


def test_yaml_templates_and_invalid_yaml():
    with pytest.raises(TemplatedFile) as templated:
        read_yaml("a:\n  b: {{ .Values.x }}\n- {{ .Values.y }}: 1\n", "t.yaml")
    assert templated.value.line == 3
    with pytest.raises(YamlSyntaxError) as error:
        read_yaml("a: [1, 2\nb: 3\n", "bad.yaml")
    assert error.value.line >= 1


def test_yaml_unknown_tags_are_read_as_plain_values():
    assert read_yaml("value: !Ref Something\n", "cfn.yaml")[0]["value"] == "Something"


def test_nginx_directives_with_lines_and_includes_kept():
    parsed = read_nginx("http {\n  include conf.d/*.conf;\n  server {\n    location /ws/ { proxy_pass http://app; }\n  }\n}\n", "nginx.conf")
    http = parsed.directives[0]
    assert [d.name for d in http.block] == ["include", "server"]
    location = http.block[1].block[0]
    assert (location.name, location.args, location.line) == ("location", ["/ws/"], 4)
    assert location.block[0].path == "nginx.conf"


@pytest.mark.parametrize(
    "text, seconds",
    [("30", 30.0), (45, 45.0), ("300s", 300.0), ("1m30s", 90.0), ("500ms", 0.5), ("1h", 3600.0), ("${var.x}", None), ("fast", None)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_launch_command_lines():
    launch = parse_launch(["sh", "-c", "alembic upgrade head && exec uvicorn app:app --timeout-keep-alive=75"], "x", 1)
    assert (launch.server, launch.keepalive) == ("uvicorn", 75.0)
    launch = parse_launch(["python", "-m", "gunicorn", "-k", "gthread", "--keep-alive", "10", "app:app"], "x", 1)
    assert (launch.server, launch.keepalive, launch.worker_class) == ("gunicorn", 10.0, "gthread")
    assert parse_launch(["celery", "-A", "app", "worker"], "x", 1) is None
    assert split_shell('echo "unterminated') == []


def test_dockerfile_uses_the_last_cmd_of_each_stage_with_its_entrypoint():
    text = 'FROM a AS build\nCMD ["uvicorn", "x:app"]\nCMD ["pytest"]\nFROM b\nENTRYPOINT ["hypercorn"]\nCMD ["x:app", \\\n  "--keep-alive", "7"]\n'
    launches = dockerfile_launches(text, "Dockerfile")
    assert [(l.server, l.keepalive, l.line) for l in launches] == [("hypercorn", 7.0, 5)]


def test_procfile_lines():
    launches = procfile_launches("# comment\nweb: gunicorn app:app -c gunicorn.conf.py\nrelease: python manage.py migrate\n", "Procfile")
    assert [(l.server, l.config_file, l.line) for l in launches] == [("gunicorn", "gunicorn.conf.py", 2)]
