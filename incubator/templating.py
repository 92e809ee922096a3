"""The pages' Jinja environments: one per interface language, so text is translated once.

Each language has its own environment and compiled templates. A `_("…")` of constant text is
translated when the template is compiled (`_ConstantsTranslated`), so a page no longer looks
up a hundred strings in the catalog, each through Jinja's call machinery (the directory page
spent about half its render time on them); only `_` of a variable is looked up as the page
renders. The request's language (set by the app's middleware) picks the environment, and
macros imported without their caller's context are in it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import msgspec
from jinja2 import (
    Environment,
    FileSystemLoader,
    TemplateNotFound,
    nodes,
    pass_context,
    select_autoescape,
)
from jinja2.visitor import NodeTransformer
from litestar.exceptions import TemplateNotFoundException
from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup, escape

from incubator import i18n
from incubator.money import format_hkd, hkd_input
from incubator.web import viewer_of


def templates_dir() -> Path:
    """The templates: `templates/` beside the packages in a checkout, `incubator/templates/`
    inside a built wheel (pyproject's force-include puts them there)."""
    installed = Path(__file__).parent / "templates"
    return installed if installed.is_dir() else Path(__file__).parent.parent / "templates"


def _format(text: str, **values: Any) -> str:
    return text % values if values else text


class _ConstantsTranslated(NodeTransformer):
    """`_("text")` becomes the translated text, and `_("text %(n)s", n=…)` formats the
    translated text; `_` of anything else is left for the page's render."""

    def __init__(self, language: str) -> None:
        self.language = language

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (
            isinstance(node.node, nodes.Name)
            and node.node.name == "_"
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        text = nodes.Const(i18n.gettext(self.language, node.args[0].value), lineno=node.lineno)
        if not node.kwargs:
            return text
        name = nodes.Name("_format", "load", lineno=node.lineno)
        return nodes.Call(name, [text], node.kwargs, None, None, lineno=node.lineno)


def logo(startup: Mapping[str, Any] | object, size: int = 56) -> Markup:
    """A start-up's logo, or its initial in a placeholder of the same size (a function, not a
    macro: the directory shows one a row; and plain f-strings, not Markup.format, which cost
    a quarter of the directory's render)."""
    size = int(size)  # the markup below holds only these integers and the escaped initial
    if _read(startup, "has_logo"):
        return Markup(  # noqa: S704
            f'<img class="logo" src="/startups/{int(_read(startup, "id"))}/logo" alt="" '
            f'width="{size}" height="{size}">'
        )
    initial = escape((_read(startup, "name_en") or "?")[:1])
    return Markup(  # noqa: S704
        f'<span class="logo placeholder" aria-hidden="true" '
        f'style="width:{size}px;height:{size}px">{initial}</span>'
    )


class _LanguageEnvironment(Environment):
    def __init__(self, language: str, **options: Any) -> None:
        super().__init__(**options)
        self.language = language

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _ConstantsTranslated(self.language).visit(super()._parse(source, name, filename))


def environment(language: str, folder: Path, stage_names: Mapping[str, str]) -> Environment:
    """The pages' environment for one language; `stage_names` are the start-up stages' names
    in English (the start-up domain's, passed in so that this module imports no domain)."""
    env = _LanguageEnvironment(
        language,
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code: checking each file's time on every page (three for
        # the directory: the page, the layout and the macros) only finds them unchanged.
        auto_reload=False,
    )

    def translate(message: str, **values: Any) -> str:
        if not values:  # a variable's text: perhaps a message a service composed
            return i18n.message(language, message) if isinstance(message, str) else message
        return _format(i18n.gettext(language, message), **values)

    def plural(n: int, one: str, many: str, **values: Any) -> str:
        """`one` or `many` (each a message with %(n)s) by the count, in this language, the
        count written with thousands separators."""
        return translate(one if n == 1 else many, n=f"{n:,}", **values)

    def localised(row: Mapping[str, Any] | object, field: str) -> str:
        """The Traditional Chinese version of a content field when chosen and present (of a
        row or a typed result)."""
        if language == "zh-Hant" and (chinese := _read(row, f"{field}_zh")):
            return chinese
        return _read(row, f"{field}_en") or _read(row, field) or ""

    translated_stages = {stage: translate(name) for stage, name in stage_names.items()}

    def stage_name(stage: str) -> str:
        """A stage's name in this language (a function, not a macro: the directory shows one
        a row, and a Jinja macro call costs ten times as much)."""
        return translated_stages.get(stage) or translate(stage)

    env.globals.update(
        _=translate,
        logo=logo,
        stage_name=stage_name,
        _format=_format,
        current_language=lambda: language,
        localised=localised,
        plural=plural,
        LANGUAGES=i18n.LANGUAGES,
        viewer_of=viewer_of,
    )
    env.filters["hk"] = i18n.hk_text
    env.filters["hkd"] = format_hkd
    env.filters["fields"] = fields
    env.filters["hkd_input"] = hkd_input
    return env


class LanguageTemplates(JinjaTemplateEngine):
    """Litestar's Jinja engine over one environment per language: a page is rendered in the
    environment of the request's language."""

    def __init__(self, folder: Path, stage_names: Mapping[str, str]) -> None:
        self.environments = {
            language: environment(language, folder, stage_names) for language in i18n.LANGUAGES
        }
        super().__init__(engine_instance=self.environments[i18n.DEFAULT_LANGUAGE])

    def get_template(self, template_name: str) -> Any:
        env = self.environments.get(i18n.REQUEST_LANGUAGE.get(), self.engine)
        try:
            return env.get_template(name=template_name)
        except TemplateNotFound as exc:
            raise TemplateNotFoundException(template_name=template_name) from exc

    def register_template_callable(self, key: str, template_callable: Callable) -> None:
        for env in getattr(self, "environments", {}).values():
            env.globals[key] = pass_context(template_callable)


def _read(row: Mapping[str, Any] | object, name: str) -> Any:
    """A field of a row (a mapping) or of a typed result (an attribute)."""
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def fields(row: Mapping[str, Any] | msgspec.Struct) -> Mapping[str, Any]:
    """A typed result's fields as a form's values (a row is its own)."""
    return row if isinstance(row, Mapping) else msgspec.structs.asdict(row)
