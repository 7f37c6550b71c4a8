"""An English term in one Chinese question written in Chinese in the other: "查看nginx的log" /
"查看nginx的日志", "配置SSH key" / "设置SSH密钥", "服务器" / "server".

A Chinese question often keeps a technical term in English, and its paraphrase may translate
it. verify.py reads every Latin word of a Chinese question as a name the other question must
hold, so the pair is refused. CC-CEDICT (zh_glosses.py) says which Chinese words translate an
English word exactly: where a Latin word of one question is a whole sense of a Chinese word
(2 to 4 characters) that only the other question has, the new question is written with the
cached question's form, and verify.py checks the pair again. Exact senses only ("log" is a
sense of 日志; "rate limit" of no word), so a term is never matched by a word that merely
overlaps it.
"""

from __future__ import annotations

import functools
import re

from runtime.cache import zh_glosses

_LATIN = re.compile(r"[A-Za-z][A-Za-z-]*(?: [A-Za-z][A-Za-z-]*)?")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


@functools.cache
def _translations() -> dict[str, frozenset[str]]:
    """English sense -> the Chinese words of 2-4 characters that have it."""
    found: dict[str, set[str]] = {}
    for word, senses in zh_glosses.entries().items():
        for sense in senses:
            found.setdefault(sense, set()).add(word)
    return {sense: frozenset(words) for sense, words in found.items()}


def _terms(text: str) -> set[str]:
    """Latin words and two-word runs, lowercased ("SSH key" gives "ssh", "key", "ssh key")."""
    words = re.findall(r"[A-Za-z][A-Za-z-]*", text)
    return {w.lower() for w in words} | {
        f"{a} {b}".lower() for a, b in zip(words, words[1:], strict=False)
    }


def _chinese_words(text: str) -> set[str]:
    return {
        run[i : i + n]
        for run in _CJK_RUN.findall(text)
        for n in range(2, 5)
        for i in range(len(run) - n + 1)
    }


def align(cached: str, new: str) -> str:
    """`new` with each Chinese word that translates a term only `cached` writes in English
    replaced by that term, and each English term only `new` has replaced by the Chinese word
    only `cached` has for it."""
    table = _translations()
    if not table:
        return new
    zh_cached, zh_new = _chinese_words(cached), _chinese_words(new)
    en_cached, en_new = _terms(cached), _terms(new)
    for term in sorted(en_cached - en_new, key=len, reverse=True):
        for word in sorted(table.get(term, frozenset()) & (zh_new - zh_cached), key=len):
            new = new.replace(word, f" {term} ", 1)
            break
    for term in sorted(en_new - en_cached, key=len, reverse=True):
        for word in sorted(table.get(term, frozenset()) & (zh_cached - zh_new), key=len):
            pattern = rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])"
            new = re.sub(pattern, word, new, count=1, flags=re.IGNORECASE)
            break
    return new
