from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("akun/daftar/", views.signup, name="signup"),
    # Our log-in first: it sends signed-in users home instead of showing the form again.
    path(
        "akun/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("akun/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("akun/", include("django.contrib.auth.urls")),
    path("materi/", include("materi.urls")),
    path("latihan/", include("soal.urls")),
    path("tryout/", include("ujian.urls")),
    path("lembaga/", include("lembaga.urls")),
    path("admin/", admin.site.urls),
]
