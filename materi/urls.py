from django.urls import path

from . import views

app_name = "materi"
urlpatterns = [
    path("", views.index, name="index"),
    path("cari/", views.search, name="search"),
    path("prinsip/", views.glossary, name="glossary"),
    path("<slug:module_slug>/", views.module, name="module"),
    path("<slug:module_slug>/<slug:section_slug>/", views.section, name="section"),
    path(
        "<slug:module_slug>/<slug:section_slug>/selesai/", views.section_done, name="section_done"
    ),
]
