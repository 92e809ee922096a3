"""The rows of a referral export as SQL: which start-ups go, and of each only the fields its
consent names, neutralised for spreadsheets where they are text."""

from __future__ import annotations

from collections.abc import Callable

from incubator.db import is_postgres
from incubator.downloads.cells import ABSENT, FORMULA_START
from incubator.i18n import today_hk
from incubator.partners.schemas import MouRow
from incubator.partners.services import mous
from incubator.partners.services.conditions import LIVE_CONSENT
from incubator.partners.services.consent import FIELD_LABELS, FIELDS, split_fields
from incubator.partners.tables import MouCluster
from incubator.startups.tables import STAGE_NAMES

COLUMNS = ["slug"] + [column for columns in FIELDS.values() for column in columns]
# What people read at the head of a CSV or XLSX column; the JSON keeps the keys, and a
# program that reads exports should read the JSON.
LABELS = {
    "slug": "Address name",
    "name_en": "Name (English)",
    "name_zh": "Name (Chinese)",
    "description_en": "Description (English)",
    "description_zh": "Description (Chinese)",
    "contact_name": "Contact person",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
} | {columns[0]: FIELD_LABELS[field] for field, columns in FIELDS.items() if len(columns) == 1}
HEADER = [LABELS[column] for column in COLUMNS]
_CLUSTERS, _TAGS = COLUMNS.index("clusters"), COLUMNS.index("tags")

_FORMULA_CODES = ", ".join(str(ord(c)) for c in FORMULA_START)


def _formula_sql(text: str) -> str:
    """SQL: whether `text` starts as a spreadsheet formula would (as `safe_cell` tests)."""
    return f"{'ascii' if is_postgres() else 'unicode'}({text}) IN ({_FORMULA_CODES})"


def _consented_sql(field: str, masked: bool = False) -> str:
    """SQL: whether the row's consent (alias `c`) names `field`; `masked`: as the row's
    joined mask (`csv_joins`) says."""
    if masked:
        return f"m.{field}"
    find = "strpos" if is_postgres() else "instr"
    return f"{find}(',' || c.fields || ',', ',{field},') > 0"


def _names_sql(separator: str, neutralised: bool) -> str:
    """SQL: an aggregate of cluster names (alias `cl`) in code-point order (as Python sorts,
    whatever the database's collation), joined by `separator`; `neutralised`: behind an
    apostrophe where the text would start a formula, as `safe_cell` does for a cell, decided
    on the first name in the same aggregate. SQLite needs the names ordered before it."""
    collate = ' COLLATE "C"' if is_postgres() else ""
    guard = ""
    if neutralised:
        first = f"min(cl.name_en{collate})"
        guard = f"CASE WHEN {_formula_sql(first)} THEN '''' ELSE '' END || "
    if is_postgres():
        return f"{guard}string_agg(cl.name_en, '{separator}' ORDER BY cl.name_en{collate})"
    return f"{guard}group_concat(cl.name_en, '{separator}')"


def _clusters_sql(separator: str, neutralised: bool = False, masked: bool = False) -> str:
    """SQL: the start-up's cluster names (`_names_sql`), if the row's consent (alias `c`, or
    its mask `m` where `masked`) names clusters (the only column worth not reading when it is
    not shared), one subquery a row."""
    if is_postgres():
        names = (
            f"(SELECT {_names_sql(separator, neutralised)} "
            "FROM startup_cluster sc JOIN cluster cl ON cl.id = sc.cluster "
            "WHERE sc.startup = s.id)"
        )
    else:
        names = (
            f"(SELECT {_names_sql(separator, neutralised)} FROM (SELECT cl.name_en "
            "FROM startup_cluster sc JOIN cluster cl ON cl.id = sc.cluster "
            "WHERE sc.startup = s.id ORDER BY cl.name_en) cl)"
        )
    return f"CASE WHEN {_consented_sql('clusters', masked)} THEN {names} END"


def csv_joins() -> str:
    """What a CSV export's rows join, each `{}` the partner's id: `m`, for each consent text
    the partner holds, whether it names each field, so a row tests its consent once instead of
    once a cell (made in a grouping, which the planner cannot dissolve into the outer query, as
    it did a DISTINCT, testing every cell again). PostgreSQL also joins `k`, the cluster names
    of each start-up consenting to the partner (in the MOU's scope or not), aggregated in one
    pass instead of a subquery a row; on SQLite that made the export slower."""
    masks = ", ".join(f"{_consented_sql(field)} AS {field}" for field in FIELDS)
    joins = (
        f"JOIN (SELECT fields, {masks} FROM sharing_consent c WHERE partner = {{}} "
        "GROUP BY fields) m ON m.fields = c.fields"
    )
    if not is_postgres():
        return joins
    return (
        f"{joins} LEFT JOIN (SELECT sc.startup, {_names_sql('; ', neutralised=True)} AS names "
        "FROM sharing_consent c JOIN startup_cluster sc ON sc.startup = c.startup "
        "JOIN cluster cl ON cl.id = sc.cluster WHERE c.partner = {} GROUP BY sc.startup) k "
        "ON k.startup = s.id"
    )


_UNIT_SEPARATOR = "\x1f"  # joins cluster names for JSON, where they become a list again


