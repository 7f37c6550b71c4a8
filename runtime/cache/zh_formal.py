"""Formal written Chinese read as the spoken form: "在Python中如何将X转换为Y" is "Python里怎么把X
转成Y".

The content check (chinese.py) compares characters, so a question asked in the written
register refuses its spoken twin: 将 where speech says 把 (the object marker before a
conversion or a change), 转换为 / 转换成 / 转化为 where speech says 转成, and 中 after a name
where speech says 里 ("在Python中" / "Python里"). Only these fixed grammatical forms are
rewritten, each in both questions of a pair; 将 meaning "will" ("将要", "即将", "将会") is no
object marker and stays. A weekday is written 周四 whether asked 星期四 or 礼拜四.
"""

from __future__ import annotations

import re

_FORMS = [
    # 将 + object + a verb of changing: the object marker, as 把.
    (
        re.compile(
            r"(?<![即必])将(?![要会来近])(?=[^，,。？?！!]{1,16}?(?:转|换|改|变|设|移|调|存|导))"
        ),
        "把",
    ),
    (re.compile(r"转换[为成]|转化[为成]|转为"), "转成"),
    # "中" right after a Latin name (an app, a language): in it, as 里.
    (re.compile(r"(?<=[A-Za-z0-9])\s*中"), "里"),
    # A weekday has three names, 星期四 (written), 礼拜四 (spoken) and 周四: one day.
    (re.compile(r"(?:星期|礼拜)天"), "周日"),  # not 周天 alone: "本周天气" is this week's weather
    (re.compile(r"(?:星期|礼拜)(?=[一二三四五六日])"), "周"),
]


def spoken(text: str) -> str:
    """`text` with its formal written forms in their spoken form (module docstring)."""
    for regex, form in _FORMS:
        text = regex.sub(form, text)
    return text
