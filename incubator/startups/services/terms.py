"""Search terms: the text each start-up is indexed by, and a query's words as FTS5 (SQLite)
and tsquery (PostgreSQL) read them, the same terms for both engines."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CJK = re.compile(
    r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u3000-\u303f])"
)
_CJK_RUN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u3000-\u303f]+"
)
_WORD = re.compile(r"\w+", re.UNICODE)
# PostgreSQL's English configuration drops these; dropping them for both engines keeps
# the two engines' answers the same.
_STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with i me my we our you your he she him her its "
    "what which who whom am were been being have has had do does did so than too very can".split()
)


def split_cjk(text: str) -> str:
    """Put spaces around CJK characters so both engines index them one by one."""
    # One replacement per run of CJK rather than per character: a template substitution per
    # character was most of building 100,000 search documents.
    return _CJK_RUN.sub(lambda run: " " + "  ".join(run.group()) + " ", text)


def search_document(
    name_en: str, name_zh: str, description_en: str, description_zh: str, tags: str
) -> str:
    return " ".join(
        part
        for part in (
            name_en,
            split_cjk(name_zh),
            tags.replace(",", " "),
            description_en,
            split_cjk(description_zh),
        )
        if part
    )


@dataclass(frozen=True)
class Term:
    """One query term: a latin word matched as a prefix, or a run of CJK matched as a phrase."""

    words: tuple[str, ...]
    phrase: bool


def parse_query(q: str) -> list[Term]:
    terms: list[Term] = []
    for chunk in q.lower().split()[:16]:
        pieces = [p for p in _CJK.split(chunk) if p]
        cjk_run: list[str] = []
        for piece in pieces:
            if _CJK.fullmatch(piece):
                if _WORD.fullmatch(piece):
                    cjk_run.append(piece)
                continue
            if cjk_run:
                terms.append(Term(tuple(cjk_run), phrase=True))
                cjk_run = []
            terms += [
                Term((w,), phrase=False) for w in _WORD.findall(piece) if w not in _STOP_WORDS
            ]
        if cjk_run:
            terms.append(Term(tuple(cjk_run), phrase=True))
    return terms


def fts5_query(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        if term.phrase:
            parts.append('"' + " ".join(term.words) + '"')
        else:
            parts.append(f'"{term.words[0]}"*')
    return " AND ".join(parts)


def tsquery(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        if term.phrase:
            parts.append("(" + " <-> ".join(term.words) + ")")
        else:
            parts.append(f"{term.words[0]}:*")
    return " & ".join(parts)
