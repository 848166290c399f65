"""run_milp's dual bound is a true lower bound for a minimisation, with or
without integer columns: HiGHS leaves ``mip_dual_bound`` at 0 for a model with
none (it solves an LP), which would claim any negative objective unproven and
any positive one proven at once."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matching.engine.highs import run_milp


# min sign * x subject to 2.5 <= x <= 10, x integer or not.
@pytest.mark.parametrize(
    ("integer", "sign", "expected"),
    [(0, 1.0, 2.5), (1, 1.0, 3.0), (0, -1.0, -10.0), (1, -1.0, -10.0)],
)
def test_the_bound_is_the_optimum_whatever_the_columns(integer, sign, expected):
    result = run_milp(
        np.array([sign]),
        np.array([integer], dtype=np.int8),
        np.array([0.0]),
        np.array([10.0]),
        sp.csr_array(np.array([[1.0]])),
        np.array([2.5]),
        np.array([np.inf]),
        start=None,
        time_limit=None,
        mip_rel_gap=1e-9,
    )
    assert result.optimal
    assert result.objective == pytest.approx(expected)
    assert result.dual_bound == pytest.approx(expected)


def test_every_option_the_engine_sets_is_one_highs_knows() -> None:
    # HiGHS answers a misspelt option (or a value of the wrong type) with an
    # error status and goes on without it: the feasibility jump would
    # silently run again.
    import highspy

    from matching.engine import highs as engine_highs

    answers: dict[str, object] = {}

    class Recording(highspy.Highs):  # type: ignore[misc]
        def setOptionValue(self, name: str, value: object) -> object:
            answers[name] = super().setOptionValue(name, value)
            return answers[name]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_highs.highspy, "Highs", Recording)
        made = engine_highs._highs(mip_rel_gap=1e-4, time_limit=5.0, presolve=False)
    assert "mip_heuristic_run_feasibility_jump" in answers
    assert made.getOptionValue("mip_heuristic_run_feasibility_jump")[1] is False
    assert all(status == highspy.HighsStatus.kOk for status in answers.values()), answers
