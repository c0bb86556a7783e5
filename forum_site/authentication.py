"""DRF's token authentication in one prepared query.

Its own module: DRF imports authentication classes while `rest_framework.views` is being
imported, so this must not import the views (forum_site/api.py does).
"""

import functools

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


@functools.cache
def _token_query(alias: str):
    """The SQL that loads a token with its user, the columns it returns and their converters
    (those the ORM applies, e.g. SQLite's datetimes), built once per database."""
    connection = connections[alias]
    user_model = get_user_model()
    qn = connection.ops.quote_name
    token_fields = Token._meta.concrete_fields
    user_fields = user_model._meta.concrete_fields
    columns = [("t", f) for f in token_fields] + [("u", f) for f in user_fields]
    sql = (
        f"SELECT {', '.join(f'{table}.{qn(f.column)}' for table, f in columns)} "
        f"FROM {qn(Token._meta.db_table)} t INNER JOIN {qn(user_model._meta.db_table)} u "
        f"ON u.{qn(user_model._meta.pk.column)} = t.{qn(Token._meta.get_field('user').column)} "
        f"WHERE t.{qn(Token._meta.pk.column)} = %s"
    )
    converters = []
    for i, (table, field) in enumerate(columns):
        col = field.get_col(table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((i, found, col))
    return sql, token_fields, user_fields, converters


def token_with_user(key: str) -> Token | None:
    alias = router.db_for_read(Token)
    sql, token_fields, user_fields, converters = _token_query(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for i, found, col in converters:
        for convert in found:
            row[i] = convert(row[i], col, connection)
    n = len(token_fields)
    token = Token.from_db(alias, [f.attname for f in token_fields], row[:n])
    user = get_user_model().from_db(alias, [f.attname for f in user_fields], row[n:])
    Token._meta.get_field("user").set_cached_value(token, user)
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication with the same answers, but one hand-written query in place
    of `Token.objects.select_related("user").get(key=…)`: on this hardware building that
    query with the ORM cost three times as much as running it, on every API request."""

    def authenticate_credentials(self, key):
        token = token_with_user(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
