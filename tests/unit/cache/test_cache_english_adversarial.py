"""English must-miss pairs by class, and their paraphrases, written for these tests (not from
the pair banks): the verifier, not the embedding, is the guard (runtime/cache/verify.py)."""

from __future__ import annotations

import pytest

from runtime.cache import wordnet
from runtime.cache.verify import verify_match

needs_wordnet = pytest.mark.skipif(
    not wordnet.available(), reason="Debian's wordnet-base is not installed (ops/setup does it)"
)


@pytest.mark.parametrize(
    ("kind", "cached", "query"),
    [
        ("light", "Should I take a loan?", "Should I lend?"),
        ("light", "Can I take the test online?", "Can I test online?"),
        ("light", "Should I get a loan from my bank?", "Should I lend to my bank?"),
        ("light", "How do I take a vote in Slack?", "How do I vote in Slack?"),
        ("light", "Can I get a refund for my ticket?", "Can I refund my ticket?"),
        (
            "role",
            "Does the landlord pay the tenant's deposit back?",
            "Does the tenant pay the landlord's deposit back?",
        ),
        (
            "role",
            "How do I get my manager to trust me?",
            "How do I get myself to trust my manager?",
        ),
        ("role", "Can a cat infect a dog with worms?", "Can a dog infect a cat with worms?"),
        ("role", "Why does my dog chase my cat?", "Why does my cat chase my dog?"),
        (
            "polarity",
            "Is it legal to record a phone call?",
            "Is it illegal to record a phone call?",
        ),
        ("polarity", "Is this mushroom edible?", "Is this mushroom inedible?"),
        (
            "polarity",
            "How do I make my laptop battery last longer?",
            "How do I make my laptop battery last shorter?",
        ),
        ("polarity", "Which foods are healthy for dogs?", "Which foods are unhealthy for dogs?"),
        (
            "polarity",
            "How do I enable dark mode in Chrome?",
            "How do I disable dark mode in Chrome?",
        ),
        ("conversion", "How many cups are in a liter?", "How many liters are in a cup?"),
        ("conversion", "Convert Celsius to Fahrenheit", "Convert Fahrenheit to Celsius"),
        ("conversion", "How do I convert a PDF to Word?", "How do I convert a Word file to PDF?"),
        (
            "conversion",
            "Translate good morning from Spanish to Italian",
            "Translate good morning from Italian to Spanish",
        ),
        (
            "identifier",
            "Why is the build failing on ticket JIRA-4521?",
            "Why is the build failing on ticket JIRA-4512?",
        ),
        (
            "identifier",
            "What does the --force flag do in git push?",
            "What does the --force-with-lease flag do in git push?",
        ),
        ("identifier", "Is support@acme.io a real address?", "Is sales@acme.io a real address?"),
        ("identifier", "What is on example.com/pricing?", "What is on example.com/about?"),
        ("identifier", "What does error code E1042 mean?", "What does error code E1024 mean?"),
        ("time", "Is the pharmacy open at 9 am?", "Is the pharmacy open at 9 pm?"),
        ("time", "Can I check in at noon?", "Can I check in at midnight?"),
        ("time", "Is it safe to run in the morning?", "Is it safe to run at night?"),
        ("time", "What trains leave after 6:30?", "What trains leave after 7:30?"),
        ("quantifier", "Do all birds fly south for winter?", "Do some birds fly south for winter?"),
        (
            "quantifier",
            "Are all of the museums free on Sundays?",
            "Are none of the museums free on Sundays?",
        ),
        ("quantifier", "Does every employee get a bonus?", "Does any employee get a bonus?"),
        ("quantifier", "Do most cats like water?", "Do few cats like water?"),
        ("unit", "How long does it take to walk 5 km?", "How long does it take to walk 5 miles?"),
        (
            "unit",
            "How much protein is in 100 g of chicken?",
            "How much protein is in 100 oz of chicken?",
        ),
        (
            "unit",
            "Is 30 minutes of exercise a day enough?",
            "Is 30 hours of exercise a week enough?",
        ),
        (
            "unit",
            "How many calories are in 2 cups of rice?",
            "How many calories are in 2 tablespoons of rice?",
        ),
        (
            "comparative",
            "Is a MacBook faster than a Surface?",
            "Is a MacBook slower than a Surface?",
        ),
        (
            "comparative",
            "Are electric cars cheaper to run than gas cars?",
            "Are electric cars more expensive to run than gas cars?",
        ),
        (
            "comparative",
            "Which is bigger, the Pacific or the Atlantic?",
            "Which is smaller, the Pacific or the Atlantic?",
        ),
        ("comparative", "Is tea healthier than coffee?", "Is tea less healthy than coffee?"),
        ("name", "When was Marie Curie born?", "When was Pierre Curie born?"),
        (
            "name",
            "What is the population of Portland, Oregon?",
            "What is the population of Portland, Maine?",
        ),
        ("name", "Best pizza places in Brooklyn", "Best pizza places in Queens"),
        ("name", "Who is Taylor Swift's manager?", "Who is Taylor Lautner's manager?"),
        ("tense", "Did the store close early today?", "Will the store close early today?"),
        ("tense", "Has the package been delivered?", "Will the package be delivered?"),
        ("tense", "Who won the election?", "Who will win the election?"),
        ("tense", "Was the bridge built in the 1800s?", "Is the bridge being built?"),
        (
            "direction",
            "How do I copy files from my phone to my laptop?",
            "How do I copy files from my laptop to my phone?",
        ),
        (
            "direction",
            "How do I move photos from Google Photos to iCloud?",
            "How do I move photos from iCloud to Google Photos?",
        ),
        (
            "direction",
            "How do I transfer money from savings to checking?",
            "How do I transfer money from checking to savings?",
        ),
        (
            "direction",
            "Can I forward emails from Outlook to Gmail?",
            "Can I forward emails from Gmail to Outlook?",
        ),
        ("negverb", "How do I approve a pull request?", "How do I reject a pull request?"),
        (
            "negverb",
            "How do I accept a meeting invite in Outlook?",
            "How do I decline a meeting invite in Outlook?",
        ),
        ("negverb", "How do I follow someone on Twitter?", "How do I unfollow someone on Twitter?"),
        ("negverb", "How do I allow pop-ups in Safari?", "How do I block pop-ups in Safari?"),
        (
            "negverb",
            "How do I subscribe to a newsletter?",
            "How do I unsubscribe from a newsletter?",
        ),
        ("modality", "Can I drink coffee while pregnant?", "Should I drink coffee while pregnant?"),
        (
            "modality",
            "Must I file taxes if I earn under the limit?",
            "May I file taxes if I earn under the limit?",
        ),
        ("modality", "Should I update my BIOS?", "Can I update my BIOS?"),
        (
            "date",
            "What events are on in Berlin on March 3?",
            "What events are on in Berlin on March 13?",
        ),
        ("date", "Is the office open on Christmas Eve?", "Is the office open on New Year's Eve?"),
        ("date", "What's the weather this weekend?", "What's the weather next weekend?"),
        ("date", "Is the bank open on Monday?", "Is the bank open on Tuesday?"),
        ("beforeafter", "Should I stretch before running?", "Should I stretch after running?"),
        ("beforeafter", "Can I eat before a blood test?", "Can I eat after a blood test?"),
        (
            "beforeafter",
            "What should I do before an interview?",
            "What should I do after an interview?",
        ),
        ("beforeafter", "Should I shower before the gym?", "Should I shower after the gym?"),
        ("include", "Does the price include tax?", "Does the price exclude tax?"),
        (
            "include",
            "Is breakfast included in the room rate?",
            "Is breakfast excluded from the room rate?",
        ),
        (
            "include",
            "How do I include a file in a git commit?",
            "How do I exclude a file from a git commit?",
        ),
        (
            "firstlast",
            "When is the first train to the airport?",
            "When is the last train to the airport?",
        ),
        (
            "firstlast",
            "What was the first Harry Potter book?",
            "What was the last Harry Potter book?",
        ),
        (
            "firstlast",
            "How do I get the first element of a list in Python?",
            "How do I get the last element of a list in Python?",
        ),
        ("minmax", "What is the minimum wage in Texas?", "What is the maximum wage in Texas?"),
        (
            "minmax",
            "What's the lowest temperature recorded in Chicago?",
            "What's the highest temperature recorded in Chicago?",
        ),
        (
            "minmax",
            "What is the maximum dose of ibuprofen?",
            "What is the minimum dose of ibuprofen?",
        ),
        (
            "minmax",
            "How do I find the max of a column in SQL?",
            "How do I find the min of a column in SQL?",
        ),
        (
            "perunit",
            "How much does the gym cost per month?",
            "How much does the gym cost in total?",
        ),
        (
            "perunit",
            "How much caffeine is in each cup of coffee?",
            "How much caffeine is in a whole pot of coffee?",
        ),
        (
            "perunit",
            "What is the price per kilo of apples?",
            "What is the price of a bag of apples?",
        ),
        (
            "perunit",
            "How many calories do I burn per mile?",
            "How many calories do I burn in a marathon?",
        ),
        (
            "version",
            "How do I install Python 3.11 on Ubuntu?",
            "How do I install Python 3.12 on Ubuntu?",
        ),
        ("version", "What's new in iOS 17?", "What's new in iOS 18?"),
        ("version", "Is Windows 10 still supported?", "Is Windows 11 still supported?"),
        ("with", "How do I make pancakes with eggs?", "How do I make pancakes without eggs?"),
        (
            "with",
            "Can I travel to Canada with a criminal record?",
            "Can I travel to Canada without a criminal record?",
        ),
        (
            "with",
            "How do I reset my iPhone with a passcode?",
            "How do I reset my iPhone without a passcode?",
        ),
        (
            "ordinal",
            "What happened in the third season of The Office?",
            "What happened in the three seasons of The Office?",
        ),
        (
            "ordinal",
            "Who was the second person on the moon?",
            "Who were the two people on the moon?",
        ),
        (
            "ordinal",
            "What is the fourth planet from the sun?",
            "What are the four planets closest to the sun?",
        ),
        ("currency", "How much is 100 dollars in euros?", "How much is 100 euros in dollars?"),
        ("currency", "What's 50 USD in GBP?", "What's 50 USD in EUR?"),
        (
            "currency",
            "How much does a coffee cost in pounds?",
            "How much does a coffee cost in euros?",
        ),
        ("location", "Where can I park near the stadium?", "Where can I park near the airport?"),
        ("location", "What's the best beach in Spain?", "What's the best beach in Portugal?"),
        (
            "location",
            "Is it safe to drink tap water in Mexico?",
            "Is it safe to drink tap water in Peru?",
        ),
        (
            "location",
            "Where can I buy stamps at the mall?",
            "Where can I buy stamps at the airport?",
        ),
        ("audience", "What are good books for kids?", "What are good books for adults?"),
        (
            "audience",
            "What is a healthy breakfast for toddlers?",
            "What is a healthy breakfast for seniors?",
        ),
        ("audience", "Fun board games for children", "Fun board games for adults"),
        ("audience", "Best exercises for beginners", "Best exercises for athletes"),
        ("audience", "What vaccines do puppies need?", "What vaccines do adult dogs need?"),
        (
            "platform",
            "How do I take a screenshot on Windows?",
            "How do I take a screenshot on macOS?",
        ),
        ("platform", "How do I clear the cache on Android?", "How do I clear the cache on iPhone?"),
        ("platform", "How do I install Docker on Linux?", "How do I install Docker on a Mac?"),
        (
            "platform",
            "How do I uninstall apps on my laptop?",
            "How do I uninstall apps on my phone?",
        ),
        ("frequency", "Should I water my cactus daily?", "Should I water my cactus weekly?"),
        ("frequency", "Is it OK to shampoo every day?", "Is it OK to shampoo every week?"),
        ("frequency", "How much should I save each month?", "How much should I save each year?"),
        ("frequency", "Is it bad to run twice a day?", "Is it bad to run twice a week?"),
        (
            "duration",
            "How long does a passport renewal take?",
            "When is the deadline for passport renewal?",
        ),
        ("duration", "How long is the tax filing period?", "When is the tax filing deadline?"),
        (
            "duration",
            "How long do I have to return an item at Target?",
            "By when must I return an item at Target?",
        ),
        (
            "degree",
            "Is it bad if my dog is slightly overweight?",
            "Is it bad if my dog is very overweight?",
        ),
        (
            "degree",
            "What to do if my tooth is slightly loose?",
            "What to do if my tooth is extremely loose?",
        ),
        (
            "degree",
            "Is it normal to feel a little tired after a vaccine?",
            "Is it normal to feel extremely tired after a vaccine?",
        ),
        ("degree", "Is a mildly high fever dangerous?", "Is a very high fever dangerous?"),
        (
            "partwhole",
            "How long does the whole Camino de Santiago take?",
            "How long does each stage of the Camino de Santiago take?",
        ),
        (
            "partwhole",
            "How much does the entire kitchen renovation cost?",
            "How much does each part of the kitchen renovation cost?",
        ),
        (
            "partwhole",
            "How long is the whole Tour de France?",
            "How long is each stage of the Tour de France?",
        ),
        ("partwhole", "How long is the full movie?", "How long is the first half of the movie?"),
        (
            "source",
            "What do the official docs say about React hooks?",
            "What do the forums say about React hooks?",
        ),
        (
            "source",
            "What does the CDC recommend about masks?",
            "What does Reddit recommend about masks?",
        ),
        (
            "source",
            "What do experts say about intermittent fasting?",
            "What do users say about intermittent fasting?",
        ),
        (
            "source",
            "According to the manual, how often should I change the oil?",
            "According to my mechanic, how often should I change the oil?",
        ),
        ("purpose", "What shoes are best for running?", "What shoes are best for hiking?"),
        ("purpose", "Which laptop is good for gaming?", "Which laptop is good for programming?"),
        ("purpose", "What's the best oil for frying?", "What's the best oil for baking?"),
        ("purpose", "Which backpack is best for travel?", "Which backpack is best for school?"),
        ("possession", "How do I reset my password?", "How do I reset my partner's password?"),
        (
            "possession",
            "Can I use my credit card abroad?",
            "Can I use my mom's credit card abroad?",
        ),
        ("possession", "How do I check my credit score?", "How do I check my son's credit score?"),
        ("possession", "How do I delete my account?", "How do I delete someone else's account?"),
        (
            "possession",
            "Can I see my own Instagram story viewers?",
            "Can I see other people's Instagram story viewers?",
        ),
        ("cause", "What causes inflammation?", "What does inflammation cause?"),
        ("cause", "What causes high blood pressure?", "What does high blood pressure cause?"),
        ("cause", "What triggers migraines?", "What do migraines trigger?"),
        ("converse", "Can I borrow money from my brother?", "Can I lend money to my brother?"),
        ("converse", "How do I rent an apartment?", "How do I rent out an apartment?"),
        ("converse", "Should I buy a car from a dealer?", "Should I sell a car to a dealer?"),
        ("converse", "How do I teach my kid to read?", "How do I learn to read?"),
        ("converse", "Can I borrow a book from the library?", "Can I lend a book to the library?"),
        ("converse", "How do I receive money on PayPal?", "How do I send money on PayPal?"),
        ("possession", "How do I unlock my phone?", "How do I unlock her phone?"),
        ("possession", "Can I read my employee file?", "Can I read my coworker's employee file?"),
    ],
)
def test_different_question_is_refused(kind: str, cached: str, query: str) -> None:
    assert not verify_match(cached, query)[0], kind


