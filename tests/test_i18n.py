"""English and Traditional Chinese: a complete catalog, a language switch, content in both."""

import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from incubator import i18n
from tests.conftest import login, post_form

ROOT = Path(__file__).parent.parent


def template_messages() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "templates"),
        method_map=[("**.html", "jinja2")],
        keywords={"_": None, "plural": (2, 3)},  # plural(n, "%(n)s thing", "%(n)s things")
    )
    messages: set[str] = set()
    for _file, _line, message, _comments, _context in found:
        messages |= set(message) if isinstance(message, tuple) else {message}
    return messages


def test_every_interface_text_has_a_traditional_chinese_translation():
    catalog = i18n.translations("zh-Hant")
    messages = template_messages()
    assert len(messages) > 150
    untranslated = sorted(
        m for m in messages if catalog.gettext(m) == m and m not in {"Web3", "Webhook"}
    )
    assert untranslated == []


def test_accept_language_chooses_chinese_for_hong_kong_and_taiwan_browsers():
    assert i18n.negotiate(None, None, "zh-HK,zh;q=0.9,en;q=0.8") == "zh-Hant"
    assert i18n.negotiate(None, None, "zh-TW") == "zh-Hant"
    assert i18n.negotiate(None, None, "zh-CN,en;q=0.5") == "en"
    assert i18n.negotiate("en", "zh-Hant", "zh-HK") == "en"  # an explicit switch wins


async def test_language_switch_turns_the_pages_into_traditional_chinese(client, park):
    english = await client.get("/startups")
    assert "Start-up directory" in english.text and 'lang="en-HK"' in english.text
    switched = await client.get("/lang/zh-Hant?next=/startups%3Fq%3Dharbour")
    assert switched.status_code == 303 and switched.headers["location"] == "/startups?q=harbour"
    chinese = await client.get("/startups?q=harbour")
    assert "初創企業名錄" in chinese.text and 'lang="zh-Hant-HK"' in chinese.text
    assert "海港支付" in chinese.text  # content fields in Chinese too
    assert "找到的初創企業：1 間" in chinese.text
    # Macros imported without their page's context (the pager) translate too.
    paged = await client.get("/startups?per_page=1&sort=name")
    assert "第 1 頁，共 3 頁" in paged.text and "Page 1 of" not in paged.text
    assert (await client.get("/lang/fr")).status_code == 400
    away = await client.get("/lang/en?next=https://evil.example")
    assert away.headers["location"] == "/"


async def test_a_logged_in_user_keeps_the_chosen_language(client, park):
    from incubator.auth.tables import User

    await login(client, park.users["member"])
    await post_form(client, "/lang/zh-Hant", {})
    user = await User.select(User.language).where(User.email == park.users["member"]).first()
    assert user["language"] == "zh-Hant"
    client.cookies.delete("lang")
    assert "我的帳戶" in (await client.get("/account")).text


async def test_errors_are_shown_in_chinese_too(client, park):
    await client.get("/lang/zh-Hant")
    await client.get("/login")
    from tests.conftest import post_form

    wrong = await post_form(client, "/login", {"email": park.users["admin"], "password": "x"})
    assert "電郵或密碼不正確。" in wrong.text


def test_instants_are_shown_in_hong_kong_time():
    from datetime import UTC, datetime

    from incubator.i18n import hk_text as _hong_kong_time

    assert _hong_kong_time(datetime(2026, 1, 1, 20, 30, tzinfo=UTC)) == "2026-01-02 04:30"
    assert _hong_kong_time(None) == ""


def test_constant_interface_text_is_translated_once_when_a_template_is_compiled(tmp_path):
    """Each language has its own environment: `_("…")` of constant text is compiled into the
    page already translated; `_` of a variable is still translated as the page renders, and
    named values are filled into the translated text."""
    from incubator.templating import environment

    (tmp_path / "page.html").write_text(
        '{{ _("Start-ups") }}|{{ _("founded %(year)s", year=2019) }}|{{ _(word) }}|'
        "{{ stage_name('seed') }}|{{ current_language() }}"
    )
    zh = environment("zh-Hant", tmp_path, {"seed": "Seed"})
    assert zh.get_template("page.html").render(word="Start-ups") == (
        f"初創企業|2019 年成立|初創企業|{i18n.gettext('zh-Hant', 'Seed')}|zh-Hant"
    )
    assert "初創企業" in zh.compile(zh.loader.get_source(zh, "page.html")[0], raw=True)
    en = environment("en", tmp_path, {"seed": "Seed"})
    assert en.get_template("page.html").render(word="Start-ups") == (
        "Start-ups|founded 2019|Start-ups|Seed|en"
    )


ERRORS = {
    "DomainError", "ValidationFailed", "BadParameter", "NotFound", "Forbidden",
    "NotAuthenticated", "Conflict", "StaleVersion", "TooManyRequests", "BodyRefused",
}  # fmt: skip


def _skeleton(text: str) -> str:
    return re.sub(r"\{[^{}]*\}", "{}", text)


def _texts(node: ast.AST):
    """The message a node gives: a constant, or an f-string as its template ({} for values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body)
        yield from _texts(node.orelse)


def service_messages() -> dict[str, str]:
    """Every message the code raises as an error or gives as a field's broken rule."""
    found: dict[str, str] = {}
    for root in ("incubator", "events", "centres"):
        for path in (ROOT / root).glob("**/*.py"):
            if "demo" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                values: list[ast.AST] = []
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in ERRORS
                ):
                    for arg in node.args:
                        values += arg.values if isinstance(arg, ast.Dict) else [arg]
                target = node.targets[0] if isinstance(node, ast.Assign) else None
                if isinstance(target, ast.Subscript) and "error" in ast.unparse(target.value):
                    values.append(node.value)
                for value in values:
                    for text in _texts(value):
                        found.setdefault(text, f"{path.relative_to(ROOT)}:{value.lineno}")
    return found


def test_every_message_a_service_gives_reads_in_traditional_chinese():
    catalog = i18n.translations("zh-Hant")
    known = {_skeleton(m) for m in catalog._catalog if isinstance(m, str) and m}
    messages = service_messages()
    assert len(messages) > 200
    missing = sorted(
        f"{where}: {text}" for text, where in messages.items() if _skeleton(text) not in known
    )
    # Noun phrases a message is composed of, not messages themselves.
    missing = [m for m in missing if not m.endswith((": the profile", ": the {}"))]
    assert missing == [], "\n".join(missing)


def test_a_composed_message_is_read_back_and_written_in_chinese():
    assert i18n.message("zh-Hant", "no start-up with id 42") == "沒有編號為 42 的初創企業"
    assert (
        i18n.message("zh-Hant", "harbour-pay has not consented to be shared with this partner")
        == "harbour-pay 未同意與此合作夥伴分享資料"
    )
    assert i18n.message("zh-Hant", "log in first") == "請先登入"
    assert i18n.message("zh-Hant", "Kowloon Labs") == "Kowloon Labs"  # data is left as it is
    assert i18n.message("en", "no start-up with id 42") == "no start-up with id 42"


async def test_a_service_s_error_shows_in_chinese_on_the_page(client, park):
    await login(client, park.users["member"])
    client.cookies.set("lang", "zh-Hant")
    missing = await client.get("/startups/987654")
    assert missing.status_code == 404
    assert "沒有編號為 987654 的初創企業" in missing.text
