from django.core.management import call_command


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path, db):
    """Every endpoint is described: drf-spectacular would warn about any it cannot type."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/organisations/{id}/:" in text


def api_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_has_a_summary_a_description_and_its_errors():
    missing = []
    for name, operation in operations(api_schema()):
        missing += [f"{name}: {key}" for key in ("summary", "description") if not operation[key]]
        for code, response in operation["responses"].items():
            if int(code) >= 400 and "application/json" not in response.get("content", {}):
                missing.append(f"{name}: the body of {code}")
        missing += [
            f"{name}: {code}" for code in ("400", "503") if code not in operation["responses"]
        ]
    assert missing == []


def test_the_schema_declares_what_the_api_answers():
    schema = api_schema()
    text = str(schema)
    # Times of day are "09:00:00": RFC 3339's partial-time, not its time (which has an offset).
    assert "'format': 'time'" not in text
    assert schema["components"]["schemas"]["Break"]["properties"]["start"]["format"] == (
        "partial-time"
    )
    attendees = schema["paths"]["/api/v1/events/{id}/attendees/"]["get"]["responses"]["200"]
    assert attendees["content"]["application/json"]["schema"]["type"] == "array"
    ics = schema["paths"]["/api/v1/delegations/{id}/itinerary.ics"]["get"]["responses"]["200"]
    assert list(ics["content"]) == ["text/calendar"]
    conversation = schema["components"]["schemas"]["Conversation"]["properties"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in conversation["context_type"]["oneOf"]
    membership = schema["components"]["schemas"]["Membership"]["properties"]
    assert membership["applied_by"]["nullable"] is membership["decided_by"]["nullable"] is True
