"""Second adversarial round for the pair model (runtime/cache/pair_model.py), written after
the first round's pairs were added to its training data and before the retrained model was
scored, so they measured it fresh (RESCUE_LOGIT was then chosen with their scores beside the
left-out pair banks, so they measure it no longer): none is taken from that round, the pair
banks or the test split. Written by hand, all before any was scored, across support, code,
devops, cloud, travel, cooking, finance, health, shopping, home repair, gardening, education,
sports, law, parenting, cars and pets; every must-miss pair written is kept here whatever it scored.

Must-miss (101 pairs): near-identical questions where a phrase of several words changes
what is asked: another task in the same frame (roll back / scale up a deployment), another
problem with the same thing (crashes on the camera screen / drains the battery), another
sub-step (find a stud / patch a hole in drywall), another object, a narrower or wider case,
opposite actions without an antonym pair (rest / marinate a steak). None may be served with
the pair model on, and none is served at RESCUE_LOGIT = 6.0.

Must-hit: of 62 rewordings written beside them (a phrase replaced by other words of
the same meaning: "how long is the drive" / "how many hours by car", "get rid of" /
"eliminate", "on an empty stomach" / "without eating first"; question forms changed; chatty
wrappers), the 25 served with the retrained weights when this file was written
must stay served; the others are refused by the verifier or scored below RESCUE_LOGIT.
Each pair is offered at cosine 0.9 against a threshold of 0.85, so only the verifier and the
pair model decide. Pairs are written as "domain | cached question" over "| new question"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runtime.cache.serving import Candidate, decide
from runtime.config import get_settings


def pairs(text: str) -> list[tuple[str, str, str]]:
    """(domain, cached, query) from lines "domain | cached" each followed by "| query"."""
    lines = [line.split("|", 1) for line in text.strip().splitlines()]
    return [
        (first[0].strip(), first[1].strip(), second[1].strip())
        for first, second in zip(lines[::2], lines[1::2], strict=True)
    ]


MUST_MISS = pairs("""
devops    | How do I roll back a failed deployment in Kubernetes?
          | How do I scale up a busy deployment in Kubernetes?
devops    | How do I free up disk space used by old Docker images?
          | How do I move Docker's image storage to another drive?
devops    | How can I see which process is listening on port 8080 in Linux?
          | How can I open port 8080 in the Linux firewall?
devops    | How do I undo my last local commit in git?
          | How do I squash my last few commits into one in git?
devops    | How do I pass environment variables into a Docker container at run time?
          | How do I read the environment variables of a running Docker container?
devops    | How do I write a cron job that runs every Monday morning?
          | How do I stop a cron job that keeps running twice?
devops    | How do I set a memory limit for a pod in Kubernetes?
          | How do I mount a secret as a file in a pod in Kubernetes?
devops    | Why does my GitHub Actions workflow not trigger on pull requests from forks?
          | Why does my GitHub Actions workflow run out of disk space during the build?
code      | How do I sort a Python dictionary by its values?
          | How do I merge two Python dictionaries into one?
code      | How do I read a large CSV file in pandas without running out of memory?
          | How do I write a pandas dataframe to an Excel sheet with formatting?
code      | How do I cancel a pending fetch request in JavaScript?
          | How do I retry a failed fetch request in JavaScript?
code      | How do I find memory leaks in a Node.js server?
          | How do I spread a Node.js server across all CPU cores?
code      | How do I add a column with a default value to a big Postgres table?
          | How do I find the slow queries on a big Postgres table?
cloud     | How do I give an EC2 instance permission to read from an S3 bucket?
          | How do I make an S3 bucket serve a static website?
cloud     | How do I lower my monthly AWS bill for idle databases?
          | How do I get alerts when my monthly AWS bill spikes?
cloud     | How do I attach a custom domain to my Azure web app?
          | How do I set up automatic backups for my Azure web app?
cloud     | How do I move a Google Cloud VM to another region?
          | How do I take a snapshot of a Google Cloud VM disk?
