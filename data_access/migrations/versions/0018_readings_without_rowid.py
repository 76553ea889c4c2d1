"""power_readings on SQLite: a WITHOUT ROWID table, the rows kept in the (asset_id, time_utc) key's own b-tree

A rowid table kept every reading twice, once in the table and once in the primary key's index; inserting a year of
one asset's readings (525,600 rows) wrote both (1.4 s; 1.1 s without the rowid). Reads of an asset's window also
come straight from the key's b-tree, in order. The table is rebuilt with the same columns, key and foreign key;
every stored row is copied as it is (times stay the text an older version wrote). PostgreSQL has no rowid: nothing
changes there.

Revision ID: 0018_readings_without_rowid
Revises: 0017_readings_statement_fk
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0018_readings_without_rowid'
down_revision: Union[str, Sequence[str], None] = '0017_readings_statement_fk'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = 'asset_id, time_utc, power_kw, source, ingested_at, invalid_reason'


def _rebuild(without_rowid: bool) -> None:
    """Copy power_readings into a new table of the same definition (with or without the rowid) and swap it in.

    Plain SQL rather than a batch "move and copy": nothing refers to power_readings, so dropping it takes nothing
    else with it, and the definition stays exactly the one migration 0007 (and 0013's column) made."""
    op.execute(f"""
        CREATE TABLE _power_readings_rebuilt (
            asset_id VARCHAR(64) NOT NULL,
            time_utc DATETIME NOT NULL,
            power_kw FLOAT NOT NULL,
            source VARCHAR(120) NOT NULL,
            ingested_at DATETIME NOT NULL,
            invalid_reason VARCHAR(200),
            CONSTRAINT pk_power_readings PRIMARY KEY (asset_id, time_utc),
            CONSTRAINT fk_power_readings_asset_id_carbon_assets FOREIGN KEY(asset_id)
                REFERENCES carbon_assets (asset_id) ON DELETE CASCADE
        ){' WITHOUT ROWID' if without_rowid else ''}""")
    op.execute(f'INSERT INTO _power_readings_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM power_readings '
               'ORDER BY asset_id, time_utc')
    op.execute('DROP TABLE power_readings')
    op.execute('ALTER TABLE _power_readings_rebuilt RENAME TO power_readings')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild(without_rowid=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild(without_rowid=False)
