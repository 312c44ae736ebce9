"""Property: whatever a reader types, the database accepts the compiled query.

Run against the real database of the suite, so it covers FTS5 on SQLite and to_tsquery
on PostgreSQL alike.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article
from archive.search.aliases import expand
from archive.search.query import QueryTooComplex, parse

pytestmark = pytest.mark.django_db

OPERATOR_HEAVY = st.lists(
    st.sampled_from(['"', "-", "*", "OR", "AND", "NOT", "(", ")", " ", ":", "^", "'", "\\", "\x00", "Ｏ", "é", "ß", "北方"])
    | st.text(max_size=6),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200) | OPERATOR_HEAVY)
def test_every_query_compiles_to_one_the_database_accepts(text):
    try:
        query = parse(text)
    except QueryTooComplex:
        return
    for searched in (query, expand(query)):
        list(Article.objects.published().search(searched).values_list("pk", flat=True))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | OPERATOR_HEAVY)
def test_the_search_page_never_fails(client, text):
    response = client.get("/articles/", {"q": text})
    assert response.status_code == 200


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_the_ascii_fast_paths_split_and_stem_as_the_general_path(text):
    """ASCII text takes shortcuts in archive.search.text; they must give what the general
    path (normalise, then every Unicode word) gives."""
    from archive.search import text as search_text

    general = search_text._WORD.findall(search_text.normalise(text))
    assert search_text.words(text) == general
    spans = search_text.word_spans(text)
    assert [text[a:b].lower() for a, b, _ in spans] == general
    assert [s for _, _, s in spans] == [search_text.stem(w) for w in general]
    offsets, stems = search_text.word_offsets(text)
    assert [(offsets[i], stems[i]) for i in range(len(stems))] == [((a, b), s) for a, b, s in spans]
