"""English and Traditional Chinese: a complete catalog, a language switch, content in both."""

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
