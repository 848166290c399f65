"""The invented data tables of the demo (partners/demo.py): group types,
names, reasons for needs, the two demo anchors and the demo logins.

Everything here is invented; the geography comes from the loaded places.
"""

from __future__ import annotations

from accounts.roles import ANCHOR_TEAM, BOARD, GROUP_CONTACT
from partners.models import AnchorKind, MembershipRole, NeedKind, SiteKind

# Data tables, one row a line (ruff would explode them to several hundred lines).
# fmt: off
# (name pattern, kind, activity title, themes, frequency, people a month range, home-friendly)
GROUP_TYPES: tuple[tuple[str, str, str, tuple[str, ...], str, tuple[int, int], bool], ...] = (
    ("{p} Lunch Club", "unregistered", "Hot lunch and company", ("loneliness-and-isolation", "older-people", "food"), "weekly", (20, 60), False),
    ("Friends of {p} Park", "unregistered", "Park clean-up and planting", ("environment-and-green-space", "community-building"), "monthly", (10, 40), False),
    ("{p} Diabetes Walkers", "unregistered", "Health walk and peer support", ("diabetes-and-long-term-conditions", "physical-activity"), "weekly", (8, 30), False),
    ("{p} Litter Pickers", "unregistered", "Street litter pick", ("environment-and-green-space",), "monthly", (10, 50), False),
    ("{p} Community Pantry", "cio", "Low-cost food pantry", ("food", "poverty-and-cost-of-living"), "weekly", (60, 250), False),
    ("{p} Warm Space", "faith", "Warm space with soup", ("poverty-and-cost-of-living", "loneliness-and-isolation"), "weekly", (25, 80), False),
    ("{p} Youth Club", "charity", "Evening youth club", ("children-and-young-people",), "weekly", (30, 90), False),
    ("{p} Men's Shed", "cio", "Woodwork and a brew", ("mental-health", "loneliness-and-isolation", "older-people"), "weekly", (10, 30), False),
    ("{p} Knit and Natter", "unregistered", "Knit and natter", ("loneliness-and-isolation", "arts-and-culture"), "weekly", (6, 15), True),
    ("{p} Carers' Circle", "unregistered", "Carers' coffee and chat", ("carers", "mental-health"), "fortnightly", (6, 20), True),
    ("{p} Job Club", "charity", "CV and job search help", ("employment-and-skills", "digital-inclusion"), "weekly", (15, 45), False),
    ("{p} Digital Drop-in", "cic", "Get online drop-in", ("digital-inclusion", "older-people"), "weekly", (10, 40), False),
    ("{p} Tenants' and Residents' Association", "residents", "Residents' meeting", ("housing", "community-building"), "monthly", (20, 80), False),
    ("{p} Community Choir", "unregistered", "Choir rehearsal", ("arts-and-culture", "mental-health"), "weekly", (15, 40), False),
    ("{p} Walking Football", "unregistered", "Walking football session", ("physical-activity", "older-people"), "weekly", (12, 30), False),
    ("{p} Stay and Play", "unregistered", "Baby and toddler stay and play", ("children-and-young-people",), "weekly", (15, 50), False),
    ("{p} Conversation Club", "charity", "English conversation club", ("refugees-and-migrants", "education-and-learning"), "weekly", (10, 35), False),
    ("{p} Recovery Café", "cic", "Recovery café", ("substance-misuse", "mental-health"), "weekly", (15, 40), False),
    ("{p} Community Garden", "unregistered", "Growing together", ("environment-and-green-space", "food"), "weekly", (10, 35), False),
    ("{p} Mutual Aid", "mutual_aid", "Shopping and prescription runs", ("poverty-and-cost-of-living", "older-people"), "weekly", (10, 60), True),
    ("{p} Memory Café", "charity", "Dementia-friendly café", ("older-people", "carers", "health-inequalities"), "monthly", (10, 30), False),
    ("{p} Long Covid Support Group", "unregistered", "Peer support meeting", ("diabetes-and-long-term-conditions", "mental-health"), "fortnightly", (6, 20), True),
    ("{p} Homework Club", "charity", "After-school homework club", ("children-and-young-people", "education-and-learning"), "weekly", (15, 40), False),
    ("{p} Pride Social", "unregistered", "LGBTQ+ social evening", ("lgbtq-plus", "loneliness-and-isolation"), "monthly", (10, 40), False),
    ("{p} Book Club", "unregistered", "Book club", ("loneliness-and-isolation", "education-and-learning"), "monthly", (6, 14), True),
)
EXTRA_ACTIVITIES = (
    ("Summer day trip", "occasional"),
    ("Coffee morning", "weekly"),
    ("Volunteer training", "occasional"),
    ("Christmas party", "one_off"),
    ("Newsletter", "monthly"),
)
FIRST = ("Pat", "Sam", "Jo", "Alex", "Chris", "Ali", "Priya", "Kemi", "Tomasz", "Aisha", "Dave", "Maureen", "Bernie", "Chloe", "Imran", "Grace")
LAST = ("Hughes", "Okafor", "Kowalski", "Begum", "Walsh", "Clarke", "Nowak", "Shah", "Doyle", "Ahmed", "Murphy", "Patel", "Lee", "Evans")
NEED_WHY: dict[str, tuple[str, ...]] = {
    NeedKind.SEED_FUNDING: ("To buy a cooker and pans.", "For room hire until we find a free space.", "For insurance and a first-aid kit.", "For trips for members who cannot afford them."),
    NeedKind.TIME: ("Volunteers to help set up and serve.", "Someone to help with our paperwork."),
    NeedKind.SPACE: ("Our church hall is closing.", "We have outgrown the front room."),
    NeedKind.PROFILE: ("Most people who would come have never heard of us.",),
    NeedKind.CONNECTIONS: ("An introduction to the social prescribing team.", "To meet the housing officers for our estate."),
    NeedKind.EXPERTISE: ("Help writing a safeguarding policy.", "Help with bookkeeping and becoming a CIO."),
}
ANCHORS = (
    {
        "slug": "irwell-riverside-nhs-demo",
        "name": "Irwell Riverside NHS Foundation Trust (demo)",
        "kind": AnchorKind.NHS_TRUST,
        "giving_prefix": "demo-irnhs",
        "sites": (("Stott Lane Hospital", SiteKind.HOSPITAL, "M6 8"), ("Pendleton Health Centre", SiteKind.HEALTH_CENTRE, "M6 5"), ("Walkden Health Centre", SiteKind.HEALTH_CENTRE, "M28 3")),
    },
    {
        "slug": "irwell-bank-homes-demo",
        "name": "Irwell Bank Homes (demo)",
        "kind": AnchorKind.HOUSING_ASSOCIATION,
        "giving_prefix": "demo-ibh",
        "sites": (("Ordsall Housing Office", SiteKind.HOUSING_OFFICE, "M5 3"), ("Little Hulton Hub", SiteKind.COMMUNITY_SPACE, "M38 9")),
    },
)
# fmt: on
# (username, role group, anchor slugs, membership role)
# The group contact login the demo prints (it signs in by an emailed link).
DEMO_CONTACT = "contact"
DEMO_USERS = (
    ("nhs-team", ANCHOR_TEAM, ("irwell-riverside-nhs-demo",), MembershipRole.TEAM),
    ("homes-team", ANCHOR_TEAM, ("irwell-bank-homes-demo",), MembershipRole.TEAM),
    ("board", BOARD, ("irwell-riverside-nhs-demo", "irwell-bank-homes-demo"), MembershipRole.BOARD),
    (DEMO_CONTACT, GROUP_CONTACT, (), None),
    ("admin", "admin", (), None),
)
# The demo supplier login: staff of one supplier of the NHS trust.
DEMO_SUPPLIER = ("supplier", "Irwell Catering Partners Ltd", "irwell-riverside-nhs-demo")
