"""A doubled bigram is counted by a regular expression (arrays.py): its escaping must hold under any
database collation, where which characters are letters follows the ctype (libc's, or ICU's)."""

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e .)")

from archive.engines.postgres.arrays import _tf_sql  # noqa: E402
from archive.engines.postgres.schema import CHARS  # noqa: E402

pytestmark = pytest.mark.slow  # a PostgreSQL server

# ASCII punctuation and letters, CJK, full-width punctuation, marks Python and libc class differently
# (Devanagari vowel sign, combining ypogegrammeni), a superscript digit, a Roman numeral, a modifier letter.
CHARACTERS = ".*+?()[]{}^$|\\-a7中《・ि\u0345²Ⅻː\u3000"
LOCALES = {"C": "", "C.utf8": "TEMPLATE template0 LOCALE 'C.utf8'",
           "ICU zh": "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'zh' LOCALE 'C.utf8'"}


@pytest.mark.parametrize("locale", LOCALES)
def test_doubled_bigrams_are_counted_under_each_collation(pg_server, locale):
    try:
        url = pg_server.create_database(options=LOCALES[locale])
    except psycopg.Error as exc:  # (a server without that locale or ICU)
        pytest.skip(f"no {locale} database here: {exc}")
    with psycopg.connect(url) as conn:
        for char in CHARACTERS:
            params: list = []
            sql = _tf_sql(CHARS, char * 2, params)
            text = f"x{char * 3}y{char * 2}"
            counted = conn.execute(f"SELECT {sql} FROM (SELECT %s AS units) AS p", (*params, text)).fetchone()[0]
            assert counted == 3, (char, counted)  # overlapping: 2 in the run of three, 1 in the pair
