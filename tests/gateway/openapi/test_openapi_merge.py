"""Merging service documents: paths per service, schema name clashes renamed with their refs."""

from services.gateway.openapi.service import merge_documents


def _doc(path: str, schema_name: str, schema: dict[str, object]) -> dict[str, object]:
    return {
        "paths": {
            path: {
                "get": {
                    "responses": {
                        "200": {
                            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}
                        }
                    }
                }
            },
            "/healthz": {"get": {}},
        },
        "components": {"schemas": {schema_name: schema}},
        "tags": [{"name": "t"}],
    }


def test_paths_are_taken_only_under_each_service_prefix() -> None:
    merged = merge_documents(
        {"openapi": "3.1.0", "paths": {}}, {"projects": _doc("/api/projects/x", "A", {"type": "object"})}
    )
    assert set(merged["paths"]) == {"/api/projects/x"}


def test_identical_schemas_are_shared_and_different_ones_renamed() -> None:
    merged = merge_documents(
        {"openapi": "3.1.0"},
        {
            "projects": _doc("/api/projects/x", "Item", {"type": "object", "title": "P"}),
            "funding": _doc("/api/funding/y", "Item", {"type": "object", "title": "F"}),
            "reporting": _doc("/api/reporting/z", "Item", {"type": "object", "title": "P"}),
        },
    )
    schemas = merged["components"]["schemas"]
    assert schemas["Item"]["title"] == "P"
    assert schemas["FundingItem"]["title"] == "F"
    ref = merged["paths"]["/api/funding/y"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ref == {"$ref": "#/components/schemas/FundingItem"}
    reporting_ref = merged["paths"]["/api/reporting/z"]["get"]["responses"]["200"]["content"]["application/json"]
    assert reporting_ref["schema"] == {"$ref": "#/components/schemas/Item"}
