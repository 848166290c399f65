"""The leadership self-assessment moved to its own app (assessment): its
models leave the maps app's state here and enter assessment's in
assessment.0001_initial. The tables stay as they are (db_table "maps_...")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("maps", "0005_merge_anonymous_answers_board_figures")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("AssessmentAnswer"),
                migrations.DeleteModel("AssessmentParticipation"),
                migrations.DeleteModel("AssessmentRound"),
                migrations.DeleteModel("AssessmentStatement"),
            ]
        )
    ]
