"""The board dashboard's stored figures moved to their own app (board): the
model leaves the maps app's state here and enters board's in
board.0001_initial. The table stays as it is (db_table "maps_...")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("maps", "0006_assessment_moved")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel("BoardFigureSnapshot")]
        )
    ]
