from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ujian", "0005_item_analysis"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(fields=["saved_at"], name="ujian_answer_saved_at"),
        ),
    ]
