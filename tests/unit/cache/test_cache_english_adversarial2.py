"""English must-miss pairs aimed at the looser acceptance paths of session 16 (CC-CEDICT
pivots, since taken out; frames and openers, amounts and durations, weekday spans, acronyms,
contractions) and at classic classes (roles with pronouns, wh-words, direction, antonyms,
quantifiers, times), with must-hit paraphrases beside them; written for these tests (not
from the pair banks). The verifier, not the embedding, is the guard (runtime/cache/verify.py)."""

from __future__ import annotations

import pytest

from runtime.cache import wordnet
from runtime.cache.verify import verify_match

needs_wordnet = pytest.mark.skipif(
    not wordnet.available(), reason="Debian's wordnet-base is not installed (ops/setup does it)"
)

MUST_MISS = [
    ("pivot", "Can my husband pick up my prescription?", "Can my father pick up my prescription?"),
    ("pivot", "How much does it cost to paint a house?", "How much does it cost to paint a room?"),
    ("pivot", "How do I remove a file from git?", "How do I exclude a file from git?"),
    ("pivot", "When should I plant tomatoes?", "When should I grow tomatoes?"),
    ("pivot", "How do I delete a folder in Windows?", "How do I delete a file in Windows?"),
    ("pivot", "How do I copy a YouTube video?", "How do I transcribe a YouTube video?"),
    ("pivot", "How much does a cook earn?", "How much does a chef earn?"),
    ("pivot", "Why does my wife snore?", "Why does a woman snore?"),
    ("pivot", "How do I mix bleach with vinegar?", "How do I dilute bleach with vinegar?"),
    (
        "pivot",
        "What does the sign on my dashboard mean?",
        "What does the symbol on my dashboard mean?",
    ),
    ("pivot", "Who is my local MP's boss?", "Who is my local MP's leader?"),
    ("wh", "Why does my cat knead blankets?", "How does my cat knead blankets?"),
    ("wh", "Why did the stock market crash in 1929?", "How did the stock market crash in 1929?"),
    ("wh", "Where do I pay my council tax?", "When do I pay my council tax?"),
    ("wh", "Who can sign a passport photo?", "When can I sign a passport photo?"),
    ("frame", "What is a good time to run a mile?", "When should I run a mile?"),
    ("frame", "What's the usual time to cook a turkey?", "When should I cook a turkey?"),
    ("frame", "What's the normal time to recover from flu?", "When should I recover from flu?"),
    ("frame", "Small one: how much is a latte?", "How much is a latte?"),
    (
        "frame",
        "Does Wikipedia have articles in simple English?",
        "Does Wikipedia have articles in English?",
    ),
    (
        "frame",
        "What's the right way to address a bishop?",
        "What's the fastest way to address a bishop?",
    ),
    (
        "frame",
        "Is there a way to recover deleted photos?",
        "Is there a law to recover deleted photos?",
    ),
    ("frame", "Why won't my baby stop crying?", "Why won't my baby start crying?"),
    (
        "frame",
        "Quick question: how many quarts in a gallon?",
        "Quick question: how many pints in a gallon?",
    ),
    (
        "frame",
        "What's the best time of year to visit Peru?",
        "What's the best time of day to visit Peru?",
    ),
    (
        "amount",
        "Is an hour and a half enough for the exam?",
        "Is an hour and a quarter enough for the exam?",
    ),
    ("amount", "Can I park for half an hour?", "Can I park for half a day?"),
    ("amount", "Is 48 hours enough to see Rome?", "Is 48 days enough to see Rome?"),
    ("amount", "Can I stay 90 days without a visa?", "Can I stay three months without a visa?"),
    ("amount", "Is a 25% tip too much?", "Is a 20% tip too much?"),
    (
        "amount",
        "Can I get a quarter of my deposit back?",
        "Can I get three quarters of my deposit back?",
    ),
    (
        "amount",
        "How many calories are in 100 g of rice?",
        "How many calories are in 100 ml of rice?",
    ),
    ("amount", "Can I run 5 km in 30 minutes?", "Can I run 5 miles in 30 minutes?"),
    ("amount", "Can I change my seat at no extra charge?", "Can I change my seat for a fee?"),
    ("amount", "Can I take two pills a day?", "Can I take two pills a week?"),
    ("amount", "Is a 2 year warranty worth it?", "Is a 2 month warranty worth it?"),
    (
        "amount",
        "How long does it take to drive 100 miles?",
        "How long does it take to drive 100 km?",
    ),
    ("amount", "Can a baby eat eggs at 6 months?", "Can a baby eat eggs at 6 weeks?"),
    ("amount", "Is one coffee a day bad for you?", "Is one coffee an hour bad for you?"),
    ("weekday", "Is the library open Monday to Friday?", "Is the library open Monday to Thursday?"),
    ("weekday", "Is the library open on weekdays?", "Is the library open Monday to Saturday?"),
    ("weekday", "Do buses run on weekdays?", "Do buses run on Monday and Friday?"),
    ("weekday", "Is parking free on weekends?", "Is parking free on Saturdays?"),
    ("weekday", "Is the gym busy on weekdays?", "Is the gym busy on weekends?"),
    ("weekday", "Is the office open Tuesday to Friday?", "Is the office open on weekdays?"),
    (
        "weekday",
        "Can I move my booking from Monday to Friday?",
        "Can I move my booking on weekdays?",
    ),
    ("acronym", "How do I renew my EHIC?", "How do I renew my European Health Card?"),
    (
        "acronym",
        "What does the IRS do with late returns?",
        "What does the Internal Revenue Agency do with late returns?",
    ),
    ("acronym", "How do I contact the DMV?", "How do I contact the Department of Motor Transport?"),
    ("acronym", "Is the NHS free for tourists?", "Is the NBS free for tourists?"),
    ("contraction", "Why doesnt my printer connect?", "Why does my printer connect?"),
    ("contraction", "Why cant I log in to Gmail?", "Why can I log in to Gmail?"),
    ("contraction", "Why wont my car start?", "Why will my car start?"),
    ("contraction", "Why isnt my phone charging?", "Why is my phone charging?"),
    (
        "frame",
        "Is there a law against recording phone calls?",
        "Is there a way to record phone calls?",
    ),
    ("frame", "Is there a fee to cancel my gym membership?", "How do I cancel my gym membership?"),
    ("pivot", "Should I remove my shoes indoors?", "Should I exclude my shoes indoors?"),
    ("pivot", "How do I plant a lemon tree from seed?", "How do I grow a lemon tree from seed?"),
    ("role", "Why does she ignore me?", "Why do I ignore her?"),
    ("role", "Does he owe them money?", "Do they owe him money?"),
    ("contraction", "Why didnt my package arrive?", "Why did my package arrive?"),
    ("contraction", "Why arent my emails sending?", "Why are my emails sending?"),
    (
        "contraction",
        "Shouldnt I wait an hour after eating to swim?",
        "Should I wait an hour after eating to swim?",
    ),
    ("role", "Can she sue him for defamation?", "Can he sue her for defamation?"),
    ("role", "Should they pay us for the damage?", "Should we pay them for the damage?"),
    ("weekday", "Is the clinic open Monday to Friday?", "Is the clinic open Saturday to Sunday?"),
    ("weekday", "Do trains run less on weekends?", "Do trains run less on Sundays?"),
    ("amount", "Can I bring two bags on the plane?", "Can I bring one bag on the plane?"),
    ("amount", "Is half an hour of exercise a day enough?", "Is an hour of exercise a day enough?"),
    ("amount", "Can I cancel within 14 days for free?", "Can I cancel within 30 days for free?"),
    ("amount", "Is 50% humidity good for a bedroom?", "Is 15% humidity good for a bedroom?"),
    (
        "acronym",
        "Does the EU require a visa for Americans?",
        "Does the UK require a visa for Americans?",
    ),
    ("acronym", "How do I claim on my HSA?", "How do I claim on my FSA?"),
    ("frame", "What's the best time to take vitamin D?", "What's the best time to stop vitamin D?"),
    ("frame", "Just curious: how far is the moon?", "Just curious: how big is the moon?"),
    ("direction", "Can I fly from Miami to Havana?", "Can I fly from Havana to Miami?"),
    ("time", "Is it safe to swim after dark?", "Is it safe to swim before dark?"),
    ("role", "Can my employer fire me for being sick?", "Can I fire my employer for being sick?"),
    ("role", "Why does she ignore him?", "Why does he ignore her?"),
    (
        "role",
        "Can a landlord evict a tenant in winter?",
        "Can a tenant evict a landlord in winter?",
    ),
    (
        "direction",
        "How do I transfer money from PayPal to my bank?",
        "How do I transfer money from my bank to PayPal?",
    ),
    (
        "direction",
        "How long is the flight from London to Tokyo?",
        "How long is the flight from Tokyo to London?",
    ),
    (
        "antonym",
        "How do I increase my credit score quickly?",
        "How do I decrease my credit score quickly?",
    ),
    (
        "antonym",
        "Is it cheaper to rent or buy in Berlin?",
        "Is it dearer to rent or buy in Berlin?",
    ),
    ("antonym", "How do I speed up my laptop?", "How do I slow down my laptop?"),
    ("quantifier", "Do most cats hate water?", "Do few cats hate water?"),
    ("quantifier", "Are any trains running today?", "Are all trains running today?"),
    ("time", "Is the pharmacy open at 8 pm?", "Is the pharmacy open at 8 am?"),
    ("time", "What should I eat before bed?", "What should I eat after bed?"),
    ("time", "What's the weather tomorrow in Paris?", "What's the weather yesterday in Paris?"),
]

