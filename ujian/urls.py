from django.urls import path

from . import analysis_views as av
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
    # Item analysis ("Analisis butir") and regrading
    path("analisis/", av.index, name="analysis_index"),
    path("analisis/<uuid:uuid>/", av.report, name="analysis_report"),
    path("analisis/<uuid:uuid>/hitung/", av.recompute, name="analysis_recompute"),
    path("analisis/<uuid:uuid>/ekspor.<str:fmt>", av.export, name="analysis_export"),
    path("analisis/<uuid:uuid>/soal/<int:snapshot_id>/", av.item, name="analysis_item"),
    path("analisis/<uuid:uuid>/soal/<int:snapshot_id>/revisi/", av.revise, name="analysis_revise"),
    path(
        "analisis/<uuid:uuid>/soal/<int:snapshot_id>/nilai-ulang/",
        av.regrade_start,
        name="regrade_start",
    ),
    path("analisis/<uuid:uuid>/nilai-ulang/<uuid:regrade>/", av.regrade_view, name="regrade"),
    path(
        "analisis/<uuid:uuid>/nilai-ulang/<uuid:regrade>/terapkan/",
        av.regrade_apply,
        name="regrade_apply",
    ),
]
