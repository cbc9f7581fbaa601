from django.db import models


class ModuleAccess(models.Model):
    """No table: carries the permission that opens this module's pages."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_archives", "可进入档案模块")]

    def __str__(self) -> str:
        return self._meta.verbose_name
