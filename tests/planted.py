"""Studies with planted user types, where every sentence's true type and kind are recorded.

Written for bench/persona_quality.py and the grouping tests. A study is a list of survey rows: a
respondent id, structured answers (occupation, age band) that types share in part, and free-text
answers made of sentences. Each sentence comes from a type's own phrases for one kind (goal, pain
point, behaviour, motivation) set in a surface form, and about half the surface forms carry no cue
word at all ("The transfer limit resets at midnight." is a pain point), as people write. Respondents
also say generic things any type says (kind ``None``) and, with the cross-talk rate, a sentence of
another type.

Four domains. ``banking`` is the one the engine was tuned on. ``energy`` was held out until stop
32, when new rules scored worse on it than the old ones and it was opened to find out why (a
sentence ending in ":(" ran into the next one); it is a tuning domain since. ``clinic`` was held
out from then until stop 36, when it had been run eight times and its surface forms had been read;
it is a tuning domain since. ``library`` is held out from stop 36: its own phrases and surface
forms, written before the engine was run on it; run it to measure, never to tune (its figures are
reported, its failures not read). The phrases are invented
for this file; no corpus, benchmark or list the engine uses supplied them.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("goals", "pain_points", "behaviours", "motivations")

# Surface forms per kind. {x} is the phrase; {X} the phrase with a capital. The phrases are verb
# phrases for goals and behaviours ("split bills with housemates"), clauses for pain points, noun
# phrases for motivations.
FORMS = {
    "goals": [
        "I want to {x}.",
        "Ideally I could {x} from my phone.",
        "It would really help to {x}.",
        "This year I'm hoping to {x}.",
        "My plan is to {x} before the summer.",
        "What I'm after is a way to {x}.",
    ],
    "pain_points": [
        "{X}.",
        "{X}, which drives me mad.",
        "It annoys me that {x}.",
        "Last month {x} again.",
        "{X} and nobody explains why.",
        "The worst bit is that {x}.",
    ],
    "behaviours": [
        "I usually {x}.",
        "Most weeks I {x}.",
        "I {x} on the bus to work.",
        "Every payday I {x}.",
        "I tend to {x} late in the evening.",
        "Twice a month I {x}.",
    ],
    "motivations": [
        "{X} matters more to me than anything.",
        "I stick with it because of {x}.",
        "For me it is all about {x}.",
        "{X} is the reason I bother.",
        "{X} gives me peace of mind.",
        "Honestly I do it for {x}.",
    ],
}


# The held-out domain's own surface forms, so that a held-out figure also measures sentences of
# shapes the engine was not tuned on.
HELD_OUT_FORMS = {
    "goals": [
        "Could you let me {x}?",
        "I'd love to {x}.",
        "Please make it possible to {x}.",
        "The dream would be to {x}.",
        "We're trying to {x} this winter.",
        "Id like to {x} tbh.",
    ],
    "pain_points": [
        "{X} :(",
        "Why is it that {x}?",
        "Ugh, {x}.",
        "{X} for the third time.",
        "Not impressed that {x}.",
        "Yesterday {x} and I lost an hour.",
    ],
    "behaviours": [
        "Normally I {x}.",
        "On Sundays I {x}.",
        "We always {x}.",
        "I {x} once a week or so.",
        "Each morning I {x}.",
        "Now and then I {x}.",
    ],
    "motivations": [
        "{X}, that's what counts.",
        "It's important to me: {x}.",
        "Mainly {x}.",
        "{X} keeps me going.",
        "I care about {x}.",
        "{X} is why we chose this.",
    ],
}


@dataclass(frozen=True)
class Domain:
    types: dict[str, dict[str, list[str]]]  # type -> kind -> phrases
    roles: dict[str, list[str]]
    ages: dict[str, list[str]]
    generic: list[str]
    common: dict[str, list[str]]  # kind -> phrases every type says (shared vocabulary)
    columns: dict[str, str] = field(default_factory=dict)  # kind -> free-text column name
    forms: dict[str, list[str]] = field(default_factory=lambda: FORMS)


BANKING = Domain(
    types={
        "saver": {
            "goals": [
                "build an emergency fund of three months' pay",
                "see my savings grow without touching them",
                "lock money away for a house deposit",
                "round up purchases into a savings pot",
            ],
            "pain_points": [
                "the savings rate drops after the first year",
                "moving money into the deposit pot takes three taps too many",
                "the interest only shows up once a year",
                "my savings goal resets when I withdraw a penny",
            ],
            "behaviours": [
                "move whatever is left into savings",
                "check the interest on my savings pots",
                "compare savings rates between banks",
                "set aside a fixed amount for the deposit",
            ],
            "motivations": [
                "knowing there is a cushion if the boiler breaks",
                "getting onto the property ladder",
                "not relying on my parents for money",
                "watching the deposit pot fill up",
            ],
        },
        "freelancer": {
            "goals": [
                "send invoices straight from the app",
                "keep business and personal spending apart",
                "put tax aside automatically from each payment",
                "chase late clients without awkward emails",
            ],
            "pain_points": [
                "clients pay late and my rent is due anyway",
                "the self assessment export is missing half my receipts",
                "invoices go out with the wrong VAT number",
                "my income looks irregular so the mortgage advisor says no",
            ],
            "behaviours": [
                "photograph receipts for my accountant",
                "tag every transaction as business or personal",
                "send invoices on the last Friday of the month",
                "check which clients still owe me",
            ],
            "motivations": [
                "being my own boss",
                "a calm January when the tax bill arrives",
                "looking professional to new clients",
                "the freedom to pick my own projects",
            ],
        },
        "family": {
            "goals": [
                "give the kids pocket money on their own cards",
                "see the whole household budget in one view",
                "split the nursery fees with my partner",
                "plan for school uniform costs in August",
            ],
            "pain_points": [
                "the joint account shows payments with no names",
                "the kids' cards get blocked at the school canteen",
                "nursery fees come out before child benefit lands",
                "my partner and I both pay the same bill by mistake",
            ],
            "behaviours": [
                "top up the children's cards",
                "go through the household budget with my partner",
                "pay the childminder by bank transfer",
                "look at what the kids spent at the tuck shop",
            ],
            "motivations": [
                "teaching the children what money is worth",
                "keeping the household running without arguments",
                "a holiday with the kids once a year",
                "making sure the children never go without",
            ],
        },
        "traveller": {
            "goals": [
                "spend abroad without exchange fees",
                "hold euros and dollars in the same account",
                "freeze my card from the app if it goes missing",
                "know the rate before I pay in a foreign shop",
            ],
            "pain_points": [
                "my card was declined at a hotel in Lisbon",
                "the exchange rate on weekends is terrible",
                "cash machines abroad charge a fee on top of the bank's fee",
                "the fraud team blocks me every time I land somewhere new",
            ],
            "behaviours": [
                "switch currencies before a trip",
                "tell the bank where I am flying",
                "pay in local currency at the till",
                "check the rate at the airport",
            ],
            "motivations": [
                "seeing as much of the world as I can",
                "not being ripped off on holiday",
                "the adventure of a new city",
                "feeling safe with my money far from home",
            ],
        },
        "retiree": {
            "goals": [
                "pay my bills without going into a branch",
                "read my statements in larger print",
                "let my daughter help with the account safely",
                "spot a scam call before it is too late",
            ],
            "pain_points": [
                "the local branch closed and the nearest one is two buses away",
                "the login codes arrive by text and my phone is old",
                "the letters about my pension payment are confusing",
                "the helpline keeps me on hold for an hour",
            ],
            "behaviours": [
                "phone the helpline to check my pension arrived",
                "pay the window cleaner in cash from the post office",
                "read the paper statement at the kitchen table",
                "ask my grandson to set up payments",
            ],
            "motivations": [
                "staying independent as long as I can",
                "not being a burden on the family",
                "feeling safe from fraudsters",
                "a quiet life after forty years of work",
            ],
        },
    },
    roles={
        "saver": ["Teacher", "Nurse", "Civil servant"],
        "freelancer": ["Graphic designer", "Photographer", "Developer"],
        "family": ["Teacher", "Nurse", "Shop manager"],
        "traveller": ["Developer", "Consultant", "Flight attendant"],
        "retiree": ["Retired", "Retired", "Volunteer"],
    },
    ages={
        "saver": ["25-34", "18-24"],
        "freelancer": ["25-34", "35-44"],
        "family": ["35-44", "25-34"],
        "traveller": ["25-34", "35-44"],
        "retiree": ["65+", "55-64"],
    },
    generic=[
        "The app is fine overall.",
        "Nothing else to add really.",
        "I have been with them for a few years now.",
        "It does what it says on the tin.",
        "I might recommend it to a friend.",
        "Overall I would give it seven out of ten.",
    ],
    common={
        "goals": ["see all my accounts in one place", "get a notification for every payment"],
        "pain_points": ["the app logs me out every few minutes", "payments take a day to show up"],
        "behaviours": ["check my balance", "look at my spending in the app"],
        "motivations": ["feeling in control of my money", "knowing where every pound goes"],
    },
    columns={
        "goals": "What would you like to be able to do?",
        "pain_points": "What gets in your way?",
        "behaviours": "How do you use the app today?",
        "motivations": "Why does this matter to you?",
    },
)

# Held out until stop 32, a tuning domain since (see the module docstring).
ENERGY = Domain(
    types={
        "budgeter": {
            "goals": [
                "know my bill before it lands",
                "spread the cost of winter across the year",
                "cap what I spend on heating each month",
                "get a warning when usage jumps",
            ],
            "pain_points": [
                "the direct debit went up twice without warning",
                "the estimated reading was double what I used",
                "my credit balance is never refunded",
                "the tariff comparison page hides the standing charge",
            ],
            "behaviours": [
                "submit a meter reading on the first of the month",
                "watch the daily usage graph",
                "turn the thermostat down a degree",
                "compare last year's bill with this year's",
            ],
            "motivations": [
                "never having to choose between heating and eating",
                "staying on top of the household money",
                "no nasty surprises on the doormat",
                "keeping the debt collectors away",
            ],
        },
        "green": {
            "goals": [
                "run the house on renewable power",
                "charge the car when the grid is cleanest",
                "sell solar power back to the grid",
                "see the carbon footprint of my usage",
            ],
            "pain_points": [
                "the export tariff pays next to nothing",
                "the heat pump settings are buried three menus deep",
                "the app cannot tell me when power is greenest",
                "the battery data never syncs with the app",
            ],
            "behaviours": [
                "schedule the dishwasher for the cheap overnight hours",
                "plug the car in after midnight",
                "check how much the panels generated",
                "read the carbon intensity forecast",
            ],
            "motivations": [
                "leaving a liveable planet to my grandchildren",
                "doing my bit for the climate",
                "proving that green living can be cheap",
                "cutting out fossil fuels completely",
            ],
        },
        "landlord": {
            "goals": [
                "manage the meters of all my flats in one login",
                "move accounts to new tenants on the day they arrive",
                "bill tenants for exactly what they used",
                "get safety certificates sorted before an inspection",
            ],
            "pain_points": [
                "every empty flat racks up standing charges",
                "the change of tenancy form loses the final reading",
                "tenants leave debts on the meter that land on me",
                "each property has a different login and password",
            ],
            "behaviours": [
                "take photos of the meters at each handover",
                "ring the supplier when a tenant moves out",
                "keep a spreadsheet of readings for every flat",
                "visit the properties to read the meters",
            ],
            "motivations": [
                "keeping the rental business profitable",
                "happy tenants who stay for years",
                "staying on the right side of the regulations",
                "a pension built out of bricks",
            ],
        },
        "vulnerable": {
            "goals": [
                "stay on the priority register",
                "get a warm home discount without a long form",
                "have a named contact who knows my situation",
                "avoid a prepayment meter being forced on me",
            ],
            "pain_points": [
                "the prepayment meter ran out on a freezing night",
                "the engineer did not knock loud enough for me to hear",
                "the forms ask for documents I no longer have",
                "the helpline menu has no option for medical equipment",
            ],
            "behaviours": [
                "top up the key at the corner shop",
                "keep the oxygen machine running through the night",
                "ask my carer to read the letters",
                "leave the heating on low all day",
            ],
            "motivations": [
                "keeping warm with my health condition",
                "being treated with dignity",
                "knowing the power stays on for my equipment",
                "not having to explain my illness every time",
            ],
        },
    },
    roles={
        "budgeter": ["Care worker", "Retail assistant", "Teacher"],
        "green": ["Engineer", "Teacher", "Architect"],
        "landlord": ["Property manager", "Self-employed", "Engineer"],
        "vulnerable": ["Retired", "Unable to work", "Care worker"],
    },
    ages={
        "budgeter": ["25-34", "35-44"],
        "green": ["35-44", "45-54"],
        "landlord": ["45-54", "55-64"],
        "vulnerable": ["65+", "55-64"],
    },
    generic=[
        "They are about the same as any other supplier.",
        "I switched to them a couple of years ago.",
        "No strong feelings either way.",
        "The website looks nicer than it used to.",
        "I would probably stay with them.",
        "That is all I can think of.",
    ],
    common={
        "goals": ["see my usage in the app", "pay a fair price for energy"],
        "pain_points": ["the app shows yesterday's usage at best", "the bills are hard to read"],
        "behaviours": ["open the app to check the balance", "read the meter when a letter asks"],
        "motivations": ["a warm house in winter", "fair treatment from the supplier"],
    },
    columns={
        "goals": "What would make things better?",
        "pain_points": "Tell us about any problems",
        "behaviours": "How do you manage your energy?",
        "motivations": "What matters most to you?",
    },
    forms=HELD_OUT_FORMS,
)

# Held out since stop 32, when ``energy`` was opened for diagnosis: its own surface forms and
# phrases, written before the engine's rules were run on it, and run once per change of rules.
CLINIC_FORMS = {
    "goals": [
        "If I could {x} I'd be happy.",
        "Would love to {x}.",
        "I keep meaning to ask if we could {x}.",
        "Next year we aim to {x}.",
        "It would be good to {x}.",
        "{X} - that's all I ask.",
    ],
    "pain_points": [
        "{X}, every time.",
        "Honestly {x}.",
        "{X} and it's exhausting.",
        "The problem is {x}.",
        "Apparently {x}.",
        "{X}. Typical.",
    ],
    "behaviours": [
        "I normally {x} on my lunch break.",
        "Right now I {x}.",
        "These days I {x}.",
        "At the moment we {x}.",
        "I always {x} myself.",
        "Mostly I just {x}.",
    ],
    "motivations": [
        "It's really about {x}.",
        "What keeps me at it is {x}.",
        "{X}, at the end of the day.",
        "Mainly {x}.",
        "{X} is what I think about most.",
        "I put up with it all for {x}.",
    ],
}

CLINIC = Domain(
    types={
        "carer": {
            "goals": [
                "manage my mum's appointments from my own account",
                "get one summary of all her medicines",
                "speak to the same doctor each visit for her",
                "arrange home visits without three phone calls",
            ],
            "pain_points": [
                "the surgery won't talk to me without her consent form on file",
                "her prescriptions run out on different days",
                "the hospital letters go to her old address",
                "transport to the clinic falls through at the last minute",
            ],
            "behaviours": [
                "keep her medication chart on the fridge",
                "drive her to the clinic on my day off",
                "ring the pharmacy to check her pills are ready",
                "write down what the nurse says in a notebook",
            ],
            "motivations": [
                "keeping mum in her own home as long as possible",
                "being there for her the way she was for me",
                "making sure nothing falls between the cracks",
                "a bit of time back for my own family",
            ],
        },
        "chronic": {
            "goals": [
                "order repeat prescriptions before I run low",
                "see my blood test results as soon as they are in",
                "send my glucose readings to the nurse",
                "book my annual review at a time that suits me",
            ],
            "pain_points": [
                "the repeat request form logs me out halfway through",
                "results take a fortnight to reach me",
                "every review starts from scratch with a new nurse",
                "the pharmacy substitutes a brand I react badly to",
            ],
            "behaviours": [
                "log my readings in an app after breakfast",
                "collect my insulin from the same pharmacy",
                "check the results page after every blood test",
                "bring a printed list of questions to reviews",
            ],
            "motivations": [
                "staying well enough to keep working",
                "not letting the condition run my life",
                "understanding my own numbers",
                "avoiding another stay in hospital",
            ],
        },
        "parent": {
            "goals": [
                "book a same-day slot for a poorly child",
                "get vaccination reminders for both kids",
                "video call a doctor instead of sitting in the waiting room",
                "see which surgeries near us take new patients",
            ],
            "pain_points": [
                "the phone queue is full by five past eight",
                "the waiting room is packed with coughing toddlers",
                "the vaccination letter arrived after the clinic date",
                "nobody can say whether a rash needs seeing today",
            ],
            "behaviours": [
                "check the health website before calling",
                "call the surgery the moment the lines open",
                "take the kids to the walk-in centre on weekends",
                "keep the red book in the changing bag",
            ],
            "motivations": [
                "my children getting seen quickly when they are ill",
                "not missing a day at work for a ten-minute appointment",
                "peace of mind at three in the morning",
                "being a calm parent when things go wrong",
            ],
        },
        "shift": {
            "goals": [
                "book appointments outside nine to five",
                "cancel a slot online when my rota changes",
                "get a sick note without going in",
                "see the doctor at the evening clinic",
            ],
            "pain_points": [
                "every slot is during my shift",
                "cancelling means ringing during working hours",
                "the online booking shows nothing for weeks",
                "text reminders arrive while I am asleep after nights",
            ],
            "behaviours": [
                "book on my phone during my break",
                "swap shifts to make a GP appointment",
                "use the pharmacy for minor things",
                "go to the out-of-hours service after a night shift",
            ],
            "motivations": [
                "keeping my health on track despite the hours",
                "not losing pay for a check-up",
                "being fit enough to do the job properly",
                "getting some sleep between shifts",
            ],
        },
    },
    roles={
        "carer": ["Carer", "Teaching assistant", "Retired"],
        "chronic": ["Accountant", "Bus driver", "Retired"],
        "parent": ["Teacher", "Shop manager", "Nurse"],
        "shift": ["Nurse", "Lorry driver", "Warehouse operative"],
    },
    ages={
        "carer": ["45-54", "55-64"],
        "chronic": ["55-64", "65+"],
        "parent": ["25-34", "35-44"],
        "shift": ["25-34", "35-44"],
    },
    generic=[
        "The receptionists are friendly enough.",
        "I have no other comments.",
        "It is an average surgery really.",
        "We moved here two years ago.",
        "The building is quite new.",
        "I suppose it could be worse.",
    ],
    common={
        "goals": ["see my records online", "get a reply to messages the same day"],
        "pain_points": [
            "the app asks me to log in again every time",
            "the phone line cuts off after twenty minutes",
        ],
        "behaviours": ["use the online booking", "read the surgery newsletter"],
        "motivations": ["being looked after properly", "trust in the people treating us"],
    },
    columns={
        "goals": "If you could change one thing, what would it be?",
        "pain_points": "What is hardest about it?",
        "behaviours": "Tell us how you book and manage appointments.",
        "motivations": "What makes it worth it for you?",
    },
    forms=CLINIC_FORMS,
)

# Held out from stop 36 (clinic's surface forms had been read by then): a public library service.
# Written in one sitting before the engine was run on it; run it to measure, never to tune.
LIBRARY_FORMS = {
    "goals": [
        "Would love to {x}.",
        "If I could {x} that'd be ace.",
        "I'd use it loads if it let me {x}.",
        "Top of my list: {x}.",
        "Being able to {x} would save me a trip.",
        "Really I just need to {x}.",
    ],
    "pain_points": [
        "Every single time, {x}.",
        "Problem is {x}.",
        "{X}, so I end up giving up.",
        "Frustrating that {x}.",
        "{X} - not great.",
        "Honestly {x}, it's a joke.",
    ],
    "behaviours": [
        "Normally I {x}.",
        "Once a week or so I {x}.",
        "I {x} most Saturdays.",
        "Usually on my lunch I {x}.",
        "After school I {x}.",
        "Each month I {x}.",
    ],
    "motivations": [
        "What keeps me coming back is {x}.",
        "{X} means a lot to me.",
        "It's about {x} really.",
        "{X} - that's the main thing.",
        "Mostly I value {x}.",
        "{X} is what it's all for.",
    ],
}

LIBRARY = Domain(
    types={
        "student": {
            "goals": [
                "book a quiet study room for the evening",
                "renew my course books without going in",
                "find which branch has the textbook on the shelf",
                "print my dissertation from my laptop",
            ],
            "pain_points": [
                "the study rooms are all taken by ten in the morning",
                "the wifi drops whenever the building fills up",
                "the printer swallows my credit and prints nothing",
                "the reading list links point to editions you do not stock",
            ],
            "behaviours": [
                "revise on the top floor until closing",
                "reserve the textbooks on my reading list",
                "charge my laptop at the desks by the window",
                "photocopy chapters for my seminar",
            ],
            "motivations": [
                "getting a first in my degree",
                "a place to work away from noisy housemates",
                "not having to buy every textbook",
                "the focus I get surrounded by other people studying",
            ],
        },
        "young_parent": {
            "goals": [
                "sign the baby up for rhyme time online",
                "see which storytimes still have places",
                "borrow picture books for the twins on one card",
                "get a reminder before the toddler books are due",
            ],
            "pain_points": [
                "rhyme time fills up within minutes of the booking opening",
                "the buggy will not fit in the lift at the central branch",
                "fines pile up on the kids' cards when I forget",
                "the children's section is upstairs with no changing table",
            ],
            "behaviours": [
                "take my toddler to the Tuesday singalong",
                "swap a stack of picture books for new ones",
                "let the kids choose a book each at the end",
                "read to my daughter in the soft play corner",
            ],
            "motivations": [
                "my son growing up loving books",
                "a free morning out when money is tight",
                "meeting other parents in the area",
                "giving the kids a head start before school",
            ],
        },
        "retired_reader": {
            "goals": [
                "order large print crime novels to my local branch",
                "join the Thursday book club",
                "have the mobile library stop in our village again",
                "keep a list of the authors I have already read",
            ],
            "pain_points": [
                "the large print shelves have the same twenty titles",
                "the mobile library stopped coming to our village",
                "the online catalogue text is too small to read",
                "the reservation fee went up to two pounds",
            ],
            "behaviours": [
                "read the papers in the reading room",
                "pick up my reserved novels on a Friday",
                "chat with the volunteers at the desk",
                "borrow three or four paperbacks at a time",
            ],
            "motivations": [
                "company now that I live on my own",
                "keeping my mind sharp",
                "a reason to get out of the house",
                "the pleasure of a good mystery",
            ],
        },
        "job_seeker": {
            "goals": [
                "book a computer for two hours instead of one",
                "get help writing my CV from the staff",
                "scan documents for my benefit claim",
                "use a private room for video interviews",
            ],
            "pain_points": [
                "the computer session cuts off in the middle of an application",
                "the public computers take ten minutes to log in",
                "there is nowhere private to take a phone interview",
                "the job club only runs while I am at the food bank",
            ],
            "behaviours": [
                "apply for jobs on the public computers",
                "print off application forms",
                "go to the job club on a Wednesday",
                "check the noticeboard for training courses",
            ],
            "motivations": [
                "getting back into work",
                "proving to my kids that I can turn it round",
                "a free internet connection I can rely on",
                "staff who treat me with respect",
            ],
        },
        "audiobook_commuter": {
            "goals": [
                "download audiobooks before I lose signal on the train",
                "skip the waiting list for new releases",
                "carry on listening where I stopped on another device",
                "borrow magazines on the app without a second login",
            ],
            "pain_points": [
                "the audiobook waiting list is twelve weeks long",
                "the loan expires halfway through a long book",
                "the app forgets my place when I switch to my tablet",
                "downloads fail on the station wifi",
            ],
            "behaviours": [
                "listen to an audiobook on the commute",
                "queue up three loans on the app",
                "put a hold on new releases the day they appear",
                "read e-magazines on the way home",
            ],
            "motivations": [
                "making the commute feel shorter",
                "getting through more books than I could afford",
                "switching off after work",
                "keeping up with what my friends are reading",
            ],
        },
    },
    roles={
        "student": ["Student", "Student", "Research assistant"],
        "young_parent": ["Parent at home", "Part-time cashier", "Childminder"],
        "retired_reader": ["Retired", "Retired", "Volunteer"],
        "job_seeker": ["Unemployed", "Warehouse worker", "Care worker"],
        "audiobook_commuter": ["Accountant", "Civil servant", "Project manager"],
    },
    ages={
        "student": ["18-24", "18-24"],
        "young_parent": ["25-34", "35-44"],
        "retired_reader": ["65+", "65+"],
        "job_seeker": ["35-44", "45-54"],
        "audiobook_commuter": ["25-34", "45-54"],
    },
    generic=[
        "Staff are lovely on the whole.",
        "Can't think of anything else.",
        "Been a member since I was little.",
        "It's a decent service for what it is.",
        "I'd probably tell a friend about it.",
        "Six out of ten, maybe seven.",
    ],
    common={
        "goals": ["renew everything with one tap", "see my loans and due dates on my phone"],
        "pain_points": ["the opening hours were cut again", "the app logs me out between visits"],
        "behaviours": ["browse the new arrivals shelf", "use the self-service machines"],
        "motivations": ["having a library that is free for everyone", "feeling part of the community"],
    },
    columns={
        "goals": "If the library could do one new thing for you, what would it be?",
        "pain_points": "Tell us about anything that put you off.",
        "behaviours": "What do you normally do when you visit or use the app?",
        "motivations": "What does the library mean to you?",
    },
    forms=LIBRARY_FORMS,
)


DOMAINS = {"banking": BANKING, "energy": ENERGY, "clinic": CLINIC, "library": LIBRARY}


@dataclass
class Study:
    rows: list[dict[str, str]]  # survey rows as written (no hidden columns)
    types: list[str]  # the planted type of each row
    sentences: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # -> (type, kind)

    def write(self, path: Path) -> Path:
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, list(self.rows[0]))
            writer.writeheader()
            writer.writerows(self.rows)
        return path


def sentence(rng: random.Random, kind: str, phrase: str, forms: dict[str, list[str]] = FORMS) -> str:
    form = rng.choice(forms[kind])
    return form.replace("{x}", phrase).replace("{X}", phrase[:1].upper() + phrase[1:])


def make_study(
    domain: Domain,
    counts: dict[str, int],
    seed: int,
    *,
    cross_talk: float = 0.15,
    generic: float = 0.10,
    per_kind: int = 2,
    one_column: bool = False,
    shared: float = 0.0,
) -> Study:
    """Rows of a survey: ``counts[type]`` respondents per type. Each says ``per_kind`` sentences of
    each kind; a sentence is another type's with probability ``cross_talk``, a generic remark with
    probability ``generic``, and (``shared``) one of the domain's common phrases, on topic but said
    by every type (its type is ``None``), so that types share most of their vocabulary.
    ``one_column`` puts every answer in one ``notes`` column."""
    rng = random.Random(seed)
    study = Study([], [])
    respondents: list[tuple[str, dict[str, str]]] = []
    for kind_of_user, count in counts.items():
        for _ in range(count):
            answers: dict[str, list[str]] = {kind: [] for kind in KINDS}
            for kind in KINDS:
                for _ in range(per_kind):
                    draw = rng.random()
                    if draw < generic:
                        text = rng.choice(domain.generic)
                        study.sentences[text] = (None, None)
                    else:
                        source = kind_of_user
                        if draw < generic + cross_talk:
                            source = rng.choice([t for t in domain.types if t != kind_of_user])
                        if rng.random() < shared:  # on topic, but said by every type
                            phrase = rng.choice(domain.common[kind])
                            owner = None
                        else:
                            phrase = rng.choice(domain.types[source][kind])
                            owner = source
                        text = sentence(rng, kind, phrase, domain.forms)
                        study.sentences[text] = (owner, kind)
                    # An answer may hold a sentence of another kind (people answer the question
                    # they wish they had been asked).
                    column = kind if rng.random() < 0.7 else rng.choice(KINDS)
                    answers[column].append(text)
            row = {
                "occupation": rng.choice(domain.roles[kind_of_user]),
                "age_band": rng.choice(domain.ages[kind_of_user]),
            }
            if one_column:
                every = [t for kind in KINDS for t in answers[kind]]
                rng.shuffle(every)
                row["notes"] = " ".join(every)
            else:
                for kind in KINDS:
                    row[domain.columns[kind]] = " ".join(answers[kind])
            respondents.append((kind_of_user, row))
    rng.shuffle(respondents)
    for number, (kind_of_user, row) in enumerate(respondents, start=1):
        study.rows.append({"respondent": f"P{number:04d}", **row})
        study.types.append(kind_of_user)
    return study