# Words that share Chinese translations and that WordNet relates, where the question's
# context makes them differ ("murder" / "kill", "evade" / "avoid"). Bilingual pivoting
# through CC-CEDICT served all of these, so it was taken out (session 16); they stay here so
# that no later synonym source brings them back.
NOT_SYNONYMS_HERE = [
    ("pivot", "How do I raise a child on my own?", "How do I foster a child on my own?"),
    ("pivot", "What should I study in college?", "What should I read in college?"),
    ("pivot", "How do I cancel my Amazon order?", "How do I delete my Amazon order?"),
    ("pivot", "How do I cancel my Netflix account?", "How do I delete my Netflix account?"),
    ("pivot", "How do I save a Word document?", "How do I rescue a Word document?"),
    ("pivot", "Is it legal to kill in self-defence?", "Is it legal to murder in self-defence?"),
    ("pivot", "How do I avoid paying taxes?", "How do I evade paying taxes?"),
    (
        "pivot",
        "How much does it cost to repair a kitchen?",
        "How much does it cost to renovate a kitchen?",
    ),
    ("pivot", "How do I market my novel?", "How do I sell my novel?"),
    ("pivot", "Why did the Roman Empire fall?", "Why did the Roman Empire surrender?"),
    (
        "pivot",
        "Should I move someone with a neck injury?",
        "Should I touch someone with a neck injury?",
    ),
    (
        "pivot",
        "What dress should I wear to a wedding?",
        "What clothing should I wear to a wedding?",
    ),
    ("pivot", "Can I store cash in my bank?", "Can I deposit cash in my bank?"),
    ("pivot", "Can I keep a wild rabbit?", "Can I guard a wild rabbit?"),
    ("pivot", "How do I store photos on my iPhone?", "How do I deposit photos on my iPhone?"),
]

