from django.urls import path

from . import views

app_name = "soal"
urlpatterns = [
    path("", views.index, name="index"),
    path("modul/<slug:value>/", views.practice, {"kind": "modul"}, name="module"),
    path("aspek/<slug:value>/", views.practice, {"kind": "aspek"}, name="aspect"),
    path("prinsip/<slug:value>/", views.practice, {"kind": "prinsip"}, name="principle"),
    path("ulangi/", views.practice, {"kind": "ulangi", "value": "-"}, name="retry"),
    path("soal/<uuid:question_uuid>/jawab/", views.answer, name="answer"),
]
