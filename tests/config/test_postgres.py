"""The suite runs on PostgreSQL in CI; these show it really does."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import NeighbourhoodFactory


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_is_postgresql_and_enforces_the_decile_constraint():
    assert connection.vendor == "postgresql"
    with pytest.raises(IntegrityError), transaction.atomic():
        NeighbourhoodFactory(imd_decile=11)
