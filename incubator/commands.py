"""Typed commands: one msgspec Struct per thing a person asks the system to do, which a page
builds from its form's values and the API receives as its JSON body, so a service receives
the same typed command from both. The Struct says what each value is (a number, a date, a
text); the service says what it may be (a range, a choice, a row that exists), and names the
field of every rule a value breaks."""

from __future__ import annotations

import datetime
import enum
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar, get_type_hints

import msgspec

from incubator.errors import ValidationFailed

C = TypeVar("C", bound=msgspec.Struct)

# What a value must look like, by its type, in the words the pages use elsewhere.
_SHAPES = {
    int: "must be a whole number",
    float: "must be a number",
    bool: "must be yes or no",
    datetime.date: "must be a date written YYYY-MM-DD",
    datetime.datetime: "must be a date and time",
    str: "must be text",
}


def _shape(annotation: Any) -> str:
    choices = [a for a in (annotation, *getattr(annotation, "__args__", ())) if _is_enum(a)]
    if choices:
        return "must be one of " + ", ".join(str(c.value) for c in choices[0])
    for kind, words in _SHAPES.items():
        if annotation is kind:
            return words
    args = getattr(annotation, "__args__", ())
    for kind, words in _SHAPES.items():
        if kind in args and kind is not str:
            return words
    return "is not a value this field takes"


@dataclass
class FormRead(Generic[C]):
    """A command as read from a form: the command when every value could be read, the values
    that could be (typed), and what could not, by the form field it was typed in."""

    command: C | None
    values: dict[str, Any]
    errors: dict[str, str]

    async def checked(self, problems: Callable[[dict[str, Any]], Any]) -> C:
        """The command; or, when a value could not be read, refused with every broken rule:
        what could not be read, and what `problems` (the service's rule check, plain or
        async) finds in the values that could."""
        if self.command is not None:
            return self.command
        found = problems(self.values)
        raise self.refused(await found if inspect.isawaitable(found) else found)

    def refused(self, problems: dict[str, str]) -> ValidationFailed:
        """What could not be read, with the rules the readable values break (`problems`, from
        the service): every broken rule at once, as the API reports them."""
        return ValidationFailed(problems | self.errors)


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, enum.Enum)


def _takes_none(annotation: Any) -> bool:
    return type(None) in getattr(annotation, "__args__", ())


def _takes_text(annotation: Any) -> bool:
    return annotation is str or str in getattr(annotation, "__args__", ())


@cache
def _layout(command: type) -> tuple[dict[str, Any], tuple[msgspec.structs.FieldInfo, ...]]:
    """A command's fields and their types, read once: evaluating the annotations took
    nine tenths of reading a 100,000-row import."""
    return get_type_hints(command), msgspec.structs.fields(command)


def read_form(
    command: type[C],
    values: Mapping[str, Any],
    errors: dict[str, str] | None = None,
    shown_as: Mapping[str, str] | None = None,
    required: tuple[str, ...] = (),
) -> FormRead[C]:
    """Read a command from a form's values (text). A blank text field is empty text (a form
    sends every field, so blank means emptied), and so is a blank value a field may leave
    empty (None); any other blank field is not given, so it takes its default, or is
    reported as required; a value that is not of its field's type is
    reported beside its field, every one at once, with `errors` found before (a form's own
    reading, such as HK$ amounts) among them. `shown_as` names the form field a command field
    is typed in where the two differ (an amount in cents typed as HK$); `required` names the
    fields a form must fill although the command may leave them out (an edit form's numbers,
    where the API's change leaves a field as it was). `FormRead.checked` then gives the
    command, or every broken rule at once."""
    errors = dict(errors or {})
    shown_as = shown_as or {}
    hints, fields = _layout(command)
    given: dict[str, Any] = {}
    for field in fields:
        shown = shown_as.get(field.name, field.name)
        raw = values.get(field.name)
        blank = isinstance(raw, str) and not raw.strip()
        if blank and _takes_text(hints[field.name]):
            given[field.name] = ""  # a form sends every field: blank text is text, emptied
            continue
        if blank and _takes_none(hints[field.name]) and field.name not in required:
            given[field.name] = None  # a blank date or number that may be left out: emptied
            continue
        if raw is None or blank:
            has_default = field.default is not msgspec.NODEFAULT or field.default_factory not in (
                msgspec.NODEFAULT,
                None,
            )
            if field.name in required or not has_default:
                errors.setdefault(shown, "is required")
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if value == "on" and hints[field.name] is bool:
            value = True  # what a checkbox without a value of its own sends
        try:
            given[field.name] = msgspec.convert(value, hints[field.name], strict=False)
        except msgspec.ValidationError:
            errors.setdefault(shown, _shape(hints[field.name]))
    return FormRead(None if errors else command(**given), given, errors)


def command_from_form(command: type[C], values: Mapping[str, Any]) -> C:
    """The command from a form whose values are text or ids chosen from a list, which can only
    fail to read when tampered with: what cannot be read is refused beside its field."""
    read = read_form(command, values)
    if read.command is None:
        raise read.refused({})
    return read.command
