"""pair totals summed anew, to four decimals: from now on each window of the index moves them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00

From this version a rebuild of the daily index moves each changed pair's totals with the window of
rows it replaces (pipeline.totals), so the totals must start equal to the rows. At 0012 they could
differ: a run killed after its windows but before its final sum left new rows and old totals, and
the next rebuild finds nothing changed. They were also summed in full float precision, where the
moved totals are kept to the rows' four decimals (so that any number of moves equals one sum).
Summed here, and rounded in Python by the rule of pipeline.totals as it stands today: a frozen copy.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

DIGITS = 4
SUMS = sa.text("SELECT kind, source, target, directed, SUM(tension_index), SUM(statements) FROM dyad_daily "
               "GROUP BY kind, source, target, directed")
INSERT = sa.text("INSERT INTO pair_totals (kind, source, target, directed, tension_index, statements) "
                 "VALUES (:kind, :source, :target, :directed, :tension_index, :statements)")


def upgrade() -> None:
    conn = op.get_bind()
    directed = sa.bindparam("directed", type_=sa.Boolean())  # a column type for raw SQL, as a table has
    rows = [{"kind": kind, "source": source, "target": target, "directed": bool(is_directed),
             "tension_index": round(tension, DIGITS) + 0.0, "statements": said}
            for kind, source, target, is_directed, tension, said in conn.execute(SUMS)]
    conn.execute(sa.text("DELETE FROM pair_totals"))
    if rows:
        conn.execute(INSERT.bindparams(directed), rows)


def downgrade() -> None:
    pass  # the totals stay summed: 0012's code re-sums them at its next rebuild anyway
