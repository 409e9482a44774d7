from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PortalConfig(AppConfig):
    name = "loudi_portal"
    verbose_name = "平台"

    def ready(self):
        from .data_versions import watch_connection

        # Every connection's writes change the versions that cached figures are keyed by.
        connection_created.connect(watch_connection, dispatch_uid="loudi_portal.data_versions")