@needs_wordnet
@pytest.mark.parametrize(
    ("kind", "cached", "query"),
    [
        ("light", "How do I make a decision quickly?", "How do I decide quickly?"),
        ("light", "How do I take a screenshot on Windows?", "How can I screenshot on Windows?"),
        ("light", "Should I take a nap after lunch?", "Should I nap after lunch?"),
        ("role", "Why does my dog chase my cat?", "Why is my dog chasing my cat?"),
        ("role", "Can a cat infect a dog with worms?", "Can cats give dogs worms?"),
        ("polarity", "Is it legal to record a phone call?", "Is recording a phone call legal?"),
        (
            "conversion",
            "Convert Celsius to Fahrenheit",
            "How do I convert Celsius into Fahrenheit?",
        ),
        ("conversion", "How many cups are in a liter?", "How many cups make up a liter?"),
        ("identifier", "What does error code E1042 mean?", "What is error E1042?"),
        ("time", "Is the pharmacy open at 9 am?", "Is the pharmacy open at 9 in the morning?"),
        ("unit", "How long does it take to walk 5 km?", "How long to walk 5 kilometers?"),
        (
            "comparative",
            "Is a MacBook faster than a Surface?",
            "Is the MacBook quicker than the Surface?",
        ),
        ("name", "When was Marie Curie born?", "What year was Marie Curie born?"),
        ("tense", "Who won the election?", "Who was the winner of the election?"),
        (
            "direction",
            "How do I copy files from my phone to my laptop?",
            "How can I copy files from my phone to my laptop?",
        ),
        (
            "modality",
            "Can I drink coffee while pregnant?",
            "Is it okay to drink coffee while pregnant?",
        ),
        ("date", "Is the bank open on Monday?", "Are banks open on Monday?"),
        ("beforeafter", "Should I stretch before running?", "Should I stretch before I run?"),
        (
            "firstlast",
            "When is the first train to the airport?",
            "What time is the first train to the airport?",
        ),
        ("minmax", "What is the minimum wage in Texas?", "What's the minimum wage in Texas?"),
        (
            "perunit",
            "How much does the gym cost per month?",
            "What is the monthly cost of the gym?",
        ),
        ("version", "What's new in iOS 17?", "What are the new features in iOS 17?"),
        (
            "ordinal",
            "What is the fourth planet from the sun?",
            "Which planet is fourth from the sun?",
        ),
        (
            "location",
            "Is it safe to drink tap water in Mexico?",
            "Can you drink the tap water in Mexico?",
        ),
        ("audience", "What are good books for kids?", "What are some good books for children?"),
        ("platform", "How do I take a screenshot on Windows?", "How to screenshot on Windows?"),
        ("frequency", "Should I water my cactus daily?", "Should I water my cactus every day?"),
        (
            "duration",
            "How long does a passport renewal take?",
            "How long does it take to renew a passport?",
        ),
        ("degree", "Is a very high fever dangerous?", "Is a really high fever dangerous?"),
        (
            "partwhole",
            "How long does the whole Camino de Santiago take?",
            "How long does the entire Camino de Santiago take?",
        ),
        ("purpose", "What shoes are best for running?", "What are the best running shoes?"),
        ("possession", "How do I reset my password?", "How can I reset my password?"),
        ("cause", "What causes inflammation?", "What is the cause of inflammation?"),
        (
            "converse",
            "Can I borrow money from my brother?",
            "Is it okay to borrow money from my brother?",
        ),
        ("converse", "How do I rent an apartment?", "How can I rent an apartment?"),
        ("possession", "What is Google's privacy policy?", "What is the privacy policy of Google?"),
        ("possession", "How do I reset my password?", "How do I reset a password?"),
        (
            "possession",
            "Can kids use their phones at school?",
            "Are kids allowed to use phones at school?",
        ),
        (
            "possession",
            "How do I change my partner's password?",
            "How can I change my partner's password?",
        ),
    ],
)
def test_paraphrase_is_served(kind: str, cached: str, query: str) -> None:
    assert verify_match(cached, query)[0], kind
