from django.urls import path

from . import views

app_name = "lembaga"
urlpatterns = [
    path("", views.index, name="index"),
    path("gabung/<str:code>/", views.cohort_join, name="join"),
    path("<slug:slug>/", views.institution, name="institution"),
    path("<slug:slug>/kelas/", views.cohort_create, name="cohort_create"),
    path("<slug:slug>/kelas/<uuid:uuid>/undangan/", views.cohort_invite, name="cohort_invite"),
    path("<slug:slug>/peserta/<int:pk>/setujui/", views.candidate_approve, name="approve"),
    path("<slug:slug>/impor/", views.candidates_import, name="import"),
    path("<slug:slug>/impor/<uuid:uuid>/", views.import_job, name="import_job"),
    path("<slug:slug>/sesi/baru/", views.session_create, name="session_create"),
    path("<slug:slug>/sesi/<uuid:uuid>/", views.session_detail, name="session"),
    path("<slug:slug>/sesi/<uuid:uuid>/siapkan/", views.session_build, name="session_build"),
    path("<slug:slug>/sesi/<uuid:uuid>/aksi/", views.session_action, name="session_action"),
    path("<slug:slug>/sesi/<uuid:uuid>/hasil/", views.session_results, name="session_results"),
    path(
        "<slug:slug>/sesi/<uuid:uuid>/hasil.<str:fmt>",
        views.session_export,
        name="session_export",
    ),
    path(
        "<slug:slug>/sesi/<uuid:uuid>/cetak/<slug:kind>/",
        views.session_print,
        name="session_print",
    ),
    path("<slug:slug>/ikut/<uuid:uuid>/", views.session_enter, name="enter"),
]
