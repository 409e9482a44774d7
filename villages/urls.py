from django.urls import re_path

from . import views

app_name = "villages"

urlpatterns = [
    re_path(r"^$", views.VillageListView.as_view(), name="village_list"),
    re_path(r"^(?P<code>\d{12})/$", views.VillageDetailView.as_view(), name="village_detail"),
]
