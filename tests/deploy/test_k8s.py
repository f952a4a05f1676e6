"""deploy/k8s/: valid for the stated Kubernetes versions, probed, bounded and locked down."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import kubernetes_validate
import pytest

from shared.infra.paths import PROJECT_ROOT
from tests.support.manifests import SERVICES, Document, k8s_container, k8s_documents, k8s_object

# The oldest minor version the manifests are meant for, and the newest the validator knows.
KUBERNETES_VERSIONS = ["1.33", "1.37"]
DOCUMENTS = k8s_documents()


def workloads() -> list[Document]:
    return [k8s_object("Deployment", name) for name in SERVICES] + [k8s_object("Job", "xarxa-migrate")]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    "document", [d for _, d in DOCUMENTS], ids=[f"{p.name}:{d['kind']}:{d['metadata']['name']}" for p, d in DOCUMENTS]
)
def test_manifest_is_valid_for_kubernetes(document: Document, version: str) -> None:
    # strict: unknown fields (a misspelt key Kubernetes would drop silently) are errors too.
    kubernetes_validate.validate(document, version, strict=True)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["spec", "template", "spec", "containers", 0, "readinesProbe"], {"httpGet": {"path": "/readyz"}}),
        (["spec", "replicas"], "two"),
        (["spec", "template", "spec", "containers", 0, "resources", "limits", "memory"], {"size": 512}),
    ],
)
def test_the_validator_refuses_what_the_api_server_would(path: list[Any], value: object) -> None:
    broken = copy.deepcopy(k8s_object("Deployment", "projects"))
    target = broken
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


def test_every_document_is_a_known_kind() -> None:
    kinds = {d["kind"] for _, d in DOCUMENTS}
    assert kinds == {"ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "Job", "NetworkPolicy"}
    for _, document in DOCUMENTS:
        assert "namespace" not in document["metadata"], "kubectl -n chooses the namespace"


@pytest.mark.parametrize("service", SERVICES)
def test_deployment_is_probed_on_its_health_endpoints(service: str) -> None:
    container = k8s_container(k8s_object("Deployment", service))
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8000}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


@pytest.mark.parametrize("service", SERVICES)
def test_service_and_disruption_budget_select_the_deployment_pods(service: str) -> None:
    deployment = k8s_object("Deployment", service)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= labels.items()
    assert deployment["spec"]["replicas"] >= 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0

    front = k8s_object("Service", service)
    assert front["spec"]["selector"] == selector
    assert [p["targetPort"] for p in front["spec"]["ports"]] == ["http"]

    budget = k8s_object("PodDisruptionBudget", service)
    assert budget["spec"]["selector"]["matchLabels"] == selector
    assert budget["spec"]["minAvailable"] < deployment["spec"]["replicas"]


@pytest.mark.parametrize("workload", workloads(), ids=lambda w: w["metadata"]["name"])
def test_workload_is_bounded_and_locked_down(workload: Document) -> None:
    version = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    pod = workload["spec"]["template"]["spec"]
    container = k8s_container(workload)
    assert container["image"] == f"xarxa:{version}"

    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}, kind

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    # The only writable place: a bounded emptyDir for uploads and exports.
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert [v["name"] for v in pod["volumes"] if "emptyDir" in v and "sizeLimit" in v["emptyDir"]] == ["tmp"]


def test_the_migration_job_runs_once_to_completion() -> None:
    job = k8s_object("Job", "xarxa-migrate")
    assert k8s_container(job)["command"] == ["xarxa", "migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] in {"Never", "OnFailure"}
    assert job["spec"].get("parallelism", 1) == 1
    assert job["spec"].get("completions", 1) == 1


def test_every_config_map_is_used() -> None:
    used = {source["configMapRef"]["name"] for w in workloads() for source in k8s_container(w).get("envFrom", [])}
    assert {d["metadata"]["name"] for _, d in DOCUMENTS if d["kind"] == "ConfigMap"} == used


def test_only_the_gateway_is_reachable_by_other_pods() -> None:
    policy = k8s_object("NetworkPolicy", "xarxa-services-from-gateway")
    selected = set(policy["spec"]["podSelector"]["matchExpressions"][0]["values"])
    assert selected == set(SERVICES) - {"gateway"}
    [rule] = policy["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}]
    # The port allowed is the one every selected pod listens on (the portal included).
    for service in selected:
        ports = [p["containerPort"] for p in k8s_container(k8s_object("Deployment", service))["ports"]]
        assert [p["port"] for p in rule["ports"]] == ports, service
    # No egress rule anywhere: the gateway reaches the services and the portal, the portal the gateway.
    policies = [d for _, d in DOCUMENTS if d["kind"] == "NetworkPolicy"]
    assert all(p["spec"]["policyTypes"] == ["Ingress"] for p in policies)
