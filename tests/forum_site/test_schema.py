from django.core.management import call_command


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path, db):
    """Every endpoint is described: drf-spectacular would warn about any it cannot type."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/organisations/{id}/:" in text