cloud     | How can I rotate the access keys of an IAM user safely?
          | How can I find out which services an IAM user actually used?
support   | How do I change the email address on my account?
          | How do I get a copy of all the data on my account?
support   | Why was my card declined when paying for the subscription?
          | Why was I charged twice for the subscription this month?
support   | How do I turn off the weekly newsletter emails?
          | How do I get the weekly newsletter sent to a second address?
support   | The app crashes as soon as I open the camera screen, what can I do?
          | The app drains my battery even when it runs in the background, what can I do?
support   | How do I add a team member to our shared workspace?
          | How do I hand over ownership of our shared workspace to someone else?
support   | My password reset link has expired, how do I get a new one?
          | My password reset email never arrives in my inbox, what should I do?
travel    | Can I bring a power bank in my checked luggage?
          | Can I bring a bottle of wine in my hand luggage?
travel    | How early should I get to the airport for an international flight?
          | How long does passport control usually take at the airport?
travel    | What is the best way to get from Rome airport to the city centre?
          | What is the best way to spend one day in the Rome city centre?
travel    | Do I need a visa to transit through Dubai airport?
          | Do I need travel insurance to enter the Schengen area?
travel    | How do I claim compensation for a cancelled train in Germany?
          | How do I book a seat reservation for a train in Germany?
travel    | Is it safe to drink the tap water in Mexico City?
          | Is it safe to walk around Mexico City alone at night?
travel    | What should I pack for a week of hiking in Iceland in summer?
          | What are the driving rules for a week of road trip in Iceland?
cooking   | How long should I rest a steak after cooking it?
          | How long should I marinate a steak before cooking it?
cooking   | How do I keep my homemade bread from going stale quickly?
          | How do I get a crispier crust on my homemade bread?
cooking   | Can I freeze cooked rice to eat later?
          | Can I reheat cooked rice in the microwave safely?
cooking   | How do I stop pasta from sticking together in the pot?
          | How do I make fresh pasta dough without a machine?
cooking   | What can I use instead of eggs in a cake recipe?
          | What makes a cake sink in the middle after baking?
cooking   | How do I clean a cast iron pan after cooking?
          | How do I restore a rusty cast iron pan?
cooking   | How do I make my curry less spicy after I added too much chili?
          | How do I make my curry thicker without adding flour?
finance   | How do I transfer my pension from an old employer to my new one?
          | How do I check how much is in my pension from an old employer?
finance   | Should I pay off my student loan early or invest the money?
          | How do I lower the interest rate on my student loan?
finance   | How do I report income from freelance work on my tax return?
          | How do I get an extension to file my tax return late?
finance   | How do I dispute a fraudulent charge on my credit card?
          | How do I raise the spending limit on my credit card?
finance   | What happens to my stock options if I leave the company?
          | How are my stock options taxed when I exercise them?
finance   | How do I open a savings account for my child?
          | How do I add my child as an authorised user on my card?
health    | Can I take ibuprofen on an empty stomach?
          | Can I take ibuprofen together with blood pressure pills?
health    | How much water should I drink during a long run?
          | How should I breathe properly during a long run?
health    | What are the early signs of a vitamin D deficiency?
          | What is the best time of day to take vitamin D supplements?
health    | How do I treat a sprained ankle at home?
          | How long does it take to walk normally after a sprained ankle?
health    | How can I fall asleep faster at night?
          | How can I stop waking up at three in the morning?
health    | Is it normal to feel dizzy after donating blood?
          | How often am I allowed to donate blood in a year?
shopping  | How do I return an item I bought online without the original box?
          | How do I track an item I bought online that has not shipped yet?
shopping  | Does this laptop come with a charger in the box?
          | Does this laptop support charging over USB-C?
shopping  | How do I apply a discount code at checkout?
          | How do I split my payment across two cards at checkout?
shopping  | Can I change the delivery address after placing my order?
          | Can I add another item to my order after placing it?
