"""The shipped taxonomy of themes: stable slugs and URIs.

Slugs never change once published (ORUK exports and API clients key on
them); add new themes at the end, retire old ones with ``active=False``.
"""

from __future__ import annotations

VOCABULARY = "backer-themes"
URI_PREFIX = "urn:backer:theme:"

# (slug, name, description)
THEMES: tuple[tuple[str, str, str], ...] = (
    (
        "loneliness-and-isolation",
        "Loneliness and isolation",
        "Lunch clubs, befriending, social groups.",
    ),
    (
        "environment-and-green-space",
        "Environment and green space",
        "Parks, gardens, litter picks, nature.",
    ),
    (
        "diabetes-and-long-term-conditions",
        "Diabetes and long-term conditions",
        "Peer support and self-management.",
    ),
    ("food", "Food", "Food banks, pantries, community cafés, cooking skills."),
    (
        "poverty-and-cost-of-living",
        "Poverty and cost of living",
        "Advice, warm spaces, debt and benefits help.",
    ),
    ("mental-health", "Mental health", "Peer support, wellbeing groups, talking spaces."),
    ("physical-activity", "Physical activity", "Walking groups, sport, dance, exercise."),
    (
        "employment-and-skills",
        "Employment and skills",
        "Job clubs, training, volunteering into work.",
    ),
    ("housing", "Housing", "Tenants' groups, homelessness, housing advice."),
    (
        "children-and-young-people",
        "Children and young people",
        "Youth clubs, play, parenting, schools.",
    ),
    ("older-people", "Older people", "Activities and support for older residents."),
    ("carers", "Carers", "Support for unpaid carers."),
    ("arts-and-culture", "Arts and culture", "Music, crafts, heritage, creative groups."),
    ("digital-inclusion", "Digital inclusion", "Devices, data and skills to get online."),
    ("disability", "Disability", "Groups run by and for disabled people."),
    ("refugees-and-migrants", "Refugees and migrants", "Welcome, language and integration."),
    ("community-safety", "Community safety", "Neighbourhood watch, violence reduction."),
    ("faith-and-belief", "Faith and belief", "Community activity by faith groups."),
    ("substance-misuse", "Substance misuse", "Recovery communities and peer support."),
    ("domestic-abuse", "Domestic abuse", "Support for survivors."),
    ("health-inequalities", "Health inequalities", "Health checks, screening, health information."),
    ("lgbtq-plus", "LGBTQ+", "Groups for lesbian, gay, bisexual, trans and queer people."),
    (
        "education-and-learning",
        "Education and learning",
        "Adult learning, English classes, homework clubs.",
    ),
    ("transport", "Transport", "Community transport and travel support."),
    ("community-building", "Community building", "Residents' associations, events, volunteering."),
)
