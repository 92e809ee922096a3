"""Query parsing for full-text search: the same terms go to FTS5 and to tsquery."""

from incubator.startups.services.terms import (
    fts5_query,
    parse_query,
    search_document,
    split_cjk,
    tsquery,
)


def test_latin_words_become_prefix_terms_and_stop_words_are_dropped():
    terms = parse_query("The Payments of Hong")
    assert fts5_query(terms) == '"payments"* AND "hong"*'
    assert tsquery(terms) == "payments:* & hong:*"


def test_chinese_runs_become_phrases_of_single_characters():
    terms = parse_query("區塊鏈 fintech")
    assert fts5_query(terms) == '"區 塊 鏈" AND "fintech"*'
    assert tsquery(terms) == "(區 <-> 塊 <-> 鏈) & fintech:*"


def test_punctuation_and_operators_cannot_reach_the_search_syntax():
    terms = parse_query('pay" OR * NEAR( -x:1 & |!')
    assert all(c not in fts5_query(terms).replace('"', "").replace("*", "") for c in "():&|!-")
    assert parse_query('"*()') == []


def test_search_document_splits_chinese_into_characters():
    assert split_cjk("海港支付") == " 海  港  支  付 "
    doc = search_document("Harbour Pay", "海港支付", "Payments.", "跨境支付", "payments,b2b")
    assert "Harbour Pay" in doc and "海" in doc and "payments b2b" in doc
