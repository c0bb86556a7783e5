"""Admin backoffice for messaging: read conversations, moderate messages, see blocks."""

from django.contrib import admin

from forum_site.admin_actions import service_action
from members.messaging import services as messaging_services
from members.messaging.models import Block, Conversation, Message, MessagingPreference, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = [
        "user",
        "is_direct",
        "joined_at",
        "left_at",
        "muted",
        "last_read_message_id",
        "last_digested_message_id",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "organisation",
        "context_type",
        "context_id",
        "created_by",
        "last_message_at",
    ]
    list_filter = ["context_type", "organisation__country"]
    search_fields = ["subject", "organisation__name", "created_by__username"]
    list_select_related = ["organisation", "created_by"]
    date_hierarchy = "last_message_at"
    readonly_fields = ["created_by", "created_at", "last_message", "last_message_at"]
    autocomplete_fields = ["organisation"]
    inlines = [ParticipantInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "sender", "created_at", "edited_at", "deleted_at"]
    list_filter = [
        ("deleted_at", admin.EmptyFieldListFilter),
        ("edited_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["body", "sender__username", "conversation__subject"]
    list_select_related = ["conversation", "sender"]
    readonly_fields = [
        "conversation",
        "sender",
        "body",
        "created_at",
        "edited_at",
        "deleted_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"
    actions = ["remove"]

    def has_add_permission(self, request):
        return False

    remove = service_action(
        "Remove selected messages (leaves a “message deleted” marker)",
        lambda actor, message: messaging_services.message_moderate_delete(
            actor=actor, message=message
        ),
        done="{n} message(s) removed.",
    )


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__username", "blocked__username"]
    list_select_related = ["blocker", "blocked"]
    autocomplete_fields = ["blocker", "blocked"]
    list_filter = ["created_at"]


@admin.register(MessagingPreference)
class MessagingPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_digest"]
    list_filter = ["email_digest"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