shopping  | What size running shoes should I buy if I have wide feet?
          | How often should I replace my running shoes?
home      | How do I fix a toilet that keeps running after flushing?
          | How do I unclog a toilet without a plunger?
home      | How do I patch a small hole in drywall?
          | How do I find a stud behind drywall?
home      | Why is my dishwasher leaving white residue on the glasses?
          | Why is my dishwasher not draining the water at the end?
home      | How do I bleed the air out of my radiators?
          | How do I turn up the water pressure of my boiler?
home      | How do I stop my front door from sticking in humid weather?
          | How do I change the lock on my front door myself?
home      | How do I get rid of black mould in the shower grout?
          | How do I replace cracked grout in the shower?
garden    | When should I prune my apple trees?
          | When should I harvest the apples from my trees?
garden    | How do I get rid of aphids on my roses without chemicals?
          | How do I get my roses to bloom a second time this summer?
garden    | How often should I water tomato plants in pots?
          | How do I stop my potted tomato plants from splitting their fruit?
garden    | How do I start a compost pile in a small backyard?
          | How do I use finished compost on a vegetable bed?
garden    | Why are the leaves on my lemon tree turning yellow?
          | How do I protect my lemon tree from frost over winter?
education | How do I apply for a student loan for my master's degree?
          | How do I write a strong personal statement for my master's degree?
education | How can I help my child learn the multiplication tables?
          | How can I help my child get better at reading out loud?
education | How do I cite a website in APA style?
          | How do I format the title page in APA style?
education | What is the deadline to drop a class without a failing grade?
          | What is the deadline to sign up for next semester's classes?
education | How should I prepare for the speaking part of the IELTS exam?
          | How do I book a date for the IELTS exam?
sports    | How do I improve my serve in tennis?
          | How do I choose the right string tension for my tennis racket?
sports    | How many rest days should I take when training for a marathon?
          | What should I eat the night before a marathon?
sports    | How do I stop my bike chain from slipping on the smallest gear?
          | How do I clean and oil my bike chain?
sports    | What are the offside rules in football?
          | How does the extra time work in knockout football matches?
sports    | How do I get more distance on my golf drives?
          | How do I stop slicing my golf drives to the right?
law       | Can my landlord keep my deposit for normal wear and tear?
          | Can my landlord enter the flat without telling me first?
law       | How do I contest a parking ticket I think was unfair?
          | How do I pay a parking ticket I got abroad?
law       | Do I need a lawyer to write a will?
          | How do I change a will after it has been signed?
law       | How much notice do I have to give my employer before quitting?
          | How much severance am I owed if my employer lays me off?
law       | Can I use a song in my YouTube video if I credit the artist?
          | Can I sue someone who copied my photos onto their website?
parenting | How do I get my toddler to sleep through the night?
          | How do I get my toddler to eat more vegetables?
parenting | When should a baby start eating solid food?
          | When should a baby start sleeping in their own room?
parenting | How much screen time is fine for a five year old?
          | How do I set up parental controls on a five year old's tablet?
parenting | How do I deal with my teenager lying about where they go?
          | How do I talk to my teenager about safe driving?
parenting | What should I pack in the hospital bag for giving birth?
          | What should I buy before the baby comes home from hospital?
cars      | How often should I change the oil in my car?
          | How do I check the oil level in my car?
cars      | Why does my car make a squealing noise when I brake?
          | Why does my car pull to the left when I drive straight?
cars      | How do I jump start a car with a dead battery?
          | How long does a car battery usually last before replacing it?
cars      | What does the check engine light mean when it is flashing?
          | How do I reset the check engine light after a repair?
cars      | Is it worth buying an extended warranty for a used car?
          | What should I inspect before buying a used car from a private seller?
cars      | How do I put snow chains on my tires?
          | How do I know when my tires need replacing?
pets      | How do I stop my dog from pulling on the leash?
          | How do I get my dog used to wearing a muzzle?