# Synonym swaps WordNet does not pair (teach / train, trim / prune, delete / remove, choose /
# pick) were served only by the pivots and are refused since: a miss, never a wrong answer.
MUST_HIT = [
    ("Whats the capital of Peru?", "What's the capital of Peru?"),
    ("Why doesnt my printer connect?", "Why doesn't my printer connect?"),
    ("What's the best way to learn Spanish?", "How do I learn Spanish?"),
    ("What's the best time to visit Japan?", "When should I visit Japan?"),
    ("Quick question: how many pints in a gallon?", "How many pints in a gallon?"),
    ("Is the library open Monday to Friday?", "Is the library open on weekdays?"),
    ("Is parking free on Saturdays and Sundays?", "Is parking free on weekends?"),
    ("Is 90 minutes enough for the exam?", "Is an hour and a half enough for the exam?"),
    ("Can I stay 14 days without a visa?", "Can I stay two weeks without a visa?"),
    ("Is a 25% tip too much?", "Is a quarter tip too much?"),
    ("Can I change my seat at no extra charge?", "Can I change my seat for free?"),
    ("How do I renew my EHIC?", "How do I renew my European Health Insurance Card?"),
    ("Why won't my baby stop crying?", "Why does my baby keep crying?"),
    ("Kindly advise how to reset my router.", "How do I reset my router?"),
    ("Hey, quick q - how do I reset my router?", "How do I reset my router?"),
]


@needs_wordnet
@pytest.mark.parametrize(("kind", "cached", "query"), MUST_MISS)
def test_must_miss_refused_both_ways(kind: str, cached: str, query: str) -> None:
    assert not verify_match(cached, query)[0], kind
    assert not verify_match(query, cached)[0], kind


@needs_wordnet
@pytest.mark.parametrize(("kind", "cached", "query"), NOT_SYNONYMS_HERE)
def test_related_words_that_differ_here_are_refused(kind: str, cached: str, query: str) -> None:
    assert not verify_match(cached, query)[0] and not verify_match(query, cached)[0], kind


@needs_wordnet
@pytest.mark.parametrize(("cached", "query"), MUST_HIT)
def test_must_hit_served(cached: str, query: str) -> None:
    assert verify_match(cached, query) == (True, None)
