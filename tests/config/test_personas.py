from __future__ import annotations

from accounts.roles import roles_of


def test_the_personas_have_the_roles_their_stories_need(personas):
    assert roles_of(personas.alice) == {"anchor team"}
    assert roles_of(personas.carol) == {"board"}
    assert roles_of(personas.dave) == {"group contact"}
    assert "admin" in roles_of(personas.root)
    assert personas.group_a.contact_user == personas.dave
    assert personas.alice.anchor_memberships.get().anchor == personas.anchor_a
