"""Chinese proper names with a generic suffix ("海淀区图书馆", "复旦大学", "华为公司") for the
entity check (runtime/cache/verify.py `_entities`).

verify.py reads up to a few characters before a suffix such as 医院 or 公司 as a name. Those
characters can belong to the clause instead: "发烧到三十九度要去医院吗" would give the "name"
度要去医院, and "按照公司的规定" the name 按照公司; the other question, worded a little
differently ("需要去医院"), then lacks that "name" and the pair is refused. A name holds no
verb of motion, modal, preposition or function word, so the name starts after the last one.
"""

from __future__ import annotations

import re

# Coverbs and motion verbs (去 / 到 / 在 / 从 ...), modals (要 / 需 / 能 / 该), prepositions
# (按照 / 根据 / 对 / 给 / 把 / 被 / 和), pronouns, particles and the opener 请问: none is part
# of a name.
_NOT_IN_NAME = re.compile(
    r"^.*(?:请问|按照|依照|根据|依据|关于|对于|[去到在从往向于回离要需能该会想的了是和与跟给把被对让就都也还我你您他她它])"
)


def trim(name: str) -> str:
    """The name without the clause before it: "度要去医院" -> "医院" (then no name at all)."""
    return _NOT_IN_NAME.sub("", name)
