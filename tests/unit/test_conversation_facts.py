"""The facts memory of a conversation (runtime/conversation/facts.py) and where the context
puts it (runtime/conversation/context.py)."""

from __future__ import annotations

from runtime.conversation import facts
from runtime.conversation.context import fit_history, with_history
from runtime.conversation.facts import FACTS_HEADER, Fact
from runtime.conversation.store import History, Round
from runtime.llm.tokens import count, counter_for

COUNTER = counter_for("gpt-4o-mini")


def _texts(found: list[Fact]) -> list[str]:
    return [f.text for f in found]


def test_statements_about_the_user_are_kept_questions_and_requests_are_not() -> None:
    turn = (
        "Hi there. My wife is called Priya! I was born in Oslo; I am 42 years old.\n"
        "Can you tell me about tides? I would like a short explanation of how tides work. "
        "I think so. What is my name?"
    )
    assert _texts(facts.extract(turn, 3)) == [
        "My wife is called Priya!",
        "I was born in Oslo;",
        "I am 42 years old.",
    ]
    assert all(f.number == 3 for f in facts.extract(turn, 3))
    assert facts.extract("Tell me about bridges. Explain how they work.", 0) == []


def test_a_subject_stated_again_has_the_same_key_other_statements_add_up() -> None:
    first, again = facts.extract("My name is Ada.", 0), facts.extract("My name is Eve.", 5)
    assert first[0].key == again[0].key == "my name"
    one, two = facts.extract("I play the violin. I play chess.", 1)
    assert one.key != two.key  # both stay: neither replaces the other


def test_select_puts_the_most_related_fact_last_within_the_budget() -> None:
    stored = [
        Fact(0, "My name is Ada.", "my name"),
        Fact(1, "My cat is called Milo.", "my cat"),
        Fact(2, "My daughter is called Lena.", "my daughter"),
        Fact(3, "I live in Lisbon.", "i live in lisbon"),
    ]

    def size(fs: list[Fact]) -> int:
        return sum(len(f.text.split()) for f in fs)

    shown = facts.select(stored, "What is my cat called?", size, 100, 3)
    # Only facts sharing a word with the question; "called" makes the daughter related too.
    assert _texts(shown) == ["My daughter is called Lena.", "My cat is called Milo."]
    two = facts.select(stored, "Which city do I live in?", size, 9, 3)
    assert two[-1].text == "I live in Lisbon." and size(two) <= 9
    assert facts.select(stored, "What is my cat called?", size, 0) == []
    assert facts.select(stored, "Tell me about tides.", size, 100, 3) == []  # nothing related


def test_at_most_the_number_asked_for_beside_a_question() -> None:
    stored = [Fact(i, f"My item{i} is called Value{i}.", f"my item{i}") for i in range(8)]
    shown = facts.select(stored, "What is my item2 called?", lambda fs: len(fs), 100, 3)
    assert shown[-1].text == "My item2 is called Value2."  # most related, then the newest
    assert [f.number for f in shown[:-1]] == [6, 7]
    one = facts.select(stored, "What is my item2 called?", lambda fs: len(fs), 100)
    assert _texts(one) == ["My item2 is called Value2."]  # the default: one


def _conversation(n: int, words: int = 15) -> History:
    stated = [f"My item{i} is called Value{i}." for i in range(n)]
    rounds = [
        Round(i, f"{stated[i]} " + " ".join(f"w{i}x{k}" for k in range(words)), f"Noted {i}.")
        for i in range(n)
    ]
    memory = [f for i in range(n) for f in facts.extract(stated[i], i)]
    return History(rounds=rounds, summary=None, summary_upto=0, total=n, facts=memory)


def test_facts_stand_right_before_the_question_even_after_their_round_dropped() -> None:
    history = _conversation(12)
    system = {"role": "system", "content": "You answer questions."}
    question = {"role": "user", "content": "Question: What is my item0 called?"}
    fitted = with_history(
        [system, question], history, COUNTER, 8192, 160, 400, 3, "What is my item0 called?", 80, 3
    )
    msgs = fitted.messages
    asked = msgs[-1]["content"]
    assert asked.startswith(FACTS_HEADER) and asked.endswith("\n\n" + question["content"])
    # The most related fact stands last, right before the question.
    assert asked.endswith("- My item0 is called Value0.\n\n" + question["content"])
    assert msgs[0] == system and question["content"] == "Question: What is my item0 called?"
    assert fitted.info["dropped"] > 0  # round 0 itself is out of the window
    assert not any("w0x0" in m["content"] for m in msgs)
    assert fitted.info["facts"] >= 1
    # Counted in the history's budget, and the last three rounds are still whole.
    assert fitted.info["tokens"] <= 400
    assert count(msgs, COUNTER) <= 400 + count([system, question], COUNTER)
    assert fitted.info["whole"] >= 3 and "w11x14" in msgs[-3]["content"]


def test_no_facts_budget_is_the_old_context() -> None:
    history = _conversation(6)
    fitted = fit_history(history, COUNTER, 10_000, question="What is my item1 called?")
    assert not any(FACTS_HEADER in m["content"] for m in fitted.messages)
    assert fitted.info["facts"] == 0 and fitted.facts == []
    with_facts = fit_history(history, COUNTER, 10_000, 3, "What is my item1 called?", 200, 2)
    assert with_facts.info["facts"] == 2
    assert with_facts.info["tokens"] > fitted.info["tokens"]  # the facts are counted