pets      | How often should I take my cat to the vet for checkups?
          | How do I get my cat into the carrier for the vet?
pets      | What human foods are poisonous to dogs?
          | What human foods can I give my dog as treats?
pets      | How do I introduce a new kitten to my older cat?
          | How do I litter train a new kitten?
pets      | How do I clean my dog's ears at home?
          | How do I trim my dog's nails at home?
pets      | How big should the tank be for two goldfish?
          | How often should I change the water in a goldfish tank?
devops    | How do I install Docker on Ubuntu?
          | How do I run Docker without sudo on Ubuntu?
cooking   | How do I cook a whole turkey for Thanksgiving?
          | How do I carve a whole turkey after roasting it?
finance   | How do I buy my first house with a small deposit?
          | How do I get a mortgage approval in principle before house hunting?
""")

MUST_HIT = pairs("""
travel    | How long is the drive from Boston to New York?
          | How many hours does it take by car from Boston to New York?
travel    | What is the cheapest way to get from the airport to downtown Lisbon?
          | What's the least expensive way to travel from Lisbon airport into the city centre?
health    | How can I get rid of hiccups quickly?
          | What is a fast way to stop hiccups?
health    | What are the symptoms of dehydration?
          | How can I tell if I am dehydrated?
home      | How do I fix a dripping tap in the kitchen?
          | What's the way to repair a leaky kitchen faucet?
home      | How do I unclog a bathroom sink drain?
          | How can I clear a blocked drain in the bathroom sink?
cooking   | What can I use instead of buttermilk in a recipe?
          | What's a good substitute for buttermilk when baking?
cooking   | How long does cooked chicken last in the fridge?
          | For how many days can I keep cooked chicken refrigerated?
finance   | What is the difference between a Roth IRA and a traditional IRA?
          | How does a Roth IRA differ from a traditional IRA?
finance   | How can I send money abroad with low fees?
          | What is a cheap way to transfer money to another country?
support   | How do I cancel my subscription?
          | How can I stop my subscription from renewing and end it?
support   | How do I get in touch with customer support?
          | What's the way to contact your help desk?
support   | How do I delete my account permanently?
          | How can I close my account for good?
support   | Can you tell me how to change my shipping address please?
          | How do I update my delivery address?
shopping  | Do you ship to Canada?
          | Can I get my order delivered to Canada?
code      | How do I reverse a list in Python?
          | What's the way to flip the order of a Python list?
code      | How do I convert a string to an integer in JavaScript?
          | How can I turn a string into a number in JavaScript?
devops    | How do I see the logs of a Docker container?
          | How can I view the output a Docker container has written to its logs?
cloud     | How much does an AWS Lambda function cost to run?
          | What is the price of running an AWS Lambda function?
education | How can I improve my English vocabulary quickly?
          | What is a fast way to learn more English words?
sports    | How do I improve my running stamina?
          | How can I build up endurance for running?
law       | How long does a copyright last?
          | For how many years is a work protected by copyright?
parenting | How do I potty train my toddler?
          | What is the way to toilet train a toddler?
cars      | How do I check the tire pressure on my car?
          | How can I measure how much air is in my car's tires?
pets      | Hey there, can dogs eat grapes?
          | Are grapes safe for dogs to eat?
""")


@pytest.fixture(autouse=True)
def pair_model_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CELERAGENT_SEMANTIC_PAIR_MODEL", "true")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def served(cached: str, query: str) -> bool:
    return decide(query, [Candidate("e", 0.9, cached)], 0.85, 0.3).served is not None


@pytest.mark.parametrize(("domain", "cached", "query"), MUST_MISS)
def test_must_miss_not_served(domain: str, cached: str, query: str) -> None:
    assert not served(cached, query)


@pytest.mark.parametrize(("domain", "cached", "query"), MUST_HIT)
def test_must_hit_served(domain: str, cached: str, query: str) -> None:
    assert served(cached, query)
