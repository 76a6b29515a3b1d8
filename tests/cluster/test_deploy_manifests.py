"""deploy/: the manifests parse, and they agree with each other and with the settings.

No container runtime or Kubernetes cluster is needed: these read the files. (`kubectl kustomize deploy/k8s`
renders them where kubectl is installed; the test runs it when it is.)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
SETTINGS = REPO / "backend" / "caunoi" / "config" / "settings"


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def _k8s_objects() -> dict[tuple[str, str], dict[str, Any]]:
    objects = {}
    for path in sorted(K8S.rglob("*.yaml")):
        for doc in _documents(path):
            if doc.get("kind") == "Kustomization":
                continue
            objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def _container(objects: dict[tuple[str, str], dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    spec = objects[(kind, name)]["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    return container


def _max_body_bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", size.lower()).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def _default(setting: str) -> int:
    """The default of an env_int setting, evaluated from its source (e.g. `10 * 1024 * 1024`)."""
    source = (SETTINGS / "base.py").read_text(encoding="utf-8")
    match = re.search(rf'env_int\("{setting}", ([^,]+),', source)
    assert match, setting
    return int(eval(match.group(1), {"__builtins__": {}}))  # noqa: S307 - a constant expression of our own


def test_every_manifest_parses_and_every_kustomization_lists_existing_files() -> None:
    paths = [*K8S.rglob("*.yaml"), DEPLOY / "compose.yaml"]
    assert len(paths) >= 10
    for path in paths:
        assert _documents(path), path
    for kustomization in K8S.rglob("kustomization.yaml"):
        (doc,) = _documents(kustomization)
        for resource in doc["resources"]:
            assert (kustomization.parent / resource).is_file(), (kustomization, resource)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_manifests() -> None:
    for folder in (K8S, K8S / "migrate"):
        rendered = subprocess.run(
            ["kubectl", "kustomize", str(folder)], capture_output=True, text=True, timeout=60, check=False
        )
        assert rendered.returncode == 0, rendered.stderr
        kinds = {doc["kind"] for doc in yaml.safe_load_all(rendered.stdout) if doc}
        assert kinds, folder


def test_web_has_probes_drain_and_two_replicas() -> None:
    objects = _k8s_objects()
    web = objects[("Deployment", "caunoi-web")]
    assert web["spec"]["replicas"] == 2
    container = _container(objects, "Deployment", "caunoi-web")
    assert container["args"] == ["web"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe"):
        # ALLOWED_HOSTS refuses the pod IP the kubelet would send: the probe names an allowed host.
        headers = {h["name"]: h["value"] for h in container[probe]["httpGet"]["httpHeaders"]}
        assert headers["Host"] in objects[("ConfigMap", "caunoi-config")]["data"]["ALLOWED_HOSTS"].split(",")
    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"
    assert container["resources"]["requests"]["cpu"]
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    graceful = int(objects[("ConfigMap", "caunoi-config")]["data"]["WEB_GRACEFUL_TIMEOUT"])
    assert web["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > pre_stop + graceful
    pdb = objects[("PodDisruptionBudget", "caunoi-web")]
    assert pdb["spec"]["selector"]["matchLabels"] == web["spec"]["selector"]["matchLabels"]


def test_worker_has_probes_beat_is_single_and_both_scale_targets_exist() -> None:
    objects = _k8s_objects()
    worker = _container(objects, "Deployment", "caunoi-worker")
    assert worker["args"] == ["worker"]
    assert worker["readinessProbe"]["exec"]["command"] == ["/app/deploy/entrypoint.sh", "healthcheck"]
    assert worker["livenessProbe"]["exec"]["command"] == ["/app/deploy/entrypoint.sh", "healthcheck"]
    beat = objects[("Deployment", "caunoi-beat")]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    targets = {
        doc["spec"]["scaleTargetRef"]["name"] for (kind, _), doc in objects.items() if kind == "HorizontalPodAutoscaler"
    }
    assert targets == {"caunoi-web", "caunoi-worker"}
    job = objects[("Job", "caunoi-migrate")]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]


def test_secrets_are_mounted_files_where_the_configmap_points() -> None:
    objects = _k8s_objects()
    config = objects[("ConfigMap", "caunoi-config")]["data"]
    secret_keys = set(objects[("Secret", "caunoi-secrets")]["stringData"])
    assert secret_keys == {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
    assert not secret_keys & set(config)  # never both a value and a file
    for key in secret_keys:
        assert config[f"{key}_FILE"] == f"/run/secrets/caunoi/{key}"
    for name in ("caunoi-web", "caunoi-worker", "caunoi-beat"):
        mounts = {m["mountPath"] for m in _container(objects, "Deployment", name)["volumeMounts"]}
        assert "/run/secrets/caunoi" in mounts, name


def test_compose_topology() -> None:
    (compose,) = _documents(DEPLOY / "compose.yaml")
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat", "nginx"}
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["web"]["deploy"]["replicas"] == 2
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["command"] == [name]
    assert "migrate" not in services["migrate"]["depends_on"]
    assert services["web"]["secrets"] == ["secret_key", "database_url", "redis_url"]


def test_request_size_limits_admit_a_full_set_of_attachments() -> None:
    """nginx (compose, local-cluster) and the Ingress must let through the largest valid submission."""
    most = _default("ATTACHMENT_MAX_BYTES") * _default("ATTACHMENT_MAX_COUNT")
    (compose,) = _documents(DEPLOY / "compose.yaml")
    compose_limit = _max_body_bytes(compose["services"]["nginx"]["environment"]["CAUNOI_MAX_BODY_SIZE"])
    ingress = _k8s_objects()[("Ingress", "caunoi")]
    ingress_limit = _max_body_bytes(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"])
    for limit in (compose_limit, ingress_limit):
        assert most < limit <= most + 2 * 1024**2


def test_env_example_documents_every_variable_the_settings_read() -> None:
    read = set()
    for module in SETTINGS.glob("*.py"):
        # env_str("NAME"…), env_int("NAME"…), and helpers wrapping them such as _limit("NAME"…).
        read |= set(re.findall(r'(?:env_\w+|_limit)\("([A-Z][A-Z0-9_]+)"', module.read_text(encoding="utf-8")))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= read
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+?)(?:_FILE)?=", example, flags=re.MULTILINE))
    assert read - documented == set()


def test_nginx_template_uses_only_the_placeholders_its_installers_fill() -> None:
    template = (DEPLOY / "nginx" / "caunoi.conf").read_text(encoding="utf-8")
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", template))
    (compose,) = _documents(DEPLOY / "compose.yaml")
    compose_env = compose["services"]["nginx"]["environment"]
    assert placeholders == {name for name in compose_env if name.startswith("CAUNOI_")}
    script = (DEPLOY / "local-cluster").read_text(encoding="utf-8")
    assert {name for name in placeholders if f'{name}="' not in script} == set()
    assert "location /media/ {\n        return 404;" in template
    assert "location /ws/" in template


def test_scripts_are_executable_and_parse() -> None:
    for script, shell in ((DEPLOY / "entrypoint.sh", "sh"), (DEPLOY / "local-cluster", "bash")):
        assert script.stat().st_mode & 0o111, script
        checked = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^USER (?!root)\w+", dockerfile, flags=re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile and "requirements/base.txt" in dockerfile


DOCKERFILE_INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR",
    "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}  # fmt: skip


def test_dockerfile_is_made_of_known_instructions() -> None:
    """No Docker daemon here to `docker build --check`: at least every instruction is one Docker knows and
    every COPY source exists in the build context (the repository root)."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    ignored = {
        line.strip().rstrip("/")
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", ".local"} <= ignored  # the context stays small and free of local data
    logical = re.sub(r"\\\n(\s*#.*\n)*", " ", text)  # join continuation lines
    for line in logical.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        instruction = stripped.split()[0]
        assert instruction in DOCKERFILE_INSTRUCTIONS, line
        if instruction == "COPY" and "--from=" not in stripped:
            *sources, _ = stripped.split()[1:]
            for source in sources:
                assert (REPO / source).exists(), source
                assert source.rstrip("/") not in ignored, f"{source} is excluded by .dockerignore"


