"""What the public API says is wrong with a field: a code for programs, a message for people.

Callers (the API's status decisions, API clients, tests) branch on the code, never on the message text.
"""

import re
from enum import StrEnum
from typing import NamedTuple


class Code(StrEnum):
    REQUIRED = "required"
    INVALID = "invalid"  # wrong type or format
    NOT_A_FIELD = "not_a_field"
    NOT_ACCEPTED = "not_accepted"  # a value the hub's contract or the field's choices do not accept
    TOO_LONG = "too_long"
    TOO_LARGE = "too_large"
    NO_TIME_ZONE = "no_time_zone"
    IN_THE_FUTURE = "in_the_future"
    TOO_OLD = "too_old"
    UNKNOWN_WIDGET = "unknown_widget"  # not a widget of the key's hub
    UNKNOWN_EVENT = "unknown_event"
    IN_USE = "in_use"
    BAD_CHARACTER = "bad_character"  # a NUL or a lone UTF-16 surrogate: PostgreSQL stores neither
    # The request as a whole.
    TOO_DEEP = "too_deep"  # JSON nested deeper than the parser goes
    LENGTH_REQUIRED = "length_required"
    NOT_FOUND = "not_found"  # no endpoint at this path
    METHOD_NOT_ALLOWED = "method_not_allowed"  # see Allow
    MISSING_KEY = "missing_key"
    BAD_KEY = "bad_key"
    WRONG_SCOPE = "wrong_scope"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    CONSENT_REQUIRED = (
        "consent_required"  # the hub reports only with the person's consent: send "consent": true
    )
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"  # the database is unreachable: retry after Retry-After seconds
    INTERNAL = "internal"  # a bug: logged, with nothing of it in the answer


# What PostgreSQL refuses in text and jsonb: NUL, and a surrogate that is not half of a pair (the JSON parser
# joins the halves of a pair into one character, so any surrogate left in a parsed string is a lone one).
BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
BAD_CHARACTER = "contains a NUL character or a lone UTF-16 surrogate, which IHF does not store"


class FieldError(NamedTuple):
    field: str
    code: Code
    reason: str  # the message without the field's name

    @property
    def message(self) -> str:
        return f"{self.field}: {self.reason}"

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code.value, "message": self.message}
