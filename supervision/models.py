from django.db import models


class ModuleAccess(models.Model):
    """No table: carries the permission that opens this module's pages."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_supervision", "可进入监督检查模块")]

    def __str__(self) -> str:
        return self._meta.verbose_name