def test_entrypoint_web_role_serves_and_its_healthcheck_passes(tmp_path: Path) -> None:
    """The image's `web` role and `healthcheck`, run against this checkout: the uvicorn flags are valid and
    the health check reaches /healthz."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "CAUNOI_APP_DIR": str(REPO),
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO / "backend"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "TMPDIR": str(tmp_path),
        "SECRET_KEY": "entrypoint-test-only",
    }
    entrypoint = str(DEPLOY / "entrypoint.sh")
    web = subprocess.Popen([entrypoint, "web"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        healthy = None
        while time.monotonic() < deadline and web.poll() is None:
            healthy = subprocess.run([entrypoint, "healthcheck"], env=env, capture_output=True, check=False)
            if healthy.returncode == 0:
                break
            time.sleep(0.5)
        assert web.poll() is None, web.stdout.read().decode() if web.stdout else ""
        assert healthy is not None and healthy.returncode == 0
        assert (tmp_path / "caunoi-role").read_text().strip() == "web"
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)
    # Nothing answers any more: the same check now fails, so it does check something.
    assert subprocess.run([entrypoint, "healthcheck"], env=env, capture_output=True, check=False).returncode != 0


def test_only_the_ingress_controller_reaches_the_web_pods_and_only_it_is_trusted_for_forwarded_headers() -> None:
    objects = _k8s_objects()
    policies = [doc for (kind, _name), doc in objects.items() if kind == "NetworkPolicy"]
    (kustomization,) = _documents(K8S / "kustomization.yaml")
    listed = {
        doc["metadata"]["name"]
        for resource in kustomization["resources"]
        for doc in _documents(K8S / resource)
        if doc.get("kind") == "NetworkPolicy"
    }
    assert {policy["metadata"]["name"] for policy in policies} == listed and listed
    # Every pod of the namespace refuses connections by default.
    default_deny = [p for p in policies if p["spec"]["podSelector"] in ({}, {"matchLabels": {}})]
    assert default_deny and all(p["spec"]["policyTypes"] == ["Ingress"] for p in default_deny)
    assert all(not p["spec"].get("ingress") for p in default_deny)
    # The web pods accept their port from the ingress controller's pods only.
    web_labels = objects[("Deployment", "caunoi-web")]["spec"]["template"]["metadata"]["labels"]
    web_policies = [
        p for p in policies if p["spec"]["podSelector"].get("matchLabels") and
        p["spec"]["podSelector"]["matchLabels"].items() <= web_labels.items()
    ]  # fmt: skip
    (web_policy,) = web_policies
    (rule,) = web_policy["spec"]["ingress"]
    (source,) = rule["from"]
    assert source["namespaceSelector"]["matchLabels"] and source["podSelector"]["matchLabels"]
    assert [port["port"] for port in rule["ports"]] == ["http"]
    # The web container's port named http is the one the policy opens.
    ports = _container(objects, "Deployment", "caunoi-web")["ports"]
    assert "http" in {port["name"] for port in ports}
    # uvicorn believes X-Forwarded-For only from the ingress controller's addresses, never from anyone.
    forwarded = objects[("ConfigMap", "caunoi-config")]["data"]["FORWARDED_ALLOW_IPS"]
    assert forwarded.strip() and "*" not in forwarded


def test_env_example_trusts_no_forwarded_headers_from_anyone() -> None:
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    (value,) = re.findall(r"^FORWARDED_ALLOW_IPS=(.*)$", example, re.M)
    assert value.strip() and "*" not in value
    flags = dict(re.findall(r"^(SECURE_HSTS_(?:PRELOAD|INCLUDE_SUBDOMAINS))=(.*)$", example, re.M))
    assert flags == {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "false", "SECURE_HSTS_PRELOAD": "false"}
