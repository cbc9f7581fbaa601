from django.db import models


class ModuleAccess(models.Model):
    """No table: carries the permission that opens this module's pages."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_benefits", "可进入待遇模块")]

    def __str__(self) -> str:
        return self._meta.verbose_name
