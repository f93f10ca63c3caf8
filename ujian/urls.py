from django.urls import path

from . import views

app_name = "ujian"
urlpatterns = [
    path("", views.index, name="index"),
    path("riwayat/", views.history, name="history"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("t/<slug:slug>/", views.tryout, name="tryout"),
    path("t/<slug:slug>/mulai/", views.start, name="start"),
    path("sesi/<uuid:uuid>/", views.attempt, name="attempt"),
    path("sesi/<uuid:uuid>/status/", views.build_status, name="build_status"),
    path("sesi/<uuid:uuid>/soal/<int:number>/", views.question, name="question"),
    path("sesi/<uuid:uuid>/jawab/", views.save, name="save"),
    path("sesi/<uuid:uuid>/detak/", views.heartbeat, name="heartbeat"),
    path("sesi/<uuid:uuid>/selesai/", views.submit, name="submit"),
    path("sesi/<uuid:uuid>/hasil/", views.result, name="result"),
    path("sesi/<uuid:uuid>/pembahasan/", views.review, name="review"),
]
