from django.urls import re_path

from . import views

app_name = "dashboards"

urlpatterns = [
    re_path(r"^$", views.CityDashboardView.as_view(), name="city"),
    re_path(r"^table/(?P<panel>tiers|clues|assets)/$", views.CityTableView.as_view(), name="city_table"),
    re_path(r"^county/(?P<code>\d{6})/$", views.CountyDashboardView.as_view(), name="county"),
    re_path(r"^township/(?P<code>\d{9})/$", views.TownshipDashboardView.as_view(), name="township"),
    re_path(r"^village/(?P<code>\d{12})/$", views.VillageDashboardView.as_view(), name="village"),
]
