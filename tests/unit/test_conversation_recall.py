"""The memory check on an answer (runtime/conversation/recall.py): a stored fact that clearly
answers the question leads an answer that lacks its value; anything unclear is left alone."""

from __future__ import annotations

from runtime.agent.answer_check import unstreamed
from runtime.conversation import facts, recall
from runtime.conversation.context import round_messages, with_history
from runtime.conversation.facts import Fact
from runtime.conversation.store import History, Round
from runtime.llm.tokens import counter_for


def _memory(*statements: str) -> list[Fact]:
    kept: dict[str, Fact] = {}
    for n, text in enumerate(statements):
        for fact in facts.extract(text, n):
            kept[fact.key] = fact
    return sorted(kept.values(), key=lambda f: f.number)


MEMORY = _memory(
    "My wife is called Priya.",
    "My last name is Okafor.",
    "My mother's last name is Silva.",
    "My boss is named Karen.",
    "I was born in Oslo.",
    "I am allergic to peanuts.",
    "I speak Japanese. I speak Korean.",
    "I am employed as a pilot.",
)


def test_a_possessive_question_is_led_by_the_fact_when_the_answer_lacks_it() -> None:
    text, lead = recall.ensure_fact(
        "Your brother's wife is Lena.", "What is my wife called?", MEMORY
    )
    assert lead == "You told me: my wife is called Priya."
    assert text == "You told me: my wife is called Priya.\n\nYour brother's wife is Lena."
    # An answer that states the value is left alone, whatever else it says.
    assert recall.ensure_fact("She is Priya.", "What is my wife called?", MEMORY) == (
        "She is Priya.",
        None,
    )


def test_a_subject_inside_another_finds_its_own_fact() -> None:
    mine = recall.recall("What is my last name?", MEMORY)
    mothers = recall.recall("What is my mother's last name?", MEMORY)
    assert mine is not None and mine.fact.text == "My last name is Okafor."
    assert mothers is not None and mothers.fact.text == "My mother's last name is Silva."
    named = recall.recall("What is my boss's name?", MEMORY)  # "My boss is named Karen."
    assert named is not None and named.value == {"karen"}


def test_a_first_person_verb_question_is_answered_by_the_fact_that_goes_on_from_it() -> None:
    born = recall.recall("Where was I born?", MEMORY)
    assert born is not None and born.value == {"oslo"}
    _, lead = recall.ensure_fact("You were born in Lisbon.", "Where was I born?", MEMORY)
    assert lead == "You told me: I was born in Oslo."
    allergic = recall.recall("What am I allergic to?", MEMORY)
    assert allergic is not None and allergic.fact.text == "I am allergic to peanuts."


def test_unclear_matches_leave_the_answer_alone() -> None:
    # Two facts fit ("I speak Japanese." and "I speak Korean."): no lead.
    assert recall.ensure_fact("I don't know.", "Which language do I speak?", MEMORY)[1] is None
    # No fact's subject is the question's (a synonym is not a match): no lead.
    assert recall.recall("What is my occupation?", MEMORY) is None
    # Not a question, no facts, or nothing asked past the subject: no lead.
    assert recall.recall("My wife is called Priya.", MEMORY) is None
    assert recall.recall("What is my wife called?", []) is None
    assert recall.recall("How old am I?", _memory("I am 42 years old.")) is None


def test_a_streamed_answer_shows_the_memory_lead_afterwards() -> None:
    streamed = "Your brother's wife is Lena."
    answer, lead = recall.ensure_fact(streamed, "What is my wife called?", MEMORY)
    assert unstreamed(answer, streamed) == lead


def test_the_fitted_context_carries_every_stored_fact_for_the_check() -> None:
    history = History([Round(0, "My wife is called Priya.", "Noted.")], None, 0, 1, MEMORY)
    messages = [{"role": "user", "content": "What is my wife called?"}]
    fitted = with_history(
        messages, history, counter_for("gpt-4o-mini"), 4096, 256, 300, 3, "What is my wife called?"
    )
    assert fitted.known == MEMORY


def test_a_lean_context_shows_the_answering_fact_alone_other_questions_get_the_history() -> None:
    rounds = [Round(n, f"Tell me about kite {n}.", f"Kite {n} flies.") for n in range(6)]
    history = History(rounds, "The user asked about kites.", 3, 6, MEMORY)
    counter = counter_for("gpt-4o-mini")
    system = {"role": "system", "content": "Answer briefly."}

    def fit(question: str) -> list[str]:
        msgs = [system, {"role": "user", "content": question}]
        fitted = with_history(msgs, history, counter, 4096, 256, 1500, 3, question, lean=True)
        return [str(m["content"]) for m in fitted.messages]

    lean = fit("What is my wife called?")
    assert lean == [
        "Answer briefly.",
        "What I told you earlier:\n- My wife is called Priya.\n\nWhat is my wife called?",
    ]
    # No fact clearly answers this one: the system message and the rounds.
    full = fit("What is my occupation?")
    assert full[0] == "Answer briefly." and full[1:3] == ["Tell me about kite 0.", "Kite 0 flies."]
    assert full[-1] == "What is my occupation?"


def test_the_history_shows_earlier_answers_without_their_lead() -> None:
    answer, _ = recall.ensure_fact("Your wife is Lena.", "What is my wife called?", MEMORY)
    rnd = Round(7, "What is my wife called?", answer)
    assert round_messages(rnd)[1]["content"] == "Your wife is Lena."
    assert recall.without_lead("You told me: that.") == "You told me: that."  # nothing else
