"""The board dashboard's stored figures, moved from the maps app: the model
enters this app's state with the table it has had since maps.0004
(db_table "maps_boardfiguresnapshot"), so no SQL runs and no data moves
(maps.0007 took it out of the maps app's state). Its content type follows.
"""

from django.db import migrations, models

from config.migration_moves import content_types_moved


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("maps", "0007_board_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BoardFigureSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=200)),
                        ('version', models.CharField(max_length=32)),
                        ('payload', models.BinaryField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'maps_boardfiguresnapshot',
                        'constraints': [models.UniqueConstraint(fields=('key', 'version'), name='board_figure_snapshot_once')],
                    },
                ),
            ]
        ),
        content_types_moved(models=["boardfiguresnapshot"], old_app="maps", new_app="board"),
    ]
