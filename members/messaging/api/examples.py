"""Examples and shared responses of the messaging API in the OpenAPI schema (/api/docs/)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from members.messaging.services import BLOCKED

TOO_MANY = {429: OpenApiResponse(description="Too many messages: wait `Retry-After` seconds.")}

PERSON_KENJI = {"id": 12, "name": "Kenji Sato"}
PERSON_ASHA = {"id": 11, "name": "Asha Reddy"}
MESSAGE_EXAMPLE = {
    "id": 501,
    "conversation": 42,
    "sender": PERSON_KENJI,
    "body": "Thank you for hosting us in Hyderabad. Shall we schedule the plant visit?",
    "created_at": "2026-02-10T09:15:00Z",
    "edited": False,
    "edited_at": None,
    "deleted": False,
    "deleted_at": None,
    "updated_at": "2026-02-10T09:15:00Z",
}
CONVERSATION_EXAMPLE = {
    "id": 42,
    "subject": "Follow-up: Hyderabad delegation meeting",
    "organisation": None,
    "context_type": "delegation",
    "context_id": 7,
    "participants": [PERSON_ASHA, PERSON_KENJI],
    "created_at": "2026-02-10T09:00:00Z",
    "last_message_at": "2026-02-10T09:15:00Z",
    "last_message": {
        "id": 501,
        "sender": PERSON_KENJI,
        "preview": "Thank you for hosting us in Hyderabad. Shall we…",
        "created_at": "2026-02-10T09:15:00Z",
        "deleted": False,
    },
    "unread_count": 1,
    "muted": False,
}
BLOCK_EXAMPLE = {"user": 12, "name": "Kenji Sato", "created_at": "2026-02-10T10:00:00Z"}


def _response(name: str, value: dict, *status_codes: str) -> OpenApiExample:
    return OpenApiExample(
        name, value=value, response_only=True, status_codes=list(status_codes) or None
    )


def _request(name: str, value: dict) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


EX_CONVERSATION = _response("Conversation", CONVERSATION_EXAMPLE)
EX_CONVERSATION_PAGE = _response(
    "My conversations",
    {
        "next": "https://sme-forum.example/api/v1/conversations/?cursor=cD0yMDI2",
        "previous": None,
        "results": [CONVERSATION_EXAMPLE],
    },
)
EX_START_PEOPLE = _request(
    "Write to people about a delegation",
    {
        "recipients": [12],
        "subject": "Follow-up: Hyderabad delegation meeting",
        "body": "Kenji-san, thank you for visiting our plant.",
        "context_type": "delegation",
        "context_id": 7,
    },
)
EX_START_ORG = _request(
    "Write to an organisation",
    {
        "organisation": 3,
        "subject": "Cold-chain partnership",
        "body": "We would like to discuss a cold-chain pilot in Telangana.",
    },
)
EX_BODY = _request("Message", {"body": "Tuesday 10:00 IST works for us."})
EX_MESSAGE = _response("Message", MESSAGE_EXAMPLE)
EX_MESSAGE_DELETED = _response(
    "Deleted message",
    {
        **MESSAGE_EXAMPLE,
        "body": "",
        "deleted": True,
        "deleted_at": "2026-02-10T09:20:00Z",
        "updated_at": "2026-02-10T09:20:00Z",
    },
)
EX_PAGE = _response(
    "A page of messages",
    {
        "results": [MESSAGE_EXAMPLE],
        "has_older": True,
        "has_newer": False,
        "older": "https://sme-forum.example/api/v1/conversations/42/messages/?before=501",
        "newer": None,
    },
)
EX_READ_REQUEST = _request("Read up to a message", {"message_id": 501})
EX_READ = _response("Read state", {"last_read_message_id": 501, "unread_count": 0})
EX_MUTE = OpenApiExample("Mute", value={"muted": True})
EX_UNREAD = _response("Unread", {"unread": 3, "conversations": 2})
EX_PREFERENCES = OpenApiExample("Preferences", value={"email_digest": False})
EX_BLOCK_REQUEST = _request("Block a person", {"user": 12})
EX_BLOCK = _response("Block", BLOCK_EXAMPLE)
EX_BLOCK_PAGE = _response(
    "My blocks", {"count": 1, "next": None, "previous": None, "results": [BLOCK_EXAMPLE]}
)
EX_BAD_BODY = _response("Invalid", {"body": ["This field may not be blank."]}, "400")
EX_BLOCKED = _response("Blocked", {"detail": BLOCKED}, "403")