def _stage_name_sql() -> str:
    """SQL: the stage's name as people read it ("Series B+", not series_b_plus)."""
    names = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in STAGE_NAMES.items())
    return f"CASE s.stage {names} ELSE s.stage END"


def columns_sql(sheet: bool) -> str:
    """The export's columns in COLUMNS order, as XLSX and JSON read them. For a sheet
    clusters and tags come as text joined by "; ", the stage by its name and funds raised in
    whole dollars; for JSON clusters and tags are split into lists in Python, the stage
    keeps its code and funds raised their cents."""
    cells = []
    for column in COLUMNS:
        if column == "clusters":
            cells.append(_clusters_sql("; " if sheet else _UNIT_SEPARATOR))
        elif column == "tags" and sheet:
            cells.append("replace(s.tags, ',', '; ')")
        elif column == "stage" and sheet:
            cells.append(_stage_name_sql())
        elif column in _DOLLAR_COLUMNS and sheet:  # JSON keeps cents, as its key says
            cells.append(f"(s.{column} / 100)")
        else:
            cells.append(f"s.{column}")
    return ", ".join(cells)


_NUMBER_COLUMNS = {"founded_year", "team_size", "headcount", "funds_raised_cents"}
# Amounts kept in cents that a CSV or XLSX export gives in whole Hong Kong dollars (its JSON
# keeps the cents its key names).
_DOLLAR_COLUMNS = {"funds_raised_cents"}


_FIELD_OF = {column: field for field, columns in FIELDS.items() for column in columns}


def csv_cells() -> str:
    """The export's CSV cells as the database can make them, from the rows `csv_joins`
    joins: every cell text ('' for empty), what the consent does not name left empty, and text
    a spreadsheet would run as a formula behind an apostrophe, so Python only has to join and
    quote (`CsvEncoder.text_rows`), or nothing at all (`CsvEncoder.copied`)."""
    cells = []
    for column in COLUMNS:
        if column == "clusters":
            if is_postgres():
                value = f"CASE WHEN {_consented_sql('clusters', masked=True)} THEN k.names END"
            else:
                value = _clusters_sql("; ", neutralised=True, masked=True)
            cells.append(f"COALESCE({value}, '')")
            continue
        value = "replace(s.tags, ',', '; ')" if column == "tags" else f"s.{column}"
        if column == "stage":
            value = _stage_name_sql()
        if column in _DOLLAR_COLUMNS:
            value = f"({value} / 100)"
        if column in _NUMBER_COLUMNS:
            value = f"COALESCE(CAST({value} AS TEXT), '')"
        else:  # the text columns are NOT NULL
            value = f"CASE WHEN {_formula_sql(value)} THEN '''' || {value} ELSE {value} END"
        if column != "slug":
            consented = _consented_sql(_FIELD_OF[column], masked=True)
            value = f"CASE WHEN {consented} THEN {value} ELSE '' END"
        cells.append(value)
    return ", ".join(cells)


class ConsentMasks:
    """Which columns each consent text lets through, worked out once per distinct text (a
    park has a handful)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[bool, ...]] = {}

    def __call__(self, consented: str) -> tuple[bool, ...]:
        mask = self._seen.get(consented)
        if mask is None:
            shown = {column for field in split_fields(consented) for column in FIELDS[field]}
            mask = tuple(column in shown or column == "slug" for column in COLUMNS)
            self._seen[consented] = mask
        return mask


def sheet_row(cells: list, mask: tuple[bool, ...]) -> list:
    """A CSV or XLSX row: what the consent does not name is an empty cell."""
    return [v if shown else None for v, shown in zip(cells, mask, strict=True)]


def json_row(cells: list, mask: tuple[bool, ...]) -> list:
    """A JSON row: what the consent does not name is left out; clusters and tags are lists."""
    row = [v if shown else ABSENT for v, shown in zip(cells, mask, strict=True)]
    if mask[_CLUSTERS]:
        row[_CLUSTERS] = [n for n in (cells[_CLUSTERS] or "").split(_UNIT_SEPARATOR) if n]
    if mask[_TAGS]:
        row[_TAGS] = [t for t in (cells[_TAGS] or "").split(",") if t]
    return row


async def chosen_startups(partner_id: int, mou: MouRow) -> Callable[..., tuple[str, list]]:
    """Who goes out in an export: active start-ups in the MOU's scope with a live consent to
    the partner, in start-up order. The scope is read once, and the function returned makes
    FROM, WHERE and ORDER BY (consent `c`, start-up `s`) and their arguments from it, with
    `joins` joined whose every `{}` is the partner's id: every statement chooses alike."""
    clusters = [
        r["cluster"]
        for r in await MouCluster.select(MouCluster.cluster).where(MouCluster.mou == mou.id)
    ]
    scope, scope_args = mous.scope_condition(mou, clusters)
    today = today_hk()

    def chosen(joins: str = "") -> tuple[str, list]:
        return (
            f"""
            FROM sharing_consent c JOIN startup s ON s.id = c.startup {joins}
            WHERE c.partner = {{}} AND {LIVE_CONSENT} AND {scope}
            ORDER BY c.startup
            """,
            [*[partner_id] * joins.count("{}"), partner_id, today, *scope_args],
        )

    return chosen
