"""One way to say that a command failed, in a Chinese question about software (verify.py
applies it to both questions before any check).

Questions about an error name the command and the error in English and wrap them in one of a
few Chinese frames: "pnpm install 报错 ERR_X 怎么解决", "运行pnpm install时出现ERR_X错误，该
如何处理", "启动Tomcat时提示端口被占用" / "Tomcat启动时报端口已被占用". The command and the
error are Latin words, which the entity check holds both questions to; what differs is the
frame: 报错 / 出现……错误 / 提示 / 报 all say "it failed with", and "运行X时" (when running X) is
what "X 报错" already says. Each becomes the token 错, and the verb before a command moves
after it ("启动Tomcat时" is "Tomcat启动时"), so the content and order checks see one frame.
A verb other than running ("启动", "编译", "安装") stays: a failure at start-up is not one at
run time.
"""

from __future__ import annotations

import re

_COMMAND = r"[A-Za-z][A-Za-z0-9_.+#/-]*(?:\s+[A-Za-z0-9_.+#/-]+)*"
# Verbs done to a command or program, before it ("启动Tomcat时") or after it ("Tomcat启动时").
_VERB = r"运行|执行|启动|安装|编译|构建|打包|部署|连接|打开|升级|更新"
_VERB_FIRST = re.compile(rf"(?:在)?({_VERB})\s*({_COMMAND})\s*(?:的)?时(?:候)?")
# Running is what a command is for: "运行X时" says no more than "X".
_RUNNING = re.compile(r"(?<=[A-Za-z0-9_.+#/\s-])\s*(?:运行|执行)时[，,\s]*")
# The failure: "出现 E0499 错误" (an error named before 错误), "报错", "出错", and 提示 / 报 /
# 弹出 / 显示 right after "when" (时), where they report what went wrong (not 报名, 报告,
# 报销, 报价, 报警: a word of their own).
_NAMED = re.compile(r"(?:出现|提示|报|弹出|显示)\s*([A-Za-z0-9_.:-]+)\s*(?:错误|报错|异常)")
_FAILED = re.compile(
    r"报错|出错|(?<=时)(?:出现|提示|弹出|显示|报)(?![名告销价警道])"
    # Right after a program only 报 and 提示: "Excel显示公式" (shows the formula) and
    # "iPhone显示屏" (its screen) report nothing.
    r"|(?:(?<=[A-Za-z0-9_.+#/]\s)|(?<=[A-Za-z0-9_.+#/]))(?:提示|报)(?![名告销价警道])"
)


def one_form(text: str) -> str:
    """The question with its way of reporting a failure written one way."""
    text = _VERB_FIRST.sub(r"\2\1时", text)
    text = _RUNNING.sub(" ", text)
    text = _NAMED.sub(r"错 \1 ", text)
    return _FAILED.sub("错", text)
