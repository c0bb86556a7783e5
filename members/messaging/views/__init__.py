"""The inbox pages, one module per part: my conversations and compose (`conversations`), a
thread with older messages paged in, new ones polled, and my messages edited or deleted
(`thread`), my place in a conversation: mute, leave, block (`place`).

Thin: every read is a selector with the API's access rule (a non-participant gets 404),
every write is the service the API calls. The thread polls `poll` with the last message
id and the time of the latest change it shows; nothing changed is a 304 after one indexed
query (`selectors.conversation_poll_state`).
"""
